//! Scalar multiplication on the device against crates/pairing: the windowed kernel
//! against `JacobianPoint::mul`, the fixed-base kernel against `BaseTable::mul`, as
//! points, on random and edge scalars, the identity base, and batches that are empty,
//! single, mixed across table slots and split across dispatches.

mod common;

use std::sync::Arc;

use backend_gpu::{base_table_words, ArithPath, GpuError, TableArena, BASE_TABLE_WORDS};
use common::*;
use pairing::{AffinePoint, BaseTable, JacobianPoint, Scalar};
use rand::{rngs::StdRng, RngCore, SeedableRng};

/// The CPU's [k]B, affine.
fn cpu_mul(base: &AffinePoint, k: &Scalar) -> AffinePoint {
    JacobianPoint::from(*base).mul(k).to_affine()
}

fn affine(points: &[JacobianPoint]) -> Vec<AffinePoint> {
    JacobianPoint::batch_to_affine(points)
}

/// Seven jobs: every edge scalar, on the generator and on random points; the identity
/// base; random scalars.
fn jobs(rng: &mut impl RngCore) -> (Vec<AffinePoint>, Vec<Scalar>) {
    let g = AffinePoint::generator();
    let [zero, one, two, top] = edge_scalars();
    let bases = vec![
        g,
        random_point(rng),
        g,
        random_point(rng),
        AffinePoint::identity(),
        random_point(rng),
        g,
    ];
    let scalars = vec![
        zero,
        one,
        two,
        top,
        random_scalar(rng),
        random_scalar(rng),
        random_scalar(rng),
    ];
    (bases, scalars)
}

#[test]
fn windowed_equals_jacobian_mul() {
    let Some(kernels) = scalar_mul(ArithPath::U64) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(0x5ca1);
    let (bases, scalars) = jobs(&mut rng);
    let expected: Vec<AffinePoint> = bases
        .iter()
        .zip(&scalars)
        .map(|(b, k)| cpu_mul(b, k))
        .collect();
    let got = kernels.mul_batch(&bases, &scalars).expect("batch of seven");
    assert_eq!(affine(&got), expected);
    assert!(bool::from(got[0].is_identity()), "[0]P is the identity");
    assert!(bool::from(got[4].is_identity()), "[k]O is the identity");

    let one = kernels
        .mul_batch(&bases[3..4], &scalars[3..4])
        .expect("batch of one");
    assert_eq!(affine(&one), expected[3..4]);
    assert!(kernels.mul_batch(&[], &[]).expect("empty").is_empty());
}

#[test]
fn windowed_batches_split_above_the_cap() {
    let Some(kernels) = scalar_mul(ArithPath::U64) else {
        return;
    };
    let kernels = kernels.clone().with_max_elements_per_dispatch(4);
    let mut rng = StdRng::seed_from_u64(0x5ca2);
    let bases: Vec<AffinePoint> = (0..5).map(|_| random_point(&mut rng)).collect();
    let scalars: Vec<Scalar> = (0..5).map(|_| random_scalar(&mut rng)).collect();
    let expected: Vec<AffinePoint> = bases
        .iter()
        .zip(&scalars)
        .map(|(b, k)| cpu_mul(b, k))
        .collect();
    let got = kernels.mul_batch(&bases, &scalars).expect("split batch");
    assert_eq!(affine(&got), expected);
}

/// An arena holding the tables of `bases`, and their slots.
fn arena_with(bases: &[AffinePoint]) -> Option<(Arc<TableArena>, Vec<backend_gpu::Slot>)> {
    let ctx = context()?;
    let bytes = bases.len() * BASE_TABLE_WORDS * 4;
    let arena = TableArena::new(ctx, "base tables", BASE_TABLE_WORDS, bytes).expect("slots fit");
    let slots = bases
        .iter()
        .map(|b| {
            arena
                .upload(&base_table_words(&BaseTable::build(b, false)))
                .expect("upload")
                .expect("a free slot")
        })
        .collect();
    Some((arena, slots))
}

