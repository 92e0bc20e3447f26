//! The safety checker, and the ground truth the page compares the detectors with.
//!
//! Two invariants, checked after every event:
//! * [`DURABILITY`] — a write once acknowledged stays: every later primary holds it at its
//!   position, and no other write is ever acknowledged there;
//! * [`SINGLE_PRIMARY`] — at most one replica acknowledges writes as primary of an epoch at a
//!   time.
//!
//! The checker also knows what no node can: whether a node the manager declares failed is really
//! down. It counts true and false suspicions and the time from each crash to its detection.

use crate::sim::{Checker, Figure, Finding, Measure, Micros, NodeId, workload::describe_command};

use super::fact;
use super::manager::Manager;
use super::msg::Entry;
use super::node::FailoverNode;
use super::replica::Role;
use crate::sim::chunked::ChunkedVec;

/// Invariant: acknowledged writes are never lost.
pub const DURABILITY: &str = "Durability";
/// Invariant: one acting primary per epoch.
pub const SINGLE_PRIMARY: &str = "Single Primary";

/// Figure: the time from each detected crash to its declaration.
pub const CRASH_DETECTION: &str = "crash detection";
/// Figure: declarations of a node that was down.
pub const TRUE_SUSPICIONS: &str = "true suspicions";
/// Figure: declarations of a node that was running.
pub const FALSE_SUSPICIONS: &str = "false suspicions";

/// What the checker last saw of one replica acting as primary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stint {
    /// Whether the replica is primary.
    primary: bool,
    epoch: u64,
    /// How far its acknowledgements went.
    durable: u64,
    /// Whether it has acknowledged a write in this stint.
    acted: bool,
}

/// What the checker follows of one replica (one vector of these rather than one per field: each
/// vector type costs the page its own code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Followed {
    /// Its latest stint as primary.
    stint: Stint,
    /// Since when the checker has seen it down.
    down_since: Option<Micros>,
    /// Whether the manager held it failed at the last look.
    declared: bool,
    /// The crash (by its time) whose detection was counted last.
    detected: Option<Micros>,
    /// The reads counted so far.
    reads_seen: u64,
}

/// How well the manager's declarations matched the truth.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suspicions {
    /// Declarations of a node that was down.
    pub true_ones: u64,
    /// Declarations of a node that was running (slow, paused or cut off).
    pub false_ones: u64,
    /// For each true one, the time from the crash to the declaration.
    pub detection: Vec<Micros>,
}

impl Suspicions {
    /// Mean detection time of crashes, if any was detected.
    pub fn mean_detection(&self) -> Option<Micros> {
        let n = self.detection.len() as u64;
        (n > 0).then(|| self.detection.iter().sum::<Micros>() / n)
    }
}

/// The failover checker.
#[derive(Clone, Debug)]
pub struct FailoverChecker {
    manager: NodeId,
    /// Acknowledged writes by position (from 1), as first acknowledged, with the epoch of the
    /// primary that acknowledged them.
    acked: ChunkedVec<(Entry, u64)>,
    /// Per replica (id − 1).
    replicas: Vec<Followed>,
    /// The tally so far.
    pub suspicions: Suspicions,
    /// Reads answered, and those among them that missed a write acknowledged before.
    pub reads: (u64, u64),
}

impl FailoverChecker {
    /// A checker for `replicas` replicas and the manager after them.
    pub fn new(replicas: usize) -> Self {
        FailoverChecker {
            manager: replicas as NodeId + 1,
            acked: ChunkedVec::default(),
            replicas: vec![Followed::default(); replicas],
            suspicions: Suspicions::default(),
            reads: (0, 0),
        }
    }

    /// How many writes have been acknowledged (positions).
    pub fn acknowledged(&self) -> usize {
        self.acked.len()
    }

    fn tally(&mut self, now: Micros, manager: &Manager) {
        for (k, r) in self.replicas.iter_mut().enumerate() {
            let f = manager.holds_failed(k as NodeId + 1);
            if f && !r.declared {
                match r.down_since {
                    // One detection per crash: the manager may let go of a down node (a report
                    // about it ends) and declare it again.
                    Some(since) if r.detected == Some(since) => {}
                    Some(since) => {
                        self.suspicions.true_ones += 1;
                        self.suspicions.detection.push(now - since);
                        r.detected = Some(since);
                    }
                    None => self.suspicions.false_ones += 1,
                }
            }
            r.declared = f;
        }
    }
}

