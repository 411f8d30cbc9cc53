//! The committed fixture chains (`fixtures/der/`, made by `cargo xtask fixtures`) validate:
//! chains of 1, 2 and 25 pass, 26 fails with S1 (PEER_E_CHAIN_TOO_LONG); every chain is also
//! rebuilt from a shuffled set.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use peernet_crypto::chain::{ChainPolicy, order_chain, validate_chain, validate_idc};
use peernet_crypto::{Certificate, ChainError, Profile};

use crate::cert_support::{fixture_chain as load, fixtures_dir};

fn dir(profile: Profile) -> PathBuf {
    fixtures_dir().join("der").join(profile.as_str())
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3600)
}

#[test]
fn fixture_chains_validate() {
    for profile in [Profile::Windows, Profile::Modern] {
        for len in [1, 2, 25] {
            let ders = load(profile, len);
            assert_eq!(ders.len(), len);
            let chain: Vec<Certificate> = ders
                .iter()
                .map(|d| Certificate::from_der(d).unwrap())
                .collect();
            let leaf = chain[len - 1].public_key_der().to_vec();
            let policy = ChainPolicy::new(profile, now())
                .leaf_public_key(&leaf)
                .classifier("participant");
            validate_chain(&chain, &policy)
                .unwrap_or_else(|e| panic!("{profile} chain-{len}: {e}"));
            // The other profile's group refuses it.
            let other = if profile == Profile::Windows {
                Profile::Modern
            } else {
                Profile::Windows
            };
            assert_eq!(
                validate_chain(&chain, &ChainPolicy::new(other, now()))
                    .unwrap_err()
                    .rule(),
                Some("S3")
            );
            // Reversed input is put back in order.
            let mut rev = ders.clone();
            rev.reverse();
            assert_eq!(order_chain(&rev).unwrap(), chain);
        }
    }
}

#[test]
fn fixture_chain_26_is_too_long() {
    for profile in [Profile::Windows, Profile::Modern] {
        let ders = load(profile, 26);
        let chain = order_chain(&ders).unwrap();
        let r = validate_chain(&chain, &ChainPolicy::new(profile, now()));
        assert!(
            matches!(r, Err(ChainError::ChainTooLong { len: 26 })),
            "{r:?}"
        );
    }
}

#[test]
fn fixture_idc_validates() {
    for profile in [Profile::Windows, Profile::Modern] {
        let idc =
            Certificate::from_der(&std::fs::read(dir(profile).join("idc.der")).unwrap()).unwrap();
        validate_idc(&idc, profile, now()).unwrap();
    }
}
