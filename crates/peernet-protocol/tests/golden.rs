//! Every committed golden document in `fixtures/xml/` parses and writes back byte for byte.

use std::fs;
use std::path::PathBuf;

use peernet_protocol::{
    GroupConfig, IdentityExport, IdentityInfo, Invitation, RecordAttributes, SearchQuery,
    XmlDocument,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/xml")
}

fn round_trip<T: XmlDocument + PartialEq + std::fmt::Debug>(name: &str, bytes: &[u8]) {
    let doc = T::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let written = doc.to_xml().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        written == bytes,
        "{name}: written bytes differ:\n{}",
        String::from_utf8_lossy(&written)
    );
    assert_eq!(T::parse(&written).unwrap(), doc, "{name}");
}

#[test]
fn golden_documents_round_trip_byte_for_byte() {
    let mut names: Vec<String> = fs::read_dir(fixtures())
        .expect("fixtures/xml exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 12,
        "expected the generated fixtures, found {names:?}"
    );
    for name in &names {
        let bytes = fs::read(fixtures().join(name)).unwrap();
        match name.as_str() {
            n if n.starts_with("identity-export") => round_trip::<IdentityExport>(n, &bytes),
            n if n.starts_with("identity-info") => round_trip::<IdentityInfo>(n, &bytes),
            n if n.starts_with("group-config") => round_trip::<GroupConfig>(n, &bytes),
            n if n.starts_with("invitation") => round_trip::<Invitation>(n, &bytes),
            n if n.starts_with("attributes") => round_trip::<RecordAttributes>(n, &bytes),
            n if n.starts_with("search") => round_trip::<SearchQuery>(n, &bytes),
            n => panic!("{n}: no document type for this name"),
        }
    }
}

/// The golden files, reformatted the ways other writers might (declaration, BOM, CRLF,
/// other indentation, base64 line breaks), still read to the same value.
#[test]
fn golden_documents_accept_reasonable_variants() {
    let name = "group-config-owner.xml";
    let bytes = fs::read(fixtures().join(name)).unwrap();
    let want = GroupConfig::parse(&bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut variants = vec![
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n{text}"),
        format!("\u{FEFF}<?xml version='1.0' standalone='yes'?>{text}"),
        text.replace('\n', "\r\n"),
        text.replace("\n  ", "").replace('\n', ""),
        text.replace("  <", "\t\t<"),
    ];
    // Break every base64 payload into 76-character CRLF lines with surrounding space.
    let mut broken = String::new();
    for (i, part) in text.split("bin.base64\">").enumerate() {
        if i == 0 {
            broken.push_str(part);
            continue;
        }
        let (b64, rest) = part.split_once('<').unwrap();
        broken.push_str("bin.base64\">\r\n");
        for chunk in b64.as_bytes().chunks(76) {
            broken.push_str("    ");
            broken.push_str(std::str::from_utf8(chunk).unwrap());
            broken.push_str("\r\n");
        }
        broken.push_str("  <");
        broken.push_str(rest);
    }
    variants.push(broken);
    for v in &variants {
        assert_eq!(
            GroupConfig::parse_str(v).unwrap_or_else(|e| panic!("{e}\n{v}")),
            want
        );
    }
}
