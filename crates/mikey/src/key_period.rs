//! 3GPP MCX key periods (TS 33.180 F.2.1, KmsCertificate UserKeyPeriod / UserKeyOffset):
//! unlike RFC 6509's calendar months, a KMS sets a grid of equal periods, and keys and
//! UIDs belong to one period number.

use crate::error::{MikeyError, Result};
use crate::timestamp::{NtpTimestamp, NTP_UNIX_OFFSET};

/// A KMS's key period grid: period `n` covers the NTP seconds (seconds since 1900-01-01
/// UTC) from `offset + n * length` to `offset + (n + 1) * length - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPeriods {
    length: u64,
    offset: u64,
}

impl KeyPeriods {
    /// Periods of `length` seconds (UserKeyPeriod) starting `offset` seconds after
    /// 1900-01-01 (UserKeyOffset). The offset may exceed the length (UID test 5 of the
    /// Streamwide vectors has one); a zero length has no periods and is refused.
    pub fn new(length: u64, offset: u64) -> Result<Self> {
        if length == 0 {
            return Err(MikeyError::ZeroKeyPeriod);
        }
        Ok(KeyPeriods { length, offset })
    }

    /// UserKeyPeriod, in seconds.
    pub fn length(self) -> u64 {
        self.length
    }

    /// UserKeyOffset, in seconds after 1900-01-01.
    pub fn offset(self) -> u64 {
        self.offset
    }

    /// The period number at `ntp_seconds` seconds after 1900-01-01:
    /// `floor((t - offset) / length)`. Times before the offset have none.
    pub fn number_at_ntp_seconds(self, ntp_seconds: i64) -> Result<u64> {
        u64::try_from(ntp_seconds)
            .ok()
            .and_then(|t| t.checked_sub(self.offset))
            .map(|since| since / self.length)
            .ok_or(MikeyError::BeforeKeyPeriodOffset {
                ntp_seconds,
                offset: self.offset,
            })
    }

    /// The period number at a Unix time (seconds since 1970-01-01 UTC).
    pub fn number_at_unix_seconds(self, unix_seconds: i64) -> Result<u64> {
        let ntp = unix_seconds
            .checked_add(NTP_UNIX_OFFSET)
            .ok_or(MikeyError::InvalidTimestamp)?;
        self.number_at_ntp_seconds(ntp)
    }

    /// The period number at an NTP timestamp (a T payload), era-resolved as
    /// [`NtpTimestamp::unix_seconds`] does, so times after 2036 keep counting up.
    pub fn number_at(self, time: NtpTimestamp) -> Result<u64> {
        self.number_at_unix_seconds(time.unix_seconds())
    }

