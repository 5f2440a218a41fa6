//! [`GpuBackend`]: the whole `PairingBackend` trait on the device. Miller loops, scalar
//! multiplications and exponentiations run in the kernels of this crate; the host builds
//! tables (once per key, as the CPU backend does), encodes operands, and finishes each
//! item with a few F_p operations (the final squarings, and one batched inversion to
//! normalise pairing values or make points affine).

mod config;
mod kernels;
mod selftest;
mod tables;

use pairing::backend::{
    same_length, BackendError, BatchResult, Capabilities, PairingBackend, PairingJob, ScalarMulJob,
    TableKey, TableStats,
};
use pairing::{AffinePoint, BaseTable, Fp, Fp2, JacobianPoint, LineTable, PfValue, Scalar};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::base_table::{base_table_words, BASE_TABLE_WORDS};
use crate::context::AdapterReport;
use crate::error::GpuError;
use crate::miller_table::{line_table_words, LINE_TABLE_WORDS};
use crate::path::ArithPath;

pub use config::{Fault, GpuConfig, CROSSOVERS};
use kernels::Kernels;
use tables::DeviceTables;

/// The name under which the engine registers this backend.
pub const NAME: &str = "gpu";

/// What [`probe`] found: the adapter a backend would open, and the path it would use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub adapter: AdapterReport,
    pub path: ArithPath,
}

/// The adapter [`GpuBackend::open`] would use, without compiling anything: for listings
/// such as `sakke backends`. Looked up once per process.
pub fn probe() -> Result<Probe, GpuError> {
    static PROBE: std::sync::OnceLock<Result<Probe, GpuError>> = std::sync::OnceLock::new();
    PROBE
        .get_or_init(|| {
            let ctx = crate::context::GpuContext::open()?;
            let adapter = ctx.report().clone();
            Ok(Probe {
                path: ArithPath::best(adapter.shader_int64),
                adapter,
            })
        })
        .clone()
}

/// Pairings, scalar multiplications and g^k on a GPU. Opening it runs a known-answer
/// self-test on the adapter; an adapter that fails it is never used.
pub struct GpuBackend {
    k: Kernels,
    lines: DeviceTables,
    bases: DeviceTables,
    fault: Option<Fault>,
    max_per_dispatch: usize,
}

impl GpuBackend {
    /// Opens the best adapter, compiles every kernel of the chosen path (once per
    /// process) and self-tests them. Unavailable, with the reason, when there is no
    /// adapter, the path cannot run on it, or the self-test fails.
    pub fn open(config: GpuConfig) -> Result<GpuBackend, BackendError> {
        let broken = config.fault == Some(Fault::BrokenFieldKernel);
        let max = config.max_elements_per_dispatch.unwrap_or(usize::MAX);
        let k = Kernels::shared(config.path, config.timeout, broken)
            .map_err(|e| e.into_backend_error(NAME))?
            .capped(max);
        let crossovers = config.crossovers.unwrap_or(CROSSOVERS);
        let lines = DeviceTables::new(
            &k.ctx,
            "line tables",
            LINE_TABLE_WORDS,
            config.line_table_budget_bytes,
            config.tables,
            crossovers.lines,
            |key| line_table_words(&LineTable::build(key, false)),
        );
        let bases = DeviceTables::new(
            &k.ctx,
            "base tables",
            BASE_TABLE_WORDS,
            config.base_table_budget_bytes,
            config.tables,
            crossovers.bases,
            |base| base_table_words(&BaseTable::build(base, false)),
        );
        let backend = GpuBackend {
            k,
            lines,
            bases,
            fault: config.fault,
            max_per_dispatch: max,
        };
        selftest::run(&backend).map_err(|reason| BackendError::Unavailable {
            backend: NAME.into(),
            reason: format!("self-test failed: {reason}"),
        })?;
        Ok(backend)
    }

    pub fn adapter(&self) -> &AdapterReport {
        self.k.ctx.report()
    }

