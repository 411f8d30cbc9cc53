//! Group roles (PNRP 2.2.3.5.1.4, PPSEC 2.2.5.3), the role-issuance matrix (G8) and
//! classifier delegation (PNRP 2.2.3.5.1.5.1, rules S15/P6/P12).
//!
//! A role id is a [`Guid`]. In certificates it is written in the Windows `GUID` memory
//! layout (first three fields little-endian), as `CertCreateCertificateContext` callers on
//! Windows copy a `GUID` struct; see `docs/FORMATS.md` (Q6).

use std::fmt;

use peernet_protocol::Guid;

/// A role id, kept as the bytes found in the certificate (unknown values survive).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Role(Guid);

const fn guid(d1: u32, d2: u16, d3: u16, d4: [u8; 8]) -> Guid {
    Guid::from_fields(d1, d2, d3, d4)
}

impl Role {
    /// Administrator `{04387127-aa56-450a-8ce5-4f565c6790f4}` (PEER_GROUP_ROLE_ADMIN).
    pub const ADMIN: Role = Role(guid(
        0x04387127,
        0xaa56,
        0x450a,
        [0x8c, 0xe5, 0x4f, 0x56, 0x5c, 0x67, 0x90, 0xf4],
    ));
    /// Inviting Member `{4370fd89-dc18-4cfb-8dbf-9853a8a9f905}` (PEER_GROUP_ROLE_INVITING_MEMBER).
    pub const INVITING_MEMBER: Role = Role(guid(
        0x4370fd89,
        0xdc18,
        0x4cfb,
        [0x8d, 0xbf, 0x98, 0x53, 0xa8, 0xa9, 0xf9, 0x05],
    ));
    /// Member `{f12dc4c7-0857-4ca0-93fc-b1bb19a3d8c2}` (PEER_GROUP_ROLE_MEMBER).
    pub const MEMBER: Role = Role(guid(
        0xf12dc4c7,
        0x0857,
        0x4ca0,
        [0x93, 0xfc, 0xb1, 0xbb, 0x19, 0xa3, 0xd8, 0xc2],
    ));

    /// From the 16 bytes as stored in a certificate (GUID memory layout).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Role(Guid::from_bytes(bytes))
    }

    /// The 16 bytes as stored in a certificate.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_bytes()
    }

    /// The role's GUID.
    pub fn guid(self) -> Guid {
        self.0
    }

    /// Whether this is one of the three defined roles (S13).
    pub fn is_defined(self) -> bool {
        self == Role::ADMIN || self == Role::INVITING_MEMBER || self == Role::MEMBER
    }

    /// Whether a holder of this role may issue a GMC carrying `child` (PPSEC 2.2.5.3):
    /// Admin → {Admin, Inviting Member, Member}; Inviting Member → {Inviting Member, Member};
    /// Member → none.
    pub fn can_issue(self, child: Role) -> bool {
        if self == Role::ADMIN {
            child.is_defined()
        } else if self == Role::INVITING_MEMBER {
            child == Role::INVITING_MEMBER || child == Role::MEMBER
        } else {
            false
        }
    }

    /// Whether this role delegates classifiers by prefix (Admin, Inviting Member) rather than
    /// exactly (PNRP 2.2.3.5.1.4).
    pub fn delegates_by_prefix(self) -> bool {
        self == Role::ADMIN || self == Role::INVITING_MEMBER
    }

    /// The classifier list PPSEC 2.2.5.3 puts into GMCs of this role: empty for Admin,
    /// `participant` otherwise.
    pub fn default_classifiers(self) -> Vec<String> {
        if self == Role::ADMIN {
            Vec::new()
        } else {
            vec![crate::name::PARTICIPANT.to_string()]
        }
    }

    /// Parse the textual GUID form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (braces optional),
    /// as [`Guid`]'s `FromStr` does.
    pub fn from_guid_str(s: &str) -> Option<Self> {
        s.parse().ok().map(Role)
    }

    /// `true` if any of `issuers` can issue `child`; an issuer list of `None` stands for a GRC (G9).
    pub fn issuable_by(child: Role, issuers: Option<&[Role]>) -> bool {
        match issuers {
            None => child.is_defined(),
            Some(p) => p.iter().any(|r| r.can_issue(child)),
        }
    }
}

impl From<Guid> for Role {
    fn from(guid: Guid) -> Role {
        Role(guid)
    }
}

impl From<Role> for Guid {
    fn from(role: Role) -> Guid {
        role.0
    }
}

impl fmt::Display for Role {
    /// Textual GUID form, lowercase, without braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_unbraced_string())
    }
}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            Role::ADMIN => "Admin",
            Role::INVITING_MEMBER => "InvitingMember",
            Role::MEMBER => "Member",
            _ => "Unknown",
        };
        write!(f, "Role::{name}({self})")
    }
}

/// Outcome of a classifier-delegation check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delegation {
    /// Every classifier is delegated.
    Allowed,
    /// The list is empty but the delegator may not hand out "everything" (S15).
    EmptyNotAllowed,
    /// This classifier is not delegated (P6).
    NotDelegated(String),
}

