//! FILETIME (100 ns ticks since 1601-01-01 UTC, as in `PEER_RECORD` and
//! `PEER_CREDENTIAL_INFO`) to and from [`SystemTime`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FILETIME_UNIX_OFFSET_SECS: u64 = 11_644_473_600;

/// `SystemTime` → FILETIME ticks (saturating).
pub fn to_filetime(t: SystemTime) -> u64 {
    let ticks = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (FILETIME_UNIX_OFFSET_SECS as u128 * 10_000_000) + d.as_nanos() / 100,
        Err(e) => (FILETIME_UNIX_OFFSET_SECS as u128 * 10_000_000)
            .saturating_sub(e.duration().as_nanos() / 100),
    };
    u64::try_from(ticks.min(i64::MAX as u128)).unwrap_or(i64::MAX as u64)
}

/// FILETIME ticks → `SystemTime`.
pub fn from_filetime(ft: u64) -> SystemTime {
    let offset = FILETIME_UNIX_OFFSET_SECS * 10_000_000;
    if ft >= offset {
        let t = ft - offset;
        UNIX_EPOCH + Duration::new(t / 10_000_000, ((t % 10_000_000) * 100) as u32)
    } else {
        let t = offset - ft;
        UNIX_EPOCH - Duration::new(t / 10_000_000, ((t % 10_000_000) * 100) as u32)
    }
}
