//! RFC 6507 Appendix A, every value checked byte for byte. The hex below is copied from
//! the appendix with its grouping kept; `h` strips the spaces.

use eccsi::{hazmat, validate_ssk, Hs, Kms, Kpak, Pvt, Signature, SigningKey, Ssk, VerifyingKey};

fn h(grouped: &str) -> Vec<u8> {
    let compact: String = grouped.split_whitespace().collect();
    hex::decode(compact).expect("test vector hex")
}

/// A short integer from the appendix (e.g. 0x12345) as 32 big-endian bytes.
fn int32(value: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&value.to_be_bytes());
    out
}

fn arr32(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().expect("32 bytes")
}

const P: &str = "FFFFFFFF 00000001 00000000 00000000
                 00000000 FFFFFFFF FFFFFFFF FFFFFFFF";
const Q: &str = "FFFFFFFF 00000000 FFFFFFFF FFFFFFFF
                 BCE6FAAD A7179E84 F3B9CAC2 FC632551";
const B: &str = "5AC635D8 AA3A93E7 B3EBBD55 769886BC
                 651D06B0 CC53B0F6 3BCE3C3E 27D2604B";
const G: &str = "04
                 6B17D1F2 E12C4247 F8BCE6E5 63A440F2
                 77037D81 2DEB33A0 F4A13945 D898C296
                 4FE342E2 FE1A7F9B 8EE7EB4A 7C0F9E16
                 2BCE3357 6B315ECE CBB64068 37BF51F5";
const KSAK: u64 = 0x12345;
const KPAK: &str = "04
                    50D4670B DE75244F 28D2838A 0D25558A
                    7A72686D 4522D4C8 273FB644 2AEBFA93
                    DBDD3755 1AFD263B 5DFD617F 3960C65A
                    8C298850 FF99F203 66DCE7D4 367217F4";
const ID_STR: &[u8] = b"2011-02\0tel:+447700900123\0";
const ID: &str = "3230 31312D30 32007465 6C3A2B34
                  34373730 30393030 31323300";
const V: u64 = 0x23456;
const PVT: &str = "04
                   758A1427 79BE89E8 29E71984 CB40EF75
                   8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9
                   A79D2476 92F4EDA3 A6BDAB77 D6AA6474
                   A464AE49 34663C52 65BA7018 BA091F79";
/// The HS hash input exactly as the appendix lists it: G || KPAK || ID || PVT.
const HS_INPUT: &str = "04
                        6B17D1F2 E12C4247 F8BCE6E5 63A440F2
                        77037D81 2DEB33A0 F4A13945 D898C296
                        4FE342E2 FE1A7F9B 8EE7EB4A 7C0F9E16
                        2BCE3357 6B315ECE CBB64068 37BF51F5
                        04
                        50D4670B DE75244F 28D2838A 0D25558A
                        7A72686D 4522D4C8 273FB644 2AEBFA93
                        DBDD3755 1AFD263B 5DFD617F 3960C65A
                        8C298850 FF99F203 66DCE7D4 367217F4
                        32303131 2D303200 74656C3A 2B343437
                        37303039 30303132 3300
                        04
                        758A1427 79BE89E8 29E71984 CB40EF75
                        8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9
                        A79D2476 92F4EDA3 A6BDAB77 D6AA6474
                        A464AE49 34663C52 65BA7018 BA091F79";
const HS: &str = "490F3FEB BC1C902F 6289723D 7F8CBF79
                  DB889308 49D19F38 F0295B5C 276C14D1";
const SSK: &str = "23F374AE 1F4033F3 E9DBDDAA EF20F4CF
                   0B86BBD5 A138A5AE 9E7E006B 34489A0D";
const M_STR: &[u8] = b"message\0";
const M: &str = "6D657373 61676500";
const J_EPHEMERAL: u64 = 0x34567;
const J: &str = "04
                 269D4C8F DEB66A74 E4EF8C0D 5DCC597D
                 DFE6029C 2AFFC493 6008CD2C C1045D81
                 6DDA6A13 10F4B067 BD5DABDA D741B7CE
                 F36457E1 96B1BFA9 7FD5F8FB B3926ADB";
const R: &str = "269D4C8F DEB66A74 E4EF8C0D 5DCC597D
                 DFE6029C 2AFFC493 6008CD2C C1045D81";
/// The HE hash input as listed: HS || r || M.
const HE_INPUT: &str = "490F3FEB BC1C902F 6289723D 7F8CBF79
                        DB889308 49D19F38 F0295B5C 276C14D1
                        269D4C8F DEB66A74 E4EF8C0D 5DCC597D
                        DFE6029C 2AFFC493 6008CD2C C1045D81
                        6D657373 61676500";
const HE: &str = "111F90EA E8271C96 DF9B3D67 26768D9E
                  E9B18145 D7EC152C FA9C23D1 C4F02285";
