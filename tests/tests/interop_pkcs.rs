//! PKCS#12 / PKCS#7 / PKCS#8 interop with independent implementations: the OpenSSL
//! command line and Python `cryptography` (script `tests/interop/pkcs.py`).
//!
//! Each test needs `openssl` or `python3` with `cryptography` (`scripts/test-deps.sh`
//! installs both). When a tool is missing the test prints a loud SKIP line and passes,
//! unless `PEERNET_REQUIRE_INTEROP` is set, in which case it fails.

use peernet_tests::interop::{openssl, openssl_available, p, python_available, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{PkcsError, encrypted_key, pkcs7};

const PASSWORD: &str = "pässwörd 1";

fn key_path(name: &str) -> PathBuf {
    root().join("fixtures/keys").join(name)
}

fn input(name: &str) -> Vec<u8> {
    std::fs::read(key_path(name)).unwrap()
}

fn python(args: &[&str]) {
    let script = root().join("tests/interop/pkcs.py");
    let out = run(Command::new("python3").arg(script).args(args));
    assert_eq!(String::from_utf8_lossy(&out).trim(), "ok");
}

/// A private key normalised by OpenSSL (`openssl pkey -outform DER`), to compare keys
/// that different writers encode differently.
fn normalised_key(dir: &Path, der: &[u8]) -> Vec<u8> {
    let f = dir.join("norm-in.der");
    std::fs::write(&f, der).unwrap();
    openssl(&["pkey", "-inform", "DER", "-in", p(&f), "-outform", "DER"])
}

/// `pkcs.py` with `args` and then the paths of the certificate fixtures `certs`.
fn python_with_certs(mut args: Vec<String>, certs: &[&str]) {
    args.extend(certs.iter().map(|c| p(&key_path(c)).to_string()));
    python(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// OpenSSL 3.0 needs the legacy provider for RC2-40 (the windows profile).
fn legacy_flags(profile: Pkcs12Profile) -> &'static [&'static str] {
    if profile == Pkcs12Profile::Windows {
        &["-legacy"]
    } else {
        &[]
    }
}

/// `openssl pkcs12 -info` reads the PFX `file` with `passin` (`pass:…`).
fn openssl_reads_pfx(file: &Path, passin: &str, legacy: &[&str]) {
    let mut args = vec![
        "pkcs12",
        "-info",
        "-noout",
        "-in",
        p(file),
        "-passin",
        passin,
    ];
    args.extend(legacy);
    openssl(&args);
}

/// The certificate fixtures `certs` converted to PEM by OpenSSL, concatenated in `path`.
fn write_pem_bundle(path: &Path, certs: &[&str]) {
    let mut pem = Vec::new();
    for c in certs {
        pem.extend(openssl(&["x509", "-inform", "DER", "-in", p(&key_path(c))]));
    }
    std::fs::write(path, pem).unwrap();
}

struct Case {
    key: &'static str,
    certs: &'static [&'static str],
}

/// RSA-1024 alone (the windows-profile identity) and a P-256 leaf with its CA.
const CASES: [Case; 2] = [
    Case {
        key: "pkcs-rsa1024.key.der",
        certs: &["pkcs-rsa1024.cert.der"],
    },
    Case {
        key: "pkcs-leaf-p256.key.der",
        certs: &["pkcs-leaf-p256.cert.der", "pkcs-ca-p256.cert.der"],
    },
];

/// The case's certificates, DER.
fn case_certs(case: &Case) -> Vec<Vec<u8>> {
    case.certs.iter().map(|c| input(c)).collect()
}

/// The case's key and first certificate converted to PEM by OpenSSL, as `dir/k.pem` and
/// `dir/c.pem`.
fn pem_files(dir: &Path, case: &Case) -> (PathBuf, PathBuf) {
    let key_pem = dir.join("k.pem");
    openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        p(&key_path(case.key)),
        "-out",
        p(&key_pem),
    ]);
    let cert_pem = dir.join("c.pem");
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        p(&key_path(case.certs[0])),
        "-out",
        p(&cert_pem),
    ]);
    (key_pem, cert_pem)
}

/// `openssl pkcs12 -export` of the PEM key and certificate `pems` with `passout` and the
/// `extra` flags to `out`; the PFX written.
fn openssl_pfx(pems: (&Path, &Path), passout: &str, out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        p(pems.0),
        "-in",
        p(pems.1),
        "-passout",
        passout,
        "-out",
        p(out),
    ];
    args.extend(extra);
    openssl(&args);
    std::fs::read(out).unwrap()
}

fn write_case(case: &Case, profile: Pkcs12Profile, iterations: Option<u32>) -> Vec<u8> {
    let certs = case_certs(case);
    let mut opts = Pkcs12WriteOptions::new(profile).with_friendly_name("peernet identity");
    opts.iterations = iterations;
    pkcs12::write(&certs, &input(case.key), PASSWORD, &opts).unwrap()
}

