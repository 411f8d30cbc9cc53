//! Every hand-written hostile document in `fixtures/invalid/xml/` fails with exactly the
//! error variant its manifest (`expected.txt`) names, and that error classifies as the
//! facade expects.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use peernet_protocol::{
    DocumentType, Error, ErrorKind, GroupConfig, IdentityExport, IdentityInfo, Invitation,
    MAX_DOCUMENT_SIZE, RecordAttributes, SearchQuery,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/invalid/xml")
}

fn parse_as(doc: &str, bytes: &[u8]) -> Result<(), Error> {
    match doc {
        "identity-export" => IdentityExport::parse(bytes).map(drop),
        "identity-info" => IdentityInfo::parse(bytes).map(drop),
        "group-config" => GroupConfig::parse(bytes).map(drop),
        "invitation" => Invitation::parse(bytes).map(drop),
        "attributes" => RecordAttributes::parse(bytes).map(drop),
        "search" => SearchQuery::parse(bytes).map(drop),
        other => panic!("unknown document type {other}"),
    }
}

fn document_type(doc: &str) -> DocumentType {
    match doc {
        "identity-export" => DocumentType::IdentityExport,
        "identity-info" => DocumentType::IdentityInfo,
        "group-config" => DocumentType::GroupConfig,
        "invitation" => DocumentType::Invitation,
        "attributes" => DocumentType::RecordAttributes,
        _ => DocumentType::SearchQuery,
    }
}

fn expected_kind(e: &Error) -> ErrorKind {
    match (e, e.document()) {
        (Error::UnsupportedVersion { .. }, _) => ErrorKind::UnsupportedVersion,
        (Error::InvalidEscape { .. }, _) => ErrorKind::InvalidArg,
        (_, DocumentType::SearchQuery) => ErrorKind::InvalidSearch,
        (_, DocumentType::RecordAttributes) => ErrorKind::InvalidAttributes,
        _ => ErrorKind::Malformed,
    }
}

#[test]
fn every_invalid_document_fails_as_listed() {
    let manifest = fs::read_to_string(dir().join("expected.txt")).expect("manifest");
    let mut listed = BTreeSet::new();
    let mut variants = BTreeSet::new();
    let mut failures = Vec::new();
    for line in manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [file, doc, variant] = fields[..] else {
            panic!("bad manifest line: {line}")
        };
        assert!(listed.insert(file.to_owned()), "{file} listed twice");
        variants.insert(variant.to_owned());
        let bytes = fs::read(dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        match parse_as(doc, &bytes) {
            Ok(()) => failures.push(format!("{file}: accepted, expected {variant}")),
            Err(e) => {
                if e.variant_name() != variant {
                    failures.push(format!(
                        "{file}: got {} ({e}), expected {variant}",
                        e.variant_name()
                    ));
                }
                assert_eq!(e.document(), document_type(doc), "{file}");
                assert_eq!(e.kind(), expected_kind(&e), "{file}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        listed.len() >= 50,
        "only {} invalid documents",
        listed.len()
    );
    assert!(
        variants.len() >= 25,
        "only {} distinct variants covered: {variants:?}",
        variants.len()
    );
    // Every file in the directory is in the manifest.
    for entry in fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "expected.txt" || listed.contains(&name),
            "{name} is not in expected.txt"
        );
    }
    if std::env::var_os("PEERNET_SHOW_ERRORS").is_some() {
        for line in manifest.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let [file, doc, _] = f[..] {
                let e = parse_as(doc, &fs::read(dir().join(file)).unwrap()).unwrap_err();
                println!("{file}: {e}");
            }
        }
    }
}

/// Too large to commit: a valid-looking document just over 1 MiB is refused before parsing,
/// and one of exactly 1 MiB is parsed.
#[test]
fn size_limit() {
    let head = b"<PEERIDENTITYINFO VERSION=\"1.0\"><IDC xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\">";
    let tail = b"</IDC></PEERIDENTITYINFO>";
    let mut doc = head.to_vec();
    doc.resize(MAX_DOCUMENT_SIZE - tail.len(), b' ');
    doc.extend_from_slice(tail);
    assert_eq!(doc.len(), MAX_DOCUMENT_SIZE);
    assert_eq!(IdentityInfo::parse(&doc).unwrap().idc, Vec::<u8>::new());
    doc.insert(head.len(), b' ');
    assert_eq!(
        IdentityInfo::parse(&doc).unwrap_err(),
        Error::TooLarge {
            document: DocumentType::IdentityInfo,
            size: MAX_DOCUMENT_SIZE + 1,
            limit: MAX_DOCUMENT_SIZE
        }
    );
    let e = SearchQuery::parse(&doc).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidSearch);
}

/// Deep nesting is refused while streaming, well before the (missing) end tags.
#[test]
fn depth_limit_while_streaming() {
    let deep = "<and>".repeat(200_000);
    let doc = format!("<peersearch>{deep}");
    let e = SearchQuery::parse_str(&doc).unwrap_err();
    assert_eq!(e.variant_name(), "NestingTooDeep");
    assert_eq!(
        e.position(),
        Some("<peersearch>".len() + 31 * "<and>".len())
    );
}

/// A document that is valid except for a DOCTYPE is refused for the DOCTYPE even when its
/// entities would expand enormously (nothing is expanded).
#[test]
fn quadratic_blowup_is_refused() {
    let big = "a".repeat(100_000);
    let refs = "&a;".repeat(10_000);
    let doc = format!(
        "<!DOCTYPE attributes [<!ENTITY a \"{big}\">]><attributes><attribute name=\"x\" type=\"string\">{refs}</attribute></attributes>"
    );
    assert_eq!(
        RecordAttributes::parse_str(&doc)
            .unwrap_err()
            .variant_name(),
        "Doctype"
    );
    let doc = format!(
        "<attributes><attribute name=\"x\" type=\"string\">{refs}</attribute></attributes>"
    );
    assert_eq!(
        RecordAttributes::parse_str(&doc)
            .unwrap_err()
            .variant_name(),
        "Entity"
    );
}
