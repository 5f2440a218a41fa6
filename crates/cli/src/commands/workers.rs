//! `sakke workers --nats URL`: the workers connected to a NATS deployment, each with its
//! backend, users, free slots and what it has served, from one status survey; and the job
//! queues per priority as the server reports them (waiting, unacked, redelivered).

use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use service::nats::{self, QueueStatus, WorkerStatus};

use super::serve::NatsArgs;

#[derive(Args)]
pub struct WorkersArgs {
    #[command(flatten)]
    nats: NatsArgs,

    /// How long to collect answers, ms: a worker that has not answered by then is not
    /// listed.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    wait_ms: u64,
}

pub fn run(args: &WorkersArgs, json: bool) -> Result<()> {
    let name = format!("sakke-workers-survey-{}", std::process::id());
    let options = args
        .nats
        .options(&name)?
        .context("sakke workers needs --nats URL")?;
    let survey = nats::survey_once(&options, Duration::from_millis(args.wait_ms))?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "workers": survey.workers,
                "unreadable": survey.unreadable,
                "queues": survey.queues,
            })
        );
        return Ok(());
    }
    print!("{}", table(&survey.workers));
    let total: u64 = survey.workers.iter().map(|w| w.answered).sum();
    println!(
        "{} worker(s), {total} request(s) answered in all",
        survey.workers.len()
    );
    print!("{}", queue_table(&survey.queues));
    if survey.unreadable > 0 {
        println!(
            "{} other answer(s) on the survey were not a worker status (an incompatible \
             version, or another program on {})",
            survey.unreadable,
            nats::STATUS_SUBJECT
        );
    }
    Ok(())
}

fn table(workers: &[WorkerStatus]) -> String {
    let mut out = format!(
        "{:<28} {:<12} {:>5} {:>11} {:>9} {:>11} {:>8} {:>10}\n",
        "name", "backend", "users", "free/slots", "jobs", "answered", "bad", "uptime s"
    );
    for w in workers {
        out += &format!(
            "{:<28} {:<12} {:>5} {:>11} {:>9} {:>11} {:>8} {:>10.0}\n",
            w.name,
            w.backend,
            w.users,
            format!("{}/{}", w.free_slots, w.slots),
            w.jobs,
            w.answered,
            w.bad_jobs,
            w.uptime_s
        );
    }
    out
}

fn queue_table(queues: &[QueueStatus]) -> String {
    if queues.is_empty() {
        return "no job queues yet (no gateway or worker has connected)\n".into();
    }
    let mut out = format!(
        "{:<10} {:>9} {:>9} {:>12} {:>16} {:>12}\n",
        "queue", "waiting", "unacked", "redelivered", "max ack pending", "ack wait ms"
    );
    for q in queues {
        out += &format!(
            "{:<10} {:>9} {:>9} {:>12} {:>16} {:>12}\n",
            q.priority, q.waiting, q.unacked, q.redelivered, q.max_ack_pending, q.ack_wait_ms
        );
    }
    out
}
