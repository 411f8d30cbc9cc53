//! PFX write/read in both profiles at their default iteration counts, plus PKCS#7.
//!
//! Run: `cargo bench -p peernet-crypto --bench pkcs`.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use peernet_crypto::pkcs7;
use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};

fn input(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keys")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "windows",
            Pkcs12Profile::Windows,
            vec![input("pkcs-rsa1024.cert.der")],
            input("pkcs-rsa1024.key.der"),
        ),
        (
            "modern",
            Pkcs12Profile::Modern,
            vec![
                input("pkcs-leaf-p256.cert.der"),
                input("pkcs-ca-p256.cert.der"),
            ],
            input("pkcs-leaf-p256.key.der"),
        ),
    ];
    let mut g = c.benchmark_group("pfx");
    g.sample_size(10);
    for (name, profile, certs, key) in &cases {
        let opts = Pkcs12WriteOptions::new(*profile);
        g.bench_function(format!("write_{name}"), |b| {
            b.iter(|| pkcs12::write(certs, key, "password", &opts).unwrap())
        });
        let pfx = pkcs12::write(certs, key, "password", &opts).unwrap();
        g.bench_function(format!("read_{name}"), |b| {
            b.iter(|| pkcs12::read(&pfx, "password").unwrap())
        });
    }
    g.finish();
    let certs = vec![
        input("pkcs-leaf-p256.cert.der"),
        input("pkcs-ca-p256.cert.der"),
        input("pkcs-rsa1024.cert.der"),
    ];
    let p7 = pkcs7::encode(&certs).unwrap();
    c.bench_function("pkcs7_encode", |b| {
        b.iter(|| pkcs7::encode(&certs).unwrap())
    });
    c.bench_function("pkcs7_decode", |b| b.iter(|| pkcs7::decode(&p7).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
