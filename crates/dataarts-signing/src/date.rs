//! `X-Sdk-Date` values: `YYYYMMDDTHHMMSSZ`, UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::SignError;

const SECS_PER_DAY: i64 = 86_400;
/// 0001-01-01T00:00:00Z, the earliest time Python's `datetime` (and so the SDK) can represent.
const MIN_SECS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z, the latest time with a four-digit year.
const MAX_SECS: i64 = 253_402_300_799;

/// Formats a UTC instant as an `X-Sdk-Date` value, e.g. `20240102T030405Z`.
///
/// Sub-second precision is dropped (the time is rounded down to the second). Instants outside
/// the years 0001 to 9999 are clamped to that range, so the result always has 16 characters.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use dataarts_signing::format_sdk_date;
///
/// let t = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
/// assert_eq!(format_sdk_date(t), "20240102T030405Z");
/// ```
pub fn format_sdk_date(t: SystemTime) -> String {
    let secs = unix_seconds(t).clamp(MIN_SECS, MAX_SECS);
    let days = secs.div_euclid(SECS_PER_DAY);
    let sod = secs.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Whole seconds since the Unix epoch, rounded down, saturating at the `i64` range.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            let round_down = i64::from(d.subsec_nanos() > 0);
            0i64.saturating_sub(whole).saturating_sub(round_down)
        }
    }
}

/// Parses an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC) strictly: exactly 16 characters,
/// digits where digits belong, a real calendar date (leap years included), hours 00 to 23,
/// minutes and seconds 00 to 59, and a year from 0001.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use dataarts_signing::parse_sdk_date;
///
/// assert_eq!(
///     parse_sdk_date("20240102T030405Z")?,
///     UNIX_EPOCH + Duration::from_secs(1_704_164_645)
/// );
/// assert!(parse_sdk_date("2024-01-02T03:04:05Z").is_err());
/// assert!(parse_sdk_date("20230229T000000Z").is_err()); // not a leap year
/// # Ok::<(), dataarts_signing::SignError>(())
/// ```
pub fn parse_sdk_date(s: &str) -> Result<SystemTime, SignError> {
    let malformed = |reason: &'static str| SignError::MalformedDate {
        value: truncate_for_message(s),
        reason,
    };
    let b = s.as_bytes();
    if b.len() != 16 {
        return Err(malformed("it must be exactly 16 characters long"));
    }
    if b[8] != b'T' || b[15] != b'Z' {
        return Err(malformed("expected 'T' after the date and 'Z' at the end"));
    }
    let digits = |range: std::ops::Range<usize>| -> Result<i64, SignError> {
        let mut n = 0i64;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return Err(malformed("date and time fields must be ASCII digits"));
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Ok(n)
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if year < 1 {
        return Err(malformed("the year must be 0001 or later"));
    }
    if !(1..=12).contains(&month) {
        return Err(malformed("the month must be 01 to 12"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(malformed("the day does not exist in that month"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(malformed(
            "hours must be 00 to 23, minutes and seconds 00 to 59",
        ));
    }
    let secs =
        days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second;
    let t = if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    };
    t.ok_or_else(|| malformed("the time cannot be represented on this platform"))
}

/// Keeps error messages short when a caller passes something huge as a date.
pub(crate) fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (`m` 1..=12, `d` 1..=31).
///
/// Counts in 400-year eras starting on March 1st, so that the leap day is the last day of the
/// shifted year.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let mp = (m + 9) % 12; // March = 0 .. February = 11
    let doy = (153 * mp + 2) / 5 + d - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn known_dates() {
        let cases = [
            (0, "19700101T000000Z"),
            (951_782_400, "20000229T000000Z"),
            (1_704_164_645, "20240102T030405Z"),
            (1_709_164_799, "20240228T235959Z"),
            (1_709_164_800, "20240229T000000Z"),
            (1_591_583_940, "20200608T023900Z"),
            (1_136_214_245, "20060102T150405Z"),
            (-1, "19691231T235959Z"),
            (-2_208_988_800, "19000101T000000Z"),
            (MIN_SECS, "00010101T000000Z"),
            (MAX_SECS, "99991231T235959Z"),
        ];
        for (secs, text) in cases {
            assert_eq!(format_sdk_date(at(secs)), text, "{secs}");
            assert_eq!(parse_sdk_date(text).unwrap(), at(secs), "{text}");
        }
    }

    #[test]
    fn every_day_round_trips() {
        // Every day from 1600 to 2500, through both conversions.
        let first = days_from_civil(1600, 1, 1);
        let last = days_from_civil(2500, 12, 31);
        let mut expect = (1600, 1, 1);
        for z in first..=last {
            assert_eq!(civil_from_days(z), expect);
            assert_eq!(days_from_civil(expect.0, expect.1, expect.2), z);
            let (y, m, d) = expect;
            expect = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn clamps_and_rounds_down() {
        assert_eq!(
            format_sdk_date(at(MAX_SECS + 1_000_000)),
            "99991231T235959Z"
        );
        assert_eq!(
            format_sdk_date(at(MIN_SECS - 1_000_000)),
            "00010101T000000Z"
        );
        assert_eq!(
            format_sdk_date(UNIX_EPOCH - Duration::from_millis(1)),
            "19691231T235959Z"
        );
        assert_eq!(
            format_sdk_date(UNIX_EPOCH + Duration::from_millis(1999)),
            "19700101T000001Z"
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "20240102T030405",
            "20240102T030405z",
            "20240102 030405Z",
            " 20240102T030405Z",
            "2024010203040500",
            "2024-1-02T03040Z",
            "+0240102T030405Z",
            "00000102T030405Z",
            "20241302T030405Z",
            "20240002T030405Z",
            "20240100T030405Z",
            "20240431T030405Z",
            "21000229T030405Z",
            "20240102T240000Z",
            "20240102T036000Z",
            "20240102T030460Z",
            "２０240102T030405Z",
        ] {
            assert!(
                matches!(parse_sdk_date(bad), Err(SignError::MalformedDate { .. })),
                "{bad:?}"
            );
        }
    }
}
