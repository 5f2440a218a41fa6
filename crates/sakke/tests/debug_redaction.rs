//! Debug never prints a secret: master keys, RSKs, SSVs and everything holding them
//! (receiver keys, batch items and outcomes, the backend jobs made from them) print
//! `<redacted>` or leave the secret out; public keys and ciphertexts print in hex.

use pairing::backend::PairingJob;
use sakke::{
    encapsulate_to, BatchOutcome, DecapItem, EncapItem, Identifier, Kms, ReceiverKey, Ssv,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fails if `text` shows any 6 consecutive bytes of `secret`, in hex of either case or
/// as a decimal list.
fn assert_hides(text: &str, secret: &[u8]) {
    let lower = text.to_lowercase();
    for w in secret.windows(6) {
        assert!(!lower.contains(&hex(w)), "{text} shows {}", hex(w));
        let decimal = format!("{w:?}");
        assert!(
            !text.contains(decimal.trim_matches(['[', ']'])),
            "{text} shows {decimal}"
        );
    }
}

#[test]
fn keys_ssvs_jobs_and_batches_hide_their_secrets() {
    let z = [0x42u8; 20];
    let kms = Kms::from_secret_bytes(&z).unwrap();
    let id = Identifier::rfc6509("2026-11", "tel:+447700900123").unwrap();
    let rsk = kms.issue_rsk(&id).unwrap();
    let rsk_bytes = rsk.to_bytes();
    let key = ReceiverKey::new(&id, &kms.public_key(), rsk.clone()).unwrap();
    let ssv = Ssv::from([0x5a; 16]);
    let ed = encapsulate_to(&ssv, key.recipient());
    // The job batched decapsulation hands a backend: it carries the RSK.
    let job = PairingJob {
        fixed: *key.rsk_point(),
        table: Some(key.line_table_key()),
        at: *ed.point(),
    };
    let decap = DecapItem {
        encapsulated: &ed,
        key: &key,
    };
    let encap = EncapItem {
        ssv: &ssv,
        to: key.recipient(),
    };
    let outcome = BatchOutcome {
        results: vec![Ok(ssv.clone())],
        retried: 0,
        backend_error: None,
    };

    assert_eq!(format!("{rsk:?}"), "Rsk(<redacted>)");
    assert_eq!(format!("{ssv:?}"), "Ssv(<redacted>)");
    for text in [
        format!("{kms:?}"),
        format!("{rsk:?}"),
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{job:?}"),
        format!("{decap:?}"),
        format!("{encap:?}"),
        format!("{outcome:?}"),
    ] {
        assert_hides(&text, &z);
        assert_hides(&text, &kms.secret_bytes()[..]);
        assert_hides(&text, &rsk_bytes[1..]);
        assert_hides(&text, ssv.as_bytes());
    }
}

#[test]
fn public_keys_and_ciphertexts_print_their_encodings() {
    let kms = Kms::from_secret_bytes(&[0x42; 20]).unwrap();
    let public = kms.public_key();
    assert_eq!(
        format!("{public:?}"),
        format!("KmsPublicKey({})", hex(&public.to_bytes()))
    );
    let id = Identifier::rfc6509("2026-11", "tel:+447700900123").unwrap();
    let key = ReceiverKey::new(&id, &public, kms.issue_rsk(&id).unwrap()).unwrap();
    let ed = encapsulate_to(&Ssv::from([0x5a; 16]), key.recipient());
    assert_eq!(
        format!("{ed:?}"),
        format!("EncapsulatedData({})", hex(&ed.to_bytes()))
    );
}
