//! Invitations and credentials: `PeerGroupCreateInvitation`,
//! `PeerGroupCreatePasswordInvitation`, `PeerGroupParseInvitation` and
//! `PeerGroupIssueCredentials`. Joining is in `join.rs`.

use std::time::SystemTime;

use peernet_crypto::cert::{GmcParams, Validity, random_serial};
use peernet_crypto::chain::{self, ChainPolicy, IssuanceContext};
use peernet_crypto::{Certificate, PeerName, Profile, Role, pkcs7};
use peernet_protocol::{
    GmcInvitation, IdentityInfo, Invitation, InvitationVersion, PasswordInvitation, Scope,
};

use crate::context::Peernet;
use crate::error::{Error, Result};
use crate::group::{
    Group, MembershipStatus, PEER_GROUP_GMC_AUTHENTICATION, PEER_GROUP_PASSWORD_AUTHENTICATION,
    PNRP_CLOUD_NAME_LOCAL, validate_with_time_status,
};
use crate::hresult as hr;

/// `PEER_INVITATION_INFO` (the p2p.h structure of that name).
///
/// For a GMC invitation every field comes from the invitee's chain; for a password
/// invitation only the cloud, the group's names and `auth_scheme` are known.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvitationInfo {
    /// `dwFlags` (always 0).
    pub flags: u32,
    /// The invitation document's version (1.0, or 1.1 for password-enabled groups).
    pub version: InvitationVersion,
    /// `pwzCloudName`.
    pub cloud_name: String,
    /// `dwScope`.
    pub scope: Scope,
    /// `dwCloudFlags` (`PNRP_CLOUD_NAME_LOCAL` = private name).
    pub cloud_flags: u32,
    /// `pwzGroupPeerName`.
    pub group_peer_name: String,
    /// `pwzIssuerPeerName` (GMC invitations).
    pub issuer_peer_name: Option<String>,
    /// `pwzSubjectPeerName` (GMC invitations).
    pub subject_peer_name: Option<String>,
    /// `pwzGroupFriendlyName`.
    pub group_friendly_name: String,
    /// `pwzIssuerFriendlyName` (GMC invitations).
    pub issuer_friendly_name: Option<String>,
    /// `pwzSubjectFriendlyName` (GMC invitations).
    pub subject_friendly_name: Option<String>,
    /// `ftValidityStart` (GMC invitations).
    pub validity_start: Option<SystemTime>,
    /// `ftValidityEnd` (GMC invitations).
    pub validity_end: Option<SystemTime>,
    /// `pRoles` (GMC invitations).
    pub roles: Vec<Role>,
    /// `ppwzClassifiers` (reserved on Windows; the leaf GMC's classifier list here).
    pub classifiers: Vec<String>,
    /// `pSubjectPublicKey`, DER SubjectPublicKeyInfo (GMC invitations).
    pub subject_public_key: Option<Vec<u8>>,
    /// `authScheme`: `PEER_GROUP_GMC_AUTHENTICATION` or `PEER_GROUP_PASSWORD_AUTHENTICATION`.
    pub auth_scheme: u32,
    /// peernet extension: whether the chain is valid at the context's current time.
    pub time_valid: bool,
}

/// `PEER_CREDENTIAL_INFO` for [`Group::issue_credentials`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialInfo {
    /// The subject's friendly name (written into the GMC), at most 255 units.
    pub friendly_name: String,
    /// `pPublicKey`: the subject's DER SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
    /// `ftValidityStart` (None → now).
    pub validity_start: Option<SystemTime>,
    /// `ftValidityEnd` (None → the issuer's end).
    pub validity_end: Option<SystemTime>,
    /// `pRoles`.
    pub roles: Vec<Role>,
}

impl CredentialInfo {
    /// Credential data for a subject key (DER SubjectPublicKeyInfo) with `roles`; validity
    /// defaults (now until the issuer's end).
    pub fn new(friendly_name: impl Into<String>, public_key: Vec<u8>, roles: &[Role]) -> Self {
        CredentialInfo {
            friendly_name: friendly_name.into(),
            public_key,
            validity_start: None,
            validity_end: None,
            roles: roles.to_vec(),
        }
    }

