//! Batched F_p and F_p2 arithmetic on the device: the public face of the field kernels.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pairing::{Fp, Fp2};
use zeroize::Zeroizing;

use crate::context::GpuContext;
use crate::error::GpuError;
use crate::kernel::BatchKernel;
use crate::limbs;
use crate::path::ArithPath;
use crate::wgsl::{self, LIMBS};

/// The most F_p products any kernel of this crate does in one invocation. The chain test
/// runs this many in one invocation and compares with the CPU, so a driver whose loop cap
/// is too low for our kernels fails a test instead of returning wrong values in
/// production. On lavapipe (65,535 loop iterations per invocation; a product costs 32,
/// plus one for the chain's own loop) chains of 1,900 products come out right and chains
/// of 1,980 wrong, so this leaves a margin of almost two.
pub const MAX_PRODUCTS_PER_INVOCATION: u32 = 1024;

/// The entry points of shaders/field_kernels.wgsl; the discriminant indexes the
/// pipeline cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
    FpMul = 0,
    FpAdd,
    FpSub,
    Fp2Mul,
    Fp2Square,
    FpMulChain,
}

impl Kernel {
    const ALL: [Kernel; 6] = [
        Kernel::FpMul,
        Kernel::FpAdd,
        Kernel::FpSub,
        Kernel::Fp2Mul,
        Kernel::Fp2Square,
        Kernel::FpMulChain,
    ];

    fn entry(self) -> &'static str {
        match self {
            Kernel::FpMul => "fp_mul_batch",
            Kernel::FpAdd => "fp_add_batch",
            Kernel::FpSub => "fp_sub_batch",
            Kernel::Fp2Mul => "fp2_mul_batch",
            Kernel::Fp2Square => "fp2_square_batch",
            Kernel::FpMulChain => "fp_mul_chain",
        }
    }

    /// (input bindings, words per element)
    fn shape(self) -> (usize, usize) {
        match self {
            Kernel::FpMul | Kernel::FpAdd | Kernel::FpSub | Kernel::FpMulChain => (2, LIMBS),
            Kernel::Fp2Mul => (2, 2 * LIMBS),
            Kernel::Fp2Square => (1, 2 * LIMBS),
        }
    }
}

/// The field kernels of one arithmetic path on one device. Each pipeline is compiled on
/// first use and kept (1-2 s per entry point on lavapipe). Device buffers and the
/// host-side copies of operands and results in device layout are zeroed after each call.
/// Clones share the module and the compiled pipelines.
#[derive(Clone)]
pub struct FieldKernels {
    ctx: Arc<GpuContext>,
    path: ArithPath,
    module: wgpu::ShaderModule,
    max_per_dispatch: usize,
    pipelines: Arc<Mutex<[Option<Arc<BatchKernel>>; Kernel::ALL.len()]>>,
}

impl FieldKernels {
    /// The kernels of `path` on `ctx`; Err if the path needs a feature the device lacks
    /// or the shader does not compile.
    pub fn new(ctx: Arc<GpuContext>, path: ArithPath) -> Result<FieldKernels, GpuError> {
        FieldKernels::from_source(ctx, path, wgsl::field_module_source(path))
    }

    /// The kernels with a wrong Montgomery constant (-p^-1 mod 2^32 off by one): every
    /// product is wrong. Only for the test that the backend's self-test rejects a broken
    /// kernel.
    pub fn new_broken_for_test(
        ctx: Arc<GpuContext>,
        path: ArithPath,
    ) -> Result<FieldKernels, GpuError> {
        let good = format!(
            "const P_INV: u32 = 0x{:08x}u;",
            wgsl::neg_inv_u32(wgsl::p_words()[0])
        );
        let bad = format!(
            "const P_INV: u32 = 0x{:08x}u;",
            wgsl::neg_inv_u32(wgsl::p_words()[0]).wrapping_add(1)
        );
        let source = wgsl::field_module_source(path);
        assert!(source.contains(&good), "the constant to break");
        FieldKernels::from_source(ctx, path, source.replace(&good, &bad))
    }

