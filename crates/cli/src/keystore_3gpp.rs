//! 3GPP MCX user keys in the key store (README "Key store"): users/<uri>_<N>.json, one
//! user's RSK, SSK and PVT for key period number N of a KMS whose key period grid is
//! recorded in kms-public.json. The identifier of the keys is the UID (TS 33.180 F.2.1)
//! of the URI, the KMS URI and period N, written into the file and checked on load.
//!
//! Also the one way a set of imported KMS documents enters a store
//! ([`Store::import_3gpp`]): everything is checked first, and bad input or a file that
//! would be replaced without `--force` leaves the store exactly as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use eccsi::{Pvt, SigningKey, Ssk};
use mikey::{mcx_uid, KeyPeriods, UID_LEN};
use sakke::{Identifier, ReceiverKey, Rsk};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::identity::Uri;
use crate::keystore::{
    decode_hex, field_err, io_err, parse_json, public_json, read_key_file, safe_file_stem, to_json,
    Holds, KeyStoreError, KmsPublic, Store, FORMAT_VERSION, KMS_PUBLIC_FORMAT,
};
use crate::private_file::create_private_dir;
use crate::secret_hex;

pub const USER_3GPP_FORMAT: &str = "sakke-engine/user-keys-3gpp";

type Result<T> = std::result::Result<T, KeyStoreError>;

/// users/<uri>_<N>.json. Secrets wiped on drop, each on its own.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct McxUserFile {
    format: String,
    version: u32,
    kms_uri: String,
    uri: String,
    key_period_no: u64,
    uid: String,
    sakke_rsk: Zeroizing<String>,
    eccsi_ssk: Zeroizing<String>,
    eccsi_pvt: String,
}

/// One 3GPP user's keys for one key period number.
pub struct McxUserKeys {
    pub kms_uri: Uri,
    pub uri: Uri,
    pub key_period_no: u64,
    /// The UID: the SAKKE and ECCSI identifier of these keys.
    pub uid: [u8; UID_LEN],
    pub rsk: Rsk,
    pub ssk: Ssk,
    pub pvt: Pvt,
}

/// The KMS's key period grid, or why the store has none.
pub fn mcx_periods(kms: &KmsPublic, origin: &Path) -> Result<KeyPeriods> {
    kms.mcx.ok_or_else(|| KeyStoreError::Inconsistent {
        path: origin.to_path_buf(),
        what: "records no 3GPP key periods (user_key_period / user_key_offset): import \
               the KMS's KmsInit response with `sakke kms import-3gpp`, or create the KMS \
               with `sakke kms init --user-key-period`"
            .into(),
    })
}

impl McxUserKeys {
    /// Checks the UID against the URI, KMS and period, the RSK (RFC 6508 6.1.2) and the
    /// SSK (RFC 6507 5.1.2) against the KMS's public keys; `origin` names the file.
    pub fn validate(&self, kms: &KmsPublic, origin: &Path) -> Result<(ReceiverKey, SigningKey)> {
        let invalid = |what: &'static str, reason: String| KeyStoreError::Invalid {
            path: origin.to_path_buf(),
            what,
            reason,
        };
        let periods = mcx_periods(kms, origin)?;
        if self.kms_uri != kms.kms_uri {
            return Err(KeyStoreError::Inconsistent {
                path: origin.to_path_buf(),
                what: format!(
                    "holds keys from {}, but the store's KMS is {}",
                    self.kms_uri, kms.kms_uri
                ),
            });
        }
        let uid = mcx_uid(
            self.uri.as_str(),
            kms.kms_uri.as_str(),
            periods.length(),
            periods.offset(),
            self.key_period_no,
        )
        .map_err(|e| invalid("UID", e.to_string()))?;
        if uid != self.uid {
            return Err(KeyStoreError::Inconsistent {
                path: origin.to_path_buf(),
                what: format!(
                    "\"uid\" is not the UID of {} for key period {} at {}",
                    self.uri, self.key_period_no, kms.kms_uri
                ),
            });
        }
        let sakke_id = Identifier::new(uid.to_vec()).map_err(|e| invalid("UID", e.to_string()))?;
        let receiver = ReceiverKey::new(&sakke_id, &kms.z, self.rsk.clone())
            .map_err(|e| invalid("SAKKE RSK", e.to_string()))?;
        let signer = SigningKey::new(&uid, self.ssk.clone(), self.pvt, kms.kpak)
            .map_err(|e| invalid("ECCSI SSK/PVT", e.to_string()))?;
        Ok((receiver, signer))
    }

    /// The file form, pretty JSON, in a buffer wiped on drop.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        to_json(&McxUserFile {
            format: USER_3GPP_FORMAT.into(),
            version: FORMAT_VERSION,
            kms_uri: self.kms_uri.to_string(),
            uri: self.uri.to_string(),
            key_period_no: self.key_period_no,
            uid: hex::encode(self.uid),
            sakke_rsk: secret_hex::encode(&self.rsk.to_bytes()[..]),
            eccsi_ssk: secret_hex::encode(&self.ssk.to_bytes()[..]),
            eccsi_pvt: hex::encode(self.pvt.as_bytes()),
        })
    }
}

