//! Certificate interop with independent implementations.
//!
//! * OpenSSL builds an IDC and a GRC from a config file per [MS-PNRP] 2.2.3.5 and
//!   [MS-PPSEC] 2.2.5 (Figure 2)
//!   (the peer-to-peer extensions as `DER:` hex, the peer name's authority computed by
//!   OpenSSL from the key: `openssl pkey -pubout -outform DER | openssl dgst -sha1`), in
//!   both profiles; peernet parses them, `validate_idc` accepts the IDC, derives the same
//!   authority from the SubjectPublicKeyInfo, accepts the GRC as a chain root and issues a
//!   GMC under it for the OpenSSL IDC that validates as a 2-certificate chain.
//! * Python `cryptography` (`tests/interop/certs.py`) parses every certificate fixture peernet
//!   writes (IDC, GRC, GMC, both profiles), verifies every signature with the issuer's key
//!   itself, reads the PKCS#7 bundles and the IDC PFX files.
//!
//! Needs `openssl` / `python3` with `cryptography` (`scripts/test-deps.sh`). When a tool is
//! missing the test prints a loud SKIP line and passes, unless `PEERNET_REQUIRE_INTEROP` is
//! set, in which case it fails.

use peernet_tests::der::tlv as der;
use peernet_tests::interop::{openssl, openssl_available, p, python_available, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use peernet_crypto::cert::GmcParams;
use peernet_crypto::chain::{ChainPolicy, order_chain, validate_chain, validate_idc};
use peernet_crypto::name::{PeerName, authority_of};
use peernet_crypto::{CertType, Certificate, PrivateKey, Profile, Role};

/// The password of the PFX fixtures (`xtask/src/fixtures/pkcs.rs`).
const FIXTURE_PASSWORD: &str = "peernet fixture pässword";

// ---- DER built with `peernet_tests::der::tlv`, independent of peernet's encoder ----

/// `GeneralNames` holding one otherName: type-id 1.3.6.1.4.1.311.44.0.2 (peer name), value a
/// UniversalString (UCS-4 big-endian) — [MS-PNRP] 2.2.3.5.1.3 and
/// [MS-PPSEC] 2.2.5.
fn peer_name_general_names(name: &str) -> Vec<u8> {
    const PEERNAME_OID: [u8; 10] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x2c, 0x00, 0x02];
    let ucs4: Vec<u8> = name
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    let other = [der(0x06, &PEERNAME_OID), der(0xa0, &der(0x1c, &ucs4))].concat();
    der(0x30, &der(0xa0, &other))
}

// ---- OpenSSL-made certificates ---------------------------------------------------------

struct OpensslKey {
    /// PEM private key file.
    pem: PathBuf,
    /// DER SubjectPublicKeyInfo as OpenSSL writes it.
    spki: Vec<u8>,
    /// SHA-1 of `spki`, lowercase hex, computed by OpenSSL.
    authority: String,
}

