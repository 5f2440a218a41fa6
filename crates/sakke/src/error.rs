//! SAKKE errors: one variant per distinct reason, so that callers can tell malformed input
//! from a failed integrity check.

use pairing::PointError;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SakkeError {
    #[error("{what}: {source}")]
    Point {
        what: &'static str,
        #[source]
        source: PointError,
    },
    #[error("{what} must be {expected} bytes, got {actual}")]
    WrongLength {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("identifier must be an integer in [2, q-1] (at most 128 bytes), got {len} bytes")]
    IdentifierOutOfRange { len: usize },
    #[error("KMS master secret must be in [2, q-1]")]
    MasterSecretOutOfRange,
    #[error("identifier + master secret = 0 mod q: no RSK exists for this identifier")]
    DegenerateIdentifier,
    #[error("RSK does not validate: <[a]P + Z, K_a> != g (wrong key, identifier or KMS)")]
    RskInvalid,
    #[error("encapsulated point R is not in the order-q subgroup")]
    NotInSubgroup,
    #[error("TEST failed: [r]([b]P + Z) != R, so the SSV must not be used (tampered data, wrong identifier, KMS or RSK)")]
    TestFailed,
}

impl SakkeError {
    pub(crate) fn point(what: &'static str) -> impl FnOnce(PointError) -> SakkeError {
        move |source| SakkeError::Point { what, source }
    }
}