    /// Credential data taken from a `PEERIDENTITYINFO` document, with `roles`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a malformed document or certificate.
    pub fn from_identity_info(xml: &str, roles: &[Role]) -> Result<(String, CredentialInfo)> {
        let idc = parse_identity_info(xml)?;
        let subject = idc
            .subject_peer_name()
            .ok_or_else(|| Error::invalid_arg("the identity certificate names no peer"))?;
        Ok((
            subject.as_str().to_owned(),
            CredentialInfo {
                friendly_name: idc.subject_friendly_name().to_owned(),
                public_key: idc.public_key_der().to_vec(),
                validity_start: None,
                validity_end: None,
                roles: roles.to_vec(),
            },
        ))
    }
}

/// `PEER_GROUP_STORE_CREDENTIALS`.
pub const PEER_GROUP_STORE_CREDENTIALS: u32 = 0x1;

/// `PeerGroupIssueCredentials` flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IssueFlags {
    /// `PEER_GROUP_STORE_CREDENTIALS`: publish the GMC in the group database (the
    /// subject's member row; `MEMBER_CHANGED` JOINED / UPDATED).
    pub store_credentials: bool,
}

impl IssueFlags {
    /// From the `dwFlags` DWORD; `None` when unknown bits are set (`E_INVALIDARG` in C).
    pub fn from_bits(bits: u32) -> Option<IssueFlags> {
        (bits & !PEER_GROUP_STORE_CREDENTIALS == 0).then_some(IssueFlags {
            store_credentials: bits & PEER_GROUP_STORE_CREDENTIALS != 0,
        })
    }

    /// The `dwFlags` DWORD.
    pub fn bits(self) -> u32 {
        if self.store_credentials {
            PEER_GROUP_STORE_CREDENTIALS
        } else {
            0
        }
    }
}

fn parse_identity_info(xml: &str) -> Result<Certificate> {
    let info = IdentityInfo::parse_str(xml)
        .map_err(|e| Error::xml("not a valid PEERIDENTITYINFO", e, hr::E_INVALIDARG))?;
    let ders = pkcs7::decode_or_bare_certificate(&info.idc).map_err(|e| {
        Error::crypto_as(hr::E_INVALIDARG, "the IDC element is not a certificate", e)
    })?;
    let first = ders
        .first()
        .ok_or_else(|| Error::invalid_arg("the IDC element holds no certificate"))?;
    Certificate::from_der(first)
        .map_err(|e| Error::crypto_as(hr::E_INVALIDARG, "the identity certificate is malformed", e))
}

pub(crate) fn not_trusted(context: &str, e: impl Into<peernet_crypto::Error>) -> Error {
    Error::crypto_as(hr::PEER_E_INVITATION_NOT_TRUSTED, context, e)
}

/// A GMC invitation's chain, ordered and structurally validated.
pub(crate) struct ParsedChain {
    pub(crate) certs: Vec<Certificate>,
    pub(crate) group: PeerName,
    pub(crate) profile: Profile,
    pub(crate) status: MembershipStatus,
}

pub(crate) fn parse_invitation_chain(gmc: &[u8], now: SystemTime) -> Result<ParsedChain> {
    let ders =
        pkcs7::decode(gmc).map_err(|e| not_trusted("the invitation's chain is damaged", e))?;
    let certs = chain::order_chain(&ders)
        .map_err(|e| not_trusted("the invitation's chain is invalid", e))?;
    let root = &certs[0];
    let group = root.group_peer_name().ok_or_else(|| {
        Error::api(
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            "the invitation's root certificate names no group",
        )
    })?;
    let profile = Profile::of_public_key(root.public_key_der()).ok_or_else(|| {
        Error::api(
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            "the invitation's root key is of no supported profile",
        )
    })?;
    if certs.len() < 2 {
        return Err(Error::api(
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            "the invitation's chain has no membership certificate",
        ));
    }
    let policy = ChainPolicy::new(profile, now).group(&group);
    let status = validate_with_time_status(&certs, policy)
        .map_err(|e| not_trusted("the invitation was altered or is erroneous", e))?;
    Ok(ParsedChain {
        certs,
        group,
        profile,
        status,
    })
}

pub(crate) fn parse_invitation_doc(xml: &str) -> Result<Invitation> {
    Invitation::parse_str(xml).map_err(|e| {
        Error::xml(
            "not a valid PEERINVITATION",
            e,
            hr::PEER_E_INVITATION_NOT_TRUSTED,
        )
    })
}

