//! GMC chain validation (rules S1–S15, P1–P12, G1–G12 as numbered in docs/CONFORMANCE.md),
//! IDC validation, issuance checks (I1–I8) and rebuilding chain order from an unordered set.
//!
//! Every signature in a chain is verified (G3), not only the root's (§7 Q23). The group's
//! profile fixes the acceptable algorithms: a windows group accepts only RSA-1024 +
//! sha1WithRSAEncryption, a modern group only P-256 + ecdsa-with-SHA256.
//!
//! ```
//! use std::time::SystemTime;
//! use peernet_crypto::cert::{GmcParams, GrcParams, IdcParams};
//! use peernet_crypto::chain::{ChainPolicy, IssuanceContext, check_issuance, order_chain, validate_chain};
//! use peernet_crypto::{PrivateKey, Profile, Role};
//!
//! # fn main() -> peernet_crypto::Result<()> {
//! let now = SystemTime::now();
//! // Identity and group (PeerIdentityCreate, PeerGroupCreate).
//! let me = PrivateKey::generate(Profile::Modern)?;
//! let idc = IdcParams::new(me.peer_name("alice")?, "Alice", now)?.issue(&me)?;
//! let group_key = PrivateKey::generate(Profile::Modern)?;
//! let group = group_key.peer_name("chat")?;
//! let grc = GrcParams::new(group.clone(), "Chat", now)?.issue(&group_key)?;
//! // The creator's GMC, signed with the GRC key.
//! let params = GmcParams::for_identity(&idc, &[Role::ADMIN], &grc)?;
//! let ctx = IssuanceContext { profile: Profile::Modern, group: &group, cached_public_key: None };
//! check_issuance(std::slice::from_ref(&grc), &params, &ctx)?;
//! let gmc = params.issue(&grc, &group_key)?;
//! // Received as an unordered PKCS#7 set: rebuild the order, then validate.
//! let chain = order_chain(&[gmc.der(), grc.der()])?;
//! let policy = ChainPolicy::new(Profile::Modern, now)
//!     .group(&group)
//!     .leaf_public_key(idc.public_key_der())
//!     .classifier("participant");
//! validate_chain(&chain, &policy)?;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::time::SystemTime;

use crate::cert::{Certificate, GmcParams, MAX_FRIENDLY_NAME_LEN, Validity, random_serial};
// In this module `Error` is the chain error: every rule check and the ordering fail with it.
use crate::error::ChainError as Error;
use crate::ext::{self, CertType};
use crate::key::{Profile, PublicKeyKind};
use crate::name::{PARTICIPANT, PeerName, validate_classifier};
use crate::oid;
use crate::role::{Delegation, Role, check_delegation, classifier_delegated};

type Result<T, E = Error> = std::result::Result<T, E>;

/// Most certificates in a chain: one GRC and 24 GMCs (PNRP 2.2.3.5; Windows' limit of 24).
pub const MAX_CHAIN_LEN: usize = 25;

/// What a chain is validated against.
#[derive(Clone, Copy, Debug)]
pub struct ChainPolicy<'a> {
    /// The group's profile (algorithms accepted: S3, S6).
    pub profile: Profile,
    /// The validation time (P4).
    pub now: SystemTime,
    /// The group this chain must belong to (G4), if known.
    pub group: Option<&'a PeerName>,
    /// The key the leaf must carry (P2/P10: the CPA key, or the TLS peer's IDC key), DER SPKI.
    pub leaf_public_key: Option<&'a [u8]>,
    /// A classifier the leaf must be delegated (P12), e.g. [`PARTICIPANT`].
    pub classifier: Option<&'a str>,
}

impl<'a> ChainPolicy<'a> {
    /// A policy with only the profile and the time set.
    pub fn new(profile: Profile, now: SystemTime) -> Self {
        ChainPolicy {
            profile,
            now,
            group: None,
            leaf_public_key: None,
            classifier: None,
        }
    }

    /// Require the chain to belong to `group` (G4).
    pub fn group(mut self, group: &'a PeerName) -> Self {
        self.group = Some(group);
        self
    }

    /// Require the leaf key to be `spki` (P10).
    pub fn leaf_public_key(mut self, spki: &'a [u8]) -> Self {
        self.leaf_public_key = Some(spki);
        self
    }

