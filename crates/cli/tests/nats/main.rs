//! Scale-out on NATS JetStream, with a real nats-server on a loopback port: a gateway
//! (`sakke serve --nats`) and `sakke worker` processes. Every request is answered once
//! and right with three workers, and `sakke workers` lists them with what each served;
//! a busy worker takes emergency jobs before older bulk ones; a full job stream (its
//! bound set by the gateway) is answered busy; one killed with SIGKILL mid-run loses nothing (its jobs
//! are redelivered after `ack_wait`) and a worker started mid-run takes a share; a
//! deadline with no worker to meet it is a clear error; the gateway's bound answers
//! busy; a node without the server's credentials (password or NKey) is refused, and a
//! gateway logs in with those from its config file; TLS
//! to the server is checked against the given CA; a server restart mid-run gives right
//! answers or clear errors.

mod cluster;
#[path = "../common/mod.rs"]
mod common;
mod kinds;
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cluster::{drive, metric, worker, worker_with_metrics, Gateway};
use common::Scratch;
use server::NatsServer;

/// Distinct messages; request i decapsulates message i % MESSAGES, so an answer given
/// to the wrong request shows as a wrong SSV.
const MESSAGES: usize = 128;
const IN_FLIGHT: usize = 64;

/// What a worker stopped with SIGTERM says it answered.
fn answered_by(stopped: Option<serde_json::Value>) -> u64 {
    stopped.expect("a last line")["answered"].as_u64().unwrap()
}

