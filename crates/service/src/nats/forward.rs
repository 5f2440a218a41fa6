//! The gateway's side of the work queue: admitted requests become job items,
//! gathered into jobs under the server's max payload and published to the stream; the
//! answers come back on this gateway's own subject and each request takes the first
//! answer for its id. Later answers (a redelivered job answered twice) find no one
//! waiting and are dropped; a request whose deadline passes first is answered
//! `deadline_exceeded`. At most `max_in_flight` requests wait at once; more are busy.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_nats::jetstream;
use engine::Priority;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tonic::{Code, Status};

use super::wire::{self, JobItem, JobWriter, Request};
use super::{
    connect, job_stream, job_subject, NatsError, NatsOptions, StreamLimits, ANSWERS_PREFIX,
    DOORBELL_SUBJECT, JOB_ITEMS,
};
use crate::status::status;

/// An answer's body (an SSV, Encapsulated Data, an opened message), or why there is none.
type Outcome = Result<Vec<u8>, Status>;

pub struct Forwarder {
    submit: mpsc::Sender<JobItem>,
    waiting: Arc<Waiting>,
    max_in_flight: usize,
    /// Used when the client gives no deadline: every request is answered within it.
    default_timeout: Duration,
    next_id: AtomicU64,
    counts: Arc<Counts>,
}

/// What the forwarder has done, for `/metrics`.
#[derive(Default)]
struct Counts {
    forwarded: AtomicU64,
    jobs: AtomicU64,
    answered: AtomicU64,
    /// Answers that found no one waiting: a redelivered job's second answer, or one that
    /// came after its request's deadline.
    dropped: AtomicU64,
    refused: AtomicU64,
}

/// Requests published and not yet answered, by id.
#[derive(Default)]
struct Waiting(Mutex<HashMap<u64, oneshot::Sender<Outcome>>>);

impl Waiting {
    fn take(&self, id: u64) -> Option<oneshot::Sender<Outcome>> {
        self.0.lock().expect("not poisoned").remove(&id)
    }

    fn answer(&self, id: u64, outcome: Outcome) -> bool {
        match self.take(id) {
            Some(tx) => {
                let _ = tx.send(outcome);
                true
            }
            None => false,
        }
    }
}

/// One forwarded request; resolves once, to the first answer or to its deadline.
pub struct RemoteTicket {
    id: u64,
    rx: oneshot::Receiver<Outcome>,
    deadline: Instant,
    waiting: Arc<Waiting>,
}

impl Drop for RemoteTicket {
    /// A caller that stops waiting frees its place; a late answer is then dropped.
    fn drop(&mut self) {
        self.waiting.take(self.id);
    }
}

impl RemoteTicket {
    pub async fn finish(mut self) -> Outcome {
        let deadline = tokio::time::Instant::from_std(self.deadline);
        match tokio::time::timeout_at(deadline, &mut self.rx).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(unavailable("the gateway's NATS tasks stopped")),
            Err(_) => {
                if self.waiting.take(self.id).is_some() {
                    Err(status(
                        Code::DeadlineExceeded,
                        "deadline_exceeded",
                        "no worker answered before the deadline",
                    ))
                } else {
                    // The answer won the race with the deadline: it is in the channel.
                    self.rx
                        .try_recv()
                        .unwrap_or_else(|_| Err(unavailable("the answer was lost")))
                }
            }
        }
    }
}

fn unavailable(detail: impl std::fmt::Display) -> Status {
    status(Code::Unavailable, "nats_unavailable", detail)
}

fn unix_ms(at: Instant) -> u64 {
    let wall = SystemTime::now() + at.saturating_duration_since(Instant::now());
    wall.duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64)
}

