//! W3C date-time values (<https://www.w3.org/TR/NOTE-datetime>) for `date` record
//! attributes and search clauses.

use std::cmp::Ordering;
use std::fmt;

/// Time zone designator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Zone {
    /// `Z`.
    Utc,
    /// `+hh:mm` / `-hh:mm`, in minutes east of UTC.
    Offset(i16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Time {
    hour: u8,
    minute: u8,
    second: Option<u8>,
    /// Fraction of a second in nanoseconds (0 when `fraction_digits` is 0).
    nanosecond: u32,
    /// How many fraction digits were written (0 = none, at most 9).
    fraction_digits: u8,
    zone: Zone,
}

/// A W3C date-time in one of its six forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
/// `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD`, `YYYY-MM-DDThh:mm:ss.sTZD` (TZD = `Z`
/// or `±hh:mm`; at most 9 fraction digits; years 0001–9999).
///
/// The value keeps its written precision, so it is written back as read (except that `-00:00`
/// is written `+00:00`). Equality (`==`) is structural; [`DateTime::cmp_instant`] compares
/// the instants: a value without a time stands for the first instant of its year, month
/// or day in UTC. [`Ord`] orders by instant first, then structurally, so it agrees with `==`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    year: u16,
    /// 0 when absent.
    month: u8,
    /// 0 when absent.
    day: u8,
    time: Option<Time>,
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        u8::try_from(m).unwrap_or(1),
        u8::try_from(d).unwrap_or(1),
    )
}

fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        s[..n]
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

