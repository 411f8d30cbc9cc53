//! Unit tests of the PFX reader and writer (split out of `pkcs12.rs` for size).

use super::*;

#[test]
fn options_debug_and_defaults() {
    let o = Pkcs12WriteOptions::new(Pkcs12Profile::Windows).with_friendly_name("x");
    assert_eq!(o.effective_iterations(), 2000);
    assert_eq!(
        Pkcs12WriteOptions::default().effective_iterations(),
        600_000
    );
    let c = Pkcs12Contents {
        private_key: Zeroizing::new(vec![1, 2, 3]),
        certificates: vec![],
        friendly_name: None,
    };
    assert!(format!("{c:?}").contains("REDACTED"));
    assert!(!format!("{c:?}").contains("[1, 2, 3]"));
}

fn key(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keys")
        .join(name);
    std::fs::read(p).unwrap()
}

fn key_bag(k: &[u8]) -> Vec<u8> {
    asn1::seq(&[&asn1::oid(oid::KEY_BAG), &asn1::tlv(tag::CTX0, k)])
}

fn cert_bag(c: &[u8]) -> Vec<u8> {
    let cb = asn1::seq(&[
        &asn1::oid(oid::X509_CERTIFICATE),
        &asn1::tlv(tag::CTX0, &asn1::octets(c)),
    ]);
    asn1::seq(&[&asn1::oid(oid::CERT_BAG), &asn1::tlv(tag::CTX0, &cb)])
}

/// A PFX with one plain SafeContents holding `bags`, MAC under "pw".
fn plain_pfx(bags: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    let contents = asn1::seq(&refs);
    let ci = asn1::seq(&[
        &asn1::oid(oid::DATA),
        &asn1::tlv(tag::CTX0, &asn1::octets(&contents)),
    ]);
    assemble(
        &asn1::seq(&[&ci]),
        &Password::new("pw"),
        Hash::Sha256,
        &[1; 8],
        5,
    )
}

#[test]
fn key_and_certificate_counts() {
    let (k, c, ca) = (
        key("pkcs-leaf-p256.key.der"),
        key("pkcs-leaf-p256.cert.der"),
        key("pkcs-ca-p256.cert.der"),
    );
    let k2 = key("pkcs-ca-p256.key.der");
    let ok = read(
        &plain_pfx(&[key_bag(&k), cert_bag(&ca), cert_bag(&c)]),
        "pw",
    )
    .unwrap();
    assert_eq!(&ok.private_key[..], &k[..]);
    assert_eq!(ok.certificates, vec![c.clone(), ca.clone()]);
    assert!(matches!(
        read(&plain_pfx(&[cert_bag(&c)]), "pw"),
        Err(PkcsError::PfxNoPrivateKey)
    ));
    assert!(matches!(
        read(&plain_pfx(&[key_bag(&k), key_bag(&k2), cert_bag(&c)]), "pw"),
        Err(PkcsError::PfxMultipleKeys)
    ));
    assert!(matches!(
        read(&plain_pfx(&[key_bag(&k)]), "pw"),
        Err(PkcsError::PfxNoCertificate)
    ));
    assert!(matches!(
        read(&plain_pfx(&[key_bag(&k), cert_bag(&ca)]), "pw"),
        Err(PkcsError::PfxKeyCertificateMismatch)
    ));
    // No encrypted part at all: a MAC failure can only be called a wrong password.
    assert!(matches!(
        read(&plain_pfx(&[key_bag(&k), cert_bag(&c)]), "nope"),
        Err(PkcsError::InvalidPassword)
    ));
    let rsa = key("pkcs-rsa1024.key.der");
    assert!(matches!(
        read(&plain_pfx(&[key_bag(&rsa), cert_bag(&c)]), "pw"),
        Err(PkcsError::PfxKeyCertificateMismatch)
    ));
    let rsa_c = key("pkcs-rsa1024.cert.der");
    assert_eq!(
        read(
            &plain_pfx(&[cert_bag(&c), cert_bag(&rsa_c), key_bag(&rsa)]),
            "pw"
        )
        .unwrap()
        .certificates[0],
        rsa_c
    );
}

fn shrouded_bag(k: &[u8], iterations: u32) -> Vec<u8> {
    let scheme = Pbe::pbes2_aes256(vec![1; 16], iterations, vec![2; 16]);
    let ct = scheme.encrypt(&Password::new("pw"), k).unwrap();
    let epki = asn1::seq(&[&scheme.encode(), &asn1::octets(&ct)]);
    asn1::seq(&[
        &asn1::oid(oid::SHROUDED_KEY_BAG),
        &asn1::tlv(tag::CTX0, &epki),
    ])
}

