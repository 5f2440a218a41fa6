//! Helpers for running the `sakke` binary against scratch directories.
#![allow(dead_code)]

pub mod streamwide;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A directory under the system temp dir, unique to this test, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "sakke-cli-{name}-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The path as a &str argument.
    pub fn arg(&self, name: &str) -> String {
        self.path(name)
            .to_str()
            .expect("utf-8 temp path")
            .to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `sakke args...` with `stdin` as standard input.
pub fn sakke_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sakke"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sakke");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for sakke");
    writer.join().expect("stdin writer");
    out
}

pub fn sakke(args: &[&str]) -> Output {
    sakke_with_stdin(args, b"")
}

/// Runs `sakke args...` and insists that it succeeds.
pub fn sakke_ok(args: &[&str]) -> Output {
    let out = sakke(args);
    assert!(
        out.status.success(),
        "sakke {args:?} failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `sakke args...`, insists that it fails, and returns its stderr.
pub fn sakke_err(args: &[&str]) -> String {
    let out = sakke(args);
    assert!(
        !out.status.success(),
        "sakke {args:?} should have failed\nstdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read file")).expect("JSON file")
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// A key store with a KMS and the given users issued for `period`.
pub fn store_with_users(scratch: &Scratch, uris: &[&str], period: &str) -> String {
    let store = scratch.arg("store");
    sakke_ok(&["kms", "init", "--store", &store]);
    for uri in uris {
        sakke_ok(&[
            "kms", "issue", "--store", &store, "--uri", uri, "--period", period,
        ]);
    }
    store
}

/// users/<sanitized uri>_<period>.json, for the plain tel: URIs the tests use.
pub fn user_file(store: &str, uri: &str, period: &str) -> String {
    format!("{store}/users/{}_{period}.json", uri.replace(':', "_"))
}
