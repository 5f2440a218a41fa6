//! Jacobian-coordinate arithmetic for public points: verification and table building.
//! p256 0.13's projective points use complete formulas (about 12 multiplications per
//! addition and 11 per doubling), offer no batch normalization (its `FieldElement` lacks
//! the `Invert` trait `BatchNormalize` needs) and hide their coordinates; here doubling
//! costs 3M + 5S and a mixed addition 7M + 4S, tables share one inversion, and the final
//! check x(J) = r needs no inversion at all.
//!
//! The formulas (dbl-2001-b for a = -3, add-2007-bl, madd-2007-bl) are incomplete; the
//! additions branch to doubling or the identity where they would fail. Variable time:
//! public data only, never a secret scalar or point.

use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{AffinePoint, EncodedPoint, FieldElement};

/// A non-identity affine point (x, y) as field elements.
#[derive(Clone, Copy)]
pub(crate) struct Affine {
    x: FieldElement,
    y: FieldElement,
}

impl Affine {
    /// From a p256 point; None for the identity.
    pub(crate) fn from_point(point: &AffinePoint) -> Option<Self> {
        let encoded = point.to_encoded_point(false);
        let x = Option::from(FieldElement::from_bytes(encoded.x()?))?;
        let y = Option::from(FieldElement::from_bytes(encoded.y()?))?;
        Some(Self { x, y })
    }

    /// As a p256 point (checked on the curve on the way).
    pub(crate) fn to_point(self) -> Option<AffinePoint> {
        let encoded =
            EncodedPoint::from_affine_coordinates(&self.x.to_bytes(), &self.y.to_bytes(), false);
        Option::from(AffinePoint::from_encoded_point(&encoded))
    }

    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: -self.y,
        }
    }
}

/// (X : Y : Z) with x = X / Z^2, y = Y / Z^3; Z = 0 is the identity.
#[derive(Clone, Copy)]
pub(crate) struct Jacobian {
    x: FieldElement,
    y: FieldElement,
    z: FieldElement,
}

impl Jacobian {
    pub(crate) const IDENTITY: Self = Self {
        x: FieldElement::ONE,
        y: FieldElement::ONE,
        z: FieldElement::ZERO,
    };

    pub(crate) fn from_affine(point: &Affine) -> Self {
        Self {
            x: point.x,
            y: point.y,
            z: FieldElement::ONE,
        }
    }

    pub(crate) fn is_identity(&self) -> bool {
        self.z.is_zero().into()
    }

    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// 2P (dbl-2001-b, a = -3). The identity doubles to Z = 0 again; no point of P-256
    /// has y = 0, so nothing else reaches Z = 0.
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

    /// P + Q (add-2007-bl), with the identity, P = Q and P = -Q handled.
    pub(crate) fn add(&self, other: &Self) -> Self {
        if self.is_identity() {
            return *other;
        }
        if other.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x * z2z2;
        let u2 = other.x * z1z1;
        let s1 = self.y * other.z * z2z2;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x = r.square() - j - v.double();
        let y = r * (v - x) - (s1 * j).double();
        let z = ((self.z + other.z).square() - z1z1 - z2z2) * h;
        Self { x, y, z }
    }

    /// P + Q for an affine Q (madd-2007-bl), with the identity, P = Q and P = -Q handled.
    pub(crate) fn add_affine(&self, other: &Affine) -> Self {
        if self.is_identity() {
            return Self::from_affine(other);
        }
        let z1z1 = self.z.square();
        let u2 = other.x * z1z1;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x = r.square() - j - v.double();
        let y = r * (v - x) - (self.y * j).double();
        let z = (self.z + h).square() - z1z1 - hh;
        Self { x, y, z }
    }

    /// Whether this is a point with affine x-coordinate `x`: X = x Z^2, no inversion.
    pub(crate) fn has_x(&self, x: &FieldElement) -> bool {
        !self.is_identity() && bool::from((self.x - *x * self.z.square()).is_zero())
    }

    /// The affine form; None for the identity.
    pub(crate) fn to_affine(self) -> Option<Affine> {
        let zinv = Option::<FieldElement>::from(self.z.invert())?;
        let zinv2 = zinv.square();
        Some(Affine {
            x: self.x * zinv2,
            y: self.y * zinv2 * zinv,
        })
    }
}

/// Affine forms of non-identity `points` with one field inversion (Montgomery's trick);
/// None if any is the identity.
pub(crate) fn batch_to_affine(points: &[Jacobian]) -> Option<Vec<Affine>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = FieldElement::ONE;
    for point in points {
        prefix.push(acc);
        acc *= point.z;
    }
    let mut inverse = Option::<FieldElement>::from(acc.invert())?;
    let mut out = vec![
        Affine {
            x: FieldElement::ZERO,
            y: FieldElement::ZERO,
        };
        points.len()
    ];
    for (i, point) in points.iter().enumerate().rev() {
        // inverse = 1 / (z_0 ... z_i); prefix[i] = z_0 ... z_(i-1).
        let zinv = inverse * prefix[i];
        inverse *= point.z;
        let zinv2 = zinv.square();
        out[i] = Affine {
            x: point.x * zinv2,
            y: point.y * zinv2 * zinv,
        };
    }
    Some(out)
}
