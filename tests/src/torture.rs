//! The operation stream of the crash and concurrency torture tests: a [`Worker`] drives the
//! facade with seeded random mutating operations on the objects it owns and writes one
//! `BEGIN` line before and one `ACK` line after each (flushed), so that a parent process can
//! rebuild what must be in the store; [`check_whole`] verifies that every stored object is
//! complete (keys unseal and match, chains validate, groups open).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use peernet::{GroupProperties, Peernet, Profile, Role};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// Password of the pool's exports and of exported configurations.
pub const POOL_PASSWORD: &str = "torture pool password";

/// Scale of the torture tests: `PEERNET_TORTURE_OPS` (operations per process), else `default`.
pub fn torture_ops(default: usize) -> usize {
    std::env::var("PEERNET_TORTURE_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Process (or worker) count of the concurrency tests: `PEERNET_TORTURE_PROCS`, else `default`.
pub fn torture_procs(default: usize) -> usize {
    std::env::var("PEERNET_TORTURE_PROCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Makes `n` identities in a scratch store and writes their PEERIDENTITYEXPORT documents to
/// `dir/ident-<i>.xml` (every third one windows profile). Returns the files in order.
///
/// # Panics
/// On any facade failure.
pub fn make_pool(dir: &Path, n: usize) -> Vec<PathBuf> {
    let scratch = tempfile::tempdir().expect("tempdir");
    let pn = Peernet::open_with(scratch.path(), crate::store::fast_options()).expect("open");
    std::fs::create_dir_all(dir).expect("pool dir");
    (0..n)
        .map(|i| {
            let profile = if i.is_multiple_of(3) {
                Profile::Windows
            } else {
                Profile::Modern
            };
            let id = pn
                .identity_create(Some(&format!("pool{i}")), Some("Pool"), Some(profile))
                .expect("create");
            let xml = pn
                .identity_export(&id, &POOL_PASSWORD.into())
                .expect("export");
            let p = dir.join(format!("ident-{i}.xml"));
            std::fs::write(&p, xml).expect("write");
            p
        })
        .collect()
}

/// The identities, memberships and group records a store holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Identity peer names.
    pub identities: BTreeSet<String>,
    /// (identity, group peer name).
    pub groups: BTreeSet<(String, String)>,
    /// (identity, group peer name, record id `{…}`).
    pub records: BTreeSet<(String, String, String)>,
}

/// Reads the store's identities, memberships and records.
///
/// # Panics
/// When the store cannot be read.
pub fn state(pn: &Peernet) -> State {
    let groups: BTreeSet<(String, String)> = pn
        .store()
        .all_groups()
        .expect("groups")
        .into_iter()
        .map(|g| (g.identity, g.group_peer_name))
        .collect();
    let mut records = BTreeSet::new();
    for (i, g) in &groups {
        // A group deleted since the list was read has no records left to count.
        let rows = match pn.store().records(i, g, None) {
            Ok(rows) => rows,
            Err(peernet::lower::storage::Error::NotFound { .. }) => Vec::new(),
            Err(e) => panic!("records of {g} ({i}): {e}"),
        };
        records.extend(
            rows.iter()
                .map(|r| (i.clone(), g.clone(), r.id.to_string())),
        );
    }
    State {
        identities: pn
            .store()
            .identities()
            .expect("identities")
            .into_iter()
            .map(|i| i.peer_name)
            .collect(),
        groups,
        records,
    }
}

/// Checks that every object in the store is whole: `PRAGMA integrity_check` and foreign keys
/// pass, each identity's key unseals and is its certificate's key, each membership opens (the
/// chain validates and ends in the identity's key), each stored group key unseals and is the
/// GRC's key. Returns a description of the first problem.
pub fn check_whole(pn: &Peernet) -> Result<(), String> {
    pn.store()
        .check_integrity()
        .map_err(|e| format!("integrity: {e}"))?;
    let s = state(pn);
    for id in &s.identities {
        let key = pn
            .identity_get_crypt_key(id)
            .map_err(|e| format!("identity {id}: key: {e}"))?;
        let details = pn
            .identity_details(id)
            .map_err(|e| format!("identity {id}: details: {e}"))?;
        let idc = peernet::lower::crypto::Certificate::from_der(&details.idc)
            .map_err(|e| format!("identity {id}: IDC: {e}"))?;
        if idc.public_key_der() != key.public_key_der() {
            return Err(format!("identity {id}: the key is not the IDC's"));
        }
        let sig = key
            .sign(b"torture")
            .map_err(|e| format!("identity {id}: sign: {e}"))?;
        if sig.is_empty() {
            return Err(format!("identity {id}: empty signature"));
        }
    }
    for (id, g) in &s.groups {
        let group = pn
            .group_open(id, g, None)
            .map_err(|e| format!("group {g} of {id}: open: {e}"))?;
        let row = pn
            .store()
            .group(id, g)
            .map_err(|e| format!("group {g} of {id}: {e}"))?;
        if row.gmc_chain.len() < 2 {
            return Err(format!(
                "group {g} of {id}: chain of {}",
                row.gmc_chain.len()
            ));
        }
        if let Some(k) = pn
            .store()
            .group_private_key(id, g)
            .map_err(|e| format!("group {g} of {id}: group key: {e}"))?
        {
            let key = peernet::lower::crypto::PrivateKey::from_pkcs8_der(&k)
                .map_err(|e| format!("group {g} of {id}: group key: {e}"))?;
            let grc = peernet::lower::crypto::Certificate::from_der(&row.gmc_chain[0])
                .map_err(|e| format!("group {g} of {id}: GRC: {e}"))?;
            if grc.public_key_der() != key.public_key_der() {
                return Err(format!("group {g} of {id}: the group key is not the GRC's"));
            }
        }
        drop(group);
    }
    Ok(())
}

/// The end of a concurrency run: no worker reported an error, every object in the store is
/// whole, and the store is exactly `expected` (the sum of the acknowledged operations).
/// Returns the store's state.
///
/// # Panics
/// When any of that does not hold.
pub fn assert_sum_of_acknowledged(pn: &Peernet, errors: &[String], expected: &State) -> State {
    assert!(errors.is_empty(), "errors surfaced:\n{}", errors.join("\n"));
    check_whole(pn).unwrap();
    let actual = state(pn);
    assert_eq!(
        &actual, expected,
        "the store is not the sum of the acknowledged operations"
    );
    actual
}

/// One acknowledged (or begun) operation as written on the worker's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// Sequence number.
    pub seq: u64,
    /// Kind: create-identity, import-identity, delete-identity, create-group, join,
    /// import-config, delete-group, open, record-add, provoked.
    pub kind: String,
    /// Identity (or `-`).
    pub identity: String,
    /// Group (or `-`).
    pub group: String,
    /// Record id `{…}` of a record-add (or `-`).
    pub record: String,
}

impl Op {
    /// Parses `BEGIN …` / `ACK …` lines: (is_ack, op).
    pub fn parse_line(line: &str) -> Option<(bool, Op)> {
        let mut f = line.split_whitespace();
        let ack = match f.next()? {
            "ACK" => true,
            "BEGIN" => false,
            _ => return None,
        };
        Some((
            ack,
            Op {
                seq: f.next()?.parse().ok()?,
                kind: f.next()?.to_owned(),
                identity: f.next()?.to_owned(),
                group: f.next()?.to_owned(),
                record: f.next().unwrap_or("-").to_owned(),
            },
        ))
    }

    /// Names the object an acknowledged create made from what the command printed (the
    /// CLI prints the new identity's or group's peer name, or the new record's id).
    pub fn name_from_output(&mut self, printed: &str) {
        let printed = printed.trim().to_owned();
        match self.kind.as_str() {
            "create-identity" => self.identity = printed,
            "create-group" => self.group = printed,
            "record-add" => self.record = printed,
            _ => {}
        }
    }

    /// Applies an acknowledged operation to a model state.
    pub fn apply(&self, s: &mut State) {
        let ig = (self.identity.clone(), self.group.clone());
        match self.kind.as_str() {
            "create-identity" | "import-identity" => {
                s.identities.insert(self.identity.clone());
            }
            "delete-identity" => {
                s.identities.remove(&self.identity);
            }
            "create-group" | "join" | "import-config" => {
                s.groups.insert(ig);
            }
            "delete-group" => {
                s.records.retain(|(i, g, _)| (i, g) != (&ig.0, &ig.1));
                s.groups.remove(&ig);
            }
            "record-add" => {
                s.records.insert((ig.0, ig.1, self.record.clone()));
            }
            _ => {}
        }
    }

    /// Whether the difference `actual` − `model` can be this (unacknowledged) operation
    /// having taken effect, whole: `actual` is `model` with `op` applied. A create whose
    /// name was never printed (identity, group or record `-`) is named after the one new
    /// object of its kind. `None` = no operation in flight.
    pub fn explains(op: Option<&Op>, model: &State, actual: &State) -> Result<(), String> {
        if actual == model {
            return Ok(());
        }
        let bad = || {
            // What `a` has and `b` has not, per kind.
            let diff = |a: &State, b: &State| {
                format!(
                    "ids {:?} groups {:?} records {:?}",
                    a.identities.difference(&b.identities).collect::<Vec<_>>(),
                    a.groups.difference(&b.groups).collect::<Vec<_>>(),
                    a.records.difference(&b.records).collect::<Vec<_>>()
                )
            };
            format!(
                "store differs from the acknowledged operations: added {}; removed {}; in flight: {op:?}",
                diff(actual, model),
                diff(model, actual)
            )
        };
        let Some(op) = op else {
            return Err(bad());
        };
        let mut op = op.clone();
        let only = |added: Vec<String>| match added.as_slice() {
            [one] => one.clone(),
            _ => "-".to_owned(),
        };
        match op.kind.as_str() {
            "create-identity" if op.identity == "-" => {
                op.identity = only(
                    actual
                        .identities
                        .difference(&model.identities)
                        .cloned()
                        .collect(),
                );
            }
            "create-group" if op.group == "-" => {
                op.group = only(
                    actual
                        .groups
                        .difference(&model.groups)
                        .map(|(_, g)| g.clone())
                        .collect(),
                );
            }
            "record-add" if op.record == "-" => {
                op.record = only(
                    actual
                        .records
                        .difference(&model.records)
                        .map(|(_, _, r)| r.clone())
                        .collect(),
                );
            }
            _ => {}
        }
        let mut expected = model.clone();
        op.apply(&mut expected);
        if &expected == actual {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

/// Drives the facade with seeded random operations on the objects whose classifiers start
/// with `tag` (its own), writing `BEGIN`/`ACK` lines to `out`.
pub struct Worker<'a, W: Write> {
    /// The context.
    pub pn: Peernet,
    /// This worker's tag (prefix of its classifiers).
    pub tag: String,
    /// Pool exports this worker may import.
    pub pool: Vec<PathBuf>,
    /// Where BEGIN/ACK lines go (flushed after each line).
    pub out: &'a mut W,
    /// Next sequence number.
    pub seq: u64,
    rng: ChaCha20Rng,
    /// Errors the worker provoked on purpose and got as expected.
    pub provoked: u64,
}

fn classifier_of(peer_name: &str) -> &str {
    peer_name.split_once('.').map_or("", |(_, c)| c)
}

impl<'a, W: Write> Worker<'a, W> {
    /// A worker with `seed`.
    pub fn new(
        pn: Peernet,
        tag: &str,
        pool: Vec<PathBuf>,
        out: &'a mut W,
        seed: u64,
        first_seq: u64,
    ) -> Self {
        Worker {
            pn,
            tag: tag.to_owned(),
            pool,
            out,
            seq: first_seq,
            rng: ChaCha20Rng::seed_from_u64(seed),
            provoked: 0,
        }
    }

    fn line(&mut self, what: &str, kind: &str, identity: &str, group: &str, record: &str) {
        let dash = |s: &'_ str| {
            if s.is_empty() {
                "-".to_owned()
            } else {
                s.to_owned()
            }
        };
        let (id, g, r) = (dash(identity), dash(group), dash(record));
        let _ = writeln!(self.out, "{what} {} {kind} {id} {g} {r}", self.seq);
        let _ = self.out.flush();
    }

    fn begin(&mut self, kind: &str, identity: &str, group: &str) {
        self.line("BEGIN", kind, identity, group, "");
    }

    fn ack(&mut self, kind: &str, identity: &str, group: &str) {
        self.ack_record(kind, identity, group, "");
    }

    fn ack_record(&mut self, kind: &str, identity: &str, group: &str, record: &str) {
        self.line("ACK", kind, identity, group, record);
        self.seq += 1;
    }

    fn mine(&self, peer_name: &str) -> bool {
        classifier_of(peer_name).starts_with(&self.tag)
    }

    fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        if v.is_empty() {
            None
        } else {
            let i = (self.rng.next_u32() as usize) % v.len();
            Some(v[i].clone())
        }
    }

    /// Performs one operation (falls back to creating an identity when the chosen one has
    /// nothing to work on).
    ///
    /// # Errors
    /// The facade's error, with the operation named.
    pub fn step(&mut self) -> Result<(), String> {
        let s = state(&self.pn);
        let my_ids: Vec<String> = s
            .identities
            .iter()
            .filter(|i| self.mine(i))
            .cloned()
            .collect();
        let my_groups: Vec<(String, String)> = s
            .groups
            .iter()
            .filter(|(i, _)| self.mine(i))
            .cloned()
            .collect();
        let choice = self.rng.next_u32() % 100;
        let err = |what: &str, e: peernet::Error| format!("{what}: {e}");
        let seq = self.seq;
        match choice {
            // Delete an identity without groups.
            0..=9 => {
                let free: Vec<String> = my_ids
                    .iter()
                    .filter(|i| !my_groups.iter().any(|(gi, _)| gi == *i))
                    .cloned()
                    .collect();
                if my_ids.len() > 2
                    && let Some(id) = self.pick(&free)
                {
                    self.begin("delete-identity", &id, "");
                    self.pn
                        .identity_delete(&id)
                        .map_err(|e| err("delete identity", e))?;
                    self.ack("delete-identity", &id, "");
                    return Ok(());
                }
            }
            // Import a pool identity this store does not have.
            10..=19 => {
                let candidates: Vec<(PathBuf, String)> = self
                    .pool
                    .iter()
                    .filter_map(|p| {
                        let xml = std::fs::read_to_string(p).ok()?;
                        let doc = peernet::lower::protocol::IdentityExport::parse_str(&xml).ok()?;
                        (!s.identities.contains(&doc.peer_name))
                            .then_some((p.clone(), doc.peer_name))
                    })
                    .collect();
                if let Some((p, name)) = self.pick(&candidates) {
                    let xml = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                    self.begin("import-identity", &name, "");
                    let got = self
                        .pn
                        .identity_import(&xml, &POOL_PASSWORD.into())
                        .map_err(|e| err("import identity", e))?;
                    if got != name {
                        return Err(format!("imported {got}, expected {name}"));
                    }
                    self.ack("import-identity", &name, "");
                    // Importing it again must fail with PEER_E_ALREADY_EXISTS (provoked).
                    match self.pn.identity_import(&xml, &POOL_PASSWORD.into()) {
                        Err(e) if e.hresult() == peernet::hresult::PEER_E_ALREADY_EXISTS => {
                            self.provoked += 1;
                        }
                        other => return Err(format!("second import: {other:?}")),
                    }
                    return Ok(());
                }
            }
            // Create a group.
            20..=34 => {
                if let Some(id) = self.pick(&my_ids) {
                    self.begin("create-group", &id, "");
                    let g = self
                        .pn
                        .group_create(
                            &GroupProperties::new(format!("{}g{seq}", self.tag), "Torture")
                                .with_creator(&id),
                        )
                        .map_err(|e| err("create group", e))?;
                    self.ack("create-group", &id, g.peer_name());
                    return Ok(());
                }
            }
            // Invite another identity of this worker into an owned group, and join.
            35..=54 => {
                let owned: Vec<(String, String)> = my_groups
                    .iter()
                    .filter(|(i, g)| {
                        self.pn
                            .store()
                            .group(i, g)
                            .map(|r| r.has_group_key)
                            .unwrap_or(false)
                    })
                    .cloned()
                    .collect();
                if let Some((owner, g)) = self.pick(&owned) {
                    // A group admits members of its own profile only (rule I2).
                    let profile = self
                        .pn
                        .store()
                        .group(&owner, &g)
                        .map(|r| r.profile)
                        .unwrap_or_default();
                    let outsiders: Vec<String> = my_ids
                        .iter()
                        .filter(|i| !s.groups.contains(&((*i).clone(), g.clone())))
                        .filter(|i| {
                            self.pn
                                .identity_details(i)
                                .is_ok_and(|d| d.profile.as_str() == profile)
                        })
                        .cloned()
                        .collect();
                    if let Some(invitee) = self.pick(&outsiders) {
                        let group = self
                            .pn
                            .group_open(&owner, &g, None)
                            .map_err(|e| err("open", e))?;
                        let info = self
                            .pn
                            .identity_get_xml(Some(&invitee))
                            .map_err(|e| err("identity xml", e))?;
                        let inv = group
                            .create_invitation(&info, None, &[Role::MEMBER])
                            .map_err(|e| err("invite", e))?;
                        self.begin("join", &invitee, &g);
                        self.pn
                            .group_join(Some(&invitee), &inv, None)
                            .map_err(|e| err("join", e))?;
                        self.ack("join", &invitee, &g);
                        return Ok(());
                    }
                }
            }
            // Export a configuration and import it back (replacing, or after deleting it).
            55..=69 => {
                if let Some((id, g)) = self.pick(&my_groups) {
                    let group = self
                        .pn
                        .group_open(&id, &g, None)
                        .map_err(|e| err("open", e))?;
                    let xml = group
                        .export_config(&POOL_PASSWORD.into())
                        .map_err(|e| err("export config", e))?;
                    if self.rng.next_u32().is_multiple_of(2) {
                        self.begin("delete-group", &id, &g);
                        self.pn
                            .group_delete(Some(&id), &g)
                            .map_err(|e| err("delete group", e))?;
                        self.ack("delete-group", &id, &g);
                        self.begin("import-config", &id, &g);
                        self.pn
                            .group_import_config(&xml, &POOL_PASSWORD.into(), false)
                            .map_err(|e| err("import config", e))?;
                        self.ack("import-config", &id, &g);
                    } else {
                        self.begin("import-config", &id, &g);
                        self.pn
                            .group_import_config(&xml, &POOL_PASSWORD.into(), true)
                            .map_err(|e| err("import config (overwrite)", e))?;
                        self.ack("import-config", &id, &g);
                        // Without overwrite it must be refused (provoked).
                        match self
                            .pn
                            .group_import_config(&xml, &POOL_PASSWORD.into(), false)
                        {
                            Err(e) if e.hresult() == peernet::hresult::PEER_E_ALREADY_EXISTS => {
                                self.provoked += 1;
                            }
                            other => return Err(format!("second import config: {other:?}")),
                        }
                    }
                    return Ok(());
                }
            }
            // Delete a membership.
            70..=79 => {
                if my_groups.len() > 2
                    && let Some((id, g)) = self.pick(&my_groups)
                {
                    self.begin("delete-group", &id, &g);
                    self.pn
                        .group_delete(Some(&id), &g)
                        .map_err(|e| err("delete group", e))?;
                    self.ack("delete-group", &id, &g);
                    return Ok(());
                }
            }
            // Publish a record in a group (PeerGroupAddRecord), signed by the member.
            88..=95 => {
                if let Some((id, g)) = self.pick(&my_groups) {
                    let group = self
                        .pn
                        .group_open(&id, &g, None)
                        .map_err(|e| err("open", e))?;
                    let mut record_type = [0u8; 16];
                    self.rng.fill_bytes(&mut record_type);
                    let expires =
                        std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
                    let record = peernet::Record::new(record_type.into(), expires)
                        .with_attributes(format!(
                            "<attributes><attribute name=\"seq\" type=\"int\">{seq}</attribute></attributes>"
                        ))
                        .with_data(format!("torture record {seq} by {}", self.tag));
                    self.begin("record-add", &id, &g);
                    let rid = group
                        .add_record(&record)
                        .map_err(|e| err("add record", e))?;
                    self.ack_record("record-add", &id, &g, &rid.to_string());
                    return Ok(());
                }
            }
            // Open a group and read it.
            80..=87 => {
                if let Some((id, g)) = self.pick(&my_groups) {
                    self.begin("open", &id, &g);
                    let group = self
                        .pn
                        .group_open(&id, &g, None)
                        .map_err(|e| err("open", e))?;
                    group.get_properties().map_err(|e| err("properties", e))?;
                    self.ack("open", &id, &g);
                    return Ok(());
                }
            }
            _ => {}
        }
        // Create an identity (one in four windows profile: RSA-1024 key generation).
        let profile = if self.rng.next_u32().is_multiple_of(4) {
            Profile::Windows
        } else {
            Profile::Modern
        };
        self.begin("create-identity", "", "");
        let id = self
            .pn
            .identity_create(Some(&format!("{}i{seq}", self.tag)), None, Some(profile))
            .map_err(|e| err("create identity", e))?;
        self.ack("create-identity", &id, "");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: &str, identity: &str, group: &str) -> Op {
        Op {
            seq: 0,
            kind: kind.into(),
            identity: identity.into(),
            group: group.into(),
            record: "-".into(),
        }
    }

    fn st(ids: &[&str], groups: &[(&str, &str)], records: &[(&str, &str, &str)]) -> State {
        State {
            identities: ids.iter().map(|s| s.to_string()).collect(),
            groups: groups
                .iter()
                .map(|(i, g)| (i.to_string(), g.to_string()))
                .collect(),
            records: records
                .iter()
                .map(|(i, g, r)| (i.to_string(), g.to_string(), r.to_string()))
                .collect(),
        }
    }

    #[test]
    fn explains_only_the_whole_operation_in_flight() {
        let model = st(&["a"], &[("a", "g")], &[("a", "g", "r1")]);
        // Nothing changed: always explained; a change with nothing in flight: never.
        assert!(Op::explains(None, &model, &model).is_ok());
        let more = st(&["a", "b"], &[("a", "g")], &[("a", "g", "r1")]);
        assert!(Op::explains(None, &model, &more).is_err());
        // An unnamed create is named after the one new object.
        assert!(Op::explains(Some(&op("create-identity", "-", "-")), &model, &more).is_ok());
        let two = st(&["a", "b", "c"], &[("a", "g")], &[("a", "g", "r1")]);
        assert!(Op::explains(Some(&op("create-identity", "-", "-")), &model, &two).is_err());
        // A group delete takes its records with it, all or nothing.
        let gone = st(&["a"], &[], &[]);
        assert!(Op::explains(Some(&op("delete-group", "a", "g")), &model, &gone).is_ok());
        let partial = st(&["a"], &[], &[("a", "g", "r1")]);
        assert!(Op::explains(Some(&op("delete-group", "a", "g")), &model, &partial).is_err());
        // A record add: one record, in that group.
        let added = st(&["a"], &[("a", "g")], &[("a", "g", "r1"), ("a", "g", "r2")]);
        assert!(Op::explains(Some(&op("record-add", "a", "g")), &model, &added).is_ok());
        assert!(Op::explains(Some(&op("record-add", "a", "h")), &model, &added).is_err());
        assert!(Op::explains(Some(&op("create-group", "a", "-")), &model, &added).is_err());
    }
}
