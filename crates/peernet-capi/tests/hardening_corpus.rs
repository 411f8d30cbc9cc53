//! The hostile corpus (`fixtures/hostile/manifest.txt`) through the exported C functions,
//! called directly through this crate's rlib (the same `extern "C"` symbols the cdylib
//! exports): `PeerIdentityImport`, `PeerGroupImportConfig`, `PeerGroupJoin`,
//! `PeerGroupParseInvitation`, `PeerGroupCreateInvitation`. Every row gives the manifest's
//! HRESULT and leaves the store's canonical dump and `store.db` bytes unchanged; every
//! returned buffer is released with `PeerFreeData`.
//!
//! The file bytes become UTF-16 the way a Windows program would pass them:
//! * valid UTF-8: converted exactly. A NUL byte ends the C string there, so the
//!   `xml-nul-byte` rows see the document cut at the NUL (still refused, same codes).
//! * not UTF-8 (5 rows): twice. (a) The lossy conversion (U+FFFD), which is what the Rust
//!   API receives: the manifest's code. (b) Each invalid byte as an unpaired low surrogate
//!   (0xDC00 + byte, "surrogateescape"): the C ABI refuses the string before parsing,
//!   `E_INVALIDARG`.
//!
//! The store is the process's (`PEERNET_HOME`, read once): this file holds one test so the
//! variable is set before the first call and no other test races it.
//!
//! The C-program variant (`tests/c/hostile.c`, a sample of rows under valgrind) is in
//! `tests/c_abi/c_programs.rs`.

use std::collections::BTreeMap;
use std::ptr;

use peernet::{HResult, Peernet};
use peernet_capi::types::{
    GUID, HGROUP, PEER_GROUP_ROLE_MEMBER, PEER_INVITATION_INFO, PEER_VERSION_DATA, PWSTR,
};
use peernet_capi::{
    PeerFreeData, PeerGroupClose, PeerGroupCreateInvitation, PeerGroupImportConfig, PeerGroupJoin,
    PeerGroupOpen, PeerGroupParseInvitation, PeerGroupShutdown, PeerGroupStartup,
    PeerIdentityImport,
};
use peernet_tests::hostile::{self, Entry, PASSWORD};
use peernet_tests::store::{db_fingerprint, dump, fast_options};

/// NUL-terminated UTF-16, cut at the first NUL like a C string.
fn wide(units: impl IntoIterator<Item = u16>) -> Vec<u16> {
    let mut w: Vec<u16> = units.into_iter().take_while(|u| *u != 0).collect();
    w.push(0);
    w
}

fn wide_str(s: &str) -> Vec<u16> {
    wide(s.encode_utf16())
}

/// Invalid bytes as unpaired low surrogates (0xDC00 + byte), valid runs converted.
fn surrogate_escape(mut bytes: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.extend(s.encode_utf16());
                return wide(out);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.extend(std::str::from_utf8(good).unwrap().encode_utf16());
                let bad = e.error_len().unwrap_or(rest.len());
                out.extend(rest[..bad].iter().map(|b| 0xDC00 | u16::from(*b)));
                bytes = &rest[bad..];
            }
        }
    }
}

fn name(hr: i32) -> String {
    let h = HResult(hr as u32);
    h.name().map_or_else(|| format!("{h:?}"), str::to_owned)
}

struct Fx {
    owner: Vec<u16>,
    password: Vec<u16>,
    group: HGROUP,
}

