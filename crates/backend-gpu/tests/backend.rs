//! `GpuBackend` through the `PairingBackend` trait, against the CPU backend: pairings,
//! scalar multiplications, TEST and g^k on random batches of sizes 0, 1, 7, 64 and one
//! above the dispatch size, with and without resident tables, several keys in a batch;
//! table eviction under a tiny budget; and the self-test rejecting a broken kernel.

mod common;

use std::sync::OnceLock;

use backend_gpu::{Fault, GpuBackend, GpuConfig, LINE_TABLE_WORDS};
use common::*;
use pairing::backend::{
    BackendError, CpuBackend, CpuConfig, PairingBackend, PairingJob, ScalarMulJob, TableKey,
    TablePolicy,
};
use pairing::{AffinePoint, Fp, JacobianPoint, Scalar};
use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

/// Items per dispatch in these tests: batches of 9 are split.
const SPLIT: usize = 8;

/// The backend most tests share: tables on every key used twice in a batch, small
/// dispatches.
fn gpu() -> Option<&'static GpuBackend> {
    static GPU: OnceLock<Option<GpuBackend>> = OnceLock::new();
    GPU.get_or_init(|| {
        open_backend(GpuConfig {
            tables: TablePolicy::Always,
            max_elements_per_dispatch: Some(SPLIT),
            ..GpuConfig::default()
        })
    })
    .as_ref()
}

fn cpu() -> CpuBackend {
    CpuBackend::new(CpuConfig {
        tables: TablePolicy::Never,
        ..CpuConfig::default()
    })
    .expect("cpu")
}

fn random_scalar(rng: &mut impl RngCore) -> Scalar {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    Scalar::reduce_be_bytes(&bytes)
}

fn random_point(rng: &mut impl RngCore) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&random_scalar(rng))
        .to_affine()
}

fn key(i: usize) -> TableKey {
    TableKey([i as u8 + 1; 32])
}

/// q - 1 as a scalar.
fn q_minus_one() -> Scalar {
    let mut q = pairing::constants::q();
    q[127] -= 1;
    Option::from(Scalar::from_be_bytes(&q).expect("128 bytes")).expect("below q")
}

/// Pairing jobs over three keys, some naming the key's table and some not.
fn pairing_jobs(rng: &mut StdRng, keys: &[AffinePoint], len: usize) -> Vec<PairingJob> {
    (0..len)
        .map(|_| {
            let k = rng.gen_range(0..keys.len());
            PairingJob {
                fixed: keys[k],
                table: rng.gen_ratio(3, 4).then(|| key(k)),
                at: random_point(rng),
            }
        })
        .collect()
}

#[test]
fn pairings_equal_the_cpu_with_and_without_tables() {
    let Some(gpu) = gpu() else { return };
    let cpu = cpu();
    let mut rng = StdRng::seed_from_u64(91);
    let keys: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    for len in [0, 1, 7, SPLIT + 1, 64] {
        let jobs = pairing_jobs(&mut rng, &keys, len);
        let want = cpu.pairing_batch(&jobs).expect("cpu");
        assert_eq!(
            gpu.pairing_batch(&jobs).expect("gpu"),
            want,
            "batch of {len}"
        );
    }
    // P with itself: g, by RFC 6509.
    let p = AffinePoint::generator();
    let job = PairingJob {
        fixed: p,
        table: None,
        at: p,
    };
    assert_eq!(
        gpu.pairing_batch(&[job]).expect("gpu"),
        vec![Ok(pairing::PfValue::generator())]
    );
    assert!(gpu.table_stats().hits > 0, "tables were used");
}

#[test]
fn scalar_muls_and_test_equal_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let cpu = cpu();
    let mut rng = StdRng::seed_from_u64(92);
    let bases: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    let edges = [
        Scalar::ZERO,
        Scalar::from_u64(1),
        Scalar::from_u64(2),
        q_minus_one(),
    ];
    for len in [0, 1, 7, SPLIT + 1, 64] {
        let jobs: Vec<ScalarMulJob> = (0..len)
            .map(|i| {
                let b = rng.gen_range(0..bases.len());
                ScalarMulJob {
                    base: bases[b],
                    table: rng.gen_ratio(3, 4).then(|| key(b)),
                    scalar: if i < edges.len() {
                        edges[i]
                    } else {
                        random_scalar(&mut rng)
                    },
                }
            })
            .collect();
        let want = cpu.scalar_mul_batch(&jobs).expect("cpu");
        assert_eq!(
            gpu.scalar_mul_batch(&jobs).expect("gpu"),
            want,
            "batch of {len}"
        );
        // TEST: right points pass, a wrong one fails.
        let mut expected: Vec<AffinePoint> = want.iter().map(|p| *p.as_ref().unwrap()).collect();
        if let Some(first) = expected.first_mut() {
            *first = first.neg();
        }
        let verdicts = gpu.scalar_mul_eq_batch(&jobs, &expected).expect("gpu");
        let want_verdicts = cpu.scalar_mul_eq_batch(&jobs, &expected).expect("cpu");
        assert_eq!(verdicts, want_verdicts, "TEST, batch of {len}");
    }
    // The identity as a base.
    let job = ScalarMulJob {
        base: AffinePoint::identity(),
        table: None,
        scalar: random_scalar(&mut rng),
    };
    assert_eq!(
        gpu.scalar_mul_batch(&[job]).expect("gpu"),
        vec![Ok(AffinePoint::identity())]
    );
}

