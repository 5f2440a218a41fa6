//! The constant-time fixed-base table for secret scalars times G (signing's j, key issue's
//! KSAK and v, SSK validation), on the [`mont256`](crate::mont256) field arithmetic.
//!
//! [k]G is one complete mixed addition per signed radix-2^w digit of k and no doublings.
//! Every digit scans all entries of its row with masks, the addition always runs (its
//! result is dropped by a mask for a zero digit), and the final x = X / Z, y = Y / Z is one
//! constant-time inversion: no branch or index depends on k.
//!
//! The addition is Renes, Costello and Batina's complete mixed formula for a = -3
//! (eprint 2015/1060, Algorithm 5), the one p256 uses: complete for every projective input,
//! the identity included, given an affine addend that is not the identity, which the table
//! guarantees.

use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar};
use pairing::barrier;
use zeroize::{Zeroize, Zeroizing};

use crate::mont256::{FieldP, Residue};
use crate::table::{affine_multiples, recode, row_len};

type Fp = Residue<FieldP>;

/// b of y^2 = x^3 - 3x + b, big-endian.
const B: [u8; 32] = [
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
];

/// A non-identity affine point, x then y as Montgomery-form limbs packed in one array, so
/// that scanning a row is one masked pass over 8 words an entry.
#[derive(Clone, Copy, Zeroize)]
struct Entry([u64; 8]);

impl Entry {
    fn new(x: &Fp, y: &Fp) -> Self {
        let mut words = [0u64; 8];
        words[..4].copy_from_slice(x.limbs());
        words[4..].copy_from_slice(y.limbs());
        Self(words)
    }

    fn x(&self) -> Fp {
        Fp::from_limbs([self.0[0], self.0[1], self.0[2], self.0[3]])
    }

    fn y(&self) -> Fp {
        Fp::from_limbs([self.0[4], self.0[5], self.0[6], self.0[7]])
    }

    /// Takes `other` where `choose` is all ones, keeps self where it is zero.
    fn assign_if(&mut self, other: &Self, choose: u64) {
        for (word, candidate) in self.0.iter_mut().zip(other.0.iter()) {
            *word ^= (*word ^ candidate) & choose;
        }
    }
}

/// (X : Y : Z) with x = X / Z, y = Y / Z; the identity is (0 : 1 : 0).
#[derive(Clone, Copy, Zeroize)]
struct Projective {
    x: Fp,
    y: Fp,
    z: Fp,
}

impl Projective {
    fn identity() -> Self {
        Self {
            x: Fp::ZERO,
            y: Fp::one(),
            z: Fp::ZERO,
        }
    }

    /// self + rhs for any self and a non-identity affine rhs (RCB Algorithm 5, a = -3).
    fn add_mixed(&self, rhs: &Entry, b: &Fp) -> Self {
        let (rhs_x, rhs_y) = (rhs.x(), rhs.y());
        let xx = self.x.mul(&rhs_x);
        let yy = self.y.mul(&rhs_y);
        let xy_pairs = self
            .x
            .add(&self.y)
            .mul(&rhs_x.add(&rhs_y))
            .sub(&xx.add(&yy));
        let yz_pairs = rhs_y.mul(&self.z).add(&self.y);
        let xz_pairs = rhs_x.mul(&self.z).add(&self.x);

        let bz_part = xz_pairs.sub(&b.mul(&self.z));
        let bz3_part = bz_part.double().add(&bz_part);
        let yy_m_bzz3 = yy.sub(&bz3_part);
        let yy_p_bzz3 = yy.add(&bz3_part);

        let z3 = self.z.double().add(&self.z);
        let bxz_part = b.mul(&xz_pairs).sub(&z3.add(&xx));
        let bxz3_part = bxz_part.double().add(&bxz_part);
        let xx3_m_zz3 = xx.double().add(&xx).sub(&z3);

        Self {
            x: yy_p_bzz3.mul(&xy_pairs).sub(&yz_pairs.mul(&bxz3_part)),
            y: yy_p_bzz3.mul(&yy_m_bzz3).add(&xx3_m_zz3.mul(&bxz3_part)),
            z: yy_m_bzz3.mul(&yz_pairs).add(&xy_pairs.mul(&xx3_m_zz3)),
        }
    }

    /// `other` where `choose` is all ones, `self` where it is zero.
    fn select(&self, other: &Self, choose: u64) -> Self {
        Self {
            x: self.x.select(&other.x, choose),
            y: self.y.select(&other.y, choose),
            z: self.z.select(&other.z, choose),
        }
    }
}

