//! Key periods ("YYYY-MM") and URIs: the two halves of an RFC 6509 identifier
//! "YYYY-MM\0<uri>\0", checked once at the command line so that a typo is a clear error
//! instead of a key that no peer will ever match.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A key period: one calendar month (RFC 6509 3.2), written "YYYY-MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPeriod {
    year: u16,
    month: u8,
}

/// Why a key period was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    #[error("key period must look like YYYY-MM (e.g. 2026-11), got {0:?}")]
    Format(String),
    #[error("key period month must be 01-12, got {month:02} in {input:?}")]
    Month { input: String, month: u8 },
}

impl KeyPeriod {
    /// The period of a year and month (1-12); `None` outside 0000-01 .. 9999-12.
    pub fn new(year: i64, month: u8) -> Option<KeyPeriod> {
        let year = u16::try_from(year).ok().filter(|y| *y <= 9999)?;
        (1..=12)
            .contains(&month)
            .then_some(KeyPeriod { year, month })
    }
}

impl FromStr for KeyPeriod {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<KeyPeriod, PeriodError> {
        let format = || PeriodError::Format(s.to_string());
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 7 || b[4] != b'-' || !digits(0..4) || !digits(5..7) {
            return Err(format());
        }
        let year: u16 = s[..4].parse().map_err(|_| format())?;
        let month: u8 = s[5..].parse().map_err(|_| format())?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Month {
                input: s.to_string(),
                month,
            });
        }
        Ok(KeyPeriod { year, month })
    }
}

impl fmt::Display for KeyPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A URI (user "tel:+447700900123", KMS "kms.example.org"): non-empty printable US-ASCII, as RFC 6509 3.2
/// asks, so that no NUL or space can make two identities collide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uri(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "URI must be non-empty printable US-ASCII without spaces (e.g. tel:+447700900123), got {0:?}"
)]
pub struct UriError(String);

impl FromStr for Uri {
    type Err = UriError;

    fn from_str(s: &str) -> Result<Uri, UriError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(UriError(s.to_string()));
        }
        Ok(Uri(s.to_string()))
    }
}

impl Uri {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The RFC 6509 identifier "YYYY-MM\0<uri>\0" as bytes.
pub fn identifier_bytes(period: KeyPeriod, uri: &Uri) -> Vec<u8> {
    let mut id = period.to_string().into_bytes();
    id.push(0);
    id.extend_from_slice(uri.as_str().as_bytes());
    id.push(0);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_periods() {
        let p: KeyPeriod = "2026-11".parse().unwrap();
        assert_eq!((p.year, p.month), (2026, 11));
        assert_eq!(p.to_string(), "2026-11");
        for bad in [
            "2026-1", "26-11", "2026/11", "2026-1a", "+026-11", "2026-11 ", "",
        ] {
            assert!(matches!(
                bad.parse::<KeyPeriod>(),
                Err(PeriodError::Format(_))
            ));
        }
        for bad in ["2026-00", "2026-13"] {
            assert!(matches!(
                bad.parse::<KeyPeriod>(),
                Err(PeriodError::Month { .. })
            ));
        }
    }

    #[test]
    fn builds_rfc6509_identifiers() {
        let uri: Uri = "tel:+447700900123".parse().unwrap();
        let p: KeyPeriod = "2011-02".parse().unwrap();
        assert_eq!(identifier_bytes(p, &uri), b"2011-02\0tel:+447700900123\0");
        assert!("tel:+44 77".parse::<Uri>().is_err());
        assert!("".parse::<Uri>().is_err());
    }
}
