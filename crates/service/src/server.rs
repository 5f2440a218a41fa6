//! Running the gateway: gRPC over mutual TLS, the health service, the metrics listener,
//! and the drain on shutdown (health NOT_SERVING, still serving for the drain grace, then
//! no new connections or stream items, everything already queued answered, then return).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::Engine;
use mikey::ReplayCache;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic_health::ServingStatus;

use crate::authz::Authorisation;
use crate::counters::Counters;
use crate::grpc::SakkeService;
use crate::keyring::KeyRing;
use crate::metrics_http;
use crate::nats::{Forwarder, NatsError, NatsOptions, StreamLimits};
use crate::proto::sakke_server::SakkeServer;
use crate::requests::Context;

/// The server's TLS material, PEM.
pub struct TlsPem {
    /// Server certificate chain.
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
    /// The CA a client certificate must chain to; clients without one are refused in
    /// the handshake.
    pub client_ca: Vec<u8>,
}

impl TlsPem {
    /// Client certificates required, chaining to `client_ca`.
    fn config(&self) -> ServerTlsConfig {
        ServerTlsConfig::new()
            .identity(Identity::from_pem(&self.cert, &self.key))
            .client_ca_root(Certificate::from_pem(&self.client_ca))
    }
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("the server certificate, its key or the client CA: {0}")]
    Tls(#[source] tonic::transport::Error),
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("starting the runtime or the signal handlers: {0}")]
    Runtime(std::io::Error),
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error(transparent)]
    Nats(#[from] NatsError),
    #[error("the engine's shutdown failed: {0}")]
    Shutdown(#[from] tokio::task::JoinError),
}

/// Everything the gateway serves with; the listeners and the stop signal are given to
/// [`Gateway::serve`].
pub struct Gateway {
    pub engine: Engine,
    pub keys: Arc<KeyRing>,
    pub authz: Authorisation,
    pub tls: TlsPem,
    /// I_MESSAGE timestamp window.
    pub max_skew: Duration,
    /// How long the gateway keeps serving, health NOT_SERVING, after the stop signal and
    /// before it refuses new connections: the time load balancers need to see the health
    /// change and move clients elsewhere.
    pub drain_grace: Duration,
    /// Set: every request goes to `sakke worker`s over NATS JetStream.
    pub nats: Option<RemoteSettings>,
}

/// Where requests go with `--nats`, and the gateway's own bounds for them.
pub struct RemoteSettings {
    pub options: NatsOptions,
    /// Requests waiting for workers at most; more are answered busy.
    pub max_in_flight: usize,
    /// The deadline of a request that brings none.
    pub default_timeout: Duration,
    /// The job stream's bounds.
    pub stream: StreamLimits,
}

impl Gateway {
    /// Serves gRPC on `grpc` and `GET /metrics` on `metrics` until `stop` completes,
    /// then drains: returns once every request already received has been answered and
    /// the engine has stopped.
    pub async fn serve(
        self,
        grpc: TcpListener,
        metrics: TcpListener,
        stop: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let remote = self.start_remote().await?;
        self.serve_with(remote, grpc, metrics, stop).await
    }

    /// Connects to NATS if `nats` is set, so that a refused login fails the start.
    async fn start_remote(&self) -> Result<Option<Arc<Forwarder>>, ServeError> {
        Ok(match &self.nats {
            Some(r) => Some(
                Forwarder::start(&r.options, r.max_in_flight, r.default_timeout, r.stream).await?,
            ),
            None => None,
        })
    }

    async fn serve_with(
        self,
        remote: Option<Arc<Forwarder>>,
        grpc: TcpListener,
        metrics: TcpListener,
        stop: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let Gateway {
            engine,
            keys,
            authz,
            tls,
            max_skew,
            drain_grace,
            nats: _,
        } = self;
        let counters = Arc::new(Counters::default());
        let (draining_tx, draining) = watch::channel(false);
        let (mut health, health_service) = tonic_health::server::health_reporter();
        health.set_serving::<SakkeServer<SakkeService>>().await;

        let render: Arc<dyn Fn() -> String + Send + Sync> = {
            let (engine, counters) = (engine.clone(), Arc::clone(&counters));
            let remote = remote.clone();
            Arc::new(move || {
                let nats = remote.as_ref().map(|r| r.render_prometheus());
                engine.metrics().render_prometheus()
                    + &counters.render_prometheus()
                    + nats.as_deref().unwrap_or_default()
            })
        };
        let metrics_task = tokio::spawn(metrics_http::serve(metrics, render));

        let service = SakkeService::new(
            Arc::new(Context {
                engine: engine.clone(),
                keys,
                max_skew,
                remote,
                replay: Mutex::new(ReplayCache::new(engine.config().replay_cache_capacity)),
            }),
            Arc::new(authz),
            counters,
            draining,
        );
        let tls = tls.config();

        let mut engine_stopping = None;
        let drain = async {
            stop.await;
            health.set_not_serving::<SakkeServer<SakkeService>>().await;
            health
                .set_service_status("", ServingStatus::NotServing)
                .await;
            tokio::time::sleep(drain_grace).await;
            draining_tx.send_replace(true);
            // The engine refuses new work from here on and answers what it holds, which
            // lets the handlers waiting on it finish, which lets the server stop.
            let engine = engine.clone();
            engine_stopping = Some(tokio::task::spawn_blocking(move || engine.shutdown()));
        };
        let served = Server::builder()
            .tls_config(tls)
            .map_err(ServeError::Tls)?
            .add_service(health_service)
            .add_service(SakkeServer::new(service))
            .serve_with_incoming_shutdown(TcpListenerStream::new(grpc), drain)
            .await;
        metrics_task.abort();
        let engine_stopping = engine_stopping
            .unwrap_or_else(|| tokio::task::spawn_blocking(move || engine.shutdown()));
        engine_stopping.await?;
        served?;
        Ok(())
    }

    /// The whole life of `sakke serve`: binds both listeners, calls `ready` with their
    /// addresses, serves until SIGTERM or SIGINT, drains, and returns. The signal
    /// handlers are installed before `ready`, so a signal sent as soon as the addresses
    /// are printed already drains.
    pub fn run_until_signal(
        self,
        listen: SocketAddr,
        metrics_listen: SocketAddr,
        ready: impl FnOnce(SocketAddr, SocketAddr),
    ) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(ServeError::Runtime)?;
        // Bad TLS material is reported before anything listens or says it is ready.
        Server::builder()
            .tls_config(self.tls.config())
            .map_err(ServeError::Tls)?;
        runtime.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).map_err(ServeError::Runtime)?;
            let mut interrupt = signal(SignalKind::interrupt()).map_err(ServeError::Runtime)?;
            let bind = |addr| async move {
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| ServeError::Bind { addr, source })
            };
            let remote = self.start_remote().await?;
            let grpc = bind(listen).await?;
            let metrics = bind(metrics_listen).await?;
            let local = |l: &TcpListener, asked| l.local_addr().unwrap_or(asked);
            ready(local(&grpc, listen), local(&metrics, metrics_listen));
            let stop = async move {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = interrupt.recv() => {}
                }
            };
            self.serve_with(remote, grpc, metrics, stop).await
        })
    }
}
