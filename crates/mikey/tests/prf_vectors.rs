//! PRF and key-derivation vectors.
//!
//! Expected values come from `tests/data/prf_vectors.py`, an independent Python
//! implementation written straight from RFC 3830 4.1.2-4.1.4 and RFC 6043 6.1 using only
//! the standard `hmac` / `hashlib` modules; run `python3 tests/data/prf_vectors.py` and
//! compare with the `name = hex` lines below. Inputs: the Streamwide Test 1 GMK as TGK
//! with that message's CSB ID (0x06a12aea), CS ID 4 and RAND; plus a 40-byte key (two
//! inkey blocks, the second short) with a 70-byte output (several P blocks).

use mikey::{
    derive_from_envelope, derive_from_tgk, prf, tgk_label, EnvelopeKeyKind, KeyLengths, PrfFunc,
    SessionKeys, TgkKeyKind,
};

const GMK: &str = "07d1a1677ac36d8e81620484689b3c2d";
const CSB: u32 = 0x06A1_2AEA;
const RAND: &str = "ca2f5d51ff0866362c1d85a56f84651e";

fn long_key() -> Vec<u8> {
    (1..=40).collect()
}

fn long_rand() -> Vec<u8> {
    (0xA0..0xA0 + 20).collect()
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn func(f: u8) -> PrfFunc {
    PrfFunc::from_u8(f).unwrap()
}

#[test]
fn tgk_derivations_match_python() {
    // (PRF func, kind, len, expected)
    let cases = [
        (0, TgkKeyKind::Tek, 16, "a4b67b92a7a2f98636734f9740c1e8f0"),
        (
            0,
            TgkKeyKind::Auth,
            20,
            "12b3421c690fb75031c5cc84cb0b3df2266fef6d",
        ),
        (0, TgkKeyKind::Encr, 16, "00bf349b1530cb394bbef824d4a2e64b"),
        (0, TgkKeyKind::Salt, 14, "6760f4861960b860b1de456374aa"),
        (1, TgkKeyKind::Tek, 16, "acb1b4e2b2dca12291e1794a8ef84947"),
        (
            1,
            TgkKeyKind::Auth,
            20,
            "bd320f0301140f90a8853b5064782782d7bb3b04",
        ),
        (1, TgkKeyKind::Encr, 16, "e6ce4da2dfa525c379fac5b776649076"),
        (1, TgkKeyKind::Salt, 14, "ee2f78e5ef16939d4a9383271c6c"),
    ];
    for (f, kind, len, expected) in cases {
        let got = derive_from_tgk(func(f), &h(GMK), kind, 4, CSB, &h(RAND), len);
        assert_eq!(hex::encode(&*got), expected, "func {f} {kind:?}");
    }
}

#[test]
fn multi_block_key_and_output_match_python() {
    let f0 = "0f5f907bedf157f51c1350b38ef887c0857d24a9304deb857b60a946eb22996f9401f31869bbc5a92d08ea184216bf3e8577b9ccc0e5ec3a38333300954c49a068cfe39d7e36";
    let f1 = "4259c3d197d75343b59bc335eadc5f5fc57aa3bfe70a9e357b9ac88c1abfc88c522632e05364df2f372ccf089180c3190c126713a44bfb76a5b678e212b435c4493f4f4de46d";
    for (f, expected) in [(0, f0), (1, f1)] {
        let label = tgk_label(TgkKeyKind::Tek, 0, 0xDEAD_BEEF, &long_rand());
        let mut out = [0u8; 70];
        prf(func(f), &long_key(), &label, &mut out);
        assert_eq!(hex::encode(out), expected, "func {f}");
        // A shorter output is a prefix of the longer one.
        let mut short = [0u8; 17];
        prf(func(f), &long_key(), &label, &mut short);
        assert_eq!(short[..], out[..17]);
    }
}

#[test]
fn envelope_derivations_match_python() {
    let cases = [
        (
            0,
            EnvelopeKeyKind::Auth,
            true,
            32,
            "ba61b9e8fd92c34c1b4bf6cafeb2c35c664e3517770375237a0de2c327375c09",
        ),
        (
            0,
            EnvelopeKeyKind::Encr,
            false,
            16,
            "ef1258687e956768af136445498e3f13",
        ),
        (
            0,
            EnvelopeKeyKind::Salt,
            false,
            14,
            "590e27e17a64765a0f077790861b",
        ),
        (
            1,
            EnvelopeKeyKind::Auth,
            true,
            32,
            "19ce9a40d44d86650d93883730e1e4835073b744cfdf5aafd63ec0f290adeef5",
        ),
        (
            1,
            EnvelopeKeyKind::Encr,
            false,
            16,
            "64eee77b4c59150e0ead539798b3831a",
        ),
        (
            1,
            EnvelopeKeyKind::Salt,
            false,
            14,
            "f540c4139e50fa70d8d979a9cebc",
        ),
    ];
    for (f, kind, long, len, expected) in cases {
        let key = if long { long_key() } else { h(GMK) };
        let got = derive_from_envelope(func(f), &key, kind, 0x0102_0304, &long_rand(), len);
        assert_eq!(hex::encode(&*got), expected, "func {f} {kind:?}");
    }
}

#[test]
fn session_keys_use_the_same_derivation() {
    let keys = SessionKeys::new(&h(GMK), PrfFunc::HmacSha256, CSB, &h(RAND));
    let t = keys.traffic_keys(4, KeyLengths::default());
    assert_eq!(hex::encode(&*t.tek), "acb1b4e2b2dca12291e1794a8ef84947");
    assert_eq!(
        hex::encode(&*t.auth_key),
        "bd320f0301140f90a8853b5064782782d7bb3b04"
    );
    assert_eq!(hex::encode(&*t.salt), "ee2f78e5ef16939d4a9383271c6c");
}
