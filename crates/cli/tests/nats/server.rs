//! A nats-server with JetStream for one test: a free loopback port, a config file and a
//! store under the test's scratch directory, killed on drop. Under CI (`CI=true`) a
//! missing nats-server fails the test; elsewhere the test is skipped with a reason.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    child: Child,
    pub port: u16,
    config: PathBuf,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The nats-server on PATH or in /usr/sbin (where Debian puts it, and a non-root PATH
/// may not look); None (the test should return) when there is none outside CI.
pub fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nats-server"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            !under_ci(),
            "nats-server is not installed: scripts/test.sh installs it (CI=true: failing, not skipping)"
        );
        eprintln!("skipped: nats-server is not installed (apt-get install nats-server)");
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl NatsServer {
    /// Starts nats-server on a free loopback port with JetStream stored under `dir`;
    /// `extra` is added to its config (an `authorization` or `tls` block).
    pub fn start(dir: &Path, extra: &str) -> Option<NatsServer> {
        let binary = binary()?;
        let port = free_port();
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("nats.conf");
        let store = dir.join("jetstream");
        std::fs::write(
            &config,
            format!(
                "listen: \"127.0.0.1:{port}\"\njetstream {{\n  store_dir: {:?}\n  max_memory_store: 64MB\n  max_file_store: 512MB\n}}\n{extra}\n",
                store.display().to_string()
            ),
        )
        .unwrap();
        let server = NatsServer {
            child: spawn(&binary, &config, dir),
            port,
            config,
        };
        server.wait_listening();
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL) and starts it again on the same port and store.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let binary = binary().expect("nats-server was there a moment ago");
        let dir = self.config.parent().unwrap().to_path_buf();
        self.child = spawn(&binary, &self.config, &dir);
        self.wait_listening();
    }

    fn wait_listening(&self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "nats-server not listening on {} after 15 s (log: {})",
                self.port,
                self.config.with_extension("log").display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn spawn(binary: &Path, config: &Path, dir: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("nats.log"))
        .unwrap();
    Command::new(binary)
        .arg("-c")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("run nats-server")
}
