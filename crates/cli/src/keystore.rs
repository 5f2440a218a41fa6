//! The key store: a directory of JSON files with hex fields (README "Key store").
//!
//! ```text
//! DIR/                     0700
//!   kms.json               0600  secret: SAKKE master secret z, ECCSI KSAK (+ public keys)
//!   kms-public.json        0600  public: SAKKE Z, ECCSI KPAK, KMS URI (+ 3GPP key periods)
//!   users/                 0700
//!     <uri>_<YYYY-MM>.json 0600  secret: one user's RSK, SSK and PVT for one key period
//!     <uri>_<N>.json       0600  secret: the same for 3GPP key period number N
//!                                (crate::keystore_3gpp)
//! ```
//!
//! A KMS acting for 3GPP MCX also records its key period grid (UserKeyPeriod,
//! UserKeyOffset; UserIdFormat 2) in kms.json and kms-public.json. The fields are
//! optional, so files written before they existed still load, and a store without them
//! is written byte for byte as before.
//!
//! Every file names its `format` and `version` first so that a later layout can be
//! told apart; a loader refuses what it does not know rather than guessing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use eccsi::{Kpak, Pvt, SigningKey, Ssk};
use sakke::{Identifier, KmsPublicKey, ReceiverKey, Rsk};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use mikey::KeyPeriods;

use crate::identity::{identifier_bytes, KeyPeriod, Uri};
use crate::output_file::{FileLock, OutputError, OutputFile, OutputRules};
use crate::private_file::create_private_dir;
use crate::secret_buf::to_json_pretty;
use crate::secret_hex;

/// The only layout version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
pub const KMS_FORMAT: &str = "sakke-engine/kms";
pub const KMS_PUBLIC_FORMAT: &str = "sakke-engine/kms-public";
pub const USER_FORMAT: &str = "sakke-engine/user-keys";

pub const KMS_FILE: &str = "kms.json";
pub const KMS_PUBLIC_FILE: &str = "kms-public.json";
pub const USERS_DIR: &str = "users";
/// Held by every command that writes into the store (`kms init`, `kms issue`).
const LOCK_FILE: &str = ".lock";

mod error;
mod read;

pub use error::KeyStoreError;
use error::Result;
pub(crate) use error::{field_err, io_err};
pub(crate) use read::{decode_hex, parse_json, read_key_file, Holds};

/// kms.json: the KMS secrets. Each secret is wiped on drop on its own, so that a file
/// whose parsing fails half-way leaves nothing behind either.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KmsFile {
    format: String,
    version: u32,
    kms_uri: String,
    sakke_master_secret: Zeroizing<String>,
    sakke_public_key: String,
    eccsi_ksak: Zeroizing<String>,
    eccsi_kpak: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_key_period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_key_offset: Option<u64>,
}

/// kms-public.json: what every user and peer needs from the KMS.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KmsPublicFile {
    format: String,
    version: u32,
    kms_uri: String,
    sakke_public_key: String,
    eccsi_kpak: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_key_period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_key_offset: Option<u64>,
}

/// The 3GPP MCX key period grid of a KMS (KmsCertificate UserIdFormat, UserKeyPeriod,
/// UserKeyOffset), in kms.json and kms-public.json when the KMS has one.
#[derive(Default)]
struct McxFields {
    user_id_format: Option<String>,
    user_key_period: Option<u64>,
    user_key_offset: Option<u64>,
}

/// The only UserIdFormat built: the TS 33.180 F.2.1 UID.
pub const MCX_USER_ID_FORMAT: &str = "2";

impl McxFields {
    fn of(periods: Option<KeyPeriods>) -> McxFields {
        match periods {
            None => McxFields::default(),
            Some(p) => McxFields {
                user_id_format: Some(MCX_USER_ID_FORMAT.into()),
                user_key_period: Some(p.length()),
                user_key_offset: Some(p.offset()),
            },
        }
    }

    fn periods(&self, path: &Path) -> Result<Option<KeyPeriods>> {
        match (
            &self.user_id_format,
            self.user_key_period,
            self.user_key_offset,
        ) {
            (None, None, None) => Ok(None),
            (Some(format), Some(length), Some(offset)) => {
                if format != MCX_USER_ID_FORMAT {
                    return Err(field_err(
                        path,
                        "user_id_format",
                        format!("{format:?} is not supported (only 2, the 3GPP UID)"),
                    ));
                }
                KeyPeriods::new(length, offset)
                    .map(Some)
                    .map_err(|e| field_err(path, "user_key_period", e))
            }
            _ => Err(KeyStoreError::Inconsistent {
                path: path.to_path_buf(),
                what: "user_id_format, user_key_period and user_key_offset go together".into(),
            }),
        }
    }
}

