//! The CPU backend against the single-item reference, with and without tables.

mod common;

use common::*;
use pairing::backend::{
    BackendError, CpuBackend, CpuConfig, PairingBackend, PairingJob, ScalarMulJob, TableKey,
    TablePolicy,
};
use pairing::{pairing, AffinePoint, Fp, JacobianPoint, PfValue, Scalar};
use rand::{rngs::StdRng, SeedableRng};

fn random_point(rng: &mut StdRng) -> AffinePoint {
    let k = random_below(rng, &q());
    JacobianPoint::from(AffinePoint::generator())
        .mul(&scalar(&k))
        .to_affine()
}

fn random_scalar(rng: &mut StdRng) -> Scalar {
    scalar(&random_below(rng, &q()))
}

fn backend(threads: usize) -> CpuBackend {
    CpuBackend::new(CpuConfig {
        threads,
        ..CpuConfig::default()
    })
    .unwrap()
}

/// Jobs over `keys` fixed points (so tables get reused) at random points.
fn pairing_jobs(rng: &mut StdRng, n: usize, keys: &[AffinePoint], tabled: bool) -> Vec<PairingJob> {
    (0..n)
        .map(|i| {
            let k = i % keys.len().max(1);
            PairingJob {
                fixed: keys[k],
                table: tabled.then_some(TableKey([k as u8; 32])),
                at: random_point(rng),
            }
        })
        .collect()
}

#[test]
fn pairing_batches_equal_single_reference() {
    let mut rng = StdRng::seed_from_u64(11);
    let keys: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    // Tables from the second use on, so that even the small batches run tabled.
    let cpu = CpuBackend::new(CpuConfig {
        tables: TablePolicy::Always,
        ..CpuConfig::default()
    })
    .unwrap();
    for (n, tabled) in [(0, false), (1, true), (7, true), (7, false), (64, true)] {
        let jobs = pairing_jobs(&mut rng, n, &keys, tabled);
        let got = cpu.pairing_batch(&jobs).unwrap();
        assert_eq!(got.len(), n);
        for (job, value) in jobs.iter().zip(got) {
            assert_eq!(
                value.unwrap(),
                pairing(&job.at, &job.fixed),
                "n = {n}, tabled = {tabled}"
            );
        }
    }
    let stats = cpu.table_stats();
    assert!(stats.builds >= 3 && stats.hits > 0, "{stats:?}");
}

#[test]
fn eviction_under_a_small_budget_keeps_results_right() {
    let mut rng = StdRng::seed_from_u64(12);
    let keys: Vec<AffinePoint> = (0..4).map(|_| random_point(&mut rng)).collect();
    // A table's size depends on the CPU (343 KiB; 784 KiB with the IFMA vector form):
    // measure one, then give room for one and a half.
    let probe = CpuBackend::new(CpuConfig {
        threads: 1,
        ..CpuConfig::default()
    })
    .unwrap();
    probe
        .prepare_pairing_table(TableKey([0; 32]), &keys[0])
        .unwrap();
    let one_table = probe.table_stats().bytes;
    assert!(one_table > 300 << 10, "{one_table}");
    let budget = one_table * 3 / 2;
    let cpu = CpuBackend::new(CpuConfig {
        threads: 1,
        line_table_budget_bytes: budget,
        base_table_budget_bytes: 0,
        ..CpuConfig::default()
    })
    .unwrap();
    for (i, key) in keys.iter().enumerate() {
        cpu.prepare_pairing_table(TableKey([i as u8; 32]), key)
            .unwrap();
    }
    let stats = cpu.table_stats();
    assert_eq!(stats.tables, 1);
    assert_eq!(stats.evictions, 3);
    let jobs = pairing_jobs(&mut rng, 8, &keys, true);
    for (job, value) in jobs.iter().zip(cpu.pairing_batch(&jobs).unwrap()) {
        assert_eq!(value.unwrap(), pairing(&job.fixed, &job.at));
    }
    assert!(cpu.table_stats().bytes <= budget);
    // A base table does not fit a zero budget: a clear error, and jobs still compute.
    assert!(matches!(
        cpu.prepare_base_table(TableKey([9; 32]), &keys[0]),
        Err(BackendError::TableTooLarge { .. })
    ));
    let k = random_scalar(&mut rng);
    let jobs = [ScalarMulJob {
        base: keys[0],
        table: Some(TableKey([9; 32])),
        scalar: k,
    }; 2];
    for p in cpu.scalar_mul_batch(&jobs).unwrap() {
        assert_eq!(p.unwrap(), JacobianPoint::from(keys[0]).mul(&k).to_affine());
    }
}

#[test]
fn scalar_mul_and_gt_pow_batches_equal_single_reference() {
    let mut rng = StdRng::seed_from_u64(13);
    let bases: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(2);
    cpu.prepare_base_table(TableKey([1; 32]), &bases[1])
        .unwrap();
    for n in [0usize, 1, 7, 64] {
        let jobs: Vec<ScalarMulJob> = (0..n)
            .map(|i| ScalarMulJob {
                base: bases[i % 2],
                table: (i % 2 == 1).then_some(TableKey([1; 32])),
                scalar: random_scalar(&mut rng),
            })
            .collect();
        for (job, p) in jobs.iter().zip(cpu.scalar_mul_batch(&jobs).unwrap()) {
            let expected = from_affine(&JacobianPoint::from(job.base).mul(&job.scalar).to_affine());
            assert_eq!(from_affine(&p.unwrap()), expected);
        }
        let exps: Vec<Scalar> = (0..n).map(|_| random_scalar(&mut rng)).collect();
        let g = PfValue::generator();
        for (k, v) in exps.iter().zip(cpu.gt_pow_batch(&exps).unwrap()) {
            assert_eq!(v.unwrap(), g.pow(k));
        }
    }
}

