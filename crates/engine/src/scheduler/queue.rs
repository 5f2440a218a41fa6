//! The bounded queue and the batching decision, kept free of threads and clocks so that
//! every rule can be tested directly.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::config::EngineConfig;
use super::job::{Job, Kind, Outcome, Priority};

/// A queued request and where its answer goes.
pub struct Pending {
    pub job: Job,
    pub priority: Priority,
    pub deadline: Option<Instant>,
    pub enqueued: Instant,
    pub reply: oneshot::Sender<Outcome>,
    seq: u64,
}

impl Pending {
    pub fn new(
        job: Job,
        priority: Priority,
        deadline: Option<Instant>,
        reply: oneshot::Sender<Outcome>,
    ) -> Pending {
        Pending {
            job,
            priority,
            deadline,
            enqueued: Instant::now(),
            reply,
            seq: 0,
        }
    }
}

/// What the dispatcher should do now.
pub enum Decision {
    /// Send this batch (one kind, most urgent first) to a backend.
    Dispatch(Vec<Pending>),
    /// Nothing is ready; look again at this time (or when something arrives).
    WaitUntil(Instant),
    /// The queue is empty.
    Idle,
}

/// Requests by priority and kind, FIFO within each lane, bounded in total.
pub struct Queue {
    lanes: [[VecDeque<Pending>; Kind::COUNT]; 3],
    len: usize,
    next_seq: u64,
}

