//! `sakke serve --dev` as an operator runs it: it comes up on loopback with 0600 files,
//! serves metrics, and SIGTERM drains it to exit status 0.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Scratch;

/// Kills the server if the test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_dev_comes_up_on_loopback_and_sigterm_drains_it_to_exit_0() {
    let s = Scratch::new("serve");
    let dev = s.arg("dev");
    let child = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args([
            "--json",
            "serve",
            "--dev",
            "--dev-dir",
            &dev,
            "--threads",
            "1",
        ])
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
    let ready: serde_json::Value = serde_json::from_str(&first).unwrap_or_else(|e| {
        let mut err = String::new();
        let _ = server.0.stderr.take().unwrap().read_to_string(&mut err);
        panic!("{e}: {first:?}, stderr {err}")
    });
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

    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}