#[test]
fn modmul_batch_matches_num_bigint() {
    let mut rng = StdRng::seed_from_u64(14);
    let cpu = backend(2);
    let a_big: Vec<_> = (0..33)
        .map(|_| random_fp_big(&mut rng))
        .chain(edge_values())
        .collect();
    let b_big: Vec<_> = a_big.iter().rev().cloned().collect();
    let a: Vec<Fp> = a_big.iter().map(fp).collect();
    let b: Vec<Fp> = b_big.iter().map(fp).collect();
    let got = cpu.modmul_batch(&a, &b).unwrap();
    for ((x, y), z) in a_big.iter().zip(&b_big).zip(&got) {
        assert_eq!(big(z), (x * y) % p());
    }
    assert_eq!(
        cpu.modmul_batch(&a, &b[1..]),
        Err(BackendError::LengthMismatch {
            left: a.len(),
            right: b.len() - 1
        })
    );
}

#[cfg(target_arch = "x86_64")]
#[test]
fn ifma_modmul_matches_num_bigint_when_available() {
    let mut rng = StdRng::seed_from_u64(15);
    let a_big: Vec<_> = (0..37)
        .map(|_| random_fp_big(&mut rng))
        .chain(edge_values())
        .collect();
    let b_big: Vec<_> = edge_values()
        .into_iter()
        .chain((0..37).map(|_| random_fp_big(&mut rng)))
        .collect();
    let a: Vec<Fp> = a_big.iter().map(fp).collect();
    let b: Vec<Fp> = b_big.iter().map(fp).collect();
    let Some(got) = pairing::simd::modmul_batch(&a, &b) else {
        assert!(!pairing::simd::ifma_available());
        eprintln!("no AVX-512 IFMA on this processor: vector path not tested");
        return;
    };
    assert_eq!(got.len(), a.len());
    for ((x, y), z) in a_big.iter().zip(&b_big).zip(&got) {
        assert_eq!(big(z), (x * y) % p());
    }
}

/// The vector paths (tabled and plain, with a padded last group of eight) against the
/// portable backend on the same jobs.
#[test]
fn vector_and_scalar_backends_agree_on_padded_batches() {
    let mut rng = StdRng::seed_from_u64(16);
    let keys: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    let config = |vector| CpuConfig {
        threads: 1,
        vector,
        ..CpuConfig::default()
    };
    let (vector, scalar) = (
        CpuBackend::new(config(true)).unwrap(),
        CpuBackend::new(config(false)).unwrap(),
    );
    assert_eq!((vector.name(), scalar.name()), ("cpu", "cpu-scalar"));
    for n in [5usize, 9, 17] {
        let mut jobs = pairing_jobs(&mut rng, n, &keys, true);
        for job in jobs.iter_mut().step_by(3) {
            job.table = None;
        }
        let a = vector.pairing_batch(&jobs).unwrap();
        let b = scalar.pairing_batch(&jobs).unwrap();
        assert_eq!(a, b, "pairings, n = {n}");
        let muls: Vec<ScalarMulJob> = jobs
            .iter()
            .map(|j| ScalarMulJob {
                base: j.fixed,
                table: j.table,
                scalar: random_scalar(&mut rng),
            })
            .collect();
        let a = vector.scalar_mul_batch(&muls).unwrap();
        let b = scalar.scalar_mul_batch(&muls).unwrap();
        assert_eq!(a, b, "scalar multiplications, n = {n}");
        let exps: Vec<Scalar> = muls.iter().map(|m| m.scalar).collect();
        assert_eq!(
            vector.gt_pow_batch(&exps).unwrap(),
            scalar.gt_pow_batch(&exps).unwrap()
        );
    }
}

/// TEST on the backend: equal where the expected point is the product, unequal where it
/// is its negative or another point, on both CPU backends and with and without tables.
#[test]
fn scalar_mul_eq_batch_is_test() {
    let mut rng = StdRng::seed_from_u64(17);
    let bases: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    for vector in [true, false] {
        let cpu = CpuBackend::new(CpuConfig {
            threads: 2,
            vector,
            ..CpuConfig::default()
        })
        .unwrap();
        cpu.prepare_base_table(TableKey([3; 32]), &bases[0])
            .unwrap();
        let jobs: Vec<ScalarMulJob> = (0..13)
            .map(|i| ScalarMulJob {
                base: bases[i % 2],
                table: (i % 2 == 0).then_some(TableKey([3; 32])),
                scalar: random_scalar(&mut rng),
            })
            .collect();
        let mut expected: Vec<AffinePoint> = jobs
            .iter()
            .map(|j| JacobianPoint::from(j.base).mul(&j.scalar).to_affine())
            .collect();
        expected[3] = expected[3].neg();
        expected[8] = bases[0];
        let got: Vec<bool> = cpu
            .scalar_mul_eq_batch(&jobs, &expected)
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let want: Vec<bool> = (0..13).map(|i| i != 3 && i != 8).collect();
        assert_eq!(got, want, "vector = {vector}");
        assert!(cpu.scalar_mul_eq_batch(&jobs, &expected[1..]).is_err());
    }
}
