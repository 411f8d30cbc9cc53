/*
 * p2p.h -- the Windows Peer Identity Manager and Peer Grouping API, as provided by
 * peernet (libpeernet_capi) on Linux, macOS and other non-Windows systems.
 *
 * Written for peernet from the public API documentation; names, structure layouts,
 * enumeration values, GUIDs and HRESULT values match the Windows SDK p2p.h so that
 * programs written against P2P.dll compile unchanged or nearly so. See docs/CAPI.md.
 *
 * C99 / C++11. Needs no Windows header. Identity and grouping parts only (no
 * Graphing, PNRP or Collaboration API).
 *
 * Portability notes (details in docs/CAPI.md):
 *  - WCHAR is a 16-bit UTF-16 code unit (uint16_t), as on Windows. On Linux and macOS
 *    wchar_t is 32 bits, so L"..." literals are NOT PCWSTR there. Use u"..." (C11/C++11,
 *    char16_t) through the PEER_TEXT() macro, or convert at run time.
 *  - ULONG, DWORD and LONG are 32 bits (Windows LLP64 sizes), not C `long`.
 *  - Every buffer the library returns is released with PeerFreeData, every
 *    enumeration with PeerEndEnumeration.
 */
#ifndef PEERNET_P2P_H
#define PEERNET_P2P_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------
 * Windows base types (sizes as on 64-bit and 32-bit Windows). Define
 * PEERNET_NO_WIN32_TYPES if another header of yours already provides them.
 * ---------------------------------------------------------------------------------- */
#ifndef PEERNET_NO_WIN32_TYPES
typedef int32_t HRESULT;
typedef int32_t BOOL;
typedef int32_t LONG;
typedef uint8_t BYTE;
typedef BYTE *PBYTE;
typedef uint16_t WORD;
typedef uint16_t USHORT;
typedef uint32_t DWORD;
typedef uint32_t ULONG;
typedef uint64_t ULONGLONG;
typedef uintptr_t ULONG_PTR;
typedef uint16_t WCHAR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;
typedef char *LPSTR;
typedef void *PVOID;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef void *HANDLE;
typedef ULONG_PTR HCRYPTPROV;

typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;

typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME, *PFILETIME;

/* wincrypt.h subset */
typedef struct _CRYPTOAPI_BLOB {
    DWORD cbData;
    BYTE *pbData;
} CRYPT_INTEGER_BLOB, CRYPT_OBJID_BLOB, CRYPT_DATA_BLOB, *PCRYPT_DATA_BLOB;

typedef struct _CRYPT_ALGORITHM_IDENTIFIER {
    LPSTR pszObjId;
    CRYPT_OBJID_BLOB Parameters;
} CRYPT_ALGORITHM_IDENTIFIER, *PCRYPT_ALGORITHM_IDENTIFIER;

typedef struct _CRYPT_BIT_BLOB {
    DWORD cbData;
    BYTE *pbData;
    DWORD cUnusedBits;
} CRYPT_BIT_BLOB, *PCRYPT_BIT_BLOB;

typedef struct _CERT_PUBLIC_KEY_INFO {
    CRYPT_ALGORITHM_IDENTIFIER Algorithm;
    CRYPT_BIT_BLOB PublicKey;
} CERT_PUBLIC_KEY_INFO, *PCERT_PUBLIC_KEY_INFO;

/*
 * ws2ipdef.h SOCKADDR_IN6 with the Windows layout (28 bytes). On Linux it is byte for
 * byte `struct sockaddr_in6`; on macOS copy it field by field (BSD sockaddrs start with
 * a length byte). peernet fills sin6_family with the host's AF_INET6 value; port,
 * flow info and address are in network byte order as on Windows.
 */
typedef struct peernet_in6_addr {
    union {
        BYTE Byte[16];
        USHORT Word[8];
    } u;
} IN6_ADDR, *PIN6_ADDR;

typedef struct peernet_sockaddr_in6 {
    USHORT sin6_family;
    USHORT sin6_port;
    ULONG sin6_flowinfo;
    IN6_ADDR sin6_addr;
    ULONG sin6_scope_id;
} SOCKADDR_IN6, *PSOCKADDR_IN6;
#endif /* PEERNET_NO_WIN32_TYPES */

#ifndef WINAPI
#define WINAPI
#endif
#ifndef MAKEWORD
#define MAKEWORD(a, b) ((WORD)(((BYTE)((a) & 0xff)) | ((WORD)((BYTE)((b) & 0xff))) << 8))
#endif
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
/* BOOL values (windef.h), e.g. for PeerGroupImportConfig's fOverwrite. */
#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif

