//! `include/p2p.h` against the Rust side: strict C99/C++11 compilation, structure
//! sizes and field offsets, and every HRESULT value of `peernet::HResult::all()`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::mem::{offset_of, size_of};
use std::process::Command;

use peernet::HResult;
use peernet_capi::types::*;

use crate::tools::{include_dir, run, scratch, tool};

/// One structure: name, size, and (C field name, offset) pairs.
type Layout = (&'static str, usize, Vec<(&'static str, usize)>);

macro_rules! layouts {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {
        vec![$(
            (stringify!($ty), size_of::<$ty>(), vec![
                $((stringify!($field).trim_start_matches("r#"), offset_of!($ty, $field))),*
            ]),
        )*]
    };
}

fn rust_layouts() -> Vec<Layout> {
    let mut v: Vec<Layout> = layouts! {
        GUID { Data1, Data2, Data3, Data4 }
        FILETIME { dwLowDateTime, dwHighDateTime }
        CRYPT_DATA_BLOB { cbData, pbData }
        CRYPT_ALGORITHM_IDENTIFIER { pszObjId, Parameters }
        CRYPT_BIT_BLOB { cbData, pbData, cUnusedBits }
        CERT_PUBLIC_KEY_INFO { Algorithm, PublicKey }
        IN6_ADDR {}
        SOCKADDR_IN6 { sin6_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id }
        PEER_VERSION_DATA { wVersion, wHighestVersion }
        PEER_DATA { cbData, pbData }
        PEER_RECORD { dwSize, r#type, id, dwVersion, dwFlags, pwzCreatorId, pwzModifiedById,
            pwzAttributes, ftCreation, ftExpiration, ftLastModified, securityData, data }
        PEER_ADDRESS { dwSize, sin6 }
        PEER_CONNECTION_INFO { dwSize, dwFlags, ullConnectionId, ullNodeId, pwzPeerId, address }
        PEER_EVENT_INCOMING_DATA { dwSize, ullConnectionId, r#type, data }
        PEER_EVENT_RECORD_CHANGE_DATA { dwSize, changeType, recordId, recordType }
        PEER_EVENT_CONNECTION_CHANGE_DATA { dwSize, status, ullConnectionId, ullNodeId,
            ullNextConnectionId, hrConnectionFailedReason }
        PEER_CREDENTIAL_INFO { dwSize, dwFlags, pwzFriendlyName, pPublicKey, pwzIssuerPeerName,
            pwzIssuerFriendlyName, ftValidityStart, ftValidityEnd, cRoles, pRoles }
        PEER_MEMBER { dwSize, dwFlags, pwzIdentity, pwzAttributes, ullNodeId, cAddresses,
            pAddresses, pCredentialInfo }
        PEER_INVITATION_INFO { dwSize, dwFlags, pwzCloudName, dwScope, dwCloudFlags,
            pwzGroupPeerName, pwzIssuerPeerName, pwzSubjectPeerName, pwzGroupFriendlyName,
            pwzIssuerFriendlyName, pwzSubjectFriendlyName, ftValidityStart, ftValidityEnd,
            cRoles, pRoles, cClassifiers, ppwzClassifiers, pSubjectPublicKey, authScheme }
        PEER_GROUP_PROPERTIES { dwSize, dwFlags, pwzCloud, pwzClassifier, pwzGroupPeerName,
            pwzCreatorPeerName, pwzFriendlyName, pwzComment, ulMemberDataLifetime,
            ulPresenceLifetime, dwAuthenticationSchemes, pwzGroupPassword, groupPasswordRole }
        PEER_EVENT_MEMBER_CHANGE_DATA { dwSize, changeType, pwzIdentity }
        PEER_GROUP_EVENT_REGISTRATION { eventType, pType }
        PEER_GROUP_EVENT_DATA { eventType }
        PEER_NAME_PAIR { dwSize, pwzPeerName, pwzFriendlyName }
    };
    // The nameless union: every arm starts where Rust's `u` field starts.
    let u = offset_of!(PEER_GROUP_EVENT_DATA, u);
    let event = v
        .iter_mut()
        .find(|l| l.0 == "PEER_GROUP_EVENT_DATA")
        .expect("listed above");
    for arm in [
        "dwStatus",
        "incomingData",
        "recordChangeData",
        "connectionChangeData",
        "memberChangeData",
        "hrConnectionFailedReason",
    ] {
        event.2.push((arm, u));
    }
    v
}

/// The C name of a table entry: Win32 error codes carry an `HRESULT_FROM_WIN32_` prefix
/// in our header so they cannot clash with an application's `ERROR_*` numbers.
fn c_name(name: &str) -> String {
    if name.starts_with("ERROR_") {
        format!("HRESULT_FROM_WIN32_{name}")
    } else {
        name.to_owned()
    }
}

fn expected_lines() -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for (ty, size, fields) in rust_layouts() {
        lines.insert(format!("size {ty} {size}"));
        for (f, off) in fields {
            lines.insert(format!("offset {ty}.{f} {off}"));
        }
    }
    for (v, name) in HResult::all() {
        lines.insert(format!("hr {} {:08X}", c_name(name), v.0));
    }
    for (name, v) in [
        ("PEER_GROUP_VERSION", u32::from(PEER_GROUP_VERSION)),
        (
            "PEER_GROUP_EVENT_AUTHENTICATION_FAILED",
            PEER_GROUP_EVENT_AUTHENTICATION_FAILED,
        ),
        (
            "PEER_GROUP_EVENT_CONNECTION_FAILED",
            PEER_GROUP_EVENT_CONNECTION_FAILED,
        ),
        (
            "PEER_GROUP_EVENT_MEMBER_CHANGED",
            PEER_GROUP_EVENT_MEMBER_CHANGED,
        ),
        (
            "PEER_GROUP_PASSWORD_AUTHENTICATION",
            PEER_GROUP_PASSWORD_AUTHENTICATION,
        ),
        ("PEER_DEFER_EXPIRATION", PEER_DEFER_EXPIRATION),
        ("PEER_MEMBER_LEFT", PEER_MEMBER_LEFT),
        ("PEER_RECORD_EXPIRED", PEER_RECORD_EXPIRED),
        ("PEER_CONNECTION_FAILED", PEER_CONNECTION_FAILED),
        ("PEER_CONNECTION_DIRECT", PEER_CONNECTION_DIRECT),
        ("PEER_RECORD_FLAG_DELETED", PEER_RECORD_FLAG_DELETED),
        (
            "PEER_GROUP_STATUS_HAS_CONNECTIONS",
            PEER_GROUP_STATUS_HAS_CONNECTIONS,
        ),
        ("PEER_GROUP_STORE_CREDENTIALS", PEER_GROUP_STORE_CREDENTIALS),
        ("PEER_MEMBER_PRESENT", PEER_MEMBER_PRESENT),
    ] {
        lines.insert(format!("value {name} {v}"));
    }
    for (name, g) in [
        ("PEERNET_GUID_PEER_GROUP_ROLE_ADMIN", PEER_GROUP_ROLE_ADMIN),
        (
            "PEERNET_GUID_PEER_GROUP_ROLE_MEMBER",
            PEER_GROUP_ROLE_MEMBER,
        ),
        (
            "PEERNET_GUID_PEER_GROUP_ROLE_INVITING_MEMBER",
            PEER_GROUP_ROLE_INVITING_MEMBER,
        ),
    ] {
        lines.insert(format!("guid {name} {}", guid_text(&g)));
    }
    lines
}