/// `with_mcx(periods)` on both KMS file structs, which carry the same three fields.
macro_rules! with_mcx {
    ($t:ty) => {
        impl $t {
            fn with_mcx(mut self, periods: Option<KeyPeriods>) -> Self {
                let m = McxFields::of(periods);
                self.user_id_format = m.user_id_format;
                self.user_key_period = m.user_key_period;
                self.user_key_offset = m.user_key_offset;
                self
            }
        }
    };
}
with_mcx!(KmsFile);
with_mcx!(KmsPublicFile);

/// users/<uri>_<period>.json: one user's keys for one key period. The secret keys are
/// wiped on drop, each on its own (as in [`KmsFile`]).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    format: String,
    version: u32,
    kms_uri: String,
    uri: String,
    period: String,
    identifier: String,
    sakke_rsk: Zeroizing<String>,
    eccsi_ssk: Zeroizing<String>,
    eccsi_pvt: String,
}

/// A KMS: SAKKE master secret and ECCSI KSAK.
pub struct KmsSecrets {
    pub kms_uri: Uri,
    pub sakke: sakke::Kms,
    pub eccsi: eccsi::Kms,
    /// The 3GPP MCX key period grid, if the KMS was given one.
    pub mcx: Option<KeyPeriods>,
}

impl KmsSecrets {
    pub fn public(&self) -> KmsPublic {
        KmsPublic {
            kms_uri: self.kms_uri.clone(),
            z: self.sakke.public_key(),
            kpak: self.eccsi.kpak(),
            mcx: self.mcx,
        }
    }
}

/// A KMS's public keys.
#[derive(Clone)]
pub struct KmsPublic {
    pub kms_uri: Uri,
    pub z: KmsPublicKey,
    pub kpak: Kpak,
    /// The 3GPP MCX key period grid (UserKeyPeriod, UserKeyOffset), if recorded.
    pub mcx: Option<KeyPeriods>,
}

/// One user's key material for one key period.
pub struct UserKeys {
    pub kms_uri: Uri,
    pub uri: Uri,
    pub period: KeyPeriod,
    pub rsk: Rsk,
    pub ssk: Ssk,
    pub pvt: Pvt,
}

impl UserKeys {
    /// The RFC 6509 identifier "YYYY-MM\0<uri>\0" these keys were issued for.
    pub fn identifier(&self) -> Vec<u8> {
        identifier_bytes(self.period, &self.uri)
    }

    /// Checks the RSK (RFC 6508 6.1.2) and the SSK (RFC 6507 5.1.2) against a KMS's public
    /// keys; `origin` names the file in errors.
    pub fn validate(&self, kms: &KmsPublic, origin: &Path) -> Result<(ReceiverKey, SigningKey)> {
        let invalid = |what: &'static str, reason: String| KeyStoreError::Invalid {
            path: origin.to_path_buf(),
            what,
            reason,
        };
        let id = self.identifier();
        let sakke_id =
            Identifier::new(id.clone()).map_err(|e| invalid("identifier", e.to_string()))?;
        let receiver = ReceiverKey::new(&sakke_id, &kms.z, self.rsk.clone())
            .map_err(|e| invalid("SAKKE RSK", e.to_string()))?;
        let signer = SigningKey::new(&id, self.ssk.clone(), self.pvt, kms.kpak)
            .map_err(|e| invalid("ECCSI SSK/PVT", e.to_string()))?;
        Ok((receiver, signer))
    }

    /// The file form, pretty JSON, in a buffer wiped on drop.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let file = UserFile {
            format: USER_FORMAT.into(),
            version: FORMAT_VERSION,
            kms_uri: self.kms_uri.to_string(),
            uri: self.uri.to_string(),
            period: self.period.to_string(),
            identifier: hex::encode(self.identifier()),
            sakke_rsk: secret_hex::encode(&self.rsk.to_bytes()[..]),
            eccsi_ssk: secret_hex::encode(&self.ssk.to_bytes()[..]),
            eccsi_pvt: hex::encode(self.pvt.as_bytes()),
        };
        to_json(&file)
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Zeroizing<Vec<u8>> {
    // Serializing plain strings and integers into memory cannot fail.
    to_json_pretty(value).unwrap_or_default()
}

