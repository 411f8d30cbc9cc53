//! Helpers shared by the unit tests: temporary stores, the startup guard, UTF-16
//! arguments and returned strings.
//!
//! Tests call the exported functions themselves, on a temporary store per test
//! ([`Store::on`]), so `PEERNET_HOME` and the process-wide context are never used.
//! Faults are injected by damaging that store.

use std::sync::{Mutex, MutexGuard};

use peernet::{HResult, Peernet};

use crate::types::{
    FILETIME, GUID, HGROUP, HRESULT, PEER_DATA, PEER_GROUP_PROPERTIES, PEER_GROUP_VERSION,
    PEER_RECORD, PEER_VERSION_DATA, PWSTR,
};
use crate::wide::{encode, read_req};

/// Serialises tests that touch the process-wide startup count: the last
/// PeerGroupShutdown closes every handle.
static LOCK: Mutex<()> = Mutex::new(());

/// Hold the startup lock.
pub(crate) fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A started library (PeerGroupStartup … PeerGroupShutdown) for the guard's lifetime,
/// with the startup lock held.
pub(crate) struct Started(#[allow(dead_code)] MutexGuard<'static, ()>);

/// Start the library for the rest of the scope.
pub(crate) fn started() -> Started {
    let l = lock();
    let mut v = PEER_VERSION_DATA::default();
    // SAFETY: valid out-pointer.
    let r = unsafe { crate::PeerGroupStartup(PEER_GROUP_VERSION, &mut v) };
    assert_eq!(r, 0);
    Started(l)
}

impl Drop for Started {
    fn drop(&mut self) {
        // SAFETY: no arguments.
        let r = unsafe { crate::PeerGroupShutdown() };
        assert_eq!(r, 0);
    }
}

/// A temporary store with the context options of the exports (windows profile).
pub(crate) struct Store {
    /// The store directory.
    pub(crate) dir: tempfile::TempDir,
    /// The context on it.
    pub(crate) pn: Peernet,
}

impl Store {
    /// A fresh empty store.
    pub(crate) fn new() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let pn = crate::context::open_at(dir.path()).unwrap();
        Store { dir, pn }
    }

    /// The same store reopened after its key file was replaced by another key: every
    /// sealed private key fails to open (fault injection).
    pub(crate) fn with_damaged_key(self) -> Store {
        let Store { dir, pn } = self;
        drop(pn);
        std::fs::write(dir.path().join("store.key"), [0x5Au8; 32]).unwrap();
        let pn = crate::context::open_at(dir.path()).unwrap();
        Store { dir, pn }
    }

    /// Run `f` with this store as the exports' context.
    pub(crate) fn on<R>(&self, f: impl FnOnce() -> R) -> R {
        crate::context::tests::with_store(&self.pn, f)
    }

    /// The identities of the store.
    pub(crate) fn identities(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .pn
            .enum_identities()
            .unwrap()
            .into_iter()
            .map(|p| p.peer_name)
            .collect();
        v.sort();
        v
    }

    /// A new identity (classifier `me`, friendly name `Me`) and a group it creates through
    /// PeerGroupCreate with this classifier and friendly name: the identity's peer name
    /// and the open group handle.
    pub(crate) fn identity_with_group(&self, classifier: &str, friendly: &str) -> (String, HGROUP) {
        let me = self
            .pn
            .identity_create(Some("me"), Some("Me"), None)
            .unwrap();
        let (c, f, m) = (W::new(classifier), W::new(friendly), W::new(&me));
        let mut p = group_properties(Some(&m), &c, &f);
        let mut g: HGROUP = std::ptr::null_mut();
        // SAFETY: valid structure and out-pointer.
        self.on(|| assert_eq!(unsafe { crate::PeerGroupCreate(&mut p, &mut g) }, 0));
        (me, g)
    }
}

