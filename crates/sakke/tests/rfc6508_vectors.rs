//! Every value of RFC 6508 Appendix A, byte for byte.

use pairing::{pairing, AffinePoint, JacobianPoint, PfValue};
use sakke::{
    decapsulate, encapsulate, hash, EncapsulatedData, Identifier, Kms, KmsPublicKey, ReceiverKey,
    RecipientKey, Ssv,
};

#[path = "vectors/rfc6508.rs"]
mod vectors;

use vectors::*;

fn kms() -> Kms {
    Kms::from_secret_bytes(&h(Z)).expect("RFC master secret")
}

fn id() -> Identifier {
    Identifier::new(h(B)).expect("RFC identifier")
}

#[test]
fn kms_public_key() {
    assert_eq!(kms().public_key().to_bytes().to_vec(), point(ZX, ZY));
    assert!(KmsPublicKey::from_bytes(&point(ZX, ZY)).is_ok());
}

#[test]
fn identifier_is_rfc6509_form() {
    assert_eq!(
        Identifier::rfc6509("2011-02", "tel:+447700900123").unwrap(),
        id()
    );
}

#[test]
fn hash_to_integer_range_example() {
    let m = [h(SSV), h(B)].concat();
    let v: Vec<u8> = V_BLOCKS.iter().flat_map(|b| h(b)).collect();
    assert_eq!(
        hash::blocks::<128>(&m).to_vec(),
        v,
        "v' = v1 || v2 || v3 || v4"
    );
    assert_eq!(
        hash::hash_to_scalar(&m).to_be_bytes().to_vec(),
        h(R),
        "v mod q"
    );
}

#[test]
fn r_g_r_mask_and_hint() {
    let ssv = Ssv::from_bytes(&h(SSV)).unwrap();
    let r = sakke::derive_r(&ssv, &id());
    assert_eq!(r.to_be_bytes().to_vec(), h(R));
    let g_r = PfValue::generator().pow(&r);
    assert_eq!(g_r.to_bytes().to_vec(), h(G_R));
    assert_eq!(hash::pairing_mask(&g_r).to_vec(), h(MASK));
}

#[test]
fn encapsulation() {
    let ssv = Ssv::from_bytes(&h(SSV)).unwrap();
    let ed = encapsulate(&ssv, &id(), &kms().public_key()).unwrap();
    assert_eq!(ed.to_bytes().to_vec(), [point(RBX, RBY), h(HINT)].concat());
}

#[test]
fn rsk_issue_and_validation() {
    let kms = kms();
    let rsk = kms.issue_rsk(&id()).unwrap();
    assert_eq!(rsk.to_bytes().to_vec(), point(KBX, KBY));
    rsk.validate(&id(), &kms.public_key()).unwrap();
}

#[test]
fn w_is_g_r_and_decapsulation_recovers_ssv() {
    let rb = AffinePoint::from_bytes(&point(RBX, RBY)).unwrap();
    let kb = AffinePoint::from_bytes(&point(KBX, KBY)).unwrap();
    assert_eq!(
        pairing(&rb, &kb).to_bytes().to_vec(),
        h(G_R),
        "w = <R_b, K_b>"
    );

    let ed = EncapsulatedData::from_bytes(&[point(RBX, RBY), h(HINT)].concat()).unwrap();
    let kms_pub = KmsPublicKey::from_bytes(&point(ZX, ZY)).unwrap();
    let rsk = sakke::Rsk::from_bytes(&point(KBX, KBY)).unwrap();
    let ssv = decapsulate(&ed, &id(), &kms_pub, &rsk).unwrap();
    assert_eq!(ssv.as_bytes().to_vec(), h(SSV));

    // TEST = [r]([b]P + Z) == R_b
    let key = ReceiverKey::new(&id(), &kms_pub, rsk).unwrap();
    let r = sakke::derive_r(&ssv, &id());
    let test = JacobianPoint::from(*RecipientKey::base_point(key.recipient()))
        .mul(&r)
        .to_affine();
    assert_eq!(test, rb);
}
