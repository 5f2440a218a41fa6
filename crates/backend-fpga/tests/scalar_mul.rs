//! [k]B on the simulated card against the CPU's `JacobianPoint::mul`, with the same cycle
//! count for every k (k is secret: r in TEST), equal to the sequencer's schedule.

mod common;

use backend_fpga::{program, scalar_mul, scalar_mul_program};
use pairing::{AffinePoint, JacobianPoint, Scalar};
use rand::{RngCore, SeedableRng};

#[test]
fn k_times_b_equals_the_cpu_in_the_same_cycles_for_every_k() {
    let Some(mut dev) = common::sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(41);
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    let base = JacobianPoint::from(AffinePoint::generator())
        .mul(&Scalar::from_u64(11))
        .to_affine();
    let mut cycles = Vec::new();
    for k in [Scalar::reduce_be_bytes(&bytes), Scalar::from_u64(3)] {
        let (got, c) = scalar_mul(&mut dev, &base, &k).expect("[k]B on the card");
        let want = JacobianPoint::from(base).mul(&k).to_affine();
        assert_eq!(got.to_bytes(), want.to_bytes());
        cycles.push(c);
    }
    eprintln!(
        "[k]B: {} cycles, {} instruction words",
        cycles[0],
        scalar_mul_program(&Scalar::from_u64(3)).len()
    );
    assert_eq!(cycles[0], cycles[1]);
    let schedule = program::cycles(
        &scalar_mul_program(&Scalar::from_u64(3)),
        dev.config().word_bits,
    );
    assert_eq!(cycles[0], schedule);
}
