//! Fixed-base tables: for a point P, the affine multiples d * 16^i * P (d = 1..8, i = 0..64),
//! so that [k]P is 65 mixed additions of table entries and no doublings, with k written in
//! signed radix-16 digits in [-8, 8].
//!
//! [`FixedBaseTable`] is the constant-time one, for secret scalars times G: every digit
//! scans all eight entries of its row with `subtle` selection, a fixed schedule of 65
//! complete additions, no secret-dependent branch or index. [`VartimeTable`] is for public
//! scalars (verification): direct indexing, zero digits skipped, Jacobian formulas.
//! p256 0.13 has no precomputed generator table (`mul_by_generator` is a plain
//! multiplication), hence this module.

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::group::Group;
use p256::{AffinePoint, ProjectivePoint, Scalar};
use subtle::{ConditionallyNegatable, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::jacobian::{batch_to_affine, Affine, Jacobian};

/// Number of signed radix-16 digits of a scalar below q < 2^256 (the last one is 0 or 1).
const DIGITS: usize = 65;
/// Entries per row: the multiples 1..=8 of the row's base.
const ROW: usize = 8;

/// The constant-time table for one public base point, as p256 affine points (65 * 8 of
/// them, about 37 KB).
#[derive(Clone)]
pub(crate) struct FixedBaseTable {
    rows: Vec<[AffinePoint; ROW]>,
}

impl FixedBaseTable {
    /// Builds the table for a public, non-identity `base` (the generator). For the identity
    /// it is a table of identities, which multiplies to the identity as it should.
    pub(crate) fn new(base: &ProjectivePoint) -> Self {
        let fast = Affine::from_point(&base.to_affine())
            .and_then(|base| batch_to_affine(&multiples(&Jacobian::from_affine(&base))))
            .and_then(|affine| affine.into_iter().map(Affine::to_point).collect());
        let affine = fast.unwrap_or_else(|| multiples_plain(base));
        let rows = affine
            .chunks_exact(ROW)
            .map(|chunk| {
                let mut row = [AffinePoint::IDENTITY; ROW];
                row.copy_from_slice(chunk);
                row
            })
            .collect();
        Self { rows }
    }

    /// [k]P in constant time for a secret k: every row is read in full, whatever the digit.
    pub(crate) fn mul_ct(&self, k: &Scalar) -> ProjectivePoint {
        let digits = recode(k);
        let mut acc = ProjectivePoint::IDENTITY;
        for (row, &digit) in self.rows.iter().zip(digits.iter()) {
            // mask is all ones for a negative digit; abs = |digit| in 0..=8.
            let mask = digit >> 7;
            let abs = ((digit ^ mask) - mask) as u8;
            let mut entry = AffinePoint::IDENTITY;
            for (index, candidate) in row.iter().enumerate() {
                entry.conditional_assign(candidate, abs.ct_eq(&(index as u8 + 1)));
            }
            entry.conditional_negate(((mask as u8) & 1).into());
            // Complete formulas: correct for the identity entry of a zero digit too.
            acc += &entry;
        }
        acc
    }
}

/// The variable-time table for one public point (the generator, or a signer's Y), as
/// field-element pairs (about 33 KB). Empty for the identity.
#[derive(Clone)]
pub(crate) struct VartimeTable {
    rows: Vec<[Affine; ROW]>,
}

impl VartimeTable {
    /// Builds the table for a public `base`.
    pub(crate) fn new(base: &Jacobian) -> Self {
        let rows = if base.is_identity() {
            Vec::new()
        } else {
            // The multiples are never the identity, so the batch inversion succeeds.
            batch_to_affine(&multiples(base))
                .unwrap_or_default()
                .chunks_exact(ROW)
                .map(|chunk| {
                    let mut row = [chunk[0]; ROW];
                    row.copy_from_slice(chunk);
                    row
                })
                .collect()
        };
        Self { rows }
    }

    /// acc + [k]P for a public k (variable time).
    pub(crate) fn add_mul(&self, acc: &Jacobian, k: &Scalar) -> Jacobian {
        let digits = recode(k);
        let mut acc = *acc;
        for (row, &digit) in self.rows.iter().zip(digits.iter()) {
            match digit {
                1..=8 => acc = acc.add_affine(&row[digit as usize - 1]),
                -8..=-1 => acc = acc.add_affine(&row[(-digit) as usize - 1].neg()),
                _ => {}
            }
        }
        acc
    }
}

/// d * 16^i * P for i = 0..64, d = 1..8, row by row, for a non-identity P. The multiples of
/// a point of prime order by integers below q are distinct and never the identity.
fn multiples(base: &Jacobian) -> Vec<Jacobian> {
    let mut out = Vec::with_capacity(DIGITS * ROW);
    let mut row_base = *base;
    for _ in 0..DIGITS {
        out.push(row_base);
        let mut multiple = row_base.double();
        out.push(multiple);
        for _ in 2..ROW {
            multiple = multiple.add(&row_base);
            out.push(multiple);
        }
        // 8 * 16^i * P doubled is the next row's base 16^(i+1) * P.
        row_base = multiple.double();
    }
    out
}

/// The same multiples with p256's complete formulas and one inversion each: the path for
/// the identity (a table of identities), and a fallback that should never run.
fn multiples_plain(base: &ProjectivePoint) -> Vec<AffinePoint> {
    let mut out = Vec::with_capacity(DIGITS * ROW);
    let mut row_base = *base;
    for _ in 0..DIGITS {
        let mut multiple = row_base;
        out.push(multiple.to_affine());
        for _ in 1..ROW {
            multiple += row_base;
            out.push(multiple.to_affine());
        }
        row_base = multiple.double();
    }
    out
}

/// Signed radix-16 digits d_0..d_64 in [-8, 8] with k = sum d_i 16^i, computed with
/// arithmetic only (no branch on the digits), kept in a buffer wiped on drop.
fn recode(k: &Scalar) -> Zeroizing<[i8; DIGITS]> {
    let be = Zeroizing::new(k.to_repr());
    let mut digits = Zeroizing::new([0i8; DIGITS]);
    let mut carry = 0i8;
    for (i, digit) in digits.iter_mut().take(DIGITS - 1).enumerate() {
        let byte = be[31 - i / 2];
        let nibble = ((byte >> (4 * (i & 1))) & 0xf) as i8;
        let value = nibble + carry;
        // carry = 1 exactly when value >= 8; the digit is then value - 16.
        carry = (value + 8) >> 4;
        *digit = value - (carry << 4);
    }
    digits[DIGITS - 1] = carry;
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Field;
    use rand_core::OsRng;

    fn jacobian(point: &ProjectivePoint) -> Jacobian {
        Affine::from_point(&point.to_affine())
            .map(|a| Jacobian::from_affine(&a))
            .unwrap_or(Jacobian::IDENTITY)
    }

    fn to_p256(point: &Jacobian) -> ProjectivePoint {
        point
            .to_affine()
            .map(|a| ProjectivePoint::from(a.to_point().unwrap()))
            .unwrap_or(ProjectivePoint::IDENTITY)
    }

    #[test]
    fn recode_sums_back() {
        for _ in 0..64 {
            let k = Scalar::random(&mut OsRng);
            let digits = recode(&k);
            let sixteen = Scalar::from(16u64);
            let mut sum = Scalar::ZERO;
            for &d in digits.iter().rev() {
                assert!((-8..=8).contains(&d));
                let term = if d < 0 {
                    -Scalar::from((-d) as u64)
                } else {
                    Scalar::from(d as u64)
                };
                sum = sum * sixteen + term;
            }
            assert_eq!(sum, k);
        }
    }

    #[test]
    fn tables_match_plain_multiplication() {
        let base = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
        let table = FixedBaseTable::new(&base);
        let vartime = VartimeTable::new(&jacobian(&base));
        let edge = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(8u64)];
        for k in edge
            .into_iter()
            .chain((0..32).map(|_| Scalar::random(&mut OsRng)))
        {
            let expected = base * k;
            assert_eq!(table.mul_ct(&k), expected);
            assert_eq!(to_p256(&vartime.add_mul(&Jacobian::IDENTITY, &k)), expected);
            // Adding onto P itself and onto -[k]P exercises doubling and cancellation.
            let start = jacobian(&expected);
            let twice = vartime.add_mul(&start, &k);
            assert_eq!(to_p256(&twice), expected.double());
            let cancel = vartime.add_mul(&start.neg(), &k);
            assert!(cancel.is_identity());
        }
    }

    #[test]
    fn jacobian_multiples_match_the_plain_ones() {
        let base = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
        let fast = batch_to_affine(&multiples(&jacobian(&base))).unwrap();
        let fast: Vec<AffinePoint> = fast.into_iter().map(|a| a.to_point().unwrap()).collect();
        assert!(fast == multiples_plain(&base));
    }

    #[test]
    fn identity_tables_give_identity() {
        let table = FixedBaseTable::new(&ProjectivePoint::IDENTITY);
        let vartime = VartimeTable::new(&Jacobian::IDENTITY);
        let k = Scalar::random(&mut OsRng);
        assert_eq!(table.mul_ct(&k), ProjectivePoint::IDENTITY);
        assert!(vartime.add_mul(&Jacobian::IDENTITY, &k).is_identity());
    }
}