/* Text literals as PCWSTR: PEER_TEXT("x") is u"x" (char16_t, C11 / C++11). */
#if defined(__cplusplus)
#define PEER_TEXT(s) (reinterpret_cast<PCWSTR>(u##s))
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define PEER_TEXT(s) ((PCWSTR)(u##s))
#endif

/* Nameless unions need C11 or C++; in C99 GCC and Clang accept them as an extension. */
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
#define PEERNET_NAMELESS
#elif defined(__GNUC__)
#define PEERNET_NAMELESS __extension__
#else
#define PEERNET_NAMELESS_UNION_NAME u
#endif

/* ------------------------------------------------------------------------------------
 * Handles
 * ---------------------------------------------------------------------------------- */
typedef void *HPEEREVENT;
typedef HPEEREVENT *PHPEEREVENT;
typedef void *HPEERENUM;
typedef HPEERENUM *PHPEERENUM;
typedef void *HGROUP, **PHGROUP;
typedef GUID PEER_ROLE_ID;

/* MAKEWORD(1, 1): grouping 1.1 (Vista password authentication). */
#define PEER_GROUP_VERSION MAKEWORD(1, 1)

/* ------------------------------------------------------------------------------------
 * Enumerations
 * ---------------------------------------------------------------------------------- */
typedef enum peer_record_change_type_tag {
    PEER_RECORD_ADDED = 1,
    PEER_RECORD_UPDATED = 2,
    PEER_RECORD_DELETED = 3,
    PEER_RECORD_EXPIRED = 4
} PEER_RECORD_CHANGE_TYPE;

typedef enum peer_connection_status_tag {
    PEER_CONNECTED = 1,
    PEER_DISCONNECTED = 2,
    PEER_CONNECTION_FAILED = 3
} PEER_CONNECTION_STATUS;

typedef enum peer_connection_flags_tag {
    PEER_CONNECTION_NEIGHBOR = 0x0001,
    PEER_CONNECTION_DIRECT = 0x0002
} PEER_CONNECTION_FLAGS;

typedef enum peer_record_flags_tag {
    PEER_RECORD_FLAG_AUTOREFRESH = 0x0001,
    PEER_RECORD_FLAG_DELETED = 0x0002
} PEER_RECORD_FLAGS;

typedef enum peer_group_event_type_tag {
    PEER_GROUP_EVENT_STATUS_CHANGED = 1,
    PEER_GROUP_EVENT_PROPERTY_CHANGED = 2,
    PEER_GROUP_EVENT_RECORD_CHANGED = 3,
    PEER_GROUP_EVENT_DIRECT_CONNECTION = 4,
    PEER_GROUP_EVENT_NEIGHBOR_CONNECTION = 5,
    PEER_GROUP_EVENT_INCOMING_DATA = 6,
    PEER_GROUP_EVENT_MEMBER_CHANGED = 8,
    PEER_GROUP_EVENT_CONNECTION_FAILED = 10,
    PEER_GROUP_EVENT_AUTHENTICATION_FAILED = 11
} PEER_GROUP_EVENT_TYPE;

typedef enum peer_group_status_tag {
    PEER_GROUP_STATUS_LISTENING = 0x0001,
    PEER_GROUP_STATUS_HAS_CONNECTIONS = 0x0002
} PEER_GROUP_STATUS;

typedef enum peer_group_property_flags_tag {
    PEER_MEMBER_DATA_OPTIONAL = 0x0001,
    PEER_DISABLE_PRESENCE = 0x0002,
    PEER_DEFER_EXPIRATION = 0x0004
} PEER_GROUP_PROPERTY_FLAGS;

typedef enum peer_group_authentication_scheme_tag {
    PEER_GROUP_GMC_AUTHENTICATION = 0x00000001,
    PEER_GROUP_PASSWORD_AUTHENTICATION = 0x00000002
} PEER_GROUP_AUTHENTICATION_SCHEME;

typedef enum peer_member_flags_tag {
    PEER_MEMBER_PRESENT = 0x0001
} PEER_MEMBER_FLAGS;

typedef enum peer_member_change_type_tag {
    PEER_MEMBER_CONNECTED = 1,
    PEER_MEMBER_DISCONNECTED = 2,
    PEER_MEMBER_UPDATED = 3,
    PEER_MEMBER_JOINED = 4,
    PEER_MEMBER_LEFT = 5
} PEER_MEMBER_CHANGE_TYPE;

typedef enum peer_issue_credential_flags_tag {
    PEER_GROUP_STORE_CREDENTIALS = 0x0001
} PEER_GROUP_ISSUE_CREDENTIAL_FLAGS;

/* pnrpdef.h values used by PEER_INVITATION_INFO.dwScope and .dwCloudFlags */
#ifndef PNRP_GLOBAL_SCOPE
#define PNRP_SCOPE_ANY 0
#define PNRP_GLOBAL_SCOPE 1
#define PNRP_SITE_LOCAL_SCOPE 2
#define PNRP_LINK_LOCAL_SCOPE 3
#define PNRP_CLOUD_NO_FLAGS 0
#define PNRP_CLOUD_NAME_LOCAL 1
#define PNRP_CLOUD_RESOLVE_ONLY 2
#define PNRP_CLOUD_FULL_PARTICIPANT 4
#endif

/* ------------------------------------------------------------------------------------
 * Structures (field order as in the Windows SDK, Vista fields included)
 * ---------------------------------------------------------------------------------- */
typedef struct peer_version_data_tag {
    WORD wVersion;
    WORD wHighestVersion;
} PEER_VERSION_DATA, *PPEER_VERSION_DATA;

typedef struct peer_data_tag {
    ULONG cbData;
    PBYTE pbData;
} PEER_DATA, *PPEER_DATA;
typedef const PEER_DATA *PCPEER_DATA;

typedef struct peer_record_tag {
    DWORD dwSize;
    GUID type;
    GUID id;
    DWORD dwVersion;
    DWORD dwFlags;
    PWSTR pwzCreatorId;
    PWSTR pwzModifiedById;
    PWSTR pwzAttributes;
    FILETIME ftCreation;
    FILETIME ftExpiration;
    FILETIME ftLastModified;
    PEER_DATA securityData;
    PEER_DATA data;
} PEER_RECORD, *PPEER_RECORD;

typedef struct peer_address_tag {
    DWORD dwSize;
    SOCKADDR_IN6 sin6;
} PEER_ADDRESS, *PPEER_ADDRESS;
typedef const PEER_ADDRESS *PCPEER_ADDRESS;

typedef struct peer_connection_info_tag {
    DWORD dwSize;
    DWORD dwFlags;
    ULONGLONG ullConnectionId;
    ULONGLONG ullNodeId;
    PWSTR pwzPeerId;
    PEER_ADDRESS address;
} PEER_CONNECTION_INFO;

typedef struct peer_event_incoming_data_tag {
    DWORD dwSize;
    ULONGLONG ullConnectionId;
    GUID type;
    PEER_DATA data;
} PEER_EVENT_INCOMING_DATA, *PPEER_EVENT_INCOMING_DATA;

typedef struct peer_event_record_change_data_tag {
    DWORD dwSize;
    PEER_RECORD_CHANGE_TYPE changeType;
    GUID recordId;
    GUID recordType;
} PEER_EVENT_RECORD_CHANGE_DATA, *PPEER_EVENT_RECORD_CHANGE_DATA;

typedef struct peer_event_connection_change_data_tag {
    DWORD dwSize;
    PEER_CONNECTION_STATUS status;
    ULONGLONG ullConnectionId;
    ULONGLONG ullNodeId;
    ULONGLONG ullNextConnectionId;
    HRESULT hrConnectionFailedReason;
} PEER_EVENT_CONNECTION_CHANGE_DATA, *PPEER_EVENT_CONNECTION_CHANGE_DATA;

typedef struct peer_credential_info_tag {
    DWORD dwSize;
    DWORD dwFlags;
    PWSTR pwzFriendlyName;
    CERT_PUBLIC_KEY_INFO *pPublicKey;
    PWSTR pwzIssuerPeerName;
    PWSTR pwzIssuerFriendlyName;
    FILETIME ftValidityStart;
    FILETIME ftValidityEnd;
    ULONG cRoles;
    PEER_ROLE_ID *pRoles;
} PEER_CREDENTIAL_INFO, *PPEER_CREDENTIAL_INFO;

typedef struct peer_member_tag {
    DWORD dwSize;
    DWORD dwFlags;
    PWSTR pwzIdentity;
    PWSTR pwzAttributes;
    ULONGLONG ullNodeId;
    ULONG cAddresses;
    PEER_ADDRESS *pAddresses;
    PEER_CREDENTIAL_INFO *pCredentialInfo;
} PEER_MEMBER, *PPEER_MEMBER;

typedef struct peer_invitation_info_tag {
    DWORD dwSize;
    DWORD dwFlags;
    PWSTR pwzCloudName;
    DWORD dwScope;
    DWORD dwCloudFlags;
    PWSTR pwzGroupPeerName;
    PWSTR pwzIssuerPeerName;
    PWSTR pwzSubjectPeerName;
    PWSTR pwzGroupFriendlyName;
    PWSTR pwzIssuerFriendlyName;
    PWSTR pwzSubjectFriendlyName;
    FILETIME ftValidityStart;
    FILETIME ftValidityEnd;
    ULONG cRoles;
    PEER_ROLE_ID *pRoles;
    ULONG cClassifiers;
    PWSTR *ppwzClassifiers;
    CERT_PUBLIC_KEY_INFO *pSubjectPublicKey;
    PEER_GROUP_AUTHENTICATION_SCHEME authScheme;
} PEER_INVITATION_INFO, *PPEER_INVITATION_INFO;

typedef struct peer_group_properties_tag {
    DWORD dwSize;
    DWORD dwFlags;
    PWSTR pwzCloud;
    PWSTR pwzClassifier;
    PWSTR pwzGroupPeerName;
    PWSTR pwzCreatorPeerName;
    PWSTR pwzFriendlyName;
    PWSTR pwzComment;
    ULONG ulMemberDataLifetime;
    ULONG ulPresenceLifetime;
    DWORD dwAuthenticationSchemes;
    PWSTR pwzGroupPassword;
    PEER_ROLE_ID groupPasswordRole;
} PEER_GROUP_PROPERTIES, *PPEER_GROUP_PROPERTIES;

typedef struct peer_event_member_change_data_tag {
    DWORD dwSize;
    PEER_MEMBER_CHANGE_TYPE changeType;
    PWSTR pwzIdentity;
} PEER_EVENT_MEMBER_CHANGE_DATA, *PPEER_EVENT_MEMBER_CHANGE_DATA;

typedef struct peer_group_event_registration_tag {
    PEER_GROUP_EVENT_TYPE eventType;
    GUID *pType;
} PEER_GROUP_EVENT_REGISTRATION, *PPEER_GROUP_EVENT_REGISTRATION;

typedef struct peer_group_event_data_tag {
    PEER_GROUP_EVENT_TYPE eventType;
#ifdef PEERNET_NAMELESS_UNION_NAME
    union {
#else
    PEERNET_NAMELESS union {
#endif
        PEER_GROUP_STATUS dwStatus;
        PEER_EVENT_INCOMING_DATA incomingData;
        PEER_EVENT_RECORD_CHANGE_DATA recordChangeData;
        PEER_EVENT_CONNECTION_CHANGE_DATA connectionChangeData;
        PEER_EVENT_MEMBER_CHANGE_DATA memberChangeData;
        HRESULT hrConnectionFailedReason;
#ifdef PEERNET_NAMELESS_UNION_NAME
    } PEERNET_NAMELESS_UNION_NAME;
#else
    };
#endif
} PEER_GROUP_EVENT_DATA, *PPEER_GROUP_EVENT_DATA;

typedef struct peer_name_pair_tag {
    DWORD dwSize;
    PWSTR pwzPeerName;
    PWSTR pwzFriendlyName;
} PEER_NAME_PAIR, *PPEER_NAME_PAIR;

/* ------------------------------------------------------------------------------------
 * Role GUIDs: constant objects exported by libpeernet_capi (no INITGUID needed).
 * The PEERNET_GUID_* macros are the same values as initializers, for static data.
 * ---------------------------------------------------------------------------------- */
#define PEERNET_GUID_PEER_GROUP_ROLE_ADMIN \
    { 0x04387127, 0xaa56, 0x450a, { 0x8c, 0xe5, 0x4f, 0x56, 0x5c, 0x67, 0x90, 0xf4 } }
#define PEERNET_GUID_PEER_GROUP_ROLE_MEMBER \
    { 0xf12dc4c7, 0x0857, 0x4ca0, { 0x93, 0xfc, 0xb1, 0xbb, 0x19, 0xa3, 0xd8, 0xc2 } }
#define PEERNET_GUID_PEER_GROUP_ROLE_INVITING_MEMBER \
    { 0x4370fd89, 0xdc18, 0x4cfb, { 0x8d, 0xbf, 0x98, 0x53, 0xa8, 0xa9, 0xf9, 0x05 } }

extern const GUID PEER_GROUP_ROLE_ADMIN;
extern const GUID PEER_GROUP_ROLE_MEMBER;
extern const GUID PEER_GROUP_ROLE_INVITING_MEMBER;

/* ------------------------------------------------------------------------------------
 * HRESULT values (the table of peernet::HResult::all()). Generic ones are guarded so that an
 * application's own definitions win.
 * ---------------------------------------------------------------------------------- */
#define PEERNET_HRESULT(v) ((HRESULT)(int32_t)(uint32_t)(v))

#ifndef S_OK
#define S_OK PEERNET_HRESULT(0x00000000u)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG PEERNET_HRESULT(0x80070057u)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY PEERNET_HRESULT(0x8007000Eu)
#endif
#ifndef E_HANDLE
#define E_HANDLE PEERNET_HRESULT(0x80070006u)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED PEERNET_HRESULT(0x80070005u)
#endif
#ifndef E_UNEXPECTED
#define E_UNEXPECTED PEERNET_HRESULT(0x8000FFFFu)
#endif
#ifndef E_NOTIMPL
#define E_NOTIMPL PEERNET_HRESULT(0x80004001u)
#endif
#ifndef E_FAIL
#define E_FAIL PEERNET_HRESULT(0x80004005u)
#endif
/* HRESULT_FROM_WIN32 forms (Windows defines ERROR_* as plain Win32 numbers; we give
   the HRESULT under a distinct name to avoid clashing with such definitions). */
#define HRESULT_FROM_WIN32_ERROR_INVALID_PASSWORD PEERNET_HRESULT(0x80070056u)
#define HRESULT_FROM_WIN32_ERROR_SERVICE_DEPENDENCY_FAIL PEERNET_HRESULT(0x8007042Cu)
#define HRESULT_FROM_WIN32_ERROR_DELETE_PENDING PEERNET_HRESULT(0x8007012Fu)
#define HRESULT_FROM_WIN32_ERROR_FILE_NOT_FOUND PEERNET_HRESULT(0x80070002u)
#define HRESULT_FROM_WIN32_ERROR_PATH_NOT_FOUND PEERNET_HRESULT(0x80070003u)

#define PEER_E_IPV6_NOT_INSTALLED PEERNET_HRESULT(0x80630001u)
#define PEER_E_NOT_INITIALIZED PEERNET_HRESULT(0x80630002u)
#define PEER_E_CANNOT_START_SERVICE PEERNET_HRESULT(0x80630003u)
#define PEER_E_NOT_LICENSED PEERNET_HRESULT(0x80630004u)
#define PEER_E_INVALID_GRAPH PEERNET_HRESULT(0x80630010u)
#define PEER_E_DBNAME_CHANGED PEERNET_HRESULT(0x80630011u)
#define PEER_E_DUPLICATE_GRAPH PEERNET_HRESULT(0x80630012u)
#define PEER_E_GRAPH_NOT_READY PEERNET_HRESULT(0x80630013u)
#define PEER_E_GRAPH_SHUTTING_DOWN PEERNET_HRESULT(0x80630014u)
#define PEER_E_GRAPH_IN_USE PEERNET_HRESULT(0x80630015u)
#define PEER_E_INVALID_DATABASE PEERNET_HRESULT(0x80630016u)
#define PEER_E_TOO_MANY_ATTRIBUTES PEERNET_HRESULT(0x80630017u)
#define PEER_E_CONNECTION_NOT_FOUND PEERNET_HRESULT(0x80630103u)
#define PEER_E_CONNECT_SELF PEERNET_HRESULT(0x80630106u)
#define PEER_E_ALREADY_LISTENING PEERNET_HRESULT(0x80630107u)
#define PEER_E_NODE_NOT_FOUND PEERNET_HRESULT(0x80630108u)
#define PEER_E_CONNECTION_FAILED PEERNET_HRESULT(0x80630109u)
#define PEER_E_CONNECTION_NOT_AUTHENTICATED PEERNET_HRESULT(0x8063010Au)
#define PEER_E_CONNECTION_REFUSED PEERNET_HRESULT(0x8063010Bu)
#define PEER_E_CLASSIFIER_TOO_LONG PEERNET_HRESULT(0x80630201u)
#define PEER_E_TOO_MANY_IDENTITIES PEERNET_HRESULT(0x80630202u)
#define PEER_E_NO_KEY_ACCESS PEERNET_HRESULT(0x80630203u)
#define PEER_E_GROUPS_EXIST PEERNET_HRESULT(0x80630204u)
#define PEER_E_RECORD_NOT_FOUND PEERNET_HRESULT(0x80630301u)
#define PEER_E_DATABASE_ACCESSDENIED PEERNET_HRESULT(0x80630302u)
#define PEER_E_DBINITIALIZATION_FAILED PEERNET_HRESULT(0x80630303u)
#define PEER_E_MAX_RECORD_SIZE_EXCEEDED PEERNET_HRESULT(0x80630304u)
#define PEER_E_DATABASE_ALREADY_PRESENT PEERNET_HRESULT(0x80630305u)
#define PEER_E_DATABASE_NOT_PRESENT PEERNET_HRESULT(0x80630306u)
#define PEER_E_IDENTITY_NOT_FOUND PEERNET_HRESULT(0x80630401u)
#define PEER_E_EVENT_HANDLE_NOT_FOUND PEERNET_HRESULT(0x80630501u)
#define PEER_E_INVALID_SEARCH PEERNET_HRESULT(0x80630601u)
#define PEER_E_INVALID_ATTRIBUTES PEERNET_HRESULT(0x80630602u)
#define PEER_E_INVITATION_NOT_TRUSTED PEERNET_HRESULT(0x80630701u)
#define PEER_E_CHAIN_TOO_LONG PEERNET_HRESULT(0x80630703u)
#define PEER_E_INVALID_TIME_PERIOD PEERNET_HRESULT(0x80630705u)
#define PEER_E_CIRCULAR_CHAIN_DETECTED PEERNET_HRESULT(0x80630706u)
#define PEER_E_CERT_STORE_CORRUPTED PEERNET_HRESULT(0x80630801u)
#define PEER_E_NO_CLOUD PEERNET_HRESULT(0x80631001u)
#define PEER_E_CLOUD_NAME_AMBIGUOUS PEERNET_HRESULT(0x80631005u)
#define PEER_E_INVALID_RECORD PEERNET_HRESULT(0x80632010u)
#define PEER_E_NOT_AUTHORIZED PEERNET_HRESULT(0x80632020u)
#define PEER_E_PASSWORD_DOES_NOT_MEET_POLICY PEERNET_HRESULT(0x80632021u)
#define PEER_E_DEFERRED_VALIDATION PEERNET_HRESULT(0x80632030u)
#define PEER_E_INVALID_GROUP_PROPERTIES PEERNET_HRESULT(0x80632040u)
#define PEER_E_INVALID_PEER_NAME PEERNET_HRESULT(0x80632050u)
#define PEER_E_INVALID_CLASSIFIER PEERNET_HRESULT(0x80632060u)
#define PEER_E_INVALID_FRIENDLY_NAME PEERNET_HRESULT(0x80632070u)
#define PEER_E_INVALID_ROLE_PROPERTY PEERNET_HRESULT(0x80632071u)
#define PEER_E_INVALID_CLASSIFIER_PROPERTY PEERNET_HRESULT(0x80632072u)
#define PEER_E_INVALID_RECORD_EXPIRATION PEERNET_HRESULT(0x80632080u)
#define PEER_E_INVALID_CREDENTIAL_INFO PEERNET_HRESULT(0x80632081u)
#define PEER_E_INVALID_CREDENTIAL PEERNET_HRESULT(0x80632082u)
#define PEER_E_INVALID_RECORD_SIZE PEERNET_HRESULT(0x80632083u)
#define PEER_E_UNSUPPORTED_VERSION PEERNET_HRESULT(0x80632090u)
#define PEER_E_GROUP_NOT_READY PEERNET_HRESULT(0x80632091u)
#define PEER_E_GROUP_IN_USE PEERNET_HRESULT(0x80632092u)
#define PEER_E_INVALID_GROUP PEERNET_HRESULT(0x80632093u)
#define PEER_E_NO_MEMBERS_FOUND PEERNET_HRESULT(0x80632094u)
#define PEER_E_NO_MEMBER_CONNECTIONS PEERNET_HRESULT(0x80632095u)
#define PEER_E_UNABLE_TO_LISTEN PEERNET_HRESULT(0x80632096u)
#define PEER_E_IDENTITY_DELETED PEERNET_HRESULT(0x806320A0u)
#define PEER_E_SERVICE_NOT_AVAILABLE PEERNET_HRESULT(0x806320A1u)
#define PEER_E_CANNOT_CONVERT_PEER_NAME PEERNET_HRESULT(0x80634001u)
#define PEER_E_INVALID_PEER_HOST_NAME PEERNET_HRESULT(0x80634002u)
#define PEER_E_NO_MORE PEERNET_HRESULT(0x80634003u)
#define PEER_E_PNRP_DUPLICATE_PEER_NAME PEERNET_HRESULT(0x80634005u)
#define PEER_E_CONTACT_NOT_FOUND PEERNET_HRESULT(0x80636001u)
#define PEER_E_INVITE_CANCELLED PEERNET_HRESULT(0x80637000u)
#define PEER_E_INVITE_RESPONSE_NOT_AVAILABLE PEERNET_HRESULT(0x80637001u)
#define PEER_E_NOT_SIGNED_IN PEERNET_HRESULT(0x80637003u)
#define PEER_E_PRIVACY_DECLINED PEERNET_HRESULT(0x80637004u)
#define PEER_E_TIMEOUT PEERNET_HRESULT(0x80637005u)
#define PEER_E_INVALID_ADDRESS PEERNET_HRESULT(0x80637007u)
#define PEER_E_FW_EXCEPTION_DISABLED PEERNET_HRESULT(0x80637008u)
#define PEER_E_FW_BLOCKED_BY_POLICY PEERNET_HRESULT(0x80637009u)
#define PEER_E_FW_BLOCKED_BY_SHIELDS_UP PEERNET_HRESULT(0x8063700Au)
#define PEER_E_FW_DECLINED PEERNET_HRESULT(0x8063700Bu)

#define PEER_E_NOT_FOUND PEERNET_HRESULT(0x80070490u)
#define PEER_E_DISK_FULL PEERNET_HRESULT(0x80070070u)
#define PEER_E_ALREADY_EXISTS PEERNET_HRESULT(0x800700B7u)
#define PEER_E_CLOUD_NOT_FOUND PEERNET_HRESULT(0x80072CEDu)
#define PEER_E_CLOUD_DISABLED PEERNET_HRESULT(0x80072CEEu)
#define PEER_E_INVALID_IDENTITY PEERNET_HRESULT(0x80072CEFu)
#define PEER_E_TOO_MUCH_LOAD PEERNET_HRESULT(0x80072CF0u)
#define PEER_E_CLOUD_IS_SEARCH_ONLY PEERNET_HRESULT(0x80072CF1u)
#define PEER_E_CLIENT_INVALID_COMPARTMENT_ID PEERNET_HRESULT(0x80072CF2u)
#define PEER_E_DUPLICATE_PEER_NAME PEERNET_HRESULT(0x80072CF4u)
#define PEER_E_CLOUD_IS_DEAD PEERNET_HRESULT(0x80072CF5u)

#define PEER_S_GRAPH_DATA_CREATED PEERNET_HRESULT(0x00630001u)
#define PEER_S_NO_EVENT_DATA PEERNET_HRESULT(0x00630002u)
#define PEER_S_NO_CONNECTIVITY PEERNET_HRESULT(0x00630005u)
#define PEER_S_ALREADY_A_MEMBER PEERNET_HRESULT(0x00630006u)
#define PEER_S_ALREADY_CONNECTED PEERNET_HRESULT(0x00632000u)
#define PEER_S_SUBSCRIPTION_EXISTS PEERNET_HRESULT(0x00636000u)

#ifndef CRYPT_E_BAD_ENCODE
#define CRYPT_E_BAD_ENCODE PEERNET_HRESULT(0x80092002u)
#endif
#ifndef CRYPT_E_NOT_FOUND
#define CRYPT_E_NOT_FOUND PEERNET_HRESULT(0x80092004u)
#endif
#ifndef CRYPT_E_EXISTS
#define CRYPT_E_EXISTS PEERNET_HRESULT(0x80092005u)
#endif
#ifndef CRYPT_E_ASN1_BADTAG
#define CRYPT_E_ASN1_BADTAG PEERNET_HRESULT(0x8009310Bu)
#endif
#ifndef NTE_BAD_DATA
#define NTE_BAD_DATA PEERNET_HRESULT(0x80090005u)
#endif
#ifndef NTE_BAD_SIGNATURE
#define NTE_BAD_SIGNATURE PEERNET_HRESULT(0x80090006u)
#endif
#ifndef NTE_BAD_KEYSET
#define NTE_BAD_KEYSET PEERNET_HRESULT(0x80090016u)
#endif

/* ------------------------------------------------------------------------------------
 * Functions. All are exported by libpeernet_capi; docs/CAPI.md lists how each one
 * behaves here (works / works with differences / documented HRESULT).
 * ---------------------------------------------------------------------------------- */

/* Memory and enumerations */
void WINAPI PeerFreeData(LPCVOID pvData);
HRESULT WINAPI PeerGetItemCount(HPEERENUM hPeerEnum, ULONG *pCount);
HRESULT WINAPI PeerGetNextItem(HPEERENUM hPeerEnum, ULONG *pCount, PVOID **pppvItems);
HRESULT WINAPI PeerEndEnumeration(HPEERENUM hPeerEnum);

/* Identity Manager */
HRESULT WINAPI PeerIdentityCreate(PCWSTR pwzClassifier, PCWSTR pwzFriendlyName, HCRYPTPROV hCryptProv, PWSTR *ppwzIdentity);
HRESULT WINAPI PeerIdentityGetFriendlyName(PCWSTR pwzIdentity, PWSTR *ppwzFriendlyName);
HRESULT WINAPI PeerIdentitySetFriendlyName(PCWSTR pwzIdentity, PCWSTR pwzFriendlyName);
HRESULT WINAPI PeerIdentityGetCryptKey(PCWSTR pwzIdentity, HCRYPTPROV *phCryptProv);
HRESULT WINAPI PeerIdentityDelete(PCWSTR pwzIdentity);
HRESULT WINAPI PeerEnumIdentities(HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerEnumGroups(PCWSTR pwzIdentity, HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerCreatePeerName(PCWSTR pwzIdentity, PCWSTR pwzClassifier, PWSTR *ppwzPeerName);
HRESULT WINAPI PeerIdentityGetXML(PCWSTR pwzIdentity, PWSTR *ppwzIdentityXML);
HRESULT WINAPI PeerIdentityExport(PCWSTR pwzIdentity, PCWSTR pwzPassword, PWSTR *ppwzExportXML);
HRESULT WINAPI PeerIdentityImport(PCWSTR pwzImportXML, PCWSTR pwzPassword, PWSTR *ppwzIdentity);
HRESULT WINAPI PeerIdentityGetDefault(PWSTR *ppwzPeerName);

/* Grouping: startup and shutdown */
HRESULT WINAPI PeerGroupStartup(WORD wVersionRequested, PPEER_VERSION_DATA pVersionData);
HRESULT WINAPI PeerGroupShutdown(void);

/* Grouping */
HRESULT WINAPI PeerGroupCreate(PPEER_GROUP_PROPERTIES pProperties, HGROUP *phGroup);
HRESULT WINAPI PeerGroupOpen(PCWSTR pwzIdentity, PCWSTR pwzGroupPeerName, PCWSTR pwzCloud, HGROUP *phGroup);
HRESULT WINAPI PeerGroupJoin(PCWSTR pwzIdentity, PCWSTR pwzInvitation, PCWSTR pwzCloud, HGROUP *phGroup);
HRESULT WINAPI PeerGroupPasswordJoin(PCWSTR pwzIdentity, PCWSTR pwzInvitation, PCWSTR pwzPassword, PCWSTR pwzCloud, HGROUP *phGroup);
HRESULT WINAPI PeerGroupConnect(HGROUP hGroup);
HRESULT WINAPI PeerGroupConnectByAddress(HGROUP hGroup, ULONG cAddresses, PPEER_ADDRESS pAddresses);
HRESULT WINAPI PeerGroupEnumConnections(HGROUP hGroup, DWORD dwFlags, HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerGroupOpenDirectConnection(HGROUP hGroup, PCWSTR pwzIdentity, PPEER_ADDRESS pAddress, ULONGLONG *pullConnectionId);
HRESULT WINAPI PeerGroupCloseDirectConnection(HGROUP hGroup, ULONGLONG ullConnectionId);
HRESULT WINAPI PeerGroupSendData(HGROUP hGroup, ULONGLONG ullConnectionId, const GUID *pType, ULONG cbData, PVOID pvData);
HRESULT WINAPI PeerGroupClose(HGROUP hGroup);
HRESULT WINAPI PeerGroupDelete(PCWSTR pwzIdentity, PCWSTR pwzGroupPeerName);
HRESULT WINAPI PeerGroupCreateInvitation(HGROUP hGroup, PCWSTR pwzIdentityInfo, FILETIME *pftExpiration, ULONG cRoles, const GUID *pRoles, PWSTR *ppwzInvitation);
HRESULT WINAPI PeerGroupCreatePasswordInvitation(HGROUP hGroup, PWSTR *ppwzInvitation);
HRESULT WINAPI PeerGroupParseInvitation(PCWSTR pwzInvitation, PPEER_INVITATION_INFO *ppInvitationInfo);
HRESULT WINAPI PeerGroupGetStatus(HGROUP hGroup, DWORD *pdwStatus);
HRESULT WINAPI PeerGroupGetProperties(HGROUP hGroup, PPEER_GROUP_PROPERTIES *ppProperties);
HRESULT WINAPI PeerGroupSetProperties(HGROUP hGroup, PPEER_GROUP_PROPERTIES pProperties);
HRESULT WINAPI PeerGroupIssueCredentials(HGROUP hGroup, PCWSTR pwzSubjectIdentity, PEER_CREDENTIAL_INFO *pCredentialInfo, DWORD dwFlags, PWSTR *ppwzInvitation);
HRESULT WINAPI PeerGroupExportConfig(HGROUP hGroup, PCWSTR pwzPassword, PWSTR *ppwzXML);
HRESULT WINAPI PeerGroupImportConfig(PCWSTR pwzXML, PCWSTR pwzPassword, BOOL fOverwrite, PWSTR *ppwzIdentity, PWSTR *ppwzGroup);
HRESULT WINAPI PeerGroupPeerTimeToUniversalTime(HGROUP hGroup, FILETIME *pftPeerTime, FILETIME *pftUniversalTime);
HRESULT WINAPI PeerGroupUniversalTimeToPeerTime(HGROUP hGroup, FILETIME *pftUniversalTime, FILETIME *pftPeerTime);

/* Records, members, database */
HRESULT WINAPI PeerGroupAddRecord(HGROUP hGroup, PPEER_RECORD pRecord, GUID *pRecordId);
HRESULT WINAPI PeerGroupUpdateRecord(HGROUP hGroup, PPEER_RECORD pRecord);
HRESULT WINAPI PeerGroupDeleteRecord(HGROUP hGroup, const GUID *pRecordId);
HRESULT WINAPI PeerGroupGetRecord(HGROUP hGroup, const GUID *pRecordId, PPEER_RECORD *ppRecord);
HRESULT WINAPI PeerGroupEnumRecords(HGROUP hGroup, const GUID *pRecordType, HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerGroupSearchRecords(HGROUP hGroup, PCWSTR pwzCriteria, HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerGroupEnumMembers(HGROUP hGroup, DWORD dwFlags, PCWSTR pwzIdentity, HPEERENUM *phPeerEnum);
HRESULT WINAPI PeerGroupExportDatabase(HGROUP hGroup, PCWSTR pwzFilePath);
HRESULT WINAPI PeerGroupImportDatabase(HGROUP hGroup, PCWSTR pwzFilePath);

/* Events. hEvent: there are no Win32 events off Windows. Pass NULL and poll
 * PeerGroupGetEventData until PEER_S_NO_EVENT_DATA (or block in PeernetWaitForGroupEvent),
 * or pass a file descriptor (> 0, e.g. an eventfd or a pipe's write end) cast to HANDLE:
 * the library writes the 8 bytes of a native-endian uint64_t 1 to it whenever events
 * have been queued. The descriptor must stay open until PeerGroupUnregisterEvent. */
HRESULT WINAPI PeerGroupRegisterEvent(HGROUP hGroup, HANDLE hEvent, DWORD cEventRegistration, PEER_GROUP_EVENT_REGISTRATION *pEventRegistrations, HPEEREVENT *phPeerEvent);
HRESULT WINAPI PeerGroupUnregisterEvent(HPEEREVENT hPeerEvent);
HRESULT WINAPI PeerGroupGetEventData(HPEEREVENT hPeerEvent, PPEER_GROUP_EVENT_DATA *ppEventData);

/* peernet extension: wait up to dwMilliseconds (0xFFFFFFFF = no limit) for an event to be
 * queued: S_OK when one is, PEER_S_NO_EVENT_DATA at the timeout. */
HRESULT WINAPI PeernetWaitForGroupEvent(HPEEREVENT hPeerEvent, DWORD dwMilliseconds);

#ifdef __cplusplus
}
#endif

#endif /* PEERNET_P2P_H */
