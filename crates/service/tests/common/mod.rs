//! A gateway on loopback for one test: a throwaway KMS and users, certificates, an
//! authorisation file, an engine the test can inspect, and a stop switch.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use eccsi::rand_core::OsRng;
use eccsi::SigningKey;
use engine::{Engine, EngineConfig};
use mikey::{NtpTimestamp, PartyId};
use sakke::{CpuBackend, CpuConfig, Identifier, Kms, ReceiverKey};
use service::dev_certs::{ClientCertificate, DevCa, Pem};
use service::proto::sakke_client::SakkeClient;
use service::{Authorisation, Gateway, KeyRing, TlsPem, UserKeys};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

pub const ALICE: &str = "tel:+447700900123";
pub const BOB: &str = "tel:+447700900456";

pub struct User {
    pub id: PartyId,
    pub receiver: Arc<ReceiverKey>,
    pub signing: SigningKey,
}

pub struct TestGateway {
    pub grpc: SocketAddr,
    pub metrics: SocketAddr,
    pub engine: Engine,
    pub ca: Pem,
    /// May act for every user.
    pub admin: ClientCertificate,
    /// May act for ALICE only.
    pub alice_gw: ClientCertificate,
    pub period: String,
    pub sakke_kms: Kms,
    pub alice: User,
    pub bob: User,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<Result<(), service::ServeError>>>,
}

/// The engine settings most tests use: small batches, short delay.
pub fn quick() -> EngineConfig {
    EngineConfig {
        max_batch: 16,
        preferred_batch_sizes: vec![16],
        max_queue_delay: Duration::from_millis(2),
        ..EngineConfig::default()
    }
}

fn user(sakke_kms: &Kms, eccsi_kms: &eccsi::Kms, uri: &str, now: NtpTimestamp) -> User {
    let id = PartyId::Uri(uri.into());
    let identifier = id.identifier(now).unwrap();
    let sakke_id = Identifier::new(identifier.clone()).unwrap();
    let rsk = sakke_kms.issue_rsk(&sakke_id).unwrap();
    let receiver = ReceiverKey::new(&sakke_id, &sakke_kms.public_key(), rsk).unwrap();
    let keys = eccsi_kms.issue(&identifier, &mut OsRng).unwrap();
    let signing = SigningKey::new(&identifier, keys.ssk, keys.pvt, eccsi_kms.kpak()).unwrap();
    User {
        id,
        receiver: Arc::new(receiver),
        signing,
    }
}

impl TestGateway {
    pub async fn start(config: EngineConfig) -> TestGateway {
        Self::start_with_grace(config, Duration::ZERO).await
    }

    /// A gateway that keeps serving for `drain_grace` after the stop signal.
    pub async fn start_with_grace(config: EngineConfig, drain_grace: Duration) -> TestGateway {
        let now = NtpTimestamp::now().unwrap();
        let date = now.utc_date();
        let period = format!("{:04}-{:02}", date.year, date.month);
        let sakke_kms = Kms::generate();
        let eccsi_kms = eccsi::Kms::generate(&mut OsRng);
        let alice = user(&sakke_kms, &eccsi_kms, ALICE, now);
        let bob = user(&sakke_kms, &eccsi_kms, BOB, now);
        let mut ring = KeyRing::new(sakke_kms.public_key(), eccsi_kms.kpak());
        for (uri, u) in [(ALICE, &alice), (BOB, &bob)] {
            ring.insert(
                uri,
                &period,
                UserKeys {
                    receiver: u.receiver.clone(),
                    signing: u.signing.clone(),
                },
            );
        }

        let ca = DevCa::new("test CA").unwrap();
        let server = ca.server(&["localhost"]).unwrap();
        let admin = ca.client("admin").unwrap();
        let alice_gw = ca.client("alice-gw").unwrap();
        let authz = Authorisation::parse(&format!(
            "[[client]]\nfingerprint = \"{}\"\nusers = [\"*\"]\n\
             [[client]]\ncn = \"alice-gw\"\nusers = [\"{ALICE}\"]\n",
            admin.fingerprint
        ))
        .unwrap();

        let cpu = Arc::new(
            CpuBackend::new(CpuConfig {
                threads: 1,
                ..CpuConfig::default()
            })
            .unwrap(),
        );
        let engine = Engine::new(config, cpu, vec![]).unwrap();
        let gateway = Gateway {
            engine: engine.clone(),
            keys: Arc::new(ring),
            authz,
            tls: TlsPem {
                cert: server.cert.into_bytes(),
                key: server.key.into_bytes(),
                client_ca: ca.pem().cert.into_bytes(),
            },
            max_skew: Duration::from_secs(300),
            drain_grace,
            nats: None,
        };
        let grpc = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (grpc_addr, metrics_addr) = (grpc.local_addr().unwrap(), metrics.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(gateway.serve(grpc, metrics, async {
            let _ = stopped.await;
        }));
        TestGateway {
            grpc: grpc_addr,
            metrics: metrics_addr,
            engine,
            ca: ca.pem(),
            admin,
            alice_gw,
            period,
            sakke_kms,
            alice,
            bob,
            stop: Some(stop),
            served: Some(served),
        }
    }

    pub async fn channel(
        &self,
        identity: Option<&Pem>,
        ca: &Pem,
    ) -> Result<Channel, tonic::transport::Error> {
        let mut tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&ca.cert))
            .domain_name("localhost");
        if let Some(id) = identity {
            tls = tls.identity(Identity::from_pem(&id.cert, &id.key));
        }
        Channel::from_shared(format!("https://{}", self.grpc))
            .unwrap()
            .tls_config(tls)?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .connect()
            .await
    }

    /// A client with the admin certificate.
    pub async fn admin(&self) -> SakkeClient<Channel> {
        SakkeClient::new(self.channel(Some(&self.admin.pem), &self.ca).await.unwrap())
    }

    pub async fn client(&self, cert: &ClientCertificate) -> SakkeClient<Channel> {
        SakkeClient::new(self.channel(Some(&cert.pem), &self.ca).await.unwrap())
    }

    /// Starts the drain, as SIGTERM would.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Drains and waits (at most 30 s) for the server to return.
    pub async fn stop(&mut self) {
        self.begin_shutdown();
        if let Some(served) = self.served.take() {
            tokio::time::timeout(Duration::from_secs(30), served)
                .await
                .expect("the server stops within 30 s")
                .unwrap()
                .unwrap();
        }
    }

    /// The metrics page, fetched with a bare HTTP/1.1 GET.
    pub async fn scrape(&self) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.metrics).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut page = String::new();
        stream.read_to_string(&mut page).await.unwrap();
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        page
    }

    pub fn submitted(&self) -> u64 {
        self.engine
            .metrics()
            .submitted
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}
