//! Timestamp payload T (RFC 3830 6.6, NTP-UTC-32 from RFC 6043 6.3) and the NTP time
//! arithmetic the responder needs for its clock-skew window and the identifier month.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::civil::{civil_from_days, CivilDate};
use crate::error::{MikeyError, PayloadKind, Result};
use crate::reader::Reader;

const P: PayloadKind = PayloadKind::Timestamp;

/// Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch).
pub const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// First Unix second an NTP timestamp can name under the RFC 4330 era rule
/// (1968-01-20T03:14:08Z, NTP seconds 0x8000_0000 in era 0).
const FIRST_UNIX: i64 = (1i64 << 31) - NTP_UNIX_OFFSET;

/// A 64-bit NTP timestamp: seconds since 1900 in the high 32 bits, binary fraction
/// in the low 32 bits.
///
/// The seconds counter wraps in February 2036. Following RFC 4330 section 3 (which
/// RFC 6043 makes mandatory), a value with the top bit clear is read as era 1
/// (2036-2104) and one with it set as era 0 (1968-2036).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NtpTimestamp(pub u64);

impl NtpTimestamp {
    /// From Unix seconds and nanoseconds; `None` outside 1968-01-20 .. 2104-02-26.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            return None;
        }
        let offset = secs.checked_sub(FIRST_UNIX)?;
        if !(0..1i64 << 32).contains(&offset) {
            return None;
        }
        // offset 0 is NTP seconds 0x8000_0000; wrap modulo 2^32.
        let ntp_secs = (offset as u64).wrapping_add(1 << 31) & 0xffff_ffff;
        let frac = (u64::from(nanos) << 32).div_ceil(1_000_000_000);
        Some(NtpTimestamp(ntp_secs << 32 | frac))
    }

    /// From a system time; `None` outside the representable range.
    pub fn from_system_time(time: SystemTime) -> Option<Self> {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self::from_unix(i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).ok()?;
                if d.subsec_nanos() == 0 {
                    Self::from_unix(-secs, 0)
                } else {
                    Self::from_unix(-secs - 1, 1_000_000_000 - d.subsec_nanos())
                }
            }
        }
    }

    /// The current time.
    pub fn now() -> Option<Self> {
        Self::from_system_time(SystemTime::now())
    }

    /// The seconds field.
    pub fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The fraction field.
    pub fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// Unix seconds (era-resolved).
    pub fn unix_seconds(self) -> i64 {
        let secs = i64::from(self.seconds());
        if secs >= 1 << 31 {
            secs - NTP_UNIX_OFFSET
        } else {
            secs + (1i64 << 32) - NTP_UNIX_OFFSET
        }
    }

    /// Nanoseconds within the second (truncated).
    pub fn subsec_nanos(self) -> u32 {
        ((u64::from(self.fraction()) * 1_000_000_000) >> 32) as u32
    }

    /// Nanoseconds since the Unix epoch, for comparisons.
    pub fn unix_nanos(self) -> i128 {
        i128::from(self.unix_seconds()) * 1_000_000_000 + i128::from(self.subsec_nanos())
    }

    /// As a system time (`None` if the platform's clock type cannot hold it).
    pub fn to_system_time(self) -> Option<SystemTime> {
        let secs = Duration::from_secs(self.unix_seconds().unsigned_abs());
        let nanos = Duration::from_nanos(u64::from(self.subsec_nanos()));
        let whole = if self.unix_seconds() >= 0 {
            UNIX_EPOCH.checked_add(secs)
        } else {
            UNIX_EPOCH.checked_sub(secs)
        };
        whole?.checked_add(nanos)
    }

    /// UTC calendar date.
    pub fn utc_date(self) -> CivilDate {
        civil_from_days(self.unix_seconds().div_euclid(86_400))
    }
}

/// The T payload: a timestamp and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// TS type 0, NTP-UTC (64 bits).
    NtpUtc(NtpTimestamp),
    /// TS type 1, NTP (64 bits).
    Ntp(NtpTimestamp),
    /// TS type 2, COUNTER (32 bits).
    Counter(u32),
    /// TS type 3, NTP-UTC-32 (RFC 6043): NTP seconds only.
    NtpUtc32(u32),
}

