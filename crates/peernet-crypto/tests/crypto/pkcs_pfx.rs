//! PKCS#12 round trips, error cases and the wrong-password/tampering rule.

use peernet_crypto::PkcsError;
use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn input(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keys")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([7; 32])
}

fn p256_chain() -> (Vec<Vec<u8>>, Vec<u8>) {
    (
        vec![
            input("pkcs-leaf-p256.cert.der"),
            input("pkcs-ca-p256.cert.der"),
        ],
        input("pkcs-leaf-p256.key.der"),
    )
}

fn fast(profile: Pkcs12Profile) -> Pkcs12WriteOptions {
    Pkcs12WriteOptions::new(profile).with_iterations(3)
}

#[test]
fn windows_profile_round_trip_rsa1024_default_iterations() {
    let certs = vec![input("pkcs-rsa1024.cert.der")];
    let key = input("pkcs-rsa1024.key.der");
    let opts = Pkcs12WriteOptions::new(Pkcs12Profile::Windows).with_friendly_name("Peer identity");
    let pfx = pkcs12::write(&certs, &key, "secret", &opts).unwrap();
    let got = pkcs12::read(&pfx, "secret").unwrap();
    assert_eq!(&got.private_key[..], &key[..]);
    assert_eq!(got.certificates, certs);
    assert_eq!(got.friendly_name.as_deref(), Some("Peer identity"));
}

#[test]
fn modern_profile_round_trip_keeps_leaf_first() {
    let (certs, key) = p256_chain();
    let pfx = pkcs12::write_with_rng(
        &certs,
        &key,
        "pässwörd",
        &fast(Pkcs12Profile::Modern),
        &mut rng(),
    )
    .unwrap();
    let got = pkcs12::read(&pfx, "pässwörd").unwrap();
    assert_eq!(&got.private_key[..], &key[..]);
    assert_eq!(got.certificates, certs);
    assert_eq!(got.friendly_name, None);
}

#[test]
fn modern_profile_default_600000_iterations() {
    let (certs, key) = p256_chain();
    let pfx = pkcs12::write(&certs, &key, "pw", &Pkcs12WriteOptions::default()).unwrap();
    // 600,000 = 0x0927C0 appears as an INTEGER (MAC and both PBKDF2 parameter sets).
    let needle = [0x02, 0x03, 0x09, 0x27, 0xC0];
    assert_eq!(pfx.windows(5).filter(|w| *w == needle).count(), 3);
    assert_eq!(pkcs12::read(&pfx, "pw").unwrap().certificates, certs);
}

#[test]
fn deterministic_with_seeded_rng_and_random_otherwise() {
    let (certs, key) = p256_chain();
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let a = pkcs12::write_with_rng(&certs, &key, "pw", &fast(profile), &mut rng()).unwrap();
        let b = pkcs12::write_with_rng(&certs, &key, "pw", &fast(profile), &mut rng()).unwrap();
        assert_eq!(a, b);
        let c = pkcs12::write(&certs, &key, "pw", &fast(profile)).unwrap();
        assert_ne!(a, c);
    }
}

#[test]
fn rcgen_key_round_trip() {
    let kp = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["peer.example".into()])
        .unwrap()
        .self_signed(&kp)
        .unwrap();
    let certs = vec![cert.der().to_vec()];
    let key = kp.serialize_der();
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let pfx = pkcs12::write(&certs, &key, "", &fast(profile)).unwrap();
        let got = pkcs12::read(&pfx, "").unwrap();
        assert_eq!(&got.private_key[..], &key[..]);
        assert_eq!(got.certificates, certs);
        assert!(matches!(
            pkcs12::read(&pfx, " "),
            Err(PkcsError::InvalidPassword)
        ));
    }
}

#[test]
fn wrong_password_is_invalid_password() {
    let (certs, key) = p256_chain();
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let pfx =
            pkcs12::write_with_rng(&certs, &key, "right", &fast(profile), &mut rng()).unwrap();
        for wrong in ["wrong", "Right", "", "right "] {
            assert!(
                matches!(pkcs12::read(&pfx, wrong), Err(PkcsError::InvalidPassword)),
                "{profile:?} {wrong:?}"
            );
        }
    }
}

