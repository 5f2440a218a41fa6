//! Encapsulated data (R_(b,S), H): 2L + n/8 + 1 = 273 bytes (RFC 6508 section 4).

use pairing::{AffinePoint, POINT_BYTES};

use crate::ssv::SSV_BYTES;
use crate::SakkeError;

/// Length of encapsulated data for parameter set 1.
pub const ENCAPSULATED_BYTES: usize = POINT_BYTES + SSV_BYTES;

/// A parsed SAKKE ciphertext. R is on the curve and not the identity; whether it lies in
/// the order-q subgroup is settled by decapsulation's TEST, which no other point passes.
/// Public: Debug prints R || H.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncapsulatedData {
    pub(crate) r: AffinePoint,
    pub(crate) h: [u8; SSV_BYTES],
}

impl core::fmt::Debug for EncapsulatedData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "EncapsulatedData({})",
            crate::keys::hex(&self.to_bytes())
        )
    }
}

impl EncapsulatedData {
    pub fn from_bytes(bytes: &[u8]) -> Result<EncapsulatedData, SakkeError> {
        if bytes.len() != ENCAPSULATED_BYTES {
            return Err(SakkeError::WrongLength {
                what: "encapsulated data",
                expected: ENCAPSULATED_BYTES,
                actual: bytes.len(),
            });
        }
        let r = AffinePoint::from_bytes(&bytes[..POINT_BYTES])
            .map_err(SakkeError::point("encapsulated point R"))?;
        let mut h = [0u8; SSV_BYTES];
        h.copy_from_slice(&bytes[POINT_BYTES..]);
        Ok(EncapsulatedData { r, h })
    }

    /// The encapsulator's output. Declassified: R and H are the ciphertext, which goes on
    /// the wire, however secret the values they were computed from.
    pub(crate) fn new(r: AffinePoint, h: [u8; SSV_BYTES]) -> EncapsulatedData {
        ctgrind::declassify(&r);
        ctgrind::declassify(&h);
        EncapsulatedData { r, h }
    }

    /// R || H, every field at its full length.
    pub fn to_bytes(&self) -> [u8; ENCAPSULATED_BYTES] {
        let mut out = [0u8; ENCAPSULATED_BYTES];
        // R is never the identity: parsing rejects it and encapsulation cannot produce it.
        out[..POINT_BYTES].copy_from_slice(&self.r.to_bytes().unwrap_or([0u8; POINT_BYTES]));
        out[POINT_BYTES..].copy_from_slice(&self.h);
        out
    }

    /// R_(b,S).
    pub fn point(&self) -> &AffinePoint {
        &self.r
    }

    /// The hint H = SSV xor mask.
    pub fn hint(&self) -> &[u8; SSV_BYTES] {
        &self.h
    }
}