#[test]
fn encrypted_parts_and_keys_are_counted_before_decryption() {
    let (k, c) = (
        key("pkcs-leaf-p256.key.der"),
        key("pkcs-leaf-p256.cert.der"),
    );
    let ok = read(&plain_pfx(&[shrouded_bag(&k, 1), cert_bag(&c)]), "pw").unwrap();
    assert_eq!(&ok.private_key[..], &k[..]);
    // Nine shrouded bags at the maximum count: refused at once, no derivation run.
    let many: Vec<Vec<u8>> = (0..9).map(|_| shrouded_bag(&k, 1)).collect();
    let mut huge = many.clone();
    let mut n = 0;
    for b in &mut huge {
        let t = ber::parse_single(b, "").unwrap();
        *b = rewrite(&t, &[0x01], &[0x00, 0x98, 0x96, 0x80], &[0], &mut n);
        n = 0;
    }
    let started = std::time::Instant::now();
    assert!(matches!(
        read(&plain_pfx(&huge), "pw"),
        Err(PkcsError::Malformed(_))
    ));
    assert!(matches!(
        read(&plain_pfx(&huge), "wrong"),
        Err(PkcsError::Malformed(_))
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Two keys: refused before either is decrypted.
    let two = [shrouded_bag(&k, 1), shrouded_bag(&k, 1), cert_bag(&c)];
    assert!(matches!(
        read(&plain_pfx(&two), "pw"),
        Err(PkcsError::PfxMultipleKeys)
    ));
}

#[test]
fn empty_password_in_both_encodings() {
    let (k, c) = (
        key("pkcs-leaf-p256.key.der"),
        key("pkcs-leaf-p256.cert.der"),
    );
    let contents = asn1::seq(&[&key_bag(&k), &cert_bag(&c)]);
    let ci = asn1::seq(&[
        &asn1::oid(oid::DATA),
        &asn1::tlv(tag::CTX0, &asn1::octets(&contents)),
    ]);
    let auth = asn1::seq(&[&ci]);
    for pw in [Password::new(""), Password::null()] {
        let pfx = assemble(&auth, &pw, Hash::Sha1, &[3; 8], 7);
        assert_eq!(read(&pfx, "").unwrap().certificates, vec![c.clone()]);
        assert!(matches!(read(&pfx, "x"), Err(PkcsError::InvalidPassword)));
    }
}

#[test]
fn missing_mac_and_unsupported_content() {
    let pfx = plain_pfx(&[
        key_bag(&key("pkcs-leaf-p256.key.der")),
        cert_bag(&key("pkcs-leaf-p256.cert.der")),
    ]);
    let top = ber::parse_single(&pfx, "").unwrap();
    let mut r = top.children().unwrap();
    let v = r.read("").unwrap();
    let a = r.read("").unwrap();
    assert!(matches!(
        read(&asn1::seq(&[v.raw, a.raw]), "pw"),
        Err(PkcsError::PfxNoMac)
    ));
    let signed = asn1::seq(&[
        &asn1::oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]),
        &asn1::tlv(tag::CTX0, &asn1::seq(&[])),
    ]);
    let mac = r.read("").unwrap();
    assert!(matches!(
        read(&asn1::seq(&[v.raw, &signed, mac.raw]), "pw"),
        Err(PkcsError::UnsupportedAlgorithm { .. })
    ));
}

/// Re-encodes `t`, replacing the INTEGERs equal to `from` (counted in document
/// order, including inside OCTET STRINGs that hold DER) whose index is in `which`.
fn rewrite(t: &Tlv<'_>, from: &[u8], to: &[u8], which: &[usize], n: &mut usize) -> Vec<u8> {
    if t.tag == tag::INTEGER && t.body == from {
        *n += 1;
        return if which.contains(&(*n - 1)) {
            asn1::tlv(tag::INTEGER, to)
        } else {
            t.raw.to_vec()
        };
    }
    if t.tag & 0x20 != 0 {
        let mut r = t.children().unwrap();
        let mut parts = Vec::new();
        while let Some(c) = r.next_tlv().unwrap() {
            parts.push(rewrite(&c, from, to, which, n));
        }
        return asn1::tlv(t.tag, &parts.concat());
    }
    if t.tag == tag::OCTET_STRING && ber::is_well_formed_sequence(t.body) {
        let inner = ber::parse_single(t.body, "").unwrap();
        return asn1::tlv(t.tag, &rewrite(&inner, from, to, which, n));
    }
    t.raw.to_vec()
}

