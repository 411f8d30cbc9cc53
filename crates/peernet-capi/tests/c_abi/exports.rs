//! The cdylib exports exactly the functions declared in `include/p2p.h` (every one of
//! them, wired to the facade; `Peernet*` are peernet extensions) and the three role
//! GUIDs: nothing more.

use std::collections::BTreeSet;
use std::process::Command;

use crate::tools::{library_dir, run, tool};

/// Every `Peer*` / `PEER_*` symbol the library must export.
const EXPORTED: &[&str] = &[
    "PEER_GROUP_ROLE_ADMIN",
    "PEER_GROUP_ROLE_INVITING_MEMBER",
    "PEER_GROUP_ROLE_MEMBER",
    "PeerCreatePeerName",
    "PeerEndEnumeration",
    "PeerEnumGroups",
    "PeerEnumIdentities",
    "PeerFreeData",
    "PeerGetItemCount",
    "PeerGetNextItem",
    "PeerGroupAddRecord",
    "PeerGroupClose",
    "PeerGroupCloseDirectConnection",
    "PeerGroupConnect",
    "PeerGroupConnectByAddress",
    "PeerGroupCreate",
    "PeerGroupCreateInvitation",
    "PeerGroupCreatePasswordInvitation",
    "PeerGroupDelete",
    "PeerGroupDeleteRecord",
    "PeerGroupEnumConnections",
    "PeerGroupEnumMembers",
    "PeerGroupEnumRecords",
    "PeerGroupExportConfig",
    "PeerGroupExportDatabase",
    "PeerGroupGetEventData",
    "PeerGroupGetProperties",
    "PeerGroupGetRecord",
    "PeerGroupGetStatus",
    "PeerGroupImportConfig",
    "PeerGroupImportDatabase",
    "PeerGroupIssueCredentials",
    "PeerGroupJoin",
    "PeerGroupOpen",
    "PeerGroupOpenDirectConnection",
    "PeerGroupParseInvitation",
    "PeerGroupPasswordJoin",
    "PeerGroupPeerTimeToUniversalTime",
    "PeerGroupRegisterEvent",
    "PeerGroupSearchRecords",
    "PeerGroupSendData",
    "PeerGroupSetProperties",
    "PeerGroupShutdown",
    "PeerGroupStartup",
    "PeerGroupUniversalTimeToPeerTime",
    "PeerGroupUnregisterEvent",
    "PeerGroupUpdateRecord",
    "PeerIdentityCreate",
    "PeerIdentityDelete",
    "PeerIdentityExport",
    "PeerIdentityGetCryptKey",
    "PeerIdentityGetDefault",
    "PeerIdentityGetFriendlyName",
    "PeerIdentityGetXML",
    "PeerIdentityImport",
    "PeerIdentitySetFriendlyName",
    "PeernetWaitForGroupEvent",
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

/// The header declares exactly the exported functions (no declaration that would fail
/// to link, no export missing from the header).
#[test]
fn header_declares_the_exports() {
    let header = std::fs::read_to_string(crate::tools::include_dir().join("p2p.h")).unwrap();
    let declared: BTreeSet<String> = header
        .lines()
        .filter_map(|l| l.split("WINAPI ").nth(1))
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_owned)
        .collect();
    let functions: BTreeSet<String> = EXPORTED
        .iter()
        .filter(|s| s.starts_with("Peer"))
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(declared, functions);
    for guid in EXPORTED.iter().filter(|s| s.starts_with("PEER_")) {
        assert!(
            header.contains(&format!("extern const GUID {guid};")),
            "{guid} declared"
        );
    }
}
