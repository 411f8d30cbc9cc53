//! Validation of what other members send, before it is stored or relayed ([MS-PPSEC]
//! 3.1.7: the security provider answers Valid, Invalid or Defer for each record).

use std::collections::HashMap;
use std::sync::Arc;

use peernet_crypto::{Certificate, Role, chain, pkcs7};
use peernet_storage::{MemberRow, RECORD_FLAG_DELETED, RecordRow};

use super::conflict;
use crate::error::Result;
use crate::group::Group;
use crate::records::{PEER_RECORD_FLAG_AUTOREFRESH, RESERVED_RECORD_TYPES};
use crate::time::from_filetime;

/// What validation says of a received record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Its author and modifier are members, the signature holds, the modifier may
    /// change it and its lifetime lies within the modifier's GMC.
    Valid,
    /// The membership of `member` (author or modifier) has not arrived yet.
    Defer {
        /// The member whose chain is missing.
        member: String,
    },
    /// Refused: never stored, never relayed.
    Invalid(String),
}

/// Validates records of one group against the memberships it knows, caching each
/// member's validated leaf certificate (keep one for a while to validate many batches;
/// [`Validator::refresh`] after memberships change).
pub struct Validator {
    group: Group,
    own: Arc<Vec<Certificate>>,
    leaves: HashMap<String, Option<Certificate>>,
}

