//! Minimal DER reader (and the certificate-side string/time helpers) for the certificate parts
//! `der`/`x509-cert` cannot express (UniversalString otherNames, byte-exact TBS slicing,
//! legacy extension OIDs). The TLV writer is `pkcs_ber`'s, re-exported here.
//!
//! This reader is strict on purpose: only definite, minimal lengths and single-byte tags are
//! accepted, as DER requires (signatures are checked over the received bytes). The PKCS
//! reader in `pkcs_ber` is the tolerant BER one (indefinite lengths, constructed strings)
//! that PFX files from other writers need; the two are not interchangeable.

use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const UNIVERSAL_STRING: u8 = 0x1c;
pub(crate) const BMP_STRING: u8 = 0x1e;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

// The DER writer is shared with the PKCS half (`pkcs_ber`): one TLV encoder for the crate.
pub(crate) use crate::pkcs_ber::{cons, tlv};

/// Encode a string as UniversalString content (UCS-4 big-endian).
pub(crate) fn ucs4(s: &str) -> Vec<u8> {
    s.chars().flat_map(|c| (c as u32).to_be_bytes()).collect()
}

/// Decode UniversalString content.
pub(crate) fn from_ucs4(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(4) {
        return None;
    }
    // Peer names and classifiers are nearly always ASCII: take the low bytes in one pass.
    if b.chunks_exact(4)
        .all(|c| c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] < 0x80)
    {
        return String::from_utf8(b.chunks_exact(4).map(|c| c[3]).collect()).ok();
    }
    // Sized up front: collecting `Option<char>`s into a String grows it by doubling
    // (no size hint through the `Option` shunt), which showed in chain validation profiles.
    let mut s = String::with_capacity(b.len() / 4);
    for c in b.chunks_exact(4) {
        s.push(char::from_u32(u32::from_be_bytes([
            c[0], c[1], c[2], c[3],
        ]))?);
    }
    Some(s)
}

/// Decode BMPString content (UCS-2 big-endian, surrogate pairs tolerated).
pub(crate) fn from_bmp(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

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

fn malformed(reason: &str) -> Error {
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

/// Encode a validity time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
pub(crate) fn encode_time(t: SystemTime) -> Result<Vec<u8>> {
    let dt = der::DateTime::from_system_time(t).map_err(|e| Error::InvalidParameters {
        reason: format!("time not representable: {e}"),
    })?;
    let (y, mo, d, h, mi, s) = (
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds(),
    );
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        Ok(tlv(UTC_TIME, text.as_bytes()))
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        Ok(tlv(GENERALIZED_TIME, text.as_bytes()))
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
}

/// Decode a UTCTime or GeneralizedTime (DER form, `Z`, no fractions).
pub(crate) fn decode_time(t: &Tlv<'_>) -> Result<SystemTime> {
    let c = t.content;
    let (year, rest) = match (t.tag, c.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(&c[..2]).ok_or_else(|| malformed("bad UTCTime"))?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &c[2..])
        }
        (GENERALIZED_TIME, 15) => (
            digits(&c[..4]).ok_or_else(|| malformed("bad GeneralizedTime"))?,
            &c[4..],
        ),
        _ => {
            return Err(malformed(
                "validity time is not DER UTCTime/GeneralizedTime",
            ));
        }
    };
    if rest.last() != Some(&b'Z') {
        return Err(malformed("validity time must end in Z"));
    }
    let f = |i: usize| digits(&rest[i..i + 2]).ok_or_else(|| malformed("bad time digits"));
    let year = u16::try_from(year).map_err(|_| malformed("bad year"))?;
    let dt = der::DateTime::new(
        year,
        f(0)? as u8,
        f(2)? as u8,
        f(4)? as u8,
        f(6)? as u8,
        f(8)? as u8,
    )
    .map_err(|_| malformed("invalid calendar time"))?;
    Ok(SystemTime::UNIX_EPOCH + dt.unix_duration())
}

/// `t` plus `years` calendar years (29 February maps to 28 February).
pub(crate) fn add_years(t: SystemTime, years: u16) -> Result<SystemTime> {
    let dt = der::DateTime::from_system_time(t).map_err(|e| Error::InvalidParameters {
        reason: format!("time not representable: {e}"),
    })?;
    let year = dt
        .year()
        .checked_add(years)
        .ok_or_else(|| Error::InvalidParameters {
            reason: "time overflow".into(),
        })?;
    let day = if dt.month() == 2 && dt.day() == 29 {
        28
    } else {
        dt.day()
    };
    let out = der::DateTime::new(year, dt.month(), day, dt.hour(), dt.minutes(), dt.seconds())
        .map_err(|e| Error::InvalidParameters {
            reason: format!("time not representable: {e}"),
        })?;
    Ok(SystemTime::UNIX_EPOCH + out.unix_duration())
}

/// Truncate a time to whole seconds (what a certificate can carry).
pub(crate) fn whole_seconds(t: SystemTime) -> SystemTime {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn utc_time_until_2049_then_generalized() {
        // 2049-12-31T23:59:59Z and 2050-01-01T00:00:00Z.
        let last_utc = encode_time(at(2_524_607_999)).unwrap();
        assert_eq!(last_utc, tlv(UTC_TIME, b"491231235959Z"));
        let first_gen = encode_time(at(2_524_608_000)).unwrap();
        assert_eq!(first_gen, tlv(GENERALIZED_TIME, b"20500101000000Z"));
        for t in [
            at(0),
            at(2_524_607_999),
            at(2_524_608_000),
            at(32_503_680_000),
        ] {
            let enc = encode_time(t).unwrap();
            let tlv = Reader::new(&enc).any().unwrap();
            assert_eq!(decode_time(&tlv).unwrap(), t);
        }
    }

    #[test]
    fn leap_day_plus_1000_years() {
        // 2028-02-29 → 3028-02-28 (3028 is a leap year, but we follow "same month, clamp").
        let t = at(1_835_395_200); // 2028-02-29T00:00:00Z
        let end = add_years(t, 1000).unwrap();
        assert_eq!(
            encode_time(end).unwrap(),
            tlv(GENERALIZED_TIME, b"30280228000000Z")
        );
    }

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

#[cfg(test)]
mod ucs4_tests {
    use super::*;

    #[test]
    fn from_ucs4_round_trips_ascii_and_beyond_and_refuses_bad_input() {
        for s in [
            "",
            "0.participant",
            "abc.DEF_123",
            "pässword",
            "𝄞x",
            "\u{7f}\u{80}",
        ] {
            assert_eq!(from_ucs4(&ucs4(s)).as_deref(), Some(s), "{s:?}");
        }
        assert_eq!(from_ucs4(&[0, 0, 0]), None, "length not a multiple of 4");
        assert_eq!(from_ucs4(&[0, 0, 0xD8, 0]), None, "surrogate");
        assert_eq!(from_ucs4(&[0, 0x11, 0, 0]), None, "beyond U+10FFFF");
        assert_eq!(
            from_ucs4(&[1, 0, 0, 0x41]),
            None,
            "high byte set, low byte ASCII"
        );
    }
}
