//! The [`Backend`] of the exported functions: the peernet facade.
//!
//! One facade call per method; a facade error becomes its HRESULT
//! ([`peernet::Error::hresult`]) unchanged. This module only converts values between the
//! C model ([`crate::model`]) and the facade's types:
//!
//! - `GUID` ⇄ [`Role`] (the Windows GUID memory layout, first three fields little-endian);
//! - 64-bit `FILETIME` ⇄ [`SystemTime`] (0 = "not given" where the structure allows it);
//! - `CERT_PUBLIC_KEY_INFO` ⇄ DER SubjectPublicKeyInfo;
//! - `PEER_GROUP_PROPERTIES` ⇄ [`peernet::GroupProperties`] (XP- and Vista-sized).
//!
//! The context: [`Facade::global`] opens the process-wide store lazily (see
//! [`crate::store`]) with [`context_options`]; [`Facade::with_context`] uses a given
//! context (tests, embedders).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use peernet::hresult::{self as hr, HResult};
use peernet::{IssueFlags, Options, Peernet, Profile, Role, Scope};
use spki::der::asn1::BitString;
use spki::der::{Any, Decode, Encode};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};

use crate::backend::{BResult, Backend, Notify};
use crate::enumeration::NamePair;
use crate::group_handles::GroupObject;
use crate::model::{CredentialInfo, GroupProperties, InvitationInfo, PublicKeyInfo};
use crate::records_api::{EventData, EventObject, Member, MemberCredential, Record, Registration};
use crate::store::{self, ContextSlot};
use crate::types::GUID;

/// The process-wide context of [`Facade::global`].
static CONTEXT: ContextSlot<Peernet> = ContextSlot::new();

/// The options of the process-wide context: new identities (and so the groups they
/// create) use the **windows** profile (RSA-1024 / SHA-1, PFX and GROUPKEY with 2000
/// iterations), because a program written against P2P.dll exchanges identity exports,
/// invitations and configurations with Windows peers.
pub fn context_options() -> Options {
    Options::default().with_default_profile(Profile::Windows)
}

/// Open the process-wide context from the store location rule.
fn open_global() -> Result<Peernet, HResult> {
    open_at(&store::location()?)
}

/// Open a context on `dir` with [`context_options`]; failures are the facade's HRESULT.
pub fn open_at(dir: &std::path::Path) -> Result<Peernet, HResult> {
    Peernet::open_with(dir, context_options()).map_err(|e| e.hresult())
}

/// The facade backend.
#[derive(Clone, Debug, Default)]
pub struct Facade {
    fixed: Option<Peernet>,
}

/// The backend of the exports.
pub static GLOBAL: Facade = Facade::global();

impl Facade {
    /// The backend on the process-wide store, opened on first use.
    pub const fn global() -> Facade {
        Facade { fixed: None }
    }

    /// A backend on a given context.
    pub fn with_context(ctx: Peernet) -> Facade {
        Facade { fixed: Some(ctx) }
    }

    /// The context (opening the process-wide one if needed; an unopenable store is the
    /// facade's HRESULT, e.g. `PEER_E_NO_KEY_ACCESS`).
    pub fn context(&self) -> Result<Peernet, HResult> {
        match &self.fixed {
            Some(c) => Ok(c.clone()),
            None => CONTEXT.get(open_global).map(|c| (*c).clone()),
        }
    }
}

/// A facade result as a backend result.
fn h<T>(r: peernet::Result<T>) -> BResult<T> {
    r.map_err(|e| e.hresult())
}

/// The facade group behind a handle (`PEER_E_INVALID_GROUP` for anything else, such as
/// the empty box left behind by a concurrent PeerGroupClose).
fn group(g: &mut GroupObject) -> BResult<&peernet::Group> {
    g.downcast_ref::<peernet::Group>()
        .ok_or(hr::PEER_E_INVALID_GROUP)
}

fn boxed(g: peernet::Group) -> GroupObject {
    Box::new(g)
}

