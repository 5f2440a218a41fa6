//! A bounded, least-recently-used cache of precomputed tables with a memory budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::TableKey;

/// Counters reported by [`super::PairingBackend::table_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableStats {
    pub tables: usize,
    pub bytes: usize,
    pub budget_bytes: usize,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub builds: u64,
    pub build_time: Duration,
}

impl TableStats {
    /// Sums two caches' counters (the CPU backend keeps one for lines, one for bases).
    pub fn merged(&self, other: &TableStats) -> TableStats {
        TableStats {
            tables: self.tables + other.tables,
            bytes: self.bytes + other.bytes,
            budget_bytes: self.budget_bytes.max(other.budget_bytes),
            hits: self.hits + other.hits,
            misses: self.misses + other.misses,
            evictions: self.evictions + other.evictions,
            builds: self.builds + other.builds,
            build_time: self.build_time + other.build_time,
        }
    }
}

struct Entry<T> {
    table: Arc<T>,
    bytes: usize,
    last_used: u64,
}

struct Inner<T> {
    entries: HashMap<TableKey, Entry<T>>,
    clock: u64,
    stats: TableStats,
}

/// Tables of one kind, shared by every thread of a backend. The budget is shared between
/// caches through [`Budget`].
pub(crate) struct TableCache<T> {
    inner: Mutex<Inner<T>>,
}

impl<T> TableCache<T> {
    pub(crate) fn new(budget_bytes: usize) -> TableCache<T> {
        let stats = TableStats {
            budget_bytes,
            ..TableStats::default()
        };
        TableCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                clock: 0,
                stats,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // A panic while holding the lock cannot leave the map inconsistent (every update
        // is a single insert or remove), so a poisoned lock is safe to reuse.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The table under `key`, counting a hit or a miss.
    pub(crate) fn get(&self, key: &TableKey) -> Option<Arc<T>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        match inner.entries.get_mut(key) {
            Some(entry) => {
                entry.last_used = now;
                let table = entry.table.clone();
                inner.stats.hits += 1;
                Some(table)
            }
            None => {
                inner.stats.misses += 1;
                None
            }
        }
    }

    pub(crate) fn contains(&self, key: &TableKey) -> bool {
        self.lock().entries.contains_key(key)
    }

    /// Keeps `table`, evicting least-recently-used tables until it fits. Returns false
    /// (and keeps nothing) if it cannot fit even in an empty cache.
    pub(crate) fn insert(
        &self,
        key: TableKey,
        table: Arc<T>,
        bytes: usize,
        build_time: Duration,
    ) -> bool {
        let mut inner = self.lock();
        inner.stats.builds += 1;
        inner.stats.build_time += build_time;
        if bytes > inner.stats.budget_bytes {
            return false;
        }
        if let Some(old) = inner.entries.remove(&key) {
            inner.stats.bytes -= old.bytes;
            inner.stats.tables -= 1;
        }
        while inner.stats.bytes + bytes > inner.stats.budget_bytes {
            let Some(victim) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(old) = inner.entries.remove(&victim) {
                inner.stats.bytes -= old.bytes;
                inner.stats.tables -= 1;
                inner.stats.evictions += 1;
            }
        }
        inner.clock += 1;
        let last_used = inner.clock;
        inner.entries.insert(
            key,
            Entry {
                table,
                bytes,
                last_used,
            },
        );
        inner.stats.bytes += bytes;
        inner.stats.tables += 1;
        true
    }

    pub(crate) fn stats(&self) -> TableStats {
        self.lock().stats.clone()
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.stats.bytes = 0;
        inner.stats.tables = 0;
    }
}
