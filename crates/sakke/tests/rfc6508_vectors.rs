//! Every value of RFC 6508 Appendix A, byte for byte.

use pairing::{pairing, AffinePoint, JacobianPoint, PfValue};
use sakke::{
    decapsulate, encapsulate, hash, EncapsulatedData, Identifier, Kms, KmsPublicKey, ReceiverKey,
    RecipientKey, Ssv,
};

fn h(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).expect("hex")
}

const Z: &str = "AFF429D3 5F84B110 D094803B 3595A6E2 998BC99F";
const ZX: &str = "5958EF1B 1679BF09 9B3A030D F255AA6A 23C1D8F1 43D4D23F 753E69BD 27A832F3
    8CB4AD53 DDEF4260 B0FE8BB4 5C4C1FF5 10EFFE30 0367A37B 61F701D9 14AEF097
    24825FA0 707D61A6 DFF4FBD7 273566CD DE352A0B 04B7C16A 78309BE6 40697DE7
    47613A5F C195E8B9 F328852A 579DB8F9 9B1D0034 479EA9C5 595F47C4 B2F54FF2";
const ZY: &str = "1508D375 14DCF7A8 E143A605 8C09A6BF 2C9858CA 37C25806 5AE6BF75 32BC8B5B
    63383866 E0753C5A C0E72709 F8445F2E 6178E065 857E0EDA 10F68206 B63505ED
    87E534FB 2831FF95 7FB7DC61 9DAE6130 1EEACC2F DA3680EA 4999258A 833CEA8F
    C67C6D19 487FB449 059F26CC 8AAB655A B58B7CC7 96E24E9A 39409575 4F5F8BAE";
const B: &str = "3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300";
const SSV: &str = "12345678 9ABCDEF0 12345678 9ABCDEF0";
const R: &str = "13EE3E1B 8DAC5DB1 68B1CEB3 2F0566A4 C273693F 78BAFFA2 A2EE6A68 6E6BD90F
    8206CCAB 84E7F42E D39BD4FB 131012EC CA2ECD21 19414560 C17CAB46 B956A80F
    58A3302E B3E2C9A2 28FBA7ED 34D8ACA2 392DA1FF B0B17B23 20AE09AA EDFD0235
    F6FE0EB6 5337A63F 9CC97728 B8E5AD04 60FADE14 4369AA5B 21662132 47712096";
const RBX: &str = "44E8AD44 AB8592A6 A5A3DDCA 5CF896C7 18043606 A01D650D EF37A01F 37C228C3
    32FC3173 54E2C274 D4DAF8AD 001054C7 6CE57971 C6F4486D 57230432 61C506EB
    F5BE438F 53DE04F0 67C776E0 DD3B71A6 29013328 3725A532 F21AF145 126DC1D7
    77ECC27B E50835BD 28098B8A 73D9F801 D893793A 41FF5C49 B87E79F2 BE4D56CE";
const RBY: &str = "557E134A D85BB1D4 B9CE4F8B E4B08A12 BABF55B1 D6F1D7A6 38019EA2 8E15AB1C
    9F76375F DD1210D4 F4351B9A 009486B7 F3ED46C9 65DED2D8 0DADE4F3 8C6721D5
    2C3AD103 A10EBD29 59248B4E F006836B F097448E 6107C9ED EE9FB704 823DF199
    F832C905 AE45F8A2 47A072D8 EF729EAB C5E27574 B07739B3 4BE74A53 2F747B86";
const G_R: &str = "7D2A8438 E6291C64 9B6579EB 3B79EAE9 48B1DE9E 5F7D1F40 70A08F8D B6B3C515
    6F2201AF FBB5CB9D 82AA3EC0 D0398B89 ABC78A13 A760C0BF 3F77E63D 0DF3F1A3
    41A41B88 11DF197F D6CD0F00 3125606F 4F109F40 0F7292A1 0D255E3C 0EBCCB42
    53FB182C 68F09CF6 CD9C4A53 DA6C74AD 007AF36B 8BCA979D 5895E282 F483FCD6";
const MASK: &str = "9BD4EA1E 801D37E6 2AD2FAB0 D4F5BBF7";
const HINT: &str = "89E0BC66 1AA1E916 38E6ACC8 4E496507";
const KBX: &str = "93AF67E5 007BA6E6 A80DA793 DA300FA4 B52D0A74 E25E6E7B 2B3D6EE9 D18A9B5C
    5023597B D82D8062 D3401956 3BA1D25C 0DC56B7B 979D74AA 50F29FBF 11CC2C93
    F5DFCA61 5E609279 F6175CEA DB00B58C 6BEE1E7A 2A47C4F0 C456F052 59A6FA94
    A634A40D AE1DF593 D4FECF68 8D5FC678 BE7EFC6D F3D68353 25B83B2C 6E69036B";
const KBY: &str = "155F0A27 241094B0 4BFB0BDF AC6C670A 65C325D3 9A069F03 659D44CA 27D3BE8D
    F311172B 55416018 1CBE94A2 A783320C ED590BC4 2644702C F371271E 496BF20F
    588B78A1 BC01ECBB 6559934B DD2FB65D 2884318A 33D1A42A DF5E33CC 5800280B
    28356497 F87135BA B9612A17 26042440 9AC15FEE 996B744C 33215123 5DECB0F5";
const V_BLOCKS: [&str; 4] = [
    "FA2656CA 1D2DBD79 015AE918 773DFEDC 24957C91 E3C9C335 40D6BF6D 7C3C0055",
    "F016CD67 59620AD7 87669E3A DD887DF6 25895A91 0CEE1486 91A06735 B2F0A248",
    "AC45C6F9 7F83BCE0 A2BBD0A1 4CF4D7F4 CB3590FB FAF93AE7 1C64E426 185710B5",
    "E65D50BD 551A54EF 981F535E 072DE98D 2223ACAD 4621E026 3B0A61EA C56DB078",
];

fn point(x: &str, y: &str) -> Vec<u8> {
    [vec![4u8], h(x), h(y)].concat()
}

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
