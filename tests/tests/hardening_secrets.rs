//! Secrets: no private key is ever in the store's files in clear, exports carry keys only
//! encrypted, `Debug` of every secret-holding type is redacted, error messages never carry
//! a password, and the secret-holding types zeroize on drop (checked by type at compile time).

use std::path::Path;

use peernet::lower::crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet::lower::crypto::{PrivateKey, encrypted_key};
use peernet::lower::protocol::{GroupConfig, IdentityExport};
use peernet::lower::storage::{GroupSecrets, SecretUpdate, Zeroizing};
use peernet::{GroupProperties, Options, Peernet, Profile, Role, Secret};
use peernet_tests::der;
use peernet_tests::store::fast_options;
use zeroize::{Zeroize, ZeroizeOnDrop};

const EXPORT_PASSWORD: &str = "Exp0rt-pässwörd-7f3a";
const GROUP_PASSWORD: &str = "Gr0up-pässwörd-91bd";
const WRONG_PASSWORD: &str = "Wr0ng-pässwörd-c4e2";

// ---- compile-time zeroization checks ---------------------------------------------------

fn zeroize_on_drop<T: ZeroizeOnDrop + ?Sized>() {}
fn zeroizing<T: Zeroize>(_: &Zeroizing<T>) {}
fn zeroizing_opt<T: Zeroize>(_: &Option<Zeroizing<T>>) {}

#[test]
fn secret_holders_zeroize_on_drop() {
    // The key types `PrivateKey` (and so `IdentityKey`) hold: both wipe themselves.
    zeroize_on_drop::<rsa::pkcs1v15::SigningKey<sha1::Sha1>>();
    zeroize_on_drop::<rsa::RsaPrivateKey>();
    zeroize_on_drop::<p256::ecdsa::SigningKey>();
    zeroize_on_drop::<Zeroizing<Vec<u8>>>();
    zeroize_on_drop::<Zeroizing<String>>();
    // Every API that hands out secret bytes hands out `Zeroizing`.
    let dir = tempfile::tempdir().unwrap();
    let pn = Peernet::open_with(dir.path(), fast_options()).unwrap();
    let id = pn
        .identity_create(Some("z"), None, Some(Profile::Modern))
        .unwrap();
    let g = pn
        .group_create(&GroupProperties::new("zg", "Z").with_creator(&id))
        .unwrap();
    let key = pn.identity_get_crypt_key(&id).unwrap();
    let pkcs8 = key.private_key().to_pkcs8_der().unwrap();
    zeroizing(&pkcs8);
    zeroizing(&pn.store().identity_private_key(&id).unwrap());
    zeroizing_opt(&pn.store().group_private_key(&id, g.peer_name()).unwrap());
    zeroizing_opt(
        &pn.store()
            .group_password_verifier(&id, g.peer_name())
            .unwrap(),
    );
    zeroizing(&peernet::password_hash_string(&"x".into()));
    let blob = encrypted_key::seal(&pkcs8, "pw", 1).unwrap();
    zeroizing(&encrypted_key::open(&blob, "pw").unwrap());
    let pfx = pkcs12::write(
        &[pn.identity_details(&id).unwrap().idc],
        &pkcs8,
        "pw",
        &Pkcs12WriteOptions::new(Pkcs12Profile::Modern).with_iterations(1),
    )
    .unwrap();
    let contents = pkcs12::read(&pfx, "pw").unwrap();
    zeroizing(&contents.private_key);
    // `Secret` (group passwords) is `ZeroizeOnDrop`: a newtype over `Zeroizing<String>`
    // (private field), same size, needs drop.
    zeroize_on_drop::<Secret>();
    assert_eq!(
        std::mem::size_of::<Secret>(),
        std::mem::size_of::<Zeroizing<String>>()
    );
    const { assert!(std::mem::needs_drop::<Secret>()) };
    const { assert!(std::mem::needs_drop::<peernet::IdentityKey>()) };
    const { assert!(std::mem::needs_drop::<PrivateKey>()) };
}

// ---- the store with every kind of secret -------------------------------------------------

struct Secrets {
    /// Byte strings that must never appear: PKCS#8 documents and their key material.
    needles: Vec<(String, Vec<u8>)>,
}

