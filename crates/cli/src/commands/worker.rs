//! `sakke worker --nats URL --store DIR`: a scale-out node for `sakke serve --nats`. It
//! loads its own key store (RSKs never cross the wire) and backends, and pulls jobs
//! (decapsulations, encapsulations, I_MESSAGEs to open) from the JetStream work queue
//! as it has free slots.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use engine::{BackendOptions, Engine, EngineConfig};
use service::nats::{Worker, WorkerStats};

use super::serve::{load_keys, NatsArgs};

#[derive(Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    nats: NatsArgs,

    /// Key store (`sakke kms`) whose users this worker decapsulates for.
    #[arg(long, value_name = "DIR")]
    store: std::path::PathBuf,

    /// Pairing backend (`sakke backends` lists them).
    #[arg(long, value_name = "NAME", default_value = "cpu")]
    backend: String,

    /// CPU worker threads, 0 for one per core.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,

    /// Largest batch handed to the backend.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_batch: usize,

    /// How long a batch that is neither full nor preferred waits, µs.
    #[arg(long, value_name = "US", default_value_t = 2000)]
    max_queue_delay_us: u64,

    /// Requests held at once (pulled, queued or computing); at least 256. The worker
    /// pulls only what fits, so idle workers take the work busy ones cannot.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    slots: usize,

    /// Redelivery delay of a job whose worker died without acking it, ms; applies if
    /// this worker is the one that creates the shared consumer.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    ack_wait_ms: u64,

    /// Jobs delivered to workers and not yet acked, at most, over all workers of a
    /// priority; applied to the shared consumers even if they exist [default: what they
    /// have; 20000 for new ones]. Raise it when (workers x slots) / requests per job outgrows it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    max_ack_pending: Option<i64>,

    /// Plain-HTTP address serving GET /metrics (the engine's and the worker's counters);
    /// none by default.
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<std::net::SocketAddr>,

    /// Name in the NATS server's monitoring [default: sakke-worker-PID].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

pub fn run(args: &WorkerArgs, json: bool) -> Result<()> {
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("sakke-worker-{}", std::process::id()));
    let nats = args
        .nats
        .options(&name)?
        .context("sakke worker needs --nats URL")?;
    let keys = load_keys(&args.store)?;
    let users = keys.len();
    let options = BackendOptions {
        threads: args.threads,
        ..BackendOptions::default()
    };
    let backend = engine::open(&args.backend, &options)?;
    let slots = args.slots.max(service::nats::wire::MAX_ITEMS);
    let config = EngineConfig {
        max_batch: args.max_batch,
        max_queue_delay: Duration::from_micros(args.max_queue_delay_us),
        // Never busy: the worker holds no more than its slots.
        max_queue: slots.max(EngineConfig::default().max_queue),
        ..EngineConfig::default()
    };
    let engine = Engine::new(config, Arc::from(backend), Vec::new()).context("engine settings")?;
    let worker = Worker {
        engine,
        keys: Arc::new(keys),
        nats,
        backend: args.backend.clone(),
        slots,
        ack_wait: Duration::from_millis(args.ack_wait_ms),
        max_ack_pending: args.max_ack_pending,
        metrics_listen: args.metrics_listen,
    };
    let stats = Arc::new(WorkerStats::default());
    let url = args.nats.nats.clone().unwrap_or_default();
    worker.run_until_signal(Arc::clone(&stats), |metrics| {
        let metrics = metrics.map(|a| a.to_string());
        if json {
            println!(
                "{}",
                serde_json::json!({ "nats": url, "name": name, "users": users, "slots": slots, "metrics_listen": metrics })
            );
        } else {
            let at = metrics.map(|m| format!(", metrics on http://{m}/metrics")).unwrap_or_default();
            println!("sakke worker {name}: pulling jobs from {url}, {users} user key(s), {slots} slots{at}; SIGTERM or Ctrl-C drains and stops.");
        }
    })?;
    let answered = stats.answered.load(Ordering::Relaxed);
    if json {
        println!(
            "{}",
            serde_json::json!({ "stopped": true, "answered": answered })
        );
    } else {
        println!("sakke worker {name}: drained, stopped; {answered} request(s) answered");
    }
    Ok(())
}
