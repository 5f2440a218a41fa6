//! Every way an ECCSI operation can fail, one variant per distinct cause, so callers
//! (and tests) can tell a malformed encoding from a forged signature.

/// Errors from decoding ECCSI material, issuing and validating keys, signing and verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EccsiError {
    /// A point encoding is not 65 bytes long (RFC 6507 3.2: 0x04 || x || y).
    #[error("point encoding must be 65 bytes (0x04 || x || y), got {0} bytes")]
    PointLength(usize),
    /// A 65-byte point encoding does not start with 0x04 (uncompressed form).
    #[error("point encoding must start with 0x04 (uncompressed), got {0:#04x}")]
    PointPrefix(u8),
    /// A point coordinate is not a canonical field element (it is >= p).
    #[error("point coordinate is not below the field prime p")]
    CoordinateOutOfRange,
    /// The coordinates do not satisfy y^2 = x^3 - 3x + B.
    #[error("point is not on the P-256 curve")]
    PointNotOnCurve,
    /// The point is the group identity, which ECCSI never accepts as a key, token or result.
    #[error("point is the identity (point at infinity)")]
    IdentityPoint,
    /// A scalar encoding is not 32 bytes long.
    #[error("scalar encoding must be 32 bytes, got {0} bytes")]
    ScalarLength(usize),
    /// A secret or ephemeral scalar is zero; RFC 6507 requires it to be non-zero.
    #[error("scalar is zero")]
    ScalarZero,
    /// A scalar is not below the group order q.
    #[error("scalar is not below the group order q")]
    ScalarOutOfRange,
    /// HS is zero modulo q (RFC 6507 5.1.1 step 5): the KMS must pick another v.
    #[error("HS is zero modulo q; a fresh v is needed")]
    HsZero,
    /// SSK came out as zero modulo q (RFC 6507 5.1.1 step 5): the KMS must pick another v.
    #[error("SSK is zero modulo q; a fresh v is needed")]
    SskZero,
    /// The (SSK, PVT) pair fails KPAK = \[SSK\]G - \[HS\]PVT for this identifier (RFC 6507 5.1.2).
    #[error("SSK validation failed: KPAK != [SSK]G - [HS]PVT")]
    SskValidationFailed,
    /// A signature encoding is not 129 bytes long (r || s || PVT).
    #[error("signature must be 129 bytes (r || s || PVT), got {0} bytes")]
    SignatureLength(usize),
    /// The signature's r is zero (RFC 6507 5.2.2 step 6 requires Jx non-zero).
    #[error("signature r is zero")]
    SignatureRZero,
    /// The signature's r is not below p, so it cannot equal an x-coordinate.
    #[error("signature r is not below the field prime p")]
    SignatureROutOfRange,
    /// The signature's s is zero.
    #[error("signature s is zero")]
    SignatureSZero,
    /// The signature's s is not below the group order q.
    #[error("signature s is not below the group order q")]
    SignatureSOutOfRange,
    /// HE + r * SSK is zero modulo q for this j (RFC 6507 5.2.1 step 4): use a fresh j.
    #[error("HE + r * SSK is zero modulo q; a fresh j is needed")]
    DegenerateSignature,
    /// The verification equation produced the identity point, which has no x-coordinate.
    #[error("verification produced the identity point")]
    VerificationIdentity,
    /// The recomputed Jx does not equal r: the signature is not valid for this ID, KPAK and message.
    #[error("signature verification failed: Jx != r")]
    VerificationFailed,
    /// A prepared verifier was given a signature carrying a PVT other than the one it
    /// was built for.
    #[error("signature carries a PVT other than the prepared verifier's")]
    PvtMismatch,
    /// The random number generator failed or kept producing unusable values.
    #[error("random number generator failed")]
    Rng,
}

/// Result type of this crate.
pub type Result<T> = core::result::Result<T, EccsiError>;

impl From<EccsiError> for signature::Error {
    fn from(err: EccsiError) -> Self {
        signature::Error::from_source(err)
    }
}