const S_PRIME: &str = "E09B528D 0EF8D6DF 1AA3ECBF 80110CFC
                       EC9FC682 52CEBB67 9F413484 6940CCFD";
const S: &str = "E09B528D 0EF8D6DF 1AA3ECBF 80110CFC
                 EC9FC682 52CEBB67 9F413484 6940CCFD";
const SIG: &str = "269D4C8F DEB66A74 E4EF8C0D 5DCC597D
                   DFE6029C 2AFFC493 6008CD2C C1045D81
                   E09B528D 0EF8D6DF 1AA3ECBF 80110CFC
                   EC9FC682 52CEBB67 9F413484 6940CCFD
                   04
                   758A1427 79BE89E8 29E71984 CB40EF75
                   8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9
                   A79D2476 92F4EDA3 A6BDAB77 D6AA6474
                   A464AE49 34663C52 65BA7018 BA091F79";
const Y: &str = "04
                 833898D9 39C0013B B0502728 6F95CCE0
                 37C11BD2 5799423C 76E48362 A4959978
                 95D0473A 1CD6186E E9F0C104 B472499E
                 1A24D6CE 3D85173F 02EBBD94 5C25F604";
const JX: &str = "269D4C8F DEB66A74 E4EF8C0D 5DCC597D
                  DFE6029C 2AFFC493 6008CD2C C1045D81";

fn kms() -> Kms {
    Kms::from_ksak_bytes(&int32(KSAK)).expect("KSAK")
}

fn signing_key() -> SigningKey {
    let kms = kms();
    let keys = kms.issue_with_v(&h(ID), &int32(V)).expect("issue");
    SigningKey::new(&h(ID), keys.ssk, keys.pvt, kms.kpak()).expect("valid SSK")
}

#[test]
fn identifier_and_message_encodings() {
    assert_eq!(h(ID), ID_STR);
    assert_eq!(h(M), M_STR);
}

#[test]
fn curve_parameters_are_p256() {
    // G: the crate hashes its own G; HS below only matches if it is this one.
    let g = Pvt::from_bytes(&h(G)).expect("G on curve");
    assert_eq!(g.to_bytes().to_vec(), h(G));
    // q: q-1 is the largest accepted scalar, q itself is rejected.
    let q = h(Q);
    let mut q_minus_1 = arr32(&q);
    q_minus_1[31] -= 1;
    assert!(Ssk::from_bytes(&q_minus_1).is_ok());
    assert_eq!(
        Ssk::from_bytes(&q).unwrap_err(),
        eccsi::EccsiError::ScalarOutOfRange
    );
    // p: a coordinate equal to p is out of range, p-1 is a field element.
    let p = h(P);
    let mut point = h(G);
    point[1..33].copy_from_slice(&p);
    assert_eq!(
        Pvt::from_bytes(&point).unwrap_err(),
        eccsi::EccsiError::CoordinateOutOfRange
    );
    // B: G satisfies y^2 = x^3 - 3x + B with the appendix's B, and a G with B's bytes
    // as y is rejected as off the curve.
    use p256::{FieldBytes, FieldElement};
    let fe = |bytes: &[u8]| {
        Option::<FieldElement>::from(FieldElement::from_bytes(&FieldBytes::from(arr32(bytes))))
            .expect("field element")
    };
    let g = h(G);
    let (x, y, b) = (fe(&g[1..33]), fe(&g[33..65]), fe(&h(B)));
    let three_x = x + x + x;
    assert_eq!(y.square(), x.square() * x - three_x + b);
    let mut not_g = h(G);
    not_g[33..].copy_from_slice(&h(B));
    assert_eq!(
        Pvt::from_bytes(&not_g).unwrap_err(),
        eccsi::EccsiError::PointNotOnCurve
    );
}

#[test]
fn kpak_from_ksak() {
    let kms = kms();
    assert_eq!(kms.kpak().to_bytes().to_vec(), h(KPAK));
    assert_eq!(*kms.ksak_bytes(), int32(KSAK));
    assert_eq!(Kpak::from_bytes(&h(KPAK)).expect("KPAK"), kms.kpak());
}

#[test]
fn pvt_hs_and_ssk_from_v() {
    let kms = kms();
    let keys = kms.issue_with_v(&h(ID), &int32(V)).expect("issue");
    assert_eq!(keys.pvt.to_bytes().to_vec(), h(PVT));
    assert_eq!(keys.ssk.to_bytes().to_vec(), h(SSK));

    // HS from the listed hash input, and from the crate.
    use sha2::{Digest, Sha256};
    assert_eq!(Sha256::digest(h(HS_INPUT)).to_vec(), h(HS));
    let hs = Hs::compute(&h(ID), &keys.pvt, &kms.kpak());
    assert_eq!(hs.to_bytes().to_vec(), h(HS));
}

