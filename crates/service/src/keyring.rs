//! The keys the service holds, already loaded and validated by whoever starts it (the
//! CLI builds a ring from its key store), so that this crate knows nothing of files.

use std::collections::HashMap;
use std::sync::Arc;

use eccsi::{Kpak, SigningKey};
use sakke::{KmsPublicKey, ReceiverKey};

/// One user's validated keys for one key period.
pub struct UserKeys {
    /// RFC 6508 receiver key: the RSK, checked against the KMS (6.1.2).
    pub receiver: Arc<ReceiverKey>,
    /// RFC 6507 signing key: the SSK and PVT, checked against the KPAK (5.1.2).
    pub signing: SigningKey,
}

/// Users' keys by (URI, key period "YYYY-MM"), and the KMS public keys they belong to.
pub struct KeyRing {
    sakke_public_key: KmsPublicKey,
    kpak: Kpak,
    users: HashMap<(String, String), UserKeys>,
}

impl KeyRing {
    /// An empty ring for the KMS with these public keys.
    pub fn new(sakke_public_key: KmsPublicKey, kpak: Kpak) -> KeyRing {
        KeyRing {
            sakke_public_key,
            kpak,
            users: HashMap::new(),
        }
    }

    /// Adds (or replaces) a user's keys for a key period.
    pub fn insert(&mut self, uri: &str, period: &str, keys: UserKeys) {
        self.users
            .insert((uri.to_string(), period.to_string()), keys);
    }

    pub fn get(&self, uri: &str, period: &str) -> Option<&UserKeys> {
        self.users.get(&(uri.to_string(), period.to_string()))
    }

    /// SAKKE public key Z of the KMS: what encapsulation to any of its users needs.
    pub fn sakke_public_key(&self) -> &KmsPublicKey {
        &self.sakke_public_key
    }

    /// ECCSI KPAK of the KMS: what verifying its users' I_MESSAGEs needs.
    pub fn kpak(&self) -> &Kpak {
        &self.kpak
    }

    /// Number of (user, period) entries.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
