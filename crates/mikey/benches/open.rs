//! Where the time of opening one I_MESSAGE goes (issue 11, item 4): `open_i_message`
//! end to end, cold and with the sender's verifier cached, and `open_i_message_with` a
//! receiver key validated once; beside them the parts: the strict parse, every check
//! short of decapsulation (the ECCSI verify dominates it), the SAKKE decapsulation with
//! its TEST (from the bare RSK, which validates it again, and from the validated key),
//! and what is left (replay cache entry, TEK/salt derivation). Compare the figures of
//! one run with each other.

use std::time::{Duration, SystemTime};

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use mikey::eccsi::rand_core::OsRng;
use mikey::eccsi::{SigningKey, VerifierCache};
use mikey::sakke::{decapsulate, decapsulate_with, Identifier, Kms, ReceiverKey};
use mikey::{
    build_i_message, open_i_message, open_i_message_with, verify_i_message, IMessage,
    IMessageParams, KeyLengths, Message, NtpTimestamp, PartyId, ReplayCache, ResponderParams,
    VerifyParams,
};

fn bench(c: &mut Criterion) {
    let now = SystemTime::now();
    let time = NtpTimestamp::from_system_time(now).unwrap();
    let sakke_kms = Kms::generate();
    let eccsi_kms = mikey::eccsi::Kms::generate(&mut OsRng);
    let alice = PartyId::Uri("tel:+447700900123".into());
    let bob = PartyId::Uri("tel:+447700900456".into());
    let alice_id = alice.identifier(time).unwrap();
    let keys = eccsi_kms.issue(&alice_id, &mut OsRng).unwrap();
    let signing = SigningKey::new(&alice_id, keys.ssk, keys.pvt, eccsi_kms.kpak()).unwrap();
    let bob_id = Identifier::new(bob.identifier(time).unwrap()).unwrap();
    let rsk = sakke_kms.issue_rsk(&bob_id).unwrap();
    let z = sakke_kms.public_key();
    let kpak = eccsi_kms.kpak();
    let mut params = IMessageParams::new(&alice, &bob, &signing, &z);
    params.time = Some(time);
    let bytes = build_i_message(&params, &mut OsRng).unwrap().bytes;

    let cache = VerifierCache::new(4);
    let responder = |verifiers| ResponderParams {
        responder: &bob,
        expected_initiator: Some(&alice),
        rsk: &rsk,
        responder_kms: &z,
        initiator_kpak: &kpak,
        max_skew: Duration::from_secs(3600),
        verifiers,
    };
    let checks = |verifiers| VerifyParams {
        responder: &bob,
        expected_initiator: Some(&alice),
        initiator_kpak: &kpak,
        max_skew: Duration::from_secs(3600),
        verifiers,
    };
    let (cold, cached) = (responder(None), responder(Some(&cache)));
    let (checks_cold, checks_cached) = (checks(None), checks(Some(&cache)));
    let empty = ReplayCache::new(1);
    let key = ReceiverKey::new(&bob_id, &z, rsk.clone()).unwrap();

    let mut group = c.benchmark_group("open");
    group.bench_function("end-to-end/cold", |b| {
        b.iter(|| open_i_message(black_box(&bytes), &cold, &mut ReplayCache::new(1), now).unwrap())
    });
    group.bench_function("end-to-end/cached", |b| {
        b.iter(|| {
            open_i_message(black_box(&bytes), &cached, &mut ReplayCache::new(1), now).unwrap()
        })
    });
    group.bench_function("end-to-end/validated-key+cached", |b| {
        b.iter(|| {
            open_i_message_with(
                black_box(&bytes),
                &checks_cached,
                &key,
                &mut ReplayCache::new(1),
                now,
            )
            .unwrap()
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            let message = Message::parse(black_box(&bytes)).unwrap();
            IMessage::new(&message).unwrap();
        })
    });
    group.bench_function("checks/cold", |b| {
        b.iter(|| verify_i_message(black_box(&bytes), &checks_cold, &empty, now).unwrap())
    });
    group.bench_function("checks/cached", |b| {
        b.iter(|| verify_i_message(black_box(&bytes), &checks_cached, &empty, now).unwrap())
    });
    let verified = verify_i_message(&bytes, &checks_cold, &empty, now).unwrap();
    group.bench_function("decapsulate", |b| {
        b.iter(|| {
            decapsulate(
                black_box(verified.encapsulated()),
                verified.responder_identifier(),
                &z,
                &rsk,
            )
            .unwrap()
        })
    });
    group.bench_function("decapsulate/validated-key", |b| {
        b.iter(|| decapsulate_with(black_box(verified.encapsulated()), &key).unwrap())
    });
    let ssv = decapsulate(verified.encapsulated(), &bob_id, &z, &rsk).unwrap();
    group.bench_function("finish+traffic-keys", |b| {
        b.iter_batched(
            || verify_i_message(&bytes, &checks_cached, &empty, now).unwrap(),
            |v| {
                let opened = v.finish(ssv.clone(), &mut ReplayCache::new(1)).unwrap();
                opened.keys.traffic_keys(0, KeyLengths::default())
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
