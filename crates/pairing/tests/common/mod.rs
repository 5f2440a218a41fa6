//! Independent oracles for the tests: num-bigint arithmetic and a direct transcription of
//! the RFC 6508 section 3.2 affine pseudocode.
#![allow(dead_code)]

pub mod points;

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, Zero};
use pairing::{AffinePoint, Fp, PfValue, Scalar};
use rand::{Rng, RngCore};

pub fn hex_big(s: &str) -> BigUint {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    BigUint::parse_bytes(clean.as_bytes(), 16).expect("hex constant")
}

pub fn p() -> BigUint {
    BigUint::from_bytes_be(&pairing::constants::p())
}

pub fn q() -> BigUint {
    BigUint::from_bytes_be(&pairing::constants::q())
}

pub fn be128(x: &BigUint) -> [u8; 128] {
    let b = x.to_bytes_be();
    assert!(b.len() <= 128);
    let mut out = [0u8; 128];
    out[128 - b.len()..].copy_from_slice(&b);
    out
}

pub fn fp(x: &BigUint) -> Fp {
    Option::from(Fp::from_bytes(&be128(x))).expect("value below p")
}

pub fn big(x: &Fp) -> BigUint {
    BigUint::from_bytes_be(&x.to_bytes())
}

pub fn scalar(x: &BigUint) -> Scalar {
    Option::from(Scalar::from_be_bytes(&x.to_bytes_be()).expect("fits")).expect("below q")
}

pub fn random_below(rng: &mut impl RngCore, m: &BigUint) -> BigUint {
    let mut bytes = [0u8; 136];
    rng.fill_bytes(&mut bytes);
    BigUint::from_bytes_be(&bytes) % m
}

/// Values that stress carries and reductions.
pub fn edge_values() -> Vec<BigUint> {
    let p = p();
    let r: BigUint = (BigUint::one() << 1024usize) % &p;
    vec![
        BigUint::zero(),
        BigUint::one(),
        BigUint::from(2u32),
        &p - 1u32,
        &p - 2u32,
        r.clone(),
        (&r * &r) % &p,
        (BigUint::one() << 1023usize) % &p,
        (BigUint::one() << 64usize) - 1u32,
        &p >> 1,
        (&p >> 1) + 1u32,
    ]
}

pub fn random_fp_big(rng: &mut impl Rng) -> BigUint {
    random_below(rng, &p())
}

/// P, the generator, as big integers.
pub fn gen_big() -> (BigUint, BigUint) {
    let g = AffinePoint::generator();
    (big(&g.x()), big(&g.y()))
}

/// An affine point as big integers (None for the identity).
pub type BigPoint = Option<(BigUint, BigUint)>;

fn modinv(a: &BigUint, m: &BigUint) -> BigUint {
    a.modpow(&(m - 2u32), m)
}

fn sub_mod(a: &BigUint, b: &BigUint, m: &BigUint) -> BigUint {
    ((a + m) - (b % m)) % m
}

/// Affine point addition on y^2 = x^3 - 3x over F_p (textbook formulas).
pub fn big_add(a: &BigPoint, b: &BigPoint) -> BigPoint {
    let p = p();
    let (Some((x1, y1)), Some((x2, y2))) = (a, b) else {
        return if a.is_none() { b.clone() } else { a.clone() };
    };
    let lambda = if x1 == x2 {
        if (y1 + y2) % &p == BigUint::zero() {
            return None;
        }
        let num = sub_mod(&(BigUint::from(3u32) * x1 * x1), &BigUint::from(3u32), &p);
        num * modinv(&(BigUint::from(2u32) * y1 % &p), &p) % &p
    } else {
        sub_mod(y2, y1, &p) * modinv(&sub_mod(x2, x1, &p), &p) % &p
    };
    let x3 = sub_mod(&sub_mod(&(&lambda * &lambda), x1, &p), x2, &p);
    let y3 = sub_mod(&(&lambda * sub_mod(x1, &x3, &p) % &p), y1, &p);
    Some((x3, y3))
}

