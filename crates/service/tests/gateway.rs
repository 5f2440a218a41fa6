//! The gateway end to end on loopback: right answers, refused clients and users,
//! typed errors, overload and the drain on shutdown.

mod common;

use std::time::Duration;

use common::{quick, TestGateway, ALICE, BOB};
use eccsi::rand_core::OsRng;
use engine::EngineConfig;
use mikey::{build_i_message, IMessageParams, KeyLengths};
use sakke::{encapsulate_to, Ssv};
use service::dev_certs::DevCa;
use service::proto::{
    self, decapsulate_stream_response::Result as Item, DecapsulateRequest,
    DecapsulateStreamRequest, EncapsulateRequest, OpenIMessageRequest, Scheduling,
};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

fn decap(uri: &str, period: &str, encapsulated: Vec<u8>) -> DecapsulateRequest {
    DecapsulateRequest {
        user_uri: uri.into(),
        key_period: period.into(),
        encapsulated,
        scheduling: None,
    }
}

/// What `grpc.health.v1` says of `sakke.v1.Sakke` over `channel`.
async fn health_of_sakke(channel: tonic::transport::Channel) -> i32 {
    tonic_health::pb::health_client::HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: "sakke.v1.Sakke".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status
}

/// Encapsulated Data for one of the gateway's users, made without the gateway.
fn sent_to(user: &common::User, byte: u8) -> (Ssv, Vec<u8>) {
    let ssv = Ssv::from([byte; 16]);
    let ed = encapsulate_to(&ssv, user.receiver.recipient());
    (ssv, ed.to_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encapsulate_decapsulate_open_and_stream_give_the_right_keys() {
    let mut gw = TestGateway::start(quick()).await;
    let mut client = gw.admin().await;

    let encapsulated = client
        .encapsulate(EncapsulateRequest {
            recipient_uri: BOB.into(),
            key_period: gw.period.clone(),
            ssv: None,
            scheduling: None,
        })
        .await
        .unwrap()
        .into_inner();
    let ssv = client
        .decapsulate(decap(BOB, &gw.period, encapsulated.encapsulated.clone()))
        .await
        .unwrap()
        .into_inner()
        .ssv;
    assert_eq!(ssv, encapsulated.ssv);
    assert_eq!(ssv.len(), 16);
    // The same data for another user fails TEST, typed.
    let misdirected = client
        .decapsulate(decap(ALICE, &gw.period, encapsulated.encapsulated))
        .await
        .unwrap_err();
    assert_eq!(misdirected.code(), Code::InvalidArgument);
    assert!(
        misdirected.message().starts_with("test_failed: "),
        "{}",
        misdirected.message()
    );

    let z = gw.sakke_kms.public_key();
    let params = IMessageParams::new(&gw.alice.id, &gw.bob.id, &gw.alice.signing, &z);
    let built = build_i_message(&params, &mut OsRng).unwrap();
    let open = |bytes: Vec<u8>| OpenIMessageRequest {
        responder_uri: BOB.into(),
        expected_initiator_uri: Some(ALICE.into()),
        i_message: bytes,
        scheduling: Some(Scheduling {
            priority: proto::Priority::Emergency as i32,
            timeout_ms: Some(10_000),
        }),
    };
    let mut tampered = built.bytes.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let refused = client.open_i_message(open(tampered)).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert!(
        refused.message().starts_with("bad_signature: "),
        "{}",
        refused.message()
    );
    let opened = client
        .open_i_message(open(built.bytes.clone()))
        .await
        .unwrap()
        .into_inner();
    let traffic = built.keys.traffic_keys(0, KeyLengths::default());
    assert_eq!(opened.tgk, built.ssv.as_bytes().to_vec());
    assert_eq!(opened.tek, traffic.tek.to_vec());
    assert_eq!(opened.salt, traffic.salt.to_vec());
    assert_eq!(opened.initiator_uri, ALICE);
    assert_eq!(opened.csb_id, built.keys.csb_id());
    assert_eq!(opened.key_period, gw.period);
    let replayed = client.open_i_message(open(built.bytes)).await.unwrap_err();
    assert!(
        replayed.message().starts_with("replay: "),
        "{}",
        replayed.message()
    );

    // A stream: answers carry the client's ids, a bad item fails alone.
    let sent: Vec<(Ssv, Vec<u8>)> = (0..6).map(|i| sent_to(&gw.alice, i)).collect();
    let mut items: Vec<DecapsulateStreamRequest> = sent
        .iter()
        .enumerate()
        .map(|(i, (_, ed))| DecapsulateStreamRequest {
            client_id: 100 + i as u64,
            request: Some(decap(ALICE, &gw.period, ed.clone())),
        })
        .collect();
    items.push(DecapsulateStreamRequest {
        client_id: 7,
        request: Some(decap("tel:+999", &gw.period, sent[0].1.clone())),
    });
    let mut answers = client
        .decapsulate_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while let Some(answer) = answers.message().await.unwrap() {
        match (answer.client_id, answer.result.unwrap()) {
            (7, Item::Error(e)) => assert_eq!(e.code, Code::NotFound as i32, "{}", e.message),
            (id, Item::Ssv(ssv)) => {
                assert_eq!(ssv, sent[(id - 100) as usize].0.as_bytes().to_vec());
            }
            (id, other) => panic!("{id}: {other:?}"),
        }
        seen.push(answer.client_id);
    }
    seen.sort();
    assert_eq!(seen, vec![7, 100, 101, 102, 103, 104, 105]);

    let channel = gw.channel(Some(&gw.admin.pem), &gw.ca).await.unwrap();
    assert_eq!(
        health_of_sakke(channel).await,
        ServingStatus::Serving as i32
    );

    let page = gw.scrape().await;
    assert!(
        page.contains("sakke_service_answers_total{method=\"Decapsulate\",code=\"Ok\"} 1"),
        "{page}"
    );
    assert!(page.contains("code=\"InvalidArgument\""), "{page}");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_without_a_certificate_or_from_another_ca_are_refused() {
    let mut gw = TestGateway::start(quick()).await;
    let (_, ed) = sent_to(&gw.alice, 1);
    let request = decap(ALICE, &gw.period, ed);

    let anonymous = gw.channel(None, &gw.ca).await;
    let other_ca = DevCa::new("someone else's CA").unwrap();
    let stranger = other_ca.client("admin").unwrap();
    let foreign = gw.channel(Some(&stranger.pem), &gw.ca).await;
    // A refused connection may fail to connect or, as TLS 1.3 clients learn of the
    // refusal only after the handshake, fail its first request.
    for channel in [anonymous, foreign].into_iter().flatten() {
        let mut client = service::proto::sakke_client::SakkeClient::new(channel);
        let refused = client.decapsulate(request.clone()).await.unwrap_err();
        assert!(
            matches!(
                refused.code(),
                Code::Unavailable | Code::Unknown | Code::Internal | Code::Cancelled
            ),
            "{refused:?}"
        );
    }
    assert_eq!(gw.submitted(), 0);
    // The server is still there for a proper client.
    let mut client = gw.admin().await;
    client.decapsulate(request).await.unwrap();
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_the_certificate_is_not_authorised_for_is_refused_untouched() {
    let mut gw = TestGateway::start(quick()).await;
    let mut alice_gw = gw.client(&gw.alice_gw).await;
    let (_, ed) = sent_to(&gw.bob, 2);

    let denied = alice_gw
        .decapsulate(decap(BOB, &gw.period, ed.clone()))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(denied.message().starts_with("unauthorised: "));
    // Not even whether the user exists is revealed.
    let denied = alice_gw
        .decapsulate(decap("tel:+999", &gw.period, ed.clone()))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let z = gw.sakke_kms.public_key();
    let built = build_i_message(
        &IMessageParams::new(&gw.alice.id, &gw.bob.id, &gw.alice.signing, &z),
        &mut OsRng,
    )
    .unwrap();
    let denied = alice_gw
        .open_i_message(OpenIMessageRequest {
            responder_uri: BOB.into(),
            expected_initiator_uri: None,
            i_message: built.bytes,
            scheduling: None,
        })
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let mut answers = alice_gw
        .decapsulate_stream(tokio_stream::iter([DecapsulateStreamRequest {
            client_id: 1,
            request: Some(decap(BOB, &gw.period, ed)),
        }]))
        .await
        .unwrap()
        .into_inner();
    let answer = answers.message().await.unwrap().unwrap();
    assert!(
        matches!(answer.result, Some(Item::Error(e)) if e.code == Code::PermissionDenied as i32)
    );
    assert_eq!(gw.submitted(), 0, "nothing reached the engine");

    // The admin certificate may, and an unknown user is NOT_FOUND for it.
    let mut admin = gw.admin().await;
    let missing = admin
        .decapsulate(decap("tel:+999", &gw.period, sent_to(&gw.bob, 3).1))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    assert!(missing.message().starts_with("unknown_user: "));
    gw.stop().await;
}

/// Requests wait for company for two seconds, so a burst fills the queue.
fn gathering(max_queue: usize) -> EngineConfig {
    EngineConfig {
        max_batch: 64,
        preferred_batch_sizes: vec![64],
        max_queue_delay: Duration::from_secs(2),
        max_queue,
        ..EngineConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_answers_busy_for_the_excess_and_the_admitted_succeed() {
    let mut gw = TestGateway::start(gathering(4)).await;
    let client = gw.admin().await;
    let sent: Vec<(Ssv, Vec<u8>)> = (0..12).map(|i| sent_to(&gw.alice, i)).collect();
    let calls = sent.iter().map(|(_, ed)| {
        let mut client = client.clone();
        let request = decap(ALICE, &gw.period, ed.clone());
        async move { client.decapsulate(request).await }
    });
    let results = futures_join_all(calls).await;
    let mut ok = 0;
    for ((ssv, _), result) in sent.iter().zip(results) {
        match result {
            Ok(answer) => {
                assert_eq!(answer.into_inner().ssv, ssv.as_bytes().to_vec());
                ok += 1;
            }
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                assert!(status.message().starts_with("busy: "));
            }
        }
    }
    assert_eq!(ok, 4, "the queue's four were admitted and answered");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_is_answered_deadline_exceeded() {
    let mut gw = TestGateway::start(gathering(16)).await;
    let mut client = gw.admin().await;
    let mut request = decap(ALICE, &gw.period, sent_to(&gw.alice, 9).1);
    request.scheduling = Some(Scheduling {
        priority: proto::Priority::Bulk as i32,
        timeout_ms: Some(100),
    });
    let late = client.decapsulate(request).await.unwrap_err();
    assert_eq!(late.code(), Code::DeadlineExceeded);
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_answers_every_request_in_flight() {
    let mut gw = TestGateway::start(gathering(64)).await;
    let client = gw.admin().await;
    let sent: Vec<(Ssv, Vec<u8>)> = (0..6).map(|i| sent_to(&gw.bob, i)).collect();
    let calls: Vec<_> = sent
        .iter()
        .map(|(_, ed)| {
            let mut client = client.clone();
            let request = decap(BOB, &gw.period, ed.clone());
            tokio::spawn(async move { client.decapsulate(request).await })
        })
        .collect();
    // All six are queued, waiting for company, when the drain begins.
    for _ in 0..500 {
        if gw.submitted() == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(gw.submitted(), 6);
    gw.begin_shutdown();
    for ((ssv, _), call) in sent.iter().zip(calls) {
        let answer = call.await.unwrap().unwrap();
        assert_eq!(answer.into_inner().ssv, ssv.as_bytes().to_vec());
    }
    gw.stop().await;
    assert!(!gw.engine.is_accepting());
    assert!(
        gw.channel(Some(&gw.admin.pem), &gw.ca).await.is_err(),
        "no new connections"
    );
}

/// Runs every future concurrently and returns their outputs in order.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// gRPC clients send their deadline as the `grpc-timeout` header; a request still queued
/// when it passes is answered without being computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grpc_deadline_header_is_the_engine_deadline() {
    let mut gw = TestGateway::start(gathering(16)).await;
    let mut client = gw.admin().await;
    let mut request = tonic::Request::new(decap(ALICE, &gw.period, sent_to(&gw.alice, 3).1));
    request.set_timeout(Duration::from_millis(150));
    let late = client.decapsulate(request).await.unwrap_err();
    // tonic's own timer and the engine's deadline fire together: either answer is right,
    // as long as the engine did not compute it (its batch would wait 2 s for company).
    assert!(
        matches!(late.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{late:?}"
    );
    let missed = || {
        gw.engine
            .metrics()
            .deadline_exceeded
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    for _ in 0..100 {
        if missed() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        missed(),
        1,
        "the engine dropped it at the header's deadline"
    );
    let page = gw.scrape().await;
    assert!(page.contains("sakke_deadline_exceeded_total 1"), "{page}");
    gw.stop().await;
}

/// After the stop signal the gateway says NOT_SERVING but keeps answering for the drain
/// grace, so that a load balancer polling health moves clients away before connections
/// are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_not_serving_during_the_drain_grace_and_requests_still_succeed() {
    let mut gw = TestGateway::start_with_grace(quick(), Duration::from_secs(4)).await;
    let (ssv, ed) = sent_to(&gw.bob, 21);
    gw.begin_shutdown();
    let channel = gw.channel(Some(&gw.admin.pem), &gw.ca).await.unwrap();
    let not_serving = ServingStatus::NotServing as i32;
    let mut status = None;
    for _ in 0..100 {
        let answer = health_of_sakke(channel.clone()).await;
        status = Some(answer);
        if answer == not_serving {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, Some(not_serving));
    let mut client = proto::sakke_client::SakkeClient::new(channel);
    let answer = client
        .decapsulate(decap(BOB, &gw.period, ed))
        .await
        .expect("still answering during the grace")
        .into_inner();
    assert_eq!(answer.ssv, ssv.as_bytes().to_vec());
    gw.stop().await;
    assert!(
        gw.channel(Some(&gw.admin.pem), &gw.ca).await.is_err(),
        "no new connections after the grace"
    );
}
