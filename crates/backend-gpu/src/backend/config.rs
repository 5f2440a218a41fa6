//! How a [`super::GpuBackend`] is opened: the arithmetic path, table budgets and policy,
//! dispatch size, timeout, and the faults tests inject.

use std::time::Duration;

use pairing::backend::{Crossovers, TablePolicy};

use crate::path::ArithPath;

/// Uses of a key at which [`TablePolicy::Auto`] gives it a table. A table is built on
/// the host (about one CPU pairing or 20 ms of fixed-base work) and uploaded once; an
/// untabled item costs the device about five times a tabled one, so two uses repay a
/// line table and a few a base table.
pub const CROSSOVERS: Crossovers = Crossovers { lines: 2, bases: 4 };

/// A deliberate fault, for the tests that show a faulty device never yields a wrong key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The first pairing value of every batch is wrong (after the self-test).
    CorruptPairing,
    /// The first scalar multiplication of every batch is wrong (after the self-test).
    CorruptScalarMul,
    /// The field kernels are compiled with a wrong Montgomery constant: the self-test
    /// must reject the adapter.
    BrokenFieldKernel,
}

/// Settings of a [`super::GpuBackend`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuConfig {
    /// None: the fastest path the adapter supports (u64 where it has SHADER_INT64).
    pub path: Option<ArithPath>,
    /// Device memory for per-RSK line tables (343 KiB each).
    pub line_table_budget_bytes: usize,
    /// Device memory for per-identity fixed-base tables (824 KiB each).
    pub base_table_budget_bytes: usize,
    pub tables: TablePolicy,
    /// None: [`CROSSOVERS`].
    pub crossovers: Option<Crossovers>,
    /// Caps the items of one dispatch below the device's limits (tests use a small value
    /// to exercise the splitting of batches).
    pub max_elements_per_dispatch: Option<usize>,
    /// Longest wait for one submission before it counts as a device fault.
    pub timeout: Duration,
    /// None in production.
    pub fault: Option<Fault>,
}

impl Default for GpuConfig {
    fn default() -> Self {
        GpuConfig {
            path: None,
            line_table_budget_bytes: 128 << 20,
            base_table_budget_bytes: 256 << 20,
            tables: TablePolicy::Auto,
            crossovers: None,
            max_elements_per_dispatch: None,
            timeout: Duration::from_secs(120),
            fault: None,
        }
    }
}