#[test]
fn iteration_cap_is_enforced_before_any_derivation() {
    let certs = vec![key("pkcs-leaf-p256.cert.der")];
    let k = key("pkcs-leaf-p256.key.der");
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let pfx = write(
            &certs,
            &k,
            "pw",
            &Pkcs12WriteOptions::new(profile).with_iterations(1000),
        )
        .unwrap();
        let top = ber::parse_single(&pfx, "").unwrap();
        // 2^40 and 10,000,001 iterations: if any KDF ran, this test would not finish.
        for huge in [&[0x01, 0, 0, 0, 0, 0][..], &[0x00, 0x98, 0x96, 0x81][..]] {
            // Occurrences of 1000 in order: key PBE (in plain data, after the encrypted
            // certs' PBE), i.e. indexes 0 = cert PBE, 1 = key PBE, 2 = MAC.
            for which in [0usize, 1, 2] {
                let mut n = 0;
                let patched = rewrite(&top, &[0x03, 0xE8], huge, &[which], &mut n);
                assert_eq!(n, 3, "{profile:?}");
                let started = std::time::Instant::now();
                let e = read(&patched, "pw").unwrap_err();
                assert!(
                    matches!(e, PkcsError::IterationCountTooHigh { .. }),
                    "{profile:?} {which}: {e:?}"
                );
                assert!(started.elapsed() < std::time::Duration::from_secs(2));
            }
        }
        // The rewriter is faithful: replacing 1000 by 1000 leaves a valid file.
        let mut n = 0;
        let ok = rewrite(&top, &[0x03, 0xE8], &[0x03, 0xE8], &[0, 1, 2], &mut n);
        assert_eq!(read(&ok, "pw").unwrap().certificates, certs);
    }
}

#[test]
fn ber_indefinite_lengths_and_segmented_octets_are_read() {
    let (k, c) = (
        key("pkcs-leaf-p256.key.der"),
        key("pkcs-leaf-p256.cert.der"),
    );
    let der = plain_pfx(&[key_bag(&k), cert_bag(&c)]);
    let top = ber::parse_single(&der, "").unwrap();
    let mut r = top.children().unwrap();
    let v = r.read("").unwrap();
    let auth = r.read("").unwrap();
    let mac = r.read("").unwrap();
    let mut a = auth.children().unwrap();
    let oid = a.read("").unwrap();
    let content = a.read("").unwrap().children().unwrap().read("").unwrap();
    let body = content.body;
    // authSafe as an indefinite-length constructed OCTET STRING of two segments.
    let mut seg = vec![0x24, 0x80];
    seg.extend(asn1::octets(&body[..10]));
    seg.extend(asn1::octets(&body[10..]));
    seg.extend([0, 0]);
    let mut ci = vec![0x30, 0x80];
    ci.extend_from_slice(oid.raw);
    ci.extend([0xA0, 0x80]);
    ci.extend(seg);
    ci.extend([0, 0, 0, 0]);
    let mut pfx = vec![0x30, 0x80];
    pfx.extend_from_slice(v.raw);
    pfx.extend(ci);
    pfx.extend_from_slice(mac.raw);
    pfx.extend([0, 0]);
    let got = read(&pfx, "pw").unwrap();
    assert_eq!(got.certificates, vec![c]);
}

#[test]
fn total_work_is_bounded_before_any_derivation() {
    let (k, c) = (
        key("pkcs-leaf-p256.key.der"),
        key("pkcs-leaf-p256.cert.der"),
    );
    // Shrouded bags at 10,000,000 iterations each (PBKDF2 count rewritten from 1).
    let at_cap = |n_bags: usize| {
        let mut bags: Vec<Vec<u8>> = (0..n_bags)
            .map(|_| {
                let b = shrouded_bag(&k, 1);
                let t = ber::parse_single(&b, "").unwrap();
                let mut n = 0;
                rewrite(&t, &[0x01], &[0x00, 0x98, 0x96, 0x80], &[0], &mut n)
            })
            .collect();
        bags.push(cert_bag(&c));
        plain_pfx(&bags)
    };
    // Before the total was bounded, 8 such parts were each derived (75 s in debug) to tell
    // a wrong password from tampering. Now: 5 + 4 × 10,000,000 > 30,000,000, refused at once,
    // with the right password and with a wrong one.
    for parts in [4, 8] {
        for pw in ["pw", "wrong"] {
            let started = std::time::Instant::now();
            let e = read(&at_cap(parts), pw).unwrap_err();
            assert!(
                matches!(
                    e,
                    PkcsError::IterationCountTooHigh {
                        max: MAX_TOTAL_ITERATIONS,
                        ..
                    }
                ),
                "{parts} {pw}: {e:?}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
    assert_eq!(MAX_TOTAL_ITERATIONS, 3 * MAX_ITERATIONS);
}
