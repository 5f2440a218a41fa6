//! Jacobian-coordinate arithmetic on public points, for building fixed-base tables: p256
//! 0.13 offers no batch normalization (its `FieldElement` lacks the `Invert` trait that
//! `BatchNormalize` needs, and `group::Curve::batch_normalize` inverts every point), so
//! the table multiples are computed here and made affine with one shared inversion.
//!
//! The formulas are the incomplete a = -3 ones (dbl-2001-b, add-2007-bl): callers only add
//! distinct, non-opposite, non-identity points (small multiples of one point of prime
//! order). Variable time: public data only.

use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{AffinePoint, EncodedPoint, FieldBytes, FieldElement};

/// (X : Y : Z) with x = X / Z^2, y = Y / Z^3, never the identity.
#[derive(Clone, Copy)]
pub(crate) struct Jacobian {
    x: FieldElement,
    y: FieldElement,
    z: FieldElement,
}

impl Jacobian {
    /// From a non-identity affine point; None for the identity.
    pub(crate) fn from_affine(point: &AffinePoint) -> Option<Self> {
        let encoded = point.to_encoded_point(false);
        let x = Option::<FieldElement>::from(FieldElement::from_bytes(encoded.x()?))?;
        let y = Option::<FieldElement>::from(FieldElement::from_bytes(encoded.y()?))?;
        Some(Self {
            x,
            y,
            z: FieldElement::ONE,
        })
    }

    /// 2P (dbl-2001-b, a = -3).
    pub(crate) fn double(&self) -> Self {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let alpha = (self.x - delta) * (self.x + delta);
        let alpha = alpha.double() + alpha;
        let beta4 = beta.double().double();
        let x = alpha.square() - beta4.double();
        let z = (self.y + self.z).square() - gamma - delta;
        let gamma2 = gamma.square().double();
        let y = alpha * (beta4 - x) - gamma2.double().double();
        Self { x, y, z }
    }

    /// P + Q for P != +-Q, both non-identity (add-2007-bl).
    pub(crate) fn add(&self, other: &Self) -> Self {
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x * z2z2;
        let u2 = other.x * z1z1;
        let s1 = self.y * other.z * z2z2;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - u1;
        let i = h.double().square();
        let j = h * i;
        let r = (s2 - s1).double();
        let v = u1 * i;
        let x = r.square() - j - v.double();
        let y = r * (v - x) - (s1 * j).double();
        let z = ((self.z + other.z).square() - z1z1 - z2z2) * h;
        Self { x, y, z }
    }
}

/// Affine forms of `points` with one field inversion (Montgomery's trick); None if a Z is
/// zero or a result is off the curve, which the formulas' preconditions rule out.
pub(crate) fn batch_to_affine(points: &[Jacobian]) -> Option<Vec<AffinePoint>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = FieldElement::ONE;
    for point in points {
        prefix.push(acc);
        acc *= point.z;
    }
    let mut inverse = Option::<FieldElement>::from(acc.invert())?;
    let mut out = vec![AffinePoint::IDENTITY; points.len()];
    for (i, point) in points.iter().enumerate().rev() {
        // inverse = 1 / (z_0 ... z_i); prefix[i] = z_0 ... z_(i-1).
        let zinv = inverse * prefix[i];
        inverse *= point.z;
        let zinv2 = zinv.square();
        let x: FieldBytes = (point.x * zinv2).to_bytes();
        let y: FieldBytes = (point.y * zinv2 * zinv).to_bytes();
        let encoded = EncodedPoint::from_affine_coordinates(&x, &y, false);
        out[i] = Option::from(AffinePoint::from_encoded_point(&encoded))?;
    }
    Some(out)
}
