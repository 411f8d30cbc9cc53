//! `identity_import` checks the PFX's private key with `PrivateKey::check_pkcs8_der` (no
//! signing-key set-up, our own RSA encoding stored as received; docs/PERFORMANCE.md,
//! "Identity export/import paths"): what it accepts, what it stores, what it refuses.
//! The OpenSSL / Python cases skip with a loud line when the tool is missing, and fail
//! instead when `PEERNET_REQUIRE_INTEROP` is set (CI), as the peernet-tests interop rule.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Machine, code, run_ok};
use peernet::Profile;
use peernet::hresult as hr;
use peernet::lower::crypto::cert::IdcParams;
use peernet::lower::crypto::key::verify_signature;
use peernet::lower::crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet::lower::crypto::{Certificate, PrivateKey};
use peernet::lower::protocol::IdentityExport;

/// `present`, or the interop skip rule for a missing `tool`: a `=== SKIP` line on the
/// process's stderr (past the harness's capture), or a panic under `PEERNET_REQUIRE_INTEROP`.
fn tool_present(tool: &str, present: bool) -> bool {
    use std::io::Write as _;
    if present {
        return true;
    }
    let required = std::env::var_os("PEERNET_REQUIRE_INTEROP").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{tool} is required (PEERNET_REQUIRE_INTEROP is set); run scripts/test-deps.sh"
    );
    let _ = writeln!(
        std::io::stderr(),
        "\n=== SKIP interop: {tool} not available; run scripts/test-deps.sh (set PEERNET_REQUIRE_INTEROP to fail instead) ===\n"
    );
    false
}

fn fixture_key(name: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys");
    std::fs::read(dir.join(name)).unwrap()
}

/// A PEERIDENTITYEXPORT of `pkcs8` (taken as it is into the PFX) with an IDC issued by it.
fn export_of(m: &Machine, pkcs8: &[u8], classifier: &str) -> (String, String, Vec<u8>) {
    let key = PrivateKey::from_pkcs8_der(pkcs8).unwrap();
    let name = key.peer_name(classifier).unwrap();
    let idc = IdcParams::new(name.clone(), "foreign", m.clock.now())
        .unwrap()
        .issue(&key)
        .unwrap();
    let profile = match key.profile() {
        Profile::Windows => Pkcs12Profile::Windows,
        _ => Pkcs12Profile::Modern,
    };
    let opts = Pkcs12WriteOptions::new(profile).with_iterations(1);
    let pfx = pkcs12::write(&[idc.der().to_vec()], pkcs8, "pw", &opts).unwrap();
    let xml = export_xml(name.as_str(), pfx);
    (xml, name.as_str().to_owned(), idc.der().to_vec())
}

/// The stored PKCS#8 of `id` (an export writes the stored bytes into the PFX unchanged).
fn stored_key(m: &Machine, id: &str) -> Vec<u8> {
    let xml = m.pn.identity_export(id, &"x".into()).unwrap();
    let doc = IdentityExport::parse_str(&xml).unwrap();
    pkcs12::read(&doc.data, "x").unwrap().private_key.to_vec()
}

/// The identity's key signs, and the signature verifies with its IDC.
fn assert_signs(m: &Machine, id: &str) {
    let key = m.pn.identity_get_crypt_key(id).unwrap();
    let sig = key.sign(b"message").unwrap();
    let idc = Certificate::from_der(&m.pn.identity_details(id).unwrap().idc).unwrap();
    let alg = key.private_key().signature_algorithm();
    verify_signature(idc.public_key_der(), &alg, b"message", &sig).unwrap();
}

fn canonical(pkcs8: &[u8]) -> Vec<u8> {
    PrivateKey::from_pkcs8_der(pkcs8)
        .unwrap()
        .to_pkcs8_der()
        .unwrap()
        .to_vec()
}

