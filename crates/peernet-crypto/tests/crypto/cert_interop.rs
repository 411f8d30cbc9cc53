//! Interoperability: OpenSSL (`x509 -text`, `asn1parse`) and x509-parser read every kind of
//! certificate we produce, and the peer-name authority equals
//! `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha1`.
//!
//! Without `openssl` on PATH the test prints a loud skip line, unless
//! `PEERNET_REQUIRE_INTEROP` is set, in which case it fails.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::cert_support::Pki;
use peernet_crypto::{Certificate, Role};
use x509_parser::prelude::FromDer;

fn openssl(args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(input)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

fn have_openssl() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("PEERNET_REQUIRE_INTEROP").is_some() {
            panic!("openssl not found and PEERNET_REQUIRE_INTEROP is set");
        }
        eprintln!(
            "==================== SKIPPED: cert_interop needs `openssl` on PATH ===================="
        );
    }
    found
}

fn every_kind() -> Vec<(String, Certificate)> {
    let mut out = Vec::new();
    for pki in Pki::both() {
        let chain = pki.chain(3, Role::MEMBER);
        out.push((format!("{} grc", pki.profile), chain[0].clone()));
        out.push((format!("{} admin gmc", pki.profile), chain[1].clone()));
        out.push((format!("{} member gmc", pki.profile), chain[2].clone()));
        out.push((
            format!("{} idc", pki.profile),
            pki.idc_params(1).issue(pki.key(1)).unwrap(),
        ));
    }
    out
}

#[test]
fn openssl_reads_every_certificate() {
    if !have_openssl() {
        return;
    }
    for (what, c) in every_kind() {
        let text = String::from_utf8(
            openssl(&["x509", "-inform", "DER", "-text", "-noout"], c.der()).unwrap(),
        )
        .unwrap();
        assert!(text.contains("Version: 3"), "{what}: {text}");
        assert!(
            text.contains(&format!("CN={}", c.subject_friendly_name()))
                || text.contains(&format!("CN = {}", c.subject_friendly_name())),
            "{what}: {text}"
        );
        assert!(
            text.contains("1.3.6.1.4.1.311.44.0.1: critical"),
            "{what}: {text}"
        );
        let expected_alg = if what.starts_with("windows") {
            "sha1WithRSAEncryption"
        } else {
            "ecdsa-with-SHA256"
        };
        assert!(text.contains(expected_alg), "{what}: {text}");
        let bits = if what.starts_with("windows") {
            "(1024 bit)"
        } else {
            "(256 bit)"
        };
        assert!(text.contains(bits), "{what}: {text}");
        if what.ends_with("idc") {
            assert!(
                text.contains(&format!("DNS:{}", c.dns_name().unwrap())),
                "{what}: {text}"
            );
        }
        if what.ends_with("gmc") {
            assert!(
                text.contains("1.3.6.1.4.1.311.44.3.3: critical"),
                "{what}: roles\n{text}"
            );
            assert!(
                text.contains("1.3.6.1.4.1.311.44.3.5: critical"),
                "{what}: classifiers\n{text}"
            );
        }
        let parsed =
            String::from_utf8(openssl(&["asn1parse", "-inform", "DER"], c.der()).unwrap()).unwrap();
        assert!(
            parsed.contains("1.3.6.1.4.1.311.44.0.1") || parsed.contains(":1.3.6.1.4.1.311.44.0.1"),
            "{what}: {parsed}"
        );
        // The extension values themselves parse as DER too (UniversalString otherNames etc.).
        for e in c.extensions() {
            openssl(&["asn1parse", "-inform", "DER"], &e.value)
                .unwrap_or_else(|err| panic!("{what} {}: {err}", e.dotted_oid()));
        }
        let (_, x) = x509_parser::certificate::X509Certificate::from_der(c.der()).unwrap();
        assert_eq!(x.tbs_certificate.as_ref(), c.tbs_der());
    }
}

#[test]
fn openssl_authority_matches_ours() {
    if !have_openssl() {
        return;
    }
    for (what, c) in every_kind() {
        let pem = openssl(&["x509", "-inform", "DER", "-pubkey", "-noout"], c.der()).unwrap();
        let spki = openssl(&["pkey", "-pubin", "-outform", "DER"], &pem).unwrap();
        assert_eq!(spki, c.public_key_der(), "{what}");
        let digest = openssl(&["dgst", "-sha1", "-r"], &spki).unwrap();
        let hex = String::from_utf8(digest)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            hex,
            peernet_crypto::name::authority_of(c.public_key_der()),
            "{what}"
        );
        if let Some(n) = c.subject_peer_name()
            && !what.ends_with("gmc")
        {
            // IDC and GRC names are derived from their own key.
            assert_eq!(n.authority(), hex, "{what}");
        }
    }
}

#[test]
fn openssl_verifies_self_signatures() {
    if !have_openssl() {
        return;
    }
    // OpenSSL cannot verify the chain (it rejects the unknown critical extensions, as PNRP
    // 2.2.3.5.1 intends), but it can check the raw signature of a self-signed certificate.
    for (what, c) in every_kind()
        .into_iter()
        .filter(|(w, _)| w.ends_with("grc") || w.ends_with("idc"))
    {
        let dir = std::env::temp_dir().join(format!(
            "peernet-interop-{}-{}",
            std::process::id(),
            what.replace(' ', "-")
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (tbs, sig, key) = (dir.join("tbs"), dir.join("sig"), dir.join("key.der"));
        std::fs::write(&tbs, c.tbs_der()).unwrap();
        std::fs::write(&sig, c.signature()).unwrap();
        std::fs::write(&key, c.public_key_der()).unwrap();
        let digest = if what.starts_with("windows") {
            "-sha1"
        } else {
            "-sha256"
        };
        let out = Command::new("openssl")
            .args(["dgst", digest, "-verify"])
            .arg(&key)
            .args(["-keyform", "DER", "-signature"])
            .arg(&sig)
            .arg(&tbs)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
