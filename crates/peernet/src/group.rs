//! Grouping: group properties, create/open/delete, the [`Group`] handle (`spec/api.md` §3).

use std::sync::Arc;
use std::time::SystemTime;

use peernet_crypto::cert::{GmcParams, GrcParams};
use peernet_crypto::chain::{self, ChainPolicy, IssuanceContext};
use peernet_crypto::{Certificate, PeerName, PrivateKey, Profile, Role};
use peernet_protocol::{Scope, utf16_len};
use peernet_storage::{CloudScope, GroupCloud, GroupSecrets, NewGroup, SecretUpdate};

use crate::context::{CachedChain, Peernet, password_hash_string};
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::identity::{NamePair, stored_profile};
use crate::secret::Secret;

/// `PEER_GROUP_GMC_AUTHENTICATION`.
pub const PEER_GROUP_GMC_AUTHENTICATION: u32 = 0x1;
/// `PEER_GROUP_PASSWORD_AUTHENTICATION`.
pub const PEER_GROUP_PASSWORD_AUTHENTICATION: u32 = 0x2;
/// `PEER_MEMBER_DATA_OPTIONAL`.
pub const PEER_MEMBER_DATA_OPTIONAL: u32 = 0x1;
/// `PEER_DISABLE_PRESENCE`.
pub const PEER_DISABLE_PRESENCE: u32 = 0x2;
/// `PEER_DEFER_EXPIRATION`.
pub const PEER_DEFER_EXPIRATION: u32 = 0x4;
/// `PEER_GROUP_STATUS_LISTENING`.
pub const PEER_GROUP_STATUS_LISTENING: u32 = 0x1;
/// `PEER_GROUP_STATUS_HAS_CONNECTIONS`.
pub const PEER_GROUP_STATUS_HAS_CONNECTIONS: u32 = 0x2;
/// `PNRP_CLOUD_NAME_LOCAL`: the cloud name is private to the machine that wrote it.
pub const PNRP_CLOUD_NAME_LOCAL: u32 = 0x1;

/// Default `ulMemberDataLifetime`: 28 days.
pub const DEFAULT_MEMBER_DATA_LIFETIME: u32 = 2_419_200;
/// Smallest `ulMemberDataLifetime`: 8 hours.
pub const MIN_MEMBER_DATA_LIFETIME: u32 = 8 * 3600;
/// Largest `ulMemberDataLifetime`: 10 years (365-day years).
pub const MAX_MEMBER_DATA_LIFETIME: u32 = 10 * 365 * 86_400;
/// Default and smallest `ulPresenceLifetime`: 300 s.
pub const MIN_PRESENCE_LIFETIME: u32 = 300;
/// Longest group classifier (UTF-16 units).
pub const MAX_GROUP_CLASSIFIER_LEN: usize = 149;
/// Longest group friendly name and comment (UTF-16 units).
pub const MAX_GROUP_TEXT_LEN: usize = 255;

/// `PEER_GROUP_PROPERTIES` (`spec/api.md` §4.1).
///
/// On create: set `classifier`, `friendly_name` and optionally the rest; leave
/// `group_peer_name` `None` (it is generated). `creator_peer_name` `None` → the default
/// identity; `cloud` `None` → `Global_`. `Debug` never shows the password.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupProperties {
    /// `dwFlags` (`PEER_MEMBER_DATA_OPTIONAL` | `PEER_DISABLE_PRESENCE` | `PEER_DEFER_EXPIRATION`).
    pub flags: u32,
    /// `pwzCloud` (immutable).
    pub cloud: Option<String>,
    /// `pwzClassifier`, at most 149 UTF-16 units (immutable).
    pub classifier: String,
    /// `pwzGroupPeerName` (output only).
    pub group_peer_name: Option<String>,
    /// `pwzCreatorPeerName` (immutable; empty when unknown locally, e.g. after a join).
    pub creator_peer_name: Option<String>,
    /// `pwzFriendlyName`, at most 255 units.
    pub friendly_name: String,
    /// `pwzComment`, at most 255 units.
    pub comment: String,
    /// `ulMemberDataLifetime`, seconds; 0 = the maximum.
    pub member_data_lifetime: u32,
    /// `ulPresenceLifetime`, seconds, at least 300.
    pub presence_lifetime: u32,
    /// `dwAuthenticationSchemes` (GMC 0x1 | PASSWORD 0x2; 0 = GMC). Fixed at creation.
    pub authentication_schemes: u32,
    /// `pwzGroupPassword` (input only; never returned).
    pub group_password: Option<Secret>,
    /// `groupPasswordRole`: Admin or Member (default Member). Fixed at creation.
    pub group_password_role: Role,
    /// peernet extension: the certificate profile of a new group (None → the creator's).
    pub profile: Option<Profile>,
}

