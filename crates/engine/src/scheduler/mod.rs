//! The batching engine: single requests from many threads or tasks in, backend batches
//! out, exactly one answer per request.
//!
//! ```text
//!  submit() ──► bounded queue (priority x kind) ──► dispatcher ──► executor per backend
//!     │  full: busy at once        │ expired: deadline_exceeded      │ batch fails: rerun
//!     ▼                            ▼                                 ▼ on the CPU, backend
//!  Ticket ◄──────────────────── one answer each ◄──────────────── out with back-off
//! ```
//!
//! The dispatcher forms a batch only when a backend is free to take it, so requests keep
//! gathering while the backends are busy, and an emergency request waits at most for
//! the batch already running. Batches go by size: small ones to the CPU, those of
//! `offload_min_batch` or more to an idle, healthy accelerator (SSLShader's
//! opportunistic offload).

mod config;
mod job;
mod metrics;
mod queue;
mod run;
mod ticket;

pub use config::{ConfigError, EngineConfig};
pub use job::{
    Answer, EngineError, Job, Kind, OpenRequest, Outcome, Priority, ReplayCheck, SubmitOptions,
};
pub use metrics::{Histogram, Metrics};
pub use ticket::Ticket;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mikey::eccsi::VerifierCache;
use mikey::ReplayCache;
use pairing::backend::PairingBackend;
use tokio::sync::oneshot;

use queue::{until, Decision, Pending, Queue};
use run::{run_batch, OpenCaches, Target};

/// A handle on a running engine; clones share it. The engine stops (answering
/// everything queued first) when [`Engine::shutdown`] is called or the last handle drops.
#[derive(Clone)]
pub struct Engine {
    handle: Arc<Handle>,
}

/// One backend as the dispatcher sees it.
struct Slot {
    name: String,
    accelerator: bool,
    busy: bool,
    down_until: Option<Instant>,
    backoff: Duration,
}

impl Slot {
    fn usable(&self, now: Instant) -> bool {
        !self.busy && self.down_until.is_none_or(|t| t <= now)
    }
}

struct State {
    queue: Queue,
    slots: Vec<Slot>,
    in_flight: usize,
    draining: bool,
}

struct Shared {
    config: EngineConfig,
    state: Mutex<State>,
    wake: Condvar,
    accepting: AtomicBool,
    metrics: Metrics,
    open: OpenCaches,
    /// The CPU backend first, then the accelerators.
    backends: Vec<Arc<dyn PairingBackend>>,
}

struct Handle {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update of the state is completed under the lock before anything that can
        // panic, so a poisoned lock still guards a consistent state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a wake-up, or until `at` when given.
    fn wait<'a>(&self, state: MutexGuard<'a, State>, at: Option<Instant>) -> MutexGuard<'a, State> {
        match at {
            Some(at) => match self.wake.wait_timeout(state, until(at, Instant::now())) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            },
            None => self.wake.wait(state).unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Sends the one answer a request gets, and counts it.
    fn answer(&self, p: Pending, outcome: Outcome) {
        let m = &self.metrics;
        match &outcome {
            Ok(_) => Metrics::add(&m.answered_ok, 1),
            Err(e) => {
                Metrics::add(&m.answered_error, 1);
                match e {
                    EngineError::Busy { .. } => Metrics::add(&m.busy, 1),
                    EngineError::DeadlineExceeded => Metrics::add(&m.deadline_exceeded, 1),
                    EngineError::Cancelled => Metrics::add(&m.cancelled, 1),
                    _ => {}
                }
            }
        }
        m.observe_latency(p.priority, p.enqueued.elapsed());
        // The caller may have stopped waiting; the answer was still given.
        let _ = p.reply.send(outcome);
    }

    fn record_depths(&self, queue: &Queue) {
        for p in Priority::ALL {
            self.metrics.set_depth(p, queue.depth(p));
        }
    }
}

