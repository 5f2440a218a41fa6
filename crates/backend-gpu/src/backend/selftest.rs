//! The known-answer test an adapter must pass before it is used: a modmul, the RFC 6509
//! pairing value g = <P, P> on both Miller kernels, a TEST-style scalar multiplication on
//! both scalar kernels, and g^k, each against the CPU. A driver that miscompiles the
//! shaders (or a loop cap cutting kernels short) fails here instead of in production.

use pairing::{AffinePoint, Fp, JacobianPoint, PfValue, Scalar};
use subtle::ConstantTimeEq;

use super::GpuBackend;
use crate::error::GpuError;

/// Runs every check; Err names the first that failed.
pub(super) fn run(backend: &GpuBackend) -> Result<(), String> {
    fn device(what: &'static str) -> impl Fn(GpuError) -> String {
        move |e| format!("{what}: {e}")
    }
    let p = AffinePoint::generator();

    // Modmul: 3 * (p - 1) = -3, and (p - 1)^2 = 1.
    let minus_one = -Fp::ONE;
    let got = backend
        .k
        .field
        .modmul_batch(&[Fp::from_u64(3), minus_one], &[minus_one, minus_one])
        .map_err(device("modmul"))?;
    if got != [-Fp::from_u64(3), Fp::ONE] {
        return Err("modmul gave a wrong product".into());
    }

    // <P, P> = g (RFC 6509 Appendix A), on the plain loop and on a line table.
    let g = PfValue::generator();
    let plain = backend
        .k
        .miller
        .miller_loop_batch(&[p], &[p])
        .map_err(device("pairing"))?;
    let tabled = match backend.lines.arena() {
        Some(arena) => {
            let words =
                crate::miller_table::line_table_words(&pairing::LineTable::build(&p, false));
            let slot = arena.upload(&words).map_err(device("line table"))?;
            match slot {
                Some(slot) => backend
                    .k
                    .table_miller
                    .miller_loop_batch(arena, &[slot.index()], &[p])
                    .map_err(device("table pairing"))?,
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    for f in plain.iter().chain(&tabled) {
        if PfValue::from_fp2(&f.square().square()) != g {
            return Err("the pairing <P, P> is not g".into());
        }
    }

    // [k]P for a fixed k, windowed and from a base table, against the CPU.
    let k = Scalar::reduce_be_bytes(&[0x5a; 128]);
    let want = JacobianPoint::from(p).mul(&k);
    let windowed = backend
        .k
        .scalar_mul
        .mul_batch(&[p], &[k])
        .map_err(device("scalar multiplication"))?;
    let mut points = windowed;
    if let Some(arena) = backend.bases.arena() {
        let words = crate::base_table::base_table_words(&pairing::BaseTable::build(&p, false));
        if let Some(slot) = arena.upload(&words).map_err(device("base table"))? {
            points.extend(
                backend
                    .k
                    .scalar_mul
                    .mul_tabled_batch(arena, &[slot.index()], &[k])
                    .map_err(device("fixed-base multiplication"))?,
            );
        }
    }
    if !points.iter().all(|q| bool::from(q.ct_eq(&want))) {
        return Err("a scalar multiplication gave a wrong point".into());
    }

    // g^k against the CPU's table.
    let fs = backend.k.gt_pow.pow_batch(&[k]).map_err(device("g^k"))?;
    if fs != [pairing::gt_table().pow_unnormalised(&k)] {
        return Err("g^k is wrong".into());
    }
    Ok(())
}
