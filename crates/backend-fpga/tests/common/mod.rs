//! Shared by the simulation tests: the simulated card (or the reason there is none), p and
//! conversions between the CPU's limbs and num-bigint.

#![allow(dead_code)]

use backend_fpga::{Device, Limbs};
use num_bigint::BigUint;
use pairing::Fp;

/// What to do when a test's tool is missing: under CI (CI=true) fail; elsewhere print
/// why, and the caller skips.
pub fn missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the FPGA tests need it under CI: {what}");
    }
    eprintln!("skipping: {what}");
}

/// The Verilated card, or None (after [`missing`]) when the crate was built without it.
pub fn sim() -> Option<Device> {
    match Device::sim() {
        Ok(d) => Some(d),
        Err(e) => {
            missing(&format!(
                "{e} (install verilator to run the FPGA simulation tests)"
            ));
            None
        }
    }
}

/// p, from the CPU reference: the canonical value of -1, plus one.
pub fn p() -> BigUint {
    let minus_one = Fp::ZERO - Fp::ONE;
    BigUint::from_bytes_be(&minus_one.to_bytes()) + 1u32
}

/// R = 2^1024, the Montgomery radix of crates/pairing/src/fp.rs.
pub fn r() -> BigUint {
    BigUint::from(1u32) << 1024
}

pub fn to_big(l: &Limbs) -> BigUint {
    BigUint::from_slice(
        &l.iter()
            .flat_map(|x| [*x as u32, (*x >> 32) as u32])
            .collect::<Vec<_>>(),
    )
}

pub fn to_limbs(x: &BigUint) -> Limbs {
    let mut out = [0u64; 16];
    for (i, d) in x.to_u64_digits().iter().enumerate() {
        out[i] = *d;
    }
    out
}

/// A uniformly random element below p.
pub fn random_below_p(rng: &mut impl rand::Rng) -> BigUint {
    let p = p();
    loop {
        let mut bytes = [0u8; 128];
        rng.fill_bytes(&mut bytes);
        let x = BigUint::from_bytes_le(&bytes);
        if x < p {
            return x;
        }
    }
}

/// a * b * R^-1 mod p.
pub fn mont(a: &BigUint, b: &BigUint) -> BigUint {
    static R_INV: std::sync::OnceLock<(BigUint, BigUint)> = std::sync::OnceLock::new();
    let (p, r_inv) = R_INV.get_or_init(|| {
        let p = p();
        let r_inv = r().modpow(&(&p - 2u32), &p);
        (p, r_inv)
    });
    a * b % p * r_inv % p
}
