//! `sakke load`: drives a gateway with decapsulations (or encapsulations) and checks
//! every answer, open loop (a fixed arrival rate, whatever the latency: what a gateway in
//! front of many phones sees) or closed loop (a fixed number of requests in flight), and
//! reports latency percentiles per priority.
//!
//! The SSVs to check against come from the server itself: a few `Encapsulate` calls
//! first, whose Encapsulated Data is then decapsulated over and over, or whose SSVs are
//! encapsulated again (RFC 6508 encapsulation is deterministic in the SSV, so every
//! answer must be the sample's Encapsulated Data).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use thiserror::Error;
use tokio::task::JoinSet;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::client::{connect, ClientTls};
use crate::proto::{self, sakke_client::SakkeClient, Priority};

/// Distinct Encapsulated Data values cycled through.
const SAMPLES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Requests started per second.
    Rate(f64),
    /// Requests kept in flight.
    Concurrency(usize),
}

/// What each request of a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Decapsulate a sample: the answer must be its SSV.
    Decapsulate,
    /// Encapsulate a sample's SSV to the user: the answer must be its Encapsulated Data.
    Encapsulate,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Decapsulate => "decapsulate",
            Operation::Encapsulate => "encapsulate",
        }
    }
}

pub struct LoadPlan {
    pub operation: Operation,
    pub user: String,
    pub period: String,
    pub pace: Pace,
    pub duration: Duration,
    /// Cycled through, one request each: [Normal] for all normal, or a mix.
    pub priorities: Vec<Priority>,
    pub timeout_ms: Option<u32>,
}

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("connecting: {0}")]
    Connect(#[from] crate::client::ConnectError),
    #[error("preparing the samples (Encapsulate to the user): {0}")]
    Prepare(Status),
    #[error("starting the runtime: {0}")]
    Runtime(std::io::Error),
    #[error(
        "the plan asks for nothing: give a positive rate or concurrency, a priority and a \
         connection"
    )]
    EmptyPlan,
}

#[derive(Debug, Serialize)]
pub struct PriorityReport {
    pub priority: &'static str,
    pub sent: u64,
    pub ok: u64,
    /// Answers that arrived with an SSV other than the one encapsulated (or Encapsulated
    /// Data other than the sample's): always 0 from a correct server.
    pub wrong: u64,
    /// Failed answers by gRPC code.
    pub errors: BTreeMap<String, u64>,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct LoadReport {
    /// The open-loop arrival rate asked for, requests/s.
    pub offered_per_second: Option<f64>,
    /// The closed-loop requests in flight asked for.
    pub concurrency: Option<usize>,
    pub seconds: f64,
    pub sent: u64,
    pub ok: u64,
    pub wrong: u64,
    pub ok_per_second: f64,
    pub priorities: Vec<PriorityReport>,
}

struct Sample {
    ssv: Vec<u8>,
    encapsulated: Vec<u8>,
}

struct Outcome {
    priority: Priority,
    latency: Duration,
    result: Result<bool, Code>,
}

fn name(p: Priority) -> &'static str {
    match p {
        Priority::Emergency => "emergency",
        Priority::Bulk => "bulk",
        Priority::Normal | Priority::Unspecified => "normal",
    }
}

/// Connects, runs the plan, and reports; blocks the calling thread.
pub fn run_blocking(url: &str, tls: &ClientTls, plan: LoadPlan) -> Result<LoadReport, LoadError> {
    let mut reports = run_steps_blocking(url, tls, 1, vec![plan], Duration::ZERO, |_| {})?;
    Ok(reports.remove(0))
}

/// Runs each plan in turn over the same `connections`, `pause` apart (so that one step's queue
/// has drained before the next starts), calling `done` after each; blocks the calling
/// thread.
pub fn run_steps_blocking(
    url: &str,
    tls: &ClientTls,
    connections: usize,
    plans: Vec<LoadPlan>,
    pause: Duration,
    mut done: impl FnMut(&LoadReport),
) -> Result<Vec<LoadReport>, LoadError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(LoadError::Runtime)?;
    runtime.block_on(async {
        let mut clients = Vec::with_capacity(connections);
        for _ in 0..connections {
            clients.push(connect(url, tls).await?);
        }
        let mut reports = Vec::with_capacity(plans.len());
        for (i, plan) in plans.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(pause).await;
            }
            let report = run(&clients, plan).await?;
            done(&report);
            reports.push(report);
        }
        Ok(reports)
    })
}

