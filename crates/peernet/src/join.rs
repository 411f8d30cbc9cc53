//! Joining a group: `PeerGroupJoin` and `PeerGroupPasswordJoin`, and the credentials a
//! newer invitation brings to an existing membership.

use std::sync::Arc;

use peernet_crypto::{Certificate, PeerName, Profile};
use peernet_protocol::{Invitation, InvitationVersion, PasswordInvitation, Scope};
use peernet_storage::{GroupCloud, GroupSecrets, NewGroup};

use crate::context::{Peernet, ct_eq};
use crate::error::{Error, Result};
use crate::group::{
    DEFAULT_MEMBER_DATA_LIFETIME, Group, MIN_PRESENCE_LIFETIME, MembershipStatus,
    PEER_GROUP_GMC_AUTHENTICATION, PEER_GROUP_PASSWORD_AUTHENTICATION, PNRP_CLOUD_NAME_LOCAL,
    scope_to_storage,
};
use crate::hresult::{self as hr, HResult};
use crate::invitation::{parse_invitation_chain, parse_invitation_doc, password_group_name};
use crate::secret::{Secret, password_hash_string};

/// What [`Peernet::group_password_join`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinOutcome {
    /// A new membership was recorded (`S_OK`).
    Joined,
    /// The identity was already a member (`PEER_S_ALREADY_A_MEMBER`, a success code).
    AlreadyMember,
}

impl JoinOutcome {
    /// The success HRESULT Windows returns for this outcome.
    pub fn hresult(self) -> HResult {
        match self {
            JoinOutcome::Joined => hr::S_OK,
            JoinOutcome::AlreadyMember => hr::PEER_S_ALREADY_A_MEMBER,
        }
    }
}

impl Peernet {
    fn joiner(&self, identity: Option<&str>) -> Result<(String, Certificate)> {
        let identity = self.identity_or_default(identity)?;
        if let Err(e) = PeerName::parse(&identity) {
            return Err(Error::crypto_as(
                hr::PEER_E_INVALID_PEER_NAME,
                format!("'{identity}' is not a peer name"),
                e,
            ));
        }
        let row = self.load_identity(&identity)?;
        let idc = self.identity_cert(&row)?;
        Ok((identity, idc))
    }

    fn join_cloud(
        &self,
        cloud: Option<&str>,
        name: &str,
        scope: Scope,
        flags: u8,
    ) -> Result<peernet_storage::Cloud> {
        match cloud {
            Some(c) if !c.is_empty() => {
                self.store
                    .resolve_cloud(Some(c), scope_to_storage(scope), false)
            }
            _ => self.store.resolve_cloud(
                Some(name),
                scope_to_storage(scope),
                u32::from(flags) & PNRP_CLOUD_NAME_LOCAL != 0,
            ),
        }
        .map_err(Error::storage)
    }

    fn ensure_not_member(
        &self,
        identity: &str,
        group: &str,
    ) -> Result<Option<peernet_storage::Group>> {
        match self.store.group(identity, group) {
            Ok(g) => Ok(Some(g)),
            Err(peernet_storage::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::storage(e)),
        }
    }