    /// First NTP second of period `number`; `None` if it does not fit 64 bits.
    pub fn start_ntp_seconds(self, number: u64) -> Option<u64> {
        number.checked_mul(self.length)?.checked_add(self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Streamwide KMS (period 2^24 - 1 s, offset 0): the messages' T, 0xec898da8,
    /// is in period 236, the KeyPeriodNo of the four users.
    #[test]
    fn streamwide_message_time_is_period_236() {
        let p = KeyPeriods::new(16_777_215, 0).unwrap();
        let t = NtpTimestamp(0xec89_8da8_0000_0000);
        assert_eq!(p.number_at(t).unwrap(), 236);
        assert_eq!(p.number_at_ntp_seconds(0xec89_8da8).unwrap(), 236);
        assert_eq!(p.number_at_unix_seconds(1_759_448_872).unwrap(), 236);
        // Period 236 runs 2025-06-20T15:39:00Z .. 2025-12-31T19:59:15Z.
        assert_eq!(p.start_ntp_seconds(236), Some(236 * 16_777_215));
        assert_eq!(p.number_at_unix_seconds(1_750_433_940 - 1).unwrap(), 235);
        assert_eq!(p.number_at_unix_seconds(1_750_433_940).unwrap(), 236);
        assert_eq!(p.number_at_unix_seconds(1_767_211_155 - 1).unwrap(), 236);
        assert_eq!(p.number_at_unix_seconds(1_767_211_155).unwrap(), 237);
    }

    #[test]
    fn boundaries_without_offset() {
        let p = KeyPeriods::new(2_592_000, 0).unwrap();
        assert_eq!(p.number_at_ntp_seconds(0).unwrap(), 0);
        assert_eq!(p.number_at_ntp_seconds(2_591_999).unwrap(), 0);
        assert_eq!(p.number_at_ntp_seconds(2_592_000).unwrap(), 1);
        assert_eq!(p.number_at_ntp_seconds(553 * 2_592_000 - 1).unwrap(), 552);
        assert_eq!(p.number_at_ntp_seconds(553 * 2_592_000).unwrap(), 553);
        // One-second periods count seconds.
        let s = KeyPeriods::new(1, 0).unwrap();
        assert_eq!(s.number_at_ntp_seconds(12_345).unwrap(), 12_345);
    }

    #[test]
    fn boundaries_with_offsets() {
        let p = KeyPeriods::new(25_920_000, 100).unwrap();
        assert_eq!(p.number_at_ntp_seconds(100).unwrap(), 0);
        assert_eq!(p.number_at_ntp_seconds(100 + 25_919_999).unwrap(), 0);
        assert_eq!(p.number_at_ntp_seconds(100 + 25_920_000).unwrap(), 1);
        assert_eq!(p.start_ntp_seconds(2048), Some(100 + 2048 * 25_920_000));
        let start = p.start_ntp_seconds(2048).unwrap() as i64;
        assert_eq!(p.number_at_ntp_seconds(start - 1).unwrap(), 2047);
        assert_eq!(p.number_at_ntp_seconds(start).unwrap(), 2048);
        // An offset larger than the length, as in UID test 5.
        let q = KeyPeriods::new(25_920_000, 45_920_000).unwrap();
        assert_eq!(q.number_at_ntp_seconds(45_920_000).unwrap(), 0);
        assert_eq!(
            q.number_at_ntp_seconds(45_920_000 + 25_920_000 - 1)
                .unwrap(),
            0
        );
        assert_eq!(q.number_at_ntp_seconds(45_920_000 + 25_920_000).unwrap(), 1);
        // Unix and NTP agree across an offset boundary.
        let unix_start = start - NTP_UNIX_OFFSET;
        assert_eq!(p.number_at_unix_seconds(unix_start - 1).unwrap(), 2047);
        assert_eq!(p.number_at_unix_seconds(unix_start).unwrap(), 2048);
    }

    #[test]
    fn after_the_2036_ntp_wrap() {
        // 2036-02-07T06:28:16Z is NTP seconds 2^32 and era 1 second 0.
        let p = KeyPeriods::new(1 << 20, 0).unwrap();
        let wrap = NtpTimestamp::from_unix((1i64 << 32) - NTP_UNIX_OFFSET, 0).unwrap();
        assert_eq!(wrap.seconds(), 0);
        assert_eq!(p.number_at(wrap).unwrap(), 1 << 12);
    }

    #[test]
    fn typed_errors() {
        assert!(matches!(
            KeyPeriods::new(0, 0),
            Err(MikeyError::ZeroKeyPeriod)
        ));
        let p = KeyPeriods::new(10, 100).unwrap();
        assert!(matches!(
            p.number_at_ntp_seconds(99),
            Err(MikeyError::BeforeKeyPeriodOffset {
                ntp_seconds: 99,
                offset: 100
            })
        ));
        assert!(matches!(
            p.number_at_ntp_seconds(-1),
            Err(MikeyError::BeforeKeyPeriodOffset { .. })
        ));
        // Before 1900 in Unix seconds.
        assert!(matches!(
            KeyPeriods::new(10, 0)
                .unwrap()
                .number_at_unix_seconds(-NTP_UNIX_OFFSET - 1),
            Err(MikeyError::BeforeKeyPeriodOffset { .. })
        ));
        assert!(matches!(
            p.number_at_unix_seconds(i64::MAX),
            Err(MikeyError::InvalidTimestamp)
        ));
        assert_eq!(
            KeyPeriods::new(u64::MAX, 1).unwrap().start_ntp_seconds(1),
            None
        );
    }
}
