//! Group operations and scalar multiplication against num-bigint.

mod common;

use common::points::*;
use common::*;
use num_bigint::BigUint;
use num_traits::Zero;
use pairing::{AffinePoint, JacobianPoint, Scalar};
use rand::{rngs::StdRng, SeedableRng};
use subtle::{ConditionallySelectable, ConstantTimeEq};

// ---------------------------------------------------------------------------------------
// Scalar multiplication
// ---------------------------------------------------------------------------------------

#[test]
fn mul_small_scalars() {
    let g = g_jac();
    let mut expected: BigPoint = None;
    for k in 0u32..=70 {
        check_mul(&g, &BigUint::from(k), &expected);
        // Sixteen limbs, with leading zero limbs, give the same answer.
        let mut padded = [0u64; 16];
        padded[0] = k.into();
        assert_eq!(jbig(&g.mul_vartime(&padded)), expected, "padded {k}");
        expected = big_add(&expected, &g_big());
    }
    assert!(bool::from(g.mul(&Scalar::ZERO).is_identity()));
    assert_eq!(g.mul(&Scalar::from_u64(1)).to_affine(), g_aff());
}

/// A zero multiplier given as an empty limb slice (what `BigUint::to_u64_digits` gives
/// for 0) is [0]P = O, like the one-limb and sixteen-limb forms of zero.
#[test]
fn mul_vartime_empty_multiplier_is_identity() {
    let g = g_jac();
    assert!(bool::from(g.mul_vartime(&[0]).is_identity()));
    assert!(bool::from(g.mul_vartime(&[0; 16]).is_identity()));
    assert!(
        bool::from(g.mul_vartime(&[]).is_identity()),
        "[0]P = O, empty slice"
    );
}

#[test]
fn mul_window_boundaries() {
    let q = q();
    let g = g_jac();
    let pts = powers_of_two();
    let neg_g = neg_big(&g_big());
    let js = [
        1usize, 4, 5, 6, 10, 15, 16, 63, 64, 65, 505, 1015, 1019, 1020, 1021,
    ];
    for &j in &js {
        let k = two_pow(j);
        check_mul(&g, &k, &pts[j]);
        check_mul(&g, &(&k - 1u32), &big_add(&pts[j], &neg_g));
        check_mul(&g, &(&k + 1u32), &big_add(&pts[j], &g_big()));
        // q - 2^j: the top windows all carry.
        check_mul(&g, &(&q - &k), &neg_big(&pts[j]));
    }
    // 2^1021 + 2^1017 - 1 (below q): the low 203 windows are all 31.
    let k = two_pow(1021) + two_pow(1017) - 1u32;
    assert!(k < q);
    check_mul(&g, &k, &big_add(&big_add(&pts[1021], &pts[1017]), &neg_g));

    // Near the order: [q - k]P = -[k]P.
    let mut small: BigPoint = None;
    for k in 1u32..=33 {
        small = big_add(&small, &g_big());
        if [1, 2, 15, 16, 17, 31, 32, 33].contains(&k) {
            check_mul(&g, &(&q - k), &neg_big(&small));
        }
    }
}

/// Scalars whose every 5-bit window is the same digit: 16 (the largest positive digit)
/// and 17 (which becomes -15 with a carry into every window).
#[test]
fn mul_repeated_window_digits() {
    let g = g_jac();
    for digit in [16u32, 17] {
        let mut k = BigUint::zero();
        for _ in 0..204 {
            k = (k << 5usize) + digit;
        }
        assert!(k < q());
        check_mul(&g, &k, &big_mul(&k, &g_big()));
    }
}

#[test]
fn mul_random_scalars_against_oracle() {
    let mut rng = StdRng::seed_from_u64(0xd2);
    let g = g_jac();
    for _ in 0..2 {
        let k = random_below(&mut rng, &q());
        check_mul(&g, &k, &big_mul(&k, &g_big()));
    }
}

#[test]
fn mul_of_a_non_generator_base() {
    // A Jacobian base with Z != 1 and an affine base give the same multiples.
    let mut rng = StdRng::seed_from_u64(0xd3);
    let a = random_below(&mut rng, &two_pow(40));
    let base_big = big_mul(&a, &g_big());
    let base = g_jac().mul(&scalar(&a));
    let mut expected: BigPoint = None;
    for k in 0u32..=40 {
        check_mul(&base, &BigUint::from(k), &expected);
        check_mul(&jac(&base_big), &BigUint::from(k), &expected);
        expected = big_add(&expected, &base_big);
    }
}