    /// `PeerGroupJoin`: stores the membership an invitation grants to `identity` (None →
    /// the default identity) and returns the open group. The chain is validated with the
    /// group's profile; its leaf key must be the identity's. `cloud` None → the
    /// invitation's cloud.
    ///
    /// # Errors
    /// `PEER_E_INVITATION_NOT_TRUSTED` (malformed, altered, foreign chain),
    /// `PEER_E_UNSUPPORTED_VERSION`, `PEER_E_INVALID_TIME_PERIOD` (expired or not yet
    /// valid), `PEER_E_INVALID_CREDENTIAL` (issued to another identity),
    /// `E_INVALIDARG` (a password invitation), `PEER_E_INVALID_PEER_NAME`,
    /// `PEER_E_NOT_FOUND` (identity), `PEER_E_ALREADY_EXISTS` (already a member with these or
    /// newer credentials; use open), `PEER_E_NO_CLOUD`, `PEER_E_CLOUD_NAME_AMBIGUOUS`,
    /// `PEER_E_NO_KEY_ACCESS`.
    ///
    /// Joining a group the identity already has with *newer* credentials (a renewal or a
    /// role change from [`Group::issue_credentials`], or the GMC of a pending password join)
    /// replaces the stored chain.
    pub fn group_join(
        &self,
        identity: Option<&str>,
        invitation: &str,
        cloud: Option<&str>,
    ) -> Result<Group> {
        let g = match parse_invitation_doc(invitation)? {
            Invitation::Gmc(g) => g,
            Invitation::Password(_) => {
                return Err(Error::invalid_arg(
                    "this is a password invitation; join it with group_password_join",
                ));
            }
        };
        let now = self.now();
        let parsed = parse_invitation_chain(&g.gmc, now)?;
        // The identity is resolved (and a default one made) only for a sound invitation.
        let (identity, idc) = self.joiner(identity)?;
        let leaf = parsed.certs.last().unwrap_or(&parsed.certs[0]);
        if leaf.public_key_der() != idc.public_key_der() {
            return Err(Error::api(
                hr::PEER_E_INVALID_CREDENTIAL,
                format!(
                    "this invitation was issued to '{}', not to identity '{identity}'; join with that identity or ask for a new invitation",
                    leaf.subject_peer_name()
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default()
                ),
            ));
        }
        // `parse_invitation_chain` validated the chain for this group (its time verdict is
        // `parsed.status`) and the leaf key is exactly the identity's (above, stricter than
        // the chain rule's authority match): only the time is left to decide.
        if parsed.status != MembershipStatus::Valid {
            return Err(Error::api(
                hr::PEER_E_INVALID_TIME_PERIOD,
                "the invitation is expired or not yet valid (check both clocks)",
            ));
        }
        let gpn = parsed.group.as_str().to_owned();
        let ders: Vec<Vec<u8>> = parsed.certs.iter().map(|c| c.der().to_vec()).collect();
        // Validated for this identity's key, this group and profile: what `group_open` checks,
        // so the open below takes the chain from the cache instead of validating it again.
        let certs = Arc::new(parsed.certs);
        if let Some(existing) = self.ensure_not_member(&identity, &gpn)? {
            return self.replace_credentials(existing, ders, certs, cloud);
        }
        let resolved = self.join_cloud(cloud, &g.cloud_name, g.scope, g.cloud_flags)?;
        let password = g.version == InvitationVersion::V1_1;
        let new = NewGroup {
            identity: identity.clone(),
            group_peer_name: gpn.clone(),
            classifier: parsed.group.classifier().to_owned(),
            cloud: local_cloud(&resolved),
            profile: parsed.profile.as_str().to_owned(),
            gmc_chain: ders.clone(),
            properties: joined_properties(certs[0].subject_friendly_name(), password),
            status: 0,
        };
        self.store
            .insert_group(&new, GroupSecrets::default())
            .map_err(Error::storage)?;
        self.remember(&identity, &gpn, ders, certs);
        self.group_open(&identity, &gpn, None)
    }

    /// Join of a group the identity already has: new credentials (renewal, role change, or
    /// the GMC of a pending password join) replace the stored chain when they start no
    /// earlier than the current ones; the same or older credentials → `PEER_E_ALREADY_EXISTS`.
    fn replace_credentials(
        &self,
        existing: peernet_storage::Group,
        ders: Vec<Vec<u8>>,
        certs: Arc<Vec<Certificate>>,
        cloud: Option<&str>,
    ) -> Result<Group> {
        let leaf = certs.last().unwrap_or(&certs[0]);
        let (identity, gpn) = (existing.identity.clone(), existing.group_peer_name.clone());
        let current_start = existing
            .gmc_chain
            .last()
            .and_then(|d| Certificate::from_der(d).ok())
            .map(|c| c.validity().not_before);
        if existing.gmc_chain == ders
            || current_start.is_some_and(|s| leaf.validity().not_before < s)
        {
            return Err(Error::api(
                hr::PEER_E_ALREADY_EXISTS,
                format!(
                    "identity '{identity}' is already a member of group '{gpn}' with these or newer credentials; open it instead"
                ),
            ));
        }
        self.store
            .set_group_chain(&identity, &gpn, &ders)
            .map_err(Error::storage)?;
        self.remember(&identity, &gpn, ders, certs);
        self.group_open(&identity, &gpn, cloud)
    }

