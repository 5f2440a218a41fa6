//! The fast paths (generator table on sign, Straus on cold verify, prepared verifiers and
//! the LRU cache) against the previous plain-multiplication paths on random keys and
//! messages, and the cache's key discipline: an entry built for other key material never
//! accepts, and a bad signature never verifies through it.

use eccsi::{
    hazmat, EccsiError, Kms, Kpak, PreparedVerifier, Signature, SigningKey, VerifierCache,
    VerifyingKey,
};
use proptest::prelude::*;

/// A 32-byte value in [1, q-1]: top bit cleared, never zero.
fn scalar_bytes(mut bytes: [u8; 32]) -> [u8; 32] {
    bytes[0] &= 0x7f;
    bytes[31] |= 1;
    bytes
}

struct Sender {
    kms: Kms,
    id: Vec<u8>,
    key: SigningKey,
}

fn sender(ksak: [u8; 32], v: [u8; 32], id: &[u8]) -> Sender {
    let kms = Kms::from_ksak_bytes(&scalar_bytes(ksak)).expect("KSAK");
    let keys = kms.issue_with_v(id, &scalar_bytes(v)).expect("issue");
    let key = SigningKey::new(id, keys.ssk, keys.pvt, kms.kpak()).expect("valid SSK");
    Sender {
        kms,
        id: id.to_vec(),
        key,
    }
}

/// Every verification path's verdict on one (id, kpak, msg, sig).
fn verdicts(
    id: &[u8],
    kpak: &Kpak,
    msg: &[u8],
    sig: &Signature,
    cache: &VerifierCache,
) -> [Result<(), EccsiError>; 4] {
    [
        hazmat::verify_reference(id, kpak, msg, sig),
        VerifyingKey::new(id, *kpak).verify(msg, sig),
        PreparedVerifier::new(id, *sig.pvt(), *kpak).verify(msg, sig),
        cache.verify(id, kpak, msg, sig),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn fast_paths_agree_with_reference(
        ksak in any::<[u8; 32]>(),
        v in any::<[u8; 32]>(),
        j in any::<[u8; 32]>(),
        id in proptest::collection::vec(any::<u8>(), 0..48),
        msg in proptest::collection::vec(any::<u8>(), 0..200),
        flip in any::<(usize, u8)>(),
    ) {
        let s = sender(ksak, v, &id);
        let kpak = s.kms.kpak();
        let j = scalar_bytes(j);
        let sig = s.key.sign_with_j(&msg, &j).expect("sign");
        let reference = hazmat::sign_with_j_reference(&s.key, &msg, &j).expect("sign");
        prop_assert_eq!(sig, reference);
        prop_assert_eq!(
            hazmat::signer_j(&j).expect("J")[1..33].to_vec(),
            sig.r_bytes().to_vec()
        );

        let cache = VerifierCache::new(8);
        for verdict in verdicts(&s.id, &kpak, &msg, &sig, &cache) {
            prop_assert_eq!(verdict, Ok(()));
        }
        // A second pass answers from the cache entry.
        prop_assert_eq!(cache.verify(&s.id, &kpak, &msg, &sig), Ok(()));
        prop_assert_eq!(cache.stats().hits, 1);

        // A changed message, and a changed signature byte (where it still decodes): every
        // path gives the same verdict as the reference, and none accepts.
        let mut other_msg = msg.clone();
        other_msg.push(flip.1);
        let all = verdicts(&s.id, &kpak, &other_msg, &sig, &cache);
        prop_assert!(all.iter().all(|v| *v == all[0] && v.is_err()));

        let mut bytes = sig.to_bytes();
        bytes[flip.0 % 64] ^= flip.1 | 1;
        if let Ok(bad) = Signature::from_bytes(&bytes) {
            let all = verdicts(&s.id, &kpak, &msg, &bad, &cache);
            prop_assert!(all.iter().all(|v| *v == all[0] && v.is_err()));
        }
        // The good signature still verifies through the cache afterwards.
        prop_assert_eq!(cache.verify(&s.id, &kpak, &msg, &sig), Ok(()));
    }
}

#[test]
fn try_sign_output_verifies_on_every_path() {
    use eccsi::rand_core::OsRng;
    let s = sender([7; 32], [9; 32], b"2026-12\0tel:+447700900124\0");
    let cache = VerifierCache::new(2);
    for n in 0..8u8 {
        let msg = [n; 33];
        let sig = s.key.try_sign(&msg, &mut OsRng).expect("sign");
        for verdict in verdicts(&s.id, &s.kms.kpak(), &msg, &sig, &cache) {
            assert_eq!(verdict, Ok(()));
        }
    }
}

#[test]
fn entries_for_other_key_material_never_accept() {
    let id_a = b"2026-12\0tel:+447700900001\0";
    let id_b = b"2026-12\0tel:+447700900002\0";
    let a = sender([1; 32], [2; 32], id_a);
    // Same KMS, another identifier.
    let b_keys = a
        .kms
        .issue_with_v(id_b, &scalar_bytes([3; 32]))
        .expect("issue");
    let b = SigningKey::new(id_b, b_keys.ssk, b_keys.pvt, a.kms.kpak()).expect("SSK");
    // Another KMS, the same identifier.
    let c = sender([4; 32], [2; 32], id_a);
    // The same identifier and KMS, a re-issued PVT.
    let a2_keys = a
        .kms
        .issue_with_v(id_a, &scalar_bytes([5; 32]))
        .expect("issue");
    let a2 = SigningKey::new(id_a, a2_keys.ssk, a2_keys.pvt, a.kms.kpak()).expect("SSK");

    let msg = b"I_MESSAGE";
    let j = scalar_bytes([6; 32]);
    let sig_a = a.key.sign_with_j(msg, &j).expect("sign");
    let sig_b = b.sign_with_j(msg, &j).expect("sign");
    let sig_c = c.key.sign_with_j(msg, &j).expect("sign");
    let sig_a2 = a2.sign_with_j(msg, &j).expect("sign");
    let kpak = a.kms.kpak();

    let prepared_a = PreparedVerifier::new(id_a, *a.key.pvt(), kpak);
    assert!(prepared_a.is_for(id_a, a.key.pvt(), &kpak));
    assert!(!prepared_a.is_for(id_b, a.key.pvt(), &kpak));
    prepared_a.verify(msg, &sig_a).expect("own signature");
    // b's signature: another PVT, refused before any arithmetic.
    assert_eq!(prepared_a.verify(msg, &sig_b), Err(EccsiError::PvtMismatch));
    assert_eq!(
        prepared_a.verify(msg, &sig_a2),
        Err(EccsiError::PvtMismatch)
    );
    // c's signature carries a's very PVT (same v, another KMS), so it reaches the Y
    // table, built for a's KPAK: the equation fails, as it must.
    assert_eq!(sig_c.pvt(), sig_a.pvt());
    assert_eq!(
        prepared_a.verify(msg, &sig_c),
        Err(EccsiError::VerificationFailed)
    );

    // Through one cache holding a's entry: every other (id, kpak) gets its own entry, and
    // a signature presented under the wrong identifier or KMS is rejected.
    let cache = VerifierCache::new(16);
    cache.verify(id_a, &kpak, msg, &sig_a).expect("a");
    assert!(cache.verify(id_b, &kpak, msg, &sig_a).is_err());
    assert!(cache.verify(id_a, &c.kms.kpak(), msg, &sig_a).is_err());
    assert!(cache.verify(id_a, &kpak, msg, &sig_c).is_err());
    assert!(cache.verify(id_a, &kpak, msg, &sig_b).is_err());
    cache.verify(id_b, &kpak, msg, &sig_b).expect("b");
    cache.verify(id_a, &c.kms.kpak(), msg, &sig_c).expect("c");
    cache
        .verify(id_a, &kpak, msg, &sig_a2)
        .expect("a, re-issued");
    cache.verify(id_a, &kpak, msg, &sig_a).expect("a again");
    // Entries: (a, PVT_a, KPAK), (b's id, PVT_a, KPAK), (a, PVT_a, KPAK_c), (a, PVT_b,
    // KPAK), (b, PVT_b, KPAK), (a, PVT_a2, KPAK). Hits: c's signature on a's entry (it
    // carries PVT_a, and was rejected), c's on its own, and a's again.
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (3, 6), "{stats:?}");
    assert_eq!(cache.len(), 6, "{stats:?}");
}