/// All ones when a == b, else zero, without a branch.
fn eq_mask(a: u64, b: u64) -> u64 {
    let diff = a ^ b;
    barrier::mask(((diff | diff.wrapping_neg()) >> 63) ^ 1)
}

/// The multiples d 2^(w i) P of a public base P (G in practice), for secret scalars.
pub(crate) struct SecretScalarTable {
    width: usize,
    entries: Vec<Entry>,
    b: Fp,
}

impl SecretScalarTable {
    /// Builds the table for a public, non-identity `base`; None if it is the identity or a
    /// multiple fails to convert (neither happens for G).
    pub(crate) fn new(base: &ProjectivePoint, width: usize) -> Option<Self> {
        let entries = affine_multiples(base, width)
            .iter()
            .map(|point| {
                let encoded = point.to_encoded_point(false);
                let x: [u8; 32] = encoded.x()?.as_slice().try_into().ok()?;
                let y: [u8; 32] = encoded.y()?.as_slice().try_into().ok()?;
                let (x, y) = (Fp::from_be_bytes(&x)?, Fp::from_be_bytes(&y)?);
                Some(Entry::new(&x, &y))
            })
            .collect::<Option<Vec<_>>>()?;
        let b = Fp::from_be_bytes(&B)?;
        Some(Self { width, entries, b })
    }

    /// [k]P as an affine point (the identity for k = 0), constant time in k.
    pub(crate) fn mul(&self, k: &Scalar) -> AffinePoint {
        let digits = recode(k, self.width);
        let mut acc = Zeroizing::new(Projective::identity());
        let mut entry = Zeroizing::new(Entry([0; 8]));
        for (row, &digit) in self
            .entries
            .chunks_exact(row_len(self.width))
            .zip(digits.iter())
        {
            // negative is all ones for a negative digit; abs = |digit| in 0..=2^(w-1).
            let negative = barrier::opaque(((digit >> 7) as i64) as u64);
            let abs = ((digit as i64 as u64) ^ negative).wrapping_sub(negative);
            *entry = row[0];
            for (index, candidate) in row.iter().enumerate().skip(1) {
                entry.assign_if(candidate, eq_mask(abs, index as u64 + 1));
            }
            let y = entry.y();
            *entry = Entry::new(&entry.x(), &y.select(&Fp::ZERO.sub(&y), negative));
            let sum = Zeroizing::new(acc.add_mixed(&entry, &self.b));
            // A zero digit adds nothing: the sum, of row[0], is dropped.
            *acc = sum.select(&acc, eq_mask(abs, 0));
        }
        to_affine(&acc)
    }
}

/// The affine point of (X : Y : Z): one inversion, then p256's own decoding, whose curve
/// equation check doubles as a check of this arithmetic.
fn to_affine(point: &Projective) -> AffinePoint {
    let z_inverse = Zeroizing::new(point.z.invert());
    let x = point.x.mul(&z_inverse).to_be_bytes();
    let y = point.y.mul(&z_inverse).to_be_bytes();
    let encoded =
        EncodedPoint::from_affine_coordinates(&FieldBytes::from(*x), &FieldBytes::from(*y), false);
    // Off the curve only for the identity (Z = 0 gives x = y = 0), which is what it becomes.
    AffinePoint::from_encoded_point(&encoded).unwrap_or(AffinePoint::IDENTITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;
    use rand_core::OsRng;

    #[test]
    fn matches_p256_for_every_width() {
        let edge = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(16u64)];
        for width in [4, 5, 6, 7] {
            let base = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
            let table = SecretScalarTable::new(&base, width).unwrap();
            for k in edge
                .into_iter()
                .chain((0..24).map(|_| Scalar::random(&mut OsRng)))
            {
                assert_eq!(
                    ProjectivePoint::from(table.mul(&k)),
                    base * k,
                    "width {width}"
                );
            }
        }
    }

    #[test]
    fn digits_of_every_value_in_a_row() {
        // k = d 2^(w i) for every d in a row exercises each entry, positive and negative.
        let width = 5;
        let table = SecretScalarTable::new(&ProjectivePoint::GENERATOR, width).unwrap();
        for shift in [0u32, 5, 250] {
            for d in 1..=(1u64 << width) {
                let k = Scalar::from(d) * Scalar::from(2u64).pow_vartime(&[shift as u64]);
                let expected = ProjectivePoint::GENERATOR * k;
                assert_eq!(ProjectivePoint::from(table.mul(&k)), expected);
                assert_eq!(ProjectivePoint::from(table.mul(&-k)), -expected);
            }
        }
    }

    #[test]
    fn identity_base_is_refused() {
        assert!(SecretScalarTable::new(&ProjectivePoint::IDENTITY, 5).is_none());
    }
}