/// A password invitation's GROUPPEERNAME, which must be a secure peer name.
pub(crate) fn password_group_name(p: &PasswordInvitation) -> Result<PeerName> {
    PeerName::parse(&p.group_peer_name)
        .ok()
        .filter(PeerName::is_secure)
        .ok_or_else(|| {
            Error::api(
                hr::PEER_E_INVITATION_NOT_TRUSTED,
                format!(
                    "GROUPPEERNAME '{}' is not a secure peer name",
                    p.group_peer_name
                ),
            )
        })
}

/// `PeerGroupParseInvitation` without a context; validity is judged at `now`.
///
/// # Errors
/// `PEER_E_INVITATION_NOT_TRUSTED` (malformed, altered, bad chain or signature),
/// `PEER_E_UNSUPPORTED_VERSION`.
pub fn parse_invitation(xml: &str, now: SystemTime) -> Result<InvitationInfo> {
    match parse_invitation_doc(xml)? {
        Invitation::Password(p) => {
            password_group_name(&p)?;
            Ok(InvitationInfo {
                flags: 0,
                version: InvitationVersion::V1_1,
                cloud_name: p.cloud_name,
                scope: p.scope,
                cloud_flags: u32::from(p.cloud_flags),
                group_peer_name: p.group_peer_name,
                issuer_peer_name: None,
                subject_peer_name: None,
                group_friendly_name: p.group_friendly_name,
                issuer_friendly_name: None,
                subject_friendly_name: None,
                validity_start: None,
                validity_end: None,
                roles: Vec::new(),
                classifiers: Vec::new(),
                subject_public_key: None,
                auth_scheme: PEER_GROUP_PASSWORD_AUTHENTICATION,
                time_valid: true,
            })
        }
        Invitation::Gmc(g) => {
            let parsed = parse_invitation_chain(&g.gmc, now)?;
            let leaf = parsed.certs.last().unwrap_or(&parsed.certs[0]);
            let root = &parsed.certs[0];
            Ok(InvitationInfo {
                flags: 0,
                version: g.version,
                cloud_name: g.cloud_name,
                scope: g.scope,
                cloud_flags: u32::from(g.cloud_flags),
                group_peer_name: parsed.group.as_str().to_owned(),
                issuer_peer_name: leaf.issuer_peer_name().map(|n| n.as_str().to_owned()),
                subject_peer_name: leaf.subject_peer_name().map(|n| n.as_str().to_owned()),
                group_friendly_name: root.subject_friendly_name().to_owned(),
                issuer_friendly_name: Some(leaf.issuer_friendly_name().to_owned()),
                subject_friendly_name: Some(leaf.subject_friendly_name().to_owned()),
                validity_start: Some(leaf.validity().not_before),
                validity_end: Some(leaf.validity().not_after),
                roles: leaf.roles().unwrap_or_default(),
                classifiers: leaf.classifiers().unwrap_or_default(),
                subject_public_key: Some(leaf.public_key_der().to_vec()),
                auth_scheme: PEER_GROUP_GMC_AUTHENTICATION,
                time_valid: parsed.status == MembershipStatus::Valid,
            })
        }
    }
}

impl Peernet {
    /// `PeerGroupParseInvitation`, judging validity by the context's clock.
    ///
    /// # Errors
    /// As [`parse_invitation`].
    pub fn group_parse_invitation(&self, xml: &str) -> Result<InvitationInfo> {
        parse_invitation(xml, self.now())
    }
}

/// `PEER_E_NOT_AUTHORIZED` (with `what`) unless the group has password authentication
/// and this member's leaf GMC holds Administrator or Inviting Member.
fn password_issuer(
    row: &peernet_storage::Group,
    certs: &[peernet_crypto::Certificate],
    what: &str,
) -> Result<()> {
    let enabled = row.properties.authentication_schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0;
    let leaf = certs.last().unwrap_or(&certs[0]);
    chain::check_password_issuer(leaf, enabled)
        .map_err(|e| Error::crypto_as(hr::PEER_E_NOT_AUTHORIZED, what, e))
}

