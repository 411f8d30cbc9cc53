//! The Grouping functions PeerGroupCreate … PeerGroupPeerTimeToUniversalTime, the
//! `HGROUP` table, and the structures they read and return (`PEER_GROUP_PROPERTIES`,
//! `PEER_INVITATION_INFO`, `PEER_CREDENTIAL_INFO`).
//!
//! Every function requires PeerGroupStartup and checks its arguments in the order given
//! in `ffi` (out-pointers cleared first); functions on a handle call the facade's
//! [`peernet::Group`] method of the same name, the others the context's (`PeerGroupOpen`
//! → `Peernet::group_open`). Exceptions: PeerGroupParseInvitation calls the free function
//! `peernet::parse_invitation`; PeerGroupSetProperties reads `Group::get_properties` for
//! the fields left "unchanged" before `Group::set_properties`; the two peer-time
//! conversions return `PEER_E_GROUP_NOT_READY` for a group without a connected
//! neighbour. A NULL (or empty) identity is passed to the facade as `None`: it resolves the
//! default identity only once the other arguments are sound, so a refused call creates
//! none.
//!
//! # Safety (every function)
//! String arguments are NULL or NUL-terminated UTF-16; structure arguments are NULL or
//! valid for reads of what their size fields and counts describe; out-pointers are NULL
//! or valid for writes. Handles may be anything (unknown handles are reported, never
//! dereferenced). These are the contracts of the Windows functions; the functions never
//! write through input pointers, even where the Windows header declares them non-`const`.

use std::mem::{offset_of, size_of};
use std::time::SystemTime;

use peernet::hresult::{E_INVALIDARG, E_OUTOFMEMORY, PEER_E_INVALID_GROUP, S_OK};
use peernet::{Group, HResult, IssueFlags, Role, Secret};

use crate::context::context;
use crate::convert::{
    MAX_LIST, PublicKeyInfo, guid_of, place_roles, public_key_info, role_of, spki_der,
};
use crate::ffi::{CResult, OK, guard, h, init, init_value, put_string, read_slice, started_with};
use crate::handles::{HandleTable, Kind, with};
use crate::memory::BlockBuilder;
use crate::startup::require_started;
use crate::types::{
    BOOL, DWORD, FILETIME, GUID, HGROUP, HRESULT, PCWSTR, PEER_CREDENTIAL_INFO,
    PEER_GROUP_PROPERTIES, PEER_GROUP_PROPERTIES_V1_SIZE, PEER_INVITATION_INFO, PWSTR, ULONG,
};
use crate::wide::{read_opt, read_opt_nonempty, read_req};

static GROUPS: HandleTable<Group> = HandleTable::new(Kind::Group);

/// Run `f` on the open group behind `h` (`PEER_E_INVALID_GROUP` for an unknown, closed or
/// foreign handle). The table is not locked while `f` runs.
pub(crate) fn with_group<R>(
    handle: HGROUP,
    f: impl FnOnce(&Group) -> Result<R, HResult>,
) -> Result<R, HResult> {
    let g = with(&GROUPS, handle.cast_const(), |g| g.clone()).ok_or(PEER_E_INVALID_GROUP)?;
    f(&g)
}

/// Close every open group (last PeerGroupShutdown).
pub(crate) fn close_all() {
    GROUPS.clear();
}

/// Store a new group handle in `*phGroup` and return the success code.
///
/// # Safety
/// `phGroup` non-NULL and writable.
unsafe fn put_group(phGroup: *mut HGROUP, group: Group, code: HResult) -> CResult {
    // SAFETY: caller's contract.
    unsafe { phGroup.write(GROUPS.insert(group)) };
    Ok(code)
}

