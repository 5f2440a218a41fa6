//! [k]B on the device for secret k, in two forms: windowed over a table of [1..16]B
//! built on the device (`JacobianPoint::mul`'s schedule, shaders/scalar_mul.wgsl), and
//! from a fixed-base table resident in a [`TableArena`] slot (`BaseTable::mul`'s,
//! shaders/base_table_mul.wgsl). Results are Jacobian and equal the CPU's as points.

use std::sync::{Arc, OnceLock};

use pairing::{AffinePoint, JacobianPoint, Scalar, SCALAR_DIGITS};
use subtle::ConditionallySelectable;
use zeroize::Zeroizing;

use crate::arena::TableArena;
use crate::base_table::{self, BASE_TABLE_WORDS};
use crate::context::GpuContext;
use crate::error::GpuError;
use crate::limbs;
use crate::path::ArithPath;
use crate::split;
use crate::staged::{self, Access, Call, Operand, Program};
use crate::wgsl::{self, LIMBS};

/// The windowed kernel's two steps, in the order of [`Program::compile`]: a doubling
/// step (five doublings of 8 F_p products, 40 products; one doubling while the table is
/// built) and an addition step (one Jacobian addition, 16 products). Steps this small
/// keep lavapipe's compile time low, since it grows faster than the code: entry points
/// that inlined both (and ran ten windows a dispatch) took 21 and 24 s to compile there,
/// these two about 16 s together. Every invocation stays far below the loop cap.
const DOUBLE_STEP: usize = 0;
const ADD_STEP: usize = 1;
const PRODUCTS_PER_DOUBLE_STEP: usize = 5 * 8;

/// Additions that build the table: [3..16]B, each adding B to the entry before.
const TABLE_ADDS: usize = 14;

/// Words per element: a Jacobian point; the table of 16 of them; the running sum and
/// the additions and doubling steps done.
const POINT_WORDS: usize = 3 * LIMBS;
const TABLE_WORDS: usize = 16 * POINT_WORDS;
const STATE_WORDS: usize = POINT_WORDS + 2;

/// The steps of one multiplication: the table ([2]B, then [3..16]B), the top window's
/// addition, then a doubling step and an addition for each other window.
fn windowed_schedule() -> Vec<(usize, usize)> {
    let mut steps = vec![(DOUBLE_STEP, 1), (ADD_STEP, TABLE_ADDS + 1)];
    for _ in 1..SCALAR_DIGITS {
        steps.extend([(DOUBLE_STEP, 1), (ADD_STEP, 1)]);
    }
    steps
}

const JACOBIAN: &str = include_str!("../../../shaders/jacobian.wgsl");
const SCALAR_MUL: &str = include_str!("../../../shaders/scalar_mul.wgsl");

/// The complete WGSL of the windowed kernel for `path`.
pub(crate) fn windowed_module_source(path: ArithPath) -> String {
    let constants = format!(
        "{}const TABLE_ADDS: u32 = {TABLE_ADDS}u;\n",
        staged::shared_constants()
    );
    wgsl::module_source(
        path,
        &[("table", true), ("state", true)],
        &[constants.as_str(), JACOBIAN, SCALAR_MUL].join("\n"),
    )
}

struct Shared {
    ctx: Arc<GpuContext>,
    path: ArithPath,
    windowed: OnceLock<Result<Program, GpuError>>,
    tabled: OnceLock<Result<Program, GpuError>>,
}

/// Batched scalar multiplication of one arithmetic path. Each pipeline is compiled on
/// the first call that needs it (on lavapipe, u64 path: some 16 s for the windowed one,
/// 6 s for the tabled one), so a caller that never uses tables never builds the tabled
/// one; clones share the pipelines.
#[derive(Clone)]
pub struct ScalarMulKernels {
    shared: Arc<Shared>,
    max_per_dispatch: usize,
}

impl ScalarMulKernels {
    /// Kernels for `path`; Err when the adapter cannot run it (the u64 path without
    /// SHADER_INT64). Compiles nothing yet.
    pub fn new(ctx: Arc<GpuContext>, path: ArithPath) -> Result<ScalarMulKernels, GpuError> {
        path.check_supported(ctx.report())?;
        Ok(ScalarMulKernels {
            shared: Arc::new(Shared {
                ctx,
                path,
                windowed: OnceLock::new(),
                tabled: OnceLock::new(),
            }),
            max_per_dispatch: usize::MAX,
        })
    }

