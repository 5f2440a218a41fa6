//! Reading key files: the permission check on files that hold secrets, a bounded read
//! into a buffer wiped on drop, and the format and version check before parsing.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use serde::{de::DeserializeOwned, Deserialize};
use zeroize::Zeroizing;

use super::error::{field_err, KeyStoreError, Result};
use super::FORMAT_VERSION;
use crate::private_file;
use crate::secret_hex;

/// Just enough of any file to know what it is before reading the rest.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u64,
}

/// Whether a file may hold secrets: such a file is refused, before it is read, when
/// other users could read it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    Secrets,
    PublicKeys,
}

/// Reads a key file, refusing one that holds secrets and that other users could read.
pub(crate) fn read_key_file(
    path: &Path,
    holds: Holds,
    hint: &'static str,
) -> Result<Zeroizing<Vec<u8>>> {
    let missing = |source: io::Error| {
        if source.kind() == io::ErrorKind::NotFound {
            KeyStoreError::Missing {
                path: path.to_path_buf(),
                hint,
            }
        } else {
            KeyStoreError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    if holds == Holds::Secrets {
        if let Some(mode) = private_file::mode(path).map_err(missing)? {
            if mode & 0o077 != 0 {
                return Err(KeyStoreError::Permissions {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
    }
    read_small_file(path).map_err(missing)
}

/// Parses the contents of a JSON key file of the given `format`, checking format and
/// version first; `path` names the file in errors (nothing is read from it).
pub(crate) fn parse_json<T: DeserializeOwned>(
    bytes: &[u8],
    path: &Path,
    format: &'static str,
) -> Result<T> {
    let json_err = |source| KeyStoreError::Json {
        path: path.to_path_buf(),
        format,
        source,
    };
    let header: Header = serde_json::from_slice(bytes).map_err(json_err)?;
    if header.format != format {
        return Err(KeyStoreError::WrongFormat {
            path: path.to_path_buf(),
            expected: format,
            found: header.format,
        });
    }
    if header.version != u64::from(FORMAT_VERSION) {
        return Err(KeyStoreError::Version {
            path: path.to_path_buf(),
            found: header.version,
        });
    }
    serde_json::from_slice(bytes).map_err(json_err)
}

/// Key files are a few KiB: read into one buffer of the file's size, wiped on drop (a
/// buffer that grew would leave copies of the secrets in freed memory).
fn read_small_file(path: &Path) -> io::Result<Zeroizing<Vec<u8>>> {
    const MAX_KEY_FILE_BYTES: u64 = 1 << 20;
    let file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_KEY_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{len} bytes is too large for a key file"),
        ));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(len as usize + 1));
    file.take(MAX_KEY_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub(crate) fn decode_hex(
    path: &Path,
    field: &'static str,
    value: &str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = secret_hex::decode(value).map_err(|e| field_err(path, field, e))?;
    if bytes.len() != len {
        return Err(field_err(
            path,
            field,
            format!("must be {len} bytes, got {}", bytes.len()),
        ));
    }
    Ok(bytes)
}
