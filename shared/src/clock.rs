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

/// Days since 1970-01-01 of a civil date (inverse of [`civil`]).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` into epoch microseconds.
pub fn parse_rfc3339_micros(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let (y, mo, d) = (i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut micros = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac[..digits].bytes().take(6).enumerate() {
            micros += i64::from(c - b'0') * 10i64.pow(5 - i as u32);
        }
        rest = &frac[digits..];
    }
    let offset_secs = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let oh = i64::from(rest[1..3].parse::<u32>().ok()?);
            let om = i64::from(rest[4..6].parse::<u32>().ok()?);
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400
        + i64::from(h) * 3600
        + i64::from(mi) * 60
        + i64::from(sec)
        - offset_secs;
    Some(secs * 1_000_000 + micros)
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

    // Shows parsing inverts formatting and honours offsets.
    #[test]
    fn parses_rfc3339() {
        for us in [
            0,
            1_762_257_900_123_456,
            951_782_400_500_000,
            -86_400_000_000,
        ] {
            assert_eq!(parse_rfc3339_micros(&rfc3339_micros(us)), Some(us));
        }
        assert_eq!(
            parse_rfc3339_micros("2025-11-04T12:00:00Z"),
            Some(1_762_257_600_000_000)
        );
        assert_eq!(
            parse_rfc3339_micros("2025-11-04T17:30:00+05:30"),
            Some(1_762_257_600_000_000)
        );
        for bad in [
            "2025-11-04",
            "2025-13-04T12:00:00Z",
            "2025-11-04T12:00:00",
            "2025-11-04T12:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339_micros(bad), None, "{bad}");
        }
    }
}