    /// Require `classifier` to be delegated by the leaf (P12).
    pub fn classifier(mut self, classifier: &'a str) -> Self {
        self.classifier = Some(classifier);
        self
    }
}

/// OIDs of extensions we understand; any other critical extension fails S9.
const KNOWN: &[&[u8]] = &[
    oid::CERT_TYPE,
    oid::CERT_VERSION,
    oid::IDENTITY_FLAGS,
    oid::GROUPING_PEERNAME,
    oid::GROUPING_FLAGS,
    oid::GROUPING_ROLES,
    oid::GROUPING_CLASSIFIERS,
    oid::SUBJECT_ALT_NAME_LEGACY,
    oid::ISSUER_ALT_NAME_LEGACY,
    oid::SUBJECT_ALT_NAME,
    oid::AUTHORITY_KEY_IDENTIFIER,
    oid::SUBJECT_KEY_IDENTIFIER,
    oid::EXT_KEY_USAGE,
    oid::KEY_USAGE,
    oid::BASIC_CONSTRAINTS,
];

use peernet_protocol::utf16_len;

/// The peer name of a legacy alt-name extension, checked (S10/S11); `None` when absent and
/// not required. Equal to what [`Certificate::subject_peer_name`] /
/// [`Certificate::issuer_peer_name`] return for a certificate that passes.
fn check_alt_name(
    index: usize,
    c: &Certificate,
    o: &[u8],
    required: bool,
) -> Result<Option<PeerName>> {
    let Some(e) = c.extension(o) else {
        return if required {
            Err(Error::AltName {
                index,
                reason: "missing",
            })
        } else {
            Ok(None)
        };
    };
    let text =
        ext::decode_peer_name_text(&e.value).map_err(|reason| Error::AltName { index, reason })?;
    if utf16_len(&text) > 255 {
        return Err(Error::AltName {
            index,
            reason: "longer than 255 characters",
        });
    }
    PeerName::parse(&text)
        .map(Some)
        .map_err(|_| Error::AltName {
            index,
            reason: "not a valid peer name",
        })
}

/// Subject and issuer peer names (legacy alt names) of a certificate that passed S10/S11.
type AltNames = (Option<PeerName>, Option<PeerName>);

/// S2–S9 and S11, shared by chain certificates and IDCs. Returns the alt names it decoded,
/// so chain validation need not decode them again for P7/G1.
fn check_common(
    index: usize,
    c: &Certificate,
    profile: Profile,
    version_required: bool,
) -> Result<AltNames> {
    if c.version() != 2 {
        return Err(Error::CertificateVersion { index });
    }
    let expected = profile.signature_algorithm();
    if c.signature_algorithm() != &expected || !c.inner_algorithm_matches() {
        return Err(Error::SignatureAlgorithm {
            index,
            found: c.signature_algorithm().dotted(),
            expected: match profile {
                Profile::Windows => "1.2.840.113549.1.1.5",
                Profile::Modern => "1.2.840.10045.4.3.2",
            },
            profile: profile.as_str(),
        });
    }
    if c.serial16().is_none() {
        return Err(Error::SerialNumber {
            index,
            len: c.serial().len(),
        });
    }
    if c.has_unique_ids() {
        return Err(Error::UniqueId { index });
    }
    let key_ok = match (profile, PublicKeyKind::of(c.public_key_der())) {
        (
            Profile::Windows,
            Some(PublicKeyKind::Rsa {
                rsa_public_key_len, ..
            }),
        ) => rsa_public_key_len == 140,
        (Profile::Modern, Some(PublicKeyKind::P256)) => true,
        _ => false,
    };
    if !key_ok {
        return Err(Error::KeyAlgorithm {
            index,
            profile: profile.as_str(),
        });
    }
    if utf16_len(c.subject_friendly_name()) > MAX_FRIENDLY_NAME_LEN
        || utf16_len(c.issuer_friendly_name()) > MAX_FRIENDLY_NAME_LEN
    {
        return Err(Error::NameTooLong { index });
    }
    let subject = check_alt_name(index, c, oid::SUBJECT_ALT_NAME_LEGACY, true)?;
    let issuer = check_alt_name(index, c, oid::ISSUER_ALT_NAME_LEGACY, false)?;
    for e in c.extensions() {
        if e.critical && !KNOWN.contains(&e.oid.as_slice()) {
            return Err(Error::UnknownCriticalExtension {
                index,
                oid: e.dotted_oid(),
            });
        }
    }
    if c.cert_type_value().is_none() {
        return Err(Error::CertTypeExtension { index });
    }
    match c.extension(oid::CERT_VERSION) {
        None if !version_required => {}
        _ if c.cert_version() == Some([1, 0, 2, 0]) => {}
        _ => return Err(Error::CertVersionExtension { index }),
    }
    Ok((subject, issuer))
}

