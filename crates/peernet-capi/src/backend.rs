//! The seam between the C argument layer and the peernet facade.
//!
//! [`identity_api`](crate::identity_api) and [`group_api`](crate::group_api) validate C
//! arguments, convert strings and structures to Rust values, apply the documented
//! defaults, call ONE method of [`Backend`] and write the results back as
//! `PeerFreeData` blocks / handles. [`crate::facade::Facade`] implements these methods
//! with one facade call each; the exports in [`crate::exports`] use it.
//!
//! Every method defaults to `E_NOTIMPL` ([`Unwired`] keeps all defaults; the facade keeps
//! it for `identity_crypt_key` only). Errors are the facade's HRESULTs, passed to C
//! unchanged.

use peernet::HResult;
use peernet::hresult::E_NOTIMPL;

use crate::enumeration::NamePair;
use crate::group_handles::GroupObject;
use crate::model::{CredentialInfo, GroupProperties, InvitationInfo};
use crate::records_api::{EventData, EventObject, Member, Record, Registration};
use crate::types::{GUID, HCRYPTPROV};

/// The callback a registration calls when events have been queued (the `hEvent`
/// substitute).
pub type Notify = Box<dyn Fn() + Send + Sync>;

/// Result of a backend call.
pub type BResult<T> = Result<T, HResult>;

/// What the C ABI needs from the facade. Strings are already validated UTF-8; optional
/// arguments the documentation defaults (NULL identity → default identity, …) arrive
/// resolved, except where the default is the facade's business (noted per method).
#[allow(unused_variables)]
pub trait Backend {
    /// Grouping started? (Tests substitute their own answer.)
    fn is_started(&self) -> bool {
        crate::startup::is_started()
    }

    /// PeerIdentityCreate. `classifier`/`friendly_name` `None` = documented defaults
    /// (no classifier; friendly name = the identity's peer name). `hCryptProv` is always
    /// 0 here (a non-zero CSP handle is rejected before the call).
    fn identity_create(
        &self,
        classifier: Option<&str>,
        friendly_name: Option<&str>,
    ) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityDelete.
    fn identity_delete(&self, identity: &str) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityExport → PEERIDENTITYEXPORT XML.
    fn identity_export(&self, identity: &str, password: &str) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityImport → the imported identity's peer name.
    fn identity_import(&self, xml: &str, password: &str) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityGetXML → PEERIDENTITYINFO XML.
    fn identity_xml(&self, identity: &str) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityGetFriendlyName.
    fn identity_friendly_name(&self, identity: &str) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentitySetFriendlyName; `None` = reset to the default (the peer name).
    fn identity_set_friendly_name(
        &self,
        identity: &str,
        friendly_name: Option<&str>,
    ) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityGetDefault: the user's default identity, created when there is none
    /// (PeerIdentityGetXML(NULL) relies on that).
    fn identity_default(&self) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerIdentityGetCryptKey: a CryptoAPI provider handle. No CSP exists off Windows.
    fn identity_crypt_key(&self, identity: &str) -> BResult<HCRYPTPROV> {
        Err(E_NOTIMPL)
    }
    /// PeerCreatePeerName; at least one argument is `Some`.
    fn create_peer_name(
        &self,
        identity: Option<&str>,
        classifier: Option<&str>,
    ) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerEnumIdentities: (peer name, friendly name) of every identity.
    fn enum_identities(&self) -> BResult<Vec<NamePair>> {
        Err(E_NOTIMPL)
    }
    /// PeerEnumGroups: (group peer name, group friendly name) of the identity's groups.
    fn enum_groups(&self, identity: &str) -> BResult<Vec<NamePair>> {
        Err(E_NOTIMPL)
    }

