//! `FpgaBackend`: the whole `PairingBackend` trait on the card programs of this crate,
//! for the simulated core (`fpga-sim`) or an XDMA card (`fpga-xdma`).
//!
//! One card, used one run at a time under a lock: products, pairings (tabled when the job
//! names a prepared line table, plain otherwise), scalar multiplications and g^k each run
//! as one program per item, and the host finishes what needs an inversion (the final
//! normalisation to PF_p and to affine points). Line tables are built on the host, kept
//! in a `TableCache` under the budget, and uploaded into card memory when a job needs one
//! that is not already there. The card has no fixed-base tables yet: `prepare_base_table`
//! keeps nothing, and scalar multiplication always runs the ladder.
//!
//! A fault on one item (error status, cycle timeout, an unreduced element) soft-resets
//! the card and fails that item only, as an `ItemError`: batched SAKKE then retries it on
//! the CPU, and TEST catches a wrong value, so a fault costs time, never a wrong key.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use pairing::backend::{
    same_length, BackendError, BatchResult, Capabilities, ItemError, PairingBackend, PairingJob,
    ScalarMulJob, TableCache, TableKey, TableStats,
};
use pairing::{final_exponentiation, AffinePoint, Fp, Fp2, LineTable, PfValue, Scalar};

use crate::device::{fp_from_card, Device, Limbs, XdmaPaths};
use crate::error::FpgaError;
use crate::{gt_pow, miller_plain, miller_table, modmul, scalar_mul};

/// Registry names.
pub const SIM_NAME: &str = "fpga-sim";
pub const XDMA_NAME: &str = "fpga-xdma";

/// Options.
#[derive(Clone, Debug)]
pub struct FpgaConfig {
    /// Host memory for line tables (the card holds the one in use).
    pub line_table_budget_bytes: usize,
}

impl Default for FpgaConfig {
    fn default() -> Self {
        FpgaConfig {
            line_table_budget_bytes: 128 << 20,
        }
    }
}

/// What program memory holds (a soft reset keeps it), with its cycle limit, so that
/// consecutive pairings of one kind load their program once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Loaded {
    Other,
    Plain(u64),
    Tabled(u64),
}

struct Card {
    device: Device,
    program: Loaded,
    /// The line table in card memory, if any.
    table: Option<TableKey>,
}

pub struct FpgaBackend {
    name: &'static str,
    description: String,
    card: Mutex<Card>,
    lines: TableCache<LineTable>,
}

impl FpgaBackend {
    /// The simulated core; Unavailable when the crate was built without Verilator.
    pub fn sim(config: FpgaConfig) -> Result<FpgaBackend, BackendError> {
        let device = Device::sim().map_err(|e| unavailable(SIM_NAME, e))?;
        let c = device.config();
        let description = format!(
            "Verilated sakke_core (simulated, ~1M cycles/s): W = {} multiplier, {} registers",
            c.word_bits, c.registers
        );
        Ok(FpgaBackend::new(SIM_NAME, description, device, config))
    }

    /// The card behind /dev/xdma0_*; Unavailable when there is none.
    pub fn xdma(config: FpgaConfig) -> Result<FpgaBackend, BackendError> {
        let paths = XdmaPaths::card(0);
        let device = Device::xdma(&paths).map_err(|e| unavailable(XDMA_NAME, e))?;
        let description = format!("XDMA card {}", paths.user.display());
        Ok(FpgaBackend::new(XDMA_NAME, description, device, config))
    }

    fn new(name: &'static str, description: String, device: Device, config: FpgaConfig) -> Self {
        FpgaBackend {
            name,
            description,
            card: Mutex::new(Card {
                device,
                program: Loaded::Other,
                table: None,
            }),
            lines: TableCache::new(config.line_table_budget_bytes),
        }
    }

    fn card(&self) -> MutexGuard<'_, Card> {
        // Every run leaves the card idle (a fault soft-resets it), so a panic elsewhere
        // while holding the lock leaves nothing to repair.
        self.card.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Fault injection for tests: the card's sequencer hangs before its next instruction
    /// (until the soft reset that the resulting timeout triggers).
    pub fn inject_hang(&self) -> Result<(), FpgaError> {
        self.card().device.inject_hang()
    }

    fn device_error(&self, e: FpgaError) -> BackendError {
        BackendError::Device {
            backend: self.name.into(),
            message: e.to_string(),
        }
    }