#[test]
fn openssl_reads_peernet_pfx_in_both_profiles() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pass = format!("pass:{PASSWORD}");
    // Every key/profile combination; the modern profile once at its real default (600,000).
    let runs = [
        (&CASES[0], Pkcs12Profile::Windows, None),
        (&CASES[0], Pkcs12Profile::Modern, Some(2048)),
        (&CASES[1], Pkcs12Profile::Windows, None),
        (&CASES[1], Pkcs12Profile::Modern, None),
    ];
    for (i, (case, profile, iterations)) in runs.into_iter().enumerate() {
        let file = dir.path().join(format!("peernet-{i}.pfx"));
        std::fs::write(&file, write_case(case, profile, iterations)).unwrap();
        let legacy = legacy_flags(profile);
        openssl_reads_pfx(&file, &pass, legacy);
        let mut args = vec!["pkcs12", "-in", p(&file), "-passin", &pass, "-nokeys"];
        args.extend(legacy);
        let certs = String::from_utf8(openssl(&args)).unwrap();
        assert_eq!(
            certs.matches("BEGIN CERTIFICATE").count(),
            case.certs.len(),
            "{certs}"
        );
        assert!(certs.contains("friendlyName: peernet identity"), "{certs}");
        assert!(certs.contains("localKeyID:"), "{certs}");
        let key_pem = dir.path().join("key.pem");
        let mut args = vec![
            "pkcs12",
            "-in",
            p(&file),
            "-passin",
            &pass,
            "-nocerts",
            "-nodes",
            "-out",
            p(&key_pem),
        ];
        args.extend(legacy);
        openssl(&args);
        let got = openssl(&["pkey", "-in", p(&key_pem), "-outform", "DER"]);
        assert_eq!(got, normalised_key(dir.path(), &input(case.key)), "run {i}");
        // A wrong password is refused.
        let st = Command::new("openssl")
            .args([
                "pkcs12",
                "-info",
                "-noout",
                "-in",
                p(&file),
                "-passin",
                "pass:wrong",
            ])
            .args(legacy)
            .output()
            .unwrap();
        assert!(!st.status.success());
    }
}

#[test]
fn peernet_reads_openssl_pfx() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pass = format!("pass:{PASSWORD}");
    let variants: [&[&str]; 4] = [
        &[], // OpenSSL 3 default: PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC, 2048 iterations
        &["-legacy"], // 3DES key, RC2-40 certificates, SHA-1 MAC
        &[
            "-keypbe",
            "PBE-SHA1-3DES",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
        &[
            "-keypbe",
            "DES-EDE3-CBC",
            "-certpbe",
            "AES-128-CBC",
            "-iter",
            "5000",
        ],
    ];
    for case in &CASES {
        let (key_pem, cert_pem) = pem_files(dir.path(), case);
        let extra_pem = dir.path().join("extra.pem");
        write_pem_bundle(&extra_pem, &case.certs[1..]);
        for (i, v) in variants.iter().enumerate() {
            let out = dir.path().join(format!("openssl-{i}.pfx"));
            let mut extra = Vec::new();
            if case.certs.len() > 1 {
                extra.extend(["-certfile", p(&extra_pem)]);
            }
            extra.extend(*v);
            let pfx = openssl_pfx((&key_pem, &cert_pem), &pass, &out, &extra);
            let got = pkcs12::read(&pfx, PASSWORD).unwrap_or_else(|e| panic!("variant {v:?}: {e}"));
            assert_eq!(
                normalised_key(dir.path(), &got.private_key),
                normalised_key(dir.path(), &input(case.key))
            );
            let want = case_certs(case);
            assert_eq!(got.certificates, want, "variant {v:?}");
            assert!(
                matches!(pkcs12::read(&pfx, "wrong"), Err(PkcsError::InvalidPassword)),
                "variant {v:?}"
            );
        }
    }
}

#[test]
fn python_reads_peernet_pfx_in_both_profiles() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for case in &CASES {
        for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
            let file = dir.path().join("peernet.pfx");
            std::fs::write(&file, write_case(case, profile, Some(2000))).unwrap();
            let args = vec![
                "read-pfx".to_string(),
                p(&file).into(),
                PASSWORD.into(),
                p(&key_path(case.key)).into(),
            ];
            python_with_certs(args, case.certs);
        }
    }
}

#[test]
fn peernet_reads_python_pfx() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for case in &CASES {
        for enc in ["best", "3des"] {
            let file = dir.path().join(format!("python-{enc}.pfx"));
            let args = vec![
                "write-pfx".to_string(),
                p(&file).into(),
                PASSWORD.into(),
                enc.into(),
                p(&key_path(case.key)).into(),
            ];
            python_with_certs(args, case.certs);
            let got = pkcs12::read(&std::fs::read(&file).unwrap(), PASSWORD)
                .unwrap_or_else(|e| panic!("{enc}: {e}"));
            let want = case_certs(case);
            assert_eq!(got.certificates, want, "{enc}");
            assert_eq!(got.friendly_name.as_deref(), Some("python"));
            let key = peernet_crypto::pkcs12::write(
                &want,
                &got.private_key,
                "x",
                &Pkcs12WriteOptions::new(Pkcs12Profile::Windows).with_iterations(1),
            );
            assert!(key.is_ok(), "the key read back matches its certificate");
        }
    }
}

