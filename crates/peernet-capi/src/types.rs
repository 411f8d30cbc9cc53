//! `#[repr(C)]` mirrors of the `p2p.h` types, constants and role GUIDs.
//!
//! Names follow the Windows header (hence `non_snake_case`/`non_camel_case_types`);
//! field order and sizes are checked against `include/p2p.h` by `tests/c_abi/header.rs`.
#![allow(non_snake_case, non_camel_case_types, missing_docs)]

use std::ffi::c_void;

pub type HRESULT = i32;
pub type BOOL = i32;
pub type BYTE = u8;
pub type WORD = u16;
pub type USHORT = u16;
pub type DWORD = u32;
pub type ULONG = u32;
pub type ULONGLONG = u64;
pub type WCHAR = u16;
pub type PWSTR = *mut WCHAR;
pub type PCWSTR = *const WCHAR;
pub type HANDLE = *mut c_void;
pub type HCRYPTPROV = usize;
pub type HPEERENUM = *mut c_void;
pub type HPEEREVENT = *mut c_void;
pub type HGROUP = *mut c_void;
pub type PEER_ROLE_ID = GUID;

/// C enums are `int`-sized; every value here is small and non-negative.
pub type PEER_GROUP_EVENT_TYPE = u32;
pub type PEER_GROUP_STATUS = u32;
pub type PEER_RECORD_CHANGE_TYPE = u32;
pub type PEER_CONNECTION_STATUS = u32;
pub type PEER_MEMBER_CHANGE_TYPE = u32;
pub type PEER_GROUP_AUTHENTICATION_SCHEME = u32;

/// `GUID` (Windows byte layout: little-endian `Data1..3` on little-endian hosts).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GUID {
    pub Data1: u32,
    pub Data2: u16,
    pub Data3: u16,
    pub Data4: [u8; 8],
}

impl GUID {
    /// The all-zero GUID (`GUID_NULL`).
    pub const NULL: GUID = GUID {
        Data1: 0,
        Data2: 0,
        Data3: 0,
        Data4: [0; 8],
    };
}

/// `FILETIME`: 100 ns intervals since 1601-01-01 UTC, split in two halves.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FILETIME {
    pub dwLowDateTime: DWORD,
    pub dwHighDateTime: DWORD,
}

impl FILETIME {
    /// The 64-bit value.
    pub const fn as_u64(self) -> u64 {
        ((self.dwHighDateTime as u64) << 32) | self.dwLowDateTime as u64
    }

    /// Split a 64-bit value.
    pub const fn from_u64(v: u64) -> FILETIME {
        FILETIME {
            dwLowDateTime: v as u32,
            dwHighDateTime: (v >> 32) as u32,
        }
    }
}