impl Forwarder {
    /// Connects, makes sure the stream exists, subscribes to this gateway's answers and
    /// starts the publishing and answering tasks (on the current runtime).
    pub async fn start(
        options: &NatsOptions,
        max_in_flight: usize,
        default_timeout: Duration,
        limits: StreamLimits,
    ) -> Result<Arc<Forwarder>, NatsError> {
        let client = connect(options).await?;
        let js = jetstream::new(client.clone());
        job_stream(&js, Some(&limits)).await?;
        let reply = format!("{ANSWERS_PREFIX}.{}", client.new_inbox().replace('.', "_"));
        let answers = client
            .subscribe(reply.clone())
            .await
            .map_err(|e| NatsError::Subscribe {
                subject: reply.clone(),
                detail: e.to_string(),
            })?;
        let waiting = Arc::new(Waiting::default());
        let counts = Arc::new(Counts::default());
        let (submit, queued) = mpsc::channel(max_in_flight.max(1));
        let limit = client.server_info().max_payload;
        let sender = Sender {
            client: client.clone(),
            max_jobs: limits.max_jobs,
            js,
            waiting: Arc::clone(&waiting),
            counts: Arc::clone(&counts),
        };
        tokio::spawn(publish(sender, queued, reply, limit));
        tokio::spawn(receive(answers, Arc::clone(&waiting), Arc::clone(&counts)));
        Ok(Arc::new(Forwarder {
            submit,
            waiting,
            max_in_flight,
            default_timeout,
            next_id: AtomicU64::new(1),
            counts,
        }))
    }

    /// Queues a request for the workers, or answers busy at once; the ticket resolves to
    /// the answer's body (see [`wire`]).
    pub fn submit(
        &self,
        request: Request,
        priority: Priority,
        deadline: Option<Instant>,
    ) -> Result<RemoteTicket, Status> {
        let deadline = deadline.unwrap_or_else(|| Instant::now() + self.default_timeout);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let item = JobItem {
            id,
            priority,
            deadline_unix_ms: unix_ms(deadline),
            request,
        };
        item.check()
            .map_err(|e| crate::status::bad_request(e.to_string()))?;
        let (tx, rx) = oneshot::channel();
        {
            let mut waiting = self.waiting.0.lock().expect("not poisoned");
            if waiting.len() >= self.max_in_flight {
                self.counts.refused.fetch_add(1, Ordering::Relaxed);
                return Err(busy(self.max_in_flight));
            }
            waiting.insert(id, tx);
        }
        let ticket = RemoteTicket {
            id,
            rx,
            deadline,
            waiting: Arc::clone(&self.waiting),
        };
        // The channel holds max_in_flight items, as many as may wait: never full here
        // unless the publisher has stopped.
        self.submit
            .try_send(item)
            .map_err(|_| unavailable("the gateway's NATS publisher stopped"))?;
        self.counts.forwarded.fetch_add(1, Ordering::Relaxed);
        Ok(ticket)
    }

    /// The forwarder's counters and how many requests wait, Prometheus text format.
    pub fn render_prometheus(&self) -> String {
        let c = &self.counts;
        let waiting = self.waiting.0.lock().expect("not poisoned").len();
        let mut out = String::new();
        for (name, help, value) in [
            ("forwarded_total", "Requests (decapsulations, encapsulations, I_MESSAGEs) published for workers.", &c.forwarded),
            ("jobs_total", "Jobs (groups of requests) published.", &c.jobs),
            ("answered_total", "Requests answered by a worker.", &c.answered),
            ("answers_dropped_total", "Answers that found no one waiting (a redelivered job answered twice, or a request past its deadline).", &c.dropped),
            ("busy_total", "Requests refused: the gateway held its maximum for workers.", &c.refused),
        ] {
            let v = value.load(Ordering::Relaxed);
            out += &format!("# HELP sakke_nats_{name} {help}\n# TYPE sakke_nats_{name} counter\nsakke_nats_{name} {v}\n");
        }
        out += &format!("# HELP sakke_nats_waiting Requests waiting for a worker's answer.\n# TYPE sakke_nats_waiting gauge\nsakke_nats_waiting {waiting}\n");
        out
    }
}

