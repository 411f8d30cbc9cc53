//! A recording backend for the argument-layer tests.

use std::cell::RefCell;

use peernet::HResult;
use peernet::hresult::{PEER_S_ALREADY_A_MEMBER, S_OK};

use crate::backend::{BResult, Backend, Notify};
use crate::enumeration::NamePair;
use crate::group_handles::GroupObject;
use crate::model::{CredentialInfo, GroupProperties, InvitationInfo};
use crate::records_api::{EventData, EventObject, Member, MemberCredential, Record, Registration};
use crate::types::{GUID, HCRYPTPROV};
use crate::wide::{encode, read_req};

/// Records every call as a line of text and answers with fixed values.
pub struct Mock {
    pub started: bool,
    pub calls: RefCell<Vec<String>>,
    pub fail: Option<HResult>,
}

impl Mock {
    pub fn new() -> Self {
        Mock {
            started: true,
            calls: RefCell::new(Vec::new()),
            fail: None,
        }
    }

    pub fn failing(hr: HResult) -> Self {
        Mock {
            fail: Some(hr),
            ..Mock::new()
        }
    }

    pub fn stopped() -> Self {
        Mock {
            started: false,
            ..Mock::new()
        }
    }

    fn call<T>(&self, line: String, v: T) -> BResult<T> {
        self.calls.borrow_mut().push(line);
        match self.fail {
            Some(hr) => Err(hr),
            None => Ok(v),
        }
    }

    pub fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }
}

/// The object the mock puts behind an HGROUP.
#[derive(Debug, PartialEq)]
pub struct MockGroup(pub String);

fn name(g: &GroupObject) -> String {
    g.downcast_ref::<MockGroup>()
        .map_or_else(|| "?".into(), |g| g.0.clone())
}

