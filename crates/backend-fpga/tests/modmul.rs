//! The card's Montgomery multiplier against num-bigint and the CPU reference, on edge and
//! random operands; and its cycle count, which must not depend on the operands.

mod common;

use std::time::Instant;

use backend_fpga::{modmul_batch, Limbs};
use common::*;
use num_bigint::BigUint;
use pairing::Fp;
use rand::SeedableRng;

/// Random products: sized to the simulation rate (hdl figures in bench-results/) so that
/// this file runs in well under a minute.
const RANDOM_PRODUCTS: usize = 10_000;

fn edge_values() -> Vec<BigUint> {
    let p = p();
    let r = r();
    let one = BigUint::from(1u32);
    vec![
        BigUint::ZERO,
        one.clone(),
        BigUint::from(2u32),
        &p - 1u32,
        &p - 2u32,
        &p >> 1,
        (&p >> 1) + 1u32,
        &r % &p,        // Montgomery form of 1
        (&r * &r) % &p, // R^2: to Montgomery form
        (&one << 1023) % &p,
        (&one << 512) - 1u32,
        (&one << 1023) - 1u32 - (&p >> 1), // a value around p / 2 with low words all ones
        BigUint::from(u64::MAX),
    ]
}

fn check(pairs: &[(BigUint, BigUint)], got: &[Limbs]) {
    assert_eq!(pairs.len(), got.len());
    for ((a, b), r) in pairs.iter().zip(got) {
        let want = mont(a, b);
        assert_eq!(to_big(r), want, "a = {a:x}, b = {b:x}");
        // The CPU reference multiplies the same Montgomery forms.
        let fa = Fp::from_montgomery_limbs(&to_limbs(a)).unwrap();
        let fb = Fp::from_montgomery_limbs(&to_limbs(b)).unwrap();
        assert_eq!((fa * fb).to_montgomery_limbs(), *r);
    }
}

fn run(pairs: &[(BigUint, BigUint)]) -> Option<Vec<Limbs>> {
    let mut dev = sim()?;
    let limbs: Vec<(Limbs, Limbs)> = pairs
        .iter()
        .map(|(a, b)| (to_limbs(a), to_limbs(b)))
        .collect();
    Some(modmul_batch(&mut dev, &limbs).expect("modmul batch"))
}

#[test]
fn edge_operands() {
    let edges = edge_values();
    let pairs: Vec<_> = edges
        .iter()
        .flat_map(|a| edges.iter().map(move |b| (a.clone(), b.clone())))
        .collect();
    if let Some(got) = run(&pairs) {
        check(&pairs, &got);
    }
}

#[test]
fn random_operands() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5a_4b_4b_45);
    let pairs: Vec<_> = (0..RANDOM_PRODUCTS)
        .map(|_| (random_below_p(&mut rng), random_below_p(&mut rng)))
        .collect();
    let Some(mut dev) = sim() else { return };
    let limbs: Vec<(Limbs, Limbs)> = pairs
        .iter()
        .map(|(a, b)| (to_limbs(a), to_limbs(b)))
        .collect();
    let start = Instant::now();
    let before = dev.clocked_cycles();
    let got = modmul_batch(&mut dev, &limbs).expect("modmul batch");
    let cycles = dev.clocked_cycles() - before;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{RANDOM_PRODUCTS} products: {cycles} clocked cycles (host transfers included) in \
         {secs:.2} s: {:.0} cycles/s",
        cycles as f64 / secs
    );
    check(&pairs, &got);
}

/// One product's cycle count is the same for every operand pair: the multiplier's schedule
/// is fixed (constant time).
#[test]
fn cycle_count_is_independent_of_the_operands() {
    let Some(mut dev) = sim() else { return };
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut counts = Vec::new();
    let p = p();
    let operands = [
        (BigUint::ZERO, BigUint::ZERO),
        (&p - 1u32, &p - 1u32),
        (random_below_p(&mut rng), random_below_p(&mut rng)),
    ];
    for (a, b) in &operands {
        dev.write_elements(0, &[to_limbs(a), to_limbs(b)]).unwrap();
        dev.load_program(0, &backend_fpga::modmul_program(1))
            .unwrap();
        counts.push(dev.run(0, 100_000).unwrap().cycles);
    }
    eprintln!(
        "one LOAD, LOAD, MUL, STORE, HALT program: {} cycles",
        counts[0]
    );
    assert!(counts.iter().all(|c| *c == counts[0]), "{counts:?}");
}