impl Group {
    /// Issues a GMC for `subject_key` and returns the subject's full chain (DER, root first).
    fn issue(
        &self,
        subject_peer_name: PeerName,
        friendly_name: &str,
        subject_key: &[u8],
        roles: &[Role],
        start: Option<SystemTime>,
        end: Option<SystemTime>,
    ) -> Result<(Vec<Vec<u8>>, bool)> {
        let ctx = self.ctx();
        let (row, certs, status) = self.current()?;
        match status {
            MembershipStatus::CredentialsPending => {
                return Err(Error::api(
                    hr::PEER_E_GROUP_NOT_READY,
                    "this membership has no credentials yet (password join pending connect)",
                ));
            }
            MembershipStatus::Expired | MembershipStatus::NotYetValid => {
                return Err(Error::api(
                    hr::PEER_E_INVALID_TIME_PERIOD,
                    "your membership credentials are not valid now; renew them first",
                ));
            }
            MembershipStatus::Valid => {}
        }
        let roles: Vec<Role> = if roles.is_empty() {
            vec![Role::MEMBER]
        } else {
            roles.to_vec()
        };
        if let Some(r) = roles.iter().find(|r| !r.is_defined()) {
            return Err(Error::api(
                hr::PEER_E_INVALID_ROLE_PROPERTY,
                format!("role {r} is not a defined role"),
            ));
        }
        // The owner issues with the group key (chain [GRC, GMC]); others with their GMC.
        let group_key = ctx
            .store
            .group_private_key(&row.identity, &row.group_peer_name)
            .map_err(Error::storage)?;
        let (issuer_chain, issuer_key) = match group_key {
            Some(der) => (
                vec![certs[0].clone()],
                peernet_crypto::PrivateKey::from_pkcs8_der(&der).map_err(|e| {
                    Error::crypto_as(hr::PEER_E_CERT_STORE_CORRUPTED, "stored group key", e)
                })?,
            ),
            None => (certs.to_vec(), ctx.identity_private_key(&row.identity)?),
        };
        let issuer = issuer_chain.last().unwrap_or(&certs[0]);
        let issuer_validity = issuer.validity();
        let now = ctx.now_secs();
        let start = start.unwrap_or(now).max(issuer_validity.not_before);
        let end = end.unwrap_or(issuer_validity.not_after);
        if end > issuer_validity.not_after {
            return Err(Error::invalid_arg(
                "the expiration is later than the issuer's own credentials allow",
            ));
        }
        if end <= start || end <= ctx.now() {
            return Err(Error::invalid_arg(
                "the expiration is in the past or before the start",
            ));
        }
        let classifiers = if roles.contains(&Role::ADMIN) {
            Vec::new()
        } else {
            vec![peernet_crypto::name::PARTICIPANT.to_owned()]
        };
        let params = GmcParams {
            subject_public_key: subject_key.to_vec(),
            subject_peer_name,
            subject_friendly_name: friendly_name.to_owned(),
            roles,
            classifiers,
            validity: Validity::new(start, end),
            serial: random_serial()
                .map_err(|e| Error::crypto_as(hr::E_FAIL, "no random serial", e))?,
        };
        chain::check_issuance(
            &issuer_chain,
            &params,
            &IssuanceContext {
                profile: self.inner.profile,
                group: &self.inner.group_peer_name,
                cached_public_key: None,
            },
        )
        .map_err(|e| match e {
            peernet_crypto::ChainError::IssuanceRole { .. } => Error::crypto_as(
                hr::PEER_E_NOT_AUTHORIZED,
                format!(
                    "'{}' holds no role that may issue the requested roles",
                    row.identity
                ),
                e,
            ),
            e => Error::crypto(
                hr::PEER_E_INVALID_CREDENTIAL_INFO,
                "the credentials cannot be issued",
                e,
            ),
        })?;
        let gmc = params
            .issue(issuer, &issuer_key)
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot issue the GMC", e))?;
        let mut ders: Vec<Vec<u8>> = issuer_chain.iter().map(|c| c.der().to_vec()).collect();
        ders.push(gmc.der().to_vec());
        Ok((
            ders,
            row.properties.authentication_schemes & PEER_GROUP_PASSWORD_AUTHENTICATION != 0,
        ))
    }

    fn gmc_invitation(&self, ders: &[Vec<u8>], password_group: bool) -> Result<String> {
        let cloud = self.cloud();
        let gmc = pkcs7::encode(ders)
            .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the chain", e))?;
        Invitation::Gmc(GmcInvitation {
            version: if password_group {
                InvitationVersion::V1_1
            } else {
                InvitationVersion::V1_0
            },
            cloud_name: cloud.name.clone(),
            scope: cloud.scope,
            cloud_flags: u8::from(cloud.flags & PNRP_CLOUD_NAME_LOCAL != 0),
            gmc,
        })
        .to_xml_string()
        .map_err(|e| Error::xml("cannot write PEERINVITATION", e, hr::E_FAIL))
    }

