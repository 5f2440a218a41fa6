//! `sakke serve`: the gateway service (crates/service) with this command's key store.
//! Flags and the TOML config file are merged here (a flag wins); the service does the
//! rest.

mod dev;
mod keyring;
mod nats_args;

pub use keyring::load as load_keys;
pub use nats_args::NatsArgs;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use engine::Engine;
use service::{Authorisation, Gateway, RemoteSettings, ServiceConfig, TlsPem};

#[derive(Args)]
pub struct ServeArgs {
    /// TOML file with any of the settings below (README "sakke serve"); flags win.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Make a throwaway key store, certificates and authorisation file, print how to
    /// connect, and serve them on 127.0.0.1.
    #[arg(long)]
    dev: bool,

    /// Where --dev writes its files (default: a new directory under the system's
    /// temporary directory).
    #[arg(long, value_name = "DIR", requires = "dev")]
    dev_dir: Option<PathBuf>,

    /// gRPC address (mutual TLS) [default: 127.0.0.1:50051].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Plain-HTTP address serving GET /metrics [default: 127.0.0.1:9464].
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,

    /// Server certificate chain, PEM.
    #[arg(long, value_name = "FILE")]
    cert: Option<PathBuf>,

    /// The server certificate's private key, PEM.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,

    /// CA that client certificates must chain to, PEM.
    #[arg(long, value_name = "FILE")]
    client_ca: Option<PathBuf>,

    /// Authorisation file: which client certificate may act for which users.
    #[arg(long, value_name = "FILE")]
    authz: Option<PathBuf>,

    /// Key store (`sakke kms`) whose users the server acts for.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,

    /// Pairing backend (`sakke backends` lists them) [default: cpu].
    #[arg(long, value_name = "NAME")]
    backend: Option<String>,

    /// A device backend (`gpu`) that takes batches of --offload-min-batch or more while
    /// `--backend` runs the rest and reruns any batch it fails (repeatable; replaces the
    /// file's `accelerators`).
    #[arg(long = "accelerator", value_name = "NAME")]
    accelerators: Vec<String>,

    /// CPU worker threads, 0 for one per core [default: 0].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Memory for precomputed tables, MiB [default: 384].
    #[arg(long, value_name = "MIB")]
    table_memory_mib: Option<usize>,

    /// Largest accepted I_MESSAGE timestamp difference, seconds [default: 300].
    #[arg(long, value_name = "SECONDS")]
    max_skew: Option<u64>,

    /// After SIGTERM, keep serving this long with health NOT_SERVING, so that load
    /// balancers move clients away before new connections are refused, ms [default: 0].
    #[arg(long, value_name = "MS")]
    drain_grace_ms: Option<u64>,

    /// Largest batch handed to a backend [default: 256].
    #[arg(long, value_name = "N")]
    max_batch: Option<usize>,

    /// Batch sizes dispatched at once, comma-separated [default: 64,256].
    #[arg(long, value_name = "N,N", value_delimiter = ',')]
    preferred_batch_sizes: Option<Vec<usize>>,

    /// How long a batch that is neither full nor preferred waits, µs [default: 5000].
    #[arg(long, value_name = "US")]
    max_queue_delay_us: Option<u64>,

    /// Requests queued at most; more are answered RESOURCE_EXHAUSTED [default: 8192].
    #[arg(long, value_name = "N")]
    max_queue: Option<usize>,

    /// Batches at least this large go to an accelerator when one is idle [default: 64].
    #[arg(long, value_name = "N")]
    offload_min_batch: Option<usize>,

    /// Every request (decapsulate, encapsulate, open I_MESSAGE) goes to `sakke worker`s
    /// through this NATS server instead of the local backends; at most --max-queue of
    /// them wait for workers at once, more are answered busy.
    // Boxed: it keeps the command enum's variants of similar sizes.
    #[command(flatten)]
    nats: Box<NatsArgs>,

    /// With --nats, the deadline of a request that brings none, ms [default: 30000].
    #[arg(long, value_name = "MS")]
    nats_timeout_ms: Option<u64>,

