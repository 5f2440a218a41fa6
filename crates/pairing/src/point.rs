//! Points of E: y^2 = x^3 - 3x over F_p, their 257-byte encoding, and scalar
//! multiplication.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::DefaultIsZeroes;

use crate::error::PointError;
use crate::fp::{Fp, FP_BYTES};
use crate::lookup::{lookup_signed, SignedEntry};
use crate::params;
use crate::scalar::{Scalar, WINDOW};

/// Length of an encoded point: 0x04 || x || y (RFC 6508 section 4, RFC 5480 2.2).
pub const POINT_BYTES: usize = 1 + 2 * FP_BYTES;

/// A point in affine coordinates. `infinity` marks the identity (x, y then meaningless).
/// Debug output hides the point (an RSK is one); public points print by their encoding.
#[derive(Clone, Copy)]
pub struct AffinePoint {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
    pub(crate) infinity: Choice,
}

impl Default for AffinePoint {
    fn default() -> Self {
        AffinePoint::identity()
    }
}

impl zeroize::Zeroize for AffinePoint {
    fn zeroize(&mut self) {
        self.x.zeroize();
        self.y.zeroize();
    }
}

/// A point in Jacobian coordinates (X, Y, Z) = (x Z^2, y Z^3); Z = 0 is the identity.
/// Debug output hides the point.
#[derive(Clone, Copy, Default)]
pub struct JacobianPoint {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
    pub(crate) z: Fp,
}

impl DefaultIsZeroes for JacobianPoint {}

crate::macros::impl_redacted_debug!(AffinePoint, JacobianPoint);

impl AffinePoint {
    /// The point at infinity.
    pub fn identity() -> AffinePoint {
        AffinePoint {
            x: Fp::ZERO,
            y: Fp::ZERO,
            infinity: Choice::from(1),
        }
    }

    /// P, the generator of E(F_p)[q] (RFC 6509 Appendix A).
    pub fn generator() -> AffinePoint {
        AffinePoint {
            x: Fp::from_canonical(&params::PX),
            y: Fp::from_canonical(&params::PY),
            infinity: Choice::from(0),
        }
    }

    pub fn is_identity(&self) -> Choice {
        self.infinity
    }

    pub fn x(&self) -> Fp {
        self.x
    }

    pub fn y(&self) -> Fp {
        self.y
    }

    /// y^2 == x^3 - 3x (true for the identity).
    pub fn is_on_curve(&self) -> Choice {
        let rhs = (self.x.square() - Fp::from_u64(3)) * self.x;
        self.y.square().ct_eq(&rhs) | self.infinity
    }

    /// [q]self == O: membership of the order-q subgroup. Costs a full scalar
    /// multiplication, so callers run it once per long-lived key, not per message.
    pub fn is_torsion_free(&self) -> Choice {
        JacobianPoint::from(*self)
            .mul_vartime(&params::Q)
            .is_identity()
    }

    /// Decodes 0x04 || x || y, checking length, prefix, canonical coordinates and the
    /// curve equation. Does not check the subgroup: see [`AffinePoint::from_bytes_in_subgroup`].
    pub fn from_bytes(bytes: &[u8]) -> Result<AffinePoint, PointError> {
        // SEC 1 encodes the identity as the single byte 0x00; some encoders write zeros.
        if bytes == [0u8] || (bytes.len() == POINT_BYTES && bytes.iter().all(|&b| b == 0)) {
            return Err(PointError::Infinity);
        }
        if bytes.len() != POINT_BYTES {
            return Err(PointError::WrongLength {
                expected: POINT_BYTES,
                actual: bytes.len(),
            });
        }
        match bytes[0] {
            0x04 => {}
            0x02 | 0x03 => return Err(PointError::CompressedNotSupported { prefix: bytes[0] }),
            other => return Err(PointError::BadPrefix { prefix: other }),
        }
        let mut xb = [0u8; FP_BYTES];
        let mut yb = [0u8; FP_BYTES];
        xb.copy_from_slice(&bytes[1..1 + FP_BYTES]);
        yb.copy_from_slice(&bytes[1 + FP_BYTES..]);
        // The point may be secret (an RSK read from a key store). Each check's verdict is
        // declassified, as the caller learns it from the result; the coordinates are not.
        let x = ctgrind::public_option(Fp::from_bytes(&xb))
            .ok_or(PointError::NonCanonical { coordinate: 'x' })?;
        let y = ctgrind::public_option(Fp::from_bytes(&yb))
            .ok_or(PointError::NonCanonical { coordinate: 'y' })?;
        let p = AffinePoint {
            x,
            y,
            infinity: Choice::from(0),
        };
        if !ctgrind::public_verdict(p.is_on_curve()) {
            return Err(PointError::NotOnCurve);
        }
        Ok(p)
    }