/// The nine INTEGERs of an RSA PKCS#8 (version first), as content bytes.
fn rsa_integers(pkcs8: &[u8]) -> Vec<Vec<u8>> {
    fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
        let (len, hdr) = match b[1] {
            l if l < 0x80 => (usize::from(l), 2),
            l => {
                let n = usize::from(l & 0x7f);
                (
                    b[2..2 + n]
                        .iter()
                        .fold(0, |a, &x| (a << 8) | usize::from(x)),
                    2 + n,
                )
            }
        };
        (b[0], &b[hdr..hdr + len], &b[hdr + len..])
    }
    let (_, info, _) = tlv(pkcs8);
    let (_, _, rest) = tlv(info); // version
    let (_, _, rest) = tlv(rest); // algorithm
    let (_, octets, _) = tlv(rest);
    let (_, mut body, _) = tlv(octets);
    let mut out = Vec::new();
    while !body.is_empty() {
        let (tag, content, rest) = tlv(body);
        assert_eq!(tag, 2);
        out.push(content.to_vec());
        body = rest;
    }
    assert_eq!(out.len(), 9);
    out
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        l if l < 0x80 => out.push(l as u8),
        l if l < 0x100 => out.extend([0x81, l as u8]),
        l => out.extend([0x82, (l >> 8) as u8, l as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// An RSA PKCS#8 from nine INTEGER contents, in the layout of `to_pkcs8_der`.
fn rsa_pkcs8(ints: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = ints.iter().flat_map(|i| der(2, i)).collect();
    let alg = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 1, 0x05, 0,
    ];
    let info = [&[2u8, 1, 0][..], &alg, &der(4, &der(0x30, &body))].concat();
    der(0x30, &info)
}

#[test]
fn own_exports_import_in_both_profiles_storing_the_same_bytes() {
    for profile in [Profile::Windows, Profile::Modern] {
        let (a, b) = (Machine::new(), Machine::new());
        let me =
            a.pn.identity_create(Some("me"), Some("Me"), Some(profile))
                .unwrap();
        let key = stored_key(&a, &me);
        assert_eq!(key, canonical(&key));
        let checked = PrivateKey::check_pkcs8_der(&key).unwrap();
        assert_eq!(
            format!("{checked:?}").contains("canonical: true"),
            profile == Profile::Windows,
            "our RSA encoding is kept as received; P-256 takes the full decode"
        );
        let xml = a.pn.identity_export(&me, &"pw".into()).unwrap();
        assert_eq!(b.pn.identity_import(&xml, &"pw".into()).unwrap(), me);
        assert_eq!(stored_key(&b, &me), key, "{profile}");
        assert_signs(&b, &me);
        assert_eq!(rsa_or_p256_profile(&stored_key(&b, &me)), profile);
    }
}

fn rsa_or_p256_profile(pkcs8: &[u8]) -> Profile {
    PrivateKey::check_pkcs8_der(pkcs8).unwrap().profile()
}

#[test]
fn openssl_made_keys_import_store_canonically_and_sign() {
    for file in ["pkcs-rsa1024.key.der", "pkcs-leaf-p256.key.der"] {
        let m = Machine::new();
        let pkcs8 = fixture_key(file);
        let checked = PrivateKey::check_pkcs8_der(&pkcs8).unwrap();
        let kept = format!("{checked:?}").contains("canonical: true");
        // OpenSSL encodes an RSA key exactly as we do, so it is kept as received; a P-256
        // key always takes the full decode and re-encoding.
        assert_eq!(kept, file.contains("rsa"), "{file}");
        if kept {
            assert_eq!(canonical(&pkcs8), pkcs8);
        }
        let (xml, name, _) = export_of(&m, &pkcs8, "ossl");
        assert_eq!(m.pn.identity_import(&xml, &"pw".into()).unwrap(), name);
        assert_eq!(stored_key(&m, &name), canonical(&pkcs8), "{file}");
        assert_signs(&m, &name);
    }
}

/// Whether `cmd` runs and exits with success.
fn succeeds(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// A temporary directory holding `key` as `key.der` and the IDC of identity `me` of `m`
/// as `idc.der`.
fn key_and_idc_files(key: &[u8], m: &Machine, me: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.der"), key).unwrap();
    let idc = m.pn.identity_details(me).unwrap().idc;
    std::fs::write(dir.path().join("idc.der"), idc).unwrap();
    dir
}

/// The identity export XML of `peer_name` holding `pfx`.
fn export_xml(peer_name: &str, pfx: Vec<u8>) -> String {
    IdentityExport::new(peer_name, pfx).to_xml_string().unwrap()
}

#[test]
fn openssl_made_pfx_imports_and_signs() {
    let ok = succeeds(Command::new("openssl").arg("version"));
    if !tool_present("openssl", ok) {
        return;
    }
    let (a, b) = (Machine::new(), Machine::new());
    let me = a.identity("me");
    let dir = key_and_idc_files(&stored_key(&a, &me), &a, &me);
    let path = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    for args in [
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            &path("key.der"),
            "-out",
            &path("key.pem"),
        ][..],
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            &path("idc.der"),
            "-out",
            &path("idc.pem"),
        ],
        &[
            "pkcs12",
            "-export",
            "-legacy",
            "-inkey",
            &path("key.pem"),
            "-in",
            &path("idc.pem"),
            "-passout",
            "pass:pw",
            "-out",
            &path("x.pfx"),
        ],
    ] {
        run_ok(Command::new("openssl").args(args));
    }
    let xml = export_xml(&me, std::fs::read(path("x.pfx")).unwrap());
    assert_eq!(b.pn.identity_import(&xml, &"pw".into()).unwrap(), me);
    assert_eq!(stored_key(&b, &me), stored_key(&a, &me));
    assert_signs(&b, &me);
}

