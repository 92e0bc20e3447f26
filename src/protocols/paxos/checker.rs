//! The safety properties of single-decree Paxos, checked after every event.
//!
//! The checker is incremental: after an event it looks only at the node the event touched and
//! compares it with what it saw there last time. It remembers:
//!
//! * every acceptance ever made, in a [`Tally`]: a value is *chosen* once a majority of
//!   acceptors accepted it in one ballot, whatever happens to them afterwards;
//! * per node, the accepted proposal and learned value it saw last, and the highest ballot the
//!   node ever promised — kept even when a (buggy) acceptor forgets its own promise, since the
//!   promise was made to someone.
//!
//! Each invariant is reported once, at its first violation: after that the run is broken.

use crate::sim::{Checker, Finding, Micros, NodeId};

use super::common::{Ballot, Recorded, Tally, majority};
use super::msg::Vote;
use super::node::{PaxosNode, resolve};

/// Invariant names, as listed in the protocol's info.
pub const SINGLE_CHOICE: &str = "Single Choice";
/// See [`SINGLE_CHOICE`].
pub const LEARNED_IS_CHOSEN: &str = "Learned Is Chosen";
/// See [`SINGLE_CHOICE`].
pub const PROMISE_RESPECTED: &str = "Promise Respected";

const ALL: [&str; 3] = [SINGLE_CHOICE, LEARNED_IS_CHOSEN, PROMISE_RESPECTED];

/// What the checker saw of one node last time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mark {
    accepted: Option<Vote>,
    /// The highest ballot the node ever promised.
    promised: Ballot,
    learned: Option<Vote>,
}

/// Single-decree Paxos's safety checker; see the module documentation.
#[derive(Clone, Debug)]
pub struct PaxosChecker {
    tally: Tally<u64>,
    marks: Vec<Mark>,
    reported: u8,
}

impl PaxosChecker {
    /// A checker for `nodes` nodes of which the last `acceptors` (0: all) are acceptors.
    pub fn new(nodes: usize, acceptors: usize) -> Self {
        PaxosChecker {
            tally: Tally::new(majority(resolve(acceptors, nodes))),
            marks: vec![Mark::default(); nodes],
            reported: 0,
        }
    }

    /// The value chosen so far and the ballot in which a majority first accepted it.
    pub fn chosen(&self) -> Option<(Ballot, u64)> {
        self.tally.chosen(1)
    }

    fn report(&mut self, found: &mut Vec<Finding>, invariant: &'static str, detail: String) {
        let bit = 1 << ALL.iter().position(|&n| n == invariant).unwrap_or(0);
        if self.reported & bit == 0 {
            self.reported |= bit;
            found.push(Finding { invariant, detail });
        }
    }

    fn acceptor(&mut self, node: &PaxosNode, mark: &mut Mark, found: &mut Vec<Finding>) {
        let id = node.id();
        let accepted = node.acceptor().accepted();
        if let Some(v) = accepted.filter(|&v| Some(v) != mark.accepted) {
            if v.ballot < mark.promised {
                let detail = format!(
                    "Node {id} accepted value {} in ballot {} after promising ballot {}",
                    v.value, v.ballot, mark.promised
                );
                self.report(found, PROMISE_RESPECTED, detail);
            }
            if let Recorded::Conflict { first, second } =
                self.tally.record(1, id, v.ballot, v.value)
            {
                let detail = format!(
                    "value {} was chosen in ballot {}, and value {} in ballot {} (Node {id} completed the majority)",
                    first.1, first.0, second.1, second.0
                );
                self.report(found, SINGLE_CHOICE, detail);
            }
        }
        mark.accepted = accepted;
        mark.promised = mark.promised.max(node.acceptor().promised);
    }

    fn learner(&mut self, node: &PaxosNode, mark: &mut Mark, found: &mut Vec<Finding>) {
        let learned = node.learned();
        if let Some(l) = learned.filter(|&l| Some(l) != mark.learned) {
            let id = node.id();
            match self.chosen() {
                Some((_, v)) if v == l.value => {}
                Some((b, v)) => self.report(
                    found,
                    LEARNED_IS_CHOSEN,
                    format!(
                        "Node {id} learned value {}, but value {v} is chosen (ballot {b})",
                        l.value
                    ),
                ),
                None => self.report(
                    found,
                    LEARNED_IS_CHOSEN,
                    format!(
                        "Node {id} learned value {} (ballot {}), but no value is chosen yet",
                        l.value, l.ballot
                    ),
                ),
            }
        }
        mark.learned = learned;
    }
}

impl Checker<PaxosNode> for PaxosChecker {
    fn check(
        &mut self,
        _now: Micros,
        nodes: &[PaxosNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let i = (touched as usize).wrapping_sub(1);
        let (Some(node), Some(&old)) = (nodes.get(i), self.marks.get(i)) else {
            return;
        };
        let mut mark = old;
        if node.roles().acceptor {
            self.acceptor(node, &mut mark, found);
        }
        self.learner(node, &mut mark, found);
        self.marks[i] = mark;
    }
}
