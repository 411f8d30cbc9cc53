//! Random byte mutations of valid PFX, PKCS#7 and PKCS#8 inputs never panic.
//!
//! A few thousand seeded mutations per format (flip, set, insert, delete, truncate).
//! The inputs use an iteration count of 1 so each read costs microseconds; a mutation
//! that raises an iteration count is bounded by the 10,000,000 cap.

use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{encrypted_key, pkcs7};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

fn input(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/keys")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn mutate(rng: &mut ChaCha20Rng, data: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    let edits = 1 + (rng.next_u32() % 3) as usize;
    for _ in 0..edits {
        if d.is_empty() {
            break;
        }
        let pos = rng.next_u32() as usize % d.len();
        match rng.next_u32() % 6 {
            0 => d[pos] ^= 1 << (rng.next_u32() % 8),
            1 => d[pos] = rng.next_u32() as u8,
            2 => d.insert(pos, rng.next_u32() as u8),
            3 => {
                d.remove(pos);
            }
            4 => d.truncate(pos),
            _ => d[pos] = [0x00, 0x80, 0xFF, 0x7F][(rng.next_u32() % 4) as usize],
        }
    }
    d
}

fn run(seed: u8, data: &[u8], rounds: usize, f: impl Fn(&[u8])) {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    for _ in 0..rounds {
        f(&mutate(&mut rng, data));
    }
}

#[test]
fn mutated_pfx_never_panics() {
    let certs = vec![
        input("pkcs-leaf-p256.cert.der"),
        input("pkcs-ca-p256.cert.der"),
    ];
    let key = input("pkcs-leaf-p256.key.der");
    for (seed, profile) in [(1, Pkcs12Profile::Windows), (2, Pkcs12Profile::Modern)] {
        let opts = Pkcs12WriteOptions::new(profile).with_iterations(1);
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let pfx = pkcs12::write_with_rng(&certs, &key, "pw", &opts, &mut rng).unwrap();
        run(seed, &pfx, 1500, |m| {
            let _ = pkcs12::read(m, "pw");
        });
    }
}

#[test]
fn mutated_pkcs7_and_pkcs8_never_panic() {
    let certs = vec![
        input("pkcs-leaf-p256.cert.der"),
        input("pkcs-ca-p256.cert.der"),
        input("pkcs-rsa1024.cert.der"),
    ];
    let p7 = pkcs7::encode(&certs).unwrap();
    run(3, &p7, 3000, |m| {
        let _ = pkcs7::decode(m);
        let _ = pkcs7::decode_or_bare_certificate(m);
    });
    let blob = encrypted_key::seal(&input("pkcs-rsa1024.key.der"), "pw", 1).unwrap();
    run(4, &blob, 3000, |m| {
        let _ = encrypted_key::open(m, "pw");
    });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// Arbitrary bytes never panic any reader.
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = pkcs12::read(&data, "pw");
        let _ = pkcs7::decode_or_bare_certificate(&data);
        let _ = encrypted_key::open(&data, "pw");
    }
}