#[test]
fn mul_algebra() {
    let q = q();
    let g = g_jac();
    let mut rng = StdRng::seed_from_u64(0xd4);
    for _ in 0..12 {
        let a = random_below(&mut rng, &q);
        let b = random_below(&mut rng, &q);
        let (sa, sb) = (scalar(&a), scalar(&b));
        let pa = g.mul(&sa);
        // [a]([b]P) = [ab]P
        let ab = g.mul(&sa.mul(&sb));
        assert!(bool::from(pa.mul(&sb).ct_eq(&ab)));
        assert!(bool::from(g.mul(&sb).mul(&sa).ct_eq(&ab)));
        // [a]P + [b]P = [a + b]P
        assert!(bool::from(pa.add(&g.mul(&sb)).ct_eq(&g.mul(&sa.add(&sb)))));
        // constant time and variable time agree
        assert_eq!(pa.to_affine(), mul_vartime_big(&g, &a).to_affine());
        // [a]P + [q - a]P = O
        if !a.is_zero() {
            assert!(bool::from(
                pa.add(&g.mul(&scalar(&(&q - &a)))).is_identity()
            ));
        }
    }
}

#[test]
fn order_is_q() {
    let q = q();
    let g = g_jac();
    assert!(
        bool::from(mul_vartime_big(&g, &q).is_identity()),
        "[q]P = O"
    );
    assert_eq!(
        mul_vartime_big(&g, &(&q + 1u32)).to_affine(),
        g_aff(),
        "[q+1]P = P"
    );
    assert_eq!(
        mul_vartime_big(&g, &(&q * 2u32 + 5u32)).to_affine(),
        g.mul(&Scalar::from_u64(5)).to_affine()
    );
    // The same through the constant-time path: [q-1]P + P.
    let qm1 = g.mul(&scalar(&(&q - 1u32)));
    assert_eq!(qm1.to_affine(), g_aff().neg());
    assert!(bool::from(qm1.add(&g).is_identity()));
    assert!(bool::from(qm1.add_mixed(&g_aff()).is_identity()));
    let mut rng = StdRng::seed_from_u64(0xd5);
    for _ in 0..3 {
        let pt = g.mul(&scalar(&random_below(&mut rng, &q)));
        assert!(bool::from(mul_vartime_big(&pt, &q).is_identity()));
        assert!(bool::from(pt.to_affine().is_torsion_free()));
    }
}

/// `mul_vartime` alone: `JacobianPoint::mul` documents its result as unspecified for
/// points outside the order-q subgroup (it skips the doubling case of the addition).
fn check_mul_vartime(base: &JacobianPoint, k: &BigUint, expected: &BigPoint) {
    assert_eq!(
        jbig(&mul_vartime_big(base, k)),
        *expected,
        "mul_vartime by {k:x}"
    );
    let mut padded = k.to_u64_digits();
    padded.resize(16, 0);
    assert_eq!(
        jbig(&base.mul_vartime(&padded)),
        *expected,
        "mul_vartime (padded) by {k:x}"
    );
}

#[test]
fn mul_vartime_outside_the_subgroup() {
    // The running sum of a point of order 2 or 4 hits the identity, the base and its
    // negative: every special case of the complete addition.
    let q = q();
    let origin: BigPoint = Some((BigUint::zero(), BigUint::zero()));
    for base in [origin, order_four_point()] {
        let j = jac(&base);
        let mut expected: BigPoint = None;
        for k in 0u32..=40 {
            check_mul_vartime(&j, &BigUint::from(k), &expected);
            // Unspecified value, but documented not to panic.
            let _ = j.mul(&Scalar::from_u64(k.into()));
            expected = big_add(&expected, &base);
        }
        // Large multipliers: the order divides 4, so only k mod 4 matters.
        for k in [&q - 1u32, &q - 2u32, &q - 3u32, &q * 4u32 + 6u32] {
            let m = (&k % 4u32).to_u32_digits().first().copied().unwrap_or(0);
            let expected = (0..m).fold(None, |acc, _| big_add(&acc, &base));
            check_mul_vartime(&j, &k, &expected);
        }
    }
    // A point of order 4q: [k]R for small k, and [4q]R = O, [4q + 1]R = R.
    let r = order_4q_point();
    let mut expected: BigPoint = None;
    for k in 0u32..=20 {
        check_mul_vartime(&jac(r), &BigUint::from(k), &expected);
        expected = big_add(&expected, r);
    }
    check_mul_vartime(&jac(r), &(&q * 4u32), &None);
    check_mul_vartime(&jac(r), &(&q * 4u32 + 1u32), r);
}