/// A caller's `PEER_GROUP_PROPERTIES`, read, with which immutable fields it left NULL or
/// zero.
struct CallerProperties {
    /// The structure as the facade's, a NULL classifier read as empty, zero schemes as
    /// none and a NULL password role as the role of the NULL GUID (PeerGroupCreate).
    props: peernet::GroupProperties,
    /// `pwzClassifier` was NULL.
    no_classifier: bool,
    /// `dwAuthenticationSchemes` was 0 (or not in an XP-sized structure).
    no_schemes: bool,
    /// `groupPasswordRole` was the NULL GUID (or not in an XP-sized structure).
    no_role: bool,
}

impl CallerProperties {
    /// For PeerGroupSetProperties: the immutable fields the caller left NULL or zero (an
    /// XP-sized structure, or a caller filling only what it changes) taken from
    /// `current`, meaning "unchanged".
    fn or_current(self, current: &peernet::GroupProperties) -> peernet::GroupProperties {
        let mut f = self.props;
        if self.no_classifier {
            f.classifier = current.classifier.clone();
        }
        if self.no_schemes {
            f.authentication_schemes = current.authentication_schemes;
        }
        if self.no_role {
            f.group_password_role = current.group_password_role;
        }
        f
    }
}

/// Read a caller's `PEER_GROUP_PROPERTIES`. `dwSize` must be the Vista size or the XP
/// size (which ends before `dwAuthenticationSchemes`; those fields are then not read);
/// anything else, or a string with an unpaired surrogate, is `E_INVALIDARG`. NULL strings
/// are empty, an empty cloud or creator is `None`, `ulPresenceLifetime` 0 is the
/// documented default (300 s). The password role is taken as given; the facade checks it
/// only when password authentication is enabled.
///
/// # Safety
/// `p` is non-NULL and points to at least `dwSize` readable bytes whose string
/// pointers are NULL or NUL-terminated UTF-16.
unsafe fn read_properties(p: *const PEER_GROUP_PROPERTIES) -> Result<CallerProperties, HResult> {
    // SAFETY: every layout starts with a DWORD dwSize.
    let size = unsafe { p.cast::<u32>().read_unaligned() } as usize;
    let full = size == size_of::<PEER_GROUP_PROPERTIES>();
    if !full && size != PEER_GROUP_PROPERTIES_V1_SIZE {
        return Err(E_INVALIDARG);
    }
    // SAFETY: the fields up to `ulPresenceLifetime` lie inside `dwSize` bytes; the Vista
    // fields are read only when `full`. Fields are read one by one so an XP-sized
    // structure is never read past its end.
    unsafe {
        let classifier = read_opt((*p).pwzClassifier)?;
        let no_classifier = classifier.is_none();
        let friendly = read_opt((*p).pwzFriendlyName)?.unwrap_or_default();
        let mut f = peernet::GroupProperties::new(classifier.unwrap_or_default(), friendly);
        f.flags = (*p).dwFlags;
        f.cloud = read_opt_nonempty((*p).pwzCloud)?;
        f.group_peer_name = read_opt((*p).pwzGroupPeerName)?;
        f.creator_peer_name = read_opt_nonempty((*p).pwzCreatorPeerName)?;
        f.comment = read_opt((*p).pwzComment)?.unwrap_or_default();
        f.member_data_lifetime = (*p).ulMemberDataLifetime;
        f.presence_lifetime = match (*p).ulPresenceLifetime {
            0 => peernet::MIN_PRESENCE_LIFETIME,
            n => n,
        };
        let (schemes, role) = if full {
            f.group_password = read_opt((*p).pwzGroupPassword)?.map(Secret::from);
            ((*p).dwAuthenticationSchemes, (*p).groupPasswordRole)
        } else {
            (0, GUID::NULL)
        };
        f.authentication_schemes = schemes;
        f.group_password_role = role_of(&role);
        Ok(CallerProperties {
            props: f,
            no_classifier,
            no_schemes: schemes == 0,
            no_role: role == GUID::NULL,
        })
    }
}

