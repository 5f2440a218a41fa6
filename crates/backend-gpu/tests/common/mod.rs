//! The device the tests run on, and the num-bigint oracle.
//!
//! One rule for a missing device, in one place: under CI (CI=true) a missing adapter or
//! arithmetic path fails the test, since CI installs lavapipe and must run the GPU tests;
//! elsewhere the test prints why and passes without running.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use backend_gpu::{
    ArithPath, FieldKernels, GpuContext, GpuError, GtPowKernels, MillerKernels, ScalarMulKernels,
};
use num_bigint::BigUint;
use num_traits::One;
use pairing::{AffinePoint, Fp, Fp2, JacobianPoint, Scalar};
use rand::{Rng, RngCore};

/// Whether the tests run under CI, where nothing may be skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `Some(value)`, or None after printing the reason; under CI, a panic with the reason.
pub fn require<T>(result: Result<T, GpuError>, what: &str) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) if under_ci() => {
            panic!("{what}: {e} (CI=true: GPU tests fail, never skip, without a device)")
        }
        Err(e) => {
            eprintln!("skipping GPU test: {what}: {e}");
            None
        }
    }
}

/// `GpuBackend::open(config)`, or None after printing why; under CI a missing device
/// fails the test.
pub fn open_backend(config: backend_gpu::GpuConfig) -> Option<backend_gpu::GpuBackend> {
    match backend_gpu::GpuBackend::open(config) {
        Ok(b) => Some(b),
        Err(e) if under_ci() => panic!("opening the GPU backend: {e} (CI=true: no skipping)"),
        Err(e) => {
            eprintln!("skipping GPU test: {e}");
            None
        }
    }
}

/// The test binary's one device, opened on first use.
pub fn context() -> Option<Arc<GpuContext>> {
    static CONTEXT: OnceLock<Result<Arc<GpuContext>, GpuError>> = OnceLock::new();
    let ctx = CONTEXT.get_or_init(|| {
        let ctx = GpuContext::open().map(Arc::new);
        if let Ok(ctx) = &ctx {
            eprintln!("GPU tests on {}", ctx.report());
        }
        ctx
    });
    require(ctx.clone(), "opening a GPU adapter")
}

/// The kernels of `path` with the device's own dispatch limits, shared by the tests of
/// one binary (each pipeline is compiled once).
pub fn kernels(path: ArithPath) -> Option<&'static FieldKernels> {
    static U32: OnceLock<Result<FieldKernels, GpuError>> = OnceLock::new();
    static U64: OnceLock<Result<FieldKernels, GpuError>> = OnceLock::new();
    let slot = match path {
        ArithPath::U32 => &U32,
        ArithPath::U64 => &U64,
    };
    let ctx = context()?;
    let kernels = slot.get_or_init(|| FieldKernels::new(ctx, path));
    require(
        kernels.as_ref().map_err(Clone::clone),
        &format!("the {path} path"),
    )
}

/// The Miller step of `path`, compiled once per test binary.
pub fn miller(path: ArithPath) -> Option<&'static MillerKernels> {
    static U32: OnceLock<Result<MillerKernels, GpuError>> = OnceLock::new();
    static U64: OnceLock<Result<MillerKernels, GpuError>> = OnceLock::new();
    let slot = match path {
        ArithPath::U32 => &U32,
        ArithPath::U64 => &U64,
    };
    let ctx = context()?;
    let kernels = slot.get_or_init(|| MillerKernels::new(ctx, path));
    require(
        kernels.as_ref().map_err(Clone::clone),
        &format!("the Miller step on the {path} path"),
    )
}

/// The scalar-multiplication kernels of `path`, shared by the tests of one binary (each
/// pipeline is compiled once, on first use).
pub fn scalar_mul(path: ArithPath) -> Option<&'static ScalarMulKernels> {
    static U32: OnceLock<Result<ScalarMulKernels, GpuError>> = OnceLock::new();
    static U64: OnceLock<Result<ScalarMulKernels, GpuError>> = OnceLock::new();
    let slot = match path {
        ArithPath::U32 => &U32,
        ArithPath::U64 => &U64,
    };
    let ctx = context()?;
    let kernels = slot.get_or_init(|| ScalarMulKernels::new(ctx, path));
    require(
        kernels.as_ref().map_err(Clone::clone),
        &format!("scalar multiplication on the {path} path"),
    )
}

/// The Gt-power kernel of `path`, compiled once per test binary.
pub fn gt_pow(path: ArithPath) -> Option<&'static GtPowKernels> {
    static U32: OnceLock<Result<GtPowKernels, GpuError>> = OnceLock::new();
    static U64: OnceLock<Result<GtPowKernels, GpuError>> = OnceLock::new();
    let slot = match path {
        ArithPath::U32 => &U32,
        ArithPath::U64 => &U64,
    };
    let ctx = context()?;
    let kernels = slot.get_or_init(|| GtPowKernels::new(ctx, path));
    require(
        kernels.as_ref().map_err(Clone::clone),
        &format!("Gt powers on the {path} path"),
    )
}

