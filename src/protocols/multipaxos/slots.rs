//! Values by slot, in slot order, kept in a sorted vector: a leader's open proposals and a
//! candidate's recovered votes are a few dozen slots at most, and each B-tree map type would
//! cost the page its own copy of the tree's code.

/// A map from slot to `V`, iterated in slot order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slots<V> {
    items: Vec<(u64, V)>,
}

impl<V> Default for Slots<V> {
    fn default() -> Self {
        Slots { items: Vec::new() }
    }
}

impl<V> Slots<V> {
    fn find(&self, slot: u64) -> Result<usize, usize> {
        self.items.binary_search_by_key(&slot, |(s, _)| *s)
    }

    /// The value in `slot`, if any.
    pub fn get(&self, slot: u64) -> Option<&V> {
        self.find(slot).ok().map(|i| &self.items[i].1)
    }

    /// The value in `slot`, if any, to change.
    pub fn get_mut(&mut self, slot: u64) -> Option<&mut V> {
        self.find(slot).ok().map(|i| &mut self.items[i].1)
    }

    /// Puts `value` in `slot`, replacing what was there.
    pub fn insert(&mut self, slot: u64, value: V) {
        match self.find(slot) {
            Ok(i) => self.items[i].1 = value,
            Err(i) => self.items.insert(i, (slot, value)),
        }
    }

    /// The value in `slot`, put there first if the slot is empty.
    pub fn get_or_insert(&mut self, slot: u64, value: V) -> &mut V {
        let i = match self.find(slot) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (slot, value));
                i
            }
        };
        &mut self.items[i].1
    }

    /// Takes the value out of `slot`.
    pub fn remove(&mut self, slot: u64) -> Option<V> {
        self.find(slot).ok().map(|i| self.items.remove(i).1)
    }

    /// Empties the map.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The highest slot holding a value.
    pub fn last_slot(&self) -> Option<u64> {
        self.items.last().map(|(s, _)| *s)
    }

    /// Slots and values in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.items.iter().map(|(s, v)| (*s, v))
    }

    /// Slots and values in slot order, the values to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u64, &mut V)> {
        self.items.iter_mut().map(|(s, v)| (*s, v))
    }

    /// How many slots hold a value.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no slot holds a value.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_as_a_btree_map_under_random_operations() {
        let mut rng = Rng::new(5);
        let (mut ours, mut reference) = (Slots::default(), BTreeMap::new());
        for _ in 0..5_000 {
            let slot = rng.range(0, 40);
            let v = rng.range(0, 1_000);
            match rng.range(0, 4) {
                0 => {
                    ours.insert(slot, v);
                    reference.insert(slot, v);
                }
                1 => assert_eq!(ours.remove(slot), reference.remove(&slot)),
                2 => {
                    *ours.get_or_insert(slot, v) += 1;
                    *reference.entry(slot).or_insert(v) += 1;
                }
                3 => {
                    if let Some(x) = ours.get_mut(slot) {
                        *x += 7;
                    }
                    if let Some(x) = reference.get_mut(&slot) {
                        *x += 7;
                    }
                }
                _ => {
                    ours.clear();
                    reference.clear();
                }
            }
            assert_eq!(ours.get(slot), reference.get(&slot));
            assert_eq!(ours.len(), reference.len());
            assert_eq!(ours.last_slot(), reference.keys().next_back().copied());
            assert!(
                ours.iter()
                    .map(|(s, v)| (s, *v))
                    .eq(reference.iter().map(|(s, v)| (*s, *v)))
            );
        }
    }
}