/// `GUID` → role (GUID memory layout, as roles are stored in certificates).
pub fn role_of(g: &GUID) -> Role {
    let mut b = [0u8; 16];
    b[0..4].copy_from_slice(&g.Data1.to_le_bytes());
    b[4..6].copy_from_slice(&g.Data2.to_le_bytes());
    b[6..8].copy_from_slice(&g.Data3.to_le_bytes());
    b[8..16].copy_from_slice(&g.Data4);
    Role::from_bytes(b)
}

/// Role → `GUID`.
pub fn guid_of(r: Role) -> GUID {
    let b = r.to_bytes();
    GUID {
        Data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        Data2: u16::from_le_bytes([b[4], b[5]]),
        Data3: u16::from_le_bytes([b[6], b[7]]),
        Data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
    }
}

/// 64-bit `FILETIME` (100 ns ticks since 1601) ↔ `SystemTime`: the facade's conversions
/// (saturating at 0 and at `i64::MAX` ticks, the largest FILETIME Windows accepts), under the
/// names this layer uses.
pub use peernet::{from_filetime as system_time, to_filetime as filetime};

/// DER SubjectPublicKeyInfo → `CERT_PUBLIC_KEY_INFO` values (`E_FAIL` if the facade
/// handed out something that is not one, which would be a bug).
pub fn public_key_info(spki_der: &[u8]) -> BResult<PublicKeyInfo> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(|_| hr::E_FAIL)?;
    let parameters = match &spki.algorithm.parameters {
        Some(p) => p.to_der().map_err(|_| hr::E_FAIL)?,
        None => Vec::new(),
    };
    Ok(PublicKeyInfo {
        algorithm_oid: spki.algorithm.oid.to_string(),
        parameters,
        public_key: spki.subject_public_key.raw_bytes().to_vec(),
        unused_bits: u32::from(spki.subject_public_key.unused_bits()),
    })
}

/// `CERT_PUBLIC_KEY_INFO` values → DER SubjectPublicKeyInfo (`E_INVALIDARG` for a bad
/// OID, parameters that are not one DER value, or more than 7 unused bits).
pub fn spki_der(k: &PublicKeyInfo) -> BResult<Vec<u8>> {
    let oid = ObjectIdentifier::new(&k.algorithm_oid).map_err(|_| hr::E_INVALIDARG)?;
    let parameters = if k.parameters.is_empty() {
        None
    } else {
        Some(Any::from_der(&k.parameters).map_err(|_| hr::E_INVALIDARG)?)
    };
    let unused = u8::try_from(k.unused_bits).map_err(|_| hr::E_INVALIDARG)?;
    let key = BitString::new(unused, k.public_key.clone()).map_err(|_| hr::E_INVALIDARG)?;
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid, parameters },
        subject_public_key: key,
    }
    .to_der()
    .map_err(|_| hr::E_INVALIDARG)
}

/// C properties → facade properties. `ulPresenceLifetime` 0 means the documented
/// default (300 s); NULL strings are empty; the password role is taken as given (the
/// facade checks it only when password authentication is enabled).
pub fn to_facade_properties(p: &GroupProperties) -> peernet::GroupProperties {
    let mut f = peernet::GroupProperties::new(
        p.classifier.clone().unwrap_or_default(),
        p.friendly_name.clone().unwrap_or_default(),
    );
    f.flags = p.flags;
    f.cloud = p.cloud.clone().filter(|c| !c.is_empty());
    f.group_peer_name = p.group_peer_name.clone();
    f.creator_peer_name = p.creator_peer_name.clone().filter(|c| !c.is_empty());
    f.comment = p.comment.clone().unwrap_or_default();
    f.member_data_lifetime = p.member_data_lifetime;
    f.presence_lifetime = if p.presence_lifetime == 0 {
        peernet::MIN_PRESENCE_LIFETIME
    } else {
        p.presence_lifetime
    };
    f.authentication_schemes = p.authentication_schemes;
    f.group_password = p.group_password.clone().map(peernet::Secret::from);
    f.group_password_role = role_of(&p.group_password_role);
    f
}

