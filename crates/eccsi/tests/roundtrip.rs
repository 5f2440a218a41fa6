//! Random round trips: fresh KMSs, random identifiers and messages, sign then verify, and
//! every encoding back and forth; plus the RustCrypto trait impls and RNG failure.

use eccsi::rand_core::{CryptoRng, Error as RngError, OsRng, RngCore};
use eccsi::signature::{Keypair, RandomizedSigner, SignatureEncoding, Signer, Verifier};
use eccsi::{validate_ssk, EccsiError, Kms, Kpak, Pvt, Signature, SigningKey, Ssk, VerifyingKey};

fn random_bytes(max_len: u32) -> Vec<u8> {
    let len = (OsRng.next_u32() % (max_len + 1)) as usize;
    let mut out = vec![0u8; len];
    OsRng.fill_bytes(&mut out);
    out
}

#[test]
fn issue_sign_verify_random() {
    for _ in 0..4 {
        let kms = Kms::generate(&mut OsRng);
        let restored = Kms::from_ksak_bytes(&kms.ksak_bytes()).expect("KSAK round trip");
        assert_eq!(restored.kpak(), kms.kpak());
        let kpak = Kpak::from_bytes(&kms.kpak().to_bytes()).expect("KPAK round trip");
        assert_eq!(kpak, kms.kpak());

        for _ in 0..4 {
            let id = random_bytes(64);
            let keys = kms.issue(&id, &mut OsRng).expect("issue");
            let hs = validate_ssk(&id, &keys.ssk, &keys.pvt, &kpak).expect("fresh SSK validates");
            let ssk = Ssk::from_bytes(keys.ssk.to_bytes().as_ref()).expect("SSK round trip");
            assert_eq!(ssk, keys.ssk);
            let pvt = Pvt::from_bytes(&keys.pvt.to_bytes()).expect("PVT round trip");
            assert_eq!(pvt, keys.pvt);

            let signer = SigningKey::new(&id, ssk, pvt, kpak).expect("signing key");
            assert_eq!(signer.hs(), &hs);
            let verifier = VerifyingKey::new(&id, kpak);
            assert_eq!(signer.verifying_key(), verifier);

            for _ in 0..4 {
                let msg = random_bytes(300);
                let sig = signer.sign(&msg, &mut OsRng);
                verifier.verify(&msg, &sig).expect("verifies");
                let decoded = Signature::from_bytes(&sig.to_bytes()).expect("decodes");
                assert_eq!(decoded, sig);
                verifier.verify(&msg, &decoded).expect("decoded verifies");

                let mut other = msg.clone();
                other.push(0);
                assert_eq!(
                    verifier.verify(&other, &sig).unwrap_err(),
                    EccsiError::VerificationFailed
                );
            }
        }
    }
}

#[test]
fn fresh_signatures_differ() {
    let kms = Kms::generate(&mut OsRng);
    let keys = kms.issue(b"alice", &mut OsRng).expect("issue");
    let signer = SigningKey::new(b"alice", keys.ssk, keys.pvt, kms.kpak()).expect("key");
    let a = signer.sign(b"same", &mut OsRng);
    let b = signer.sign(b"same", &mut OsRng);
    assert_ne!(a.r_bytes(), b.r_bytes(), "j must be fresh per signature");
}

#[test]
fn sign_with_j_is_deterministic() {
    let kms = Kms::generate(&mut OsRng);
    let keys = kms.issue(b"bob", &mut OsRng).expect("issue");
    let signer = SigningKey::new(b"bob", keys.ssk, keys.pvt, kms.kpak()).expect("key");
    let mut j = [0u8; 32];
    j[31] = 42;
    let a = signer.sign_with_j(b"m", &j).expect("sign");
    let b = signer.sign_with_j(b"m", &j).expect("sign");
    assert_eq!(a, b);
    signer.verifying_key().verify(b"m", &a).expect("verifies");
}

