//! Which keys the CPU backend builds tables for, counted through `table_stats`, and that
//! the choice never changes a result.

mod common;

use common::*;
use pairing::backend::{
    CpuBackend, CpuConfig, Crossovers, PairingBackend, PairingJob, ScalarMulJob, TableKey,
    TablePolicy,
};
use pairing::{AffinePoint, JacobianPoint, Scalar};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn random_point(rng: &mut StdRng) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&random_scalar(rng))
        .to_affine()
}

fn random_scalar(rng: &mut StdRng) -> Scalar {
    scalar(&random_below(rng, &q()))
}

fn name(i: usize) -> TableKey {
    TableKey([i as u8 + 1; 32])
}

fn backend(tables: TablePolicy, crossovers: Option<Crossovers>, budget: usize) -> CpuBackend {
    CpuBackend::new(CpuConfig {
        threads: 2,
        line_table_budget_bytes: budget,
        base_table_budget_bytes: budget,
        tables,
        crossovers,
        ..CpuConfig::default()
    })
    .unwrap()
}

/// Small crossovers, so that tests need few uses.
const SMALL: Crossovers = Crossovers { lines: 3, bases: 4 };

/// `uses[k]` pairings with fixed point `keys[k]` named `name(k)`, interleaved.
fn pairings(rng: &mut StdRng, keys: &[AffinePoint], uses: &[usize]) -> Vec<PairingJob> {
    let mut jobs = Vec::new();
    for round in 0..uses.iter().copied().max().unwrap_or(0) {
        for (k, &n) in uses.iter().enumerate() {
            if round < n {
                jobs.push(PairingJob {
                    fixed: keys[k],
                    table: Some(name(k)),
                    at: random_point(rng),
                });
            }
        }
    }
    jobs
}

fn muls(rng: &mut StdRng, bases: &[AffinePoint], uses: &[usize]) -> Vec<ScalarMulJob> {
    let mut jobs = Vec::new();
    for (k, &n) in uses.iter().enumerate() {
        for _ in 0..n {
            jobs.push(ScalarMulJob {
                base: bases[k],
                table: Some(name(k)),
                scalar: random_scalar(rng),
            });
        }
    }
    jobs
}

/// Runs the pairings, checks them against the single-item reference, and returns the
/// builds so far.
fn pair_checked(cpu: &CpuBackend, jobs: &[PairingJob]) -> u64 {
    for (job, value) in jobs.iter().zip(cpu.pairing_batch(jobs).unwrap()) {
        assert_eq!(value.unwrap(), pairing::pairing(&job.fixed, &job.at));
    }
    cpu.table_stats().builds
}

/// The size of one line table on this machine, so a budget can hold an exact number.
fn line_table_bytes() -> usize {
    let probe = backend(TablePolicy::Auto, None, 8 << 20);
    probe
        .prepare_pairing_table(name(99), &AffinePoint::generator())
        .unwrap();
    probe.table_stats().bytes
}

#[test]
fn keys_below_the_measured_crossover_get_no_table_and_keys_at_it_do() {
    let mut rng = StdRng::seed_from_u64(21);
    let keys: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(TablePolicy::Auto, None, 64 << 20);
    let crossover = cpu.crossovers();
    assert!(
        crossover.lines >= 2 && crossover.bases >= 2,
        "{crossover:?}"
    );

    let below = crossover.lines as usize - 1;
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[below])), 0);
    // The second key reaches the crossover within this batch; the first stays one short.
    let at = crossover.lines as usize;
    let jobs = pairings(&mut rng, &keys, &[0, at]);
    assert_eq!(pair_checked(&cpu, &jobs), 1);
    assert_eq!(cpu.table_stats().tables, 1);

    // Fixed-base tables on a backend of their own, so its builds are theirs alone.
    let fresh = backend(TablePolicy::Auto, None, 64 << 20);
    let below = muls(&mut rng, &keys, &[crossover.bases as usize - 1]);
    fresh.scalar_mul_batch(&below).unwrap();
    assert_eq!(fresh.table_stats().builds, 0);
    let at = muls(&mut rng, &keys, &[0, crossover.bases as usize]);
    for (job, p) in at.iter().zip(fresh.scalar_mul_batch(&at).unwrap()) {
        let expected = JacobianPoint::from(job.base).mul(&job.scalar).to_affine();
        assert_eq!(p.unwrap(), expected);
    }
    assert_eq!(fresh.table_stats().builds, 1);
}

#[test]
fn uses_are_counted_across_batches() {
    let mut rng = StdRng::seed_from_u64(22);
    let keys: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(TablePolicy::Auto, Some(SMALL), 64 << 20);
    // Key 0: 2 uses, then 0, then 1 more: its third use earns the table.
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[2, 1])), 0);
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[0, 1])), 0);
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[1, 0])), 1);
    // Then key 1, at its third use over three batches.
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[1, 1])), 2);
    let stats = cpu.table_stats();
    assert_eq!((stats.tables, stats.hits), (2, 1), "{stats:?}");

    // Fixed-base tables count their own uses, with their own crossover.
    let bases = muls(&mut rng, &keys, &[3]);
    cpu.scalar_mul_batch(&bases).unwrap();
    assert_eq!(cpu.table_stats().builds, 2);
    cpu.scalar_mul_batch(&bases[..1]).unwrap();
    assert_eq!(cpu.table_stats().builds, 3);
}

