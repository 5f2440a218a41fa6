//! A backend the tests control: it records every batch, can hold batches until
//! released, and can fail or corrupt them on demand. Arithmetic is the CPU backend's.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use pairing::backend::{
    BackendError, BatchResult, Capabilities, CpuBackend, CpuConfig, PairingBackend, TableStats,
};
use pairing::{AffinePoint, Fp, PairingJob, PfValue, Scalar, ScalarMulJob, TableKey};

pub fn cpu(threads: usize) -> Arc<CpuBackend> {
    Arc::new(
        CpuBackend::new(CpuConfig {
            threads,
            ..CpuConfig::default()
        })
        .unwrap(),
    )
}

#[derive(Default)]
struct Gate {
    held: Mutex<bool>,
    changed: Condvar,
}

/// The controllable backend.
pub struct Controlled {
    name: String,
    inner: Arc<CpuBackend>,
    gate: Gate,
    /// The first operand of every multiplication batch, as u64s, batch by batch.
    pub modmul_batches: Mutex<Vec<Vec<u64>>>,
    /// Batch lengths of every call, of any operation.
    pub calls: Mutex<Vec<usize>>,
    /// Calls that are still to fail as a whole.
    pub fail_next: AtomicUsize,
    /// Corrupt item 0 of every pairing batch (TEST then fails, and the CPU retries).
    pub corrupt_pairings: bool,
    /// Calls currently waiting at the gate.
    pub waiting: AtomicUsize,
}

impl Controlled {
    pub fn new(name: &str) -> Arc<Controlled> {
        Arc::new(Controlled {
            name: name.to_string(),
            inner: cpu(1),
            gate: Gate::default(),
            modmul_batches: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
            fail_next: AtomicUsize::new(0),
            corrupt_pairings: false,
            waiting: AtomicUsize::new(0),
        })
    }

    pub fn corrupting(name: &str) -> Arc<Controlled> {
        let mut c = Arc::try_unwrap(Controlled::new(name)).ok().unwrap();
        c.corrupt_pairings = true;
        Arc::new(c)
    }

    /// Batches wait at the gate until [`release`](Self::release).
    pub fn hold(&self) {
        *self.gate.held.lock().unwrap() = true;
    }

    pub fn release(&self) {
        *self.gate.held.lock().unwrap() = false;
        self.gate.changed.notify_all();
    }

    /// Waits (at most 10 s) until a batch is waiting at the gate.
    pub fn wait_until_holding(&self) {
        for _ in 0..10_000 {
            if self.waiting.load(Ordering::SeqCst) > 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("no batch reached the gate");
    }

    fn enter(&self, len: usize) -> Result<(), BackendError> {
        self.calls.lock().unwrap().push(len);
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut held = self.gate.held.lock().unwrap();
        while *held {
            held = self.gate.changed.wait(held).unwrap();
        }
        drop(held);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let failing = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(BackendError::Device {
                backend: self.name.clone(),
                message: "injected failure".into(),
            });
        }
        Ok(())
    }

    pub fn batch_lengths(&self) -> Vec<usize> {
        self.calls.lock().unwrap().clone()
    }
}

/// The u64 a test put into an Fp with `Fp::from_u64`.
pub fn small(x: &Fp) -> u64 {
    let bytes = x.to_bytes();
    u64::from_be_bytes(bytes[120..].try_into().unwrap())
}

impl PairingBackend for Controlled {
    fn name(&self) -> &str {
        &self.name
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError> {
        self.enter(a.len())?;
        self.modmul_batches
            .lock()
            .unwrap()
            .push(a.iter().map(small).collect());
        self.inner.modmul_batch(a, b)
    }
    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        self.enter(jobs.len())?;
        let mut out = self.inner.pairing_batch(jobs)?;
        if self.corrupt_pairings {
            if let Some(Ok(v)) = out.get_mut(0) {
                *v = v.mul(&PfValue::generator());
            }
        }
        Ok(out)
    }
    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        self.enter(jobs.len())?;
        self.inner.scalar_mul_batch(jobs)
    }
    fn scalar_mul_eq_batch(
        &self,
        jobs: &[ScalarMulJob],
        expected: &[AffinePoint],
    ) -> BatchResult<bool> {
        self.inner.scalar_mul_eq_batch(jobs, expected)
    }
    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        self.inner.gt_pow_batch(exponents)
    }
    fn prepare_pairing_table(
        &self,
        key: TableKey,
        fixed: &AffinePoint,
    ) -> Result<(), BackendError> {
        self.inner.prepare_pairing_table(key, fixed)
    }
    fn prepare_base_table(&self, key: TableKey, base: &AffinePoint) -> Result<(), BackendError> {
        self.inner.prepare_base_table(key, base)
    }
    fn table_stats(&self) -> TableStats {
        self.inner.table_stats()
    }
    fn clear_tables(&self) {
        self.inner.clear_tables()
    }
}