/// The file name for a 3GPP user's keys: the safe form of the URI, then `_<N>.json`.
pub fn mcx_user_file_name(uri: &Uri, key_period_no: u64) -> String {
    format!("{}_{key_period_no}.json", safe_file_stem(uri))
}

/// Parses a 3GPP user key file; `path` names the file in errors. Structure only: call
/// [`McxUserKeys::validate`] before use.
pub fn parse_mcx_user_file(bytes: &[u8], path: &Path) -> Result<McxUserKeys> {
    let file: McxUserFile = parse_json(bytes, path, USER_3GPP_FORMAT)?;
    let uri_of = |field, v: &str| v.parse::<Uri>().map_err(|e| field_err(path, field, e));
    let uid_bytes = decode_hex(path, "uid", &file.uid, UID_LEN)?;
    let mut uid = [0u8; UID_LEN];
    uid.copy_from_slice(&uid_bytes);
    let rsk_bytes = decode_hex(path, "sakke_rsk", &file.sakke_rsk, sakke::POINT_BYTES)?;
    let ssk_bytes = decode_hex(path, "eccsi_ssk", &file.eccsi_ssk, eccsi::SCALAR_LEN)?;
    let pvt_bytes = decode_hex(path, "eccsi_pvt", &file.eccsi_pvt, eccsi::POINT_LEN)?;
    Ok(McxUserKeys {
        kms_uri: uri_of("kms_uri", &file.kms_uri)?,
        uri: uri_of("uri", &file.uri)?,
        key_period_no: file.key_period_no,
        uid,
        rsk: Rsk::from_bytes(&rsk_bytes).map_err(|e| field_err(path, "sakke_rsk", e))?,
        ssk: Ssk::from_bytes(&ssk_bytes).map_err(|e| field_err(path, "eccsi_ssk", e))?,
        pvt: Pvt::from_bytes(&pvt_bytes).map_err(|e| field_err(path, "eccsi_pvt", e))?,
    })
}

/// Reads a 3GPP user key file (refused when other users can read it).
pub fn load_mcx_user_file(path: &Path) -> Result<McxUserKeys> {
    parse_mcx_user_file(&read_key_file(path, Holds::Secrets, "")?, path)
}

/// A file an import writes, or leaves alone because it already holds the same bytes.
struct Planned {
    path: PathBuf,
    format: &'static str,
    contents: Zeroizing<Vec<u8>>,
    unchanged: bool,
}

/// What an import did to each file.
pub struct Imported {
    pub path: PathBuf,
    /// false: the file already held exactly this.
    pub written: bool,
}

impl Store {
    pub fn mcx_user_path(&self, uri: &Uri, key_period_no: u64) -> PathBuf {
        self.users_dir()
            .join(mcx_user_file_name(uri, key_period_no))
    }

    /// Loads a 3GPP user's keys for period `key_period_no` (structure; the caller
    /// validates them against the KMS).
    pub fn load_mcx_user(&self, uri: &Uri, key_period_no: u64) -> Result<(McxUserKeys, PathBuf)> {
        let path = self.mcx_user_path(uri, key_period_no);
        let keys = load_mcx_user_file(&path).map_err(|e| match e {
            KeyStoreError::Missing { path, .. } => KeyStoreError::Missing {
                path,
                hint: " (no 3GPP keys for this user and key period number: import the \
                       KMS's KmsKeyProv response with `sakke kms import-3gpp`)",
            },
            other => other,
        })?;
        if keys.uri != *uri || keys.key_period_no != key_period_no {
            return Err(KeyStoreError::Inconsistent {
                path,
                what: format!(
                    "holds keys for {} in key period {}, not {uri} in {key_period_no}",
                    keys.uri, keys.key_period_no
                ),
            });
        }
        Ok((keys, path))
    }

    /// Writes a KMS's public parameters and user key sets into the store, after checking
    /// everything: the store must not hold a KMS's secrets (kms.json), every user must be
    /// under that KMS, and an existing file that would change is refused unless `force`
    /// (one that already holds the same bytes is left as it is). Nothing is written
    /// unless all of it can be. The keys must already be validated.
    pub fn import_3gpp(
        &self,
        public: &KmsPublic,
        users: &[McxUserKeys],
        force: bool,
    ) -> Result<Vec<Imported>> {
        if self.kms_path().exists() {
            return Err(KeyStoreError::Inconsistent {
                path: self.kms_path(),
                what: "is a KMS's own secrets: import another KMS's documents into a store of \
                       their own (a new directory)"
                    .into(),
            });
        }
        let mut plan = vec![self.plan(
            self.public_path(),
            KMS_PUBLIC_FORMAT,
            Holds::PublicKeys,
            public_json(public).into(),
            force,
        )?];
        let mut names = BTreeSet::new();
        for keys in users {
            let path = self.mcx_user_path(&keys.uri, keys.key_period_no);
            if !names.insert(path.clone()) {
                return Err(KeyStoreError::Inconsistent {
                    path,
                    what: format!(
                        "would hold two key sets ({} in key period {} and another URI of the \
                         same file name, or the same one twice)",
                        keys.uri, keys.key_period_no
                    ),
                });
            }
            if force && path.exists() {
                if let Ok(old) = load_mcx_user_file(&path) {
                    if old.uri != keys.uri {
                        return Err(KeyStoreError::Inconsistent {
                            what: format!(
                                "holds keys for {}, whose file name is the same",
                                old.uri
                            ),
                            path,
                        });
                    }
                }
            }
            plan.push(self.plan(
                path,
                USER_3GPP_FORMAT,
                Holds::Secrets,
                keys.to_json(),
                force,
            )?);
        }

        create_private_dir(self.dir()).map_err(io_err(self.dir()))?;
        let _lock = self.lock()?;
        let users_dir = self.users_dir();
        create_private_dir(&users_dir).map_err(io_err(&users_dir))?;
        let mut done = Vec::new();
        for p in plan {
            if !p.unchanged {
                self.staged(&p.path, p.format, force, &p.contents)?
                    .finish()?;
            }
            done.push(Imported {
                path: p.path,
                written: !p.unchanged,
            });
        }
        Ok(done)
    }

