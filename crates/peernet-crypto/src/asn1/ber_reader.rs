//! The tolerant BER reader of the PKCS#12, PKCS#7 and PKCS#8 code.
//!
//! It accepts what real PFX and PKCS#7 writers emit: definite and indefinite lengths, and
//! constructed OCTET STRINGs, definite or indefinite, nested or not (joined on demand by
//! [`Tlv::octets`]). It only knows single-byte tags (every tag in these formats is one)
//! and bounds nesting depth, so hostile input cannot overflow the stack. Why this is not
//! `der`'s `ber` feature: docs/DEPENDENCIES.md.

use std::borrow::Cow;

use super::tag::{CONSTRUCTED, INTEGER, OCTET_STRING, SEQUENCE};
use crate::pkcs::{PkcsError, Result};

/// Deepest nesting the reader follows.
const MAX_DEPTH: usize = 48;

/// One decoded TLV.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub(crate) tag: u8,
    /// Content octets (for indefinite lengths: everything up to the end-of-contents).
    pub(crate) body: &'a [u8],
    /// The whole encoding, header included.
    pub(crate) raw: &'a [u8],
    /// True when the length was indefinite.
    pub(crate) indefinite: bool,
    depth: usize,
}

fn malformed(what: &'static str) -> PkcsError {
    PkcsError::Malformed(what)
}

/// Reads consecutive TLVs from a byte slice.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a top-level buffer.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
        }
    }

    /// True when every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next TLV, or `None` at the end.
    pub(crate) fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let (tlv, used) = parse_one(&self.data[self.pos..], self.depth)?;
        self.pos += used;
        Ok(Some(tlv))
    }

    /// The next TLV; an error if there is none.
    pub(crate) fn read(&mut self, what: &'static str) -> Result<Tlv<'a>> {
        self.next_tlv()?.ok_or(malformed(what))
    }

    /// The next TLV, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>> {
        let t = self.read(what)?;
        if t.tag != tag {
            return Err(malformed(what));
        }
        Ok(t)
    }

    /// The next TLV if it carries `tag`; otherwise nothing is consumed.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.is_empty() || self.data[self.pos] != tag {
            return Ok(None);
        }
        self.next_tlv()
    }

    /// Fails unless the reader is exhausted.
    pub(crate) fn finish(&self, what: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(malformed(what))
        }
    }
}

impl<'a> Tlv<'a> {
    /// A reader over this TLV's children.
    pub(crate) fn children(&self) -> Result<Reader<'a>> {
        if self.tag & CONSTRUCTED == 0 {
            return Err(malformed(
                "primitive value where a constructed one was expected",
            ));
        }
        Ok(Reader {
            data: self.body,
            pos: 0,
            depth: self.depth + 1,
        })
    }

    /// True for an OCTET STRING, primitive or constructed (BER segments).
    pub(crate) fn is_octet_string(&self) -> bool {
        self.tag & !CONSTRUCTED == OCTET_STRING
    }

    /// The bytes of an OCTET STRING (or an IMPLICIT-tagged one), joining BER
    /// constructed segments.
    pub(crate) fn octets(&self) -> Result<Cow<'a, [u8]>> {
        if self.tag & CONSTRUCTED == 0 {
            return Ok(Cow::Borrowed(self.body));
        }
        let mut out = Vec::new();
        self.collect_octets(&mut out)?;
        Ok(Cow::Owned(out))
    }

    fn collect_octets(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut r = self.children()?;
        while let Some(seg) = r.next_tlv()? {
            if seg.tag == OCTET_STRING {
                out.extend_from_slice(seg.body);
            } else if seg.tag == OCTET_STRING | CONSTRUCTED {
                seg.collect_octets(out)?;
            } else {
                return Err(malformed("bad segment in a constructed OCTET STRING"));
            }
        }
        Ok(())
    }

    /// A non-negative INTEGER that fits in `u64`; `None` when it is larger.
    pub(crate) fn uint(&self) -> Result<Option<u64>> {
        if self.tag != INTEGER || self.body.is_empty() {
            return Err(malformed("bad INTEGER"));
        }
        if self.body[0] & 0x80 != 0 {
            return Err(malformed("negative INTEGER"));
        }
        let digits: &[u8] = {
            let mut b = self.body;
            while b.len() > 1 && b[0] == 0 {
                b = &b[1..];
            }
            b
        };
        if digits.len() > 8 {
            return Ok(None);
        }
        Ok(Some(
            digits
                .iter()
                .fold(0u64, |acc, &d| (acc << 8) | u64::from(d)),
        ))
    }
}

