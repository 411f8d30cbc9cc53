//! PKCS#7 certs-only bundles and PKCS#8 EncryptedPrivateKeyInfo (GROUPKEY).

use peernet_crypto::PkcsError;
use peernet_crypto::{encrypted_key, pkcs7};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn input(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keys")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn certs() -> Vec<Vec<u8>> {
    vec![
        input("pkcs-ca-p256.cert.der"),
        input("pkcs-leaf-p256.cert.der"),
        input("pkcs-rsa1024.cert.der"),
    ]
}

#[test]
fn pkcs7_encodes_der_sorted_and_decodes_as_found() {
    let c = certs();
    let p7 = pkcs7::encode(&c).unwrap();
    let mut sorted = c.clone();
    // DER SET OF order (X.690 11.6): compare the encodings as padded octet strings.
    sorted.sort_by(|a, b| {
        let n = a.len().max(b.len());
        let pad = |v: &Vec<u8>| {
            let mut v = v.clone();
            v.resize(n, 0);
            v
        };
        pad(a).cmp(&pad(b)).then(a.len().cmp(&b.len()))
    });
    assert_eq!(pkcs7::decode(&p7).unwrap(), sorted);
    // Input order does not matter: the encoding is canonical.
    let mut rev = c.clone();
    rev.reverse();
    assert_eq!(pkcs7::encode(&rev).unwrap(), p7);
    // Structure: version 1, empty digestAlgorithms, data with no content, no signerInfos.
    assert!(p7.windows(5).any(|w| w == [0x02, 0x01, 0x01, 0x31, 0x00]));
    assert!(p7.ends_with(&[0x31, 0x00]));
    assert_eq!(
        pkcs7::encode(&[])
            .map(|p| pkcs7::decode(&p).unwrap())
            .unwrap(),
        Vec::<Vec<u8>>::new()
    );
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    if body.len() < 128 {
        v.push(body.len() as u8);
    } else {
        v.extend([0x82, (body.len() >> 8) as u8, body.len() as u8]);
    }
    v.extend_from_slice(body);
    v
}

/// A BER bundle with indefinite lengths and certificates in a non-sorted order.
fn ber_bundle(certs: &[Vec<u8>]) -> Vec<u8> {
    let oid_signed = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
    ];
    let oid_data = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
    ];
    let mut v = vec![0x30, 0x80];
    v.extend(oid_signed);
    v.extend([0xA0, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00]);
    v.extend(tlv(0x30, &oid_data));
    v.extend([0xA0, 0x80]);
    for c in certs {
        v.extend_from_slice(c);
    }
    v.extend([0, 0, 0x31, 0x00, 0, 0, 0, 0, 0, 0]);
    v
}

