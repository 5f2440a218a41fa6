//! The CPU backend: the reference every other backend is checked against, and the
//! engine's fallback. Items are spread over a rayon pool in contiguous chunks; each chunk
//! normalises its results with one inversion (Montgomery's trick).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use subtle::ConstantTimeEq;
#[cfg(target_arch = "x86_64")]
use zeroize::{Zeroize, Zeroizing};

use super::cache::{Selection, TableCache};
use super::{
    BackendError, BatchResult, Capabilities, Crossovers, PairingBackend, PairingJob, ScalarMulJob,
    TableKey, TablePolicy, TableStats,
};
use crate::{
    gt_table, miller_loop, AffinePoint, BaseTable, Fp, Fp2, JacobianPoint, LineTable, PfValue,
    Scalar,
};

/// Settings of a [`CpuBackend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuConfig {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Memory for per-RSK line tables (about 344 KiB each).
    pub line_table_budget_bytes: usize,
    /// Memory for per-identity fixed-base tables (about 824 KiB each, twice that with the
    /// vector form).
    pub base_table_budget_bytes: usize,
    /// Use the AVX-512 IFMA unit for tabled work, eight items at a time, when the
    /// processor has one. Off: portable 64-bit code only.
    pub vector: bool,
    /// When a key named in a batch gets a table. [`TablePolicy::Never`] sets both budgets
    /// to zero.
    pub tables: TablePolicy,
    /// The uses at which [`TablePolicy::Auto`] builds a table; None: the crossovers
    /// measured for this path ([`Crossovers::measured`]).
    pub crossovers: Option<Crossovers>,
}

impl Default for CpuConfig {
    fn default() -> Self {
        CpuConfig {
            threads: 0,
            line_table_budget_bytes: 128 << 20,
            base_table_budget_bytes: 256 << 20,
            vector: true,
            tables: TablePolicy::Auto,
            crossovers: None,
        }
    }
}

/// Pairings and scalar multiplications on the CPU, batched across a thread pool.
pub struct CpuBackend {
    pool: rayon::ThreadPool,
    threads: usize,
    /// Whether the configuration asked for the vector unit (the backend's name).
    vector_requested: bool,
    /// Whether it is asked for and present.
    vector: bool,
    lines: TableCache<LineTable>,
    bases: TableCache<BaseTable>,
    policy: TablePolicy,
    crossovers: Crossovers,
}