    /// Caps the elements per dispatch (batches are split above it), for devices whose
    /// real limits are below the reported ones and for tests of the split.
    pub fn with_max_elements_per_dispatch(mut self, max: usize) -> ScalarMulKernels {
        assert!(max > 0, "a dispatch must hold at least one element");
        self.max_per_dispatch = self.max_per_dispatch.min(max);
        self
    }

    /// The arithmetic path the kernels run on.
    pub fn path(&self) -> ArithPath {
        self.shared.path
    }

    /// [k]B for each pair, the point `JacobianPoint::from(b).mul(&k)` is, for bases of
    /// order q (or the identity, which gives the identity) and any k < q. Constant time
    /// in k and B.
    pub fn mul_batch(
        &self,
        bases: &[AffinePoint],
        scalars: &[Scalar],
    ) -> Result<Vec<JacobianPoint>, GpuError> {
        check_lengths(bases.len(), scalars.len())?;
        if bases.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = &*self.shared.ctx;
        let program = self.program(&self.shared.windowed, || {
            Program::compile(
                ctx,
                "scalar mul",
                windowed_module_source(self.shared.path),
                &["double_step", "add_step"],
                &[Access::Read, Access::ReadWrite, Access::ReadWrite],
            )
        })?;
        let per_dispatch = self
            .max_per_dispatch
            .min(staged::device_max_elements(ctx, TABLE_WORDS));
        let schedule = windowed_schedule();
        let mut out = Vec::with_capacity(bases.len());
        for (start, len) in split::chunks(bases.len(), per_dispatch) {
            let range = start..start + len;
            // B in table entry 0 and in the running sum; the rest of the table is built
            // on the device.
            let mut table = Zeroizing::new(vec![0u32; len * TABLE_WORDS]);
            let mut state = Zeroizing::new(Vec::with_capacity(len * STATE_WORDS));
            let mut digits = Zeroizing::new(Vec::with_capacity(len * SCALAR_DIGITS));
            for (i, (b, k)) in bases[range.clone()].iter().zip(&scalars[range]).enumerate() {
                let (x, y, z) = JacobianPoint::from(*b).coordinates();
                let mut point = Zeroizing::new(Vec::with_capacity(POINT_WORDS));
                for c in [x, y, z] {
                    limbs::push_fp(&mut point, &c);
                }
                table[i * TABLE_WORDS..i * TABLE_WORDS + POINT_WORDS].copy_from_slice(&point);
                state.extend_from_slice(&point);
                state.extend([0, 0]);
                staged::push_digits(&mut digits, &k.signed_digits());
            }
            let call = Call {
                operands: vec![
                    Operand::Upload(&digits),
                    Operand::Upload(&table),
                    Operand::Upload(&state),
                ],
                state: 2,
                schedule: &schedule,
                products_per_dispatch: PRODUCTS_PER_DOUBLE_STEP,
                count: len,
            };
            let words = staged::run(ctx, program, &call)?;
            let done = [(TABLE_ADDS + SCALAR_DIGITS) as u32, SCALAR_DIGITS as u32];
            out.extend(points_from_state(&words, STATE_WORDS, &done, start)?);
        }
        Ok(out)
    }

