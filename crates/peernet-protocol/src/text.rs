//! A document's text as Windows programs write it to a file.
//!
//! The p2p.h functions hand documents over as `PWSTR` (UTF-16 in memory); what lands in
//! a file depends on the program. The Windows SDK GroupChat sample writes `.idt` and
//! `.inv` files with `fputws` in binary mode, that is raw UTF-16LE without a byte-order
//! mark, and reads them back with `fread` into a zeroed `WCHAR` buffer. Other tools write
//! UTF-16LE with a byte-order mark, or UTF-8 with a byte-order mark and CRLF line ends.
//! The readers of this crate take UTF-8; [`decode_document`] turns any of those files
//! into that text first, and [`encode_document`] writes text the way a given reader
//! expects it.
//!
//! Detection, in this order:
//!
//! 1. A UTF-32 byte-order mark (`FF FE 00 00` or `00 00 FE FF`) is refused.
//! 2. A byte-order mark `EF BB BF` (UTF-8), `FF FE` (UTF-16LE) or `FE FF` (UTF-16BE)
//!    decides, and is removed.
//! 3. Without one, the first character is `<`: the bytes `3C 00` mean UTF-16LE and
//!    `00 3C` UTF-16BE (`3C 00 00 00` and `00 00 00 3C`, UTF-32, are refused).
//! 4. Anything else is read as UTF-8, as before.
//!
//! Decisions where the Windows documentation is silent:
//!
//! * **Trailing NULs are accepted and removed** (any number of U+0000 at the very end).
//!   A file written by `fputws` has none, but a program that writes the `PWSTR` with its
//!   terminator, or the whole zeroed buffer it `fread` the document into, leaves some;
//!   U+0000 can never be part of an XML document, so removing them loses nothing.
//! * A NUL anywhere else is left in the text, for the document's reader to refuse with
//!   its own error (as it refuses a NUL in UTF-8 input). Only a NUL among the first two
//!   bytes of input read as UTF-8 is refused here: that is UTF-16 or UTF-32 which
//!   detection did not recognise (no byte-order mark and not starting with `<`).
//! * UTF-16 with an odd number of bytes, or with an unpaired surrogate, is refused with
//!   the byte offset of the bad unit; nothing is replaced by U+FFFD.
//! * An XML declaration whose `encoding` names the UTF-16 form the file was detected as
//!   (`UTF-16`, or `UTF-16LE`/`UTF-16BE` matching the byte order) is rewritten to
//!   `UTF-8`, which the decoded text then is. Any other declared encoding is left for
//!   the reader, which refuses everything but UTF-8 ([`Error::Encoding`]).
//!
//! Positions in the errors of this module are byte offsets into the bytes given to
//! [`decode_document`]; a later reader error counts bytes of the decoded UTF-8 text.

use crate::error::{DocumentType, Error};

/// A text encoding a document file may be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextEncoding {
    /// UTF-8 (what peernet writes).
    Utf8,
    /// UTF-16, little-endian (what the GroupChat sample writes, from `fputws`).
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
}

impl TextEncoding {
    /// The encoding's name as an XML declaration spells it (`UTF-8`, `UTF-16LE`, `UTF-16BE`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
        }
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document decoded by [`decode_document`]: its UTF-8 text and how the file held it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedText {
    /// The text, without byte-order mark and trailing NULs.
    pub text: String,
    /// The encoding detected.
    pub encoding: TextEncoding,
    /// Whether the file began with a byte-order mark.
    pub byte_order_mark: bool,
    /// How many U+0000 characters were removed from the end.
    pub trailing_nuls: usize,
}

const BOM_UTF8: &[u8] = &[0xEF, 0xBB, 0xBF];
const BOM_UTF16LE: &[u8] = &[0xFF, 0xFE];
const BOM_UTF16BE: &[u8] = &[0xFE, 0xFF];
const BOM_UTF32LE: &[u8] = &[0xFF, 0xFE, 0x00, 0x00];
const BOM_UTF32BE: &[u8] = &[0x00, 0x00, 0xFE, 0xFF];