// ---------------------------------------------------------------------------------------
// Addition and doubling
// ---------------------------------------------------------------------------------------

/// A point as the oracle sees it, and several Jacobian representations of it.
struct Case {
    big: BigPoint,
    reps: Vec<JacobianPoint>,
}

/// `pt` = [k]P (k is used to rebuild it by `mul`, which gives an arbitrary Z).
fn case(pt: &BigPoint, k: &BigUint) -> Case {
    let mut reps = vec![jac(pt)];
    if pt.is_some() {
        reps.push(g_jac().mul(&scalar(k)));
        // [2]A - A: yet another Z.
        reps.push(jac(pt).double().add(&jac(&neg_big(pt))));
    } else {
        reps.push(JacobianPoint::IDENTITY);
        // An identity with non-trivial X and Y: [2]P + (-[2]P).
        reps.push(g_jac().double().add(&g_jac().double().neg()));
    }
    for r in &reps {
        assert_eq!(jbig(r), *pt, "representation");
    }
    Case {
        big: pt.clone(),
        reps,
    }
}

#[test]
fn add_and_double_against_oracle() {
    let q = q();
    let mut rng = StdRng::seed_from_u64(0xd6);
    let mut ks: Vec<BigUint> = (0..2)
        .map(|_| random_below(&mut rng, &two_pow(24)))
        .collect();
    ks.push(two_pow(1021));
    let mut cases = vec![case(&None, &BigUint::zero())];
    for (i, k) in ks.iter().enumerate() {
        let pt = if i + 1 == ks.len() {
            powers_of_two()[1021].clone()
        } else {
            big_mul(k, &g_big())
        };
        cases.push(case(&neg_big(&pt), &(&q - k)));
        cases.push(case(&pt, k));
    }
    // Every pair: identity on either side (and both), P + P, P + (-P), generic sums.
    let mut doubling_cases = 0;
    let mut inverse_cases = 0;
    for a in &cases {
        for ja in &a.reps {
            assert_eq!(jbig(&ja.double()), big_add(&a.big, &a.big), "double");
        }
        for b in &cases {
            let expected = big_add(&a.big, &b.big);
            doubling_cases += (a.big.is_some() && a.big == b.big) as usize;
            inverse_cases += (a.big.is_some() && expected.is_none()) as usize;
            let b_aff = aff(&b.big);
            for ja in &a.reps {
                for jb in &b.reps {
                    assert_eq!(jbig(&ja.add(jb)), expected, "add {:?} + {:?}", a.big, b.big);
                }
                assert_eq!(jbig(&ja.add_mixed(&b_aff)), expected, "add_mixed");
            }
        }
    }
    assert_eq!(doubling_cases, 6);
    assert_eq!(inverse_cases, 6);
}

#[test]
fn add_and_double_with_two_torsion() {
    let origin: BigPoint = Some((BigUint::zero(), BigUint::zero()));
    let o = jac(&origin);
    assert!(bool::from(o.double().is_identity()), "[2](0, 0) = O");
    assert!(bool::from(o.add(&o).is_identity()), "(0, 0) + (0, 0) = O");
    assert!(bool::from(o.add_mixed(&aff(&origin)).is_identity()));
    let t = order_four_point();
    let tj = jac(&t);
    assert_eq!(jbig(&tj.double()), origin);
    assert_eq!(jbig(&tj.add(&tj)), origin);
    assert_eq!(jbig(&tj.add_mixed(&aff(&t))), origin);
    assert_eq!(jbig(&tj.add(&o)), big_add(&t, &origin));
    assert_eq!(jbig(&o.add_mixed(&aff(&t))), big_add(&t, &origin));
    assert_eq!(jbig(&tj.double().add(&tj)), neg_big(&t), "[3]T = -T");
}

#[test]
fn neg_is_the_inverse() {
    let g = g_jac();
    let p2 = g.double();
    assert!(bool::from(p2.add(&p2.neg()).is_identity()));
    assert!(bool::from(
        p2.add_mixed(&p2.to_affine().neg()).is_identity()
    ));
    assert_eq!(jbig(&p2.neg()), neg_big(&jbig(&p2)));
    assert!(bool::from(AffinePoint::identity().neg().is_identity()));
    assert!(bool::from(JacobianPoint::IDENTITY.neg().is_identity()));
}

// ---------------------------------------------------------------------------------------
// Batch normalisation and equality
// ---------------------------------------------------------------------------------------

