//! The NATS flags `sakke serve --nats`, `sakke worker` and `sakke workers` share: where
//! the server is, as whom they log in, and the CA its TLS certificate must chain to.
//! For `sakke serve` they lie over the config file's `[nats]` section.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use service::nats::NatsOptions;
use service::NatsSettings;

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
    /// These flags laid over `file` (the config file's `[nats]`): a flag wins, and a
    /// login given by flags replaces the file's login whole.
    pub fn over(&self, file: &NatsSettings) -> NatsSettings {
        let mut s = file.clone();
        if self.nats.is_some() {
            s.url.clone_from(&self.nats);
        }
        if self.nats_user.is_some() {
            s.user.clone_from(&self.nats_user);
            s.password_file.clone_from(&self.nats_password_file);
            s.nkey_file = None;
        }
        if self.nats_nkey_file.is_some() {
            s.nkey_file.clone_from(&self.nats_nkey_file);
            s.user = None;
            s.password_file = None;
        }
        if self.nats_ca.is_some() {
            s.ca.clone_from(&self.nats_ca);
        }
        s
    }

    /// The connection options, if --nats was given; `name` is shown in the server's
    /// monitoring.
    pub fn options(&self, name: &str) -> Result<Option<NatsOptions>> {
        options(&self.over(&NatsSettings::default()), name)
    }
}

/// The connection options `settings` describe, if they name a server; the password and
/// NKey seed are read from their files (first line).
pub fn options(settings: &NatsSettings, name: &str) -> Result<Option<NatsOptions>> {
    let Some(url) = &settings.url else {
        return Ok(None);
    };
    settings.validate().map_err(anyhow::Error::msg)?;
    let first_line = |path: &Option<PathBuf>| -> Result<Option<String>> {
        let Some(path) = path else {
            return Ok(None);
        };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Some(text.lines().next().unwrap_or_default().to_string()))
    };
    Ok(Some(NatsOptions {
        url: url.clone(),
        user: settings.user.clone(),
        password: first_line(&settings.password_file)?,
        nkey_seed: first_line(&settings.nkey_file)?,
        ca: settings.ca.clone(),
        name: name.into(),
    }))
}