/// `sakke --json workers` against the server at `url`: its JSON answer.
fn sakke_workers(url: &str) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(["--json", "workers", "--nats", url, "--wait-ms", "1500"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn three_workers_answer_every_request_once_and_right() {
    const REQUESTS: usize = 2400;
    let s = Scratch::new("nats-three");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let gateway = Gateway::start(&s.path("dev"), &nats.url(), &[]);
    let (mut workers, metrics): (Vec<_>, Vec<_>) = (0..3)
        .map(|_| worker_with_metrics(&nats.url(), &gateway.store(), &[]))
        .unzip();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = Arc::new(gateway.messages(MESSAGES));
    let started = Instant::now();
    let progress = Arc::new(AtomicUsize::new(0));
    let tally = runtime.block_on(drive(&gateway, messages, REQUESTS, IN_FLIGHT, progress));
    eprintln!(
        "{REQUESTS} requests through 3 workers in {:?}",
        started.elapsed()
    );
    assert_eq!(tally.right, REQUESTS, "{tally:?}");
    assert_eq!(
        gateway.metric("sakke_nats_forwarded_total"),
        REQUESTS as u64
    );
    assert_eq!(gateway.metric("sakke_nats_answered_total"), REQUESTS as u64);
    assert_eq!(gateway.metric("sakke_nats_answers_dropped_total"), 0);
    assert_eq!(gateway.metric("sakke_nats_waiting"), 0);
    // Nothing was computed twice, and every worker took a share; each worker's metrics
    // say what it did.
    let scraped: Vec<u64> = metrics
        .iter()
        .map(|m| metric(m, "sakke_worker_answered_total"))
        .collect();
    // `sakke workers` lists the three, each with what it served.
    let survey = sakke_workers(&nats.url());
    assert_eq!(survey["unreadable"], 0, "{survey}");
    // The queues as the server sees them: everything taken and acked, nothing
    // redelivered, the consumers' defaults.
    let queues = survey["queues"].as_array().unwrap();
    let names: Vec<&str> = queues
        .iter()
        .map(|q| q["priority"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["emergency", "normal", "bulk"], "{survey}");
    for q in queues {
        assert_eq!(
            (&q["waiting"], &q["unacked"], &q["redelivered"]),
            (&0.into(), &0.into(), &0.into()),
            "{q}"
        );
        assert_eq!(q["max_ack_pending"], 20_000, "{q}");
        assert_eq!(q["ack_wait_ms"], 30_000, "{q}");
    }
    let listed = survey["workers"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{survey}");
    let mut surveyed: Vec<u64> = listed
        .iter()
        .map(|w| {
            assert_eq!(w["backend"], "cpu", "{w}");
            assert!(
                w["name"].as_str().unwrap().starts_with("sakke-worker-"),
                "{w}"
            );
            w["answered"].as_u64().unwrap()
        })
        .collect();
    let answered: Vec<u64> = workers.iter_mut().map(|w| answered_by(w.stop())).collect();
    let mut sorted = answered.clone();
    sorted.sort_unstable();
    surveyed.sort_unstable();
    assert_eq!(surveyed, sorted);
    assert_eq!(
        answered.iter().sum::<u64>(),
        REQUESTS as u64,
        "{answered:?}"
    );
    assert!(answered.iter().all(|a| *a > 0), "{answered:?}");
    assert_eq!(scraped, answered);
    let mut gateway = gateway;
    assert_eq!(gateway.proc.stop(), None);
}

#[test]
fn a_worker_killed_mid_run_loses_nothing_and_a_new_one_takes_a_share() {
    const REQUESTS: usize = 2000;
    let s = Scratch::new("nats-kill");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let gateway = Arc::new(Gateway::start(&s.path("dev"), &nats.url(), &[]));
    // The first worker creates the consumer: a killed worker's jobs come back in 2 s.
    let ack_wait = ["--ack-wait-ms", "2000"];
    let mut workers: Vec<_> = (0..3)
        .map(|_| worker(&nats.url(), &gateway.store(), &ack_wait))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = Arc::new(gateway.messages(MESSAGES));
    let progress = Arc::new(AtomicUsize::new(0));
    let load = {
        let (gateway, progress) = (Arc::clone(&gateway), Arc::clone(&progress));
        runtime.spawn(async move { drive(&gateway, messages, REQUESTS, IN_FLIGHT, progress).await })
    };
    let wait_for = |n: usize| {
        let start = Instant::now();
        while progress.load(Ordering::Relaxed) < n {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "stuck before {n}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(REQUESTS / 5);
    workers[0].signal("KILL");
    let _ = workers[0].wait(Duration::from_secs(10));
    wait_for(REQUESTS / 2);
    let late = worker(&nats.url(), &gateway.store(), &ack_wait);
    let tally = runtime.block_on(load).unwrap();
    assert_eq!(tally.wrong, 0, "{tally:?}");
    assert_eq!(tally.right, REQUESTS, "{tally:?}");
    assert_eq!(gateway.metric("sakke_nats_answered_total"), REQUESTS as u64);
    assert_eq!(gateway.metric("sakke_nats_waiting"), 0);
    workers.push(late);
    let answered: Vec<u64> = workers[1..]
        .iter_mut()
        .map(|w| answered_by(w.stop()))
        .collect();
    assert!(
        answered[2] > 0,
        "the late worker took no share: {answered:?}"
    );
    // The dead worker's unacked jobs were answered again by the others: at least all
    // it did not answer, and the extra answers were dropped at the gateway.
    let dropped = gateway.metric("sakke_nats_answers_dropped_total");
    assert!(answered.iter().sum::<u64>() <= REQUESTS as u64 + dropped);
}

#[test]
fn no_worker_in_time_is_deadline_exceeded_and_the_gateway_bound_is_busy() {
    let s = Scratch::new("nats-deadline");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let gateway = Gateway::start(&s.path("dev"), &nats.url(), &["--max-queue", "4"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = gateway.messages(1);
    let codes: Vec<(tonic::Code, String)> = runtime.block_on(async {
        let client = gateway.client().await;
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let mut client = client.clone();
            let req = gateway.decapsulate(&messages[0].1, Some(1500));
            tasks.push(tokio::spawn(async move {
                let status = client.decapsulate(req).await.unwrap_err();
                (status.code(), status.message().to_string())
            }));
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        codes
    });
    let count = |c: tonic::Code| codes.iter().filter(|(code, _)| *code == c).count();
    assert_eq!(count(tonic::Code::DeadlineExceeded), 4, "{codes:?}");
    assert_eq!(count(tonic::Code::ResourceExhausted), 6, "{codes:?}");
    assert!(codes
        .iter()
        .all(|(_, m)| m.starts_with("deadline_exceeded: ") || m.starts_with("busy: ")));
    assert_eq!(gateway.metric("sakke_nats_busy_total"), 6);

    // A worker that comes now finds the four stale jobs, answers them deadline-exceeded
    // without computing, and the gateway drops those answers: nobody waits for them.
    let mut late = worker(&nats.url(), &gateway.store(), &[]);
    let start = Instant::now();
    while gateway.metric("sakke_nats_answers_dropped_total") < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "stale jobs not answered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let right = runtime.block_on(async {
        let mut client = gateway.client().await;
        let req = gateway.decapsulate(&messages[0].1, None);
        client.decapsulate(req).await.unwrap().into_inner().ssv
    });
    assert_eq!(right, messages[0].0);
    assert_eq!(answered_by(late.stop()), 5);
}

#[test]
fn a_worker_without_credentials_is_refused() {
    let s = Scratch::new("nats-auth");
    let auth = "authorization {\n  user: sakke\n  password: \"s3cret-for-this-test\"\n}";
    let Some(nats) = NatsServer::start(&s.path("nats"), auth) else {
        return;
    };
    let url = nats.url();
    // A gateway without credentials is refused too; its --dev files serve the workers.
    let dev = s.path("dev");
    let mut gateway_fails = cluster::Proc::spawn(&[
        "serve".into(),
        "--dev".into(),
        "--dev-dir".into(),
        dev.display().to_string(),
        "--nats".into(),
        url.clone(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--metrics-listen".into(),
        "127.0.0.1:0".into(),
    ]);
    let (status, err) = gateway_fails.wait(Duration::from_secs(120));
    assert!(!status.success());
    assert!(err.to_lowercase().contains("authoriz"), "{err}");

    let keystore = dev.join("keystore").display().to_string();
    let mut refused = cluster::Proc::spawn(&[
        "worker".into(),
        "--nats".into(),
        url.clone(),
        "--store".into(),
        keystore.clone(),
    ]);
    let (status, err) = refused.wait(Duration::from_secs(60));
    assert!(!status.success());
    assert!(err.to_lowercase().contains("authoriz"), "{err}");

    let wrong = s.path("wrong-password");
    std::fs::write(&wrong, "not-it\n").unwrap();
    let mut refused = cluster::Proc::spawn(&[
        "worker".into(),
        "--nats".into(),
        url.clone(),
        "--store".into(),
        keystore.clone(),
        "--nats-user".into(),
        "sakke".into(),
        "--nats-password-file".into(),
        wrong.display().to_string(),
    ]);
    let (status, err) = refused.wait(Duration::from_secs(60));
    assert!(!status.success());
    assert!(err.to_lowercase().contains("authoriz"), "{err}");

    let right = s.path("password");
    std::fs::write(&right, "s3cret-for-this-test\n").unwrap();
    let right = right.display().to_string();
    let creds = [
        "--nats-user",
        "sakke",
        "--nats-password-file",
        right.as_str(),
    ];
    // The gateway logs in with the same credentials from its config file's [nats]
    // section (the URL still by flag: a flag and the file combine).
    let config = s.path("serve.toml");
    std::fs::write(
        &config,
        format!("[nats]\nuser = \"sakke\"\npassword_file = {right:?}\ntimeout_ms = 20000\n"),
    )
    .unwrap();
    let config = config.display().to_string();
    let gateway = Gateway::start(&s.path("dev2"), &url, &["--config", config.as_str()]);
    let mut w = worker(&url, &gateway.store(), &creds);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = gateway.messages(1);
    let ssv = runtime.block_on(async {
        let mut client = gateway.client().await;
        let req = gateway.decapsulate(&messages[0].1, None);
        client.decapsulate(req).await.unwrap().into_inner().ssv
    });
    assert_eq!(ssv, messages[0].0);
    assert_eq!(answered_by(w.stop()), 1);
}

#[test]
fn tls_to_the_nats_server_is_checked_against_the_given_ca() {
    let s = Scratch::new("nats-tls");
    let ca = service::dev_certs::DevCa::new("nats test CA").unwrap();
    let server = ca.server(&["localhost", "127.0.0.1"]).unwrap();
    let file = |name: &str, text: &str| {
        std::fs::write(s.path(name), text).unwrap();
        s.arg(name)
    };
    let ca_file = file("nats-ca.pem", &ca.pem().cert);
    let tls = format!(
        "tls {{\n  cert_file: {:?}\n  key_file: {:?}\n}}",
        file("nats-server.pem", &server.cert),
        file("nats-server.key", &server.key)
    );
    let Some(nats) = NatsServer::start(&s.path("nats"), &tls) else {
        return;
    };
    let url = format!("tls://127.0.0.1:{}", nats.port);
    let with_ca = ["--nats-ca", ca_file.as_str()];
    let gateway = Gateway::start(&s.path("dev"), &url, &with_ca);

    // Without the CA the server's certificate is not trusted: refused.
    let mut refused = cluster::Proc::spawn(&[
        "worker".into(),
        "--nats".into(),
        url.clone(),
        "--store".into(),
        gateway.store(),
    ]);
    let (status, err) = refused.wait(Duration::from_secs(60));
    assert!(!status.success());
    assert!(err.contains("connecting to NATS"), "{err}");

    let mut w = worker(&url, &gateway.store(), &with_ca);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = gateway.messages(8);
    let progress = Arc::new(AtomicUsize::new(0));
    let tally = runtime.block_on(drive(&gateway, Arc::new(messages), 40, 8, progress));
    assert_eq!(tally.right, 40, "{tally:?}");
    assert_eq!(answered_by(w.stop()), 40);
}

#[test]
fn a_nats_server_restart_mid_run_gives_right_answers_or_clear_errors() {
    const REQUESTS: usize = 1200;
    let s = Scratch::new("nats-restart");
    let Some(mut nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let timeout = ["--nats-timeout-ms", "8000"];
    let gateway = Arc::new(Gateway::start(&s.path("dev"), &nats.url(), &timeout));
    let ack_wait = ["--ack-wait-ms", "2000"];
    let mut workers: Vec<_> = (0..2)
        .map(|_| worker(&nats.url(), &gateway.store(), &ack_wait))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = Arc::new(gateway.messages(MESSAGES));
    let progress = Arc::new(AtomicUsize::new(0));
    let load = {
        let (gateway, messages, progress) = (
            Arc::clone(&gateway),
            Arc::clone(&messages),
            Arc::clone(&progress),
        );
        runtime.spawn(async move { drive(&gateway, messages, REQUESTS, 32, progress).await })
    };
    let start = Instant::now();
    while progress.load(Ordering::Relaxed) < REQUESTS / 4 {
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    nats.restart();
    let tally = runtime.block_on(load).unwrap();
    eprintln!(
        "restart: {} right, {} failed: {:?}",
        tally.right,
        tally.failed.len(),
        tally.failed.iter().take(3).collect::<Vec<_>>()
    );
    assert_eq!(tally.wrong, 0, "{tally:?}");
    assert_eq!(tally.right + tally.failed.len(), REQUESTS);
    assert!(tally.right > REQUESTS / 4, "{tally:?}");
    for (code, message) in &tally.failed {
        let clear = ["deadline_exceeded: ", "nats_unavailable: ", "busy: "];
        assert!(
            clear.iter().any(|k| message.starts_with(k)),
            "{code:?} {message}"
        );
    }
    // Everything works again once the server is back.
    let tally = runtime.block_on(drive(&gateway, messages, 64, 8, progress));
    assert_eq!(tally.right, 64, "{tally:?}");
    for w in &mut workers {
        w.stop();
    }
}

#[test]
fn an_nkey_logs_in_and_another_is_refused() {
    let s = Scratch::new("nats-nkey");
    let user = nkeys::KeyPair::new_user();
    let auth = format!(
        "authorization {{\n  users: [ {{ nkey: {:?} }} ]\n}}",
        user.public_key()
    );
    let Some(nats) = NatsServer::start(&s.path("nats"), &auth) else {
        return;
    };
    let seed_file = |name: &str, key: &nkeys::KeyPair| {
        std::fs::write(s.path(name), format!("{}\n", key.seed().unwrap())).unwrap();
        s.arg(name)
    };
    let listed = seed_file("listed.nk", &user);
    let other = seed_file("other.nk", &nkeys::KeyPair::new_user());
    let url = nats.url();
    let gateway = Gateway::start(&s.path("dev"), &url, &["--nats-nkey-file", &listed]);
    let mut refused = cluster::Proc::spawn(&[
        "worker".into(),
        "--nats".into(),
        url.clone(),
        "--store".into(),
        gateway.store(),
        "--nats-nkey-file".into(),
        other,
    ]);
    let (status, err) = refused.wait(Duration::from_secs(60));
    assert!(!status.success());
    assert!(err.to_lowercase().contains("authoriz"), "{err}");

    let mut w = worker(&url, &gateway.store(), &["--nats-nkey-file", &listed]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = gateway.messages(1);
    let ssv = runtime.block_on(async {
        let mut client = gateway.client().await;
        let req = gateway.decapsulate(&messages[0].1, None);
        client.decapsulate(req).await.unwrap().into_inner().ssv
    });
    assert_eq!(ssv, messages[0].0);
    assert_eq!(answered_by(w.stop()), 1);
}

#[test]
fn a_busy_worker_takes_emergency_jobs_before_older_bulk_ones() {
    const BULK: usize = 768;
    const EMERGENCY: usize = 10;
    let s = Scratch::new("nats-priority");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    let gateway = Arc::new(Gateway::start(&s.path("dev"), &nats.url(), &[]));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = Arc::new(gateway.messages(MESSAGES));
    let client = runtime.block_on(gateway.client());
    // Requests in flight before any worker exists: bulk ones first, then emergency ones.
    let send = |count: usize, priority: i32| -> Vec<_> {
        (0..count)
            .map(|i| {
                let mut client = client.clone();
                let (ssv, ed) = messages[i % MESSAGES].clone();
                let mut req = gateway.decapsulate(&ed, Some(60_000));
                req.scheduling.as_mut().unwrap().priority = priority;
                runtime.spawn(async move {
                    let answer = client.decapsulate(req).await.unwrap().into_inner();
                    assert_eq!(answer.ssv, ssv);
                    (priority, Instant::now())
                })
            })
            .collect()
    };
    let published = |n: u64| {
        let start = Instant::now();
        while gateway.metric("sakke_nats_forwarded_total") < n {
            assert!(start.elapsed() < Duration::from_secs(30), "not forwarded");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The stream's acks follow the publishes within a round trip.
        std::thread::sleep(Duration::from_millis(300));
    };
    let bulk_priority = service::proto::Priority::Bulk as i32;
    let emergency_priority = service::proto::Priority::Emergency as i32;
    let mut tasks = send(BULK, bulk_priority);
    published(BULK as u64);
    tasks.extend(send(EMERGENCY, emergency_priority));
    published((BULK + EMERGENCY) as u64);

    // One worker with room for one job of 256 at a time: it fetches the emergency
    // subject first, so the emergency answers do not wait behind the bulk backlog.
    let mut w = worker(&nats.url(), &gateway.store(), &["--slots", "256"]);
    let mut done: Vec<(i32, Instant)> = runtime.block_on(async {
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    done.sort_by_key(|(_, at)| *at);
    let last_emergency = done
        .iter()
        .rposition(|(p, _)| *p == emergency_priority)
        .unwrap();
    let bulk_before = done[..last_emergency]
        .iter()
        .filter(|(p, _)| *p == bulk_priority)
        .count();
    assert!(
        bulk_before < 256,
        "{bulk_before} bulk answers came before the last emergency one"
    );
    assert_eq!(answered_by(w.stop()), (BULK + EMERGENCY) as u64);
}

#[test]
fn a_full_job_stream_is_answered_busy() {
    let s = Scratch::new("nats-stream-bound");
    let Some(nats) = NatsServer::start(&s.path("nats"), "") else {
        return;
    };
    // The stream holds two jobs; with no worker, the third and later are refused.
    let gateway = Gateway::start(
        &s.path("dev"),
        &nats.url(),
        &["--nats-stream-max-jobs", "2"],
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let messages = gateway.messages(1);
    let codes: Vec<(tonic::Code, String)> = runtime.block_on(async {
        let client = gateway.client().await;
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let mut client = client.clone();
            let req = gateway.decapsulate(&messages[0].1, Some(2000));
            tasks.push(tokio::spawn(async move {
                let status = client.decapsulate(req).await.unwrap_err();
                (status.code(), status.message().to_string())
            }));
            // One job each: the gateway publishes what is queued when it looks.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        codes
    });
    assert_eq!(
        codes.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        [
            tonic::Code::DeadlineExceeded,
            tonic::Code::DeadlineExceeded,
            tonic::Code::ResourceExhausted,
            tonic::Code::ResourceExhausted,
            tonic::Code::ResourceExhausted,
        ],
        "{codes:?}"
    );
    assert!(
        codes[2]
            .1
            .contains("job stream holds its maximum of 2 jobs"),
        "{codes:?}"
    );

    // Another gateway with a bound of 3 brings the stream to it: the two stale jobs
    // still there, one more fits.
    let wider = Gateway::start(
        &s.path("dev2"),
        &nats.url(),
        &["--nats-stream-max-jobs", "3"],
    );
    let messages = wider.messages(1);
    let codes: Vec<tonic::Code> = runtime.block_on(async {
        let mut client = wider.client().await;
        let mut codes = Vec::new();
        for _ in 0..2 {
            let req = wider.decapsulate(&messages[0].1, Some(500));
            codes.push(client.decapsulate(req).await.unwrap_err().code());
        }
        codes
    });
    assert_eq!(
        codes,
        [
            tonic::Code::DeadlineExceeded,
            tonic::Code::ResourceExhausted
        ]
    );
}
