//! `sakke worker`: pulls jobs (decapsulations, encapsulations, I_MESSAGEs to open) from
//! the work queue, as many as it can finish soon within its free slots ([`intake`]:
//! capacity-aware, unlike a queue group that picks members at random), from the
//! emergency subject first, then normal, then bulk (idle, it waits for a gateway's
//! doorbell), runs them
//! on its own engine with its own key store, publishes the answers to the gateway's
//! subject, and only then acks. A worker that dies before the ack has its jobs
//! redelivered to another after `ack_wait`. It also answers status surveys
//! (`sakke workers`) with what it is and has done.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, AckKind};
use engine::{Engine, Priority};
use futures_util::{FutureExt, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::compute;
use super::intake::Intake;
use super::status::{WorkerStatus, STATUS_SUBJECT};
use super::wire::{self, AnswerItem};
use super::{
    connect, job_consumer, job_stream, NatsError, NatsOptions, DOORBELL_SUBJECT, IDLE_POLL,
};
use crate::keyring::KeyRing;
use crate::ServeError;

/// A fetch asks for what is waiting now (no wait on the server), so its batch ends in a
/// round trip; one that has not ended in this long never will.
const FETCH_WAIT: Duration = Duration::from_secs(2);

pub struct Worker {
    pub engine: Engine,
    pub keys: Arc<KeyRing>,
    pub nats: NatsOptions,
    /// The backend's name, for status surveys.
    pub backend: String,
    /// Requests held at most (fetched, queued or computing); at least
    /// [`wire::MAX_ITEMS`], and no more than the engine's `max_queue`.
    pub slots: usize,
    /// Redelivery delay of a job whose worker died, if this worker creates the consumer.
    pub ack_wait: Duration,
    /// Jobs delivered and unacked at once over all workers (see [`job_consumer`]); `None`
    /// keeps what the consumers have.
    pub max_ack_pending: Option<i64>,
    /// Plain-HTTP `GET /metrics`: the engine's metrics and [`WorkerStats`].
    pub metrics_listen: Option<SocketAddr>,
}

/// What a worker has done, for its log line and metrics.
#[derive(Debug, Default)]
pub struct WorkerStats {
    pub jobs: AtomicU64,
    pub answered: AtomicU64,
    pub bad_jobs: AtomicU64,
}

struct Shared {
    engine: Engine,
    keys: Arc<KeyRing>,
    client: async_nats::Client,
    stats: Arc<WorkerStats>,
}

impl Worker {
    /// Connects, then serves until `stop` completes: stops pulling, answers and acks
    /// every job it holds, stops the engine and returns. `ready` gets the metrics
    /// listener's address.
    pub async fn run(
        self,
        stop: impl Future<Output = ()>,
        stats: Arc<WorkerStats>,
        ready: impl FnOnce(Option<SocketAddr>),
    ) -> Result<(), ServeError> {
        let slots = self.slots.max(wire::MAX_ITEMS);
        let client = connect(&self.nats).await?;
        let js = jetstream::new(client.clone());
        let stream = job_stream(&js, None).await?;
        let mut consumers = Vec::new();
        for priority in Priority::ALL {
            consumers
                .push(job_consumer(&stream, priority, self.ack_wait, self.max_ack_pending).await?);
        }
        let subscribe = |subject: &str, e: async_nats::SubscribeError| NatsError::Subscribe {
            subject: subject.into(),
            detail: e.to_string(),
        };
        let mut doorbell = client
            .subscribe(DOORBELL_SUBJECT)
            .await
            .map_err(|e| subscribe(DOORBELL_SUBJECT, e))?;
        let permits = Arc::new(Semaphore::new(slots));
        let about = About {
            name: self.nats.name.clone(),
            backend: self.backend.clone(),
            users: self.keys.len(),
            slots,
            started: Instant::now(),
        };
        let surveys = client
            .subscribe(STATUS_SUBJECT)
            .await
            .map_err(|e| subscribe(STATUS_SUBJECT, e))?;
        let status_task = tokio::spawn(answer_surveys(
            client.clone(),
            surveys,
            about,
            Arc::clone(&stats),
            Arc::clone(&permits),
        ));
        let metrics = match self.metrics_listen {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServeError::Bind { addr, source })?;
                let bound = listener.local_addr().unwrap_or(addr);
                let render = render(self.engine.clone(), Arc::clone(&stats), &permits);
                Some((
                    bound,
                    tokio::spawn(crate::metrics_http::serve(listener, render)),
                ))
            }
            None => None,
        };
        let shared = Arc::new(Shared {
            engine: self.engine.clone(),
            keys: self.keys,
            client,
            stats: Arc::clone(&stats),
        });
        ready(metrics.as_ref().map(|(addr, _)| *addr));
        let mut tasks = JoinSet::new();
        // Requests per job, a moving mean: gateways pack more into a job under load.
        let mut per_job = 16.0f64;
        let mut intake = Intake::new(slots);
        tokio::pin!(stop);
        'pull: loop {
            while tasks.try_join_next().is_some() {}
            // Hold what can be finished soon (see `intake`): with enough in hand, wait
            // for a job to finish; else ask for as many jobs as the gap holds at the mean
            // job size.
            let target = intake.target(stats.answered.load(Ordering::Relaxed));
            let held = slots - permits.available_permits();
            if held >= target {
                tokio::select! {
                    _ = tasks.join_next() => {}
                    _ = &mut stop => break,
                }
                continue;
            }
            let mut want = (((target - held) as f64 / per_job).ceil() as usize).max(1);
            // Rings heard so far are answered by the round that follows.
            while doorbell.next().now_or_never().flatten().is_some() {}
            let mut took = 0usize;
            // Emergency jobs first, then normal, then bulk: what is waiting now, up to
            // what the slots hold.
            for consumer in &consumers {
                if want == 0 {
                    break;
                }
                let mut batch = match consumer.fetch().max_messages(want).messages().await {
                    Ok(batch) => batch,
                    Err(e) => {
                        eprintln!("sakke worker: pulling jobs: {e}");
                        continue;
                    }
                };
                loop {
                    let next = tokio::select! {
                        next = batch.next() => next,
                        _ = &mut stop => break 'pull,
                        _ = tokio::time::sleep(FETCH_WAIT) => {
                            // The server went away mid-fetch (a restart): its end of the
                            // batch will never come. What it did deliver is redelivered
                            // after ack_wait.
                            eprintln!("sakke worker: no end of a fetch in {FETCH_WAIT:?}; pulling again");
                            break;
                        }
                    };
                    let message = match next {
                        Some(Ok(message)) => message,
                        Some(Err(e)) => {
                            eprintln!("sakke worker: pulling jobs: {e}");
                            break;
                        }
                        None => break,
                    };
                    took += 1;
                    want = want.saturating_sub(1);
                    if let Some((job, held)) = admit(&message, &permits, &stats, &mut per_job).await
                    {
                        tasks.spawn(handle(Arc::clone(&shared), message, job, held));
                    }
                }
            }
            if took == 0 {
                // Nothing waiting: sleep until a gateway rings (or IDLE_POLL, should the
                // ring be lost or the server be away).
                tokio::select! {
                    Some(_) = doorbell.next() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = &mut stop => break,
                }
            }
        }
        while tasks.join_next().await.is_some() {}
        status_task.abort();
        if let Some((_, task)) = metrics {
            task.abort();
        }
        let engine = self.engine;
        let _ = tokio::task::spawn_blocking(move || engine.shutdown()).await;
        Ok(())
    }

    /// The whole life of `sakke worker`: serves until SIGTERM or SIGINT, then drains.
    pub fn run_until_signal(
        self,
        stats: Arc<WorkerStats>,
        ready: impl FnOnce(Option<SocketAddr>),
    ) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(crate::ServeError::Runtime)?;
        runtime.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).map_err(crate::ServeError::Runtime)?;
            let mut interrupt =
                signal(SignalKind::interrupt()).map_err(crate::ServeError::Runtime)?;
            let stop = async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = interrupt.recv() => {}
                }
            };
            self.run(stop, stats, ready).await
        })
    }
}