    /// [k]B for each job, B being the base whose [`base_table_words`] fill `slots[i]` of
    /// `arena`: the point `BaseTable::mul` gives. One dispatch serves jobs of different
    /// slots. Constant time in k; the slot is public.
    ///
    /// [`base_table_words`]: crate::base_table_words
    ///
    /// # Panics
    /// If the arena's slots are not [`BASE_TABLE_WORDS`] words or a slot is out of range
    /// (slots come from [`TableArena::upload`], so either is a caller's bug).
    pub fn mul_tabled_batch(
        &self,
        arena: &TableArena,
        slots: &[u32],
        scalars: &[Scalar],
    ) -> Result<Vec<JacobianPoint>, GpuError> {
        assert_eq!(
            arena.slot_words(),
            BASE_TABLE_WORDS,
            "the arena holds base tables"
        );
        assert!(
            slots.iter().all(|&s| (s as usize) < arena.slots()),
            "slots name the arena's slots"
        );
        check_lengths(slots.len(), scalars.len())?;
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let ctx = &*self.shared.ctx;
        let program = self.program(&self.shared.tabled, || {
            Program::compile(
                ctx,
                "base table mul",
                base_table::module_source(self.shared.path),
                &["base_table_rows"],
                &[Access::Read, Access::Read, Access::Read, Access::ReadWrite],
            )
        })?;
        let per_dispatch = self
            .max_per_dispatch
            .min(staged::device_max_elements(ctx, SCALAR_DIGITS));
        let mut out = Vec::with_capacity(slots.len());
        for (start, len) in split::chunks(slots.len(), per_dispatch) {
            let range = start..start + len;
            let mut digits = Zeroizing::new(Vec::with_capacity(len * SCALAR_DIGITS));
            for k in &scalars[range.clone()] {
                staged::push_digits(&mut digits, &k.signed_digits());
            }
            let state = tabled_state(len);
            let call = Call {
                operands: vec![
                    Operand::Resident(arena.buffer()),
                    Operand::Upload(&slots[range]),
                    Operand::Upload(&digits),
                    Operand::Upload(&state),
                ],
                state: 3,
                schedule: &[(0, base_table::DISPATCHES)],
                products_per_dispatch: base_table::PRODUCTS_PER_DISPATCH,
                count: len,
            };
            let words = staged::run(ctx, program, &call)?;
            out.extend(points_from_state(
                &words,
                TABLED_STATE_WORDS,
                &[SCALAR_DIGITS as u32],
                start,
            )?);
        }
        Ok(out)
    }

    /// The program in `cell`, compiled by `compile` on first use; a failed compile stays
    /// the answer (recompiling would fail alike, and slowly).
    fn program<'a>(
        &self,
        cell: &'a OnceLock<Result<Program, GpuError>>,
        compile: impl FnOnce() -> Result<Program, GpuError>,
    ) -> Result<&'a Program, GpuError> {
        cell.get_or_init(compile).as_ref().map_err(Clone::clone)
    }
}

fn check_lengths(left: usize, right: usize) -> Result<(), GpuError> {
    if left == right {
        Ok(())
    } else {
        Err(GpuError::LengthMismatch { left, right })
    }
}

/// Words per element of the fixed-base kernel's state: the running sum and the rows done.
const TABLED_STATE_WORDS: usize = POINT_WORDS + 1;

/// `count` running sums of the fixed-base kernel at the identity (as the CPU's
/// IDENTITY), no row done yet.
fn tabled_state(count: usize) -> Vec<u32> {
    let mut state = Vec::with_capacity(count * TABLED_STATE_WORDS);
    for _ in 0..count {
        let (x, y, z) = JacobianPoint::IDENTITY.coordinates();
        for c in [x, y, z] {
            limbs::push_fp(&mut state, &c);
        }
        state.push(0);
    }
    state
}

/// The points of a finished state of `words` words per element, whose counters after the
/// point must read `done`;
/// element i of it is element `start + i` of the batch (for errors). An identity comes
/// back as the CPU's IDENTITY; a coordinate that is not reduced, or an element that did
/// not do every step, is a device fault.
fn points_from_state(
    state: &[u32],
    words: usize,
    done: &[u32],
    start: usize,
) -> Result<Vec<JacobianPoint>, GpuError> {
    state
        .chunks_exact(words)
        .enumerate()
        .map(|(i, w)| {
            let bad = GpuError::BadResult { index: start + i };
            if w[POINT_WORDS..] != *done {
                return Err(bad);
            }
            let c = Zeroizing::new(limbs::fp_from_words(&w[..POINT_WORDS]).map_err(|_| bad)?);
            let p = JacobianPoint::from_coordinates(c[0], c[1], c[2]);
            Ok(JacobianPoint::conditional_select(
                &p,
                &JacobianPoint::IDENTITY,
                c[2].is_zero(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each module parses and validates, the u32 path without 64-bit integers.
    #[test]
    fn modules_validate() {
        let sources: [fn(ArithPath) -> String; 2] =
            [windowed_module_source, base_table::module_source];
        for path in [ArithPath::U32, ArithPath::U64] {
            for source in sources {
                crate::staged::tests::validate(path, &source(path));
            }
        }
    }
}
