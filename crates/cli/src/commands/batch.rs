//! `sakke decap-batch` / `sakke encap-batch`: JSON Lines in, JSON Lines out, in order,
//! processed in parallel chunks.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget};
use rayon::prelude::*;
use serde::Serialize;

use crate::batch::decap::{decapsulate_chunk, parse_decap_line, ReceiverKeyCache};
use crate::batch::encap::{encapsulate_chunk, parse_encap_line, RecipientKeyCache};
use crate::batch::{Id, LineError, LineResult};
use crate::jsonl::{count_lines, open_input, LineReader, ResultSink};
use crate::output::progress;
use crate::output_file::OutputRules;
use sakke::PairingBackend;

/// Lines handed to the worker threads at once (about 1.2 MB of requests).
const CHUNK_LINES: usize = 1024;
const CHUNK_BYTES: usize = 16 << 20;

#[derive(Args)]
pub struct BatchArgs {
    /// Requests, one JSON object a line; `-` reads standard input.
    #[arg(long = "in", value_name = "FILE", default_value = "-")]
    input: PathBuf,

    /// Results, one JSON object a line in request order; `-` writes standard output.
    /// A file is created with mode 0600 (results hold SSVs) and appears only when the
    /// whole run has succeeded; an existing file is kept unless --force.
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,

    /// Replace an existing --out file (never the input or a key file).
    #[arg(long)]
    force: bool,

    /// Where the pairing work runs: a backend from `sakke backends` (`cpu` uses the
    /// AVX-512 IFMA unit where there is one; `cpu-scalar` is the portable reference).
    #[arg(long, value_name = "NAME", default_value = "cpu")]
    backend: String,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Memory for precomputed per-RSK and per-identity tables, in MiB, kept across chunks
    /// (least recently used out first); 0: no tables. `--tables` says which keys get one.
    #[arg(long, value_name = "MIB", default_value_t = 384)]
    table_memory: usize,

    /// Which keys get tables: `auto` once a key's uses in the run reach the point where a
    /// table costs less than the work it saves (on `cpu`, 6 uses of an RSK, 45 of an
    /// identity); `always` every key seen twice in a chunk; `never` none.
    #[arg(long, value_name = "POLICY", default_value_t = engine::TablePolicy::Auto)]
    tables: engine::TablePolicy,
}

#[derive(Serialize)]
struct Summary {
    lines: u64,
    ok: u64,
    errors: u64,
    seconds: f64,
    lines_per_second: f64,
    backend: String,
    /// Items recomputed on the CPU after failing TEST on the backend.
    retried: u64,
}

pub fn run_decap(args: &BatchArgs, json: bool) -> Result<()> {
    let cache = ReceiverKeyCache::default();
    run(
        args,
        json,
        "decapsulate",
        |line| parse_decap_line(line, &cache),
        decapsulate_chunk,
    )
}

pub fn run_encap(args: &BatchArgs, json: bool) -> Result<()> {
    let cache = RecipientKeyCache::default();
    run(
        args,
        json,
        "encapsulate",
        |line| parse_encap_line(line, &cache),
        encapsulate_chunk,
    )
}

/// Reads chunks of lines, parses each chunk in parallel, hands the parsed requests to the
/// backend as one batch (results keep their order), writes them, and reports. Only I/O
/// problems and an unknown backend stop the run.
fn run<W: Send>(
    args: &BatchArgs,
    json: bool,
    what: &str,
    parse: impl Fn(&str) -> (Id, Result<W, LineError>) + Sync,
    compute: impl Fn(&dyn PairingBackend, Vec<(Id, Result<W, LineError>)>) -> (Vec<LineResult>, usize),
) -> Result<()> {
    let options = engine::BackendOptions {
        threads: args.threads.unwrap_or(0),
        table_budget_bytes: args.table_memory << 20,
        tables: args.tables,
    };
    let mut reader = LineReader::new(open_input(&args.input)?);
    let backend = engine::open(&args.backend, &options)?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().context("starting worker threads")?;

    let inputs: [&Path; 1] = [&args.input];
    let rules = OutputRules {
        force: args.force,
        inputs: &inputs,
        ..OutputRules::default()
    };
    let mut out = ResultSink::open(&args.out, &rules)?;
    let bar = match count_lines(&args.input) {
        Some(n) => progress(n, what, json),
        None if json => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        None => ProgressBar::new_spinner().with_message(what.to_string()),
    };

    let start = Instant::now();
    let (mut lines, mut ok, mut retried) = (0u64, 0u64, 0u64);
    loop {
        let chunk = reader
            .next_chunk(CHUNK_LINES, CHUNK_BYTES)
            .with_context(|| format!("reading {}", args.input.display()))?;
        if chunk.is_empty() {
            break;
        }
        let parsed: Vec<(Id, Result<W, LineError>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|line| match line {
                    Ok(text) => parse(text),
                    Err(why) => (None, Err(LineError::unreadable(why))),
                })
                .collect()
        });
        let (results, chunk_retried) = compute(backend.as_ref(), parsed);
        retried += chunk_retried as u64;
        let mut write = || -> std::io::Result<()> {
            for result in &results {
                serde_json::to_writer(&mut out, result)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        };
        write().with_context(|| format!("writing {}", args.out.display()))?;
        ok += results.iter().filter(|r| r.is_ok()).count() as u64;
        lines += results.len() as u64;
        bar.inc(results.len() as u64);
    }
    bar.finish_and_clear();
    let published = out
        .finish()
        .with_context(|| format!("writing {}", args.out.display()))?;
    if let Some(mode) = published.and_then(|p| p.tightened_from) {
        eprintln!(
            "note: {} had mode {mode:04o}; the new file is 0600 (results hold SSVs)",
            args.out.display()
        );
    }

    let seconds = start.elapsed().as_secs_f64();
    let summary = Summary {
        lines,
        ok,
        errors: lines - ok,
        seconds,
        lines_per_second: if seconds > 0.0 {
            lines as f64 / seconds
        } else {
            0.0
        },
        backend: backend.name().to_string(),
        retried,
    };
    report(&summary, json, &args.out);
    Ok(())
}

/// The summary goes to stdout unless the results do; then to stderr.
fn report(s: &Summary, json: bool, out: &Path) {
    let text = if json {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        format!(
            "{} lines: {} ok, {} errors in {:.2} s ({:.1} lines/s, backend {}, {} retried on the CPU)",
            s.lines, s.ok, s.errors, s.seconds, s.lines_per_second, s.backend, s.retried
        )
    };
    if out == Path::new("-") {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}
