//! A bounded, least-recently-used cache of precomputed tables with a memory budget, and
//! the use counts of the keys that have no table yet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::use_counts::{UseCounts, MAX_COUNTED_KEYS};
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
    /// Uses of keys without a table, counted towards one.
    uses: UseCounts,
    /// The size of this cache's tables (all of one kind are alike), once one was built.
    table_bytes: Option<usize>,
}

impl<T> Inner<T> {
    /// Evicts least-recently-used tables until `bytes` more fit the budget (or none is
    /// left).
    fn evict_until_fits(&mut self, bytes: usize) {
        while self.stats.bytes + bytes > self.stats.budget_bytes {
            let Some(victim) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(old) = self.entries.remove(&victim) {
                self.stats.bytes -= old.bytes;
                self.stats.tables -= 1;
                self.stats.evictions += 1;
                // An evicted key earns its table again from zero, so a budget too small
                // for the keys in use does not rebuild tables at every turn.
                self.uses.forget(&victim);
            }
        }
    }
}

/// What a batch found: the tables it can use now, and the keys the policy wants built,
/// most used in the batch first.
pub struct Selection<T> {
    pub resident: HashMap<TableKey, Arc<T>>,
    pub wanted: Vec<TableKey>,
}

/// Tables of one kind under one memory budget, shared by every thread of a backend. `T`
/// is the table itself (CPU) or a handle to where it lives (a device buffer slot).
pub struct TableCache<T> {
    inner: Mutex<Inner<T>>,
}

impl<T> TableCache<T> {
    pub fn new(budget_bytes: usize) -> TableCache<T> {
        let stats = TableStats {
            budget_bytes,
            ..TableStats::default()
        };
        TableCache {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                clock: 0,
                stats,
                uses: UseCounts::new(MAX_COUNTED_KEYS),
                table_bytes: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // A panic while holding the lock cannot leave the map inconsistent (every update
        // is a single insert or remove), so a poisoned lock is safe to reuse.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Looks up each key of a batch with its number of uses in the batch, counting hits
    /// and misses. A key without a table has its uses counted, and is wanted when
    /// `wants(earlier uses, uses in this batch)` says so. A cache without a budget keeps
    /// nothing, counts included.
    pub fn select(
        &self,
        batch: &[(TableKey, u32)],
        wants: impl Fn(u32, u32) -> bool,
    ) -> Selection<T> {
        let mut inner = self.lock();
        let counting = inner.stats.budget_bytes > 0;
        let mut resident = HashMap::new();
        let mut wanted = Vec::new();
        for &(key, in_batch) in batch {
            inner.clock += 1;
            let now = inner.clock;
            if let Some(entry) = inner.entries.get_mut(&key) {
                entry.last_used = now;
                resident.insert(key, entry.table.clone());
                inner.stats.hits += 1;
                continue;
            }
            inner.stats.misses += 1;
            if counting {
                let total = inner.uses.add(key, in_batch);
                if wants(total - in_batch, in_batch) {
                    wanted.push((key, in_batch, total));
                }
            }
        }
        // Most uses in this batch first (they repay the build at once), then most uses
        // overall; the key breaks ties so the choice does not depend on hashing.
        wanted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        Selection {
            resident,
            wanted: wanted.into_iter().map(|(key, _, _)| key).collect(),
        }
    }

    /// How many more tables fit beside `in_use` resident ones, once the size of a table
    /// is known (None before the first build).
    pub fn room(&self, in_use: usize) -> Option<usize> {
        let inner = self.lock();
        let bytes = inner.table_bytes?;
        Some((inner.stats.budget_bytes / bytes.max(1)).saturating_sub(in_use))
    }

    /// Evicts least-recently-used tables until one of `bytes` fits: for a backend whose
    /// tables occupy fixed device slots, which must free a slot before it can upload.
    pub fn make_room(&self, bytes: usize) {
        self.lock().evict_until_fits(bytes);
    }

    pub fn contains(&self, key: &TableKey) -> bool {
        self.lock().entries.contains_key(key)
    }

    /// Keeps `table`, evicting least-recently-used tables until it fits. Returns false
    /// (and keeps nothing) if it cannot fit even in an empty cache.
    pub fn insert(&self, key: TableKey, table: Arc<T>, bytes: usize, build_time: Duration) -> bool {
        let mut inner = self.lock();
        inner.stats.builds += 1;
        inner.stats.build_time += build_time;
        inner.table_bytes = Some(inner.table_bytes.map_or(bytes, |b| b.max(bytes)));
        // It has its table now; counting starts again only if it loses it.
        inner.uses.forget(&key);
        if bytes > inner.stats.budget_bytes {
            return false;
        }
        if let Some(old) = inner.entries.remove(&key) {
            inner.stats.bytes -= old.bytes;
            inner.stats.tables -= 1;
        }
        inner.evict_until_fits(bytes);
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

    pub fn stats(&self) -> TableStats {
        self.lock().stats.clone()
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.uses.clear();
        inner.stats.bytes = 0;
        inner.stats.tables = 0;
    }
}
