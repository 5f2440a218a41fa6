//! The host's side of the card: load programs and F_p elements, run, read results back.
//! The same protocol drives the Verilated core and an XDMA card.

use std::path::{Path, PathBuf};

use cxx::UniquePtr;

use pairing::Fp;

use crate::error::{FpgaError, ProgramFault};
use crate::ffi::bridge;
use crate::regs::{self, Config};

/// Limbs of one F_p element as the CPU reference stores it: 16 little-endian u64 limbs
/// (the Montgomery form of `pairing::Fp::to_montgomery_limbs`).
pub type Limbs = [u64; 16];

/// The paths of an XDMA card's character devices.
#[derive(Clone, Debug)]
pub struct XdmaPaths {
    /// The AXI4-Lite register window (mapped).
    pub user: PathBuf,
    /// Host-to-card DMA channel.
    pub h2c: PathBuf,
    /// Card-to-host DMA channel.
    pub c2h: PathBuf,
}

impl XdmaPaths {
    /// /dev/xdma{n}_user, /dev/xdma{n}_h2c_0, /dev/xdma{n}_c2h_0.
    pub fn card(n: u32) -> XdmaPaths {
        let dev = |s: &str| PathBuf::from(format!("/dev/xdma{n}_{s}"));
        XdmaPaths {
            user: dev("user"),
            h2c: dev("h2c_0"),
            c2h: dev("c2h_0"),
        }
    }
}

/// How a completed run went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// The card's cycle counter for the run (start to HALT).
    pub cycles: u64,
}

/// A card carrying the core: the simulated one or an XDMA board.
pub struct Device {
    inner: UniquePtr<bridge::Device>,
    config: Config,
    /// Card cycles of every run so far, faulted ones included.
    run_cycles: u64,
}

impl Device {
    /// The Verilated core (hdl/rtl/), clocked in this process.
    pub fn sim() -> Result<Device, FpgaError> {
        let inner =
            bridge::new_sim_device().map_err(|e| FpgaError::Unavailable(e.what().into()))?;
        Device::attach(inner)
    }

    /// An XDMA card; Unavailable when its register window does not exist.
    pub fn xdma(paths: &XdmaPaths) -> Result<Device, FpgaError> {
        if !paths.user.exists() {
            return Err(FpgaError::Unavailable(format!(
                "no {}",
                paths.user.display()
            )));
        }
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let inner = bridge::new_xdma_device(&s(&paths.user), &s(&paths.h2c), &s(&paths.c2h))?;
        Device::attach(inner)
    }

    fn attach(mut inner: UniquePtr<bridge::Device>) -> Result<Device, FpgaError> {
        let id = inner.pin_mut().read_reg(regs::REG_ID)?;
        if id != regs::ID {
            return Err(FpgaError::WrongId(id));
        }
        let config = Config::from_register(inner.pin_mut().read_reg(regs::REG_CONFIG)?);
        Ok(Device {
            inner,
            config,
            run_cycles: 0,
        })
    }

    /// The core's build parameters.
    pub fn config(&self) -> Config {
        self.config
    }

    /// VERSION: major << 16 | minor.
    pub fn version(&mut self) -> Result<u32, FpgaError> {
        self.read_reg(regs::REG_VERSION)
    }

    pub fn read_reg(&mut self, offset: u32) -> Result<u32, FpgaError> {
        Ok(self.inner.pin_mut().read_reg(offset)?)
    }

