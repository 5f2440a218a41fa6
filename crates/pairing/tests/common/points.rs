//! Point helpers shared by the point tests: the generator, encodings, num-bigint
//! conversions, and points outside the order-q subgroup.
#![allow(dead_code)]

use std::sync::OnceLock;

use super::*;
use num_bigint::BigUint;
use num_traits::{One, Zero};
use pairing::{AffinePoint, JacobianPoint, PointError};
/// The generator from RFC 6509 Appendix A, independent of the crate's constants.
pub const PX_HEX: &str = "53FC09EE 332C29AD 0A799005 3ED9B52A 2B1A2FD6 0AEC69C6 98B2F204 B6FF7CBF
    B5EDB6C0 F6CE2308 AB10DB90 30B09E10 43D5F22C DB9DFA55 718BD9E7 406CE890
    9760AF76 5DD5BCCB 337C8654 8B72F2E1 A702C339 7A60DE74 A7C1514D BA66910D
    D5CFB4CC 80728D87 EE9163A5 B63F73EC 80EC46C4 967E0979 880DC8AB EAE63895";
pub const PY_HEX: &str = "0A824906 3F6009F1 F9F1F053 3634A135 D3E82016 02990696 3D778D82 1E141178
    F5EA69F4 654EC2B9 E7F7F5E5 F0DE55F6 6B598CCF 9A140B2E 416CFF0C A9E032B9
    70DAE117 AD547C6C CAD696B5 B7652FE0 AC6F1E80 164AA989 492D979F C5A4D5F2
    13515AD7 E9CB99A9 80BDAD5A D5BB4636 ADB9B570 6A67DCDE 75573FD7 1BEF16D7";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

pub fn two_pow(k: usize) -> BigUint {
    BigUint::one() << k
}

pub fn g_big() -> BigPoint {
    Some((hex_big(PX_HEX), hex_big(PY_HEX)))
}

pub fn g_aff() -> AffinePoint {
    AffinePoint::generator()
}

pub fn g_jac() -> JacobianPoint {
    JacobianPoint::from(AffinePoint::generator())
}

pub fn neg_big(pt: &BigPoint) -> BigPoint {
    let p = p();
    pt.as_ref().map(|(x, y)| (x.clone(), (&p - y) % &p))
}

/// 0x04 || x || y for any x, y below 2^1024.
pub fn encode(x: &BigUint, y: &BigUint) -> Vec<u8> {
    let mut out = vec![0x04];
    out.extend_from_slice(&be128(x));
    out.extend_from_slice(&be128(y));
    out
}

pub fn encode_pt(pt: &BigPoint) -> Vec<u8> {
    let (x, y) = pt.as_ref().expect("not the identity");
    encode(x, y)
}

/// A Jacobian point as the oracle's affine point.
pub fn jbig(pt: &JacobianPoint) -> BigPoint {
    let aff = pt.to_affine();
    assert_eq!(bool::from(aff.is_identity()), bool::from(pt.is_identity()));
    from_affine(&aff)
}

pub fn aff(pt: &BigPoint) -> AffinePoint {
    match pt {
        None => AffinePoint::identity(),
        Some(_) => to_affine(pt),
    }
}

pub fn jac(pt: &BigPoint) -> JacobianPoint {
    JacobianPoint::from(aff(pt))
}

/// `mul_vartime` with the minimal limb slice ([0] for zero; the empty slice has its own
/// test).
pub fn mul_vartime_big(base: &JacobianPoint, k: &BigUint) -> JacobianPoint {
    let mut limbs = k.to_u64_digits();
    if limbs.is_empty() {
        limbs.push(0);
    }
    base.mul_vartime(&limbs)
}

/// [k]base by the crate's constant-time and variable-time multiplications, checked
/// against `expected` (the oracle's answer).
pub fn check_mul(base: &JacobianPoint, k: &BigUint, expected: &BigPoint) {
    let ct = base.mul(&scalar(k));
    assert_eq!(jbig(&ct), *expected, "mul by {k:x}");
    let vt = mul_vartime_big(base, k);
    assert_eq!(jbig(&vt), *expected, "mul_vartime by {k:x}");
}

/// [2^j]P for j = 0..=1021 by repeated oracle doubling (computed once).
pub fn powers_of_two() -> &'static Vec<BigPoint> {
    static TABLE: OnceLock<Vec<BigPoint>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut out = vec![g_big()];
        for j in 1..=1021 {
            let prev = &out[j - 1];
            out.push(big_add(prev, prev));
        }
        out
    })
}

/// A square root mod p (p = 3 mod 4), if `v` is a square.
pub fn sqrt_mod(v: &BigUint) -> Option<BigUint> {
    let p = p();
    let y = v.modpow(&((&p + 1u32) / 4u32), &p);
    ((&y * &y) % &p == v % &p).then_some(y)
}

pub fn curve_rhs(x: &BigUint) -> BigUint {
    let p = p();
    (x * x % &p * x + &p * 3u32 - (x * 3u32) % &p) % &p
}

/// A point of order 4: [2]T = (0, 0). For y^2 = x^3 + ax, x([2]T) = (x^2 - a)^2 / 4y^2, so
/// x^2 = a = -3; -3 is a square since 3 is not (p = 1 mod 3, p = 3 mod 4).
pub fn order_four_point() -> BigPoint {
    let p = p();
    let s = sqrt_mod(&(&p - 3u32)).expect("-3 is a square mod p");
    for x in [s.clone(), &p - &s] {
        if let Some(y) = sqrt_mod(&curve_rhs(&x)) {
            return Some((x, y));
        }
    }
    panic!("no point of order four found");
}

/// A point of order 4q found the way an attacker would: x = 1, 2, 3, ... with
/// y = rhs^((p+1)/4) whenever x^3 - 3x is a square. Its order is confirmed with the
/// oracle: [q]R is neither O nor (0, 0), so [q]R has order 4 and R has order 4q.
pub fn order_4q_point() -> &'static BigPoint {
    static POINT: OnceLock<BigPoint> = OnceLock::new();
    POINT.get_or_init(|| {
        let q = q();
        for x in 1u32..200 {
            let x = BigUint::from(x);
            let Some(y) = sqrt_mod(&curve_rhs(&x)) else {
                continue;
            };
            let pt = Some((x, y));
            // Cheap screening with the crate, then the oracle confirms.
            let qr = jbig(&mul_vartime_big(&jac(&pt), &q));
            if qr.is_none() || qr == Some((BigUint::zero(), BigUint::zero())) {
                continue;
            }
            let oracle = big_mul(&q, &pt);
            assert_eq!(oracle, qr, "[q]R by the crate and by the oracle");
            assert_ne!(big_add(&oracle, &oracle), None, "[2q]R != O");
            assert_eq!(
                big_add(&big_add(&oracle, &oracle), &big_add(&oracle, &oracle)),
                None,
                "[4q]R = O"
            );
            return pt;
        }
        panic!("no point of order 4q with small x");
    })
}

pub fn err(bytes: &[u8]) -> PointError {
    AffinePoint::from_bytes(bytes).expect_err("must be rejected")
}
