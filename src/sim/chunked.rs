//! `ChunkedVec`: a vector that is cheap to clone, for protocol state that grows with a run.
//!
//! Time travel checkpoints a whole simulation by cloning it every few thousand events; logs and
//! checker tables stored in a `ChunkedVec` share all unchanged chunks with their checkpoints.

use std::rc::Rc;

/// Entries per chunk of a [`ChunkedVec`].
const CHUNK: usize = 256;

/// A growable vector stored in shared, copy-on-write chunks.
///
/// The simulator checkpoints a run by cloning it every few thousand events. A plain `Vec` per
/// slot log makes every checkpoint copy the whole log; here a clone copies one pointer per 256
/// entries, and a write copies only the chunk it lands in, the first time after a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkedVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Entry `i`, if `i < len`.
    pub fn get(&self, i: usize) -> Option<&T> {
        (i < self.len).then(|| &self.chunks[i / CHUNK][i % CHUNK])
    }
    /// Entry `i` for writing (`i < len`), copying its chunk first if a checkpoint shares it.
    pub fn get_mut(&mut self, i: usize) -> &mut T {
        assert!(i < self.len, "index {i} out of {}", self.len);
        &mut Rc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK]
    }
    /// Appends `value`.
    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk with room");
        Rc::make_mut(last).push(value);
        self.len += 1;
    }
    /// Grows to `len` entries, filling with `value` (never shrinks).
    pub fn grow(&mut self, len: usize, value: T) {
        while self.len < len {
            self.push(value.clone());
        }
    }
    /// Every entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }
    /// Entries from `start`, in order.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> {
        let first = start / CHUNK;
        self.chunks
            .iter()
            .skip(first)
            .enumerate()
            .flat_map(move |(k, c)| c.iter().skip(if k == 0 { start % CHUNK } else { 0 }))
            .take(self.len.saturating_sub(start))
    }
    /// The last entry, if any.
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }
    /// Keeps the first `len` entries (does nothing if there are fewer).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.chunks.truncate(len.div_ceil(CHUNK));
        if !len.is_multiple_of(CHUNK) {
            let last = self.chunks.last_mut().expect("a chunk holds the kept tail");
            Rc::make_mut(last).truncate(len % CHUNK);
        }
        self.len = len;
    }
    /// A copy of every entry, in order.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }
}

impl<T: Clone> FromIterator<T> for ChunkedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = ChunkedVec::default();
        for x in iter {
            v.push(x);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_and_shares_chunks_with_clones() {
        let mut v: ChunkedVec<usize> = (0..1000).collect();
        let snapshot = v.clone();
        *v.get_mut(3) = 99;
        v.truncate(600);
        v.push(7);
        assert_eq!(v.len(), 601);
        assert_eq!(v.get(3), Some(&99));
        assert_eq!(
            snapshot.get(3),
            Some(&3),
            "a clone does not see later writes"
        );
        assert_eq!(snapshot.len(), 1000);
        assert_eq!(v.last(), Some(&7));
        assert_eq!(
            v.iter_from(598).copied().collect::<Vec<_>>(),
            vec![598, 599, 7]
        );
        assert_eq!(v.iter_from(601).count(), 0);
        v.truncate(256);
        assert_eq!(
            v.to_vec(),
            (0..256)
                .map(|i| if i == 3 { 99 } else { i })
                .collect::<Vec<_>>()
        );
        v.truncate(0);
        assert!(v.is_empty());
        v.push(1);
        assert_eq!(v.to_vec(), vec![1]);
    }
}
