//! Curve arithmetic, windowed and fixed-base multiplication, pairings and powers of g
//! with secret scalars, points and pairing values.

use pairing::{
    generator_table, gt_table, miller_loop, pairing, AffinePoint, JacobianPoint, LineTable, PfValue,
};
use subtle::ConstantTimeEq;

use crate::secret::{output, scalar, secret};

/// A point of order q that nobody outside the case knows: [k]P for a secret k.
fn secret_point(label: &str) -> AffinePoint {
    JacobianPoint::from(AffinePoint::generator())
        .mul(&scalar(label))
        .to_affine()
}

/// [z]P by signed 5-bit windows over a per-call table (the path of [z]P for the KMS
/// public key and of [(a+z)^-1]P for an RSK), then to affine.
pub fn window_mul() {
    let z = scalar("window z");
    let p = JacobianPoint::from(AffinePoint::generator()).mul(&z);
    output(&p.to_affine());
}

/// Jacobian to affine, singly and in a batch, with an identity among the points.
pub fn to_affine() {
    let a = JacobianPoint::from(secret_point("affine a")).double();
    let b = a.add_mixed(&secret_point("affine b"));
    let identity = secret(JacobianPoint::IDENTITY);
    let single = b.to_affine();
    let batch = JacobianPoint::batch_to_affine(&[a, identity, b]);
    output(&single);
    output(&batch[..]);
}

/// Complete addition, mixed addition (including the doubling case) and point equality.
pub fn point_addition() {
    let a = secret_point("add a");
    let ja = JacobianPoint::from(a);
    let doubled = ja.add_mixed(&a);
    let sum = doubled.add(&ja).add(&secret(JacobianPoint::IDENTITY));
    let equal = sum.ct_eq(&ja.double());
    output(&[sum.to_affine()]);
    output(&equal);
}

/// [k]P from the generator's fixed-base table: 206 signed-digit row scans.
pub fn fixed_base_mul() {
    let k = scalar("fixed-base k");
    output(&generator_table().mul(&k).to_affine());
}

/// g^k from the shared table, and x^k for a secret pairing value x by windows over a
/// per-call table of conjugate-negated powers.
pub fn gt_pow() {
    let k = scalar("gt k");
    let from_table = gt_table().pow(&k);
    let x = secret(PfValue::generator().pow(&scalar("gt base")));
    let windowed = x.pow(&k);
    output(&[from_table, windowed, x.mul(&windowed)]);
}

/// <K, R> with K secret (an RSK) and R public, by the plain Miller loop.
pub fn plain_pairing() {
    let k = secret_point("pairing K");
    let r = JacobianPoint::from(AffinePoint::generator())
        .mul_vartime(&[0x1234_5678])
        .to_affine();
    output(&pairing(&r, &k));
    output(&miller_loop(&k, &r));
}

/// A line table built from a secret point and a Miller loop evaluated from it.
pub fn line_table() {
    let k = secret_point("lines K");
    let r = AffinePoint::generator();
    let table = LineTable::new(&k);
    output(&table.miller_loop(&r));
}
