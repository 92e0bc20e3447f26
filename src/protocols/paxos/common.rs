//! Pieces both Paxos variants share: ballots, small node sets, and the vote tally the checkers
//! use to decide what is chosen.

use std::fmt;

use crate::sim::chunked::ChunkedVec;
use crate::sim::{JsonFields, JsonObject, NodeId};

/// Largest cluster either variant supports (node sets are 32-bit masks; the page draws 25).
pub const MAX_NODES: usize = 25;

/// A ballot (Lamport's "proposal number"): a round, made unique by the proposer's id.
/// Ballots are ordered by round, then by proposer, so two proposers never share one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ballot {
    /// The round, counted up by proposers; the part people compare.
    pub round: u64,
    /// The node that issued the ballot (0 only in [`Ballot::ZERO`]).
    pub proposer: NodeId,
}

impl Ballot {
    /// Below every real ballot: what an acceptor has promised before its first promise.
    pub const ZERO: Ballot = Ballot {
        round: 0,
        proposer: 0,
    };

    /// Ballot `round` of `proposer`.
    pub fn new(round: u64, proposer: NodeId) -> Self {
        Ballot { round, proposer }
    }
}

/// In the trace a ballot is `{"round":R,"proposer":N}`.
impl JsonFields for Ballot {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("round", self.round)
            .u64("proposer", self.proposer.into());
    }
}

impl fmt::Display for Ballot {
    /// `round.proposer`, e.g. `2.1` for Node 1's second round.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.proposer)
    }
}

/// The size of a majority of `k` members.
pub fn majority(k: usize) -> usize {
    k / 2 + 1
}

/// A set of node ids (promises or acceptances received), as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeSet(u32);

impl NodeSet {
    /// The empty set.
    pub const EMPTY: NodeSet = NodeSet(0);

    fn bit(id: NodeId) -> u32 {
        debug_assert!((1..=32).contains(&id), "node ids run from 1 to 32");
        1 << (id - 1)
    }
    /// Adds `id`; returns whether it was new.
    pub fn insert(&mut self, id: NodeId) -> bool {
        let new = self.0 & Self::bit(id) == 0;
        self.0 |= Self::bit(id);
        new
    }
    /// Whether `id` is in the set.
    pub fn contains(self, id: NodeId) -> bool {
        self.0 & Self::bit(id) != 0
    }
    /// Number of members.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Members in increasing order.
    pub fn iter(self) -> impl Iterator<Item = NodeId> {
        (1..=32).filter(move |&id| self.contains(id))
    }
}

impl fmt::Display for NodeSet {
    /// Members separated by commas, e.g. `1, 3, 4`; `none` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return write!(f, "none");
        }
        let items: Vec<String> = self.iter().map(|id| id.to_string()).collect();
        write!(f, "{}", items.join(", "))
    }
}

/// What recording one acceptance changed, as seen by [`Tally::record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded<V> {
    /// Nothing new is chosen.
    Nothing,
    /// The slot's first value just became chosen, in this ballot.
    Chosen(Ballot, V),
    /// A second, different value reached a majority in some ballot: two values are chosen.
    Conflict {
        /// The value chosen first, and its ballot.
        first: (Ballot, V),
        /// The other value, and the ballot in which a majority accepted it.
        second: (Ballot, V),
    },
}

/// The acceptances seen in one slot: the first (ballot, value) inline, since almost every
/// slot only ever sees one, and what is chosen.
#[derive(Clone, Debug)]
struct SlotVotes<V> {
    first: Option<(Ballot, V, NodeSet)>,
    chosen: Option<(Ballot, V)>,
}

/// Every acceptance ever made, per slot and ballot: the checkers' ground truth of what is
/// chosen. A value is chosen in a slot once a majority of acceptors accepted it in one ballot
/// (Lamport's definition), whatever they accept later, so the tally only ever grows.
///
/// Once a slot's value is chosen, further votes for that same value cannot create a conflict
/// and are not stored, which keeps the tally small and its clone (a checkpoint) cheap.
#[derive(Clone, Debug)]
pub struct Tally<V> {
    quorum: usize,
    /// `slots[s - 1]` for slot `s` (single-decree Paxos uses slot 1 only).
    slots: ChunkedVec<SlotVotes<V>>,
    /// Further (slot, ballot, value) votes, sorted: rare, from contested slots.
    more: Vec<(u64, Ballot, V, NodeSet)>,
}

impl<V: Copy + Ord> Tally<V> {
    /// An empty tally for acceptors whose majority is `quorum`.
    pub fn new(quorum: usize) -> Self {
        Tally {
            quorum,
            slots: ChunkedVec::default(),
            more: Vec::new(),
        }
    }

    /// Records that `acceptor` accepted `value` in `ballot` for `slot` (from 1).
    pub fn record(&mut self, slot: u64, acceptor: NodeId, ballot: Ballot, value: V) -> Recorded<V> {
        let i = slot.max(1) as usize - 1;
        let empty = SlotVotes {
            first: None,
            chosen: None,
        };
        self.slots.grow(i + 1, empty);
        if self
            .slots
            .get(i)
            .and_then(|s| s.chosen)
            .is_some_and(|(_, v)| v == value)
        {
            return Recorded::Nothing;
        }
        let s = self.slots.get_mut(i);
        let count = match &mut s.first {
            None => {
                s.first = Some((ballot, value, NodeSet::EMPTY));
                let set = &mut s.first.as_mut().expect("just set").2;
                set.insert(acceptor);
                set.len()
            }
            Some((b, v, set)) if (*b, *v) == (ballot, value) => {
                set.insert(acceptor);
                set.len()
            }
            Some(_) => {
                let key = (slot, ballot, value);
                let k = match self.more.binary_search_by(|e| (e.0, e.1, e.2).cmp(&key)) {
                    Ok(k) => k,
                    Err(k) => {
                        self.more.insert(k, (slot, ballot, value, NodeSet::EMPTY));
                        k
                    }
                };
                self.more[k].3.insert(acceptor);
                self.more[k].3.len()
            }
        };
        if count < self.quorum {
            return Recorded::Nothing;
        }
        match s.chosen {
            None => {
                s.chosen = Some((ballot, value));
                Recorded::Chosen(ballot, value)
            }
            Some(first) => Recorded::Conflict {
                first,
                second: (ballot, value),
            },
        }
    }

    /// The value chosen in `slot`, with the first ballot in which a majority accepted it.
    pub fn chosen(&self, slot: u64) -> Option<(Ballot, V)> {
        let i = (slot as usize).checked_sub(1)?;
        self.slots.get(i).and_then(|s| s.chosen)
    }
}