impl Engine {
    /// Starts an engine on `cpu` (which also runs every batch an accelerator fails) and
    /// any `accelerators`.
    pub fn new(
        config: EngineConfig,
        cpu: Arc<dyn PairingBackend>,
        accelerators: Vec<Arc<dyn PairingBackend>>,
    ) -> Result<Engine, ConfigError> {
        config.validate()?;
        let backends: Vec<Arc<dyn PairingBackend>> =
            std::iter::once(cpu).chain(accelerators).collect();
        let slots = backends
            .iter()
            .enumerate()
            .map(|(i, b)| Slot {
                name: b.name().to_string(),
                accelerator: i > 0,
                busy: false,
                down_until: None,
                backoff: config.backoff,
            })
            .collect();
        let shared = Arc::new(Shared {
            open: OpenCaches {
                replay: Mutex::new(ReplayCache::new(config.replay_cache_capacity)),
                verifiers: VerifierCache::new(config.verifier_cache_capacity),
            },
            config,
            state: Mutex::new(State {
                queue: Queue::new(),
                slots,
                in_flight: 0,
                draining: false,
            }),
            wake: Condvar::new(),
            accepting: AtomicBool::new(true),
            metrics: Metrics::default(),
            backends,
        });
        let mut threads = Vec::new();
        let mut senders = Vec::new();
        for index in 0..shared.backends.len() {
            let (tx, rx) = sync_channel::<Vec<Pending>>(1);
            senders.push(tx);
            let shared = Arc::clone(&shared);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("sakke-exec-{index}"))
                    .spawn(move || execute(&shared, index, rx))
                    .expect("spawning an executor thread"),
            );
        }
        let dispatcher = Arc::clone(&shared);
        threads.push(
            std::thread::Builder::new()
                .name("sakke-dispatch".into())
                .spawn(move || dispatch(&dispatcher, senders))
                .expect("spawning the dispatcher thread"),
        );
        Ok(Engine {
            handle: Arc::new(Handle {
                shared,
                threads: Mutex::new(threads),
            }),
        })
    }

    /// Queues one request. Never blocks: a full queue answers busy at once, a stopping
    /// engine answers shutting-down, and a deadline already past answers
    /// deadline-exceeded.
    pub fn submit(&self, job: Job, options: SubmitOptions) -> Ticket {
        let shared = &self.handle.shared;
        let (tx, rx) = oneshot::channel();
        Metrics::add(&shared.metrics.submitted, 1);
        let pending = Pending::new(job, options.priority, options.deadline, tx);
        if !shared.accepting.load(Ordering::Acquire) {
            shared.answer(pending, Err(EngineError::ShuttingDown));
        } else if options.deadline.is_some_and(|d| d <= Instant::now()) {
            shared.answer(pending, Err(EngineError::DeadlineExceeded));
        } else {
            let mut state = shared.lock();
            match state.queue.push(pending, shared.config.max_queue) {
                Ok(()) => {
                    shared.record_depths(&state.queue);
                    drop(state);
                    shared.wake.notify_all();
                }
                Err(refused) => {
                    drop(state);
                    let max_queue = shared.config.max_queue;
                    shared.answer(*refused, Err(EngineError::Busy { max_queue }));
                }
            }
        }
        Ticket::new(rx)
    }

    /// False once shutdown has begun: a health check reports "not serving" then.
    pub fn is_accepting(&self) -> bool {
        self.handle.shared.accepting.load(Ordering::Acquire)
    }

    pub fn metrics(&self) -> &Metrics {
        &self.handle.shared.metrics
    }

    pub fn config(&self) -> &EngineConfig {
        &self.handle.shared.config
    }

    /// The backends' names, the CPU first.
    pub fn backend_names(&self) -> Vec<String> {
        self.handle
            .shared
            .lock()
            .slots
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// Stops accepting requests, answers everything queued or running, and stops the
    /// threads. Returns when all of that is done; later calls return at once.
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }
}

