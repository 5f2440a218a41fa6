//! g^k on the simulated card against the CPU's `PfValue::pow`, and its cycle count, which
//! must not depend on k (k is secret: it is r in encapsulation).

mod common;

use backend_fpga::{gt_pow, gt_pow_program, program};
use pairing::{PfValue, Scalar};
use rand::{RngCore, SeedableRng};

#[test]
fn g_to_the_k_equals_the_cpu_and_takes_the_same_cycles_for_every_k() {
    let Some(mut dev) = common::sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(31);
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    let random = Scalar::reduce_be_bytes(&bytes);
    // q - 1: all the high bits set; 1: only the lowest one.
    let mut q = pairing::constants::q();
    q[127] -= 1; // q is odd: no borrow
    let q_minus_1 = Option::<Scalar>::from(Scalar::from_be_bytes(&q).unwrap()).unwrap();
    let mut cycles = Vec::new();
    for k in [random, Scalar::from_u64(1), q_minus_1] {
        let (got, c) = gt_pow(&mut dev, &k).expect("g^k on the card");
        assert_eq!(got.to_bytes(), PfValue::generator().pow(&k).to_bytes());
        cycles.push(c);
    }
    eprintln!("g^k: {} cycles", cycles[0]);
    assert!(cycles.iter().all(|c| *c == cycles[0]), "{cycles:?}");
    // ... which is what the sequencer's schedule says.
    let schedule = program::cycles(&gt_pow_program(&random), dev.config().word_bits);
    assert_eq!(cycles[0], schedule);
}