impl DateTime {
    /// Parse one of the six W3C forms. Surrounding XML white space is ignored; anything
    /// else that is not exactly one of the forms, or an impossible date or time, is `None`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let s = text
            .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
            .as_bytes();
        let year = u16::try_from(digits(s, 4)?).ok().filter(|&y| y >= 1)?;
        let mut v = Self {
            year,
            month: 0,
            day: 0,
            time: None,
        };
        let mut rest = &s[4..];
        if rest.is_empty() {
            return Some(v);
        }
        rest = rest.strip_prefix(b"-")?;
        v.month = u8::try_from(digits(rest, 2)?)
            .ok()
            .filter(|m| (1..=12).contains(m))?;
        rest = &rest[2..];
        if rest.is_empty() {
            return Some(v);
        }
        rest = rest.strip_prefix(b"-")?;
        v.day = u8::try_from(digits(rest, 2)?)
            .ok()
            .filter(|&d| d >= 1 && d <= days_in_month(i64::from(year), v.month))?;
        rest = &rest[2..];
        if rest.is_empty() {
            return Some(v);
        }
        rest = rest.strip_prefix(b"T")?;
        let hour = u8::try_from(digits(rest, 2)?).ok().filter(|&h| h <= 23)?;
        rest = rest[2..].strip_prefix(b":")?;
        let minute = u8::try_from(digits(rest, 2)?).ok().filter(|&m| m <= 59)?;
        rest = &rest[2..];
        let mut time = Time {
            hour,
            minute,
            second: None,
            nanosecond: 0,
            fraction_digits: 0,
            zone: Zone::Utc,
        };
        if let Some(r) = rest.strip_prefix(b":") {
            time.second = Some(u8::try_from(digits(r, 2)?).ok().filter(|&s| s <= 59)?);
            rest = &r[2..];
            if let Some(r) = rest.strip_prefix(b".") {
                let n = r.iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 || n > 9 {
                    return None;
                }
                time.nanosecond = digits(r, n)? * 10u32.pow(9 - u32::try_from(n).ok()?);
                time.fraction_digits = u8::try_from(n).ok()?;
                rest = &r[n..];
            }
        }
        time.zone = match rest {
            b"Z" => Zone::Utc,
            [sign @ (b'+' | b'-'), r @ ..] if r.len() == 5 && r[2] == b':' => {
                let h = i16::try_from(digits(r, 2)?).ok().filter(|&h| h <= 23)?;
                let m = i16::try_from(digits(&r[3..], 2)?)
                    .ok()
                    .filter(|&m| m <= 59)?;
                let total = h * 60 + m;
                Zone::Offset(if *sign == b'-' { -total } else { total })
            }
            _ => return None,
        };
        v.time = Some(time);
        Some(v)
    }

    /// A full-precision UTC value (`YYYY-MM-DDThh:mm:ss[.fffffffff]Z`) from seconds and
    /// nanoseconds since 1970-01-01T00:00:00Z; `None` outside years 0001–9999 or when
    /// `nanosecond` ≥ 10⁹. The fraction is written with 9 digits when non-zero.
    #[must_use]
    pub fn from_unix(seconds: i64, nanosecond: u32) -> Option<Self> {
        if nanosecond >= 1_000_000_000 {
            return None;
        }
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let year = u16::try_from(y).ok().filter(|y| (1..=9999).contains(y))?;
        let fraction_digits = if nanosecond == 0 { 0 } else { 9 };
        Some(Self {
            year,
            month: m,
            day: d,
            time: Some(Time {
                hour: u8::try_from(secs / 3600).ok()?,
                minute: u8::try_from(secs % 3600 / 60).ok()?,
                second: Some(u8::try_from(secs % 60).ok()?),
                nanosecond,
                fraction_digits,
                zone: Zone::Utc,
            }),
        })
    }

    /// Year (1–9999).
    #[must_use]
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Month (1–12), when written.
    #[must_use]
    pub fn month(&self) -> Option<u8> {
        (self.month != 0).then_some(self.month)
    }

    /// Day of the month, when written.
    #[must_use]
    pub fn day(&self) -> Option<u8> {
        (self.day != 0).then_some(self.day)
    }

    /// Hour and minute, when a time was written.
    #[must_use]
    pub fn hour_minute(&self) -> Option<(u8, u8)> {
        self.time.map(|t| (t.hour, t.minute))
    }

    /// Seconds, when written.
    #[must_use]
    pub fn second(&self) -> Option<u8> {
        self.time.and_then(|t| t.second)
    }

    /// Offset from UTC in minutes when a time was written (`Z` is 0).
    #[must_use]
    pub fn offset_minutes(&self) -> Option<i16> {
        self.time.map(|t| match t.zone {
            Zone::Utc => 0,
            Zone::Offset(m) => m,
        })
    }

    /// The instant as seconds since 1970-01-01T00:00:00Z and nanoseconds. Missing parts
    /// count as the start of the period, in UTC.
    #[must_use]
    pub fn unix_time(&self) -> (i64, u32) {
        let month = if self.month == 0 { 1 } else { self.month };
        let day = if self.day == 0 { 1 } else { self.day };
        let mut secs = days_from_civil(i64::from(self.year), month, day) * 86_400;
        let mut nanos = 0;
        if let Some(t) = self.time {
            secs += i64::from(t.hour) * 3600
                + i64::from(t.minute) * 60
                + i64::from(t.second.unwrap_or(0));
            if let Zone::Offset(m) = t.zone {
                secs -= i64::from(m) * 60;
            }
            nanos = t.nanosecond;
        }
        (secs, nanos)
    }

    /// Compare the instants (what search comparisons use): `2002` equals `2002-01-01`
    /// and `2002-01-01T01:00+01:00`.
    #[must_use]
    pub fn cmp_instant(&self, other: &Self) -> Ordering {
        self.unix_time().cmp(&other.unix_time())
    }

    #[allow(clippy::type_complexity)] // a private sort key, spelled out once
    fn structural_key(&self) -> (u8, u8, Option<(u8, u8, Option<u8>, u32, u8, i16, bool)>) {
        (
            self.month,
            self.day,
            self.time.map(|t| {
                let (off, utc) = match t.zone {
                    Zone::Utc => (0, true),
                    Zone::Offset(m) => (m, false),
                };
                (
                    t.hour,
                    t.minute,
                    t.second,
                    t.nanosecond,
                    t.fraction_digits,
                    off,
                    utc,
                )
            }),
        )
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_instant(other)
            .then_with(|| self.year.cmp(&other.year))
            .then_with(|| self.structural_key().cmp(&other.structural_key()))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.month == 0 {
            return Ok(());
        }
        write!(f, "-{:02}", self.month)?;
        if self.day == 0 {
            return Ok(());
        }
        write!(f, "-{:02}", self.day)?;
        let Some(t) = self.time else { return Ok(()) };
        write!(f, "T{:02}:{:02}", t.hour, t.minute)?;
        if let Some(s) = t.second {
            write!(f, ":{s:02}")?;
            if t.fraction_digits > 0 {
                let width = usize::from(t.fraction_digits);
                let scaled = t.nanosecond / 10u32.pow(9 - u32::from(t.fraction_digits));
                write!(f, ".{scaled:0width$}")?;
            }
        }
        match t.zone {
            Zone::Utc => f.write_str("Z"),
            Zone::Offset(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_round_trip() {
        for s in [
            "1997",
            "1997-07",
            "1997-07-16",
            "1997-07-16T19:20+01:00",
            "1997-07-16T19:20:30+01:00",
            "1997-07-16T19:20:30.45+01:00",
            "1997-07-16T19:20:30.000000001Z",
            "2000-02-29T00:00Z",
            "0001-01-01T00:00:00-23:59",
            "9999-12-31T23:59:59.999999999+14:00",
        ] {
            let d = DateTime::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(
            DateTime::parse(" 2002-01-31\n").unwrap().to_string(),
            "2002-01-31"
        );
        assert_eq!(
            DateTime::parse("2002-01-31T10:00-00:00")
                .unwrap()
                .to_string(),
            "2002-01-31T10:00+00:00"
        );
    }

    #[test]
    fn invalid_forms() {
        for s in [
            "",
            "97",
            "19970",
            "1997-7",
            "1997-07-1",
            "1997-13",
            "1997-00",
            "1997-02-29",
            "1900-02-29",
            "0000",
            "1997-07-16T",
            "1997-07-16T19:20",
            "1997-07-16T19Z",
            "1997-07-16T24:00Z",
            "1997-07-16T19:60Z",
            "1997-07-16T19:20:60Z",
            "1997-07-16T19:20:30.Z",
            "1997-07-16T19:20:30.1234567890Z",
            "1997-07-16T19:20+0100",
            "1997-07-16T19:20+24:00",
            "1997-07-16 19:20Z",
            "1997-07-16t19:20z",
            "+1997",
            "１９９７",
            "1997-07-16T19:20:30.45",
            "1997/07/16",
        ] {
            assert_eq!(DateTime::parse(s), None, "{s}");
        }
    }

    #[test]
    fn instants() {
        let p = |s| DateTime::parse(s).unwrap();
        assert_eq!(p("1970").unix_time(), (0, 0));
        assert_eq!(p("1970-01-01T01:00+01:00").unix_time(), (0, 0));
        assert_eq!(
            p("2002").cmp_instant(&p("2002-01-01T00:00:00Z")),
            Ordering::Equal
        );
        assert_eq!(p("2002-01-31").cmp_instant(&p("2002-02")), Ordering::Less);
        assert_eq!(
            p("2002-01-31T23:00-02:00").cmp_instant(&p("2002-02-01")),
            Ordering::Greater
        );
        assert_eq!(
            p("2000-01-01T00:00:00.5Z").unix_time(),
            (946_684_800, 500_000_000)
        );
        assert_ne!(p("2002"), p("2002-01-01"));
        assert_eq!(
            p("2002").cmp(&p("2002-01-01")),
            p("2002").cmp(&p("2002-01-01"))
        );
        assert_ne!(p("2002").cmp(&p("2002-01-01")), Ordering::Equal);
    }

    #[test]
    fn from_unix_matches_parse() {
        for secs in [
            0i64,
            951_782_400,
            -62_135_596_800,
            253_402_300_799,
            1_700_000_000,
        ] {
            let d = DateTime::from_unix(secs, 0).unwrap();
            assert_eq!(d.unix_time(), (secs, 0));
            assert_eq!(DateTime::parse(&d.to_string()), Some(d));
        }
        assert_eq!(
            DateTime::from_unix(0, 5).unwrap().to_string(),
            "1970-01-01T00:00:00.000000005Z"
        );
        assert_eq!(DateTime::from_unix(-62_135_596_801, 0), None);
        assert_eq!(DateTime::from_unix(253_402_300_800, 0), None);
        assert_eq!(DateTime::from_unix(0, 1_000_000_000), None);
    }
}