    /// [`AffinePoint::from_bytes`] plus the check that the point has order q.
    pub fn from_bytes_in_subgroup(bytes: &[u8]) -> Result<AffinePoint, PointError> {
        let p = AffinePoint::from_bytes(bytes)?;
        // Declassified: the caller learns whether the point has order q from the result.
        if !ctgrind::public_verdict(p.is_torsion_free()) {
            return Err(PointError::NotInSubgroup);
        }
        Ok(p)
    }

    /// 0x04 || x || y; None for the identity, which has no such encoding.
    pub fn to_bytes(&self) -> Option<[u8; POINT_BYTES]> {
        if bool::from(self.infinity) {
            return None;
        }
        let mut out = [0u8; POINT_BYTES];
        out[0] = 0x04;
        out[1..1 + FP_BYTES].copy_from_slice(&self.x.to_bytes());
        out[1 + FP_BYTES..].copy_from_slice(&self.y.to_bytes());
        Some(out)
    }

    pub fn neg(&self) -> AffinePoint {
        AffinePoint {
            x: self.x,
            y: -self.y,
            infinity: self.infinity,
        }
    }
}

impl ConstantTimeEq for AffinePoint {
    fn ct_eq(&self, other: &Self) -> Choice {
        let both_inf = self.infinity & other.infinity;
        let neither = !self.infinity & !other.infinity;
        both_inf | (neither & self.x.ct_eq(&other.x) & self.y.ct_eq(&other.y))
    }
}

impl PartialEq for AffinePoint {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for AffinePoint {}

impl ConditionallySelectable for AffinePoint {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        AffinePoint {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
            infinity: Choice::conditional_select(&a.infinity, &b.infinity, choice),
        }
    }
}

impl From<AffinePoint> for JacobianPoint {
    fn from(p: AffinePoint) -> JacobianPoint {
        let z = Fp::conditional_select(&Fp::ONE, &Fp::ZERO, p.infinity);
        JacobianPoint { x: p.x, y: p.y, z }
    }
}

impl ConditionallySelectable for JacobianPoint {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        JacobianPoint {
            x: Fp::conditional_select(&a.x, &b.x, choice),
            y: Fp::conditional_select(&a.y, &b.y, choice),
            z: Fp::conditional_select(&a.z, &b.z, choice),
        }
    }
}