fn check_group_name(index: usize, c: &Certificate) -> Result<PeerName> {
    let e = c
        .extension(oid::GROUPING_PEERNAME)
        .ok_or(Error::PeerNameExtension {
            index,
            reason: "missing",
        })?;
    let text = ext::decode_peer_name_text(&e.value)
        .map_err(|reason| Error::PeerNameExtension { index, reason })?;
    let n = text.chars().count();
    if !(1..=192).contains(&n) {
        return Err(Error::PeerNameExtension {
            index,
            reason: "not 1 to 192 characters",
        });
    }
    PeerName::parse(&text).map_err(|_| Error::PeerNameExtension {
        index,
        reason: "not a valid peer name",
    })
}

struct Member {
    roles: Vec<Role>,
    classifiers: Vec<String>,
}

/// S13, S14, P5 for a non-first certificate.
fn check_member(index: usize, c: &Certificate) -> Result<Member> {
    let e = c
        .extension(oid::GROUPING_ROLES)
        .ok_or(Error::RoleExtension {
            index,
            reason: "missing",
        })?;
    let roles =
        ext::decode_roles(&e.value).map_err(|reason| Error::RoleExtension { index, reason })?;
    if roles.is_empty() {
        return Err(Error::RoleExtension {
            index,
            reason: "no roles",
        });
    }
    if !roles.iter().all(|r| r.is_defined()) {
        return Err(Error::RoleExtension {
            index,
            reason: "not a defined role",
        });
    }
    let e = c
        .extension(oid::GROUPING_CLASSIFIERS)
        .ok_or(Error::ClassifierExtension {
            index,
            reason: "missing",
        })?;
    let classifiers = ext::decode_classifiers(&e.value)
        .map_err(|reason| Error::ClassifierExtension { index, reason })?;
    if classifiers.iter().any(|s| s.chars().count() > 150) {
        return Err(Error::ClassifierExtension {
            index,
            reason: "classifier longer than 150 characters",
        });
    }
    if classifiers.iter().any(|s| validate_classifier(s).is_err()) {
        return Err(Error::ClassifierSyntax { index });
    }
    Ok(Member { roles, classifiers })
}

fn check_eku(index: usize, c: &Certificate, required: bool) -> Result<()> {
    match c.extension(oid::EXT_KEY_USAGE) {
        None if !required => Ok(()),
        None => Err(Error::ExtendedKeyUsage { index }),
        Some(e) => {
            let list = ext::decode_eku(&e.value).ok_or(Error::ExtendedKeyUsage { index })?;
            let has = |o: &[u8]| list.iter().any(|x| x == o);
            if has(oid::KP_PEER_AUTH) && has(oid::KP_SERVER_AUTH) {
                Ok(())
            } else {
                Err(Error::ExtendedKeyUsage { index })
            }
        }
    }
}

fn check_flags(index: usize, c: &Certificate) -> Result<()> {
    for o in [oid::IDENTITY_FLAGS, oid::GROUPING_FLAGS] {
        if let Some(e) = c.extension(o)
            && ext::decode_dword(&e.value) != Some(0)
        {
            return Err(Error::Flags { index });
        }
    }
    Ok(())
}

fn check_time(index: usize, v: &Validity, now: SystemTime) -> Result<()> {
    if now < v.not_before {
        Err(Error::NotYetValid { index })
    } else if now > v.not_after {
        Err(Error::Expired { index })
    } else {
        Ok(())
    }
}

