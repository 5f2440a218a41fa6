//! The processes of a scale-out test, each the built `sakke` binary: one gateway
//! (`sakke serve --dev --nats`) and its workers (`sakke worker`), each killed on drop;
//! and the client side: checked decapsulations through the gateway.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mikey::eccsi::rand_core::OsRng;
use sakke_cli::identity::KeyPeriod;
use sakke_cli::keystore::Store;
use service::client::{connect, ClientTls};
use service::proto::sakke_client::SakkeClient;
use service::proto::{DecapsulateRequest, Scheduling};
use tonic::transport::Channel;

/// A `sakke` process and the JSON lines it prints, read on a thread.
pub struct Proc {
    child: Child,
    lines: Mutex<mpsc::Receiver<String>>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    pub fn spawn(args: &[String]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sakke"))
            .arg("--json")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sakke");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Proc {
            child,
            lines: Mutex::new(lines),
        }
    }

    /// The next JSON line, within `within`; the process's stderr in the panic if none.
    pub fn next_json(&mut self, within: Duration) -> serde_json::Value {
        match self.lines.get_mut().unwrap().recv_timeout(within) {
            Ok(line) => serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}")),
            Err(_) => {
                let _ = self.child.kill();
                let mut err = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("no line within {within:?}; stderr: {err}")
            }
        }
    }

    pub fn signal(&mut self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success());
    }

    /// Waits at most `within` for the exit; the status and what it wrote to stderr.
    pub fn wait(&mut self, within: Duration) -> (ExitStatus, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
                return (status, err);
            }
            assert!(start.elapsed() < within, "still running after {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, the exit status 0, and the last JSON line printed, if any.
    pub fn stop(&mut self) -> Option<serde_json::Value> {
        self.signal("TERM");
        let (status, err) = self.wait(Duration::from_secs(60));
        assert!(status.success(), "{status:?}: {err}");
        let mut last = None;
        while let Ok(line) = self.lines.get_mut().unwrap().try_recv() {
            last = Some(line);
        }
        last.map(|l| serde_json::from_str(&l).unwrap())
    }
}

/// `sakke serve --dev` forwarding to NATS, and where it is.
pub struct Gateway {
    pub proc: Proc,
    pub dev: PathBuf,
    pub grpc_port: u16,
    pub metrics: String,
    /// The first of `users`, whom decapsulations are for.
    pub user: String,
    pub users: Vec<String>,
    pub period: String,
}

/// One counter or gauge from `GET /metrics` at `addr`.
pub fn metric(addr: &str, name: &str) -> u64 {
    let mut http = TcpStream::connect(addr).unwrap();
    http.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut page = String::new();
    http.read_to_string(&mut page).unwrap();
    page.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        .parse()
        .unwrap()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|a| a.to_string()).collect()
}

