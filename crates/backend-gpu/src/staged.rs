//! The host side of kernels whose work per element spans many dispatches (scalar
//! multiplication, fixed-base tables, Gt powers): each invocation does a bounded slice
//! of the work and keeps its progress in a state buffer, so that no invocation comes
//! near lavapipe's cap of 65,535 loop iterations (about 2,000 F_p products) and no
//! submission runs long enough to trip the context's timeout.
//!
//! Every such kernel binds its storage buffers at bindings 0..n and a uniform `Params`
//! (the element count) at binding n, and finds its element as miller_step.wgsl does.

use pairing::Fp;
use zeroize::Zeroizing;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::split;

/// F_p products one element may do per submission: about what a submission of the
/// Miller loop does (64 steps of some 40 products), so that a batch of any kernel takes
/// about as long per submission as the Miller loop's, well within the timeout.
const PRODUCTS_PER_SUBMISSION: usize = 2_560;

/// How a shader declares one storage binding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    ReadWrite,
}

/// The uniform block `Params` of the shaders.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    count: u32,
    pad: [u32; 3],
}

/// The entry points of one module, compiled against one explicit layout so that a
/// single bind group serves all of them.
pub(crate) struct Program {
    pipelines: Vec<wgpu::ComputePipeline>,
    layout: wgpu::BindGroupLayout,
    storage: Vec<Access>,
}

impl Program {
    /// Compiles `entries` of `source` (slow on lavapipe: callers build a program once and
    /// share it). `storage` lists the storage bindings 0.. in order; the Params uniform
    /// follows them.
    pub(crate) fn compile(
        ctx: &GpuContext,
        label: &str,
        source: String,
        entries: &[&str],
        storage: &[Access],
    ) -> Result<Program, GpuError> {
        ctx.validated(|device| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            let buffer = |binding: usize, ty| wgpu::BindGroupLayoutEntry {
                binding: binding as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            };
            let mut layout_entries: Vec<_> = storage
                .iter()
                .enumerate()
                .map(|(i, access)| {
                    let read_only = *access == Access::Read;
                    buffer(i, wgpu::BufferBindingType::Storage { read_only })
                })
                .collect();
            layout_entries.push(buffer(storage.len(), wgpu::BufferBindingType::Uniform));
            let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &layout_entries,
            });
            let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
            let pipelines = entries
                .iter()
                .map(|entry| {
                    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                        label: Some(entry),
                        layout: Some(&pipeline_layout),
                        module: &module,
                        entry_point: Some(entry),
                        compilation_options: Default::default(),
                        cache: None,
                    })
                })
                .collect();
            Program {
                pipelines,
                layout,
                storage: storage.to_vec(),
            }
        })
    }
}

/// What one storage binding holds during a call.
pub(crate) enum Operand<'a> {
    /// Words uploaded for this call, wiped before it returns.
    Upload(&'a [u32]),
    /// A resident buffer (a table), bound as it is.
    Resident(&'a wgpu::Buffer),
}

/// One call: the operands of the program's bindings, which of them is the state read
/// back at the end, and the dispatches as (entry point index, dispatch count) in order.
pub(crate) struct Call<'a> {
    pub operands: Vec<Operand<'a>>,
    pub state: usize,
    pub schedule: &'a [(usize, usize)],
    /// F_p products an element does per dispatch, which sets the dispatches per
    /// submission.
    pub products_per_dispatch: usize,
    pub count: usize,
}

/// Runs the call and returns the state's words; every buffer that held uploaded operands
/// or the state is zeroed before it returns, whether the run succeeded or not.
pub(crate) fn run(
    ctx: &GpuContext,
    program: &Program,
    call: &Call<'_>,
) -> Result<Zeroizing<Vec<u32>>, GpuError> {
    assert_eq!(
        call.operands.len(),
        program.storage.len(),
        "one operand a binding"
    );
    assert!(call.count > 0, "callers return early for empty batches");
    let device = ctx.device();
    let mut owned: Vec<(usize, wgpu::Buffer)> = Vec::new();
    for (i, operand) in call.operands.iter().enumerate() {
        let Operand::Upload(words) = operand else {
            continue;
        };
        let mut usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        if i == call.state {
            usage |= wgpu::BufferUsages::COPY_SRC;
        }
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: (words.len().max(1) * 4) as u64,
            usage,
            mapped_at_creation: false,
        });
        ctx.queue()
            .write_buffer(&buffer, 0, bytemuck::cast_slice(words));
        owned.push((i, buffer));
    }
    let state = &owned
        .iter()
        .find(|(i, _)| *i == call.state)
        .expect("the state is uploaded")
        .1;
    let params = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("params"),
        size: std::mem::size_of::<Params>() as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let count = Params {
        count: call.count as u32,
        pad: [0; 3],
    };
    ctx.queue()
        .write_buffer(&params, 0, bytemuck::bytes_of(&count));
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("read-back"),
        size: state.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });

    let result = dispatch(ctx, program, call, &owned, &params, state, &staging);

    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("wipe"),
    });
    for (_, b) in &owned {
        encoder.clear_buffer(b, 0, None);
    }
    encoder.clear_buffer(&staging, 0, None);
    let wiped = ctx.submit_and_wait(encoder.finish());
    let words = Zeroizing::new(result?);
    wiped?;
    Ok(words)
}

