//! Counters and histograms an operator watches: queue depth, batch sizes, latency per
//! priority, busy answers, deadline misses, CPU retries and backend failures. Lock-free
//! (atomics), rendered in the Prometheus text format by [`Metrics::render_prometheus`].

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mikey::eccsi::CacheStats;

use super::job::Priority;

/// Upper bounds of the latency buckets, in seconds (100 µs to 30 s).
const LATENCY_BOUNDS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0, 30.0,
];
/// Upper bounds of the batch-size buckets.
const BATCH_BOUNDS: [f64; 12] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0,
];

/// A cumulative histogram with fixed buckets (plus +Inf).
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum of observations, in millionths of the unit.
    sum_micro: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micro: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: f64) {
        let i = self
            .bounds
            .iter()
            .position(|&b| value <= b)
            .unwrap_or(self.bounds.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micro
            .fetch_add((value * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    pub fn sum(&self) -> f64 {
        self.sum_micro.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// (upper bound, cumulative count) per bucket, +Inf last.
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        self.counts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                total += c.load(Ordering::Relaxed);
                (self.bounds.get(i).copied().unwrap_or(f64::INFINITY), total)
            })
            .collect()
    }
}

/// Everything the engine counts.
pub struct Metrics {
    pub submitted: AtomicU64,
    pub answered_ok: AtomicU64,
    pub answered_error: AtomicU64,
    pub busy: AtomicU64,
    pub deadline_exceeded: AtomicU64,
    pub cancelled: AtomicU64,
    pub cpu_retries: AtomicU64,
    pub backend_failures: AtomicU64,
    pub batches: AtomicU64,
    /// The ECCSI verifier cache's own counters, copied after each batch.
    pub verifier_hits: AtomicU64,
    pub verifier_misses: AtomicU64,
    pub verifier_evictions: AtomicU64,
    queue_depth: [AtomicU64; 3],
    pub batch_size: Histogram,
    latency: [Histogram; 3],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            submitted: AtomicU64::new(0),
            answered_ok: AtomicU64::new(0),
            answered_error: AtomicU64::new(0),
            busy: AtomicU64::new(0),
            deadline_exceeded: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            cpu_retries: AtomicU64::new(0),
            backend_failures: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            verifier_hits: AtomicU64::new(0),
            verifier_misses: AtomicU64::new(0),
            verifier_evictions: AtomicU64::new(0),
            queue_depth: Default::default(),
            batch_size: Histogram::new(&BATCH_BOUNDS),
            latency: [
                Histogram::new(&LATENCY_BOUNDS),
                Histogram::new(&LATENCY_BOUNDS),
                Histogram::new(&LATENCY_BOUNDS),
            ],
        }
    }
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl Metrics {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn set_verifier_stats(&self, stats: CacheStats) {
        self.verifier_hits.store(stats.hits, Ordering::Relaxed);
        self.verifier_misses.store(stats.misses, Ordering::Relaxed);
        self.verifier_evictions
            .store(stats.evictions, Ordering::Relaxed);
    }

    pub(crate) fn set_depth(&self, priority: Priority, depth: usize) {
        self.queue_depth[priority.index()].store(depth as u64, Ordering::Relaxed);
    }

    pub fn queue_depth(&self, priority: Priority) -> u64 {
        get(&self.queue_depth[priority.index()])
    }

    pub(crate) fn observe_latency(&self, priority: Priority, latency: Duration) {
        self.latency[priority.index()].observe(latency.as_secs_f64());
    }

    /// Time from submission to answer, for requests of `priority`.
    pub fn latency(&self, priority: Priority) -> &Histogram {
        &self.latency[priority.index()]
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render_prometheus(&self) -> String {
        let mut out = String::new();
        let counters = [
            (
                "sakke_requests_submitted_total",
                "Requests submitted.",
                &self.submitted,
            ),
            (
                "sakke_requests_ok_total",
                "Requests answered with a result.",
                &self.answered_ok,
            ),
            (
                "sakke_requests_error_total",
                "Requests answered with an error (busy and deadline misses included).",
                &self.answered_error,
            ),
            (
                "sakke_busy_total",
                "Requests refused because the queue was full.",
                &self.busy,
            ),
            (
                "sakke_deadline_exceeded_total",
                "Requests whose deadline passed before they were computed.",
                &self.deadline_exceeded,
            ),
            (
                "sakke_cancelled_total",
                "Requests dropped uncomputed because their caller stopped waiting.",
                &self.cancelled,
            ),
            (
                "sakke_cpu_retries_total",
                "Items recomputed on the CPU after failing TEST on a backend.",
                &self.cpu_retries,
            ),
            (
                "sakke_backend_failures_total",
                "Batches that failed on a backend and were rerun on the CPU.",
                &self.backend_failures,
            ),
            (
                "sakke_batches_total",
                "Batches dispatched to backends.",
                &self.batches,
            ),
            (
                "sakke_eccsi_verifier_cache_hits_total",
                "I_MESSAGE signatures verified through a sender's prepared verifier.",
                &self.verifier_hits,
            ),
            (
                "sakke_eccsi_verifier_cache_misses_total",
                "I_MESSAGE signatures whose sender's verifier had to be prepared.",
                &self.verifier_misses,
            ),
            (
                "sakke_eccsi_verifier_cache_evictions_total",
                "Prepared verifiers dropped to stay within the cache's capacity.",
                &self.verifier_evictions,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                get(counter)
            );
        }
        let _ = writeln!(out, "# HELP sakke_queue_depth Requests waiting, by priority.\n# TYPE sakke_queue_depth gauge");
        for p in Priority::ALL {
            let _ = writeln!(
                out,
                "sakke_queue_depth{{priority=\"{}\"}} {}",
                p.name(),
                self.queue_depth(p)
            );
        }
        histogram(
            &mut out,
            "sakke_batch_size",
            "Items per dispatched batch.",
            &[("", &self.batch_size)],
        );
        let latency: Vec<(String, &Histogram)> = Priority::ALL
            .iter()
            .map(|p| (format!("priority=\"{}\"", p.name()), self.latency(*p)))
            .collect();
        let latency: Vec<(&str, &Histogram)> =
            latency.iter().map(|(l, h)| (l.as_str(), *h)).collect();
        histogram(
            &mut out,
            "sakke_request_latency_seconds",
            "Time from submission to answer.",
            &latency,
        );
        out
    }
}

fn histogram(out: &mut String, name: &str, help: &str, series: &[(&str, &Histogram)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    for (labels, h) in series {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in h.cumulative() {
            let le = if bound.is_infinite() {
                "+Inf".to_string()
            } else {
                bound.to_string()
            };
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {count}");
        }
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(
            out,
            "{name}_sum{braces} {}\n{name}_count{braces} {}",
            h.sum(),
            h.count()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_into_cumulative_buckets() {
        let h = Histogram::new(&BATCH_BOUNDS);
        for v in [1.0, 3.0, 3.0, 5000.0] {
            h.observe(v);
        }
        let c = h.cumulative();
        assert_eq!(c[0], (1.0, 1));
        assert_eq!(c[2], (4.0, 3));
        assert_eq!(c.last().copied(), Some((f64::INFINITY, 4)));
        assert_eq!(h.sum(), 5007.0);
    }

    #[test]
    fn prometheus_text_has_every_series() {
        let m = Metrics::default();
        Metrics::add(&m.busy, 3);
        m.observe_latency(Priority::Emergency, Duration::from_millis(2));
        let text = m.render_prometheus();
        assert!(text.contains("sakke_busy_total 3\n"), "{text}");
        assert!(
            text.contains(
                "sakke_request_latency_seconds_bucket{priority=\"emergency\",le=\"0.0025\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("sakke_request_latency_seconds_count{priority=\"bulk\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("sakke_queue_depth{priority=\"normal\"} 0\n"),
            "{text}"
        );
    }
}