#[test]
fn key_not_matching_the_idc_is_refused() {
    let script = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs12, BestAvailableEncryption
key = load_der_private_key(open(sys.argv[1], "rb").read(), None)
cert = x509.load_der_x509_certificate(open(sys.argv[2], "rb").read())
open(sys.argv[3], "wb").write(pkcs12.serialize_key_and_certificates(b"x", key, None, [cert], BestAvailableEncryption(b"pw")))
"#;
    let ok = succeeds(Command::new("python3").args(["-c", "import cryptography"]));
    if !tool_present("python3 with the cryptography package", ok) {
        return;
    }
    let (a, b) = (Machine::new(), Machine::new());
    let me = a.identity("me");
    let dir = key_and_idc_files(&fixture_key("pkcs-rsa1024.key.der"), &a, &me);
    let path = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    run_ok(Command::new("python3").args([
        "-c",
        script,
        &path("key.der"),
        &path("idc.der"),
        &path("x.pfx"),
    ]));
    let xml = export_xml(&me, std::fs::read(path("x.pfx")).unwrap());
    let before = b.snapshot();
    assert_eq!(
        code(b.pn.identity_import(&xml, &"pw".into())),
        hr::E_INVALIDARG
    );
    assert_eq!(b.snapshot(), before);
}

#[test]
fn corrupted_rsa_keys_are_refused_at_import_and_crt_errors_are_re_encoded() {
    let m = Machine::new();
    let other = Machine::new();
    let mine = stored_key(&m, &m.identity("me"));
    let theirs = stored_key(&other, &other.identity("them"));
    let (ints, their_ints) = (rsa_integers(&mine), rsa_integers(&theirs));
    let with = |i: usize, v: &[u8]| {
        let mut x = ints.clone();
        x[i] = v.to_vec();
        rsa_pkcs8(&x)
    };
    assert_eq!(rsa_pkcs8(&ints), mine, "the test's encoder is ours");
    // n and e (what the PFX reader compares with the IDC) unchanged, the rest inconsistent.
    let corrupted = [
        with(4, &their_ints[4]), // p from another key
        with(5, &their_ints[5]), // q from another key
        with(3, &their_ints[3]), // d from another key
    ];
    for (i, bad) in corrupted.iter().enumerate() {
        assert!(PrivateKey::from_pkcs8_der(bad).is_err());
        // The IDC must be issued by a working key: use the real one, put the bad key in the PFX.
        let key = PrivateKey::from_pkcs8_der(&mine).unwrap();
        let name = key.peer_name(&format!("bad{i}")).unwrap();
        let idc = IdcParams::new(name.clone(), "bad", m.clock.now())
            .unwrap()
            .issue(&key)
            .unwrap();
        let opts = Pkcs12WriteOptions::new(Pkcs12Profile::Windows).with_iterations(1);
        let pfx = pkcs12::write(&[idc.der().to_vec()], bad, "pw", &opts).unwrap();
        let xml = export_xml(name.as_str(), pfx);
        let before = other.snapshot();
        assert_eq!(
            code(other.pn.identity_import(&xml, &"pw".into())),
            hr::E_INVALIDARG,
            "case {i}"
        );
        assert_eq!(other.snapshot(), before);
    }
    // Wrong CRT values (dp + 2): `rsa` ignores them, so the key was and is accepted; the
    // store gets the canonical re-encoding, not the bytes received.
    let mut dp = ints[6].clone();
    *dp.last_mut().unwrap() ^= 2;
    let odd = with(6, &dp);
    let (xml, name, _) = export_of(&other, &odd, "crt");
    assert_eq!(other.pn.identity_import(&xml, &"pw".into()).unwrap(), name);
    assert_eq!(stored_key(&other, &name), mine);
    assert_signs(&other, &name);
}