impl Default for GroupProperties {
    fn default() -> Self {
        GroupProperties {
            flags: 0,
            cloud: None,
            classifier: String::new(),
            group_peer_name: None,
            creator_peer_name: None,
            friendly_name: String::new(),
            comment: String::new(),
            member_data_lifetime: DEFAULT_MEMBER_DATA_LIFETIME,
            presence_lifetime: MIN_PRESENCE_LIFETIME,
            authentication_schemes: PEER_GROUP_GMC_AUTHENTICATION,
            group_password: None,
            group_password_role: Role::MEMBER,
            profile: None,
        }
    }
}

impl GroupProperties {
    /// Properties with `classifier` and `friendly_name`, everything else default.
    pub fn new(classifier: impl Into<String>, friendly_name: impl Into<String>) -> Self {
        GroupProperties {
            classifier: classifier.into(),
            friendly_name: friendly_name.into(),
            ..Default::default()
        }
    }

    /// Enables password authentication with `password`, granting `role` to password joiners.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<Secret>, role: Role) -> Self {
        self.group_password = Some(password.into());
        self.group_password_role = role;
        self.authentication_schemes |= PEER_GROUP_PASSWORD_AUTHENTICATION;
        self
    }

    /// Sets the creator identity.
    #[must_use]
    pub fn with_creator(mut self, creator: impl Into<String>) -> Self {
        self.creator_peer_name = Some(creator.into());
        self
    }

    /// Sets the cloud.
    #[must_use]
    pub fn with_cloud(mut self, cloud: impl Into<String>) -> Self {
        self.cloud = Some(cloud.into());
        self
    }

    /// Sets the certificate profile.
    #[must_use]
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Whether password authentication is enabled.
    pub fn password_enabled(&self) -> bool {
        self.authentication_schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0
    }
}

fn props_err(message: impl std::fmt::Display) -> Error {
    Error::api(hr::PEER_E_INVALID_GROUP_PROPERTIES, message)
}

/// Checks the mutable fields (§4.1 limits).
fn check_mutable(p: &GroupProperties) -> Result<()> {
    if utf16_len(&p.friendly_name) > MAX_GROUP_TEXT_LEN || p.friendly_name.contains('\0') {
        return Err(Error::api(
            hr::PEER_E_INVALID_FRIENDLY_NAME,
            format!(
                "the group friendly name has {} UTF-16 units; at most {MAX_GROUP_TEXT_LEN}",
                utf16_len(&p.friendly_name)
            ),
        ));
    }
    if utf16_len(&p.comment) > MAX_GROUP_TEXT_LEN {
        return Err(props_err(format!(
            "the comment has {} UTF-16 units; at most {MAX_GROUP_TEXT_LEN}",
            utf16_len(&p.comment)
        )));
    }
    if p.flags & !(PEER_MEMBER_DATA_OPTIONAL | PEER_DISABLE_PRESENCE | PEER_DEFER_EXPIRATION) != 0 {
        return Err(props_err(format!("unknown property flags 0x{:X}", p.flags)));
    }
    if p.member_data_lifetime != 0
        && !(MIN_MEMBER_DATA_LIFETIME..=MAX_MEMBER_DATA_LIFETIME).contains(&p.member_data_lifetime)
    {
        return Err(props_err(format!(
            "member data lifetime {} s is outside {MIN_MEMBER_DATA_LIFETIME}..={MAX_MEMBER_DATA_LIFETIME} (0 = maximum)",
            p.member_data_lifetime
        )));
    }
    if p.presence_lifetime < MIN_PRESENCE_LIFETIME {
        return Err(props_err(format!(
            "presence lifetime {} s is below {MIN_PRESENCE_LIFETIME}",
            p.presence_lifetime
        )));
    }
    if let Some(pw) = &p.group_password
        && pw.expose().is_empty()
    {
        return Err(Error::api(
            hr::PEER_E_PASSWORD_DOES_NOT_MEET_POLICY,
            "the group password is empty",
        ));
    }
    Ok(())
}

pub(crate) fn scope_to_storage(s: Scope) -> CloudScope {
    match s {
        Scope::SiteLocal => CloudScope::SiteLocal,
        Scope::LinkLocal => CloudScope::LinkLocal,
        _ => CloudScope::Global,
    }
}

