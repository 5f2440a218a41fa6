//! The load generator against a gateway on loopback: closed and open loop, every answer
//! checked, percentiles per priority.

mod common;

use std::time::Duration;

use common::{quick, TestGateway, ALICE};
use service::load::{run, LoadPlan, Operation, Pace};
use service::proto::Priority;

fn plan(gw: &TestGateway, pace: Pace) -> LoadPlan {
    LoadPlan {
        operation: Operation::Decapsulate,
        user: ALICE.into(),
        period: gw.period.clone(),
        pace,
        duration: Duration::from_millis(1000),
        priorities: vec![
            Priority::Emergency,
            Priority::Normal,
            Priority::Normal,
            Priority::Bulk,
        ],
        timeout_ms: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_and_open_loop_runs_check_every_answer() {
    let mut gw = TestGateway::start(quick()).await;
    let client = gw.admin().await;

    let closed = run(
        std::slice::from_ref(&client),
        plan(&gw, Pace::Concurrency(4)),
    )
    .await
    .unwrap();
    assert!(closed.ok > 0, "{closed:?}");
    assert_eq!((closed.sent, closed.wrong), (closed.ok, 0), "{closed:?}");
    let names: Vec<&str> = closed.priorities.iter().map(|p| p.priority).collect();
    assert_eq!(names, ["emergency", "normal", "bulk"]);
    for p in &closed.priorities {
        assert!(
            p.p50_ms > 0.0 && p.p50_ms <= p.p90_ms && p.p99_ms <= p.p999_ms,
            "{p:?}"
        );
    }

    // 40 a second for one second, over two connections: 40 or 41 started, whatever the
    // latency.
    let clients = [client, gw.admin().await];
    let open = run(&clients, plan(&gw, Pace::Rate(40.0))).await.unwrap();
    assert!((38..=42).contains(&open.sent), "{open:?}");
    assert_eq!((open.ok, open.wrong), (open.sent, 0), "{open:?}");
    assert!(run(&[], plan(&gw, Pace::Rate(40.0))).await.is_err());

    // Encapsulations of the samples' SSVs: every answer is the sample's data again.
    let encapsulations = LoadPlan {
        operation: Operation::Encapsulate,
        ..plan(&gw, Pace::Concurrency(4))
    };
    let before = gw.submitted();
    let encap = run(&clients, encapsulations).await.unwrap();
    assert!(encap.ok > 0, "{encap:?}");
    assert_eq!((encap.sent, encap.wrong), (encap.ok, 0), "{encap:?}");
    // The 16 samples, then the run's own requests, all reached the engine.
    assert_eq!(gw.submitted() - before, 16 + encap.sent);
    gw.stop().await;
}
