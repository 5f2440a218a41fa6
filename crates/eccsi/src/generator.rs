//! The process-wide fixed-base tables for the generator G, built once on first use (88 KB
//! each, a few milliseconds): the constant-time one for secret scalars
//! (signing, key issue, SSK validation) and the variable-time one for verification.

use std::sync::OnceLock;

use p256::{AffinePoint, ProjectivePoint, Scalar};

use crate::ct_table::SecretScalarTable;

use crate::jacobian::{Affine, Jacobian};
use crate::table::VartimeTable;

/// Width of the constant-time table: 43 rows of 32 (88 KB). Every digit scans its whole
/// row, so wider rows cost more per digit; measured on sign with the mont256 arithmetic,
/// width 6 took 29.6 µs against 32.7 for 5 and 29.1 for 7 (twice the memory).
const CT_WIDTH: usize = 6;
/// Width of the variable-time table: 43 rows of 32, indexed directly, so only size limits
/// it; width 7 (151 KB) measured no faster.
const VARTIME_WIDTH: usize = 6;

static CT_TABLE: OnceLock<Option<SecretScalarTable>> = OnceLock::new();
static VARTIME_TABLE: OnceLock<Option<VartimeTable>> = OnceLock::new();

/// [k]G for a secret k (j, SSK, v, KSAK), constant time, as an affine point (the
/// identity for k = 0).
pub(crate) fn mul_g(k: &Scalar) -> AffinePoint {
    CT_TABLE
        .get_or_init(|| SecretScalarTable::new(&ProjectivePoint::GENERATOR, CT_WIDTH))
        .as_ref()
        // Never taken: G's table always builds. p256's constant-time multiplication.
        .map_or_else(
            || (ProjectivePoint::GENERATOR * k).to_affine(),
            |t| t.mul(k),
        )
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
