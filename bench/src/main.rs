//! `peernet-bench`: times peernet-crypto and OpenSSL alternately on identical inputs
//! and parameters and prints a Markdown section (the body of "Side by side with
//! OpenSSL" in `docs/PERFORMANCE.md`) on standard output; progress goes to standard
//! error. Run it through `cargo xtask bench-compare`, which builds it in release mode
//! and writes the section into the document.
//!
//! Sampling: every contender of an item runs once as a warm-up (plus until ~0.2 s of
//! work), then N rounds; in each round every contender is timed once (a batch of k
//! operations for fast ones, so a sample lasts ≥ 2 ms), the order reversed every other
//! round (A B C, C B A, …) so drifting load hits all alike. Medians and p90 of the
//! per-operation times are reported.

mod facade;
mod order;
mod ossl_ffi;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::provider::Provider;
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509, X509StoreContext};
use peernet_crypto::chain::{ChainPolicy, validate_chain};
use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{Certificate, PrivateKey, Profile};

use ossl_ffi::{MacDigest, Pkcs12Input};

const PASSWORD: &str = "peernet bench password";
/// Verification instant for both validators: 2026-06-01T00:00:00Z, inside every
/// fixture certificate's validity (2026-01-01 … 3026-01-01).
const VERIFY_AT: u64 = 1_780_272_000;

/// Median and 90th percentile of per-operation times, in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stats {
    median: f64,
    p90: f64,
}

/// Median (mean of the middle two for an even count) and nearest-rank p90.
fn stats(samples: &[f64]) -> Stats {
    assert!(!samples.is_empty());
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    let rank = (n * 9).div_ceil(10).max(1);
    Stats {
        median,
        p90: v[rank - 1],
    }
}