impl Backend for Mock {
    fn is_started(&self) -> bool {
        self.started
    }
    fn identity_create(&self, c: Option<&str>, f: Option<&str>) -> BResult<String> {
        self.call(format!("identity_create {c:?} {f:?}"), "abc.new".into())
    }
    fn identity_delete(&self, i: &str) -> BResult<()> {
        self.call(format!("identity_delete {i}"), ())
    }
    fn identity_export(&self, i: &str, p: &str) -> BResult<String> {
        self.call(
            format!("identity_export {i} {p}"),
            "<PEERIDENTITYEXPORT/>".into(),
        )
    }
    fn identity_import(&self, x: &str, p: &str) -> BResult<String> {
        self.call(format!("identity_import {x} {p}"), "abc.imported".into())
    }
    fn identity_xml(&self, i: &str) -> BResult<String> {
        self.call(format!("identity_xml {i}"), "<PEERIDENTITYINFO/>".into())
    }
    fn identity_friendly_name(&self, i: &str) -> BResult<String> {
        self.call(format!("identity_friendly_name {i}"), "Friendly".into())
    }
    fn identity_set_friendly_name(&self, i: &str, f: Option<&str>) -> BResult<()> {
        self.call(format!("identity_set_friendly_name {i} {f:?}"), ())
    }
    fn identity_default(&self) -> BResult<String> {
        self.call("identity_default".into(), "abc.default".into())
    }
    fn identity_crypt_key(&self, i: &str) -> BResult<HCRYPTPROV> {
        self.call(format!("identity_crypt_key {i}"), 42)
    }
    fn create_peer_name(&self, i: Option<&str>, c: Option<&str>) -> BResult<String> {
        self.call(format!("create_peer_name {i:?} {c:?}"), "0.x".into())
    }
    fn enum_identities(&self) -> BResult<Vec<NamePair>> {
        let v = vec![NamePair {
            peer_name: "abc.a".into(),
            friendly_name: "A".into(),
        }];
        self.call("enum_identities".into(), v)
    }
    fn enum_groups(&self, i: &str) -> BResult<Vec<NamePair>> {
        self.call(format!("enum_groups {i}"), vec![])
    }
    fn group_create(&self, p: &GroupProperties) -> BResult<GroupObject> {
        let line = format!("group_create {:?} {:?}", p.creator_peer_name, p.classifier);
        self.call(line, Box::new(MockGroup("created".into())) as GroupObject)
    }
    fn group_open(&self, i: &str, g: &str, c: Option<&str>) -> BResult<GroupObject> {
        self.call(
            format!("group_open {i} {g} {c:?}"),
            Box::new(MockGroup(g.into())) as GroupObject,
        )
    }
    fn group_join(&self, i: &str, inv: &str, c: Option<&str>) -> BResult<GroupObject> {
        self.call(
            format!("group_join {i} {inv} {c:?}"),
            Box::new(MockGroup("joined".into())) as GroupObject,
        )
    }
    fn group_password_join(
        &self,
        i: &str,
        inv: &str,
        p: &str,
        c: Option<&str>,
    ) -> BResult<(GroupObject, HResult)> {
        let g = Box::new(MockGroup("pwjoined".into())) as GroupObject;
        self.call(
            format!("group_password_join {i} {inv} {p} {c:?}"),
            (g, PEER_S_ALREADY_A_MEMBER),
        )
    }
    fn group_connect(&self, g: &mut GroupObject) -> BResult<HResult> {
        self.call(format!("group_connect {}", name(g)), S_OK)
    }
    fn group_close(&self, g: GroupObject) -> BResult<()> {
        self.call(format!("group_close {}", name(&g)), ())
    }
    fn group_delete(&self, i: &str, g: &str) -> BResult<()> {
        self.call(format!("group_delete {i} {g}"), ())
    }
    fn group_create_invitation(
        &self,
        g: &mut GroupObject,
        info: &str,
        e: Option<u64>,
        r: &[GUID],
    ) -> BResult<String> {
        self.call(
            format!(
                "group_create_invitation {} {info} {e:?} {}",
                name(g),
                r.len()
            ),
            "<PEERINVITATION/>".into(),
        )
    }
    fn group_create_password_invitation(&self, g: &mut GroupObject) -> BResult<String> {
        self.call(
            format!("group_create_password_invitation {}", name(g)),
            "<PEERINVITATION/>".into(),
        )
    }
    fn group_parse_invitation(&self, inv: &str) -> BResult<InvitationInfo> {
        let info = InvitationInfo {
            cloud_name: Some("Global_".into()),
            scope: 1,
            ..Default::default()
        };
        self.call(format!("group_parse_invitation {inv}"), info)
    }
    fn group_issue_credentials(
        &self,
        g: &mut GroupObject,
        s: &str,
        c: Option<&CredentialInfo>,
        f: u32,
    ) -> BResult<String> {
        let roles = c.map(|c| c.roles.len());
        self.call(
            format!("group_issue_credentials {} {s} {roles:?} {f}", name(g)),
            "<PEERINVITATION/>".into(),
        )
    }
    fn group_export_config(&self, g: &mut GroupObject, p: &str) -> BResult<String> {
        self.call(
            format!("group_export_config {} {p}", name(g)),
            "<PEERGROUPCONFIG/>".into(),
        )
    }
    fn group_import_config(&self, x: &str, p: &str, o: bool) -> BResult<(String, String)> {
        self.call(
            format!("group_import_config {x} {p} {o}"),
            ("abc.id".into(), "def.grp".into()),
        )
    }
    fn group_properties(&self, g: &mut GroupObject) -> BResult<GroupProperties> {
        let p = GroupProperties {
            friendly_name: Some("G".into()),
            presence_lifetime: 300,
            ..Default::default()
        };
        self.call(format!("group_properties {}", name(g)), p)
    }
    fn group_set_properties(&self, g: &mut GroupObject, p: &GroupProperties) -> BResult<()> {
        self.call(
            format!("group_set_properties {} {:?}", name(g), p.friendly_name),
            (),
        )
    }
    fn group_status(&self, g: &mut GroupObject) -> BResult<u32> {
        self.call(format!("group_status {}", name(g)), 3)
    }
    fn group_universal_to_peer_time(&self, g: &mut GroupObject, t: u64) -> BResult<u64> {
        self.call(
            format!("group_universal_to_peer_time {} {t}", name(g)),
            t + 10,
        )
    }
    fn group_peer_to_universal_time(&self, g: &mut GroupObject, t: u64) -> BResult<u64> {
        self.call(
            format!("group_peer_to_universal_time {} {t}", name(g)),
            t - 10,
        )
    }
    fn group_add_record(&self, g: &mut GroupObject, r: &Record) -> BResult<GUID> {
        self.call(
            format!(
                "add_record {} {:x} {} {:?} {:?} {}",
                name(g),
                r.record_type.Data1,
                r.flags,
                r.attributes,
                r.data,
                r.expiration
            ),
            GUID {
                Data1: 7,
                ..GUID::NULL
            },
        )
    }
    fn group_update_record(&self, g: &mut GroupObject, r: &Record) -> BResult<()> {
        self.call(
            format!("update_record {} {:x} {:?}", name(g), r.id.Data1, r.data),
            (),
        )
    }
    fn group_delete_record(&self, g: &mut GroupObject, id: &GUID) -> BResult<()> {
        self.call(format!("delete_record {} {:x}", name(g), id.Data1), ())
    }
    fn group_get_record(&self, g: &mut GroupObject, id: &GUID) -> BResult<Record> {
        self.call(
            format!("get_record {} {:x}", name(g), id.Data1),
            mock_record(id.Data1),
        )
    }
    fn group_enum_records(&self, g: &mut GroupObject, t: Option<&GUID>) -> BResult<Vec<Record>> {
        self.call(
            format!("enum_records {} {:?}", name(g), t.map(|t| t.Data1)),
            vec![mock_record(1), mock_record(2)],
        )
    }
    fn group_search_records(&self, g: &mut GroupObject, q: &str) -> BResult<Vec<Record>> {
        self.call(
            format!("search_records {} {q}", name(g)),
            vec![mock_record(3)],
        )
    }
    fn group_enum_members(
        &self,
        g: &mut GroupObject,
        flags: u32,
        who: Option<&str>,
    ) -> BResult<Vec<Member>> {
        self.call(
            format!("enum_members {} {flags} {who:?}", name(g)),
            vec![
                Member {
                    flags: 0,
                    identity: "abc.me".into(),
                    attributes: None,
                    node_id: 9,
                    credential: Some(MemberCredential {
                        friendly_name: "Me".into(),
                        public_key: crate::model::PublicKeyInfo {
                            algorithm_oid: "1.2.840.113549.1.1.1".into(),
                            parameters: vec![5, 0],
                            public_key: vec![1, 2, 3],
                            unused_bits: 0,
                        },
                        issuer_peer_name: "abc.grp".into(),
                        issuer_friendly_name: "Grp".into(),
                        validity_start: 1,
                        validity_end: 2,
                        roles: vec![GUID {
                            Data1: 4,
                            ..GUID::NULL
                        }],
                    }),
                },
                Member {
                    identity: "abc.other".into(),
                    attributes: Some("a".into()),
                    ..Member::default()
                },
            ],
        )
    }
    fn group_export_database(&self, g: &mut GroupObject, path: &str) -> BResult<()> {
        self.call(format!("export_database {} {path}", name(g)), ())
    }
    fn group_import_database(&self, g: &mut GroupObject, path: &str) -> BResult<()> {
        self.call(format!("import_database {} {path}", name(g)), ())
    }
    fn group_register_event(
        &self,
        g: &mut GroupObject,
        regs: &[Registration],
        notify: Option<Notify>,
    ) -> BResult<EventObject> {
        let q = MockEvents(std::sync::Mutex::new(
            [
                EventData::Record(
                    1,
                    GUID {
                        Data1: 5,
                        ..GUID::NULL
                    },
                    GUID {
                        Data1: 6,
                        ..GUID::NULL
                    },
                ),
                EventData::Member(4, "abc.you".into()),
                EventData::Status(2),
            ]
            .into(),
        ));
        let line = format!(
            "register_event {} {:?} notify={}",
            name(g),
            regs.iter()
                .map(|r| (r.event_type, r.record_type.map(|t| t.Data1)))
                .collect::<Vec<_>>(),
            notify.is_some()
        );
        if let Some(f) = notify {
            f();
        }
        self.call(line, std::sync::Arc::new(q) as EventObject)
    }
    fn event_get_data(&self, e: &(dyn std::any::Any + Send + Sync)) -> BResult<Option<EventData>> {
        let q = e
            .downcast_ref::<MockEvents>()
            .ok_or(peernet::hresult::E_INVALIDARG)?;
        Ok(q.0.lock().unwrap().pop_front())
    }
    fn event_wait(
        &self,
        e: &(dyn std::any::Any + Send + Sync),
        _t: std::time::Duration,
    ) -> BResult<bool> {
        let q = e
            .downcast_ref::<MockEvents>()
            .ok_or(peernet::hresult::E_INVALIDARG)?;
        Ok(!q.0.lock().unwrap().is_empty())
    }
}

