//! The process-wide fixed-base table for the generator G, built once on first use
//! (about 37 KB, well under a millisecond) and shared by signing, key issue, SSK
//! validation and verification.

use std::sync::OnceLock;

use p256::{ProjectivePoint, Scalar};

use crate::table::FixedBaseTable;

static G_TABLE: OnceLock<FixedBaseTable> = OnceLock::new();

fn table() -> &'static FixedBaseTable {
    G_TABLE.get_or_init(|| FixedBaseTable::new(&ProjectivePoint::GENERATOR))
}

/// [k]G for a secret k (j, SSK, v, KSAK), constant time.
pub(crate) fn mul_g(k: &Scalar) -> ProjectivePoint {
    table().mul_ct(k)
}

/// acc += [k]G for a public k (verification only), variable time.
pub(crate) fn add_mul_g_vartime(acc: &mut ProjectivePoint, k: &Scalar) {
    table().add_mul_vartime(acc, k)
}
