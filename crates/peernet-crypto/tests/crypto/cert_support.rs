//! Shared helpers for the certificate, chain and peer-name integration tests: a small
//! deterministic PKI per profile (keys from seeded RNGs, fixed clock, fixed serials).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use peernet_crypto::cert::{CertificateBuilder, GmcParams, GrcParams, IdcParams, Validity};
use peernet_crypto::chain::ChainPolicy;
use peernet_crypto::{Certificate, Error, PeerName, PrivateKey, Profile, Role};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// 2026-01-01T00:00:00Z, the fixed clock of every test.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// "Now" for validation: one day after `t0`.
pub fn now() -> SystemTime {
    t0() + Duration::from_secs(86_400)
}

/// A deterministic serial for certificate number `i`.
pub fn serial(i: u8) -> [u8; 16] {
    let mut s = [0x11u8; 16];
    s[15] = i;
    s
}

/// Keys and names of one test PKI.
pub struct Pki {
    pub profile: Profile,
    pub group_key: PrivateKey,
    /// Member keys, reused round-robin across long chains.
    pub keys: Vec<PrivateKey>,
    /// An unrelated key (foreign certificates, wrong signers).
    pub stranger: PrivateKey,
    pub group: PeerName,
}

fn key(profile: Profile, seed: u8) -> PrivateKey {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    PrivateKey::generate_with_rng(profile, &mut rng).unwrap()
}

impl Pki {
    /// The shared PKI of `profile` (keys generated once per test binary).
    pub fn get(profile: Profile) -> &'static Pki {
        static WIN: OnceLock<Pki> = OnceLock::new();
        static MODERN: OnceLock<Pki> = OnceLock::new();
        let cell = match profile {
            Profile::Windows => &WIN,
            _ => &MODERN,
        };
        cell.get_or_init(|| {
            let group_key = key(profile, 1);
            let group = group_key.peer_name("testgroup").unwrap();
            Pki {
                profile,
                keys: (2..5).map(|s| key(profile, s)).collect(),
                stranger: key(profile, 9),
                group_key,
                group,
            }
        })
    }

    /// Both profiles.
    pub fn both() -> [&'static Pki; 2] {
        [Pki::get(Profile::Windows), Pki::get(Profile::Modern)]
    }

    /// Key of chain position `i` (0 = group key).
    pub fn key(&self, i: usize) -> &PrivateKey {
        if i == 0 {
            &self.group_key
        } else {
            &self.keys[(i - 1) % self.keys.len()]
        }
    }

    /// Member peer name of chain position `i`.
    pub fn member_name(&self, i: usize) -> PeerName {
        self.key(i).peer_name(&format!("member{i}")).unwrap()
    }

    pub fn validity(&self) -> Validity {
        Validity::infinite(t0()).unwrap()
    }

    pub fn grc_params(&self) -> GrcParams {
        GrcParams {
            group_peer_name: self.group.clone(),
            friendly_name: "Test Group".into(),
            validity: self.validity(),
            serial: serial(0),
        }
    }

    pub fn grc(&self) -> Certificate {
        self.grc_params().issue(&self.group_key).unwrap()
    }

    pub fn gmc_params(&self, i: usize, roles: &[Role], classifiers: &[&str]) -> GmcParams {
        GmcParams {
            subject_public_key: self.key(i).public_key_der().to_vec(),
            subject_peer_name: self.member_name(i),
            subject_friendly_name: format!("Member {i}"),
            roles: roles.to_vec(),
            classifiers: classifiers.iter().map(|s| s.to_string()).collect(),
            validity: self.validity(),
            serial: serial(i as u8),
        }
    }

    /// Builder of the GMC at position `i` under `parent`.
    pub fn gmc_builder(
        &self,
        i: usize,
        parent: &Certificate,
        roles: &[Role],
        classifiers: &[&str],
    ) -> CertificateBuilder {
        self.gmc_params(i, roles, classifiers)
            .builder(parent)
            .unwrap()
    }

    /// Sign a builder for position `i` with the issuer's key (position `i - 1`).
    pub fn sign_at(&self, i: usize, b: &CertificateBuilder) -> Certificate {
        b.sign(self.key(i - 1)).unwrap()
    }

    /// GRC, then `len - 1` GMCs: Admins with empty lists, the leaf with `leaf_role`
    /// (classifiers per PPSEC 2.2.5.3).
    pub fn chain(&self, len: usize, leaf_role: Role) -> Vec<Certificate> {
        let mut chain = vec![self.grc()];
        for i in 1..len {
            let role = if i + 1 == len { leaf_role } else { Role::ADMIN };
            let cls: Vec<String> = role.default_classifiers();
            let cls: Vec<&str> = cls.iter().map(String::as_str).collect();
            let b = self.gmc_builder(i, &chain[i - 1], &[role], &cls);
            chain.push(self.sign_at(i, &b));
        }
        chain
    }

    /// Replace the leaf of `chain` by a re-signed, modified copy.
    pub fn with_leaf(
        &self,
        mut chain: Vec<Certificate>,
        roles: &[Role],
        classifiers: &[&str],
        f: impl FnOnce(&mut CertificateBuilder),
    ) -> Vec<Certificate> {
        let i = chain.len() - 1;
        let mut b = self.gmc_builder(i, &chain[i - 1], roles, classifiers);
        f(&mut b);
        chain[i] = self.sign_at(i, &b);
        chain
    }

    /// A 3-certificate chain GRC → Admin → Member whose leaf is modified by `f`.
    pub fn bad_leaf(&self, f: impl FnOnce(&mut CertificateBuilder)) -> Vec<Certificate> {
        self.with_leaf(
            self.chain(3, Role::MEMBER),
            &[Role::MEMBER],
            &["participant"],
            f,
        )
    }

    pub fn policy(&self) -> ChainPolicy<'static> {
        ChainPolicy::new(self.profile, now())
    }

    pub fn idc_params(&self, i: usize) -> IdcParams {
        IdcParams {
            peer_name: self.member_name(i),
            friendly_name: format!("Identity {i}"),
            validity: self.validity(),
            serial: serial(100 + i as u8),
        }
    }
}

