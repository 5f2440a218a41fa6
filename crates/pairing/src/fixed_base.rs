//! Fixed-base tables: [k]B for a base B used many times (P, and [b]P + Z per identity)
//! and g^k for the fixed pairing value g.
//!
//! Both use signed 5-bit digits of k and a table of every digit multiple of every window,
//! so an evaluation is 206 table look-ups and additions and no doublings. Look-ups scan
//! the whole row: no memory index depends on the (secret) scalar.

use std::sync::OnceLock;

use crate::fp2::Fp2;
use crate::lookup::lookup_signed;
use crate::pf::{unitary_square, PfValue};
use crate::point::{AffinePoint, JacobianPoint};
use crate::scalar::{Scalar, WINDOW};

/// Windows of a scalar below 2^1022, plus one for the final carry.
const WINDOWS: usize = 1022usize.div_ceil(WINDOW) + 1;
/// Multiples per window: digits 1..=16 (negatives by negation, zero by selection).
const ROW: usize = 1 << (WINDOW - 1);

/// Row i holds [j * 32^i]B for j = 1..=16, in affine form for cheap mixed additions.
#[derive(Clone)]
pub struct BaseTable {
    rows: Vec<[AffinePoint; ROW]>,
    /// Entry (x, y) pairs in the vector unit's form, row-major, where it exists.
    #[cfg(target_arch = "x86_64")]
    vector: Option<Vec<[Limbs52; 2]>>,
}

#[cfg(target_arch = "x86_64")]
use crate::simd::batch8::{vector_form, Limbs52};

/// (x, y) pairs of points or (c0, c1) pairs of F_p2 values in vector form.
#[cfg(target_arch = "x86_64")]
fn vector_pairs(
    wanted: bool,
    pairs: impl Iterator<Item = (crate::Fp, crate::Fp)>,
) -> Option<Vec<[Limbs52; 2]>> {
    if !wanted || !crate::simd::ifma_available() {
        return None;
    }
    let flat: Vec<crate::Fp> = pairs.flat_map(|(a, b)| [a, b]).collect();
    let v = vector_form(&flat);
    Some(v.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
}

impl core::fmt::Debug for BaseTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "BaseTable({} bytes)", self.memory_bytes())
    }
}

impl BaseTable {
    /// Builds the table for a public base of order q (about 20 ms; 3296 points).
    pub fn new(base: &AffinePoint) -> BaseTable {
        BaseTable::build(base, true)
    }

    /// As [`BaseTable::new`]; `vector` false skips the vector-unit copy.
    pub fn build(base: &AffinePoint, vector: bool) -> BaseTable {
        let mut jac = Vec::with_capacity(WINDOWS * ROW);
        let mut row_base = JacobianPoint::from(*base);
        for _ in 0..WINDOWS {
            let mut multiple = row_base;
            jac.push(multiple);
            for _ in 1..ROW {
                multiple = multiple.add(&row_base);
                jac.push(multiple);
            }
            for _ in 0..WINDOW {
                row_base = row_base.double();
            }
        }
        let affine = JacobianPoint::batch_to_affine(&jac);
        let rows: Vec<[AffinePoint; ROW]> = affine
            .chunks_exact(ROW)
            .map(|c| core::array::from_fn(|j| c[j]))
            .collect();
        BaseTable {
            #[cfg(target_arch = "x86_64")]
            vector: vector_pairs(vector, affine.iter().map(|p| (p.x, p.y))),
            rows,
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) fn vector_rows(&self) -> Option<&[[Limbs52; 2]]> {
        self.vector.as_deref()
    }

    pub fn memory_bytes(&self) -> usize {
        #[cfg(target_arch = "x86_64")]
        let vector = self
            .vector
            .as_ref()
            .map_or(0, |v| v.len() * core::mem::size_of::<[Limbs52; 2]>());
        #[cfg(not(target_arch = "x86_64"))]
        let vector = 0;
        self.rows.len() * core::mem::size_of::<[AffinePoint; ROW]>() + vector
    }

    /// Every entry, row by row: [j * 32^i]B for j = 1..=16 in row i (accelerators upload
    /// the table as it is, so their results follow the same schedule).
    pub fn entries(&self) -> impl Iterator<Item = &AffinePoint> {
        self.rows.iter().flatten()
    }

    /// [k]B in constant time. For B of order q and k < q the running sum never meets the
    /// point being added (that would need a relation between multiples of B modulo q far
    /// beyond the partial sums' size), so additions skip the doubling case.
    pub fn mul(&self, k: &Scalar) -> JacobianPoint {
        let digits = k.signed_digits();
        let mut acc = JacobianPoint::IDENTITY;
        for (row, &d) in self.rows.iter().zip(digits.as_slice()) {
            acc = acc.add_mixed_distinct(&lookup_signed(row, d));
        }
        acc
    }
}

/// The table for P, built on first use.
pub fn generator_table() -> &'static BaseTable {
    static TABLE: OnceLock<BaseTable> = OnceLock::new();
    TABLE.get_or_init(|| BaseTable::new(&AffinePoint::generator()))
}

