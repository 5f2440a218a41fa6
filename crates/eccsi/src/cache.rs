//! A bounded, thread-safe cache of [`PreparedVerifier`]s for a responder that hears from
//! the same senders again and again (a MIKEY gateway): keyed by the FULL key material
//! (identifier bytes, PVT and KPAK encodings), so an entry is only ever used for exactly
//! the key it was built from, and a changed PVT, KPAK or identifier is a different entry.
//! Least recently used entries are evicted once `capacity` is reached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::Result;
use crate::point::{Kpak, Pvt, POINT_LEN};
use crate::prepared::PreparedVerifier;
use crate::sig::Signature;

/// The full key material an entry was built from.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    id: Vec<u8>,
    pvt: [u8; POINT_LEN],
    kpak: [u8; POINT_LEN],
}

struct Entry {
    verifier: Arc<PreparedVerifier>,
    last_used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<CacheKey, Entry>,
    clock: u64,
    stats: CacheStats,
}

/// Counters since the cache was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from an entry.
    pub hits: u64,
    /// Lookups that built a new entry.
    pub misses: u64,
    /// Entries dropped to stay within capacity.
    pub evictions: u64,
}

/// Bounded LRU cache of prepared verifiers (about 33 KB each). Lookups take a lock
/// briefly; building an entry and verifying happen outside it.
pub struct VerifierCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl core::fmt::Debug for VerifierCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifierCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl VerifierCache {
    /// A cache holding at most `capacity` signers; 0 disables caching (every lookup builds).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The most entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hit, miss and eviction counts.
    pub fn stats(&self) -> CacheStats {
        self.lock().stats
    }

    /// Drops every entry (say at a key-period change).
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// The prepared verifier for exactly (`id`, `pvt`, `kpak`), built on a miss.
    pub fn get(&self, id: &[u8], pvt: &Pvt, kpak: &Kpak) -> Arc<PreparedVerifier> {
        let key = CacheKey {
            id: id.to_vec(),
            pvt: pvt.to_bytes(),
            kpak: kpak.to_bytes(),
        };
        {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            if let Some(entry) = inner.entries.get_mut(&key) {
                entry.last_used = now;
                let verifier = Arc::clone(&entry.verifier);
                inner.stats.hits += 1;
                // The key is the full material, so this holds; checked again regardless.
                if verifier.is_for(id, pvt, kpak) {
                    return verifier;
                }
            }
            inner.stats.misses += 1;
        }
        let verifier = Arc::new(PreparedVerifier::new(id, *pvt, *kpak));
        if self.capacity > 0 {
            let mut inner = self.lock();
            if !inner.entries.contains_key(&key) && inner.entries.len() >= self.capacity {
                let oldest = inner
                    .entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.last_used)
                    .map(|(key, _)| key.clone());
                if let Some(oldest) = oldest {
                    inner.entries.remove(&oldest);
                    inner.stats.evictions += 1;
                }
            }
            let last_used = inner.clock;
            inner.entries.insert(
                key,
                Entry {
                    verifier: Arc::clone(&verifier),
                    last_used,
                },
            );
        }
        verifier
    }

    /// Verifies `sig` over `msg` by `id` under `kpak` through the entry for the PVT the
    /// signature carries: the same verdict as [`crate::VerifyingKey::verify`].
    pub fn verify(&self, id: &[u8], kpak: &Kpak, msg: &[u8], sig: &Signature) -> Result<()> {
        self.get(id, sig.pvt(), kpak).verify(msg, sig)
    }

    /// The lock, recovered if a panicking thread poisoned it (entries stay consistent:
    /// each is inserted whole).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
