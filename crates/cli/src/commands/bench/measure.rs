//! The timing loop of one cell: run the batch until enough time has been measured.

use std::time::{Duration, Instant};

use anyhow::Result;
use pairing::backend::PairingBackend;

use super::workload::Batch;
use crate::machine::process_cpu_seconds;

/// Totals over every run of one batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measurement {
    pub batches: u64,
    pub ops: u64,
    pub seconds: f64,
    pub retried: u64,
    pub backend_failures: u64,
    /// CPU seconds this process used per wall-clock second over the cell (checks
    /// included): near the thread count when the backend had the cores to itself, lower
    /// when other work on the machine took them.
    pub cpu_per_wall: Option<f64>,
    /// CPU seconds this process used over the cell: for a device backend, the host's
    /// share of the work (encoding, table builds, final steps, checks).
    pub cpu_seconds: Option<f64>,
    /// Device clock cycles over the cell, where the backend counts them (an FPGA card).
    pub device_cycles: Option<u64>,
}

impl Measurement {
    pub fn ops_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ops as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Host CPU microseconds per item, over the whole cell (checks included).
    pub fn host_cpu_us_per_op(&self) -> Option<f64> {
        self.cpu_seconds
            .filter(|_| self.ops > 0)
            .map(|cpu| cpu * 1e6 / self.ops as f64)
    }

    /// Device cycles per item, where the backend counts them.
    pub fn device_cycles_per_op(&self) -> Option<f64> {
        self.device_cycles
            .filter(|_| self.ops > 0)
            .map(|c| c as f64 / self.ops as f64)
    }

    pub fn seconds_per_op(&self) -> f64 {
        if self.ops > 0 {
            self.seconds / self.ops as f64
        } else {
            0.0
        }
    }
}

/// Runs `batch` at least once and until the timed runs add up to `min_time`. Each run is
/// checked; a wrong result ends the measurement with an error.
pub fn measure(
    batch: &Batch<'_>,
    backend: &dyn PairingBackend,
    min_time: Duration,
) -> Result<Measurement> {
    let mut m = Measurement::default();
    let mut timed = Duration::ZERO;
    let cpu_start = process_cpu_seconds();
    let cycles_start = backend.device_cycles();
    let wall_start = Instant::now();
    loop {
        let run = batch.run(backend)?;
        timed += run.elapsed;
        m.batches += 1;
        m.ops += batch.len() as u64;
        m.retried += run.retried as u64;
        m.backend_failures += u64::from(run.backend_failed);
        if timed >= min_time {
            break;
        }
    }
    m.seconds = timed.as_secs_f64();
    let wall = wall_start.elapsed().as_secs_f64();
    // Ticks are 10 ms: shorter cells would give noise, not a figure.
    m.cpu_seconds = match (cpu_start, process_cpu_seconds()) {
        (Some(start), Some(end)) if wall >= 0.2 => Some(end - start),
        _ => None,
    };
    m.cpu_per_wall = m.cpu_seconds.map(|cpu| cpu / wall);
    m.device_cycles = match (cycles_start, backend.device_cycles()) {
        (Some(start), Some(end)) => Some(end.saturating_sub(start)),
        _ => None,
    };
    Ok(m)
}