fn guid_text(g: &GUID) -> String {
    let d = g.Data4;
    format!(
        "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
        g.Data1, g.Data2, g.Data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
    )
}

/// A C program printing, from the header, the same lines as [`expected_lines`].
fn probe_source() -> String {
    let mut s = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"p2p.h\"\n\
         static void guid(const char *n, GUID g) {\n\
         printf(\"guid %s %08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X\\n\", n, (unsigned)g.Data1,\n\
         (unsigned)g.Data2, (unsigned)g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3],\n\
         g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]); }\n\
         int main(void) {\n",
    );
    for (ty, _, fields) in rust_layouts() {
        writeln!(s, "printf(\"size {ty} %u\\n\", (unsigned)sizeof({ty}));").unwrap();
        for (f, _) in fields {
            writeln!(
                s,
                "printf(\"offset {ty}.{f} %u\\n\", (unsigned)offsetof({ty}, {f}));"
            )
            .unwrap();
        }
    }
    for (_, name) in HResult::all() {
        let n = c_name(name);
        writeln!(s, "printf(\"hr {n} %08X\\n\", (unsigned)(uint32_t){n});").unwrap();
    }
    for line in expected_lines() {
        if let Some(rest) = line.strip_prefix("value ") {
            let name = rest.split(' ').next().unwrap();
            writeln!(s, "printf(\"value {name} %u\\n\", (unsigned){name});").unwrap();
        }
        if let Some(rest) = line.strip_prefix("guid ") {
            let name = rest.split(' ').next().unwrap();
            writeln!(s, "{{ GUID g = {name}; guid(\"{name}\", g); }}").unwrap();
        }
    }
    s.push_str("return 0;\n}\n");
    s
}

