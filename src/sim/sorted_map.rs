//! A small ordered map for the simulator's own tables: messages in flight by id, cut links,
//! links with their own latency.
//!
//! The standard `BTreeMap` is several kilobytes of rebalancing code for each key and value type
//! it is used with, and the web build carries every copy. These tables are short (a few hundred
//! messages in flight at most, a handful of links) and, for messages, keyed by ids that only
//! grow and mostly leave in the order they came: a sorted double-ended queue fits them. New
//! largest keys append in O(1); removals shift the shorter side, so the oldest messages (the
//! usual ones to arrive) leave cheaply. Iteration is in key order, as a `BTreeMap`'s.

use std::collections::VecDeque;

/// Entries sorted by key, each key once. See the module documentation for when to use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: VecDeque<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
        }
    }
}

impl<K: Ord + Copy, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// Puts `value` under `key`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.entries.back().is_none_or(|(last, _)| *last < key) {
            self.entries.push_back((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Takes the value under `key` out.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        self.entries.remove(i).map(|(_, v)| v)
    }

    /// The value under `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value under `key`, to change it.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        Some(&mut self.entries[i].1)
    }

    /// The value under `key`, put there by `make` first if there was none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Keeps only the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Empties the map.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.front().map(|(k, v)| (k, v))
    }

    /// Entries in increasing key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in increasing order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;
    use crate::sim::rng::Rng;
    use std::collections::BTreeMap;

    /// Random inserts, removals, lookups and retains give what a `BTreeMap` gives, in order.
    #[test]
    fn behaves_as_a_btree_map() {
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let (mut ours, mut reference) = (SortedMap::new(), BTreeMap::new());
            for step in 0..400u64 {
                let key = if rng.chance_ppm(500_000) {
                    step // growing ids, the common case
                } else {
                    rng.range(0, 60)
                };
                match rng.range(0, 9) {
                    0..=4 => assert_eq!(ours.insert(key, step), reference.insert(key, step)),
                    5 | 6 => assert_eq!(ours.remove(&key), reference.remove(&key)),
                    7 => {
                        *ours.get_or_insert_with(key, || step) += 1;
                        *reference.entry(key).or_insert(step) += 1;
                    }
                    _ => {
                        ours.retain(|k, _| k % 7 != step % 7);
                        reference.retain(|k, _| k % 7 != step % 7);
                    }
                }
                assert_eq!(ours.get(&key), reference.get(&key));
                assert_eq!(ours.contains_key(&key), reference.contains_key(&key));
                assert_eq!(ours.len(), reference.len());
                assert_eq!(ours.first_key_value(), reference.first_key_value());
            }
            let ours: Vec<_> = ours.iter().collect();
            let reference: Vec<_> = reference.iter().collect();
            assert_eq!(ours, reference);
        }
    }
}
