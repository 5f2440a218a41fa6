//! The GPU backend's device layer: wgpu compute shaders (WGSL, in `shaders/` at the
//! workspace top) for batched arithmetic over RFC 6509 parameter set 1, bit-identical
//! to the `pairing` crate's CPU code.
//!
//! - [`GpuContext`]: opens the best Vulkan/Metal/DX12 adapter (a real GPU before a
//!   software one such as lavapipe) and reports it; device loss, validation errors,
//!   mapping failures and timeouts become [`GpuError`]s.
//! - [`FieldKernels`]: batched F_p multiplication, addition and subtraction and F_p2
//!   multiplication and squaring, on the [`ArithPath`] chosen from the adapter's
//!   features. Batches beyond the device's binding or grid limits are split.
//! - [`MillerKernels`]: the Miller loop of the RFC 6508 pairing, one digit of q - 1 per
//!   dispatch with the loop state in a storage buffer, equal to `pairing::miller_loop`
//!   after every step.
//! - [`TableMillerKernels`]: the Miller loop against per-RSK line tables resident in a
//!   [`TableArena`], 64 steps per dispatch.
//! - [`ScalarMulKernels`]: [k]B for secret k, windowed over a table built on the device
//!   or from a fixed-base table in a [`TableArena`] slot; [`GtPowKernels`]: g^k from the
//!   resident table of the pairing value. Each invocation does a bounded slice of the
//!   work per dispatch, with its progress in a state buffer.
//!
//! - [`GpuBackend`]: all of `PairingBackend` on these kernels, with tables kept in
//!   device memory under a budget, a self-test when it opens, and [`probe`] for listings.
//!
//! Elements travel in the CPU's Montgomery form (R = 2^1024) as 32-bit words, so
//! results need no conversion and compare bit for bit. The kernels have no branch or
//! memory index that depends on a value (fixed loop bounds, masked conditional
//! subtraction), since later kernels run them on secrets, and every device buffer that
//! held operands or results is zeroed before a call returns.

mod arena;
mod backend;
mod base_table;
mod context;
mod error;
mod field;
mod gt_pow;
mod kernel;
mod limbs;
mod miller;
mod miller_table;
mod naf;
mod path;
mod scalar_mul;
pub mod split;
mod staged;
pub mod wgsl;

pub use arena::{Slot, TableArena};
pub use backend::{probe, Fault, GpuBackend, GpuConfig, Probe, CROSSOVERS, NAME};
pub use base_table::{base_table_words, BASE_TABLE_WORDS};
pub use context::{AdapterReport, ContextOptions, GpuContext};
pub use error::GpuError;
pub use field::{FieldKernels, MAX_PRODUCTS_PER_INVOCATION};
pub use gt_pow::GtPowKernels;
pub use miller::{MillerKernels, MillerState, STEPS_PER_SUBMISSION};
pub use miller_table::{
    line_table_words, TableMillerKernels, LINE_COUNT, LINE_TABLE_WORDS, TABLE_STEPS_PER_DISPATCH,
};
pub use naf::{miller_naf, MILLER_DIGITS, MILLER_STEPS};
pub use path::ArithPath;
pub use scalar_mul::ScalarMulKernels;
