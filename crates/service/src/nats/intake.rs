//! How much work a worker takes: what it can finish soon, not all it has room for. A
//! worker that took every waiting job its slots could hold would leave the others idle
//! while it works through them (and answer late): with two workers and a closed loop,
//! measured, one worker held most requests at a time and the pair gave 1.5x one.
//! So a worker holds about [`HORIZON`] of work at its own recent rate, at least
//! [`MIN_HELD`] requests (so that batches form before the rate is known) and at most its
//! slots.

use std::time::{Duration, Instant};

use super::JOB_ITEMS;

/// Work a worker holds ahead, in time at its recent rate of answers.
pub const HORIZON: Duration = Duration::from_millis(100);
/// Requests a worker may hold whatever its rate: two full jobs.
pub const MIN_HELD: usize = 2 * JOB_ITEMS;
/// How often the rate is measured again.
const SAMPLE: Duration = Duration::from_millis(200);

pub struct Intake {
    slots: usize,
    /// Requests answered per second, a moving mean.
    rate: f64,
    since: Instant,
    answered_then: u64,
}

impl Intake {
    pub fn new(slots: usize) -> Intake {
        Intake {
            slots,
            rate: 0.0,
            since: Instant::now(),
            answered_then: 0,
        }
    }

    /// Requests to hold at most now, given how many this worker has answered in all.
    pub fn target(&mut self, answered: u64) -> usize {
        let elapsed = self.since.elapsed();
        if elapsed >= SAMPLE {
            let now = answered.saturating_sub(self.answered_then) as f64 / elapsed.as_secs_f64();
            self.rate = 0.7 * self.rate + 0.3 * now;
            self.since = Instant::now();
            self.answered_then = answered;
        }
        held_for(self.rate, self.slots)
    }
}

fn held_for(rate: f64, slots: usize) -> usize {
    ((rate * HORIZON.as_secs_f64()) as usize).clamp(MIN_HELD.min(slots), slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_holds_its_horizon_within_bounds() {
        // 300 answers/s (a CPU core without AVX-512): the minimum.
        assert_eq!(held_for(300.0, 1024), MIN_HELD);
        // 1,500/s: 150 requests, 100 ms of work.
        assert_eq!(held_for(1500.0, 1024), 150);
        // A GPU's 50,000/s: the slots.
        assert_eq!(held_for(50_000.0, 1024), 1024);
        assert_eq!(held_for(0.0, 16), 16);
        let mut intake = Intake::new(1024);
        assert_eq!(intake.target(0), MIN_HELD);
        intake.since -= Duration::from_secs(1);
        // 3,000 answered in the last second (a little more, as time passes): the mean
        // moves 30% of the way, to about 900/s.
        let held = intake.target(3000);
        assert!((85..=90).contains(&held), "{held}");
    }
}
