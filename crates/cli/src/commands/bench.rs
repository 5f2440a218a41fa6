//! `sakke bench`: the same workloads on every backend, at several batch sizes and thread
//! counts, then the single-message figures (ECCSI, I_MESSAGE open), checked, timed, and
//! written to bench-results/ as JSON and an SVG plot.

mod measure;
mod messages;
mod report;
mod untabled;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use engine::{BackendOptions, RegistryError};
use pairing::backend::PairingBackend;
use pairing::AffinePoint;
use zeroize::Zeroize;

use crate::machine::{self, RunHeader};
use crate::output::progress;
use crate::svg;
use report::{BackendEntry, Cell, Report, Settings, TableFigures, WorkloadInfo};
use untabled::Untabled;
use workload::{Fixture, Workload};

/// Users of the one benchmark KMS, and messages to each: enough distinct keys for the
/// tables to matter, few enough that setup takes a second.
const RECEIVERS: usize = 8;
const MESSAGES_PER_RECEIVER: usize = 4;

#[derive(Args)]
pub struct BenchArgs {
    /// Backend to measure (repeatable) [default: every backend available here].
    #[arg(long = "backend", value_name = "NAME")]
    backends: Vec<String>,

    /// Batch sizes, comma separated [default: 1,16,256,4096; with --quick: 1,16].
    #[arg(long, value_delimiter = ',', value_parser = parse_size)]
    sizes: Option<Vec<usize>>,

    /// Worker threads, comma separated; "all" is one per core [default: 1,all; with
    /// --quick: 1].
    #[arg(long, value_delimiter = ',', value_parser = parse_threads)]
    threads: Option<Vec<usize>>,

    /// Seconds of timed batches per cell; every cell runs at least one batch [default: 1;
    /// with --quick: 0.05].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    min_time: Option<f64>,

    /// A smoke run in seconds: sizes 1 and 16, one thread, 0.05 s per cell.
    #[arg(long)]
    quick: bool,

    /// Folder for <date>-<host>-<backend>.json and .svg.
    #[arg(long, value_name = "DIR", default_value = "bench-results")]
    out_dir: PathBuf,

    /// Clock at which a device's cycle counts (an FPGA core's) are projected to time,
    /// MHz; the simulated core's host time says nothing about a card's.
    #[arg(long, value_name = "MHZ", default_value_t = 250.0, value_parser = parse_mhz)]
    device_clock_mhz: f64,

    /// A note kept in the results (repeatable), e.g. what else the machine was running.
    #[arg(long = "note", value_name = "TEXT")]
    notes: Vec<String>,
}

const MAX_SIZE: usize = 1 << 20;

fn parse_mhz(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(mhz) if mhz.is_finite() && (1.0..=10_000.0).contains(&mhz) => Ok(mhz),
        _ => Err(format!("{s:?}: a clock from 1 to 10000 MHz")),
    }
}

fn parse_size(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_SIZE).contains(&n) => Ok(n),
        _ => Err(format!("batch size must be 1 to {MAX_SIZE}, got {s:?}")),
    }
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim() {
        "all" => Ok(machine::cores()),
        t => match t.parse::<usize>() {
            Ok(n) if (1..=1024).contains(&n) => Ok(n),
            _ => Err(format!("threads must be 1 to 1024 or \"all\", got {s:?}")),
        },
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if (0.0..=3600.0).contains(&t) => Ok(t),
        _ => Err(format!("--min-time must be 0 to 3600 seconds, got {s:?}")),
    }
}

