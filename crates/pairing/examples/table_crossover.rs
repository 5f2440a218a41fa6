//! Measures, for each table kind and each CPU path, how many uses of one key make its
//! table pay: build time over the time a use saves. The constants in
//! `pairing::backend::crossover` come from this program's output:
//!
//! ```sh
//! cargo run --release -p pairing --example table_crossover [-- --runs N]
//! ```
//!
//! One thread, batches of 64 jobs over 8 keys (so the eight-lane path runs full groups,
//! as in a real chunk), each figure the median of several runs in CPU time (so other work
//! on the machine slows it less); a table build is timed as the backend does it,
//! allocation included. Run it twice: the crossovers should agree to a use or two for line
//! tables, a few for base tables.

use std::time::{Duration, Instant};

use pairing::backend::{
    CpuBackend, CpuConfig, Crossovers, PairingBackend, PairingJob, ScalarMulJob, TableKey,
};
use pairing::{AffinePoint, JacobianPoint, Scalar};
use rand::{rngs::StdRng, RngCore, SeedableRng};

const KEYS: usize = 8;
const BATCH: usize = 64;

fn random_scalar(rng: &mut StdRng) -> Scalar {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    bytes[0] &= 0x1f; // below 2^1021 < q
    Option::from(Scalar::from_be_bytes(&bytes).expect("128 bytes")).expect("below q")
}

fn random_point(rng: &mut StdRng) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&random_scalar(rng))
        .to_affine()
}