    /// PeerGroupCreate. `creator_peer_name` is resolved (NULL → default identity);
    /// `group_peer_name` is always `None`.
    fn group_create(&self, properties: &GroupProperties) -> BResult<GroupObject> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupOpen; `cloud` `None` = the cloud in the group's properties.
    fn group_open(
        &self,
        identity: &str,
        group_peer_name: &str,
        cloud: Option<&str>,
    ) -> BResult<GroupObject> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupJoin; `cloud` `None` = the invitation's cloud.
    fn group_join(
        &self,
        identity: &str,
        invitation: &str,
        cloud: Option<&str>,
    ) -> BResult<GroupObject> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupPasswordJoin; the success code may be `PEER_S_ALREADY_A_MEMBER`.
    fn group_password_join(
        &self,
        identity: &str,
        invitation: &str,
        password: &str,
        cloud: Option<&str>,
    ) -> BResult<(GroupObject, HResult)> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupConnect; the success code may be `PEER_S_ALREADY_CONNECTED`.
    fn group_connect(&self, group: &mut GroupObject) -> BResult<HResult> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupClose: the handle is already gone from the table; release the group.
    fn group_close(&self, group: GroupObject) -> BResult<()> {
        Ok(())
    }
    /// PeerGroupDelete (identity resolved: NULL → default identity).
    fn group_delete(&self, identity: &str, group_peer_name: &str) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupCreateInvitation; `expiration` `None` = the issuer's remaining lifetime;
    /// `roles` may be empty (the facade picks the documented default).
    fn group_create_invitation(
        &self,
        group: &mut GroupObject,
        identity_info: &str,
        expiration: Option<u64>,
        roles: &[GUID],
    ) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupCreatePasswordInvitation.
    fn group_create_password_invitation(&self, group: &mut GroupObject) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupParseInvitation.
    fn group_parse_invitation(&self, invitation: &str) -> BResult<InvitationInfo> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupIssueCredentials; `credential` `None` = the subject's data already in
    /// the group database; `flags` is 0 or PEER_GROUP_STORE_CREDENTIALS.
    fn group_issue_credentials(
        &self,
        group: &mut GroupObject,
        subject_identity: &str,
        credential: Option<&CredentialInfo>,
        flags: u32,
    ) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupExportConfig → PEERGROUPCONFIG XML.
    fn group_export_config(&self, group: &mut GroupObject, password: &str) -> BResult<String> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupImportConfig → (identity peer name, group peer name).
    fn group_import_config(
        &self,
        xml: &str,
        password: &str,
        overwrite: bool,
    ) -> BResult<(String, String)> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupGetProperties.
    fn group_properties(&self, group: &mut GroupObject) -> BResult<GroupProperties> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupSetProperties.
    fn group_set_properties(
        &self,
        group: &mut GroupObject,
        properties: &GroupProperties,
    ) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupGetStatus: OR of PEER_GROUP_STATUS flags.
    fn group_status(&self, group: &mut GroupObject) -> BResult<u32> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupUniversalTimeToPeerTime (64-bit FILETIME values).
    fn group_universal_to_peer_time(
        &self,
        group: &mut GroupObject,
        universal: u64,
    ) -> BResult<u64> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupPeerTimeToUniversalTime (64-bit FILETIME values).
    fn group_peer_to_universal_time(&self, group: &mut GroupObject, peer: u64) -> BResult<u64> {
        Err(E_NOTIMPL)
    }

    /// PeerGroupAddRecord → the new record id. Infrastructure fields of `record` are to
    /// be ignored.
    fn group_add_record(&self, group: &mut GroupObject, record: &Record) -> BResult<GUID> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupUpdateRecord.
    fn group_update_record(&self, group: &mut GroupObject, record: &Record) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupDeleteRecord.
    fn group_delete_record(&self, group: &mut GroupObject, id: &GUID) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupGetRecord.
    fn group_get_record(&self, group: &mut GroupObject, id: &GUID) -> BResult<Record> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupEnumRecords; `record_type` `None` = all.
    fn group_enum_records(
        &self,
        group: &mut GroupObject,
        record_type: Option<&GUID>,
    ) -> BResult<Vec<Record>> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupSearchRecords.
    fn group_search_records(&self, group: &mut GroupObject, query: &str) -> BResult<Vec<Record>> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupEnumMembers; `flags` is 0 or PEER_MEMBER_PRESENT.
    fn group_enum_members(
        &self,
        group: &mut GroupObject,
        flags: u32,
        identity: Option<&str>,
    ) -> BResult<Vec<Member>> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupExportDatabase (path not empty).
    fn group_export_database(&self, group: &mut GroupObject, path: &str) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupImportDatabase (path not empty).
    fn group_import_database(&self, group: &mut GroupObject, path: &str) -> BResult<()> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupRegisterEvent (1..=64 registrations); `notify` is called when events
    /// have been queued.
    fn group_register_event(
        &self,
        group: &mut GroupObject,
        registrations: &[Registration],
        notify: Option<Notify>,
    ) -> BResult<EventObject> {
        Err(E_NOTIMPL)
    }
    /// PeerGroupGetEventData: the next event, `None` when the queue is empty.
    fn event_get_data(
        &self,
        event: &(dyn std::any::Any + Send + Sync),
    ) -> BResult<Option<EventData>> {
        Err(E_NOTIMPL)
    }
    /// PeernetWaitForGroupEvent: whether an event is queued before `timeout`.
    fn event_wait(
        &self,
        event: &(dyn std::any::Any + Send + Sync),
        timeout: std::time::Duration,
    ) -> BResult<bool> {
        Err(E_NOTIMPL)
    }
}

/// The backend before the facade is wired: every call is `E_NOTIMPL`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unwired;

impl Backend for Unwired {}