    /// `PeerGroupCreateInvitation`: a GMC invitation for the invitee described by
    /// `identity_info` (`PEERIDENTITYINFO`). `expiration` None → the issuer's remaining
    /// lifetime (infinite for the owner); `roles` empty → Member.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `E_INVALIDARG` (bad identity info, expiration in the past or
    /// beyond the issuer's), `PEER_E_NOT_AUTHORIZED` (the caller's roles cannot issue these
    /// roles, e.g. a Member), `PEER_E_INVALID_ROLE_PROPERTY`, `PEER_E_CHAIN_TOO_LONG`,
    /// `PEER_E_INVALID_CREDENTIAL_INFO` (I1/I2/I4: e.g. a key of another profile),
    /// `PEER_E_GROUP_NOT_READY` (no credentials yet), `PEER_E_INVALID_TIME_PERIOD`
    /// (own credentials expired), `PEER_E_NO_KEY_ACCESS`.
    pub fn create_invitation(
        &self,
        identity_info: &str,
        expiration: Option<SystemTime>,
        roles: &[Role],
    ) -> Result<String> {
        let idc = parse_identity_info(identity_info)?;
        let key_profile = Profile::of_public_key(idc.public_key_der()).unwrap_or(self.profile());
        chain::validate_idc(&idc, key_profile, self.ctx().now()).map_err(|e| {
            Error::crypto_as(
                hr::E_INVALIDARG,
                "the invitee's identity certificate is not valid",
                e,
            )
        })?;
        let subject = idc
            .subject_peer_name()
            .ok_or_else(|| Error::invalid_arg("the identity certificate names no peer"))?;
        let (ders, pw) = self.issue(
            subject,
            idc.subject_friendly_name(),
            idc.public_key_der(),
            roles,
            None,
            expiration,
        )?;
        self.gmc_invitation(&ders, pw)
    }

    /// `PeerGroupCreatePasswordInvitation`: a `VERSION="1.1"` password invitation.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_NOT_AUTHORIZED` (password authentication not enabled,
    /// or the caller is neither Admin nor Inviting Member), `PEER_E_GROUP_NOT_READY`.
    pub fn create_password_invitation(&self) -> Result<String> {
        let (row, certs, status) = self.current()?;
        if status == MembershipStatus::CredentialsPending {
            return Err(Error::api(
                hr::PEER_E_GROUP_NOT_READY,
                "this membership has no credentials yet",
            ));
        }
        password_issuer(&row, &certs, "cannot create a password invitation")?;
        let cloud = self.cloud();
        Invitation::Password(PasswordInvitation {
            cloud_name: cloud.name.clone(),
            scope: cloud.scope,
            cloud_flags: u8::from(cloud.flags & PNRP_CLOUD_NAME_LOCAL != 0),
            group_peer_name: row.group_peer_name.clone(),
            group_friendly_name: certs[0].subject_friendly_name().to_owned(),
        })
        .to_xml_string()
        .map_err(|e| Error::xml("cannot write PEERINVITATION", e, hr::E_FAIL))
    }

