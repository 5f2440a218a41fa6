//! `sakke load`: a load generator for `sakke serve` (crates/service/src/load.rs does the
//! work); every answer is checked against the SSV the server encapsulated. Several rates
//! or concurrencies make a sweep; every run is written to bench-results/ as JSON with a
//! plot of latency against offered load.

mod document;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use service::client::ClientTls;
use service::load::{LoadPlan, Operation, Pace};
use service::proto::Priority;

use crate::machine::RunHeader;
use document::{Document, Settings};

#[derive(Clone, Copy, ValueEnum)]
enum Mix {
    Emergency,
    Normal,
    Bulk,
    /// One emergency and one bulk request in every ten, the rest normal.
    Mixed,
}

#[derive(Clone, Copy, ValueEnum)]
enum Op {
    Decapsulate,
    Encapsulate,
}

impl Op {
    fn operation(self) -> Operation {
        match self {
            Op::Decapsulate => Operation::Decapsulate,
            Op::Encapsulate => Operation::Encapsulate,
        }
    }
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("pace").required(true).multiple(true).args(["rate", "concurrency"]))]
pub struct LoadArgs {
    /// The server, as https://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "https://localhost:50051")]
    url: String,

    /// CA that signed the server's certificate, PEM.
    #[arg(long, value_name = "FILE")]
    ca: PathBuf,

    /// This client's certificate, PEM.
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,

    /// This client's private key, PEM.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,

    /// Name the server's certificate is checked against.
    #[arg(long, value_name = "NAME", default_value = "localhost")]
    domain: String,

    /// User to decapsulate for (the client must be authorised for it).
    #[arg(long, value_name = "URI")]
    user: String,

    /// Key period "YYYY-MM" of the user's keys.
    #[arg(long, value_name = "YYYY-MM")]
    period: String,

    /// Open loop: requests started per second, whatever the latency; several,
    /// comma-separated, make a sweep of one step each.
    #[arg(long, value_name = "PER_SECOND,...", value_delimiter = ',')]
    rate: Vec<f64>,

    /// Closed loop: requests kept in flight; several, comma-separated, make a sweep.
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    concurrency: Vec<usize>,

    /// HTTP/2 connections the requests are spread over (one carries at most the server's
    /// stream limit, 200 by default, at once).
    #[arg(long, value_name = "N", default_value_t = 4)]
    connections: usize,

    /// How long each step sends for, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    duration: f64,

    /// Pause between the steps of a sweep, so that one step's queue has drained before
    /// the next begins, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    pause: f64,

    #[arg(long, value_enum, default_value = "normal")]
    priority: Mix,

    /// What every request asks: decapsulate a sample (its SSV must come back), or
    /// encapsulate a sample's SSV again (its Encapsulated Data must come back).
    #[arg(long, value_enum, default_value = "decapsulate")]
    op: Op,

    /// Per-request deadline, milliseconds.
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u32>,

    /// Folder for <date>-<host>-load.json and .svg.
    #[arg(long, value_name = "DIR", default_value = "bench-results")]
    out_dir: PathBuf,

    /// A note kept in the results (repeatable), e.g. the server's settings.
    #[arg(long = "note", value_name = "TEXT")]
    notes: Vec<String>,
}

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Mix::Emergency => "emergency",
            Mix::Normal => "normal",
            Mix::Bulk => "bulk",
            Mix::Mixed => "mixed: 1 emergency, 1 bulk, 8 normal in every 10",
        }
    }

    fn priorities(self) -> Vec<Priority> {
        match self {
            Mix::Emergency => vec![Priority::Emergency],
            Mix::Normal => vec![Priority::Normal],
            Mix::Bulk => vec![Priority::Bulk],
            Mix::Mixed => {
                let mut mix = vec![Priority::Normal; 10];
                mix[0] = Priority::Emergency;
                mix[5] = Priority::Bulk;
                mix
            }
        }
    }
}

/// The steps asked for, in order: every rate, then every concurrency.
fn paces(args: &LoadArgs) -> Result<Vec<Pace>> {
    if let Some(bad) = args.rate.iter().find(|r| !(r.is_finite() && **r > 0.0)) {
        bail!("--rate must be positive requests per second, got {bad}");
    }
    if args.concurrency.contains(&0) {
        bail!("--concurrency must be at least 1");
    }
    let mut paces: Vec<Pace> = args.rate.iter().map(|&r| Pace::Rate(r)).collect();
    paces.extend(args.concurrency.iter().map(|&n| Pace::Concurrency(n)));
    if paces.is_empty() {
        bail!("give --rate or --concurrency");
    }
    Ok(paces)
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: &LoadArgs, json: bool) -> Result<()> {
    let paces = paces(args)?;
    for (value, flag) in [(args.duration, "--duration"), (args.pause, "--pause")] {
        if !(value.is_finite() && (0.0..=86_400.0).contains(&value)) {
            bail!("{flag} must be 0 to 86400 seconds, got {value}");
        }
    }
    if !(1..=256).contains(&args.connections) {
        bail!("--connections must be 1 to 256");
    }
    if args.duration == 0.0 {
        bail!("--duration must be a positive number of seconds");
    }
    let tls = ClientTls {
        ca: read(&args.ca)?,
        cert: read(&args.cert)?,
        key: read(&args.key)?,
        domain: args.domain.clone(),
    };
    let plans: Vec<LoadPlan> = paces
        .iter()
        .map(|&pace| LoadPlan {
            operation: args.op.operation(),
            user: args.user.clone(),
            period: args.period.clone(),
            pace,
            duration: Duration::from_secs_f64(args.duration),
            priorities: args.priority.priorities(),
            timeout_ms: args.timeout_ms,
        })
        .collect();
    let mut run = RunHeader::start(document::SCHEMA, args.notes.clone());
    let steps = plans.len();
    let mut step = 0;
    let reports = service::load::run_steps_blocking(
        &args.url,
        &tls,
        args.connections,
        plans,
        Duration::from_secs_f64(args.pause),
        |r| {
            step += 1;
            if !json && steps > 1 {
                eprintln!(
                    "step {step}/{steps}: {} sent, {:.1} right/s",
                    r.sent, r.ok_per_second
                );
            }
        },
    )?;
    run.finish();
    let document = Document {
        run,
        settings: Settings {
            url: args.url.clone(),
            operation: args.op.operation().name(),
            user: args.user.clone(),
            period: args.period.clone(),
            connections: args.connections,
            seconds_per_step: args.duration,
            pause_between_steps_s: args.pause,
            priority_mix: args.priority.name(),
            timeout_ms: args.timeout_ms,
        },
        steps: reports,
    };
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    let base = document.run.file_base("load");
    let svg = crate::svg::render(&document.plot());
    let (json_path, svg_path) = crate::results::write_pair(&args.out_dir, &base, &text, &svg)?;
    if json {
        print!("{text}");
    } else {
        for s in &document.steps {
            println!(
                "{} requests in {:.1} s, {} right ({:.1}/s), {} wrong",
                s.sent, s.seconds, s.ok, s.ok_per_second, s.wrong
            );
        }
        print!("{}", document.table());
        println!("wrote {} and {}", json_path.display(), svg_path.display());
    }
    let wrong: u64 = document.steps.iter().map(|s| s.wrong).sum();
    if wrong > 0 {
        bail!("{wrong} answers were wrong (an SSV or Encapsulated Data other than the sample's)");
    }
    Ok(())
}
