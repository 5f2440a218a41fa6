//! Malformed and hostile encapsulated data: each cause gets its own error and no SSV.

use pairing::{PointError, POINT_BYTES};
use sakke::{
    decapsulate_with, encapsulate_to, EncapsulatedData, Identifier, Kms, ReceiverKey, RecipientKey,
    SakkeError, Ssv,
};

struct Fixture {
    receiver: ReceiverKey,
    recipient: RecipientKey,
    kms: Kms,
    good: [u8; 273],
}

fn fixture() -> Fixture {
    let kms = Kms::from_secret_bytes(&[0x33; 32]).unwrap();
    let id = Identifier::rfc6509("2026-11", "tel:+447700900123").unwrap();
    let recipient = RecipientKey::new(&id, &kms.public_key()).unwrap();
    let receiver = ReceiverKey::new(&id, &kms.public_key(), kms.issue_rsk(&id).unwrap()).unwrap();
    let good = encapsulate_to(&Ssv::from([7u8; 16]), &recipient).to_bytes();
    Fixture {
        receiver,
        recipient,
        kms,
        good,
    }
}

fn point_error(bytes: &[u8]) -> PointError {
    match EncapsulatedData::from_bytes(bytes) {
        Err(SakkeError::Point { source, .. }) => source,
        other => panic!("expected a point error, got {other:?}"),
    }
}

#[test]
fn wrong_lengths() {
    let f = fixture();
    for len in [0, 1, 272, 274, 257] {
        let mut v = f.good.to_vec();
        v.resize(len, 0);
        assert!(matches!(
            EncapsulatedData::from_bytes(&v),
            Err(SakkeError::WrongLength { expected: 273, actual, .. }) if actual == len
        ));
    }
}

#[test]
fn prefix_canonical_curve_and_infinity() {
    let f = fixture();
    let mut compressed = f.good;
    compressed[0] = 0x02;
    assert_eq!(
        point_error(&compressed),
        PointError::CompressedNotSupported { prefix: 2 }
    );
    let mut odd = f.good;
    odd[0] = 0x07;
    assert_eq!(point_error(&odd), PointError::BadPrefix { prefix: 7 });

    let mut big_x = f.good;
    big_x[1..129].copy_from_slice(&pairing::constants::p());
    assert_eq!(
        point_error(&big_x),
        PointError::NonCanonical { coordinate: 'x' }
    );

    let mut off_curve = f.good;
    off_curve[256] ^= 1;
    assert_eq!(point_error(&off_curve), PointError::NotOnCurve);

    let mut infinity = [0u8; 273];
    infinity[POINT_BYTES..].copy_from_slice(&f.good[POINT_BYTES..]);
    assert_eq!(point_error(&infinity), PointError::Infinity);
}

#[test]
fn flipped_bit_in_h_fails_test() {
    let f = fixture();
    assert_eq!(
        decapsulate_with(&EncapsulatedData::from_bytes(&f.good).unwrap(), &f.receiver).unwrap(),
        Ssv::from([7u8; 16])
    );
    for bit in [0, 1, 7, 64, 127] {
        let mut bad = f.good;
        bad[POINT_BYTES + bit / 8] ^= 1 << (bit % 8);
        let ed = EncapsulatedData::from_bytes(&bad).unwrap();
        assert_eq!(
            decapsulate_with(&ed, &f.receiver),
            Err(SakkeError::TestFailed),
            "bit {bit}"
        );
    }
}

#[test]
fn encapsulation_for_another_identity_fails_test() {
    let f = fixture();
    let other = Identifier::rfc6509("2026-11", "tel:+447700900999").unwrap();
    let to_other = RecipientKey::new(&other, &f.kms.public_key()).unwrap();
    let ed = encapsulate_to(&Ssv::from([9u8; 16]), &to_other);
    assert_eq!(
        decapsulate_with(&ed, &f.receiver),
        Err(SakkeError::TestFailed)
    );
    // And one for the right identity under another KMS.
    let other_kms = Kms::from_secret_bytes(&[0x44; 32]).unwrap();
    let id = f.recipient.identifier().clone();
    let ed = encapsulate_to(
        &Ssv::from([9u8; 16]),
        &RecipientKey::new(&id, &other_kms.public_key()).unwrap(),
    );
    assert_eq!(
        decapsulate_with(&ed, &f.receiver),
        Err(SakkeError::TestFailed)
    );
}

#[test]
fn point_outside_subgroup_is_reported() {
    let f = fixture();
    // (0, 0) lies on y^2 = x^3 - 3x and has order 2.
    let mut bad = [0u8; 273];
    bad[0] = 4;
    bad[POINT_BYTES..].copy_from_slice(&f.good[POINT_BYTES..]);
    let ed = EncapsulatedData::from_bytes(&bad).unwrap();
    assert_eq!(
        decapsulate_with(&ed, &f.receiver),
        Err(SakkeError::NotInSubgroup)
    );
}