/// Facade properties → C properties (the password is never returned).
pub fn from_facade_properties(f: &peernet::GroupProperties) -> GroupProperties {
    GroupProperties {
        flags: f.flags,
        cloud: f.cloud.clone(),
        classifier: Some(f.classifier.clone()),
        group_peer_name: f.group_peer_name.clone(),
        creator_peer_name: f.creator_peer_name.clone(),
        friendly_name: Some(f.friendly_name.clone()),
        comment: Some(f.comment.clone()),
        member_data_lifetime: f.member_data_lifetime,
        presence_lifetime: f.presence_lifetime,
        authentication_schemes: f.authentication_schemes,
        group_password: None,
        group_password_role: guid_of(f.group_password_role),
    }
}

fn scope_value(s: Scope) -> u32 {
    s.value()
}

/// Facade invitation info → C model.
pub fn from_facade_invitation(i: &peernet::InvitationInfo) -> BResult<InvitationInfo> {
    Ok(InvitationInfo {
        cloud_name: Some(i.cloud_name.clone()),
        scope: scope_value(i.scope),
        cloud_flags: i.cloud_flags,
        group_peer_name: Some(i.group_peer_name.clone()),
        issuer_peer_name: i.issuer_peer_name.clone(),
        subject_peer_name: i.subject_peer_name.clone(),
        group_friendly_name: Some(i.group_friendly_name.clone()),
        issuer_friendly_name: i.issuer_friendly_name.clone(),
        subject_friendly_name: i.subject_friendly_name.clone(),
        validity_start: i.validity_start.map_or(0, filetime),
        validity_end: i.validity_end.map_or(0, filetime),
        roles: i.roles.iter().map(|r| guid_of(*r)).collect(),
        classifiers: i.classifiers.clone(),
        subject_public_key: match &i.subject_public_key {
            Some(k) => Some(public_key_info(k)?),
            None => None,
        },
        auth_scheme: i.auth_scheme,
    })
}

/// C credential info → facade credential info. A NULL `pPublicKey` is `E_INVALIDARG`
/// (the GMC is issued for that key); a zero `FILETIME` is "not given" (start now / end
/// with the issuer's credentials).
pub fn to_facade_credential(c: &CredentialInfo) -> BResult<peernet::CredentialInfo> {
    let key = c.public_key.as_ref().ok_or(hr::E_INVALIDARG)?;
    let roles: Vec<Role> = c.roles.iter().map(role_of).collect();
    let mut f = peernet::CredentialInfo::new(
        c.friendly_name.clone().unwrap_or_default(),
        spki_der(key)?,
        &roles,
    );
    f.validity_start = (c.validity_start != 0).then(|| system_time(c.validity_start));
    f.validity_end = (c.validity_end != 0).then(|| system_time(c.validity_end));
    Ok(f)
}

fn pairs(v: Vec<peernet::NamePair>) -> Vec<NamePair> {
    v.into_iter()
        .map(|p| NamePair {
            peer_name: p.peer_name,
            friendly_name: p.friendly_name,
        })
        .collect()
}

impl Backend for Facade {
    fn identity_create(
        &self,
        classifier: Option<&str>,
        friendly_name: Option<&str>,
    ) -> BResult<String> {
        h(self
            .context()?
            .identity_create(classifier, friendly_name, None))
    }

    fn identity_delete(&self, identity: &str) -> BResult<()> {
        h(self.context()?.identity_delete(identity))
    }

    fn identity_export(&self, identity: &str, password: &str) -> BResult<String> {
        h(self.context()?.identity_export(identity, password))
    }

    fn identity_import(&self, xml: &str, password: &str) -> BResult<String> {
        h(self.context()?.identity_import(xml, password))
    }

    fn identity_xml(&self, identity: &str) -> BResult<String> {
        h(self.context()?.identity_get_xml(Some(identity)))
    }

    fn identity_friendly_name(&self, identity: &str) -> BResult<String> {
        h(self.context()?.identity_get_friendly_name(identity))
    }

    fn identity_set_friendly_name(
        &self,
        identity: &str,
        friendly_name: Option<&str>,
    ) -> BResult<()> {
        h(self
            .context()?
            .identity_set_friendly_name(identity, friendly_name))
    }

    fn identity_default(&self) -> BResult<String> {
        h(self.context()?.identity_get_default())
    }

    // identity_crypt_key: the trait's E_NOTIMPL. A CryptoAPI provider handle cannot exist
    // off Windows (the facade offers `identity_get_crypt_key` as a typed key instead).

