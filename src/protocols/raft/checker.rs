//! The five safety properties of Figure 3 of the Raft paper, checked after every event.
//!
//! The checker is incremental: after an event it looks only at the node the event touched,
//! and mostly only at what changed there since it last looked. What it remembers:
//!
//! * the leader of every term (Election Safety);
//! * per node, the log length and truncation count it last saw, the term it last saw the node
//!   lead, and how many applied entries it has compared (everything else);
//! * every `(index, term)` ever seen in any log with its command and the term of the entry
//!   before it (Log Matching: if every `(index, term)` determines its command and its
//!   predecessor's term, two logs sharing an entry are equal up to it, by induction);
//! * the entry applied first at every index and the term in which that happened (State
//!   Machine Safety, Leader Completeness).
//!
//! Each invariant is reported once, at its first violation: after that the run is broken.

use crate::sim::chunked::ChunkedVec;
use crate::sim::{Checker, Finding, Micros, NodeId};

use super::node::{RaftNode, Role};

/// Invariant names, as listed in the protocol's info.
pub const ELECTION_SAFETY: &str = "Election Safety";
/// See [`ELECTION_SAFETY`].
pub const LEADER_APPEND_ONLY: &str = "Leader Append-Only";
/// See [`ELECTION_SAFETY`].
pub const LOG_MATCHING: &str = "Log Matching";
/// See [`ELECTION_SAFETY`].
pub const LEADER_COMPLETENESS: &str = "Leader Completeness";
/// See [`ELECTION_SAFETY`].
pub const STATE_MACHINE_SAFETY: &str = "State Machine Safety";

const ALL: [&str; 5] = [
    ELECTION_SAFETY,
    LEADER_APPEND_ONLY,
    LOG_MATCHING,
    LEADER_COMPLETENESS,
    STATE_MACHINE_SAFETY,
];

/// What the checker remembers about one node since it last looked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mark {
    /// Log length.
    len: u64,
    /// The log's truncation count.
    truncations: u64,
    /// The term in which the node was seen leading (0: not leading).
    lead_term: u64,
    /// Applied entries already compared with the committed ones.
    applied: u64,
}

/// An `(index, term)` seen in some log: what it carries and what precedes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    term: u64,
    command: u64,
    prev_term: u64,
    node: NodeId,
}

/// The entry first applied at some index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Applied {
    term: u64,
    command: u64,
    /// The applying node's term at that moment: the term in which the entry was committed.
    in_term: u64,
    node: NodeId,
}

/// Raft's safety checker; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    marks: Vec<Mark>,
    /// `leaders[t]`: the leader of term `t`, 0 if none seen.
    leaders: Vec<NodeId>,
    /// `seen[i - 1]`: the first `(index i, term)` seen (term 0: none yet).
    seen: ChunkedVec<Seen>,
    /// Further terms seen at an index, sorted by (index, term): rare, from failed leaders.
    seen_more: Vec<(u64, Seen)>,
    /// `applied[i - 1]`: the entry first applied at index `i`.
    applied: ChunkedVec<Applied>,
    /// Bit `k` set once invariant `ALL[k]` has been reported.
    reported: u8,
}

