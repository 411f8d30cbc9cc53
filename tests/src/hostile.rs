//! The hostile corpus `fixtures/hostile/`: a deterministic generator (fixed seeds, a fixed
//! clock, seeded salts) of documents that break one rule each, with the manifest that
//! names the facade entry point and the HRESULT each must produce.
//!
//! `cargo xtask fixtures` writes it like every other generated fixture (the xtask generator
//! "hostile" owns `fixtures/hostile/` and calls [`generate`]); `cargo xtask fixtures --check`,
//! which `cargo test --workspace` also runs, fails when the committed files differ.
//! `tests/tests/hardening_corpus.rs` (and the CLI's and C ABI's) feed every row to the facade.
//!
//! Every document is built from the corpus' own keys: an identity "owner" (in the store the
//! test prepares from `base/identity.xml`), the group "corpus" that owner created
//! (`base/group.xml`, with its GROUPKEY), the group "invite" whose invitations name owner,
//! and foreign keys for the defects. All windows profile (RSA-1024, SHA-1): the profile of
//! MS-PNRP, and the one whose RSA private-key operations RUSTSEC-2023-0071 concerns.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use peernet_crypto::cert::{CertificateBuilder, GmcParams, GrcParams, IdcParams, Validity};
use peernet_crypto::pkcs12::{self, Pkcs12Profile, Pkcs12WriteOptions};
use peernet_crypto::{
    Certificate, PeerName, PrivateKey, Profile, Role, SignatureAlgorithm, encrypted_key, oid, pkcs7,
};
use peernet_protocol::{
    GmcInvitation, GroupConfig, IdentityExport, IdentityInfo, Invitation, InvitationVersion, Scope,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::der::{self, Node, Pfx};

/// The committed corpus directory, `fixtures/hostile/`.
pub fn corpus_dir() -> std::path::PathBuf {
    crate::store::workspace_root().join("fixtures/hostile")
}

/// The password of every identity export and GROUPKEY in the corpus.
pub const PASSWORD: &str = "hostile corpus pässword";
/// Another password, for "encrypted under a different password" cases.
pub const OTHER_PASSWORD: &str = "not the corpus password";
/// Iterations of the corpus' PFX and GROUPKEY encryption (low: the corpus runs in CI).
pub const ITERATIONS: u32 = 64;

/// Imports the corpus' base identity and group (`base/identity.xml`, `base/group.xml`)
/// into `pn`: (owner peer name, group peer name).
///
/// # Panics
/// When a base document cannot be read or imported.
pub fn import_base(pn: &peernet::Peernet) -> (String, String) {
    let read = |f: &str| std::fs::read_to_string(corpus_dir().join(f)).expect("base document");
    let owner = pn
        .identity_import(&read("base/identity.xml"), &PASSWORD.into())
        .expect("base identity");
    let group = pn
        .group_import_config(&read("base/group.xml"), &PASSWORD.into(), false)
        .expect("base group")
        .group_peer_name;
    (owner, group)
}

/// Fails listing every failure when any of the `rows` corpus rows misbehaved.
///
/// # Panics
/// When `failures` is not empty.
pub fn assert_no_failures(failures: &[String], rows: usize) {
    assert!(
        failures.is_empty(),
        "{} of {} rows misbehaved:\n  {}",
        failures.len(),
        rows,
        failures.join("\n  ")
    );
}

/// The facade entry point a row feeds its file to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// `Peernet::identity_import(xml, PASSWORD)`.
    IdentityImport,
    /// `Peernet::group_import_config(xml, PASSWORD, false)`.
    ImportConfig,
    /// `Peernet::group_join(Some(owner), xml, None)`.
    Join,
    /// `Peernet::group_parse_invitation(xml)`.
    ParseInvitation,
    /// `Group::create_invitation(xml, None, &[Role::MEMBER])` on owner's group "corpus".
    CreateInvitation,
}

impl Entry {
    /// The manifest's name of the entry point.
    pub fn name(self) -> &'static str {
        match self {
            Entry::IdentityImport => "identity_import",
            Entry::ImportConfig => "group_import_config",
            Entry::Join => "group_join",
            Entry::ParseInvitation => "group_parse_invitation",
            Entry::CreateInvitation => "create_invitation",
        }
    }

    /// The entry point named `s` in the manifest.
    pub fn from_name(s: &str) -> Option<Entry> {
        [
            Entry::IdentityImport,
            Entry::ImportConfig,
            Entry::Join,
            Entry::ParseInvitation,
            Entry::CreateInvitation,
        ]
        .into_iter()
        .find(|e| e.name() == s)
    }
}

/// One manifest row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// File, relative to `fixtures/hostile/`.
    pub file: String,
    /// Entry point.
    pub entry: Entry,
    /// Expected HRESULT name (`S_OK` for inputs that must be accepted without a store change).
    pub expected: String,
    /// What is wrong with the input.
    pub note: String,
}

/// The generated corpus: every file (relative to `fixtures/hostile/`) with its bytes.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Files, including `manifest.txt` and `README.md`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The manifest rows.
    pub rows: Vec<Row>,
}

impl Corpus {
    fn add(&mut self, file: &str, bytes: impl Into<Vec<u8>>, rows: &[(Entry, &str)], note: &str) {
        let prev = self.files.insert(file.to_owned(), bytes.into());
        assert!(prev.is_none(), "duplicate corpus file {file}");
        for (entry, expected) in rows {
            self.rows.push(Row {
                file: file.to_owned(),
                entry: *entry,
                expected: (*expected).to_owned(),
                note: note.to_owned(),
            });
        }
    }
}

/// Parses `manifest.txt`: `file entry HRESULT # note` per line; `#` lines are comments.
pub fn parse_manifest(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (fields, note) = l.split_once(" # ").unwrap_or((l, ""));
            let f: Vec<&str> = fields.split_whitespace().collect();
            assert_eq!(f.len(), 3, "bad manifest line: {l}");
            Row {
                file: f[0].to_owned(),
                entry: Entry::from_name(f[1]).unwrap_or_else(|| panic!("bad entry in {l}")),
                expected: f[2].to_owned(),
                note: note.to_owned(),
            }
        })
        .collect()
}

/// The corpus clock: 2026-01-01T00:00:00Z.
pub fn corpus_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn at(year_offset_days: i64) -> SystemTime {
    if year_offset_days >= 0 {
        corpus_now() + Duration::from_secs(year_offset_days as u64 * 86_400)
    } else {
        corpus_now() - Duration::from_secs((-year_offset_days) as u64 * 86_400)
    }
}

fn key(tag: u8) -> PrivateKey {
    let mut seed = [0u8; 32];
    seed[0] = tag;
    seed[1..9].copy_from_slice(b"hostile!");
    PrivateKey::generate_from_seed(Profile::Windows, seed).expect("seeded key")
}

fn rng(tag: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([tag; 32])
}

/// The corpus' cast: keys, names and certificates.
struct Cast {
    owner: PrivateKey,
    owner_name: PeerName,
    owner_idc: Certificate,
    group: PrivateKey,
    group_name: PeerName,
    grc: Certificate,
    owner_gmc: Certificate,
    invite: PrivateKey,
    invite_name: PeerName,
    invite_grc: Certificate,
    admin: PrivateKey,
    member: PrivateKey,
    other: PrivateKey,
    other_idc: Certificate,
    wrong: PrivateKey,
    serial: std::cell::Cell<u32>,
}

fn infinite() -> Validity {
    Validity::infinite(corpus_now()).expect("validity")
}

impl Cast {
    fn new() -> Cast {
        let owner = key(1);
        let group = key(2);
        let invite = key(3);
        let admin = key(4);
        let member = key(5);
        let other = key(6);
        let wrong = key(7);
        let owner_name = owner.peer_name("owner").expect("name");
        let group_name = group.peer_name("corpus").expect("name");
        let invite_name = invite.peer_name("invite").expect("name");
        let mut cast = Cast {
            owner_idc: idc(&owner, &owner_name, "Owner", infinite(), [0x10; 16]),
            other_idc: idc(
                &other,
                &other.peer_name("other").expect("name"),
                "Other",
                infinite(),
                [0x11; 16],
            ),
            grc: grc(&group, &group_name, "Corpus Group", [0x12; 16]),
            invite_grc: grc(&invite, &invite_name, "Invite Group", [0x13; 16]),
            owner_gmc: idc(&owner, &owner_name, "x", infinite(), [0x14; 16]),
            owner,
            owner_name,
            group,
            group_name,
            invite,
            invite_name,
            admin,
            member,
            other,
            wrong,
            serial: std::cell::Cell::new(0x100),
        };
        cast.owner_gmc = cast.gmc(
            &cast.grc.clone(),
            &cast.group,
            &cast.owner_idc.clone(),
            &[Role::ADMIN],
        );
        cast
    }