#[test]
fn lru_keeps_capacity_and_stays_correct() {
    let msg = b"m";
    let senders: Vec<Sender> = (0..4u8)
        .map(|n| sender([10 + n; 32], [20 + n; 32], &[b'u', n]))
        .collect();
    let sigs: Vec<Signature> = senders
        .iter()
        .map(|s| {
            s.key
                .sign_with_j(msg, &scalar_bytes([30; 32]))
                .expect("sign")
        })
        .collect();
    let cache = VerifierCache::new(2);
    for round in 0..3 {
        for (s, sig) in senders.iter().zip(&sigs) {
            cache
                .verify(&s.id, &s.kms.kpak(), msg, sig)
                .expect("verifies");
            assert!(cache.len() <= 2, "round {round}");
            // Another sender's signature under this sender's key material never passes.
            let other = &sigs[(sigs.iter().position(|x| x == sig).unwrap() + 1) % sigs.len()];
            assert!(cache.verify(&s.id, &s.kms.kpak(), msg, other).is_err());
        }
    }
    assert!(cache.stats().evictions > 0);

    let off = VerifierCache::new(0);
    off.verify(&senders[0].id, &senders[0].kms.kpak(), msg, &sigs[0])
        .expect("verifies without caching");
    assert!(off.is_empty());
}

/// A responder shares one cache across its worker threads.
#[test]
fn cache_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<VerifierCache>();
    assert_send_sync::<PreparedVerifier>();

    let s = sender([41; 32], [42; 32], b"2026-12\0tel:+447700900125\0");
    let sig = s
        .key
        .sign_with_j(b"m", &scalar_bytes([43; 32]))
        .expect("sign");
    let cache = std::sync::Arc::new(VerifierCache::new(4));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (cache, id, kpak) = (cache.clone(), s.id.clone(), s.kms.kpak());
            std::thread::spawn(move || {
                (0..4).all(|_| cache.verify(&id, &kpak, b"m", &sig).is_ok())
                    && cache.verify(&id, &kpak, b"n", &sig).is_err()
            })
        })
        .collect();
    for thread in threads {
        assert!(thread.join().expect("thread"));
    }
    assert_eq!(cache.len(), 1);
}
