//! The safety properties of Multi-Paxos, checked after every event.
//!
//! The checker is incremental: after an event it looks only at the node the event touched, and
//! there only at the slots that node's journal says changed during the event. It remembers:
//!
//! * every acceptance ever made, per slot, in a [`Tally`] (what is chosen in each slot);
//! * per node, the highest ballot it ever promised (kept even when a buggy acceptor forgets
//!   it) and how many applied slots it has compared;
//! * the value first applied at every slot.
//!
//! Each invariant is reported once, at its first violation: after that the run is broken.

use crate::protocols::paxos::common::{Ballot, Recorded, Tally, majority};
use crate::sim::chunked::ChunkedVec;
use crate::sim::{Checker, Finding, Micros, NodeId};

use super::msg::Value;
use super::node::MultiNode;

/// Invariant names, as listed in the protocol's info.
pub const SINGLE_CHOICE: &str = "Single Choice";
/// See [`SINGLE_CHOICE`].
pub const LEARNED_IS_CHOSEN: &str = "Learned Is Chosen";
/// See [`SINGLE_CHOICE`].
pub const PROMISE_RESPECTED: &str = "Promise Respected";
/// See [`SINGLE_CHOICE`].
pub const APPLIED_LOGS_AGREE: &str = "Applied Logs Agree";

const ALL: [&str; 4] = [
    SINGLE_CHOICE,
    LEARNED_IS_CHOSEN,
    PROMISE_RESPECTED,
    APPLIED_LOGS_AGREE,
];

/// What the checker remembers about one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mark {
    /// The highest ballot the node ever promised.
    promised: Ballot,
    /// Applied slots already compared.
    applied: u64,
}

/// Multi-Paxos's safety checker; see the module documentation.
#[derive(Clone, Debug)]
pub struct MultiChecker {
    tally: Tally<Value>,
    marks: Vec<Mark>,
    /// `applied[s - 1]`: the value first applied at slot `s`, and by whom.
    applied: ChunkedVec<(Value, NodeId)>,
    reported: u8,
}

impl MultiChecker {
    /// A checker for a cluster of `nodes` replicas.
    pub fn new(nodes: usize) -> Self {
        MultiChecker {
            tally: Tally::new(majority(nodes)),
            marks: vec![Mark::default(); nodes],
            applied: ChunkedVec::default(),
            reported: 0,
        }
    }

    /// The value chosen in `slot` and the first ballot in which a majority accepted it.
    pub fn chosen(&self, slot: u64) -> Option<(Ballot, Value)> {
        self.tally.chosen(slot)
    }

    fn report(&mut self, found: &mut Vec<Finding>, invariant: &'static str, detail: String) {
        let bit = 1 << ALL.iter().position(|&n| n == invariant).unwrap_or(0);
        if self.reported & bit == 0 {
            self.reported |= bit;
            found.push(Finding { invariant, detail });
        }
    }

    fn accepted(&mut self, node: &MultiNode, mark: &Mark, found: &mut Vec<Finding>) {
        let id = node.id();
        for &slot in &node.journal().accepted {
            let Some(v) = node.acceptor().get(slot) else {
                continue;
            };
            if v.ballot < mark.promised {
                let detail = format!(
                    "Node {id} accepted {} in slot {slot}, ballot {}, after promising ballot {}",
                    v.value, v.ballot, mark.promised
                );
                self.report(found, PROMISE_RESPECTED, detail);
            }
            if let Recorded::Conflict { first, second } =
                self.tally.record(slot, id, v.ballot, v.value)
            {
                let detail = format!(
                    "slot {slot}: {} was chosen in ballot {}, and {} in ballot {} (Node {id} completed the majority)",
                    first.1, first.0, second.1, second.0
                );
                self.report(found, SINGLE_CHOICE, detail);
            }
        }
    }

    fn learned(&mut self, node: &MultiNode, found: &mut Vec<Finding>) {
        let id = node.id();
        for &slot in &node.journal().learned {
            let Some(value) = node.chosen(slot) else {
                continue;
            };
            let detail = match self.tally.chosen(slot) {
                Some((_, v)) if v == value => continue,
                Some((b, v)) => format!(
                    "Node {id} learned {value} in slot {slot}, but {v} is chosen there (ballot {b})"
                ),
                None => {
                    format!("Node {id} learned {value} in slot {slot}, where nothing is chosen yet")
                }
            };
            self.report(found, LEARNED_IS_CHOSEN, detail);
        }
    }

    fn applied(&mut self, node: &MultiNode, mark: &mut Mark, found: &mut Vec<Finding>) {
        // A restart forgets what was applied: the node applies again from slot 1.
        mark.applied = mark.applied.min(node.learned());
        while mark.applied < node.learned() {
            mark.applied += 1;
            let slot = mark.applied;
            let Some(value) = node.chosen(slot) else {
                continue;
            };
            match self.applied.get(slot as usize - 1) {
                None => self.applied.push((value, node.id())),
                Some(&(v, other)) if v != value => {
                    let detail = format!(
                        "Node {} applied {value} at slot {slot}, but Node {other} applied {v} there",
                        node.id()
                    );
                    self.report(found, APPLIED_LOGS_AGREE, detail);
                }
                Some(_) => {}
            }
        }
    }
}

impl Checker<MultiNode> for MultiChecker {
    fn check(
        &mut self,
        _now: Micros,
        nodes: &[MultiNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let i = (touched as usize).wrapping_sub(1);
        let (Some(node), Some(&old)) = (nodes.get(i), self.marks.get(i)) else {
            return;
        };
        let mut mark = old;
        self.accepted(node, &mark, found);
        mark.promised = mark.promised.max(node.acceptor().promised);
        self.learned(node, found);
        self.applied(node, &mut mark, found);
        self.marks[i] = mark;
    }
}
