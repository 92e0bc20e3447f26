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

/// An entry some node held at some index, with one more term that places it. One type for
/// both tables (entries seen, entries applied): each table type costs the page its own code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sighting {
    term: u64,
    command: u64,
    /// Entries seen: the term of the entry before it in that log (`prev_term`). Entries
    /// applied: the applying node's term at that moment, the term in which the entry was
    /// committed (`in_term`).
    context_term: u64,
    node: NodeId,
}

/// Raft's safety checker; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    marks: Vec<Mark>,
    /// `leaders[t]`: the leader of term `t`, 0 if none seen.
    leaders: Vec<NodeId>,
    /// `seen[i - 1]`: the first `(index i, term)` seen (term 0: none yet).
    seen: ChunkedVec<Sighting>,
    /// Further terms seen at an index, sorted by (index, term): rare, from failed leaders.
    seen_more: Vec<(u64, Sighting)>,
    /// `applied[i - 1]`: the entry first applied at index `i`.
    applied: ChunkedVec<Sighting>,
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

    /// Reports `invariant` broken, unless it was already: the detail is only written the
    /// first time (one non-generic function for every report, so no copy per call site).
    fn report(
        &mut self,
        found: &mut Vec<Finding>,
        invariant: &'static str,
        detail: std::fmt::Arguments<'_>,
    ) {
        let mut bit = 1;
        for name in ALL {
            if name == invariant {
                break;
            }
            bit <<= 1;
        }
        if bit > 1 << (ALL.len() - 1) {
            bit = 1;
        }
        if self.reported & bit == 0 {
            self.reported |= bit;
            found.push(Finding {
                invariant,
                detail: detail.to_string(),
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
            other if other != node.id => self.report(
                found,
                ELECTION_SAFETY,
                format_args!(
                    "Node {other} and Node {} were both leader for term {t}",
                    node.id
                ),
            ),
            _ => {}
        }
    }

    /// Registers entry `index` of `node`'s log, comparing it with what other logs held there.
    fn log_matching(&mut self, node: &RaftNode, index: u64, found: &mut Vec<Finding>) {
        let Some(e) = node.log.get(index) else { return };
        let mine = Sighting {
            term: e.term,
            command: e.command,
            context_term: node.log.term_at(index - 1).unwrap_or(0),
            node: node.id,
        };
        let i = index as usize - 1;
        if self.seen.len() <= i {
            self.seen.grow(
                i + 1,
                Sighting {
                    term: 0,
                    command: 0,
                    context_term: 0,
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
            self.report(found, LOG_MATCHING, format_args!(
                "Node {} has command {} at index {index} in term {}, but Node {} had command {} there in the same term",
                node.id, mine.command, mine.term, other.node, other.command
            ));
        } else if other.context_term != mine.context_term {
            self.report(found, LOG_MATCHING, format_args!(
                "Node {} and Node {} share index {index} of term {} but differ before it: term {} vs {} at index {}",
                node.id,
                other.node,
                mine.term,
                mine.context_term,
                other.context_term,
                index - 1
            ));
        }
    }

    /// `leader` (leading term `leader.term`) must hold every entry committed in an earlier term.
    fn completeness(&mut self, leader: &RaftNode, found: &mut Vec<Finding>) {
        for i in 0..self.applied.len() {
            let Some(&a) = self.applied.get(i) else { break };
            let index = i as u64 + 1;
            let held = leader.log.get(index);
            if a.context_term < leader.term
                && held.is_none_or(|e| (e.term, e.command) != (a.term, a.command))
            {
                self.report(found, LEADER_COMPLETENESS, format_args!(
                    "Node {} leads term {} without the entry at index {index} (term {}, command {}) committed in term {}",
                    leader.id, leader.term, a.term, a.command, a.context_term
                ));
                return;
            }
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
                self.report(
                    found,
                    STATE_MACHINE_SAFETY,
                    format_args!(
                        "Node {} applied index {index} but its log has no such entry",
                        node.id
                    ),
                );
                return;
            };
            let i = index as usize - 1;
            if i < self.applied.len() {
                let a = *self.applied.get(i).expect("i < len");
                if (a.term, a.command) != (e.term, e.command) {
                    self.report(found, STATE_MACHINE_SAFETY, format_args!(
                        "Node {} applied command {} (term {}) at index {index}, but Node {} applied command {} (term {}) there",
                        node.id, e.command, e.term, a.node, a.command, a.term
                    ));
                }
                continue;
            }
            // First application of this index anywhere (indexes are applied in order).
            self.applied.push(Sighting {
                term: e.term,
                command: e.command,
                context_term: node.term,
                node: node.id,
            });
            // Leaders of later terms elected already must hold it too.
            for other in nodes {
                if other.role == Role::Leader
                    && other.term > node.term
                    && (other.log.get(index))
                        .is_none_or(|o| (o.term, o.command) != (e.term, e.command))
                {
                    self.report(found, LEADER_COMPLETENESS, format_args!(
                        "Node {} leads term {} without the entry at index {index} (term {}, command {}) committed in term {}",
                        other.id, other.term, e.term, e.command, node.term
                    ));
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
                self.report(
                    found,
                    LEADER_APPEND_ONLY,
                    format_args!(
                        "Node {}, leader for term {}, removed entries from index {} of its own log",
                        node.id,
                        node.term,
                        log.last_truncated_at()
                    ),
                );
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
