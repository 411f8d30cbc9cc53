//! How refusals are reported where quick-xml changed its behaviour: the tokenizer messages
//! and the DOCTYPE scan of quick-xml 0.38, kept so error text and classification stay stable.

use super::is_xml_space;
use crate::error::{DocumentType, Error};

/// The message for a tokenizer error, worded as it was before quick-xml 0.41.
///
/// quick-xml 0.41 split "unclosed PI or XML declaration" in two and reports an unclosed
/// attribute value separately from an unclosed tag. Our error text is part of the
/// observable behaviour (Display, CLI output), so the old wording is kept; every other
/// error is rendered by quick-xml unchanged.
pub(super) fn tokenizer_message(e: &quick_xml::Error) -> String {
    use quick_xml::errors::SyntaxError;
    match e {
        quick_xml::Error::Syntax(SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl) => {
            "syntax error: processing instruction or xml declaration not closed: `?>` not found \
             before end of input"
                .to_owned()
        }
        quick_xml::Error::Syntax(
            SyntaxError::UnclosedSingleQuotedAttributeValue
            | SyntaxError::UnclosedDoubleQuotedAttributeValue,
        ) => "syntax error: tag not closed: `>` not found before end of input".to_owned(),
        other => other.to_string(),
    }
}

/// Refuse markup starting with `<!D` / `<!d` at `pos` (`rest` starts there).
///
/// A DOCTYPE is never accepted, so this only decides how the refusal is reported. It
/// keeps the scan quick-xml 0.38 used (the declaration ends at the first `>` not
/// balanced by an earlier `<`; quotes, comments and PIs in the internal subset are not
/// special), so documents are classified exactly as before the move to quick-xml 0.41+,
/// whose DTD parser finds the end of some declarations elsewhere.
pub(super) fn refuse_doctype(doc: DocumentType, rest: &[u8], pos: usize) -> Error {
    let unclosed = || Error::Syntax {
        document: doc,
        message: "syntax error: DOCTYPE not closed: `>` not found before end of input".to_owned(),
        position: pos,
    };
    let mut balance = 0usize;
    let mut end = None;
    for (i, &b) in rest.iter().enumerate().skip(1) {
        match b {
            b'<' => balance += 1,
            b'>' if balance == 0 => {
                end = Some(i);
                break;
            }
            b'>' => balance -= 1,
            _ => {}
        }
    }
    let Some(end) = end else {
        return unclosed();
    };
    // Between `<` and `>`.
    let body = &rest[1..end];
    if body.len() < 8 || !body[..8].eq_ignore_ascii_case(b"!DOCTYPE") {
        return unclosed();
    }
    if body[8..].iter().all(|&b| is_xml_space(char::from(b))) {
        return Error::Syntax {
            document: doc,
            message: "ill-formed document: `<!DOCTYPE>` declaration does not contain a name of \
                      a document type"
                .to_owned(),
            position: pos + end,
        };
    }
    Error::Doctype {
        document: doc,
        position: pos,
    }
}