fn parse_uri(path: &Path, field: &'static str, value: &str) -> Result<Uri> {
    value.parse().map_err(|e| field_err(path, field, e))
}

/// Reads a kms-public.json (from a store or exported).
pub fn load_public_file(path: &Path) -> Result<KmsPublic> {
    parse_public_file(&read_key_file(path, Holds::PublicKeys, "")?, path)
}

/// Parses the contents of a kms-public.json; `path` names the file in errors (nothing
/// is read from it).
pub fn parse_public_file(bytes: &[u8], path: &Path) -> Result<KmsPublic> {
    let file: KmsPublicFile = parse_json(bytes, path, KMS_PUBLIC_FORMAT)?;
    let kms_uri = parse_uri(path, "kms_uri", &file.kms_uri)?;
    let z_bytes = decode_hex(
        path,
        "sakke_public_key",
        &file.sakke_public_key,
        sakke::POINT_BYTES,
    )?;
    let z =
        KmsPublicKey::from_bytes(&z_bytes).map_err(|e| field_err(path, "sakke_public_key", e))?;
    let kpak_bytes = decode_hex(path, "eccsi_kpak", &file.eccsi_kpak, eccsi::POINT_LEN)?;
    let kpak = Kpak::from_bytes(&kpak_bytes).map_err(|e| field_err(path, "eccsi_kpak", e))?;
    let mcx = McxFields {
        user_id_format: file.user_id_format.clone(),
        user_key_period: file.user_key_period,
        user_key_offset: file.user_key_offset,
    }
    .periods(path)?;
    Ok(KmsPublic {
        kms_uri,
        z,
        kpak,
        mcx,
    })
}

/// Reads a SAKKE RSK written as hex digits (whitespace around them ignored), the form in
/// which a 3GPP MCX KMS provisions a UserDecryptKey. A secret: refused when other users
/// could read the file. Checked as a point only; [`sakke::ReceiverKey::new`] ties it to
/// an identifier and a KMS.
pub fn load_rsk_hex_file(path: &Path) -> Result<Rsk> {
    let rsk_bytes = load_secret_hex_file(path, "UserDecryptKey", sakke::POINT_BYTES)?;
    Rsk::from_bytes(&rsk_bytes).map_err(|e| field_err(path, "UserDecryptKey", e))
}

/// Reads an ECCSI SSK written as hex digits (a 3GPP UserSigningKeySSK), refused when
/// other users could read the file. [`eccsi::SigningKey::new`] checks it against the
/// PVT, the identifier and the KPAK.
pub fn load_ssk_hex_file(path: &Path) -> Result<Ssk> {
    let ssk_bytes = load_secret_hex_file(path, "UserSigningKeySSK", eccsi::SCALAR_LEN)?;
    Ssk::from_bytes(&ssk_bytes).map_err(|e| field_err(path, "UserSigningKeySSK", e))
}

/// Reads `len` bytes written as hex digits (whitespace around them ignored) from a file
/// only its owner can read; `field` names them in errors.
pub fn load_secret_hex_file(
    path: &Path,
    field: &'static str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = read_key_file(path, Holds::Secrets, "")?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| field_err(path, field, e))?
        .trim_ascii();
    decode_hex(path, field, text, len)
}

/// Reads a user key file. Structure only: call [`UserKeys::validate`] before use.
pub fn load_user_file(path: &Path) -> Result<UserKeys> {
    parse_user_file(&read_key_file(path, Holds::Secrets, "")?, path)
}

/// Parses the contents of a user key file; `path` names the file in errors (nothing is
/// read from it). Structure only: call [`UserKeys::validate`] before use.
pub fn parse_user_file(bytes: &[u8], path: &Path) -> Result<UserKeys> {
    let file: UserFile = parse_json(bytes, path, USER_FORMAT)?;
    let kms_uri = parse_uri(path, "kms_uri", &file.kms_uri)?;
    let uri = parse_uri(path, "uri", &file.uri)?;
    let period: KeyPeriod = file
        .period
        .parse()
        .map_err(|e| field_err(path, "period", e))?;
    let id = hex::decode(&file.identifier).map_err(|e| field_err(path, "identifier", e))?;
    if id != identifier_bytes(period, &uri) {
        return Err(KeyStoreError::Inconsistent {
            path: path.to_path_buf(),
            what: "\"identifier\" is not \"<period>\\0<uri>\\0\"".into(),
        });
    }
    let rsk_bytes = decode_hex(path, "sakke_rsk", &file.sakke_rsk, sakke::POINT_BYTES)?;
    let rsk = Rsk::from_bytes(&rsk_bytes).map_err(|e| field_err(path, "sakke_rsk", e))?;
    let ssk_bytes = decode_hex(path, "eccsi_ssk", &file.eccsi_ssk, eccsi::SCALAR_LEN)?;
    let ssk = Ssk::from_bytes(&ssk_bytes).map_err(|e| field_err(path, "eccsi_ssk", e))?;
    let pvt_bytes = decode_hex(path, "eccsi_pvt", &file.eccsi_pvt, eccsi::POINT_LEN)?;
    let pvt = Pvt::from_bytes(&pvt_bytes).map_err(|e| field_err(path, "eccsi_pvt", e))?;
    Ok(UserKeys {
        kms_uri,
        uri,
        period,
        rsk,
        ssk,
        pvt,
    })
}

