//! The scheduler with a controllable backend: batching by size and by delay, strict
//! priority, deadlines, busy at the bound, exactly one answer per request under
//! concurrency, and the CPU taking over when a backend fails. Bounded in time: every
//! wait has a limit.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{small, Controlled};
use engine::scheduler::{Answer, Engine, EngineConfig, EngineError, Job, Priority, SubmitOptions};
use pairing::Fp;

fn modmul(i: u64) -> Job {
    Job::ModMul {
        a: Fp::from_u64(i),
        b: Fp::from_u64(3),
    }
}

fn product(answer: Answer) -> u64 {
    match answer {
        Answer::Product(p) => small(&p),
        other => panic!("not a product: {other:?}"),
    }
}

fn config() -> EngineConfig {
    EngineConfig {
        max_batch: 8,
        preferred_batch_sizes: vec![4],
        max_queue_delay: Duration::from_millis(200),
        max_queue: 64,
        ..EngineConfig::default()
    }
}

fn engine(backend: &Arc<Controlled>, config: EngineConfig) -> Engine {
    Engine::new(config, backend.clone(), vec![]).unwrap()
}

const NORMAL: SubmitOptions = SubmitOptions {
    priority: Priority::Normal,
    deadline: None,
};

#[test]
fn requests_gather_into_full_and_preferred_batches_while_the_backend_is_busy() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(&backend, config());
    let first = engine.submit(modmul(0), SubmitOptions::new(Priority::Emergency));
    backend.wait_until_holding();
    let tickets: Vec<_> = (1..=20).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    backend.release();
    assert_eq!(product(first.wait().unwrap()), 0);
    for (i, t) in (1..=20).zip(tickets) {
        assert_eq!(product(t.wait().unwrap()), 3 * i);
    }
    // 1 alone, then 8 and 8 at once, then the preferred 4.
    assert_eq!(backend.batch_lengths(), [1, 8, 8, 4]);
    assert_eq!(engine.metrics().batch_size.count(), 4);
}

#[test]
fn a_lone_request_waits_for_company_up_to_the_delay() {
    let backend = Controlled::new("controlled");
    let engine = engine(
        &backend,
        EngineConfig {
            max_queue_delay: Duration::from_secs(1),
            ..config()
        },
    );
    let tickets: Vec<_> = (0..3).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    for t in tickets {
        t.wait().unwrap();
    }
    assert_eq!(backend.batch_lengths(), [3]);
}

#[test]
fn emergency_requests_are_batched_before_bulk_work_that_came_first() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(&backend, config());
    let first = engine.submit(modmul(0), SubmitOptions::new(Priority::Emergency));
    backend.wait_until_holding();
    let bulk: Vec<_> = (100..112)
        .map(|i| engine.submit(modmul(i), SubmitOptions::new(Priority::Bulk)))
        .collect();
    let urgent = engine.submit(modmul(7), SubmitOptions::new(Priority::Emergency));
    let normal = engine.submit(modmul(8), NORMAL);
    backend.release();
    first.wait().unwrap();
    assert_eq!(product(urgent.wait().unwrap()), 21);
    normal.wait().unwrap();
    for t in bulk {
        t.wait().unwrap();
    }
    let batches = backend.modmul_batches.lock().unwrap().clone();
    assert_eq!(batches[0], [0]);
    assert_eq!(batches[1], [7], "the emergency request alone");
    assert_eq!(batches[2][0], 8, "then normal, then bulk");
    assert_eq!(batches[2][1..], [100, 101, 102, 103, 104, 105, 106]);
}

/// A caller that stops waiting (drops its ticket, as a gRPC handler does when its client
/// goes away) costs no backend time.
#[test]
fn a_request_whose_caller_stopped_waiting_is_not_computed() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(&backend, config());
    let first = engine.submit(modmul(0), NORMAL);
    backend.wait_until_holding();
    let dropped = engine.submit(modmul(5), NORMAL);
    let kept = engine.submit(modmul(6), NORMAL);
    drop(dropped);
    backend.release();
    first.wait().unwrap();
    assert_eq!(product(kept.wait().unwrap()), 18);
    let computed: Vec<u64> = backend.modmul_batches.lock().unwrap().concat();
    assert!(!computed.contains(&5), "{computed:?}");
    assert!(computed.contains(&6), "{computed:?}");
    let m = engine.metrics();
    assert_eq!(m.cancelled.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(m.render_prometheus().contains("sakke_cancelled_total 1"));
}

#[test]
fn an_overdue_request_is_answered_without_being_computed() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(&backend, config());
    let first = engine.submit(modmul(0), NORMAL);
    backend.wait_until_holding();
    let late = engine.submit(modmul(5), NORMAL.within(Duration::from_millis(30)));
    let on_time = engine.submit(modmul(6), NORMAL.within(Duration::from_secs(60)));
    // Answered while the backend is still held: the dispatcher wakes for the deadline.
    assert!(matches!(late.wait(), Err(EngineError::DeadlineExceeded)));
    let past = engine.submit(modmul(9), NORMAL.within(Duration::ZERO));
    assert!(matches!(past.wait(), Err(EngineError::DeadlineExceeded)));
    backend.release();
    first.wait().unwrap();
    assert_eq!(product(on_time.wait().unwrap()), 18);
    let computed: Vec<u64> = backend.modmul_batches.lock().unwrap().concat();
    assert!(
        !computed.contains(&5) && !computed.contains(&9),
        "{computed:?}"
    );
    assert_eq!(
        engine
            .metrics()
            .deadline_exceeded
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
}

