//! One compiled entry point of the field module and the host side of running it over a
//! batch: upload, dispatch (split to fit the limits), read back, wipe.

use zeroize::Zeroizing;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::split;

/// A buffer holding `words`, with `usage` (and COPY_DST, for the upload and the wipe).
pub(crate) fn buffer_with(
    ctx: &GpuContext,
    label: &str,
    words: &[u32],
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    let buffer = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: (words.len().max(1) * 4) as u64,
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    ctx.queue()
        .write_buffer(&buffer, 0, bytemuck::cast_slice(words));
    buffer
}

/// A read-write storage buffer holding `words`, that results can be copied out of.
pub(crate) fn storage_buffer(ctx: &GpuContext, label: &str, words: &[u32]) -> wgpu::Buffer {
    buffer_with(
        ctx,
        label,
        words,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    )
}

/// Bind-group entries 0, 1, ... for whole buffers.
pub(crate) fn bind_entries<'a>(buffers: &[&'a wgpu::Buffer]) -> Vec<wgpu::BindGroupEntry<'a>> {
    buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect()
}

/// Finishes `encoder` with a copy of `result` to a staging buffer, runs it and reads the
/// words back; then overwrites `result`, the staging buffer and `others` with zeros
/// (they held operands or values derived from them), whether or not the run succeeded.
pub(crate) fn read_back_and_wipe(
    ctx: &GpuContext,
    mut encoder: wgpu::CommandEncoder,
    result: &wgpu::Buffer,
    others: &[&wgpu::Buffer],
) -> Result<Zeroizing<Vec<u32>>, GpuError> {
    let staging = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("read-back"),
        size: result.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    encoder.copy_buffer_to_buffer(result, 0, &staging, 0, result.size());
    let words = ctx
        .submit_and_wait(encoder.finish())
        .and_then(|()| ctx.read_words(&staging))
        .map(Zeroizing::new);
    let mut wipe = ctx
        .device()
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("wipe"),
        });
    for b in others.iter().copied().chain([result, &staging]) {
        wipe.clear_buffer(b, 0, None);
    }
    let wiped = ctx.submit_and_wait(wipe.finish());
    let words = words?;
    wiped?;
    Ok(words)
}

/// Binding numbers, as declared in shaders/field_kernels.wgsl: the inputs are bindings
/// 0 (in_a) and, for two-input kernels, 1 (in_b).
const MAX_INPUTS: usize = 2;
const BINDING_OUT: u32 = 2;
const BINDING_PARAMS: u32 = 3;

/// The uniform block `Params` of the shader.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    count: u32,
    steps: u32,
    pad: [u32; 2],
}

/// A compute pipeline for one entry point that maps one or two input arrays to one
/// output array, `words` u32 words per element in each.
pub(crate) struct BatchKernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    inputs: usize,
    words: usize,
}

/// The device buffers of one call, sized for its largest dispatch.
struct Buffers {
    inputs: Vec<wgpu::Buffer>,
    out: wgpu::Buffer,
    staging: wgpu::Buffer,
    params: wgpu::Buffer,
}

impl Buffers {
    /// Overwrites every buffer with zeros, so that no operand or result stays in device
    /// memory after the call. (wgpu's own upload staging for `write_buffer` is freed by
    /// wgpu and not wiped here.)
    fn wipe(&self, ctx: &GpuContext) -> Result<(), GpuError> {
        let mut encoder = ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("wipe"),
            });
        for b in self.inputs.iter().chain([&self.out, &self.staging]) {
            encoder.clear_buffer(b, 0, None);
        }
        ctx.submit_and_wait(encoder.finish())
    }
}

impl BatchKernel {
    /// Compiles `entry` of `module` (slow on some drivers: callers cache the result).
    pub(crate) fn new(
        ctx: &GpuContext,
        module: &wgpu::ShaderModule,
        entry: &str,
        inputs: usize,
        words: usize,
    ) -> Result<BatchKernel, GpuError> {
        assert!(
            (1..=MAX_INPUTS).contains(&inputs),
            "kernels take one or two inputs"
        );
        let pipeline = ctx.validated(|device| {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        })?;
        let layout = pipeline.get_bind_group_layout(0);
        Ok(BatchKernel {
            pipeline,
            layout,
            inputs,
            words,
        })
    }