    fn create_peer_name(
        &self,
        identity: Option<&str>,
        classifier: Option<&str>,
    ) -> BResult<String> {
        // Needs no store, as on Windows.
        h(peernet::create_peer_name(identity, classifier))
    }

    fn enum_identities(&self) -> BResult<Vec<NamePair>> {
        h(self.context()?.enum_identities()).map(pairs)
    }

    fn enum_groups(&self, identity: &str) -> BResult<Vec<NamePair>> {
        h(self.context()?.enum_groups(identity)).map(pairs)
    }

    fn group_create(&self, properties: &GroupProperties) -> BResult<GroupObject> {
        let props = to_facade_properties(properties);
        h(self.context()?.group_create(&props)).map(boxed)
    }

    fn group_open(
        &self,
        identity: &str,
        group_peer_name: &str,
        cloud: Option<&str>,
    ) -> BResult<GroupObject> {
        h(self.context()?.group_open(identity, group_peer_name, cloud)).map(boxed)
    }

    fn group_join(
        &self,
        identity: &str,
        invitation: &str,
        cloud: Option<&str>,
    ) -> BResult<GroupObject> {
        h(self
            .context()?
            .group_join(Some(identity), invitation, cloud))
        .map(boxed)
    }

    fn group_password_join(
        &self,
        identity: &str,
        invitation: &str,
        password: &str,
        cloud: Option<&str>,
    ) -> BResult<(GroupObject, HResult)> {
        let (g, outcome) =
            h(self
                .context()?
                .group_password_join(Some(identity), invitation, password, cloud))?;
        Ok((boxed(g), outcome.hresult()))
    }

    fn group_connect(&self, g: &mut GroupObject) -> BResult<HResult> {
        h(group(g)?.connect()).map(|()| hr::S_OK)
    }

    fn group_close(&self, g: GroupObject) -> BResult<()> {
        match g.downcast::<peernet::Group>() {
            Ok(g) => h(g.close()),
            // The emptied box of a handle closed concurrently: nothing to release.
            Err(_) => Ok(()),
        }
    }

    fn group_delete(&self, identity: &str, group_peer_name: &str) -> BResult<()> {
        h(self
            .context()?
            .group_delete(Some(identity), group_peer_name))
    }

    fn group_create_invitation(
        &self,
        g: &mut GroupObject,
        identity_info: &str,
        expiration: Option<u64>,
        roles: &[GUID],
    ) -> BResult<String> {
        let roles: Vec<Role> = roles.iter().map(role_of).collect();
        h(group(g)?.create_invitation(identity_info, expiration.map(system_time), &roles))
    }

    fn group_create_password_invitation(&self, g: &mut GroupObject) -> BResult<String> {
        h(group(g)?.create_password_invitation())
    }

    fn group_parse_invitation(&self, invitation: &str) -> BResult<InvitationInfo> {
        // Needs no store: validity is judged by the system clock.
        let info = h(peernet::parse_invitation(invitation, SystemTime::now()))?;
        from_facade_invitation(&info)
    }

    fn group_issue_credentials(
        &self,
        g: &mut GroupObject,
        subject_identity: &str,
        credential: Option<&CredentialInfo>,
        flags: u32,
    ) -> BResult<String> {
        let flags = IssueFlags::from_bits(flags).ok_or(hr::E_INVALIDARG)?;
        let info = credential.map(to_facade_credential).transpose()?;
        h(group(g)?.issue_credentials(subject_identity, info.as_ref(), flags))
    }

    fn group_export_config(&self, g: &mut GroupObject, password: &str) -> BResult<String> {
        h(group(g)?.export_config(password))
    }

    fn group_import_config(
        &self,
        xml: &str,
        password: &str,
        overwrite: bool,
    ) -> BResult<(String, String)> {
        let r = h(self
            .context()?
            .group_import_config(xml, password, overwrite))?;
        Ok((r.identity, r.group_peer_name))
    }

    fn group_properties(&self, g: &mut GroupObject) -> BResult<GroupProperties> {
        h(group(g)?.get_properties()).map(|p| from_facade_properties(&p))
    }

