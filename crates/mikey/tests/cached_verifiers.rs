//! Opening I_MESSAGEs through a cache of prepared ECCSI verifiers: the same verdicts as
//! a cold verify, message after message, and a cache entry never lends its trust to a
//! signature it was not built for.

mod common;

use common::provision::{self, Pair};
use mikey::eccsi::{CacheStats, VerifierCache, SIGNATURE_LEN};
use mikey::{open_i_message, MikeyError, ReplayCache, ResponderParams};

/// The ECCSI signature is the message's last bytes: r || s || PVT (RFC 6507 3.3).
const PVT_OFFSET: usize = 64;

fn open_with(
    pair: &Pair,
    verifiers: &VerifierCache,
    bytes: &[u8],
) -> mikey::Result<mikey::OpenedIMessage> {
    let params = ResponderParams {
        verifiers: Some(verifiers),
        ..pair.responder_params()
    };
    open_i_message(bytes, &params, &mut ReplayCache::new(16), provision::now())
}

#[test]
fn cached_opens_agree_with_cold_ones_and_reuse_one_entry_per_sender() {
    let pair = Pair::new();
    let verifiers = VerifierCache::new(8);
    for round in 0..3u64 {
        let built = pair.build();
        let cold = open_i_message(
            &built.bytes,
            &pair.responder_params(),
            &mut ReplayCache::new(16),
            provision::now(),
        )
        .unwrap();
        let cached = open_with(&pair, &verifiers, &built.bytes).unwrap();
        assert_eq!(cached.ssv, built.ssv);
        assert_eq!(cached.ssv, cold.ssv);
        assert_eq!(cached.initiator, pair.alice.id);
        assert_eq!(
            verifiers.stats(),
            CacheStats {
                hits: round,
                misses: 1,
                evictions: 0
            }
        );
    }
    assert_eq!(verifiers.len(), 1);
}

#[test]
fn a_cached_sender_still_needs_a_valid_signature() {
    let pair = Pair::new();
    let verifiers = VerifierCache::new(8);
    open_with(&pair, &verifiers, &pair.build().bytes).unwrap();

    let built = pair.build();
    let sig_start = built.bytes.len() - SIGNATURE_LEN;
    // s changed: the entry for Alice's PVT is found, and the signature still fails.
    let mut bad_s = built.bytes.clone();
    bad_s[sig_start + 40] ^= 0x01;
    // A signed byte changed: the last octet of the SAKKE payload, before the SIGN header.
    let mut bad_body = built.bytes.clone();
    bad_body[sig_start - 3] ^= 0x80;
    for bytes in [&bad_s, &bad_body] {
        let err = open_with(&pair, &verifiers, bytes).unwrap_err();
        assert!(matches!(err, MikeyError::BadSignature(_)), "{err:?}");
    }
    assert_eq!(verifiers.stats().misses, 1, "the same entry was consulted");
    // The untouched message still opens through the same entry.
    assert_eq!(
        open_with(&pair, &verifiers, &built.bytes).unwrap().ssv,
        built.ssv
    );
}

#[test]
fn another_users_pvt_gets_its_own_entry_and_fails() {
    let pair = Pair::new();
    let mallory = pair.world.user("tel:+447700900999");
    let verifiers = VerifierCache::new(8);
    // Mallory's keys are in the cache, under Mallory's identifier.
    let mut params = pair.params();
    params.initiator = &mallory.id;
    params.signing_key = &mallory.signing_key;
    let from_mallory = mikey::build_i_message(&params, &mut mikey::eccsi::rand_core::OsRng)
        .unwrap()
        .bytes;
    let mallory_params = ResponderParams {
        expected_initiator: Some(&mallory.id),
        verifiers: Some(&verifiers),
        ..pair.responder_params()
    };
    open_i_message(
        &from_mallory,
        &mallory_params,
        &mut ReplayCache::new(16),
        provision::now(),
    )
    .unwrap();

    // Alice's message with Mallory's PVT in place of hers: a new entry (Alice's
    // identifier with Mallory's PVT), whose verify fails.
    let mut forged = pair.build().bytes;
    let pvt_at = forged.len() - SIGNATURE_LEN + PVT_OFFSET;
    let mallory_pvt = &from_mallory[from_mallory.len() - SIGNATURE_LEN + PVT_OFFSET..];
    forged[pvt_at..].copy_from_slice(mallory_pvt);
    let err = open_with(&pair, &verifiers, &forged).unwrap_err();
    assert!(matches!(err, MikeyError::BadSignature(_)), "{err:?}");
    assert_eq!(verifiers.stats().misses, 2);
}