/// Parses the contents of a kms.json and checks its public keys against its secrets;
/// `path` names the file in errors (nothing is read from it).
pub fn parse_kms_file(bytes: &[u8], path: &Path) -> Result<KmsSecrets> {
    let file: KmsFile = parse_json(bytes, path, KMS_FORMAT)?;
    let kms_uri = parse_uri(path, "kms_uri", &file.kms_uri)?;
    let z = decode_hex(path, "sakke_master_secret", &file.sakke_master_secret, 128)?;
    let sakke =
        sakke::Kms::from_secret_bytes(&z).map_err(|e| field_err(path, "sakke_master_secret", e))?;
    let ksak = decode_hex(path, "eccsi_ksak", &file.eccsi_ksak, eccsi::SCALAR_LEN)?;
    let mut ksak_arr = Zeroizing::new([0u8; eccsi::SCALAR_LEN]);
    ksak_arr.copy_from_slice(&ksak);
    let eccsi =
        eccsi::Kms::from_ksak_bytes(&ksak_arr).map_err(|e| field_err(path, "eccsi_ksak", e))?;
    let mcx = McxFields {
        user_id_format: file.user_id_format.clone(),
        user_key_period: file.user_key_period,
        user_key_offset: file.user_key_offset,
    }
    .periods(path)?;
    let kms = KmsSecrets {
        kms_uri,
        sakke,
        eccsi,
        mcx,
    };
    let public = kms.public();
    let same = |field: &str, expected: &[u8]| hex::decode(field).is_ok_and(|b| b == expected);
    if !same(&file.sakke_public_key, &public.z.to_bytes())
        || !same(&file.eccsi_kpak, public.kpak.as_bytes())
    {
        return Err(KeyStoreError::Inconsistent {
            path: path.to_path_buf(),
            what: "the public keys do not match the secrets".into(),
        });
    }
    Ok(kms)
}

/// The kms.json contents for a KMS, pretty JSON, in a buffer wiped on drop.
pub fn kms_json(kms: &KmsSecrets) -> Zeroizing<Vec<u8>> {
    let public = kms.public();
    let file = KmsFile {
        format: KMS_FORMAT.into(),
        version: FORMAT_VERSION,
        kms_uri: kms.kms_uri.to_string(),
        sakke_master_secret: secret_hex::encode(&kms.sakke.secret_bytes()[..]),
        sakke_public_key: hex::encode(public.z.to_bytes()),
        eccsi_ksak: secret_hex::encode(&kms.eccsi.ksak_bytes()[..]),
        eccsi_kpak: hex::encode(public.kpak.as_bytes()),
        user_id_format: None,
        user_key_period: None,
        user_key_offset: None,
    }
    .with_mcx(kms.mcx);
    to_json(&file)
}

/// The public file's contents for a KMS.
pub fn public_json(public: &KmsPublic) -> Vec<u8> {
    let file = KmsPublicFile {
        format: KMS_PUBLIC_FORMAT.into(),
        version: FORMAT_VERSION,
        kms_uri: public.kms_uri.to_string(),
        sakke_public_key: hex::encode(public.z.to_bytes()),
        eccsi_kpak: hex::encode(public.kpak.as_bytes()),
        user_id_format: None,
        user_key_period: None,
        user_key_offset: None,
    }
    .with_mcx(public.mcx);
    to_json(&file).to_vec()
}

/// Longest URI that `kms issue` accepts: the key file's name is made from it, and must
/// stay unique and under common 255-byte file-name limits.
pub const MAX_USER_URI_BYTES: usize = 200;