impl CpuBackend {
    pub fn new(config: CpuConfig) -> Result<CpuBackend, BackendError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads)
            .thread_name(|i| format!("sakke-cpu-{i}"))
            .build()
            .map_err(|e| BackendError::Unavailable {
                backend: "cpu".into(),
                reason: e.to_string(),
            })?;
        let threads = pool.current_num_threads();
        let vector = config.vector && vector_unit();
        let budget = |bytes| match config.tables {
            TablePolicy::Never => 0,
            TablePolicy::Auto | TablePolicy::Always => bytes,
        };
        Ok(CpuBackend {
            pool,
            threads,
            vector_requested: config.vector,
            vector,
            lines: TableCache::new(budget(config.line_table_budget_bytes)),
            bases: TableCache::new(budget(config.base_table_budget_bytes)),
            policy: config.tables,
            crossovers: config.crossovers.unwrap_or(Crossovers::measured(vector)),
        })
    }

    /// One thread, default budgets: the single-item reference.
    pub fn single_threaded() -> Result<CpuBackend, BackendError> {
        CpuBackend::new(CpuConfig {
            threads: 1,
            ..CpuConfig::default()
        })
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    pub fn table_policy(&self) -> TablePolicy {
        self.policy
    }

    /// The uses at which [`TablePolicy::Auto`] builds each kind of table.
    pub fn crossovers(&self) -> Crossovers {
        self.crossovers
    }

    /// Contiguous chunk length giving each thread one chunk: fewer chunks means fewer
    /// inversions, and the items all cost the same, so nothing is lost to imbalance.
    fn chunk_len(&self, n: usize) -> usize {
        n.div_ceil(self.threads).max(1)
    }

    /// [scalar]base for every job in Jacobian form, chunk by chunk across the pool, each
    /// chunk's points handed to `finish` with the index of the chunk's first job.
    fn scalar_muls<T: Send>(
        &self,
        jobs: &[ScalarMulJob],
        finish: impl Fn(usize, Vec<JacobianPoint>) -> Vec<T> + Sync,
    ) -> Vec<T> {
        let tables = self.pool.install(|| {
            self.resolve(
                &self.bases,
                self.crossovers.bases,
                jobs.iter().filter_map(|j| j.table.map(|k| (k, j.base))),
                |p| build_base(p, self.vector),
            )
        });
        let chunk_len = self.chunk_len(jobs.len());
        self.pool.install(|| {
            jobs.par_chunks(chunk_len)
                .enumerate()
                .flat_map_iter(|(i, chunk)| {
                    let table_of = |job: &ScalarMulJob| job.table.and_then(|k| tables.get(&k));
                    let jac: Vec<JacobianPoint> = split_run(
                        chunk,
                        self.vector,
                        |job| table_of(job).is_some(),
                        |picked| vector_base_muls(picked, &table_of),
                        vector_window_muls,
                        |job| match table_of(job) {
                            Some(table) => table.mul(&job.scalar),
                            None => JacobianPoint::from(job.base).mul(&job.scalar),
                        },
                    );
                    finish(i * chunk_len, jac)
                })
                .collect()
        })
    }

    /// The tables a batch's jobs use: those resident, and those the policy builds now
    /// for keys that have earned one (`crossover` uses for [`TablePolicy::Auto`]), never
    /// more than the budget holds beside the resident ones this batch uses. Other keys go
    /// untabled.
    fn resolve<T: Send + Sync>(
        &self,
        cache: &TableCache<T>,
        crossover: u32,
        keys: impl Iterator<Item = (TableKey, AffinePoint)>,
        build: impl Fn(&AffinePoint) -> (T, usize) + Sync,
    ) -> HashMap<TableKey, Arc<T>> {
        let mut uses: HashMap<TableKey, (u32, AffinePoint)> = HashMap::new();
        for (key, point) in keys {
            uses.entry(key).or_insert((0, point)).0 += 1;
        }
        let batch: Vec<(TableKey, u32)> = uses.iter().map(|(k, (n, _))| (*k, *n)).collect();
        let policy = self.policy;
        let Selection {
            resident: mut tables,
            wanted,
        } = cache.select(&batch, |earlier, now| {
            policy.wants_table(crossover, earlier, now)
        });
        let build_one = |key: &TableKey| {
            let start = Instant::now();
            let (table, bytes) = build(&uses[key].1);
            (*key, Arc::new(table), bytes, start.elapsed())
        };
        let keep = |tables: &mut HashMap<TableKey, Arc<T>>, built: Vec<Built<T>>| {
            for (key, table, bytes, elapsed) in built {
                // Used for this batch even if it does not fit the budget.
                cache.insert(key, table.clone(), bytes, elapsed);
                tables.insert(key, table);
            }
        };
        let mut pending = wanted.as_slice();
        if cache.room(0).is_none() && !pending.is_empty() {
            // Until a table is built the cache cannot tell how many fit: build one alone.
            keep(&mut tables, vec![build_one(&pending[0])]);
            pending = &pending[1..];
        }
        let room = cache.room(tables.len()).unwrap_or(0);
        let now = &pending[..room.min(pending.len())];
        keep(&mut tables, now.par_iter().map(build_one).collect());
        tables
    }
}

/// A table just built: its key, the table, its size and its build time.
type Built<T> = (TableKey, Arc<T>, usize, Duration);

/// Whether this processor has the vector unit the tabled paths use.
fn vector_unit() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::simd::ifma_available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Below this many tabled items in a chunk, padding a vector group to eight costs more
/// than the scalar code.
const VECTOR_MIN: usize = 4;

/// Runs the items that `tabled` picks through `vector_tabled`, the others through
/// `vector_plain`, each only when enabled and worthwhile (else, or when a vector function
/// declines, through `scalar`), keeping order.
fn split_run<J, T: Copy + Default>(
    jobs: &[J],
    vector_enabled: bool,
    tabled: impl Fn(&J) -> bool,
    vector_tabled: impl FnOnce(&[&J]) -> Option<Vec<T>>,
    vector_plain: impl FnOnce(&[&J]) -> Option<Vec<T>>,
    scalar: impl Fn(&J) -> T,
) -> Vec<T> {
    let (with, without): (Vec<&J>, Vec<&J>) = jobs.iter().partition(|j| tabled(j));
    let run = |group: &[&J], vector: Option<Vec<T>>| -> Vec<T> {
        match vector {
            Some(v) if v.len() == group.len() => v,
            _ => group.iter().map(|j| scalar(j)).collect(),
        }
    };
    let worth = |group: &[&J]| vector_enabled && group.len() >= VECTOR_MIN;
    let with_out = run(
        &with,
        if worth(&with) {
            vector_tabled(&with)
        } else {
            None
        },
    );
    let without_out = run(
        &without,
        if worth(&without) {
            vector_plain(&without)
        } else {
            None
        },
    );
    let (mut a, mut b) = (with_out.into_iter(), without_out.into_iter());
    jobs.iter()
        .map(|j| if tabled(j) { a.next() } else { b.next() }.unwrap_or_else(|| scalar(j)))
        .collect()
}

