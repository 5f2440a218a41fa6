//! Random round trips, RSK validation, and the fixed-length encodings that an existing
//! implementation gets wrong about once in 150 encapsulations.

use pairing::PfValue;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sakke::{
    decapsulate, decapsulate_with, derive_r, encapsulate, encapsulate_to, hash, EncapsulatedData,
    Identifier, Kms, KmsPublicKey, ReceiverKey, RecipientKey, Rsk, SakkeError, Ssv,
};

fn random_id(rng: &mut StdRng) -> Identifier {
    let number: u64 = rng.gen_range(0..10_000_000_000);
    Identifier::rfc6509("2026-11", &format!("tel:+44{number:010}")).unwrap()
}

#[test]
fn random_kms_identities_and_ssvs_round_trip() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..3 {
        let kms = Kms::generate_from(&mut rng);
        // The key store round trip of the master secret gives the same KMS.
        let again = Kms::from_secret_bytes(&kms.secret_bytes()[..]).unwrap();
        assert_eq!(again.public_key(), kms.public_key());
        let kms_pub = KmsPublicKey::from_bytes(&kms.public_key().to_bytes()).unwrap();
        let id = random_id(&mut rng);
        let rsk = kms.issue_rsk(&id).unwrap();
        let rsk = Rsk::from_bytes(&rsk.to_bytes()[..]).unwrap();
        let ssv = Ssv::random_from(&mut rng);
        let ed = encapsulate(&ssv, &id, &kms_pub).unwrap();
        let ed = EncapsulatedData::from_bytes(&ed.to_bytes()).unwrap();
        assert_eq!(decapsulate(&ed, &id, &kms_pub, &rsk).unwrap(), ssv);
    }
}

#[test]
fn rsk_validation_accepts_issued_and_rejects_others() {
    let mut rng = StdRng::seed_from_u64(8);
    let kms = Kms::generate_from(&mut rng);
    let (alice, bob) = (random_id(&mut rng), random_id(&mut rng));
    let rsk_alice = kms.issue_rsk(&alice).unwrap();
    rsk_alice.validate(&alice, &kms.public_key()).unwrap();
    // Bob's RSK is a valid point of order q, but not Alice's key.
    let rsk_bob = kms.issue_rsk(&bob).unwrap();
    assert_eq!(
        rsk_bob.validate(&alice, &kms.public_key()),
        Err(SakkeError::RskInvalid)
    );
    // Another KMS's key for the same identifier.
    let other = Kms::generate_from(&mut rng).issue_rsk(&alice).unwrap();
    assert_eq!(
        ReceiverKey::new(&alice, &kms.public_key(), other).err(),
        Some(SakkeError::RskInvalid)
    );
    // A corrupted encoding does not even decode.
    let mut bytes = rsk_alice.to_bytes();
    bytes[200] ^= 1;
    assert!(matches!(
        Rsk::from_bytes(&bytes[..]),
        Err(SakkeError::Point { .. })
    ));
}

#[test]
fn pairing_value_with_leading_zero_byte_is_hashed_at_full_length() {
    let kms = Kms::from_secret_bytes(&[0x42; 20]).unwrap();
    let id = Identifier::rfc6509("2026-11", "tel:+447700900123").unwrap();
    let recipient = RecipientKey::new(&id, &kms.public_key()).unwrap();
    let receiver = ReceiverKey::new(&id, &kms.public_key(), kms.issue_rsk(&id).unwrap()).unwrap();
    // Search deterministic SSVs for one whose g^r encodes with a leading zero byte.
    let (ssv, g_r) = (0u32..)
        .map(|i| {
            let mut b = [0u8; 16];
            b[12..].copy_from_slice(&i.to_be_bytes());
            let ssv = Ssv::from(b);
            let g_r = PfValue::generator().pow(&derive_r(&ssv, &id));
            (ssv, g_r)
        })
        .find(|(_, g_r)| g_r.to_bytes()[0] == 0)
        .unwrap();
    let full = g_r.to_bytes();
    let stripped: Vec<u8> = full.iter().copied().skip_while(|&b| b == 0).collect();
    assert_ne!(
        *hash::hash_to_mask(&full),
        *hash::hash_to_mask(&stripped),
        "the two readings differ"
    );
    let ed = encapsulate_to(&ssv, &recipient);
    let mask = hash::pairing_mask(&g_r);
    let expected_h: Vec<u8> = ssv
        .as_bytes()
        .iter()
        .zip(mask.iter())
        .map(|(s, m)| s ^ m)
        .collect();
    assert_eq!(ed.hint().to_vec(), expected_h);
    assert_eq!(decapsulate_with(&ed, &receiver).unwrap(), ssv);
}

#[test]
fn hint_with_leading_zero_byte_keeps_sixteen_bytes() {
    let kms = Kms::from_secret_bytes(&[0x17; 24]).unwrap();
    let id = Identifier::rfc6509("2026-11", "sip:alice@example.org").unwrap();
    let recipient = RecipientKey::new(&id, &kms.public_key()).unwrap();
    let receiver = ReceiverKey::new(&id, &kms.public_key(), kms.issue_rsk(&id).unwrap()).unwrap();
    let (ssv, ed) = (0u32..)
        .map(|i| {
            let mut b = [0xa5u8; 16];
            b[12..].copy_from_slice(&i.to_be_bytes());
            let ssv = Ssv::from(b);
            let ed = encapsulate_to(&ssv, &recipient);
            (ssv, ed)
        })
        .find(|(_, ed)| ed.hint()[0] == 0)
        .unwrap();
    let bytes = ed.to_bytes();
    assert_eq!(bytes.len(), 273);
    assert_eq!(bytes[257], 0);
    let parsed = EncapsulatedData::from_bytes(&bytes).unwrap();
    assert_eq!(decapsulate_with(&parsed, &receiver).unwrap(), ssv);
}

#[test]
fn identifiers_outside_range_are_rejected() {
    assert!(matches!(
        Identifier::new(vec![]),
        Err(SakkeError::IdentifierOutOfRange { .. })
    ));
    assert!(matches!(
        Identifier::new(vec![1]),
        Err(SakkeError::IdentifierOutOfRange { .. })
    ));
    assert!(matches!(
        Identifier::new(vec![0, 0, 1]),
        Err(SakkeError::IdentifierOutOfRange { .. })
    ));
    assert!(matches!(
        Identifier::new(vec![0xff; 128]),
        Err(SakkeError::IdentifierOutOfRange { .. })
    ));
    assert!(matches!(
        Identifier::new(vec![1; 129]),
        Err(SakkeError::IdentifierOutOfRange { .. })
    ));
    assert!(Identifier::new(vec![2]).is_ok());
    assert!(Identifier::new(pairing::constants::q().map(|b| b)).is_err());
}

#[test]
fn master_secret_outside_range_is_rejected() {
    for bad in [
        vec![],
        vec![0],
        vec![1],
        pairing::constants::q().to_vec(),
        vec![0xff; 128],
        vec![1; 129],
    ] {
        assert!(
            matches!(
                Kms::from_secret_bytes(&bad),
                Err(SakkeError::MasterSecretOutOfRange)
            ),
            "{bad:?}"
        );
    }
    assert!(Kms::from_secret_bytes(&[2]).is_ok());
}
