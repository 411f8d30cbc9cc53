//! Rust-side values of the structures that cross the C ABI with nested pointers, with
//! readers (caller's structure → Rust) and writers (Rust → one `PeerFreeData` block).
//!
//! These are what the validation layer hands to / receives from the backend, so the
//! wiring to the facade converts plain Rust values only.

use std::mem::{offset_of, size_of};

use peernet::HResult;
use peernet::hresult::{E_INVALIDARG, E_OUTOFMEMORY};

use crate::alloc::BlockBuilder;
use crate::types::{
    CERT_PUBLIC_KEY_INFO, CRYPT_ALGORITHM_IDENTIFIER, CRYPT_BIT_BLOB, CRYPT_DATA_BLOB, FILETIME,
    GUID, PEER_CREDENTIAL_INFO, PEER_GROUP_PROPERTIES, PEER_GROUP_PROPERTIES_V1_SIZE,
    PEER_INVITATION_INFO, PWSTR,
};
use crate::wide::read_opt;

/// Largest role or classifier list read from a caller's structure.
pub const MAX_LIST: usize = 1024;
/// Largest byte blob (public key, parameters) read from a caller's structure.
pub const MAX_BLOB: usize = 64 * 1024;

/// `PEER_GROUP_PROPERTIES` as Rust values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupProperties {
    /// `dwFlags` (PEER_GROUP_PROPERTY_FLAGS).
    pub flags: u32,
    /// `pwzCloud`; `None` = the global cloud.
    pub cloud: Option<String>,
    /// `pwzClassifier`.
    pub classifier: Option<String>,
    /// `pwzGroupPeerName` (output only).
    pub group_peer_name: Option<String>,
    /// `pwzCreatorPeerName`.
    pub creator_peer_name: Option<String>,
    /// `pwzFriendlyName`.
    pub friendly_name: Option<String>,
    /// `pwzComment`.
    pub comment: Option<String>,
    /// `ulMemberDataLifetime` in seconds (0 = maximum).
    pub member_data_lifetime: u32,
    /// `ulPresenceLifetime` in seconds.
    pub presence_lifetime: u32,
    /// `dwAuthenticationSchemes` (0 when the caller passed the XP-sized structure).
    pub authentication_schemes: u32,
    /// `pwzGroupPassword`.
    pub group_password: Option<String>,
    /// `groupPasswordRole`.
    pub group_password_role: GUID,
}

impl GroupProperties {
    /// Read a caller's structure. `dwSize` must be the Vista size or the XP size (which
    /// ends before `dwAuthenticationSchemes`); anything else is `E_INVALIDARG`.
    ///
    /// # Safety
    /// `p` is non-NULL and points to at least `dwSize` readable bytes whose string
    /// pointers are NULL or NUL-terminated UTF-16.
    pub unsafe fn read(p: *const PEER_GROUP_PROPERTIES) -> Result<Self, HResult> {
        // SAFETY: every layout starts with a DWORD dwSize.
        let size = unsafe { p.cast::<u32>().read_unaligned() } as usize;
        let full = size == size_of::<PEER_GROUP_PROPERTIES>();
        if !full && size != PEER_GROUP_PROPERTIES_V1_SIZE {
            return Err(E_INVALIDARG);
        }
        // SAFETY: the fields up to `ulPresenceLifetime` lie inside `dwSize` bytes; the
        // Vista fields are read only when `full`. Fields are read one by one so an
        // XP-sized structure is never read past its end.
        unsafe {
            let mut v = GroupProperties {
                flags: (*p).dwFlags,
                cloud: read_opt((*p).pwzCloud)?,
                classifier: read_opt((*p).pwzClassifier)?,
                group_peer_name: read_opt((*p).pwzGroupPeerName)?,
                creator_peer_name: read_opt((*p).pwzCreatorPeerName)?,
                friendly_name: read_opt((*p).pwzFriendlyName)?,
                comment: read_opt((*p).pwzComment)?,
                member_data_lifetime: (*p).ulMemberDataLifetime,
                presence_lifetime: (*p).ulPresenceLifetime,
                ..Default::default()
            };
            if full {
                v.authentication_schemes = (*p).dwAuthenticationSchemes;
                v.group_password = read_opt((*p).pwzGroupPassword)?;
                v.group_password_role = (*p).groupPasswordRole;
            }
            Ok(v)
        }
    }