    fn element_bytes(&self) -> u64 {
        (self.words * 4) as u64
    }

    /// The most elements one dispatch may hold on this device.
    pub(crate) fn device_limit(&self, ctx: &GpuContext) -> usize {
        let limits = ctx.limits();
        split::max_elements_per_dispatch(
            limits.max_storage_buffer_binding_size,
            limits.max_buffer_size,
            limits.max_compute_workgroups_per_dimension,
            self.element_bytes(),
        )
    }

    /// Runs the kernel over `count` elements whose words are in `inputs` (one slice per
    /// input binding, `count * words` words each), at most `per_dispatch` elements per
    /// dispatch. `steps` goes to the shader's Params.
    pub(crate) fn run(
        &self,
        ctx: &GpuContext,
        inputs: &[&[u32]],
        count: usize,
        steps: u32,
        per_dispatch: usize,
    ) -> Result<Vec<u32>, GpuError> {
        assert_eq!(inputs.len(), self.inputs, "input count of the kernel");
        assert!(inputs.iter().all(|i| i.len() == count * self.words));
        if count == 0 {
            return Ok(Vec::new());
        }
        let per_dispatch = per_dispatch.min(self.device_limit(ctx)).max(1);
        let largest = per_dispatch.min(count);
        let buffers = self.buffers(ctx, largest as u64 * self.element_bytes());
        let result = self.run_chunks(ctx, &buffers, inputs, count, steps, per_dispatch);
        let wiped = buffers.wipe(ctx);
        let words = result?;
        wiped?;
        Ok(words)
    }

    fn run_chunks(
        &self,
        ctx: &GpuContext,
        buffers: &Buffers,
        inputs: &[&[u32]],
        count: usize,
        steps: u32,
        per_dispatch: usize,
    ) -> Result<Vec<u32>, GpuError> {
        let mut entries: Vec<wgpu::BindGroupEntry> = buffers
            .inputs
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: BINDING_OUT,
            resource: buffers.out.as_entire_binding(),
        });
        entries.push(wgpu::BindGroupEntry {
            binding: BINDING_PARAMS,
            resource: buffers.params.as_entire_binding(),
        });
        let bind_group = ctx.validated(|device| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &self.layout,
                entries: &entries,
            })
        })?;

        let max_dim = ctx.limits().max_compute_workgroups_per_dimension;
        let mut out = Vec::with_capacity(count * self.words);
        for (start, len) in split::chunks(count, per_dispatch) {
            let words = start * self.words..(start + len) * self.words;
            for (buffer, input) in buffers.inputs.iter().zip(inputs) {
                ctx.queue()
                    .write_buffer(buffer, 0, bytemuck::cast_slice(&input[words.clone()]));
            }
            let params = Params {
                count: len as u32,
                steps,
                pad: [0; 2],
            };
            ctx.queue()
                .write_buffer(&buffers.params, 0, bytemuck::bytes_of(&params));

            let bytes = (len * self.words * 4) as u64;
            let mut encoder = ctx
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &bind_group, &[]);
                let (x, y) = split::grid(len, max_dim);
                pass.dispatch_workgroups(x, y, 1);
            }
            encoder.copy_buffer_to_buffer(&buffers.out, 0, &buffers.staging, 0, bytes);
            ctx.submit_and_wait(encoder.finish())?;
            let chunk = zeroize::Zeroizing::new(ctx.read_words(&buffers.staging)?);
            out.extend_from_slice(&chunk[..len * self.words]);
        }
        Ok(out)
    }

    fn buffers(&self, ctx: &GpuContext, bytes: u64) -> Buffers {
        let storage = |label, usage| {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes,
                usage,
                mapped_at_creation: false,
            })
        };
        let copy = wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
        Buffers {
            inputs: (0..self.inputs)
                .map(|_| storage("input", wgpu::BufferUsages::STORAGE | copy))
                .collect(),
            out: storage("output", wgpu::BufferUsages::STORAGE | copy),
            staging: storage(
                "read-back",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            params: ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some("params"),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        }
    }
}
