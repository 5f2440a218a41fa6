//! The ECCSI signature, Signature = r || s || PVT (RFC 6507 3.3), 4N+1 = 129 bytes.
//!
//! Ranges enforced on decoding: r in [1, p-1] (r is the x-coordinate Jx, an element of F_p,
//! and verification needs Jx non-zero), s in [1, q-1] (on P-256 q < 2^256, so the signer's
//! step 6 never has to replace s' by q - s'), PVT a valid non-identity point. Every value
//! accepted here re-encodes to the same bytes.

use core::fmt;

use p256::{FieldBytes, FieldElement, Scalar};

use crate::error::{EccsiError, Result};
use crate::point::{CurvePoint, Pvt, POINT_LEN};
use crate::scalar::{self, SCALAR_LEN};

/// Length of an encoded signature: r (32) || s (32) || PVT (65).
pub const SIGNATURE_LEN: usize = 2 * SCALAR_LEN + POINT_LEN;

/// An ECCSI signature: r || s || PVT.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    r: [u8; SCALAR_LEN],
    s: Scalar,
    pvt: Pvt,
}

impl Signature {
    /// Builds a signature from parts already known to be in range (the signer's output).
    pub(crate) fn from_parts(r: [u8; SCALAR_LEN], s: Scalar, pvt: Pvt) -> Self {
        Self { r, s, pvt }
    }

    /// Decodes a 129-byte signature, rejecting a wrong length, r = 0, r >= p, s = 0,
    /// s >= q and any invalid PVT, each with its own error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Signature> {
        let all: &[u8; SIGNATURE_LEN] = bytes
            .try_into()
            .map_err(|_| EccsiError::SignatureLength(bytes.len()))?;
        let mut r = [0u8; SCALAR_LEN];
        let mut s = [0u8; SCALAR_LEN];
        r.copy_from_slice(&all[..SCALAR_LEN]);
        s.copy_from_slice(&all[SCALAR_LEN..2 * SCALAR_LEN]);

        if r == [0u8; SCALAR_LEN] {
            return Err(EccsiError::SignatureRZero);
        }
        if bool::from(FieldElement::from_bytes(&FieldBytes::from(r)).is_none()) {
            return Err(EccsiError::SignatureROutOfRange);
        }
        let s = match scalar::nonzero_from_bytes(&s) {
            Ok(s) => *s,
            Err(EccsiError::ScalarZero) => return Err(EccsiError::SignatureSZero),
            Err(_) => return Err(EccsiError::SignatureSOutOfRange),
        };
        let pvt = Pvt(CurvePoint::from_bytes(&all[2 * SCALAR_LEN..])?);
        Ok(Signature { r, s, pvt })
    }

    /// The 129-byte encoding r || s || PVT.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..SCALAR_LEN].copy_from_slice(&self.r);
        out[SCALAR_LEN..2 * SCALAR_LEN].copy_from_slice(&scalar::to_bytes(&self.s));
        out[2 * SCALAR_LEN..].copy_from_slice(self.pvt.as_bytes());
        out
    }

    /// r: the x-coordinate of J = \[j\]G, 32 big-endian bytes.
    pub fn r_bytes(&self) -> [u8; SCALAR_LEN] {
        self.r
    }

    /// s, 32 big-endian bytes.
    pub fn s_bytes(&self) -> [u8; SCALAR_LEN] {
        scalar::to_bytes(&self.s)
    }

    /// The signer's PVT carried in the signature.
    pub fn pvt(&self) -> &Pvt {
        &self.pvt
    }

    pub(crate) fn r(&self) -> &[u8; SCALAR_LEN] {
        &self.r
    }

    pub(crate) fn s(&self) -> &Scalar {
        &self.s
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        for byte in self.to_bytes() {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(")")
    }
}

impl TryFrom<&[u8]> for Signature {
    type Error = EccsiError;

    fn try_from(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes(bytes)
    }
}

impl From<Signature> for [u8; SIGNATURE_LEN] {
    fn from(sig: Signature) -> Self {
        sig.to_bytes()
    }
}

impl signature::SignatureEncoding for Signature {
    type Repr = [u8; SIGNATURE_LEN];
}
