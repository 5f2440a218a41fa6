//! Fixed-base tables: for a point P and a window width w, the affine multiples
//! d * 2^(w i) * P (d = 1..2^(w-1), one row per digit), so that [k]P is one mixed addition
//! per digit and no doublings, with k written in signed radix-2^w digits in
//! [-2^(w-1), 2^(w-1)]. Width 4: 65 rows of 8.
//!
//! This module builds the entries and the digits; [`crate::ct_table`] is the constant-time
//! table for secret scalars times G. [`VartimeTable`] is for public scalars
//! (verification): direct indexing, zero digits skipped, Jacobian formulas.
//! p256 0.13 has no precomputed generator table (`mul_by_generator` is a plain
//! multiplication), hence this module.

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::group::Group;
use p256::{AffinePoint, ProjectivePoint, Scalar};
use zeroize::Zeroizing;

use crate::jacobian::{batch_to_affine, Affine, Jacobian};

/// The width the per-sender Y tables use (65 rows of 8 entries, about 33 KB).
pub(crate) const Y_WIDTH: usize = 4;

/// Digits of a scalar below q < 2^256 in signed radix 2^w: ceil(257 / w), enough for the
/// carry out of bit 255 (widths 2..=7, so that digits fit an i8).
fn digit_count(width: usize) -> usize {
    257usize.div_ceil(width)
}

/// Entries per row: the multiples 1..=2^(w-1) of the row's base.
pub(crate) fn row_len(width: usize) -> usize {
    1 << (width - 1)
}

/// The affine multiples d 2^(w i) P of a public base, row by row: the entries of the
/// constant-time table ([`crate::ct_table`]). For the identity, a table of identities.
pub(crate) fn affine_multiples(base: &ProjectivePoint, width: usize) -> Vec<AffinePoint> {
    Affine::from_point(&base.to_affine())
        .and_then(|base| batch_to_affine(&multiples(&Jacobian::from_affine(&base), width)))
        .and_then(|affine| affine.into_iter().map(Affine::to_point).collect())
        .unwrap_or_else(|| multiples_plain(base, width))
}

/// The variable-time table for one public point (the generator, or a signer's Y), as
/// field-element pairs. Empty for the identity.
#[derive(Clone)]
pub(crate) struct VartimeTable {
    width: usize,
    entries: Vec<Affine>,
}

impl VartimeTable {
    /// Builds the table for a public `base`; None only if the batch inversion fails, which
    /// the multiples (never the identity) rule out, so callers fall back rather than panic.
    pub(crate) fn new(base: &Jacobian, width: usize) -> Option<Self> {
        let entries = if base.is_identity() {
            Vec::new()
        } else {
            batch_to_affine(&multiples(base, width))?
        };
        Some(Self { width, entries })
    }

    /// acc + [k]P for a public k (variable time).
    pub(crate) fn add_mul(&self, acc: &Jacobian, k: &Scalar) -> Jacobian {
        let digits = recode(k, self.width);
        let mut acc = *acc;
        for (row, &digit) in self
            .entries
            .chunks_exact(row_len(self.width))
            .zip(digits.iter())
        {
            match digit.signum() {
                1 => acc = acc.add_affine(&row[digit as usize - 1]),
                -1 => acc = acc.add_affine(&row[digit.unsigned_abs() as usize - 1].neg()),
                _ => {}
            }
        }
        acc
    }
}

/// d * 2^(w i) * P for every row i and d = 1..2^(w-1), row by row, for a non-identity P.
/// The multiples of a point of prime order by integers below q are distinct and never the
/// identity (the Jacobian formulas' precondition), except that 2^(w i) for the last rows
/// may exceed q: the additions handle equal and opposite points regardless.
fn multiples(base: &Jacobian, width: usize) -> Vec<Jacobian> {
    let (rows, len) = (digit_count(width), row_len(width));
    let mut out = Vec::with_capacity(rows * len);
    let mut row_base = *base;
    for _ in 0..rows {
        out.push(row_base);
        let mut multiple = row_base;
        for _ in 1..len {
            multiple = multiple.add(&row_base);
            out.push(multiple);
        }
        // 2^(w-1) * 2^(w i) * P doubled is the next row's base 2^(w (i+1)) * P.
        row_base = multiple.double();
    }
    out
}