    /// One block holding the structure (Vista size) and its strings.
    pub fn to_block(&self) -> Result<*mut PEER_GROUP_PROPERTIES, HResult> {
        let mut b = BlockBuilder::new();
        let at = b.push(PEER_GROUP_PROPERTIES {
            dwSize: size_of::<PEER_GROUP_PROPERTIES>() as u32,
            dwFlags: self.flags,
            pwzCloud: std::ptr::null_mut(),
            pwzClassifier: std::ptr::null_mut(),
            pwzGroupPeerName: std::ptr::null_mut(),
            pwzCreatorPeerName: std::ptr::null_mut(),
            pwzFriendlyName: std::ptr::null_mut(),
            pwzComment: std::ptr::null_mut(),
            ulMemberDataLifetime: self.member_data_lifetime,
            ulPresenceLifetime: self.presence_lifetime,
            dwAuthenticationSchemes: self.authentication_schemes,
            pwzGroupPassword: std::ptr::null_mut(),
            groupPasswordRole: self.group_password_role,
        });
        type P = PEER_GROUP_PROPERTIES;
        b.link_wstr(at + offset_of!(P, pwzCloud), self.cloud.as_deref());
        b.link_wstr(
            at + offset_of!(P, pwzClassifier),
            self.classifier.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(P, pwzGroupPeerName),
            self.group_peer_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(P, pwzCreatorPeerName),
            self.creator_peer_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(P, pwzFriendlyName),
            self.friendly_name.as_deref(),
        );
        b.link_wstr(at + offset_of!(P, pwzComment), self.comment.as_deref());
        b.link_wstr(
            at + offset_of!(P, pwzGroupPassword),
            self.group_password.as_deref(),
        );
        Ok(b.finish()?.cast())
    }
}

/// `CERT_PUBLIC_KEY_INFO` as Rust values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// `Algorithm.pszObjId`, dotted decimal (e.g. "1.2.840.113549.1.1.1").
    pub algorithm_oid: String,
    /// `Algorithm.Parameters`: DER of the algorithm parameters (may be empty).
    pub parameters: Vec<u8>,
    /// `PublicKey` bit string contents.
    pub public_key: Vec<u8>,
    /// `PublicKey.cUnusedBits`.
    pub unused_bits: u32,
}

/// # Safety
/// `p` is NULL with `n == 0`, or readable for `n` bytes.
unsafe fn read_blob(p: *const u8, n: u32) -> Result<Vec<u8>, HResult> {
    let n = n as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() || n > MAX_BLOB {
        return Err(E_INVALIDARG);
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec())
}

/// # Safety
/// `p` is NULL with `n == 0`, or readable for `n` values.
unsafe fn read_list<T: Copy>(p: *const T, n: u32) -> Result<Vec<T>, HResult> {
    let n = n as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() || n > MAX_LIST {
        return Err(E_INVALIDARG);
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec())
}

/// Read a caller's role array (`cRoles`, `pRoles`).
///
/// # Safety
/// `p` is NULL with `n == 0`, or readable for `n` GUIDs.
pub unsafe fn read_roles(p: *const GUID, n: u32) -> Result<Vec<GUID>, HResult> {
    // SAFETY: forwarded contract.
    unsafe { read_list(p, n) }
}

impl PublicKeyInfo {
    /// Read a caller's `CERT_PUBLIC_KEY_INFO`.
    ///
    /// # Safety
    /// `p` is non-NULL and valid, its blobs readable for their stated lengths, and
    /// `pszObjId` NULL or a NUL-terminated C string.
    pub unsafe fn read(p: *const CERT_PUBLIC_KEY_INFO) -> Result<Self, HResult> {
        // SAFETY: per the contract.
        unsafe {
            let k = &*p;
            if k.Algorithm.pszObjId.is_null() {
                return Err(E_INVALIDARG);
            }
            let oid = std::ffi::CStr::from_ptr(k.Algorithm.pszObjId)
                .to_str()
                .map_err(|_| E_INVALIDARG)?;
            Ok(PublicKeyInfo {
                algorithm_oid: oid.to_owned(),
                parameters: read_blob(
                    k.Algorithm.Parameters.pbData,
                    k.Algorithm.Parameters.cbData,
                )?,
                public_key: read_blob(k.PublicKey.pbData, k.PublicKey.cbData)?,
                unused_bits: k.PublicKey.cUnusedBits,
            })
        }
    }