#[test]
fn a_full_queue_answers_busy_at_once_and_keeps_what_it_admitted() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(
        &backend,
        EngineConfig {
            max_queue: 5,
            ..config()
        },
    );
    let first = engine.submit(modmul(0), NORMAL);
    backend.wait_until_holding();
    let tickets: Vec<_> = (1..=8).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    let mut answers = Vec::new();
    // The three refused ones are answered before the backend is released.
    for t in tickets.into_iter().rev().take(3) {
        answers.push(t.wait());
    }
    assert!(answers
        .iter()
        .all(|a| matches!(a, Err(EngineError::Busy { max_queue: 5 }))));
    backend.release();
    first.wait().unwrap();
    assert_eq!(
        engine
            .metrics()
            .busy
            .load(std::sync::atomic::Ordering::Relaxed),
        3
    );
}

#[test]
fn thousands_of_concurrent_submitters_each_get_their_own_answer_once() {
    let backend = Controlled::new("controlled");
    let engine = engine(
        &backend,
        EngineConfig {
            max_batch: 64,
            preferred_batch_sizes: vec![16, 64],
            max_queue_delay: Duration::from_millis(2),
            max_queue: 100_000,
            ..EngineConfig::default()
        },
    );
    let threads: Vec<_> = (0..1000u64)
        .map(|t| {
            let engine = engine.clone();
            std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(move || {
                    for k in 0..4 {
                        let i = t * 4 + k + 1;
                        let priority = Priority::ALL[(i % 3) as usize];
                        let answer = engine
                            .submit(modmul(i), SubmitOptions::new(priority))
                            .wait();
                        assert_eq!(product(answer.unwrap()), 3 * i);
                    }
                })
                .unwrap()
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let m = engine.metrics();
    let get = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(get(&m.submitted), 4000);
    assert_eq!(get(&m.answered_ok), 4000);
    assert_eq!(get(&m.answered_error), 0);
    let computed: Vec<u64> = backend.modmul_batches.lock().unwrap().concat();
    assert_eq!(computed.len(), 4000, "each request computed exactly once");
    let mut sorted = computed;
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 4000);
}

#[test]
fn a_failing_accelerator_is_taken_out_and_its_batch_rerun_on_the_cpu() {
    let cpu = Controlled::new("cpu");
    let accelerator = Controlled::new("accelerator");
    accelerator
        .fail_next
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let engine = Engine::new(
        EngineConfig {
            offload_min_batch: 4,
            backoff: Duration::from_secs(60),
            // Only full batches (or the delay) dispatch, whatever the submitting pace.
            preferred_batch_sizes: vec![],
            max_queue_delay: Duration::from_secs(10),
            ..config()
        },
        cpu.clone(),
        vec![accelerator.clone()],
    )
    .unwrap();
    // A full batch goes to the accelerator, fails there, and is rerun on the CPU.
    let tickets: Vec<_> = (1..=8).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    for (i, t) in (1..=8).zip(tickets) {
        assert_eq!(product(t.wait().unwrap()), 3 * i);
    }
    assert_eq!(accelerator.batch_lengths(), [8]);
    assert_eq!(cpu.batch_lengths(), [8]);
    // Out of rotation: the next full batch stays on the CPU.
    let tickets: Vec<_> = (1..=8).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    for t in tickets {
        t.wait().unwrap();
    }
    assert_eq!(accelerator.batch_lengths(), [8]);
    assert_eq!(cpu.batch_lengths(), [8, 8]);
    assert_eq!(
        engine
            .metrics()
            .backend_failures
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

#[test]
fn small_batches_stay_on_the_cpu_and_full_ones_go_to_the_accelerator() {
    let cpu = Controlled::new("cpu");
    let accelerator = Controlled::new("accelerator");
    let engine = Engine::new(
        EngineConfig {
            offload_min_batch: 8,
            preferred_batch_sizes: vec![],
            max_queue_delay: Duration::from_secs(10),
            ..config()
        },
        cpu.clone(),
        vec![accelerator.clone()],
    )
    .unwrap();
    engine
        .submit(modmul(1), SubmitOptions::new(Priority::Emergency))
        .wait()
        .unwrap();
    let tickets: Vec<_> = (1..=8).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    for t in tickets {
        t.wait().unwrap();
    }
    assert_eq!(cpu.batch_lengths(), [1]);
    assert_eq!(accelerator.batch_lengths(), [8]);
}

#[test]
fn shutdown_answers_everything_queued_then_refuses() {
    let backend = Controlled::new("controlled");
    backend.hold();
    let engine = engine(&backend, config());
    let tickets: Vec<_> = (1..=10).map(|i| engine.submit(modmul(i), NORMAL)).collect();
    backend.wait_until_holding();
    let stopping = {
        let engine = engine.clone();
        std::thread::spawn(move || engine.shutdown())
    };
    // Once shutdown has begun, new requests are refused.
    for _ in 0..10_000 {
        if !engine.is_accepting() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(matches!(
        engine.submit(modmul(99), NORMAL).wait(),
        Err(EngineError::ShuttingDown)
    ));
    backend.release();
    stopping.join().unwrap();
    for (i, t) in (1..=10).zip(tickets) {
        assert_eq!(product(t.wait().unwrap()), 3 * i);
    }
}

#[test]
fn tickets_can_be_awaited() {
    let backend = Controlled::new("controlled");
    let engine = engine(&backend, config());
    let ticket = engine.submit(modmul(4), SubmitOptions::new(Priority::Emergency));
    let answer = block_on(ticket).unwrap();
    assert_eq!(product(answer), 12);
}

/// A minimal executor for one future (the engine itself needs no async runtime).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park_timeout(Duration::from_millis(100));
    }
}