fn parse_one(data: &[u8], depth: usize) -> Result<(Tlv<'_>, usize)> {
    if depth > MAX_DEPTH {
        return Err(malformed("nesting too deep"));
    }
    let tag = *data.first().ok_or(malformed("truncated"))?;
    if tag & 0x1F == 0x1F {
        return Err(malformed("multi-byte tags are not used by this format"));
    }
    let first = *data.get(1).ok_or(malformed("truncated length"))?;
    let mut pos = 2;
    if first == 0x80 {
        // Indefinite length: constructed only, children until end-of-contents.
        if tag & CONSTRUCTED == 0 {
            return Err(malformed("indefinite length on a primitive value"));
        }
        let start = pos;
        loop {
            let rest = &data[pos..];
            if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                let body = &data[start..pos];
                pos += 2;
                return Ok((
                    Tlv {
                        tag,
                        body,
                        raw: &data[..pos],
                        indefinite: true,
                        depth,
                    },
                    pos,
                ));
            }
            if rest.is_empty() {
                return Err(malformed("missing end-of-contents"));
            }
            let (_, used) = parse_one(rest, depth + 1)?;
            pos += used;
        }
    }
    let len = if first & 0x80 == 0 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n > 4 {
            return Err(malformed("length too large"));
        }
        let bytes = data.get(2..2 + n).ok_or(malformed("truncated length"))?;
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let end = pos.checked_add(len).ok_or(malformed("length overflow"))?;
    let body = data.get(pos..end).ok_or(malformed("truncated value"))?;
    Ok((
        Tlv {
            tag,
            body,
            raw: &data[..end],
            indefinite: false,
            depth,
        },
        end,
    ))
}

/// Parses `data` as exactly one TLV.
pub(crate) fn parse_single<'a>(data: &'a [u8], what: &'static str) -> Result<Tlv<'a>> {
    let mut r = Reader::new(data);
    let t = r.read(what)?;
    r.finish(what)?;
    Ok(t)
}

/// True when `data` is exactly one well-formed SEQUENCE (all nested lengths consistent).
pub(crate) fn is_well_formed_sequence(data: &[u8]) -> bool {
    fn walk(t: &Tlv<'_>) -> bool {
        if t.tag & CONSTRUCTED == 0 {
            return true;
        }
        let Ok(mut r) = t.children() else {
            return false;
        };
        loop {
            match r.next_tlv() {
                Ok(Some(c)) => {
                    if !walk(&c) {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }
    match parse_single(data, "") {
        Ok(t) => t.tag == SEQUENCE && walk(&t),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::oid::dotted;
    use crate::asn1::writer::{tlv, uint};

    #[test]
    fn indefinite_and_constructed_octets() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" } }
        let data = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        let t = parse_single(&data, "x").unwrap();
        assert!(t.indefinite);
        let mut r = t.children().unwrap();
        let o = r.read("o").unwrap();
        assert_eq!(&*o.octets().unwrap(), b"abc");
        assert!(r.is_empty());
    }

    #[test]
    fn constructed_definite_and_nested_octets() {
        // X.690 8.7.3 allows both; der 0.8's `ber` mode refuses them (docs/DEPENDENCIES.md).
        // OCTET STRING constructed, definite { "ab", OCTET STRING constructed, indefinite { "c" } }
        let data = [
            0x24, 0x0b, 0x04, 0x02, b'a', b'b', 0x24, 0x80, 0x04, 0x01, b'c', 0, 0,
        ];
        let t = parse_single(&data, "x").unwrap();
        assert!(!t.indefinite && t.is_octet_string());
        assert_eq!(&*t.octets().unwrap(), b"abc");
        // A segment that is not an OCTET STRING is refused.
        let bad = [0x24, 0x03, 0x02, 0x01, 0x00];
        assert!(parse_single(&bad, "x").unwrap().octets().is_err());
    }

    #[test]
    fn integers_and_lengths() {
        assert_eq!(uint(0), [2, 1, 0]);
        assert_eq!(uint(128), [2, 2, 0, 128]);
        assert_eq!(uint(2048), [2, 2, 8, 0]);
        let long = tlv(4, &[7u8; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 1, 44]);
        let t = parse_single(&long, "x").unwrap();
        assert_eq!(t.body.len(), 300);
        assert_eq!(
            parse_single(&uint(600_000), "i").unwrap().uint().unwrap(),
            Some(600_000)
        );
        assert_eq!(
            dotted(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
    }
}
