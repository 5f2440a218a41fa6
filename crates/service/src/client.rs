//! Connecting to a gateway as a client: the server's CA, this client's certificate and
//! key (all PEM), and the name the server's certificate is checked against.

use std::time::Duration;

use thiserror::Error;
use tonic::codegen::http::uri::InvalidUri;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

use crate::proto::sakke_client::SakkeClient;

pub struct ClientTls {
    pub ca: Vec<u8>,
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
    /// The DNS name or address the server's certificate must name.
    pub domain: String,
}

#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("bad server URL: {0}")]
    Url(#[from] InvalidUri),
    #[error(transparent)]
    Transport(#[from] tonic::transport::Error),
}

pub async fn connect(url: &str, tls: &ClientTls) -> Result<SakkeClient<Channel>, ConnectError> {
    let config = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&tls.ca))
        .identity(Identity::from_pem(&tls.cert, &tls.key))
        .domain_name(tls.domain.clone());
    Ok(SakkeClient::new(
        Channel::from_shared(url.to_string())?
            .tls_config(config)?
            .connect_timeout(Duration::from_secs(10))
            .connect()
            .await?,
    ))
}