fn dispatch(
    ctx: &GpuContext,
    program: &Program,
    call: &Call<'_>,
    owned: &[(usize, wgpu::Buffer)],
    params: &wgpu::Buffer,
    state: &wgpu::Buffer,
    staging: &wgpu::Buffer,
) -> Result<Vec<u32>, GpuError> {
    let mut entries: Vec<wgpu::BindGroupEntry> = call
        .operands
        .iter()
        .enumerate()
        .map(|(i, operand)| {
            let buffer = match operand {
                Operand::Resident(buffer) => buffer,
                _ => &owned.iter().find(|(j, _)| *j == i).expect("owned").1,
            };
            wgpu::BindGroupEntry {
                binding: i as u32,
                resource: buffer.as_entire_binding(),
            }
        })
        .collect();
    entries.push(wgpu::BindGroupEntry {
        binding: call.operands.len() as u32,
        resource: params.as_entire_binding(),
    });
    let bind_group = ctx.validated(|device| {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &program.layout,
            entries: &entries,
        })
    })?;

    let (x, y) = split::grid(
        call.count,
        ctx.limits().max_compute_workgroups_per_dimension,
    );
    let per_submission = (PRODUCTS_PER_SUBMISSION / call.products_per_dispatch).max(1);
    let order: Vec<usize> = call
        .schedule
        .iter()
        .flat_map(|&(entry, n)| std::iter::repeat_n(entry, n))
        .collect();
    let mut batches = order.chunks(per_submission).peekable();
    while let Some(batch) = batches.next() {
        let mut encoder = ctx
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        {
            // wgpu orders each dispatch's writes to a read-write binding before the next
            // dispatch's reads.
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            pass.set_bind_group(0, &bind_group, &[]);
            for &entry in batch {
                pass.set_pipeline(&program.pipelines[entry]);
                pass.dispatch_workgroups(x, y, 1);
            }
        }
        if batches.peek().is_none() {
            encoder.copy_buffer_to_buffer(state, 0, staging, 0, staging.size());
        }
        ctx.submit_and_wait(encoder.finish())?;
    }
    ctx.read_words(staging)
}

/// The most elements per dispatch on this device when the largest per-element binding
/// takes `words` words.
pub(crate) fn device_max_elements(ctx: &GpuContext, words: usize) -> usize {
    let limits = ctx.limits();
    split::max_elements_per_dispatch(
        limits.max_storage_buffer_binding_size,
        limits.max_buffer_size,
        limits.max_compute_workgroups_per_dimension,
        (words * 4) as u64,
    )
}

/// WGSL constants the kernels share with the host: the digit count of a scalar and the
/// Montgomery form of 1 (for identities and F_p2's one), so neither side can drift.
pub(crate) fn shared_constants() -> String {
    let mut one = Vec::new();
    crate::limbs::push_fp(&mut one, &Fp::ONE);
    let words: Vec<String> = one.iter().map(|w| format!("0x{w:08x}u")).collect();
    format!(
        "const DIGITS: u32 = {}u;\nconst WINDOW_BITS: u32 = {}u;\nconst FP_ONE: Fp = Fp({});\n",
        pairing::SCALAR_DIGITS,
        pairing::SCALAR_WINDOW,
        words.join(", ")
    )
}

/// A scalar's signed digits as the shaders read them (i32 words), appended to `out`.
pub(crate) fn push_digits(out: &mut Vec<u32>, digits: &pairing::SignedDigits) {
    out.extend(digits.as_slice().iter().map(|&d| i32::from(d) as u32));
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::path::ArithPath;

    /// Parses and validates a module with naga, the u32 path without 64-bit integers.
    pub(crate) fn validate(path: ArithPath, src: &str) {
        let module = naga::front::wgsl::parse_str(src)
            .unwrap_or_else(|e| panic!("{path}: {}", e.emit_to_string(src)));
        let capabilities = match path {
            ArithPath::U32 => {
                naga::valid::Capabilities::all() - naga::valid::Capabilities::SHADER_INT64
            }
            ArithPath::U64 => naga::valid::Capabilities::all(),
        };
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
            .validate(&module)
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
    }
}