    /// With --nats, jobs the stream stores at most; past it requests are answered busy
    /// [default: 100000]. The gateway brings an existing stream to this bound.
    #[arg(long, value_name = "N")]
    nats_stream_max_jobs: Option<i64>,

    /// With --nats, seconds after which a job nobody took is dropped [default: 600].
    #[arg(long, value_name = "S")]
    nats_stream_max_age_s: Option<u64>,
}

/// The config file's settings with the flags laid over them.
fn settings(args: &ServeArgs) -> Result<ServiceConfig> {
    let mut c = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            ServiceConfig::parse(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => ServiceConfig::default(),
    };
    fn set<T: Clone>(slot: &mut T, flag: &Option<T>) {
        if let Some(v) = flag {
            *slot = v.clone();
        }
    }
    fn set_option<T: Clone>(slot: &mut Option<T>, flag: &Option<T>) {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    set(&mut c.listen, &args.listen);
    set(&mut c.metrics_listen, &args.metrics_listen);
    set_option(&mut c.cert, &args.cert);
    set_option(&mut c.key, &args.key);
    set_option(&mut c.client_ca, &args.client_ca);
    set_option(&mut c.authz, &args.authz);
    set_option(&mut c.key_store, &args.store);
    set(&mut c.backend, &args.backend);
    if !args.accelerators.is_empty() {
        c.accelerators.clone_from(&args.accelerators);
    }
    set(&mut c.threads, &args.threads);
    set(&mut c.table_memory_mib, &args.table_memory_mib);
    set(&mut c.max_skew_seconds, &args.max_skew);
    set(&mut c.drain_grace_ms, &args.drain_grace_ms);
    set(&mut c.engine.max_batch, &args.max_batch);
    set(
        &mut c.engine.preferred_batch_sizes,
        &args.preferred_batch_sizes,
    );
    set(&mut c.engine.max_queue_delay_us, &args.max_queue_delay_us);
    set(&mut c.engine.max_queue, &args.max_queue);
    set(&mut c.engine.offload_min_batch, &args.offload_min_batch);
    c.nats = args.nats.over(&c.nats);
    set_option(&mut c.nats.timeout_ms, &args.nats_timeout_ms);
    set_option(&mut c.nats.stream_max_jobs, &args.nats_stream_max_jobs);
    set_option(&mut c.nats.stream_max_age_s, &args.nats_stream_max_age_s);
    Ok(c)
}

/// A path setting that has no default: named as both its flag and its config key.
fn required<'a>(path: &'a Option<PathBuf>, flag: &str, key: &str) -> Result<&'a Path> {
    path.as_deref()
        .with_context(|| format!("no {key}: pass --{flag} or set `{key}` in --config"))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: &ServeArgs, json: bool) -> Result<()> {
    let mut config = settings(args)?;
    let setup = if args.dev {
        if !config.listen.ip().is_loopback() || !config.metrics_listen.ip().is_loopback() {
            bail!("--dev serves on 127.0.0.1 only: its certificates and keys are throwaway");
        }
        let dir = match &args.dev_dir {
            Some(dir) => dir.clone(),
            None => dev::new_temp_dir()?,
        };
        let setup = dev::create(&dir)?;
        config.cert = Some(setup.cert.clone());
        config.key = Some(setup.key.clone());
        config.client_ca = Some(setup.ca.clone());
        config.authz = Some(setup.authz.clone());
        config.key_store = Some(setup.store.clone());
        Some(setup)
    } else {
        None
    };

    let keys = keyring::load(required(&config.key_store, "store", "key_store")?)?;
    let authz_path = required(&config.authz, "authz", "authz")?;
    let authz = Authorisation::parse(&String::from_utf8_lossy(&read(authz_path)?))
        .with_context(|| format!("in {}", authz_path.display()))?;
    let tls = TlsPem {
        cert: read(required(&config.cert, "cert", "cert")?)?,
        key: read(required(&config.key, "key", "key")?)?,
        client_ca: read(required(&config.client_ca, "client-ca", "client_ca")?)?,
    };
    let backend = engine::open(&config.backend, &config.backend_options())?;
    let accelerators = config
        .accelerators
        .iter()
        .map(|name| engine::open(name, &config.backend_options()).map(Arc::from))
        .collect::<Result<Vec<_>, _>>()?;
    let engine = Engine::new(config.engine_config(), Arc::from(backend), accelerators)
        .context("engine settings")?;
    let users = keys.len();
    let nats = nats_args::options(&config.nats, &format!("sakke-serve-{}", std::process::id()))
        .context("the NATS settings")?
        .map(|options| RemoteSettings {
            options,
            max_in_flight: config.engine.max_queue,
            default_timeout: config.nats.default_timeout(),
            stream: config.nats.stream_limits(),
        });
    let gateway = Gateway {
        engine,
        keys: Arc::new(keys),
        authz,
        tls,
        max_skew: config.max_skew(),
        drain_grace: config.drain_grace(),
        nats,
    };
    gateway.run_until_signal(config.listen, config.metrics_listen, |grpc, metrics| {
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "listen": grpc.to_string(),
                    "metrics_listen": metrics.to_string(),
                    "users": users,
                    "dev_dir": setup.as_ref().map(|s| s.dir.display().to_string()),
                    "dev_users": setup.as_ref().map(|_| dev::USERS),
                    "dev_period": setup.as_ref().map(|s| s.period.to_string()),
                })
            );
        } else {
            println!("sakke serve: gRPC (mutual TLS) on {grpc}, metrics on http://{metrics}/metrics, {users} user key(s)");
            if let Some(setup) = &setup {
                print_dev_help(setup, grpc, metrics);
            }
            println!("SIGTERM or Ctrl-C drains and stops.");
        }
    })?;
    if !json {
        println!("sakke serve: drained, stopped");
    }
    Ok(())
}

