//! UTC dates and timestamps from the system clock, without a date crate: results files
//! are named by date and stamped with the time they were taken.

use std::time::{SystemTime, UNIX_EPOCH};

/// (year, month 1-12, day 1-31) of the day `days` after 1970-01-01, proleptic Gregorian.
/// Howard Hinnant's `civil_from_days`: counts 400-year eras from 0000-03-01 so that the
/// leap day falls at the end of each year.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl UtcTime {
    /// The instant `secs` seconds after the Unix epoch (negative: before it).
    pub fn from_unix(secs: i64) -> UtcTime {
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400) as u32;
        UtcTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// Now, by the system clock; a clock set before 1970 reads as the epoch.
    pub fn now() -> UtcTime {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        UtcTime::from_unix(secs)
    }

    /// "YYYY-MM-DD".
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// RFC 3339, "YYYY-MM-DDTHH:MM:SSZ".
    pub fn rfc3339(&self) -> String {
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
        // 2100 is not a leap year.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
    }

    #[test]
    fn consecutive_days_advance_by_one() {
        let mut prev = civil_from_days(-800_000);
        for d in -799_999..800_000 {
            let next = civil_from_days(d);
            let (y, m, day) = prev;
            let ok = next == (y, m, day + 1)
                || (next.2 == 1 && (next == (y, m + 1, 1) || next == (y + 1, 1, 1)));
            assert!(ok, "{prev:?} -> {next:?}");
            prev = next;
        }
    }

    #[test]
    fn timestamps() {
        let t = UtcTime::from_unix(1_709_210_096);
        assert_eq!(t.rfc3339(), "2024-02-29T12:34:56Z");
        assert_eq!(t.date(), "2024-02-29");
        assert_eq!(UtcTime::from_unix(-1).rfc3339(), "1969-12-31T23:59:59Z");
    }
}
