//! The register window and card memory map of hdl/rtl/host_regs.v and sakke_core.v.

/// "SAKE": what the ID register reads on a card carrying this core.
pub const ID: u32 = 0x5341_4B45;

pub const REG_ID: u32 = 0x00;
pub const REG_VERSION: u32 = 0x04;
pub const REG_CONTROL: u32 = 0x08;
pub const REG_STATUS: u32 = 0x0C;
pub const REG_DOORBELL: u32 = 0x10;
pub const REG_CYCLES_LO: u32 = 0x14;
pub const REG_CYCLES_HI: u32 = 0x18;
pub const REG_LAST_ERROR: u32 = 0x1C;
pub const REG_FAULT: u32 = 0x20;
pub const REG_CONFIG: u32 = 0x24;

/// CONTROL: soft reset (abandons the program; memories keep their contents).
pub const CONTROL_SOFT_RESET: u32 = 1 << 1;
/// FAULT: the sequencer stalls before its next instruction (fault injection).
pub const FAULT_HANG: u32 = 1 << 0;

pub const STATUS_BUSY: u32 = 1 << 0;
pub const STATUS_DONE: u32 = 1 << 1;
pub const STATUS_ERROR: u32 = 1 << 2;
/// Added by the shim's wait (cxx/device.h), never by the card.
pub const STATUS_TIMEOUT: u32 = 1 << 31;

/// Card memory: program memory, one 32-bit instruction per word.
pub const MEM_PROGRAM: u32 = 0x00_0000;
/// Card memory: data memory, F_p elements of 32 little-endian 32-bit words (128 bytes).
pub const MEM_DATA: u32 = 0x10_0000;
pub const ELEMENT_BYTES: u32 = 128;

/// The core's build parameters, from its CONFIG register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The multiplier's word size in bits.
    pub word_bits: u32,
    /// Working registers.
    pub registers: u32,
    /// F_p elements of data memory.
    pub data_elements: u32,
    /// Instructions of program memory.
    pub program_words: u32,
}

impl Config {
    pub fn from_register(v: u32) -> Config {
        Config {
            word_bits: v & 0xFF,
            registers: (v >> 8) & 0xFF,
            data_elements: 1 << ((v >> 16) & 0xFF),
            program_words: 1 << ((v >> 24) & 0xFF),
        }
    }
}
