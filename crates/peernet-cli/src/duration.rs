//! `--expires DURATION`: a lifetime such as `30m`, `12h`, `15d`, `1y` or `1d12h`.
//!
//! A duration is one or more `<number><unit>` parts, units `s` (seconds), `m` (minutes),
//! `h` (hours), `d` (days), `w` (weeks, 7 days) and `y` (years of 365 days). No spaces, no
//! fractions, at least one second in total, at most 100 years.

use std::time::Duration;

const MAX_SECS: u64 = 100 * 365 * 86_400;

/// Parses a duration (used as a clap value parser, so a bad value is a usage error).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "'{text}' is not a duration: use <number><unit>, units s m h d w y (e.g. 30m, 12h, 15d, 1y, 1d12h)"
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            'y' => 365 * 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if !number.is_empty() {
        return Err(bad());
    }
    if total == 0 {
        return Err(format!("'{text}' is zero; a lifetime must be at least 1s"));
    }
    if total > MAX_SECS {
        return Err(format!("'{text}' is longer than 100 years"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_duration("30m").unwrap().as_secs(), 1800);
        assert_eq!(parse_duration("12h").unwrap().as_secs(), 43_200);
        assert_eq!(parse_duration("15d").unwrap().as_secs(), 15 * 86_400);
        assert_eq!(parse_duration("1y").unwrap().as_secs(), 365 * 86_400);
        assert_eq!(parse_duration("2w").unwrap().as_secs(), 14 * 86_400);
        assert_eq!(parse_duration("1d12h").unwrap().as_secs(), 86_400 + 43_200);
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        for bad in [
            "",
            "15",
            "d",
            "1.5d",
            "1 d",
            "-1d",
            "0m",
            "1x",
            "101y",
            "99999999999999999999y",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
