//! The cdylib exports exactly the functions that work today: nothing that would
//! pretend to succeed, no facade-dependent function before it is wired.

use std::collections::BTreeSet;
use std::process::Command;

use crate::tools::{library_dir, run, tool};

/// Every `Peer*` / `PEER_*` symbol the library must export now.
const EXPORTED: &[&str] = &[
    "PEER_GROUP_ROLE_ADMIN",
    "PEER_GROUP_ROLE_INVITING_MEMBER",
    "PEER_GROUP_ROLE_MEMBER",
    "PeerEndEnumeration",
    "PeerFreeData",
    "PeerGetItemCount",
    "PeerGetNextItem",
    "PeerGroupShutdown",
    "PeerGroupStartup",
];

#[test]
fn exported_symbols() {
    if !cfg!(target_os = "linux") {
        eprintln!("SKIPPED: export list checked on Linux only");
        return;
    }
    let Some(nm) = tool("nm", "listing the cdylib's exports") else {
        return;
    };
    let lib = library_dir().join("libpeernet_capi.so");
    let out = run(Command::new(nm).args(["-D", "--defined-only"]).arg(&lib));
    let got: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("Peer") || s.starts_with("PEER_"))
        .map(str::to_owned)
        .collect();
    let want: BTreeSet<String> = EXPORTED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(got, want);
}