#[test]
fn gt_powers_and_modmul_equal_the_cpu() {
    let Some(gpu) = gpu() else { return };
    let cpu = cpu();
    let mut rng = StdRng::seed_from_u64(93);
    for len in [0, 1, 7, SPLIT + 1, 64] {
        let mut ks: Vec<Scalar> = (0..len).map(|_| random_scalar(&mut rng)).collect();
        if len > 2 {
            ks[0] = Scalar::ZERO;
            ks[1] = q_minus_one();
        }
        assert_eq!(
            gpu.gt_pow_batch(&ks).expect("gpu"),
            cpu.gt_pow_batch(&ks).expect("cpu"),
            "batch of {len}"
        );
    }
    let a = random_batch(&mut rng, 200);
    let b = random_batch(&mut rng, 200);
    let want: Vec<Fp> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| from_mont(&oracle_mont_mul(x, y)))
        .collect();
    assert_eq!(gpu.modmul_batch(&a, &b).expect("gpu"), want);
    assert!(matches!(
        gpu.modmul_batch(&a, &b[1..]),
        Err(BackendError::LengthMismatch { .. })
    ));
}

#[test]
fn eviction_under_a_tiny_budget_keeps_results_right() {
    let Some(gpu) = open_backend(GpuConfig {
        tables: TablePolicy::Always,
        line_table_budget_bytes: LINE_TABLE_WORDS * 4,
        base_table_budget_bytes: 0,
        ..GpuConfig::default()
    }) else {
        return;
    };
    let cpu = cpu();
    let mut rng = StdRng::seed_from_u64(94);
    let keys: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    for round in 0..3 {
        // Each round's hot key is used twice with its table (so it earns the one slot,
        // evicting the last round's), the others once without.
        let hot = round % 3;
        let mut jobs = pairing_jobs(&mut rng, &keys, 4);
        for (i, job) in jobs.iter_mut().enumerate() {
            let k = if i < 2 { hot } else { (hot + i) % 3 };
            job.fixed = keys[k];
            job.table = (i < 2).then(|| key(k));
        }
        assert_eq!(
            gpu.pairing_batch(&jobs).expect("gpu"),
            cpu.pairing_batch(&jobs).expect("cpu"),
            "round {round}"
        );
    }
    let stats = gpu.table_stats();
    assert_eq!(stats.tables, 1, "one slot");
    assert!(stats.evictions >= 2, "{stats:?}");
    // A table the budget cannot hold is refused, typed.
    assert!(matches!(
        gpu.prepare_base_table(key(0), &keys[0]),
        Err(BackendError::TableTooLarge { .. })
    ));
    gpu.prepare_pairing_table(key(7), &keys[0]).expect("fits");
    assert_eq!(gpu.table_stats().tables, 1);
    gpu.clear_tables();
    assert_eq!(gpu.table_stats().tables, 0);
}

#[test]
fn the_self_test_rejects_a_broken_kernel() {
    if gpu().is_none() {
        return;
    }
    let err = GpuBackend::open(GpuConfig {
        fault: Some(Fault::BrokenFieldKernel),
        ..GpuConfig::default()
    })
    .err()
    .expect("a broken kernel must not pass");
    match err {
        BackendError::Unavailable { reason, .. } => {
            assert!(reason.starts_with("self-test failed: modmul"), "{reason}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[test]
fn capabilities_name_the_adapter_and_path() {
    let Some(gpu) = gpu() else { return };
    let caps = gpu.capabilities();
    assert!(caps.resident_tables);
    assert!(
        caps.description.contains(&gpu.adapter().name),
        "{}",
        caps.description
    );
    assert!(caps.description.contains("path"), "{}", caps.description);
    assert_eq!(gpu.name(), "gpu");
}