    /// What this member needs to admit password joiners online ([MS-PPSEC] 3.3.5.2.5):
    /// valid credentials holding Administrator or Inviting Member in a group with
    /// password authentication, and the group password's hash string. Returns the hash
    /// string.
    ///
    /// # Errors
    /// `PEER_E_NOT_AUTHORIZED` (no password authentication, neither role, or this store
    /// does not know the password); `PEER_E_GROUP_NOT_READY`; `PEER_E_INVALID_TIME_PERIOD`.
    pub(crate) fn password_admission(&self) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let (row, certs, status) = self.current()?;
        match status {
            MembershipStatus::Valid => {}
            MembershipStatus::CredentialsPending => {
                return Err(Error::api(
                    hr::PEER_E_GROUP_NOT_READY,
                    "this membership has no credentials yet",
                ));
            }
            MembershipStatus::Expired | MembershipStatus::NotYetValid => {
                return Err(Error::api(
                    hr::PEER_E_INVALID_TIME_PERIOD,
                    "this member's credentials are not valid now",
                ));
            }
        }
        password_issuer(&row, &certs, "this member cannot admit password joiners")?;
        self.ctx()
            .store
            .group_password_verifier(&row.identity, &row.group_peer_name)
            .map_err(Error::storage)?
            .ok_or_else(|| {
                Error::api(
                    hr::PEER_E_NOT_AUTHORIZED,
                    "this member does not know the group password",
                )
            })
    }

    /// Admits a password joiner whose password was proven: issues a GMC for the joiner's
    /// identity certificate `idc` (DER) with the group's password role
    /// (`groupPasswordRole`, Member by default) until this member's own GMC ends, stores
    /// it as the joiner's member row (`MEMBER_CHANGED` JOINED) and returns it as a GMC
    /// invitation.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an IDC that does not parse or validate; as
    /// [`Group::create_invitation`].
    pub(crate) fn admit_password_joiner(&self, idc: &[u8]) -> Result<String> {
        let idc = Certificate::from_der(idc).map_err(|e| {
            Error::crypto_as(hr::E_INVALIDARG, "the joiner's identity certificate", e)
        })?;
        let key_profile = Profile::of_public_key(idc.public_key_der()).unwrap_or(self.profile());
        chain::validate_idc(&idc, key_profile, self.ctx().now()).map_err(|e| {
            Error::crypto_as(
                hr::E_INVALIDARG,
                "the joiner's identity certificate is not valid",
                e,
            )
        })?;
        let subject = idc
            .subject_peer_name()
            .ok_or_else(|| Error::invalid_arg("the identity certificate names no peer"))?;
        let role = self
            .row()?
            .properties
            .password_role
            .map(Role::from_bytes)
            .unwrap_or(Role::MEMBER);
        let (ders, pw) = self.issue(
            subject.clone(),
            idc.subject_friendly_name(),
            idc.public_key_der(),
            &[role],
            None,
            None,
        )?;
        self.store_member_chain(subject.as_str(), &ders)?;
        self.gmc_invitation(&ders, pw)
    }

    /// `PeerGroupIssueCredentials`: issues (or renews, or changes the roles of) a GMC for
    /// `subject_identity` and returns it as a GMC invitation. `info` None → the subject's
    /// friendly name, key and roles from its GMC in the group database (member rows,
    /// written by an earlier issue with `PEER_GROUP_STORE_CREDENTIALS` or by the member's
    /// first record). With `PEER_GROUP_STORE_CREDENTIALS` the new chain is stored as the
    /// subject's member row (`MEMBER_CHANGED` JOINED, or UPDATED).
    ///
    /// # Errors
    /// As [`Group::create_invitation`], plus `PEER_E_INVALID_CREDENTIAL_INFO` when the key
    /// does not give `subject_identity`, `PEER_E_IDENTITY_NOT_FOUND` (info None and no
    /// GMC of the subject known to the group).
    pub fn issue_credentials(
        &self,
        subject_identity: &str,
        info: Option<&CredentialInfo>,
        flags: IssueFlags,
    ) -> Result<String> {
        let subject = PeerName::parse(subject_identity)
            .map_err(|e| Error::crypto_as(hr::E_INVALIDARG, "invalid subject identity", e))?;
        let stored;
        let info = match info {
            Some(i) => i,
            None => {
                self.row()?;
                let Some(leaf) = self.member_leaf(subject_identity)? else {
                    return Err(Error::api(
                        hr::PEER_E_IDENTITY_NOT_FOUND,
                        format!(
                            "no credential data for '{subject_identity}' in the group database; pass its CredentialInfo"
                        ),
                    ));
                };
                stored = CredentialInfo::new(
                    leaf.subject_friendly_name(),
                    leaf.public_key_der().to_vec(),
                    &leaf.roles().unwrap_or_default(),
                );
                &stored
            }
        };
        if !subject.matches_key(&info.public_key) {
            return Err(Error::api(
                hr::PEER_E_INVALID_CREDENTIAL_INFO,
                format!("the public key does not give the peer name '{subject_identity}'"),
            ));
        }
        let (ders, pw) = self.issue(
            subject,
            &info.friendly_name,
            &info.public_key,
            &info.roles,
            info.validity_start,
            info.validity_end,
        )?;
        if flags.store_credentials {
            self.store_member_chain(subject_identity, &ders)?;
        }
        self.gmc_invitation(&ders, pw)
    }
}