/// The mock's event queue.
pub struct MockEvents(pub std::sync::Mutex<std::collections::VecDeque<EventData>>);

/// A record with every field set (id.Data1 = `n`).
pub fn mock_record(n: u32) -> Record {
    Record {
        record_type: GUID {
            Data1: 0x100 + n,
            ..GUID::NULL
        },
        id: GUID {
            Data1: n,
            Data2: 2,
            Data3: 3,
            Data4: [4; 8],
        },
        version: 2,
        flags: 1,
        creator_id: Some("abc.creator".into()),
        modified_by_id: Some("abc.modifier".into()),
        attributes: Some("<attributes/>".into()),
        creation: 10,
        expiration: 30,
        last_modified: 20,
        security_data: vec![1; 17],
        data: vec![0xAB; n as usize],
    }
}

/// A NUL-terminated UTF-16 argument that lives as long as the test.
pub struct W(Vec<u16>);

impl W {
    pub fn new(s: &str) -> Self {
        W(encode(s))
    }
    pub fn p(&self) -> *const u16 {
        self.0.as_ptr()
    }
}

/// An argument with an unpaired surrogate.
pub fn bad_utf16() -> W {
    W(vec![0x41, 0xD800, 0])
}

/// Read a returned string and free its block.
///
/// # Safety
/// `p` is a live block returned by the library.
pub unsafe fn take(p: *mut u16) -> String {
    assert!(
        crate::alloc::is_live(p.cast()),
        "returned string is a PeerFreeData block"
    );
    // SAFETY: per the contract.
    let s = unsafe { read_req(p) }.unwrap();
    crate::alloc::free(p.cast());
    s
}
