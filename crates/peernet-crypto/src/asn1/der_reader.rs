//! The strict DER reader of the certificate side (TBSCertificate, extensions, keys).
//!
//! Only definite, minimal lengths and single-byte tags are accepted, as DER requires:
//! signatures are checked over the received bytes, so the reader keeps each TLV's raw
//! encoding. The PKCS side reads BER with [`super::ber_reader`]; the two are not
//! interchangeable.

use crate::error::{Error, Result};

/// A cursor over DER TLVs.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

/// One TLV read from a [`Reader`].
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    /// The whole encoding, header included.
    pub(crate) raw: &'a [u8],
}

pub(super) fn malformed(reason: &str) -> Error {
    Error::MalformedCertificate {
        reason: reason.to_string(),
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Read the next TLV.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>> {
        let d = self.data;
        let (&tag, rest) = d
            .split_first()
            .ok_or_else(|| malformed("unexpected end of data"))?;
        if tag & 0x1f == 0x1f {
            return Err(malformed("multi-byte tags are not supported"));
        }
        let (&l0, rest) = rest
            .split_first()
            .ok_or_else(|| malformed("missing length"))?;
        let (len, rest) = if l0 < 0x80 {
            (l0 as usize, rest)
        } else {
            let n = (l0 & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return Err(malformed("bad length encoding"));
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | b as usize;
            }
            if rest[0] == 0 || len < 0x80 {
                return Err(malformed("non-minimal length encoding"));
            }
            (len, &rest[n..])
        };
        if rest.len() < len {
            return Err(malformed("length exceeds available data"));
        }
        let header = d.len() - rest.len();
        let tlv = Tlv {
            tag,
            content: &rest[..len],
            raw: &d[..header + len],
        };
        self.data = &rest[len..];
        Ok(tlv)
    }

    /// Read the next TLV and require its tag.
    pub(crate) fn expect(&mut self, tag: u8, what: &str) -> Result<&'a [u8]> {
        let t = self.any()?;
        if t.tag != tag {
            return Err(malformed(&format!(
                "{what}: expected tag {tag:#04x}, found {:#04x}",
                t.tag
            )));
        }
        Ok(t.content)
    }

    /// Require that nothing is left.
    pub(crate) fn finish(&self, what: &str) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(malformed(&format!("{what}: trailing data")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::{tag::OCTET_STRING, writer::tlv};

    #[test]
    fn reader_rejects_non_der_lengths() {
        assert!(
            Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5])
                .any()
                .is_err()
        );
        assert!(Reader::new(&[0x04, 0x80]).any().is_err());
        assert!(Reader::new(&[0x04, 0x05, 1]).any().is_err());
        assert!(Reader::new(&[0x1f, 0x01, 0x00]).any().is_err());
        let big = tlv(OCTET_STRING, &[7; 300]);
        assert_eq!(Reader::new(&big).any().unwrap().content.len(), 300);
    }
}