/// Decodes a pulled job and waits for slots for its requests; a job that does not decode
/// is terminated (never redelivered: there is no reply subject to trust) and gives None.
/// Updates the mean job size the next pull is sized by.
async fn admit(
    message: &jetstream::Message,
    permits: &Arc<Semaphore>,
    stats: &WorkerStats,
    per_job: &mut f64,
) -> Option<(wire::Job, OwnedSemaphorePermit)> {
    let job = match wire::decode_job(&message.payload) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("sakke worker: dropping a bad job: {e}");
            stats.bad_jobs.fetch_add(1, Ordering::Relaxed);
            let _ = message.ack_with(AckKind::Term).await;
            return None;
        }
    };
    let n = job.items.len() as u32;
    *per_job = 0.9 * *per_job + 0.1 * f64::from(n);
    let held = Arc::clone(permits)
        .acquire_many_owned(n)
        .await
        .expect("never closed");
    Some((job, held))
}

/// What a worker says of itself in a status survey, besides its counters.
struct About {
    name: String,
    backend: String,
    users: usize,
    slots: usize,
    started: Instant,
}

/// Answers each status survey with this worker's [`WorkerStatus`], until aborted.
async fn answer_surveys(
    client: async_nats::Client,
    mut surveys: async_nats::Subscriber,
    about: About,
    stats: Arc<WorkerStats>,
    permits: Arc<Semaphore>,
) {
    while let Some(survey) = surveys.next().await {
        let Some(reply) = survey.reply else { continue };
        let status = WorkerStatus {
            name: about.name.clone(),
            backend: about.backend.clone(),
            users: about.users,
            slots: about.slots,
            free_slots: permits.available_permits(),
            jobs: stats.jobs.load(Ordering::Relaxed),
            answered: stats.answered.load(Ordering::Relaxed),
            bad_jobs: stats.bad_jobs.load(Ordering::Relaxed),
            uptime_s: about.started.elapsed().as_secs_f64(),
        };
        let payload = serde_json::to_vec(&status).expect("a plain struct serialises");
        if let Err(e) = client.publish(reply, payload.into()).await {
            eprintln!("sakke worker: answering a status survey: {e}");
        }
    }
}

