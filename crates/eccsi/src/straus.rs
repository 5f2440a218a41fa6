//! Variable-time double-scalar multiplication [a]P + [b]Q by Straus's method over width-5
//! NAFs: one shared chain of doublings, one addition per non-zero digit of either scalar.
//! For verification only, where every scalar and point is public.

use p256::elliptic_curve::ff::PrimeField;
use p256::Scalar;

use crate::jacobian::Jacobian;

/// Window width: digits are odd in [-15, 15], so each point needs its 8 odd multiples.
const WIDTH: usize = 5;
/// A scalar below q < 2^256 has a width-5 NAF of at most 257 digits.
const NAF_LEN: usize = 257;
const ODD_MULTIPLES: usize = 1 << (WIDTH - 2);

/// The width-5 NAF of k: k = sum naf_i 2^i, each non-zero digit odd, in [-15, 15], and
/// followed by at least four zeros.
fn naf(k: &Scalar) -> [i8; NAF_LEN] {
    let be = k.to_repr();
    let mut limbs = [0u64; 5];
    for (i, limb) in limbs.iter_mut().take(4).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&be[24 - 8 * i..32 - 8 * i]);
        *limb = u64::from_be_bytes(word);
    }
    let width = 1u64 << WIDTH;
    let mask = width - 1;
    let mut out = [0i8; NAF_LEN];
    let mut pos = 0;
    let mut carry = 0u64;
    while pos < NAF_LEN {
        let (index, bit) = (pos / 64, pos % 64);
        let bits = if bit < 64 - WIDTH {
            limbs[index] >> bit
        } else {
            (limbs[index] >> bit) | (limbs[index + 1] << (64 - bit))
        };
        let window = carry + (bits & mask);
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            out[pos] = window as i8;
        } else {
            carry = 1;
            out[pos] = window as i8 - width as i8;
        }
        pos += WIDTH;
    }
    out
}

/// P, 3P, 5P, ..., 15P.
fn odd_multiples(p: &Jacobian) -> [Jacobian; ODD_MULTIPLES] {
    let mut out = [*p; ODD_MULTIPLES];
    let twice = p.double();
    for i in 1..ODD_MULTIPLES {
        out[i] = out[i - 1].add(&twice);
    }
    out
}

fn add_digit(acc: &mut Jacobian, multiples: &[Jacobian; ODD_MULTIPLES], digit: i8) {
    match digit.signum() {
        1 => *acc = acc.add(&multiples[(digit as usize) / 2]),
        -1 => *acc = acc.add(&multiples[((-digit) as usize) / 2].neg()),
        _ => {}
    }
}

/// [a]P + [b]Q, variable time (public inputs only).
pub(crate) fn double_mul_vartime(a: &Scalar, p: &Jacobian, b: &Scalar, q: &Jacobian) -> Jacobian {
    let (naf_a, naf_b) = (naf(a), naf(b));
    let (table_p, table_q) = (odd_multiples(p), odd_multiples(q));
    let top = (0..NAF_LEN).rev().find(|&i| naf_a[i] != 0 || naf_b[i] != 0);
    let mut acc = Jacobian::IDENTITY;
    if let Some(top) = top {
        for i in (0..=top).rev() {
            acc = acc.double();
            add_digit(&mut acc, &table_p, naf_a[i]);
            add_digit(&mut acc, &table_q, naf_b[i]);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jacobian::Affine;
    use p256::elliptic_curve::Field;
    use p256::ProjectivePoint;
    use rand_core::OsRng;

    fn jacobian(point: &ProjectivePoint) -> Jacobian {
        Affine::from_point(&point.to_affine())
            .map(|a| Jacobian::from_affine(&a))
            .unwrap_or(Jacobian::IDENTITY)
    }

    fn to_p256(point: &Jacobian) -> ProjectivePoint {
        point
            .to_affine()
            .map(|a| ProjectivePoint::from(a.to_point().unwrap()))
            .unwrap_or(ProjectivePoint::IDENTITY)
    }

    #[test]
    fn naf_sums_back() {
        let edge = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(31u64)];
        for k in edge
            .into_iter()
            .chain((0..64).map(|_| Scalar::random(&mut OsRng)))
        {
            let digits = naf(&k);
            let mut sum = Scalar::ZERO;
            for &d in digits.iter().rev() {
                assert!(d == 0 || (d % 2 != 0 && (-15..=15).contains(&d)));
                let term = if d < 0 {
                    -Scalar::from((-d) as u64)
                } else {
                    Scalar::from(d as u64)
                };
                sum = sum.double() + term;
            }
            assert_eq!(sum, k);
        }
    }

    #[test]
    fn matches_plain_multiplications() {
        let p = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
        let q = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
        let edge = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE];
        for a in edge
            .into_iter()
            .chain((0..8).map(|_| Scalar::random(&mut OsRng)))
        {
            for b in edge
                .into_iter()
                .chain((0..4).map(|_| Scalar::random(&mut OsRng)))
            {
                let got = double_mul_vartime(&a, &jacobian(&p), &b, &jacobian(&q));
                assert_eq!(to_p256(&got), p * a + q * b);
            }
        }
        let a = Scalar::random(&mut OsRng);
        let got = double_mul_vartime(&a, &Jacobian::IDENTITY, &a, &jacobian(&p));
        assert_eq!(to_p256(&got), p * a);
        // P = Q and P = -Q: the additions meet equal and opposite points.
        let got = double_mul_vartime(&a, &jacobian(&p), &a, &jacobian(&p));
        assert_eq!(to_p256(&got), p * (a + a));
        let got = double_mul_vartime(&a, &jacobian(&p), &a, &jacobian(&-p));
        assert!(got.is_identity());
    }
}
