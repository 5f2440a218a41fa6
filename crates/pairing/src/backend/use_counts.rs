//! How often each key without a table has been used: the "rent paid so far" of
//! [`super::TablePolicy::Auto`], bounded so that millions of distinct keys cannot grow it
//! without limit.

use std::collections::HashMap;

use super::TableKey;

/// Keys counted per table kind before the counts age (about 3 MiB at most).
pub(crate) const MAX_COUNTED_KEYS: usize = 1 << 16;

/// Use counts of keys, at most `capacity` of them. When a new key finds the map full,
/// every count is halved and the keys whose count falls to zero are forgotten, until at
/// most half the capacity is left: keys in steady use keep most of their count, keys
/// seen once or twice long ago go. The halving is what keeps it bounded; counts only
/// ever under-state uses, so a table is never built earlier than the policy says.
pub(crate) struct UseCounts {
    counts: HashMap<TableKey, u32>,
    capacity: usize,
}

impl UseCounts {
    pub(crate) fn new(capacity: usize) -> UseCounts {
        UseCounts {
            counts: HashMap::new(),
            capacity: capacity.max(2),
        }
    }

    /// The uses of `key` counted so far.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &TableKey) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    /// Counts `uses` more uses of `key`; returns its total.
    pub(crate) fn add(&mut self, key: TableKey, uses: u32) -> u32 {
        if !self.counts.contains_key(&key) && self.counts.len() >= self.capacity {
            self.age();
        }
        let count = self.counts.entry(key).or_insert(0);
        *count = count.saturating_add(uses);
        *count
    }

    /// Starts `key` from zero: it got a table, or lost one and must earn it again.
    pub(crate) fn forget(&mut self, key: &TableKey) {
        self.counts.remove(key);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn clear(&mut self) {
        self.counts.clear();
    }

    fn age(&mut self) {
        while self.counts.len() > self.capacity / 2 {
            self.counts.retain(|_, count| {
                *count /= 2;
                *count > 0
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> TableKey {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&i.to_le_bytes());
        TableKey(k)
    }

    #[test]
    fn counts_add_up_and_forget_resets() {
        let mut uses = UseCounts::new(8);
        assert_eq!(uses.add(key(1), 3), 3);
        assert_eq!(uses.add(key(1), 2), 5);
        assert_eq!(uses.get(&key(1)), 5);
        uses.forget(&key(1));
        assert_eq!(uses.get(&key(1)), 0);
        assert_eq!(uses.add(key(1), 1), 1);
    }

    #[test]
    fn a_stream_of_distinct_keys_stays_bounded_and_keys_in_steady_use_survive() {
        let mut uses = UseCounts::new(100);
        uses.add(key(0), 1000); // a burst long ago
        for i in 2..100_000 {
            uses.add(key(i), 1);
            if i % 10 == 0 {
                uses.add(key(1), 1); // steady use
            }
            assert!(uses.len() <= 100, "{} keys after {i}", uses.len());
        }
        assert_eq!(uses.get(&key(0)), 0, "the old burst has faded");
        assert!(
            uses.get(&key(1)) > 0,
            "the key in steady use is still counted"
        );
        assert_eq!(uses.get(&key(2)), 0);
        assert_eq!(uses.get(&key(99_999)), 1, "the newest key is counted");
    }

    #[test]
    fn ageing_when_every_key_is_frequent_still_makes_room() {
        let mut uses = UseCounts::new(10);
        for i in 0..10 {
            uses.add(key(i), 1 << 20);
        }
        uses.add(key(10), 1);
        assert!(uses.len() <= 6, "{}", uses.len());
        assert_eq!(uses.get(&key(10)), 1);
    }
}
