//! Public curve points (KPAK, PVT) and their canonical RFC 6507 3.2 encoding.
//!
//! Decoding is strict so that a point accepted here is exactly one that every other
//! implementation hashes the same way: 65 bytes, 0x04 prefix, both coordinates < p, on the
//! curve, not the identity. P-256 has cofactor 1, so an on-curve point is in the group of G.

use core::fmt;

use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{AffinePoint, EncodedPoint, FieldBytes, FieldElement, ProjectivePoint};

use crate::error::{EccsiError, Result};
use crate::jacobian::{Affine, Jacobian};

/// Length of an uncompressed point: 0x04 || x || y.
pub const POINT_LEN: usize = 65;

/// A validated, non-identity curve point with its canonical encoding kept beside it, since
/// the encoding is what gets hashed (HS) and transmitted (Signature).
#[derive(Clone, Copy)]
pub(crate) struct CurvePoint {
    point: AffinePoint,
    encoded: [u8; POINT_LEN],
    /// The same point as field elements, for the variable-time Jacobian arithmetic.
    coordinates: Affine,
}

/// Equal exactly when the canonical encodings are.
impl PartialEq for CurvePoint {
    fn eq(&self, other: &Self) -> bool {
        self.encoded == other.encoded
    }
}

impl Eq for CurvePoint {}

impl CurvePoint {
    /// Decodes `0x04 || x || y`, with one error per way the bytes can be wrong.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self> {
        // SEC1 encodes the identity as the single byte 0x00: name it rather than its length.
        if bytes == [0x00] {
            return Err(EccsiError::IdentityPoint);
        }
        let encoded: [u8; POINT_LEN] = bytes
            .try_into()
            .map_err(|_| EccsiError::PointLength(bytes.len()))?;
        if encoded[0] != 0x04 {
            return Err(EccsiError::PointPrefix(encoded[0]));
        }
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&encoded[1..33]);
        y.copy_from_slice(&encoded[33..65]);
        let (x, y) = (FieldBytes::from(x), FieldBytes::from(y));
        let x_ok = bool::from(FieldElement::from_bytes(&x).is_some());
        let y_ok = bool::from(FieldElement::from_bytes(&y).is_some());
        if !(x_ok && y_ok) {
            return Err(EccsiError::CoordinateOutOfRange);
        }
        // Coordinates are canonical, so the only remaining reason to fail is being off-curve.
        let sec1 = EncodedPoint::from_affine_coordinates(&x, &y, false);
        let point = Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&sec1))
            .ok_or(EccsiError::PointNotOnCurve)?;
        Self::from_affine(point)
    }

    /// Wraps a computed point, refusing the identity (it has no 65-byte encoding).
    pub(crate) fn from_affine(point: AffinePoint) -> Result<Self> {
        if bool::from(point.is_identity()) {
            return Err(EccsiError::IdentityPoint);
        }
        let sec1 = point.to_encoded_point(false);
        let encoded: [u8; POINT_LEN] = sec1
            .as_bytes()
            .try_into()
            .map_err(|_| EccsiError::IdentityPoint)?;
        // A non-identity point's coordinates are canonical, so this always succeeds.
        let coordinates = Affine::from_point(&point).ok_or(EccsiError::IdentityPoint)?;
        Ok(Self {
            point,
            encoded,
            coordinates,
        })
    }

    /// Like [`Self::from_affine`], from projective coordinates. Declassified once affine:
    /// every point made here is public (KPAK, PVT, and the signer's J, which every
    /// verifier recomputes), unlike its projective coordinates.
    pub(crate) fn from_projective(point: ProjectivePoint) -> Result<Self> {
        Self::from_computed(point.to_affine())
    }

    /// Like [`Self::from_affine`], for a point computed from a secret scalar (KPAK, PVT, J):
    /// declassified, since each such point is published.
    pub(crate) fn from_computed(point: AffinePoint) -> Result<Self> {
        ctgrind::declassify(&point);
        Self::from_affine(point)
    }

    pub(crate) fn affine(&self) -> &AffinePoint {
        &self.point
    }

    pub(crate) fn projective(&self) -> ProjectivePoint {
        ProjectivePoint::from(self.point)
    }

    pub(crate) fn as_bytes(&self) -> &[u8; POINT_LEN] {
        &self.encoded
    }

    /// The point as field elements, for the variable-time Jacobian arithmetic.
    pub(crate) fn coordinates(&self) -> Jacobian {
        Jacobian::from_affine(&self.coordinates)
    }

    /// The x-coordinate as 32 big-endian bytes.
    pub(crate) fn x_bytes(&self) -> [u8; 32] {
        let mut x = [0u8; 32];
        x.copy_from_slice(&self.encoded[1..33]);
        x
    }
}

impl fmt::Debug for CurvePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.encoded {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// Encoding of the base point G, the first input to HS.
pub(crate) fn generator_bytes() -> [u8; POINT_LEN] {
    let mut out = [0u8; POINT_LEN];
    let sec1 = AffinePoint::GENERATOR.to_encoded_point(false);
    out.copy_from_slice(sec1.as_bytes());
    out
}

macro_rules! public_point {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub(crate) CurvePoint);

        impl $name {
            /// Decodes a 65-byte uncompressed point (0x04 || x || y), rejecting a wrong
            /// length, a wrong prefix, coordinates >= p, points off the curve and the identity.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                CurvePoint::from_bytes(bytes).map(Self)
            }

            /// The canonical 65-byte encoding 0x04 || x || y.
            pub fn to_bytes(&self) -> [u8; POINT_LEN] {
                *self.0.as_bytes()
            }

            /// The canonical encoding, borrowed.
            pub fn as_bytes(&self) -> &[u8; POINT_LEN] {
                self.0.as_bytes()
            }

            /// The point as a p256 affine point (never the identity).
            pub fn as_affine(&self) -> &AffinePoint {
                self.0.affine()
            }
        }

        impl TryFrom<&[u8]> for $name {
            type Error = EccsiError;

            fn try_from(bytes: &[u8]) -> Result<Self> {
                Self::from_bytes(bytes)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    };
}

public_point!(
    /// KMS Public Authentication Key, KPAK = \[KSAK\]G: the community's root of trust.
    Kpak
);

public_point!(
    /// Public Validation Token, PVT = \[v\]G: issued with an SSK and carried in every signature.
    Pvt
);
