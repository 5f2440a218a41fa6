//! What can go wrong talking to the card.

use thiserror::Error;

/// The sequencer's error codes (hdl/rtl/sequencer.v).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramFault {
    /// No such opcode.
    Opcode,
    /// A field the opcode does not use is not zero.
    Reserved,
    /// A register index past the register file.
    Register,
    /// A data memory address past its end.
    Address,
    /// The program ran off the end of program memory without HALT.
    ProgramCounter,
    /// A code this driver does not know.
    Other(u8),
}

impl ProgramFault {
    pub fn from_code(code: u8) -> ProgramFault {
        match code {
            1 => ProgramFault::Opcode,
            2 => ProgramFault::Reserved,
            3 => ProgramFault::Register,
            4 => ProgramFault::Address,
            5 => ProgramFault::ProgramCounter,
            c => ProgramFault::Other(c),
        }
    }
}

#[derive(Debug, Error)]
pub enum FpgaError {
    /// No device of this kind here (built without Verilator, no /dev/xdma0_user).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The shim or the driver failed (open, mmap, a short DMA transfer).
    #[error("device: {0}")]
    Device(String),
    /// The ID register does not name this core.
    #[error("no SAKKE core: ID register reads {0:#010x}")]
    WrongId(u32),
    /// The program stopped with an error status; the card has been soft-reset.
    #[error("program fault {fault:?} at pc {pc}")]
    Program { fault: ProgramFault, pc: u16 },
    /// Still busy after the cycle limit; the card has been soft-reset.
    #[error("timed out: still busy after {cycles} cycles")]
    Timeout { cycles: u64 },
    /// Asked to do what the card cannot hold (too long a program, too many elements).
    #[error("does not fit the card: {0}")]
    Capacity(String),
}

impl From<cxx::Exception> for FpgaError {
    fn from(e: cxx::Exception) -> FpgaError {
        FpgaError::Device(e.what().to_string())
    }
}