/// A uniformly random scalar (below q).
pub fn random_scalar(rng: &mut impl RngCore) -> Scalar {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    Scalar::reduce_be_bytes(&bytes)
}

/// [k]P for a random k: a random point of E(F_p)[q].
pub fn random_point(rng: &mut impl RngCore) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&random_scalar(rng))
        .to_affine()
}

/// The scalars at the edges of the digit recoding: 0, 1, 2 and q - 1.
pub fn edge_scalars() -> [Scalar; 4] {
    let mut q_minus_1 = pairing::constants::q();
    // q is odd: its last byte is not zero.
    q_minus_1[127] -= 1;
    let top = Scalar::from_be_bytes(&q_minus_1)
        .and_then(Option::from)
        .expect("q - 1 is a scalar");
    [Scalar::ZERO, Scalar::from_u64(1), Scalar::from_u64(2), top]
}

/// Both paths; each test runs its checks on every one of them.
pub const PATHS: [ArithPath; 2] = [ArithPath::U32, ArithPath::U64];

// ---- num-bigint oracle ----

pub fn p() -> BigUint {
    BigUint::from_bytes_be(&pairing::constants::p())
}

/// R = 2^1024 mod p.
pub fn r_mod_p() -> BigUint {
    (BigUint::one() << 1024) % p()
}

/// R^-1 mod p (p is prime).
pub fn r_inv() -> BigUint {
    r_mod_p().modpow(&(p() - 2u32), &p())
}

/// The Montgomery form of x as an integer.
pub fn mont(x: &Fp) -> BigUint {
    let words: Vec<u32> = x
        .to_montgomery_limbs()
        .iter()
        .flat_map(|l| [*l as u32, (*l >> 32) as u32])
        .collect();
    BigUint::from_slice(&words)
}

/// The element whose Montgomery form is the integer m < p.
pub fn from_mont(m: &BigUint) -> Fp {
    let digits = m.to_u64_digits();
    let mut limbs = [0u64; 16];
    limbs[..digits.len()].copy_from_slice(&digits);
    Option::from(Fp::from_montgomery_limbs(&limbs)).expect("below p")
}

/// The element with canonical value v < p.
pub fn fp(v: &BigUint) -> Fp {
    let b = v.to_bytes_be();
    let mut bytes = [0u8; 128];
    bytes[128 - b.len()..].copy_from_slice(&b);
    Option::from(Fp::from_bytes(&bytes)).expect("below p")
}

/// Edge values as Montgomery forms (the integers the device computes on): 0, 1, 2,
/// p-1, p-2, p-3, values just below p, R mod p (the form of 1), small and word-boundary
/// values, and the forms of the canonical values 1 and p-1.
pub fn edge_values() -> Vec<Fp> {
    let p = p();
    let mut ints = vec![
        BigUint::from(0u32),
        BigUint::from(1u32),
        BigUint::from(2u32),
        &p - 1u32,
        &p - 2u32,
        &p - 3u32,
        &p - (BigUint::one() << 32),
        &p - (BigUint::one() << 64),
        &p - (BigUint::one() << 512),
        r_mod_p(),
        (BigUint::one() << 32) - 1u32,
        (BigUint::one() << 1023) - 1u32,
        BigUint::one() << 1000,
    ];
    ints.push(mont(&fp(&(&p - 1u32))));
    ints.iter().map(from_mont).collect()
}

/// A uniformly random element.
pub fn random_fp(rng: &mut impl RngCore) -> Fp {
    let p = p();
    loop {
        let mut bytes = [0u8; 128];
        rng.fill_bytes(&mut bytes);
        let v = BigUint::from_bytes_be(&bytes);
        if v < p {
            return from_mont(&v);
        }
    }
}

pub fn random_fp2(rng: &mut impl RngCore) -> Fp2 {
    Fp2::new(random_fp(rng), random_fp(rng))
}

/// Random elements, with an edge value mixed in now and then.
pub fn random_batch(rng: &mut impl RngCore, len: usize) -> Vec<Fp> {
    let edges = edge_values();
    (0..len)
        .map(|_| {
            if rng.gen_ratio(1, 8) {
                edges[rng.gen_range(0..edges.len())]
            } else {
                random_fp(rng)
            }
        })
        .collect()
}

/// The Montgomery product a b R^-1 mod p, by num-bigint.
pub fn oracle_mont_mul(a: &Fp, b: &Fp) -> BigUint {
    (mont(a) * mont(b) * r_inv()) % p()
}