/// Validate a GMC chain ordered root (GRC) first, leaf last.
///
/// Checks, in this order: S1; per certificate S2–S14 and P5; then G12, P8/G2, G6, P7/G1,
/// G3, P9/G5, P11/G7, G4, P3, S15/P6, G8 (G9), P4, G10, G11, P10, P12.
///
/// # Errors
/// The first rule that fails, as the error variant named after it (see [`Error::rule`]).
pub fn validate_chain(chain: &[Certificate], policy: &ChainPolicy<'_>) -> Result<()> {
    if chain.is_empty() {
        return Err(Error::EmptyChain);
    }
    if chain.len() > MAX_CHAIN_LEN {
        return Err(Error::ChainTooLong { len: chain.len() });
    }
    let mut names = Vec::with_capacity(chain.len());
    let mut members: Vec<Option<Member>> = Vec::with_capacity(chain.len());
    let mut alt_names: Vec<AltNames> = Vec::with_capacity(chain.len());
    for (i, c) in chain.iter().enumerate() {
        alt_names.push(check_common(i, c, policy.profile, true)?);
        names.push(check_group_name(i, c)?);
        members.push(if i == 0 {
            None
        } else {
            Some(check_member(i, c)?)
        });
    }
    for (i, c) in chain.iter().enumerate() {
        let found = c.cert_type_value().unwrap_or(0);
        let expected = if i == 0 { 2 } else { 1 };
        match CertType::from_value(found) {
            None => {
                return Err(Error::CertType {
                    index: i,
                    found,
                    expected,
                });
            }
            Some(t) if i == 0 && t != CertType::Root => return Err(Error::RootType),
            Some(t) if i > 0 && t != CertType::Membership => {
                return Err(Error::NotMembershipCertificate { index: i });
            }
            _ => {}
        }
    }
    let root = &chain[0];
    if !root.is_self_signed() {
        return Err(Error::NotSelfSigned { index: 0 });
    }
    for i in 1..chain.len() {
        if chain[i]
            .verify_signed_by(chain[i - 1].public_key_der())
            .is_err()
        {
            return Err(Error::Signature { index: i });
        }
    }
    if !names[0].matches_key(root.public_key_der()) {
        return Err(Error::RootAuthorityMismatch);
    }
    for (i, n) in names.iter().enumerate().skip(1) {
        if n != &names[0] {
            return Err(Error::PeerNameMismatch { index: i });
        }
    }
    if let Some(g) = policy.group
        && g != &names[0]
    {
        return Err(Error::GroupMismatch {
            found: names[0].to_string(),
            expected: g.to_string(),
        });
    }
    for i in 1..chain.len() {
        // = chain[i - 1].subject_peer_name() and chain[i].issuer_peer_name(), decoded once.
        let parent = &alt_names[i - 1].0;
        if parent.is_none() || parent != &alt_names[i].1 {
            return Err(Error::ChainLink { index: i });
        }
    }
    for i in 1..chain.len() {
        let Some(m) = &members[i] else { continue };
        let parent = members[i - 1].as_ref();
        match check_delegation(
            parent.map(|p| p.classifiers.as_slice()),
            &m.roles,
            &m.classifiers,
        ) {
            Delegation::Allowed => {}
            Delegation::EmptyNotAllowed => return Err(Error::EmptyClassifierList { index: i }),
            Delegation::NotDelegated(classifier) => {
                return Err(Error::ClassifierDelegation {
                    index: i,
                    classifier,
                });
            }
        }
        let issuers = parent.map(|p| p.roles.as_slice());
        if let Some(r) = m.roles.iter().find(|r| !Role::issuable_by(**r, issuers)) {
            return Err(Error::RoleNotIssuable {
                index: i,
                role: r.to_string(),
            });
        }
    }
    for (i, c) in chain.iter().enumerate() {
        check_time(i, &c.validity(), policy.now)?;
    }
    for (i, c) in chain.iter().enumerate() {
        check_eku(i, c, false)?;
        check_flags(i, c)?;
    }
    let leaf = &chain[chain.len() - 1];
    if let Some(k) = policy.leaf_public_key
        && crate::name::authority_of(k) != crate::name::authority_of(leaf.public_key_der())
    {
        return Err(Error::LeafKeyMismatch);
    }
    if let Some(c) = policy.classifier {
        let ok = validate_classifier(c).is_ok()
            && match members.last().and_then(|m| m.as_ref()) {
                None => true,
                Some(m) => classifier_delegated(&m.classifiers, &m.roles, c),
            };
        if !ok {
            return Err(Error::ClassifierNotDelegated {
                classifier: c.to_string(),
            });
        }
    }
    Ok(())
}

