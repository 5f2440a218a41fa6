//! F_p addition and subtraction and F_p2 multiplication and squaring on the device,
//! against the CPU's `pairing::Fp` / `Fp2` and num-bigint, on both arithmetic paths.

mod common;

use common::*;
use num_bigint::BigUint;
use pairing::{Fp, Fp2};
use rand::{rngs::StdRng, SeedableRng};

/// Value (not form) of an F_p element, for the num-bigint checks of add and sub: the
/// Montgomery map is linear, so a + b and a - b on forms are the forms of the sums.
fn sub_mod(a: &BigUint, b: &BigUint) -> BigUint {
    (a + p() - b) % p()
}

#[test]
fn fp_add_and_sub() {
    let mut rng = StdRng::seed_from_u64(0xadd);
    let edges = edge_values();
    let (mut a, mut b): (Vec<Fp>, Vec<Fp>) = edges
        .iter()
        .flat_map(|x| edges.iter().map(move |y| (*x, *y)))
        .unzip();
    a.extend(random_batch(&mut rng, 100));
    b.extend(random_batch(&mut rng, 100));
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        let sums = k.add_batch(&a, &b).expect("add");
        let diffs = k.sub_batch(&a, &b).expect("sub");
        for i in 0..a.len() {
            let (x, y) = (mont(&a[i]), mont(&b[i]));
            assert_eq!(mont(&sums[i]), (&x + &y) % p(), "{path}: add {i}");
            assert_eq!(sums[i], a[i] + b[i], "{path}: add {i} vs CPU");
            assert_eq!(mont(&diffs[i]), sub_mod(&x, &y), "{path}: sub {i}");
            assert_eq!(diffs[i], a[i] - b[i], "{path}: sub {i} vs CPU");
        }
    }
}

#[test]
fn fp2_mul_and_square() {
    let mut rng = StdRng::seed_from_u64(0xf2);
    let edges = edge_values();
    let mut a: Vec<Fp2> = edges
        .iter()
        .zip(edges.iter().rev())
        .map(|(x, y)| Fp2::new(*x, *y))
        .collect();
    let mut b: Vec<Fp2> = edges.iter().map(|x| Fp2::new(*x, *x)).collect();
    a.extend((0..100).map(|_| random_fp2(&mut rng)));
    b.extend((0..100).map(|_| random_fp2(&mut rng)));
    for path in PATHS {
        let Some(k) = kernels(path) else { return };
        let products = k.fp2_mul_batch(&a, &b).expect("fp2 mul");
        let squares = k.fp2_square_batch(&a).expect("fp2 square");
        assert_eq!(products.len(), a.len());
        assert_eq!(squares.len(), a.len());
        for i in 0..a.len() {
            assert_eq!(products[i], a[i] * b[i], "{path}: fp2 mul {i}");
            assert_eq!(squares[i], a[i].square(), "{path}: fp2 square {i}");
            // (c0 + i c1)(d0 + i d1) = (c0 d0 - c1 d1) + i (c0 d1 + c1 d0), on forms with
            // one R^-1 per product.
            let (c0, c1) = (mont(&a[i].c0), mont(&a[i].c1));
            let (d0, d1) = (mont(&b[i].c0), mont(&b[i].c1));
            let ri = r_inv();
            let re = sub_mod(&(&c0 * &d0 * &ri % p()), &(&c1 * &d1 * &ri % p()));
            let im = (&c0 * &d1 + &c1 * &d0) * &ri % p();
            assert_eq!(
                (mont(&products[i].c0), mont(&products[i].c1)),
                (re, im),
                "{path}: fp2 mul {i} vs num-bigint"
            );
        }
    }
}