fn compile_and_run(compiler: &str, std_flag: &str, source_name: &str) -> BTreeSet<String> {
    let dir = scratch(&format!("probe-{compiler}"));
    let src = dir.join(source_name);
    std::fs::write(&src, probe_source()).unwrap();
    let exe = dir.join("probe");
    run(Command::new(compiler)
        .args([std_flag, "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe));
    let out = run(&mut Command::new(&exe));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn assert_same(got: &BTreeSet<String>, what: &str) {
    let want = expected_lines();
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: Rust side but not C: {missing:#?}\nC side but not Rust: {extra:#?}"
    );
}

#[test]
fn c99_layouts_and_constants_equal_rust() {
    let Some(cc) = tool("cc", "compiling include/p2p.h") else {
        return;
    };
    let got = compile_and_run(&cc, "-std=c99", "probe.c");
    assert_same(&got, "C99");
}

#[test]
fn cxx11_layouts_and_constants_equal_rust() {
    let Some(cxx) = tool("c++", "compiling include/p2p.h as C++") else {
        return;
    };
    let got = compile_and_run(&cxx, "-std=c++11", "probe.cpp");
    assert_same(&got, "C++11");
}

#[test]
fn c11_header_compiles_with_peer_text() {
    let Some(cc) = tool("cc", "compiling include/p2p.h") else {
        return;
    };
    let dir = scratch("c11");
    let src = dir.join("text.c");
    std::fs::write(
        &src,
        "#include \"p2p.h\"\nint main(void) { PCWSTR s = PEER_TEXT(\"GroupMember\");\n\
         PEER_GROUP_EVENT_DATA d; d.eventType = PEER_GROUP_EVENT_CONNECTION_FAILED;\n\
         d.hrConnectionFailedReason = PEER_E_NO_MEMBERS_FOUND;\n\
         return (s[0] == 'G' && sizeof(WCHAR) == 2 && FAILED(d.hrConnectionFailedReason)) ? 0 : 1; }\n",
    )
    .unwrap();
    let exe = dir.join("text");
    run(Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe));
    run(&mut Command::new(&exe));
}

/// Every `PEER_E_*`/`PEER_S_*` defined in the header is a known code, and every known
/// code is defined in the header with the same value (text check, no compiler needed).
#[test]
fn header_hresults_are_the_table() {
    let header = std::fs::read_to_string(include_dir().join("p2p.h")).unwrap();
    let mut defined = BTreeSet::new();
    for line in header.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(hex) = value
            .strip_prefix("PEERNET_HRESULT(0x")
            .and_then(|v| v.strip_suffix("u)"))
        else {
            continue;
        };
        let v = u32::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad value for {name}"));
        defined.insert((name.to_owned(), v));
    }
    let table: BTreeSet<_> = HResult::all()
        .iter()
        .map(|(v, n)| (c_name(n), v.0))
        .collect();
    assert_eq!(defined, table);
}
