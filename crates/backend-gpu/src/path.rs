//! The two ways the kernels multiply 32-bit words, chosen at run time from the adapter's
//! features.

use std::fmt;

use crate::context::AdapterReport;
use crate::error::GpuError;

/// How a 32x32 -> 64-bit word product is done on the device. Both paths use 32-bit limbs
/// in `array<u32>` buffers, so they exchange data in the same layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithPath {
    /// Portable: the high word emulated from four 16x16-bit products.
    U32,
    /// Native u64 arithmetic in the shader; needs `wgpu::Features::SHADER_INT64`.
    U64,
}

impl ArithPath {
    /// The fastest path the adapter supports: u64 where it has SHADER_INT64.
    pub fn best(shader_int64: bool) -> ArithPath {
        if shader_int64 {
            ArithPath::U64
        } else {
            ArithPath::U32
        }
    }

    /// Whether the path needs SHADER_INT64.
    pub fn needs_int64(self) -> bool {
        self == ArithPath::U64
    }

    /// Err unless the adapter can run this path.
    pub(crate) fn check_supported(self, adapter: &AdapterReport) -> Result<(), GpuError> {
        if self.needs_int64() && !adapter.shader_int64 {
            return Err(GpuError::Unsupported {
                path: self.to_string(),
                adapter: adapter.name.clone(),
            });
        }
        Ok(())
    }

    /// The WGSL `mac` (multiply-accumulate) function of this path.
    pub(crate) fn mac_source(self) -> &'static str {
        match self {
            ArithPath::U32 => include_str!("../../../shaders/mac_u32.wgsl"),
            ArithPath::U64 => include_str!("../../../shaders/mac_u64.wgsl"),
        }
    }
}

impl fmt::Display for ArithPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithPath::U32 => "u32 (32-bit limbs, emulated mul-hi)",
            ArithPath::U64 => "u64 (32-bit limbs, SHADER_INT64 products)",
        })
    }
}