/// The private key material inside a PKCS#8 PrivateKeyInfo: RSA d, p, q, dP, dQ, qInv; the
/// EC scalar.
fn key_material(pkcs8: &[u8]) -> Vec<Vec<u8>> {
    let pki = der::parse(pkcs8).expect("PKCS#8");
    let inner = pki.children()[2].body();
    let key = der::parse(inner).expect("inner key");
    let c = key.children();
    let strip = |b: &[u8]| {
        b.iter()
            .skip_while(|x| **x == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    if c.len() >= 9 {
        c[3..9].iter().map(|n| strip(n.body())).collect()
    } else {
        vec![c[1].body().to_vec()]
    }
}

impl Secrets {
    fn add_key(&mut self, what: &str, pkcs8: &[u8]) {
        self.needles
            .push((format!("{what} PKCS#8"), pkcs8.to_vec()));
        for (i, m) in key_material(pkcs8).into_iter().enumerate() {
            assert!(m.len() >= 16);
            self.needles.push((format!("{what} key material {i}"), m));
        }
    }

    fn add_text(&mut self, what: &str, text: &str) {
        self.needles
            .push((what.to_owned(), text.as_bytes().to_vec()));
    }

    fn find_in(&self, hay: &[u8]) -> Vec<String> {
        self.needles
            .iter()
            .filter(|(_, n)| hay.windows(n.len()).any(|w| w == n.as_slice()))
            .map(|(w, _)| w.clone())
            .collect()
    }

    /// Textual forms of every needle: hex (both cases), base64, Debug byte lists.
    fn text_forms(&self) -> Vec<(String, String)> {
        use std::fmt::Write as _;
        let mut v = Vec::new();
        for (what, n) in &self.needles {
            if let Ok(s) = std::str::from_utf8(n)
                && !n.is_empty()
                && n.iter().all(u8::is_ascii_graphic)
            {
                v.push((what.clone(), s.to_owned()));
            }
            let h = hex::encode(&n[..16.min(n.len())]);
            v.push((format!("{what} (hex)"), h.clone()));
            v.push((format!("{what} (HEX)"), h.to_uppercase()));
            let mut list = String::new();
            for b in &n[..12.min(n.len())] {
                let _ = write!(list, "{b}, ");
            }
            v.push((format!("{what} (Debug bytes)"), list));
            v.push((format!("{what} (base64)"), base64_prefix(n)));
        }
        v
    }
}

fn base64_prefix(n: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in n[..18.min(n.len()) / 3 * 3].chunks(3) {
        let v = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
        for i in (0..4).rev() {
            out.push(char::from(A[((v >> (6 * i)) & 63) as usize]));
        }
    }
    out
}

struct Populated {
    _dir: tempfile::TempDir,
    pn: Peernet,
    secrets: Secrets,
    identity_export: String,
    config_export: String,
    ids: Vec<String>,
    groups: Vec<(String, String)>,
}

fn populated() -> Populated {
    let dir = tempfile::tempdir().unwrap();
    // A directory peernet creates itself (an existing one keeps its mode, docs/STORAGE.md).
    let pn = Peernet::open_with(dir.path().join("store"), fast_options()).unwrap();
    let win = pn
        .identity_create(Some("win"), Some("Win"), Some(Profile::Windows))
        .unwrap();
    let modern = pn
        .identity_create(Some("modern"), Some("Modern"), Some(Profile::Modern))
        .unwrap();
    let g1 = pn
        .group_create(
            &GroupProperties::new("pwgroup", "Password group")
                .with_creator(&win)
                .with_password(GROUP_PASSWORD, Role::MEMBER),
        )
        .unwrap();
    let g2 = pn
        .group_create(&GroupProperties::new("mgroup", "Modern group").with_creator(&modern))
        .unwrap();
    // An identity and a config arriving from another store.
    let other = tempfile::tempdir().unwrap();
    let pn2 = Peernet::open_with(other.path(), fast_options()).unwrap();
    let far = pn2
        .identity_create(Some("far"), None, Some(Profile::Windows))
        .unwrap();
    let g3 = pn2
        .group_create(&GroupProperties::new("fargroup", "Far").with_creator(&far))
        .unwrap();
    let far_export = pn2.identity_export(&far, &EXPORT_PASSWORD.into()).unwrap();
    let far_config = g3.export_config(&EXPORT_PASSWORD.into()).unwrap();
    pn.identity_import(&far_export, &EXPORT_PASSWORD.into())
        .unwrap();
    pn.group_import_config(&far_config, &EXPORT_PASSWORD.into(), false)
        .unwrap();
    // Invite modern into the windows-profile group? Profiles differ; invite win into g2 is
    // also cross-profile: join `far` (windows) into g1 (windows).
    let inv = g1
        .create_invitation(
            &pn.identity_get_xml(Some(&far)).unwrap(),
            None,
            &[Role::MEMBER],
        )
        .unwrap();
    pn.group_join(Some(&far), &inv, None).unwrap();

    let ids = vec![win.clone(), modern.clone(), far.clone()];
    let groups = vec![
        (win.clone(), g1.peer_name().to_owned()),
        (modern.clone(), g2.peer_name().to_owned()),
        (far.clone(), g3.peer_name().to_owned()),
        (far.clone(), g1.peer_name().to_owned()),
    ];
    let mut secrets = Secrets {
        needles: Vec::new(),
    };
    for id in &ids {
        let k = pn.identity_get_crypt_key(id).unwrap();
        secrets.add_key(
            &format!("identity {id}"),
            &k.private_key().to_pkcs8_der().unwrap(),
        );
    }
    for (id, g) in &groups {
        if let Some(k) = pn.store().group_private_key(id, g).unwrap() {
            secrets.add_key(&format!("group key {g}"), &k);
        }
    }
    let verifier = pn
        .store()
        .group_password_verifier(&win, g1.peer_name())
        .unwrap()
        .expect("verifier");
    secrets
        .needles
        .push(("password verifier".into(), verifier.to_vec()));
    secrets.add_text("group password", GROUP_PASSWORD);
    secrets.add_text("export password", EXPORT_PASSWORD);
    let store_key = std::fs::read(pn.store().dir().join("store.key")).unwrap();
    secrets.needles.push(("store.key".into(), store_key));
    let identity_export = pn.identity_export(&win, &EXPORT_PASSWORD.into()).unwrap();
    let config_export = g1.export_config(&EXPORT_PASSWORD.into()).unwrap();
    Populated {
        _dir: dir,
        pn,
        secrets,
        identity_export,
        config_export,
        ids,
        groups,
    }
}

fn store_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["store.db", "store.db-wal", "store.db-shm"]
        .iter()
        .filter_map(|f| std::fs::read(dir.join(f)).ok().map(|b| (f.to_string(), b)))
        .collect()
}

#[test]
fn no_private_key_in_the_store_files() {
    let p = populated();
    let dir = p.pn.store().dir().to_path_buf();
    // Positive control: the scanner finds each needle planted in noise.
    for (what, n) in &p.secrets.needles {
        let planted = [&[0u8; 7][..], n, &[1u8; 5]].concat();
        assert!(
            !p.secrets.find_in(&planted).is_empty(),
            "{what} not found when planted"
        );
    }
    // While open (WAL and SHM present) and after closing (checkpointed).
    let mut scanned = Vec::new();
    for (name, bytes) in store_files(&dir) {
        let found = p.secrets.find_in(&bytes);
        assert!(found.is_empty(), "{name} (open) contains {found:?}");
        scanned.push(format!("{name} {} bytes", bytes.len()));
    }
    assert!(
        scanned.iter().any(|s| s.starts_with("store.db-wal")),
        "{scanned:?}"
    );
    drop(p.pn);
    for (name, bytes) in store_files(&dir) {
        let found = p.secrets.find_in(&bytes);
        assert!(found.is_empty(), "{name} (closed) contains {found:?}");
    }
    eprintln!(
        "scanned {scanned:?} for {} secrets ({} identities, {} memberships)",
        p.secrets.needles.len(),
        p.ids.len(),
        p.groups.len()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "store directory mode");
        assert_eq!(mode(&dir.join("store.key")), 0o600, "store.key mode");
        assert_eq!(
            mode(&dir.join("store.db")) & 0o077,
            0,
            "store.db readable by others"
        );
    }
}

