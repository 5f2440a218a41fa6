//! The process-wide fixed-base tables for the generator G, built once on first use (about
//! 60 KB and 88 KB, a few milliseconds): the constant-time one for secret scalars
//! (signing, key issue, SSK validation) and the variable-time one for verification.

use std::sync::OnceLock;

use p256::{AffinePoint, ProjectivePoint, Scalar};

use crate::jacobian::{Affine, Jacobian};
use crate::table::{FixedBaseTable, VartimeTable};

/// Width of the constant-time table: 52 rows of 16. Every digit scans its whole row, so
/// wider rows cost more per digit; measured on sign, width 5 beat 4 (65 rows of 8) by about
/// 8% and 6 (43 rows of 32) by about 30%.
const CT_WIDTH: usize = 5;
/// Width of the variable-time table: 43 rows of 32, indexed directly, so only size limits
/// it; width 7 (151 KB) measured no faster.
const VARTIME_WIDTH: usize = 6;

static CT_TABLE: OnceLock<FixedBaseTable> = OnceLock::new();
static VARTIME_TABLE: OnceLock<Option<VartimeTable>> = OnceLock::new();

/// [k]G for a secret k (j, SSK, v, KSAK), constant time.
pub(crate) fn mul_g(k: &Scalar) -> ProjectivePoint {
    CT_TABLE
        .get_or_init(|| FixedBaseTable::new(&ProjectivePoint::GENERATOR, CT_WIDTH))
        .mul_ct(k)
}

/// acc + [k]G for a public k (verification only), variable time.
pub(crate) fn add_mul_g_vartime(acc: &Jacobian, k: &Scalar) -> Jacobian {
    VARTIME_TABLE
        .get_or_init(|| {
            let g = Affine::from_point(&AffinePoint::GENERATOR).map(|g| Jacobian::from_affine(&g));
            g.and_then(|g| VartimeTable::new(&g, VARTIME_WIDTH))
        })
        .as_ref()
        .map_or_else(|| plain_add_mul_g(acc, k), |table| table.add_mul(acc, k))
}

/// acc + \[k\]G by p256's plain multiplication: where the table could not be built (never,
/// by construction), verification stays correct instead of panicking.
fn plain_add_mul_g(acc: &Jacobian, k: &Scalar) -> Jacobian {
    let term = Affine::from_point(&(ProjectivePoint::GENERATOR * k).to_affine());
    term.map_or(*acc, |term| acc.add_affine(&term))
}
