//! The F_p Montgomery multiplication kernel against num-bigint and the CPU, on both
//! arithmetic paths.

mod common;

use backend_gpu::{FieldKernels, GpuError, MAX_PRODUCTS_PER_INVOCATION};
use common::*;
use pairing::Fp;
use rand::{rngs::StdRng, SeedableRng};

/// The device's products equal num-bigint's a b R^-1 mod p and the CPU's, bit for bit.
#[track_caller]
fn check_products(kernels: &FieldKernels, a: &[Fp], b: &[Fp]) {
    let got = kernels.modmul_batch(a, b).expect("modmul_batch");
    assert_eq!(
        got.len(),
        a.len(),
        "{}: one result per pair",
        kernels.path()
    );
    for (i, ((x, y), z)) in a.iter().zip(b).zip(&got).enumerate() {
        assert_eq!(
            mont(z),
            oracle_mont_mul(x, y),
            "{}: element {i}: {:x} * {:x}",
            kernels.path(),
            mont(x),
            mont(y)
        );
        assert_eq!(
            *z,
            x * y,
            "{}: element {i} differs from the CPU",
            kernels.path()
        );
    }
}

#[test]
fn every_pair_of_edge_values() {
    let edges = edge_values();
    let (a, b): (Vec<Fp>, Vec<Fp>) = edges
        .iter()
        .flat_map(|x| edges.iter().map(move |y| (*x, *y)))
        .unzip();
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        check_products(k, &a, &b);
    }
}

#[test]
fn random_values() {
    let mut rng = StdRng::seed_from_u64(0x6a11);
    let a = random_batch(&mut rng, 300);
    let b = random_batch(&mut rng, 300);
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        check_products(k, &a, &b);
    }
}

#[test]
fn batch_sizes_with_and_without_splitting() {
    const SPLIT: usize = 16;
    let mut rng = StdRng::seed_from_u64(0x6a12);
    for path in PATHS {
        let Some(whole) = kernels(path) else { return };
        let Some(ctx) = context() else { return };
        let split = FieldKernels::new(ctx, path)
            .expect("kernels")
            .with_max_elements_per_dispatch(SPLIT);
        assert_eq!(split.max_fp_per_dispatch().expect("limit"), SPLIT);
        // Without a cap, the device's storage-binding and buffer limits set the split.
        let limits = whole.context().limits();
        let by_memory = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size)
            / 128;
        assert_eq!(
            whole.max_fp_per_dispatch().expect("limit") as u64,
            by_memory
        );
        for len in [0, 1, 7, 64, SPLIT - 1, SPLIT, SPLIT + 1, 3 * SPLIT + 5] {
            let a = random_batch(&mut rng, len);
            let b = random_batch(&mut rng, len);
            check_products(whole, &a, &b);
            check_products(&split, &a, &b);
        }
    }
}

/// MAX_PRODUCTS_PER_INVOCATION products in one invocation: on a driver whose loop cap is
/// too low for the kernels (lavapipe's 65,535 iterations, had a product cost a thousand),
/// this comes out wrong.
#[test]
fn long_chain_in_one_invocation() {
    let mut rng = StdRng::seed_from_u64(0x6a13);
    let a = random_batch(&mut rng, 8);
    let b = random_batch(&mut rng, 8);
    let steps = MAX_PRODUCTS_PER_INVOCATION;
    let expected: Vec<Fp> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (0..steps).fold(*x, |acc, _| acc * y))
        .collect();
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        let got = k.mul_chain_batch(&a, &b, steps).expect("chain");
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "{path}: element {i} after {steps} products");
        }
        // The short chain too, so a failure above is clearly about length.
        let got = k.mul_chain_batch(&a, &b, 3).expect("chain");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(
                got[i],
                x * y * y * y,
                "{path}: element {i} after 3 products"
            );
        }
    }
}

/// The chain test can fail: on lavapipe of Debian 12 (Mesa 22), whose loop cap it guards
/// against, a chain well past the cap (2,100 products of 33 loop iterations) comes out
/// wrong. Other drivers have no such cap, and the check is skipped there.
#[test]
fn chain_past_lavapipes_cap_goes_wrong() {
    let Some(ctx) = context() else { return };
    let report = ctx.report();
    if !(report.name.contains("llvmpipe") && report.driver_info.contains("Mesa 22.")) {
        eprintln!("not lavapipe of Mesa 22: {report}");
        return;
    }
    let Some(k) = kernels(backend_gpu::ArithPath::U32) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(0x6a14);
    let a = random_batch(&mut rng, 1);
    let b = vec![random_fp(&mut rng)];
    let steps = 2100;
    let expected = (0..steps).fold(a[0], |acc, _| acc * b[0]);
    let got = k.mul_chain_batch(&a, &b, steps).expect("chain");
    assert_ne!(
        got[0], expected,
        "lavapipe's loop cap no longer truncates: update the docs"
    );
}

/// Calls from several threads at once on one device each get their own results.
#[test]
fn concurrent_batches_from_several_threads() {
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                scope.spawn(move || {
                    let mut rng = StdRng::seed_from_u64(0x6a20 + t);
                    for _ in 0..3 {
                        let a = random_batch(&mut rng, 50);
                        let b = random_batch(&mut rng, 50);
                        check_products(k, &a, &b);
                    }
                });
            }
        });
    }
}

#[test]
fn mismatched_lengths_are_an_error() {
    let Some(k) = kernels(backend_gpu::ArithPath::U32) else {
        return;
    };
    let a = vec![Fp::ONE; 3];
    let b = vec![Fp::ONE; 2];
    assert_eq!(
        k.modmul_batch(&a, &b),
        Err(GpuError::LengthMismatch { left: 3, right: 2 })
    );
}
