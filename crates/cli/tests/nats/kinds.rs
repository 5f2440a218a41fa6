//! Encapsulations and I_MESSAGEs through a gateway with `--nats` are computed by the
//! workers, byte for byte what the library computes here, and the gateway's replay
//! cache refuses an I_MESSAGE a second time whichever worker opened it first.

use mikey::KeyLengths;
use service::proto::{EncapsulateRequest, OpenIMessageRequest};
use tonic::Code;

use super::cluster::{worker, Gateway};
use super::common::Scratch;
use super::server::NatsServer;
use super::{answered_by, sakke_workers};

#[test]
fn encapsulations_and_i_messages_are_computed_by_the_workers() {
    let s = Scratch::new("nats-kinds");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let gateway = Gateway::start(&s.path("dev"), &nats.url(), &[]);
    let mut workers: Vec<_> = (0..2)
        .map(|_| worker(&nats.url(), &gateway.store(), &[]))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut client = runtime.block_on(gateway.client());
    let encapsulate = |ssv: Option<Vec<u8>>, period: &str| EncapsulateRequest {
        recipient_uri: gateway.user.clone(),
        key_period: period.into(),
        ssv,
        scheduling: None,
    };

    // An SSV the client chose gives exactly the Encapsulated Data of the library; one
    // the gateway chose decapsulates (on a worker) to the SSV it returned.
    let (ssv, expected) = gateway.messages(1).remove(0);
    let with_ssv = runtime
        .block_on(client.encapsulate(encapsulate(Some(ssv.clone()), &gateway.period)))
        .unwrap()
        .into_inner();
    assert_eq!(with_ssv.ssv, ssv);
    assert_eq!(with_ssv.encapsulated, expected);
    for _ in 0..6 {
        let fresh = runtime
            .block_on(client.encapsulate(encapsulate(None, &gateway.period)))
            .unwrap()
            .into_inner();
        assert_eq!(fresh.ssv.len(), 16);
        let req = gateway.decapsulate(&fresh.encapsulated, None);
        let back = runtime.block_on(client.decapsulate(req)).unwrap();
        assert_eq!(back.into_inner().ssv, fresh.ssv);
    }
    // A bad key period is refused at the gateway, before any worker sees it.
    let refused = runtime
        .block_on(client.encapsulate(encapsulate(None, "2026-13")))
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    let forwarded_so_far = gateway.metric("sakke_nats_forwarded_total");
    assert_eq!(forwarded_so_far, 1 + 6 + 6);

    // An I_MESSAGE from the second dev user to the first, opened by a worker.
    let built = gateway.i_message(1, 0);
    let open = |bytes: &[u8], expected: Option<&str>| OpenIMessageRequest {
        responder_uri: gateway.users[0].clone(),
        expected_initiator_uri: expected.map(str::to_string),
        i_message: bytes.to_vec(),
        scheduling: None,
    };
    let mut tampered = built.bytes.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let bad = runtime
        .block_on(client.open_i_message(open(&tampered, None)))
        .unwrap_err();
    assert!(bad.message().starts_with("bad_signature: "), "{bad:?}");
    let stranger = runtime
        .block_on(client.open_i_message(open(&built.bytes, Some("tel:+15550100"))))
        .unwrap_err();
    assert!(
        stranger.message().starts_with("wrong_initiator: "),
        "{stranger:?}"
    );
    let opened = runtime
        .block_on(client.open_i_message(open(&built.bytes, Some(&gateway.users[1]))))
        .unwrap()
        .into_inner();
    let traffic = built.keys.traffic_keys(0, KeyLengths::default());
    assert_eq!(opened.tgk, built.ssv.as_bytes().to_vec());
    assert_eq!(opened.tek, traffic.tek.to_vec());
    assert_eq!(opened.salt, traffic.salt.to_vec());
    assert_eq!(opened.csb_id, built.keys.csb_id());
    assert_eq!(opened.initiator_uri, gateway.users[1]);
    assert_eq!(opened.key_period, gateway.period);
    // Sent again it is a replay, refused by the gateway without a worker.
    let forwarded = gateway.metric("sakke_nats_forwarded_total");
    let again = runtime
        .block_on(client.open_i_message(open(&built.bytes, None)))
        .unwrap_err();
    assert!(again.message().starts_with("replay: "), "{again:?}");
    assert_eq!(gateway.metric("sakke_nats_forwarded_total"), forwarded);

    // Two copies of a new message at once, which two workers may open side by side:
    // one is answered with the keys, the other is a replay.
    let twice = gateway.i_message(1, 0);
    let results: Vec<Result<Vec<u8>, String>> = runtime.block_on(async {
        let calls: Vec<_> = (0..2)
            .map(|_| {
                let mut client = client.clone();
                let req = open(&twice.bytes, None);
                tokio::spawn(async move {
                    match client.open_i_message(req).await {
                        Ok(a) => Ok(a.into_inner().tgk),
                        Err(status) => Err(status.message().to_string()),
                    }
                })
            })
            .collect();
        let mut out = Vec::new();
        for c in calls {
            out.push(c.await.unwrap());
        }
        out
    });
    let opened: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(opened, [&twice.ssv.as_bytes().to_vec()], "{results:?}");
    let replays = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|m| m.starts_with("replay: ")))
        .count();
    assert_eq!(replays, 1, "{results:?}");

    // A worker that joins with --max-ack-pending brings the shared consumers to it (the
    // deployment's bound), keeping the ack_wait they were made with.
    let mut third = worker(&nats.url(), &gateway.store(), &["--max-ack-pending", "7"]);
    let survey = sakke_workers(&nats.url());
    let queues = survey["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 3, "{survey}");
    for q in queues {
        assert_eq!(
            (&q["max_ack_pending"], &q["ack_wait_ms"]),
            (&7.into(), &30_000.into()),
            "{q}"
        );
    }
    assert_eq!(answered_by(third.stop()), 0);

    // Every forwarded request was answered once, by one of the workers.
    let forwarded = gateway.metric("sakke_nats_forwarded_total");
    assert_eq!(gateway.metric("sakke_nats_answered_total"), forwarded);
    assert_eq!(gateway.metric("sakke_nats_answers_dropped_total"), 0);
    let answered: u64 = workers.iter_mut().map(|w| answered_by(w.stop())).sum();
    assert_eq!(answered, forwarded);
    // Three opens, and one or both copies (the second may come after the first's answer).
    let opens = forwarded - forwarded_so_far;
    assert!((4..=5).contains(&opens), "{opens}");
}
