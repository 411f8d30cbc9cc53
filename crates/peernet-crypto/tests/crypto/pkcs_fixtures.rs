//! The committed golden files under `fixtures/pfx`, `fixtures/p7b` and `fixtures/p8`
//! (made by `cargo xtask fixtures`) read back to their inputs, and re-encode byte for byte.

use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{PkcsError, encrypted_key, pkcs7};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const PASSWORD: &str = "peernet fixture pässword";

fn fixture(path: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn windows_pfx_fixture() {
    let pfx = fixture("pfx/windows-rsa1024.pfx");
    let got = pkcs12::read(&pfx, PASSWORD).unwrap();
    let (key, cert) = (
        fixture("keys/pkcs-rsa1024.key.der"),
        fixture("keys/pkcs-rsa1024.cert.der"),
    );
    assert_eq!(&got.private_key[..], &key[..]);
    assert_eq!(got.certificates, vec![cert.clone()]);
    assert_eq!(
        got.friendly_name.as_deref(),
        Some("peernet windows identity")
    );
    let opts = Pkcs12WriteOptions::new(Pkcs12Profile::Windows)
        .with_friendly_name("peernet windows identity");
    let again = pkcs12::write_with_rng(
        &got.certificates,
        &got.private_key,
        PASSWORD,
        &opts,
        &mut ChaCha20Rng::from_seed([1; 32]),
    )
    .unwrap();
    assert_eq!(again, pfx);
}

#[test]
fn modern_pfx_fixture() {
    let pfx = fixture("pfx/modern-p256-chain.pfx");
    let got = pkcs12::read(&pfx, PASSWORD).unwrap();
    assert_eq!(
        &got.private_key[..],
        &fixture("keys/pkcs-leaf-p256.key.der")[..]
    );
    assert_eq!(
        got.certificates,
        vec![
            fixture("keys/pkcs-leaf-p256.cert.der"),
            fixture("keys/pkcs-ca-p256.cert.der")
        ]
    );
    assert_eq!(
        got.friendly_name.as_deref(),
        Some("peernet modern identity")
    );
    assert!(matches!(
        pkcs12::read(&pfx, "wrong"),
        Err(PkcsError::InvalidPassword)
    ));
}

#[test]
fn pkcs7_fixture() {
    let p7 = fixture("p7b/three-certs.p7b");
    let got = pkcs7::decode(&p7).unwrap();
    assert_eq!(got.len(), 3);
    for name in [
        "keys/pkcs-leaf-p256.cert.der",
        "keys/pkcs-ca-p256.cert.der",
        "keys/pkcs-rsa1024.cert.der",
    ] {
        assert!(got.contains(&fixture(name)), "{name}");
    }
    assert_eq!(pkcs7::encode(&got).unwrap(), p7);
}

#[test]
fn groupkey_fixture() {
    let blob = fixture("p8/groupkey-p256.p8");
    let key = encrypted_key::open(&blob, PASSWORD).unwrap();
    assert_eq!(&key[..], &fixture("keys/pkcs-leaf-p256.key.der")[..]);
}