fn openssl_key(dir: &Path, name: &str, profile: Profile) -> OpensslKey {
    let pem = dir.join(format!("{name}.key.pem"));
    let gen_args: &[&str] = match profile {
        Profile::Windows => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        _ => &[
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-pkeyopt",
            "ec_param_enc:named_curve",
        ],
    };
    openssl(&[&["genpkey"], gen_args, &["-out", p(&pem)]].concat());
    let pub_der = dir.join(format!("{name}.pub.der"));
    openssl(&[
        "pkey",
        "-in",
        p(&pem),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        p(&pub_der),
    ]);
    let digest = String::from_utf8(openssl(&["dgst", "-sha1", "-r", p(&pub_der)])).unwrap();
    let authority = digest.split_whitespace().next().unwrap().to_string();
    assert_eq!(authority.len(), 40, "{digest}");
    OpensslKey {
        pem,
        spki: std::fs::read(&pub_der).unwrap(),
        authority,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `openssl req -x509` from a config file with `extensions` (lines of `[ext]`), signed with
/// the profile's digest and a 16-byte serial; returns the DER certificate.
fn openssl_cert(
    dir: &Path,
    name: &str,
    key: &OpensslKey,
    profile: Profile,
    cn: &str,
    extensions: &[String],
) -> Vec<u8> {
    let cnf = dir.join(format!("{name}.cnf"));
    let config = format!(
        "[req]\ndistinguished_name = dn\nprompt = no\nstring_mask = utf8only\nx509_extensions = ext\n\
         [dn]\nCN = {cn}\n[ext]\n{}\n",
        extensions.join("\n")
    );
    std::fs::write(&cnf, config).unwrap();
    let out = dir.join(format!("{name}.der"));
    // 16 serial bytes, top bit clear and first byte non-zero (S4, spec §7 Q16).
    let serial = "0x5e11a1000000000000000000000000ab";
    let digest = match profile {
        Profile::Windows => "-sha1",
        _ => "-sha256",
    };
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-config",
        p(&cnf),
        "-key",
        p(&key.pem),
        digest,
        "-days",
        "3650",
        "-set_serial",
        serial,
        "-outform",
        "DER",
        "-out",
        p(&out),
    ]);
    std::fs::read(&out).unwrap()
}

/// Extensions common to the IDC and the GRC: PnrpCertificateType (critical, 4 bytes LE),
/// PnrpCertificateVersion (critical, `01 00 02 00`), EKU Peer Auth + serverAuth.
fn common_extensions(cert_type: u8) -> Vec<String> {
    vec![
        format!("1.3.6.1.4.1.311.44.0.1 = critical,DER:0404{cert_type:02x}000000"),
        "1.3.6.1.4.1.311.44.0.4 = critical,DER:040401000200".into(),
        "extendedKeyUsage = 1.3.6.1.4.1.311.44.3.4, serverAuth".into(),
    ]
}

fn openssl_idc(dir: &Path, profile: Profile) -> (OpensslKey, String, Vec<u8>) {
    let key = openssl_key(dir, &format!("{profile}-idc"), profile);
    let peer_name = format!("{}.openssl", key.authority);
    let mut ext = common_extensions(3);
    ext.extend([
        format!(
            "2.5.29.7 = DER:{}",
            hex(&peer_name_general_names(&peer_name))
        ),
        format!("subjectAltName = DNS:openssl.p{}.pnrp.net", key.authority),
        "1.3.6.1.4.1.311.44.2.2 = DER:040400000000".into(),
    ]);
    let cert = openssl_cert(
        dir,
        &format!("{profile}-idc"),
        &key,
        profile,
        "OpenSSL Identity",
        &ext,
    );
    (key, peer_name, cert)
}

#[test]
fn openssl_idc_is_accepted_with_the_same_peer_name() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for profile in [Profile::Windows, Profile::Modern] {
        let (key, peer_name, der) = openssl_idc(dir.path(), profile);
        let idc = Certificate::from_der(&der).unwrap_or_else(|e| panic!("{profile}: {e}"));
        validate_idc(&idc, profile, SystemTime::now()).unwrap_or_else(|e| panic!("{profile}: {e}"));
        assert_eq!(idc.cert_type(), Some(CertType::Identity));
        assert_eq!(
            idc.public_key_der(),
            key.spki.as_slice(),
            "{profile}: SPKI differs"
        );
        // Same authority: peernet's SHA-1 of the SPKI = OpenSSL's.
        assert_eq!(
            authority_of(idc.public_key_der()),
            key.authority,
            "{profile}"
        );
        let name = idc.subject_peer_name().expect("peer name decodes");
        assert_eq!(name.as_str(), peer_name);
        assert_eq!(name.authority(), key.authority);
        assert_eq!(
            PeerName::from_public_key(idc.public_key_der(), "openssl").unwrap(),
            name
        );
        assert_eq!(
            idc.dns_name().as_deref(),
            Some(format!("openssl.p{}.pnrp.net", key.authority).as_str())
        );
        assert_eq!(idc.serial16().map(|s| s[0]), Some(0x5e));
        assert_eq!(idc.subject_friendly_name(), "OpenSSL Identity");
        // The other profile refuses the algorithm.
        let other = if profile == Profile::Windows {
            Profile::Modern
        } else {
            Profile::Windows
        };
        assert!(validate_idc(&idc, other, SystemTime::now()).is_err());
    }
}

