//! Grouping: `PeerGroupCreate`, `PeerGroupOpen`, `PeerGroupDelete`, the enumerations
//! and the [`Group`] handle. Properties are in `properties.rs`.

use std::sync::Arc;
use std::time::SystemTime;

use peernet_crypto::cert::{GmcParams, GrcParams};
use peernet_crypto::chain::{self, ChainPolicy, IssuanceContext};
use peernet_crypto::{Certificate, PeerName, PrivateKey, Profile, Role};
use peernet_protocol::Scope;
use peernet_storage::{CloudScope, GroupCloud, GroupSecrets, NewGroup};

use crate::context::{CachedChain, Peernet};
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::identity::{NamePair, stored_profile};
use crate::secret::password_hash_string;

mod connect;
mod direct;
pub use connect::from_peer_address;
mod properties;

pub use properties::{
    DEFAULT_MEMBER_DATA_LIFETIME, GroupProperties, MAX_GROUP_CLASSIFIER_LEN, MAX_GROUP_TEXT_LEN,
    MAX_MEMBER_DATA_LIFETIME, MIN_MEMBER_DATA_LIFETIME, MIN_PRESENCE_LIFETIME,
    PEER_DEFER_EXPIRATION, PEER_DISABLE_PRESENCE, PEER_GROUP_GMC_AUTHENTICATION,
    PEER_GROUP_PASSWORD_AUTHENTICATION, PEER_GROUP_STATUS_HAS_CONNECTIONS,
    PEER_GROUP_STATUS_LISTENING, PEER_MEMBER_DATA_OPTIONAL, PNRP_CLOUD_NAME_LOCAL,
};
use properties::{check_create, props_err};

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
    /// `PEER_GROUP_STATUS` flags from the store's node: `LISTENING` and
    /// `HAS_CONNECTIONS`; 0 when no node runs or the group is not connected.
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
    /// This handle's session with the store's node, once connected.
    pub(crate) session: std::sync::Mutex<Option<crate::node::Session>>,
    /// This handle's registrations listening for direct connections and data: a
    /// connect makes them listen on the node before the node takes the group.
    pub(crate) listeners: std::sync::Mutex<Vec<std::sync::Weak<crate::events::Attach>>>,
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
        _ => {
            chain::validate_chain(certs, &policy)?;
            Ok(MembershipStatus::Valid)
        }
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

/// What `PeerGroupCreate` makes before storing anything: the group key, the group peer
/// name `<GRC authority>.<classifier>`, the group root certificate and the creator's Admin
/// GMC.
struct GroupRoot {
    key: PrivateKey,
    name: PeerName,
    grc: Certificate,
    gmc: Certificate,
}

impl GroupRoot {
    fn issue(
        props: &GroupProperties,
        idc: &Certificate,
        profile: Profile,
        now: SystemTime,
    ) -> Result<GroupRoot> {
        let group_key = PrivateKey::generate(profile)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "group key generation failed", e))?;
        let gpn = group_key.peer_name(&props.classifier).map_err(|e| {
            Error::crypto(hr::PEER_E_INVALID_CLASSIFIER, "invalid group classifier", e)
        })?;
        let grc_name = if props.friendly_name.is_empty() {
            props.classifier.as_str()
        } else {
            props.friendly_name.as_str()
        };
        let grc = GrcParams::new(gpn.clone(), grc_name, now)
            .and_then(|p| p.issue(&group_key))
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot issue the group root certificate", e))?;
        let params = GmcParams::for_identity(idc, &[Role::ADMIN], &grc)
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot prepare the creator's GMC", e))?;
        chain::check_issuance(
            std::slice::from_ref(&grc),
            &params,
            &IssuanceContext {
                profile,
                group: &gpn,
                cached_public_key: None,
            },
        )
        .map_err(|e| Error::crypto(hr::E_FAIL, "cannot issue the creator's GMC", e))?;
        let gmc = params
            .issue(&grc, &group_key)
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot issue the creator's GMC", e))?;
        Ok(GroupRoot {
            key: group_key,
            name: gpn,
            grc,
            gmc,
        })
    }
}

/// The store row of a group just created by `creator`.
fn created_row(
    props: &GroupProperties,
    creator: &str,
    name: &PeerName,
    cloud: &peernet_storage::Cloud,
    profile: Profile,
    schemes: u32,
    ders: &[Vec<u8>],
) -> NewGroup {
    let password_enabled = schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0;
    NewGroup {
        identity: creator.to_owned(),
        group_peer_name: name.as_str().to_owned(),
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
        gmc_chain: ders.to_vec(),
        properties: peernet_storage::GroupProperties {
            friendly_name: props.friendly_name.clone(),
            flags: props.flags,
            creator_peer_name: creator.to_owned(),
            comment: props.comment.clone(),
            member_data_lifetime: props.member_data_lifetime,
            presence_lifetime: props.presence_lifetime,
            authentication_schemes: schemes,
            password_role: password_enabled.then(|| props.group_password_role.to_bytes()),
        },
        status: 0,
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
        let schemes = check_create(props)?;
        let cloud = self
            .store
            .resolve_cloud(props.cloud.as_deref(), CloudScope::Global, false)
            .map_err(Error::storage)?;
        // The default identity is made (if needed) only once the arguments are sound.
        let (creator, idc, profile) = self.group_creator(props)?;
        let root = GroupRoot::issue(props, &idc, profile, self.now_secs())?;
        let pkcs8 = root
            .key
            .to_pkcs8_der()
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the group key", e))?;
        let verifier = props.group_password.as_ref().map(password_hash_string);
        let ders = vec![root.grc.der().to_vec(), root.gmc.der().to_vec()];
        let new = created_row(props, &creator, &root.name, &cloud, profile, schemes, &ders);
        self.store
            .insert_group(
                &new,
                GroupSecrets {
                    group_key: Some(&pkcs8),
                    password_verifier: verifier.as_ref().map(|v| v.as_bytes()),
                },
            )
            .map_err(Error::storage)?;
        let certs = Arc::new(vec![root.grc, root.gmc]);
        self.remember(&creator, root.name.as_str(), ders, certs.clone());
        Ok(Group {
            inner: Arc::new(GroupInner {
                ctx: self.clone(),
                identity: creator,
                group_peer_name: root.name,
                profile,
                cloud: CloudInfo::from_store(&cloud),
                chain: certs,
                membership: MembershipStatus::Valid,
                session: std::sync::Mutex::new(None),
                listeners: std::sync::Mutex::new(Vec::new()),
            }),
        })
    }

    /// The creator of a new group (the default identity when the properties name none),
    /// its IDC, and the group's profile, which must be the creator key's.
    fn group_creator(&self, props: &GroupProperties) -> Result<(String, Certificate, Profile)> {
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
        Ok((creator, idc, profile))
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
                session: std::sync::Mutex::new(None),
                listeners: std::sync::Mutex::new(Vec::new()),
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

    /// A store error of a call on this handle; a missing group means the group was
    /// deleted under the handle (`PEER_E_INVALID_GROUP`).
    pub(crate) fn group_err(&self, e: peernet_storage::Error) -> Error {
        match e {
            peernet_storage::Error::NotFound { .. } => Error::storage_as(
                hr::PEER_E_INVALID_GROUP,
                format!(
                    "group '{}' of '{}' was deleted; this handle is no longer valid",
                    self.peer_name(),
                    self.identity()
                ),
                e,
            ),
            e => Error::storage(e),
        }
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
}