#[test]
fn keys_from_another_kms_do_not_validate() {
    let kms_a = Kms::generate(&mut OsRng);
    let kms_b = Kms::generate(&mut OsRng);
    let keys = kms_a.issue(b"carol", &mut OsRng).expect("issue");
    assert_eq!(
        SigningKey::new(b"carol", keys.ssk.clone(), keys.pvt, kms_b.kpak()).unwrap_err(),
        EccsiError::SskValidationFailed
    );
    let signer = SigningKey::new(b"carol", keys.ssk, keys.pvt, kms_a.kpak()).expect("key");
    let sig = signer.sign(b"x", &mut OsRng);
    assert_eq!(
        VerifyingKey::new(b"carol", kms_b.kpak())
            .verify(b"x", &sig)
            .unwrap_err(),
        EccsiError::VerificationFailed
    );
}

#[test]
fn rustcrypto_traits_round_trip() {
    let kms = Kms::generate(&mut OsRng);
    let keys = kms.issue(b"dave", &mut OsRng).expect("issue");
    let signer = SigningKey::new(b"dave", keys.ssk, keys.pvt, kms.kpak()).expect("key");
    let verifier = Keypair::verifying_key(&signer);

    let sig: Signature = Signer::sign(&signer, b"hello");
    Verifier::verify(&verifier, b"hello", &sig).expect("Signer/Verifier");
    assert!(Verifier::verify(&verifier, b"hellO", &sig).is_err());

    let sig = RandomizedSigner::sign_with_rng(&signer, &mut OsRng, b"hello");
    Verifier::verify(&verifier, b"hello", &sig).expect("RandomizedSigner");

    let repr: [u8; 129] = SignatureEncoding::to_bytes(&sig);
    let back = Signature::try_from(&repr[..]).expect("TryFrom<&[u8]>");
    assert_eq!(back, sig);
    assert_eq!(<[u8; 129]>::from(sig), repr);
}

#[test]
fn debug_output_does_not_reveal_secrets() {
    let kms = Kms::from_ksak_bytes(&[0x11; 32]).expect("KMS");
    let keys = kms.issue(b"eve", &mut OsRng).expect("issue");
    let ssk_hex = hex::encode(*keys.ssk.to_bytes());
    let signer = SigningKey::new(b"eve", keys.ssk.clone(), keys.pvt, kms.kpak()).expect("key");
    for text in [
        format!("{kms:?}"),
        format!("{keys:?}"),
        format!("{signer:?}"),
        format!("{:?}", keys.ssk),
    ] {
        assert!(text.contains("redacted"), "{text}");
        assert!(!text.contains(&"11".repeat(32)), "{text}");
        assert!(!text.to_lowercase().contains(&ssk_hex), "{text}");
    }
}

/// An RNG that always reports failure.
struct FailingRng;

impl RngCore for FailingRng {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
    }
    fn try_fill_bytes(&mut self, _dest: &mut [u8]) -> Result<(), RngError> {
        Err(RngError::new("entropy source unavailable"))
    }
}

impl CryptoRng for FailingRng {}

/// An RNG that "works" but only ever produces 0xff bytes (>= q, never a valid scalar).
struct StuckRng;

impl RngCore for StuckRng {
    fn next_u32(&mut self) -> u32 {
        u32::MAX
    }
    fn next_u64(&mut self) -> u64 {
        u64::MAX
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0xff);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RngError> {
        dest.fill(0xff);
        Ok(())
    }
}

impl CryptoRng for StuckRng {}

#[test]
fn rng_failure_is_an_error_not_a_panic() {
    let kms = Kms::generate(&mut OsRng);
    assert_eq!(
        kms.issue(b"frank", &mut FailingRng).unwrap_err(),
        EccsiError::Rng
    );
    assert_eq!(
        kms.issue(b"frank", &mut StuckRng).unwrap_err(),
        EccsiError::Rng
    );
    let keys = kms.issue(b"frank", &mut OsRng).expect("issue");
    let signer = SigningKey::new(b"frank", keys.ssk, keys.pvt, kms.kpak()).expect("key");
    assert_eq!(
        signer.try_sign(b"m", &mut FailingRng).unwrap_err(),
        EccsiError::Rng
    );
    assert_eq!(
        signer.try_sign(b"m", &mut StuckRng).unwrap_err(),
        EccsiError::Rng
    );
    assert!(RandomizedSigner::try_sign_with_rng(&signer, &mut FailingRng, b"m").is_err());
    let sig = signer
        .try_sign(b"m", &mut OsRng)
        .expect("works with a real RNG");
    signer.verifying_key().verify(b"m", &sig).expect("verifies");
}