#[test]
fn openssl_grc_is_a_chain_root() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for profile in [Profile::Windows, Profile::Modern] {
        let (_, _, idc_der) = openssl_idc(dir.path(), profile);
        let idc = Certificate::from_der(&idc_der).unwrap();
        let key = openssl_key(dir.path(), &format!("{profile}-group"), profile);
        let group_name = format!("{}.opensslgroup", key.authority);
        let names = hex(&peer_name_general_names(&group_name));
        let mut ext = common_extensions(2);
        ext.extend([
            format!("2.5.29.7 = DER:{names}"),
            format!("1.3.6.1.4.1.311.44.3.1 = critical,DER:{names}"),
            "1.3.6.1.4.1.311.44.3.2 = DER:040400000000".into(),
        ]);
        let grc_der = openssl_cert(
            dir.path(),
            &format!("{profile}-grc"),
            &key,
            profile,
            "OpenSSL Group",
            &ext,
        );
        let grc = Certificate::from_der(&grc_der).unwrap_or_else(|e| panic!("{profile}: {e}"));
        let group = PeerName::parse(&group_name).unwrap();
        assert_eq!(grc.group_peer_name().as_ref(), Some(&group));
        let now = SystemTime::now();
        validate_chain(
            std::slice::from_ref(&grc),
            &ChainPolicy::new(profile, now).group(&group),
        )
        .unwrap_or_else(|e| panic!("{profile} GRC alone: {e}"));
        // peernet issues the OpenSSL identity's Admin GMC with the OpenSSL group key.
        let pk8 = openssl(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            p(&key.pem),
            "-outform",
            "DER",
        ]);
        let group_key = PrivateKey::from_pkcs8_der(&pk8).unwrap();
        assert_eq!(group_key.public_key_der(), grc.public_key_der());
        let gmc = GmcParams::for_identity(&idc, &[Role::ADMIN], &grc)
            .unwrap()
            .issue(&grc, &group_key)
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        let chain = order_chain(&[gmc.der(), grc.der()]).unwrap();
        assert_eq!(chain[0], grc);
        let policy = ChainPolicy::new(profile, now)
            .group(&group)
            .leaf_public_key(idc.public_key_der())
            .classifier("participant");
        validate_chain(&chain, &policy).unwrap_or_else(|e| panic!("{profile} GRC+GMC: {e}"));
        // And OpenSSL verifies the GMC peernet signed with the OpenSSL GRC's key.
        let gmc_file = dir.path().join(format!("{profile}-gmc.der"));
        std::fs::write(&gmc_file, gmc.der()).unwrap();
        let grc_pub = dir.path().join(format!("{profile}-group.pub.der"));
        let tbs = dir.path().join(format!("{profile}-gmc.tbs"));
        let sig = dir.path().join(format!("{profile}-gmc.sig"));
        std::fs::write(&tbs, gmc.tbs_der()).unwrap();
        std::fs::write(&sig, gmc.signature()).unwrap();
        let digest = if profile == Profile::Windows {
            "-sha1"
        } else {
            "-sha256"
        };
        openssl(&[
            "dgst",
            digest,
            "-verify",
            p(&grc_pub),
            "-keyform",
            "DER",
            "-signature",
            p(&sig),
            p(&tbs),
        ]);
    }
}

#[test]
fn python_cryptography_reads_and_verifies_every_fixture() {
    if !python_available() {
        return;
    }
    let script = root().join("tests/interop/certs.py");
    let fixtures = root().join("fixtures");
    let out = run(Command::new("python3")
        .arg(script)
        .arg(&fixtures)
        .arg(FIXTURE_PASSWORD));
    assert_eq!(String::from_utf8_lossy(&out).trim(), "ok");
}