impl Validator {
    /// A validator for `group` (its current chain is the trust anchor).
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP` and the chain errors of opening the group.
    pub fn new(group: &Group) -> Result<Validator> {
        let (_, own, _) = group.current()?;
        Ok(Validator {
            group: group.clone(),
            own,
            leaves: HashMap::new(),
        })
    }

    fn leaf(&mut self, member: &str) -> Result<Option<Certificate>> {
        if let Some(l) = self.leaves.get(member) {
            return Ok(l.clone());
        }
        let l = self.group.known_member_leaf(&self.own, member)?;
        self.leaves.insert(member.to_owned(), l.clone());
        Ok(l)
    }

    /// Forgets the members not known yet (after new memberships arrived).
    pub fn refresh(&mut self) {
        self.leaves.retain(|_, l| l.is_some());
    }

    /// Forgets every cached membership (after one was renewed).
    pub fn forget(&mut self) {
        self.leaves.clear();
    }

    /// The checks that do not depend on the stored version of the record.
    pub fn check(&mut self, row: &RecordRow) -> Verdict {
        match self.check_inner(row) {
            Ok(v) => v,
            Err(e) => Verdict::Invalid(e.to_string()),
        }
    }

    fn check_inner(&mut self, row: &RecordRow) -> Result<Verdict> {
        if RESERVED_RECORD_TYPES.contains(&row.record_type) {
            return Ok(Verdict::Invalid(format!(
                "record type {} is reserved",
                row.record_type
            )));
        }
        if row.flags & !(PEER_RECORD_FLAG_AUTOREFRESH | RECORD_FLAG_DELETED) != 0 {
            return Ok(Verdict::Invalid(format!("unknown flags {:#x}", row.flags)));
        }
        if from_filetime(row.expiration) <= self.group.ctx().now() {
            return Ok(Verdict::Invalid("expired".into()));
        }
        if row.version == 0 {
            return Ok(Verdict::Invalid("version 0".into()));
        }
        let Some(modifier) = self.leaf(&row.modified_by_id)? else {
            return Ok(Verdict::Defer {
                member: row.modified_by_id.clone(),
            });
        };
        if row.creator_id != row.modified_by_id {
            if self.leaf(&row.creator_id)?.is_none() {
                return Ok(Verdict::Defer {
                    member: row.creator_id.clone(),
                });
            }
            let admin = modifier.roles().is_some_and(|r| r.contains(&Role::ADMIN));
            if !admin {
                return Ok(Verdict::Invalid(format!(
                    "'{}' changed a record of '{}' without the Administrator role",
                    row.modified_by_id, row.creator_id
                )));
            }
        }
        if let Err(e) = self.group.verify_signed_by(row, &modifier) {
            return Ok(Verdict::Invalid(e.to_string()));
        }
        let v = modifier.validity();
        let modified = from_filetime(row.last_modified);
        let expiration = from_filetime(row.expiration);
        if modified < v.not_before || modified > v.not_after || expiration > v.not_after {
            return Ok(Verdict::Invalid(
                "its lifetime lies outside its modifier's membership credentials".into(),
            ));
        }
        if row.created > row.last_modified {
            return Ok(Verdict::Invalid(
                "created after its last modification".into(),
            ));
        }
        Ok(Verdict::Valid)
    }
}

/// Whether `incoming` (already [`Verdict::Valid`]) replaces `stored`: the record id
/// stays bound to its creator, type and creation time; an expiration only grows
/// ([MS-PPGRH] 3.1.7.8); and it is newer by [MS-PPGRH] 3.1.7.32 (an older or equal one
/// is "old" or "already present": not stored, not relayed).
pub fn replaces(stored: Option<&RecordRow>, incoming: &RecordRow) -> bool {
    let Some(s) = stored else { return true };
    s.creator_id == incoming.creator_id
        && s.record_type == incoming.record_type
        && s.created == incoming.created
        && incoming.expiration >= s.expiration
        && conflict::is_newer(incoming, s)
}

impl Group {
    /// The GMC chains (PKCS#7) of every member this group knows, this identity's own
    /// first.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; encoding errors.
    pub(crate) fn member_chains(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let (_, own, _) = self.current()?;
        let mut out = Vec::new();
        if own.len() > 1 {
            let ders: Vec<Vec<u8>> = own.iter().map(|c| c.der().to_vec()).collect();
            let p7 = pkcs7::encode(&ders).map_err(|e| {
                crate::error::Error::crypto_as(crate::hresult::E_FAIL, "cannot encode the chain", e)
            })?;
            out.push((self.identity().to_owned(), p7));
        }
        let rows = self
            .ctx()
            .store
            .members(self.identity(), self.peer_name())
            .map_err(|e| self.group_err(e))?;
        for r in rows {
            if r.peer_name != self.identity()
                && let Some(c) = r.gmc_chain
            {
                out.push((r.peer_name, c));
            }
        }
        Ok(out)
    }

    /// Stores the memberships in `chains` (PKCS#7 GMC chains from another member) that
    /// validate under this group's root and are new, or renew a known member's chain
    /// (a later end of validity); others are skipped. Returns the members stored
    /// (each logs `MEMBER_CHANGED / JOINED` or `UPDATED`).
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`; the store's errors.
    pub(crate) fn accept_member_chains(&self, chains: &[Vec<u8>]) -> Result<Vec<String>> {
        let (_, own, _) = self.current()?;
        let mut stored = Vec::new();
        for bytes in chains {
            let Ok(ders) = pkcs7::decode_or_bare_certificate(bytes) else {
                continue;
            };
            let Ok(certs) = chain::order_chain(&ders) else {
                continue;
            };
            let Some(name) = certs
                .last()
                .and_then(Certificate::subject_peer_name)
                .map(|p| p.as_str().to_owned())
            else {
                continue;
            };
            if name == self.identity() {
                continue;
            }
            let Some(leaf) = self.checked_member_leaf(&own, &certs, &name) else {
                continue;
            };
            let existing = match self
                .ctx()
                .store
                .member(self.identity(), self.peer_name(), &name)
            {
                Ok(r) => Some(r),
                Err(peernet_storage::Error::NotFound { .. }) => None,
                Err(e) => return Err(self.group_err(e)),
            };
            if let Some(e) = &existing {
                let known_end = crate::members::member_chain(e)
                    .and_then(|c| c.last().map(|l| l.validity().not_after));
                if e.gmc_chain.as_deref() == Some(bytes.as_slice())
                    || known_end.is_some_and(|end| end >= leaf.validity().not_after)
                {
                    continue;
                }
            }
            let row = MemberRow {
                peer_name: name.clone(),
                flags: existing.as_ref().map_or(0, |e| e.flags),
                attributes: existing.as_ref().and_then(|e| e.attributes.clone()),
                node_id: existing.as_ref().and_then(|e| e.node_id),
                gmc_chain: Some(bytes.clone()),
            };
            self.ctx()
                .store
                .upsert_member(self.identity(), self.peer_name(), &row)
                .map_err(|e| self.group_err(e))?;
            stored.push(name);
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::records::Record;
    use crate::time::to_filetime;
    use crate::{GroupProperties, Options, Peernet};
    use peernet_crypto::Profile;
    use peernet_protocol::Guid;

    const TYPE: Guid = Guid::from_fields(7, 7, 7, [7; 8]);

    struct Member {
        _dir: tempfile::TempDir,
        group: Group,
    }

    fn open(name: &str) -> (tempfile::TempDir, Peernet, String) {
        let dir = tempfile::tempdir().unwrap();
        let pn =
            Peernet::open_with(dir.path(), Options::default().with_pfx_iterations(1000)).unwrap();
        let id = pn
            .identity_create(Some(name), Some(name), Some(Profile::Modern))
            .unwrap();
        (dir, pn, id)
    }

    /// alice owns the group; bob is a member, dave an administrator; carol holds a
    /// group of her own only.
    fn cast() -> (Member, Member, Member, Member) {
        let (da, pa, ia) = open("alice");
        let ga = pa
            .group_create(
                &GroupProperties::new("chat", "Chat")
                    .with_creator(&ia)
                    .with_profile(Profile::Modern),
            )
            .unwrap();
        let join = |name: &str, role: Role| {
            let (d, p, i) = open(name);
            let info = p.identity_get_xml(Some(&i)).unwrap();
            let inv = ga.create_invitation(&info, None, &[role]).unwrap();
            let g = p.group_join(Some(&i), &inv, None).unwrap();
            Member { _dir: d, group: g }
        };
        let bob = join("bob", Role::MEMBER);
        let dave = join("dave", Role::ADMIN);
        let (dc, pc, ic) = open("carol");
        let gc = pc
            .group_create(
                &GroupProperties::new("chat", "Chat")
                    .with_creator(&ic)
                    .with_profile(Profile::Modern),
            )
            .unwrap();
        (
            Member {
                _dir: da,
                group: ga,
            },
            bob,
            dave,
            Member {
                _dir: dc,
                group: gc,
            },
        )
    }

    fn stored(g: &Group, id: &Guid) -> RecordRow {
        g.ctx()
            .store
            .record(g.identity(), g.peer_name(), id)
            .unwrap()
    }

    /// `by` re-signs `row` as its modifier with its own key.
    fn resign(by: &Group, mut row: RecordRow) -> RecordRow {
        let (_, own, _) = by.current().unwrap();
        row.modified_by_id = by.identity().to_owned();
        by.sign_row(&mut row, own.last().unwrap()).unwrap();
        row
    }

    fn teach(to: &Group, from: &Group) {
        let chains: Vec<Vec<u8>> = from
            .member_chains()
            .unwrap()
            .into_iter()
            .map(|c| c.1)
            .collect();
        to.accept_member_chains(&chains).unwrap();
    }

    #[test]
    fn forged_records_are_refused_and_unknown_authors_deferred() {
        let (alice, bob, dave, carol) = cast();
        let (ga, gb, gd, gc) = (&alice.group, &bob.group, &dave.group, &carol.group);
        let expires = SystemTime::now() + Duration::from_secs(3600);
        let id = ga
            .add_record(&Record::new(TYPE, expires).with_data(b"hi".to_vec()))
            .unwrap();
        let row = stored(ga, &id);

        // Bob has not seen alice's membership: deferred, not refused.
        let mut v = Validator::new(gb).unwrap();
        assert_eq!(
            v.check(&row),
            Verdict::Defer {
                member: ga.identity().to_owned()
            }
        );
        // It arrives: the same record is valid now.
        teach(gb, ga);
        v.refresh();
        assert_eq!(v.check(&row), Verdict::Valid);

        // A changed payload breaks the signature.
        let mut tampered = row.clone();
        tampered.data = b"ho".to_vec();
        assert!(matches!(v.check(&tampered), Verdict::Invalid(w) if w.contains("signature")));

        // A reserved record type.
        let mut reserved = row.clone();
        reserved.record_type = crate::records::RESERVED_RECORD_TYPES[0];
        assert!(matches!(v.check(&reserved), Verdict::Invalid(_)));

        // Alice learns bob's and dave's memberships.
        teach(ga, gb);
        teach(ga, gd);
        let mut va = Validator::new(ga).unwrap();
        // A member who is not an administrator changed alice's record.
        let by_bob = resign(
            gb,
            RecordRow {
                version: 2,
                ..row.clone()
            },
        );
        assert!(matches!(va.check(&by_bob), Verdict::Invalid(w) if w.contains("Administrator")));
        // An administrator may.
        let by_dave = resign(
            gd,
            RecordRow {
                version: 2,
                ..row.clone()
            },
        );
        assert_eq!(va.check(&by_dave), Verdict::Valid);
        assert!(replaces(Some(&row), &by_dave));

        // A lifetime beyond the modifier's GMC.
        let (_, own, _) = ga.current().unwrap();
        let end = own.last().unwrap().validity().not_after;
        let long = resign(
            ga,
            RecordRow {
                expiration: to_filetime(end + Duration::from_secs(86_400)),
                ..row.clone()
            },
        );
        assert!(matches!(va.check(&long), Verdict::Invalid(w) if w.contains("lifetime")));

        // Bob claims alice's record id as his own: valid as a record of his, but it
        // never replaces hers (the id stays bound to its creator).
        let hijack = resign(
            gb,
            RecordRow {
                creator_id: gb.identity().to_owned(),
                version: 9,
                ..row.clone()
            },
        );
        assert_eq!(va.check(&hijack), Verdict::Valid);
        assert!(!replaces(Some(&row), &hijack));

        // A replayed older version never replaces the newer one.
        assert!(!replaces(Some(&by_dave), &row));
        assert!(!replaces(Some(&row), &row));

        // An expiration may only grow.
        let shorter = resign(
            ga,
            RecordRow {
                version: 3,
                expiration: row.expiration - 1,
                ..row.clone()
            },
        );
        assert_eq!(va.check(&shorter), Verdict::Valid);
        assert!(!replaces(Some(&row), &shorter));

        // Carol belongs to another group: her record is never valid here, and her chain
        // is not accepted as a membership.
        let theirs = resign(
            gc,
            RecordRow {
                creator_id: gc.identity().to_owned(),
                ..row.clone()
            },
        );
        assert!(matches!(va.check(&theirs), Verdict::Defer { .. }));
        teach(ga, gc);
        va.refresh();
        assert!(matches!(va.check(&theirs), Verdict::Defer { .. }));
        assert!(
            ga.ctx()
                .store
                .member(ga.identity(), ga.peer_name(), gc.identity())
                .is_err()
        );
    }
}