    /// `PeerGroupPasswordJoin`: records the intent to join a password group (no GMC yet:
    /// it is obtained at connect). The password is checked now only when this store knows
    /// the group's verifier (a local identity owns the group); otherwise at connect.
    /// Joining again is a success: [`JoinOutcome::AlreadyMember`].
    ///
    /// # Errors
    /// `PEER_E_INVITATION_NOT_TRUSTED`, `PEER_E_UNSUPPORTED_VERSION`, `E_INVALIDARG` (a GMC
    /// invitation, empty password), `ERROR_INVALID_PASSWORD` (wrong password against a
    /// local verifier), `PEER_E_NOT_FOUND`, `PEER_E_NO_CLOUD`,
    /// `PEER_E_CLOUD_NAME_AMBIGUOUS`, `PEER_E_NO_KEY_ACCESS`.
    pub fn group_password_join(
        &self,
        identity: Option<&str>,
        invitation: &str,
        password: &Secret,
        cloud: Option<&str>,
    ) -> Result<(Group, JoinOutcome)> {
        let p: PasswordInvitation = match parse_invitation_doc(invitation)? {
            Invitation::Password(p) => p,
            Invitation::Gmc(_) => {
                return Err(Error::invalid_arg(
                    "this is a GMC invitation; join it with group_join",
                ));
            }
        };
        let gpn = password_group_name(&p)?;
        if password.is_empty() {
            return Err(Error::invalid_arg("the group password is required"));
        }
        let (identity, _) = self.joiner(identity)?;
        if self.ensure_not_member(&identity, gpn.as_str())?.is_some() {
            let g = self.group_open(&identity, gpn.as_str(), cloud)?;
            return Ok((g, JoinOutcome::AlreadyMember));
        }
        let hash = password_hash_string(password);
        for other in self.store.identities().map_err(Error::storage)? {
            let Ok(row) = self.store.group(&other.peer_name, gpn.as_str()) else {
                continue;
            };
            // Only the owner's verifier is authoritative; another joiner's is just the
            // password it typed.
            if !row.has_password_verifier || !row.has_group_key {
                continue;
            }
            let known = self
                .store
                .group_password_verifier(&other.peer_name, gpn.as_str())
                .map_err(Error::storage)?;
            if let Some(v) = known
                && !ct_eq(&v, hash.as_bytes())
            {
                return Err(Error::api(
                    hr::ERROR_INVALID_PASSWORD,
                    format!("wrong password for group '{}'", gpn.as_str()),
                ));
            }
        }
        let resolved = self.join_cloud(cloud, &p.cloud_name, p.scope, p.cloud_flags)?;
        let new = NewGroup {
            identity: identity.clone(),
            group_peer_name: gpn.as_str().to_owned(),
            classifier: gpn.classifier().to_owned(),
            cloud: local_cloud(&resolved),
            // The group's profile is learnt at connect; the joiner's key decides what it
            // can be (a GMC is issued for this key).
            profile: Profile::of_public_key(
                self.identity_cert(&self.load_identity(&identity)?)?
                    .public_key_der(),
            )
            .unwrap_or_default()
            .as_str()
            .to_owned(),
            gmc_chain: Vec::new(),
            properties: joined_properties(&p.group_friendly_name, true),
            status: 0,
        };
        match self.store.insert_group(
            &new,
            GroupSecrets {
                group_key: None,
                password_verifier: Some(hash.as_bytes()),
            },
        ) {
            Ok(()) => {}
            Err(peernet_storage::Error::AlreadyExists { .. }) => {
                let g = self.group_open(&identity, gpn.as_str(), cloud)?;
                return Ok((g, JoinOutcome::AlreadyMember));
            }
            Err(e) => return Err(Error::storage(e)),
        }
        let g = self.group_open(&identity, gpn.as_str(), None)?;
        Ok((g, JoinOutcome::Joined))
    }
}