/// Human time: 3 significant figures in s, ms or µs.
fn fmt_time(s: f64) -> String {
    let (v, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else {
        (s * 1e6, "µs")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// One contender of an item.
struct Contender<'a> {
    op: Box<dyn FnMut() + 'a>,
    batch: usize,
    samples: Vec<f64>,
}

impl<'a> Contender<'a> {
    fn new(op: impl FnMut() + 'a) -> Self {
        Contender {
            op: Box::new(op),
            batch: 1,
            samples: Vec::new(),
        }
    }

    /// Seconds per operation over one batch.
    fn sample(&mut self) -> f64 {
        let t = Instant::now();
        for _ in 0..self.batch {
            (self.op)();
        }
        t.elapsed().as_secs_f64() / self.batch as f64
    }
}

/// How many rounds an item gets.
#[derive(Clone, Copy)]
enum Rounds {
    /// Exactly this many.
    Fixed(usize),
    /// As many as fit in about this many seconds (between 15 and 1001).
    Budget(f64),
}

/// A measured item: stats of each contender, rounds, batch sizes.
struct Measured {
    stats: Vec<Stats>,
    rounds: usize,
    batches: Vec<usize>,
}

fn measure(name: &str, rounds: Rounds, mut cs: Vec<Contender<'_>>) -> Measured {
    // Warm-up and estimate: one call each, then repeat until ~0.2 s has passed.
    let mut est = vec![f64::INFINITY; cs.len()];
    let start = Instant::now();
    loop {
        for (c, e) in cs.iter_mut().zip(est.iter_mut()) {
            *e = e.min(c.sample());
        }
        if start.elapsed() > Duration::from_millis(200) {
            break;
        }
    }
    for (c, e) in cs.iter_mut().zip(&est) {
        c.batch = ((2e-3 / e).ceil() as usize).max(1);
    }
    let per_round: f64 = cs.iter().zip(&est).map(|(c, e)| c.batch as f64 * e).sum();
    let n = match rounds {
        Rounds::Fixed(n) => n,
        Rounds::Budget(secs) => ((secs / per_round) as usize).clamp(15, 1001),
    };
    eprintln!(
        "bench-compare: {name}: {n} rounds, ~{:.1} s",
        n as f64 * per_round
    );
    for r in 0..n {
        let len = cs.len();
        for i in 0..len {
            let j = if r % 2 == 0 { i } else { len - 1 - i };
            let s = cs[j].sample();
            cs[j].samples.push(s);
        }
    }
    Measured {
        stats: cs.iter().map(|c| stats(&c.samples)).collect(),
        rounds: n,
        batches: cs.iter().map(|c| c.batch).collect(),
    }
}

/// One line of the table.
struct Row {
    name: String,
    m: Measured,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The DER files of a fixture chain, root first.
fn chain_files(profile: &str, len: usize) -> Vec<Vec<u8>> {
    let dir = fixtures().join(format!("der/{profile}/chain-{len}"));
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "der"))
        .collect();
    names.sort();
    assert_eq!(names.len(), len, "{}", dir.display());
    names
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect()
}

/// `(tag, header length, content length)` of the DER TLV at the start of `b`.
fn tlv(b: &[u8]) -> (u8, usize, usize) {
    let tag = b[0];
    let first = b[1] as usize;
    if first < 0x80 {
        return (tag, 2, first);
    }
    let n = first & 0x7f;
    let len = b[2..2 + n]
        .iter()
        .fold(0usize, |a, &x| (a << 8) | usize::from(x));
    (tag, 2 + n, len)
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo (what ring verifies with).
fn spki_key(spki: &[u8]) -> Vec<u8> {
    let (_, h, _) = tlv(spki);
    let inner = &spki[h..];
    let (_, ah, al) = tlv(inner);
    let bits = &inner[ah + al..];
    let (tag, bh, bl) = tlv(bits);
    assert_eq!(tag, 0x03, "BIT STRING");
    assert_eq!(bits[bh], 0, "no unused bits");
    bits[bh + 1..bh + bl].to_vec()
}

// OIDs (tag and length included) looked for in OpenSSL's PFX output.
const OID_PBE_3DES: &[u8] = &[
    6, 10, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x03,
];
const OID_PBE_RC2_40: &[u8] = &[
    6, 10, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x06,
];
const OID_SHA1: &[u8] = &[6, 5, 0x2B, 0x0E, 0x03, 0x02, 0x1A];
const OID_PBES2: &[u8] = &[6, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D];
const OID_HMAC_SHA256: &[u8] = &[6, 8, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09];
const OID_AES256_CBC: &[u8] = &[6, 9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A];
const OID_SHA256: &[u8] = &[6, 9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// DER INTEGER encoding of `n`.
fn der_integer(n: u32) -> Vec<u8> {
    let mut body: Vec<u8> = n.to_be_bytes().to_vec();
    while body.len() > 1 && body[0] == 0 && body[1] < 0x80 {
        body.remove(0);
    }
    if body[0] >= 0x80 {
        body.insert(0, 0);
    }
    let mut out = vec![2, body.len() as u8];
    out.extend(body);
    out
}

fn pfx_rows(rows: &mut Vec<Row>, checks: &mut Vec<String>) {
    let win_key = read("keys/pkcs-rsa1024.key.der");
    let win_certs = vec![read("keys/pkcs-rsa1024.cert.der")];
    let mod_key = read("keys/pkcs-leaf-p256.key.der");
    let mod_certs = vec![
        read("keys/pkcs-leaf-p256.cert.der"),
        read("keys/pkcs-ca-p256.cert.der"),
    ];
    let cases = [
        (
            "windows",
            Pkcs12Profile::Windows,
            pkcs12::WINDOWS_ITERATIONS,
            &win_key,
            &win_certs,
            Nid::PBE_WITHSHA1AND3_KEY_TRIPLEDES_CBC,
            Nid::PBE_WITHSHA1AND40BITRC2_CBC,
            MacDigest::Sha1,
            Rounds::Budget(10.0),
        ),
        (
            "modern",
            Pkcs12Profile::Modern,
            pkcs12::MODERN_ITERATIONS,
            &mod_key,
            &mod_certs,
            Nid::AES_256_CBC,
            Nid::AES_256_CBC,
            MacDigest::Sha256,
            Rounds::Fixed(15),
        ),
    ];
    let mut files = Vec::new();
    for (name, profile, iterations, key, certs, key_nid, cert_nid, mac, rounds) in cases {
        let opts = Pkcs12WriteOptions::new(profile).with_iterations(iterations);
        let input = Pkcs12Input {
            pkey: PKey::private_key_from_pkcs8(key).expect("PKCS#8 key"),
            cert: X509::from_der(&certs[0]).expect("cert"),
            ca: certs[1..]
                .iter()
                .map(|c| X509::from_der(c).expect("cert"))
                .collect(),
            key_nid,
            cert_nid,
            iterations,
            mac,
        };
        // Interchangeability check: each side reads what the other wrote.
        let ours = pkcs12::write(certs, key, PASSWORD, &opts).expect("peernet write");
        let theirs = ossl_ffi::pkcs12_create(&input, PASSWORD);
        let parsed = Pkcs12::from_der(&ours)
            .and_then(|p| p.parse2(PASSWORD))
            .expect("OpenSSL reads peernet's PFX");
        assert_eq!(
            parsed.cert.expect("cert").to_der().expect("der"),
            certs[0],
            "OpenSSL read back the leaf"
        );
        // What OpenSSL wrote uses the algorithms asked for: count the OIDs in its DER.
        let count = |needle: &[u8]| {
            theirs
                .windows(needle.len())
                .filter(|w| *w == needle)
                .count()
        };
        let expected: &[(&str, &[u8], usize)] = match profile {
            Pkcs12Profile::Windows => &[
                ("pbeWithSHAAnd3-KeyTripleDES-CBC", OID_PBE_3DES, 1),
                ("pbeWithSHAAnd40BitRC2-CBC", OID_PBE_RC2_40, 1),
                ("SHA-1 (MAC)", OID_SHA1, 1),
            ],
            _ => &[
                ("PBES2", OID_PBES2, 2),
                ("PBKDF2 PRF hmacWithSHA256", OID_HMAC_SHA256, 2),
                ("AES-256-CBC", OID_AES256_CBC, 2),
                ("SHA-256 (MAC)", OID_SHA256, 1),
            ],
        };
        let mut found = Vec::new();
        for (what, oid, n) in expected {
            assert_eq!(count(oid), *n, "OpenSSL's {name} PFX: {what}");
            found.push(format!("{what} ×{n}"));
        }
        let iter_der = der_integer(iterations);
        let iter_count = count(&iter_der);
        assert_eq!(
            iter_count, 3,
            "OpenSSL's {name} PFX: iteration count in key, cert, MAC"
        );
        checks.push(format!(
            "{name} PFX written by OpenSSL holds {} and the iteration count {iterations} three times (key bag, cert bag, MAC)",
            found.join(", ")
        ));
        let back = pkcs12::read(&theirs, PASSWORD).expect("peernet reads OpenSSL's PFX");
        assert_eq!(back.certificates.len(), certs.len());
        checks.push(format!(
            "{name} PFX: OpenSSL's `Pkcs12::parse2` read peernet's file and `pkcs12::read` read OpenSSL's ({} and {} bytes)",
            ours.len(),
            theirs.len()
        ));
        let m = measure(
            &format!("PFX write {name}"),
            rounds,
            vec![
                Contender::new(|| {
                    black_box(pkcs12::write(certs, key, PASSWORD, &opts).expect("write"));
                }),
                Contender::new(|| {
                    black_box(ossl_ffi::pkcs12_create(&input, PASSWORD));
                }),
            ],
        );
        rows.push(Row {
            name: format!("PFX write, {name} ({iterations} iterations)"),
            m,
        });
        files.push((name, iterations, ours, rounds));
    }
    for (name, iterations, file, rounds) in &files {
        let m = measure(
            &format!("PFX read {name}"),
            *rounds,
            vec![
                Contender::new(|| {
                    black_box(pkcs12::read(file, PASSWORD).expect("read"));
                }),
                Contender::new(|| {
                    black_box(
                        Pkcs12::from_der(file)
                            .and_then(|p| p.parse2(PASSWORD))
                            .expect("parse2"),
                    );
                }),
            ],
        );
        rows.push(Row {
            name: format!("PFX read, {name} ({iterations} iterations)"),
            m,
        });
    }
}

fn openssl_store(root: &X509) -> X509Store {
    let mut b = X509StoreBuilder::new().expect("store");
    b.add_cert(root.clone()).expect("add trust anchor");
    let mut p = X509VerifyParam::new().expect("param");
    p.set_time(VERIFY_AT as _);
    // Verify the trust anchor's self-signature too, as validate_chain does (G1).
    p.set_flags(X509VerifyFlags::CHECK_SS_SIGNATURE)
        .expect("flags");
    b.set_param(&p).expect("set param");
    ossl_ffi::set_tolerant_verify_callback(&mut b);
    b.build()
}

fn openssl_verify(store: &X509Store, leaf: &X509, untrusted: &Stack<X509>) -> bool {
    let mut ctx = X509StoreContext::new().expect("ctx");
    ctx.init(store, leaf, untrusted, |c| c.verify_cert())
        .expect("verify ran")
}

fn chain_rows(rows: &mut Vec<Row>, checks: &mut Vec<String>) {
    use std::sync::atomic::Ordering;
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(VERIFY_AT);
    for (profile, pname) in [(Profile::Windows, "windows"), (Profile::Modern, "modern")] {
        for len in [2usize, 25] {
            let ders = chain_files(pname, len);
            let chain: Vec<Certificate> = ders
                .iter()
                .map(|d| Certificate::from_der(d).expect("parse"))
                .collect();
            let policy = ChainPolicy::new(profile, now);
            validate_chain(&chain, &policy).expect("peernet validates the fixture chain");

            let x509: Vec<X509> = ders
                .iter()
                .map(|d| X509::from_der(d).expect("X509"))
                .collect();
            let store = openssl_store(&x509[0]);
            let leaf = &x509[len - 1];
            let mut untrusted = Stack::new().expect("stack");
            for c in &x509[1..len - 1] {
                untrusted.push(c.clone()).expect("push");
            }
            ossl_ffi::TOLERATED.store(0, Ordering::Relaxed);
            assert!(openssl_verify(&store, leaf, &untrusted), "OpenSSL verifies");
            let tolerated = ossl_ffi::TOLERATED.load(Ordering::Relaxed);
            assert_eq!(ossl_ffi::UNEXPECTED.load(Ordering::Relaxed), 0);
            checks.push(format!(
                "{pname} chain-{len}: `X509_verify_cert` returned 1; the callback tolerated {tolerated} errors, all unhandled-critical-extension or invalid-CA, and saw no other"
            ));

            // The floor: ring verifying the same signatures validate_chain verifies
            // (the root's self-signature and each certificate with its issuer's key),
            // keys pre-extracted from the SPKI.
            let alg: &'static dyn ring::signature::VerificationAlgorithm = match profile {
                Profile::Windows => &ring::signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                _ => &ring::signature::ECDSA_P256_SHA256_ASN1,
            };
            let keys: Vec<Vec<u8>> = chain.iter().map(|c| spki_key(c.public_key_der())).collect();
            let floor = || {
                for (i, c) in chain.iter().enumerate() {
                    let k = &keys[i.saturating_sub(1)];
                    ring::signature::UnparsedPublicKey::new(alg, k)
                        .verify(c.tbs_der(), c.signature())
                        .expect("signature");
                }
            };
            floor();

            let m = measure(
                &format!("chain {pname}-{len}"),
                Rounds::Budget(8.0),
                vec![
                    Contender::new(|| {
                        validate_chain(black_box(&chain), &policy).expect("valid");
                    }),
                    Contender::new(|| {
                        assert!(openssl_verify(&store, black_box(leaf), &untrusted));
                    }),
                    Contender::new(floor),
                ],
            );
            assert_eq!(ossl_ffi::UNEXPECTED.load(Ordering::Relaxed), 0);
            rows.push(Row {
                name: format!("chain validation, {pname}, {len} certificates"),
                m,
            });
        }
    }
}

fn profile_chain(which: &str) {
    if which == "keygen-modern" {
        for _ in 0..200 {
            black_box(PrivateKey::generate(Profile::Modern).expect("keygen"));
        }
        return;
    }
    let (pname, len) = which.split_once('-').expect("PROFILE-LEN");
    let profile: Profile = pname.parse().expect("profile");
    let len: usize = len.parse().expect("length");
    let chain: Vec<Certificate> = chain_files(pname, len)
        .iter()
        .map(|d| Certificate::from_der(d).expect("parse"))
        .collect();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(VERIFY_AT);
    let policy = ChainPolicy::new(profile, now);
    for _ in 0..200 {
        validate_chain(black_box(&chain), &policy).expect("valid");
    }
}

fn keygen_rows(rows: &mut Vec<Row>) {
    let m = measure(
        "keygen RSA-1024",
        Rounds::Budget(10.0),
        vec![
            Contender::new(|| {
                black_box(PrivateKey::generate(Profile::Windows).expect("keygen"));
            }),
            Contender::new(|| {
                black_box(Rsa::generate(1024).expect("keygen"));
            }),
        ],
    );
    rows.push(Row {
        name: "key generation, RSA-1024 (windows)".into(),
        m,
    });
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
    let m = measure(
        "keygen P-256",
        Rounds::Budget(4.0),
        vec![
            Contender::new(|| {
                black_box(PrivateKey::generate(Profile::Modern).expect("keygen"));
            }),
            Contender::new(|| {
                black_box(EcKey::generate(&group).expect("keygen"));
            }),
        ],
    );
    rows.push(Row {
        name: "key generation, P-256 (modern)".into(),
        m,
    });
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn render(
    rows: &[Row],
    checks: &[String],
    load_before: &str,
    load_after: &str,
    secs: f64,
) -> String {
    let mut out = String::new();
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    out.push_str(&format!(
        "Machine: {nproc} CPUs ({}), {}, {}, release profile. Load average (1/5/15 min) \
         {load_before} before and {load_after} after the run ({secs:.0} s); the machine is shared \
         with other builds, so single figures are noisy, but peernet and OpenSSL were \
         sampled alternately and saw the same load.\n\n",
        cpu_model(),
        openssl::version::version(),
        rustc_version(),
    ));
    out.push_str(
        "| operation | peernet median (p90) | OpenSSL median (p90) | peernet / OpenSSL | floor median (p90) | peernet / floor | rounds × batch |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let s = &r.m.stats;
        let (floor, vs_floor) = match s.get(2) {
            Some(f) => (
                format!("{} ({})", fmt_time(f.median), fmt_time(f.p90)),
                format!("{:.2}", s[0].median / f.median),
            ),
            None => ("—".into(), "—".into()),
        };
        let batches =
            r.m.batches
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("/");
        out.push_str(&format!(
            "| {} | {} ({}) | {} ({}) | {:.2} | {floor} | {vs_floor} | {} × {batches} |\n",
            r.name,
            fmt_time(s[0].median),
            fmt_time(s[0].p90),
            fmt_time(s[1].median),
            fmt_time(s[1].p90),
            s[0].median / s[1].median,
            r.m.rounds,
        ));
    }
    out.push_str("\nChecks made before timing:\n\n");
    for c in checks {
        out.push_str(&format!("- {c}.\n"));
    }
    out
}

fn main() {
    // OpenSSL 3 keeps RC2-40 and the PKCS#12 3DES PBE in the legacy provider; loading
    // any provider explicitly unloads the implicit default, so load both.
    let _default = Provider::load(None, "default").expect("OpenSSL default provider");
    let _legacy = Provider::load(None, "legacy").expect("OpenSSL legacy provider");
    // PEERNET_BENCH_PROFILE=windows-25 (PROFILE-LEN): only run validate_chain 200 times on
    // that fixture chain, for `valgrind --tool=callgrind`; =keygen-modern: 200 P-256 keys.
    if let Ok(which) = std::env::var("PEERNET_BENCH_PROFILE") {
        profile_chain(&which);
        return;
    }
    // `peernet-bench scale [PEERNET_BINARY]`: the facade benchmarks (cargo xtask bench-scale).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("scale") {
        scale(args.get(1).map(PathBuf::from));
        return;
    }
    // `peernet-bench order-chain`: the worst case of `order_chain` (docs/RELIABILITY.md).
    if args.first().map(String::as_str) == Some("order-chain") {
        let before = load_average();
        let t = Instant::now();
        let body = order::worst_case();
        println!(
            "Machine: {} CPUs ({}), {}, release profile. Load average (1/5/15 min) {before} before and {} after ({:.0} s).\n\n{body}",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model(),
            rustc_version(),
            load_average(),
            t.elapsed().as_secs_f64()
        );
        return;
    }
    let load_before = load_average();
    let t = Instant::now();
    let mut rows = Vec::new();
    let mut checks = Vec::new();
    // PEERNET_BENCH_ONLY=pfx,chain,keygen runs a subset (while investigating).
    let only = std::env::var("PEERNET_BENCH_ONLY").ok();
    let want = |group: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|g| g.trim() == group))
    };
    if want("pfx") {
        pfx_rows(&mut rows, &mut checks);
    }
    if want("chain") {
        chain_rows(&mut rows, &mut checks);
    }
    if want("keygen") {
        keygen_rows(&mut rows);
    }
    let secs = t.elapsed().as_secs_f64();
    print!(
        "{}",
        render(&rows, &checks, &load_before, &load_average(), secs)
    );
}