    /// Place the structure and its data in `b`; returns its offset.
    pub fn place(&self, b: &mut BlockBuilder) -> Result<usize, HResult> {
        let len = |v: &[u8]| u32::try_from(v.len()).map_err(|_| E_OUTOFMEMORY);
        let at = b.push(CERT_PUBLIC_KEY_INFO {
            Algorithm: CRYPT_ALGORITHM_IDENTIFIER {
                pszObjId: std::ptr::null_mut(),
                Parameters: CRYPT_DATA_BLOB {
                    cbData: len(&self.parameters)?,
                    pbData: std::ptr::null_mut(),
                },
            },
            PublicKey: CRYPT_BIT_BLOB {
                cbData: len(&self.public_key)?,
                pbData: std::ptr::null_mut(),
                cUnusedBits: self.unused_bits,
            },
        });
        type K = CERT_PUBLIC_KEY_INFO;
        let mut oid = self.algorithm_oid.clone().into_bytes();
        oid.push(0);
        let s = b.push_bytes(&oid, 1);
        b.link(
            at + offset_of!(K, Algorithm) + offset_of!(CRYPT_ALGORITHM_IDENTIFIER, pszObjId),
            s,
        );
        if !self.parameters.is_empty() {
            let d = b.push_bytes(&self.parameters, 1);
            b.link(
                at + offset_of!(K, Algorithm)
                    + offset_of!(CRYPT_ALGORITHM_IDENTIFIER, Parameters)
                    + offset_of!(CRYPT_DATA_BLOB, pbData),
                d,
            );
        }
        if !self.public_key.is_empty() {
            let d = b.push_bytes(&self.public_key, 1);
            b.link(
                at + offset_of!(K, PublicKey) + offset_of!(CRYPT_BIT_BLOB, pbData),
                d,
            );
        }
        Ok(at)
    }
}

/// `PEER_CREDENTIAL_INFO` as Rust values (input of PeerGroupIssueCredentials).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialInfo {
    /// `dwFlags` (reserved).
    pub flags: u32,
    /// `pwzFriendlyName`.
    pub friendly_name: Option<String>,
    /// `pPublicKey`.
    pub public_key: Option<PublicKeyInfo>,
    /// `pwzIssuerPeerName` (ignored by PeerGroupIssueCredentials).
    pub issuer_peer_name: Option<String>,
    /// `pwzIssuerFriendlyName` (ignored by PeerGroupIssueCredentials).
    pub issuer_friendly_name: Option<String>,
    /// `ftValidityStart` as a 64-bit FILETIME.
    pub validity_start: u64,
    /// `ftValidityEnd` as a 64-bit FILETIME.
    pub validity_end: u64,
    /// `pRoles`.
    pub roles: Vec<GUID>,
}

impl CredentialInfo {
    /// Read a caller's structure; `dwSize` must be `sizeof(PEER_CREDENTIAL_INFO)`.
    ///
    /// # Safety
    /// `p` is non-NULL and valid; nested pointers are NULL or valid for what they describe.
    pub unsafe fn read(p: *const PEER_CREDENTIAL_INFO) -> Result<Self, HResult> {
        // SAFETY: per the contract.
        unsafe {
            let c = &*p;
            if c.dwSize as usize != size_of::<PEER_CREDENTIAL_INFO>() {
                return Err(E_INVALIDARG);
            }
            Ok(CredentialInfo {
                flags: c.dwFlags,
                friendly_name: read_opt(c.pwzFriendlyName)?,
                public_key: if c.pPublicKey.is_null() {
                    None
                } else {
                    Some(PublicKeyInfo::read(c.pPublicKey)?)
                },
                issuer_peer_name: read_opt(c.pwzIssuerPeerName)?,
                issuer_friendly_name: read_opt(c.pwzIssuerFriendlyName)?,
                validity_start: c.ftValidityStart.as_u64(),
                validity_end: c.ftValidityEnd.as_u64(),
                roles: read_roles(c.pRoles, c.cRoles)?,
            })
        }
    }
}