    fn next_serial(&self) -> [u8; 16] {
        let n = self.serial.get();
        self.serial.set(n + 1);
        let mut s = [0x33u8; 16];
        s[12..].copy_from_slice(&n.to_be_bytes());
        s
    }

    fn params(&self, subject: &Certificate, roles: &[Role], issuer: &Certificate) -> GmcParams {
        let mut p = GmcParams::for_identity(subject, roles, issuer).expect("params");
        p.serial = self.next_serial();
        p.validity = infinite();
        p
    }

    /// A GMC for `subject`'s IDC under `issuer`, signed with `issuer_key`.
    fn gmc(
        &self,
        issuer: &Certificate,
        issuer_key: &PrivateKey,
        subject: &Certificate,
        roles: &[Role],
    ) -> Certificate {
        self.params(subject, roles, issuer)
            .issue(issuer, issuer_key)
            .expect("gmc")
    }

    /// The builder of such a GMC, to break one thing before signing.
    fn gmc_builder(
        &self,
        issuer: &Certificate,
        subject: &Certificate,
        roles: &[Role],
    ) -> CertificateBuilder {
        self.params(subject, roles, issuer)
            .builder(issuer)
            .expect("builder")
    }

    /// An IDC for one of the helper keys with `classifier`.
    fn helper_idc(&self, k: &PrivateKey, classifier: &str) -> Certificate {
        let name = k.peer_name(classifier).expect("name");
        idc(k, &name, classifier, infinite(), self.next_serial())
    }
}

fn idc(
    k: &PrivateKey,
    name: &PeerName,
    friendly: &str,
    v: Validity,
    serial: [u8; 16],
) -> Certificate {
    IdcParams {
        peer_name: name.clone(),
        friendly_name: friendly.into(),
        validity: v,
        serial,
    }
    .issue(k)
    .expect("idc")
}

fn grc(k: &PrivateKey, name: &PeerName, friendly: &str, serial: [u8; 16]) -> Certificate {
    GrcParams {
        group_peer_name: name.clone(),
        friendly_name: friendly.into(),
        validity: infinite(),
        serial,
    }
    .issue(k)
    .expect("grc")
}

fn ders(certs: &[&Certificate]) -> Vec<Vec<u8>> {
    certs.iter().map(|c| c.der().to_vec()).collect()
}

fn p7(list: &[Vec<u8>]) -> Vec<u8> {
    pkcs7::encode(list).unwrap_or_else(|_| raw_p7(list))
}

/// A certs-only SignedData with the certificates exactly as given (duplicates included),
/// for the lists the PKCS#7 writer refuses.
fn raw_p7(list: &[Vec<u8>]) -> Vec<u8> {
    const SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    let certs: Vec<u8> = list.concat();
    let signed = der::tlv(
        der::SEQUENCE,
        &[
            der::tlv(der::INTEGER, &[1]),
            der::tlv(0x31, &[]),
            der::tlv(der::SEQUENCE, &der::tlv(der::OID, der::OID_DATA)),
            der::tlv(0xa0, &certs),
            der::tlv(0x31, &[]),
        ]
        .concat(),
    );
    der::tlv(
        der::SEQUENCE,
        &[der::tlv(der::OID, SIGNED_DATA), der::tlv(0xa0, &signed)].concat(),
    )
}

/// Flips the last byte of a certificate's DER (inside its signature).
fn flip_signature(der: &[u8]) -> Vec<u8> {
    let mut d = der.to_vec();
    let n = d.len() - 1;
    d[n] ^= 0x01;
    d
}

/// Changes one byte of the TBS: the first occurrence of `what` gets its last byte changed.
fn tamper_tbs(der: &[u8], what: &[u8]) -> Vec<u8> {
    let mut d = der.to_vec();
    let pos = d
        .windows(what.len())
        .position(|w| w == what)
        .expect("pattern in certificate");
    d[pos + what.len() - 1] ^= 0x02;
    d
}

fn pkcs8(k: &PrivateKey) -> Vec<u8> {
    k.to_pkcs8_der().expect("pkcs8").to_vec()
}

fn pfx_with(certs: &[Vec<u8>], k: &PrivateKey, password: &str, seed: u8) -> Vec<u8> {
    let opts = Pkcs12WriteOptions::new(Pkcs12Profile::Windows)
        .with_iterations(ITERATIONS)
        .with_friendly_name("Owner");
    pkcs12::write_with_rng(certs, &pkcs8(k), password, &opts, &mut rng(seed)).expect("pfx")
}

fn export_xml(peer_name: &str, pfx: Vec<u8>) -> String {
    IdentityExport::new(peer_name, pfx)
        .to_xml_string()
        .expect("xml")
}

fn config_xml(identity: &str, group: &str, gmc: Vec<u8>, group_key: Option<Vec<u8>>) -> String {
    GroupConfig {
        identity_peer_name: identity.into(),
        group_peer_name: group.into(),
        cloud_name: "Global_".into(),
        scope: Scope::Global,
        cloud_flags: 0,
        gmc,
        group_key,
    }
    .to_xml_string()
    .expect("xml")
}

fn invitation_xml(gmc: Vec<u8>) -> String {
    Invitation::Gmc(GmcInvitation {
        version: InvitationVersion::V1_0,
        cloud_name: "Global_".into(),
        scope: Scope::Global,
        cloud_flags: 0,
        gmc,
    })
    .to_xml_string()
    .expect("xml")
}

fn info_xml(idc: Vec<u8>) -> String {
    IdentityInfo { idc }.to_xml_string().expect("xml")
}

/// How a chain defect is judged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The chain is sound (order is rebuilt from links): accepted.
    Sound,
    /// Outside its validity period only: config import accepts it (open reports it), join
    /// refuses it with PEER_E_INVALID_TIME_PERIOD, parse reports it.
    Time,
    /// Sound but issued to another identity.
    OtherLeaf,
    /// Broken: refused.
    Broken,
}

/// A chain defect: name, what is wrong, the DER list (any order), the verdict.
type Defect = (String, String, Vec<Vec<u8>>, Verdict);

/// Extensions docs/FORMATS.md makes optional (checked only when present) or informative:
/// certificates lacking them are accepted. Everything else is required.
const OPTIONAL: &[&str] = &[
    "grouping-flags",
    "identity-flags",
    "authority-key-id",
    "dns-alt-name",
];

/// Optional on GRC/GMC only (EKU, Q14) or on IDCs only (version extension, Q8).
fn optional_on(kind: &str, name: &str) -> bool {
    OPTIONAL.contains(&name)
        || (kind != "idc" && name == "ext-key-usage")
        || (kind == "idc" && name == "cert-version")
}

const GRC_EXTENSIONS: &[(&str, &[u8])] = &[
    ("cert-type", oid::CERT_TYPE),
    ("cert-version", oid::CERT_VERSION),
    ("subject-alt-name", oid::SUBJECT_ALT_NAME_LEGACY),
    ("group-peer-name", oid::GROUPING_PEERNAME),
    ("grouping-flags", oid::GROUPING_FLAGS),
    ("ext-key-usage", oid::EXT_KEY_USAGE),
];

const GMC_EXTENSIONS: &[(&str, &[u8])] = &[
    ("cert-type", oid::CERT_TYPE),
    ("cert-version", oid::CERT_VERSION),
    ("subject-alt-name", oid::SUBJECT_ALT_NAME_LEGACY),
    ("issuer-alt-name", oid::ISSUER_ALT_NAME_LEGACY),
    ("group-peer-name", oid::GROUPING_PEERNAME),
    ("roles", oid::GROUPING_ROLES),
    ("classifiers", oid::GROUPING_CLASSIFIERS),
    ("grouping-flags", oid::GROUPING_FLAGS),
    ("ext-key-usage", oid::EXT_KEY_USAGE),
    ("authority-key-id", oid::AUTHORITY_KEY_IDENTIFIER),
];

const IDC_EXTENSIONS: &[(&str, &[u8])] = &[
    ("cert-type", oid::CERT_TYPE),
    ("cert-version", oid::CERT_VERSION),
    ("subject-alt-name", oid::SUBJECT_ALT_NAME_LEGACY),
    ("dns-alt-name", oid::SUBJECT_ALT_NAME),
    ("identity-flags", oid::IDENTITY_FLAGS),
    ("ext-key-usage", oid::EXT_KEY_USAGE),
];

