//! The FPGA backend's device layer: a Verilog pairing core (hdl/rtl/) reached through a
//! C++ shim (cxx/) either as a Verilated model clocked in-process ([`Device::sim`]) or as
//! a Xilinx XDMA card ([`Device::xdma`]), with the sequencer's instruction set
//! ([`program`], with F_p2 arithmetic in [`fp2`]), batched Montgomery products
//! ([`modmul_batch`]), g^k ([`gt_pow`]), the Miller loop, plain ([`miller_loop_plain`])
//! and against a per-RSK line table ([`miller_loop_tabled`]), and [k]B for a secret k
//! ([`scalar_mul`]).
//!
//! Built without Verilator, [`Device::sim`] returns `FpgaError::Unavailable("built
//! without Verilator")`; [`BUILT_WITH_VERILATOR`] says which build this is.

mod backend;
mod device;
mod error;
mod ffi;
pub mod fp2;
mod gt_pow;
mod miller_plain;
mod miller_table;
mod modmul;
pub mod program;
pub mod regs;
mod scalar_mul;

pub use backend::{FpgaBackend, FpgaConfig, SIM_NAME, XDMA_NAME};
pub use device::{Device, Limbs, RunReport, XdmaPaths};
pub use error::{FpgaError, ProgramFault};
pub use gt_pow::{gt_pow, gt_pow_program, SCALAR_BITS};
pub use miller_plain::{load_miller_plain_program, miller_loop_plain, miller_plain_program};
pub use miller_table::{
    line_count, load_line_table, load_miller_table_program, miller_loop_tabled, miller_naf,
    miller_table_program, MILLER_DIGITS,
};
pub use modmul::{modmul_batch, modmul_program};
pub use scalar_mul::{scalar_mul, scalar_mul_program, LADDER_BITS};

/// Whether build.rs found Verilator and compiled the simulated core in.
pub const BUILT_WITH_VERILATOR: bool = cfg!(sakke_verilator);