/// `PEER_INVITATION_INFO` as Rust values (output of PeerGroupParseInvitation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvitationInfo {
    /// `pwzCloudName`.
    pub cloud_name: Option<String>,
    /// `dwScope` (PNRP_SCOPE).
    pub scope: u32,
    /// `dwCloudFlags`.
    pub cloud_flags: u32,
    /// `pwzGroupPeerName`.
    pub group_peer_name: Option<String>,
    /// `pwzIssuerPeerName`.
    pub issuer_peer_name: Option<String>,
    /// `pwzSubjectPeerName`.
    pub subject_peer_name: Option<String>,
    /// `pwzGroupFriendlyName`.
    pub group_friendly_name: Option<String>,
    /// `pwzIssuerFriendlyName`.
    pub issuer_friendly_name: Option<String>,
    /// `pwzSubjectFriendlyName`.
    pub subject_friendly_name: Option<String>,
    /// `ftValidityStart`.
    pub validity_start: u64,
    /// `ftValidityEnd`.
    pub validity_end: u64,
    /// `pRoles`.
    pub roles: Vec<GUID>,
    /// `ppwzClassifiers`.
    pub classifiers: Vec<String>,
    /// `pSubjectPublicKey`.
    pub subject_public_key: Option<PublicKeyInfo>,
    /// `authScheme`.
    pub auth_scheme: u32,
}

