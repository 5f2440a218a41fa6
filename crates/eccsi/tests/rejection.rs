//! Everything that must not verify or decode: tampered signatures, bad points, wrong
//! identities, out-of-range r and s, bad SSKs, each with the error it should give.

use eccsi::{
    validate_ssk, EccsiError, Kms, Kpak, Pvt, Signature, SigningKey, Ssk, VerifyingKey,
    SIGNATURE_LEN,
};

/// RFC 6507 Appendix A values (see rfc6507_vectors.rs for each one checked).
const KPAK: &str = "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93\
                    DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4";
const PVT: &str = "04758A142779BE89E829E71984CB40EF758CC4AD775FC5B9A3E1C8ED52F6FA36D9\
                   A79D247692F4EDA3A6BDAB77D6AA6474A464AE4934663C5265BA7018BA091F79";
const SSK: &str = "23F374AE1F4033F3E9DBDDAAEF20F4CF0B86BBD5A138A5AE9E7E006B34489A0D";
const SIG: &str = "269D4C8FDEB66A74E4EF8C0D5DCC597DDFE6029C2AFFC4936008CD2CC1045D81\
                   E09B528D0EF8D6DF1AA3ECBF80110CFCEC9FC68252CEBB679F4134846940CCFD\
                   04758A142779BE89E829E71984CB40EF758CC4AD775FC5B9A3E1C8ED52F6FA36D9\
                   A79D247692F4EDA3A6BDAB77D6AA6474A464AE4934663C5265BA7018BA091F79";
const P: &str = "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF";
const Q: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const MSG: &[u8] = b"message\0";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

fn kpak() -> Kpak {
    Kpak::from_bytes(&h(KPAK)).expect("KPAK")
}

fn verifier() -> VerifyingKey {
    VerifyingKey::new(ID, kpak())
}

fn sig_bytes() -> Vec<u8> {
    h(SIG)
}