#[test]
fn pkcs7_decoder_tolerates_ber_and_keeps_order() {
    let c = certs();
    for order in [[0usize, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let list: Vec<Vec<u8>> = order.iter().map(|&i| c[i].clone()).collect();
        assert_eq!(pkcs7::decode(&ber_bundle(&list)).unwrap(), list);
    }
}

#[test]
fn pkcs7_rejects_duplicates_too_many_and_garbage() {
    let c = certs();
    let dup = vec![c[0].clone(), c[1].clone(), c[0].clone()];
    assert!(matches!(
        pkcs7::encode(&dup),
        Err(PkcsError::DuplicateCertificate { index: 2 })
    ));
    assert!(matches!(
        pkcs7::decode(&ber_bundle(&dup)),
        Err(PkcsError::DuplicateCertificate { index: 2 })
    ));
    let many: Vec<Vec<u8>> = (0..=pkcs7::MAX_CERTIFICATES)
        .map(|i| tlv(0x30, &tlv(0x30, &[0x02, 0x02, 0x01, i as u8])))
        .collect();
    assert!(matches!(
        pkcs7::encode(&many),
        Err(PkcsError::TooManyCertificates { .. })
    ));
    assert!(matches!(
        pkcs7::decode(&ber_bundle(&many)),
        Err(PkcsError::TooManyCertificates { .. })
    ));
    assert!(matches!(
        pkcs7::encode(&[vec![0x04, 0x00]]),
        Err(PkcsError::InvalidArgument(_))
    ));
    assert!(matches!(
        pkcs7::decode(&[0x30, 0x00]),
        Err(PkcsError::Malformed(_))
    ));
    assert!(matches!(
        pkcs7::decode(&vec![0; pkcs7::MAX_PKCS7_LEN + 1]),
        Err(PkcsError::InputTooLarge { .. })
    ));
    let not_signed = tlv(
        0x30,
        &[
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
        ],
    );
    assert!(matches!(
        pkcs7::decode(&not_signed),
        Err(PkcsError::UnsupportedAlgorithm { .. })
    ));
}

#[test]
fn bare_certificate_is_accepted_where_an_idc_may_carry_one() {
    let c = certs();
    assert_eq!(
        pkcs7::decode_or_bare_certificate(&c[1]).unwrap(),
        vec![c[1].clone()]
    );
    let p7 = pkcs7::encode(&c[..1]).unwrap();
    assert_eq!(
        pkcs7::decode_or_bare_certificate(&p7).unwrap(),
        vec![c[0].clone()]
    );
    assert!(pkcs7::decode(&c[1]).is_err());
}

#[test]
fn groupkey_round_trip_and_wrong_password() {
    for name in ["pkcs-leaf-p256.key.der", "pkcs-rsa1024.key.der"] {
        let key = input(name);
        let blob = encrypted_key::seal(&key, "group pw", 1000).unwrap();
        assert_eq!(
            &encrypted_key::open(&blob, "group pw").unwrap()[..],
            &key[..]
        );
        assert!(matches!(
            encrypted_key::open(&blob, "group pW"),
            Err(PkcsError::InvalidPassword)
        ));
        let mut bad = blob.clone();
        let n = bad.len();
        bad[n - 20] ^= 0x40;
        assert!(encrypted_key::open(&bad, "group pw").is_err());
    }
}

#[test]
fn groupkey_default_iterations_and_determinism() {
    let key = input("pkcs-leaf-p256.key.der");
    let blob = encrypted_key::seal(&key, "pw", encrypted_key::MODERN_ITERATIONS).unwrap();
    assert!(blob.windows(5).any(|w| w == [0x02, 0x03, 0x09, 0x27, 0xC0]));
    assert_eq!(&encrypted_key::open(&blob, "pw").unwrap()[..], &key[..]);
    let a =
        encrypted_key::seal_with_rng(&key, "pw", 10, &mut ChaCha20Rng::from_seed([1; 32])).unwrap();
    let b =
        encrypted_key::seal_with_rng(&key, "pw", 10, &mut ChaCha20Rng::from_seed([1; 32])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn groupkey_limits() {
    let key = input("pkcs-leaf-p256.key.der");
    assert!(matches!(
        encrypted_key::seal(&key, "pw", encrypted_key::MAX_ITERATIONS + 1),
        Err(PkcsError::IterationCountTooHigh { .. })
    ));
    assert!(matches!(
        encrypted_key::seal(&key, "pw", 0),
        Err(PkcsError::InvalidArgument(_))
    ));
    assert!(matches!(
        encrypted_key::seal(b"nope", "pw", 10),
        Err(PkcsError::InvalidArgument(_))
    ));
    // A hand-built blob asking for 2^31-1 PBKDF2 iterations: refused before PBKDF2 runs.
    let oid = |c: &[u8]| tlv(0x06, c);
    let pbkdf2_params = [
        tlv(0x04, &[9; 16]),
        vec![0x02, 0x04, 0x7F, 0xFF, 0xFF, 0xFF],
        tlv(
            0x30,
            &[
                oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09]),
                vec![0x05, 0x00],
            ]
            .concat(),
        ),
    ]
    .concat();
    let kdf = tlv(
        0x30,
        &[
            oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C]),
            tlv(0x30, &pbkdf2_params),
        ]
        .concat(),
    );
    let enc = tlv(
        0x30,
        &[
            oid(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A]),
            tlv(0x04, &[3; 16]),
        ]
        .concat(),
    );
    let alg = tlv(
        0x30,
        &[
            oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D]),
            tlv(0x30, &[kdf, enc].concat()),
        ]
        .concat(),
    );
    let blob = tlv(0x30, &[alg, tlv(0x04, &[5; 32])].concat());
    let started = std::time::Instant::now();
    assert!(matches!(
        encrypted_key::open(&blob, "pw"),
        Err(PkcsError::IterationCountTooHigh {
            iterations: 0x7FFF_FFFF,
            max: 10_000_000
        })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert!(matches!(
        encrypted_key::open(&[0x30, 0x00], "pw"),
        Err(PkcsError::Malformed(_))
    ));
    assert!(matches!(
        encrypted_key::open(&vec![0; encrypted_key::MAX_ENCRYPTED_KEY_LEN + 1], "pw"),
        Err(PkcsError::InputTooLarge { .. })
    ));
}