/// Runs the plan over `clients`, request i on `clients[i % len]`: several connections,
/// as a gateway sees from many callers (one HTTP/2 connection carries only as many
/// requests at once as the server's stream limit, 200 by default).
pub async fn run(
    clients: &[SakkeClient<Channel>],
    plan: LoadPlan,
) -> Result<LoadReport, LoadError> {
    let Some(mut client) = clients.first().cloned() else {
        return Err(LoadError::EmptyPlan);
    };
    let clients: Arc<[SakkeClient<Channel>]> = clients.into();
    if plan.priorities.is_empty()
        || matches!(plan.pace, Pace::Concurrency(0))
        || matches!(plan.pace, Pace::Rate(r) if r.is_nan() || r <= 0.0)
    {
        return Err(LoadError::EmptyPlan);
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let answer = client
            .encapsulate(proto::EncapsulateRequest {
                recipient_uri: plan.user.clone(),
                key_period: plan.period.clone(),
                ssv: None,
                scheduling: None,
            })
            .await
            .map_err(LoadError::Prepare)?
            .into_inner();
        samples.push(Sample {
            ssv: answer.ssv,
            encapsulated: answer.encapsulated,
        });
    }
    let shared = Arc::new((plan, samples));
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    match shared.0.pace {
        Pace::Concurrency(n) => {
            for worker in 0..n {
                let client = clients[worker % clients.len()].clone();
                let shared = Arc::clone(&shared);
                tasks.spawn(async move {
                    let mut outcomes = Vec::new();
                    let mut i = worker;
                    while start.elapsed() < shared.0.duration {
                        outcomes.push(one(client.clone(), &shared.0, &shared.1, i).await);
                        i += n;
                    }
                    outcomes
                });
            }
        }
        Pace::Rate(rate) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            // Open loop: requests late to start are started at once, not skipped.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut i = 0;
            while start.elapsed() < shared.0.duration {
                tick.tick().await;
                let client = clients[i % clients.len()].clone();
                let shared = Arc::clone(&shared);
                tasks.spawn(async move { vec![one(client, &shared.0, &shared.1, i).await] });
                i += 1;
            }
        }
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.extend(done.unwrap_or_default());
    }
    Ok(report(&shared.0, &outcomes, start.elapsed()))
}

async fn one(
    mut client: SakkeClient<Channel>,
    plan: &LoadPlan,
    samples: &[Sample],
    i: usize,
) -> Outcome {
    let sample = &samples[i % samples.len()];
    let priority = plan.priorities[i % plan.priorities.len()];
    let scheduling = Some(proto::Scheduling {
        priority: priority as i32,
        timeout_ms: plan.timeout_ms,
    });
    let sent = Instant::now();
    let result = match plan.operation {
        Operation::Decapsulate => client
            .decapsulate(proto::DecapsulateRequest {
                user_uri: plan.user.clone(),
                key_period: plan.period.clone(),
                encapsulated: sample.encapsulated.clone(),
                scheduling,
            })
            .await
            .map(|answer| answer.into_inner().ssv == sample.ssv),
        Operation::Encapsulate => client
            .encapsulate(proto::EncapsulateRequest {
                recipient_uri: plan.user.clone(),
                key_period: plan.period.clone(),
                ssv: Some(sample.ssv.clone()),
                scheduling,
            })
            .await
            .map(|answer| {
                let answer = answer.into_inner();
                answer.encapsulated == sample.encapsulated && answer.ssv == sample.ssv
            }),
    };
    Outcome {
        priority,
        latency: sent.elapsed(),
        result: result.map_err(|status| status.code()),
    }
}

/// The latency below which a fraction `q` of the sorted `values` fall, in ms.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn report(plan: &LoadPlan, outcomes: &[Outcome], elapsed: Duration) -> LoadReport {
    let mut levels: Vec<Priority> = Vec::new();
    for p in &plan.priorities {
        if !levels.iter().any(|l| name(*l) == name(*p)) {
            levels.push(*p);
        }
    }
    levels.sort_by_key(|p| *p as i32);
    let priorities: Vec<PriorityReport> = levels
        .into_iter()
        .map(|level| {
            let mine: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| name(o.priority) == name(level))
                .collect();
            let mut latencies: Vec<Duration> = mine
                .iter()
                .filter(|o| o.result == Ok(true))
                .map(|o| o.latency)
                .collect();
            latencies.sort();
            let mut errors = BTreeMap::new();
            for o in &mine {
                if let Err(code) = o.result {
                    *errors.entry(format!("{code:?}")).or_insert(0) += 1;
                }
            }
            PriorityReport {
                priority: name(level),
                sent: mine.len() as u64,
                ok: latencies.len() as u64,
                wrong: mine.iter().filter(|o| o.result == Ok(false)).count() as u64,
                errors,
                p50_ms: percentile(&latencies, 0.50),
                p90_ms: percentile(&latencies, 0.90),
                p99_ms: percentile(&latencies, 0.99),
                p999_ms: percentile(&latencies, 0.999),
            }
        })
        .collect();
    let ok: u64 = priorities.iter().map(|p| p.ok).sum();
    let seconds = elapsed.as_secs_f64();
    let (offered_per_second, concurrency) = match plan.pace {
        Pace::Rate(r) => (Some(r), None),
        Pace::Concurrency(n) => (None, Some(n)),
    };
    LoadReport {
        offered_per_second,
        concurrency,
        seconds,
        sent: outcomes.len() as u64,
        ok,
        wrong: priorities.iter().map(|p| p.wrong).sum(),
        ok_per_second: if seconds > 0.0 {
            ok as f64 / seconds
        } else {
            0.0
        },
        priorities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms: Vec<Duration> = (1..=1000).map(Duration::from_millis).collect();
        assert_eq!(percentile(&ms, 0.5), 500.0);
        assert_eq!(percentile(&ms, 0.99), 990.0);
        assert_eq!(percentile(&ms, 0.999), 999.0);
        assert_eq!(percentile(&ms[..1], 0.999), 1.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