/// Big-endian 32-byte add of a small value (for q+1, p+1 and such).
fn plus(bytes: &str, add: u8) -> Vec<u8> {
    let mut out = h(bytes);
    let mut carry = u16::from(add);
    for byte in out.iter_mut().rev() {
        let sum = u16::from(*byte) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    out
}

fn with_r(r: &[u8]) -> Vec<u8> {
    let mut sig = sig_bytes();
    sig[..32].copy_from_slice(r);
    sig
}

fn with_s(s: &[u8]) -> Vec<u8> {
    let mut sig = sig_bytes();
    sig[32..64].copy_from_slice(s);
    sig
}

fn verify_bytes(bytes: &[u8]) -> Result<(), EccsiError> {
    let sig = Signature::from_bytes(bytes)?;
    verifier().verify(MSG, &sig)
}

#[test]
fn reference_signature_verifies() {
    verify_bytes(&sig_bytes()).expect("RFC signature");
}

#[test]
fn every_single_byte_change_is_rejected() {
    let original = sig_bytes();
    for index in 0..SIGNATURE_LEN {
        for mask in [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff] {
            let mut tampered = original.clone();
            tampered[index] ^= mask;
            assert!(
                verify_bytes(&tampered).is_err(),
                "byte {index} ^ {mask:#04x} still verifies"
            );
        }
        for value in [0x00u8, 0xff] {
            if original[index] == value {
                continue;
            }
            let mut tampered = original.clone();
            tampered[index] = value;
            assert!(
                verify_bytes(&tampered).is_err(),
                "byte {index} = {value:#04x}"
            );
        }
    }
}

#[test]
fn wrong_message_identity_or_kpak_is_rejected() {
    let sig = Signature::from_bytes(&sig_bytes()).expect("sig");
    let v = verifier();
    assert_eq!(
        v.verify(b"message", &sig).unwrap_err(),
        EccsiError::VerificationFailed
    );
    assert_eq!(
        v.verify(b"", &sig).unwrap_err(),
        EccsiError::VerificationFailed
    );
    for wrong_id in [
        &b"2011-02\0tel:+447700900124\0"[..],
        b"2011-02\0tel:+447700900123",
        b"",
    ] {
        assert_eq!(
            VerifyingKey::new(wrong_id, kpak())
                .verify(MSG, &sig)
                .unwrap_err(),
            EccsiError::VerificationFailed
        );
    }
    let other_kms = Kms::from_ksak_bytes(&[7u8; 32]).expect("KMS");
    assert_eq!(
        VerifyingKey::new(ID, other_kms.kpak())
            .verify(MSG, &sig)
            .unwrap_err(),
        EccsiError::VerificationFailed
    );
}

#[test]
fn r_out_of_range_is_rejected() {
    assert_eq!(
        verify_bytes(&with_r(&[0u8; 32])).unwrap_err(),
        EccsiError::SignatureRZero
    );
    assert_eq!(
        verify_bytes(&with_r(&h(P))).unwrap_err(),
        EccsiError::SignatureROutOfRange
    );
    assert_eq!(
        verify_bytes(&with_r(&plus(P, 1))).unwrap_err(),
        EccsiError::SignatureROutOfRange
    );
    assert_eq!(
        verify_bytes(&with_r(&[0xff; 32])).unwrap_err(),
        EccsiError::SignatureROutOfRange
    );
    // r in [q, p-1] is a legal x-coordinate (r = Jx, RFC 6507 5.2.1 step 2), so it decodes,
    // but these values do not verify.
    for r in [h(Q), plus(Q, 1)] {
        assert_eq!(
            verify_bytes(&with_r(&r)).unwrap_err(),
            EccsiError::VerificationFailed
        );
    }
}

#[test]
fn s_out_of_range_is_rejected() {
    assert_eq!(
        verify_bytes(&with_s(&[0u8; 32])).unwrap_err(),
        EccsiError::SignatureSZero
    );
    for s in [h(Q), plus(Q, 1), h(P), vec![0xff; 32]] {
        assert_eq!(
            verify_bytes(&with_s(&s)).unwrap_err(),
            EccsiError::SignatureSOutOfRange
        );
    }
}

#[test]
fn s_and_q_minus_s_both_verify_as_rfc_allows() {
    // RFC 6507 5.2.1 lets a signer send min(s', q - s'); [q - s]X has the same x as [s]X.
    let s = h(SIG)[32..64].to_vec();
    let mut q_minus_s = h(Q);
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let diff = i16::from(q_minus_s[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(diff < 0);
        q_minus_s[i] = diff.rem_euclid(256) as u8;
    }
    verify_bytes(&with_s(&q_minus_s)).expect("q - s verifies");
}

#[test]
fn signature_length_is_checked() {
    let sig = sig_bytes();
    for len in [0usize, 1, 64, 65, 128, 130, 200] {
        let mut bytes = sig.clone();
        bytes.resize(len, 0x04);
        assert_eq!(
            Signature::from_bytes(&bytes).unwrap_err(),
            EccsiError::SignatureLength(len)
        );
    }
}

#[test]
fn signature_with_bad_pvt_is_rejected() {
    let mut off_curve = sig_bytes();
    off_curve[128] ^= 1;
    assert_eq!(
        Signature::from_bytes(&off_curve).unwrap_err(),
        EccsiError::PointNotOnCurve
    );
    let mut compressed_prefix = sig_bytes();
    compressed_prefix[64] = 0x02;
    assert_eq!(
        Signature::from_bytes(&compressed_prefix).unwrap_err(),
        EccsiError::PointPrefix(0x02)
    );
    let mut x_too_big = sig_bytes();
    x_too_big[65..97].copy_from_slice(&h(P));
    assert_eq!(
        Signature::from_bytes(&x_too_big).unwrap_err(),
        EccsiError::CoordinateOutOfRange
    );
}

#[test]
fn signature_with_another_valid_pvt_is_rejected() {
    // A valid point that is not the signer's PVT changes HS and Y: verification fails.
    let mut bytes = sig_bytes();
    bytes[64..].copy_from_slice(&h(KPAK));
    assert_eq!(
        verify_bytes(&bytes).unwrap_err(),
        EccsiError::VerificationFailed
    );
}

#[test]
fn point_decoding_errors_are_distinct() {
    let good = h(PVT);
    assert_eq!(
        Pvt::from_bytes(&good[..64]).unwrap_err(),
        EccsiError::PointLength(64)
    );
    assert_eq!(
        Pvt::from_bytes(&[]).unwrap_err(),
        EccsiError::PointLength(0)
    );
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        Kpak::from_bytes(&long).unwrap_err(),
        EccsiError::PointLength(66)
    );
    // Compressed form (33 bytes) is not accepted: RFC 6507 3.2 mandates uncompressed.
    let mut compressed = vec![0x02 | (good[64] & 1)];
    compressed.extend_from_slice(&good[1..33]);
    assert_eq!(
        Pvt::from_bytes(&compressed).unwrap_err(),
        EccsiError::PointLength(33)
    );
    for prefix in [0x00u8, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff] {
        let mut bad = good.clone();
        bad[0] = prefix;
        assert_eq!(
            Pvt::from_bytes(&bad).unwrap_err(),
            EccsiError::PointPrefix(prefix)
        );
    }
    let mut x_is_p = good.clone();
    x_is_p[1..33].copy_from_slice(&h(P));
    assert_eq!(
        Pvt::from_bytes(&x_is_p).unwrap_err(),
        EccsiError::CoordinateOutOfRange
    );
    let mut y_all_ones = good.clone();
    y_all_ones[33..65].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        Pvt::from_bytes(&y_all_ones).unwrap_err(),
        EccsiError::CoordinateOutOfRange
    );
    let mut off = good.clone();
    off[40] ^= 0x10;
    assert_eq!(
        Pvt::from_bytes(&off).unwrap_err(),
        EccsiError::PointNotOnCurve
    );
    let zero = {
        let mut z = vec![0u8; 65];
        z[0] = 0x04;
        z
    };
    assert_eq!(
        Pvt::from_bytes(&zero).unwrap_err(),
        EccsiError::PointNotOnCurve
    );
    assert_eq!(
        Kpak::from_bytes(&[0x00]).unwrap_err(),
        EccsiError::IdentityPoint
    );
    assert_eq!(
        Pvt::from_bytes(&[0x00]).unwrap_err(),
        EccsiError::IdentityPoint
    );
}