#[test]
fn batch_to_affine_matches_to_affine() {
    let mut rng = StdRng::seed_from_u64(0xd7);
    let g = g_jac();
    let garbage_identity = g.double().add(&g.double().neg());
    assert!(bool::from(garbage_identity.is_identity()));
    let mut pts: Vec<JacobianPoint> = (0..6)
        .map(|_| g.mul(&scalar(&random_below(&mut rng, &q()))))
        .collect();
    pts.insert(3, JacobianPoint::IDENTITY);
    pts.insert(5, garbage_identity);
    pts.insert(0, JacobianPoint::IDENTITY);
    pts.push(garbage_identity);
    pts.push(g);

    let batch = JacobianPoint::batch_to_affine(&pts);
    assert_eq!(batch.len(), pts.len());
    for (i, (j, b)) in pts.iter().zip(&batch).enumerate() {
        let single = j.to_affine();
        assert_eq!(*b, single, "element {i}");
        assert_eq!(
            bool::from(b.is_identity()),
            bool::from(j.is_identity()),
            "element {i}"
        );
        if !bool::from(j.is_identity()) {
            assert_eq!(b.x(), single.x(), "element {i}");
            assert_eq!(b.y(), single.y(), "element {i}");
            assert!(bool::from(b.is_on_curve()), "element {i}");
        }
    }

    assert!(JacobianPoint::batch_to_affine(&[]).is_empty());
    let all_identity = JacobianPoint::batch_to_affine(&[JacobianPoint::IDENTITY, garbage_identity]);
    assert!(all_identity.iter().all(|a| bool::from(a.is_identity())));
    let one = JacobianPoint::batch_to_affine(&[g.double()]);
    assert_eq!(from_affine(&one[0]), big_add(&g_big(), &g_big()));
}

#[test]
fn affine_ct_eq_semantics() {
    let g = g_aff();
    let g2 = g_jac().double().to_affine();
    let id = AffinePoint::identity();
    // An identity whose x and y are whatever the batch conversion left there.
    let id_batch = JacobianPoint::batch_to_affine(&[JacobianPoint::IDENTITY])[0];
    assert!(bool::from(id_batch.is_identity()));

    assert!(bool::from(g.ct_eq(&g)));
    assert!(bool::from(
        g.ct_eq(&AffinePoint::from_bytes(&encode_pt(&g_big())).unwrap())
    ));
    assert!(bool::from(
        g.ct_eq(&g_jac().mul(&Scalar::from_u64(1)).to_affine())
    ));
    assert!(!bool::from(g.ct_eq(&g2)));
    assert!(!bool::from(g.ct_eq(&g.neg())), "same x, other y");
    assert!(!bool::from(g.ct_eq(&id)));
    assert!(!bool::from(id.ct_eq(&g)));
    assert!(bool::from(id.ct_eq(&id)));
    assert!(bool::from(id.ct_eq(&id_batch)));
    assert!(bool::from(id_batch.ct_eq(&id)));
    assert!(bool::from(id.ct_eq(&JacobianPoint::IDENTITY.to_affine())));
    assert_eq!(id, AffinePoint::default());
    assert_ne!(g, id);
    // An identity never equals a finite point that happens to share its coordinates.
    let origin = AffinePoint::from_bytes(&encode(&BigUint::zero(), &BigUint::zero())).unwrap();
    assert_eq!(origin.x(), id.x());
    assert_eq!(origin.y(), id.y());
    assert!(!bool::from(origin.ct_eq(&id)));
    assert!(!bool::from(id.ct_eq(&origin)));

    // conditional_select carries the identity flag with the coordinates.
    let sel = AffinePoint::conditional_select(&g, &id, 1.into());
    assert!(bool::from(sel.is_identity()));
    let sel = AffinePoint::conditional_select(&g, &id, 0.into());
    assert_eq!(sel, g);

    // Jacobian equality compares points, not coordinates.
    let via_mul = g_jac().mul(&Scalar::from_u64(2));
    let via_double = g_jac().double();
    let via_affine = JacobianPoint::from(g2);
    assert!(bool::from(via_mul.ct_eq(&via_double)));
    assert!(bool::from(via_double.ct_eq(&via_affine)));
    assert!(!bool::from(via_mul.ct_eq(&g_jac())));
    assert!(!bool::from(via_mul.ct_eq(&via_mul.neg())));
    let garbage_identity = g_jac().double().add(&g_jac().double().neg());
    assert!(bool::from(garbage_identity.ct_eq(&JacobianPoint::IDENTITY)));
    assert!(!bool::from(garbage_identity.ct_eq(&g_jac())));
}
