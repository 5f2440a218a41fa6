//! Point decoding and encoding: every rejection with its own error.

mod common;

use common::points::*;
use common::*;
use num_bigint::BigUint;
use num_traits::{One, Zero};
use pairing::{AffinePoint, JacobianPoint, PointError, POINT_BYTES};
use rand::{rngs::StdRng, SeedableRng};

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

#[test]
fn generator_matches_rfc_and_round_trips() {
    let bytes = encode_pt(&g_big());
    assert_eq!(bytes.len(), POINT_BYTES);
    assert_eq!(
        g_aff().to_bytes().expect("not the identity").to_vec(),
        bytes
    );
    assert_eq!(AffinePoint::from_bytes(&bytes).unwrap(), g_aff());
    assert_eq!(
        AffinePoint::from_bytes_in_subgroup(&bytes).unwrap(),
        g_aff()
    );
    assert!(bool::from(g_aff().is_on_curve()));
    assert!(bool::from(g_aff().is_torsion_free()));
    assert_eq!(gen_big(), g_big().unwrap());
}

#[test]
fn decode_wrong_length() {
    let good = encode_pt(&g_big());
    for len in [0usize, 1, 2, 65, 129, 256, 258, 300, 513] {
        let mut bytes = good.clone();
        bytes.resize(len, 0x11);
        assert_eq!(
            err(&bytes),
            PointError::WrongLength {
                expected: 257,
                actual: len
            },
            "{len} bytes"
        );
        assert_eq!(
            AffinePoint::from_bytes_in_subgroup(&bytes).unwrap_err(),
            PointError::WrongLength {
                expected: 257,
                actual: len
            }
        );
    }
    // A lone 0x04 is a truncation, not the identity.
    assert_eq!(
        err(&[0x04]),
        PointError::WrongLength {
            expected: 257,
            actual: 1
        }
    );
    // Compressed-size input with a compressed prefix: the length is checked first.
    let mut short = good[..129].to_vec();
    short[0] = 0x02;
    assert_eq!(
        err(&short),
        PointError::WrongLength {
            expected: 257,
            actual: 129
        }
    );
}

#[test]
fn decode_compressed_and_bad_prefixes() {
    let good = encode_pt(&g_big());
    for prefix in [0x02u8, 0x03] {
        let mut bytes = good.clone();
        bytes[0] = prefix;
        assert_eq!(err(&bytes), PointError::CompressedNotSupported { prefix });
    }
    for prefix in [0x00u8, 0x01, 0x05, 0x06, 0x07, 0x40, 0x84, 0xff] {
        let mut bytes = good.clone();
        bytes[0] = prefix;
        assert_eq!(
            err(&bytes),
            PointError::BadPrefix { prefix },
            "prefix {prefix:#04x}"
        );
    }
    // 0x00 followed by anything but zeros is a bad prefix, not the identity.
    let mut bytes = vec![0u8; POINT_BYTES];
    bytes[POINT_BYTES - 1] = 1;
    assert_eq!(err(&bytes), PointError::BadPrefix { prefix: 0 });
}

#[test]
fn decode_non_canonical_coordinates() {
    let p = p();
    let (gx, gy) = g_big().unwrap();
    let x_err = PointError::NonCanonical { coordinate: 'x' };
    let y_err = PointError::NonCanonical { coordinate: 'y' };

    assert_eq!(err(&encode(&p, &gy)), x_err, "x = p");
    assert_eq!(err(&encode(&p, &BigUint::zero())), x_err, "x = p, y = 0");
    assert_eq!(err(&encode(&(&p + 1u32), &gy)), x_err, "x = p + 1");
    assert_eq!(
        err(&encode(&(two_pow(1024) - 1u32), &gy)),
        x_err,
        "x = 2^1024 - 1"
    );
    // x + p is congruent to a valid x: a decoder that reduced instead of rejecting
    // would accept it.
    assert!(&gx + &p < two_pow(1024));
    assert_eq!(err(&encode(&(&gx + &p), &gy)), x_err, "x = Gx + p");

    assert_eq!(err(&encode(&gx, &p)), y_err, "y = p");
    assert_eq!(
        err(&encode(&gx, &(two_pow(1024) - 1u32))),
        y_err,
        "y = 2^1024 - 1"
    );
    assert!(&gy + &p < two_pow(1024));
    assert_eq!(err(&encode(&gx, &(&gy + &p))), y_err, "y = Gy + p");
    // x is checked before y.
    assert_eq!(err(&encode(&p, &p)), x_err, "both");

    // The boundary: p - 1 is canonical (the decoding then fails on the curve check).
    assert_eq!(err(&encode(&(&p - 1u32), &gy)), PointError::NotOnCurve);
}