#[test]
fn exports_carry_keys_only_encrypted() {
    let p = populated();
    let found = p.secrets.find_in(p.identity_export.as_bytes());
    assert!(found.is_empty(), "identity export text contains {found:?}");
    let doc = IdentityExport::parse_str(&p.identity_export).unwrap();
    let found = p.secrets.find_in(&doc.data);
    assert!(found.is_empty(), "the PFX contains {found:?}");
    let found = p.secrets.find_in(p.config_export.as_bytes());
    assert!(found.is_empty(), "config export text contains {found:?}");
    let cfg = GroupConfig::parse_str(&p.config_export).unwrap();
    let key = cfg.group_key.expect("owner's export carries GROUPKEY");
    let found = p.secrets.find_in(&key);
    assert!(found.is_empty(), "GROUPKEY contains {found:?}");
    // And the modern profile's PFX.
    let modern =
        p.pn.identity_export(&p.ids[1], &EXPORT_PASSWORD.into())
            .unwrap();
    let doc = IdentityExport::parse_str(&modern).unwrap();
    assert!(p.secrets.find_in(&doc.data).is_empty());
}

#[test]
fn debug_output_is_redacted() {
    let p = populated();
    let forms = p.secrets.text_forms();
    let pn = &p.pn;
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut add = |what: &str, s: String| outputs.push((what.to_owned(), s));
    for id in &p.ids {
        let k = pn.identity_get_crypt_key(id).unwrap();
        add("IdentityKey", format!("{k:?} {k:#?}"));
        add(
            "PrivateKey",
            format!("{:?} {:#?}", k.private_key(), k.private_key()),
        );
        let pkcs8 = k.private_key().to_pkcs8_der().unwrap();
        let pfx = pkcs12::write(
            &[pn.identity_details(id).unwrap().idc],
            &pkcs8,
            EXPORT_PASSWORD,
            &Pkcs12WriteOptions::new(Pkcs12Profile::Modern).with_iterations(1),
        )
        .unwrap();
        let c = pkcs12::read(&pfx, EXPORT_PASSWORD).unwrap();
        add("Pkcs12Contents", format!("{c:?} {c:#?}"));
    }
    add("Store", format!("{:?} {:#?}", pn.store(), pn.store()));
    add("Peernet", format!("{pn:?} {pn:#?}"));
    add("Options", format!("{:?}", Options::default()));
    let secret = Secret::new(GROUP_PASSWORD);
    add("Secret", format!("{secret:?} {secret:#?}"));
    let props = GroupProperties::new("c", "f").with_password(GROUP_PASSWORD, Role::MEMBER);
    add("GroupProperties", format!("{props:?} {props:#?}"));
    for (id, g) in &p.groups {
        let group = pn.group_open(id, g, None).unwrap();
        add("Group", format!("{group:?} {group:#?}"));
        add(
            "GroupProperties (read)",
            format!("{:?}", group.get_properties().unwrap()),
        );
        add(
            "storage::Group",
            format!("{:?}", pn.store().group(id, g).unwrap()),
        );
        if let Some(k) = pn.store().group_private_key(id, g).unwrap() {
            let gs = GroupSecrets {
                group_key: Some(&k),
                password_verifier: Some(&k),
            };
            add("GroupSecrets", format!("{gs:?} {gs:#?}"));
            add("SecretUpdate", format!("{:?}", SecretUpdate::Set(&k)));
        }
    }
    for id in &p.ids {
        add(
            "storage::Identity",
            format!("{:?}", pn.store().identity(id).unwrap()),
        );
    }
    let mut leaks = Vec::new();
    for (what, out) in &outputs {
        for (needle_what, needle) in &forms {
            if needle.len() >= 8 && out.contains(needle.as_str()) {
                leaks.push(format!("{what} Debug shows {needle_what}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    assert!(outputs.len() >= 20);
}

#[test]
fn errors_never_carry_a_password() {
    let p = populated();
    let pn = &p.pn;
    let other = tempfile::tempdir().unwrap();
    let fresh = Peernet::open_with(other.path(), fast_options()).unwrap();
    let mut errors: Vec<peernet::Error> = Vec::new();
    // Wrong export password (identity and configuration).
    errors.push(
        fresh
            .identity_import(&p.identity_export, &WRONG_PASSWORD.into())
            .unwrap_err(),
    );
    let id = fresh
        .identity_import(&p.identity_export, &EXPORT_PASSWORD.into())
        .unwrap();
    errors.push(
        fresh
            .group_import_config(&p.config_export, &WRONG_PASSWORD.into(), false)
            .unwrap_err(),
    );
    // Wrong group password against the local verifier.
    let g1 = pn.group_open(&p.groups[0].0, &p.groups[0].1, None).unwrap();
    let pw_inv = g1.create_password_invitation().unwrap();
    errors.push(
        pn.group_password_join(Some(&p.ids[1]), &pw_inv, &WRONG_PASSWORD.into(), None)
            .unwrap_err(),
    );
    // Export with an empty password.
    errors.push(pn.identity_export(&p.ids[0], &"".into()).unwrap_err());
    let _ = id;
    let codes: Vec<String> = errors
        .iter()
        .map(|e| format!("{:?}", e.hresult()))
        .collect();
    assert!(codes[0].starts_with("ERROR_INVALID_PASSWORD"), "{codes:?}");
    assert!(codes[1].starts_with("ERROR_INVALID_PASSWORD"), "{codes:?}");
    assert!(codes[2].starts_with("ERROR_INVALID_PASSWORD"), "{codes:?}");
    for e in &errors {
        let mut texts = vec![e.to_string(), format!("{e:?}"), format!("{e:#?}")];
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            texts.push(s.to_string());
            texts.push(format!("{s:?}"));
            src = s.source();
        }
        for t in texts {
            for pw in [EXPORT_PASSWORD, GROUP_PASSWORD, WRONG_PASSWORD] {
                assert!(!t.contains(pw), "an error shows a password: {t}");
            }
        }
    }
}