/// One block holding the structure (Vista size) and its strings; the password is never
/// returned.
fn properties_block(f: &peernet::GroupProperties) -> Result<*mut PEER_GROUP_PROPERTIES, HResult> {
    let mut b = BlockBuilder::new();
    let at = b.push(PEER_GROUP_PROPERTIES {
        dwSize: size_of::<PEER_GROUP_PROPERTIES>() as u32,
        dwFlags: f.flags,
        pwzCloud: std::ptr::null_mut(),
        pwzClassifier: std::ptr::null_mut(),
        pwzGroupPeerName: std::ptr::null_mut(),
        pwzCreatorPeerName: std::ptr::null_mut(),
        pwzFriendlyName: std::ptr::null_mut(),
        pwzComment: std::ptr::null_mut(),
        ulMemberDataLifetime: f.member_data_lifetime,
        ulPresenceLifetime: f.presence_lifetime,
        dwAuthenticationSchemes: f.authentication_schemes,
        pwzGroupPassword: std::ptr::null_mut(),
        groupPasswordRole: guid_of(f.group_password_role),
    });
    type P = PEER_GROUP_PROPERTIES;
    for (field, s) in [
        (offset_of!(P, pwzCloud), f.cloud.as_deref()),
        (offset_of!(P, pwzClassifier), Some(f.classifier.as_str())),
        (
            offset_of!(P, pwzGroupPeerName),
            f.group_peer_name.as_deref(),
        ),
        (
            offset_of!(P, pwzCreatorPeerName),
            f.creator_peer_name.as_deref(),
        ),
        (
            offset_of!(P, pwzFriendlyName),
            Some(f.friendly_name.as_str()),
        ),
        (offset_of!(P, pwzComment), Some(f.comment.as_str())),
    ] {
        b.link_wstr(at + field, s);
    }
    Ok(b.finish()?.cast())
}

/// One block holding a `PEER_INVITATION_INFO`, its strings, role and classifier arrays
/// and subject key.
fn invitation_info_block(
    i: &peernet::InvitationInfo,
) -> Result<*mut PEER_INVITATION_INFO, HResult> {
    let count = |n: usize| u32::try_from(n).map_err(|_| E_OUTOFMEMORY);
    let time = |t: Option<SystemTime>| FILETIME::from_u64(t.map_or(0, peernet::to_filetime));
    let mut b = BlockBuilder::new();
    let at = b.push(PEER_INVITATION_INFO {
        dwSize: size_of::<PEER_INVITATION_INFO>() as u32,
        dwFlags: 0,
        pwzCloudName: std::ptr::null_mut(),
        dwScope: i.scope.value(),
        dwCloudFlags: i.cloud_flags,
        pwzGroupPeerName: std::ptr::null_mut(),
        pwzIssuerPeerName: std::ptr::null_mut(),
        pwzSubjectPeerName: std::ptr::null_mut(),
        pwzGroupFriendlyName: std::ptr::null_mut(),
        pwzIssuerFriendlyName: std::ptr::null_mut(),
        pwzSubjectFriendlyName: std::ptr::null_mut(),
        ftValidityStart: time(i.validity_start),
        ftValidityEnd: time(i.validity_end),
        cRoles: count(i.roles.len())?,
        pRoles: std::ptr::null_mut(),
        cClassifiers: count(i.classifiers.len())?,
        ppwzClassifiers: std::ptr::null_mut(),
        pSubjectPublicKey: std::ptr::null_mut(),
        authScheme: i.auth_scheme,
    });
    type I = PEER_INVITATION_INFO;
    for (field, s) in [
        (offset_of!(I, pwzCloudName), Some(i.cloud_name.as_str())),
        (
            offset_of!(I, pwzGroupPeerName),
            Some(i.group_peer_name.as_str()),
        ),
        (
            offset_of!(I, pwzIssuerPeerName),
            i.issuer_peer_name.as_deref(),
        ),
        (
            offset_of!(I, pwzSubjectPeerName),
            i.subject_peer_name.as_deref(),
        ),
        (
            offset_of!(I, pwzGroupFriendlyName),
            Some(i.group_friendly_name.as_str()),
        ),
        (
            offset_of!(I, pwzIssuerFriendlyName),
            i.issuer_friendly_name.as_deref(),
        ),
        (
            offset_of!(I, pwzSubjectFriendlyName),
            i.subject_friendly_name.as_deref(),
        ),
    ] {
        b.link_wstr(at + field, s);
    }
    if let Some(roles) = place_roles(&mut b, &i.roles) {
        b.link(at + offset_of!(I, pRoles), roles);
    }
    if !i.classifiers.is_empty() {
        let array = b.reserve::<PWSTR>(i.classifiers.len());
        for (n, c) in i.classifiers.iter().enumerate() {
            b.link_wstr(array + n * size_of::<PWSTR>(), Some(c));
        }
        b.link(at + offset_of!(I, ppwzClassifiers), array);
    }
    if let Some(k) = &i.subject_public_key {
        let key = public_key_info(k)?.place(&mut b)?;
        b.link(at + offset_of!(I, pSubjectPublicKey), key);
    }
    Ok(b.finish()?.cast())
}

