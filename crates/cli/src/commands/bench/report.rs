//! The results of a run: the JSON document written to bench-results/, the text table
//! and the throughput plot drawn from it.

use serde::Serialize;

use super::messages::MessageCell;
use super::workload::Workload;
use crate::machine::RunHeader;
use crate::svg::{Plot, Series};

/// Bumped when a field changes meaning or is removed.
pub const SCHEMA: &str = "sakke-bench/1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub run: RunHeader,
    pub settings: Settings,
    pub workloads: Vec<WorkloadInfo>,
    pub backends: Vec<BackendEntry>,
    pub tables: Vec<TableFigures>,
    pub cells: Vec<Cell>,
    /// Single-message figures on one thread, independent of the backends.
    pub messages: Vec<MessageCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub sizes: Vec<usize>,
    pub threads: Vec<usize>,
    /// Timed seconds each cell runs for at least (every cell runs at least one batch).
    pub min_time_s: f64,
    pub quick: bool,
    /// The clock at which device cycles are projected to time.
    pub device_clock_mhz: f64,
    /// Users of the one KMS whose keys every batch cycles through.
    pub receivers: usize,
    /// Pre-generated encapsulations every batch cycles through.
    pub messages: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadInfo {
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendEntry {
    pub name: String,
    pub description: String,
    pub measured: bool,
    /// Why it could not run here, for a backend that was skipped.
    pub unavailable: Option<String>,
}

/// Precomputed tables of one (backend, threads) pair, as its `table_stats` reports them.
#[derive(Debug, Clone, Serialize)]
pub struct TableFigures {
    pub backend: String,
    pub threads: usize,
    /// One line table per RSK.
    pub line_tables: usize,
    pub line_table_bytes_each: f64,
    pub line_table_build_ms_each: f64,
    /// One fixed-base table per identity's [b]P + Z.
    pub base_tables: usize,
    pub base_table_bytes_each: f64,
    pub base_table_build_ms_each: f64,
    pub bytes_total: usize,
    pub budget_bytes: usize,
    /// Lookups over the whole run: misses or evictions mean a "tables" cell computed
    /// without them.
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
}

/// One (backend, threads, workload, batch size) measurement.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub backend: String,
    pub threads: usize,
    pub workload: &'static str,
    pub size: usize,
    pub batches: u64,
    pub ops: u64,
    /// Timed seconds (backend calls only).
    pub seconds: f64,
    pub ops_per_s: f64,
    pub us_per_op: f64,
    /// Time per op over the time of one F_p multiplication, from the fp-mul cell of the
    /// same backend and threads at the largest size; absent without that cell.
    pub m_per_op: Option<f64>,
    /// Items the batched SAKKE code recomputed on the CPU after a failed TEST.
    pub retried: u64,
    /// Batches that failed on the backend as a whole and ran on the CPU.
    pub backend_failures: u64,
    /// Process CPU seconds per wall second over the cell (cells of 0.2 s or more): about
    /// the thread count on an idle machine, less when other work shared the cores.
    pub cpu_per_wall: Option<f64>,
    /// Process CPU microseconds per item over the cell (cells of 0.2 s or more): for a
    /// device backend, what the host spends on each item beside the device (on a
    /// software device such as lavapipe it includes the emulated device's own work).
    pub host_cpu_us_per_op: Option<f64>,
    /// Device clock cycles per item, where the backend counts them (an FPGA core: on
    /// `fpga-sim` the exact cycles a card would run, whatever the simulator's speed).
    pub device_cycles_per_op: Option<f64>,
    /// Those cycles at `settings.device_clock_mhz`: a projection, not a measurement.
    pub device_us_per_op_projected: Option<f64>,
}

/// Fills in `m_per_op` of every cell from the fp-mul cells.
pub fn set_m_per_op(cells: &mut [Cell]) {
    let unit = |backend: &str, threads: usize| {
        cells
            .iter()
            .filter(|c| c.workload == Workload::FpMul.name() && c.us_per_op > 0.0)
            .filter(|c| c.backend == backend && c.threads == threads)
            .max_by_key(|c| c.size)
            .map(|c| c.us_per_op)
    };
    let units: Vec<Option<f64>> = cells.iter().map(|c| unit(&c.backend, c.threads)).collect();
    for (cell, unit) in cells.iter_mut().zip(units) {
        cell.m_per_op = unit.map(|u| cell.us_per_op / u);
    }
}

/// Colours by workload (in [`Workload::ALL`] order), dashes by (backend, threads).
const COLORS: [&str; 6] = [
    "#7f7f7f", "#9467bd", "#1f77b4", "#aec7e8", "#d62728", "#ff9896",
];
const DASHES: [&str; 4] = ["", "6 4", "2 3", "10 3 2 3"];

