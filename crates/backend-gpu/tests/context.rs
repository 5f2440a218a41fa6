//! The device context's report and the mapping of errors onto the backend trait's.

mod common;

use std::sync::Arc;
use std::time::Duration;

use backend_gpu::{
    ArithPath, ContextOptions, FieldKernels, GpuContext, GpuError, MAX_PRODUCTS_PER_INVOCATION,
};
use common::*;
use pairing::backend::BackendError;
use pairing::Fp;

#[test]
fn report_names_the_adapter_and_its_features() {
    let Some(ctx) = context() else { return };
    let report = ctx.report();
    assert!(!report.name.is_empty(), "adapter name");
    assert!(
        ["Vulkan", "Metal", "Dx12"].contains(&report.backend.as_str()),
        "backend {}",
        report.backend
    );
    let line = report.to_string();
    assert!(
        line.contains(&report.name) && line.contains("SHADER_INT64"),
        "{line}"
    );
    assert!(ctx.limits().max_compute_workgroups_per_dimension >= 65_535);
    // lavapipe (llvmpipe) offers u64 arithmetic: CI's u64 tests depend on it.
    if report.name.contains("llvmpipe") {
        assert!(report.shader_int64, "lavapipe exposes SHADER_INT64");
    }
    assert_eq!(
        ArithPath::best(report.shader_int64).needs_int64(),
        report.shader_int64
    );
}

#[test]
fn pipelines_compile_once() {
    let Some(k) = kernels(ArithPath::U32) else {
        return;
    };
    let first = k.warm_up().expect("pipelines");
    let again = k.warm_up().expect("pipelines");
    eprintln!("u32 pipelines: {first:?} to build, {again:?} when cached");
    assert!(
        again < first.max(Duration::from_millis(50)),
        "cached pipelines are not rebuilt"
    );
}

#[test]
fn u64_path_needs_int64() {
    let Some(ctx) = context() else { return };
    let result = FieldKernels::new(ctx.clone(), ArithPath::U64);
    if ctx.report().shader_int64 {
        assert!(result.is_ok());
    } else {
        assert!(matches!(result, Err(GpuError::Unsupported { .. })));
    }
}

/// A device that does not finish within the context's timeout fails the call with
/// `Timeout`: here a zero timeout and a batch of long chains, which no device finishes
/// the moment it is submitted.
#[test]
fn a_submission_past_the_timeout_is_an_error() {
    let opened = GpuContext::open_with(&ContextOptions {
        timeout: Duration::ZERO,
    });
    let Some(ctx) = require(opened, "opening a GPU adapter") else {
        return;
    };
    let kernels = FieldKernels::new(Arc::new(ctx), ArithPath::U32).expect("kernels");
    let a = vec![Fp::ONE; 256];
    let result = kernels.mul_chain_batch(&a, &a, MAX_PRODUCTS_PER_INVOCATION);
    assert_eq!(result, Err(GpuError::Timeout(Duration::ZERO)));
}

#[test]
fn errors_map_onto_the_backend_trait() {
    assert_eq!(
        GpuError::NoAdapter.into_backend_error("gpu"),
        BackendError::Unavailable {
            backend: "gpu".into(),
            reason: "no Vulkan/Metal/DX12 adapter found".into()
        }
    );
    let timeout = GpuError::Timeout(Duration::from_secs(1)).into_backend_error("gpu");
    assert!(
        matches!(timeout, BackendError::Device { .. }),
        "{timeout:?}"
    );
    for e in [
        GpuError::DeviceLost("x".into()),
        GpuError::Map("x".into()),
        GpuError::Device("x".into()),
        GpuError::BadResult { index: 0 },
    ] {
        assert!(matches!(
            e.into_backend_error("gpu"),
            BackendError::Device { .. }
        ));
    }
    assert_eq!(
        GpuError::LengthMismatch { left: 1, right: 2 }.into_backend_error("gpu"),
        BackendError::LengthMismatch { left: 1, right: 2 }
    );
}