/// The same multiples with p256's complete formulas and one inversion each: the path for
/// the identity (a table of identities), and a fallback that should never run.
fn multiples_plain(base: &ProjectivePoint, width: usize) -> Vec<AffinePoint> {
    let (rows, len) = (digit_count(width), row_len(width));
    let mut out = Vec::with_capacity(rows * len);
    let mut row_base = *base;
    for _ in 0..rows {
        let mut multiple = row_base;
        out.push(multiple.to_affine());
        for _ in 1..len {
            multiple += row_base;
            out.push(multiple.to_affine());
        }
        row_base = multiple.double();
    }
    out
}

/// Signed radix-2^w digits d_i in [-2^(w-1), 2^(w-1)] with k = sum d_i 2^(w i), computed
/// with arithmetic only (bit positions are public, nothing branches on the digits), kept
/// in a buffer wiped on drop.
pub(crate) fn recode(k: &Scalar, width: usize) -> Zeroizing<Vec<i8>> {
    let be = Zeroizing::new(k.to_repr());
    let bit_byte = |index: usize| -> u16 {
        if index < 32 {
            be[31 - index] as u16
        } else {
            0
        }
    };
    let half = 1i16 << (width - 1);
    let mut digits = Zeroizing::new(vec![0i8; digit_count(width)]);
    let mut carry = 0i16;
    for (i, digit) in digits.iter_mut().enumerate() {
        let position = i * width;
        let pair = bit_byte(position / 8) | (bit_byte(position / 8 + 1) << 8);
        let bits = ((pair >> (position % 8)) & ((1 << width) - 1)) as i16;
        let value = bits + carry;
        // carry = 1 exactly when value >= 2^(w-1); the digit is then value - 2^w.
        carry = (value + half) >> width;
        *digit = (value - (carry << width)) as i8;
    }
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
        let edge = [Scalar::ZERO, -Scalar::ONE, -Scalar::from(2u64)];
        for (k, width) in edge
            .into_iter()
            .chain((0..64).map(|_| Scalar::random(&mut OsRng)))
            .flat_map(|k| (2..=7).map(move |w| (k, w)))
        {
            let digits = recode(&k, width);
            let radix = Scalar::from(1u64 << width);
            let half = 1i8 << (width - 1);
            let mut sum = Scalar::ZERO;
            for &d in digits.iter().rev() {
                assert!((-half..=half).contains(&d));
                let term = if d < 0 {
                    -Scalar::from((-d) as u64)
                } else {
                    Scalar::from(d as u64)
                };
                sum = sum * radix + term;
            }
            assert_eq!(sum, k);
        }
    }

    #[test]
    fn tables_match_plain_multiplication() {
        for width in [3, 4, 5, 6] {
            tables_match_at(width);
        }
    }

    fn tables_match_at(width: usize) {
        let base = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
        let vartime = VartimeTable::new(&jacobian(&base), width).unwrap();
        let edge = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(8u64)];
        for k in edge
            .into_iter()
            .chain((0..16).map(|_| Scalar::random(&mut OsRng)))
        {
            let expected = base * k;
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
        for width in [4, 6] {
            let fast = batch_to_affine(&multiples(&jacobian(&base), width)).unwrap();
            let fast: Vec<AffinePoint> = fast.into_iter().map(|a| a.to_point().unwrap()).collect();
            assert!(fast == multiples_plain(&base, width));
        }
    }

    #[test]
    fn identity_tables_give_identity() {
        let vartime = VartimeTable::new(&Jacobian::IDENTITY, 4).unwrap();
        let k = Scalar::random(&mut OsRng);
        assert!(vartime.add_mul(&Jacobian::IDENTITY, &k).is_identity());
    }
}