impl RaftChecker {
    /// A checker for a cluster of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        RaftChecker {
            marks: vec![Mark::default(); nodes],
            leaders: vec![0],
            ..Default::default()
        }
    }

    fn report(
        &mut self,
        found: &mut Vec<Finding>,
        invariant: &'static str,
        detail: impl FnOnce() -> String,
    ) {
        let bit = 1 << ALL.iter().position(|&n| n == invariant).unwrap_or(0);
        if self.reported & bit == 0 {
            self.reported |= bit;
            found.push(Finding {
                invariant,
                detail: detail(),
            });
        }
    }

    fn election_safety(&mut self, node: &RaftNode, found: &mut Vec<Finding>) {
        let t = node.term as usize;
        if self.leaders.len() <= t {
            self.leaders.resize(t + 1, 0);
        }
        match self.leaders[t] {
            0 => self.leaders[t] = node.id,
            other if other != node.id => self.report(found, ELECTION_SAFETY, || {
                format!(
                    "Node {other} and Node {} were both leader for term {t}",
                    node.id
                )
            }),
            _ => {}
        }
    }

    /// Registers entry `index` of `node`'s log, comparing it with what other logs held there.
    fn log_matching(&mut self, node: &RaftNode, index: u64, found: &mut Vec<Finding>) {
        let Some(e) = node.log.get(index) else { return };
        let mine = Seen {
            term: e.term,
            command: e.command,
            prev_term: node.log.term_at(index - 1).unwrap_or(0),
            node: node.id,
        };
        let i = index as usize - 1;
        if self.seen.len() <= i {
            self.seen.grow(
                i + 1,
                Seen {
                    term: 0,
                    command: 0,
                    prev_term: 0,
                    node: 0,
                },
            );
        }
        let first = *self.seen.get(i).expect("grown above");
        let other = if first.term == 0 {
            *self.seen.get_mut(i) = mine;
            return;
        } else if first.term == e.term {
            first
        } else {
            match self
                .seen_more
                .binary_search_by_key(&(index, e.term), |(i, s)| (*i, s.term))
            {
                Ok(k) => self.seen_more[k].1,
                Err(k) => {
                    self.seen_more.insert(k, (index, mine));
                    return;
                }
            }
        };
        if other.command != mine.command {
            self.report(found, LOG_MATCHING, || {
                format!(
                    "Node {} has command {} at index {index} in term {}, but Node {} had command {} there in the same term",
                    node.id, mine.command, mine.term, other.node, other.command
                )
            });
        } else if other.prev_term != mine.prev_term {
            self.report(found, LOG_MATCHING, || {
                format!(
                    "Node {} and Node {} share index {index} of term {} but differ before it: term {} vs {} at index {}",
                    node.id,
                    other.node,
                    mine.term,
                    mine.prev_term,
                    other.prev_term,
                    index - 1
                )
            });
        }
    }

    /// `leader` (leading term `leader.term`) must hold every entry committed in an earlier term.
    fn completeness(&mut self, leader: &RaftNode, found: &mut Vec<Finding>) {
        let missing = self.applied.iter().enumerate().find(|(i, a)| {
            a.in_term < leader.term
                && leader
                    .log
                    .get(*i as u64 + 1)
                    .is_none_or(|e| (e.term, e.command) != (a.term, a.command))
        });
        if let Some((i, a)) = missing {
            let a = *a;
            self.report(found, LEADER_COMPLETENESS, || {
                format!(
                    "Node {} leads term {} without the entry at index {} (term {}, command {}) committed in term {}",
                    leader.id,
                    leader.term,
                    i + 1,
                    a.term,
                    a.command,
                    a.in_term
                )
            });
        }
    }

    /// Compares the entries `node` applied since last time with those applied first anywhere.
    fn state_machine(
        &mut self,
        nodes: &[RaftNode],
        node: &RaftNode,
        mark: &mut Mark,
        found: &mut Vec<Finding>,
    ) {
        if node.applied < mark.applied {
            mark.applied = node.applied; // a restart: the node re-applies from scratch
        }
        while mark.applied < node.applied {
            mark.applied += 1;
            let index = mark.applied;
            let Some(e) = node.log.get(index) else {
                self.report(found, STATE_MACHINE_SAFETY, || {
                    format!(
                        "Node {} applied index {index} but its log has no such entry",
                        node.id
                    )
                });
                return;
            };
            let i = index as usize - 1;
            if i < self.applied.len() {
                let a = *self.applied.get(i).expect("i < len");
                if (a.term, a.command) != (e.term, e.command) {
                    self.report(found, STATE_MACHINE_SAFETY, || {
                        format!(
                            "Node {} applied command {} (term {}) at index {index}, but Node {} applied command {} (term {}) there",
                            node.id, e.command, e.term, a.node, a.command, a.term
                        )
                    });
                }
                continue;
            }
            // First application of this index anywhere (indexes are applied in order).
            self.applied.push(Applied {
                term: e.term,
                command: e.command,
                in_term: node.term,
                node: node.id,
            });
            // Leaders of later terms elected already must hold it too.
            for other in nodes
                .iter()
                .filter(|o| o.role == Role::Leader && o.term > node.term)
            {
                if other
                    .log
                    .get(index)
                    .is_none_or(|o| (o.term, o.command) != (e.term, e.command))
                {
                    self.report(found, LEADER_COMPLETENESS, || {
                        format!(
                            "Node {} leads term {} without the entry at index {index} (term {}, command {}) committed in term {}",
                            other.id, other.term, e.term, e.command, node.term
                        )
                    });
                }
            }
        }
    }
}

impl Checker<RaftNode> for RaftChecker {
    fn check(
        &mut self,
        _now: Micros,
        nodes: &[RaftNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let Some(node) = nodes.get((touched as usize).wrapping_sub(1)) else {
            return;
        };
        let Some(&old) = self.marks.get(touched as usize - 1) else {
            return;
        };
        let mut mark = old;
        let log = &node.log;

        // Which part of the log may have changed since last time.
        let truncated = log.truncations() != old.truncations;
        let changed_from = match log.truncations() - old.truncations {
            0 => old.len + 1,
            1 => log.last_truncated_at().min(old.len + 1),
            _ => 1,
        };
        for index in changed_from..=log.last_index() {
            self.log_matching(node, index, found);
        }
        mark.len = log.last_index();
        mark.truncations = log.truncations();

        if node.role == Role::Leader {
            if old.lead_term == node.term && truncated {
                self.report(found, LEADER_APPEND_ONLY, || {
                    format!(
                        "Node {}, leader for term {}, removed entries from index {} of its own log",
                        node.id,
                        node.term,
                        log.last_truncated_at()
                    )
                });
            }
            if old.lead_term != node.term {
                self.election_safety(node, found);
                self.completeness(node, found);
            }
            mark.lead_term = node.term;
        } else {
            mark.lead_term = 0;
        }

        self.state_machine(nodes, node, &mut mark, found);
        self.marks[touched as usize - 1] = mark;
    }
}