/// Validate an identity certificate: S2–S9 (S11 if present), G12 type = 3, G1 self-signed,
/// subject peer name derived from the key (P9 applied to the identity), P4, G10 (required on
/// IDCs), G11.
///
/// # Errors
/// The first rule that fails.
pub fn validate_idc(idc: &Certificate, profile: Profile, now: SystemTime) -> Result<()> {
    check_common(0, idc, profile, false)?;
    let found = idc.cert_type_value().unwrap_or(0);
    if found != CertType::Identity.value() {
        return Err(Error::CertType {
            index: 0,
            found,
            expected: 3,
        });
    }
    if !idc.is_self_signed() {
        return Err(Error::NotSelfSigned { index: 0 });
    }
    match idc.subject_peer_name() {
        Some(n) if n.matches_key(idc.public_key_der()) => {}
        _ => return Err(Error::RootAuthorityMismatch),
    }
    check_time(0, &idc.validity(), now)?;
    check_eku(0, idc, true)?;
    check_flags(0, idc)
}

/// Context of an issuance (PPSEC 3.1.4.5).
#[derive(Clone, Copy, Debug)]
pub struct IssuanceContext<'a> {
    /// The group's profile.
    pub profile: Profile,
    /// The local group (I1).
    pub group: &'a PeerName,
    /// The key of a GMC already cached for this identity, if any (I2).
    pub cached_public_key: Option<&'a [u8]>,
}

/// Issuance checks I1–I5 for a new GMC issued by the last certificate of `issuer_chain`.
/// The issuer's chain itself should have passed [`validate_chain`].
///
/// # Errors
/// [`Error::IssuanceSubject`], [`Error::FriendlyNameTooLong`] (I1), [`Error::IssuanceKey`] (I2),
/// [`Error::IssuanceRole`] (I3), [`Error::IssuanceValidity`] (I4), [`Error::ChainTooLong`] (I5).
pub fn check_issuance(
    issuer_chain: &[Certificate],
    params: &GmcParams,
    ctx: &IssuanceContext<'_>,
) -> Result<()> {
    let (Some(root), Some(issuer)) = (issuer_chain.first(), issuer_chain.last()) else {
        return Err(Error::EmptyChain);
    };
    if root.group_peer_name().as_ref() != Some(ctx.group) {
        return Err(Error::IssuanceSubject {
            reason: "the issuer's chain belongs to another group",
        });
    }
    if params.subject_public_key.is_empty() {
        return Err(Error::IssuanceSubject {
            reason: "the subject identity is empty",
        });
    }
    let len = utf16_len(&params.subject_friendly_name);
    if len > MAX_FRIENDLY_NAME_LEN {
        return Err(Error::FriendlyNameTooLong { len });
    }
    match (ctx.profile, PublicKeyKind::of(&params.subject_public_key)) {
        (Profile::Windows, Some(PublicKeyKind::Rsa { modulus_len, .. })) if modulus_len >= 128 => {}
        (Profile::Modern, Some(PublicKeyKind::P256)) => {}
        _ => {
            return Err(Error::IssuanceKey {
                reason: "not a key of the group's profile (RSA >= 1024 bits / P-256)",
            });
        }
    }
    if let Some(k) = ctx.cached_public_key
        && k != params.subject_public_key.as_slice()
    {
        return Err(Error::IssuanceKey {
            reason: "differs from the key of the GMC already issued to this identity",
        });
    }
    if params.roles.is_empty() {
        return Err(Error::IssuanceRole {
            role: "(none)".into(),
        });
    }
    let issuer_roles = if issuer_chain.len() == 1 {
        None
    } else {
        Some(issuer.roles().unwrap_or_default())
    };
    if let Some(r) = params
        .roles
        .iter()
        .find(|r| !Role::issuable_by(**r, issuer_roles.as_deref()))
    {
        return Err(Error::IssuanceRole {
            role: r.to_string(),
        });
    }
    if !params.validity.within(&issuer.validity())
        || params.validity.not_before > params.validity.not_after
    {
        return Err(Error::IssuanceValidity);
    }
    if issuer_chain.len() + 1 > MAX_CHAIN_LEN {
        return Err(Error::ChainTooLong {
            len: issuer_chain.len() + 1,
        });
    }
    Ok(())
}