    /// f of one pairing job: tabled if its table is prepared, plain otherwise.
    fn miller_loop(&self, card: &mut Card, job: &PairingJob) -> Result<Fp2, FpgaError> {
        let table = job.table.and_then(|key| {
            let selection = self.lines.select(&[(key, 1)], |_, _| false);
            selection.resident.get(&key).cloned().map(|t| (key, t))
        });
        if let Some((key, table)) = table {
            if card.table != Some(key) {
                card.table = None;
                miller_table::load_line_table(&mut card.device, &table)?;
                card.table = Some(key);
            }
            let budget = match card.program {
                Loaded::Tabled(budget) => budget,
                _ => {
                    card.program = Loaded::Other;
                    let budget = miller_table::load_miller_table_program(&mut card.device)?;
                    card.program = Loaded::Tabled(budget);
                    budget
                }
            };
            return Ok(miller_table::miller_loop_tabled(&mut card.device, &job.at, budget)?.0);
        }
        // The plain program's data (elements 0..8) lies below a resident table's lines.
        let budget = match card.program {
            Loaded::Plain(budget) => budget,
            _ => {
                card.program = Loaded::Other;
                let budget = miller_plain::load_miller_plain_program(&mut card.device)?;
                card.program = Loaded::Plain(budget);
                budget
            }
        };
        Ok(miller_plain::miller_loop_plain(&mut card.device, &job.fixed, &job.at, budget)?.0)
    }
}

fn unavailable(name: &str, e: FpgaError) -> BackendError {
    let reason = match e {
        FpgaError::Unavailable(why) => why,
        other => other.to_string(),
    };
    BackendError::Unavailable {
        backend: name.into(),
        reason,
    }
}

fn item<T>(r: Result<T, FpgaError>) -> Result<T, ItemError> {
    r.map_err(|e| ItemError::Device(e.to_string()))
}

impl PairingBackend for FpgaBackend {
    fn name(&self) -> &str {
        self.name
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_batch: usize::MAX,
            parallelism: 1,
            resident_tables: true,
            table_budget_bytes: self.lines.stats().budget_bytes,
            description: self.description.clone(),
        }
    }

    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError> {
        same_length(a, b)?;
        let pairs: Vec<(Limbs, Limbs)> = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x.to_montgomery_limbs(), y.to_montgomery_limbs()))
            .collect();
        let mut card = self.card();
        card.program = Loaded::Other;
        card.table = None; // products use the start of data memory
        let out =
            modmul::modmul_batch(&mut card.device, &pairs).map_err(|e| self.device_error(e))?;
        out.iter()
            .map(fp_from_card)
            .collect::<Result<_, _>>()
            .map_err(|e| self.device_error(e))
    }

    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        let mut card = self.card();
        Ok(jobs
            .iter()
            .map(|job| item(self.miller_loop(&mut card, job)).map(|f| final_exponentiation(&f)))
            .collect())
    }

    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        let mut card = self.card();
        card.program = Loaded::Other;
        card.table = None;
        Ok(jobs
            .iter()
            .map(|job| {
                item(scalar_mul::scalar_mul(
                    &mut card.device,
                    &job.base,
                    &job.scalar,
                ))
                .map(|r| r.0)
            })
            .collect())
    }

    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        let mut card = self.card();
        card.program = Loaded::Other;
        card.table = None;
        Ok(exponents
            .iter()
            .map(|k| item(gt_pow::gt_pow(&mut card.device, k)).map(|r| r.0))
            .collect())
    }

    fn prepare_pairing_table(
        &self,
        key: TableKey,
        fixed: &AffinePoint,
    ) -> Result<(), BackendError> {
        if self.lines.contains(&key) {
            return Ok(());
        }
        let start = Instant::now();
        let table = LineTable::build(fixed, false);
        let bytes = table.memory_bytes();
        if !self
            .lines
            .insert(key, Arc::new(table), bytes, start.elapsed())
        {
            return Err(BackendError::TableTooLarge {
                budget: self.lines.stats().budget_bytes,
                needed: bytes,
            });
        }
        Ok(())
    }

    /// The card has no fixed-base tables: nothing is kept, scalar multiplication runs the
    /// ladder either way (tables are only ever an optimisation).
    fn prepare_base_table(&self, _key: TableKey, _base: &AffinePoint) -> Result<(), BackendError> {
        Ok(())
    }

    fn table_stats(&self) -> TableStats {
        self.lines.stats()
    }

    fn clear_tables(&self) {
        self.lines.clear();
        self.card().table = None;
    }

    fn device_cycles(&self) -> Option<u64> {
        Some(self.card().device.run_cycles())
    }
}