fn print_dev_help(s: &dev::DevSetup, grpc: SocketAddr, metrics: SocketAddr) {
    let d = |p: &Path| p.display().to_string();
    println!("\nDev setup in {} (throwaway, every file 0600):", d(&s.dir));
    println!(
        "  key store {}  users {} (key period {})",
        d(&s.store),
        dev::USERS.join(", "),
        s.period
    );
    println!(
        "  CA {}  client certificate {} + {}",
        d(&s.ca),
        d(&s.client_cert),
        d(&s.client_key)
    );
    println!("\nConnect with grpcurl (https://github.com/fullstorydev/grpcurl):");
    let grpcurl = format!(
        "grpcurl -cacert {} -cert {} -key {} -import-path {} -proto sakke/v1/sakke.proto",
        d(&s.ca),
        d(&s.client_cert),
        d(&s.client_key),
        service::PROTO_DIR
    );
    let target = format!("localhost:{}", grpc.port());
    println!(
        "  {grpcurl} \\\n    -d '{{\"recipient_uri\": \"{}\", \"key_period\": \"{}\"}}' {target} sakke.v1.Sakke/Encapsulate",
        dev::USERS[0],
        s.period
    );
    println!(
        "  {grpcurl} \\\n    -d '{{\"user_uri\": \"{}\", \"key_period\": \"{}\", \"encapsulated\": \"<encapsulated from above>\"}}' {target} sakke.v1.Sakke/Decapsulate",
        dev::USERS[0],
        s.period
    );
    println!(
        "  grpc_health_probe -addr {target} -tls -tls-ca-cert {} -tls-client-cert {} -tls-client-key {}",
        d(&s.ca),
        d(&s.client_cert),
        d(&s.client_key)
    );
    println!("  curl http://{metrics}/metrics");
    println!("\nLoad it, every answer checked:");
    println!(
        "  sakke load --url https://localhost:{} --ca {} --cert {} --key {} \\\n    --user {} --period {} --concurrency 16 --duration 10 --priority mixed",
        grpc.port(),
        d(&s.ca),
        d(&s.client_cert),
        d(&s.client_key),
        dev::USERS[0],
        s.period
    );
}
