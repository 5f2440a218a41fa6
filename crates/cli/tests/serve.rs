//! `sakke serve` as an operator runs it: `--dev` comes up on loopback with 0600 files,
//! serves metrics, and SIGTERM drains it to exit status 0; a server killed with SIGKILL
//! mid-load gave only right answers, and once restarted on the same files gives the
//! same answers again.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::Scratch;
use service::client::{connect, ClientTls};
use service::proto::{DecapsulateRequest, EncapsulateRequest};

/// Kills the server if the test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Sends `signal` (a `kill` name such as "TERM") and waits at most 30 s for the exit.
    fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        let pid = self.0.id().to_string();
        assert!(Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "still running 30 s after SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Starts `sakke --json serve ARGS` on loopback ports and returns it with the JSON line
/// it prints once listening.
fn start(args: &[&str]) -> (Running, serde_json::Value) {
    let child = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(["--json", "serve", "--threads", "1"])
        .args(args)
        .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sakke serve");
    let mut server = Running(child);

    // The first line says where it listens; read it on a thread to bound the wait.
    let stdout = server.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("ready within 120 s");
    let ready = serde_json::from_str(&first).unwrap_or_else(|e| {
        let mut err = String::new();
        let _ = server.0.stderr.take().unwrap().read_to_string(&mut err);
        panic!("{e}: {first:?}, stderr {err}")
    });
    (server, ready)
}

#[test]
fn serve_dev_comes_up_on_loopback_and_sigterm_drains_it_to_exit_0() {
    let s = Scratch::new("serve");
    let (mut server, ready) = start(&["--dev", "--dev-dir", &s.arg("dev")]);
    assert_eq!(ready["users"], 3);
    let metrics = ready["metrics_listen"].as_str().unwrap();
    assert!(ready["listen"].as_str().unwrap().starts_with("127.0.0.1:"));

    for file in [
        "ca.pem",
        "server.pem",
        "server.key",
        "client.pem",
        "client.key",
        "authz.toml",
    ] {
        let mode = std::fs::metadata(s.path(&format!("dev/{file}")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }

    let mut http = TcpStream::connect(metrics).unwrap();
    http.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut page = String::new();
    http.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("sakke_requests_submitted_total 0"), "{page}");

    // A two-step sweep, every answer checked, written to the results folder.
    let port = ready["listen"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args([
            "--json",
            "load",
            "--url",
            &format!("https://localhost:{port}"),
        ])
        .args([
            "--ca",
            &s.arg("dev/ca.pem"),
            "--cert",
            &s.arg("dev/client.pem"),
        ])
        .args(["--key", &s.arg("dev/client.key")])
        .args(["--user", ready["dev_users"][1].as_str().unwrap()])
        .args(["--period", ready["dev_period"].as_str().unwrap()])
        .args(["--rate", "20", "--concurrency", "2", "--duration", "1"])
        .args([
            "--pause",
            "0.2",
            "--priority",
            "mixed",
            "--out-dir",
            &s.arg("results"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "sakke-load/1");
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["offered_per_second"], 20.0);
    assert_eq!(steps[1]["concurrency"], 2);
    for step in steps {
        assert_eq!(step["wrong"], 0, "{step}");
        assert!(step["ok"].as_u64().unwrap() > 0, "{step}");
    }
    let written: Vec<String> = std::fs::read_dir(s.path("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    let json_file = written.iter().find(|n| n.ends_with("-load.json")).unwrap();
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path(&format!("results/{json_file}"))).unwrap())
            .unwrap();
    assert_eq!(saved, doc);
    let svg_file = json_file.replace(".json", ".svg");
    let svg = std::fs::read_to_string(s.path(&format!("results/{svg_file}"))).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("normal p99"),
        "{svg}"
    );

    let status = server.signal_and_wait("TERM");
    assert!(status.success(), "{status:?}");
}

/// Every file under `dir`, with its bytes, sorted by path.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path.display().to_string(), bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn sigkill_mid_load_gives_only_right_answers_and_a_restart_answers_the_same() {
    const MESSAGES: usize = 24;
    const IN_FLIGHT: usize = 6;
    let s = Scratch::new("serve-kill");
    let dev = s.path("dev");
    let file = |name: &str| dev.join(name).display().to_string();
    let (mut first, ready) = start(&["--dev", "--dev-dir", &s.arg("dev")]);
    let user = ready["dev_users"][0].as_str().unwrap().to_string();
    let period = ready["dev_period"].as_str().unwrap().to_string();
    let tls = || ClientTls {
        ca: std::fs::read(dev.join("ca.pem")).unwrap(),
        cert: std::fs::read(dev.join("client.pem")).unwrap(),
        key: std::fs::read(dev.join("client.key")).unwrap(),
        domain: "localhost".into(),
    };
    let url = |ready: &serde_json::Value| {
        let addr = ready["listen"].as_str().unwrap();
        format!("https://localhost:{}", addr.rsplit(':').next().unwrap())
    };
    let store_before = snapshot(&dev.join("keystore"));
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // SSVs the server chose, and their Encapsulated Data.
    let sent: Vec<(Vec<u8>, Vec<u8>)> = runtime.block_on(async {
        let mut client = connect(&url(&ready), &tls()).await.unwrap();
        let mut sent = Vec::new();
        for _ in 0..MESSAGES {
            let answer = client
                .encapsulate(EncapsulateRequest {
                    recipient_uri: user.clone(),
                    key_period: period.clone(),
                    ssv: None,
                    scheduling: None,
                })
                .await
                .unwrap()
                .into_inner();
            sent.push((answer.ssv, answer.encapsulated));
        }
        sent
    });
    let sent = Arc::new(sent);
    let decap = |ed: &[u8]| DecapsulateRequest {
        user_uri: user.clone(),
        key_period: period.clone(),
        encapsulated: ed.to_vec(),
        scheduling: None,
    };

    // Closed-loop load over the messages, again and again, until the server is gone;
    // the server is killed once a few answers have come back.
    let answered = Arc::new(AtomicUsize::new(0));
    let load = {
        let (sent, answered) = (Arc::clone(&sent), Arc::clone(&answered));
        let requests: Vec<DecapsulateRequest> = sent.iter().map(|(_, ed)| decap(ed)).collect();
        let client = runtime.block_on(connect(&url(&ready), &tls())).unwrap();
        runtime.spawn(async move {
            let mut tasks = Vec::new();
            for worker in 0..IN_FLIGHT {
                let (mut client, sent, answered) =
                    (client.clone(), Arc::clone(&sent), Arc::clone(&answered));
                let requests = requests.clone();
                tasks.push(tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    let mut i = worker;
                    loop {
                        let call = client.decapsulate(requests[i % MESSAGES].clone());
                        match tokio::time::timeout(Duration::from_secs(60), call).await {
                            Ok(Ok(answer)) => {
                                let right = answer.into_inner().ssv == sent[i % MESSAGES].0;
                                answered.fetch_add(1, Ordering::SeqCst);
                                outcomes.push(Ok(right));
                            }
                            Ok(Err(status)) => {
                                outcomes.push(Err(status.code()));
                                return outcomes;
                            }
                            Err(_) => panic!("a request was neither answered nor failed in 60 s"),
                        }
                        i += IN_FLIGHT;
                    }
                }));
            }
            let mut all = Vec::new();
            for t in tasks {
                all.extend(t.await.unwrap());
            }
            all
        })
    };
    let start_wait = Instant::now();
    while answered.load(Ordering::SeqCst) < 2 * IN_FLIGHT {
        assert!(
            start_wait.elapsed() < Duration::from_secs(120),
            "no answers in 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = first.signal_and_wait("KILL");
    assert!(!status.success());
    let outcomes = runtime.block_on(load).unwrap();
    let right = outcomes.iter().filter(|o| **o == Ok(true)).count();
    assert!(right >= 2 * IN_FLIGHT, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| *o != Ok(false)),
        "a wrong SSV: {outcomes:?}"
    );
    // Each worker's last call failed as the connection went, not with an answer.
    assert_eq!(
        outcomes.iter().filter(|o| o.is_err()).count(),
        IN_FLIGHT,
        "{outcomes:?}"
    );
    assert_eq!(snapshot(&dev.join("keystore")), store_before);

    // The same files, a new process: every message, answered or not before the kill,
    // decapsulates to the SSV it was sent with.
    let (mut second, ready) = start(&[
        "--store",
        &file("keystore"),
        "--cert",
        &file("server.pem"),
        "--key",
        &file("server.key"),
        "--client-ca",
        &file("ca.pem"),
        "--authz",
        &file("authz.toml"),
    ]);
    runtime.block_on(async {
        let mut client = connect(&url(&ready), &tls()).await.unwrap();
        for (ssv, ed) in sent.iter() {
            let answer = client.decapsulate(decap(ed)).await.unwrap().into_inner();
            assert_eq!(&answer.ssv, ssv);
        }
    });
    let status = second.signal_and_wait("TERM");
    assert!(status.success(), "{status:?}");
    assert_eq!(snapshot(&dev.join("keystore")), store_before);
}