impl Timestamp {
    /// The time this names, if it names one (COUNTER does not). NTP-UTC-32 is padded
    /// with a zero fraction as RFC 6043 6.3 says.
    pub fn ntp(&self) -> Option<NtpTimestamp> {
        match *self {
            Timestamp::NtpUtc(t) | Timestamp::Ntp(t) => Some(t),
            Timestamp::NtpUtc32(secs) => Some(NtpTimestamp(u64::from(secs) << 32)),
            Timestamp::Counter(_) => None,
        }
    }

    /// The TS type value.
    pub fn ts_type(&self) -> u8 {
        match self {
            Timestamp::NtpUtc(_) => 0,
            Timestamp::Ntp(_) => 1,
            Timestamp::Counter(_) => 2,
            Timestamp::NtpUtc32(_) => 3,
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<(Timestamp, u8)> {
        let next = r.u8(P, "next payload")?;
        let ts_type = r.u8(P, "TS type")?;
        let ts = match ts_type {
            0 => Timestamp::NtpUtc(NtpTimestamp(r.u64(P, "TS value")?)),
            1 => Timestamp::Ntp(NtpTimestamp(r.u64(P, "TS value")?)),
            2 => Timestamp::Counter(r.u32(P, "TS value")?),
            3 => Timestamp::NtpUtc32(r.u32(P, "TS value")?),
            other => return Err(MikeyError::UnsupportedTimestampType(other)),
        };
        Ok((ts, next))
    }

    pub(crate) fn encode(&self, next: u8, out: &mut Vec<u8>) {
        out.push(next);
        out.push(self.ts_type());
        match *self {
            Timestamp::NtpUtc(t) | Timestamp::Ntp(t) => out.extend_from_slice(&t.0.to_be_bytes()),
            Timestamp::Counter(v) | Timestamp::NtpUtc32(v) => {
                out.extend_from_slice(&v.to_be_bytes())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_conversion_and_eras() {
        // Streamwide interop T payload: 0xec898da8 s = 2025-10-02T23:47:52Z.
        let t = NtpTimestamp(0xec89_8da8_0000_0000);
        assert_eq!(t.unix_seconds(), 1_759_448_872);
        assert_eq!(
            t.utc_date(),
            CivilDate {
                year: 2025,
                month: 10,
                day: 2
            }
        );
        assert_eq!(NtpTimestamp::from_unix(1_759_448_872, 0), Some(t));

        // Unix epoch = NTP 2208988800 = 0x83aa7e80.
        assert_eq!(
            NtpTimestamp::from_unix(0, 0),
            Some(NtpTimestamp(0x83aa_7e80 << 32))
        );
        // Era 1: 2036-02-07T06:28:16Z is NTP seconds 0 again.
        let wrap = (1i64 << 32) - NTP_UNIX_OFFSET;
        assert_eq!(NtpTimestamp::from_unix(wrap, 0), Some(NtpTimestamp(0)));
        assert_eq!(NtpTimestamp(0).unix_seconds(), wrap);
        assert_eq!(NtpTimestamp(0).utc_date().year, 2036);
        // Range ends.
        assert!(NtpTimestamp::from_unix(FIRST_UNIX - 1, 0).is_none());
        assert!(NtpTimestamp::from_unix(FIRST_UNIX + (1 << 32), 0).is_none());
        let last = NtpTimestamp::from_unix(FIRST_UNIX + (1 << 32) - 1, 0).unwrap();
        assert_eq!(last.utc_date().year, 2104);
    }

    #[test]
    fn fractions_round_trip() {
        for nanos in [0, 1, 999_999_999, 500_000_000, 123_456_789] {
            let t = NtpTimestamp::from_unix(1_700_000_000, nanos).unwrap();
            assert_eq!(t.subsec_nanos(), nanos);
            assert_eq!(
                NtpTimestamp::from_system_time(t.to_system_time().unwrap()),
                Some(t)
            );
        }
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        let t = NtpTimestamp::from_system_time(before).unwrap();
        assert_eq!(t.unix_seconds(), -2);
        assert_eq!(t.subsec_nanos(), 500_000_000);
    }
}
