//! Values several topics share: `GUID` ⇄ the facade's [`Guid`] and [`Role`] (the
//! Windows memory layout, first three fields little-endian), `CERT_PUBLIC_KEY_INFO` ⇄
//! DER SubjectPublicKeyInfo, and role arrays in result blocks.

use std::mem::{offset_of, size_of};

use peernet::hresult::{E_FAIL, E_INVALIDARG, E_OUTOFMEMORY};
use peernet::{Guid, HResult, Role};
use spki::der::asn1::BitString;
use spki::der::{Any, Decode, Encode};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

use crate::ffi::read_slice;
use crate::memory::BlockBuilder;
use crate::types::{
    CERT_PUBLIC_KEY_INFO, CRYPT_ALGORITHM_IDENTIFIER, CRYPT_BIT_BLOB, CRYPT_DATA_BLOB, GUID,
};

/// Largest role or classifier list read from a caller's structure.
pub(crate) const MAX_LIST: usize = 1024;
/// Largest byte blob (public key, parameters) read from a caller's structure.
pub(crate) const MAX_BLOB: usize = 64 * 1024;

/// `GUID` → the shared [`Guid`] (Windows memory layout).
pub(crate) fn guid_bytes(g: &GUID) -> Guid {
    Guid::from_fields(g.Data1, g.Data2, g.Data3, g.Data4)
}

/// The shared [`Guid`] → `GUID`.
pub(crate) fn guid_from_bytes(b: &Guid) -> GUID {
    let (d1, d2, d3, d4) = b.fields();
    GUID {
        Data1: d1,
        Data2: d2,
        Data3: d3,
        Data4: d4,
    }
}

/// `GUID` → role (GUID memory layout, as roles are stored in certificates).
pub(crate) fn role_of(g: &GUID) -> Role {
    Role::from_bytes(guid_bytes(g).to_bytes())
}

/// Role → `GUID`.
pub(crate) fn guid_of(r: Role) -> GUID {
    guid_from_bytes(&Guid::from_bytes(r.to_bytes()))
}

/// Place `roles` as a `GUID` array in `b`; returns its offset (`None` when empty).
pub(crate) fn place_roles(b: &mut BlockBuilder, roles: &[Role]) -> Option<usize> {
    if roles.is_empty() {
        return None;
    }
    let at = b.reserve::<GUID>(roles.len());
    for (i, r) in roles.iter().enumerate() {
        b.put(at + i * size_of::<GUID>(), guid_of(*r));
    }
    Some(at)
}

/// `CERT_PUBLIC_KEY_INFO` as Rust values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PublicKeyInfo {
    /// `Algorithm.pszObjId`, dotted decimal (e.g. "1.2.840.113549.1.1.1").
    pub(crate) algorithm_oid: String,
    /// `Algorithm.Parameters`: DER of the algorithm parameters (may be empty).
    pub(crate) parameters: Vec<u8>,
    /// `PublicKey` bit string contents.
    pub(crate) public_key: Vec<u8>,
    /// `PublicKey.cUnusedBits`.
    pub(crate) unused_bits: u32,
}

/// DER SubjectPublicKeyInfo → `CERT_PUBLIC_KEY_INFO` values (`E_FAIL` if the facade
/// handed out something that is not one, which would be a bug).
pub(crate) fn public_key_info(spki_der: &[u8]) -> Result<PublicKeyInfo, HResult> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|_| E_FAIL)?;
    let parameters = match &spki.algorithm.parameters {
        Some(p) => p.to_der().map_err(|_| E_FAIL)?,
        None => Vec::new(),
    };
    Ok(PublicKeyInfo {
        algorithm_oid: spki.algorithm.oid.to_string(),
        parameters,
        public_key: spki.subject_public_key.raw_bytes().to_vec(),
        unused_bits: u32::from(spki.subject_public_key.unused_bits()),
    })
}

/// `CERT_PUBLIC_KEY_INFO` values → DER SubjectPublicKeyInfo (`E_INVALIDARG` for a bad
/// OID, parameters that are not one DER value, or more than 7 unused bits).
pub(crate) fn spki_der(k: &PublicKeyInfo) -> Result<Vec<u8>, HResult> {
    let oid = ObjectIdentifier::new(&k.algorithm_oid).map_err(|_| E_INVALIDARG)?;
    let parameters = if k.parameters.is_empty() {
        None
    } else {
        Some(Any::from_der(&k.parameters).map_err(|_| E_INVALIDARG)?)
    };
    let unused = u8::try_from(k.unused_bits).map_err(|_| E_INVALIDARG)?;
    let key = BitString::new(unused, k.public_key.clone()).map_err(|_| E_INVALIDARG)?;
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: key,
    }
    .to_der()
    .map_err(|_| E_INVALIDARG)
}

