//! Properties of the `peernet-crypto` fuzz targets: nothing panics, whatever is accepted is
//! internally consistent, and errors render (every error's `Display` is exercised).

use std::time::{Duration, SystemTime};

use peernet_crypto::chain::{ChainPolicy, order_chain, validate_chain, validate_idc};
use peernet_crypto::name::PeerName;
use peernet_crypto::{Certificate, Error, PrivateKey, Profile, encrypted_key, pkcs7, pkcs12};

/// The password of every PFX and GROUPKEY fixture (`xtask/src/fixtures/pkcs.rs`), so the
/// seed corpus decrypts and the fuzzer reaches the bag and key parsers.
pub const PASSWORD: &str = "peernet fixture pässword";

/// A validation clock inside every fixture's validity (2026-06-01T00:00:00Z).
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_272_000)
}

fn render(e: impl Into<Error>) {
    let e: Error = e.into();
    let msg = e.to_string();
    assert!(!msg.is_empty(), "empty error message for {e:?}");
    let _ = e.rule();
}

fn check_name(n: &PeerName) {
    let text = n.to_string();
    let again = PeerName::parse(&text).expect("a decoded peer name re-parses");
    assert_eq!(&again, n);
    let _ = (
        n.authority(),
        n.classifier(),
        n.is_secure(),
        n.participant(),
    );
}

/// `Certificate::from_der`, then every accessor; an accepted certificate re-parses from
/// its own bytes to an equal value.
pub fn certificate(data: &[u8]) {
    let c = match Certificate::from_der(data) {
        Ok(c) => c,
        Err(e) => return render(e),
    };
    assert_eq!(c.der(), data);
    let again = Certificate::from_der(c.der()).expect("accepted certificate re-parses");
    assert!(again == c, "re-parse differs");
    let tbs = c.tbs_der();
    assert!(!tbs.is_empty() && data.windows(tbs.len()).any(|w| w == tbs));
    let _ = (c.signature(), c.signature_algorithm().dotted(), c.version());
    let _ = (c.serial(), c.serial16(), c.validity());
    let _ = (c.subject_friendly_name(), c.issuer_friendly_name());
    let spki = c.public_key_der();
    let _ = Profile::of_public_key(spki);
    let _ = peernet_crypto::name::authority_of(spki);
    for e in c.extensions() {
        let _ = e.dotted_oid();
        assert!(c.extension(&e.oid).is_some());
    }
    let _ = (c.cert_type_value(), c.cert_type(), c.cert_version());
    for n in [
        c.group_peer_name(),
        c.subject_peer_name(),
        c.issuer_peer_name(),
    ]
    .iter()
    .flatten()
    {
        check_name(n);
    }
    let _ = (c.dns_name(), c.identity_flags(), c.grouping_flags());
    if let Some(roles) = c.roles() {
        for r in roles {
            let _ = (r.to_string(), r.is_defined(), r.to_bytes());
        }
    }
    let _ = (c.classifiers(), c.extended_key_usages());
    if let Err(e) = c.verify_signed_by(spki) {
        render(e);
    }
    let _ = c.is_self_signed();
    let _ = format!("{c:?}");
    for profile in [Profile::Windows, Profile::Modern] {
        if let Err(e) = validate_idc(&c, profile, now()) {
            render(e);
        }
    }
}

/// Split `data` into certificates: a PKCS#7 bundle, or (first byte `0xff`) a list of
/// `u16` big-endian length + DER certificate.
pub fn chain_inputs(data: &[u8]) -> Option<Vec<Vec<u8>>> {
    if let [0xff, list @ ..] = data {
        let mut rest: &[u8] = list;
        let mut out = Vec::new();
        while rest.len() >= 2 {
            let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
            let body = rest.get(2..2 + n)?;
            out.push(body.to_vec());
            rest = &rest[2 + n..];
        }
        return Some(out);
    }
    match pkcs7::decode(data) {
        Ok(certs) => Some(certs),
        Err(e) => {
            render(e);
            None
        }
    }
}

/// Decode a chain (see [`chain_inputs`]), order it, validate it under both profiles
/// (with and without the group / leaf-key / classifier requirements). A chain that
/// orders keeps every input certificate, root first.
pub fn chain(data: &[u8]) {
    let Some(ders) = chain_inputs(data) else {
        return;
    };
    let chain = match order_chain(&ders) {
        Ok(c) => c,
        Err(e) => return render(e),
    };
    assert_eq!(
        chain.len(),
        ders.len(),
        "order_chain dropped or added a certificate"
    );
    for c in &chain {
        assert!(ders.iter().any(|d| d == c.der()));
    }
    let group = chain[0].group_peer_name();
    let leaf = chain[chain.len() - 1].public_key_der();
    for profile in [Profile::Windows, Profile::Modern] {
        let plain = ChainPolicy::new(profile, now());
        if let Err(e) = validate_chain(&chain, &plain) {
            render(e);
        }
        let mut strict = plain.leaf_public_key(leaf).classifier("participant");
        if let Some(g) = &group {
            strict = strict.group(g);
        }
        if let Err(e) = validate_chain(&chain, &strict) {
            render(e);
        }
    }
}

/// `pkcs12::read` with the fixture password: no panic; whatever is accepted holds a
/// private key that parses and matches the first certificate.
pub fn pfx(data: &[u8]) {
    let contents = match pkcs12::read(data, PASSWORD) {
        Ok(c) => c,
        Err(e) => return render(e),
    };
    assert!(
        !contents.certificates.is_empty(),
        "accepted PFX without a certificate"
    );
    let _ = format!("{contents:?}");
    // Keys of other algorithms (RSA-2048, …) are legal in a PFX; peernet keys must match.
    if let Ok(key) = PrivateKey::from_pkcs8_der(&contents.private_key) {
        if let Ok(cert) = Certificate::from_der(&contents.certificates[0]) {
            assert_eq!(
                key.public_key_der(),
                cert.public_key_der(),
                "the PFX key does not match its certificate"
            );
        }
    }
    for c in &contents.certificates {
        certificate(c);
    }
}

/// `pkcs7::decode` and `decode_or_bare_certificate`: no panic; an accepted bundle
/// re-encodes and decodes to the same set of certificates.
pub fn p7(data: &[u8]) {
    if let Err(e) = pkcs7::decode_or_bare_certificate(data) {
        render(e);
    }
    let certs = match pkcs7::decode(data) {
        Ok(c) => c,
        Err(e) => return render(e),
    };
    // encode() insists on definite-length DER SEQUENCEs, which decode() already checked.
    let again = pkcs7::encode(&certs).expect("decoded certificates re-encode");
    let mut back = pkcs7::decode(&again).expect("encoded bundle decodes");
    let mut orig = certs.clone();
    back.sort();
    orig.sort();
    assert_eq!(back, orig, "decode(encode(decode(x))) is not the same set");
}

/// `encrypted_key::open` with the fixture password: no panic; an opened key is a DER
/// SEQUENCE that seals and opens again.
pub fn encrypted_key(data: &[u8]) {
    let key = match encrypted_key::open(data, PASSWORD) {
        Ok(k) => k,
        Err(e) => return render(e),
    };
    assert_eq!(key.first(), Some(&0x30));
    let sealed = encrypted_key::seal(&key, PASSWORD, 1).expect("an opened key seals");
    let back = encrypted_key::open(&sealed, PASSWORD).expect("sealed key opens");
    assert_eq!(&*back, &*key);
}