    pub fn path(&self) -> ArithPath {
        self.k.path
    }

    fn device_error(e: GpuError) -> BackendError {
        e.into_backend_error(NAME)
    }

    /// f for each job before the final exponentiation: tabled jobs on the table kernel,
    /// the others on the plain Miller loop, in job order.
    fn miller_loops(&self, jobs: &[PairingJob]) -> Result<Vec<Fp2>, GpuError> {
        let slots = self
            .lines
            .resolve(jobs.iter().filter_map(|j| j.table.map(|k| (k, j.fixed))))?;
        let slot_of = |j: &PairingJob| j.table.and_then(|k| slots.get(&k)).map(|s| s.index());
        let (tabled, plain): (Vec<usize>, Vec<usize>) =
            (0..jobs.len()).partition(|&i| slot_of(&jobs[i]).is_some());
        let mut out = vec![Fp2::ZERO; jobs.len()];
        if let (Some(arena), false) = (self.lines.arena(), tabled.is_empty()) {
            let ids: Vec<u32> = tabled.iter().filter_map(|&i| slot_of(&jobs[i])).collect();
            let at: Vec<AffinePoint> = tabled.iter().map(|&i| jobs[i].at).collect();
            let fs = self.k.table_miller.miller_loop_batch(arena, &ids, &at)?;
            scatter(&mut out, &tabled, fs);
        }
        if !plain.is_empty() {
            let mut fixed: Vec<AffinePoint> = plain.iter().map(|&i| jobs[i].fixed).collect();
            let at: Vec<AffinePoint> = plain.iter().map(|&i| jobs[i].at).collect();
            let fs = self.k.miller.miller_loop_batch(&fixed, &at);
            fixed.zeroize();
            scatter(&mut out, &plain, fs?);
        }
        Ok(out)
    }

    /// [scalar]base for each job, in Jacobian form: tabled jobs on the fixed-base
    /// kernel, the others on the windowed one, in job order.
    fn scalar_muls(&self, jobs: &[ScalarMulJob]) -> Result<Vec<JacobianPoint>, GpuError> {
        let slots = self
            .bases
            .resolve(jobs.iter().filter_map(|j| j.table.map(|k| (k, j.base))))?;
        let slot_of = |j: &ScalarMulJob| j.table.and_then(|k| slots.get(&k)).map(|s| s.index());
        let (tabled, plain): (Vec<usize>, Vec<usize>) =
            (0..jobs.len()).partition(|&i| slot_of(&jobs[i]).is_some());
        let mut out = vec![JacobianPoint::IDENTITY; jobs.len()];
        let scalars = |picked: &[usize]| -> zeroize::Zeroizing<Vec<Scalar>> {
            zeroize::Zeroizing::new(picked.iter().map(|&i| jobs[i].scalar).collect())
        };
        if let (Some(arena), false) = (self.bases.arena(), tabled.is_empty()) {
            let ids: Vec<u32> = tabled.iter().filter_map(|&i| slot_of(&jobs[i])).collect();
            let points = self
                .k
                .scalar_mul
                .mul_tabled_batch(arena, &ids, &scalars(&tabled))?;
            scatter(&mut out, &tabled, points);
        }
        if !plain.is_empty() {
            let bases: Vec<AffinePoint> = plain.iter().map(|&i| jobs[i].base).collect();
            let points = self.k.scalar_mul.mul_batch(&bases, &scalars(&plain))?;
            scatter(&mut out, &plain, points);
        }
        self.inject(Fault::CorruptScalarMul, &mut out, |p| p.double());
        Ok(out)
    }

    /// Applies a configured fault to the first item: what a flaky device would return.
    fn inject<T>(&self, fault: Fault, items: &mut [T], corrupt: impl Fn(&T) -> T) {
        if self.fault == Some(fault) {
            if let Some(first) = items.first_mut() {
                *first = corrupt(first);
            }
        }
    }
}

