//! An acceptor's persistent state in Multi-Paxos: one promise for all slots, and the proposal
//! accepted in each slot.

use crate::protocols::paxos::common::Ballot;
use crate::sim::chunked::ChunkedVec;

use super::msg::{SlotVote, Vote};

/// What an acceptor keeps on disk: it survives crashes (unless `forget_promise` is on).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acceptor {
    /// The highest ballot promised; it covers every slot.
    pub promised: Ballot,
    /// `slots[s - 1]`: the proposal accepted in slot `s`, if any.
    slots: ChunkedVec<Option<Vote>>,
}

impl Acceptor {
    /// The proposal accepted in `slot` (from 1), if any.
    pub fn get(&self, slot: u64) -> Option<Vote> {
        let i = (slot as usize).checked_sub(1)?;
        self.slots.get(i).copied().flatten()
    }

    /// Records that `vote` was accepted in `slot`; returns whether anything changed.
    pub fn set(&mut self, slot: u64, vote: Vote) -> bool {
        let i = slot.max(1) as usize - 1;
        self.slots.grow(i + 1, None);
        if self.slots.get(i) == Some(&Some(vote)) {
            return false;
        }
        *self.slots.get_mut(i) = Some(vote);
        true
    }

    /// The highest slot with an accepted proposal, or a gap before it (0 when none).
    pub fn len(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Whether nothing was ever accepted.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Every accepted proposal in slots from `from`, in slot order (what a promise reports).
    pub fn from_slot(&self, from: u64) -> Vec<SlotVote> {
        let mut votes = Vec::new();
        for slot in from.max(1)..=self.len() {
            if let Some(v) = self.get(slot) {
                votes.push(SlotVote {
                    slot,
                    ballot: v.ballot,
                    value: v.value,
                });
            }
        }
        votes
    }
}
