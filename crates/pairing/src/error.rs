//! Errors for decoding points and field elements.

use thiserror::Error;

/// Why a point encoding was rejected. Each cause has its own variant so that callers and
/// logs can tell a truncated message from a forged one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PointError {
    #[error("point encoding must be {expected} bytes, got {actual}")]
    WrongLength { expected: usize, actual: usize },
    #[error("point encoding must start with 0x04 (uncompressed), got 0x{prefix:02x}")]
    BadPrefix { prefix: u8 },
    #[error("compressed point encoding (0x{prefix:02x}) is not used by RFC 6508")]
    CompressedNotSupported { prefix: u8 },
    #[error("point coordinate {coordinate} is not below p")]
    NonCanonical { coordinate: char },
    #[error("point is not on the curve y^2 = x^3 - 3x")]
    NotOnCurve,
    #[error("the point at infinity is not a valid key or ciphertext point")]
    Infinity,
    #[error("point is on the curve but not in the order-q subgroup")]
    NotInSubgroup,
}
