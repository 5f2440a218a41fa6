//! SAKKE work through the engine: decapsulations, encapsulations and I_MESSAGEs, right
//! byte for byte, with every error typed and a corrupting backend costing only retries.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::{cpu, Controlled};
use engine::scheduler::{
    Answer, Engine, EngineConfig, EngineError, Job, OpenRequest, Priority, ReplayCheck,
    SubmitOptions,
};
use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::SigningKey;
use mikey::{build_i_message, IMessageParams, MikeyError, NtpTimestamp, PartyId};
use sakke::{
    encapsulate_to, EncapsulatedData, Identifier, Kms, ReceiverKey, RecipientKey, SakkeError, Ssv,
};

/// 2026-11-20T10:00:00Z.
const T: i64 = 1_795_168_800;

struct User {
    id: PartyId,
    key: Arc<ReceiverKey>,
    signing: SigningKey,
}

struct World {
    sakke: Kms,
    eccsi: mikey::eccsi::Kms,
}

impl World {
    fn new() -> World {
        World {
            sakke: Kms::generate(),
            eccsi: mikey::eccsi::Kms::generate(&mut OsRng),
        }
    }

    fn user(&self, uri: &str) -> User {
        let id = PartyId::Uri(uri.into());
        let identifier = id.identifier(time()).unwrap();
        let sakke_id = Identifier::new(identifier.clone()).unwrap();
        let rsk = self.sakke.issue_rsk(&sakke_id).unwrap();
        let key = ReceiverKey::new(&sakke_id, &self.sakke.public_key(), rsk).unwrap();
        let keys = self.eccsi.issue(&identifier, &mut OsRng).unwrap();
        let signing = SigningKey::new(&identifier, keys.ssk, keys.pvt, self.eccsi.kpak()).unwrap();
        User {
            id,
            key: Arc::new(key),
            signing,
        }
    }
}

fn time() -> NtpTimestamp {
    NtpTimestamp::from_unix(T, 0).unwrap()
}

fn config() -> EngineConfig {
    EngineConfig {
        max_batch: 16,
        preferred_batch_sizes: vec![16],
        max_queue_delay: Duration::from_millis(5),
        ..EngineConfig::default()
    }
}

fn ssv_of(answer: Answer) -> Ssv {
    match answer {
        Answer::Ssv(ssv) => ssv,
        other => panic!("not an SSV: {other:?}"),
    }
}

const NORMAL: SubmitOptions = SubmitOptions {
    priority: Priority::Normal,
    deadline: None,
};

#[test]
fn decapsulations_for_many_users_come_back_right_and_tampering_is_typed() {
    let world = World::new();
    let users: Vec<User> = (0..3)
        .map(|i| world.user(&format!("tel:+4477009000{i}")))
        .collect();
    let engine = Engine::new(config(), cpu(2), vec![]).unwrap();
    let sent: Vec<(usize, Ssv, EncapsulatedData)> = (0..24)
        .map(|i| {
            let ssv = Ssv::from([i as u8; 16]);
            let user = i % users.len();
            let ed = encapsulate_to(&ssv, users[user].key.recipient());
            (user, ssv, ed)
        })
        .collect();
    let tickets: Vec<_> = sent
        .iter()
        .map(|(user, _, ed)| {
            engine.submit(
                Job::Decapsulate {
                    key: users[*user].key.clone(),
                    encapsulated: *ed,
                },
                NORMAL,
            )
        })
        .collect();
    // The same ciphertext for the wrong user fails TEST.
    let misdirected = engine.submit(
        Job::Decapsulate {
            key: users[1].key.clone(),
            encapsulated: sent[0].2,
        },
        NORMAL,
    );
    for ((_, ssv, _), t) in sent.iter().zip(tickets) {
        assert!(ssv_of(t.wait().unwrap()) == *ssv);
    }
    assert!(matches!(
        misdirected.wait(),
        Err(EngineError::Sakke(SakkeError::TestFailed))
    ));
}

#[test]
fn encapsulations_decapsulate_to_the_ssvs_sent() {
    let world = World::new();
    let bob = world.user("tel:+447700900456");
    let engine = Engine::new(config(), cpu(2), vec![]).unwrap();
    let to: Arc<RecipientKey> = Arc::new(bob.key.recipient().clone());
    let ssvs: Vec<Ssv> = (0..5).map(|i| Ssv::from([0x40 + i; 16])).collect();
    let tickets: Vec<_> = ssvs
        .iter()
        .map(|ssv| {
            engine.submit(
                Job::Encapsulate {
                    to: to.clone(),
                    ssv: ssv.clone(),
                },
                NORMAL,
            )
        })
        .collect();
    for (ssv, t) in ssvs.iter().zip(tickets) {
        let Answer::Encapsulated(ed) = t.wait().unwrap() else {
            panic!("not encapsulated data");
        };
        assert!(sakke::decapsulate_with(&ed, &bob.key).unwrap() == *ssv);
    }
}