/// A caller's `PEER_CREDENTIAL_INFO` (`dwSize` must be its size) as the facade's. A NULL
/// `pPublicKey` is `E_INVALIDARG` (the GMC is issued for that key); a zero `FILETIME` is
/// "not given" (start now / end with the issuer's credentials); the issuer fields are
/// ignored, as documented, but must be valid UTF-16 like every string (`E_INVALIDARG`).
///
/// # Safety
/// `p` is non-NULL and valid; nested pointers are NULL or valid for what they describe.
unsafe fn read_credential_info(
    p: *const PEER_CREDENTIAL_INFO,
) -> Result<peernet::CredentialInfo, HResult> {
    // SAFETY: per the contract.
    unsafe {
        let c = &*p;
        if c.dwSize as usize != size_of::<PEER_CREDENTIAL_INFO>() {
            return Err(E_INVALIDARG);
        }
        let friendly = read_opt(c.pwzFriendlyName)?.unwrap_or_default();
        read_opt(c.pwzIssuerPeerName)?;
        read_opt(c.pwzIssuerFriendlyName)?;
        let roles: Vec<Role> = read_slice(c.pRoles, c.cRoles, MAX_LIST)?
            .iter()
            .map(role_of)
            .collect();
        if c.pPublicKey.is_null() {
            return Err(E_INVALIDARG);
        }
        let key = spki_der(&PublicKeyInfo::read(c.pPublicKey)?)?;
        let mut f = peernet::CredentialInfo::new(friendly, key, &roles);
        let time = |t: FILETIME| (t.as_u64() != 0).then(|| peernet::from_filetime(t.as_u64()));
        f.validity_start = time(c.ftValidityStart);
        f.validity_end = time(c.ftValidityEnd);
        Ok(f)
    }
}

/// `PeerGroupCreate(pProperties, phGroup)`.
///
/// `pProperties->dwSize` is the Vista or the XP size; `pwzGroupPeerName` must be NULL
/// (`PEER_E_INVALID_GROUP_PROPERTIES`); NULL `pwzCreatorPeerName` = default identity.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreate(
    pProperties: *mut PEER_GROUP_PROPERTIES,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phGroup))?;
            if pProperties.is_null() {
                return Err(E_INVALIDARG);
            }
            let props = read_properties(pProperties)?.props;
            let group = h(context()?.group_create(&props))?;
            put_group(phGroup, group, S_OK)
        }
    })
}

/// `PeerGroupOpen(pwzIdentity, pwzGroupPeerName, pwzCloud, phGroup)`; identity and
/// group required; NULL cloud = the group's own cloud.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupOpen(
    pwzIdentity: PCWSTR,
    pwzGroupPeerName: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phGroup))?;
            let identity = read_req(pwzIdentity)?;
            let group_name = read_req(pwzGroupPeerName)?;
            let cloud = read_opt_nonempty(pwzCloud)?;
            let group = h(context()?.group_open(&identity, &group_name, cloud.as_deref()))?;
            put_group(phGroup, group, S_OK)
        }
    })
}

