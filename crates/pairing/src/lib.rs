//! Arithmetic for MIKEY-SAKKE (RFC 6508 with RFC 6509 parameter set 1).
//!
//! Layers, each depending only on those above it in this list:
//! - `arith`: constant-time 1024-bit Montgomery arithmetic on 16 u64 limbs;
//! - [`Fp`], [`Fp2`], [`PfValue`]: the field, its quadratic extension, and the quotient
//!   PF_p where pairing values live;
//! - [`Scalar`]: integers mod the 1022-bit group order q;
//! - [`AffinePoint`], [`JacobianPoint`]: the curve y^2 = x^3 - 3x;
//! - [`pairing`]: the Tate-Lichtenbaum pairing of RFC 6508 section 3.2;
//! - [`LineTable`], [`BaseTable`], [`GtTable`]: per-key precomputation for the hot paths.
//!
//! Everything that can touch a secret runs in constant time: no branch or memory index
//! depends on a secret value. Functions named `*_vartime` are for public inputs only.

#[cfg(target_arch = "x86_64")]
pub mod adx;
mod arith;
pub mod backend;
pub mod barrier;
#[cfg(target_arch = "x86_64")]
mod cpu_path;
mod error;
mod fixed_base;
mod fp;
mod fp2;
#[cfg(target_arch = "x86_64")]
pub mod ifma;
mod lookup;
mod macros;
mod miller;
mod params;
mod pf;
mod point;
mod precomp;
pub mod safegcd;
mod scalar;
#[cfg(target_arch = "x86_64")]
pub mod simd;

pub use backend::{PairingBackend, PairingJob, ScalarMulJob, TableKey};
pub use error::PointError;
pub use fixed_base::{generator_table, gt_table, BaseTable, GtTable};
pub use fp::{Fp, FP_BYTES};
pub use fp2::Fp2;
pub use miller::{final_exponentiation, miller_loop, pairing};
pub use params::SSV_BITS;
pub use pf::PfValue;
pub use point::{AffinePoint, JacobianPoint, POINT_BYTES};
pub use precomp::LineTable;
pub use scalar::{Scalar, SignedDigits, MAX_DIGITS as SCALAR_DIGITS, WINDOW as SCALAR_WINDOW};

/// Public constants of parameter set 1 as big-endian bytes, for tests and tools that
/// check this crate against an independent implementation.
pub mod constants {
    use crate::arith::limbs_to_be_bytes;
    use crate::params;

    /// p, 128 bytes big-endian.
    pub fn p() -> [u8; 128] {
        limbs_to_be_bytes(&params::P)
    }
    /// q, 128 bytes big-endian.
    pub fn q() -> [u8; 128] {
        limbs_to_be_bytes(&params::Q)
    }
}
