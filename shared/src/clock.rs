//! Time helpers: wall-clock reads and RFC 3339 formatting (UTC), without a date-time crate.

use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    now_us() / 1000
}

pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn write_date_time(out: &mut String, secs: i64) {
    let (y, mo, d) = civil(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    );
}

/// `2025-11-04T12:05:00.123456Z`
pub fn rfc3339_micros(us: i64) -> String {
    let mut s = String::with_capacity(27);
    write_date_time(&mut s, us.div_euclid(1_000_000));
    let _ = write!(s, ".{:06}Z", us.rem_euclid(1_000_000));
    s
}

/// `2025-11-04T12:00:00Z` (candle starts are whole seconds; milliseconds are shown if present).
pub fn rfc3339_millis(ms: i64) -> String {
    let mut s = String::with_capacity(24);
    write_date_time(&mut s, ms.div_euclid(1000));
    let frac = ms.rem_euclid(1000);
    if frac != 0 {
        let _ = write!(s, ".{frac:03}");
    }
    s.push('Z');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the formats on known instants, including a leap day and the epoch.
    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_millis(1_762_257_600_000), "2025-11-04T12:00:00Z");
        assert_eq!(rfc3339_millis(951_782_400_500), "2000-02-29T00:00:00.500Z");
        assert_eq!(
            rfc3339_micros(1_762_257_900_123_456),
            "2025-11-04T12:05:00.123456Z"
        );
    }
}