impl JacobianPoint {
    pub const IDENTITY: JacobianPoint = JacobianPoint {
        x: Fp::ONE,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    pub fn is_identity(&self) -> Choice {
        self.z.is_zero()
    }

    /// The point (X, Y, Z) = (x Z^2, y Z^3), Z = 0 for the identity: how accelerators,
    /// which compute in these coordinates, hand their results back.
    pub fn from_coordinates(x: Fp, y: Fp, z: Fp) -> JacobianPoint {
        JacobianPoint { x, y, z }
    }

    /// (X, Y, Z), for accelerators that continue a computation on a device.
    pub fn coordinates(&self) -> (Fp, Fp, Fp) {
        (self.x, self.y, self.z)
    }

    /// The affine point (one inversion).
    pub fn to_affine(&self) -> AffinePoint {
        let zinv = self.z.invert();
        let zinv2 = zinv.square();
        AffinePoint {
            x: self.x * zinv2,
            y: self.y * zinv2 * zinv,
            infinity: self.is_identity(),
        }
    }

    /// Converts many points with one inversion (Montgomery's trick).
    pub fn batch_to_affine(points: &[JacobianPoint]) -> Vec<AffinePoint> {
        let zs: Vec<Fp> = points.iter().map(|p| p.z).collect();
        let inverses = Fp::batch_invert(&zs);
        points
            .iter()
            .zip(inverses)
            .map(|(p, zinv)| {
                let zinv2 = zinv.square();
                AffinePoint {
                    x: p.x * zinv2,
                    y: p.y * zinv2 * zinv,
                    infinity: p.is_identity(),
                }
            })
            .collect()
    }

    pub fn neg(&self) -> JacobianPoint {
        JacobianPoint {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// [2]self for a = -3 ("dbl-2001-b": 3M + 5S). The identity doubles to itself, and so
    /// does a point with y = 0 (order two), since Z3 = 2YZ = 0.
    #[inline]
    pub fn double(&self) -> JacobianPoint {
        // The Miller loop's doubling, whose line values go unused here.
        let mut t = *self;
        crate::miller::double_with_line(&mut t);
        t
    }

    /// self + other for an affine `other` ("madd-2007-bl": 7M + 4S), in constant time, for
    /// all inputs: identities on either side and the doubling case are selected in.
    pub fn add_mixed(&self, other: &AffinePoint) -> JacobianPoint {
        let same = self.ct_eq(&JacobianPoint::from(*other)) & !self.is_identity();
        JacobianPoint::conditional_select(&self.add_mixed_distinct(other), &self.double(), same)
    }

    /// self + other for an affine `other`, handling identities on either side but not
    /// the doubling case (callers rule it out): the fixed-base tables' addition.
    #[inline]
    pub(crate) fn add_mixed_distinct(&self, other: &AffinePoint) -> JacobianPoint {
        // The Miller loop's chord step, whose line values go unused here.
        let mut sum = *self;
        crate::miller::add_with_line(&mut sum, &other.x, &other.y);
        let out = JacobianPoint::conditional_select(
            &sum,
            &JacobianPoint::from(*other),
            self.is_identity(),
        );
        JacobianPoint::conditional_select(&out, self, other.infinity)
    }

    /// self + other, both Jacobian, complete: identities on either side and the doubling
    /// case are selected in, in constant time.
    pub fn add(&self, other: &JacobianPoint) -> JacobianPoint {
        let (sum, same) = self.add_core(other);
        JacobianPoint::conditional_select(&sum, &self.double(), same)
    }

    /// self + other where self != other unless both are the identity (callers know this,
    /// e.g. window multiplication of a point of order q by k < q). Identities are handled;
    /// saves the doubling that [`JacobianPoint::add`] computes for the equal case.
    #[inline]
    pub(crate) fn add_distinct(&self, other: &JacobianPoint) -> JacobianPoint {
        self.add_core(other).0
    }

    /// "add-2007-bl" (11M + 5S) with identities selected in; also returns whether the
    /// inputs were the same non-identity point, where the formula gives the identity.
    #[inline(always)]
    fn add_core(&self, other: &JacobianPoint) -> (JacobianPoint, Choice) {
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
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + other.z).square() - z1z1 - z2z2) * h;
        let sum = JacobianPoint {
            x: x3,
            y: y3,
            z: z3,
        };

        let same = h.is_zero() & r.is_zero() & !self.is_identity() & !other.is_identity();
        let out = JacobianPoint::conditional_select(&sum, other, self.is_identity());
        (
            JacobianPoint::conditional_select(&out, self, other.is_identity()),
            same,
        )
    }

    /// [k]self for a secret k, in constant time: signed 5-bit windows over a table of
    /// [1..16]self, every entry read on every look-up.
    ///
    /// For self of order q (every key and ciphertext point) and k < q the running sum never
    /// equals the table entry added to it, so additions skip the doubling case. For other
    /// points the result is unspecified (but computed without panicking).
    pub fn mul(&self, k: &Scalar) -> JacobianPoint {
        let mut table = [*self; 16];
        table[1] = self.double();
        for j in 2..16 {
            table[j] = table[j - 1].add_distinct(self);
        }
        // One (cheap, safegcd) batch inversion makes the table affine, so each of the 206
        // additions is a mixed one: 7M + 4S instead of 11M + 5S.
        let table = JacobianPoint::batch_to_affine(&table);
        let digits = k.signed_digits();
        let mut acc = JacobianPoint::IDENTITY;
        for (pos, &d) in digits.as_slice().iter().enumerate().rev() {
            if pos + 1 != digits.len() {
                for _ in 0..WINDOW {
                    acc = acc.double();
                }
            }
            acc = acc.add_mixed_distinct(&lookup_signed(&table, d));
        }
        acc
    }

    /// [k]self for a public k (little-endian limbs): plain double-and-add, timing depends
    /// on k. For identifiers, the order q, and other public multipliers.
    pub fn mul_vartime(&self, k: &[u64]) -> JacobianPoint {
        let bits = k.len() * 64;
        let Some(top) = (0..bits).rev().find(|&i| (k[i / 64] >> (i % 64)) & 1 == 1) else {
            return JacobianPoint::IDENTITY;
        };
        let mut acc = JacobianPoint::IDENTITY;
        for i in (0..=top).rev() {
            acc = acc.double();
            if (k[i / 64] >> (i % 64)) & 1 == 1 {
                acc = acc.add(self);
            }
        }
        acc
    }
}

impl ConstantTimeEq for JacobianPoint {
    /// Equality of the points, not of their coordinates.
    fn ct_eq(&self, other: &Self) -> Choice {
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let x_eq = (self.x * z2z2).ct_eq(&(other.x * z1z1));
        let y_eq = (self.y * z2z2 * other.z).ct_eq(&(other.y * z1z1 * self.z));
        let both_inf = self.is_identity() & other.is_identity();
        let neither = !self.is_identity() & !other.is_identity();
        both_inf | (neither & x_eq & y_eq)
    }
}

impl SignedEntry for JacobianPoint {
    fn zero_digit() -> JacobianPoint {
        JacobianPoint::IDENTITY
    }
    fn negate(&self) -> JacobianPoint {
        self.neg()
    }
}

impl SignedEntry for AffinePoint {
    fn zero_digit() -> AffinePoint {
        AffinePoint::identity()
    }
    fn negate(&self) -> AffinePoint {
        self.neg()
    }
}