#[test]
fn always_builds_on_the_second_use_within_a_batch_only() {
    let mut rng = StdRng::seed_from_u64(23);
    let keys: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(
        TablePolicy::Always,
        Some(Crossovers {
            lines: 100,
            bases: 100,
        }),
        64 << 20,
    );
    for _ in 0..3 {
        assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[1, 1])), 0);
    }
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[2, 1])), 1);
}

#[test]
fn never_builds_nothing() {
    let mut rng = StdRng::seed_from_u64(24);
    let keys: Vec<AffinePoint> = (0..1).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(TablePolicy::Never, Some(SMALL), 64 << 20);
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[8])), 0);
    cpu.scalar_mul_batch(&muls(&mut rng, &keys, &[8])).unwrap();
    assert_eq!(cpu.table_stats().builds, 0);
    assert_eq!(cpu.capabilities().table_budget_bytes, 0);
}

#[test]
fn an_evicted_key_must_earn_its_table_again() {
    let mut rng = StdRng::seed_from_u64(25);
    let keys: Vec<AffinePoint> = (0..2).map(|_| random_point(&mut rng)).collect();
    let cpu = backend(TablePolicy::Auto, Some(SMALL), line_table_bytes());
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[3, 0])), 1);
    // Key 1 takes the only room; key 0 goes.
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[0, 3])), 2);
    assert_eq!(cpu.table_stats().evictions, 1);
    // Key 0 had earned a table once; now it starts from nothing.
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[2, 0])), 2);
    assert_eq!(pair_checked(&cpu, &pairings(&mut rng, &keys, &[1, 0])), 3);
    let stats = cpu.table_stats();
    assert_eq!((stats.tables, stats.evictions), (1, 2), "{stats:?}");
}

#[test]
fn one_batch_builds_no_more_tables_than_the_budget_holds() {
    let mut rng = StdRng::seed_from_u64(26);
    let keys: Vec<AffinePoint> = (0..4).map(|_| random_point(&mut rng)).collect();
    for policy in [TablePolicy::Auto, TablePolicy::Always] {
        let cpu = backend(policy, Some(SMALL), 2 * line_table_bytes());
        // All four earn a table; the two used most get the room.
        assert_eq!(
            pair_checked(&cpu, &pairings(&mut rng, &keys, &[3, 5, 4, 3])),
            2,
            "{policy}"
        );
        let stats = cpu.table_stats();
        assert_eq!(
            (stats.tables, stats.evictions),
            (2, 0),
            "{policy}: {stats:?}"
        );
        let hits = stats.hits;
        pair_checked(&cpu, &pairings(&mut rng, &keys, &[0, 1, 1, 0]));
        assert_eq!(
            cpu.table_stats().hits,
            hits + 2,
            "{policy}: keys 1 and 2 kept"
        );
    }
}

/// Random batches of pairings, multiplications and TESTs over a few keys: every policy,
/// on both paths, gives byte for byte what the same jobs give without tables.
#[test]
fn every_policy_gives_the_untabled_results() {
    let mut rng = StdRng::seed_from_u64(27);
    let keys: Vec<AffinePoint> = (0..4).map(|_| random_point(&mut rng)).collect();
    for vector in [true, false] {
        let make = |tables, crossovers| {
            CpuBackend::new(CpuConfig {
                threads: 2,
                vector,
                tables,
                crossovers,
                ..CpuConfig::default()
            })
            .unwrap()
        };
        let untabled = make(TablePolicy::Never, None);
        let backends = [
            make(TablePolicy::Auto, None),
            make(TablePolicy::Auto, Some(SMALL)),
            make(TablePolicy::Always, None),
            make(TablePolicy::Never, None),
        ];
        for round in 0..3 {
            let uses: Vec<usize> = (0..keys.len()).map(|_| rng.gen_range(0..7)).collect();
            let mut pairs = pairings(&mut rng, &keys, &uses);
            let mut mults = muls(&mut rng, &keys, &uses);
            // Some jobs name no table at all.
            for job in pairs.iter_mut().step_by(5) {
                job.table = None;
            }
            for job in mults.iter_mut().step_by(4) {
                job.table = None;
            }
            let mut expected: Vec<AffinePoint> = mults
                .iter()
                .map(|j| JacobianPoint::from(j.base).mul(&j.scalar).to_affine())
                .collect();
            if let Some(e) = expected.first_mut() {
                *e = e.neg();
            }
            let reference = results(&untabled, &pairs, &mults, &expected);
            for cpu in &backends {
                assert_eq!(
                    results(cpu, &pairs, &mults, &expected),
                    reference,
                    "{} vector {vector}, round {round}, uses {uses:?}",
                    cpu.table_policy()
                );
            }
        }
        assert_eq!(untabled.table_stats().builds, 0);
        assert!(
            backends[1].table_stats().builds > 0,
            "the small crossovers built"
        );
    }
}

/// Every result of the three kinds of job, as bytes.
fn results(
    cpu: &CpuBackend,
    pairs: &[PairingJob],
    mults: &[ScalarMulJob],
    expected: &[AffinePoint],
) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for v in cpu.pairing_batch(pairs).unwrap() {
        out.push(v.unwrap().to_bytes().to_vec());
    }
    for p in cpu.scalar_mul_batch(mults).unwrap() {
        out.push(p.unwrap().to_bytes().expect("not the identity").to_vec());
    }
    for t in cpu.scalar_mul_eq_batch(mults, expected).unwrap() {
        out.push(vec![t.unwrap() as u8]);
    }
    out
}