impl Report {
    /// Throughput against batch size, one line per (backend, threads, workload).
    pub fn plot(&self) -> Plot {
        let mut groups: Vec<(&str, usize)> = Vec::new();
        for c in &self.cells {
            if !groups.contains(&(c.backend.as_str(), c.threads)) {
                groups.push((c.backend.as_str(), c.threads));
            }
        }
        let mut series = Vec::new();
        for (g, (backend, threads)) in groups.iter().enumerate() {
            for (w, workload) in Workload::ALL.iter().enumerate() {
                let points: Vec<(f64, f64)> = self
                    .cells
                    .iter()
                    .filter(|c| {
                        c.backend == *backend
                            && c.threads == *threads
                            && c.workload == workload.name()
                    })
                    .map(|c| (c.size as f64, c.ops_per_s))
                    .collect();
                if points.is_empty() {
                    continue;
                }
                series.push(Series {
                    label: format!("{backend} {threads}t {}", workload.name()),
                    color: COLORS[w % COLORS.len()].to_string(),
                    dash: DASHES[g % DASHES.len()].to_string(),
                    points,
                });
            }
        }
        Plot {
            title: format!(
                "sakke bench, {} ({}), {}",
                self.run.machine.host,
                self.run.machine.cpu_model,
                self.run.day()
            ),
            x_label: "batch size (items per call)".into(),
            y_label: "throughput (ops/s)".into(),
            series,
        }
    }

    /// The human-readable summary.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<8} {:>3} {:<16} {:>6} {:>13} {:>12} {:>10} {:>8} {:>8} {:>8} {:>11}\n",
            "backend",
            "thr",
            "workload",
            "size",
            "ops/s",
            "us/op",
            "M/op",
            "batches",
            "retried",
            "cpu/wall",
            "host us/op"
        );
        for c in &self.cells {
            let m = c
                .m_per_op
                .map(|m| format!("{m:.0}"))
                .unwrap_or_else(|| "-".into());
            let cpu = c
                .cpu_per_wall
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "-".into());
            let host = c
                .host_cpu_us_per_op
                .map(|x| format!("{x:.3}"))
                .unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "{:<8} {:>3} {:<16} {:>6} {:>13.1} {:>12.3} {:>10} {:>8} {:>8} {:>8} {:>11}\n",
                c.backend,
                c.threads,
                c.workload,
                c.size,
                c.ops_per_s,
                c.us_per_op,
                m,
                c.batches,
                c.retried,
                cpu,
                host
            ));
        }
        let counted: Vec<&Cell> = self
            .cells
            .iter()
            .filter(|c| c.device_cycles_per_op.is_some())
            .collect();
        if !counted.is_empty() {
            out.push_str(&format!(
                "device cycles (the card's own counter; us/op above is host time, a \
                 simulator's included), projected at {} MHz:\n",
                self.settings.device_clock_mhz
            ));
            for c in counted {
                out.push_str(&format!(
                    "{:<8} {:>3} {:<16} {:>6} {:>14.0} cycles/op {:>12.1} us/op projected\n",
                    c.backend,
                    c.threads,
                    c.workload,
                    c.size,
                    c.device_cycles_per_op.unwrap_or_default(),
                    c.device_us_per_op_projected.unwrap_or_default()
                ));
            }
        }
        for t in &self.tables {
            out.push_str(&format!(
                "tables {} {}t: {} RSK line tables, {:.0} KiB and {:.2} ms each; \
                 {} identity base tables, {:.0} KiB and {:.2} ms each; {:.1} MiB in all; \
                 {} hits, {} misses, {} evictions\n",
                t.backend,
                t.threads,
                t.line_tables,
                t.line_table_bytes_each / 1024.0,
                t.line_table_build_ms_each,
                t.base_tables,
                t.base_table_bytes_each / 1024.0,
                t.base_table_build_ms_each,
                t.bytes_total as f64 / (1 << 20) as f64,
                t.hits,
                t.misses,
                t.evictions
            ));
        }
        if !self.messages.is_empty() {
            out.push_str(&format!(
                "\none message, one thread:\n{:<22} {:>12} {:>10} {:>9}\n",
                "op", "us/op", "M/op", "ops"
            ));
        }
        for m in &self.messages {
            out.push_str(&format!(
                "{:<22} {:>12.3} {:>10.1} {:>9}\n",
                m.op, m.us_per_op, m.m_per_op, m.ops
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(workload: Workload, threads: usize, size: usize, us_per_op: f64) -> Cell {
        Cell {
            backend: "cpu".into(),
            threads,
            workload: workload.name(),
            size,
            batches: 1,
            ops: size as u64,
            seconds: us_per_op * size as f64 / 1e6,
            ops_per_s: 1e6 / us_per_op,
            us_per_op,
            m_per_op: None,
            retried: 0,
            backend_failures: 0,
            cpu_per_wall: None,
            host_cpu_us_per_op: None,
            device_cycles_per_op: None,
            device_us_per_op_projected: None,
        }
    }

    #[test]
    fn m_per_op_divides_by_fp_mul_at_the_largest_size_of_the_same_threads() {
        let mut cells = vec![
            cell(Workload::FpMul, 1, 1, 2.0),
            cell(Workload::FpMul, 1, 16, 0.5),
            cell(Workload::DecapTables, 1, 16, 5000.0),
            cell(Workload::FpMul, 2, 16, 0.25),
            cell(Workload::DecapTables, 2, 16, 2500.0),
            cell(Workload::Pairing, 3, 16, 100.0),
        ];
        set_m_per_op(&mut cells);
        assert_eq!(cells[0].m_per_op, Some(4.0));
        assert_eq!(cells[1].m_per_op, Some(1.0));
        assert_eq!(cells[2].m_per_op, Some(10_000.0));
        assert_eq!(cells[4].m_per_op, Some(10_000.0));
        assert_eq!(cells[5].m_per_op, None);
    }
}
