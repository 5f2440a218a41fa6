//! The process-wide fixed-base tables for the generator G, built once on first use (about
//! 37 KB and 33 KB, around a millisecond): the constant-time one for secret scalars
//! (signing, key issue, SSK validation) and the variable-time one for verification.

use std::sync::OnceLock;

use p256::{AffinePoint, ProjectivePoint, Scalar};

use crate::jacobian::{Affine, Jacobian};
use crate::table::{FixedBaseTable, VartimeTable};

static CT_TABLE: OnceLock<FixedBaseTable> = OnceLock::new();
static VARTIME_TABLE: OnceLock<VartimeTable> = OnceLock::new();

/// [k]G for a secret k (j, SSK, v, KSAK), constant time.
pub(crate) fn mul_g(k: &Scalar) -> ProjectivePoint {
    CT_TABLE
        .get_or_init(|| FixedBaseTable::new(&ProjectivePoint::GENERATOR))
        .mul_ct(k)
}

/// acc + [k]G for a public k (verification only), variable time.
pub(crate) fn add_mul_g_vartime(acc: &Jacobian, k: &Scalar) -> Jacobian {
    VARTIME_TABLE
        .get_or_init(|| {
            let g = Affine::from_point(&AffinePoint::GENERATOR).map(|g| Jacobian::from_affine(&g));
            VartimeTable::new(&g.unwrap_or(Jacobian::IDENTITY))
        })
        .add_mul(acc, k)
}
