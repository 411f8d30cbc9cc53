//! Certificate validity times: UTCTime / GeneralizedTime in their DER form (RFC 5280
//! 4.1.2.5), with `der::DateTime` doing the calendar arithmetic.

use std::time::{Duration, SystemTime};

use super::der_reader::{Tlv, malformed};
use super::tag::{GENERALIZED_TIME, UTC_TIME};
use super::writer::tlv;
use crate::error::{Error, Result};

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
    use crate::asn1::Reader;

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
}