/// I6: the issuer of a password-join GMC must hold Administrator or Inviting Member, and the
/// group must have password authentication enabled (PPSEC 3.3.5.2.5).
///
/// # Errors
/// [`Error::PasswordIssuer`].
pub fn check_password_issuer(issuer_gmc: &Certificate, password_auth_enabled: bool) -> Result<()> {
    if !password_auth_enabled {
        return Err(Error::PasswordIssuer {
            reason: "the group does not allow password authentication",
        });
    }
    let roles = issuer_gmc.roles().unwrap_or_default();
    if roles.contains(&Role::ADMIN) || roles.contains(&Role::INVITING_MEMBER) {
        Ok(())
    } else {
        Err(Error::PasswordIssuer {
            reason: "the issuer holds neither the Administrator nor the Inviting Member role",
        })
    }
}

/// I8: the role for password joins must be Administrator or Member (§7 Q20).
///
/// # Errors
/// [`Error::PasswordRole`].
pub fn check_password_role(role: Role) -> Result<()> {
    if role == Role::ADMIN || role == Role::MEMBER {
        Ok(())
    } else {
        Err(Error::PasswordRole {
            role: role.to_string(),
        })
    }
}

/// I7: the GMC parameters for a password joiner: validate the joiner's IDC, role = the
/// group's password role, classifiers = `participant`, NotBefore = `now`, NotAfter = the
/// issuer's NotAfter, everything else from the IDC (PPSEC 3.3.5.2.5).
///
/// # Errors
/// IDC validation errors, [`Error::PasswordRole`], [`Error::IssuanceValidity`].
pub fn password_join_params(
    idc: &Certificate,
    issuer_gmc: &Certificate,
    password_role: Role,
    profile: Profile,
    now: SystemTime,
) -> crate::Result<GmcParams> {
    validate_idc(idc, profile, now)?;
    check_password_role(password_role)?;
    let validity = Validity::new(now, issuer_gmc.validity().not_after);
    if validity.not_before > validity.not_after {
        return Err(Error::IssuanceValidity.into());
    }
    let subject_peer_name = idc
        .subject_peer_name()
        .ok_or(Error::RootAuthorityMismatch)?;
    Ok(GmcParams {
        subject_public_key: idc.public_key_der().to_vec(),
        subject_peer_name,
        subject_friendly_name: idc.subject_friendly_name().to_string(),
        roles: vec![password_role],
        classifiers: vec![PARTICIPANT.to_string()],
        validity,
        serial: random_serial()?,
    })
}

/// Signature verifications [`order_chain`] may make beyond one per certificate: room for
/// issuer names that match the subject names of several certificates.
pub const ORDER_EXTRA_VERIFICATIONS: usize = MAX_CHAIN_LEN;

/// Rebuild root→leaf order from an unordered set of DER certificates (as a PKCS#7 reader
/// returns them), from SAN→IAN links confirmed by signatures, never from position.
///
/// The root is the one certificate no other certificate in the set issued. Exactly one
/// root→leaf path must use every certificate.
///
/// Work is bounded: a signature is verified only where a certificate's subject peer name is
/// another's issuer peer name, and at most one per certificate plus
/// [`ORDER_EXTRA_VERIFICATIONS`] in all (a chain whose names are distinct needs one per
/// certificate but the root). A set that needs more — issuer names shared by many
/// certificates, e.g. 64 certificates with one name would take 64·63 — is refused with
/// [`Error::ForeignCertificate`] for the certificate whose issuer was being looked for.
///
/// # Errors
/// [`Error::EmptyChain`], [`Error::MalformedInChain`], [`Error::DuplicateCertificate`],
/// [`Error::CircularChain`] (facade: PEER_E_CIRCULAR_CHAIN_DETECTED),
/// [`Error::ForeignCertificate`] for certificates that do not link or branch off.
pub fn order_chain<T: AsRef<[u8]>>(ders: &[T]) -> Result<Vec<Certificate>> {
    order_chain_counted(ders).0
}