/// Puts `values[k]` at `out[picked[k]]`.
fn scatter<T>(out: &mut [T], picked: &[usize], values: Vec<T>) {
    for (&i, v) in picked.iter().zip(values) {
        out[i] = v;
    }
}

impl PairingBackend for GpuBackend {
    fn name(&self) -> &str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        let report = self.k.ctx.report();
        Capabilities {
            max_batch: usize::MAX,
            // Items in flight at once: one invocation each, up to the dispatch size.
            parallelism: self.max_per_dispatch.min(1 << 16),
            resident_tables: true,
            table_budget_bytes: self.lines.stats().budget_bytes + self.bases.stats().budget_bytes,
            description: format!(
                "{} ({}, driver {} {}), {} path{}",
                report.name,
                report.backend,
                report.driver,
                report.driver_info,
                self.k.path,
                if report.is_software() {
                    "; software rasteriser: correctness only"
                } else {
                    ""
                }
            ),
        }
    }

    fn modmul_batch(&self, a: &[Fp], b: &[Fp]) -> Result<Vec<Fp>, BackendError> {
        same_length(a, b)?;
        self.k.field.modmul_batch(a, b).map_err(Self::device_error)
    }

    fn pairing_batch(&self, jobs: &[PairingJob]) -> BatchResult<PfValue> {
        let mut fs = self.miller_loops(jobs).map_err(Self::device_error)?;
        // A factor whose fourth power is outside F_p changes the pairing value (one in
        // F_p, such as (1 + i)^4 = -4, would not).
        self.inject(Fault::CorruptPairing, &mut fs, |f| {
            *f * Fp2::new(Fp::ONE, Fp::from_u64(2))
        });
        // The final exponentiation, f^((p^2 - 1)/q) = f^(4(p - 1)): raising to p - 1 is
        // an F_p factor, which PF_p drops, so two squarings and the normalisation remain.
        for f in fs.iter_mut() {
            *f = f.square().square();
        }
        let values = PfValue::batch_from_fp2(&fs);
        fs.zeroize();
        Ok(values.into_iter().map(Ok).collect())
    }

    fn scalar_mul_batch(&self, jobs: &[ScalarMulJob]) -> BatchResult<AffinePoint> {
        let points = self.scalar_muls(jobs).map_err(Self::device_error)?;
        Ok(JacobianPoint::batch_to_affine(&points)
            .into_iter()
            .map(Ok)
            .collect())
    }

    fn scalar_mul_eq_batch(
        &self,
        jobs: &[ScalarMulJob],
        expected: &[AffinePoint],
    ) -> BatchResult<bool> {
        same_length(jobs, expected)?;
        let points = self.scalar_muls(jobs).map_err(Self::device_error)?;
        // Compared in Jacobian form: no inversion.
        Ok(points
            .iter()
            .zip(expected)
            .map(|(p, e)| Ok(bool::from(p.ct_eq(&JacobianPoint::from(*e)))))
            .collect())
    }

    fn gt_pow_batch(&self, exponents: &[Scalar]) -> BatchResult<PfValue> {
        let mut fs = self
            .k
            .gt_pow
            .pow_batch(exponents)
            .map_err(Self::device_error)?;
        let values = PfValue::batch_from_fp2(&fs);
        fs.zeroize();
        Ok(values.into_iter().map(Ok).collect())
    }

    fn prepare_pairing_table(
        &self,
        key: TableKey,
        fixed: &AffinePoint,
    ) -> Result<(), BackendError> {
        self.lines.prepare(key, fixed)
    }

    fn prepare_base_table(&self, key: TableKey, base: &AffinePoint) -> Result<(), BackendError> {
        self.bases.prepare(key, base)
    }

    fn table_stats(&self) -> TableStats {
        self.lines.stats().merged(&self.bases.stats())
    }

    fn clear_tables(&self) {
        self.lines.clear();
        self.bases.clear();
    }
}