impl PublicKeyInfo {
    /// Read a caller's `CERT_PUBLIC_KEY_INFO`.
    ///
    /// # Safety
    /// `p` is non-NULL and valid, its blobs readable for their stated lengths, and
    /// `pszObjId` NULL or a NUL-terminated C string.
    pub(crate) unsafe fn read(p: *const CERT_PUBLIC_KEY_INFO) -> Result<Self, HResult> {
        // SAFETY: per the contract.
        unsafe {
            let k = &*p;
            if k.Algorithm.pszObjId.is_null() {
                return Err(E_INVALIDARG);
            }
            let oid = std::ffi::CStr::from_ptr(k.Algorithm.pszObjId)
                .to_str()
                .map_err(|_| E_INVALIDARG)?;
            let params = &k.Algorithm.Parameters;
            Ok(PublicKeyInfo {
                algorithm_oid: oid.to_owned(),
                parameters: read_slice(params.pbData, params.cbData, MAX_BLOB)?,
                public_key: read_slice(k.PublicKey.pbData, k.PublicKey.cbData, MAX_BLOB)?,
                unused_bits: k.PublicKey.cUnusedBits,
            })
        }
    }

    /// Place the structure and its data in `b`; returns its offset.
    pub(crate) fn place(&self, b: &mut BlockBuilder) -> Result<usize, HResult> {
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
        type A = CRYPT_ALGORITHM_IDENTIFIER;
        let mut oid = self.algorithm_oid.clone().into_bytes();
        oid.push(0);
        let s = b.push_bytes(&oid, 1);
        b.link(at + offset_of!(K, Algorithm) + offset_of!(A, pszObjId), s);
        let params = at + offset_of!(K, Algorithm) + offset_of!(A, Parameters);
        for (field, bytes) in [
            (
                params + offset_of!(CRYPT_DATA_BLOB, pbData),
                &self.parameters,
            ),
            (
                at + offset_of!(K, PublicKey) + offset_of!(CRYPT_BIT_BLOB, pbData),
                &self.public_key,
            ),
        ] {
            if !bytes.is_empty() {
                let d = b.push_bytes(bytes, 1);
                b.link(field, d);
            }
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{
        PEER_GROUP_ROLE_ADMIN, PEER_GROUP_ROLE_INVITING_MEMBER, PEER_GROUP_ROLE_MEMBER,
    };

    #[test]
    fn filetimes_are_the_facade_conversions() {
        use std::time::{Duration, UNIX_EPOCH};

        use peernet::{from_filetime as system_time, to_filetime as filetime};
        assert_eq!(filetime(UNIX_EPOCH), 116_444_736_000_000_000);
        assert_eq!(system_time(116_444_736_000_000_000), UNIX_EPOCH);
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_700);
        assert_eq!(system_time(filetime(t)), t);
        let before = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(system_time(filetime(before)), before);
        assert_eq!(filetime(system_time(0)), 0);
    }

    #[test]
    fn public_keys_round_trip_and_bad_ones_are_invalid_args() {
        // RSA SubjectPublicKeyInfo with NULL parameters, as Windows identities have.
        let s = crate::tests::Store::new();
        let me = s.pn.identity_create(Some("k"), Some("K"), None).unwrap();
        let xml = s.pn.identity_get_xml(Some(&me)).unwrap();
        let (_, info) = peernet::CredentialInfo::from_identity_info(&xml, &[]).unwrap();
        let k = public_key_info(&info.public_key).unwrap();
        assert_eq!(k.algorithm_oid, "1.2.840.113549.1.1.1");
        assert_eq!(k.parameters, vec![5, 0]);
        assert_eq!(k.unused_bits, 0);
        assert_eq!(spki_der(&k).unwrap(), info.public_key);
        // Through a CERT_PUBLIC_KEY_INFO in a block and back.
        let mut b = BlockBuilder::new();
        k.place(&mut b).unwrap();
        let p = b.finish().unwrap();
        // SAFETY: `p` is a live block holding a CERT_PUBLIC_KEY_INFO at offset 0.
        assert_eq!(unsafe { PublicKeyInfo::read(p.cast()) }, Ok(k.clone()));
        crate::memory::free(p);

        let bad_oid = PublicKeyInfo {
            algorithm_oid: "not an oid".into(),
            ..k.clone()
        };
        assert_eq!(spki_der(&bad_oid), Err(E_INVALIDARG));
        let bad_params = PublicKeyInfo {
            parameters: vec![5],
            ..k.clone()
        };
        assert_eq!(spki_der(&bad_params), Err(E_INVALIDARG));
        let bad_bits = PublicKeyInfo {
            unused_bits: 8,
            ..k
        };
        assert_eq!(spki_der(&bad_bits), Err(E_INVALIDARG));
        assert_eq!(public_key_info(b"junk"), Err(E_FAIL));
    }

    #[test]
    fn roles_and_guids() {
        assert_eq!(role_of(&PEER_GROUP_ROLE_ADMIN), Role::ADMIN);
        assert_eq!(role_of(&PEER_GROUP_ROLE_MEMBER), Role::MEMBER);
        assert_eq!(
            role_of(&PEER_GROUP_ROLE_INVITING_MEMBER),
            Role::INVITING_MEMBER
        );
        for r in [Role::ADMIN, Role::MEMBER, Role::INVITING_MEMBER] {
            assert_eq!(role_of(&guid_of(r)), r);
        }
        let g = GUID {
            Data1: 0x0403_0201,
            Data2: 0x0605,
            Data3: 0x0807,
            Data4: [9, 10, 11, 12, 13, 14, 15, 16],
        };
        let b = guid_bytes(&g);
        assert_eq!(
            b.to_bytes(),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        );
        assert_eq!(guid_from_bytes(&b), g);
    }
}
