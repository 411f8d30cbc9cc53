//! Unit tests of the reader: the tokenizer rules through `parse_tree`, and `Schema`.

use super::escape::forbidden_in;
use super::*;
use crate::error::{DocumentType, Error};
use crate::{DT_NAMESPACE, MAX_DEPTH, MAX_DOCUMENT_SIZE};

const D: DocumentType = DocumentType::IdentityInfo;

#[test]
fn references_resolve() {
    let el = parse_tree(D, b"<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</a>").unwrap();
    assert_eq!(el.text, "<>&'\"AB");
}

#[test]
fn forbidden_in_fast_path_agrees_with_the_char_check() {
    for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
        let s = format!("ab{c}cd");
        assert_eq!(forbidden_in(&s), (!is_xml_char(c)).then_some(c), "{c:?}");
    }
}

#[test]
fn custom_entity_refused() {
    let e = parse_tree(D, b"<a>&foo;</a>").unwrap_err();
    assert_eq!(e.variant_name(), "Entity");
}

#[test]
fn forbidden_char_ref_refused() {
    for doc in [
        &b"<a>&#1;</a>"[..],
        b"<a>&#0;</a>",
        b"<a>&#xFFFE;</a>",
        b"<a>&#xD800;</a>",
        b"<a b='&#2;'/>",
    ] {
        let e = parse_tree(D, doc).unwrap_err();
        assert_eq!(
            e.variant_name(),
            "ForbiddenCharacter",
            "{}",
            String::from_utf8_lossy(doc)
        );
    }
}

#[test]
fn literal_control_char_refused() {
    let e = parse_tree(D, b"<a>x\x01</a>").unwrap_err();
    assert_eq!(e.variant_name(), "ForbiddenCharacter");
    let e = parse_tree(D, b"<a>x</a>\x00").unwrap_err();
    assert_eq!(e.variant_name(), "ForbiddenCharacter");
}

#[test]
fn eol_normalised_and_cr_ref_kept() {
    let el = parse_tree(D, b"<a>x\r\ny\rz&#13;</a>").unwrap();
    assert_eq!(el.text, "x\ny\nz\r");
}

