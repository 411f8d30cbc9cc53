//! Windows HRESULT values used by the Identity Manager and Grouping API.
//!
//! The values come from `p2p.h` and `winerror.h` of the Windows SDK (FACILITY_P2P errors, the
//! HRESULT_FROM_WIN32 codes and the generic/crypto HRESULTs the p2p.h pages list).
//! Where the documentation and the header disagree, the header wins (for example
//! `PEER_E_IDENTITY_NOT_FOUND` is 0x80630401, not 0x80630501).

use std::fmt;

/// A Windows `HRESULT`: bit 31 set means failure.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HResult(pub u32);

impl HResult {
    /// The value as the signed 32-bit integer C code sees.
    pub const fn as_i32(self) -> i32 {
        self.0 as i32
    }

    /// True for success codes (`S_OK`, `PEER_S_*`).
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }

    /// `HRESULT_FROM_WIN32(code)`.
    pub const fn from_win32(code: u32) -> HResult {
        if code == 0 {
            HResult(0)
        } else {
            HResult((code & 0xFFFF) | (7 << 16) | 0x8000_0000)
        }
    }

    /// The Windows code closest to an I/O error, by its kind: not found →
    /// `ERROR_FILE_NOT_FOUND`, permission denied → `E_ACCESSDENIED`, already exists →
    /// `HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)` (= `PEER_E_ALREADY_EXISTS`), anything
    /// else → `E_FAIL`.
    ///
    /// ```
    /// use peernet::hresult::{self, HResult};
    /// let e = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// assert_eq!(HResult::from_io(&e), hresult::ERROR_FILE_NOT_FOUND);
    /// ```
    pub fn from_io(e: &std::io::Error) -> HResult {
        match e.kind() {
            std::io::ErrorKind::NotFound => ERROR_FILE_NOT_FOUND,
            std::io::ErrorKind::PermissionDenied => E_ACCESSDENIED,
            std::io::ErrorKind::AlreadyExists => PEER_E_ALREADY_EXISTS,
            _ => E_FAIL,
        }
    }

    /// The symbolic name, when the value is one this crate knows.
    pub fn name(self) -> Option<&'static str> {
        TABLE.iter().find(|(v, _)| *v == self).map(|(_, n)| *n)
    }

    /// Every known code with its name, in table order.
    pub fn all() -> &'static [(HResult, &'static str)] {
        TABLE
    }
}

impl fmt::Debug for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} (0x{:08X})", self.0),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

impl fmt::Display for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