/// Whether one classifier is a legal delegate of `delegator` for a certificate with `roles`
/// (PNRP 2.2.3.5.1.5.1): empty delegator list → anything; prefix roles → equal to or starting
/// with an entry; otherwise equal to an entry.
pub fn classifier_delegated(delegator: &[String], roles: &[Role], classifier: &str) -> bool {
    if delegator.is_empty() {
        return true;
    }
    if roles.iter().any(|r| r.delegates_by_prefix()) {
        delegator.iter().any(|d| classifier.starts_with(d.as_str()))
    } else {
        delegator.iter().any(|d| d == classifier)
    }
}

/// Check a whole classifier list against its delegator (the parent certificate's list;
/// `None` = the parent has no list, i.e. the GRC, which delegates everything — §7 Q9).
pub fn check_delegation(
    delegator: Option<&[String]>,
    roles: &[Role],
    list: &[String],
) -> Delegation {
    let delegator = match delegator {
        None => return Delegation::Allowed,
        Some([]) => return Delegation::Allowed,
        Some(d) => d,
    };
    if list.is_empty() {
        let prefix = roles.iter().any(|r| r.delegates_by_prefix());
        return if prefix && delegator.iter().any(String::is_empty) {
            Delegation::Allowed
        } else {
            Delegation::EmptyNotAllowed
        };
    }
    for c in list {
        if !classifier_delegated(delegator, roles, c) {
            return Delegation::NotDelegated(c.clone());
        }
    }
    Delegation::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn guid_text_and_layout() {
        assert_eq!(
            Role::ADMIN.to_string(),
            "04387127-aa56-450a-8ce5-4f565c6790f4"
        );
        assert_eq!(&Role::ADMIN.to_bytes()[..4], &[0x27, 0x71, 0x38, 0x04]);
        assert_eq!(
            Role::INVITING_MEMBER.to_string(),
            "4370fd89-dc18-4cfb-8dbf-9853a8a9f905"
        );
        assert_eq!(
            Role::MEMBER.to_string(),
            "f12dc4c7-0857-4ca0-93fc-b1bb19a3d8c2"
        );
        assert_eq!(
            Role::from_guid_str("{F12DC4C7-0857-4CA0-93FC-B1BB19A3D8C2}"),
            Some(Role::MEMBER)
        );
        // PNRP's misprinted roleInvitingMember (§7 Q5) is not a defined role.
        assert!(
            !Role::from_guid_str("dd15f41f-fc4e-4922-b035-4c06a754d01d")
                .unwrap()
                .is_defined()
        );
    }

    #[test]
    fn issuance_matrix_vectors() {
        // certificates.md §5.3 test vectors.
        assert!(!Role::issuable_by(Role::MEMBER, Some(&[Role::MEMBER])));
        assert!(!Role::issuable_by(
            Role::ADMIN,
            Some(&[Role::INVITING_MEMBER])
        ));
        assert!(Role::issuable_by(
            Role::MEMBER,
            Some(&[Role::INVITING_MEMBER])
        ));
        assert!(Role::issuable_by(
            Role::INVITING_MEMBER,
            Some(&[Role::INVITING_MEMBER])
        ));
        assert!(Role::issuable_by(
            Role::ADMIN,
            Some(&[Role::MEMBER, Role::ADMIN])
        ));
        assert!(Role::issuable_by(Role::ADMIN, None));
    }

    #[test]
    fn delegation_table() {
        // certificates.md §3.5 table, row by row.
        let adm = [Role::ADMIN];
        let mem = [Role::MEMBER];
        assert_eq!(check_delegation(Some(&[]), &mem, &[]), Delegation::Allowed);
        assert_eq!(
            check_delegation(Some(&l(&["", "fish"])), &adm, &[]),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&l(&["", "fish"])), &adm, &l(&["anything"])),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&l(&["", "fish"])), &mem, &l(&["", "fish"])),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&l(&["", "fish"])), &mem, &[]),
            Delegation::EmptyNotAllowed
        );
        assert_eq!(
            check_delegation(Some(&l(&["", "fish"])), &mem, &l(&["fish food"])),
            Delegation::NotDelegated("fish food".into())
        );
        let fc = l(&["fish", "cheese"]);
        assert_eq!(
            check_delegation(
                Some(&fc),
                &adm,
                &l(&["fish", "fish food", "cheese", "cheese-like"])
            ),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&fc), &[Role::INVITING_MEMBER], &l(&["cheese"])),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&fc), &adm, &[]),
            Delegation::EmptyNotAllowed
        );
        assert_eq!(
            check_delegation(Some(&fc), &adm, &l(&["ham"])),
            Delegation::NotDelegated("ham".into())
        );
        assert_eq!(
            check_delegation(Some(&fc), &mem, &l(&["fish", "cheese"])),
            Delegation::Allowed
        );
        assert_eq!(
            check_delegation(Some(&fc), &mem, &[]),
            Delegation::EmptyNotAllowed
        );
        for bad in ["fish food", "cheese-like"] {
            assert_eq!(
                check_delegation(Some(&fc), &mem, &l(&[bad])),
                Delegation::NotDelegated(bad.into())
            );
        }
        assert_eq!(check_delegation(None, &mem, &[]), Delegation::Allowed);
    }
}