/// Every chain defect for a group (`group_key`, its GRC) whose leaf is owner.
fn chain_defects(cast: &Cast, gkey: &PrivateKey, root: &Certificate, tag: &str) -> Vec<Defect> {
    let owner = &cast.owner_idc;
    let leaf = cast.gmc(root, gkey, owner, &[Role::MEMBER]);
    let admin_idc = cast.helper_idc(&cast.admin, "admin");
    let member_idc = cast.helper_idc(&cast.member, "member");
    let admin_gmc = cast.gmc(root, gkey, &admin_idc, &[Role::ADMIN]);
    let leaf_by_admin = cast.gmc(&admin_gmc, &cast.admin, owner, &[Role::MEMBER]);
    let mut v: Vec<Defect> = Vec::new();
    let mut push = |name: &str, note: &str, list: Vec<Vec<u8>>, verdict| {
        v.push((format!("{tag}-{name}"), note.to_owned(), list, verdict));
    };
    push(
        "order-reversed",
        "chain written leaf first (order is rebuilt from links)",
        ders(&[&leaf, root]),
        Verdict::Sound,
    );
    push(
        "order-shuffled",
        "three certificates in the order leaf, root, middle",
        ders(&[&leaf_by_admin, root, &admin_gmc]),
        Verdict::Sound,
    );
    // A cycle: P (subject admin, issued by member) and Q (subject member, issued by admin).
    let member_tmp = cast.gmc(root, gkey, &member_idc, &[Role::ADMIN]);
    let p = cast
        .gmc_builder(&member_tmp, &admin_idc, &[Role::ADMIN])
        .sign(&cast.member)
        .expect("p");
    let q = cast
        .gmc_builder(&p, &member_idc, &[Role::ADMIN])
        .sign(&cast.admin)
        .expect("q");
    push(
        "cyclic",
        "two GMCs issuing each other, with the root",
        ders(&[root, &p, &q]),
        Verdict::Broken,
    );
    push(
        "cyclic-no-root",
        "two GMCs issuing each other, no root",
        ders(&[&p, &q]),
        Verdict::Broken,
    );
    push(
        "duplicate-leaf",
        "the leaf twice",
        ders(&[root, &leaf, &leaf]),
        Verdict::Broken,
    );
    let foreign_root = grc(
        &cast.wrong,
        &cast.wrong.peer_name("foreign").expect("name"),
        "Foreign",
        cast.next_serial(),
    );
    push(
        "two-roots",
        "a second, unrelated root",
        ders(&[root, &foreign_root, &leaf]),
        Verdict::Broken,
    );
    push(
        "root-only",
        "the root and no membership certificate",
        ders(&[root]),
        Verdict::Broken,
    );
    push(
        "leaf-only",
        "the leaf without its root",
        ders(&[&leaf]),
        Verdict::Broken,
    );
    push(
        "foreign-leaf",
        "the leaf of this group under another group's root",
        ders(&[&foreign_root, &leaf]),
        Verdict::Broken,
    );
    // Long chains: root, admins issuing admins, owner last.
    let helpers = [(&cast.admin, "a"), (&cast.member, "m"), (&cast.other, "o")];
    let long = |len: usize| -> Vec<Vec<u8>> {
        let mut certs = vec![root.clone()];
        let mut issuer_key: &PrivateKey = gkey;
        for i in 1..len - 1 {
            let (k, c) = helpers[i % 3];
            let sub = cast.helper_idc(k, &format!("{c}{i}"));
            let g = cast.gmc(
                certs.last().expect("issuer"),
                issuer_key,
                &sub,
                &[Role::ADMIN],
            );
            certs.push(g);
            issuer_key = k;
        }
        let last = cast.gmc(
            certs.last().expect("issuer"),
            issuer_key,
            owner,
            &[Role::MEMBER],
        );
        certs.push(last);
        certs.iter().map(|c| c.der().to_vec()).collect()
    };
    push(
        "length-25",
        "25 certificates (the longest allowed)",
        long(25),
        Verdict::Sound,
    );
    push(
        "length-26",
        "26 certificates (one too many)",
        long(26),
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.validity = Validity::new(at(0), at(150));
    push(
        "expired",
        "leaf expired on 2026-05-31 (inside the root's period)",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Time,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.validity = Validity::new(at(300 * 365), at(301 * 365));
    push(
        "not-yet-valid",
        "leaf valid from 2325",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Time,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.validity = Validity::new(at(10), at(5));
    push(
        "validity-inverted",
        "leaf notAfter before notBefore",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let wrong_signed = cast
        .gmc_builder(root, owner, &[Role::MEMBER])
        .sign(&cast.wrong)
        .expect("sign");
    push(
        "signed-by-wrong-key",
        "leaf names the root as issuer but another key signed it",
        ders(&[root, &wrong_signed]),
        Verdict::Broken,
    );
    push(
        "leaf-signature-tampered",
        "one bit of the leaf's signature flipped",
        vec![root.der().to_vec(), flip_signature(leaf.der())],
        Verdict::Broken,
    );
    push(
        "root-signature-tampered",
        "one bit of the root's signature flipped",
        vec![flip_signature(root.der()), leaf.der().to_vec()],
        Verdict::Broken,
    );
    push(
        "leaf-tbs-tampered",
        "one byte of the leaf's subject name changed after signing",
        vec![root.der().to_vec(), tamper_tbs(leaf.der(), b"Owner")],
        Verdict::Broken,
    );
    let member_gmc = cast.gmc(root, gkey, &member_idc, &[Role::MEMBER]);
    let by_member = cast.gmc(&member_gmc, &cast.member, owner, &[Role::MEMBER]);
    push(
        "role-member-issues",
        "a Member issued the leaf (Members issue nothing)",
        ders(&[root, &member_gmc, &by_member]),
        Verdict::Broken,
    );
    let inviting = cast.gmc(root, gkey, &admin_idc, &[Role::INVITING_MEMBER]);
    let admin_by_inviting = cast.gmc(&inviting, &cast.admin, owner, &[Role::ADMIN]);
    push(
        "role-inviting-issues-admin",
        "an Inviting Member issued an Administrator GMC",
        ders(&[root, &inviting, &admin_by_inviting]),
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(&inviting, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension::classifiers(
        &["other".to_owned()],
    ));
    push(
        "classifier-not-delegated",
        "leaf claims classifier 'other'; its issuer was delegated only 'participant'",
        vec![
            root.der().to_vec(),
            inviting.der().to_vec(),
            b.sign(&cast.admin).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension::classifiers(&[]));
    push(
        "classifiers-empty-member",
        "a Member GMC with an empty classifier list under the GRC (no list delegates everything, FORMATS.md Q9: accepted)",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Sound,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension::roles(&[Role::from_bytes(
        [0x42; 16],
    )]));
    push(
        "role-undefined",
        "leaf role is an unknown GUID",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    // Group peer name not the GRC key's.
    let group_name = root.group_peer_name().expect("group name");
    let bad_name = cast.wrong.peer_name(group_name.classifier()).expect("name");
    let mut rb = GrcParams {
        group_peer_name: bad_name.clone(),
        friendly_name: root.subject_friendly_name().into(),
        validity: infinite(),
        serial: cast.next_serial(),
    }
    .builder(gkey);
    rb.signature_algorithm = None;
    let bad_root = rb.sign(gkey).expect("sign");
    let bad_leaf = cast.gmc(&bad_root, gkey, owner, &[Role::MEMBER]);
    push(
        "group-name-not-grc-key",
        "the GRC's group peer name has another key's authority",
        ders(&[&bad_root, &bad_leaf]),
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension::group_peer_name(&bad_name));
    push(
        "leaf-group-name-differs",
        "the leaf names another group",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension::issuer_alt_name(
        &cast.other.peer_name("other").expect("name"),
    ));
    push(
        "issuer-name-unlinked",
        "the leaf's issuer peer name is not its issuer's subject",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.version = 0;
    push(
        "leaf-x509-v1",
        "leaf is an X.509 v1 certificate",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.issuer_unique_id = Some(vec![1, 2, 3]);
    push(
        "leaf-unique-id",
        "leaf carries an issuerUniqueID",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.serial = vec![0x01; 21];
    push(
        "leaf-serial-21-bytes",
        "leaf serial of 21 bytes",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.signature_algorithm = Some(SignatureAlgorithm::EcdsaWithSha256);
    push(
        "leaf-algorithm-mislabelled",
        "leaf labelled ecdsa-with-SHA256, signed with RSA-SHA1",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
    b.set_extension(peernet_crypto::Extension {
        oid: vec![0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 9, 9],
        critical: true,
        value: vec![5, 0],
    });
    push(
        "leaf-unknown-critical-extension",
        "leaf carries an unknown critical extension",
        vec![
            root.der().to_vec(),
            b.sign(gkey).expect("sign").der().to_vec(),
        ],
        Verdict::Broken,
    );
    let other_leaf = cast.gmc(root, gkey, &cast.other_idc, &[Role::MEMBER]);
    push(
        "leaf-other-identity",
        "a sound chain whose leaf is another identity's key",
        ders(&[root, &other_leaf]),
        Verdict::OtherLeaf,
    );
    for (name, o) in GRC_EXTENSIONS {
        let mut rb = GrcParams {
            group_peer_name: group_name.clone(),
            friendly_name: root.subject_friendly_name().into(),
            validity: infinite(),
            serial: cast.next_serial(),
        }
        .builder(gkey);
        rb.remove_extension(o);
        let r = rb.sign(gkey).expect("sign");
        // The leaf is built from the intact root's names so that only the root lacks it.
        let l = cast
            .gmc_builder(root, owner, &[Role::MEMBER])
            .sign(gkey)
            .expect("sign");
        let optional = optional_on("grc", name);
        push(
            &format!("grc-without-{name}"),
            &format!(
                "the GRC lacks its {name} extension{}",
                if optional {
                    " (optional: accepted)"
                } else {
                    ""
                }
            ),
            ders(&[&r, &l]),
            if optional {
                Verdict::Sound
            } else {
                Verdict::Broken
            },
        );
    }
    for (name, o) in GMC_EXTENSIONS {
        let mut b = cast.gmc_builder(root, owner, &[Role::MEMBER]);
        b.remove_extension(o);
        let optional = optional_on("gmc", name);
        push(
            &format!("gmc-without-{name}"),
            &format!(
                "the leaf GMC lacks its {name} extension{}",
                if optional {
                    " (optional: accepted)"
                } else {
                    ""
                }
            ),
            vec![
                root.der().to_vec(),
                b.sign(gkey).expect("sign").der().to_vec(),
            ],
            if optional {
                Verdict::Sound
            } else {
                Verdict::Broken
            },
        );
    }
    v
}

/// XML-level mutations of a valid document `doc` of root element `root`.
fn xml_mutations(doc: &str, root: &str) -> Vec<(String, Vec<u8>, String)> {
    let mut v: Vec<(String, Vec<u8>, String)> = Vec::new();
    let mut push = |name: &str, bytes: Vec<u8>, note: &str| {
        v.push((name.to_owned(), bytes, note.to_owned()));
    };
    let b = doc.as_bytes();
    for (name, cut) in [
        ("truncated-10", b.len() / 10),
        ("truncated-half", b.len() / 2),
        ("truncated-90", b.len() * 9 / 10),
        ("truncated-last-byte", b.len() - 2),
    ] {
        push(name, b[..cut].to_vec(), "document cut short");
    }
    push("empty", Vec::new(), "empty document");
    let close = format!("</{root}>");
    let pad = " ".repeat((1 << 20) + 16);
    push(
        "oversized-whitespace",
        doc.replacen(&close, &format!("{pad}{close}"), 1)
            .into_bytes(),
        "a valid document padded past the 1 MiB cap",
    );
    let big = "QUFB".repeat(300_000);
    push(
        "oversized-base64",
        doc.replacen("bin.base64\">", &format!("bin.base64\">{big}"), 1)
            .into_bytes(),
        "a 1.2 MB base64 payload",
    );
    let nest = |n: usize| format!("{}{}", "<X>".repeat(n), "</X>".repeat(n));
    push(
        "nested-40",
        doc.replacen(&close, &format!("{}{close}", nest(40)), 1)
            .into_bytes(),
        "40 nested unknown elements",
    );
    push(
        "nested-100000",
        doc.replacen(&close, &format!("{}{close}", nest(100_000)), 1)
            .into_bytes(),
        "100,000 nested unknown elements",
    );
    push(
        "unclosed-nesting-100000",
        format!("<{root} VERSION=\"1.0\">{}", "<X>".repeat(100_000)).into_bytes(),
        "100,000 open elements never closed",
    );
    push(
        "entity-internal",
        format!("<!DOCTYPE {root} [<!ENTITY e \"x\">]>\n{}", doc).into_bytes(),
        "an internal entity declaration",
    );
    push(
        "entity-laughs",
        format!(
            "<!DOCTYPE {root} [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n{}",
            doc.replacen(&close, &format!("<X>&c;</X>{close}"), 1)
        )
        .into_bytes(),
        "nested entity expansion",
    );
    push(
        "entity-external",
        format!(
            "<!DOCTYPE {root} [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
            doc.replacen(&close, &format!("<X>&x;</X>{close}"), 1)
        )
        .into_bytes(),
        "an external entity (file:///etc/passwd)",
    );
    push(
        "entity-parameter",
        format!(
            "<!DOCTYPE {root} [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>\n{}",
            doc
        )
        .into_bytes(),
        "a parameter entity fetching a DTD",
    );
    push(
        "entity-undeclared-reference",
        doc.replacen("bin.base64\">", "bin.base64\">&undeclared;", 1)
            .into_bytes(),
        "a reference to an undeclared entity",
    );
    push(
        "namespace-dt-wrong",
        doc.replace(
            "urn:schemas-microsoft-com:datatypes",
            "urn:schemas-microsoft-com:datatypez",
        )
        .into_bytes(),
        "the dt prefix bound to another namespace",
    );
    push(
        "namespace-default-on-root",
        doc.replacen(
            &format!("<{root} "),
            &format!("<{root} xmlns=\"urn:example:other\" "),
            1,
        )
        .into_bytes(),
        "the root in a default namespace",
    );
    push(
        "namespace-prefixed-root",
        doc.replacen(
            &format!("<{root} "),
            &format!("<p:{root} xmlns:p=\"urn:x\" "),
            1,
        )
        .replacen(&close, &format!("</p:{root}>"), 1)
        .into_bytes(),
        "the root in a prefixed foreign namespace",
    );
    push(
        "base64-invalid-char",
        doc.replacen("bin.base64\">", "bin.base64\">*", 1)
            .into_bytes(),
        "a '*' in base64",
    );
    push(
        "base64-bad-padding",
        doc.replacen("bin.base64\">", "bin.base64\">A", 1)
            .into_bytes(),
        "base64 length not a multiple of 4",
    );
    push(
        "base64-empty",
        {
            let start = doc.find("bin.base64\">").expect("payload") + "bin.base64\">".len();
            let end = start + doc[start..].find('<').expect("end");
            format!("{}{}", &doc[..start], &doc[end..]).into_bytes()
        },
        "an empty base64 payload",
    );
    push(
        "base64-garbage-payload",
        {
            let start = doc.find("bin.base64\">").expect("payload") + "bin.base64\">".len();
            let end = start + doc[start..].find('<').expect("end");
            format!("{}{}{}", &doc[..start], "AAAAAAAAAAAAAAAA", &doc[end..]).into_bytes()
        },
        "a base64 payload of 12 zero bytes",
    );
    push(
        "version-2.0",
        doc.replacen("VERSION=\"1.0\"", "VERSION=\"2.0\"", 1)
            .into_bytes(),
        "VERSION 2.0",
    );
    push(
        "version-missing",
        doc.replacen(" VERSION=\"1.0\"", "", 1).into_bytes(),
        "no VERSION attribute",
    );
    push(
        "version-garbage",
        doc.replacen("VERSION=\"1.0\"", "VERSION=\"1.0.0.0\"", 1)
            .into_bytes(),
        "VERSION 1.0.0.0",
    );
    push(
        "nul-byte",
        doc.replacen('>', ">\0", 1).into_bytes(),
        "a NUL byte after the root tag",
    );
    if root == "PEERIDENTITYEXPORT" || root == "PEERINVITATION" {
        // CPU exhaustion: quadratic duplicate-attribute checks and prefix lookups (took
        // 3 s and 5 s in debug before MAX_ATTRIBUTES; 1 MiB versions took minutes).
        let many = |f: &dyn Fn(usize) -> String, n: usize| {
            let attrs: String = (0..n).map(f).collect();
            doc.replacen("VERSION=\"1.0\"", &format!("VERSION=\"1.0\"{attrs}"), 1)
                .into_bytes()
        };
        push(
            "attributes-20000",
            many(&|i| format!(" a{i}=\"\""), 20_000),
            "20,000 attributes on the root",
        );
        push(
            "namespace-declarations-20000",
            many(&|i| format!(" xmlns:p{i}=\"u\""), 20_000),
            "20,000 namespace declarations on the root",
        );
        push(
            "prefixed-attributes-10000",
            many(&|i| format!(" xmlns:p{i}=\"u\" p{i}:a=\"\""), 10_000),
            "10,000 namespace declarations each with a prefixed attribute",
        );
    }
    push(
        "invalid-utf8",
        {
            let mut x = doc.as_bytes().to_vec();
            let p = doc.find('>').expect("tag");
            x.insert(p + 1, 0xff);
            x
        },
        "an invalid UTF-8 byte",
    );
    v
}

/// Builds the whole corpus in memory.
pub fn generate() -> Corpus {
    let cast = Cast::new();
    let mut c = Corpus::default();
    let owner = cast.owner_name.as_str().to_owned();
    let group = cast.group_name.as_str().to_owned();
    use Entry::*;

    // ---- base documents (the store the test prepares) -------------------------------
    let base_pfx = pfx_with(&[cast.owner_idc.der().to_vec()], &cast.owner, PASSWORD, 1);
    let base_identity = export_xml(&owner, base_pfx.clone());
    let group_key_blob =
        encrypted_key::seal_with_rng(&pkcs8(&cast.group), PASSWORD, ITERATIONS, &mut rng(2))
            .expect("seal");
    let base_chain = p7(&ders(&[&cast.grc, &cast.owner_gmc]));
    let base_group = config_xml(
        &owner,
        &group,
        base_chain.clone(),
        Some(group_key_blob.clone()),
    );
    let base_info = info_xml(p7(&[cast.other_idc.der().to_vec()]));
    let base_invitation = invitation_xml(p7(&ders(&[
        &cast.invite_grc,
        &cast.gmc(
            &cast.invite_grc,
            &cast.invite,
            &cast.owner_idc,
            &[Role::MEMBER],
        ),
    ])));
    c.add(
        "base/identity.xml",
        base_identity.clone(),
        &[(IdentityImport, "PEER_E_ALREADY_EXISTS")],
        "the store's own identity again",
    );
    c.add(
        "base/group.xml",
        base_group.clone(),
        &[(ImportConfig, "PEER_E_ALREADY_EXISTS")],
        "the store's own group configuration again",
    );
    c.add(
        "base/identity-info.xml",
        base_info.clone(),
        &[],
        "a sound PEERIDENTITYINFO (template of the ii/ mutations)",
    );
    c.add(
        "base/invitation.xml",
        base_invitation.clone(),
        &[(ParseInvitation, "S_OK")],
        "a sound invitation of group 'invite' for owner (template of the inv/ mutations)",
    );

    // ---- XML-level mutations of each document type ----------------------------------
    let all_xml = [
        ("ie", base_identity.as_str(), "PEERIDENTITYEXPORT"),
        ("gc", base_group.as_str(), "PEERGROUPCONFIG"),
        ("inv", base_invitation.as_str(), "PEERINVITATION"),
        ("ii", base_info.as_str(), "PEERIDENTITYINFO"),
    ];
    for (dir, doc, root) in all_xml {
        for (name, bytes, note) in xml_mutations(doc, root) {
            let file = format!("{dir}/xml-{name}.xml");
            if name.starts_with("version-") && name != "version-missing" {
                let rows: Vec<(Entry, &str)> = match dir {
                    "ie" => vec![(IdentityImport, "PEER_E_UNSUPPORTED_VERSION")],
                    "gc" => vec![(ImportConfig, "PEER_E_UNSUPPORTED_VERSION")],
                    "inv" => vec![
                        (Join, "PEER_E_UNSUPPORTED_VERSION"),
                        (ParseInvitation, "PEER_E_UNSUPPORTED_VERSION"),
                    ],
                    _ => vec![(CreateInvitation, "PEER_E_UNSUPPORTED_VERSION")],
                };
                c.add(&file, bytes, &rows, &note);
                continue;
            }
            let rows: Vec<(Entry, &str)> = match dir {
                "ie" => vec![(IdentityImport, "E_INVALIDARG")],
                "gc" => vec![(ImportConfig, "E_INVALIDARG")],
                "inv" => vec![
                    (Join, "PEER_E_INVITATION_NOT_TRUSTED"),
                    (ParseInvitation, "PEER_E_INVITATION_NOT_TRUSTED"),
                ],
                _ => vec![(CreateInvitation, "E_INVALIDARG")],
            };
            c.add(&file, bytes, &rows, &note);
        }
    }

    // ---- PEERIDENTITYEXPORT: the PFX and the names ----------------------------------
    let owner_cert = vec![cast.owner_idc.der().to_vec()];
    let split = Pfx::split(&base_pfx).expect("pfx");
    let set_mac_iterations = |n: i64| {
        let mut p = split.clone();
        p.mac.children_mut()[2] = Node::Prim(der::INTEGER, der::int_body(n));
        export_xml(&owner, p.keep_mac())
    };
    let set_bag_iterations = |part: usize, n: i64| {
        let mut p = split.clone();
        let replaced = der::replace_int(&mut p.parts[part], i64::from(ITERATIONS), n, false);
        assert!(replaced >= 1, "no iteration count in part {part}");
        export_xml(&owner, p.seal(PASSWORD))
    };
    let (key_part, cert_part) = split.key_and_cert_parts();
    for (name, n) in [
        ("2pow31", 1i64 << 31),
        ("10000001", 10_000_001),
        ("2pow32", 1 << 32),
        ("2pow63", i64::MAX),
        ("zero", 0),
        ("negative", -1),
    ] {
        c.add(
            &format!("ie/pfx-mac-iterations-{name}.xml"),
            set_mac_iterations(n),
            &[(IdentityImport, "E_INVALIDARG")],
            &format!("PFX MAC iteration count {n}"),
        );
        c.add(
            &format!("ie/pfx-key-iterations-{name}.xml"),
            set_bag_iterations(key_part, n),
            &[(IdentityImport, "E_INVALIDARG")],
            &format!("PFX key bag iteration count {n} (MAC re-sealed)"),
        );
        c.add(
            &format!("ie/pfx-cert-iterations-{name}.xml"),
            set_bag_iterations(cert_part, n),
            &[(IdentityImport, "E_INVALIDARG")],
            &format!("PFX certificate bag iteration count {n} (MAC re-sealed)"),
        );
    }
    // The modern profile (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, SHA-256 MAC).
    let modern_pfx = pkcs12::write_with_rng(
        &owner_cert,
        &pkcs8(&cast.owner),
        PASSWORD,
        &Pkcs12WriteOptions::new(Pkcs12Profile::Modern).with_iterations(ITERATIONS),
        &mut rng(14),
    )
    .expect("pfx");
    c.add(
        "ie/pfx-modern-sound.xml",
        export_xml(&owner, modern_pfx.clone()),
        &[(IdentityImport, "PEER_E_ALREADY_EXISTS")],
        "a sound modern-profile PFX of the store's identity (accepted: already there)",
    );
    for (name, n) in [
        ("2pow31", 1i64 << 31),
        ("10000001", 10_000_001),
        ("zero", 0),
    ] {
        let modern_split = Pfx::split(&modern_pfx).expect("pfx");
        let (mk, mc) = modern_split.key_and_cert_parts();
        for (what, part) in [("key", mk), ("cert", mc)] {
            let mut p = modern_split.clone();
            let replaced = der::replace_int(&mut p.parts[part], i64::from(ITERATIONS), n, false);
            assert!(replaced >= 1, "no PBKDF2 count in the modern {what} part");
            c.add(
                &format!("ie/pfx-modern-{what}-pbkdf2-iterations-{name}.xml"),
                export_xml(&owner, p.keep_mac()),
                &[(IdentityImport, "E_INVALIDARG")],
                &format!("modern PFX, PBKDF2 iteration count {n} in the {what} part"),
            );
        }
        let mut p = modern_split.clone();
        p.mac.children_mut()[2] = Node::Prim(der::INTEGER, der::int_body(n));
        c.add(
            &format!("ie/pfx-modern-mac-iterations-{name}.xml"),
            export_xml(&owner, p.keep_mac()),
            &[(IdentityImport, "E_INVALIDARG")],
            &format!("modern PFX, MAC iteration count {n}"),
        );
    }
    // Work amplification: several encrypted parts each at the 10,000,000 cap (every one
    // used to be derived, even without a valid MAC: 75 s for 8 parts in debug).
    for parts in [4usize, 8] {
        let mut p = split.clone();
        for part in [key_part, cert_part] {
            der::replace_int(&mut p.parts[part], i64::from(ITERATIONS), 10_000_000, false);
        }
        let extra = p.parts[cert_part].clone();
        while p.parts.len() < parts {
            p.parts.push(extra.clone());
        }
        c.add(
            &format!("ie/pfx-work-{parts}-parts-at-10000000.xml"),
            export_xml(&owner, p.keep_mac()),
            &[(IdentityImport, "E_INVALIDARG")],
            &format!(
                "{parts} encrypted parts each at 10,000,000 iterations (over the 30,000,000 total)"
            ),
        );
    }
    let mut p = split.clone();
    let mac = p.mac.children_mut()[0].children_mut();
    let mut value = mac[1].body().to_vec();
    value[0] ^= 0x80;
    mac[1] = Node::Prim(der::OCTET_STRING, value);
    c.add(
        "ie/pfx-wrong-mac.xml",
        export_xml(&owner, p.keep_mac()),
        &[(IdentityImport, "E_INVALIDARG")],
        "one bit of the MAC flipped (contents intact: tampering, not a wrong password)",
    );
    c.add(
        "ie/pfx-no-mac.xml",
        export_xml(&owner, split.without_mac()),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX without MacData",
    );
    let mut q = split.clone();
    // Flip one ciphertext byte in the key bag: MAC re-sealed, so only decryption fails.
    if let Node::Prim(_, b) = q.parts[key_part].children_mut()[1].children_mut()[0].clone() {
        let mut inner = der::parse(&b).expect("safe contents");
        let bag = &mut inner.children_mut()[0];
        let epki = &mut bag.children_mut()[1].children_mut()[0];
        let ct = &mut epki.children_mut()[1];
        if let Node::Prim(_, body) = ct {
            let n = body.len() - 1;
            body[n] ^= 0x55;
        }
        q.parts[key_part].children_mut()[1].children_mut()[0] =
            Node::Prim(der::OCTET_STRING, inner.encode());
    }
    c.add(
        "ie/pfx-key-ciphertext-tampered.xml",
        export_xml(&owner, q.seal(PASSWORD)),
        &[(IdentityImport, "ERROR_INVALID_PASSWORD")],
        "the key bag's last ciphertext byte changed, MAC re-sealed (MAC good, part does not decrypt: a different privacy password, pkcs12::read)",
    );
    // Two PFX with the same password, spliced.
    let other_pfx = pfx_with(&[cast.other_idc.der().to_vec()], &cast.other, PASSWORD, 3);
    let other_split = Pfx::split(&other_pfx).expect("pfx");
    let (okey, _) = other_split.key_and_cert_parts();
    let mut p = split.clone();
    p.parts[key_part] = other_split.parts[okey].clone();
    c.add(
        "ie/pfx-key-cert-mismatch.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "owner's certificate with another identity's key",
    );
    let mut p = split.clone();
    p.parts.remove(key_part);
    c.add(
        "ie/pfx-no-key.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX with the certificate and no key",
    );
    let mut p = split.clone();
    p.parts.remove(cert_part);
    c.add(
        "ie/pfx-no-certificate.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX with the key and no certificate",
    );
    let mut p = split.clone();
    p.parts.push(other_split.parts[okey].clone());
    c.add(
        "ie/pfx-two-keys.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX with two private keys",
    );
    let mut p = split.clone();
    p.parts.push(split.parts[key_part].clone());
    c.add(
        "ie/pfx-same-key-twice.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX with the same key bag twice",
    );
    let mut p = split.clone();
    for _ in 0..9 {
        p.parts.push(split.parts[cert_part].clone());
    }
    c.add(
        "ie/pfx-ten-encrypted-parts.xml",
        export_xml(&owner, p.seal(PASSWORD)),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX with 10 encrypted parts (each costs a key derivation)",
    );
    c.add(
        "ie/pfx-wrong-password.xml",
        export_xml(
            &owner,
            pfx_with(&owner_cert, &cast.owner, OTHER_PASSWORD, 4),
        ),
        &[(IdentityImport, "ERROR_INVALID_PASSWORD")],
        "sound PFX under another password",
    );
    c.add(
        "ie/pfx-truncated.xml",
        export_xml(&owner, base_pfx[..base_pfx.len() / 2].to_vec()),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX cut in half",
    );
    c.add(
        "ie/pfx-trailing-garbage.xml",
        export_xml(&owner, [base_pfx.as_slice(), &[0u8; 8]].concat()),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX followed by 8 zero bytes",
    );
    c.add(
        "ie/pfx-version-2.xml",
        export_xml(&owner, {
            let mut top = der::parse(&base_pfx).expect("pfx");
            top.children_mut()[0] = Node::Prim(der::INTEGER, vec![2]);
            top.encode()
        }),
        &[(IdentityImport, "E_INVALIDARG")],
        "PFX version 2",
    );
    c.add(
        "ie/pfx-is-a-certificate.xml",
        export_xml(&owner, cast.owner_idc.der().to_vec()),
        &[(IdentityImport, "E_INVALIDARG")],
        "DATA holds the IDC, not a PFX",
    );
    c.add(
        "ie/pfx-length-bomb.xml",
        export_xml(
            &owner,
            vec![0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03],
        ),
        &[(IdentityImport, "E_INVALIDARG")],
        "outer SEQUENCE claims 2 GiB",
    );
    c.add(
        "ie/pfx-indefinite-deep.xml",
        export_xml(&owner, {
            let mut v = Vec::new();
            for _ in 0..5000 {
                v.extend_from_slice(&[0x30, 0x80]);
            }
            v
        }),
        &[(IdentityImport, "E_INVALIDARG")],
        "5000 nested indefinite-length SEQUENCEs (BER)",
    );
    // Names.
    let other_authority = cast.other.peer_name("owner").expect("name");
    for (name, pn, note) in [
        (
            "peername-other-authority",
            other_authority.as_str().to_owned(),
            "PEERNAME with another key's authority",
        ),
        (
            "peername-other-classifier",
            cast.owner
                .peer_name("someone")
                .expect("name")
                .as_str()
                .to_owned(),
            "PEERNAME with the key's authority and another classifier",
        ),
        (
            "peername-unsecured",
            "0.owner".to_owned(),
            "PEERNAME unsecured",
        ),
        (
            "peername-uppercase-authority",
            owner.to_uppercase(),
            "PEERNAME authority in upper case",
        ),
        ("peername-empty", String::new(), "PEERNAME empty"),
        (
            "peername-no-dot",
            cast.owner_name.authority().to_owned(),
            "PEERNAME without classifier",
        ),
        (
            "peername-classifier-too-long",
            format!("{}.{}", cast.owner_name.authority(), "c".repeat(200)),
            "PEERNAME classifier of 200 characters",
        ),
    ] {
        c.add(
            &format!("ie/{name}.xml"),
            export_xml(&pn, base_pfx.clone()),
            &[(IdentityImport, "E_INVALIDARG")],
            note,
        );
    }
    // Identity certificates that break a rule, each in a sound PFX with its key.
    let idc_variant = |f: &dyn Fn(&mut CertificateBuilder)| -> Certificate {
        let mut b = IdcParams {
            peer_name: cast.owner_name.clone(),
            friendly_name: "Owner".into(),
            validity: infinite(),
            serial: cast.next_serial(),
        }
        .builder(&cast.owner);
        f(&mut b);
        b.sign(&cast.owner).expect("sign")
    };
    let mut bad_idcs: Vec<(String, Vec<u8>, String)> = Vec::new();
    for (name, o) in IDC_EXTENSIONS {
        let cert = idc_variant(&|b| b.remove_extension(o));
        bad_idcs.push((
            format!("idc-without-{name}"),
            cert.der().to_vec(),
            if optional_on("idc", name) {
                format!("the IDC lacks its {name} extension (optional: accepted)")
            } else {
                format!("the IDC lacks its {name} extension")
            },
        ));
    }
    let expired = idc_variant(&|b| b.validity = Validity::new(at(-800), at(-400)));
    bad_idcs.push((
        "idc-expired".into(),
        expired.der().to_vec(),
        "the IDC expired in 2024".into(),
    ));
    let future = idc_variant(&|b| b.validity = Validity::new(at(365 * 400), at(365 * 401)));
    bad_idcs.push((
        "idc-not-yet-valid".into(),
        future.der().to_vec(),
        "the IDC is valid from 2425".into(),
    ));
    let other_name_idc = idc_variant(&|b| {
        b.set_extension(peernet_crypto::Extension::subject_alt_name(
            &other_authority,
        ));
    });
    bad_idcs.push((
        "idc-name-other-authority".into(),
        other_name_idc.der().to_vec(),
        "the IDC's peer name has another key's authority".into(),
    ));
    let gmc_type = idc_variant(&|b| {
        b.set_extension(peernet_crypto::Extension::cert_type(
            peernet_crypto::CertType::Membership,
        ));
    });
    bad_idcs.push((
        "idc-type-membership".into(),
        gmc_type.der().to_vec(),
        "the IDC says it is a GMC".into(),
    ));
    let root_type = idc_variant(&|b| {
        b.set_extension(peernet_crypto::Extension::cert_type(
            peernet_crypto::CertType::Root,
        ));
    });
    bad_idcs.push((
        "idc-type-root".into(),
        root_type.der().to_vec(),
        "the IDC says it is a GRC".into(),
    ));
    let v1 = idc_variant(&|b| b.version = 0);
    bad_idcs.push((
        "idc-x509-v1".into(),
        v1.der().to_vec(),
        "the IDC is an X.509 v1 certificate".into(),
    ));
    let long_friendly = idc_variant(&|b| {
        b.subject_name = "F".repeat(300);
        b.issuer_name = "F".repeat(300);
    });
    bad_idcs.push((
        "idc-friendly-name-300".into(),
        long_friendly.der().to_vec(),
        "the IDC's friendly name has 300 characters".into(),
    ));
    let tampered = tamper_tbs(cast.owner_idc.der(), b"Owner");
    bad_idcs.push((
        "idc-tbs-tampered".into(),
        tampered,
        "one byte of the IDC's names changed after signing".into(),
    ));
    bad_idcs.push((
        "idc-signature-tampered".into(),
        flip_signature(cast.owner_idc.der()),
        "one bit of the IDC's signature flipped".into(),
    ));
    let signed_by_other = {
        let b = IdcParams {
            peer_name: cast.owner_name.clone(),
            friendly_name: "Owner".into(),
            validity: infinite(),
            serial: cast.next_serial(),
        }
        .builder(&cast.owner);
        b.sign(&cast.wrong).expect("sign")
    };
    bad_idcs.push((
        "idc-signed-by-other-key".into(),
        signed_by_other.der().to_vec(),
        "the IDC is signed by another key".into(),
    ));
    for (name, cert, note) in &bad_idcs {
        // The PFX writer checks only that the key matches the certificate's public key.
        let Ok(pfx) = pkcs12::write_with_rng(
            std::slice::from_ref(cert),
            &pkcs8(&cast.owner),
            PASSWORD,
            &Pkcs12WriteOptions::new(Pkcs12Profile::Windows).with_iterations(ITERATIONS),
            &mut rng(9),
        ) else {
            continue;
        };
        let expected = if note.ends_with("(optional: accepted)") {
            "PEER_E_ALREADY_EXISTS"
        } else {
            "E_INVALIDARG"
        };
        c.add(
            &format!("ie/{name}.xml"),
            export_xml(&owner, pfx),
            &[(IdentityImport, expected)],
            note,
        );
    }
    // The group key and GRC exported as if they were an identity.
    let grc_pfx = pfx_with(&[cast.grc.der().to_vec()], &cast.group, PASSWORD, 10);
    c.add(
        "ie/pfx-holds-group-root.xml",
        export_xml(&group, grc_pfx),
        &[(IdentityImport, "E_INVALIDARG")],
        "a PFX of the group key and its GRC, PEERNAME = the group",
    );

    // ---- PEERIDENTITYINFO (create_invitation) ---------------------------------------
    let mut info_certs: Vec<(String, Vec<u8>, String)> = Vec::new();
    // The same defects on the other identity's IDC (the invitee must not be owner: the
    // owner already has a membership, so the ii/ cases use 'other').
    let other_variant = |f: &dyn Fn(&mut CertificateBuilder)| -> Certificate {
        let mut b = IdcParams {
            peer_name: cast.other.peer_name("other").expect("name"),
            friendly_name: "Other".into(),
            validity: infinite(),
            serial: cast.next_serial(),
        }
        .builder(&cast.other);
        f(&mut b);
        b.sign(&cast.other).expect("sign")
    };
    for (name, o) in IDC_EXTENSIONS {
        info_certs.push((
            format!("idc-without-{name}"),
            other_variant(&|b| b.remove_extension(o)).der().to_vec(),
            if optional_on("idc", name) {
                format!("the invitee's IDC lacks its {name} extension (optional: accepted)")
            } else {
                format!("the invitee's IDC lacks its {name} extension")
            },
        ));
    }
    info_certs.push((
        "idc-expired".into(),
        other_variant(&|b| b.validity = Validity::new(at(-800), at(-400)))
            .der()
            .to_vec(),
        "the invitee's IDC expired in 2024".into(),
    ));
    info_certs.push((
        "idc-name-other-authority".into(),
        other_variant(&|b| {
            b.set_extension(peernet_crypto::Extension::subject_alt_name(
                &cast.owner_name,
            ));
        })
        .der()
        .to_vec(),
        "the invitee's IDC names owner (another key's authority)".into(),
    ));
    info_certs.push((
        "idc-type-root".into(),
        other_variant(&|b| {
            b.set_extension(peernet_crypto::Extension::cert_type(
                peernet_crypto::CertType::Root,
            ));
        })
        .der()
        .to_vec(),
        "the invitee's certificate says it is a GRC".into(),
    ));
    info_certs.push((
        "idc-signature-tampered".into(),
        flip_signature(cast.other_idc.der()),
        "one bit of the invitee's IDC signature flipped".into(),
    ));
    info_certs.push((
        "idc-tbs-tampered".into(),
        tamper_tbs(cast.other_idc.der(), b"Other"),
        "one byte of the invitee's IDC changed after signing".into(),
    ));
    info_certs.push((
        "idc-is-grc".into(),
        cast.grc.der().to_vec(),
        "the group's GRC given as an identity".into(),
    ));
    info_certs.push((
        "idc-is-gmc".into(),
        cast.owner_gmc.der().to_vec(),
        "owner's GMC given as an identity".into(),
    ));
    info_certs.push((
        "idc-friendly-name-300".into(),
        other_variant(&|b| {
            b.subject_name = "F".repeat(300);
            b.issuer_name = "F".repeat(300);
        })
        .der()
        .to_vec(),
        "the invitee's friendly name has 300 characters".into(),
    ));
    for (name, cert, note) in info_certs {
        let expected = if note.ends_with("(optional: accepted)") {
            "S_OK"
        } else {
            "E_INVALIDARG"
        };
        c.add(
            &format!("ii/{name}.xml"),
            info_xml(p7(&[cert])),
            &[(CreateInvitation, expected)],
            &note,
        );
    }
    c.add(
        "ii/pkcs7-empty.xml",
        info_xml(p7(&[])),
        &[(CreateInvitation, "E_INVALIDARG")],
        "a PKCS#7 with no certificate",
    );
    c.add(
        "ii/pkcs7-garbage.xml",
        info_xml(vec![0x30, 0x03, 0x02, 0x01, 0x05]),
        &[(CreateInvitation, "E_INVALIDARG")],
        "a SEQUENCE that is neither PKCS#7 nor a certificate",
    );

    // ---- PEERGROUPCONFIG chains (owner, group "corpus") ------------------------------
    for (name, note, list, verdict) in chain_defects(&cast, &cast.group, &cast.grc, "chain") {
        let expected = match verdict {
            Verdict::Sound | Verdict::Time => "PEER_E_ALREADY_EXISTS",
            Verdict::OtherLeaf | Verdict::Broken => "E_INVALIDARG",
        };
        c.add(
            &format!("gc/{name}.xml"),
            config_xml(&owner, &group, p7(&list), None),
            &[(ImportConfig, expected)],
            &note,
        );
    }
    let with_key = |k: Vec<u8>| config_xml(&owner, &group, base_chain.clone(), Some(k));
    c.add(
        "gc/groupkey-not-grc-key.xml",
        with_key(
            encrypted_key::seal_with_rng(&pkcs8(&cast.wrong), PASSWORD, ITERATIONS, &mut rng(11))
                .expect("seal"),
        ),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPKEY holds a key that is not the GRC's",
    );
    c.add(
        "gc/groupkey-is-owner-key.xml",
        with_key(
            encrypted_key::seal_with_rng(&pkcs8(&cast.owner), PASSWORD, ITERATIONS, &mut rng(12))
                .expect("seal"),
        ),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPKEY holds the member's own key",
    );
    c.add(
        "gc/groupkey-wrong-password.xml",
        with_key(
            encrypted_key::seal_with_rng(
                &pkcs8(&cast.group),
                OTHER_PASSWORD,
                ITERATIONS,
                &mut rng(13),
            )
            .expect("seal"),
        ),
        &[(ImportConfig, "ERROR_INVALID_PASSWORD")],
        "GROUPKEY under another password",
    );
    for (name, n) in [
        ("2pow31", 1i64 << 31),
        ("10000001", 10_000_001),
        ("zero", 0),
    ] {
        let mut node = der::parse(&group_key_blob).expect("blob");
        assert_eq!(
            der::replace_int(&mut node, i64::from(ITERATIONS), n, false),
            1
        );
        c.add(
            &format!("gc/groupkey-iterations-{name}.xml"),
            with_key(node.encode()),
            &[(ImportConfig, "E_INVALIDARG")],
            &format!("GROUPKEY PBKDF2 iteration count {n}"),
        );
    }
    c.add(
        "gc/groupkey-truncated.xml",
        with_key(group_key_blob[..group_key_blob.len() - 7].to_vec()),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPKEY cut short",
    );
    c.add(
        "gc/groupkey-plain-pkcs8.xml",
        with_key(pkcs8(&cast.group)),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPKEY holds an unencrypted PKCS#8 key",
    );
    c.add(
        "gc/groupkey-garbage.xml",
        with_key(vec![0x30, 0x00]),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPKEY an empty SEQUENCE",
    );
    c.add(
        "gc/identity-not-in-store.xml",
        config_xml(
            cast.other.peer_name("other").expect("name").as_str(),
            &group,
            base_chain.clone(),
            None,
        ),
        &[(ImportConfig, "PEER_E_NOT_FOUND")],
        "IDENTITYPEERNAME of an identity this store does not have",
    );
    c.add(
        "gc/identity-not-a-peer-name.xml",
        config_xml("not a peer name", &group, base_chain.clone(), None),
        &[(ImportConfig, "PEER_E_NOT_FOUND")],
        "IDENTITYPEERNAME is not a peer name",
    );
    c.add(
        "gc/group-name-not-chain.xml",
        config_xml(&owner, cast.invite_name.as_str(), base_chain.clone(), None),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPPEERNAME of another group than the chain's",
    );
    c.add(
        "gc/group-name-other-classifier.xml",
        config_xml(
            &owner,
            cast.group.peer_name("elsewhere").expect("name").as_str(),
            base_chain.clone(),
            None,
        ),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPPEERNAME with the group key's authority and another classifier",
    );
    c.add(
        "gc/group-name-unsecured.xml",
        config_xml(&owner, "0.corpus", base_chain.clone(), None),
        &[(ImportConfig, "E_INVALIDARG")],
        "GROUPPEERNAME unsecured",
    );
    let many: Vec<Vec<u8>> = (0..65)
        .map(|_| {
            cast.gmc(&cast.grc, &cast.group, &cast.owner_idc, &[Role::MEMBER])
                .der()
                .to_vec()
        })
        .collect();
    c.add(
        "gc/gmc-65-certificates.xml",
        config_xml(&owner, &group, raw_p7(&many), None),
        &[(ImportConfig, "E_INVALIDARG")],
        "a PKCS#7 of 65 certificates (more than the 64 a bundle may hold)",
    );
    c.add(
        "inv/gmc-65-certificates.xml",
        invitation_xml(raw_p7(&many)),
        &[
            (ParseInvitation, "PEER_E_INVITATION_NOT_TRUSTED"),
            (Join, "PEER_E_INVITATION_NOT_TRUSTED"),
        ],
        "a PKCS#7 of 65 certificates (more than the 64 a bundle may hold)",
    );
    c.add(
        "gc/gmc-empty-pkcs7.xml",
        config_xml(&owner, &group, p7(&[]), None),
        &[(ImportConfig, "E_INVALIDARG")],
        "GMC holds a PKCS#7 with no certificate",
    );
    c.add(
        "gc/gmc-bare-certificate.xml",
        config_xml(&owner, &group, cast.owner_gmc.der().to_vec(), None),
        &[(ImportConfig, "E_INVALIDARG")],
        "GMC holds a bare certificate, not PKCS#7",
    );

    // ---- PEERINVITATION chains (group "invite", invitee owner) ----------------------
    for (name, note, list, verdict) in chain_defects(&cast, &cast.invite, &cast.invite_grc, "chain")
    {
        let (join, parse) = match verdict {
            Verdict::Sound => (None, "S_OK"),
            Verdict::Time => (Some("PEER_E_INVALID_TIME_PERIOD"), "S_OK"),
            Verdict::OtherLeaf => (Some("PEER_E_INVALID_CREDENTIAL"), "S_OK"),
            Verdict::Broken => (
                Some("PEER_E_INVITATION_NOT_TRUSTED"),
                "PEER_E_INVITATION_NOT_TRUSTED",
            ),
        };
        let mut rows = vec![(ParseInvitation, parse)];
        if let Some(j) = join {
            rows.push((Join, j));
        }
        c.add(
            &format!("inv/{name}.xml"),
            invitation_xml(p7(&list)),
            &rows,
            &note,
        );
    }
    c.add(
        "inv/password-invitation-to-join.xml",
        Invitation::Password(peernet_protocol::PasswordInvitation {
            cloud_name: "Global_".into(),
            scope: Scope::Global,
            cloud_flags: 0,
            group_peer_name: cast.invite_name.as_str().into(),
            group_friendly_name: "Invite Group".into(),
        })
        .to_xml_string()
        .expect("xml"),
        &[(Join, "E_INVALIDARG"), (ParseInvitation, "S_OK")],
        "a password invitation given to group_join",
    );
    c.add(
        "inv/password-invitation-unsecured-group.xml",
        Invitation::Password(peernet_protocol::PasswordInvitation {
            cloud_name: "Global_".into(),
            scope: Scope::Global,
            cloud_flags: 0,
            group_peer_name: "0.invite".into(),
            group_friendly_name: "Invite Group".into(),
        })
        .to_xml_string()
        .expect("xml"),
        &[(ParseInvitation, "PEER_E_INVITATION_NOT_TRUSTED")],
        "a password invitation for an unsecured group name",
    );

    // ---- manifest and README --------------------------------------------------------
    let mut m = String::from(
        "# Hostile corpus manifest (generated by tests/src/hostile.rs; do not edit).\n\
         # <file> <entry point> <expected HRESULT> # <what is wrong>\n\
         # Entry points, against a store holding base/identity.xml and base/group.xml:\n\
         #   identity_import         Peernet::identity_import(xml, PASSWORD)\n\
         #   group_import_config     Peernet::group_import_config(xml, PASSWORD, false)\n\
         #   group_join              Peernet::group_join(Some(owner), xml, None)\n\
         #   group_parse_invitation  Peernet::group_parse_invitation(xml)\n\
         #   create_invitation       owner's Group 'corpus' .create_invitation(xml, None, &[Role::MEMBER])\n\
         # S_OK rows must succeed without changing the store (parse only).\n",
    );
    for r in &c.rows {
        let _ = writeln!(
            m,
            "{} {} {} # {}",
            r.file,
            r.entry.name(),
            r.expected,
            r.note
        );
    }
    c.files.insert("manifest.txt".into(), m.into_bytes());
    c.files
        .insert("README.md".into(), README.as_bytes().to_vec());
    c
}

const README: &str = "\
# Hostile corpus

Generated by `tests/src/hostile.rs` (deterministic: fixed seeds, clock 2026-01-01, seeded
salts); do not edit by hand. `cargo xtask fixtures` rewrites the directory and
`cargo xtask fixtures --check` checks that these files are what the generator produces;
`cargo test -p peernet-tests --test hardening_corpus` feeds each row of `manifest.txt` to
its facade entry point.

- `base/` - the sound documents the test store is made of (identity 'owner', group
  'corpus' with its GROUPKEY) and the templates the XML mutations start from.
- `ie/` - PEERIDENTITYEXPORT: XML damage, PFX iteration counts (2^31, 10,000,001, ...),
  MAC, key/certificate splices, wrong password, PEERNAME, identity certificates that break
  one rule (each required extension removed, validity, type, signature).
- `gc/` - PEERGROUPCONFIG: XML damage, every chain defect, GROUPKEY defects, names.
- `inv/` - PEERINVITATION: XML damage and every chain defect, to join and to parse.
- `ii/` - PEERIDENTITYINFO given to create_invitation: XML damage, invitee certificates.

Passwords: `hostile corpus pässword` (everything), `not the corpus password` (the
wrong-password cases). The keys are derived from public seeds: never trust them.
";