macro_rules! hresults {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        $( $(#[$doc])* pub const $name: HResult = HResult($value); )*
        static TABLE: &[(HResult, &str)] = &[ $( ($name, stringify!($name)), )* ];
    };
}

hresults! {
    /// Success.
    S_OK = 0x0000_0000;
    /// One or more arguments are not valid.
    E_INVALIDARG = 0x8007_0057;
    /// Not enough memory.
    E_OUTOFMEMORY = 0x8007_000E;
    /// Invalid handle (also `HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)`).
    E_HANDLE = 0x8007_0006;
    /// Access denied.
    E_ACCESSDENIED = 0x8007_0005;
    /// Catastrophic failure / unexpected state.
    E_UNEXPECTED = 0x8000_FFFF;
    /// Not implemented.
    E_NOTIMPL = 0x8000_4001;
    /// Unspecified failure.
    E_FAIL = 0x8000_4005;
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)`: wrong password for an export.
    ERROR_INVALID_PASSWORD = 0x8007_0056;
    /// `HRESULT_FROM_WIN32(ERROR_SERVICE_DEPENDENCY_FAIL)`.
    ERROR_SERVICE_DEPENDENCY_FAIL = 0x8007_042C;
    /// `HRESULT_FROM_WIN32(ERROR_DELETE_PENDING)`.
    ERROR_DELETE_PENDING = 0x8007_012F;
    /// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`.
    ERROR_FILE_NOT_FOUND = 0x8007_0002;
    /// `HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)`.
    ERROR_PATH_NOT_FOUND = 0x8007_0003;

    /// IPv6 is not installed.
    PEER_E_IPV6_NOT_INSTALLED = 0x8063_0001;
    /// The startup function was not called.
    PEER_E_NOT_INITIALIZED = 0x8063_0002;
    /// A dependent service failed to start.
    PEER_E_CANNOT_START_SERVICE = 0x8063_0003;
    /// Not licensed on this platform.
    PEER_E_NOT_LICENSED = 0x8063_0004;
    /// Invalid graph handle.
    PEER_E_INVALID_GRAPH = 0x8063_0010;
    /// Graph reopened with another database name.
    PEER_E_DBNAME_CHANGED = 0x8063_0011;
    /// Graph ID reused in the process.
    PEER_E_DUPLICATE_GRAPH = 0x8063_0012;
    /// Not connected to the graph.
    PEER_E_GRAPH_NOT_READY = 0x8063_0013;
    /// Graph shutting down.
    PEER_E_GRAPH_SHUTTING_DOWN = 0x8063_0014;
    /// Import while connected or listening.
    PEER_E_GRAPH_IN_USE = 0x8063_0015;
    /// Imported database has another graph ID.
    PEER_E_INVALID_DATABASE = 0x8063_0016;
    /// Too many record attributes.
    PEER_E_TOO_MANY_ATTRIBUTES = 0x8063_0017;
    /// No such direct connection.
    PEER_E_CONNECTION_NOT_FOUND = 0x8063_0103;
    /// Direct connection to self.
    PEER_E_CONNECT_SELF = 0x8063_0106;
    /// Already listening.
    PEER_E_ALREADY_LISTENING = 0x8063_0107;
    /// No such node.
    PEER_E_NODE_NOT_FOUND = 0x8063_0108;
    /// Graph or group connection failed.
    PEER_E_CONNECTION_FAILED = 0x8063_0109;
    /// Connection authentication error.
    PEER_E_CONNECTION_NOT_AUTHENTICATED = 0x8063_010A;
    /// Neighbor not accepting connections.
    PEER_E_CONNECTION_REFUSED = 0x8063_010B;
    /// Classifier too long.
    PEER_E_CLASSIFIER_TOO_LONG = 0x8063_0201;
    /// No more identities can be created.
    PEER_E_TOO_MANY_IDENTITIES = 0x8063_0202;
    /// The key store cannot be accessed.
    PEER_E_NO_KEY_ACCESS = 0x8063_0203;
    /// The identity still has groups.
    PEER_E_GROUPS_EXIST = 0x8063_0204;
    /// Record not found.
    PEER_E_RECORD_NOT_FOUND = 0x8063_0301;
    /// Database access denied.
    PEER_E_DATABASE_ACCESSDENIED = 0x8063_0302;
    /// Database failed to initialize.
    PEER_E_DBINITIALIZATION_FAILED = 0x8063_0303;
    /// Record too large.
    PEER_E_MAX_RECORD_SIZE_EXCEEDED = 0x8063_0304;
    /// Database already exists.
    PEER_E_DATABASE_ALREADY_PRESENT = 0x8063_0305;
    /// Database not found.
    PEER_E_DATABASE_NOT_PRESENT = 0x8063_0306;
    /// Identity not found (header value; the docs page's 0x80630501 is wrong).
    PEER_E_IDENTITY_NOT_FOUND = 0x8063_0401;
    /// Invalid event handle.
    PEER_E_EVENT_HANDLE_NOT_FOUND = 0x8063_0501;
    /// Invalid search query.
    PEER_E_INVALID_SEARCH = 0x8063_0601;
    /// Invalid record attributes.
    PEER_E_INVALID_ATTRIBUTES = 0x8063_0602;
    /// The invitation is not trusted (altered, erroneous or expired).
    PEER_E_INVITATION_NOT_TRUSTED = 0x8063_0701;
    /// The GMC chain is too long.
    PEER_E_CHAIN_TOO_LONG = 0x8063_0703;
    /// A validity period is wrong (expired or not yet valid).
    PEER_E_INVALID_TIME_PERIOD = 0x8063_0705;
    /// A circular certificate chain was detected.
    PEER_E_CIRCULAR_CHAIN_DETECTED = 0x8063_0706;
    /// The certificate store is corrupted.
    PEER_E_CERT_STORE_CORRUPTED = 0x8063_0801;
    /// The cloud does not exist or cannot be located.
    PEER_E_NO_CLOUD = 0x8063_1001;
    /// More than one cloud matches.
    PEER_E_CLOUD_NAME_AMBIGUOUS = 0x8063_1005;
    /// Invalid record.
    PEER_E_INVALID_RECORD = 0x8063_2010;
    /// Not authorized for this operation.
    PEER_E_NOT_AUTHORIZED = 0x8063_2020;
    /// The password does not meet policy.
    PEER_E_PASSWORD_DOES_NOT_MEET_POLICY = 0x8063_2021;
    /// A record cannot be verified yet.
    PEER_E_DEFERRED_VALIDATION = 0x8063_2030;
    /// Invalid group properties.
    PEER_E_INVALID_GROUP_PROPERTIES = 0x8063_2040;
    /// Invalid peer name.
    PEER_E_INVALID_PEER_NAME = 0x8063_2050;
    /// Invalid classifier.
    PEER_E_INVALID_CLASSIFIER = 0x8063_2060;
    /// Invalid friendly name.
    PEER_E_INVALID_FRIENDLY_NAME = 0x8063_2070;
    /// Invalid role.
    PEER_E_INVALID_ROLE_PROPERTY = 0x8063_2071;
    /// Invalid classifier in an invitation.
    PEER_E_INVALID_CLASSIFIER_PROPERTY = 0x8063_2072;
    /// Invalid record expiration.
    PEER_E_INVALID_RECORD_EXPIRATION = 0x8063_2080;
    /// Invalid credential info.
    PEER_E_INVALID_CREDENTIAL_INFO = 0x8063_2081;
    /// Invalid credential.
    PEER_E_INVALID_CREDENTIAL = 0x8063_2082;
    /// Invalid record size.
    PEER_E_INVALID_RECORD_SIZE = 0x8063_2083;
    /// Version not supported.
    PEER_E_UNSUPPORTED_VERSION = 0x8063_2090;
    /// The group is not connected or synchronized.
    PEER_E_GROUP_NOT_READY = 0x8063_2091;
    /// The group is in use.
    PEER_E_GROUP_IN_USE = 0x8063_2092;
    /// Invalid group handle, or the group was deleted.
    PEER_E_INVALID_GROUP = 0x8063_2093;
    /// No active members found.
    PEER_E_NO_MEMBERS_FOUND = 0x8063_2094;
    /// A member was found but could not accept a connection.
    PEER_E_NO_MEMBER_CONNECTIONS = 0x8063_2095;
    /// Cannot listen.
    PEER_E_UNABLE_TO_LISTEN = 0x8063_2096;
    /// The identity was deleted.
    PEER_E_IDENTITY_DELETED = 0x8063_20A0;
    /// The service is not available.
    PEER_E_SERVICE_NOT_AVAILABLE = 0x8063_20A1;
    /// Peer name conversion failed.
    PEER_E_CANNOT_CONVERT_PEER_NAME = 0x8063_4001;
    /// Invalid peer host name.
    PEER_E_INVALID_PEER_HOST_NAME = 0x8063_4002;
    /// No more endpoints.
    PEER_E_NO_MORE = 0x8063_4003;
    /// Peer name registered twice in a cloud.
    PEER_E_PNRP_DUPLICATE_PEER_NAME = 0x8063_4005;
    /// Collaboration: contact not found.
    PEER_E_CONTACT_NOT_FOUND = 0x8063_6001;
    /// Collaboration: invitation cancelled.
    PEER_E_INVITE_CANCELLED = 0x8063_7000;
    /// Collaboration: no invitation response.
    PEER_E_INVITE_RESPONSE_NOT_AVAILABLE = 0x8063_7001;
    /// Collaboration: not signed in.
    PEER_E_NOT_SIGNED_IN = 0x8063_7003;
    /// Collaboration: privacy declined.
    PEER_E_PRIVACY_DECLINED = 0x8063_7004;
    /// Collaboration: timeout.
    PEER_E_TIMEOUT = 0x8063_7005;
    /// Collaboration: invalid address.
    PEER_E_INVALID_ADDRESS = 0x8063_7007;
    /// Firewall exception disabled.
    PEER_E_FW_EXCEPTION_DISABLED = 0x8063_7008;
    /// Firewall blocked by policy.
    PEER_E_FW_BLOCKED_BY_POLICY = 0x8063_7009;
    /// Firewall blocked by shields-up.
    PEER_E_FW_BLOCKED_BY_SHIELDS_UP = 0x8063_700A;
    /// Firewall declined.
    PEER_E_FW_DECLINED = 0x8063_700B;

    /// `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)`: the identity or group does not exist.
    PEER_E_NOT_FOUND = 0x8007_0490;
    /// `HRESULT_FROM_WIN32(ERROR_DISK_FULL)`.
    PEER_E_DISK_FULL = 0x8007_0070;
    /// `HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)`.
    PEER_E_ALREADY_EXISTS = 0x8007_00B7;
    /// PNRP cloud not found (WSA_PNRP_CLOUD_NOT_FOUND).
    PEER_E_CLOUD_NOT_FOUND = 0x8007_2CED;
    /// PNRP cloud disabled.
    PEER_E_CLOUD_DISABLED = 0x8007_2CEE;
    /// Invalid PNRP identity.
    PEER_E_INVALID_IDENTITY = 0x8007_2CEF;
    /// Too much load.
    PEER_E_TOO_MUCH_LOAD = 0x8007_2CF0;
    /// The cloud is search-only.
    PEER_E_CLOUD_IS_SEARCH_ONLY = 0x8007_2CF1;
    /// Invalid compartment id.
    PEER_E_CLIENT_INVALID_COMPARTMENT_ID = 0x8007_2CF2;
    /// Duplicate peer name.
    PEER_E_DUPLICATE_PEER_NAME = 0x8007_2CF4;
    /// The cloud is dead.
    PEER_E_CLOUD_IS_DEAD = 0x8007_2CF5;

    /// Graph data created on open.
    PEER_S_GRAPH_DATA_CREATED = 0x0063_0001;
    /// The event queue is empty.
    PEER_S_NO_EVENT_DATA = 0x0063_0002;
    /// Signed in without IPv6 connectivity.
    PEER_S_NO_CONNECTIVITY = 0x0063_0005;
    /// Password join repeated.
    PEER_S_ALREADY_A_MEMBER = 0x0063_0006;
    /// Already connected.
    PEER_S_ALREADY_CONNECTED = 0x0063_2000;
    /// Collaboration: subscription exists.
    PEER_S_SUBSCRIPTION_EXISTS = 0x0063_6000;

    /// Generic CryptoAPI encode/decode failure.
    CRYPT_E_BAD_ENCODE = 0x8009_2002;
    /// Object or property not found.
    CRYPT_E_NOT_FOUND = 0x8009_2004;
    /// Object already exists.
    CRYPT_E_EXISTS = 0x8009_2005;
    /// Malformed ASN.1 (bad tag).
    CRYPT_E_ASN1_BADTAG = 0x8009_310B;
    /// Bad data (e.g. decryption failed).
    NTE_BAD_DATA = 0x8009_0005;
    /// Signature check failed.
    NTE_BAD_SIGNATURE = 0x8009_0006;
    /// Key container missing.
    NTE_BAD_KEYSET = 0x8009_0016;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_the_header() {
        assert_eq!(PEER_E_NOT_FOUND, HResult::from_win32(1168));
        assert_eq!(PEER_E_ALREADY_EXISTS, HResult::from_win32(183));
        assert_eq!(ERROR_INVALID_PASSWORD, HResult::from_win32(86));
        assert_eq!(PEER_E_CLOUD_NOT_FOUND, HResult::from_win32(11501));
        assert_eq!(E_HANDLE, HResult::from_win32(6));
        assert_eq!(PEER_E_IDENTITY_NOT_FOUND.0, 0x8063_0401);
        assert_eq!(E_INVALIDARG.as_i32(), -2147024809);
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for (v, n) in HResult::all() {
            assert!(seen.insert(*n), "duplicate name {n}");
            // E_HANDLE and ERROR_INVALID_HANDLE share a value; we keep one name per value.
            assert_eq!(v.name(), Some(*n), "value of {n} appears twice");
        }
        assert_eq!(
            format!("{}", PEER_E_NO_CLOUD),
            "PEER_E_NO_CLOUD (0x80631001)"
        );
        assert!(S_OK.is_success() && PEER_S_NO_EVENT_DATA.is_success());
        assert!(!PEER_E_NO_CLOUD.is_success());
    }

    #[test]
    fn io_errors_by_kind() {
        use std::io::{Error, ErrorKind};
        for (kind, code) in [
            (ErrorKind::NotFound, HResult::from_win32(2)),
            (ErrorKind::PermissionDenied, HResult::from_win32(5)),
            (ErrorKind::AlreadyExists, HResult::from_win32(183)),
            (ErrorKind::Interrupted, E_FAIL),
        ] {
            assert_eq!(HResult::from_io(&Error::from(kind)), code, "{kind:?}");
        }
    }
}
