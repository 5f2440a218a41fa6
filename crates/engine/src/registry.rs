//! Every backend this build knows, whether it can run on this machine, and why not.

mod fpga;
mod gpu;

use pairing::backend::{BackendError, CpuBackend, CpuConfig, PairingBackend, TablePolicy};
use thiserror::Error;

/// Every backend name this build knows, in order of preference.
const NAMES: [&str; 5] = ["cpu", "cpu-scalar", gpu::NAME, fpga::SIM, fpga::XDMA];

/// One known backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    pub name: &'static str,
    /// One line: what it runs on.
    pub description: String,
    /// None when it can be opened here; otherwise the one-line reason it cannot.
    pub unavailable: Option<String>,
    /// Runs on a software emulation of its hardware (lavapipe for `gpu`): right
    /// answers, meaningless speed, so `sakke bench` measures it only when named.
    pub software: bool,
    /// Whether [`BackendOptions::threads`] applies (CPU backends); a device backend's
    /// parallelism is its own.
    pub threaded: bool,
}

/// Options shared by every backend; each takes what applies to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendOptions {
    /// CPU worker threads (0: one per core).
    pub threads: usize,
    /// Memory for precomputed tables, in bytes, split between per-RSK line tables (one
    /// third) and per-identity fixed-base tables (two thirds, as they are larger).
    pub table_budget_bytes: usize,
    /// When a key gets a table: once its uses in the run reach the measured crossover
    /// (`Auto`, the default), on its second use within a batch (`Always`), or never.
    pub tables: TablePolicy,
}

impl BackendOptions {
    /// (line tables, base tables): the budget split one third, two thirds.
    pub fn table_budgets(&self) -> (usize, usize) {
        let lines = self.table_budget_bytes / 3;
        (lines, self.table_budget_bytes - lines)
    }
}

impl Default for BackendOptions {
    fn default() -> Self {
        BackendOptions {
            threads: 0,
            table_budget_bytes: 384 << 20,
            tables: TablePolicy::Auto,
        }
    }
}

#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("unknown backend {name:?}; known backends: {known}")]
    Unknown { name: String, known: String },
    #[error("backend {name} is not available on this machine: {reason}")]
    Unavailable { name: String, reason: String },
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// The backends this build knows, in order of preference.
pub fn available() -> Vec<BackendInfo> {
    let vector = vector_unit();
    let mut list = vec![
        BackendInfo {
            name: "cpu",
            description: format!(
                "CPU, {} core(s), rayon-batched Montgomery arithmetic{}",
                cores(),
                if vector {
                    ", AVX-512 IFMA eight items per instruction"
                } else {
                    ""
                }
            ),
            unavailable: None,
            software: false,
            threaded: true,
        },
        BackendInfo {
            name: "cpu-scalar",
            description: format!(
                "CPU, {} core(s), portable 64-bit code only (the reference)",
                cores()
            ),
            unavailable: None,
            software: false,
            threaded: true,
        },
        gpu::info(),
    ];
    list.extend(fpga::infos());
    list
}

fn vector_unit() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        pairing::simd::ifma_available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// `info` after opening the backend with default options, for listings that should show
/// what opening would find: an adapter that fails its self-test is unavailable, with
/// the reason. (Slow for a GPU on a software driver, which compiles its kernels.)
pub fn checked(info: BackendInfo) -> BackendInfo {
    if info.unavailable.is_some() {
        return info;
    }
    match open(info.name, &BackendOptions::default()) {
        Ok(_) => info,
        Err(RegistryError::Unavailable { reason, .. }) => BackendInfo {
            unavailable: Some(reason),
            ..info
        },
        Err(e) => BackendInfo {
            unavailable: Some(e.to_string()),
            ..info
        },
    }
}

/// Opens the backend called `name`.
pub fn open(
    name: &str,
    options: &BackendOptions,
) -> Result<Box<dyn PairingBackend>, RegistryError> {
    // Only the named backend is probed: opening `cpu` does not look for a GPU.
    if !NAMES.contains(&name) {
        return Err(RegistryError::Unknown {
            name: name.to_string(),
            known: NAMES.join(", "),
        });
    }
    let cpu = |vector: bool| {
        CpuBackend::new(CpuConfig {
            threads: options.threads,
            line_table_budget_bytes: options.table_budgets().0,
            base_table_budget_bytes: options.table_budgets().1,
            vector,
            tables: options.tables,
            crossovers: None,
        })
    };
    match name {
        "cpu" => Ok(Box::new(cpu(true)?)),
        "cpu-scalar" => Ok(Box::new(cpu(false)?)),
        fpga::SIM | fpga::XDMA => fpga::open(name, options),
        _ => gpu::open(options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_is_listed_and_opens() {
        let list = available();
        assert!(list
            .iter()
            .any(|b| b.name == "cpu" && b.unavailable.is_none()));
        let cpu = open(
            "cpu",
            &BackendOptions {
                threads: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(cpu.name(), "cpu");
        assert_eq!(cpu.capabilities().parallelism, 1);
    }

    #[test]
    fn the_table_policy_reaches_the_backend() {
        for name in ["cpu", "cpu-scalar"] {
            let open = |tables| {
                open(
                    name,
                    &BackendOptions {
                        threads: 1,
                        tables,
                        ..Default::default()
                    },
                )
                .unwrap()
            };
            let budget = |b: Box<dyn PairingBackend>| b.capabilities().table_budget_bytes;
            assert_eq!(budget(open(TablePolicy::Auto)), 384 << 20, "{name}");
            assert_eq!(budget(open(TablePolicy::Always)), 384 << 20, "{name}");
            // `never` is a zero budget: an explicit build is refused.
            let never = open(TablePolicy::Never);
            assert_eq!(never.capabilities().table_budget_bytes, 0, "{name}");
            let p = pairing::AffinePoint::generator();
            let key = pairing::TableKey([7; 32]);
            assert!(never.prepare_pairing_table(key, &p).is_err(), "{name}");
        }
    }

    /// Both FPGA entries are listed; each opens, or says in one line why not.
    #[test]
    fn fpga_entries_open_or_say_why_not() {
        for name in ["fpga-sim", "fpga-xdma"] {
            let info = available().into_iter().find(|b| b.name == name).unwrap();
            match (&info.unavailable, open(name, &BackendOptions::default())) {
                (None, Ok(backend)) => assert_eq!(backend.name(), name),
                (Some(why), Err(RegistryError::Unavailable { reason, .. })) => {
                    assert!(!why.is_empty() && !why.contains('\n'), "{why}");
                    assert_eq!(*why, reason);
                }
                (why, other) => panic!("{name}: listed {why:?}, opened {:?}", other.err()),
            }
        }
    }

    #[test]
    fn unknown_backend_names_the_known_ones() {
        let err = open("quantum", &BackendOptions::default()).err().unwrap();
        assert!(
            err.to_string()
                .contains("known backends: cpu, cpu-scalar, gpu, fpga-sim, fpga-xdma"),
            "{err}"
        );
    }
}
