//! `sakke load`: a load generator for `sakke serve` (crates/service/src/load.rs does the
//! work); every answer is checked against the SSV the server encapsulated.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use service::client::ClientTls;
use service::load::{LoadPlan, Pace};
use service::proto::Priority;

#[derive(Clone, Copy, ValueEnum)]
enum Mix {
    Emergency,
    Normal,
    Bulk,
    /// One emergency and one bulk request in every ten, the rest normal.
    Mixed,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("pace").required(true).args(["rate", "concurrency"]))]
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

    /// Open loop: requests started per second, whatever the latency.
    #[arg(long, value_name = "PER_SECOND")]
    rate: Option<f64>,

    /// Closed loop: requests kept in flight.
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,

    /// How long to send for, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    duration: f64,

    #[arg(long, value_enum, default_value = "normal")]
    priority: Mix,

    /// Per-request deadline, milliseconds.
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u32>,
}

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: &LoadArgs, json: bool) -> Result<()> {
    let pace = match (args.rate, args.concurrency) {
        (Some(rate), _) => Pace::Rate(rate),
        (None, Some(n)) => Pace::Concurrency(n),
        (None, None) => bail!("give --rate or --concurrency"),
    };
    if !(args.duration > 0.0 && args.duration.is_finite()) {
        bail!("--duration must be a positive number of seconds");
    }
    let priorities = match args.priority {
        Mix::Emergency => vec![Priority::Emergency],
        Mix::Normal => vec![Priority::Normal],
        Mix::Bulk => vec![Priority::Bulk],
        Mix::Mixed => {
            let mut mix = vec![Priority::Normal; 10];
            mix[0] = Priority::Emergency;
            mix[5] = Priority::Bulk;
            mix
        }
    };
    let tls = ClientTls {
        ca: read(&args.ca)?,
        cert: read(&args.cert)?,
        key: read(&args.key)?,
        domain: args.domain.clone(),
    };
    let plan = LoadPlan {
        user: args.user.clone(),
        period: args.period.clone(),
        pace,
        duration: Duration::from_secs_f64(args.duration),
        priorities,
        timeout_ms: args.timeout_ms,
    };
    let report = service::load::run_blocking(&args.url, &tls, plan)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} requests in {:.1} s, {} right ({:.1}/s), {} wrong",
            report.sent, report.seconds, report.ok, report.ok_per_second, report.wrong
        );
        println!(
            "{:<10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}  errors",
            "priority", "sent", "ok", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms"
        );
        for p in &report.priorities {
            let errors: Vec<String> = p.errors.iter().map(|(c, n)| format!("{c} {n}")).collect();
            println!(
                "{:<10} {:>8} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {}",
                p.priority,
                p.sent,
                p.ok,
                p.p50_ms,
                p.p90_ms,
                p.p99_ms,
                p.p999_ms,
                errors.join(", ")
            );
        }
    }
    if report.wrong > 0 {
        bail!("{} answers carried a wrong SSV", report.wrong);
    }
    Ok(())
}