/// `PeerGroupJoin(pwzIdentity, pwzInvitation, pwzCloud, phGroup)`; NULL identity =
/// default identity; invitation required; NULL cloud = the invitation's cloud.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupJoin(
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phGroup))?;
            let invitation = read_req(pwzInvitation)?;
            let cloud = read_opt_nonempty(pwzCloud)?;
            let identity = read_opt_nonempty(pwzIdentity)?;
            let group =
                h(context()?.group_join(identity.as_deref(), &invitation, cloud.as_deref()))?;
            put_group(phGroup, group, S_OK)
        }
    })
}

/// `PeerGroupPasswordJoin(pwzIdentity, pwzInvitation, pwzPassword, pwzCloud, phGroup)`;
/// as PeerGroupJoin plus a required password; may return `PEER_S_ALREADY_A_MEMBER`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupPasswordJoin(
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzPassword: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phGroup))?;
            let invitation = read_req(pwzInvitation)?;
            let password = Secret::from(read_req(pwzPassword)?);
            let cloud = read_opt_nonempty(pwzCloud)?;
            let identity = read_opt_nonempty(pwzIdentity)?;
            let (group, outcome) = h(context()?.group_password_join(
                identity.as_deref(),
                &invitation,
                &password,
                cloud.as_deref(),
            ))?;
            put_group(phGroup, group, outcome.hresult())
        }
    })
}

/// `PeerGroupConnect(hGroup)`: [`Group::connect`] through the store's network node
/// (started on demand; see `peernet::node`). Returns once the node took the group;
/// connections arrive as `PEER_GROUP_EVENT_NEIGHBOR_CONNECTION` events and in
/// PeerGroupGetStatus. Unknown or deleted groups are `PEER_E_INVALID_GROUP`.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupConnect(hGroup: HGROUP) -> HRESULT {
    guard(|| {
        require_started()?;
        with_group(hGroup, |g| h(g.connect()))?;
        OK
    })
}

/// `PeerGroupClose(hGroup)`: the handle is invalid afterwards, whatever the facade says.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupClose(hGroup: HGROUP) -> HRESULT {
    guard(|| {
        require_started()?;
        let g = GROUPS
            .remove(hGroup.cast_const())
            .ok_or(PEER_E_INVALID_GROUP)?;
        // A call running on another thread may still hold this Arc: close a copy.
        let group = g.lock().unwrap_or_else(|e| e.into_inner()).clone();
        h(group.close())?;
        OK
    })
}

/// `PeerGroupDelete(pwzIdentity, pwzGroupPeerName)`; NULL identity = default identity
/// (without one, nothing can be deleted: `PEER_E_NOT_FOUND`, and none is created).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupDelete(pwzIdentity: PCWSTR, pwzGroupPeerName: PCWSTR) -> HRESULT {
    guard(|| {
        require_started()?;
        // SAFETY: caller's contract.
        let (group_name, identity) =
            unsafe { (read_req(pwzGroupPeerName)?, read_opt_nonempty(pwzIdentity)?) };
        h(context()?.group_delete(identity.as_deref(), &group_name))?;
        OK
    })
}

/// `PeerGroupCreateInvitation(hGroup, pwzIdentityInfo, pftExpiration, cRoles, pRoles,
/// ppwzInvitation)`; NULL expiration = the issuer's remaining lifetime; `cRoles > 0`
/// with NULL `pRoles` (or more than 1024 roles) is `E_INVALIDARG`; no roles = the
/// facade's documented default.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreateInvitation(
    hGroup: HGROUP,
    pwzIdentityInfo: PCWSTR,
    pftExpiration: *mut FILETIME,
    cRoles: ULONG,
    pRoles: *const GUID,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppwzInvitation))?;
            let info = read_req(pwzIdentityInfo)?;
            let expiration = (!pftExpiration.is_null())
                .then(|| peernet::from_filetime(pftExpiration.read_unaligned().as_u64()));
            let roles: Vec<Role> = read_slice(pRoles, cRoles, MAX_LIST)?
                .iter()
                .map(role_of)
                .collect();
            let xml = with_group(
                hGroup,
                |g| h(g.create_invitation(&info, expiration, &roles)),
            )?;
            put_string(ppwzInvitation, &xml)
        }
    })
}

