//! Points in time for the change request: `--start` read from RFC 3339, wave starts and ends
//! computed from it, written back in UTC.
//!
//! Only what the change request needs, so no date library: the civil-date arithmetic is the
//! well-known days-from-civil algorithm (proleptic Gregorian calendar), exact for every year
//! from 0 to 9999.

use std::str::FromStr;

/// A moment, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(i64);

/// Why a `--start` value is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; write an RFC 3339 time such as 2026-12-05T22:00:00Z (or with an offset, +01:00)")]
pub struct TimeError(String);

impl Timestamp {
    /// `minutes` later.
    pub fn plus_minutes(self, minutes: u64) -> Timestamp {
        let seconds = i64::try_from(minutes)
            .unwrap_or(i64::MAX / 120)
            .saturating_mul(60);
        Timestamp(self.0.saturating_add(seconds))
    }

    /// RFC 3339 in UTC: `2026-12-05T22:00:00Z`.
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// ServiceNow's date-time form, in UTC: `2026-12-05 22:00:00`.
    pub fn servicenow(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// For people: `2026-12-05 22:00 UTC`.
    pub fn display(self) -> String {
        let (y, mo, d, h, mi, _) = self.civil();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
    }

    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let rest = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let hms = u32::try_from(rest).unwrap_or(0);
        (y, m, d, hms / 3600, hms / 60 % 60, hms % 60)
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Timestamp, TimeError> {
        let bad = |why: &str| TimeError(format!("{s:?} is not a time: {why}"));
        let b = s.as_bytes();
        let digits = |from: usize, len: usize| -> Option<i64> {
            let part = b.get(from..from + len)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')))
        };
        let (Some(year), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
            return Err(bad("it should start with a date, YYYY-MM-DD"));
        };
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(bad("it should start with a date, YYYY-MM-DD"));
        }
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
            return Err(bad("the date should be followed by T and a time, HH:MM:SS"));
        }
        let (Some(hour), Some(minute)) = (digits(11, 2), digits(14, 2)) else {
            return Err(bad("the time should be HH:MM:SS"));
        };
        if b.get(13) != Some(&b':') {
            return Err(bad("the time should be HH:MM:SS"));
        }
        let mut at = 16;
        let mut second = 0;
        if b.get(at) == Some(&b':') {
            second = digits(at + 1, 2).ok_or_else(|| bad("the seconds should be two digits"))?;
            at += 3;
            if b.get(at) == Some(&b'.') {
                at += 1;
                let start = at;
                while b.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                if at == start {
                    return Err(bad("a decimal point should be followed by digits"));
                }
            }
        }
        let offset_minutes = match b.get(at) {
            Some(b'Z' | b'z') if at + 1 == b.len() => 0,
            Some(&sign @ (b'+' | b'-')) if at + 6 == b.len() && b[at + 3] == b':' => {
                let (Some(oh), Some(om)) = (digits(at + 1, 2), digits(at + 4, 2)) else {
                    return Err(bad("the offset should be +HH:MM or -HH:MM"));
                };
                if oh > 23 || om > 59 {
                    return Err(bad("the offset is out of range"));
                }
                let total = oh * 60 + om;
                if sign == b'+' { total } else { -total }
            }
            None => {
                return Err(bad(
                    "it has no time zone: end it with Z for UTC, or an offset like +01:00",
                ));
            }
            _ => return Err(bad("it should end with Z or an offset like +01:00")),
        };
        if !(1..=12).contains(&month) {
            return Err(bad("the month is out of range"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(bad("that day does not exist in that month"));
        }
        // RFC 3339 allows second 60 (a leap second); it is read as the next second.
        if hour > 23 || minute > 59 || second > 60 {
            return Err(bad("the time of day is out of range"));
        }
        let days = days_from_civil(year, month, day);
        Ok(Timestamp(
            days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60,
        ))
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant, "chrono-Compatible Low-Level Date
/// Algorithms", days_from_civil).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day since 1970-01-01 (the inverse, civil_from_days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn rfc3339_times_are_read_in_utc() {
        assert_eq!(t("1970-01-01T00:00:00Z"), Timestamp(0));
        assert_eq!(t("2026-12-05T22:00:00Z").rfc3339(), "2026-12-05T22:00:00Z");
        assert_eq!(t("2026-12-05T23:00:00+01:00"), t("2026-12-05T22:00:00Z"));
        assert_eq!(t("2026-12-05t21:30:00.250-00:30"), t("2026-12-05T22:00:00Z"));
        assert_eq!(t("2026-12-05 22:00Z"), t("2026-12-05T22:00:00Z"));
        assert_eq!(t("2000-02-29T12:00:00Z").servicenow(), "2000-02-29 12:00:00");
    }

    #[test]
    fn minutes_carry_across_days_months_and_years() {
        let start = t("2026-12-31T22:00:00Z");
        assert_eq!(start.plus_minutes(150).rfc3339(), "2027-01-01T00:30:00Z");
        assert_eq!(
            t("2028-02-28T23:00:00Z").plus_minutes(60).display(),
            "2028-02-29 00:00 UTC"
        );
        // 1970-01-01 plus 20,000 days is 2024-10-04 (a known conversion).
        assert_eq!(
            Timestamp(0).plus_minutes(20_000 * 1440).rfc3339(),
            "2024-10-04T00:00:00Z"
        );
    }

    #[test]
    fn bad_times_say_what_is_wrong() {
        for (input, why) in [
            ("2026-12-05", "followed by T"),
            ("2026-12-05T22:00:00", "no time zone"),
            ("2026-13-05T22:00:00Z", "month"),
            ("2026-02-29T22:00:00Z", "does not exist"),
            ("2026-12-05T24:00:00Z", "out of range"),
            ("tomorrow", "YYYY-MM-DD"),
            ("2026-12-05T22:00:00+1", "Z or an offset"),
        ] {
            let error = input.parse::<Timestamp>().unwrap_err().to_string();
            assert!(error.contains(why), "{input}: {error}");
            assert!(error.contains("RFC 3339"), "{input}: {error}");
        }
    }
}
