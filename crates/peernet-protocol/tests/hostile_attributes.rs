//! Regression: a start tag with a huge number of attributes or namespace declarations is
//! refused after `MAX_ATTRIBUTES`, in linear time. Before the cap a 390 kB tag of 40,000
//! attributes took 7.9 s and 20,000 prefixed attributes with their declarations 21 s (debug),
//! quadratic in the count (quick-xml's duplicate check, RUSTSEC-2026-0194, and prefix lookups).

use std::time::{Duration, Instant};

use peernet_protocol::{Error, IdentityExport, MAX_ATTRIBUTES, MAX_DOCUMENT_SIZE};

fn tag_with(n: usize, attr: impl Fn(usize) -> String) -> String {
    let mut s = String::from("<PEERIDENTITYEXPORT VERSION=\"1.0\"");
    for i in 0..n {
        s.push(' ');
        s.push_str(&attr(i));
    }
    s.push_str("></PEERIDENTITYEXPORT>");
    s
}

fn refused_quickly(doc: &str) {
    assert!(doc.len() <= MAX_DOCUMENT_SIZE, "{} bytes", doc.len());
    let t = Instant::now();
    let e = IdentityExport::parse_str(doc).unwrap_err();
    let took = t.elapsed();
    assert!(
        matches!(&e, Error::Syntax { message, .. } if message.contains("attributes")),
        "{e:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn many_attributes_are_refused_in_linear_time() {
    refused_quickly(&tag_with(100_000, |i| format!("a{i}=\"\"")));
}

#[test]
fn many_namespace_declarations_are_refused_in_linear_time() {
    refused_quickly(&tag_with(60_000, |i| format!("xmlns:p{i}=\"u\"")));
    refused_quickly(&tag_with(30_000, |i| {
        format!("xmlns:p{i}=\"u\" p{i}:a=\"\"")
    }));
}

#[test]
fn the_cap_is_above_what_our_documents_use() {
    // 16 attributes are still read (and then refused as unexpected, not as too many).
    let doc = tag_with(MAX_ATTRIBUTES - 1, |i| format!("a{i}=\"\""));
    let e = IdentityExport::parse_str(&doc).unwrap_err();
    assert!(
        !matches!(&e, Error::Syntax { message, .. } if message.contains("more than")),
        "{e:?}"
    );
}