/// Decode the bytes of a document file of type `document` (used in errors) into UTF-8
/// text, detecting UTF-8 or UTF-16LE/BE as the [module documentation](self) describes.
///
/// # Errors
/// [`Error::Undecodable`] for UTF-32, for a NUL among the first two bytes of UTF-8, for
/// UTF-8 that is not valid, and for UTF-16 with an odd number of bytes or an unpaired surrogate.
pub fn decode_document(document: DocumentType, bytes: &[u8]) -> Result<DecodedText, Error> {
    let refuse = |reason: &str, position: usize| Error::Undecodable {
        document,
        reason: reason.to_owned(),
        position,
    };
    if bytes.starts_with(BOM_UTF32LE) || bytes.starts_with(BOM_UTF32BE) {
        return Err(refuse("UTF-32 byte-order mark (UTF-32 is not read)", 0));
    }
    if let Some(body) = bytes.strip_prefix(BOM_UTF8) {
        return utf8(document, body, BOM_UTF8.len(), true);
    }
    if let Some(body) = bytes.strip_prefix(BOM_UTF16LE) {
        return utf16(
            document,
            TextEncoding::Utf16Le,
            body,
            BOM_UTF16LE.len(),
            true,
        );
    }
    if let Some(body) = bytes.strip_prefix(BOM_UTF16BE) {
        return utf16(
            document,
            TextEncoding::Utf16Be,
            body,
            BOM_UTF16BE.len(),
            true,
        );
    }
    match bytes {
        [0x3C, 0, 0, 0, ..] | [0, 0, 0, 0x3C, ..] => {
            Err(refuse("UTF-32 text (UTF-32 is not read)", 0))
        }
        [0x3C, 0, ..] => utf16(document, TextEncoding::Utf16Le, bytes, 0, false),
        [0, 0x3C, ..] => utf16(document, TextEncoding::Utf16Be, bytes, 0, false),
        _ => utf8(document, bytes, 0, false),
    }
}

/// The reason given for UTF-16 or UTF-32 that detection did not recognise.
const NOT_DETECTED: &str = "NUL character (U+0000) at the start: UTF-16 or UTF-32 text \
     without a byte-order mark must start with '<'";

fn utf8(
    document: DocumentType,
    body: &[u8],
    offset: usize,
    byte_order_mark: bool,
) -> Result<DecodedText, Error> {
    let end = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let (text, nuls) = body.split_at(end);
    if let Some(i) = text.iter().take(2).position(|&b| b == 0) {
        return Err(Error::Undecodable {
            document,
            reason: NOT_DETECTED.to_owned(),
            position: offset + i,
        });
    }
    let text = std::str::from_utf8(text).map_err(|e| Error::Undecodable {
        document,
        reason: "invalid UTF-8 sequence".to_owned(),
        position: offset + e.valid_up_to(),
    })?;
    Ok(DecodedText {
        text: text.to_owned(),
        encoding: TextEncoding::Utf8,
        byte_order_mark,
        trailing_nuls: nuls.len(),
    })
}

fn utf16(
    document: DocumentType,
    encoding: TextEncoding,
    body: &[u8],
    offset: usize,
    byte_order_mark: bool,
) -> Result<DecodedText, Error> {
    let refuse = |reason: String, position: usize| Error::Undecodable {
        document,
        reason,
        position,
    };
    if !body.len().is_multiple_of(2) {
        return Err(refuse(
            format!("{encoding}: odd number of bytes ({})", offset + body.len()),
            offset + body.len() - 1,
        ));
    }
    let unit = |c: &[u8]| match encoding {
        TextEncoding::Utf16Be => u16::from_be_bytes([c[0], c[1]]),
        _ => u16::from_le_bytes([c[0], c[1]]),
    };
    let units: Vec<u16> = body.chunks_exact(2).map(unit).collect();
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |i| i + 1);
    let mut text = String::with_capacity(end + end / 2);
    let mut at = 0usize;
    for c in char::decode_utf16(units[..end].iter().copied()) {
        match c {
            Ok(c) => {
                text.push(c);
                at += c.len_utf16();
            }
            Err(e) => {
                return Err(refuse(
                    format!(
                        "{encoding}: unpaired surrogate 0x{:04X}",
                        e.unpaired_surrogate()
                    ),
                    offset + 2 * at,
                ));
            }
        }
    }
    declared_as_utf8(&mut text, encoding);
    Ok(DecodedText {
        text,
        encoding,
        byte_order_mark,
        trailing_nuls: units.len() - end,
    })
}

/// Rewrites the `encoding` of a leading XML declaration to `UTF-8` when it names the
/// UTF-16 form `encoding` the text was decoded from.
fn declared_as_utf8(text: &mut String, encoding: TextEncoding) {
    let Some(range) = declared_encoding(text) else {
        return;
    };
    let value = &text[range.clone()];
    if value.eq_ignore_ascii_case("UTF-16") || value.eq_ignore_ascii_case(encoding.as_str()) {
        text.replace_range(range, "UTF-8");
    }
}