/// CPU time of this process so far, all threads: the first field of each thread's
/// `/proc/self/task/*/schedstat`, in nanoseconds. Unlike wall time it does not grow while
/// other work on the machine holds the cores. None where there is no such file.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// How long `f` takes: CPU time where it can be read, wall time elsewhere.
fn time(f: impl FnOnce()) -> Duration {
    match cpu_time() {
        Some(before) => {
            f();
            cpu_time().map_or(Duration::ZERO, |after| after.saturating_sub(before))
        }
        None => {
            let start = Instant::now();
            f();
            start.elapsed()
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One table kind on one path: build time, and time per use with and without the table.
struct Figures {
    build: Duration,
    untabled: Duration,
    tabled: Duration,
}

impl Figures {
    /// Each run builds one table (`build`, given the run number) and times one batch
    /// untabled and one tabled; the three take turns so that a slow spell of the machine
    /// falls on all of them. Medians over the runs.
    fn measure(
        runs: usize,
        mut build: impl FnMut(usize),
        mut untabled: impl FnMut(),
        mut tabled: impl FnMut(),
    ) -> Figures {
        let (mut b, mut u, mut t) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            b.push(time(|| build(run)));
            u.push(time(&mut untabled) / BATCH as u32);
            t.push(time(&mut tabled) / BATCH as u32);
        }
        Figures {
            build: median(b),
            untabled: median(u),
            tabled: median(t),
        }
    }

    /// Uses at which building costs no more than the work it saves.
    fn crossover(&self) -> Option<u32> {
        let saved = self.untabled.as_secs_f64() - self.tabled.as_secs_f64();
        (saved > 0.0).then(|| (self.build.as_secs_f64() / saved).ceil() as u32)
    }
}

/// Table names: `kind` 1 and 2 for the tables the jobs use, 3 and 4 for those built only
/// to be timed (each under a new name, so none is found built already).
fn key(kind: u8, i: usize) -> TableKey {
    let mut k = [kind; 32];
    k[30..].copy_from_slice(&(i as u16).to_le_bytes());
    TableKey(k)
}

fn measure_lines(cpu: &CpuBackend, rng: &mut StdRng, runs: usize) -> Figures {
    let fixed: Vec<AffinePoint> = (0..KEYS).map(|_| random_point(rng)).collect();
    for (i, p) in fixed.iter().enumerate() {
        cpu.prepare_pairing_table(key(1, i), p)
            .expect("room for the tables");
    }
    let jobs: Vec<PairingJob> = (0..BATCH)
        .map(|i| PairingJob {
            fixed: fixed[i % KEYS],
            table: Some(key(1, i % KEYS)),
            at: random_point(rng),
        })
        .collect();
    let plain: Vec<PairingJob> = jobs
        .iter()
        .map(|j| PairingJob { table: None, ..*j })
        .collect();
    Figures::measure(
        runs,
        |run| {
            cpu.prepare_pairing_table(key(3, run), &fixed[run % KEYS])
                .expect("room for the tables");
        },
        || drop(cpu.pairing_batch(&plain).expect("pairings")),
        || drop(cpu.pairing_batch(&jobs).expect("pairings")),
    )
}

fn measure_bases(cpu: &CpuBackend, rng: &mut StdRng, runs: usize) -> Figures {
    let bases: Vec<AffinePoint> = (0..KEYS).map(|_| random_point(rng)).collect();
    for (i, p) in bases.iter().enumerate() {
        cpu.prepare_base_table(key(2, i), p)
            .expect("room for the tables");
    }
    let jobs: Vec<ScalarMulJob> = (0..BATCH)
        .map(|i| ScalarMulJob {
            base: bases[i % KEYS],
            table: Some(key(2, i % KEYS)),
            scalar: random_scalar(rng),
        })
        .collect();
    let plain: Vec<ScalarMulJob> = jobs
        .iter()
        .map(|j| ScalarMulJob { table: None, ..*j })
        .collect();
    Figures::measure(
        runs,
        |run| {
            cpu.prepare_base_table(key(4, run), &bases[run % KEYS])
                .expect("room for the tables");
        },
        || drop(cpu.scalar_mul_batch(&plain).expect("multiplications")),
        || drop(cpu.scalar_mul_batch(&jobs).expect("multiplications")),
    )
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".into())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut runs = 15;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|n| n.parse().ok())) {
            ("--runs", Some(n)) if (1..=100).contains(&n) => runs = n,
            _ => {
                eprintln!("usage: table_crossover [--runs N]");
                std::process::exit(2);
            }
        }
    }
    let ifma = {
        #[cfg(target_arch = "x86_64")]
        {
            pairing::simd::ifma_available()
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    };
    println!(
        "{}, {} core(s); one thread, batches of {BATCH} over {KEYS} keys, median of {runs} runs, {}",
        cpu_model(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if cpu_time().is_some() {
            "CPU time"
        } else {
            "wall time"
        }
    );
    if !ifma {
        println!("no AVX-512 IFMA here: the `cpu` row would measure the portable path, skipped");
    }
    println!(
        "{:<11} {:<6} {:>9} {:>14} {:>12} {:>9} {:>10} {:>8}",
        "backend",
        "table",
        "build ms",
        "untabled ms",
        "tabled ms",
        "saved ms",
        "crossover",
        "in code"
    );
    let mut rng = StdRng::seed_from_u64(2026);
    for (name, vector) in [("cpu", true), ("cpu-scalar", false)] {
        if vector && !ifma {
            continue;
        }
        let cpu = CpuBackend::new(CpuConfig {
            threads: 1,
            vector,
            ..CpuConfig::default()
        })
        .expect("a one-thread CPU backend");
        let in_code = Crossovers::measured(vector);
        let rows = [
            ("lines", measure_lines(&cpu, &mut rng, runs), in_code.lines),
            ("bases", measure_bases(&cpu, &mut rng, runs), in_code.bases),
        ];
        for (table, f, in_code) in rows {
            let crossover = f
                .crossover()
                .map_or_else(|| "never".to_string(), |n| n.to_string());
            println!(
                "{:<11} {:<6} {:>9.2} {:>14.3} {:>12.3} {:>9.3} {:>10} {:>8}",
                name,
                table,
                ms(f.build),
                ms(f.untabled),
                ms(f.tabled),
                ms(f.untabled.saturating_sub(f.tabled)),
                crossover,
                in_code
            );
        }
    }
}