    fn plan(
        &self,
        path: PathBuf,
        format: &'static str,
        holds: Holds,
        contents: Zeroizing<Vec<u8>>,
        force: bool,
    ) -> Result<Planned> {
        let unchanged = match read_key_file(&path, holds, "") {
            Ok(old) => {
                if *old != *contents && !force {
                    return Err(KeyStoreError::Exists { path });
                }
                *old == *contents
            }
            Err(KeyStoreError::Missing { .. }) => false,
            Err(e) => return Err(e),
        };
        Ok(Planned {
            path,
            format,
            contents,
            unchanged,
        })
    }
}

impl Store {
    /// Writes a newly issued 3GPP user key file; never replaces one. The caller holds
    /// the store's lock.
    pub fn write_mcx_user(&self, keys: &McxUserKeys) -> Result<PathBuf> {
        let users = self.users_dir();
        create_private_dir(&users).map_err(io_err(&users))?;
        let path = self.mcx_user_path(&keys.uri, keys.key_period_no);
        self.staged(&path, USER_3GPP_FORMAT, false, &keys.to_json())?
            .finish()?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keystore::parse_public_file;

    const Z: &str = "046fc2cf00fd48467abe7c02f383002fc49b6632bf0f7071d958f1f128154e6fae1f69bb91691a191a358fe647a3e020d2365d52f81fb3af4ea271654f1a880274c1ae228ac72cc15d535394321bd2143cea2619fb3b0c6ce7a5f72714d8ef4d11cb0c991c3376ca31b168b01e66021effdbf7920bd66615e6f0d6a1e61c06e72e61b4138738c11bc249a3849e9c4cff327a7d0d2769c3d97a37f86adfb13baa257e628ce236f40360d3f7b8d95b0e3fcc19417602d7d6b8928b855eae9129be1f0b87d33e884906dd95a04a8bd61240bad60f9dfada64806726f8f08b86343f54046416f5198116e9798c218bcf9ca07d0baa4be50062bfe54e44495b6ed59cb6";
    const KPAK: &str = "0448f9c2c48b50735f6bc70ec6691073243f1e0bd83cc73bb936d61ffcb2d6049a5b297e8205b29fbd8591cb582d6402add21451ce4beebeaaa7520e93b11cf28f";

    fn public(extra: &str) -> String {
        format!(
            "{{\"format\":\"sakke-engine/kms-public\",\"version\":1,\"kms_uri\":\"kms\",\
             \"sakke_public_key\":\"{Z}\",\"eccsi_kpak\":\"{KPAK}\"{extra}}}"
        )
    }

    #[test]
    fn kms_public_files_with_and_without_3gpp_periods() {
        let path = Path::new("kms-public.json");
        let old = parse_public_file(public("").as_bytes(), path).unwrap();
        assert_eq!(old.mcx, None);
        // Written back byte for byte as before: no 3GPP fields appear.
        assert!(!String::from_utf8(public_json(&old))
            .unwrap()
            .contains("user_key"));
        let mcx = public(",\"user_id_format\":\"2\",\"user_key_period\":10,\"user_key_offset\":5");
        let new = parse_public_file(mcx.as_bytes(), path).unwrap();
        assert_eq!(new.mcx, Some(KeyPeriods::new(10, 5).unwrap()));
        let again = parse_public_file(&public_json(&new), path).unwrap();
        assert_eq!(again.mcx, new.mcx);
        for bad in [
            ",\"user_key_period\":10",
            ",\"user_id_format\":\"1\",\"user_key_period\":10,\"user_key_offset\":5",
            ",\"user_id_format\":\"2\",\"user_key_period\":0,\"user_key_offset\":5",
        ] {
            assert!(
                parse_public_file(public(bad).as_bytes(), path).is_err(),
                "{bad}"
            );
        }
        assert!(mcx_periods(&old, path)
            .unwrap_err()
            .to_string()
            .contains("records no 3GPP key periods"));
    }
}
