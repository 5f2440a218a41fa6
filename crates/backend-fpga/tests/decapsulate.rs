//! Batched SAKKE decapsulation end to end on `fpga-sim` (`sakke::decapsulate_batch`):
//! the SSVs the CPU encapsulated come back, a wrong receiver fails TEST, and a hung card
//! costs a CPU retry, never a wrong key.

mod common;

use backend_fpga::{FpgaBackend, FpgaConfig};
use rand::{rngs::StdRng, SeedableRng};
use sakke::{
    decapsulate_batch, encapsulate_to, DecapItem, EncapsulatedData, Identifier, Kms, ReceiverKey,
    RecipientKey, SakkeError, Ssv,
};

fn backend() -> Option<FpgaBackend> {
    match FpgaBackend::sim(FpgaConfig::default()) {
        Ok(b) => Some(b),
        Err(e) => {
            common::missing(&e.to_string());
            None
        }
    }
}

/// Two identities under one KMS, with a message to each.
fn setup() -> (Vec<ReceiverKey>, Vec<EncapsulatedData>, Vec<Ssv>) {
    let mut rng = StdRng::seed_from_u64(5);
    let kms = Kms::generate_from(&mut rng);
    let mut receivers = Vec::new();
    let mut messages = Vec::new();
    let mut ssvs = Vec::new();
    for (i, uri) in ["tel:+447700900001", "sip:carol@example.org"]
        .iter()
        .enumerate()
    {
        let id = Identifier::rfc6509("2026-12", uri).unwrap();
        receivers
            .push(ReceiverKey::new(&id, &kms.public_key(), kms.issue_rsk(&id).unwrap()).unwrap());
        let ssv = Ssv::from([0x40 + i as u8; 16]);
        messages.push(encapsulate_to(
            &ssv,
            &RecipientKey::new(&id, &kms.public_key()).unwrap(),
        ));
        ssvs.push(ssv);
    }
    (receivers, messages, ssvs)
}

#[test]
fn decapsulations_equal_the_ssvs_sent() {
    let Some(b) = backend() else { return };
    let (receivers, messages, ssvs) = setup();
    let items: Vec<DecapItem> = (0..2)
        .map(|i| DecapItem {
            encapsulated: &messages[i],
            key: &receivers[i],
        })
        .chain([DecapItem {
            encapsulated: &messages[0],
            key: &receivers[1],
        }])
        .collect();
    let out = decapsulate_batch(&b, &items);
    assert!(out.backend_error.is_none(), "{:?}", out.backend_error);
    assert_eq!(out.results[0].as_ref().unwrap(), &ssvs[0]);
    assert_eq!(out.results[1].as_ref().unwrap(), &ssvs[1]);
    assert_eq!(
        out.results[2],
        Err(SakkeError::TestFailed),
        "the wrong receiver"
    );
    assert_eq!(
        out.retried, 1,
        "only the wrong receiver's item goes back to the CPU"
    );
}

#[test]
fn a_hung_card_costs_a_retry_not_a_wrong_key() {
    let Some(b) = backend() else { return };
    let (receivers, messages, ssvs) = setup();
    b.inject_hang().unwrap();
    let items = [DecapItem {
        encapsulated: &messages[1],
        key: &receivers[1],
    }];
    let out = decapsulate_batch(&b, &items);
    assert_eq!(out.results[0].as_ref().unwrap(), &ssvs[1]);
    assert_eq!(out.retried, 1);
}
