//! The device context's report and the mapping of errors onto the backend trait's.

mod common;

use std::time::Duration;

use backend_gpu::{ArithPath, FieldKernels, GpuError};
use common::*;
use pairing::backend::BackendError;

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