#[test]
fn i_messages_open_once_and_only_with_the_responders_key() {
    let world = World::new();
    let alice = world.user("tel:+447700900123");
    let bob = world.user("tel:+447700900456");
    let z = world.sakke.public_key();
    let mut params = IMessageParams::new(&alice.id, &bob.id, &alice.signing, &z);
    params.time = Some(time());
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let engine = Engine::new(config(), cpu(2), vec![]).unwrap();
    let open_with = |key: &Arc<ReceiverKey>, bytes: &[u8], replay: ReplayCheck| {
        engine.submit(
            Job::OpenIMessage(Box::new(OpenRequest {
                bytes: bytes.to_vec(),
                responder: bob.id.clone(),
                expected_initiator: Some(alice.id.clone()),
                key: key.clone(),
                initiator_kpak: world.eccsi.kpak(),
                max_skew: Duration::from_secs(300),
                now: UNIX_EPOCH + Duration::from_secs(T as u64 + 5),
                replay,
            })),
            SubmitOptions::new(Priority::Emergency),
        )
    };
    let open = |key: &Arc<ReceiverKey>, bytes: &[u8]| open_with(key, bytes, ReplayCheck::Engine);
    assert!(matches!(
        open(&alice.key, &built.bytes).wait(),
        Err(EngineError::WrongKey)
    ));
    let mut tampered = built.bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(matches!(
        open(&bob.key, &tampered).wait(),
        Err(EngineError::Mikey(MikeyError::BadSignature(_)))
    ));
    let Answer::Opened(opened) = open(&bob.key, &built.bytes).wait().unwrap() else {
        panic!("not opened");
    };
    assert!(opened.ssv == built.ssv);
    assert_eq!(opened.initiator, alice.id);
    assert!(matches!(
        open(&bob.key, &built.bytes).wait(),
        Err(EngineError::Mikey(MikeyError::Replay))
    ));

    // Where the caller keeps the replay cache (a worker behind a gateway), another
    // message opens as often as it is sent, with every other check still made, and the
    // engine's own cache learns nothing of it.
    let other = build_i_message(&params, &mut OsRng).unwrap();
    for _ in 0..2 {
        let Answer::Opened(again) = open_with(&bob.key, &other.bytes, ReplayCheck::Caller)
            .wait()
            .unwrap()
        else {
            panic!("not opened");
        };
        assert!(again.ssv == other.ssv);
    }
    assert!(matches!(
        open_with(&alice.key, &other.bytes, ReplayCheck::Caller).wait(),
        Err(EngineError::WrongKey)
    ));
    assert!(matches!(
        open(&bob.key, &other.bytes).wait(),
        Ok(Answer::Opened(_))
    ));
}

#[test]
fn a_corrupting_accelerator_costs_retries_never_a_wrong_ssv() {
    let world = World::new();
    let bob = world.user("tel:+447700900456");
    let accelerator = Controlled::corrupting("corrupting");
    let engine = Engine::new(
        EngineConfig {
            offload_min_batch: 1,
            ..config()
        },
        cpu(1),
        vec![accelerator.clone()],
    )
    .unwrap();
    let ssvs: Vec<Ssv> = (0..16).map(|i| Ssv::from([i; 16])).collect();
    let tickets: Vec<_> = ssvs
        .iter()
        .map(|ssv| {
            let ed = encapsulate_to(ssv, bob.key.recipient());
            engine.submit(
                Job::Decapsulate {
                    key: bob.key.clone(),
                    encapsulated: ed,
                },
                NORMAL,
            )
        })
        .collect();
    for (ssv, t) in ssvs.iter().zip(tickets) {
        assert!(ssv_of(t.wait().unwrap()) == *ssv);
    }
    assert!(!accelerator.batch_lengths().is_empty());
    let retries = engine.metrics().cpu_retries.load(Ordering::Relaxed);
    assert_eq!(
        retries as usize,
        accelerator.batch_lengths().len(),
        "one per batch"
    );
}

#[test]
fn a_senders_verifier_is_prepared_once_and_never_excuses_a_bad_signature() {
    let world = World::new();
    let alice = world.user("tel:+447700900123");
    let bob = world.user("tel:+447700900456");
    let z = world.sakke.public_key();
    let mut params = IMessageParams::new(&alice.id, &bob.id, &alice.signing, &z);
    params.time = Some(time());
    let engine = Engine::new(config(), cpu(2), vec![]).unwrap();
    let open = |bytes: Vec<u8>| {
        engine
            .submit(
                Job::OpenIMessage(Box::new(OpenRequest {
                    bytes,
                    responder: bob.id.clone(),
                    expected_initiator: Some(alice.id.clone()),
                    key: bob.key.clone(),
                    initiator_kpak: world.eccsi.kpak(),
                    max_skew: Duration::from_secs(300),
                    now: UNIX_EPOCH + Duration::from_secs(T as u64 + 5),
                    replay: ReplayCheck::Engine,
                })),
                SubmitOptions::new(Priority::Normal),
            )
            .wait()
    };
    for _ in 0..3 {
        let built = build_i_message(&params, &mut OsRng).unwrap();
        let Answer::Opened(opened) = open(built.bytes).unwrap() else {
            panic!("not opened");
        };
        assert!(opened.ssv == built.ssv);
    }
    let metrics = engine.metrics();
    assert_eq!(metrics.verifier_misses.load(Ordering::Relaxed), 1);
    assert_eq!(metrics.verifier_hits.load(Ordering::Relaxed), 2);

    // s changed (r || s || PVT ends the message): Alice's prepared verifier is used,
    // and the signature still fails.
    let mut bad = build_i_message(&params, &mut OsRng).unwrap().bytes;
    let s_at = bad.len() - mikey::eccsi::SIGNATURE_LEN + 40;
    bad[s_at] ^= 0x01;
    assert!(matches!(
        open(bad),
        Err(EngineError::Mikey(MikeyError::BadSignature(_)))
    ));
    assert_eq!(metrics.verifier_hits.load(Ordering::Relaxed), 3);
    assert!(metrics
        .render_prometheus()
        .contains("sakke_eccsi_verifier_cache_hits_total 3\n"));
}
