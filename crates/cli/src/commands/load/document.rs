//! What `sakke load` writes to bench-results/: every step's report with the machine and
//! the command, and a plot of latency against offered load.

use serde::Serialize;
use service::load::{LoadReport, PriorityReport};

use crate::machine::RunHeader;
use crate::svg::{Plot, Series};

/// Bumped when a field changes meaning or is removed.
pub const SCHEMA: &str = "sakke-load/1";

#[derive(Debug, Serialize)]
pub struct Document {
    /// The machine is the client's (the server's too, when both share it on loopback).
    #[serde(flatten)]
    pub run: RunHeader,
    pub settings: Settings,
    /// One per offered rate or concurrency, in the order run.
    pub steps: Vec<LoadReport>,
}

#[derive(Debug, Serialize)]
pub struct Settings {
    pub url: String,
    /// "decapsulate" or "encapsulate".
    pub operation: &'static str,
    pub user: String,
    pub period: String,
    pub connections: usize,
    pub seconds_per_step: f64,
    pub pause_between_steps_s: f64,
    pub priority_mix: &'static str,
    pub timeout_ms: Option<u32>,
}

const COLORS: [(&str, &str); 3] = [
    ("emergency", "#d62728"),
    ("normal", "#1f77b4"),
    ("bulk", "#2ca02c"),
];

/// Reads one latency of a priority's report.
type Quantile = fn(&PriorityReport) -> f64;

/// The latencies plotted: a solid line for p99, a dashed one for p50.
const QUANTILES: [(&str, &str, Quantile); 2] =
    [("p99", "", |p| p.p99_ms), ("p50", "6 4", |p| p.p50_ms)];

impl Document {
    /// p50 (dashed) and p99 (solid) latency of every priority against the load: the
    /// offered rate for open-loop steps, the achieved rate for closed-loop ones (whose
    /// offered load is what the server manages).
    pub fn plot(&self) -> Plot {
        let x = |s: &LoadReport| s.offered_per_second.unwrap_or(s.ok_per_second);
        let mut series = Vec::new();
        for (priority, color) in COLORS {
            for (name, dash, pick) in QUANTILES {
                let points: Vec<(f64, f64)> = self
                    .steps
                    .iter()
                    .filter_map(|s| {
                        let p = s.priorities.iter().find(|p| p.priority == priority)?;
                        (p.ok > 0).then(|| (x(s), pick(p)))
                    })
                    .collect();
                if !points.is_empty() {
                    series.push(Series {
                        label: format!("{priority} {name}"),
                        color: color.into(),
                        dash: dash.into(),
                        points,
                    });
                }
            }
        }
        let open = self.steps.iter().all(|s| s.offered_per_second.is_some());
        Plot {
            title: format!(
                "sakke load, {} ({}), {}",
                self.run.machine.host,
                self.run.machine.cpu_model,
                self.run.day()
            ),
            x_label: if open {
                "offered load (requests/s, open loop)".into()
            } else {
                "achieved rate (requests/s)".into()
            },
            y_label: "latency of right answers (ms)".into(),
            series,
        }
    }

    /// One line per step and priority, as the command prints it.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:>9} {:>9} {:>9} {:<10} {:>7} {:>7} {:>8} {:>8} {:>8} {:>9}  errors\n",
            "offered/s",
            "in flight",
            "ok/s",
            "priority",
            "sent",
            "ok",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "p99.9 ms"
        );
        for s in &self.steps {
            for p in &s.priorities {
                let errors: Vec<String> =
                    p.errors.iter().map(|(c, n)| format!("{c} {n}")).collect();
                out += &format!(
                    "{:>9} {:>9} {:>9.1} {:<10} {:>7} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>9.2}  {}\n",
                    s.offered_per_second
                        .map_or("-".into(), |r| format!("{r:.0}")),
                    s.concurrency.map_or("-".into(), |n| n.to_string()),
                    s.ok_per_second,
                    p.priority,
                    p.sent,
                    p.ok,
                    p.p50_ms,
                    p.p90_ms,
                    p.p99_ms,
                    p.p999_ms,
                    errors.join(", ")
                );
            }
        }
        out
    }
}