impl Queue {
    pub fn new() -> Queue {
        Queue {
            lanes: Default::default(),
            len: 0,
            next_seq: 0,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn depth(&self, priority: Priority) -> usize {
        self.lanes[priority.index()].iter().map(VecDeque::len).sum()
    }

    /// Queues `p`, or hands it back when `max` requests are already waiting.
    pub fn push(&mut self, mut p: Pending, max: usize) -> Result<(), Box<Pending>> {
        if self.len >= max {
            return Err(Box::new(p));
        }
        p.seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        self.lanes[p.priority.index()][p.job.kind().index()].push_back(p);
        Ok(())
    }

    /// Removes every request whose deadline is at or before `now`, and every request
    /// whose caller has stopped waiting (dropped its ticket): computing either would
    /// spend backend time on an answer nobody reads.
    pub fn take_expired(&mut self, now: Instant) -> Vec<Pending> {
        let gone = |p: &Pending| p.deadline.is_some_and(|d| d <= now) || p.reply.is_closed();
        let mut expired = Vec::new();
        for lane in self.lanes.iter_mut().flatten() {
            if lane.iter().any(gone) {
                let (gone, kept): (VecDeque<Pending>, VecDeque<Pending>) =
                    lane.drain(..).partition(gone);
                *lane = kept;
                expired.extend(gone);
            }
        }
        self.len -= expired.len();
        expired
    }

    /// The batching rule (after expired requests are taken out):
    /// - the kind is that of the oldest request at the most urgent non-empty level;
    /// - `max_batch` of that kind dispatches at once, else the largest preferred size
    ///   that can be formed, else everything of that kind once its oldest request has
    ///   waited `max_queue_delay`, at once if the engine is draining;
    /// - a batch takes the most urgent requests first, FIFO within a level;
    /// - a batch formed for emergency requests holds emergency requests only: filled up
    ///   with normal or bulk work it would take a whole batch's time, and an emergency
    ///   request is to wait for nothing but the batch already running.
    pub fn decide(&mut self, now: Instant, config: &EngineConfig, draining: bool) -> Decision {
        let Some((kind, urgent)) = self.next_kind() else {
            return Decision::Idle;
        };
        let k = kind.index();
        if urgent == Priority::Emergency {
            let lane = &mut self.lanes[Priority::Emergency.index()][k];
            let size = lane.len().min(config.max_batch);
            self.len -= size;
            return Decision::Dispatch(lane.drain(..size).collect());
        }
        let available: usize = self.lanes.iter().map(|l| l[k].len()).sum();
        let oldest = self
            .lanes
            .iter()
            .filter_map(|l| l[k].front())
            .map(|p| p.enqueued)
            .min()
            .unwrap_or(now);
        let preferred = config
            .preferred_batch_sizes
            .iter()
            .copied()
            .filter(|&s| s <= available)
            .max();
        let ready_at = oldest + config.max_queue_delay;
        let size = if available >= config.max_batch {
            config.max_batch
        } else if let Some(size) = preferred {
            size
        } else if draining || now >= ready_at {
            available
        } else {
            return Decision::WaitUntil(
                self.earliest_deadline()
                    .map_or(ready_at, |d| d.min(ready_at)),
            );
        };
        Decision::Dispatch(self.take(kind, size))
    }

    /// The earliest deadline of anything queued.
    pub fn earliest_deadline(&self) -> Option<Instant> {
        self.lanes
            .iter()
            .flatten()
            .flat_map(|lane| lane.iter().filter_map(|p| p.deadline))
            .min()
    }

    /// The kind to batch next and the level it was chosen at.
    fn next_kind(&self) -> Option<(Kind, Priority)> {
        Priority::ALL.into_iter().find_map(|priority| {
            let level = &self.lanes[priority.index()];
            let head = level
                .iter()
                .filter_map(VecDeque::front)
                .min_by_key(|p| p.seq)?;
            Some((head.job.kind(), priority))
        })
    }

    fn take(&mut self, kind: Kind, size: usize) -> Vec<Pending> {
        let mut batch = Vec::with_capacity(size);
        for level in self.lanes.iter_mut() {
            let lane = &mut level[kind.index()];
            let n = (size - batch.len()).min(lane.len());
            batch.extend(lane.drain(..n));
        }
        self.len -= batch.len();
        batch
    }
}

impl Default for Queue {
    fn default() -> Self {
        Queue::new()
    }
}

/// The time until `at`, zero when it has passed.
pub fn until(at: Instant, now: Instant) -> Duration {
    at.saturating_duration_since(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pairing::Fp;

    fn job() -> Job {
        Job::ModMul {
            a: Fp::ONE,
            b: Fp::ONE,
        }
    }

    /// A request whose caller is still waiting: its receiver is never dropped.
    fn pending(priority: Priority, deadline: Option<Instant>) -> Pending {
        let (tx, rx) = oneshot::channel::<Outcome>();
        std::mem::forget(rx);
        Pending::new(job(), priority, deadline, tx)
    }

    fn config() -> EngineConfig {
        EngineConfig {
            max_batch: 8,
            preferred_batch_sizes: vec![4],
            max_queue_delay: Duration::from_millis(10),
            max_queue: 20,
            ..EngineConfig::default()
        }
    }

    fn fill(q: &mut Queue, priority: Priority, n: usize) {
        for _ in 0..n {
            let p = pending(priority, None);
            assert!(q.push(p, usize::MAX).is_ok());
        }
    }

    fn dispatched(d: Decision) -> Vec<Pending> {
        match d {
            Decision::Dispatch(batch) => batch,
            Decision::WaitUntil(_) => panic!("waits"),
            Decision::Idle => panic!("idle"),
        }
    }

    #[test]
    fn a_lone_request_waits_for_the_delay_and_no_longer() {
        let mut q = Queue::new();
        let c = config();
        fill(&mut q, Priority::Normal, 1);
        let now = Instant::now();
        match q.decide(now, &c, false) {
            Decision::WaitUntil(t) => assert!(t <= now + c.max_queue_delay),
            _ => panic!("should wait"),
        }
        let later = now + c.max_queue_delay + Duration::from_millis(1);
        assert_eq!(dispatched(q.decide(later, &c, false)).len(), 1);
        assert!(matches!(q.decide(later, &c, false), Decision::Idle));
    }

    #[test]
    fn full_and_preferred_batches_go_at_once() {
        let mut q = Queue::new();
        let c = config();
        fill(&mut q, Priority::Normal, 11);
        let now = Instant::now();
        assert_eq!(dispatched(q.decide(now, &c, false)).len(), 8);
        // 3 left: no preferred size fits, so they wait.
        assert!(matches!(q.decide(now, &c, false), Decision::WaitUntil(_)));
        fill(&mut q, Priority::Normal, 2);
        assert_eq!(dispatched(q.decide(now, &c, false)).len(), 4);
        assert_eq!(q.len(), 1);
        // Draining sends the rest without waiting.
        assert_eq!(dispatched(q.decide(now, &c, true)).len(), 1);
    }

    #[test]
    fn batches_take_the_most_urgent_first_and_emergencies_do_not_wait() {
        let mut q = Queue::new();
        let c = config();
        fill(&mut q, Priority::Bulk, 6);
        fill(&mut q, Priority::Emergency, 1);
        fill(&mut q, Priority::Normal, 1);
        // The emergency request goes at once, alone: nothing slower rides with it.
        let batch = dispatched(q.decide(Instant::now(), &c, false));
        let order: Vec<Priority> = batch.iter().map(|p| p.priority).collect();
        assert_eq!(order, [Priority::Emergency]);
        let batch = dispatched(q.decide(Instant::now(), &c, false));
        let order: Vec<Priority> = batch.iter().map(|p| p.priority).collect();
        assert_eq!(order[0], Priority::Normal);
        assert_eq!(order[1..], [Priority::Bulk; 3]);
        // Emergency requests fill a batch of their own, up to max_batch.
        fill(&mut q, Priority::Emergency, c.max_batch + 2);
        assert_eq!(
            dispatched(q.decide(Instant::now(), &c, false)).len(),
            c.max_batch
        );
        assert_eq!(dispatched(q.decide(Instant::now(), &c, false)).len(), 2);
    }

    #[test]
    fn the_bound_hands_back_the_excess() {
        let mut q = Queue::new();
        for i in 0..25 {
            let p = pending(Priority::Normal, None);
            assert_eq!(q.push(p, 20).is_ok(), i < 20);
        }
        assert_eq!(q.len(), 20);
        assert_eq!(q.depth(Priority::Normal), 20);
    }

    #[test]
    fn expired_requests_leave_the_queue_and_deadlines_set_the_wake_up() {
        let mut q = Queue::new();
        let c = config();
        let now = Instant::now();
        let soon = now + Duration::from_millis(2);
        let p = pending(Priority::Normal, Some(soon));
        assert!(q.push(p, 20).is_ok());
        fill(&mut q, Priority::Normal, 1);
        match q.decide(now, &c, false) {
            Decision::WaitUntil(t) => assert_eq!(t, soon),
            _ => panic!("should wait"),
        }
        assert!(q.take_expired(now).is_empty());
        let expired = q.take_expired(soon);
        assert_eq!(expired.len(), 1);
        assert_eq!(q.len(), 1);
        // A request whose caller dropped its receiver goes too, deadline or not.
        let (tx, rx) = oneshot::channel();
        assert!(q
            .push(Pending::new(job(), Priority::Bulk, None, tx), 20)
            .is_ok());
        assert!(q.take_expired(soon).is_empty());
        drop(rx);
        assert_eq!(q.take_expired(soon).len(), 1);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_batch_holds_one_kind() {
        let mut q = Queue::new();
        let c = config();
        fill(&mut q, Priority::Normal, 2);
        let (tx, _rx) = oneshot::channel();
        let other = Pending::new(
            Job::Encapsulate {
                to: std::sync::Arc::new(test_recipient()),
                ssv: sakke::Ssv::from([1; 16]),
            },
            Priority::Normal,
            None,
            tx,
        );
        assert!(q.push(other, 20).is_ok());
        let batch = dispatched(q.decide(Instant::now(), &c, true));
        assert!(batch.iter().all(|p| p.job.kind() == Kind::ModMul));
        assert_eq!(batch.len(), 2);
        let batch = dispatched(q.decide(Instant::now(), &c, true));
        assert_eq!(batch[0].job.kind(), Kind::Encap);
    }

    fn test_recipient() -> sakke::RecipientKey {
        let kms = sakke::Kms::from_secret_bytes(&[7; 1]).unwrap();
        let id = sakke::Identifier::new(b"2026-11\0tel:+1\0".to_vec()).unwrap();
        sakke::RecipientKey::new(&id, &kms.public_key()).unwrap()
    }
}