impl Checker<FailoverNode> for FailoverChecker {
    fn check(
        &mut self,
        now: Micros,
        nodes: &[FailoverNode],
        up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        for (r, &up) in self.replicas.iter_mut().zip(up) {
            match (up, r.down_since) {
                (false, None) => r.down_since = Some(now),
                (true, Some(_)) => r.down_since = None,
                _ => {}
            }
        }
        if touched == self.manager {
            if let Some(m) = nodes[touched as usize - 1].manager() {
                self.tally(now, m);
            }
            return;
        }
        let i = touched as usize - 1;
        let Some(r) = nodes.get(i).and_then(FailoverNode::replica) else {
            return;
        };
        let (answered, position) = r.reads;
        let seen = &mut self.replicas[i].reads_seen;
        if answered > *seen {
            // One read per event: it returned the write at `position`.
            self.reads.0 += answered - *seen;
            self.reads.1 += u64::from(position < self.acked.len() as u64);
            *seen = answered;
        }
        let primary = r.role == Role::Primary;
        let stint = self.replicas[i].stint;
        if !primary {
            self.replicas[i].stint.primary = false;
            return;
        }
        if !stint.primary || stint.epoch != r.epoch {
            self.replicas[i].stint = Stint {
                primary: true,
                epoch: r.epoch,
                // What it acknowledged in the event that made it primary is new.
                durable: r.durable.min(self.acked.len() as u64),
                acted: false,
            };
            // A primary of a new epoch must hold every write acknowledged in earlier epochs (a
            // stale primary that wakes up is not a new one: fencing stops it).
            for k in 0..self.acked.len() {
                let Some(&(lost, epoch)) = self.acked.get(k) else {
                    break;
                };
                if epoch < r.epoch && r.log.get(k) != Some(&lost) {
                    found.push(Finding {
                        invariant: DURABILITY,
                        detail: format!(
                            "Node {touched} became primary of epoch {} without the acknowledged write {} at position {}",
                            r.epoch,
                            describe_command(lost.value),
                            k + 1
                        ),
                    });
                    break;
                }
            }
        }
        let from = self.replicas[i].stint.durable;
        // Without fencing another primary's writes may have cut this one's history short.
        let durable = r.durable.min(r.log.len() as u64);
        if durable <= from {
            return;
        }
        for k in from as usize..durable as usize {
            let Some(&e) = r.log.get(k) else { break };
            match self.acked.get(k) {
                Some(&(old, _)) if old != e => found.push(Finding {
                    invariant: DURABILITY,
                    detail: format!(
                        "Node {touched} acknowledged {} at position {}, where {} had been acknowledged",
                        describe_command(e.value),
                        k + 1,
                        describe_command(old.value)
                    ),
                }),
                Some(_) => {}
                None => self.acked.push((e, r.epoch)),
            }
        }
        self.replicas[i].stint.durable = durable;
        self.replicas[i].stint.acted = true;
        for (q, f) in self.replicas.iter().enumerate() {
            let s = f.stint;
            if q == i || !up[q] || !s.primary || !s.acted || s.epoch != r.epoch {
                continue;
            }
            found.push(Finding {
                invariant: SINGLE_PRIMARY,
                detail: format!(
                    "Node {touched} and Node {} both acknowledged writes as primary of epoch {} (Node {} still holds the role)",
                    q + 1,
                    r.epoch,
                    q + 1
                ),
            });
            break;
        }
    }

    fn summary(&self) -> Vec<(String, String)> {
        let s = &self.suspicions;
        let mut lines = vec![fact(
            "Suspicions",
            format!("{} true, {} false", s.true_ones, s.false_ones),
        )];
        if let Some(mean) = s.mean_detection() {
            lines.push(fact(
                "Crash detection",
                format!(
                    "{} ms on average ({} {})",
                    crate::sim::param::millis(mean),
                    s.detection.len(),
                    if s.detection.len() == 1 {
                        "crash"
                    } else {
                        "crashes"
                    }
                ),
            ));
        }
        if self.reads.0 > 0 {
            lines.push(fact(
                "Reads",
                format!(
                    "{} answered, {} stale (missing an acknowledged write)",
                    self.reads.0, self.reads.1
                ),
            ));
        }
        lines
    }

    fn figures(&self) -> Vec<Figure> {
        let s = &self.suspicions;
        vec![
            Figure {
                name: CRASH_DETECTION,
                measure: Measure::durations(&s.detection),
            },
            Figure {
                name: TRUE_SUSPICIONS,
                measure: Measure::Count(s.true_ones),
            },
            Figure {
                name: FALSE_SUSPICIONS,
                measure: Measure::Count(s.false_ones),
            },
        ]
    }
}
