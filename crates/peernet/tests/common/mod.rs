//! Shared helpers: stores standing for computers, a controllable clock, store snapshots.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use peernet::{HResult, Options, Peernet, Profile};

/// Runs `cmd`, asserting that it exits with success (its stderr is the message); its output.
pub fn run_ok(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A clock that can be moved forward.
#[derive(Clone, Default)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    pub fn now(&self) -> SystemTime {
        let off = self.0.load(Ordering::SeqCst);
        let now = SystemTime::now();
        if off >= 0 {
            now + Duration::from_secs(off as u64)
        } else {
            now - Duration::from_secs((-off) as u64)
        }
    }
}

/// One "computer": a temporary store with a controllable clock.
pub struct Machine {
    pub dir: tempfile::TempDir,
    pub pn: Peernet,
    pub clock: TestClock,
}

impl Machine {
    pub fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::default();
        let c = clock.clone();
        let pn = Peernet::open_with(
            dir.path(),
            Options::default()
                .with_default_profile(Profile::Windows)
                .with_pfx_iterations(1000)
                .with_clock(move || c.now()),
        )
        .unwrap();
        Machine { dir, pn, clock }
    }

    /// A second context on the same store ("another process").
    pub fn another_process(&self) -> Peernet {
        Peernet::open(self.dir.path()).unwrap()
    }

    pub fn identity(&self, classifier: &str) -> String {
        self.pn
            .identity_create(Some(classifier), Some(classifier), Some(Profile::Windows))
            .unwrap()
    }

    /// A group created by identity `creator` with this classifier and friendly name.
    pub fn group(&self, creator: &str, classifier: &str, friendly: &str) -> peernet::Group {
        self.pn
            .group_create(
                &peernet::GroupProperties::new(classifier, friendly).with_creator(creator),
            )
            .unwrap()
    }

    /// Adds the private link-local cloud `name` on interface `scope_id`.
    pub fn add_private_link_local(&self, name: &str, scope_id: u32) {
        self.pn
            .add_cloud(&peernet::Cloud {
                name: name.into(),
                scope: peernet::CloudScope::LinkLocal,
                scope_id,
                private: true,
            })
            .unwrap();
    }

    /// Adds private link-local clouds named `names`, on interfaces 1, 2, …
    pub fn add_private_link_locals(&self, names: &[&str]) {
        for (name, scope_id) in names.iter().zip(1..) {
            self.add_private_link_local(name, scope_id);
        }
    }

    /// Everything observable in the store, for "unchanged on failure" checks.
    pub fn snapshot(&self) -> String {
        let s = self.pn.store();
        let mut out = String::new();
        for i in s.identities().unwrap() {
            out += &format!(
                "{} {} {:?} {:?}\n",
                i.peer_name, i.friendly_name, i.idc, i.is_default
            );
        }
        for g in s.all_groups().unwrap() {
            out += &format!(
                "{} {} {:?} {:?} {:?} {} {} {}\n",
                g.identity,
                g.group_peer_name,
                g.cloud,
                g.properties,
                g.gmc_chain,
                g.status,
                g.has_group_key,
                g.has_password_verifier
            );
        }
        for c in s.clouds().unwrap() {
            out += &format!("{c:?}\n");
        }
        out
    }
}

pub fn code<T: std::fmt::Debug>(r: peernet::Result<T>) -> HResult {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            // Every message names the code and says something.
            let text = e.to_string();
            assert!(
                text.starts_with(e.hresult().name().unwrap_or("0x")),
                "{text}"
            );
            assert!(text.len() > 30, "{text}");
            e.hresult()
        }
    }
}

/// Flips one character of the base64 payload of `element` in an XML document.
pub fn flip_base64(xml: &str, element: &str, at: usize) -> String {
    let open = xml.find(&format!("<{element} ")).expect("element");
    let start = xml[open..].find('>').unwrap() + open + 1;
    let pos = start + at;
    let mut bytes = xml.as_bytes().to_vec();
    bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}
