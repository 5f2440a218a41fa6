//! Proleptic Gregorian calendar arithmetic: the RFC 6509 identifier needs the UTC
//! year and month of the T payload, and this is all the calendar code that takes.
//!
//! Algorithm: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"
//! (`civil_from_days` / `days_from_civil`), which works in 400-year eras starting on
//! 1 March so that the leap day is the last day of the shifted year.

/// A UTC calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDate {
    /// Year (proleptic Gregorian).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of month, 1..=31.
    pub day: u8,
}

/// Days since 1970-01-01 to the civil date.
pub fn civil_from_days(days: i64) -> CivilDate {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    CivilDate {
        year: if month <= 2 { y + 1 } else { y },
        // Both are within u8 range by construction.
        month: month as u8,
        day: day as u8,
    }
}

/// Civil date to days since 1970-01-01 (inverse of [`civil_from_days`]).
pub fn days_from_civil(date: CivilDate) -> i64 {
    let m = i64::from(date.month);
    let y = if m <= 2 { date.year - 1 } else { date.year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = if m > 2 { m - 3 } else { m + 9 }; // [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(date.day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i64, month: u8, day: u8) -> CivilDate {
        CivilDate { year, month, day }
    }

    #[test]
    fn known_dates() {
        // Day numbers checked with Python: (date(y,m,d) - date(1970,1,1)).days
        let cases = [
            (0, d(1970, 1, 1)),
            (-1, d(1969, 12, 31)),
            (-25_567, d(1900, 1, 1)),
            (11_016, d(2000, 2, 29)),
            (11_017, d(2000, 3, 1)),
            (15_006, d(2011, 2, 1)),
            (20_363, d(2025, 10, 2)),
            (24_105, d(2035, 12, 31)),
            (-36_524, d(1870, 1, 1)),
            (47_540, d(2100, 2, 28)),
            (47_541, d(2100, 3, 1)), // 2100 is not a leap year
        ];
        for (days, date) in cases {
            assert_eq!(civil_from_days(days), date, "days {days}");
            assert_eq!(days_from_civil(date), days, "date {date:?}");
        }
    }

    #[test]
    fn round_trips_every_day_for_three_centuries() {
        let mut prev = civil_from_days(-40_000);
        for days in -39_999..80_000 {
            let date = civil_from_days(days);
            assert_eq!(days_from_civil(date), days);
            assert!(date > prev, "dates strictly increase");
            assert!((1..=12).contains(&date.month) && (1..=31).contains(&date.day));
            prev = date;
        }
    }
}
