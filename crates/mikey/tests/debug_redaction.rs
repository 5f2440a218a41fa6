//! Debug never prints key material: the SSV (the TGK), the TEK, authentication key and
//! salt derived from it, the RSK and the KMS secrets, whichever structure holds them.
//! (The SSK is eccsi's to check: `SigningKey` does not hand it out.)

mod common;

use common::provision::{self, Pair};
use mikey::eccsi::rand_core::OsRng;
use mikey::{build_i_message, open_i_message, KeyLengths, ReplayCache};

/// Fails if `text` shows any 6 consecutive bytes of `secret`, in hex of either case or
/// as a decimal list.
fn assert_hides(text: &str, secret: &[u8]) {
    let lower = text.to_lowercase();
    for w in secret.windows(6) {
        let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!lower.contains(&hex), "{text} shows {hex}");
        let decimal = format!("{w:?}");
        assert!(
            !text.contains(decimal.trim_matches(['[', ']'])),
            "{text} shows {decimal}"
        );
    }
}

#[test]
fn messages_params_and_keys_hide_key_material() {
    let pair = Pair::new();
    let params = pair.params();
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let responder = pair.responder_params();
    let opened = open_i_message(
        &built.bytes,
        &responder,
        &mut ReplayCache::new(4),
        provision::now(),
    )
    .unwrap();
    let traffic = opened.keys.traffic_keys(0, KeyLengths::default());

    let secrets: Vec<Vec<u8>> = vec![
        built.ssv.as_bytes().to_vec(),
        traffic.tek.to_vec(),
        traffic.auth_key.to_vec(),
        traffic.salt.to_vec(),
        pair.bob.rsk.to_bytes()[1..].to_vec(),
        pair.world.sakke.secret_bytes().to_vec(),
        pair.world.eccsi.ksak_bytes().to_vec(),
    ];
    for text in [
        format!("{params:?}"),
        format!("{built:?}"),
        format!("{responder:?}"),
        format!("{opened:?}"),
        format!("{:?}", opened.keys),
        format!("{traffic:?}"),
        format!("{:?}", pair.alice.signing_key),
        format!("{:?}", pair.world.sakke),
        format!("{:?}", pair.world.eccsi),
    ] {
        for secret in &secrets {
            assert_hides(&text, secret);
        }
    }
}