/// Powers of the norm-one element v = t / conj(t) (t = 1 + ig, so v stands for g^2):
/// row i holds v^(j * 32^i), j = 1..=16. Inverses are conjugates, so negative digits are
/// free.
pub struct GtTable {
    rows: Vec<[Fp2; ROW]>,
    #[cfg(target_arch = "x86_64")]
    vector: Option<Vec<[Limbs52; 2]>>,
}

impl GtTable {
    fn new(g: &PfValue) -> GtTable {
        let t = g.to_fp2();
        let mut row_base = t * t.conjugate().invert();
        let mut rows = Vec::with_capacity(WINDOWS);
        for _ in 0..WINDOWS {
            let mut row = [row_base; ROW];
            for j in 1..ROW {
                row[j] = row[j - 1] * row_base;
            }
            rows.push(row);
            for _ in 0..WINDOW {
                row_base = unitary_square(&row_base);
            }
        }
        GtTable {
            #[cfg(target_arch = "x86_64")]
            vector: vector_pairs(true, rows.iter().flatten().map(|e| (e.c0, e.c1))),
            rows,
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) fn vector_rows(&self) -> Option<&[[Limbs52; 2]]> {
        self.vector.as_deref()
    }

    pub(crate) fn rows_len(&self) -> usize {
        self.rows.len()
    }

    /// Every entry, row by row: v^(j * 32^i) for j = 1..=16 in row i.
    pub fn entries(&self) -> impl Iterator<Item = &Fp2> {
        self.rows.iter().flatten()
    }

    /// The exponent whose digits [`GtTable::pow_unnormalised`] walks for k: k/2 mod q,
    /// since the table's v stands for g^2. Secret when k is.
    pub fn table_exponent(k: &Scalar) -> Scalar {
        k.mul(&Scalar(crate::params::HALF_MOD_Q))
    }

    pub fn memory_bytes(&self) -> usize {
        self.rows.len() * core::mem::size_of::<[Fp2; ROW]>()
    }

    /// g^k as an unnormalised F_p2 element (normalise with [`PfValue::from_fp2`] or in a
    /// batch); constant time in k.
    pub fn pow_unnormalised(&self, k: &Scalar) -> Fp2 {
        // v stands for g^2, so g^k = v^(k/2 mod q).
        let half_k = GtTable::table_exponent(k);
        let digits = half_k.signed_digits();
        let mut acc = Fp2::ONE;
        for (row, &d) in self.rows.iter().zip(digits.as_slice()) {
            acc *= lookup_signed(row, d);
        }
        acc
    }

    /// g^k, normalised.
    pub fn pow(&self, k: &Scalar) -> PfValue {
        PfValue::from_fp2(&self.pow_unnormalised(k))
    }
}

/// The table for g = <P, P>, built on first use.
pub fn gt_table() -> &'static GtTable {
    static TABLE: OnceLock<GtTable> = OnceLock::new();
    TABLE.get_or_init(|| GtTable::new(&PfValue::generator()))
}
