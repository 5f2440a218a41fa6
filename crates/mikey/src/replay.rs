//! Bounded replay cache (RFC 3830 5.4). The caller owns one per responder and passes it
//! to [`open_i_message`](crate::open_i_message); only fully accepted messages enter it.
//!
//! Memory is fixed: when full, the entry with the oldest timestamp is forgotten and the
//! cache's *horizon* moves up to that timestamp. A message at or before the horizon is
//! refused ([`MikeyError::BeyondReplayHorizon`]) because the cache can no longer tell
//! whether it was seen, so eviction never opens a replay hole. With a clock-skew window
//! W and at most N accepted messages per W, a capacity of N never refuses a fresh one.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::error::{MikeyError, Result};
use crate::timestamp::NtpTimestamp;

/// What identifies a message for replay purposes: its timestamp and a digest of
/// CSB ID, timestamp and RAND (all covered by the signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplayKey {
    time: i128,
    digest: [u8; 32],
}

impl ReplayKey {
    /// The key for a message with this CSB ID, timestamp and RAND.
    pub fn new(csb_id: u32, time: NtpTimestamp, rand: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"MIKEY replay key");
        h.update(csb_id.to_be_bytes());
        h.update(time.0.to_be_bytes());
        h.update((rand.len() as u64).to_be_bytes());
        h.update(rand);
        ReplayKey {
            time: time.unix_nanos(),
            digest: h.finalize().into(),
        }
    }
}

/// Fixed-capacity replay cache. `Send + Sync`; share it behind a `Mutex` if several
/// threads accept messages for the same responder.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    entries: BTreeSet<ReplayKey>,
    horizon: Option<i128>,
}

impl ReplayCache {
    /// An empty cache holding at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            entries: BTreeSet::new(),
            horizon: None,
        }
    }

    /// Maximum number of entries.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Current number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Would a message with this key be accepted?
    pub fn check(&self, key: &ReplayKey) -> Result<()> {
        if self.entries.contains(key) {
            return Err(MikeyError::Replay);
        }
        if self.horizon.is_some_and(|h| key.time <= h) {
            return Err(MikeyError::BeyondReplayHorizon);
        }
        Ok(())
    }

    /// Record an accepted message (after [`check`](Self::check) succeeded), evicting
    /// the oldest entry if the cache is full.
    pub fn insert(&mut self, key: ReplayKey) -> Result<()> {
        self.check(&key)?;
        self.entries.insert(key);
        while self.entries.len() > self.capacity {
            if let Some(oldest) = self.entries.pop_first() {
                self.raise_horizon(oldest.time);
            }
        }
        Ok(())
    }

    /// Forget entries at or before `time` (e.g. those already outside the clock-skew
    /// window); messages that old are refused from now on.
    pub fn forget_until(&mut self, time: NtpTimestamp) {
        let limit = time.unix_nanos();
        while let Some(first) = self.entries.first().copied() {
            if first.time > limit {
                break;
            }
            self.entries.pop_first();
        }
        self.raise_horizon(limit);
    }

    fn raise_horizon(&mut self, time: i128) {
        self.horizon = Some(self.horizon.map_or(time, |h| h.max(time)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secs: i64, rand: u8) -> ReplayKey {
        ReplayKey::new(7, NtpTimestamp::from_unix(secs, 0).unwrap(), &[rand; 16])
    }

    #[test]
    fn detects_replay_and_evicts_oldest_with_horizon() {
        let mut cache = ReplayCache::new(2);
        cache.insert(key(100, 1)).unwrap();
        assert!(matches!(cache.check(&key(100, 1)), Err(MikeyError::Replay)));
        assert!(cache.check(&key(100, 2)).is_ok());
        cache.insert(key(300, 3)).unwrap();
        cache.insert(key(200, 2)).unwrap(); // evicts t=100
        assert_eq!(cache.len(), 2);
        // t=100 was forgotten: refuse anything that old rather than risk a replay.
        assert!(matches!(
            cache.check(&key(100, 1)),
            Err(MikeyError::BeyondReplayHorizon)
        ));
        assert!(matches!(cache.insert(key(300, 3)), Err(MikeyError::Replay)));
        assert!(cache.check(&key(101, 9)).is_ok());
    }

    #[test]
    fn forget_until_moves_horizon() {
        let mut cache = ReplayCache::new(10);
        cache.insert(key(100, 1)).unwrap();
        cache.insert(key(200, 2)).unwrap();
        cache.forget_until(NtpTimestamp::from_unix(150, 0).unwrap());
        assert_eq!(cache.len(), 1);
        assert!(matches!(
            cache.check(&key(150, 5)),
            Err(MikeyError::BeyondReplayHorizon)
        ));
        assert!(matches!(cache.check(&key(200, 2)), Err(MikeyError::Replay)));
    }

    #[test]
    fn is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ReplayCache>();
    }
}
