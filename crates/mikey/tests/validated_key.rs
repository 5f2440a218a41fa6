//! Opening with a receiver key validated once (`open_i_message_with`): the same SSV as
//! the bare-RSK path, and a key for another identifier refused before decapsulation,
//! with nothing entered in the replay cache.

mod common;

use common::provision::{self, Pair};
use mikey::sakke::{Identifier, ReceiverKey};
use mikey::{open_i_message_with, MikeyError, ReplayCache, VerifyParams};

fn checks(pair: &Pair) -> VerifyParams<'_> {
    let p = pair.responder_params();
    VerifyParams {
        responder: p.responder,
        expected_initiator: p.expected_initiator,
        initiator_kpak: p.initiator_kpak,
        max_skew: p.max_skew,
        verifiers: None,
    }
}

fn key_for(pair: &Pair, identifier: Vec<u8>) -> ReceiverKey {
    let id = Identifier::new(identifier).unwrap();
    let rsk = pair.world.sakke.issue_rsk(&id).unwrap();
    ReceiverKey::new(&id, &pair.z, rsk).unwrap()
}

#[test]
fn a_validated_key_opens_like_the_bare_rsk() {
    let pair = Pair::new();
    let bob = key_for(&pair, pair.bob.id.identifier(provision::time()).unwrap());
    let mut cache = ReplayCache::new(16);
    for _ in 0..2 {
        let built = pair.build();
        let opened = open_i_message_with(
            &built.bytes,
            &checks(&pair),
            &bob,
            &mut cache,
            provision::now(),
        )
        .unwrap();
        assert_eq!(opened.ssv, built.ssv);
        assert_eq!(opened.initiator, pair.alice.id);
        // Entered in the replay cache like any accepted message.
        let again = open_i_message_with(
            &built.bytes,
            &checks(&pair),
            &bob,
            &mut cache,
            provision::now(),
        );
        assert!(matches!(again, Err(MikeyError::Replay)), "{again:?}");
    }
}

#[test]
fn a_key_for_another_identifier_is_refused_and_leaves_no_trace() {
    let pair = Pair::new();
    let built = pair.build();
    let other_month = b"2011-03\0tel:+447700900456\0".to_vec();
    let other_user = pair.alice.id.identifier(provision::time()).unwrap();
    let mut cache = ReplayCache::new(16);
    for identifier in [other_month, other_user] {
        let wrong = key_for(&pair, identifier);
        let err = open_i_message_with(
            &built.bytes,
            &checks(&pair),
            &wrong,
            &mut cache,
            provision::now(),
        )
        .unwrap_err();
        assert!(matches!(err, MikeyError::ReceiverKeyMismatch), "{err:?}");
    }
    let bob = key_for(&pair, pair.bob.id.identifier(provision::time()).unwrap());
    let opened = open_i_message_with(
        &built.bytes,
        &checks(&pair),
        &bob,
        &mut cache,
        provision::now(),
    )
    .unwrap();
    assert_eq!(opened.ssv, built.ssv);
}