/// Assert that `r` failed with the rule `rule`.
#[track_caller]
pub fn assert_rule<T: std::fmt::Debug, E: Into<Error>>(r: Result<T, E>, rule: &str) {
    match r {
        Ok(v) => panic!("expected a {rule} failure, got Ok({v:?})"),
        Err(e) => {
            let e: Error = e.into();
            assert_eq!(e.rule(), Some(rule), "expected rule {rule}, got {e:?}: {e}");
            assert!(
                e.to_string().starts_with(rule) || rule.starts_with('I'),
                "message should start with the rule id: {e}"
            );
        }
    }
}

/// An otherName GeneralNames value with an arbitrary UCS-4 string and type-id (DER content bytes).
pub fn other_names(type_id: &[u8], texts: &[&str]) -> Vec<u8> {
    let mut all = Vec::new();
    for t in texts {
        let ucs: Vec<u8> = t.chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let s = tlv(0x1c, &ucs);
        let inner = [tlv(0x06, type_id), tlv(0xa0, &s)].concat();
        all.extend(tlv(0xa0, &inner));
    }
    tlv(0x30, &all)
}

/// DER TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The committed fixture directory (`fixtures/` at the workspace root).
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The DER files of `fixtures/der/<profile>/chain-<len>/`, root first (file-name order).
pub fn fixture_chain(profile: Profile, len: usize) -> Vec<Vec<u8>> {
    let d = fixtures_dir()
        .join("der")
        .join(profile.as_str())
        .join(format!("chain-{len}"));
    let mut names: Vec<_> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask fixtures`)", d.display()))
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}