#[test]
fn scalar_decoding_errors_are_distinct() {
    assert_eq!(
        Ssk::from_bytes(&[1u8; 31]).unwrap_err(),
        EccsiError::ScalarLength(31)
    );
    assert_eq!(
        Ssk::from_bytes(&[1u8; 33]).unwrap_err(),
        EccsiError::ScalarLength(33)
    );
    assert_eq!(
        Ssk::from_bytes(&[0u8; 32]).unwrap_err(),
        EccsiError::ScalarZero
    );
    assert_eq!(
        Ssk::from_bytes(&h(Q)).unwrap_err(),
        EccsiError::ScalarOutOfRange
    );
    assert_eq!(
        Ssk::from_bytes(&[0xff; 32]).unwrap_err(),
        EccsiError::ScalarOutOfRange
    );
    assert_eq!(
        Kms::from_ksak_bytes(&[0u8; 32]).unwrap_err(),
        EccsiError::ScalarZero
    );
    let q: [u8; 32] = h(Q).try_into().expect("32");
    assert_eq!(
        Kms::from_ksak_bytes(&q).unwrap_err(),
        EccsiError::ScalarOutOfRange
    );
}

#[test]
fn bad_ssk_or_pvt_fails_validation() {
    let kpak = kpak();
    let pvt = Pvt::from_bytes(&h(PVT)).expect("PVT");
    let ssk = Ssk::from_bytes(&h(SSK)).expect("SSK");
    validate_ssk(ID, &ssk, &pvt, &kpak).expect("genuine pair validates");

    let mut other = h(SSK);
    other[31] ^= 1;
    let wrong_ssk = Ssk::from_bytes(&other).expect("in range");
    assert_eq!(
        validate_ssk(ID, &wrong_ssk, &pvt, &kpak).unwrap_err(),
        EccsiError::SskValidationFailed
    );
    assert_eq!(
        validate_ssk(b"2011-02\0tel:+447700900124\0", &ssk, &pvt, &kpak).unwrap_err(),
        EccsiError::SskValidationFailed
    );
    // The KPAK as PVT: a valid point, but not the one issued with this SSK.
    assert_eq!(
        validate_ssk(ID, &ssk, &kpak_as_pvt(), &kpak).unwrap_err(),
        EccsiError::SskValidationFailed
    );
    assert_eq!(
        SigningKey::new(b"someone else", ssk, pvt, kpak).unwrap_err(),
        EccsiError::SskValidationFailed
    );
}

fn kpak_as_pvt() -> Pvt {
    Pvt::from_bytes(&h(KPAK)).expect("point")
}

#[test]
fn sign_with_j_rejects_bad_ephemerals() {
    let kms = Kms::from_ksak_bytes(&{
        let mut k = [0u8; 32];
        k[29..].copy_from_slice(&[0x01, 0x23, 0x45]);
        k
    })
    .expect("KMS");
    let mut v = [0u8; 32];
    v[29..].copy_from_slice(&[0x02, 0x34, 0x56]);
    let keys = kms.issue_with_v(ID, &v).expect("issue");
    assert_eq!(
        kms.issue_with_v(ID, &[0u8; 32]).unwrap_err(),
        EccsiError::ScalarZero
    );
    let key = SigningKey::new(ID, keys.ssk, keys.pvt, kms.kpak()).expect("key");
    assert_eq!(
        key.sign_with_j(MSG, &[0u8; 32]).unwrap_err(),
        EccsiError::ScalarZero
    );
    let q: [u8; 32] = h(Q).try_into().expect("32");
    assert_eq!(
        key.sign_with_j(MSG, &q).unwrap_err(),
        EccsiError::ScalarOutOfRange
    );
}