/// PEER_GROUP_PROPERTIES with a classifier, a friendly name and optionally a creator; every
/// other field zero or NULL.
pub(crate) fn group_properties(
    creator: Option<&W>,
    classifier: &W,
    friendly: &W,
) -> PEER_GROUP_PROPERTIES {
    use std::ptr::null_mut;
    PEER_GROUP_PROPERTIES {
        dwSize: size_of::<PEER_GROUP_PROPERTIES>() as u32,
        dwFlags: 0,
        pwzCloud: null_mut(),
        pwzClassifier: classifier.m(),
        pwzGroupPeerName: null_mut(),
        pwzCreatorPeerName: creator.map_or(null_mut(), W::m),
        pwzFriendlyName: friendly.m(),
        pwzComment: null_mut(),
        ulMemberDataLifetime: 0,
        ulPresenceLifetime: 0,
        dwAuthenticationSchemes: 0,
        pwzGroupPassword: null_mut(),
        groupPasswordRole: GUID::NULL,
    }
}

/// An HRESULT as C sees it.
pub(crate) fn hr(h: HResult) -> HRESULT {
    h.as_i32()
}

/// `E_INVALIDARG` as C sees it.
pub(crate) const INVALID: HRESULT = peernet::hresult::E_INVALIDARG.as_i32();

/// A NUL-terminated UTF-16 argument that lives as long as the test.
pub(crate) struct W(Vec<u16>);

impl W {
    /// `s` as UTF-16.
    pub(crate) fn new(s: &str) -> Self {
        W(encode(s))
    }

    /// The argument pointer.
    pub(crate) fn p(&self) -> *const u16 {
        self.0.as_ptr()
    }

    /// The argument pointer, for the fields the Windows header declares non-`const`.
    pub(crate) fn m(&self) -> *mut u16 {
        self.0.as_ptr().cast_mut()
    }
}

/// An argument with an unpaired surrogate.
pub(crate) fn bad_utf16() -> W {
    W(vec![0x41, 0xD800, 0])
}

/// Read a returned string and free its block.
///
/// # Safety
/// `p` is a live block returned by the library.
pub(crate) unsafe fn take(p: PWSTR) -> String {
    assert!(
        crate::memory::is_live(p.cast()),
        "returned string is a PeerFreeData block"
    );
    // SAFETY: per the contract.
    let s = unsafe { read_req(p) }.unwrap();
    crate::memory::free(p.cast());
    s
}

/// Call a function returning one string; `Ok(string)` (block freed) or `Err(HRESULT)`
/// with the out-pointer checked to be NULL.
pub(crate) fn string(f: impl FnOnce(*mut PWSTR) -> HRESULT) -> Result<String, HRESULT> {
    let mut out: PWSTR = std::ptr::dangling_mut();
    let r = f(&mut out);
    if r < 0 {
        assert!(out.is_null(), "out-pointer NULL on failure");
        return Err(r);
    }
    // SAFETY: a successful call returned a block.
    Ok(unsafe { take(out) })
}

/// A record to add: type `ty` (Data1), expiration, attributes and data.
pub(crate) fn new_record(
    ty: u32,
    expiration: u64,
    attrs: Option<&W>,
    data: &mut [u8],
) -> PEER_RECORD {
    use std::ptr::null_mut;
    PEER_RECORD {
        dwSize: size_of::<PEER_RECORD>() as u32,
        r#type: GUID {
            Data1: ty,
            ..GUID::NULL
        },
        id: GUID::NULL,
        dwVersion: 0,
        dwFlags: 0,
        pwzCreatorId: null_mut(),
        pwzModifiedById: null_mut(),
        pwzAttributes: attrs.map_or(null_mut(), W::m),
        ftCreation: FILETIME::default(),
        ftExpiration: FILETIME::from_u64(expiration),
        ftLastModified: FILETIME::default(),
        securityData: PEER_DATA {
            cbData: 0,
            pbData: null_mut(),
        },
        data: PEER_DATA {
            cbData: data.len() as u32,
            pbData: if data.is_empty() {
                null_mut()
            } else {
                data.as_mut_ptr()
            },
        },
    }
}

/// A FILETIME `secs` from now.
pub(crate) fn later(secs: u64) -> u64 {
    peernet::to_filetime(std::time::SystemTime::now() + std::time::Duration::from_secs(secs))
}
