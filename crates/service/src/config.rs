//! Every setting of `sakke serve`, as read from its TOML file; each is also a flag of
//! the command, which wins over the file.
//!
//! ```toml
//! listen = "0.0.0.0:50051"            # gRPC, mutual TLS
//! metrics_listen = "127.0.0.1:9464"   # plain HTTP, GET /metrics
//! cert = "server.pem"                 # server certificate chain (PEM)
//! key = "server.key"                  # its private key (PEM)
//! client_ca = "clients-ca.pem"        # CA that client certificates must chain to
//! authz = "authz.toml"                # which client may act for which users
//! key_store = "ks"                    # `sakke kms` key store with the users' keys
//! backend = "cpu"                     # runs small batches, and reruns failed ones
//! accelerators = ["gpu"]              # take batches of offload_min_batch or more
//! threads = 0                         # CPU worker threads, 0 = one per core
//! table_memory_mib = 384              # precomputed tables
//! max_skew_seconds = 300              # I_MESSAGE timestamp window
//! drain_grace_ms = 0                  # serving NOT_SERVING this long after SIGTERM
//!
//! [engine]                            # Triton-style dynamic batching
//! max_batch = 256
//! preferred_batch_sizes = [64, 256]
//! max_queue_delay_us = 5000
//! max_queue = 8192
//! offload_min_batch = 64
//!
//! [nats]                              # requests to `sakke worker`s (DESIGN.md 5)
//! url = "tls://nats.internal:4222"    # flag: --nats; absent = local backends only
//! ca = "nats-ca.pem"                  # TLS required, the server's CA
//! user = "gateway-1"                  # with password_file; or nkey_file instead
//! password_file = "nats-password"     # first line: the password
//! timeout_ms = 30000                  # deadline of a request that brings none
//! stream_max_jobs = 100000            # jobs stored at most; past it: busy
//! stream_max_age_s = 600              # jobs nobody took in this long are dropped
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use engine::{BackendOptions, EngineConfig};
use serde::Deserialize;

use crate::nats::StreamLimits;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    pub listen: SocketAddr,
    pub metrics_listen: SocketAddr,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub client_ca: Option<PathBuf>,
    pub authz: Option<PathBuf>,
    pub key_store: Option<PathBuf>,
    pub backend: String,
    /// Device backends beside `backend`, which take the large batches.
    pub accelerators: Vec<String>,
    pub threads: usize,
    pub table_memory_mib: usize,
    pub max_skew_seconds: u64,
    pub drain_grace_ms: u64,
    pub engine: EngineSettings,
    pub nats: NatsSettings,
}

/// Where `sakke serve` forwards requests, and as whom it logs in; each key is also
/// a `--nats-...` flag. Paths name files, so that secrets stay out of this file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NatsSettings {
    pub url: Option<String>,
    pub user: Option<String>,
    pub password_file: Option<PathBuf>,
    pub nkey_file: Option<PathBuf>,
    pub ca: Option<PathBuf>,
    pub timeout_ms: Option<u64>,
    /// The job stream's bounds (the gateway brings an existing stream to them).
    pub stream_max_jobs: Option<i64>,
    pub stream_max_age_s: Option<u64>,
}

impl NatsSettings {
    /// The deadline given to a forwarded request that brings none.
    pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

    /// The deadline given to a forwarded request that brings none.
    pub fn default_timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unwrap_or(Self::DEFAULT_TIMEOUT_MS))
    }

    /// The job stream's bounds: these settings' where given, the defaults elsewhere.
    pub fn stream_limits(&self) -> StreamLimits {
        let default = StreamLimits::default();
        StreamLimits {
            max_jobs: self.stream_max_jobs.unwrap_or(default.max_jobs),
            max_age: self
                .stream_max_age_s
                .map_or(default.max_age, Duration::from_secs),
        }
    }

    /// Refuses what the server or the login cannot use: stream bounds below 1, a user
    /// without a password file (or the reverse), or both a user and an NKey.
    pub fn validate(&self) -> Result<(), String> {
        if self.stream_max_jobs.is_some_and(|n| n < 1) {
            return Err("nats stream_max_jobs must be at least 1".into());
        }
        if self.stream_max_age_s == Some(0) {
            return Err("nats stream_max_age_s must be at least 1".into());
        }
        match (&self.user, &self.password_file, &self.nkey_file) {
            (Some(_), None, _) => Err("nats user needs a password_file".into()),
            (None, Some(_), _) => Err("nats password_file needs a user".into()),
            (Some(_), Some(_), Some(_)) => {
                Err("nats: log in with user and password_file, or with nkey_file, not both".into())
            }
            _ => Ok(()),
        }
    }
}

