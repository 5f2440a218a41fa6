//! Scale-out on NATS JetStream (DESIGN.md 5): gateways (`sakke serve --nats`) publish
//! every request (decapsulations, encapsulations, I_MESSAGEs to open) as jobs to a
//! work-queue stream, one subject per priority; workers (`sakke worker --nats`) pull what
//! they can finish soon ([`intake`]), emergency jobs first, answer on the gateway's own
//! subject, then ack.
//!
//! A job a worker took but never acked (the worker died) is redelivered after the
//! consumer's `ack_wait`; every job gives the same answer each time (the same
//! Encapsulated Data the same SSV; an encapsulation carries the SSV the gateway chose;
//! an I_MESSAGE is judged against the gateway's clock at receipt and the gateway keeps
//! the replay cache), and the gateway keeps the first answer for each request and drops
//! the rest, so every request is answered once. Jobs carry no long-term secret (see
//! [`wire`]). Workers also answer status surveys ([`status`]), which `sakke workers`
//! sends.

mod compute;
mod forward;
mod intake;
mod queues;
pub mod status;
pub mod wire;
mod worker;

use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use engine::Priority;
use thiserror::Error;

pub use forward::{Forwarder, RemoteTicket};
pub use queues::{queues, QueueStatus};
pub use status::{survey, survey_once, Survey, WorkerStatus, STATUS_SUBJECT};
pub use worker::{Worker, WorkerStats};

/// The work-queue stream, and the prefix of the subjects gateways publish jobs to: one
/// subject per priority (`sakke.work.emergency`, `.normal`, `.bulk`), so that a worker
/// can take emergency jobs before older bulk ones. (Names of their own: the streams of
/// earlier versions, `SAKKE_JOBS` and `SAKKE_DECAPSULATIONS`, took `sakke.jobs.>`.)
pub const STREAM: &str = "SAKKE_WORK";
pub const JOB_SUBJECT: &str = "sakke.work";
/// The prefix of the durable pull consumers every worker shares, one per priority
/// (`sakke-workers-emergency`, ...).
pub const CONSUMER: &str = "sakke-workers";
/// Gateways ring this (core NATS, no payload) once a job is stored, so that idle
/// workers fetch at once instead of polling; a lost ring costs at most [`IDLE_POLL`].
/// (Outside `sakke.work.*`, which the stream captures.)
pub const DOORBELL_SUBJECT: &str = "sakke.doorbell";
/// How long an idle worker waits for a doorbell before it looks anyway.
pub const IDLE_POLL: Duration = Duration::from_millis(250);
/// Requests a gateway puts in one job at most (the wire allows up to
/// [`wire::MAX_ITEMS`]): small enough that several workers share a burst, large enough
/// that a job's NATS round trip is spread over many requests.
pub const JOB_ITEMS: usize = 32;
/// Prefix of each gateway's answer subject (`sakke.answers.<gateway id>`).
pub const ANSWERS_PREFIX: &str = "sakke.answers";
/// The stream's bounds, set by the gateways (`[nats]` stream_max_jobs, stream_max_age_s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Jobs the stream holds at most; past it a publish fails and the gateway answers
    /// busy.
    pub max_jobs: i64,
    /// Jobs nobody took in this long are dropped by the server (their deadlines are gone).
    pub max_age: Duration,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            max_jobs: 100_000,
            max_age: Duration::from_secs(600),
        }
    }
}

impl StreamLimits {
    fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: STREAM.into(),
            subjects: vec![format!("{JOB_SUBJECT}.*")],
            retention: stream::RetentionPolicy::WorkQueue,
            discard: stream::DiscardPolicy::New,
            max_messages: self.max_jobs,
            max_age: self.max_age,
            storage: stream::StorageType::File,
            ..Default::default()
        }
    }
}

/// How to reach the NATS server, and as whom.
#[derive(Debug, Clone, Default)]
pub struct NatsOptions {
    /// `nats://host:port` or `tls://host:port`.
    pub url: String,
    /// User and password (the server's `authorization` block), if it asks for them.
    pub user: Option<String>,
    pub password: Option<String>,
    /// NKey seed (`SU...`): the server checks a signature with the public key it lists.
    pub nkey_seed: Option<String>,
    /// CA that the server's certificate must chain to; set, TLS is required.
    pub ca: Option<PathBuf>,
    /// Name shown by the server's monitoring (`connz`).
    pub name: String,
}

