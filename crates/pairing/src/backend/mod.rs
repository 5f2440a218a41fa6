//! The `PairingBackend` trait: batches of field multiplications, pairings and scalar
//! multiplications in, results out. The CPU backend here is the reference; GPU and FPGA
//! backends implement the same trait in their own crates.
//!
//! Tables are addressed by a caller-chosen [`TableKey`] and are only ever an
//! optimisation: every job also carries the point the table would be built from, so a
//! backend that has evicted (or never had) a table still computes the right answer.

mod cache;
mod cpu;
pub mod crossover;
mod policy;
mod use_counts;

pub use cache::{Selection, TableCache, TableStats};
pub use cpu::{CpuBackend, CpuConfig};
pub use crossover::Crossovers;
pub use policy::TablePolicy;

use thiserror::Error;

use crate::{AffinePoint, Fp, PfValue, Scalar};

/// Names a precomputed table: for example a hash of the key material it is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableKey(pub [u8; 32]);

/// <fixed, at>. The pairing is symmetric; the backend runs the Miller loop over `fixed`
/// (an RSK, whose lines can be precomputed) and evaluates it at `at`. Debug shows the
/// table's name; the points print redacted.
#[derive(Clone, Copy, Debug)]
pub struct PairingJob {
    pub fixed: AffinePoint,
    /// The table of `fixed`'s lines, if the caller has asked for one to be kept.
    pub table: Option<TableKey>,
    pub at: AffinePoint,
}

/// [scalar]base for a secret scalar; `base` has order q. Debug shows the table's name;
/// the point and the scalar print redacted.
#[derive(Clone, Copy, Debug)]
pub struct ScalarMulJob {
    pub base: AffinePoint,
    /// The fixed-base table of `base`, if the caller has asked for one to be kept.
    pub table: Option<TableKey>,
    pub scalar: Scalar,
}

impl zeroize::Zeroize for ScalarMulJob {
    fn zeroize(&mut self) {
        self.scalar.zeroize();
    }
}

/// A failure of the whole batch: nothing in it was computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BackendError {
    #[error("backend {backend} is unavailable: {reason}")]
    Unavailable { backend: String, reason: String },
    #[error("device error on {backend}: {message}")]
    Device { backend: String, message: String },
    #[error("input slices differ in length: {left} and {right}")]
    LengthMismatch { left: usize, right: usize },
    #[error("batch of {len} exceeds the backend's limit of {max}")]
    BatchTooLarge { len: usize, max: usize },
    #[error("table memory budget of {budget} bytes cannot hold a table of {needed} bytes")]
    TableTooLarge { budget: usize, needed: usize },
}

/// A failure of one item in an otherwise computed batch.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ItemError {
    #[error("device error on this item: {0}")]
    Device(String),
}

/// Err unless the two slices a batch pairs up have the same length.
pub fn same_length<A, B>(left: &[A], right: &[B]) -> Result<(), BackendError> {
    if left.len() == right.len() {
        Ok(())
    } else {
        Err(BackendError::LengthMismatch {
            left: left.len(),
            right: right.len(),
        })
    }
}

/// Each item's result, or the batch's failure.
pub type BatchResult<T> = Result<Vec<Result<T, ItemError>>, BackendError>;

/// What a backend can do, for schedulers and for the `sakke bench` report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Largest batch accepted in one call.
    pub max_batch: usize,
    /// Items computed at once (threads, lanes, cores).
    pub parallelism: usize,
    /// Whether precomputed tables stay resident between calls.
    pub resident_tables: bool,
    /// Memory the backend may spend on tables.
    pub table_budget_bytes: usize,
    /// One line about the hardware, for reports.
    pub description: String,
}

/// A pairing engine. Implementations must return exactly what the CPU reference returns
/// for every input; batched SAKKE checks every result with TEST and retries failures on
/// the CPU, so a faulty device costs time, never a wrong key.
pub trait PairingBackend: Send + Sync {
    /// Short stable name ("cpu", "gpu", ...), as used by `--backend`.
    fn name(&self) -> &str;

    fn capabilities(&self) -> Capabilities;

    /// a[i] * b[i] mod p: the researchers' primitive.
    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError>;

    /// <fixed, at> for each job, normalised to PF_p.
    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue>;

    /// [scalar]base for each job, in affine form.
    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint>;

    /// Whether [scalar]base equals `expected[i]` for each job: RFC 6508's TEST, run where
    /// the multiplications are. The default multiplies and compares; a backend may compare
    /// without normalising its results (the CPU backend saves an inversion per chunk).
    fn scalar_mul_eq_batch(
        &self,
        jobs: &[ScalarMulJob],
        expected: &[AffinePoint],
    ) -> BatchResult<bool> {
        same_length(jobs, expected)?;
        let points = self.scalar_mul_batch(jobs)?;
        Ok(points
            .into_iter()
            .zip(expected)
            .map(|(p, e)| p.map(|p| bool::from(subtle::ConstantTimeEq::ct_eq(&p, e))))
            .collect())
    }

    /// g^k for the fixed g = <P, P> (RFC 6509), for each exponent.
    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue>;

    /// Builds and keeps the line table of `fixed` under `key` (evicting others if the
    /// budget requires). Later jobs naming `key` use it.
    fn prepare_pairing_table(&self, key: TableKey, fixed: &AffinePoint)
        -> Result<(), BackendError>;

    /// Builds and keeps the fixed-base table of `base` under `key`.
    fn prepare_base_table(&self, key: TableKey, base: &AffinePoint) -> Result<(), BackendError>;

    /// Table memory, hits, misses, evictions and build time so far.
    fn table_stats(&self) -> TableStats;

    /// Drops every table.
    fn clear_tables(&self);

    /// Clock cycles the device has run this backend's work for in all, where it counts
    /// them (an FPGA core's cycle counter): device time apart from the host's, which a
    /// simulated device inflates. None where there is no such counter (CPU, GPU).
    fn device_cycles(&self) -> Option<u64> {
        None
    }
}
