//! The `gpu` entry: what a probe of the machine's adapters finds (once per process), and
//! opening a [`backend_gpu::GpuBackend`] with the registry's options.

use pairing::backend::PairingBackend;

use super::{BackendInfo, BackendOptions, RegistryError};

pub(super) const NAME: &str = "gpu";

#[cfg(feature = "gpu")]
pub(super) fn info() -> BackendInfo {
    match backend_gpu::probe() {
        Ok(probe) => BackendInfo {
            name: NAME,
            description: format!("GPU: {}, {} path", probe.adapter, probe.path),
            unavailable: None,
            software: probe.adapter.is_software(),
        },
        Err(e) => BackendInfo {
            name: NAME,
            description: "GPU (wgpu: Vulkan, Metal, DX12)".into(),
            unavailable: Some(e.to_string()),
            software: false,
        },
    }
}

#[cfg(feature = "gpu")]
pub(super) fn open(options: &BackendOptions) -> Result<Box<dyn PairingBackend>, RegistryError> {
    let (lines, bases) = options.table_budgets();
    let backend = backend_gpu::GpuBackend::open(backend_gpu::GpuConfig {
        line_table_budget_bytes: lines,
        base_table_budget_bytes: bases,
        tables: options.tables,
        ..backend_gpu::GpuConfig::default()
    })
    .map_err(|e| match e {
        pairing::backend::BackendError::Unavailable { reason, .. } => RegistryError::Unavailable {
            name: NAME.into(),
            reason,
        },
        other => RegistryError::Backend(other),
    })?;
    Ok(Box::new(backend))
}

#[cfg(not(feature = "gpu"))]
pub(super) fn info() -> BackendInfo {
    BackendInfo {
        name: NAME,
        description: "GPU (wgpu: Vulkan, Metal, DX12)".into(),
        unavailable: Some("this build has no GPU support (engine feature `gpu`)".into()),
        software: false,
    }
}

#[cfg(not(feature = "gpu"))]
pub(super) fn open(_: &BackendOptions) -> Result<Box<dyn PairingBackend>, RegistryError> {
    Err(RegistryError::Unavailable {
        name: NAME.into(),
        reason: info().unavailable.unwrap_or_default(),
    })
}
