//! `peernet-bench order-chain`: the worst case of `chain::order_chain` (the figure in
//! `docs/RELIABILITY.md`, "Chain ordering cost"): 64 GMCs that all carry the same subject
//! and issuer peer name, the same key and a signature by that key, so that every
//! certificate's issuer name matches every other certificate's subject name and every such
//! signature verifies. Timed for an RSA-4096 key (made by OpenSSL; peernet signs with it)
//! and a P-256 key.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use peernet_crypto::cert::{GmcParams, GrcParams, Validity};
use peernet_crypto::chain::{order_chain, order_chain_counted};
use peernet_crypto::{PrivateKey, Profile, Role};

/// Certificates in the set.
const N: usize = 64;

/// `N` same-named GMCs, each signed by `key` and carrying `key`.
fn same_named_set(key: &PrivateKey) -> Vec<Vec<u8>> {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let validity = Validity::infinite(t0).expect("validity");
    let name = key.peer_name("group").expect("peer name");
    let grc = GrcParams {
        group_peer_name: name.clone(),
        friendly_name: "Group".into(),
        validity,
        serial: [1; 16],
    }
    .issue(key)
    .expect("GRC");
    (0..N)
        .map(|i| {
            let mut serial = [0x22; 16];
            serial[15] = u8::try_from(i).expect("N < 256");
            GmcParams {
                subject_public_key: key.public_key_der().to_vec(),
                subject_peer_name: name.clone(),
                subject_friendly_name: format!("Member {i}"),
                roles: vec![Role::ADMIN],
                classifiers: Vec::new(),
                validity,
                serial,
            }
            .issue(&grc, key)
            .expect("GMC")
            .der()
            .to_vec()
        })
        .collect()
}

/// Median wall time of `runs` calls.
fn median_time(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// The Markdown table: key, outcome, median time of one `order_chain` call.
pub fn worst_case() -> String {
    let rsa = Rsa::generate(4096).expect("RSA-4096");
    let p8 = PKey::from_rsa(rsa)
        .expect("PKey")
        .private_key_to_pkcs8()
        .expect("PKCS#8");
    let keys = [
        (
            "RSA-4096",
            PrivateKey::from_pkcs8_der(&p8).expect("RSA-4096 key"),
        ),
        (
            "P-256",
            PrivateKey::generate_from_seed(Profile::Modern, [3; 32]).expect("P-256 key"),
        ),
    ];
    let mut out = String::from(
        "| key | certificates | outcome | signature verifications | median time per `order_chain` call | runs |\n|---|---:|---|---:|---:|---:|\n",
    );
    for (what, key) in &keys {
        let set = same_named_set(key);
        let (result, verifications) = order_chain_counted(&set);
        let outcome = match result {
            Ok(c) => format!("ordered ({} certificates)", c.len()),
            Err(e) => format!("`{e}`"),
        };
        // A first call to see how long one takes; then enough runs for ~3 s, at least 3.
        let once = median_time(1, || {
            black_box(order_chain(black_box(&set)).ok());
        });
        let runs = ((3.0 / once) as usize).clamp(3, 1000);
        let t = median_time(runs, || {
            black_box(order_chain(black_box(&set)).ok());
        });
        eprintln!("order-chain {what}: {t:.6} s");
        out.push_str(&format!(
            "| {what} | {N} | {outcome} | {verifications} | {} | {runs} |\n",
            crate::fmt_time(t)
        ));
    }
    out
}
