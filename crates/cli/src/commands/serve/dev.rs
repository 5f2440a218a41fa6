//! `sakke serve --dev`: everything a first run needs, in one directory of 0600 files: a
//! key store with a few users for this month, throwaway certificates (a CA, the server's
//! for localhost and 127.0.0.1, one client's) and an authorisation file that lets that
//! client act for every user.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use eccsi::rand_core::OsRng;
use sakke::Identifier;
use service::dev_certs::DevCertificates;

use crate::identity::{identifier_bytes, KeyPeriod, Uri};
use crate::keystore::{KmsSecrets, Store, UserKeys};
use crate::output_file::{OutputFile, OutputRules};
use crate::time::UtcTime;

/// The demo users.
pub const USERS: [&str; 3] = [
    "tel:+447700900001",
    "tel:+447700900002",
    "tel:+447700900003",
];

/// What `--dev` made, and where.
pub struct DevSetup {
    pub dir: PathBuf,
    pub store: PathBuf,
    pub period: KeyPeriod,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub authz: PathBuf,
}

/// A new private directory under the system's temporary directory.
pub fn new_temp_dir() -> Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("sakke-serve-dev-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn write(path: &Path, contents: &[u8]) -> Result<()> {
    OutputFile::write_all_to(path, &OutputRules::default(), contents)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Creates the key store, certificates and authorisation file in `dir` (which may
/// exist; nothing in it is overwritten).
pub fn create(dir: &Path) -> Result<DevSetup> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    let period = UtcTime::now()
        .period()
        .context("the system clock is outside the years key periods can name")?;
    let store_dir = dir.join("keystore");
    let store = Store::at(&store_dir);
    let kms = KmsSecrets {
        kms_uri: "kms.dev.invalid".parse()?,
        sakke: sakke::Kms::generate(),
        eccsi: eccsi::Kms::generate(&mut OsRng),
        mcx: None,
    };
    store.init(&kms, false)?;
    for uri in USERS {
        let uri: Uri = uri.parse()?;
        let id = identifier_bytes(period, &uri);
        let rsk = kms.sakke.issue_rsk(&Identifier::new(id.clone())?)?;
        let user = kms.eccsi.issue(&id, &mut OsRng)?;
        store.write_user(
            &UserKeys {
                kms_uri: kms.kms_uri.clone(),
                uri,
                period,
                rsk,
                ssk: user.ssk,
                pvt: user.pvt,
            },
            false,
        )?;
    }

    let certs = DevCertificates::generate().context("making the dev certificates")?;
    let setup = DevSetup {
        dir: dir.to_path_buf(),
        store: store_dir,
        period,
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client.key"),
        authz: dir.join("authz.toml"),
    };
    write(&setup.ca, certs.ca.cert.as_bytes())?;
    write(&setup.cert, certs.server.cert.as_bytes())?;
    write(&setup.key, certs.server.key.as_bytes())?;
    write(&setup.client_cert, certs.client.cert.as_bytes())?;
    write(&setup.client_key, certs.client.key.as_bytes())?;
    let authz = format!(
        "# sakke serve --dev: the dev client (CN sakke-dev-client) may act for every user.\n\
         [[client]]\nfingerprint = \"{}\"\nusers = [\"*\"]\n",
        certs.client_fingerprint
    );
    write(&setup.authz, authz.as_bytes())?;
    Ok(setup)
}
