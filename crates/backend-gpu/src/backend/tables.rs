//! Resident tables of one kind (per-RSK lines or per-identity bases): an arena of
//! device slots, and the CPU backend's least-recently-used cache and table policy
//! deciding which keys hold one. Tables are built on the host (as the CPU backend builds
//! them) and uploaded once; evicting a key drops its slot handle, which wipes the slot
//! once no batch still uses it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use pairing::backend::{BackendError, Selection, TableCache, TableKey, TablePolicy, TableStats};
use pairing::AffinePoint;
use zeroize::Zeroizing;

use crate::arena::{Slot, TableArena};
use crate::context::GpuContext;
use crate::error::GpuError;

/// Builds the words of a table for a point.
pub(super) type Build = fn(&AffinePoint) -> Zeroizing<Vec<u32>>;

pub(super) struct DeviceTables {
    /// None when the budget holds no table (or the policy is Never).
    arena: Option<Arc<TableArena>>,
    cache: TableCache<Slot>,
    slot_bytes: usize,
    policy: TablePolicy,
    crossover: u32,
    build: Build,
}

impl DeviceTables {
    pub(super) fn new(
        ctx: &Arc<GpuContext>,
        label: &str,
        slot_words: usize,
        budget_bytes: usize,
        policy: TablePolicy,
        crossover: u32,
        build: Build,
    ) -> DeviceTables {
        let budget_bytes = match policy {
            TablePolicy::Never => 0,
            TablePolicy::Auto | TablePolicy::Always => budget_bytes,
        };
        let arena = TableArena::new(Arc::clone(ctx), label, slot_words, budget_bytes);
        // The cache may hold as many tables as the arena has slots, never more.
        let held = arena.as_ref().map_or(0, |a| a.slots() * a.slot_bytes());
        DeviceTables {
            arena,
            cache: TableCache::new(held),
            slot_bytes: slot_words * 4,
            policy,
            crossover,
            build,
        }
    }

    pub(super) fn arena(&self) -> Option<&Arc<TableArena>> {
        self.arena.as_ref()
    }

    /// The slots this batch can use: tables already resident, and tables built now for
    /// the keys the policy wants (most used in the batch first) while free slots last.
    /// Keys without one are computed without a table.
    pub(super) fn resolve(
        &self,
        keys: impl Iterator<Item = (TableKey, AffinePoint)>,
    ) -> Result<HashMap<TableKey, Arc<Slot>>, GpuError> {
        let Some(arena) = &self.arena else {
            return Ok(HashMap::new());
        };
        let mut uses: HashMap<TableKey, (u32, AffinePoint)> = HashMap::new();
        for (key, point) in keys {
            uses.entry(key).or_insert((0, point)).0 += 1;
        }
        let batch: Vec<(TableKey, u32)> = uses.iter().map(|(k, (n, _))| (*k, *n)).collect();
        let (policy, crossover) = (self.policy, self.crossover);
        let Selection {
            mut resident,
            wanted,
        } = self.cache.select(&batch, |earlier, now| {
            policy.wants_table(crossover, earlier, now)
        });
        for key in wanted {
            if resident.len() >= arena.slots() {
                break;
            }
            let Some(slot) = self.build_and_insert(arena, key, &uses[&key].1)? else {
                break;
            };
            resident.insert(key, slot);
        }
        Ok(resident)
    }

    /// Builds the table of `point`, uploads it and keeps it under `key`. None when no slot
    /// is free (every one held by the cache or a running batch).
    fn build_and_insert(
        &self,
        arena: &Arc<TableArena>,
        key: TableKey,
        point: &AffinePoint,
    ) -> Result<Option<Arc<Slot>>, GpuError> {
        let start = Instant::now();
        let words = (self.build)(point);
        if arena.free_slots() == 0 {
            // Evicting the least recently used table may free one.
            self.cache.make_room(self.slot_bytes);
        }
        let Some(slot) = arena.upload(&words)? else {
            return Ok(None);
        };
        let slot = Arc::new(slot);
        self.cache
            .insert(key, Arc::clone(&slot), self.slot_bytes, start.elapsed());
        Ok(Some(slot))
    }

    /// `prepare_*_table`: builds and keeps the table of `point` under `key` now.
    pub(super) fn prepare(&self, key: TableKey, point: &AffinePoint) -> Result<(), BackendError> {
        let too_large = || BackendError::TableTooLarge {
            budget: self.cache.stats().budget_bytes,
            needed: self.slot_bytes,
        };
        let Some(arena) = &self.arena else {
            return Err(too_large());
        };
        if self.cache.contains(&key) {
            return Ok(());
        }
        match self.build_and_insert(arena, key, point) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(too_large()),
            Err(e) => Err(e.into_backend_error("gpu")),
        }
    }

    pub(super) fn stats(&self) -> TableStats {
        self.cache.stats()
    }

    pub(super) fn clear(&self) {
        self.cache.clear();
    }
}
