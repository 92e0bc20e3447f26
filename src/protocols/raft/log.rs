//! A Raft log: entries indexed from 1, changed only by appending and by truncating a suffix.
//!
//! Keeping the two mutations behind methods lets the log count its truncations, which is what
//! makes the checker incremental: as long as the count is unchanged, only entries past the
//! length it saw last can be new.

use super::msg::Entry;
use crate::sim::chunked::ChunkedVec;

/// The replicated log of one node, part of its persistent state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    entries: ChunkedVec<Entry>,
    /// How many times a suffix has been removed, ever.
    truncations: u64,
    /// First index removed by the latest truncation (0 if none).
    last_truncated_at: u64,
}

impl Log {
    /// Index of the last entry (0 when empty).
    pub fn last_index(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Term of the last entry (0 when empty).
    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// The entry at `index`, if present (index 0 is never present).
    pub fn get(&self, index: u64) -> Option<&Entry> {
        if index == 0 {
            return None;
        }
        self.entries.get(index as usize - 1)
    }

    /// Term of the entry at `index`: 0 for index 0, `None` past the end.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == 0 {
            Some(0)
        } else {
            self.get(index).map(|e| e.term)
        }
    }

    /// Entries from `from` (≥ 1) to the end, at most `max` of them.
    pub fn slice_from(&self, from: u64, max: usize) -> Vec<Entry> {
        // Read by index: an iterator chain over the chunks would cost the page its own copies
        // of the flatten/take adapters.
        let from = from.max(1);
        let end = self.last_index().min(from - 1 + max as u64);
        let mut out = Vec::new();
        for index in from..=end {
            if let Some(e) = self.get(index) {
                out.push(*e);
            }
        }
        out
    }

    /// Entries from index `from` (≥ 1) to the end, oldest first.
    pub fn iter_from(&self, from: u64) -> impl Iterator<Item = &Entry> {
        (from.max(1)..=self.last_index()).filter_map(|index| self.get(index))
    }

    /// A copy of all entries, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.to_vec()
    }

    /// Appends one entry at the end.
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Removes the entry at `from` and everything after it; does nothing past the end.
    pub fn truncate_from(&mut self, from: u64) {
        let from = from.max(1);
        if from <= self.last_index() {
            self.entries.truncate(from as usize - 1);
            self.truncations += 1;
            self.last_truncated_at = from;
        }
    }

    /// How many truncations this log has seen, ever (for the checker).
    pub fn truncations(&self) -> u64 {
        self.truncations
    }

    /// First index removed by the latest truncation, 0 if none (for the checker).
    pub fn last_truncated_at(&self) -> u64 {
        self.last_truncated_at
    }

    /// The first index of the run of entries of term `term` that ends at `index`.
    pub fn first_index_of_term_run(&self, index: u64) -> u64 {
        let Some(term) = self.term_at(index) else {
            return index;
        };
        let mut i = index;
        while i > 1 && self.term_at(i - 1) == Some(term) {
            i -= 1;
        }
        i
    }
}