impl Handle {
    fn shutdown(&self) {
        let shared = &self.shared;
        shared.accepting.store(false, Ordering::Release);
        shared.lock().draining = true;
        shared.wake.notify_all();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The dispatcher: expires what is overdue, forms a batch when a backend is free and the
/// batching rule says so, and hands it over. Ends when draining and nothing is left.
fn dispatch(shared: &Shared, senders: Vec<SyncSender<Vec<Pending>>>) {
    let config = &shared.config;
    let mut state = shared.lock();
    loop {
        let now = Instant::now();
        let expired = state.queue.take_expired(now);
        if !expired.is_empty() {
            shared.record_depths(&state.queue);
            drop(state);
            for p in expired {
                // A deadline that has passed names the cause even if the caller has also
                // gone (a gRPC deadline does both at once).
                let why = if p.deadline.is_some_and(|d| d <= now) {
                    EngineError::DeadlineExceeded
                } else {
                    EngineError::Cancelled
                };
                shared.answer(p, Err(why));
            }
            state = shared.lock();
            continue;
        }
        if state.queue.is_empty() {
            if state.draining && state.in_flight == 0 {
                break;
            }
            state = shared.wait(state, None);
            continue;
        }
        if !state.slots.iter().any(|s| s.usable(now)) {
            // Wait for a backend, waking for the next deadline or a backend's return.
            let next = [state.queue.earliest_deadline(), next_return(&state.slots)]
                .into_iter()
                .flatten()
                .min();
            state = shared.wait(state, next);
            continue;
        }
        let draining = state.draining;
        match state.queue.decide(now, config, draining) {
            Decision::Idle => {}
            Decision::WaitUntil(at) => state = shared.wait(state, Some(at)),
            Decision::Dispatch(batch) => {
                let index = choose(&state.slots, batch.len(), config.offload_min_batch, now);
                state.slots[index].busy = true;
                state.in_flight += 1;
                shared.record_depths(&state.queue);
                drop(state);
                Metrics::add(&shared.metrics.batches, 1);
                shared.metrics.batch_size.observe(batch.len() as f64);
                if let Err(returned) = senders[index].send(batch) {
                    // The executor is gone (it cannot be while we hold its sender).
                    for p in returned.0 {
                        shared.answer(p, Err(EngineError::Internal("executor stopped".into())));
                    }
                }
                state = shared.lock();
            }
        }
    }
    drop(state);
    // Dropping the senders ends the executors.
}

/// When the first backend that is out of rotation comes back.
fn next_return(slots: &[Slot]) -> Option<Instant> {
    slots
        .iter()
        .filter(|s| !s.busy)
        .filter_map(|s| s.down_until)
        .min()
}

/// Which usable backend takes a batch of `len`: an accelerator for batches of
/// `offload_min` or more, the CPU for smaller ones; whichever is free when the preferred
/// one is not. The caller has checked that one is usable.
fn choose(slots: &[Slot], len: usize, offload_min: usize, now: Instant) -> usize {
    let usable = |i: &usize| slots[*i].usable(now);
    let accelerator = (1..slots.len()).find(usable);
    let cpu = Some(0).filter(usable);
    let preferred = if len >= offload_min {
        accelerator.or(cpu)
    } else {
        cpu.or(accelerator)
    };
    preferred.unwrap_or(0)
}

/// One backend's executor: runs each batch it is handed, answers every request in it,
/// and reports back to the dispatcher.
fn execute(shared: &Shared, index: usize, batches: Receiver<Vec<Pending>>) {
    let backend = shared.backends[index].as_ref();
    let target = Target {
        backend,
        cpu: (index != 0).then(|| shared.backends[0].as_ref()),
    };
    for batch in batches {
        let kind = batch[0].job.kind();
        let jobs: Vec<&Job> = batch.iter().map(|p| &p.job).collect();
        let ran = catch_unwind(AssertUnwindSafe(|| {
            run_batch(kind, &jobs, &target, &shared.open)
        }));
        drop(jobs);
        shared
            .metrics
            .set_verifier_stats(shared.open.verifiers.stats());
        let failed = match ran {
            Ok(ran) => {
                Metrics::add(&shared.metrics.cpu_retries, ran.retried as u64);
                let failed = ran.failure.is_some();
                if failed {
                    Metrics::add(&shared.metrics.backend_failures, 1);
                }
                let mut outcomes = ran.outcomes.into_iter();
                for p in batch {
                    let outcome = outcomes.next().unwrap_or_else(|| {
                        Err(EngineError::Internal("no result for this request".into()))
                    });
                    shared.answer(p, outcome);
                }
                failed
            }
            Err(_) => {
                for p in batch {
                    shared.answer(p, Err(EngineError::Internal("the batch panicked".into())));
                }
                true
            }
        };
        let mut state = shared.lock();
        let config = &shared.config;
        let slot = &mut state.slots[index];
        slot.busy = false;
        if failed && slot.accelerator {
            slot.down_until = Some(Instant::now() + slot.backoff);
            slot.backoff = (slot.backoff * 2).min(config.max_backoff);
        } else if !failed {
            slot.down_until = None;
            slot.backoff = config.backoff;
        }
        state.in_flight -= 1;
        drop(state);
        shared.wake.notify_all();
    }
}
