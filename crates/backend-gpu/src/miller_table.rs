//! The Miller loop against resident per-RSK line tables (shaders/miller_table.wgsl):
//! tables live in a [`TableArena`], each job names its slot, and a batch may mix
//! tables. [`TABLE_STEPS_PER_DISPATCH`] steps per dispatch keep each invocation near 450
//! products, so a whole loop is 16 dispatches in one submission.

use std::sync::Arc;

use pairing::{AffinePoint, Fp2, LineTable};
use zeroize::Zeroizing;

use crate::arena::TableArena;
use crate::context::GpuContext;
use crate::error::GpuError;
use crate::kernel::{bind_entries, buffer_with, read_back_and_wipe, storage_buffer};
use crate::limbs;
use crate::naf::{miller_naf, MILLER_STEPS};
use crate::path::ArithPath;
use crate::split;
use crate::wgsl::{self, LIMBS};

/// Loop steps per dispatch: at most 9 products a step, about 580 a dispatch, half of
/// [`crate::MAX_PRODUCTS_PER_INVOCATION`].
pub const TABLE_STEPS_PER_DISPATCH: usize = 64;

/// Lines of a table: one per doubling step, one more per non-zero digit of q - 1 below
/// the top one.
pub const LINE_COUNT: usize = MILLER_STEPS + 352;

/// Words of one table slot: (a, b) per line.
pub const LINE_TABLE_WORDS: usize = LINE_COUNT * 2 * LIMBS;

const JOB_WORDS: usize = 2 * LIMBS + 1;
const STATE_WORDS: usize = 2 * LIMBS;
const ADDS: u32 = 1 << 31;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    count: u32,
    first: u32,
    steps: u32,
    pad: u32,
}

/// The words of a line table as its slot holds them.
pub fn line_table_words(table: &LineTable) -> Zeroizing<Vec<u32>> {
    let mut words = Zeroizing::new(Vec::with_capacity(LINE_TABLE_WORDS));
    for (a, b) in table.lines() {
        limbs::push_fp(&mut words, &a);
        limbs::push_fp(&mut words, &b);
    }
    assert_eq!(
        words.len(),
        LINE_TABLE_WORDS,
        "a table has {LINE_COUNT} lines"
    );
    words
}

/// Per step of the loop, the index of its first line, flagged when the step adds.
fn schedule() -> Vec<u32> {
    let naf = miller_naf();
    let mut line = 0u32;
    let mut out = Vec::with_capacity(MILLER_STEPS);
    for i in (0..MILLER_STEPS).rev() {
        let adds = naf[i] != 0;
        out.push(line | if adds { ADDS } else { 0 });
        line += 1 + u32::from(adds);
    }
    assert_eq!(line as usize, LINE_COUNT);
    out
}

/// The table-Miller pipeline of one arithmetic path, with the loop's schedule resident.
#[derive(Clone)]
pub struct TableMillerKernels {
    ctx: Arc<GpuContext>,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    schedule: Arc<wgpu::Buffer>,
    max_per_dispatch: usize,
}

impl TableMillerKernels {
    pub fn new(ctx: Arc<GpuContext>, path: ArithPath) -> Result<TableMillerKernels, GpuError> {
        path.check_supported(ctx.report())?;
        let kernel = format!(
            "const SLOT_WORDS: u32 = {LINE_TABLE_WORDS}u;\n{}",
            include_str!("../../../shaders/miller_table.wgsl")
        );
        let source = wgsl::module_source(
            path,
            &[("lines", false), ("jobs", false), ("state", true)],
            &kernel,
        );
        let pipeline = ctx.compute_pipeline("miller table", &source, "miller_table_steps")?;
        let layout = pipeline.get_bind_group_layout(0);
        let schedule = buffer_with(
            &ctx,
            "miller schedule",
            &schedule(),
            wgpu::BufferUsages::STORAGE,
        );
        let max_per_dispatch = crate::staged::device_max_elements(&ctx, JOB_WORDS);
        Ok(TableMillerKernels {
            ctx,
            pipeline,
            layout,
            schedule: Arc::new(schedule),
            max_per_dispatch,
        })
    }