/// The file name for a user's keys: the URI with every character other than
/// `A-Z a-z 0-9 + - . @ =` replaced by `_`, then `_<period>.json`.
pub fn user_file_name(uri: &Uri, period: KeyPeriod) -> String {
    format!("{}_{period}.json", safe_file_stem(uri))
}

/// A URI made safe for a file name: every character other than `A-Z a-z 0-9 + - . @ =`
/// replaced by `_`, no leading dot, at most [`MAX_USER_URI_BYTES`].
pub(crate) fn safe_file_stem(uri: &Uri) -> String {
    let safe: String = uri
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+-.@=".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A leading dot would hide the file; keep names well under common 255-byte limits.
    let safe = safe
        .strip_prefix('.')
        .map_or(safe.clone(), |s| format!("_{s}"));
    safe.chars().take(MAX_USER_URI_BYTES).collect()
}

/// A key store directory.
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn at(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn kms_path(&self) -> PathBuf {
        self.dir.join(KMS_FILE)
    }

    pub fn public_path(&self) -> PathBuf {
        self.dir.join(KMS_PUBLIC_FILE)
    }

    pub fn users_dir(&self) -> PathBuf {
        self.dir.join(USERS_DIR)
    }

    pub fn user_path(&self, uri: &Uri, period: KeyPeriod) -> PathBuf {
        self.users_dir().join(user_file_name(uri, period))
    }

    /// The writers' lock: a second `kms init` or `kms issue` on the same store fails at
    /// once instead of mixing its files with the first one's.
    pub fn lock(&self) -> Result<FileLock> {
        if !self.dir.is_dir() {
            return Err(KeyStoreError::Missing {
                path: self.kms_path(),
                hint: " (create the store with `sakke kms init`)",
            });
        }
        Ok(FileLock::acquire(&self.dir.join(LOCK_FILE), &self.dir)?)
    }

    /// Creates the directory layout and writes a fresh KMS. Refuses to replace an
    /// existing KMS unless `force`. Takes the store's lock.
    pub fn init(&self, kms: &KmsSecrets, force: bool) -> Result<()> {
        for path in [self.kms_path(), self.public_path()] {
            if !force && path.exists() {
                return Err(KeyStoreError::Exists { path });
            }
        }
        create_private_dir(&self.dir).map_err(io_err(&self.dir))?;
        let _lock = self.lock()?;
        let users = self.users_dir();
        create_private_dir(&users).map_err(io_err(&users))?;

        // Both files are complete on disk before either is moved into place, and the
        // secret goes first: a crash in between leaves a pair that every load detects
        // and `kms repair` mends from kms.json.
        let secret_file = self.staged(&self.kms_path(), KMS_FORMAT, force, &kms_json(kms))?;
        let public_file = self.staged(
            &self.public_path(),
            KMS_PUBLIC_FORMAT,
            force,
            &public_json(&kms.public()),
        )?;
        secret_file.finish()?;
        public_file.finish()?;
        Ok(())
    }

    /// A key store file written but not yet moved into place.
    pub(crate) fn staged(
        &self,
        path: &Path,
        format: &'static str,
        force: bool,
        contents: &[u8],
    ) -> Result<OutputFile> {
        let rules = OutputRules {
            force,
            inputs: &[],
            key_format: Some(format),
            key_store_writer: true,
        };
        let mut file = OutputFile::create(path, &rules)?;
        io::Write::write_all(&mut file, contents).map_err(io_err(path))?;
        Ok(file)
    }

    /// Loads kms.json (refused if other users can read it) and checks that
    /// kms-public.json, when present, holds the same KMS.
    pub fn load_kms(&self) -> Result<KmsSecrets> {
        let kms = self.load_kms_alone()?;
        let public_path = self.public_path();
        if public_path.exists() {
            let stored = load_public_file(&public_path)?;
            self.check_pair(&kms.public(), &stored)?;
        }
        Ok(kms)
    }

    /// kms.json without the check against kms-public.json (which `repair` rewrites).
    fn load_kms_alone(&self) -> Result<KmsSecrets> {
        let path = self.kms_path();
        let bytes = read_key_file(
            &path,
            Holds::Secrets,
            " (create the store with `sakke kms init`)",
        )?;
        parse_kms_file(&bytes, &path)
    }

    /// Loads kms-public.json; where the store also holds kms.json (a KMS's own store,
    /// not a copy handed to a user), checks that both hold the same KMS.
    pub fn load_public(&self) -> Result<KmsPublic> {
        let public = load_public_file(&self.public_path()).map_err(|e| match e {
            KeyStoreError::Missing { path, .. } => KeyStoreError::Missing {
                path,
                hint: " (create the store with `sakke kms init`)",
            },
            other => other,
        })?;
        if self.kms_path().exists() {
            self.check_pair(&self.load_kms_alone()?.public(), &public)?;
        }
        Ok(public)
    }

    fn check_pair(&self, from_secrets: &KmsPublic, stored: &KmsPublic) -> Result<()> {
        let what = if from_secrets.z != stored.z {
            "SAKKE public key Z"
        } else if from_secrets.kpak.as_bytes() != stored.kpak.as_bytes() {
            "ECCSI KPAK"
        } else if from_secrets.kms_uri != stored.kms_uri {
            "KMS URI"
        } else if from_secrets.mcx != stored.mcx {
            "3GPP key periods"
        } else {
            return Ok(());
        };
        Err(KeyStoreError::Mismatch {
            store: self.dir.clone(),
            secret: self.kms_path(),
            public: self.public_path(),
            what,
        })
    }

    /// Rewrites kms-public.json from kms.json, whose public keys are checked against
    /// its secrets on load. Takes the store's lock. Returns the public keys.
    pub fn repair_public(&self) -> Result<KmsPublic> {
        let _lock = self.lock()?;
        let public = self.load_kms_alone()?.public();
        self.staged(
            &self.public_path(),
            KMS_PUBLIC_FORMAT,
            true,
            &public_json(&public),
        )?
        .finish()?;
        Ok(public)
    }

    /// Writes a user's key file under users/. Refuses to replace an existing file unless
    /// `force`, and always refuses to replace another URI's file whose name collides.
    /// The caller holds the store's lock.
    pub fn write_user(&self, keys: &UserKeys, force: bool) -> Result<PathBuf> {
        let users = self.users_dir();
        create_private_dir(&users).map_err(io_err(&users))?;
        let path = self.user_path(&keys.uri, keys.period);
        if path.exists() {
            if !force {
                return Err(KeyStoreError::Exists { path });
            }
            if let Ok(old) = load_user_file(&path) {
                if old.uri != keys.uri {
                    return Err(KeyStoreError::Inconsistent {
                        what: format!("holds keys for {}, whose file name is the same", old.uri),
                        path,
                    });
                }
            }
        }
        self.staged(&path, USER_FORMAT, force, &keys.to_json())?
            .finish()
            .map_err(|e| match e {
                OutputError::Exists { path } => KeyStoreError::Exists { path },
                other => other.into(),
            })?;
        Ok(path)
    }

    /// The key periods for which users/ holds keys of `uri`, oldest first.
    pub fn periods_of(&self, uri: &Uri) -> Vec<KeyPeriod> {
        let Ok(entries) = fs::read_dir(self.users_dir()) else {
            return Vec::new();
        };
        let mut periods: Vec<KeyPeriod> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let period: KeyPeriod = name
                    .strip_suffix(".json")?
                    .rsplit('_')
                    .next()?
                    .parse()
                    .ok()?;
                (name == user_file_name(uri, period)).then_some(period)
            })
            .collect();
        periods.sort();
        periods
    }

    /// Loads and validates a user's keys from users/.
    pub fn load_user(&self, uri: &Uri, period: KeyPeriod) -> Result<(UserKeys, PathBuf)> {
        let path = self.user_path(uri, period);
        let keys = load_user_file(&path).map_err(|e| match e {
            KeyStoreError::Missing { path, .. } => KeyStoreError::NoKeysForPeriod {
                path,
                uri: uri.clone(),
                period,
                available: self.periods_of(uri),
            },
            other => other,
        })?;
        if keys.uri != *uri {
            return Err(KeyStoreError::Inconsistent {
                path,
                what: format!("holds keys for {}, not {uri}", keys.uri),
            });
        }
        Ok((keys, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_file_names_are_safe() {
        let p: KeyPeriod = "2026-11".parse().unwrap();
        let name = |u: &str| user_file_name(&u.parse().unwrap(), p);
        assert_eq!(name("tel:+447700900123"), "tel_+447700900123_2026-11.json");
        assert_eq!(
            name("sip:alice@example.org"),
            "sip_alice@example.org_2026-11.json"
        );
        assert_eq!(name("../../etc/passwd"), "_._.._etc_passwd_2026-11.json");
        assert_eq!(name(".hidden"), "_hidden_2026-11.json");
    }
}