/// `PeerGroupCreatePasswordInvitation(hGroup, ppwzInvitation)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreatePasswordInvitation(
    hGroup: HGROUP,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppwzInvitation))?;
            let xml = with_group(hGroup, |g| h(g.create_password_invitation()))?;
            put_string(ppwzInvitation, &xml)
        }
    })
}

/// `PeerGroupParseInvitation(pwzInvitation, ppInvitationInfo)`: one block holding the
/// structure and everything it points to. Needs no store: validity is judged by the
/// system clock.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupParseInvitation(
    pwzInvitation: PCWSTR,
    ppInvitationInfo: *mut *mut PEER_INVITATION_INFO,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppInvitationInfo))?;
            let invitation = read_req(pwzInvitation)?;
            let info = h(peernet::parse_invitation(&invitation, SystemTime::now()))?;
            ppInvitationInfo.write(invitation_info_block(&info)?);
        }
        OK
    })
}

/// `PeerGroupIssueCredentials(hGroup, pwzSubjectIdentity, pCredentialInfo, dwFlags,
/// ppwzInvitation)`; subject required; NULL credential info = the subject's data in the
/// group database; `dwFlags` 0 or PEER_GROUP_STORE_CREDENTIALS (other bits:
/// `E_INVALIDARG`); `ppwzInvitation` optional.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupIssueCredentials(
    hGroup: HGROUP,
    pwzSubjectIdentity: PCWSTR,
    pCredentialInfo: *mut PEER_CREDENTIAL_INFO,
    dwFlags: DWORD,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            // Optional: cleared when given.
            if !ppwzInvitation.is_null() {
                ppwzInvitation.write(std::ptr::null_mut());
            }
            require_started()?;
            let flags = IssueFlags::from_bits(dwFlags).ok_or(E_INVALIDARG)?;
            let subject = read_req(pwzSubjectIdentity)?;
            let credential = if pCredentialInfo.is_null() {
                None
            } else {
                Some(read_credential_info(pCredentialInfo)?)
            };
            let xml = with_group(hGroup, |g| {
                h(g.issue_credentials(&subject, credential.as_ref(), flags))
            })?;
            if !ppwzInvitation.is_null() {
                put_string(ppwzInvitation, &xml)?;
            }
        }
        OK
    })
}

/// `PeerGroupExportConfig(hGroup, pwzPassword, ppwzXML)`; all required.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupExportConfig(
    hGroup: HGROUP,
    pwzPassword: PCWSTR,
    ppwzXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppwzXML))?;
            let password = Secret::from(read_req(pwzPassword)?);
            let xml = with_group(hGroup, |g| h(g.export_config(&password)))?;
            put_string(ppwzXML, &xml)
        }
    })
}

/// `PeerGroupImportConfig(pwzXML, pwzPassword, fOverwrite, ppwzIdentity, ppwzGroup)`;
/// all pointers required; `fOverwrite` non-zero = replace an existing configuration.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupImportConfig(
    pwzXML: PCWSTR,
    pwzPassword: PCWSTR,
    fOverwrite: BOOL,
    ppwzIdentity: *mut PWSTR,
    ppwzGroup: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppwzIdentity).and(init(ppwzGroup)))?;
            let xml = read_req(pwzXML)?;
            let password = Secret::from(read_req(pwzPassword)?);
            let r = h(context()?.group_import_config(&xml, &password, fOverwrite != 0))?;
            put_string(ppwzIdentity, &r.identity)?;
            if let Err(e) = put_string(ppwzGroup, &r.group_peer_name) {
                crate::memory::free(ppwzIdentity.read().cast());
                ppwzIdentity.write(std::ptr::null_mut());
                return Err(e);
            }
        }
        OK
    })
}