/// What a pending password join proves itself with online: the group peer name, the
/// identity's IDC (DER), the profile of its key, and the password's hash string.
pub(crate) type PasswordJoinRequest = (PeerName, Vec<u8>, Profile, zeroize::Zeroizing<Vec<u8>>);

impl Peernet {
    /// What a pending password join of `identity` in `group` proves itself with online:
    /// the group peer name, the identity's IDC (DER), the profile of its key, and the
    /// hash string of the password given at [`Peernet::group_password_join`].
    ///
    /// # Errors
    /// `PEER_E_NOT_FOUND`; `PEER_E_INVALID_GROUP` when no password was recorded;
    /// `PEER_E_NO_KEY_ACCESS`.
    pub(crate) fn password_join_request(
        &self,
        identity: &str,
        group: &str,
    ) -> Result<PasswordJoinRequest> {
        let name = PeerName::parse(group)
            .map_err(|e| Error::crypto_as(hr::PEER_E_INVALID_GROUP, "group peer name", e))?;
        let idc = self.identity_cert(&self.load_identity(identity)?)?;
        let profile = Profile::of_public_key(idc.public_key_der()).unwrap_or_default();
        let verifier = self
            .store
            .group_password_verifier(identity, group)
            .map_err(Error::storage)?
            .ok_or_else(|| {
                Error::api(
                    hr::PEER_E_INVALID_GROUP,
                    "no password was recorded for this join; join with the password again",
                )
            })?;
        Ok((name, idc.der().to_vec(), profile, verifier))
    }

    /// Stores the GMC a member granted to the pending password join of `identity` in
    /// `group` (`invitation`, a GMC invitation): validated as [`Peernet::group_join`]
    /// validates, and refused unless it is a membership of exactly this group.
    ///
    /// # Errors
    /// `PEER_E_INVITATION_NOT_TRUSTED` for a grant of another group; as
    /// [`Peernet::group_join`].
    pub(crate) fn complete_password_join(
        &self,
        identity: &str,
        group: &str,
        invitation: &str,
    ) -> Result<()> {
        let g = match parse_invitation_doc(invitation)? {
            Invitation::Gmc(g) => g,
            Invitation::Password(_) => {
                return Err(Error::api(
                    hr::PEER_E_INVITATION_NOT_TRUSTED,
                    "the member granted a password invitation instead of credentials",
                ));
            }
        };
        let parsed = parse_invitation_chain(&g.gmc, self.now())?;
        if parsed.group.as_str() != group {
            return Err(Error::api(
                hr::PEER_E_INVITATION_NOT_TRUSTED,
                format!(
                    "the member granted credentials of group '{}', not of '{group}'",
                    parsed.group.as_str()
                ),
            ));
        }
        self.group_join(Some(identity), invitation, None).map(drop)
    }
}

/// The local cloud a join resolved to (PPSEC 3.1.4.2: a private name is replaced by the
/// local one), recorded so that later opens need no override.
fn local_cloud(c: &peernet_storage::Cloud) -> GroupCloud {
    GroupCloud {
        name: c.name.clone(),
        scope: c.scope,
        scope_id: c.scope_id,
        flags: if c.private { PNRP_CLOUD_NAME_LOCAL } else { 0 },
    }
}

fn joined_properties(friendly: &str, password: bool) -> peernet_storage::GroupProperties {
    peernet_storage::GroupProperties {
        friendly_name: friendly.to_owned(),
        flags: 0,
        creator_peer_name: String::new(),
        comment: String::new(),
        member_data_lifetime: DEFAULT_MEMBER_DATA_LIFETIME,
        presence_lifetime: MIN_PRESENCE_LIFETIME,
        authentication_schemes: if password {
            PEER_GROUP_GMC_AUTHENTICATION | PEER_GROUP_PASSWORD_AUTHENTICATION
        } else {
            PEER_GROUP_GMC_AUTHENTICATION
        },
        password_role: None,
    }
}
