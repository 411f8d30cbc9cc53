//! `PEER_GROUP_PROPERTIES`: the flag and limit constants, [`GroupProperties`], their
//! checks, and `PeerGroupGetProperties` / `PeerGroupSetProperties`.

use peernet_crypto::{Profile, Role, chain};
use peernet_protocol::utf16_len;
use peernet_storage::SecretUpdate;

use super::Group;
use crate::error::{Error, Result};
use crate::hresult as hr;
use crate::secret::{Secret, password_hash_string};

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

/// `PEER_GROUP_PROPERTIES`.
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

pub(super) fn props_err(message: impl std::fmt::Display) -> Error {
    Error::api(hr::PEER_E_INVALID_GROUP_PROPERTIES, message)
}

/// Checks the mutable fields against the `PEER_GROUP_PROPERTIES` limits.
pub(super) fn check_mutable(p: &GroupProperties) -> Result<()> {
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

/// The authentication schemes a caller's properties ask for (0 → GMC only).
fn effective_schemes(props: &GroupProperties) -> u32 {
    if props.authentication_schemes == 0 {
        PEER_GROUP_GMC_AUTHENTICATION
    } else {
        props.authentication_schemes
    }
}

/// The checks of `PeerGroupCreate` on the caller's properties, before anything is made:
/// no group peer name, a valid classifier, the mutable fields' limits, known
/// authentication schemes, a password exactly when password authentication is on, and
/// a password role of Admin or Member. Returns the effective authentication schemes.
pub(super) fn check_create(props: &GroupProperties) -> Result<u32> {
    if props.group_peer_name.is_some() {
        return Err(props_err(
            "the group peer name is generated; leave group_peer_name unset",
        ));
    }
    peernet_crypto::name::validate_classifier(&props.classifier)
        .map_err(|e| Error::crypto(hr::PEER_E_INVALID_CLASSIFIER, "invalid group classifier", e))?;
    check_mutable(props)?;
    let schemes = effective_schemes(props);
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
            Error::crypto(hr::PEER_E_INVALID_ROLE_PROPERTY, "invalid password role", e)
        })?;
    }
    Ok(schemes)
}

impl Group {
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
        let schemes = effective_schemes(props);
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
        let verifier = props.group_password.as_ref().map(password_hash_string);
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
}