/// [`order_chain`], also returning how many signatures it verified (for tests of the bound).
#[doc(hidden)]
pub fn order_chain_counted<T: AsRef<[u8]>>(ders: &[T]) -> (Result<Vec<Certificate>>, usize) {
    let mut verifications = 0;
    let r = order_chain_inner(ders, &mut verifications);
    (r, verifications)
}

fn order_chain_inner<T: AsRef<[u8]>>(
    ders: &[T],
    verifications: &mut usize,
) -> Result<Vec<Certificate>> {
    if ders.is_empty() {
        return Err(Error::EmptyChain);
    }
    let mut certs = Vec::with_capacity(ders.len());
    for (index, d) in ders.iter().enumerate() {
        let d = d.as_ref();
        if let Some(first) = ders[..index].iter().position(|x| x.as_ref() == d) {
            return Err(Error::DuplicateCertificate { index, first });
        }
        certs.push(
            Certificate::from_der(d).map_err(|e| Error::MalformedInChain {
                index,
                reason: e.to_string(),
            })?,
        );
    }
    let n = certs.len();
    let sans: Vec<Option<PeerName>> = certs.iter().map(Certificate::subject_peer_name).collect();
    let ians: Vec<Option<PeerName>> = certs.iter().map(Certificate::issuer_peer_name).collect();
    // Certificates by subject peer name, in input order.
    let mut by_subject: HashMap<&PeerName, Vec<usize>> = HashMap::with_capacity(n);
    for (i, san) in sans.iter().enumerate() {
        if let Some(san) = san {
            by_subject.entry(san).or_default().push(i);
        }
    }
    let budget = n.saturating_add(ORDER_EXTRA_VERIFICATIONS);
    // children[i] = certificates issued by i (ascending); parents[j] = issuers of j (ascending).
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for j in 0..n {
        let Some(candidates) = ians[j].as_ref().and_then(|ian| by_subject.get(ian)) else {
            continue;
        };
        for &i in candidates.iter().filter(|&&i| i != j) {
            if *verifications == budget {
                return Err(Error::ForeignCertificate { index: j });
            }
            *verifications += 1;
            if certs[j].verify_signed_by(certs[i].public_key_der()).is_ok() {
                children[i].push(j);
                parents[j].push(i);
            }
        }
    }
    let has_parent: Vec<bool> = parents.iter().map(|p| !p.is_empty()).collect();
    let roots: Vec<usize> = (0..n).filter(|&i| !has_parent[i]).collect();
    let root = match roots.as_slice() {
        [] => return Err(Error::CircularChain { index: 0 }),
        [r] => *r,
        many => {
            // Prefer the GRC as the root; the other parentless certificates are foreign.
            let grc = many
                .iter()
                .copied()
                .find(|&i| certs[i].cert_type() == Some(CertType::Root))
                .unwrap_or(many[0]);
            let foreign = many.iter().copied().find(|&i| i != grc).unwrap_or(many[0]);
            return Err(Error::ForeignCertificate { index: foreign });
        }
    };
    let mut order = vec![root];
    let mut seen = vec![false; n];
    seen[root] = true;
    let mut cur = root;
    loop {
        match children[cur].as_slice() {
            [] => break,
            [c] => {
                if seen[*c] {
                    return Err(Error::CircularChain { index: *c });
                }
                seen[*c] = true;
                order.push(*c);
                cur = *c;
            }
            more => {
                let c = more.iter().copied().find(|c| seen[*c]);
                return Err(match c {
                    Some(index) => Error::CircularChain { index },
                    None => Error::ForeignCertificate { index: more[1] },
                });
            }
        }
    }
    if let Some(rest) = (0..n).find(|&i| !seen[i]) {
        // A leftover certificate whose issuer chain loops back on itself is a cycle.
        let mut k = rest;
        let mut steps = 0;
        while steps <= n {
            match parents[k].first().copied() {
                Some(p) if p == rest => return Err(Error::CircularChain { index: rest }),
                Some(p) => k = p,
                None => break,
            }
            steps += 1;
        }
        if steps > n {
            return Err(Error::CircularChain { index: rest });
        }
        return Err(Error::ForeignCertificate { index: rest });
    }
    let mut out: Vec<Option<Certificate>> = certs.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| out[i].take()).collect())
}
