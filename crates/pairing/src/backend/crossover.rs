//! The measured crossovers: how many uses of one key within a run make building its table
//! cheaper than doing the work without it.
//!
//! Crossover = ceil(build time / (per-use time untabled - per-use time tabled)), each
//! measured on one thread on the backend itself (batches of 64, eight-lane where the path
//! has it, the median of 15 runs in CPU time). Reproduce with
//!
//! ```sh
//! cargo run --release -p pairing --example table_crossover
//! ```
//!
//! which prints every figure and these constants beside the crossovers it measured. The
//! committed output, three runs on the project's 2-core VM (AMD EPYC with AVX-512 IFMA),
//! is `bench-results/2026-12-01-table-crossover.txt`; the constants are the crossovers
//! all three runs agreed on or their middle value.

/// Uses of one key at which its table pays, per table kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Crossovers {
    /// Per-RSK line tables (pairings).
    pub lines: u32,
    /// Per-identity fixed-base tables ([r]([b]P + Z) in encapsulation, TEST).
    pub bases: u32,
}

/// `cpu` on AVX-512 IFMA: a line table takes 11 ms to build and saves 1.9 ms a pairing
/// (2.8 ms untabled, 0.87 ms tabled); a base table takes 52 ms and saves 1.2 ms a
/// multiplication (1.5 ms, 0.37 ms).
pub const IFMA: Crossovers = Crossovers {
    lines: 6,
    bases: 45,
};

/// `cpu-scalar`, the portable path: a line table takes 8 ms and saves 7.2 ms a pairing
/// (10.6 ms, 3.4 ms); a base table takes 45 ms and saves 3.9 ms a multiplication (4.9 ms,
/// 1.0 ms).
pub const PORTABLE: Crossovers = Crossovers {
    lines: 2,
    bases: 12,
};

impl Crossovers {
    /// The measured crossovers of the eight-lane path (`vector`) or the portable one.
    pub fn measured(vector: bool) -> Crossovers {
        if vector {
            IFMA
        } else {
            PORTABLE
        }
    }
}
