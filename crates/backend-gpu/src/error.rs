//! What can go wrong on the device, each with a one-line reason.

use std::time::Duration;

use pairing::backend::BackendError;
use thiserror::Error;

/// A failure of the GPU layer. Batches fail whole: nothing of a failed call is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GpuError {
    #[error("no Vulkan/Metal/DX12 adapter found")]
    NoAdapter,
    #[error("adapter {adapter} refused to open a device: {reason}")]
    RequestDevice { adapter: String, reason: String },
    #[error("the {path} path needs SHADER_INT64, which adapter {adapter} lacks")]
    Unsupported { path: String, adapter: String },
    #[error("shader or pipeline rejected: {0}")]
    Pipeline(String),
    #[error("device lost: {0}")]
    DeviceLost(String),
    #[error("device error: {0}")]
    Device(String),
    #[error("mapping a result buffer failed: {0}")]
    Map(String),
    #[error("the device did not finish within {0:?}")]
    Timeout(Duration),
    #[error("the device returned a value that is not a reduced field element (element {index})")]
    BadResult { index: usize },
    #[error("input slices differ in length: {left} and {right}")]
    LengthMismatch { left: usize, right: usize },
}

impl GpuError {
    /// The trait's error for backend `backend`: a device that cannot be used is
    /// `Unavailable`; anything that failed while computing is `Device`.
    pub fn into_backend_error(self, backend: &str) -> BackendError {
        let backend = backend.to_string();
        match self {
            GpuError::LengthMismatch { left, right } => {
                BackendError::LengthMismatch { left, right }
            }
            GpuError::NoAdapter
            | GpuError::RequestDevice { .. }
            | GpuError::Unsupported { .. }
            | GpuError::Pipeline(_) => BackendError::Unavailable {
                backend,
                reason: self.to_string(),
            },
            GpuError::DeviceLost(_)
            | GpuError::Device(_)
            | GpuError::Map(_)
            | GpuError::Timeout(_)
            | GpuError::BadResult { .. } => BackendError::Device {
                backend,
                message: self.to_string(),
            },
        }
    }
}