fn build_lines(p: &AffinePoint, vector: bool) -> (LineTable, usize) {
    let t = LineTable::build(p, vector);
    let bytes = t.memory_bytes();
    (t, bytes)
}

fn build_base(p: &AffinePoint, vector: bool) -> (BaseTable, usize) {
    let t = BaseTable::build(p, vector);
    let bytes = t.memory_bytes();
    (t, bytes)
}

impl PairingBackend for CpuBackend {
    /// "cpu", or "cpu-scalar" when built without the vector unit: the registry's names.
    fn name(&self) -> &str {
        if self.vector_requested {
            "cpu"
        } else {
            "cpu-scalar"
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_batch: usize::MAX,
            parallelism: self.threads,
            resident_tables: true,
            table_budget_bytes: self.lines.stats().budget_bytes + self.bases.stats().budget_bytes,
            description: format!(
                "{} thread(s), 64-bit Montgomery arithmetic{}",
                self.threads,
                if self.vector {
                    ", AVX-512 IFMA eight lanes wide"
                } else {
                    ""
                }
            ),
        }
    }

    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError> {
        super::same_length(a, b)?;
        let chunk = self.chunk_len(a.len());
        Ok(self.pool.install(|| {
            a.par_chunks(chunk)
                .zip(b.par_chunks(chunk))
                .flat_map_iter(|(x, y)| x.iter().zip(y).map(|(x, y)| x * y).collect::<Vec<_>>())
                .collect()
        }))
    }

    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        let tables = self.pool.install(|| {
            self.resolve(
                &self.lines,
                self.crossovers.lines,
                jobs.iter().filter_map(|j| j.table.map(|k| (k, j.fixed))),
                |p| build_lines(p, self.vector),
            )
        });
        let chunk = self.chunk_len(jobs.len());
        let values: Vec<PfValue> = self.pool.install(|| {
            jobs.par_chunks(chunk)
                .flat_map_iter(|chunk| {
                    let table_of = |job: &PairingJob| job.table.and_then(|k| tables.get(&k));
                    let fs: Vec<Fp2> = split_run(
                        chunk,
                        self.vector,
                        |job| table_of(job).is_some(),
                        |picked| vector_pairings(picked, &table_of),
                        vector_plain_pairings,
                        |job| {
                            let f = match table_of(job) {
                                Some(table) => table.miller_loop(&job.at),
                                None => miller_loop(&job.fixed, &job.at),
                            };
                            f.square().square()
                        },
                    );
                    PfValue::batch_from_fp2(&fs)
                })
                .collect()
        });
        Ok(values.into_iter().map(Ok).collect())
    }

    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        let points = self.scalar_muls(jobs, |_, jac| JacobianPoint::batch_to_affine(&jac));
        Ok(points.into_iter().map(Ok).collect())
    }

    /// Compares in Jacobian coordinates: no inversion at all.
    fn scalar_mul_eq_batch(
        &self,
        jobs: &[ScalarMulJob],
        expected: &[AffinePoint],
    ) -> BatchResult<bool> {
        super::same_length(jobs, expected)?;
        let equal = self.scalar_muls(jobs, |start, jac| {
            jac.iter()
                .zip(&expected[start..])
                .map(|(p, e)| bool::from(p.ct_eq(&JacobianPoint::from(*e))))
                .collect()
        });
        Ok(equal.into_iter().map(Ok).collect())
    }
    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        let table = gt_table();
        let chunk = self.chunk_len(exponents.len());
        let values: Vec<PfValue> = self.pool.install(|| {
            exponents
                .par_chunks(chunk)
                .flat_map_iter(|chunk| {
                    let fs: Vec<Fp2> = split_run(
                        chunk,
                        self.vector,
                        |_| true,
                        |picked| vector_gt_pows(table, picked),
                        |_| None,
                        |k| table.pow_unnormalised(k),
                    );
                    PfValue::batch_from_fp2(&fs)
                })
                .collect()
        });
        Ok(values.into_iter().map(Ok).collect())
    }

    fn prepare_pairing_table(
        &self,
        key: TableKey,
        fixed: &AffinePoint,
    ) -> Result<(), BackendError> {
        prepare(&self.lines, key, fixed, |p| build_lines(p, self.vector))
    }

    fn prepare_base_table(&self, key: TableKey, base: &AffinePoint) -> Result<(), BackendError> {
        prepare(&self.bases, key, base, |p| build_base(p, self.vector))
    }

    fn table_stats(&self) -> TableStats {
        self.lines.stats().merged(&self.bases.stats())
    }

    fn clear_tables(&self) {
        self.lines.clear();
        self.bases.clear();
    }
}

