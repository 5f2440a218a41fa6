//! `sakke imessage open --store DIR` for 3GPP messages: the responder's KMS (with its
//! key period grid) and RSK from a key store, as `sakke kms import-3gpp` writes it,
//! instead of --kms-public, --rsk, --key-period and --key-offset.

use std::path::Path;

use anyhow::{Context, Result};
use mikey::sakke::Rsk;
use mikey::{KeyPeriods, NtpTimestamp};

use crate::identity::Uri;
use crate::keystore::{KmsPublic, Store};
use crate::keystore_3gpp::mcx_periods;
use crate::time::UtcTime;

/// The KMS grid, the KMS public keys and `to`'s RSK for the key period of `time`; the
/// key file is checked (UID, RSK, SSK) against the store's KMS.
pub fn responder_keys(
    dir: &Path,
    to: &Uri,
    time: NtpTimestamp,
) -> Result<(KeyPeriods, KmsPublic, Rsk)> {
    let store = Store::at(dir);
    let public = store.load_public()?;
    let periods = mcx_periods(&public, &store.public_path())?;
    let n = periods.number_at(time).with_context(|| {
        format!(
            "the message is dated {}, before the KMS's first key period",
            UtcTime::from_unix(time.unix_seconds())
        )
    })?;
    let (keys, path) = store
        .load_mcx_user(to, n)
        .with_context(|| format!("the message is for key period {n} of {}", public.kms_uri))?;
    keys.validate(&public, &path)?;
    Ok((periods, public, keys.rsk))
}