#[test]
fn decode_not_on_curve() {
    let p = p();
    let (gx, gy) = g_big().unwrap();
    for bit in [0usize, 1, 7, 500, 1000] {
        let y = &gy ^ two_pow(bit);
        assert!(y < p);
        assert_eq!(
            err(&encode(&gx, &y)),
            PointError::NotOnCurve,
            "y with bit {bit} flipped"
        );
        let x = &gx ^ two_pow(bit);
        assert!(x < p);
        assert_eq!(
            err(&encode(&x, &gy)),
            PointError::NotOnCurve,
            "x with bit {bit} flipped"
        );
    }
    let mut bytes = encode_pt(&g_big());
    bytes[POINT_BYTES - 1] ^= 1;
    assert_eq!(err(&bytes), PointError::NotOnCurve);
    assert_eq!(
        AffinePoint::from_bytes_in_subgroup(&bytes).unwrap_err(),
        PointError::NotOnCurve
    );
    assert_eq!(
        err(&encode(&BigUint::one(), &BigUint::one())),
        PointError::NotOnCurve
    );
    assert_eq!(
        err(&encode(&BigUint::zero(), &BigUint::one())),
        PointError::NotOnCurve
    );
}

#[test]
fn decode_identity() {
    assert_eq!(err(&[0x00]), PointError::Infinity);
    assert_eq!(err(&[0u8; POINT_BYTES]), PointError::Infinity);
    assert_eq!(
        AffinePoint::from_bytes_in_subgroup(&[0x00]).unwrap_err(),
        PointError::Infinity
    );
    assert_eq!(
        AffinePoint::from_bytes_in_subgroup(&[0u8; POINT_BYTES]).unwrap_err(),
        PointError::Infinity
    );
    // Two zero bytes are neither encoding.
    assert_eq!(
        err(&[0x00, 0x00]),
        PointError::WrongLength {
            expected: 257,
            actual: 2
        }
    );
    assert!(AffinePoint::identity().to_bytes().is_none());
    assert!(JacobianPoint::IDENTITY.to_affine().to_bytes().is_none());
}

fn assert_on_curve_not_in_subgroup(pt: &BigPoint, what: &str) {
    let bytes = encode_pt(pt);
    let decoded = AffinePoint::from_bytes(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(from_affine(&decoded), *pt, "{what}");
    assert!(bool::from(decoded.is_on_curve()), "{what}");
    assert!(!bool::from(decoded.is_torsion_free()), "{what}");
    assert_eq!(
        AffinePoint::from_bytes_in_subgroup(&bytes).unwrap_err(),
        PointError::NotInSubgroup,
        "{what}"
    );
}

#[test]
fn decode_points_outside_the_subgroup() {
    let origin: BigPoint = Some((BigUint::zero(), BigUint::zero()));
    assert_eq!(big_add(&origin, &origin), None, "(0, 0) has order 2");
    assert_on_curve_not_in_subgroup(&origin, "(0, 0)");

    let t4 = order_four_point();
    assert_eq!(big_add(&t4, &t4), origin, "[2]T = (0, 0)");
    assert_on_curve_not_in_subgroup(&t4, "order 4");

    let r = order_4q_point();
    assert_on_curve_not_in_subgroup(r, "order 4q (search from x = 1)");
    assert_on_curve_not_in_subgroup(&big_add(&g_big(), &origin), "P + (0, 0), order 2q");
    assert_on_curve_not_in_subgroup(&big_add(&g_big(), &t4), "P + T, order 4q");

    // Multiples of the generator are accepted.
    let mut rng = StdRng::seed_from_u64(0xd0);
    for _ in 0..3 {
        let k = random_below(&mut rng, &q());
        let pt = g_jac().mul(&scalar(&k)).to_affine();
        let bytes = pt.to_bytes().unwrap();
        assert_eq!(AffinePoint::from_bytes_in_subgroup(&bytes).unwrap(), pt);
    }
}

#[test]
fn encoding_round_trips() {
    let mut rng = StdRng::seed_from_u64(0xd1);
    let pts = powers_of_two();
    for _ in 0..16 {
        let k = random_below(&mut rng, &q());
        let pt = g_jac().mul(&scalar(&k)).to_affine();
        let bytes = pt.to_bytes().expect("not the identity");
        assert_eq!(bytes[0], 0x04);
        let back = AffinePoint::from_bytes(&bytes).expect("decodes");
        assert_eq!(back, pt);
        assert_eq!(back.x(), pt.x());
        assert_eq!(back.y(), pt.y());
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }
    // Points whose coordinates have leading zero bytes keep the fixed width.
    for (j, pt) in pts.iter().enumerate().step_by(97) {
        let bytes = encode_pt(pt);
        let decoded = AffinePoint::from_bytes(&bytes).unwrap_or_else(|e| panic!("[2^{j}]P: {e}"));
        assert_eq!(decoded.to_bytes().unwrap().to_vec(), bytes);
    }
}
