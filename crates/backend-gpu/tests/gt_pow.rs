//! Powers of the pairing value on the device against `GtTable::pow_unnormalised`, bit
//! for bit, on random and edge exponents, in batches that are empty, single, and split
//! across dispatches, on both paths.

mod common;

use backend_gpu::ArithPath;
use common::*;
use pairing::{gt_table, Fp2, PfValue, Scalar};
use rand::{rngs::StdRng, SeedableRng};

fn cpu_pow(k: &[Scalar]) -> Vec<Fp2> {
    k.iter().map(|k| gt_table().pow_unnormalised(k)).collect()
}

/// The edge exponents and three random ones: seven.
fn exponents(seed: u64) -> Vec<Scalar> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut k = edge_scalars().to_vec();
    k.extend((0..3).map(|_| random_scalar(&mut rng)));
    k
}

#[test]
fn powers_equal_pow_unnormalised() {
    let Some(kernels) = gt_pow(ArithPath::U64) else {
        return;
    };
    let k = exponents(0x67a1);
    let expected = cpu_pow(&k);
    let got = kernels.pow_batch(&k).expect("batch of seven");
    assert_eq!(got, expected);
    // Normalised, they are the CPU's g^k; g^0 = 1.
    assert_eq!(
        PfValue::batch_from_fp2(&got),
        PfValue::batch_from_fp2(&expected)
    );
    assert_eq!(PfValue::from_fp2(&got[0]), gt_table().pow(&Scalar::ZERO));

    assert_eq!(
        kernels.pow_batch(&k[3..4]).expect("batch of one"),
        expected[3..4]
    );
    assert!(kernels.pow_batch(&[]).expect("empty").is_empty());
}

#[test]
fn batches_split_above_the_cap() {
    let Some(kernels) = gt_pow(ArithPath::U64) else {
        return;
    };
    let kernels = kernels.clone().with_max_elements_per_dispatch(4);
    let k = exponents(0x67a2);
    assert_eq!(
        kernels.pow_batch(&k[2..]).expect("split batch of five"),
        cpu_pow(&k[2..])
    );
}

#[test]
fn powers_on_the_u32_path() {
    let Some(kernels) = gt_pow(ArithPath::U32) else {
        return;
    };
    let k = exponents(0x67a3);
    let k = [k[3], k[6]];
    assert_eq!(kernels.pow_batch(&k).expect("u32 batch"), cpu_pow(&k));
}