pub fn big_mul(k: &BigUint, pt: &BigPoint) -> BigPoint {
    let mut acc: BigPoint = None;
    for i in (0..k.bits()).rev() {
        acc = big_add(&acc, &acc);
        if k.bit(i) {
            acc = big_add(&acc, pt);
        }
    }
    acc
}

pub fn to_affine(pt: &BigPoint) -> AffinePoint {
    let (x, y) = pt.as_ref().expect("not the identity");
    let mut bytes = vec![4u8];
    bytes.extend_from_slice(&be128(x));
    bytes.extend_from_slice(&be128(y));
    AffinePoint::from_bytes(&bytes).expect("valid point")
}

pub fn from_affine(pt: &AffinePoint) -> BigPoint {
    pt.to_bytes().map(|b| {
        (
            BigUint::from_bytes_be(&b[1..129]),
            BigUint::from_bytes_be(&b[129..]),
        )
    })
}

/// F_p2 as (re, im) big integers.
type Big2 = (BigUint, BigUint);

fn mul2(a: &Big2, b: &Big2, p: &BigUint) -> Big2 {
    let re = sub_mod(&(&a.0 * &b.0 % p), &(&a.1 * &b.1 % p), p);
    let im = (&a.0 * &b.1 + &a.1 * &b.0) % p;
    (re, im)
}

/// RFC 6508 section 3.2, line by line, with affine arithmetic and one inversion per step.
pub fn rfc_pairing(r: &(BigUint, BigUint), q_pt: &(BigUint, BigUint)) -> BigUint {
    let p = p();
    let q = q();
    let three = BigUint::from(3u32);
    let two = BigUint::from(2u32);
    let (rx, ry) = r;
    let (qx, qy) = q_pt;
    let mut v: Big2 = (BigUint::one(), BigUint::zero());
    let (mut cx, mut cy) = (rx.clone(), ry.clone());
    let n = &q - 1u32;
    let bits = n.bits();
    for i in (0..bits - 1).rev() {
        // l = 3*(C_x^2 - 1) / (2*C_y)
        let l = (&three * sub_mod(&(&cx * &cx % &p), &BigUint::one(), &p)) % &p
            * modinv(&(&two * &cy % &p), &p)
            % &p;
        // v = v^2 * (l*(Q_x + C_x) + (i*Q_y - C_y))
        let line = (sub_mod(&(&l * ((qx + &cx) % &p) % &p), &cy, &p), qy.clone());
        v = mul2(&mul2(&v, &v, &p), &line, &p);
        // C = [2]C
        let c = big_add(
            &Some((cx.clone(), cy.clone())),
            &Some((cx.clone(), cy.clone())),
        )
        .expect("order q");
        (cx, cy) = c;
        if n.bit(i) {
            // l = (C_y - R_y)/(C_x - R_x)
            let l = sub_mod(&cy, ry, &p) * modinv(&sub_mod(&cx, rx, &p), &p) % &p;
            let line = (sub_mod(&(&l * ((qx + &cx) % &p) % &p), &cy, &p), qy.clone());
            v = mul2(&v, &line, &p);
            let c = big_add(
                &Some((cx.clone(), cy.clone())),
                &Some((rx.clone(), ry.clone())),
            )
            .expect("order q");
            (cx, cy) = c;
        }
    }
    // t = v^c, c = (p+1)/q
    let c = (&p + 1u32) / &q;
    let mut t: Big2 = (BigUint::one(), BigUint::zero());
    for i in (0..c.bits()).rev() {
        t = mul2(&t, &t, &p);
        if c.bit(i) {
            t = mul2(&t, &v, &p);
        }
    }
    // representative b/a
    t.1 * modinv(&t.0, &p) % &p
}

pub fn pf_big(v: &PfValue) -> BigUint {
    BigUint::from_bytes_be(&v.to_bytes())
}

pub fn signed(x: &BigUint) -> BigInt {
    BigInt::from_biguint(Sign::Plus, x.clone())
}
