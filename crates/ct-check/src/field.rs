//! F_p, F_p2 and scalar arithmetic on secret operands.

use pairing::{Fp, Fp2, Scalar};
use subtle::{ConditionallySelectable, ConstantTimeEq};

use crate::secret::{fp, output, scalar, secret};

/// Addition, subtraction, negation (neg_mod), multiplication, squaring, selection.
pub fn fp_arithmetic() {
    let (a, b) = (fp("fp a"), fp("fp b"));
    let zero = secret(Fp::ZERO);
    let mixed = (a + b) * (a - b) - (-a).square() + b.double() - (-zero);
    let picked = Fp::conditional_select(&a, &b, a.ct_eq(&b));
    output(&[mixed, picked]);
}

/// Inversion by safegcd (and the multiplication back out of it).
pub fn fp_invert() {
    let x = fp("fp invert");
    let inv = x.invert();
    let zero_inv = secret(Fp::ZERO).invert();
    output(&[x * inv, zero_inv]);
}

/// Montgomery's trick with a zero among the inputs: which entry is zero is secret too.
pub fn fp_batch_invert() {
    let xs = [
        fp("batch 1"),
        secret(Fp::ZERO),
        fp("batch 2"),
        fp("batch 3"),
    ];
    let inverses = Fp::batch_invert(&xs);
    output(&inverses[..]);
}

/// F_p2 multiplication, squaring, conjugation and inversion.
pub fn fp2_arithmetic() {
    let x = Fp2::new(fp("fp2 c0"), fp("fp2 c1"));
    let y = Fp2::new(fp("fp2 d0"), secret(Fp::ZERO));
    let inv = x.invert();
    let z = (x * y).square() + x.conjugate() - y * inv;
    output(&[inv, z, y.invert()]);
}

/// Scalars mod q: addition, multiplication, inversion (Fermat), reduction of 1024 bits.
pub fn scalar_arithmetic() {
    let (a, b) = (scalar("scalar a"), scalar("scalar b"));
    let wide = secret(crate::secret::bytes128("scalar wide"));
    let reduced = Scalar::reduce_be_bytes(&wide);
    let r = a.add(&b).mul(&reduced).invert();
    output(&r.to_be_bytes());
}