    pub fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), FpgaError> {
        Ok(self.inner.pin_mut().write_reg(offset, value)?)
    }

    /// Clock cycles the simulator has run in all (simulation rate); 0 on hardware.
    pub fn clocked_cycles(&self) -> u64 {
        self.inner.clocked_cycles()
    }

    /// Writes `words` into program memory from instruction `entry` on.
    pub fn load_program(&mut self, entry: u16, words: &[u32]) -> Result<(), FpgaError> {
        if usize::from(entry) + words.len() > self.config.program_words as usize {
            return Err(FpgaError::Capacity(format!(
                "{} instructions at {entry}: program memory holds {}",
                words.len(),
                self.config.program_words
            )));
        }
        let addr = regs::MEM_PROGRAM + 4 * u32::from(entry);
        Ok(self.inner.pin_mut().write_mem(addr, words)?)
    }

    /// Loads a whole program at address 0 and returns the cycle limit to run it under.
    pub fn load_program_at_zero(&mut self, words: &[u32]) -> Result<u64, FpgaError> {
        self.load_program(0, words)?;
        Ok(crate::program::cycle_budget(words, self.config.word_bits))
    }

    /// Overwrites the first `len` instructions of program memory with HALT: a program
    /// built from a secret scalar must not stay on the card after its run.
    pub fn wipe_program(&mut self, len: usize) -> Result<(), FpgaError> {
        self.load_program(0, &vec![0u32; len])
    }

    /// Writes elements into data memory from element `first` on.
    pub fn write_elements(&mut self, first: u16, elements: &[Limbs]) -> Result<(), FpgaError> {
        self.check_elements(first, elements.len())?;
        let words: Vec<u32> = elements.iter().flat_map(limbs_to_words).collect();
        Ok(self
            .inner
            .pin_mut()
            .write_mem(element_addr(first), &words)?)
    }

    /// Reads `count` F_p values (Montgomery form) from element `first` on. An unreduced
    /// element (>= p) is an error, never a value.
    pub fn read_fps(&mut self, first: u16, count: usize) -> Result<Vec<Fp>, FpgaError> {
        self.read_elements(first, count)?
            .iter()
            .map(fp_from_card)
            .collect()
    }

    /// Reads `count` elements of data memory from element `first` on.
    pub fn read_elements(&mut self, first: u16, count: usize) -> Result<Vec<Limbs>, FpgaError> {
        self.check_elements(first, count)?;
        let mut words = vec![0u32; count * 32];
        self.inner
            .pin_mut()
            .read_mem(element_addr(first), &mut words)?;
        Ok(words.chunks_exact(32).map(words_to_limbs).collect())
    }

    fn check_elements(&self, first: u16, count: usize) -> Result<(), FpgaError> {
        if usize::from(first) + count > self.config.data_elements as usize {
            return Err(FpgaError::Capacity(format!(
                "{count} elements at {first}: data memory holds {}",
                self.config.data_elements
            )));
        }
        Ok(())
    }

    /// Runs the program at `entry` to its HALT. A fault (error status, or still busy after
    /// `max_cycles`) soft-resets the card before it is returned, so the card is ready for
    /// the next run either way.
    pub fn run(&mut self, entry: u16, max_cycles: u64) -> Result<RunReport, FpgaError> {
        let status = self.read_reg(regs::REG_STATUS)?;
        if status & regs::STATUS_BUSY != 0 {
            self.soft_reset()?;
        }
        self.write_reg(regs::REG_DOORBELL, u32::from(entry))?;
        let status = self.inner.pin_mut().wait_idle(max_cycles)?;
        let cycles = self.cycles()?;
        self.run_cycles += cycles;
        if status & regs::STATUS_TIMEOUT != 0 {
            self.soft_reset()?;
            return Err(FpgaError::Timeout { cycles });
        }
        if status & regs::STATUS_ERROR != 0 {
            let last = self.read_reg(regs::REG_LAST_ERROR)?;
            self.soft_reset()?;
            let fault = ProgramFault::from_code(last as u8);
            return Err(FpgaError::Program {
                fault,
                pc: (last >> 16) as u16,
            });
        }
        if status & regs::STATUS_DONE == 0 {
            self.soft_reset()?;
            return Err(FpgaError::Device(format!(
                "idle without done: status {status:#x}"
            )));
        }
        Ok(RunReport { cycles })
    }

    /// Card cycles of all runs on this device so far (each run's counter, start to HALT
    /// or fault): the device time of its work, whatever the host spent around it.
    pub fn run_cycles(&self) -> u64 {
        self.run_cycles
    }

    /// The cycle counter of the current or last run.
    pub fn cycles(&mut self) -> Result<u64, FpgaError> {
        let lo = self.read_reg(regs::REG_CYCLES_LO)?;
        let hi = self.read_reg(regs::REG_CYCLES_HI)?;
        Ok(u64::from(hi) << 32 | u64::from(lo))
    }

    /// Abandons whatever the card runs; memories keep their contents.
    pub fn soft_reset(&mut self) -> Result<(), FpgaError> {
        self.write_reg(regs::REG_CONTROL, regs::CONTROL_SOFT_RESET)
    }

    /// Fault injection: the sequencer stalls before its next instruction until a soft
    /// reset. For testing the host's timeout path.
    pub fn inject_hang(&mut self) -> Result<(), FpgaError> {
        self.write_reg(regs::REG_FAULT, regs::FAULT_HANG)
    }
}

fn element_addr(index: u16) -> u32 {
    regs::MEM_DATA + regs::ELEMENT_BYTES * u32::from(index)
}

fn limbs_to_words(limbs: &Limbs) -> [u32; 32] {
    let mut words = [0u32; 32];
    for (i, l) in limbs.iter().enumerate() {
        words[2 * i] = *l as u32;
        words[2 * i + 1] = (*l >> 32) as u32;
    }
    words
}

fn words_to_limbs(words: &[u32]) -> Limbs {
    let mut limbs = [0u64; 16];
    for (i, l) in limbs.iter_mut().enumerate() {
        *l = u64::from(words[2 * i]) | u64::from(words[2 * i + 1]) << 32;
    }
    limbs
}

/// An F_p value from the card's Montgomery limbs; unreduced (>= p) is an error.
pub(crate) fn fp_from_card(l: &Limbs) -> Result<Fp, FpgaError> {
    Option::<Fp>::from(Fp::from_montgomery_limbs(l))
        .ok_or_else(|| FpgaError::Device("the card returned an unreduced element".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limbs_and_words_round_trip_low_half_first() {
        let mut l = [0u64; 16];
        l[0] = 0x1122_3344_5566_7788;
        l[15] = 0x99AA_BBCC_DDEE_FF00;
        let w = limbs_to_words(&l);
        assert_eq!(
            (w[0], w[1], w[30], w[31]),
            (0x5566_7788, 0x1122_3344, 0xDDEE_FF00, 0x99AA_BBCC)
        );
        assert_eq!(words_to_limbs(&w), l);
    }

    /// The build without Verilator still links, and says why there is no simulator.
    #[cfg(not(sakke_verilator))]
    #[test]
    fn sim_is_unavailable_without_verilator() {
        match Device::sim() {
            Err(FpgaError::Unavailable(why)) => assert_eq!(why, "built without Verilator"),
            other => panic!("{:?}", other.err()),
        }
    }
}