    fn from_source(
        ctx: Arc<GpuContext>,
        path: ArithPath,
        source: String,
    ) -> Result<FieldKernels, GpuError> {
        path.check_supported(ctx.report())?;
        let module = ctx.validated(|device| {
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("field kernels"),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            })
        })?;
        Ok(FieldKernels {
            ctx,
            path,
            module,
            max_per_dispatch: usize::MAX,
            pipelines: Arc::new(Mutex::new(Default::default())),
        })
    }

    /// Caps the elements per dispatch below what the device allows (which stays the cap
    /// when it is lower): batches above it are split. Tests use a small value to exercise
    /// the splitting.
    pub fn with_max_elements_per_dispatch(mut self, max: usize) -> FieldKernels {
        assert!(max > 0, "a dispatch must hold at least one element");
        self.max_per_dispatch = max;
        self
    }

    pub fn path(&self) -> ArithPath {
        self.path
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// The F_p elements one dispatch of `modmul_batch` holds at most.
    pub fn max_fp_per_dispatch(&self) -> Result<usize, GpuError> {
        let kernel = self.kernel(Kernel::FpMul)?;
        Ok(self.max_per_dispatch.min(kernel.device_limit(&self.ctx)))
    }

    /// Compiles every pipeline now, returning how long that took (for reports; otherwise
    /// each is compiled on first use).
    pub fn warm_up(&self) -> Result<Duration, GpuError> {
        let start = Instant::now();
        for k in Kernel::ALL {
            self.kernel(k)?;
        }
        Ok(start.elapsed())
    }

    fn kernel(&self, k: Kernel) -> Result<Arc<BatchKernel>, GpuError> {
        let index = k as usize;
        let mut pipelines = self
            .pipelines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(kernel) = &pipelines[index] {
            return Ok(Arc::clone(kernel));
        }
        let (inputs, words) = k.shape();
        let kernel = Arc::new(BatchKernel::new(
            &self.ctx,
            &self.module,
            k.entry(),
            inputs,
            words,
        )?);
        pipelines[index] = Some(Arc::clone(&kernel));
        Ok(kernel)
    }

    fn run_fp(&self, k: Kernel, a: &[Fp], b: &[Fp], steps: u32) -> Result<Vec<Fp>, GpuError> {
        same_length(a.len(), b.len())?;
        let wa = Zeroizing::new(limbs::fp_words(a));
        let wb = Zeroizing::new(limbs::fp_words(b));
        let words = Zeroizing::new(self.kernel(k)?.run(
            &self.ctx,
            &[wa.as_slice(), wb.as_slice()],
            a.len(),
            steps,
            self.max_per_dispatch,
        )?);
        limbs::fp_from_words(&words)
    }

    /// a[i] * b[i] for each i, bit-identical to `pairing::Fp`'s multiplication.
    pub fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, GpuError> {
        self.run_fp(Kernel::FpMul, a, b, 0)
    }

    /// a[i] + b[i] for each i.
    pub fn add_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, GpuError> {
        self.run_fp(Kernel::FpAdd, a, b, 0)
    }

    /// a[i] - b[i] for each i.
    pub fn sub_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, GpuError> {
        self.run_fp(Kernel::FpSub, a, b, 0)
    }

    /// a[i] * b[i]^steps for each i, every product in the same invocation: the probe for
    /// per-invocation loop caps (see [`MAX_PRODUCTS_PER_INVOCATION`]).
    pub fn mul_chain_batch(&self, a: &[Fp], b: &[Fp], steps: u32) -> Result<Vec<Fp>, GpuError> {
        self.run_fp(Kernel::FpMulChain, a, b, steps)
    }

    /// a[i] * b[i] in F_p2 for each i.
    pub fn fp2_mul_batch(&self, a: &[Fp2], b: &[Fp2]) -> Result<Vec<Fp2>, GpuError> {
        same_length(a.len(), b.len())?;
        let wa = Zeroizing::new(limbs::fp2_words(a));
        let wb = Zeroizing::new(limbs::fp2_words(b));
        let words = Zeroizing::new(self.kernel(Kernel::Fp2Mul)?.run(
            &self.ctx,
            &[wa.as_slice(), wb.as_slice()],
            a.len(),
            0,
            self.max_per_dispatch,
        )?);
        limbs::fp2_from_words(&words)
    }

    /// a[i]^2 in F_p2 for each i.
    pub fn fp2_square_batch(&self, a: &[Fp2]) -> Result<Vec<Fp2>, GpuError> {
        let wa = Zeroizing::new(limbs::fp2_words(a));
        let words = Zeroizing::new(self.kernel(Kernel::Fp2Square)?.run(
            &self.ctx,
            &[wa.as_slice()],
            a.len(),
            0,
            self.max_per_dispatch,
        )?);
        limbs::fp2_from_words(&words)
    }
}

fn same_length(left: usize, right: usize) -> Result<(), GpuError> {
    if left == right {
        Ok(())
    } else {
        Err(GpuError::LengthMismatch { left, right })
    }
}