fn prepare<T>(
    cache: &TableCache<T>,
    key: TableKey,
    p: &AffinePoint,
    build: impl Fn(&AffinePoint) -> (T, usize),
) -> Result<(), BackendError> {
    if cache.contains(&key) {
        return Ok(());
    }
    let start = Instant::now();
    let (table, bytes) = build(p);
    if cache.insert(key, Arc::new(table), bytes, start.elapsed()) {
        Ok(())
    } else {
        Err(BackendError::TableTooLarge {
            budget: cache.stats().budget_bytes,
            needed: bytes,
        })
    }
}

#[cfg(target_arch = "x86_64")]
fn vector_pairings<'a>(
    picked: &[&PairingJob],
    table_of: &impl Fn(&PairingJob) -> Option<&'a Arc<LineTable>>,
) -> Option<Vec<Fp2>> {
    let jobs: Option<Vec<(&LineTable, AffinePoint)>> = picked
        .iter()
        .map(|j| table_of(j).map(|t| (t.as_ref(), j.at)))
        .collect();
    crate::simd::batch8::tabled_pairings(&jobs?)
}

#[cfg(target_arch = "x86_64")]
fn vector_base_muls<'a>(
    picked: &[&ScalarMulJob],
    table_of: &impl Fn(&ScalarMulJob) -> Option<&'a Arc<BaseTable>>,
) -> Option<Vec<JacobianPoint>> {
    let mut jobs: Vec<(&BaseTable, Scalar)> = picked
        .iter()
        .map(|j| table_of(j).map(|t| (t.as_ref(), j.scalar)))
        .collect::<Option<_>>()?;
    let points = crate::simd::batch8::base_muls(&jobs);
    // The scalars are secret (r): the copies are wiped, as the jobs' own are by the caller.
    jobs.iter_mut().for_each(|(_, k)| k.zeroize());
    points
}

#[cfg(target_arch = "x86_64")]
fn vector_gt_pows(table: &crate::GtTable, picked: &[&Scalar]) -> Option<Vec<Fp2>> {
    let exps: Zeroizing<Vec<Scalar>> = Zeroizing::new(picked.iter().map(|k| **k).collect());
    crate::simd::batch8::gt_pows(table, &exps)
}

#[cfg(target_arch = "x86_64")]
fn vector_plain_pairings(picked: &[&PairingJob]) -> Option<Vec<Fp2>> {
    let mut jobs: Vec<(AffinePoint, AffinePoint)> =
        picked.iter().map(|j| (j.fixed, j.at)).collect();
    let values = crate::simd::batch8::plain_pairings(&jobs);
    // `fixed` is an RSK.
    jobs.iter_mut().for_each(|(rsk, _)| rsk.zeroize());
    values
}

#[cfg(target_arch = "x86_64")]
fn vector_window_muls(picked: &[&ScalarMulJob]) -> Option<Vec<JacobianPoint>> {
    let mut jobs: Vec<(AffinePoint, Scalar)> = picked.iter().map(|j| (j.base, j.scalar)).collect();
    let points = crate::simd::batch8::window_muls(&jobs);
    jobs.iter_mut().for_each(|(_, k)| k.zeroize());
    points
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_plain_pairings(_: &[&PairingJob]) -> Option<Vec<Fp2>> {
    None
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_window_muls(_: &[&ScalarMulJob]) -> Option<Vec<JacobianPoint>> {
    None
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_pairings<'a>(
    _: &[&PairingJob],
    _: &impl Fn(&PairingJob) -> Option<&'a Arc<LineTable>>,
) -> Option<Vec<Fp2>> {
    None
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_base_muls<'a>(
    _: &[&ScalarMulJob],
    _: &impl Fn(&ScalarMulJob) -> Option<&'a Arc<BaseTable>>,
) -> Option<Vec<JacobianPoint>> {
    None
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_gt_pows(_: &crate::GtTable, _: &[&Scalar]) -> Option<Vec<Fp2>> {
    None
}