#[test]
fn ssk_validation() {
    let kpak = Kpak::from_bytes(&h(KPAK)).expect("KPAK");
    let pvt = Pvt::from_bytes(&h(PVT)).expect("PVT");
    let ssk = Ssk::from_bytes(&h(SSK)).expect("SSK");
    let hs = validate_ssk(&h(ID), &ssk, &pvt, &kpak).expect("SSK validates");
    assert_eq!(hs.to_bytes().to_vec(), h(HS));
}

#[test]
fn signature_j_r_he_s() {
    let key = signing_key();
    assert_eq!(key.hs().to_bytes().to_vec(), h(HS));

    let j = hazmat::signer_j(&int32(J_EPHEMERAL)).expect("J");
    assert_eq!(j.to_vec(), h(J));
    assert_eq!(j[1..33].to_vec(), h(R), "r = Jx");

    use sha2::{Digest, Sha256};
    assert_eq!(Sha256::digest(h(HE_INPUT)).to_vec(), h(HE));
    let he = hazmat::he(key.hs(), &arr32(&h(R)), &h(M));
    assert_eq!(he.to_vec(), h(HE));

    let sig = key.sign_with_j(&h(M), &int32(J_EPHEMERAL)).expect("sign");
    assert_eq!(sig.r_bytes().to_vec(), h(R));
    // s' fits in 32 octets, so s = s' (RFC 6507 5.2.1 step 6).
    assert_eq!(h(S_PRIME), h(S));
    assert_eq!(sig.s_bytes().to_vec(), h(S));
    assert_eq!(sig.pvt().to_bytes().to_vec(), h(PVT));
    assert_eq!(sig.to_bytes().to_vec(), h(SIG));
}

#[test]
fn verification_y_j_and_result() {
    let kpak = Kpak::from_bytes(&h(KPAK)).expect("KPAK");
    let sig = Signature::from_bytes(&h(SIG)).expect("signature parses");
    assert_eq!(sig.to_bytes().to_vec(), h(SIG));

    let hs = Hs::compute(&h(ID), sig.pvt(), &kpak);
    assert_eq!(hs.to_bytes().to_vec(), h(HS));
    let y = hazmat::y(&hs, sig.pvt(), &kpak).expect("Y");
    assert_eq!(y.to_vec(), h(Y));

    let j = hazmat::verifier_j(&h(ID), &kpak, &h(M), &sig).expect("J");
    assert_eq!(j.to_vec(), h(J));
    assert_eq!(j[1..33].to_vec(), h(JX));
    assert_eq!(h(JX), sig.r_bytes().to_vec(), "Jx = r modulo p");

    VerifyingKey::new(&h(ID), kpak)
        .verify(&h(M), &sig)
        .expect("RFC signature verifies");
}

#[test]
fn signature_traits_on_vector() {
    use eccsi::signature::{Keypair, SignatureEncoding, Verifier};
    let key = signing_key();
    let sig = Signature::try_from(h(SIG).as_slice()).expect("parses");
    Verifier::verify(&Keypair::verifying_key(&key), &h(M), &sig).expect("trait verify");
    assert_eq!(SignatureEncoding::to_vec(&sig), h(SIG));
    assert_eq!(sig.encoded_len(), 129);
}

/// The appendix signature through every path: the previous (reference) signer and
/// verifier, the table-based ones, a prepared verifier and the cache.
#[test]
fn vector_through_every_path() {
    let key = signing_key();
    let reference = hazmat::sign_with_j_reference(&key, &h(M), &int32(J_EPHEMERAL)).expect("sign");
    assert_eq!(reference.to_bytes().to_vec(), h(SIG));
    let kpak = Kpak::from_bytes(&h(KPAK)).expect("KPAK");
    let pvt = Pvt::from_bytes(&h(PVT)).expect("PVT");
    let sig = Signature::from_bytes(&h(SIG)).expect("signature parses");
    hazmat::verify_reference(&h(ID), &kpak, &h(M), &sig).expect("reference verify");
    VerifyingKey::new(&h(ID), kpak)
        .verify(&h(M), &sig)
        .expect("cold verify");
    let prepared = eccsi::PreparedVerifier::new(&h(ID), pvt, kpak);
    assert_eq!(prepared.hs().to_bytes().to_vec(), h(HS));
    prepared.verify(&h(M), &sig).expect("prepared verify");
    let cache = eccsi::VerifierCache::new(4);
    for _ in 0..2 {
        cache
            .verify(&h(ID), &kpak, &h(M), &sig)
            .expect("cache verify");
    }
    assert_eq!(cache.stats().hits, 1);
    assert_eq!(cache.stats().misses, 1);
    // One changed message byte fails on every path.
    let mut other = h(M);
    other[0] ^= 1;
    assert!(hazmat::verify_reference(&h(ID), &kpak, &other, &sig).is_err());
    assert!(prepared.verify(&other, &sig).is_err());
    assert!(cache.verify(&h(ID), &kpak, &other, &sig).is_err());
}
