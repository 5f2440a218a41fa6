//! g^k on the device for secret k, g = <P, P> the RFC 6508 pairing value: the rows of
//! `pairing::gt_table()` resident in one buffer, one F_p2 product a row
//! (shaders/gt_pow.wgsl), bit for bit `GtTable::pow_unnormalised`.

use std::sync::Arc;

use pairing::{Fp2, GtTable, Scalar, SCALAR_DIGITS};
use zeroize::Zeroizing;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::limbs;
use crate::path::ArithPath;
use crate::split;
use crate::staged::{self, Access, Call, Operand, Program};
use crate::wgsl::{self, LIMBS};

/// Rows per dispatch: 103 F_p2 products of 3 F_p products each are 309 products, far
/// below lavapipe's loop cap (2,047 products) with the look-ups' loops, and two dispatches
/// cover the 206 rows.
const ROWS_PER_DISPATCH: usize = 103;
const DISPATCHES: usize = SCALAR_DIGITS.div_ceil(ROWS_PER_DISPATCH);

/// Words per element of the state: the running product, then its progress counter.
const STATE_WORDS: usize = 2 * LIMBS + 1;

const GT_POW: &str = include_str!("../../../shaders/gt_pow.wgsl");

/// The complete WGSL of the kernel for `path`.
pub(crate) fn module_source(path: ArithPath) -> String {
    let constants = format!(
        "{}const ROWS_PER_DISPATCH: u32 = {ROWS_PER_DISPATCH}u;\n",
        staged::shared_constants()
    );
    wgsl::module_source(
        path,
        &[("gt", false), ("state", true)],
        &[constants.as_str(), GT_POW].join("\n"),
    )
}

/// Batched powers of g with the table resident on the device (some 840 KB, uploaded once
/// per object). Clones share the pipeline and the table.
#[derive(Clone)]
pub struct GtPowKernels {
    ctx: Arc<GpuContext>,
    path: ArithPath,
    program: Arc<Program>,
    table: Arc<wgpu::Buffer>,
    max_per_dispatch: usize,
}

impl GtPowKernels {
    /// Compiles the kernel (seconds on lavapipe: keep the object, or clones of it) and
    /// uploads the table of `pairing::gt_table()`.
    pub fn new(ctx: Arc<GpuContext>, path: ArithPath) -> Result<GtPowKernels, GpuError> {
        path.check_supported(ctx.report())?;
        let program = Program::compile(
            &ctx,
            "gt pow",
            module_source(path),
            &["gt_rows"],
            &[Access::Read, Access::Read, Access::ReadWrite],
        )?;
        let entries: Vec<Fp2> = pairing::gt_table().entries().copied().collect();
        let words = limbs::fp2_words(&entries);
        let table = ctx.validated(|device| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("gt table"),
                size: (words.len() * 4) as u64,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        ctx.queue()
            .write_buffer(&table, 0, bytemuck::cast_slice(&words));
        ctx.check()?;
        let max_per_dispatch = staged::device_max_elements(&ctx, SCALAR_DIGITS);
        Ok(GtPowKernels {
            ctx,
            path,
            program: Arc::new(program),
            table: Arc::new(table),
            max_per_dispatch,
        })
    }

    /// Caps the exponents per dispatch (batches are split above it).
    pub fn with_max_elements_per_dispatch(mut self, max: usize) -> GtPowKernels {
        assert!(max > 0, "a dispatch must hold at least one element");
        self.max_per_dispatch = self.max_per_dispatch.min(max);
        self
    }

    /// The arithmetic path the kernel runs on.
    pub fn path(&self) -> ArithPath {
        self.path
    }

    /// g^k for each exponent, unnormalised, bit for bit
    /// `pairing::gt_table().pow_unnormalised(k)`: normalise with `PfValue::from_fp2` (or
    /// a batch of them at once). Constant time in k.
    pub fn pow_batch(&self, exponents: &[Scalar]) -> Result<Vec<Fp2>, GpuError> {
        let mut out = Vec::with_capacity(exponents.len());
        for (start, len) in split::chunks(exponents.len(), self.max_per_dispatch) {
            let mut digits = Zeroizing::new(Vec::with_capacity(len * SCALAR_DIGITS));
            for k in &exponents[start..start + len] {
                let half = Zeroizing::new(GtTable::table_exponent(k));
                staged::push_digits(&mut digits, &half.signed_digits());
            }
            let mut state = Vec::with_capacity(len * STATE_WORDS);
            for _ in 0..len {
                limbs::push_fp(&mut state, &Fp2::ONE.c0);
                limbs::push_fp(&mut state, &Fp2::ONE.c1);
                state.push(0);
            }
            let call = Call {
                operands: vec![
                    Operand::Resident(&self.table),
                    Operand::Upload(&digits),
                    Operand::Upload(&state),
                ],
                state: 2,
                schedule: &[(0, DISPATCHES)],
                products_per_dispatch: 3 * ROWS_PER_DISPATCH,
                count: len,
            };
            let words = staged::run(&self.ctx, &self.program, &call)?;
            for (i, w) in words.chunks_exact(STATE_WORDS).enumerate() {
                let bad = GpuError::BadResult { index: start + i };
                if w[2 * LIMBS] as usize != SCALAR_DIGITS {
                    return Err(bad);
                }
                let v = limbs::fp2_from_words(&w[..2 * LIMBS]).map_err(|_| bad)?;
                out.push(v[0]);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_validates() {
        for path in [ArithPath::U32, ArithPath::U64] {
            crate::staged::tests::validate(path, &module_source(path));
        }
    }
}