fn stream_full(max_jobs: i64) -> Status {
    status(
        Code::ResourceExhausted,
        "busy",
        format!("the job stream holds its maximum of {max_jobs} jobs for the workers"),
    )
}

fn busy(max: usize) -> Status {
    status(
        Code::ResourceExhausted,
        "busy",
        format!("the gateway holds its maximum of {max} requests for the workers"),
    )
}

/// Publishes what is queued as jobs, as many items of one priority to a job as fit, each
/// on its priority's subject; a job the stream refuses answers its items at once (busy
/// when the stream is full). Once a job is stored, the doorbell rings for idle workers.
async fn publish(sender: Sender, mut queued: mpsc::Receiver<JobItem>, reply: String, limit: usize) {
    while let Some(first) = queued.recv().await {
        // One job in the making per priority; a full one goes out at once, the rest when
        // the queue is empty, emergency first.
        let mut jobs: [Option<(JobWriter, Vec<u64>)>; 3] = [None, None, None];
        let mut next = Some(first);
        while let Some(item) = next.take().or_else(|| queued.try_recv().ok()) {
            let slot = &mut jobs[item.priority.index()];
            if slot.as_ref().is_some_and(|(w, _)| !w.fits(&item)) {
                let (writer, ids) = slot.take().expect("checked above");
                sender.send(item.priority, writer, ids).await;
            }
            let (writer, ids) = slot.get_or_insert_with(|| {
                (
                    JobWriter::new(&reply, limit).with_max_items(JOB_ITEMS),
                    Vec::new(),
                )
            });
            writer.push(&item);
            ids.push(item.id);
        }
        for priority in Priority::ALL {
            if let Some((writer, ids)) = jobs[priority.index()].take() {
                sender.send(priority, writer, ids).await;
            }
        }
    }
}

/// What publishing a job needs.
struct Sender {
    client: async_nats::Client,
    /// The stream's bound, for the busy answer when it is full.
    max_jobs: i64,
    js: jetstream::Context,
    waiting: Arc<Waiting>,
    counts: Arc<Counts>,
}

impl Sender {
    async fn send(&self, priority: Priority, writer: JobWriter, ids: Vec<u64>) {
        let fail = |waiting: &Waiting, ids: &[u64], s: Status| {
            for id in ids {
                waiting.answer(*id, Err(s.clone()));
            }
        };
        self.counts.jobs.fetch_add(1, Ordering::Relaxed);
        let bytes = writer.finish();
        match self.js.publish(job_subject(priority), bytes.into()).await {
            Ok(ack) => {
                let waiting = Arc::clone(&self.waiting);
                let client = self.client.clone();
                let max_jobs = self.max_jobs;
                tokio::spawn(async move {
                    match ack.await {
                        Ok(_) => {
                            // Best effort: a worker that misses it looks after IDLE_POLL.
                            let _ = client.publish(DOORBELL_SUBJECT, "".into()).await;
                        }
                        Err(e) => {
                            let s = if e.to_string().contains("maximum messages") {
                                stream_full(max_jobs)
                            } else {
                                unavailable(format!("the job was not stored: {e}"))
                            };
                            fail(&waiting, &ids, s);
                        }
                    }
                });
            }
            Err(e) => fail(&self.waiting, &ids, unavailable(format!("publishing: {e}"))),
        }
    }
}

/// Hands each answer to its request, once.
async fn receive(mut answers: async_nats::Subscriber, waiting: Arc<Waiting>, counts: Arc<Counts>) {
    while let Some(message) = answers.next().await {
        let items = match wire::decode_answers(&message.payload) {
            Ok(items) => items,
            Err(e) => {
                eprintln!("sakke serve: dropping a bad answer message: {e}");
                continue;
            }
        };
        for item in items {
            let outcome = item
                .result
                .map_err(|(code, message)| Status::new(Code::from_i32(code.into()), message));
            let counter = if waiting.answer(item.id, outcome) {
                &counts.answered
            } else {
                &counts.dropped
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}