/// `PeerGroupGetProperties(hGroup, ppProperties)`: one block, Vista-sized structure.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetProperties(
    hGroup: HGROUP,
    ppProperties: *mut *mut PEER_GROUP_PROPERTIES,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppProperties))?;
            let props = with_group(hGroup, |g| h(g.get_properties()))?;
            ppProperties.write(properties_block(&props)?);
        }
        OK
    })
}

/// `PeerGroupSetProperties(hGroup, pProperties)`; `dwSize` as for PeerGroupCreate;
/// immutable fields left NULL or zero are unchanged.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupSetProperties(
    hGroup: HGROUP,
    pProperties: *mut PEER_GROUP_PROPERTIES,
) -> HRESULT {
    guard(|| {
        require_started()?;
        if pProperties.is_null() {
            return Err(E_INVALIDARG);
        }
        // The caller's structure is read before the handle is looked up, so a bad
        // structure is E_INVALIDARG whatever the handle.
        // SAFETY: caller's contract.
        let given = unsafe { read_properties(pProperties) }?;
        with_group(hGroup, |g| {
            let current = h(g.get_properties())?;
            h(g.set_properties(&given.or_current(&current)))
        })?;
        OK
    })
}

/// `PeerGroupGetStatus(hGroup, pdwStatus)`; `*pdwStatus` is 0 on failure.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetStatus(hGroup: HGROUP, pdwStatus: *mut DWORD) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init_value(pdwStatus))?;
            let status = with_group(hGroup, |g| h(g.get_status()))?;
            pdwStatus.write(status.flags);
        }
        OK
    })
}

/// Shared body of the two peer-time conversions. The input is read before the output
/// is touched, so both may be the same `FILETIME` (GroupChat converts in place); the
/// output is zeroed on failure, `PEER_E_NOT_INITIALIZED` included.
///
/// # Safety
/// `input` NULL or readable; `output` NULL or writable.
unsafe fn convert_time(
    hGroup: HGROUP,
    input: *const FILETIME,
    output: *mut FILETIME,
    convert: impl FnOnce(&Group, u64) -> Result<u64, HResult>,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            let t = (!input.is_null()).then(|| input.read_unaligned().as_u64());
            started_with(init_value(output))?;
            let t = t.ok_or(E_INVALIDARG)?;
            let converted = with_group(hGroup, |g| convert(g, t))?;
            output.write(FILETIME::from_u64(converted));
        }
        OK
    })
}

/// `PeerGroupUniversalTimeToPeerTime(hGroup, pftUniversalTime, pftPeerTime)`: the
/// group's peer time (`Group::universal_time_to_peer_time`: this node's and its
/// neighbours' clocks averaged); `PEER_E_GROUP_NOT_READY` while the group has no
/// connected neighbour. Input and output may be the same structure.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUniversalTimeToPeerTime(
    hGroup: HGROUP,
    pftUniversalTime: *mut FILETIME,
    pftPeerTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        convert_time(hGroup, pftUniversalTime, pftPeerTime, |g, t| {
            h(g.universal_time_to_peer_time(t))
        })
    }
}

/// `PeerGroupPeerTimeToUniversalTime(hGroup, pftPeerTime, pftUniversalTime)`: as
/// [`PeerGroupUniversalTimeToPeerTime`].
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupPeerTimeToUniversalTime(
    hGroup: HGROUP,
    pftPeerTime: *mut FILETIME,
    pftUniversalTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        convert_time(hGroup, pftPeerTime, pftUniversalTime, |g, t| {
            h(g.peer_time_to_universal_time(t))
        })
    }
}

#[cfg(test)]
mod tests;
