//! The user's Secret Signing Key and its validation against the KMS root of trust
//! (RFC 6507 5.1.2), which every SSK must pass before it is used to sign.

use core::fmt;

use p256::{ProjectivePoint, Scalar};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{EccsiError, Result};
use crate::generator;
use crate::hash::Hs;
use crate::point::{Kpak, Pvt};
use crate::scalar::{self, SCALAR_LEN};

/// Secret Signing Key: an integer in [1, q-1], wiped on drop and never printed.
#[derive(Clone)]
pub struct Ssk(pub(crate) Scalar);

impl Ssk {
    /// Decodes a 32-byte big-endian SSK, which must lie in [1, q-1].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        scalar::nonzero_from_bytes(bytes).map(|s| Self(*s))
    }

    /// The 32-byte big-endian encoding, in a buffer wiped on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(scalar::to_bytes(&self.0))
    }
}

impl ConstantTimeEq for Ssk {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for Ssk {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Ssk {}

impl Drop for Ssk {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Ssk {}

impl fmt::Debug for Ssk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssk(<redacted>)")
    }
}

/// Validates a received (SSK, PVT) pair for identifier `id` (RFC 6507 5.1.2) and returns HS,
/// which signing needs. The PVT is on the curve and not the identity by construction of
/// [`Pvt`]; this checks KPAK = \[SSK\]G - \[HS\]PVT.
pub fn validate_ssk(id: &[u8], ssk: &Ssk, pvt: &Pvt, kpak: &Kpak) -> Result<Hs> {
    let hs = Hs::compute(id, pvt, kpak);
    let lhs = ProjectivePoint::from(generator::mul_g(&ssk.0)) - pvt.0.projective() * hs.scalar();
    // Declassified: the verdict of validation is the result.
    if ctgrind::public_verdict(lhs.ct_eq(&kpak.0.projective())) {
        Ok(hs)
    } else {
        Err(EccsiError::SskValidationFailed)
    }
}