/// The engine's batching settings, as [`EngineConfig`] names them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    pub max_batch: usize,
    pub preferred_batch_sizes: Vec<usize>,
    pub max_queue_delay_us: u64,
    pub max_queue: usize,
    pub offload_min_batch: usize,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        let backend = BackendOptions::default();
        ServiceConfig {
            listen: ([127, 0, 0, 1], 50051).into(),
            metrics_listen: ([127, 0, 0, 1], 9464).into(),
            cert: None,
            key: None,
            client_ca: None,
            authz: None,
            key_store: None,
            backend: "cpu".into(),
            accelerators: Vec::new(),
            threads: backend.threads,
            table_memory_mib: backend.table_budget_bytes >> 20,
            max_skew_seconds: 300,
            drain_grace_ms: 0,
            engine: EngineSettings::default(),
            nats: NatsSettings::default(),
        }
    }
}

impl Default for EngineSettings {
    fn default() -> Self {
        let e = EngineConfig::default();
        EngineSettings {
            max_batch: e.max_batch,
            preferred_batch_sizes: e.preferred_batch_sizes,
            max_queue_delay_us: e.max_queue_delay.as_micros() as u64,
            max_queue: e.max_queue,
            offload_min_batch: e.offload_min_batch,
        }
    }
}

impl ServiceConfig {
    pub fn parse(text: &str) -> Result<ServiceConfig, toml::de::Error> {
        toml::from_str(text)
    }

    pub fn engine_config(&self) -> EngineConfig {
        let e = &self.engine;
        EngineConfig {
            max_batch: e.max_batch,
            preferred_batch_sizes: e.preferred_batch_sizes.clone(),
            max_queue_delay: Duration::from_micros(e.max_queue_delay_us),
            max_queue: e.max_queue,
            offload_min_batch: e.offload_min_batch,
            ..EngineConfig::default()
        }
    }

    pub fn backend_options(&self) -> BackendOptions {
        BackendOptions {
            threads: self.threads,
            table_budget_bytes: self.table_memory_mib << 20,
            // Tables where they pay: a gateway sees each user's key again and again.
            ..BackendOptions::default()
        }
    }

    pub fn max_skew(&self) -> Duration {
        Duration::from_secs(self.max_skew_seconds)
    }

    pub fn drain_grace(&self) -> Duration {
        Duration::from_millis(self.drain_grace_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses_and_omitted_settings_default() {
        let doc: String = include_str!("config.rs")
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| format!("{}\n", l.trim_start_matches("//!").trim_start()))
            .collect();
        let config = ServiceConfig::parse(&doc).unwrap();
        assert_eq!(config.listen, "0.0.0.0:50051".parse().unwrap());
        assert_eq!(config.engine.preferred_batch_sizes, vec![64, 256]);
        assert_eq!(
            config.engine_config().max_queue_delay,
            Duration::from_millis(5)
        );

        let config = ServiceConfig::parse("[engine]\nmax_queue = 4\n").unwrap();
        assert_eq!(config.engine.max_queue, 4);
        assert_eq!(config.engine.max_batch, 256);
        assert_eq!(config.backend, "cpu");
        assert!(ServiceConfig::parse("listen_addr = \"x\"").is_err());
        assert_eq!(config.nats, NatsSettings::default());
    }

    #[test]
    fn the_nats_section_parses_and_bad_logins_are_refused() {
        let config = ServiceConfig::parse(
            "[nats]\nurl = \"nats://127.0.0.1:4222\"\nnkey_file = \"k\"\ntimeout_ms = 5\n",
        )
        .unwrap();
        assert_eq!(config.nats.url.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(config.nats.timeout_ms, Some(5));
        assert_eq!(config.nats.validate(), Ok(()));
        // A misspelt key is an error, not ignored.
        assert!(ServiceConfig::parse("[nats]\nnats_url = \"x\"\n").is_err());
        let login = |user: bool, password: bool, nkey: bool| NatsSettings {
            user: user.then(|| "u".into()),
            password_file: password.then(|| "p".into()),
            nkey_file: nkey.then(|| "k".into()),
            ..NatsSettings::default()
        };
        assert!(login(true, false, false).validate().is_err());
        assert!(login(false, true, false).validate().is_err());
        assert!(login(true, true, true).validate().is_err());
        assert!(login(true, true, false).validate().is_ok());
        let bounds = |jobs: i64, age: u64| NatsSettings {
            stream_max_jobs: Some(jobs),
            stream_max_age_s: Some(age),
            ..NatsSettings::default()
        };
        assert!(bounds(0, 600).validate().is_err());
        assert!(bounds(10, 0).validate().is_err());
        assert!(bounds(10, 1).validate().is_ok());
    }
}