/// The worker's `/metrics`: its engine's, then what it pulled and answered.
fn render(
    engine: Engine,
    stats: Arc<WorkerStats>,
    permits: &Arc<Semaphore>,
) -> Arc<dyn Fn() -> String + Send + Sync> {
    let permits = Arc::clone(permits);
    Arc::new(move || {
        let mut out = engine.metrics().render_prometheus();
        for (name, help, value) in [
            ("jobs_total", "Jobs pulled and decoded.", &stats.jobs),
            (
                "answered_total",
                "Requests answered (results and errors).",
                &stats.answered,
            ),
            (
                "bad_jobs_total",
                "Undecodable jobs dropped.",
                &stats.bad_jobs,
            ),
        ] {
            let v = value.load(Ordering::Relaxed);
            out += &format!("# HELP sakke_worker_{name} {help}\n# TYPE sakke_worker_{name} counter\nsakke_worker_{name} {v}\n");
        }
        let free = permits.available_permits();
        out += &format!("# HELP sakke_worker_free_slots Slots free for more jobs.\n# TYPE sakke_worker_free_slots gauge\nsakke_worker_free_slots {free}\n");
        out
    })
}

/// Runs one job's requests, publishes their answers, then acks. A failed publish leaves
/// the job unacked, to be redelivered.
async fn handle(
    shared: Arc<Shared>,
    message: jetstream::Message,
    job: wire::Job,
    _held: OwnedSemaphorePermit,
) {
    shared.stats.jobs.fetch_add(1, Ordering::Relaxed);
    let started: Vec<_> = job
        .items
        .iter()
        .map(|i| (i.id, compute::start(&shared.engine, &shared.keys, i)))
        .collect();
    let mut answers = Vec::with_capacity(started.len());
    for (id, started) in started {
        let result = match started {
            Ok(ticket) => compute::finish(ticket).await,
            Err(status) => Err(status),
        };
        answers.push(AnswerItem {
            id,
            result: result.map_err(|s| (s.code() as u8, s.message().to_string())),
        });
    }
    let limit = shared.client.server_info().max_payload;
    for chunk in wire::encode_answers(&answers, limit) {
        if let Err(e) = shared.client.publish(job.reply.clone(), chunk.into()).await {
            eprintln!("sakke worker: publishing answers: {e}");
            return;
        }
    }
    if let Err(e) = shared.client.flush().await {
        eprintln!("sakke worker: publishing answers: {e}");
        return;
    }
    // The answers are out: an ack lost here means a redelivery and a duplicate answer,
    // which the gateway drops.
    if let Err(e) = message.ack().await {
        eprintln!("sakke worker: ack: {e}");
    }
    shared
        .stats
        .answered
        .fetch_add(answers.len() as u64, Ordering::Relaxed);
}