/// `CRYPT_OBJID_BLOB` / `CRYPT_DATA_BLOB`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CRYPT_DATA_BLOB {
    pub cbData: DWORD,
    pub pbData: *mut BYTE,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CRYPT_ALGORITHM_IDENTIFIER {
    pub pszObjId: *mut std::ffi::c_char,
    pub Parameters: CRYPT_DATA_BLOB,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CRYPT_BIT_BLOB {
    pub cbData: DWORD,
    pub pbData: *mut BYTE,
    pub cUnusedBits: DWORD,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CERT_PUBLIC_KEY_INFO {
    pub Algorithm: CRYPT_ALGORITHM_IDENTIFIER,
    pub PublicKey: CRYPT_BIT_BLOB,
}

/// `IN6_ADDR` (`union { BYTE Byte[16]; USHORT Word[8]; } u`); bytes are enough here.
#[repr(C, align(2))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IN6_ADDR {
    pub Byte: [u8; 16],
}

/// `SOCKADDR_IN6`, Windows layout (28 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SOCKADDR_IN6 {
    pub sin6_family: USHORT,
    pub sin6_port: USHORT,
    pub sin6_flowinfo: ULONG,
    pub sin6_addr: IN6_ADDR,
    pub sin6_scope_id: ULONG,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PEER_VERSION_DATA {
    pub wVersion: WORD,
    pub wHighestVersion: WORD,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_DATA {
    pub cbData: ULONG,
    pub pbData: *mut BYTE,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_RECORD {
    pub dwSize: DWORD,
    pub r#type: GUID,
    pub id: GUID,
    pub dwVersion: DWORD,
    pub dwFlags: DWORD,
    pub pwzCreatorId: PWSTR,
    pub pwzModifiedById: PWSTR,
    pub pwzAttributes: PWSTR,
    pub ftCreation: FILETIME,
    pub ftExpiration: FILETIME,
    pub ftLastModified: FILETIME,
    pub securityData: PEER_DATA,
    pub data: PEER_DATA,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PEER_ADDRESS {
    pub dwSize: DWORD,
    pub sin6: SOCKADDR_IN6,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_CONNECTION_INFO {
    pub dwSize: DWORD,
    pub dwFlags: DWORD,
    pub ullConnectionId: ULONGLONG,
    pub ullNodeId: ULONGLONG,
    pub pwzPeerId: PWSTR,
    pub address: PEER_ADDRESS,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_EVENT_INCOMING_DATA {
    pub dwSize: DWORD,
    pub ullConnectionId: ULONGLONG,
    pub r#type: GUID,
    pub data: PEER_DATA,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_EVENT_RECORD_CHANGE_DATA {
    pub dwSize: DWORD,
    pub changeType: PEER_RECORD_CHANGE_TYPE,
    pub recordId: GUID,
    pub recordType: GUID,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_EVENT_CONNECTION_CHANGE_DATA {
    pub dwSize: DWORD,
    pub status: PEER_CONNECTION_STATUS,
    pub ullConnectionId: ULONGLONG,
    pub ullNodeId: ULONGLONG,
    pub ullNextConnectionId: ULONGLONG,
    pub hrConnectionFailedReason: HRESULT,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_CREDENTIAL_INFO {
    pub dwSize: DWORD,
    pub dwFlags: DWORD,
    pub pwzFriendlyName: PWSTR,
    pub pPublicKey: *mut CERT_PUBLIC_KEY_INFO,
    pub pwzIssuerPeerName: PWSTR,
    pub pwzIssuerFriendlyName: PWSTR,
    pub ftValidityStart: FILETIME,
    pub ftValidityEnd: FILETIME,
    pub cRoles: ULONG,
    pub pRoles: *mut PEER_ROLE_ID,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_MEMBER {
    pub dwSize: DWORD,
    pub dwFlags: DWORD,
    pub pwzIdentity: PWSTR,
    pub pwzAttributes: PWSTR,
    pub ullNodeId: ULONGLONG,
    pub cAddresses: ULONG,
    pub pAddresses: *mut PEER_ADDRESS,
    pub pCredentialInfo: *mut PEER_CREDENTIAL_INFO,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_INVITATION_INFO {
    pub dwSize: DWORD,
    pub dwFlags: DWORD,
    pub pwzCloudName: PWSTR,
    pub dwScope: DWORD,
    pub dwCloudFlags: DWORD,
    pub pwzGroupPeerName: PWSTR,
    pub pwzIssuerPeerName: PWSTR,
    pub pwzSubjectPeerName: PWSTR,
    pub pwzGroupFriendlyName: PWSTR,
    pub pwzIssuerFriendlyName: PWSTR,
    pub pwzSubjectFriendlyName: PWSTR,
    pub ftValidityStart: FILETIME,
    pub ftValidityEnd: FILETIME,
    pub cRoles: ULONG,
    pub pRoles: *mut PEER_ROLE_ID,
    pub cClassifiers: ULONG,
    pub ppwzClassifiers: *mut PWSTR,
    pub pSubjectPublicKey: *mut CERT_PUBLIC_KEY_INFO,
    pub authScheme: PEER_GROUP_AUTHENTICATION_SCHEME,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_GROUP_PROPERTIES {
    pub dwSize: DWORD,
    pub dwFlags: DWORD,
    pub pwzCloud: PWSTR,
    pub pwzClassifier: PWSTR,
    pub pwzGroupPeerName: PWSTR,
    pub pwzCreatorPeerName: PWSTR,
    pub pwzFriendlyName: PWSTR,
    pub pwzComment: PWSTR,
    pub ulMemberDataLifetime: ULONG,
    pub ulPresenceLifetime: ULONG,
    pub dwAuthenticationSchemes: DWORD,
    pub pwzGroupPassword: PWSTR,
    pub groupPasswordRole: PEER_ROLE_ID,
}

/// The XP-era `PEER_GROUP_PROPERTIES` ended after `ulPresenceLifetime`; callers built
/// against that header pass this `dwSize`.
pub const PEER_GROUP_PROPERTIES_V1_SIZE: usize =
    std::mem::offset_of!(PEER_GROUP_PROPERTIES, dwAuthenticationSchemes);

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_EVENT_MEMBER_CHANGE_DATA {
    pub dwSize: DWORD,
    pub changeType: PEER_MEMBER_CHANGE_TYPE,
    pub pwzIdentity: PWSTR,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_GROUP_EVENT_REGISTRATION {
    pub eventType: PEER_GROUP_EVENT_TYPE,
    pub pType: *mut GUID,
}

/// The nameless union of `PEER_GROUP_EVENT_DATA`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union PEER_GROUP_EVENT_DATA_UNION {
    pub dwStatus: PEER_GROUP_STATUS,
    pub incomingData: PEER_EVENT_INCOMING_DATA,
    pub recordChangeData: PEER_EVENT_RECORD_CHANGE_DATA,
    pub connectionChangeData: PEER_EVENT_CONNECTION_CHANGE_DATA,
    pub memberChangeData: PEER_EVENT_MEMBER_CHANGE_DATA,
    pub hrConnectionFailedReason: HRESULT,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct PEER_GROUP_EVENT_DATA {
    pub eventType: PEER_GROUP_EVENT_TYPE,
    pub u: PEER_GROUP_EVENT_DATA_UNION,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PEER_NAME_PAIR {
    pub dwSize: DWORD,
    pub pwzPeerName: PWSTR,
    pub pwzFriendlyName: PWSTR,
}

// --- enumerations (p2p.h values) ----------------------------------------------------
// The facade's constants where it has them; the rest exist only in the C header.
pub use peernet::PEER_GROUP_VERSION;
pub use peernet::event::{
    PEER_GROUP_EVENT_AUTHENTICATION_FAILED, PEER_GROUP_EVENT_CONNECTION_FAILED,
    PEER_GROUP_EVENT_DIRECT_CONNECTION, PEER_GROUP_EVENT_INCOMING_DATA,
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
    PEER_GROUP_EVENT_PROPERTY_CHANGED, PEER_GROUP_EVENT_RECORD_CHANGED,
    PEER_GROUP_EVENT_STATUS_CHANGED,
};
pub use peernet::flags::{
    PEER_DEFER_EXPIRATION, PEER_DISABLE_PRESENCE, PEER_GROUP_GMC_AUTHENTICATION,
    PEER_GROUP_PASSWORD_AUTHENTICATION, PEER_GROUP_STATUS_HAS_CONNECTIONS,
    PEER_GROUP_STATUS_LISTENING, PEER_MEMBER_DATA_OPTIONAL, PEER_MEMBER_PRESENT,
    PEER_RECORD_FLAG_AUTOREFRESH, PEER_RECORD_FLAG_DELETED,
};
pub const PEER_RECORD_ADDED: u32 = 1;
pub const PEER_RECORD_UPDATED: u32 = 2;
pub const PEER_RECORD_DELETED: u32 = 3;
pub const PEER_RECORD_EXPIRED: u32 = 4;
pub const PEER_CONNECTED: u32 = 1;
pub const PEER_DISCONNECTED: u32 = 2;
pub const PEER_CONNECTION_FAILED: u32 = 3;
pub const PEER_CONNECTION_NEIGHBOR: u32 = 1;
pub const PEER_CONNECTION_DIRECT: u32 = 2;
pub const PEER_MEMBER_CONNECTED: u32 = 1;
pub const PEER_MEMBER_DISCONNECTED: u32 = 2;
pub const PEER_MEMBER_UPDATED: u32 = 3;
pub const PEER_MEMBER_JOINED: u32 = 4;
pub const PEER_MEMBER_LEFT: u32 = 5;
pub const PEER_GROUP_STORE_CREDENTIALS: u32 = 1;

// --- role GUIDs, exported as `extern const GUID` ------------------------------------
/// `PEER_GROUP_ROLE_ADMIN` {04387127-AA56-450A-8CE5-4F565C6790F4}.
#[unsafe(no_mangle)]
pub static PEER_GROUP_ROLE_ADMIN: GUID = GUID {
    Data1: 0x0438_7127,
    Data2: 0xaa56,
    Data3: 0x450a,
    Data4: [0x8c, 0xe5, 0x4f, 0x56, 0x5c, 0x67, 0x90, 0xf4],
};

/// `PEER_GROUP_ROLE_MEMBER` {F12DC4C7-0857-4CA0-93FC-B1BB19A3D8C2}.
#[unsafe(no_mangle)]
pub static PEER_GROUP_ROLE_MEMBER: GUID = GUID {
    Data1: 0xf12d_c4c7,
    Data2: 0x0857,
    Data3: 0x4ca0,
    Data4: [0x93, 0xfc, 0xb1, 0xbb, 0x19, 0xa3, 0xd8, 0xc2],
};

/// `PEER_GROUP_ROLE_INVITING_MEMBER` {4370FD89-DC18-4CFB-8DBF-9853A8A9F905} (Vista+).
#[unsafe(no_mangle)]
pub static PEER_GROUP_ROLE_INVITING_MEMBER: GUID = GUID {
    Data1: 0x4370_fd89,
    Data2: 0xdc18,
    Data3: 0x4cfb,
    Data4: [0x8d, 0xbf, 0x98, 0x53, 0xa8, 0xa9, 0xf9, 0x05],
};

/// `PPEER_VERSION_DATA`.
pub type PPEER_VERSION_DATA = *mut PEER_VERSION_DATA;