    fn group_set_properties(
        &self,
        g: &mut GroupObject,
        properties: &GroupProperties,
    ) -> BResult<()> {
        let g = group(g)?;
        let mut props = to_facade_properties(properties);
        // Immutable fields left NULL / zero (an XP-sized structure, or a caller filling
        // only what it changes) mean "unchanged", so they are taken from the group.
        let role_unset = properties.group_password_role == GUID::NULL;
        if properties.classifier.is_none() || properties.authentication_schemes == 0 || role_unset {
            let cur = h(g.get_properties())?;
            if properties.classifier.is_none() {
                props.classifier = cur.classifier;
            }
            if properties.authentication_schemes == 0 {
                props.authentication_schemes = cur.authentication_schemes;
            }
            if role_unset {
                props.group_password_role = cur.group_password_role;
            }
        }
        h(g.set_properties(&props))
    }

    fn group_status(&self, g: &mut GroupObject) -> BResult<u32> {
        h(group(g)?.get_status()).map(|s| s.flags)
    }

    fn group_universal_to_peer_time(&self, g: &mut GroupObject, universal: u64) -> BResult<u64> {
        let _ = universal;
        not_synchronized(group(g)?)
    }

    fn group_peer_to_universal_time(&self, g: &mut GroupObject, peer: u64) -> BResult<u64> {
        let _ = peer;
        not_synchronized(group(g)?)
    }

    fn group_add_record(&self, g: &mut GroupObject, record: &Record) -> BResult<GUID> {
        let r = to_facade_record(record);
        h(group(g)?.add_record(&r)).map(|id| guid_from_bytes(&id))
    }

    fn group_update_record(&self, g: &mut GroupObject, record: &Record) -> BResult<()> {
        let r = to_facade_record(record);
        h(group(g)?.update_record(&r))
    }

    fn group_delete_record(&self, g: &mut GroupObject, id: &GUID) -> BResult<()> {
        h(group(g)?.delete_record(&guid_bytes(id)))
    }

    fn group_get_record(&self, g: &mut GroupObject, id: &GUID) -> BResult<Record> {
        h(group(g)?.get_record(&guid_bytes(id))).map(|r| from_facade_record(&r))
    }

    fn group_enum_records(
        &self,
        g: &mut GroupObject,
        record_type: Option<&GUID>,
    ) -> BResult<Vec<Record>> {
        let t = record_type.map(guid_bytes);
        h(group(g)?.enum_records(t.as_ref())).map(|v| v.iter().map(from_facade_record).collect())
    }

    fn group_search_records(&self, g: &mut GroupObject, query: &str) -> BResult<Vec<Record>> {
        h(group(g)?.search_records(query)).map(|v| v.iter().map(from_facade_record).collect())
    }

    fn group_enum_members(
        &self,
        g: &mut GroupObject,
        flags: u32,
        identity: Option<&str>,
    ) -> BResult<Vec<Member>> {
        let v = h(group(g)?.enum_members(flags, identity))?;
        v.iter().map(from_facade_member).collect()
    }

    fn group_export_database(&self, g: &mut GroupObject, path: &str) -> BResult<()> {
        h(group(g)?.export_database(std::path::Path::new(path)))
    }

    fn group_import_database(&self, g: &mut GroupObject, path: &str) -> BResult<()> {
        h(group(g)?.import_database(std::path::Path::new(path)))
    }

    fn group_register_event(
        &self,
        g: &mut GroupObject,
        registrations: &[Registration],
        notify: Option<Notify>,
    ) -> BResult<EventObject> {
        let regs: Vec<peernet::EventRegistration> = registrations
            .iter()
            .map(|r| peernet::EventRegistration {
                event_type: r.event_type,
                record_type: r.record_type.as_ref().map(guid_bytes),
            })
            .collect();
        let handle = h(group(g)?.register_event(&regs))?;
        if let Some(f) = notify {
            handle.set_notify(f);
        }
        Ok(std::sync::Arc::new(handle))
    }

