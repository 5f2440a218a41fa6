//! The NATS flags `sakke serve --nats` and `sakke worker` share: where the server is,
//! as whom they log in, and the CA its TLS certificate must chain to.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use service::nats::NatsOptions;

#[derive(Args, Clone)]
pub struct NatsArgs {
    /// NATS server with JetStream, `nats://HOST:PORT` (`tls://` with --nats-ca).
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,

    /// NATS user name (the server's `authorization` block); needs --nats-password-file.
    #[arg(long, value_name = "NAME", requires = "nats_password_file")]
    pub nats_user: Option<String>,

    /// File holding the NATS password (first line), kept out of the process list.
    #[arg(long, value_name = "FILE", requires = "nats_user")]
    pub nats_password_file: Option<PathBuf>,

    /// File holding an NKey seed (first line, `SU...`) to log in with instead of a
    /// password; the server lists its public key.
    #[arg(long, value_name = "FILE", conflicts_with = "nats_user")]
    pub nats_nkey_file: Option<PathBuf>,

    /// CA the NATS server's certificate must chain to, PEM; TLS is then required.
    #[arg(long, value_name = "FILE")]
    pub nats_ca: Option<PathBuf>,
}

impl NatsArgs {
    /// The connection options, if --nats was given; `name` is shown in the server's
    /// monitoring.
    pub fn options(&self, name: &str) -> Result<Option<NatsOptions>> {
        let Some(url) = &self.nats else {
            return Ok(None);
        };
        let first_line = |path: &Option<PathBuf>| -> Result<Option<String>> {
            let Some(path) = path else {
                return Ok(None);
            };
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok(Some(text.lines().next().unwrap_or_default().to_string()))
        };
        Ok(Some(NatsOptions {
            url: url.clone(),
            user: self.nats_user.clone(),
            password: first_line(&self.nats_password_file)?,
            nkey_seed: first_line(&self.nats_nkey_file)?,
            ca: self.nats_ca.clone(),
            name: name.into(),
        }))
    }
}
