//! When a backend builds a table for a key that a batch names.
//!
//! A table costs a fixed build time and saves a little on every later use, so whether it
//! pays depends on how often the key comes back: ski rental. [`TablePolicy::Auto`] rents
//! (computes untabled) until a key's uses, counted over the backend's life and including
//! the uses in the batch at hand, reach the crossover at which building would have been
//! cheaper, and then buys. Knowing the batch ahead makes it optimal for keys whose uses all
//! fall in one batch and keeps it within about twice the optimum otherwise.

use core::fmt;
use core::str::FromStr;

/// How the CPU backend decides to build a table for a key named in a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TablePolicy {
    /// Build once the key's uses so far, this batch's included, reach the measured
    /// crossover ([`super::Crossovers`]).
    #[default]
    Auto,
    /// Build for every key used at least twice within one batch (the rule before the
    /// crossovers were measured; kept for comparison).
    Always,
    /// Never build: the same as a zero table budget.
    Never,
}

impl TablePolicy {
    pub const NAMES: [&'static str; 3] = ["auto", "always", "never"];

    /// Whether a key without a table should get one now, given its uses in earlier
    /// batches (`earlier`, as counted since it last lost or never had a table) and in this
    /// one (`in_batch`).
    pub fn wants_table(self, crossover: u32, earlier: u32, in_batch: u32) -> bool {
        match self {
            TablePolicy::Auto => earlier.saturating_add(in_batch) >= crossover,
            TablePolicy::Always => in_batch >= 2,
            TablePolicy::Never => false,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TablePolicy::Auto => "auto",
            TablePolicy::Always => "always",
            TablePolicy::Never => "never",
        }
    }
}

impl fmt::Display for TablePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TablePolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<TablePolicy, String> {
        match s {
            "auto" => Ok(TablePolicy::Auto),
            "always" => Ok(TablePolicy::Always),
            "never" => Ok(TablePolicy::Never),
            _ => Err(format!(
                "unknown table policy {s:?}; expected one of: {}",
                TablePolicy::NAMES.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_counts_earlier_and_batch_uses_against_the_crossover() {
        let auto = TablePolicy::Auto;
        assert!(!auto.wants_table(7, 0, 6));
        assert!(auto.wants_table(7, 0, 7));
        assert!(auto.wants_table(7, 5, 2));
        assert!(!auto.wants_table(7, 5, 1));
        assert!(auto.wants_table(7, u32::MAX, 1));
    }

    #[test]
    fn always_looks_at_the_batch_alone_and_never_builds_nothing() {
        assert!(TablePolicy::Always.wants_table(40, 0, 2));
        assert!(!TablePolicy::Always.wants_table(1, 100, 1));
        assert!(!TablePolicy::Never.wants_table(1, 100, 100));
    }

    #[test]
    fn names_round_trip() {
        for name in TablePolicy::NAMES {
            assert_eq!(name.parse::<TablePolicy>().unwrap().to_string(), name);
        }
        let err = "sometimes".parse::<TablePolicy>().unwrap_err();
        assert!(err.contains("auto, always, never"), "{err}");
        assert_eq!(TablePolicy::default(), TablePolicy::Auto);
    }
}