#[derive(Debug, Error)]
pub enum NatsError {
    #[error("connecting to NATS at {url}: {source}")]
    Connect {
        url: String,
        source: async_nats::ConnectError,
    },
    #[error("JetStream {what}: {detail}")]
    JetStream { what: &'static str, detail: String },
    #[error("subscribing to {subject}: {detail}")]
    Subscribe { subject: String, detail: String },
}

fn js_error(what: &'static str) -> impl Fn(String) -> NatsError {
    move |detail| NatsError::JetStream { what, detail }
}

/// Connects; a refused login or a bad certificate fails here, not later.
pub async fn connect(options: &NatsOptions) -> Result<async_nats::Client, NatsError> {
    let mut o = async_nats::ConnectOptions::new()
        .name(&options.name)
        .connection_timeout(Duration::from_secs(10));
    if let (Some(user), Some(password)) = (&options.user, &options.password) {
        o = o.user_and_password(user.clone(), password.clone());
    }
    if let Some(seed) = &options.nkey_seed {
        o = o.nkey(seed.clone());
    }
    if let Some(ca) = &options.ca {
        o = o.add_root_certificates(ca.clone()).require_tls(true);
    }
    o.connect(options.url.as_str())
        .await
        .map_err(|source| NatsError::Connect {
            url: options.url.clone(),
            source,
        })
}

/// The name of a priority in subjects and consumer names.
pub fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::Emergency => "emergency",
        Priority::Normal => "normal",
        Priority::Bulk => "bulk",
    }
}

/// The workers' shared durable consumer of one priority's jobs.
pub fn consumer_name(priority: Priority) -> String {
    format!("{CONSUMER}-{}", priority_name(priority))
}

/// The subject jobs of one priority are published to.
pub fn job_subject(priority: Priority) -> String {
    format!("{JOB_SUBJECT}.{}", priority_name(priority))
}

/// The work-queue stream, created if missing: file storage, bounded in count and age,
/// refusing new jobs when full (so that overload is answered busy, not lost). With
/// `limits` (a gateway) an existing stream is brought to them; without (a worker) it is
/// used as it is, or created with the default limits.
pub async fn job_stream(
    js: &jetstream::Context,
    limits: Option<&StreamLimits>,
) -> Result<stream::Stream, NatsError> {
    let wanted = limits.copied().unwrap_or_default();
    let mut stream = js
        .get_or_create_stream(wanted.stream_config())
        .await
        .map_err(|e| js_error("stream")(e.to_string()))?;
    if limits.is_some() {
        let config = &stream
            .info()
            .await
            .map_err(|e| js_error("stream info")(e.to_string()))?
            .config;
        if config.max_messages != wanted.max_jobs || config.max_age != wanted.max_age {
            js.update_stream(wanted.stream_config())
                .await
                .map_err(|e| js_error("stream update")(e.to_string()))?;
        }
    }
    Ok(stream)
}

/// Jobs delivered and not yet acked at once, over all workers of a priority, unless a
/// worker says otherwise (`--max-ack-pending`).
pub const MAX_ACK_PENDING: i64 = 20_000;

/// The workers' shared durable pull consumer for one priority's subject, created if
/// missing with `ack_wait` and `max_ack_pending` (default [`MAX_ACK_PENDING`]). The first
/// to create it sets `ack_wait`: later workers keep it. A `max_ack_pending` given is
/// applied to an existing consumer too, since it bounds the whole deployment: more
/// workers with more slots need more jobs in flight.
pub async fn job_consumer(
    stream: &stream::Stream,
    priority: Priority,
    ack_wait: Duration,
    max_ack_pending: Option<i64>,
) -> Result<consumer::PullConsumer, NatsError> {
    let name = consumer_name(priority);
    let config = |ack_wait, max_ack_pending| consumer::pull::Config {
        durable_name: Some(name.clone()),
        filter_subject: job_subject(priority),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait,
        max_ack_pending,
        ..Default::default()
    };
    let fail = js_error("consumer");
    let wanted = max_ack_pending.unwrap_or(MAX_ACK_PENDING);
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(&name, config(ack_wait, wanted))
        .await
        .map_err(|e| fail(e.to_string()))?;
    let found = &consumer.cached_info().config;
    match max_ack_pending {
        // Creating a durable consumer that exists, with only editable settings changed,
        // updates it (nats-server 2.9 has no separate update request).
        Some(wanted) if found.max_ack_pending != wanted => stream
            .create_consumer(config(found.ack_wait, wanted))
            .await
            .map_err(|e| fail(e.to_string())),
        _ => Ok(consumer),
    }
}
