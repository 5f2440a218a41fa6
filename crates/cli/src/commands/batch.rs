//! `sakke decap-batch` / `sakke encap-batch`: JSON Lines in, JSON Lines out, in order,
//! processed in parallel chunks.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget};
use rayon::prelude::*;
use serde::Serialize;

use crate::batch::decap::{process_decap_line, ReceiverKeyCache};
use crate::batch::encap::{process_encap_line, RecipientKeyCache};
use crate::batch::LineResult;
use crate::jsonl::{count_lines, open_input, open_output, LineReader};
use crate::output::progress;

/// Lines handed to the worker threads at once (about 1.2 MB of requests).
const CHUNK_LINES: usize = 1024;
const CHUNK_BYTES: usize = 16 << 20;

/// Where the pairing work runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// This machine's CPU cores (rayon).
    Cpu,
}

#[derive(Args)]
pub struct BatchArgs {
    /// Requests, one JSON object a line; `-` reads standard input.
    #[arg(long = "in", value_name = "FILE", default_value = "-")]
    input: PathBuf,

    /// Results, one JSON object a line in request order; `-` writes standard output.
    /// A file is created with mode 0600: results hold SSVs.
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,

    /// Where the pairing work runs (only `cpu` exists today).
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Serialize)]
struct Summary {
    lines: u64,
    ok: u64,
    errors: u64,
    seconds: f64,
    lines_per_second: f64,
    backend: &'static str,
}

pub fn run_decap(args: &BatchArgs, json: bool) -> Result<()> {
    let cache = ReceiverKeyCache::default();
    run(args, json, "decapsulate", |line| {
        process_decap_line(line, &cache)
    })
}

pub fn run_encap(args: &BatchArgs, json: bool) -> Result<()> {
    let cache = RecipientKeyCache::default();
    run(args, json, "encapsulate", |line| {
        process_encap_line(line, &cache)
    })
}

/// Reads chunks of lines, processes each chunk in parallel (results keep their order),
/// writes them, and reports. Only I/O problems stop the run.
fn run(
    args: &BatchArgs,
    json: bool,
    what: &str,
    process: impl Fn(&str) -> LineResult + Sync,
) -> Result<()> {
    let Backend::Cpu = args.backend;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().context("starting worker threads")?;

    let mut reader = LineReader::new(open_input(&args.input)?);
    let mut out = open_output(&args.out)?;
    let bar = match count_lines(&args.input) {
        Some(n) => progress(n, what, json),
        None if json => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        None => ProgressBar::new_spinner().with_message(what.to_string()),
    };

    let start = Instant::now();
    let (mut lines, mut ok) = (0u64, 0u64);
    loop {
        let chunk = reader
            .next_chunk(CHUNK_LINES, CHUNK_BYTES)
            .with_context(|| format!("reading {}", args.input.display()))?;
        if chunk.is_empty() {
            break;
        }
        let results: Vec<LineResult> = pool.install(|| {
            chunk
                .par_iter()
                .map(|line| match line {
                    Ok(text) => process(text),
                    Err(why) => LineResult::unreadable(why),
                })
                .collect()
        });
        let mut write = || -> std::io::Result<()> {
            for result in &results {
                serde_json::to_writer(&mut out, result)?;
                out.write_all(b"\n")?;
            }
            out.flush()
        };
        write().with_context(|| format!("writing {}", args.out.display()))?;
        ok += results.iter().filter(|r| r.is_ok()).count() as u64;
        lines += results.len() as u64;
        bar.inc(results.len() as u64);
    }
    bar.finish_and_clear();

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
        backend: "cpu",
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
            "{} lines: {} ok, {} errors in {:.2} s ({:.1} lines/s, backend {})",
            s.lines, s.ok, s.errors, s.seconds, s.lines_per_second, s.backend
        )
    };
    if out == Path::new("-") {
        eprintln!("{text}");
    } else {
        println!("{text}");
    }
}
