//! The keys the service holds, already loaded and validated by whoever starts it (the
//! CLI builds a ring from its key store), so that this crate knows nothing of files.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use eccsi::{Kpak, SigningKey};
use sakke::{Identifier, KmsPublicKey, ReceiverKey, RecipientKey, SakkeError};

/// Recipients remembered for encapsulation, at most.
pub const RECIPIENTS: usize = 4096;

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
    recipients: Mutex<Recipients>,
}

/// Recipients encapsulated to lately, by (URI, period): their base point [b]P + Z costs
/// a full scalar multiplication (b is a 1022-bit hash), about twice the encapsulation
/// with its table, and a group management server encapsulates to the same members again
/// and again. The oldest is forgotten first.
struct Recipients {
    keys: HashMap<(String, String), Arc<RecipientKey>>,
    order: VecDeque<(String, String)>,
    capacity: usize,
}

impl Default for Recipients {
    fn default() -> Self {
        Recipients {
            keys: HashMap::new(),
            order: VecDeque::new(),
            capacity: RECIPIENTS,
        }
    }
}

impl KeyRing {
    /// An empty ring for the KMS with these public keys.
    pub fn new(sakke_public_key: KmsPublicKey, kpak: Kpak) -> KeyRing {
        KeyRing {
            sakke_public_key,
            kpak,
            users: HashMap::new(),
            recipients: Mutex::default(),
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

    /// What encapsulating to `uri` in `period` needs: from the user's own keys if the
    /// ring holds them, else computed once and remembered (the [`RECIPIENTS`] latest).
    pub fn recipient(&self, uri: &str, period: &str) -> Result<Arc<RecipientKey>, SakkeError> {
        let key = (uri.to_string(), period.to_string());
        if let Some(user) = self.users.get(&key) {
            return Ok(Arc::new(user.receiver.recipient().clone()));
        }
        let lock = || self.recipients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = lock().keys.get(&key) {
            return Ok(Arc::clone(known));
        }
        // Computed outside the lock: two threads may both compute a new recipient, and
        // the second insert finds the first's.
        let id = Identifier::rfc6509(period, uri)?;
        let fresh = Arc::new(RecipientKey::new(&id, &self.sakke_public_key)?);
        let mut recipients = lock();
        if !recipients.keys.contains_key(&key) {
            if recipients.order.len() >= recipients.capacity {
                if let Some(oldest) = recipients.order.pop_front() {
                    recipients.keys.remove(&oldest);
                }
            }
            recipients.order.push_back(key.clone());
            recipients.keys.insert(key, Arc::clone(&fresh));
        }
        Ok(fresh)
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

#[cfg(test)]
mod tests {
    use super::*;
    use sakke::{decapsulate_with, encapsulate_to, Kms, Ssv};

    /// Recipients remembered (not counting the ring's own users).
    fn remembered(ring: &KeyRing) -> usize {
        ring.recipients.lock().unwrap().keys.len()
    }

    #[test]
    fn recipients_are_the_users_own_or_computed_once_and_bounded() {
        let kms = Kms::generate();
        let z = kms.public_key();
        let eccsi_kms = eccsi::Kms::generate(&mut eccsi::rand_core::OsRng);
        let mut ring = KeyRing::new(z, eccsi_kms.kpak());
        let id = Identifier::rfc6509("2026-12", "tel:+447700900001").unwrap();
        let receiver = ReceiverKey::new(&id, &z, kms.issue_rsk(&id).unwrap()).unwrap();
        let issued = eccsi_kms
            .issue(id.as_bytes(), &mut eccsi::rand_core::OsRng)
            .unwrap();
        let signing =
            SigningKey::new(id.as_bytes(), issued.ssk, issued.pvt, eccsi_kms.kpak()).unwrap();
        ring.insert(
            "tel:+447700900001",
            "2026-12",
            UserKeys {
                receiver: Arc::new(receiver.clone()),
                signing,
            },
        );
        // A user of the ring: its own recipient data, nothing remembered.
        let own = ring.recipient("tel:+447700900001", "2026-12").unwrap();
        let ssv = Ssv::random();
        assert!(decapsulate_with(&encapsulate_to(&ssv, &own), &receiver).unwrap() == ssv);
        assert_eq!(remembered(&ring), 0);
        // Anyone else: computed, then the same key again.
        let other = ring.recipient("tel:+447700900002", "2026-12").unwrap();
        let again = ring.recipient("tel:+447700900002", "2026-12").unwrap();
        assert!(Arc::ptr_eq(&other, &again));
        let expected = Identifier::rfc6509("2026-12", "tel:+447700900002").unwrap();
        assert_eq!(other.identifier(), &expected);
        assert_eq!(
            other.base_point(),
            RecipientKey::new(&expected, &z).unwrap().base_point()
        );
        assert_eq!(remembered(&ring), 1);
        // Past the bound the oldest is forgotten (and computed again when asked for).
        ring.recipients.lock().unwrap().capacity = 2;
        ring.recipient("tel:+447700900003", "2026-12").unwrap();
        ring.recipient("tel:+447700900004", "2026-12").unwrap();
        assert_eq!(remembered(&ring), 2);
        let recomputed = ring.recipient("tel:+447700900002", "2026-12").unwrap();
        assert!(!Arc::ptr_eq(&other, &recomputed));
        assert_eq!(recomputed.base_point(), other.base_point());
        assert_eq!(remembered(&ring), 2);
    }
}
