//! The plain Miller loop on the simulated card: f equal to the CPU's `miller_loop` bit for
//! bit, `final_exponentiation(f)` equal to `pairing`, and the cycle count the sequencer's
//! schedule predicts.

mod common;

use backend_fpga::{load_miller_plain_program, miller_loop_plain, miller_plain_program, program};
use pairing::{
    final_exponentiation, miller_loop, pairing as cpu_pairing, AffinePoint, JacobianPoint,
};

fn multiple(k: u32) -> AffinePoint {
    let p = AffinePoint::generator();
    let mut acc = JacobianPoint::from(p);
    for _ in 1..k {
        acc = acc.add_mixed(&p);
    }
    acc.to_affine()
}

#[test]
fn a_plain_pairing_equals_the_cpu() {
    let Some(mut dev) = common::sim() else { return };
    let (r, q) = (multiple(7), multiple(3));
    let budget = load_miller_plain_program(&mut dev).unwrap();
    let (f, cycles) = miller_loop_plain(&mut dev, &r, &q, budget).unwrap();
    assert!(f == miller_loop(&r, &q), "f differs from the CPU's");
    assert_eq!(
        final_exponentiation(&f).to_bytes(),
        cpu_pairing(&r, &q).to_bytes()
    );
    eprintln!(
        "plain Miller loop: {cycles} cycles, {} instruction words",
        miller_plain_program().len()
    );
    assert_eq!(
        cycles,
        program::cycles(&miller_plain_program(), dev.config().word_bits)
    );
}
