//! UTC times on the command line: Unix seconds or "YYYY-MM-DDTHH:MM:SSZ", because the
//! key period of an I_MESSAGE is the month of its timestamp (RFC 6509 3.2) and a test
//! or a replayed capture needs to say which month that is.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mikey::civil::{civil_from_days, days_from_civil, CivilDate};
use thiserror::Error;

use crate::identity::KeyPeriod;

/// A UTC time to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcTime(i64);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("time must be Unix seconds (e.g. 1795000000) or YYYY-MM-DDTHH:MM:SSZ, got {0:?}")]
pub struct TimeError(String);

impl UtcTime {
    pub fn from_unix(secs: i64) -> UtcTime {
        UtcTime(secs)
    }

    /// The system clock, truncated to the second.
    pub fn now() -> UtcTime {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => UtcTime(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => UtcTime(-i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX)),
        }
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    pub fn to_system_time(self) -> Option<SystemTime> {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
    }

    /// "YYYY-MM-DD", as results files are named.
    pub fn day(self) -> String {
        let d = self.date();
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    }

    fn date(self) -> CivilDate {
        civil_from_days(self.0.div_euclid(86_400))
    }

    /// The key period (month) this time falls in; `None` outside years 0-9999.
    pub fn period(self) -> Option<KeyPeriod> {
        let date = self.date();
        KeyPeriod::new(date.year, date.month)
    }
}

impl FromStr for UtcTime {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<UtcTime, TimeError> {
        let err = || TimeError(s.to_string());
        if let Ok(secs) = s.parse::<i64>() {
            return Ok(UtcTime(secs));
        }
        // YYYY-MM-DDTHH:MM:SSZ, all fields fixed width.
        let b = s.as_bytes();
        let shape = b.len() == 20
            && b.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 => c == b'-',
                10 => c == b'T',
                13 | 16 => c == b':',
                19 => c == b'Z',
                _ => c.is_ascii_digit(),
            });
        if !shape {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<i64>().map_err(|_| err());
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let date = CivilDate {
            year,
            month: u8::try_from(month).map_err(|_| err())?,
            day: u8::try_from(day).map_err(|_| err())?,
        };
        let valid = (1..=12).contains(&month)
            && day >= 1
            && civil_from_days(days_from_civil(date)) == date
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(err());
        }
        Ok(UtcTime(
            days_from_civil(date) * 86_400 + hour * 3600 + minute * 60 + second,
        ))
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.date();
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year,
            d.month,
            d.day,
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let t: UtcTime = "2026-11-22T16:24:38Z".parse().unwrap();
        assert_eq!(t.unix(), 1_795_364_678);
        assert_eq!(t.to_string(), "2026-11-22T16:24:38Z");
        assert_eq!(t.day(), "2026-11-22");
        assert_eq!(UtcTime::from_unix(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!("1795364678".parse::<UtcTime>().unwrap(), t);
        assert_eq!(t.period().unwrap().to_string(), "2026-11");
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-11-22 16:24:38",
            "2026-13-01T00:00:00Z",
            "x",
        ] {
            assert!(bad.parse::<UtcTime>().is_err(), "{bad}");
        }
    }
}