pub(crate) fn scope_from_storage(s: CloudScope) -> Scope {
    match s {
        CloudScope::SiteLocal => Scope::SiteLocal,
        CloudScope::LinkLocal => Scope::LinkLocal,
        _ => Scope::Global,
    }
}

/// The state of this identity's membership credentials in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MembershipStatus {
    /// The GMC chain is valid now.
    Valid,
    /// The chain is well-formed but a certificate has expired (renew the credentials).
    Expired,
    /// The chain is well-formed but not valid yet (clock skew?).
    NotYetValid,
    /// Password join recorded; the GMC is obtained at the first connect.
    CredentialsPending,
}

/// `PeerGroupGetStatus`: `PEER_GROUP_STATUS` flags plus the membership state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupStatus {
    /// `PEER_GROUP_STATUS` flags. No networking here: always 0 (never LISTENING or
    /// HAS_CONNECTIONS).
    pub flags: u32,
    /// The membership credentials' state.
    pub membership: MembershipStatus,
}

/// A local cloud the group resolved to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CloudInfo {
    /// The local cloud's name.
    pub name: String,
    /// Scope.
    pub scope: Scope,
    /// Scope id.
    pub scope_id: u32,
    /// `PNRP_CLOUD_FLAGS` (`PNRP_CLOUD_NAME_LOCAL` for a private cloud).
    pub flags: u32,
}

impl CloudInfo {
    fn from_store(c: &peernet_storage::Cloud) -> CloudInfo {
        CloudInfo {
            name: c.name.clone(),
            scope: scope_from_storage(c.scope),
            scope_id: c.scope_id,
            flags: if c.private { PNRP_CLOUD_NAME_LOCAL } else { 0 },
        }
    }
}

/// An open group (`HGROUP`): cheap to clone, `Send + Sync`. Any number of handles, threads
/// and processes may hold the same group. After [`Peernet::group_delete`] every handle's
/// operations fail with `PEER_E_INVALID_GROUP` (each operation re-checks the store).
#[derive(Clone, Debug)]
pub struct Group {
    pub(crate) inner: Arc<GroupInner>,
}

#[derive(Debug)]
pub(crate) struct GroupInner {
    pub(crate) ctx: Peernet,
    pub(crate) identity: String,
    pub(crate) group_peer_name: PeerName,
    pub(crate) profile: Profile,
    pub(crate) cloud: CloudInfo,
    pub(crate) chain: Arc<Vec<Certificate>>,
    pub(crate) membership: MembershipStatus,
}

/// Validates a chain; a chain that is only outside its validity period is accepted with
/// the matching status. When the certificates' periods overlap, the chain is validated
/// once, at the point of that overlap nearest to `policy.now` (the time checks are the only
/// ones that read the clock, so every other verdict is the same), and the status says where
/// `policy.now` lies; otherwise it is validated at `policy.now` and fails on time.
pub(crate) fn validate_with_time_status(
    certs: &[Certificate],
    policy: ChainPolicy<'_>,
) -> std::result::Result<MembershipStatus, peernet_crypto::Error> {
    let start = certs.iter().map(|c| c.validity().not_before).max();
    let end = certs.iter().map(|c| c.validity().not_after).min();
    match (start, end) {
        (Some(start), Some(end)) if start <= end => {
            let mut p = policy;
            p.now = policy.now.clamp(start, end);
            chain::validate_chain(certs, &p)?;
            Ok(status_at(certs, policy.now))
        }
        _ => chain::validate_chain(certs, &policy).map(|()| MembershipStatus::Valid),
    }
}

pub(crate) fn status_at(certs: &[Certificate], now: SystemTime) -> MembershipStatus {
    if certs.is_empty() {
        return MembershipStatus::CredentialsPending;
    }
    if certs.iter().any(|c| c.validity().not_after < now) {
        MembershipStatus::Expired
    } else if certs.iter().any(|c| c.validity().not_before > now) {
        MembershipStatus::NotYetValid
    } else {
        MembershipStatus::Valid
    }
}

