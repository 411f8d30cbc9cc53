//! Criterion benchmarks: key generation in both profiles, and GMC chain validation of 2 and
//! 25 certificates in both profiles (every signature verified).

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use peernet_crypto::cert::{GmcParams, GrcParams, Validity};
use peernet_crypto::chain::{ChainPolicy, order_chain, validate_chain};
use peernet_crypto::{Certificate, PrivateKey, Profile, Role};

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn chain(profile: Profile, len: usize) -> Vec<Certificate> {
    let group = PrivateKey::generate_from_seed(profile, [1; 32]).unwrap();
    let keys: Vec<PrivateKey> = (2..5)
        .map(|s| PrivateKey::generate_from_seed(profile, [s; 32]).unwrap())
        .collect();
    let validity = Validity::infinite(t0()).unwrap();
    let name = group.peer_name("bench").unwrap();
    let grc = GrcParams {
        group_peer_name: name,
        friendly_name: "Bench".into(),
        validity,
        serial: [0x11; 16],
    }
    .issue(&group)
    .unwrap();
    let mut out = vec![grc];
    for i in 1..len {
        let key = &keys[(i - 1) % 3];
        let issuer = if i == 1 { &group } else { &keys[(i - 2) % 3] };
        let role = if i + 1 == len {
            Role::MEMBER
        } else {
            Role::ADMIN
        };
        let mut serial = [0x22; 16];
        serial[15] = i as u8;
        let p = GmcParams {
            subject_public_key: key.public_key_der().to_vec(),
            subject_peer_name: key.peer_name(&format!("m{i}")).unwrap(),
            subject_friendly_name: format!("Member {i}"),
            roles: vec![role],
            classifiers: role.default_classifiers(),
            validity,
            serial,
        };
        let c = p.issue(&out[i - 1], issuer).unwrap();
        out.push(c);
    }
    out
}

fn keygen(c: &mut Criterion) {
    let mut g = c.benchmark_group("keygen");
    g.sample_size(10);
    g.bench_function("windows-rsa1024", |b| {
        b.iter(|| PrivateKey::generate(black_box(Profile::Windows)).unwrap())
    });
    g.bench_function("modern-p256", |b| {
        b.iter(|| PrivateKey::generate(black_box(Profile::Modern)).unwrap())
    });
    g.finish();
}

fn validation(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_chain");
    let now = t0() + Duration::from_secs(3600);
    for profile in [Profile::Windows, Profile::Modern] {
        for len in [2usize, 25] {
            let ch = chain(profile, len);
            let policy = ChainPolicy::new(profile, now).classifier("participant");
            g.bench_function(format!("{profile}-{len}"), |b| {
                b.iter(|| validate_chain(black_box(&ch), &policy).unwrap())
            });
            let ders: Vec<Vec<u8>> = ch.iter().rev().map(|c| c.der().to_vec()).collect();
            g.bench_function(format!("{profile}-{len}-order+validate"), |b| {
                b.iter(|| validate_chain(&order_chain(black_box(&ders)).unwrap(), &policy).unwrap())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, keygen, validation);
criterion_main!(benches);