/// Calls one entry point; returns the HRESULT's name. Frees whatever it returned.
fn call(fx: &Fx, entry: Entry, xml: &[u16]) -> String {
    let mut s1: PWSTR = ptr::null_mut();
    let mut s2: PWSTR = ptr::null_mut();
    let roles: [GUID; 1] = [PEER_GROUP_ROLE_MEMBER];
    // SAFETY: every string is NUL-terminated and outlives the call; out-pointers are
    // valid; returned buffers are freed below with PeerFreeData and handles closed.
    let hr = unsafe {
        match entry {
            Entry::IdentityImport => {
                PeerIdentityImport(xml.as_ptr(), fx.password.as_ptr(), &mut s1)
            }
            Entry::ImportConfig => {
                PeerGroupImportConfig(xml.as_ptr(), fx.password.as_ptr(), 0, &mut s1, &mut s2)
            }
            Entry::Join => {
                let mut h: HGROUP = ptr::null_mut();
                let hr = PeerGroupJoin(fx.owner.as_ptr(), xml.as_ptr(), ptr::null(), &mut h);
                if !h.is_null() {
                    PeerGroupClose(h);
                }
                hr
            }
            Entry::ParseInvitation => {
                let mut info: *mut PEER_INVITATION_INFO = ptr::null_mut();
                let hr = PeerGroupParseInvitation(xml.as_ptr(), &mut info);
                PeerFreeData(info.cast());
                hr
            }
            Entry::CreateInvitation => PeerGroupCreateInvitation(
                fx.group,
                xml.as_ptr(),
                ptr::null_mut(),
                1,
                roles.as_ptr(),
                &mut s1,
            ),
        }
    };
    // SAFETY: NULL or blocks the library allocated.
    unsafe {
        PeerFreeData(s1.cast());
        PeerFreeData(s2.cast());
    }
    name(hr)
}

#[test]
fn hostile_corpus_through_the_c_abi() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let (owner, group_name) =
        hostile::import_base(&Peernet::open_with(&store, fast_options()).unwrap());
    // SAFETY: the only test in this binary, before any call that reads the environment.
    unsafe { std::env::set_var("PEERNET_HOME", &store) };
    let mut version = PEER_VERSION_DATA {
        wVersion: 0,
        wHighestVersion: 0,
    };
    // SAFETY: valid out-pointer; strings NUL-terminated.
    let group = unsafe {
        assert_eq!(PeerGroupStartup(0x0101, &mut version), 0);
        let mut h: HGROUP = ptr::null_mut();
        let hr = PeerGroupOpen(
            wide_str(&owner).as_ptr(),
            wide_str(&group_name).as_ptr(),
            ptr::null(),
            &mut h,
        );
        assert_eq!(hr, 0, "PeerGroupOpen: {}", name(hr));
        h
    };
    let fx = Fx {
        owner: wide_str(&owner),
        password: wide_str(PASSWORD),
        group,
    };
    let snapshot = || {
        let pn = Peernet::open_with(&store, fast_options()).unwrap();
        let d = dump(&pn);
        drop(pn);
        (d, db_fingerprint(&store))
    };
    let before = snapshot();

    let manifest = std::fs::read_to_string(hostile::corpus_dir().join("manifest.txt")).unwrap();
    let rows = hostile::parse_manifest(&manifest);
    let mut failures = Vec::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut calls, mut escaped) = (0, 0);
    let t0 = std::time::Instant::now();
    for row in &rows {
        let bytes = std::fs::read(hostile::corpus_dir().join(&row.file)).unwrap();
        let what = format!("{} {}", row.file, row.entry.name());
        let mut forms = vec![(
            "",
            wide(String::from_utf8_lossy(&bytes).encode_utf16()),
            row.expected.as_str(),
        )];
        if std::str::from_utf8(&bytes).is_err() {
            forms.push((
                " (unpaired surrogates)",
                surrogate_escape(&bytes),
                "E_INVALIDARG",
            ));
            escaped += 1;
        }
        for (form, xml, expected) in forms {
            calls += 1;
            let got = call(&fx, row.entry, &xml);
            *outcomes.entry(got.clone()).or_default() += 1;
            if got != expected {
                failures.push(format!(
                    "{what}{form}: expected {expected}, got {got} ({})",
                    row.note
                ));
            }
            let after = snapshot();
            if after != before {
                failures.push(format!("{what}{form}: the store changed"));
                break;
            }
        }
        if failures.iter().any(|f| f.ends_with("the store changed")) {
            break; // the process' store cannot be replaced; later rows would all report it
        }
    }
    // SAFETY: the handle opened above; balanced startup.
    unsafe {
        assert_eq!(PeerGroupClose(group), 0);
        assert_eq!(PeerGroupShutdown(), 0);
    }
    Peernet::open_with(&store, fast_options())
        .unwrap()
        .store()
        .check_integrity()
        .unwrap();
    eprintln!(
        "hostile corpus through the C ABI: {} rows, {calls} calls ({escaped} with unpaired surrogates) in {:?}, {} failures; outcomes {outcomes:?}",
        rows.len(),
        t0.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} calls misbehaved:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