#[test]
fn bom_and_declaration() {
    let el = parse_tree(
        D,
        b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a/>",
    )
    .unwrap();
    assert_eq!(el.name, "a");
    let e = parse_tree(D, b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>").unwrap_err();
    assert_eq!(e.variant_name(), "Encoding");
    let e = parse_tree(D, b"\xFF\xFE<\x00a\x00/\x00>\x00").unwrap_err();
    assert_eq!(e.variant_name(), "Encoding");
    let e = parse_tree(D, b"<a/>\n<?xml version=\"1.0\"?>").unwrap_err();
    assert_eq!(e.variant_name(), "Syntax");
}

#[test]
fn positions_count_the_bom() {
    let e = parse_tree(D, b"\xEF\xBB\xBF<a>\xFF</a>").unwrap_err();
    assert_eq!(
        e,
        Error::NotUtf8 {
            document: D,
            position: 6
        }
    );
}

#[test]
fn comments_skipped_pis_refused() {
    let el = parse_tree(D, b"<!-- c --><a>x<!-- y -->z</a><!-- d -->").unwrap();
    assert_eq!(el.text, "xz");
    let e = parse_tree(D, b"<?xml-stylesheet href='x'?><a/>").unwrap_err();
    assert_eq!(e.variant_name(), "ProcessingInstruction");
    let e = parse_tree(D, b"<a><?php x ?></a>").unwrap_err();
    assert_eq!(e.variant_name(), "ProcessingInstruction");
}

#[test]
fn comment_with_double_hyphen_refused() {
    let e = parse_tree(D, b"<a><!-- a -- b --></a>").unwrap_err();
    assert_eq!(e.variant_name(), "Syntax");
}

#[test]
fn quoting_cdata_and_empty_default_namespace() {
    let el = parse_tree(D, b"<a b='x\"y' xmlns=''><![CDATA[<&>]]></a>").unwrap();
    assert_eq!(el.attrs[0].value, "x\"y");
    assert_eq!(el.text, "<&>");
}

#[test]
fn doctype_refused() {
    let e = parse_tree(D, b"<!DOCTYPE a><a/>").unwrap_err();
    assert_eq!(
        e,
        Error::Doctype {
            document: D,
            position: 0
        }
    );
}

#[test]
fn doctype_refusal_classified_as_with_quick_xml_0_38() {
    // 0.38 ended the declaration at the first unbalanced '>' (quotes not special);
    // quick-xml 0.41+ parses the DTD. We keep the 0.38 classification.
    assert_eq!(
        parse_tree(D, b"<!DOCTYPE a '><a/>").unwrap_err(),
        Error::Doctype {
            document: D,
            position: 0
        }
    );
    assert_eq!(
        parse_tree(D, b"<a/><!DOCTYPE x [<!ENTITY e \"<\">]><a/>").unwrap_err(),
        Error::Syntax {
            document: D,
            message: "syntax error: DOCTYPE not closed: `>` not found before end of input"
                .to_owned(),
            position: 4
        }
    );
    assert_eq!(
        parse_tree(D, b"<!DOCTYPE \t><a/>").unwrap_err(),
        Error::Syntax {
            document: D,
            message: "ill-formed document: `<!DOCTYPE>` declaration does not contain a \
                      name of a document type"
                .to_owned(),
            position: 11
        }
    );
    assert_eq!(
        parse_tree(D, b"<!Dx><a/>").unwrap_err().variant_name(),
        "Syntax"
    );
}

#[test]
fn tokenizer_messages_as_with_quick_xml_0_38() {
    let message = |doc: &[u8]| match parse_tree(D, doc).unwrap_err() {
        Error::Syntax { message, .. } => message,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        message(b"<a/><?x"),
        "syntax error: processing instruction or xml declaration not closed: `?>` not found \
         before end of input"
    );
    assert_eq!(
        message(b"<?xml version='1.0'"),
        "syntax error: processing instruction or xml declaration not closed: `?>` not found \
         before end of input"
    );
    assert_eq!(
        message(b"<a b='x"),
        "syntax error: tag not closed: `>` not found before end of input"
    );
    assert_eq!(
        message(b"<a b=\"x"),
        "syntax error: tag not closed: `>` not found before end of input"
    );
}

#[test]
fn depth_limit() {
    let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    assert!(parse_tree(D, deep(MAX_DEPTH).as_bytes()).is_ok());
    let e = parse_tree(D, deep(MAX_DEPTH + 1).as_bytes()).unwrap_err();
    assert_eq!(
        e,
        Error::NestingTooDeep {
            document: D,
            limit: MAX_DEPTH,
            position: 3 * MAX_DEPTH
        }
    );
    // Unclosed deep nesting is refused for depth before the missing end tags are noticed.
    let e = parse_tree(D, "<a>".repeat(100_000).as_bytes()).unwrap_err();
    assert_eq!(e.variant_name(), "NestingTooDeep");
}

#[test]
fn size_limit_checked_first() {
    let mut big = vec![b' '; MAX_DOCUMENT_SIZE + 1];
    big[0] = 0xFF; // not UTF-8 either, but size wins
    assert_eq!(
        parse_tree(D, &big).unwrap_err(),
        Error::TooLarge {
            document: D,
            size: MAX_DOCUMENT_SIZE + 1,
            limit: MAX_DOCUMENT_SIZE
        }
    );
}

#[test]
fn structure_errors() {
    for (doc, want) in [
        (&b"<a>"[..], "Syntax"),
        (b"<a></b>", "Syntax"),
        (b"<a/><b/>", "Syntax"),
        (b"x<a/>", "TextNotAllowed"),
        (b"<a/>x", "TextNotAllowed"),
        (b"", "Syntax"),
        (b"<a b='1' b='2'/>", "Syntax"),
        (b"<p:a/>", "UnboundPrefix"),
        (b"<a p:b='1'/>", "UnboundPrefix"),
        (b"<a xmlns='urn:x'/>", "UnexpectedAttribute"),
        (b"<a b='<'/>", "Syntax"),
        (b"<a>x]]>y</a>", "Syntax"),
    ] {
        let e = parse_tree(D, doc).unwrap_err();
        assert_eq!(e.variant_name(), want, "{}", String::from_utf8_lossy(doc));
    }
}

#[test]
fn namespaces_resolve_through_ancestors() {
    let el = parse_tree(
        D,
        b"<a xmlns:x='urn:schemas-microsoft-com:datatypes'><b x:dt='bin.base64'>QQ==</b></a>",
    )
    .unwrap();
    let b = &el.children[0];
    assert_eq!(b.attrs[0].namespace.as_deref(), Some(DT_NAMESPACE));
    assert_eq!(Schema { doc: D }.binary(b).unwrap(), b"A");
    let two = parse_tree(
        D,
        b"<b xmlns:x='urn:schemas-microsoft-com:datatypes' xmlns:y='urn:schemas-microsoft-com:datatypes' x:dt='bin.base64' y:dt='bin.base64'>QQ==</b>",
    )
    .unwrap();
    assert_eq!(
        Schema { doc: D }.binary(&two).unwrap_err().variant_name(),
        "UnexpectedAttribute"
    );
}