impl InvitationInfo {
    /// One block holding the structure, its strings, role and classifier arrays and key.
    pub fn to_block(&self) -> Result<*mut PEER_INVITATION_INFO, HResult> {
        let count = |n: usize| u32::try_from(n).map_err(|_| E_OUTOFMEMORY);
        let mut b = BlockBuilder::new();
        let at = b.push(PEER_INVITATION_INFO {
            dwSize: size_of::<PEER_INVITATION_INFO>() as u32,
            dwFlags: 0,
            pwzCloudName: std::ptr::null_mut(),
            dwScope: self.scope,
            dwCloudFlags: self.cloud_flags,
            pwzGroupPeerName: std::ptr::null_mut(),
            pwzIssuerPeerName: std::ptr::null_mut(),
            pwzSubjectPeerName: std::ptr::null_mut(),
            pwzGroupFriendlyName: std::ptr::null_mut(),
            pwzIssuerFriendlyName: std::ptr::null_mut(),
            pwzSubjectFriendlyName: std::ptr::null_mut(),
            ftValidityStart: FILETIME::from_u64(self.validity_start),
            ftValidityEnd: FILETIME::from_u64(self.validity_end),
            cRoles: count(self.roles.len())?,
            pRoles: std::ptr::null_mut(),
            cClassifiers: count(self.classifiers.len())?,
            ppwzClassifiers: std::ptr::null_mut(),
            pSubjectPublicKey: std::ptr::null_mut(),
            authScheme: self.auth_scheme,
        });
        type I = PEER_INVITATION_INFO;
        b.link_wstr(at + offset_of!(I, pwzCloudName), self.cloud_name.as_deref());
        b.link_wstr(
            at + offset_of!(I, pwzGroupPeerName),
            self.group_peer_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(I, pwzIssuerPeerName),
            self.issuer_peer_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(I, pwzSubjectPeerName),
            self.subject_peer_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(I, pwzGroupFriendlyName),
            self.group_friendly_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(I, pwzIssuerFriendlyName),
            self.issuer_friendly_name.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(I, pwzSubjectFriendlyName),
            self.subject_friendly_name.as_deref(),
        );
        if !self.roles.is_empty() {
            let roles = b.reserve::<GUID>(self.roles.len());
            for (i, r) in self.roles.iter().enumerate() {
                b.put(roles + i * size_of::<GUID>(), *r);
            }
            b.link(at + offset_of!(I, pRoles), roles);
        }
        if !self.classifiers.is_empty() {
            let array = b.reserve::<PWSTR>(self.classifiers.len());
            for (i, c) in self.classifiers.iter().enumerate() {
                b.link_wstr(array + i * size_of::<PWSTR>(), Some(c));
            }
            b.link(at + offset_of!(I, ppwzClassifiers), array);
        }
        if let Some(k) = &self.subject_public_key {
            let key = k.place(&mut b)?;
            b.link(at + offset_of!(I, pSubjectPublicKey), key);
        }
        Ok(b.finish()?.cast())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::{free, is_live};
    use crate::types::PEER_GROUP_ROLE_MEMBER;
    use crate::wide::{encode, read_req};

    #[test]
    fn group_properties_round_trip_through_a_block() {
        let v = GroupProperties {
            flags: 1,
            cloud: Some("Global_".into()),
            classifier: Some("chat".into()),
            creator_peer_name: Some("abc.def".into()),
            friendly_name: Some("Friends".into()),
            member_data_lifetime: 2_419_200,
            presence_lifetime: 300,
            authentication_schemes: 3,
            group_password: Some("pw".into()),
            group_password_role: PEER_GROUP_ROLE_MEMBER,
            ..Default::default()
        };
        let p = v.to_block().unwrap();
        // SAFETY: `p` is a block holding a full-size structure with valid strings.
        let back = unsafe { GroupProperties::read(p) }.unwrap();
        assert_eq!(back, v);
        free(p.cast());
    }

    #[test]
    fn group_properties_sizes() {
        let cloud = encode("c");
        let mut raw = PEER_GROUP_PROPERTIES {
            dwSize: PEER_GROUP_PROPERTIES_V1_SIZE as u32,
            dwFlags: 0,
            pwzCloud: cloud.as_ptr().cast_mut(),
            pwzClassifier: std::ptr::null_mut(),
            pwzGroupPeerName: std::ptr::null_mut(),
            pwzCreatorPeerName: std::ptr::null_mut(),
            pwzFriendlyName: std::ptr::null_mut(),
            pwzComment: std::ptr::null_mut(),
            ulMemberDataLifetime: 0,
            ulPresenceLifetime: 0,
            dwAuthenticationSchemes: 99,
            pwzGroupPassword: std::ptr::dangling_mut(),
            groupPasswordRole: PEER_GROUP_ROLE_MEMBER,
        };
        // SAFETY: a valid structure; the Vista fields are not read for the XP size.
        let v = unsafe { GroupProperties::read(&raw) }.unwrap();
        assert_eq!(v.cloud.as_deref(), Some("c"));
        assert_eq!(
            (v.authentication_schemes, v.group_password.clone()),
            (0, None)
        );
        raw.dwSize = 12;
        // SAFETY: as above.
        assert_eq!(unsafe { GroupProperties::read(&raw) }, Err(E_INVALIDARG));
    }

    #[test]
    fn invitation_info_block() {
        let info = InvitationInfo {
            cloud_name: Some("Global_".into()),
            scope: 1,
            group_peer_name: Some("g.x".into()),
            roles: vec![PEER_GROUP_ROLE_MEMBER],
            classifiers: vec!["participant".into()],
            subject_public_key: Some(PublicKeyInfo {
                algorithm_oid: "1.2.840.113549.1.1.1".into(),
                parameters: vec![5, 0],
                public_key: vec![1, 2, 3],
                unused_bits: 0,
            }),
            auth_scheme: 1,
            ..Default::default()
        };
        let p = info.to_block().unwrap();
        // SAFETY: `p` is a live block; all nested pointers point inside it.
        unsafe {
            let i = &*p;
            assert_eq!(i.dwSize as usize, size_of::<PEER_INVITATION_INFO>());
            assert_eq!(read_req(i.pwzCloudName).unwrap(), "Global_");
            assert!(i.pwzIssuerPeerName.is_null());
            assert_eq!(*i.pRoles, PEER_GROUP_ROLE_MEMBER);
            assert_eq!(read_req(*i.ppwzClassifiers).unwrap(), "participant");
            let k = PublicKeyInfo::read(i.pSubjectPublicKey).unwrap();
            assert_eq!(Some(k), info.subject_public_key);
            assert_eq!(i.authScheme, 1);
        }
        assert!(is_live(p.cast()));
        free(p.cast());
    }

    #[test]
    fn lists_and_blobs_are_bounded() {
        // SAFETY: NULL with a count is rejected before any read.
        unsafe {
            assert_eq!(read_roles(std::ptr::null(), 1), Err(E_INVALIDARG));
            assert_eq!(read_roles(std::ptr::null(), 0), Ok(vec![]));
            let g = [GUID::NULL];
            assert_eq!(
                read_roles(g.as_ptr(), MAX_LIST as u32 + 1),
                Err(E_INVALIDARG)
            );
            assert_eq!(read_blob(std::ptr::null(), 3), Err(E_INVALIDARG));
        }
    }
}