const BUNDLE: [&str; 3] = [
    "pkcs-leaf-p256.cert.der",
    "pkcs-ca-p256.cert.der",
    "pkcs-rsa1024.cert.der",
];

/// The [`BUNDLE`] certificates and `dir/peernet.p7b`, peernet's PKCS#7 bundle of them.
fn peernet_bundle(dir: &Path) -> (Vec<Vec<u8>>, PathBuf) {
    let certs: Vec<Vec<u8>> = BUNDLE.iter().map(|c| input(c)).collect();
    let file = dir.join("peernet.p7b");
    std::fs::write(&file, pkcs7::encode(&certs).unwrap()).unwrap();
    (certs, file)
}

#[test]
fn pkcs7_interop_with_openssl() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (certs, file) = peernet_bundle(dir.path());
    let out = String::from_utf8(openssl(&[
        "pkcs7",
        "-inform",
        "DER",
        "-in",
        p(&file),
        "-print_certs",
    ]))
    .unwrap();
    assert_eq!(out.matches("BEGIN CERTIFICATE").count(), 3, "{out}");
    for cn in [
        "peernet pkcs test leaf",
        "peernet pkcs test CA",
        "peernet pkcs test RSA-1024",
    ] {
        assert!(out.contains(cn), "{out}");
    }
    // OpenSSL's own certs-only bundle, read back by peernet.
    let pem = dir.path().join("all.pem");
    write_pem_bundle(&pem, &BUNDLE);
    let theirs = openssl(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        p(&pem),
        "-outform",
        "DER",
    ]);
    let mut got = pkcs7::decode(&theirs).unwrap();
    let mut want = certs.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn pkcs7_interop_with_python() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = peernet_bundle(dir.path());
    let args = vec!["read-p7".to_string(), p(&file).into()];
    python_with_certs(args, &BUNDLE);
}

#[test]
fn groupkey_interop_with_openssl() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pass = format!("pass:{PASSWORD}");
    for name in ["pkcs-leaf-p256.key.der", "pkcs-rsa1024.key.der"] {
        let key = input(name);
        let blob = dir.path().join("groupkey.der");
        std::fs::write(&blob, encrypted_key::seal(&key, PASSWORD, 2048).unwrap()).unwrap();
        let plain = openssl(&[
            "pkcs8",
            "-inform",
            "DER",
            "-in",
            p(&blob),
            "-passin",
            &pass,
            "-outform",
            "DER",
        ]);
        assert_eq!(
            normalised_key(dir.path(), &plain),
            normalised_key(dir.path(), &key)
        );
        // OpenSSL-sealed blobs (PBES2 AES-256 / HMAC-SHA256, and PKCS#12 PBE 3DES) open in peernet.
        for v in [
            &["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"][..],
            &["-v1", "PBE-SHA1-3DES"][..],
        ] {
            let key_file = key_path(name);
            let mut args = vec![
                "pkcs8",
                "-topk8",
                "-inform",
                "DER",
                "-in",
                p(&key_file),
                "-passout",
                &pass,
                "-outform",
                "DER",
            ];
            args.extend(v);
            let theirs = openssl(&args);
            let opened =
                encrypted_key::open(&theirs, PASSWORD).unwrap_or_else(|e| panic!("{v:?}: {e}"));
            assert_eq!(
                normalised_key(dir.path(), &opened),
                normalised_key(dir.path(), &key)
            );
            assert!(matches!(
                encrypted_key::open(&theirs, "wrong"),
                Err(PkcsError::InvalidPassword)
            ));
        }
    }
}

#[test]
fn groupkey_interop_with_python() {
    if !python_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["pkcs-leaf-p256.key.der", "pkcs-rsa1024.key.der"] {
        let blob = dir.path().join("groupkey.der");
        std::fs::write(
            &blob,
            encrypted_key::seal(&input(name), PASSWORD, 2048).unwrap(),
        )
        .unwrap();
        python(&["read-p8", p(&blob), PASSWORD, p(&key_path(name))]);
    }
}

#[test]
fn empty_password_interop_with_openssl() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = &CASES[1];
    let certs = case_certs(case);
    for profile in [Pkcs12Profile::Windows, Pkcs12Profile::Modern] {
        let file = dir.path().join("empty.pfx");
        let opts = Pkcs12WriteOptions::new(profile).with_iterations(2048);
        std::fs::write(
            &file,
            pkcs12::write(&certs, &input(case.key), "", &opts).unwrap(),
        )
        .unwrap();
        let legacy = legacy_flags(profile);
        openssl_reads_pfx(&file, "pass:", legacy);
    }
    let (key_pem, cert_pem) = pem_files(dir.path(), case);
    for v in [&[][..], &["-legacy"][..]] {
        let out = dir.path().join("openssl-empty.pfx");
        let pfx = openssl_pfx((&key_pem, &cert_pem), "pass:", &out, v);
        let got = pkcs12::read(&pfx, "").unwrap_or_else(|e| panic!("{v:?}: {e}"));
        assert_eq!(got.certificates, vec![certs[0].clone()]);
    }
}
