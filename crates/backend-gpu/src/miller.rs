//! The Miller loop of the RFC 6508 pairing on the device, one digit per dispatch with the
//! loop state in a storage buffer (shaders/miller_step.wgsl). A whole loop is one
//! submission of 1,021 dispatches; a prefix of it can be run to compare the state with
//! the CPU's after any step.

use std::sync::Arc;

use pairing::{AffinePoint, Fp, Fp2};
use subtle::ConditionallySelectable;
use zeroize::Zeroizing;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::limbs;
use crate::naf::{miller_naf, MILLER_STEPS};
use crate::path::ArithPath;
use crate::split;
use crate::wgsl::{self, LIMBS};

/// Step dispatches per submission: the context's timeout applies to each submission, so
/// this bounds the wait on a slow device (lavapipe does about 5 Miller loops a second on
/// two cores, so 64 steps of a batch of 4,096 take about a minute there) while keeping
/// the host's part to 16 submissions per loop.
pub const STEPS_PER_SUBMISSION: usize = 64;

/// Words per element in the shader's buffers.
const POINT_WORDS: usize = 4 * LIMBS;
const STATE_WORDS: usize = 5 * LIMBS + 1;

/// The loop state of one pairing: the running point T = (x, y, z) in Jacobian
/// coordinates and the accumulated value f, as crates/pairing/src/miller.rs holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MillerState {
    pub x: Fp,
    pub y: Fp,
    pub z: Fp,
    pub f: Fp2,
    /// Steps done (digits consumed).
    pub steps: usize,
}

/// The Uniform block `Params` of the shader.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    count: u32,
    pad: [u32; 3],
}

/// The Miller-step pipeline of one arithmetic path, with the digits of q - 1 resident.
/// Clones share the pipeline (which takes 10-25 s to build on lavapipe).
#[derive(Clone)]
pub struct MillerKernels {
    ctx: Arc<GpuContext>,
    path: ArithPath,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    digits: wgpu::Buffer,
    max_per_dispatch: usize,
}