    /// Caps the pairs per submission (they are split above it).
    pub fn with_max_elements_per_dispatch(mut self, max: usize) -> TableMillerKernels {
        assert!(max > 0, "a dispatch must hold at least one element");
        self.max_per_dispatch = self.max_per_dispatch.min(max);
        self
    }

    /// f_K([i]Q) for each job, K being the table in `slots[i]` of `arena` (a table of
    /// [`LINE_TABLE_WORDS`] words): `LineTable::miller_loop(q)`, bit for bit.
    pub fn miller_loop_batch(
        &self,
        arena: &TableArena,
        slots: &[u32],
        q: &[AffinePoint],
    ) -> Result<Vec<Fp2>, GpuError> {
        if slots.len() != q.len() {
            return Err(GpuError::LengthMismatch {
                left: slots.len(),
                right: q.len(),
            });
        }
        assert_eq!(
            arena.slot_words(),
            LINE_TABLE_WORDS,
            "an arena of line tables"
        );
        let mut out = Vec::with_capacity(q.len());
        for (start, len) in split::chunks(q.len(), self.max_per_dispatch) {
            let range = start..start + len;
            out.extend(self.run_chunk(arena, &slots[range.clone()], &q[range])?);
        }
        Ok(out)
    }

    fn run_chunk(
        &self,
        arena: &TableArena,
        slots: &[u32],
        q: &[AffinePoint],
    ) -> Result<Vec<Fp2>, GpuError> {
        let ctx = &*self.ctx;
        let mut jobs = Zeroizing::new(Vec::with_capacity(q.len() * JOB_WORDS));
        let mut state = Zeroizing::new(Vec::with_capacity(q.len() * STATE_WORDS));
        for (slot, q) in slots.iter().zip(q) {
            limbs::push_fp(&mut jobs, &q.x());
            limbs::push_fp(&mut jobs, &q.y());
            jobs.push(*slot);
            limbs::push_fp(&mut state, &pairing::Fp::ONE);
            limbs::push_fp(&mut state, &pairing::Fp::ZERO);
        }
        let jobs_buf = buffer_with(ctx, "table jobs", &jobs, wgpu::BufferUsages::STORAGE);
        let state_buf = storage_buffer(ctx, "table miller state", &state);
        let steps = split::chunks(MILLER_STEPS, TABLE_STEPS_PER_DISPATCH);
        let params: Vec<Params> = steps
            .map(|(first, steps)| Params {
                count: q.len() as u32,
                first: first as u32,
                steps: steps as u32,
                pad: 0,
            })
            .collect();
        // One uniform block per dispatch, at the device's offset alignment.
        let stride = ctx.limits().min_uniform_buffer_offset_alignment as usize;
        let mut uniform = vec![0u8; stride * params.len()];
        for (i, p) in params.iter().enumerate() {
            uniform[i * stride..i * stride + std::mem::size_of::<Params>()]
                .copy_from_slice(bytemuck::bytes_of(p));
        }
        let params_buf = buffer_with(
            ctx,
            "table miller params",
            bytemuck::cast_slice(&uniform),
            wgpu::BufferUsages::UNIFORM,
        );
        let bind_groups = ctx.validated(|device| {
            (0..params.len())
                .map(|i| {
                    let mut entries =
                        bind_entries(&[arena.buffer(), &jobs_buf, &self.schedule, &state_buf]);
                    entries.push(wgpu::BindGroupEntry {
                        binding: 4,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: &params_buf,
                            offset: (i * stride) as u64,
                            size: wgpu::BufferSize::new(std::mem::size_of::<Params>() as u64),
                        }),
                    });
                    device.create_bind_group(&wgpu::BindGroupDescriptor {
                        label: None,
                        layout: &self.layout,
                        entries: &entries,
                    })
                })
                .collect::<Vec<_>>()
        })?;
        let mut encoder = ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            pass.set_pipeline(&self.pipeline);
            let (x, y) = split::grid(q.len(), ctx.limits().max_compute_workgroups_per_dimension);
            for bind_group in &bind_groups {
                pass.set_bind_group(0, bind_group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        let words = read_back_and_wipe(ctx, encoder, &state_buf, &[&jobs_buf])?;
        limbs::fp2_from_words(&words)
    }
}