/// `items` in first-seen order without repeats.
fn dedup<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for &item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The backends to measure (named, or else every one available here that is not a
/// software emulation), and every known one for the report. A named backend that is
/// unknown or cannot run here is an error, listing the known ones.
fn select_backends(names: &[String]) -> Result<(Vec<&'static str>, Vec<BackendEntry>)> {
    let known = engine::available();
    let mut chosen = Vec::new();
    if names.is_empty() {
        chosen.extend(
            known
                .iter()
                .filter(|b| b.unavailable.is_none() && !b.software)
                .map(|b| b.name),
        );
    }
    for name in names {
        let Some(info) = known.iter().find(|b| b.name == name.as_str()) else {
            let list: Vec<&str> = known.iter().map(|b| b.name).collect();
            return Err(RegistryError::Unknown {
                name: name.clone(),
                known: list.join(", "),
            }
            .into());
        };
        if let Some(reason) = &info.unavailable {
            return Err(RegistryError::Unavailable {
                name: name.clone(),
                reason: reason.clone(),
            }
            .into());
        }
        if !chosen.contains(&info.name) {
            chosen.push(info.name);
        }
    }
    if chosen.is_empty() {
        bail!("no backend is available on this machine");
    }
    let entries = known
        .iter()
        .map(|b| BackendEntry {
            name: b.name.to_string(),
            description: b.description.clone(),
            measured: chosen.contains(&b.name),
            unavailable: b.unavailable.clone(),
        })
        .collect();
    Ok((chosen, entries))
}

pub fn run(args: &BenchArgs, json: bool) -> Result<()> {
    let (chosen, backends) = select_backends(&args.backends)?;
    let quick = args.quick;
    let mut sizes = match &args.sizes {
        Some(s) => dedup(s),
        None if quick => vec![1, 16],
        None => vec![1, 16, 256, 4096],
    };
    sizes.sort_unstable();
    let threads = match &args.threads {
        Some(t) => dedup(t),
        None if quick => vec![1],
        None => dedup(&[1, machine::cores()]),
    };
    let min_time = args.min_time.unwrap_or(if quick { 0.05 } else { 1.0 });

    let mut run = RunHeader::start(report::SCHEMA, args.notes.clone());
    if run.build.debug_assertions {
        run.notes
            .push("built with debug assertions: not a release build".into());
    }

    let bar = progress(
        (RECEIVERS * (1 + MESSAGES_PER_RECEIVER)) as u64,
        "setup",
        json,
    );
    let fixture = Fixture::generate(RECEIVERS, MESSAGES_PER_RECEIVER, || bar.inc(1))?;
    bar.finish_and_clear();

    // A device backend runs once: the thread counts are the CPU backends'.
    let known = engine::available();
    let threads_of = |name: &str| -> Vec<usize> {
        let threaded = known.iter().any(|b| b.name == name && b.threaded);
        if threaded {
            threads.clone()
        } else {
            vec![1]
        }
    };
    let total: usize = chosen
        .iter()
        .map(|b| threads_of(b).len() * Workload::ALL.len() * sizes.len())
        .sum();
    let bar = progress(total as u64, "bench", json);
    let mut cells = Vec::with_capacity(total);
    let mut tables = Vec::new();
    for backend_name in &chosen {
        for t in threads_of(backend_name) {
            let open = |table_budget_bytes| {
                engine::open(
                    backend_name,
                    &BackendOptions {
                        threads: t,
                        table_budget_bytes,
                        ..BackendOptions::default()
                    },
                )
            };
            let tabled = open(BackendOptions::default().table_budget_bytes)?;
            let plain = open(0)?;
            let untabled = Untabled(plain.as_ref());
            let mut figures = prepare_tables(tabled.as_ref(), &fixture)?;
            figures.threads = t;

            for workload in Workload::ALL {
                let backend: &dyn PairingBackend = match workload {
                    Workload::DecapTables | Workload::EncapTables => tabled.as_ref(),
                    Workload::DecapNoTables | Workload::EncapNoTables => &untabled,
                    Workload::FpMul | Workload::Pairing => plain.as_ref(),
                };
                // Wake the pool and fill the caches before timing.
                fixture.batch(workload, 1).run(backend)?;
                for &size in &sizes {
                    bar.set_message(format!("{backend_name} {t}t {} {size}", workload.name()));
                    let batch = fixture.batch(workload, size);
                    let m = measure::measure(&batch, backend, Duration::from_secs_f64(min_time))?;
                    cells.push(Cell {
                        backend: backend_name.to_string(),
                        threads: t,
                        workload: workload.name(),
                        size,
                        batches: m.batches,
                        ops: m.ops,
                        seconds: m.seconds,
                        ops_per_s: m.ops_per_s(),
                        us_per_op: m.seconds_per_op() * 1e6,
                        m_per_op: None,
                        retried: m.retried,
                        backend_failures: m.backend_failures,
                        cpu_per_wall: m.cpu_per_wall,
                        host_cpu_us_per_op: m.host_cpu_us_per_op(),
                        device_cycles_per_op: m.device_cycles_per_op(),
                        device_us_per_op_projected: m
                            .device_cycles_per_op()
                            .map(|c| c / args.device_clock_mhz),
                    });
                    bar.inc(1);
                }
            }
            let stats = tabled.table_stats();
            figures.hits = stats.hits;
            figures.misses = stats.misses;
            figures.evictions = stats.evictions;
            tables.push(figures);
        }
    }
    bar.finish_and_clear();
    report::set_m_per_op(&mut cells);

    let bar = progress(messages::MessageOp::ALL.len() as u64, "messages", json);
    let messages = messages::measure_all(Duration::from_secs_f64(min_time), |op| {
        bar.set_message(op.name());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    run.finish();

    let report = Report {
        run,
        settings: Settings {
            sizes,
            threads,
            min_time_s: min_time,
            quick,
            device_clock_mhz: args.device_clock_mhz,
            receivers: RECEIVERS,
            messages: fixture.message_count(),
        },
        workloads: Workload::ALL
            .iter()
            .map(|w| WorkloadInfo {
                name: w.name(),
                description: w.description(),
            })
            .collect(),
        backends,
        tables,
        cells,
        messages,
    };

    let base = report.run.file_base(&chosen.join("+"));
    let (json_path, svg_path) = write_files(&report, &args.out_dir, &base)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
        println!("wrote {} and {}", json_path.display(), svg_path.display());
    }
    let retried: u64 = report.cells.iter().map(|c| c.retried).sum();
    if retried > 0 {
        eprintln!(
            "warning: {retried} item(s) failed TEST on the backend and were recomputed on the CPU"
        );
    }
    Ok(())
}

/// Builds every receiver's line table and every identity's base table on `backend`,
/// timing them through its table statistics.
fn prepare_tables(backend: &dyn PairingBackend, fixture: &Fixture) -> Result<TableFigures> {
    let before = backend.table_stats();
    for key in &fixture.receivers {
        let mut rsk = AffinePoint::from_bytes(&key.rsk().to_bytes()[..])
            .context("decoding a benchmark RSK")?;
        let prepared = backend.prepare_pairing_table(key.line_table_key(), &rsk);
        rsk.zeroize();
        prepared.context("building an RSK line table")?;
    }
    let lines = backend.table_stats();
    for key in &fixture.receivers {
        let recipient = key.recipient();
        backend
            .prepare_base_table(recipient.base_table_key(), recipient.base_point())
            .context("building a fixed-base table")?;
    }
    let bases = backend.table_stats();
    let each = |count: u64, bytes: usize, time: Duration| {
        let n = count.max(1) as f64;
        (bytes as f64 / n, time.as_secs_f64() * 1e3 / n)
    };
    let (line_bytes, line_ms) = each(
        lines.builds - before.builds,
        lines.bytes - before.bytes,
        lines.build_time.saturating_sub(before.build_time),
    );
    let (base_bytes, base_ms) = each(
        bases.builds - lines.builds,
        bases.bytes - lines.bytes,
        bases.build_time.saturating_sub(lines.build_time),
    );
    Ok(TableFigures {
        backend: backend.name().to_string(),
        threads: 0,
        line_tables: lines.tables - before.tables,
        line_table_bytes_each: line_bytes,
        line_table_build_ms_each: line_ms,
        base_tables: bases.tables - lines.tables,
        base_table_bytes_each: base_bytes,
        base_table_build_ms_each: base_ms,
        bytes_total: bases.bytes,
        budget_bytes: backend.capabilities().table_budget_bytes,
        hits: 0,
        misses: 0,
        evictions: 0,
    })
}

/// Writes <base>.json and <base>.svg into `dir` (see [`crate::results`]).
fn write_files(report: &Report, dir: &Path, base: &str) -> Result<(PathBuf, PathBuf)> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    crate::results::write_pair(dir, base, &text, &svg::render(&report.plot()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_parsers() {
        assert_eq!(parse_size("256"), Ok(256));
        assert!(parse_size("0").is_err());
        assert!(parse_size("x").is_err());
        assert_eq!(parse_threads("2"), Ok(2));
        assert_eq!(parse_threads("all"), Ok(machine::cores()));
        assert!(parse_threads("0").is_err());
        assert_eq!(parse_seconds("0.05"), Ok(0.05));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert_eq!(dedup(&[1, 2, 1, 3, 2]), [1, 2, 3]);
    }

    #[test]
    fn unknown_backend_lists_the_known_ones() {
        let err = select_backends(&["nosuch".into()]).err().unwrap();
        assert!(err.to_string().contains("known backends: cpu"), "{err}");
        let (chosen, entries) = select_backends(&[]).unwrap();
        assert_eq!(chosen, ["cpu", "cpu-scalar"]);
        assert!(entries.iter().any(|e| e.name == "cpu" && e.measured));
    }
}