impl MillerKernels {
    /// Compiles the step (10-25 s on lavapipe, for a shader of some 40 inlined F_p
    /// products: keep the object, or clones of it).
    pub fn new(ctx: Arc<GpuContext>, path: ArithPath) -> Result<MillerKernels, GpuError> {
        path.check_supported(ctx.report())?;
        let source = wgsl::miller_module_source(path);
        let (pipeline, digits) = ctx.validated(|device| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("miller step"),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("miller_step"),
                layout: None,
                module: &module,
                entry_point: Some("miller_step"),
                compilation_options: Default::default(),
                cache: None,
            });
            let digits = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("naf of q - 1"),
                size: (4 * (MILLER_STEPS + 1)) as u64,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            (pipeline, digits)
        })?;
        ctx.queue()
            .write_buffer(&digits, 0, bytemuck::cast_slice(&miller_naf()));
        let layout = pipeline.get_bind_group_layout(0);
        let max_per_dispatch = crate::staged::device_max_elements(&ctx, STATE_WORDS);
        Ok(MillerKernels {
            ctx,
            path,
            pipeline,
            layout,
            digits,
            max_per_dispatch,
        })
    }

    /// Caps the pairs per submission (they are split above it).
    pub fn with_max_elements_per_dispatch(mut self, max: usize) -> MillerKernels {
        assert!(max > 0, "a dispatch must hold at least one element");
        self.max_per_dispatch = self.max_per_dispatch.min(max);
        self
    }

    pub fn path(&self) -> ArithPath {
        self.path
    }

    /// f_R([i]Q) for each pair, as `pairing::miller_loop(r, q)` returns it (before the
    /// final exponentiation), bit for bit.
    pub fn miller_loop_batch(
        &self,
        r: &[AffinePoint],
        q: &[AffinePoint],
    ) -> Result<Vec<Fp2>, GpuError> {
        Ok(self
            .run_steps(r, q, MILLER_STEPS)?
            .into_iter()
            .map(|s| s.f)
            .collect())
    }

    /// The loop state after the first `steps` steps (at most [`MILLER_STEPS`]) for each
    /// pair: T and f as the CPU's loop has them after as many iterations.
    pub fn run_steps(
        &self,
        r: &[AffinePoint],
        q: &[AffinePoint],
        steps: usize,
    ) -> Result<Vec<MillerState>, GpuError> {
        if r.len() != q.len() {
            return Err(GpuError::LengthMismatch {
                left: r.len(),
                right: q.len(),
            });
        }
        assert!(steps <= MILLER_STEPS, "the loop has {MILLER_STEPS} steps");
        let mut out = Vec::with_capacity(r.len());
        for (start, len) in split::chunks(r.len(), self.max_per_dispatch) {
            let range = start..start + len;
            out.extend(self.run_chunk(&r[range.clone()], &q[range], steps)?);
        }
        Ok(out)
    }

    fn run_chunk(
        &self,
        r: &[AffinePoint],
        q: &[AffinePoint],
        steps: usize,
    ) -> Result<Vec<MillerState>, GpuError> {
        let ctx = &*self.ctx;
        let mut points = Zeroizing::new(Vec::with_capacity(r.len() * POINT_WORDS));
        let mut state = Zeroizing::new(Vec::with_capacity(r.len() * STATE_WORDS));
        for (r, q) in r.iter().zip(q) {
            for c in [r.x(), r.y(), q.x(), q.y()] {
                limbs::push_fp(&mut points, &c);
            }
            // T = R in Jacobian form (Z = 0 for the identity, as the CPU converts it).
            let z = Fp::conditional_select(&Fp::ONE, &Fp::ZERO, r.is_identity());
            for c in [r.x(), r.y(), z, Fp::ONE, Fp::ZERO] {
                limbs::push_fp(&mut state, &c);
            }
            state.push(0);
        }

        let buffer = |label, words: &[u32], usage| {
            let buffer = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (words.len() * 4) as u64,
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            ctx.queue()
                .write_buffer(&buffer, 0, bytemuck::cast_slice(words));
            buffer
        };
        let points_buf = buffer("points", &points, wgpu::BufferUsages::STORAGE);
        let state_buf = buffer(
            "miller state",
            &state,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let params = Params {
            count: r.len() as u32,
            pad: [0; 3],
        };
        let params_buf = buffer(
            "params",
            bytemuck::cast_slice(&[params]),
            wgpu::BufferUsages::UNIFORM,
        );
        let staging = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("read-back"),
            size: (state.len() * 4) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });

        let result = self.dispatch(
            &points_buf,
            &state_buf,
            &params_buf,
            &staging,
            r.len(),
            steps,
        );
        // Wipe the operands and the state (which holds values derived from R and Q).
        let mut encoder = ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("wipe"),
            });
        for b in [&points_buf, &state_buf, &staging] {
            encoder.clear_buffer(b, 0, None);
        }
        let wiped = ctx.submit_and_wait(encoder.finish());
        let words = Zeroizing::new(result?);
        wiped?;
        words
            .chunks_exact(STATE_WORDS)
            .enumerate()
            .map(|(i, w)| {
                let fps = limbs::fp_from_words(&w[..5 * LIMBS])
                    .map_err(|_| GpuError::BadResult { index: i })?;
                Ok(MillerState {
                    x: fps[0],
                    y: fps[1],
                    z: fps[2],
                    f: Fp2::new(fps[3], fps[4]),
                    steps: w[5 * LIMBS] as usize,
                })
            })
            .collect()
    }

    /// Runs `steps` dispatches of the step kernel, [`STEPS_PER_SUBMISSION`] per
    /// submission, and reads the state back.
    fn dispatch(
        &self,
        points: &wgpu::Buffer,
        state: &wgpu::Buffer,
        params: &wgpu::Buffer,
        staging: &wgpu::Buffer,
        count: usize,
        steps: usize,
    ) -> Result<Vec<u32>, GpuError> {
        let ctx = &*self.ctx;
        let bind_group = ctx.validated(|device| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &self.layout,
                entries: &[
                    entry(0, points),
                    entry(1, &self.digits),
                    entry(2, state),
                    entry(3, params),
                ],
            })
        })?;
        let (x, y) = split::grid(count, ctx.limits().max_compute_workgroups_per_dimension);
        let mut remaining = steps;
        loop {
            let now = remaining.min(STEPS_PER_SUBMISSION);
            remaining -= now;
            let mut encoder = ctx
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
            {
                // Consecutive dispatches on a read-write binding: wgpu orders each one's
                // writes before the next one's reads.
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &bind_group, &[]);
                for _ in 0..now {
                    pass.dispatch_workgroups(x, y, 1);
                }
            }
            if remaining == 0 {
                encoder.copy_buffer_to_buffer(state, 0, staging, 0, staging.size());
                ctx.submit_and_wait(encoder.finish())?;
                return ctx.read_words(staging);
            }
            ctx.submit_and_wait(encoder.finish())?;
        }
    }
}

fn entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}