/// `peernet-bench scale`: the facade sections of `docs/PERFORMANCE.md` (export/import
/// paths, store scaling, peak memory), each as a Markdown table with the machine and the
/// load. `PEERNET_BENCH_ONLY=paths,store,memory` runs a subset; `PEERNET_BENCH_SIZES`
/// (default `1000,100000,1000000`) sets the store sizes.
fn scale(peernet_bin: Option<PathBuf>) {
    let only = std::env::var("PEERNET_BENCH_ONLY").ok();
    let want = |group: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|g| g.trim() == group))
    };
    let sizes: Vec<usize> = std::env::var("PEERNET_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000]);
    let machine = format!(
        "{} CPUs ({}), {}, release profile",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        rustc_version()
    );
    let part = |title: &str, f: &dyn Fn() -> String| {
        let before = load_average();
        let t = Instant::now();
        let body = f();
        println!(
            "Machine: {machine}; {title}. Load average (1/5/15 min) {before} before and {} after ({:.0} s).\n\n{body}",
            load_average(),
            t.elapsed().as_secs_f64()
        );
    };
    if want("paths") {
        part(
            "stores on tmpfs (`/dev/shm`) and on the virtual disk (`target/`) as the rows say",
            &facade::paths,
        );
    }
    if want("store") {
        part("store on tmpfs (`/dev/shm`)", &|| {
            facade::store_scaling(&sizes)
        });
    }
    if want("memory") {
        let bin = peernet_bin.unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/peernet")
        });
        part("store on tmpfs (`/dev/shm`)", &|| facade::memory(&bin));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        let s = stats(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(s.median, 3.0);
        assert_eq!(s.p90, 5.0);
        let s = stats(&(1..=10).map(f64::from).collect::<Vec<_>>());
        assert_eq!(s.median, 5.5);
        assert_eq!(s.p90, 9.0);
    }

    #[test]
    fn der_integers() {
        assert_eq!(der_integer(2000), [2, 2, 0x07, 0xD0]);
        assert_eq!(der_integer(600_000), [2, 3, 0x09, 0x27, 0xC0]);
        assert_eq!(der_integer(128), [2, 2, 0x00, 0x80]);
        assert_eq!(der_integer(0), [2, 1, 0]);
    }

    #[test]
    fn times_are_printed_with_three_figures() {
        assert_eq!(fmt_time(0.6123), "612 ms");
        assert_eq!(fmt_time(1.234), "1.23 s");
        assert_eq!(fmt_time(42.17e-6), "42.2 µs");
    }

    #[test]
    fn spki_key_is_the_bit_string_contents() {
        let der = read("der/modern/chain-2/00-grc.der");
        let c = Certificate::from_der(&der).unwrap();
        let k = spki_key(c.public_key_der());
        assert_eq!(k.len(), 65);
        assert_eq!(k[0], 0x04);
        let der = read("der/windows/chain-2/00-grc.der");
        let c = Certificate::from_der(&der).unwrap();
        assert_eq!(spki_key(c.public_key_der()).len(), 140);
    }

    #[test]
    fn fixture_chains_are_found_root_first() {
        let ch = chain_files("modern", 25);
        let root = Certificate::from_der(&ch[0]).unwrap();
        assert!(root.is_self_signed());
    }
}