    fn event_get_data(
        &self,
        event: &(dyn std::any::Any + Send + Sync),
    ) -> BResult<Option<EventData>> {
        let e = event
            .downcast_ref::<peernet::EventHandle>()
            .ok_or(hr::E_INVALIDARG)?;
        Ok(e.get_event_data().map(|d| from_facade_event(&d.event)))
    }

    fn event_wait(
        &self,
        event: &(dyn std::any::Any + Send + Sync),
        timeout: Duration,
    ) -> BResult<bool> {
        let e = event
            .downcast_ref::<peernet::EventHandle>()
            .ok_or(hr::E_INVALIDARG)?;
        Ok(e.wait(timeout))
    }
}

/// `GUID` → the 16 bytes of its Windows memory layout.
pub fn guid_bytes(g: &GUID) -> [u8; 16] {
    role_of(g).to_bytes()
}

/// 16 bytes of Windows memory layout → `GUID`.
pub fn guid_from_bytes(b: &[u8; 16]) -> GUID {
    guid_of(Role::from_bytes(*b))
}

/// A C record as the facade's (infrastructure fields are ignored by add/update).
pub fn to_facade_record(r: &Record) -> peernet::Record {
    peernet::Record {
        record_type: guid_bytes(&r.record_type),
        id: guid_bytes(&r.id),
        version: r.version,
        flags: r.flags,
        creator_id: String::new(),
        modified_by_id: String::new(),
        attributes: r.attributes.clone(),
        creation: UNIX_EPOCH,
        expiration: peernet::from_filetime(r.expiration),
        last_modified: UNIX_EPOCH,
        security_data: Vec::new(),
        data: r.data.clone(),
    }
}

/// The facade's record as the C model.
pub fn from_facade_record(r: &peernet::Record) -> Record {
    Record {
        record_type: guid_from_bytes(&r.record_type),
        id: guid_from_bytes(&r.id),
        version: r.version,
        flags: r.flags,
        creator_id: Some(r.creator_id.clone()),
        modified_by_id: Some(r.modified_by_id.clone()),
        attributes: r.attributes.clone(),
        creation: peernet::to_filetime(r.creation),
        expiration: peernet::to_filetime(r.expiration),
        last_modified: peernet::to_filetime(r.last_modified),
        security_data: r.security_data.clone(),
        data: r.data.clone(),
    }
}

fn from_facade_member(m: &peernet::Member) -> BResult<Member> {
    let credential = match &m.credentials {
        Some(c) => Some(MemberCredential {
            friendly_name: c.friendly_name.clone(),
            public_key: public_key_info(&c.public_key)?,
            issuer_peer_name: c.issuer_peer_name.clone(),
            issuer_friendly_name: c.issuer_friendly_name.clone(),
            validity_start: filetime(c.validity_start),
            validity_end: filetime(c.validity_end),
            roles: c.roles.iter().map(|r| guid_of(*r)).collect(),
        }),
        None => None,
    };
    Ok(Member {
        flags: m.flags,
        identity: m.identity.clone(),
        attributes: m.attributes.clone(),
        node_id: m.node_id,
        credential,
    })
}

fn from_facade_event(e: &peernet::GroupEvent) -> EventData {
    match e {
        peernet::GroupEvent::StatusChanged { status } => EventData::Status(*status),
        peernet::GroupEvent::PropertyChanged => EventData::Property,
        peernet::GroupEvent::RecordChanged {
            change,
            record_id,
            record_type,
        } => EventData::Record(
            change.to_u32(),
            guid_from_bytes(record_id),
            guid_from_bytes(record_type),
        ),
        peernet::GroupEvent::MemberChanged { change, identity } => {
            EventData::Member(change.to_u32(), identity.clone())
        }
    }
}

/// Peer time is the group's synchronized clock, which exists only once the group is
/// connected; peernet does not connect (PeerGroupConnect is `E_NOTIMPL`), so a valid
/// group is always in the state Windows reports before synchronization:
/// `PEER_E_GROUP_NOT_READY`. A deleted group is `PEER_E_INVALID_GROUP`.
fn not_synchronized(g: &peernet::Group) -> BResult<u64> {
    h(g.check())?;
    Err(hr::PEER_E_GROUP_NOT_READY)
}

#[cfg(test)]
#[path = "facade_tests.rs"]
mod tests;
