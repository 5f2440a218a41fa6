//! Property tests: random and mutated bytes into every decoder must give Err (or a value
//! that re-encodes to exactly the input), never a panic; mutated signatures never verify.

use eccsi::{Kms, Kpak, Pvt, Signature, Ssk, VerifyingKey, POINT_LEN, SIGNATURE_LEN};
use proptest::prelude::*;

const KPAK: &str = "0450D4670BDE75244F28D2838A0D25558A7A72686D4522D4C8273FB6442AEBFA93\
                    DBDD37551AFD263B5DFD617F3960C65A8C298850FF99F20366DCE7D4367217F4";
const SIG: &str = "269D4C8FDEB66A74E4EF8C0D5DCC597DDFE6029C2AFFC4936008CD2CC1045D81\
                   E09B528D0EF8D6DF1AA3ECBF80110CFCEC9FC68252CEBB679F4134846940CCFD\
                   04758A142779BE89E829E71984CB40EF758CC4AD775FC5B9A3E1C8ED52F6FA36D9\
                   A79D247692F4EDA3A6BDAB77D6AA6474A464AE4934663C5265BA7018BA091F79";
const ID: &[u8] = b"2011-02\0tel:+447700900123\0";
const MSG: &[u8] = b"message\0";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// Decodes with every point decoder; any success must be canonical.
fn check_point(bytes: &[u8]) {
    if let Ok(p) = Kpak::from_bytes(bytes) {
        assert_eq!(&p.to_bytes()[..], bytes);
    }
    if let Ok(p) = Pvt::from_bytes(bytes) {
        assert_eq!(&p.to_bytes()[..], bytes);
    }
}

fn check_scalar(bytes: &[u8]) {
    if let Ok(s) = Ssk::from_bytes(bytes) {
        assert_eq!(&s.to_bytes()[..], bytes);
    }
    if let Ok(array) = <[u8; 32]>::try_from(bytes) {
        if let Ok(kms) = Kms::from_ksak_bytes(&array) {
            assert_eq!(*kms.ksak_bytes(), array);
        }
    }
}

/// Any decoded signature re-encodes exactly and is run through verification.
fn check_signature(bytes: &[u8]) -> bool {
    match Signature::from_bytes(bytes) {
        Ok(sig) => {
            assert_eq!(&sig.to_bytes()[..], bytes);
            let kpak = Kpak::from_bytes(&h(KPAK)).expect("KPAK");
            VerifyingKey::new(ID, kpak).verify(MSG, &sig).is_ok()
        }
        Err(_) => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_any_length(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_point(&bytes);
        check_scalar(&bytes);
        prop_assert!(!check_signature(&bytes));
    }

    #[test]
    fn random_point_shaped_bytes_are_rejected(body in proptest::collection::vec(any::<u8>(), POINT_LEN - 1)) {
        // A random (x, y) is on the curve with probability about 2^-256.
        let mut bytes = vec![0x04];
        bytes.extend_from_slice(&body);
        prop_assert!(Kpak::from_bytes(&bytes).is_err());
        prop_assert!(Pvt::from_bytes(&bytes).is_err());
    }

    #[test]
    fn random_scalars(bytes in proptest::array::uniform32(any::<u8>())) {
        check_scalar(&bytes);
    }

    #[test]
    fn random_signature_shaped_bytes(body in proptest::collection::vec(any::<u8>(), SIGNATURE_LEN)) {
        prop_assert!(!check_signature(&body));
        // With the genuine PVT appended, r and s are random: still never valid.
        let mut with_pvt = body.clone();
        with_pvt[64..].copy_from_slice(&h(SIG)[64..]);
        prop_assert!(!check_signature(&with_pvt));
    }

    #[test]
    fn mutated_signature_never_verifies(
        edits in proptest::collection::vec((0..SIGNATURE_LEN, 1u8..=255), 1..6)
    ) {
        let mut bytes = h(SIG);
        for (index, xor) in edits {
            bytes[index] ^= xor;
        }
        if bytes != h(SIG) {
            prop_assert!(!check_signature(&bytes));
        }
    }

    #[test]
    fn mutated_points_decode_canonically_or_fail(
        index in 0..POINT_LEN, xor in 1u8..=255, truncate in 0..=POINT_LEN
    ) {
        let mut bytes = h(KPAK);
        bytes[index] ^= xor;
        check_point(&bytes);
        prop_assert!(Kpak::from_bytes(&bytes).is_err());
        check_point(&h(KPAK)[..truncate]);
    }
}