impl Gateway {
    pub fn start(dev: &Path, nats_url: &str, extra: &[&str]) -> Gateway {
        let mut args = s(&["serve", "--dev", "--threads", "1", "--nats", nats_url]);
        args.extend(s(&[
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
        ]));
        args.extend(s(&["--dev-dir", dev.to_str().unwrap()]));
        args.extend(s(extra));
        let mut proc = Proc::spawn(&args);
        let ready = proc.next_json(Duration::from_secs(120));
        let port = |key: &str| {
            ready[key]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .to_string()
        };
        Gateway {
            grpc_port: port("listen").parse().unwrap(),
            metrics: format!("127.0.0.1:{}", port("metrics_listen")),
            user: ready["dev_users"][0].as_str().unwrap().into(),
            users: ready["dev_users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap().to_string())
                .collect(),
            period: ready["dev_period"].as_str().unwrap().into(),
            dev: dev.to_path_buf(),
            proc,
        }
    }

    pub fn store(&self) -> String {
        self.dev.join("keystore").display().to_string()
    }

    /// One counter or gauge from the gateway's `GET /metrics`.
    pub fn metric(&self, name: &str) -> u64 {
        metric(&self.metrics, name)
    }

    pub async fn client(&self) -> SakkeClient<Channel> {
        let read = |f: &str| std::fs::read(self.dev.join(f)).unwrap();
        let tls = ClientTls {
            ca: read("ca.pem"),
            cert: read("client.pem"),
            key: read("client.key"),
            domain: "localhost".into(),
        };
        connect(&format!("https://localhost:{}", self.grpc_port), &tls)
            .await
            .unwrap()
    }

    /// `n` fresh SSVs for the gateway's first user and their Encapsulated Data, made here
    /// from the key store's public key (the gateway's own encapsulations go to workers,
    /// and a test's inputs should not come from what it tests).
    pub fn messages(&self, n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let public = Store::at(Path::new(&self.store())).load_public().unwrap();
        let id = sakke::Identifier::rfc6509(&self.period, &self.user).unwrap();
        let to = sakke::RecipientKey::new(&id, &public.z).unwrap();
        (0..n)
            .map(|_| {
                let ssv = sakke::Ssv::random();
                let ed = sakke::encapsulate_to(&ssv, &to);
                (ssv.as_bytes().to_vec(), ed.to_bytes().to_vec())
            })
            .collect()
    }

    /// An I_MESSAGE from dev user `from` to dev user `to` (indices into `dev_users`),
    /// built and signed here with the key store's keys, and what opening it must give.
    pub fn i_message(&self, from: usize, to: usize) -> mikey::BuiltIMessage {
        let store = Store::at(Path::new(&self.store()));
        let public = store.load_public().unwrap();
        let period: KeyPeriod = self.period.parse().unwrap();
        let (keys, origin) = store
            .load_user(&self.users[from].parse().unwrap(), period)
            .unwrap();
        let (_, signing) = keys.validate(&public, &origin).unwrap();
        let party = |i: usize| mikey::PartyId::Uri(self.users[i].clone());
        let (initiator, responder) = (party(from), party(to));
        let params = mikey::IMessageParams::new(&initiator, &responder, &signing, &public.z);
        mikey::build_i_message(&params, &mut OsRng).unwrap()
    }

    pub fn decapsulate(&self, ed: &[u8], timeout_ms: Option<u32>) -> DecapsulateRequest {
        DecapsulateRequest {
            user_uri: self.user.clone(),
            key_period: self.period.clone(),
            encapsulated: ed.to_vec(),
            scheduling: timeout_ms.map(|t| Scheduling {
                priority: 0,
                timeout_ms: Some(t),
            }),
        }
    }
}

/// `sakke worker` on the gateway's key store, once it has said it is pulling.
pub fn worker(nats_url: &str, store: &str, extra: &[&str]) -> Proc {
    worker_with_metrics(nats_url, store, extra).0
}

/// A worker with a metrics listener, and that listener's address.
pub fn worker_with_metrics(nats_url: &str, store: &str, extra: &[&str]) -> (Proc, String) {
    let mut args = s(&["worker", "--nats", nats_url, "--store", store]);
    args.extend(s(&["--threads", "1", "--metrics-listen", "127.0.0.1:0"]));
    args.extend(s(extra));
    let mut proc = Proc::spawn(&args);
    let ready = proc.next_json(Duration::from_secs(60));
    assert!(ready["slots"].as_u64().unwrap() >= 256, "{ready}");
    let metrics = ready["metrics_listen"].as_str().unwrap().to_string();
    (proc, metrics)
}

/// How `requests` checked decapsulations went: right SSVs, wrong ones, and the
/// failures by gRPC code name.
#[derive(Debug, Default)]
pub struct Tally {
    pub right: usize,
    pub wrong: usize,
    pub failed: Vec<(tonic::Code, String)>,
}

/// Decapsulates `requests` times, `in_flight` at once, message `i % messages.len()` for
/// request `i`, checking each answer; `progress` counts answers as they come.
pub async fn drive(
    gateway: &Gateway,
    messages: Arc<Vec<(Vec<u8>, Vec<u8>)>>,
    requests: usize,
    in_flight: usize,
    progress: Arc<std::sync::atomic::AtomicUsize>,
) -> Tally {
    use std::sync::atomic::Ordering;
    let client = gateway.client().await;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..in_flight {
        let (mut client, messages, next, progress) = (
            client.clone(),
            Arc::clone(&messages),
            Arc::clone(&next),
            Arc::clone(&progress),
        );
        let reqs: Vec<DecapsulateRequest> = messages
            .iter()
            .map(|(_, ed)| gateway.decapsulate(ed, None))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return tally;
                }
                let k = i % messages.len();
                let call = client.decapsulate(reqs[k].clone());
                match tokio::time::timeout(Duration::from_secs(90), call).await {
                    Ok(Ok(a)) if a.get_ref().ssv == messages[k].0 => tally.right += 1,
                    Ok(Ok(_)) => tally.wrong += 1,
                    Ok(Err(status)) => tally
                        .failed
                        .push((status.code(), status.message().to_string())),
                    Err(_) => panic!("request {i} neither answered nor failed in 90 s"),
                }
                progress.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        total.right += t.right;
        total.wrong += t.wrong;
        total.failed.extend(t.failed);
    }
    total
}
