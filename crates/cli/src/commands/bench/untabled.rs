//! A view of a backend that never uses a precomputed table, for the "without tables"
//! figures. Batched SAKKE always names the keys' tables, and a backend may build a table
//! within a batch for a key that repeats, so emptying its cache is not enough: the table
//! names are taken out of every job instead.

use pairing::backend::{
    BackendError, BatchResult, Capabilities, PairingBackend, PairingJob, ScalarMulJob, TableKey,
    TableStats,
};
use pairing::{AffinePoint, Fp, PfValue, Scalar};
use zeroize::Zeroize;

/// Forwards every call to the inner backend with `table: None` in each job.
pub struct Untabled<'a>(pub &'a dyn PairingBackend);

impl PairingBackend for Untabled<'_> {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }

    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError> {
        self.0.modmul_batch(a, b)
    }

    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        let mut plain: Vec<PairingJob> = jobs
            .iter()
            .map(|j| PairingJob { table: None, ..*j })
            .collect();
        let out = self.0.pairing_batch(&plain);
        // The fixed points may be RSKs: wipe the copies.
        for job in plain.iter_mut() {
            job.fixed.zeroize();
        }
        out
    }

    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        let mut plain: Vec<ScalarMulJob> = jobs
            .iter()
            .map(|j| ScalarMulJob { table: None, ..*j })
            .collect();
        let out = self.0.scalar_mul_batch(&plain);
        for job in plain.iter_mut() {
            job.zeroize();
        }
        out
    }

    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        self.0.gt_pow_batch(exponents)
    }

    fn prepare_pairing_table(&self, _: TableKey, _: &AffinePoint) -> Result<(), BackendError> {
        Ok(())
    }

    fn prepare_base_table(&self, _: TableKey, _: &AffinePoint) -> Result<(), BackendError> {
        Ok(())
    }

    fn table_stats(&self) -> TableStats {
        self.0.table_stats()
    }

    fn clear_tables(&self) {
        self.0.clear_tables()
    }

    fn device_cycles(&self) -> Option<u64> {
        self.0.device_cycles()
    }
}
