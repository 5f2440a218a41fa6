//! Who is connected: every worker answers requests on [`STATUS_SUBJECT`] with what it
//! is and what it has done, so that `sakke workers` (or `nats req sakke.workers.status
//! ''`) lists the nodes the gateways' jobs reach. Counts only: no key, identity or
//! request content.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{connect, NatsError, NatsOptions};
use crate::ServeError;

/// Workers subscribe here (no queue group: every worker answers every survey).
pub const STATUS_SUBJECT: &str = "sakke.workers.status";

/// One worker's answer to a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerStatus {
    /// The worker's connection name (`--name`).
    pub name: String,
    /// Its pairing backend.
    pub backend: String,
    /// Users its key store decapsulates for.
    pub users: usize,
    /// Requests it holds at most, and how many of those slots are free now.
    pub slots: usize,
    pub free_slots: usize,
    /// Jobs pulled, requests answered, undecodable jobs dropped, since it started.
    pub jobs: u64,
    pub answered: u64,
    pub bad_jobs: u64,
    pub uptime_s: f64,
}

/// What one survey heard.
#[derive(Debug, Default)]
pub struct Survey {
    /// Sorted by name.
    pub workers: Vec<WorkerStatus>,
    /// The job queues, emergency first, as the server reports them.
    pub queues: Vec<super::QueueStatus>,
    /// Answers on the survey's inbox that were not a worker status (another program
    /// answering on the subject, or a worker of an incompatible version).
    pub unreadable: usize,
}

/// Asks every connected worker for its status and collects answers for `wait`.
pub async fn survey(client: &async_nats::Client, wait: Duration) -> Result<Survey, NatsError> {
    let inbox = client.new_inbox();
    let subscribe_error = |e: String| NatsError::Subscribe {
        subject: inbox.clone(),
        detail: e,
    };
    let mut answers = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| subscribe_error(e.to_string()))?;
    client
        .publish_with_reply(STATUS_SUBJECT, inbox.clone(), "".into())
        .await
        .map_err(|e| subscribe_error(e.to_string()))?;
    client
        .flush()
        .await
        .map_err(|e| subscribe_error(e.to_string()))?;
    let mut survey = Survey::default();
    let until = Instant::now() + wait;
    while let Ok(Some(answer)) = tokio::time::timeout_at(until.into(), answers.next()).await {
        match serde_json::from_slice::<WorkerStatus>(&answer.payload) {
            Ok(status) => survey.workers.push(status),
            Err(_) => survey.unreadable += 1,
        }
    }
    survey.workers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(survey)
}

/// Connects as `options` says, runs one [`survey`], reads the [`queues`](super::queues)
/// and disconnects: `sakke workers`.
pub fn survey_once(options: &NatsOptions, wait: Duration) -> Result<Survey, ServeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async {
        let client = connect(options).await?;
        let mut heard = survey(&client, wait).await?;
        heard.queues = super::queues(&async_nats::jetstream::new(client)).await?;
        Ok(heard)
    })
}
