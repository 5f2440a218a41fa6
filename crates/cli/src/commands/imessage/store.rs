//! `sakke imessage create / open --store DIR` for 3GPP messages: a user's KMS (with its
//! key period grid) and keys from a key store, as `sakke kms import-3gpp` writes it,
//! instead of --kms-public, --rsk / --ssk / --pvt, --key-period and --key-offset.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use eccsi::SigningKey;
use mikey::sakke::Rsk;
use mikey::{KeyPeriods, NtpTimestamp};

use crate::identity::Uri;
use crate::keystore::{KmsPublic, Store};
use crate::keystore_3gpp::mcx_periods;
use crate::time::UtcTime;

/// A user's 3GPP keys for one key period, checked (UID, RSK, SSK) against the store's KMS.
pub(super) struct StoreKeys {
    pub periods: KeyPeriods,
    pub public: KmsPublic,
    pub period_no: u64,
    pub rsk: Rsk,
    pub signer: SigningKey,
    /// The key file, an input no output may replace.
    pub path: PathBuf,
}

/// `uri`'s keys for the key period of `time`.
pub(super) fn user_keys(dir: &Path, uri: &Uri, time: NtpTimestamp) -> Result<StoreKeys> {
    let store = Store::at(dir);
    let public = store.load_public()?;
    let periods = mcx_periods(&public, &store.public_path())?;
    let period_no = periods.number_at(time).with_context(|| {
        format!(
            "the message is dated {}, before the KMS's first key period",
            UtcTime::from_unix(time.unix_seconds())
        )
    })?;
    let (keys, path) = store.load_mcx_user(uri, period_no).with_context(|| {
        format!(
            "the message is for key period {period_no} of {}",
            public.kms_uri
        )
    })?;
    let (_, signer) = keys.validate(&public, &path)?;
    Ok(StoreKeys {
        periods,
        public,
        period_no,
        rsk: keys.rsk,
        signer,
        path,
    })
}