#[test]
fn tabled_equals_base_table_mul_across_slots() {
    let Some(kernels) = scalar_mul(ArithPath::U64) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(0x5ca3);
    let bases = [
        AffinePoint::generator(),
        random_point(&mut rng),
        AffinePoint::identity(),
    ];
    let Some((arena, slots)) = arena_with(&bases) else {
        return;
    };
    let tables: Vec<BaseTable> = bases.iter().map(|b| BaseTable::build(b, false)).collect();
    let [zero, one, two, top] = edge_scalars();
    // (table, scalar): every edge scalar, every table, random scalars.
    let jobs: Vec<(usize, Scalar)> = vec![
        (0, zero),
        (1, one),
        (0, two),
        (1, top),
        (2, random_scalar(&mut rng)),
        (0, random_scalar(&mut rng)),
        (1, random_scalar(&mut rng)),
    ];
    let slot_of: Vec<u32> = jobs.iter().map(|(t, _)| slots[*t].index()).collect();
    let scalars: Vec<Scalar> = jobs.iter().map(|(_, k)| *k).collect();
    let expected: Vec<AffinePoint> = jobs
        .iter()
        .map(|(t, k)| tables[*t].mul(k).to_affine())
        .collect();
    // The tables' schedule gives the windowed one's point.
    for ((t, k), e) in jobs.iter().zip(&expected) {
        assert_eq!(cpu_mul(&bases[*t], k), *e);
    }
    let got = kernels
        .mul_tabled_batch(&arena, &slot_of, &scalars)
        .expect("batch of seven");
    assert_eq!(affine(&got), expected);

    let one = kernels
        .mul_tabled_batch(&arena, &slot_of[6..], &scalars[6..])
        .expect("batch of one");
    assert_eq!(affine(&one), expected[6..]);
    assert!(kernels
        .mul_tabled_batch(&arena, &[], &[])
        .expect("empty")
        .is_empty());

    let split = kernels.clone().with_max_elements_per_dispatch(4);
    let got = split
        .mul_tabled_batch(&arena, &slot_of[2..], &scalars[2..])
        .expect("split batch of five");
    assert_eq!(affine(&got), expected[2..]);
}

#[test]
fn windowed_on_the_u32_path() {
    let Some(kernels) = scalar_mul(ArithPath::U32) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(0x5ca5);
    let bases = [random_point(&mut rng)];
    let scalars = [random_scalar(&mut rng)];
    let got = kernels.mul_batch(&bases, &scalars).expect("u32 batch");
    assert_eq!(affine(&got), [cpu_mul(&bases[0], &scalars[0])]);
}

#[test]
fn tabled_on_the_u32_path() {
    let Some(kernels) = scalar_mul(ArithPath::U32) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(0x5ca4);
    let bases = [AffinePoint::generator(), random_point(&mut rng)];
    let Some((arena, slots)) = arena_with(&bases) else {
        return;
    };
    let scalars = [random_scalar(&mut rng), edge_scalars()[3]];
    let slot_of = [slots[1].index(), slots[0].index()];
    let got = kernels
        .mul_tabled_batch(&arena, &slot_of, &scalars)
        .expect("u32 batch");
    let expected = [
        cpu_mul(&bases[1], &scalars[0]),
        cpu_mul(&bases[0], &scalars[1]),
    ];
    assert_eq!(affine(&got), expected);
}

#[test]
fn length_mismatch_is_an_error() {
    let Some(kernels) = scalar_mul(ArithPath::U64) else {
        return;
    };
    let g = AffinePoint::generator();
    let k = Scalar::from_u64(3);
    assert_eq!(
        kernels.mul_batch(&[g, g], &[k]).map(|_| ()),
        Err(GpuError::LengthMismatch { left: 2, right: 1 })
    );
    let Some((arena, slots)) = arena_with(&[g]) else {
        return;
    };
    assert_eq!(
        kernels
            .mul_tabled_batch(&arena, &[slots[0].index()], &[k, k])
            .map(|_| ()),
        Err(GpuError::LengthMismatch { left: 1, right: 2 })
    );
}
