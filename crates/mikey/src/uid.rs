//! The 3GPP MCX user identifier, UID (TS 33.180 / TS 33.179 Annex F.2.1): the SAKKE and
//! ECCSI identifier of ID scheme 2, a SHA-256 hash that binds a user's URI to one KMS and
//! one key period.
//!
//! The hash input is the TS 33.220 B.2 string `S = FC || P0 || L0 || ... || P5 || L5`
//! with FC = 0x00 (a placeholder: F.2.1 uses the layout, not the KDF), every `Li` the
//! 2-octet big-endian length of `Pi`, and
//! P0 = "MIKEY-SAKKE-UID", P1 = the user's URI, P2 = the KMS URI, P3 = the key period
//! length, P4 = the key period offset, P5 = the key period number. The integers are
//! unsigned big-endian in the fewest octets, zero as the one octet 00: the encoding that
//! reproduces all five Streamwide UID tests (fixed-width encodings do not).

use sha2::{Digest, Sha256};

use crate::error::{MikeyError, Result};
use crate::identifier::UID_LEN;

/// FC of the F.2.1 string.
const FC: u8 = 0x00;
/// P0 of the F.2.1 string.
const P0: &[u8] = b"MIKEY-SAKKE-UID";

/// The UID of `uri` at KMS `kms_uri` for key period number `period_no` of a KMS whose
/// periods are `period` seconds long starting `offset` seconds after 1900-01-01
/// (UserKeyPeriod, UserKeyOffset).
///
/// Strings are hashed as their UTF-8 bytes, unchanged (no NFKC step: callers pass the
/// URI exactly as the KMS provisioned it). Empty strings, and strings longer than a
/// 2-octet length can state, are refused.
pub fn mcx_uid(
    uri: &str,
    kms_uri: &str,
    period: u64,
    offset: u64,
    period_no: u64,
) -> Result<[u8; UID_LEN]> {
    let uri_len = string_len(uri).ok_or(MikeyError::InvalidUri)?;
    let kms_len = string_len(kms_uri).ok_or(MikeyError::InvalidKmsUri)?;
    let mut h = Sha256::new();
    h.update([FC]);
    put(&mut h, P0, P0.len() as u16);
    put(&mut h, uri.as_bytes(), uri_len);
    put(&mut h, kms_uri.as_bytes(), kms_len);
    for value in [period, offset, period_no] {
        let bytes = value.to_be_bytes();
        // Shortest form; zero keeps one octet.
        let skip = (value.leading_zeros() / 8).min(7) as usize;
        put(&mut h, &bytes[skip..], (8 - skip) as u16);
    }
    Ok(h.finalize().into())
}

/// Length of a non-empty string that fits a 2-octet length field.
fn string_len(s: &str) -> Option<u16> {
    u16::try_from(s.len()).ok().filter(|&n| n > 0)
}

fn put(h: &mut Sha256, p: &[u8], len: u16) {
    h.update(p);
    h.update(len.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; UID_LEN] {
        let v: Vec<u8> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        v.try_into().unwrap()
    }

    /// The five "MIKEYSAKKE-UID" tests of streamwide-test-vectors-v5.md, byte for byte.
    #[test]
    fn streamwide_uid_tests() {
        let cases = [
            (
                2_592_000,
                0,
                1,
                "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4",
            ),
            (
                10,
                0,
                10,
                "94fb1a697c15d7e9d6b7062066affebda2d9e346e0090d67525c0c3ce666eafa",
            ),
            (
                25_920_000,
                100,
                1,
                "3c0ad8828cfae1ad1d08b27cc7b61258c6cfcd405081b68cd778f1e1c7f562a7",
            ),
            (
                25_920_000,
                100,
                2048,
                "c88b3fa5e36a08985d10f7b31a631b0265e8249f0312435e4984dbc3765c7f0c",
            ),
            (
                25_920_000,
                45_920_000,
                20_393_844,
                "8dc05540167345538475101514f4eabd384abd6ba665782abb312ecaf05934e1",
            ),
        ];
        for (period, offset, no, want) in cases {
            let got = mcx_uid(
                "sip:user@example.org",
                "kms.example.org",
                period,
                offset,
                no,
            );
            assert_eq!(
                got.unwrap(),
                hex32(want),
                "period {period} offset {offset} no {no}"
            );
        }
    }

    #[test]
    fn every_input_changes_the_uid() {
        let base = mcx_uid("sip:a@b", "kms", 10, 0, 1).unwrap();
        for other in [
            mcx_uid("sip:a@c", "kms", 10, 0, 1),
            mcx_uid("sip:a@b", "kmt", 10, 0, 1),
            mcx_uid("sip:a@b", "kms", 11, 0, 1),
            mcx_uid("sip:a@b", "kms", 10, 1, 1),
            mcx_uid("sip:a@b", "kms", 10, 0, 2),
            // The length fields keep the URI / KMS boundary unambiguous.
            mcx_uid("sip:a@bk", "ms", 10, 0, 1),
        ] {
            assert_ne!(other.unwrap(), base);
        }
    }

    #[test]
    fn rejects_empty_and_oversized_strings() {
        assert!(matches!(
            mcx_uid("", "kms", 10, 0, 1),
            Err(MikeyError::InvalidUri)
        ));
        assert!(matches!(
            mcx_uid("sip:a", "", 10, 0, 1),
            Err(MikeyError::InvalidKmsUri)
        ));
        let long = "a".repeat(65_536);
        assert!(matches!(
            mcx_uid(&long, "kms", 10, 0, 1),
            Err(MikeyError::InvalidUri)
        ));
        assert!(matches!(
            mcx_uid("sip:a", &long, 10, 0, 1),
            Err(MikeyError::InvalidKmsUri)
        ));
        // The largest length a 2-octet field holds is fine, as are u64 extremes.
        assert!(mcx_uid(&long[1..], "kms", u64::MAX, u64::MAX, 0).is_ok());
    }
}
