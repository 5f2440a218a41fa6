//! Why a key store operation failed, and the helpers that build those errors.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::FORMAT_VERSION;
use crate::identity::{KeyPeriod, Uri};
use crate::output_file::OutputError;

/// Why a key store operation failed; every variant names the file.
#[derive(Debug, Error)]
pub enum KeyStoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} does not exist{hint}", path.display())]
    Missing { path: PathBuf, hint: &'static str },
    #[error("{} already exists (pass --force to replace it)", path.display())]
    Exists { path: PathBuf },
    #[error("{}: not valid JSON for {format}: {source}", path.display())]
    Json {
        path: PathBuf,
        format: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: expected a {expected:?} file, found format {found:?}", path.display())]
    WrongFormat {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },
    #[error("{}: format version {found} is not supported (this build reads version {FORMAT_VERSION})", path.display())]
    Version { path: PathBuf, found: u64 },
    #[error("{}: field {field:?}: {reason}", path.display())]
    Field {
        path: PathBuf,
        field: &'static str,
        reason: String,
    },
    #[error("{}: {what}", path.display())]
    Inconsistent { path: PathBuf, what: String },
    #[error("{} is readable by other users (mode {mode:04o}); run chmod 600 on it", path.display())]
    Permissions { path: PathBuf, mode: u32 },
    #[error(
        "{} and {} hold different KMS keys ({what}); a `sakke kms init` was interrupted or \
         two ran at once. Run `sakke kms repair --store {}` to rewrite the public file from \
         kms.json",
        secret.display(), public.display(), store.display()
    )]
    Mismatch {
        store: PathBuf,
        secret: PathBuf,
        public: PathBuf,
        what: &'static str,
    },
    #[error(
        "no keys for {uri} in key period {period} ({} does not exist): {}",
        path.display(), period_hint(*period, available)
    )]
    NoKeysForPeriod {
        path: PathBuf,
        uri: Uri,
        period: KeyPeriod,
        available: Vec<KeyPeriod>,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{}: {what} does not validate against the KMS public keys: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
}

pub(super) type Result<T> = std::result::Result<T, KeyStoreError>;

/// What to do about missing keys: the periods there are, and the two ways out.
fn period_hint(period: KeyPeriod, available: &[KeyPeriod]) -> String {
    let issue = format!("issue them with `sakke kms issue --period {period}`");
    if available.is_empty() {
        return format!("{issue}; this store holds no keys for the user in any period");
    }
    let list: Vec<String> = available.iter().map(KeyPeriod::to_string).collect();
    format!(
        "{issue}, or use a period the store has ({}) with --period, or --at a time in it",
        list.join(", ")
    )
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeyStoreError + '_ {
    move |source| KeyStoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn field_err(path: &Path, field: &'static str, reason: impl ToString) -> KeyStoreError {
    KeyStoreError::Field {
        path: path.to_path_buf(),
        field,
        reason: reason.to_string(),
    }
}