impl Peernet {
    /// `PeerGroupCreate`: makes the group key pair and root certificate (GRC), the group
    /// peer name `<GRC authority>.<classifier>`, and the creator's Admin GMC (infinite
    /// lifetime); stores everything (group key sealed, password verifier for password
    /// groups) in one transaction; returns the open group.
    ///
    /// ```
    /// # fn main() -> Result<(), peernet::Error> {
    /// use peernet::{GroupProperties, Peernet, Profile};
    /// let dir = tempfile::tempdir().unwrap();
    /// let pn = Peernet::open(dir.path())?;
    /// let me = pn.identity_create(Some("me"), None, Some(Profile::Windows))?;
    /// let g = pn.group_create(&GroupProperties::new("chat", "Chat").with_creator(&me))?;
    /// assert!(g.peer_name().ends_with(".chat"));
    /// let again = pn.group_open(&me, g.peer_name(), None)?;
    /// assert_eq!(again.get_properties()?.friendly_name, "Chat");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP_PROPERTIES` (group peer name set, limits, unknown flags, a
    /// password without password authentication or the reverse, profile not the creator's),
    /// `PEER_E_INVALID_CLASSIFIER` / `PEER_E_CLASSIFIER_TOO_LONG`,
    /// `PEER_E_INVALID_FRIENDLY_NAME`, `PEER_E_PASSWORD_DOES_NOT_MEET_POLICY` (empty password),
    /// `PEER_E_INVALID_ROLE_PROPERTY` (password role neither Admin nor Member),
    /// `PEER_E_NOT_FOUND` (creator identity), `PEER_E_NO_CLOUD`,
    /// `PEER_E_CLOUD_NAME_AMBIGUOUS`, `PEER_E_NO_KEY_ACCESS`.
    pub fn group_create(&self, props: &GroupProperties) -> Result<Group> {
        if props.group_peer_name.is_some() {
            return Err(props_err(
                "the group peer name is generated; leave group_peer_name unset",
            ));
        }
        peernet_crypto::name::validate_classifier(&props.classifier).map_err(|e| {
            Error::crypto("invalid group classifier", e, hr::PEER_E_INVALID_CLASSIFIER)
        })?;
        check_mutable(props)?;
        let schemes = if props.authentication_schemes == 0 {
            PEER_GROUP_GMC_AUTHENTICATION
        } else {
            props.authentication_schemes
        };
        if schemes & !(PEER_GROUP_GMC_AUTHENTICATION | PEER_GROUP_PASSWORD_AUTHENTICATION) != 0 {
            return Err(props_err(format!(
                "unknown authentication schemes 0x{schemes:X}"
            )));
        }
        let password_enabled = schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0;
        match (&props.group_password, password_enabled) {
            (None, true) => {
                return Err(props_err(
                    "password authentication is enabled but no group password is given",
                ));
            }
            (Some(_), false) => {
                return Err(props_err(
                    "a group password is given but password authentication (0x2) is not enabled",
                ));
            }
            _ => {}
        }
        if password_enabled {
            chain::check_password_role(props.group_password_role).map_err(|e| {
                Error::crypto("invalid password role", e, hr::PEER_E_INVALID_ROLE_PROPERTY)
            })?;
        }
        let cloud = self
            .store
            .resolve_cloud(props.cloud.as_deref(), CloudScope::Global, false)
            .map_err(Error::storage)?;
        // The default identity is made (if needed) only once the arguments are sound.
        let creator = self.identity_or_default(props.creator_peer_name.as_deref())?;
        let row = self.load_identity(&creator)?;
        let idc = self.identity_cert(&row)?;
        let id_key = self.identity_private_key(&creator)?;
        let profile = props.profile.unwrap_or(id_key.profile());
        if profile != id_key.profile() {
            return Err(props_err(format!(
                "a {} group needs a {} creator identity; '{creator}' is {}",
                profile.as_str(),
                profile.as_str(),
                id_key.profile().as_str()
            )));
        }
        let now = self.now_secs();
        let group_key = PrivateKey::generate(profile)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "group key generation failed", e))?;
        let gpn = group_key.peer_name(&props.classifier).map_err(|e| {
            Error::crypto("invalid group classifier", e, hr::PEER_E_INVALID_CLASSIFIER)
        })?;
        let grc_name = if props.friendly_name.is_empty() {
            props.classifier.as_str()
        } else {
            props.friendly_name.as_str()
        };
        let grc = GrcParams::new(gpn.clone(), grc_name, now)
            .and_then(|p| p.issue(&group_key))
            .map_err(|e| Error::crypto("cannot issue the group root certificate", e, hr::E_FAIL))?;
        let params = GmcParams::for_identity(&idc, &[Role::ADMIN], &grc)
            .map_err(|e| Error::crypto("cannot prepare the creator's GMC", e, hr::E_FAIL))?;
        chain::check_issuance(
            std::slice::from_ref(&grc),
            &params,
            &IssuanceContext {
                profile,
                group: &gpn,
                cached_public_key: None,
            },
        )
        .map_err(|e| Error::crypto("cannot issue the creator's GMC", e, hr::E_FAIL))?;
        let gmc = params
            .issue(&grc, &group_key)
            .map_err(|e| Error::crypto("cannot issue the creator's GMC", e, hr::E_FAIL))?;
        let pkcs8 = group_key
            .to_pkcs8_der()
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the group key", e))?;
        let verifier = props
            .group_password
            .as_ref()
            .map(|p| password_hash_string(p.expose()));
        let ders = vec![grc.der().to_vec(), gmc.der().to_vec()];
        let new = NewGroup {
            identity: creator.clone(),
            group_peer_name: gpn.as_str().to_owned(),
            classifier: props.classifier.clone(),
            cloud: GroupCloud {
                name: cloud.name.clone(),
                scope: cloud.scope,
                scope_id: cloud.scope_id,
                flags: if cloud.private {
                    PNRP_CLOUD_NAME_LOCAL
                } else {
                    0
                },
            },
            profile: profile.as_str().to_owned(),
            gmc_chain: ders.clone(),
            properties: peernet_storage::GroupProperties {
                friendly_name: props.friendly_name.clone(),
                flags: props.flags,
                creator_peer_name: creator.clone(),
                comment: props.comment.clone(),
                member_data_lifetime: props.member_data_lifetime,
                presence_lifetime: props.presence_lifetime,
                authentication_schemes: schemes,
                password_role: password_enabled.then(|| props.group_password_role.to_bytes()),
            },
            status: 0,
        };
        self.store
            .insert_group(
                &new,
                GroupSecrets {
                    group_key: Some(&pkcs8),
                    password_verifier: verifier.as_ref().map(|v| v.as_bytes()),
                },
            )
            .map_err(Error::storage)?;
        let certs = Arc::new(vec![grc, gmc]);
        self.remember(&creator, gpn.as_str(), ders, certs.clone());
        Ok(Group {
            inner: Arc::new(GroupInner {
                ctx: self.clone(),
                identity: creator,
                group_peer_name: gpn,
                profile,
                cloud: CloudInfo::from_store(&cloud),
                chain: certs,
                membership: MembershipStatus::Valid,
            }),
        })
    }

    pub(crate) fn remember(
        &self,
        identity: &str,
        group: &str,
        ders: Vec<Vec<u8>>,
        certs: Arc<Vec<Certificate>>,
    ) {
        if let Ok(mut c) = self.cache.lock() {
            c.insert(
                (identity.to_owned(), group.to_owned()),
                CachedChain { ders, certs },
            );
        }
    }

    /// Loads a group row: `PEER_E_NOT_FOUND` naming the identity or the group.
    pub(crate) fn load_group(&self, identity: &str, group: &str) -> Result<peernet_storage::Group> {
        crate::identity::require(identity, "an identity peer name")?;
        crate::identity::require(group, "a group peer name")?;
        self.store.group(identity, group).map_err(|e| match e {
            peernet_storage::Error::NotFound { .. } => match self.store.identity(identity) {
                Err(peernet_storage::Error::NotFound { .. }) => Error::storage_as(
                    hr::PEER_E_NOT_FOUND,
                    format!(
                        "no identity named '{identity}' in store '{}'",
                        self.store.dir().display()
                    ),
                    e,
                ),
                _ => Error::storage_as(
                    hr::PEER_E_NOT_FOUND,
                    format!(
                        "identity '{identity}' has no group '{group}' in store '{}'; create, join or import it first",
                        self.store.dir().display()
                    ),
                    e,
                ),
            },
            e => Error::storage(e),
        })
    }

    /// Resolves the cloud of a group row (or the caller's override).
    pub(crate) fn resolve_group_cloud(
        &self,
        recorded: &GroupCloud,
        cloud: Option<&str>,
    ) -> Result<peernet_storage::Cloud> {
        match cloud {
            Some(c) if !c.is_empty() => self.store.resolve_cloud(Some(c), recorded.scope, false),
            _ => self.store.resolve_cloud(
                Some(&recorded.name),
                recorded.scope,
                recorded.flags & PNRP_CLOUD_NAME_LOCAL != 0,
            ),
        }
        .map_err(Error::storage)
    }

    /// `PeerGroupOpen`: opens a group this identity created, joined or imported. `cloud`
    /// `None` → the cloud recorded for the group (resolved by the PPSEC 3.1.4.2 rule).
    /// Validates the stored GMC chain once per context (cached); an expired membership
    /// opens, with [`MembershipStatus::Expired`].
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND` (identity or group, the message says which), `PEER_E_NO_CLOUD`,
    /// `PEER_E_CLOUD_NAME_AMBIGUOUS`, `PEER_E_NO_KEY_ACCESS`,
    /// `PEER_E_CERT_STORE_CORRUPTED` (the stored chain does not validate).
    pub fn group_open(&self, identity: &str, group: &str, cloud: Option<&str>) -> Result<Group> {
        let row = self.load_group(identity, group)?;
        self.open_row(row, cloud)
    }

    pub(crate) fn open_row(
        &self,
        row: peernet_storage::Group,
        cloud: Option<&str>,
    ) -> Result<Group> {
        let cloud = self.resolve_group_cloud(&row.cloud, cloud)?;
        let profile = stored_profile(&row.profile)?;
        let gpn = PeerName::parse(&row.group_peer_name).map_err(|e| {
            Error::crypto_as(hr::PEER_E_CERT_STORE_CORRUPTED, "stored group peer name", e)
        })?;
        let (certs, membership) = self.checked_chain(&row, &gpn, profile)?;
        Ok(Group {
            inner: Arc::new(GroupInner {
                ctx: self.clone(),
                identity: row.identity,
                group_peer_name: gpn,
                profile,
                cloud: CloudInfo::from_store(&cloud),
                chain: certs,
                membership,
            }),
        })
    }

    /// The validated chain of a row, from the cache when the stored chain is unchanged.
    pub(crate) fn checked_chain(
        &self,
        row: &peernet_storage::Group,
        gpn: &PeerName,
        profile: Profile,
    ) -> Result<(Arc<Vec<Certificate>>, MembershipStatus)> {
        let now = self.now();
        if row.gmc_chain.is_empty() {
            return Ok((Arc::new(Vec::new()), MembershipStatus::CredentialsPending));
        }
        let key = (row.identity.clone(), row.group_peer_name.clone());
        if let Ok(c) = self.cache.lock()
            && let Some(hit) = c.get(&key)
            && hit.ders == row.gmc_chain
        {
            return Ok((hit.certs.clone(), status_at(&hit.certs, now)));
        }
        let corrupt = |e| {
            Error::crypto_as(
                hr::PEER_E_CERT_STORE_CORRUPTED,
                format!(
                    "the stored membership chain of group '{}' for '{}' is invalid; import the configuration again",
                    row.group_peer_name, row.identity
                ),
                e,
            )
        };
        let certs = row
            .gmc_chain
            .iter()
            .map(|d| Certificate::from_der(d))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let idc = self.identity_cert(&self.load_identity(&row.identity)?)?;
        let policy = ChainPolicy::new(profile, now)
            .group(gpn)
            .leaf_public_key(idc.public_key_der());
        let status = validate_with_time_status(&certs, policy).map_err(corrupt)?;
        let certs = Arc::new(certs);
        self.remember(&key.0, &key.1, row.gmc_chain.clone(), certs.clone());
        Ok((certs, status))
    }

    /// `PeerGroupDelete`: removes the group's local data for `identity` (None → default).
    /// Every open handle becomes invalid (`PEER_E_INVALID_GROUP`).
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND`, `PEER_E_NO_KEY_ACCESS`.
    pub fn group_delete(&self, identity: Option<&str>, group: &str) -> Result<()> {
        // No default identity yet: nothing can be deleted, and none is made for it.
        let identity = match identity {
            Some(i) if !i.is_empty() => i.to_owned(),
            _ => self
                .store
                .default_identity()
                .map_err(Error::storage)?
                .ok_or_else(|| {
                    Error::api(
                        hr::PEER_E_NOT_FOUND,
                        format!("there is no default identity, so no group '{group}' to delete"),
                    )
                })?,
        };
        self.load_group(&identity, group)?;
        self.store
            .delete_group(&identity, group)
            .map_err(Error::storage)?;
        self.forget_chain(&identity, group);
        Ok(())
    }

    /// Every group of every identity as (identity, (group peer name, friendly name)),
    /// sorted (peernet extension, for `group list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn enum_all_groups(&self) -> Result<Vec<(String, NamePair)>> {
        Ok(self
            .store
            .all_groups()
            .map_err(Error::storage)?
            .into_iter()
            .map(|g| {
                (
                    g.identity,
                    NamePair {
                        peer_name: g.group_peer_name,
                        friendly_name: g.properties.friendly_name,
                    },
                )
            })
            .collect())
    }

    /// `PeerEnumGroups`: the groups of `identity` as (group peer name, friendly name).
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND` (no such identity).
    pub fn enum_groups(&self, identity: &str) -> Result<Vec<NamePair>> {
        self.load_identity(identity)?;
        Ok(self
            .store
            .groups(identity)
            .map_err(Error::storage)?
            .into_iter()
            .map(|g| NamePair {
                peer_name: g.group_peer_name,
                friendly_name: g.properties.friendly_name,
            })
            .collect())
    }
}

impl Group {
    /// The context this handle was opened in.
    pub fn peernet(&self) -> &Peernet {
        &self.inner.ctx
    }

    /// Checks that the group still exists (another handle or process may have deleted it).
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`.
    pub fn check(&self) -> Result<()> {
        self.row().map(|_| ())
    }

    /// The group's peer name.
    pub fn peer_name(&self) -> &str {
        self.inner.group_peer_name.as_str()
    }

    /// The identity this handle acts as.
    pub fn identity(&self) -> &str {
        &self.inner.identity
    }

    /// The group's certificate profile.
    pub fn profile(&self) -> Profile {
        self.inner.profile
    }

    /// The local cloud the group resolved to when opened.
    pub fn cloud(&self) -> &CloudInfo {
        &self.inner.cloud
    }

    /// The membership state when the handle was opened.
    pub fn membership(&self) -> MembershipStatus {
        self.inner.membership
    }

    /// This identity's roles in the group (from the leaf GMC; empty while credentials are
    /// pending).
    pub fn roles(&self) -> Vec<Role> {
        self.inner
            .chain
            .last()
            .filter(|_| self.inner.chain.len() > 1)
            .and_then(Certificate::roles)
            .unwrap_or_default()
    }

    /// The GMC chain (DER, root first; empty while credentials are pending).
    pub fn chain_der(&self) -> Vec<Vec<u8>> {
        self.inner.chain.iter().map(|c| c.der().to_vec()).collect()
    }

    pub(crate) fn ctx(&self) -> &Peernet {
        &self.inner.ctx
    }

    /// The current row; `PEER_E_INVALID_GROUP` when the group was deleted.
    pub(crate) fn row(&self) -> Result<peernet_storage::Group> {
        let ctx = self.ctx();
        ctx.store
            .group(&self.inner.identity, self.peer_name())
            .map_err(|e| match e {
                peernet_storage::Error::NotFound { .. } => Error::storage_as(
                    hr::PEER_E_INVALID_GROUP,
                    format!(
                        "group '{}' of '{}' was deleted; this handle is no longer valid",
                        self.peer_name(),
                        self.inner.identity
                    ),
                    e,
                ),
                e => Error::storage(e),
            })
    }

    /// The current row and its validated chain.
    pub(crate) fn current(
        &self,
    ) -> Result<(
        peernet_storage::Group,
        Arc<Vec<Certificate>>,
        MembershipStatus,
    )> {
        let row = self.row()?;
        let (certs, status) =
            self.ctx()
                .checked_chain(&row, &self.inner.group_peer_name, self.inner.profile)?;
        Ok((row, certs, status))
    }

    /// `PeerGroupClose`: releases this handle (other handles stay valid).
    ///
    /// # Errors
    /// None today; the signature leaves room for network teardown.
    pub fn close(self) -> Result<()> {
        Ok(())
    }

    /// `PeerGroupGetStatus`.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`.
    pub fn get_status(&self) -> Result<GroupStatus> {
        let (_, _, membership) = self.current()?;
        Ok(GroupStatus {
            flags: 0,
            membership,
        })
    }

    /// `PeerGroupGetProperties`: the locally known properties (always available; no
    /// synchronization needed). The password is never returned.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`.
    pub fn get_properties(&self) -> Result<GroupProperties> {
        let row = self.row()?;
        let p = &row.properties;
        Ok(GroupProperties {
            flags: p.flags,
            cloud: Some(row.cloud.name.clone()),
            classifier: row.classifier.clone(),
            group_peer_name: Some(row.group_peer_name.clone()),
            creator_peer_name: Some(p.creator_peer_name.clone()),
            friendly_name: p.friendly_name.clone(),
            comment: p.comment.clone(),
            member_data_lifetime: p.member_data_lifetime,
            presence_lifetime: p.presence_lifetime,
            authentication_schemes: p.authentication_schemes,
            group_password: None,
            group_password_role: p
                .password_role
                .map(Role::from_bytes)
                .unwrap_or(Role::MEMBER),
            profile: Some(self.inner.profile),
        })
    }

    /// `PeerGroupSetProperties`: creator only. Mutable: friendly name, comment, flags,
    /// lifetimes, and the password of a password group (None keeps it). Immutable fields
    /// (cloud, classifier, group and creator peer names, authentication schemes, password
    /// role, profile) must be `None` or unchanged.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_NOT_AUTHORIZED` (not the creator),
    /// `PEER_E_INVALID_GROUP_PROPERTIES`, `PEER_E_INVALID_FRIENDLY_NAME`,
    /// `PEER_E_PASSWORD_DOES_NOT_MEET_POLICY`.
    pub fn set_properties(&self, props: &GroupProperties) -> Result<()> {
        let row = self.row()?;
        let cur = &row.properties;
        if cur.creator_peer_name != self.inner.identity {
            return Err(Error::api(
                hr::PEER_E_NOT_AUTHORIZED,
                format!(
                    "only the group's creator may change its properties; '{}' is not the creator",
                    self.inner.identity
                ),
            ));
        }
        let changed = |what: &str| props_err(format!("{what} cannot be changed after creation"));
        if props.cloud.as_deref().is_some_and(|c| c != row.cloud.name) {
            return Err(changed("the cloud"));
        }
        if props.classifier != row.classifier {
            return Err(changed("the classifier"));
        }
        if props
            .group_peer_name
            .as_deref()
            .is_some_and(|g| g != row.group_peer_name)
        {
            return Err(changed("the group peer name"));
        }
        if props
            .creator_peer_name
            .as_deref()
            .is_some_and(|c| c != cur.creator_peer_name)
        {
            return Err(changed("the creator peer name"));
        }
        let schemes = if props.authentication_schemes == 0 {
            PEER_GROUP_GMC_AUTHENTICATION
        } else {
            props.authentication_schemes
        };
        if schemes != cur.authentication_schemes {
            return Err(changed("the authentication schemes"));
        }
        let password_enabled = schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0;
        if password_enabled && Some(props.group_password_role.to_bytes()) != cur.password_role {
            return Err(changed("the password role"));
        }
        if props.profile.is_some_and(|p| p != self.inner.profile) {
            return Err(changed("the profile"));
        }
        check_mutable(props)?;
        if props.group_password.is_some() && !password_enabled {
            return Err(props_err(
                "the group does not use password authentication; no password can be set",
            ));
        }
        let verifier = props
            .group_password
            .as_ref()
            .map(|p| password_hash_string(p.expose()));
        let new = peernet_storage::GroupProperties {
            friendly_name: props.friendly_name.clone(),
            flags: props.flags,
            creator_peer_name: cur.creator_peer_name.clone(),
            comment: props.comment.clone(),
            member_data_lifetime: props.member_data_lifetime,
            presence_lifetime: props.presence_lifetime,
            authentication_schemes: cur.authentication_schemes,
            password_role: cur.password_role,
        };
        let update = match &verifier {
            Some(v) => SecretUpdate::Set(v.as_bytes()),
            None => SecretUpdate::Keep,
        };
        self.ctx()
            .store
            .update_group_properties(&self.inner.identity, self.peer_name(), &new, update)
            .map_err(|e| match e {
                peernet_storage::Error::NotFound { .. } => Error::storage_as(
                    hr::PEER_E_INVALID_GROUP,
                    "the group was deleted; this handle is no longer valid",
                    e,
                ),
                e => Error::storage(e),
            })
    }

    /// `PeerGroupConnect`: not part of this release (no networking). Returns `E_NOTIMPL`
    /// for a valid handle.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, else always `E_NOTIMPL`.
    pub fn connect(&self) -> Result<()> {
        self.row()?;
        Err(Error::api(
            hr::E_NOTIMPL,
            "connecting to a group (PNRP discovery, TLS, synchronization) is not implemented in this release",
        ))
    }

    /// `PeerGroupConnectByAddress`: as [`Group::connect`].
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, else always `E_NOTIMPL`.
    pub fn connect_by_address(&self, addresses: &[std::net::SocketAddrV6]) -> Result<()> {
        let _ = addresses;
        self.connect()
    }
}