/// Where the value of the `encoding` pseudo-attribute of a leading XML declaration is.
fn declared_encoding(text: &str) -> Option<std::ops::Range<usize>> {
    let rest = text.strip_prefix("<?xml")?;
    if !rest.starts_with([' ', '\t', '\r', '\n']) {
        return None;
    }
    let decl = &text[..text.find("?>")?];
    let name = decl.find("encoding")? + "encoding".len();
    let after = decl[name..].trim_start();
    let after = after.strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let start = decl.len() - after.len() + 1;
    let len = decl[start..].find(quote)?;
    Some(start..start + len)
}

/// The bytes of `text` in `encoding`, with a byte-order mark first when
/// `byte_order_mark` is set. `encode_document(t, TextEncoding::Utf16Le, false)` is what
/// the GroupChat sample's `fputws` writes and its `fread` reads.
#[must_use]
pub fn encode_document(text: &str, encoding: TextEncoding, byte_order_mark: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + 2 * text.len());
    match encoding {
        TextEncoding::Utf16Le => {
            if byte_order_mark {
                out.extend_from_slice(BOM_UTF16LE);
            }
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        }
        TextEncoding::Utf16Be => {
            if byte_order_mark {
                out.extend_from_slice(BOM_UTF16BE);
            }
            out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        }
        TextEncoding::Utf8 => {
            if byte_order_mark {
                out.extend_from_slice(BOM_UTF8);
            }
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: DocumentType = DocumentType::Invitation;
    const DOC: &str = "<PEERINVITATION VERSION=\"1.1\">\n  <CLOUDNAME>Gl\u{f6}bal_ \u{1F600}</CLOUDNAME>\n</PEERINVITATION>\n";

    fn le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    fn refused(bytes: &[u8]) -> (String, usize) {
        match decode_document(D, bytes) {
            Err(e @ Error::Undecodable { position, .. }) => (e.to_string(), position),
            other => panic!("expected Undecodable for {bytes:02x?}, got {other:?}"),
        }
    }

    #[test]
    fn every_accepted_form_gives_the_same_text() {
        let cases: [(Vec<u8>, TextEncoding, bool); 7] = [
            (DOC.as_bytes().to_vec(), TextEncoding::Utf8, false),
            (
                [BOM_UTF8, DOC.as_bytes()].concat(),
                TextEncoding::Utf8,
                true,
            ),
            (le(DOC), TextEncoding::Utf16Le, false),
            (
                [BOM_UTF16LE, &le(DOC)].concat(),
                TextEncoding::Utf16Le,
                true,
            ),
            (be(DOC), TextEncoding::Utf16Be, false),
            (
                [BOM_UTF16BE, &be(DOC)].concat(),
                TextEncoding::Utf16Be,
                true,
            ),
            (
                encode_document(DOC, TextEncoding::Utf16Le, false),
                TextEncoding::Utf16Le,
                false,
            ),
        ];
        for (bytes, encoding, bom) in cases {
            let d = decode_document(D, &bytes).unwrap();
            assert_eq!(d.text, DOC, "{encoding} bom={bom}");
            assert_eq!(
                (d.encoding, d.byte_order_mark, d.trailing_nuls),
                (encoding, bom, 0)
            );
        }
    }

    #[test]
    fn encode_then_decode_round_trips() {
        for encoding in [
            TextEncoding::Utf8,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
        ] {
            for bom in [false, true] {
                let bytes = encode_document(DOC, encoding, bom);
                let d = decode_document(D, &bytes).unwrap();
                assert_eq!((d.text.as_str(), d.encoding), (DOC, encoding));
                assert_eq!(d.byte_order_mark, bom);
            }
        }
        assert_eq!(
            encode_document("<a/>", TextEncoding::Utf16Le, false),
            b"<\0a\0/\0>\0"
        );
        assert_eq!(
            encode_document("<a/>", TextEncoding::Utf16Be, true),
            b"\xFE\xFF\0<\0a\0/\0>"
        );
        assert_eq!(
            encode_document("<a/>", TextEncoding::Utf8, true),
            b"\xEF\xBB\xBF<a/>"
        );
    }

    #[test]
    fn trailing_nul_padding_is_removed() {
        // A zeroed WCHAR buffer read with fread, written out whole.
        let mut padded = le(DOC);
        padded.extend_from_slice(&[0; 64]);
        let d = decode_document(D, &padded).unwrap();
        assert_eq!((d.text.as_str(), d.trailing_nuls), (DOC, 32));
        // The NUL terminator of a PWSTR, in each encoding.
        let d = decode_document(D, &[be(DOC), vec![0, 0]].concat()).unwrap();
        assert_eq!((d.text.as_str(), d.trailing_nuls), (DOC, 1));
        let d = decode_document(D, &[DOC.as_bytes(), b"\0"].concat()).unwrap();
        assert_eq!((d.text.as_str(), d.trailing_nuls), (DOC, 1));
    }

    #[test]
    fn nul_inside_is_left_for_the_reader() {
        let d = decode_document(D, b"<a>\0</a>").unwrap();
        assert_eq!(d.text, "<a>\0</a>");
        let d = decode_document(D, &le("<a>\0</a>\0")).unwrap();
        assert_eq!((d.text.as_str(), d.trailing_nuls), ("<a>\0</a>", 1));
        let d = decode_document(D, &le("<attributes>\0</attributes>")).unwrap();
        assert!(crate::RecordAttributes::parse_str(&d.text).is_err());
        // UTF-16LE without a BOM that starts with white space is not detected: its NUL
        // bytes are refused, not read as UTF-8.
        let (msg, at) = refused(&le(" <a/>"));
        assert_eq!(at, 1);
        assert!(msg.contains("must start with '<'"), "{msg}");
        assert_eq!(refused(&be(" <a/>")).1, 0);
    }

    #[test]
    fn odd_byte_counts_are_refused() {
        let mut odd = le("<a/>");
        odd.push(0);
        let (msg, at) = refused(&odd);
        assert_eq!(at, 8);
        assert!(msg.contains("UTF-16LE: odd number of bytes (9)"), "{msg}");
        let (msg, at) = refused(&[BOM_UTF16BE, &be("<a/>")[..7]].concat());
        assert_eq!(at, 8);
        assert!(msg.contains("UTF-16BE: odd number of bytes"), "{msg}");
        // A lone "<" followed by one NUL byte is UTF-16LE with three bytes.
        assert_eq!(refused(b"<\0\0").1, 2);
    }

    #[test]
    fn unpaired_surrogates_are_refused_with_their_offset() {
        let units = |us: &[u16]| us.iter().flat_map(|u| u.to_le_bytes()).collect::<Vec<u8>>();
        // high surrogate followed by a non-surrogate
        let (msg, at) = refused(&units(&[0x3C, 0x61, 0xD800, 0x3E]));
        assert_eq!(at, 4);
        assert!(msg.contains("unpaired surrogate 0xD800"), "{msg}");
        // lone low surrogate
        assert_eq!(refused(&units(&[0x3C, 0xDC00])).1, 2);
        // high surrogate at the very end (before NUL padding)
        assert_eq!(refused(&units(&[0x3C, 0x61, 0xDBFF, 0, 0])).1, 4);
        // with a BOM the offset counts it
        assert_eq!(
            refused(&[BOM_UTF16LE, &units(&[0x3C, 0xDC00])].concat()).1,
            4
        );
        // a proper pair is fine
        let d = decode_document(D, &units(&[0x3C, 0xD83D, 0xDE00, 0x3E])).unwrap();
        assert_eq!(d.text, "<\u{1F600}>");
    }

    #[test]
    fn utf32_and_bad_utf8_are_refused() {
        assert_eq!(refused(b"\xFF\xFE\0\0<\0\0\0").1, 0);
        assert_eq!(refused(b"\0\0\xFE\xFF\0\0\0<").1, 0);
        assert!(refused(b"<\0\0\0a\0\0\0").0.contains("UTF-32"));
        assert!(refused(b"\0\0\0<\0\0\0a").0.contains("UTF-32"));
        // Latin-1 "é" is not UTF-8.
        let (msg, at) = refused(b"<a>caf\xE9</a>");
        assert_eq!(at, 6);
        assert!(msg.contains("invalid UTF-8"), "{msg}");
        assert_eq!(refused(b"\xEF\xBB\xBF<a>\xFF</a>").1, 6);
        assert!(msg.starts_with("PEERINVITATION: "), "{msg}");
    }

    #[test]
    fn empty_and_tiny_inputs_do_not_panic() {
        for bytes in [
            &b""[..],
            b"\0",
            b"\0\0",
            b"<",
            b"<\0",
            b"\0<",
            b"\xFF\xFE",
            b"\xFE\xFF",
            b"\xEF\xBB\xBF",
            b"\xFF",
            b"\xFF\xFE\0",
        ] {
            let _ = decode_document(D, bytes);
        }
        assert_eq!(decode_document(D, b"").unwrap().text, "");
        assert_eq!(decode_document(D, b"\xFF\xFE").unwrap().text, "");
        assert_eq!(decode_document(D, b"<\0").unwrap().text, "<");
    }

    #[test]
    fn a_utf16_declaration_becomes_utf8() {
        for (decl, expect) in [
            (
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>",
            ),
            (
                "<?xml version='1.0' encoding = 'utf-16le' ?><a/>",
                "<?xml version='1.0' encoding = 'UTF-8' ?><a/>",
            ),
            // The wrong byte order, or another encoding, is left for the reader to refuse.
            (
                "<?xml version=\"1.0\" encoding=\"UTF-16BE\"?><a/>",
                "<?xml version=\"1.0\" encoding=\"UTF-16BE\"?><a/>",
            ),
            (
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
            ),
            ("<?xml version=\"1.0\"?><a/>", "<?xml version=\"1.0\"?><a/>"),
            (
                "<?xml-stylesheet encoding=\"UTF-16\"?><a/>",
                "<?xml-stylesheet encoding=\"UTF-16\"?><a/>",
            ),
            ("<?xml encoding=\"UTF-16", "<?xml encoding=\"UTF-16"),
        ] {
            let d = decode_document(D, &[BOM_UTF16LE, &le(decl)].concat()).unwrap();
            assert_eq!(d.text, expect);
        }
        // UTF-8 input keeps its declaration as written (the reader refuses UTF-16 there).
        let d = decode_document(D, b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>").unwrap();
        assert!(d.text.contains("UTF-16"));
        // End to end: the reader accepts the decoded text.
        let inv = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<attributes></attributes>";
        let d = decode_document(DocumentType::RecordAttributes, &le(inv)).unwrap();
        assert!(
            crate::RecordAttributes::parse_str(&d.text).is_ok(),
            "{}",
            d.text
        );
    }

    /// Every file of `fixtures/encodings/` (generated by `cargo xtask fixtures`) decodes
    /// as its manifest row says, to its golden source's text, which then parses.
    #[test]
    fn committed_encoding_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let manifest = std::fs::read_to_string(root.join("encodings/manifest.txt")).unwrap();
        let (mut accepted, mut refused) = (0, 0);
        for line in manifest.lines().filter(|l| !l.starts_with('#')) {
            let row: Vec<&str> = line.split_whitespace().collect();
            let (file, source, expected) = (row[0], row[1], row[2]);
            let bytes = std::fs::read(root.join("encodings").join(file)).unwrap();
            let golden = std::fs::read_to_string(root.join(source)).unwrap();
            let document = match source {
                s if s.contains("identity-export") => DocumentType::IdentityExport,
                s if s.contains("identity-info") => DocumentType::IdentityInfo,
                s if s.contains("group-config") => DocumentType::GroupConfig,
                _ => DocumentType::Invitation,
            };
            let got = decode_document(document, &bytes);
            if expected == "refused" {
                refused += 1;
                assert!(
                    matches!(got, Err(Error::Undecodable { .. })),
                    "{file}: {got:?}"
                );
                continue;
            }
            accepted += 1;
            let d = got.unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(d.encoding.as_str(), expected, "{file}");
            assert_eq!(d.text.replace("\r\n", "\n"), golden, "{file}");
            let parsed = match document {
                DocumentType::IdentityExport => crate::IdentityExport::parse_str(&d.text).map(drop),
                DocumentType::IdentityInfo => crate::IdentityInfo::parse_str(&d.text).map(drop),
                DocumentType::GroupConfig => crate::GroupConfig::parse_str(&d.text).map(drop),
                _ => crate::Invitation::parse_str(&d.text).map(drop),
            };
            assert!(parsed.is_ok(), "{file}: {parsed:?}");
        }
        assert_eq!((accepted, refused), (30, 7));
    }

    proptest::proptest! {
        /// What the `text_decode` fuzz target checks: no panic, and whatever decodes
        /// encodes back, in the same encoding and byte-order-mark form, to bytes that
        /// decode to the same text.
        #[test]
        fn decode_encode_decode_is_stable(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            check_round_trip(&bytes);
        }

        #[test]
        fn utf16_shaped_inputs_round_trip(units in proptest::collection::vec(proptest::prelude::any::<u16>(), 0..32), le_order in proptest::prelude::any::<bool>()) {
            let mut bytes = if le_order { vec![0x3C, 0] } else { vec![0, 0x3C] };
            for u in units {
                bytes.extend(if le_order { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            check_round_trip(&bytes);
        }
    }

    fn check_round_trip(bytes: &[u8]) {
        let Ok(d) = decode_document(D, bytes) else {
            return;
        };
        let again = encode_document(&d.text, d.encoding, d.byte_order_mark);
        let d2 = decode_document(D, &again).expect("re-encoded text decodes");
        assert_eq!(d2.text, d.text);
        assert_eq!(
            (d2.encoding, d2.byte_order_mark, d2.trailing_nuls),
            (d.encoding, d.byte_order_mark, 0)
        );
    }
}