/// Flip one byte at `pos`.
fn flip(data: &[u8], pos: usize) -> Vec<u8> {
    let mut d = data.to_vec();
    d[pos] ^= 0x01;
    d
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

#[test]
fn tampering_with_right_password_is_integrity_failure() {
    let (certs, key) = p256_chain();
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let pfx =
            pkcs12::write_with_rng(&certs, &key, "right", &fast(profile), &mut rng()).unwrap();
        // 1. The MAC value itself (the last OCTET STRING before salt and iterations).
        let mac_len = if profile == Pkcs12Profile::Windows {
            20
        } else {
            32
        };
        let salt_len = if profile == Pkcs12Profile::Windows {
            8
        } else {
            16
        };
        let mac_pos = pfx.len() - 3 - (2 + salt_len) - 1 - mac_len / 2;
        let t = flip(&pfx, mac_pos);
        assert!(
            matches!(
                pkcs12::read(&t, "right"),
                Err(PkcsError::PfxIntegrityCheckFailed)
            ),
            "{profile:?} MAC"
        );
        assert!(
            matches!(pkcs12::read(&t, "wrong"), Err(PkcsError::InvalidPassword)),
            "{profile:?} MAC, wrong pw"
        );
        // 2. A byte inside the encrypted certificates (the [0] IMPLICIT ciphertext).
        let ct_pos = find(
            &pfx,
            &[
                0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06,
            ],
        ) + 60;
        let t = flip(&pfx, ct_pos + 40);
        assert!(
            matches!(
                pkcs12::read(&t, "right"),
                Err(PkcsError::PfxIntegrityCheckFailed)
            ),
            "{profile:?} cert ciphertext"
        );
        // 3. A byte of the key ciphertext (the last bytes of the shrouded key's OCTET STRING are
        //    near the localKeyId attribute, which follows it).
        let attr_pos = find(
            &pfx[ct_pos + 100..],
            &[
                0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x15,
            ],
        ) + ct_pos
            + 100;
        let t = flip(&pfx, attr_pos - 20);
        assert!(
            matches!(
                pkcs12::read(&t, "right"),
                Err(PkcsError::PfxIntegrityCheckFailed)
            ),
            "{profile:?} key ciphertext"
        );
        assert!(
            matches!(pkcs12::read(&t, "wrong"), Err(PkcsError::InvalidPassword)),
            "{profile:?} key ct, wrong pw"
        );
    }
}

#[test]
fn writer_checks_arguments() {
    let (certs, key) = p256_chain();
    let o = fast(Pkcs12Profile::Modern);
    assert!(matches!(
        pkcs12::write(&[], &key, "p", &o),
        Err(PkcsError::InvalidArgument(_))
    ));
    assert!(matches!(
        pkcs12::write(&[certs[1].clone()], &key, "p", &o),
        Err(PkcsError::PfxKeyCertificateMismatch)
    ));
    let rsa_key = input("pkcs-rsa1024.key.der");
    assert!(matches!(
        pkcs12::write(&certs, &rsa_key, "p", &o),
        Err(PkcsError::PfxKeyCertificateMismatch)
    ));
    let dup = vec![certs[0].clone(), certs[0].clone()];
    assert!(matches!(
        pkcs12::write(&dup, &key, "p", &o),
        Err(PkcsError::DuplicateCertificate { index: 1 })
    ));
    let o0 = Pkcs12WriteOptions::new(Pkcs12Profile::Modern).with_iterations(0);
    assert!(matches!(
        pkcs12::write(&certs, &key, "p", &o0),
        Err(PkcsError::InvalidArgument(_))
    ));
    let big =
        Pkcs12WriteOptions::new(Pkcs12Profile::Modern).with_iterations(pkcs12::MAX_ITERATIONS + 1);
    assert!(matches!(
        pkcs12::write(&certs, &key, "p", &big),
        Err(PkcsError::IterationCountTooHigh { .. })
    ));
    assert!(matches!(
        pkcs12::write(&[vec![1, 2, 3]], &key, "p", &o),
        Err(PkcsError::InvalidArgument(_))
    ));
}

#[test]
fn reader_limits_and_malformed_input() {
    assert!(matches!(
        pkcs12::read(&vec![0u8; pkcs12::MAX_PFX_LEN + 1], "p"),
        Err(PkcsError::InputTooLarge { .. })
    ));
    assert!(matches!(
        pkcs12::read(&[], "p"),
        Err(PkcsError::Malformed(_))
    ));
    assert!(matches!(
        pkcs12::read(&[0x30, 0x03, 0x02, 0x01, 0x03], "p"),
        Err(PkcsError::Malformed(_))
    ));
    let (certs, key) = p256_chain();
    let pfx = pkcs12::write(&certs, &key, "p", &fast(Pkcs12Profile::Windows)).unwrap();
    assert!(matches!(
        pkcs12::read(&pfx[..pfx.len() - 1], "p"),
        Err(PkcsError::Malformed(_))
    ));
}

#[test]
fn errors_display_something_useful() {
    let samples = [
        PkcsError::InvalidPassword,
        PkcsError::PfxIntegrityCheckFailed,
        PkcsError::IterationCountTooHigh {
            iterations: 20_000_000,
            max: pkcs12::MAX_ITERATIONS,
        },
        PkcsError::UnsupportedAlgorithm {
            what: "cipher",
            oid: "1.2.3".into(),
        },
        PkcsError::Malformed("x"),
        PkcsError::PfxNoPrivateKey,
        PkcsError::PfxMultipleKeys,
        PkcsError::PfxNoCertificate,
        PkcsError::PfxNoMac,
        PkcsError::PfxKeyCertificateMismatch,
        PkcsError::DuplicateCertificate { index: 2 },
        PkcsError::TooManyCertificates { count: 65, max: 64 },
        PkcsError::InputTooLarge { len: 2, max: 1 },
        PkcsError::InvalidArgument("y"),
        PkcsError::RandomFailure,
    ];
    for e in samples {
        assert!(!e.to_string().is_empty());
    }
}
