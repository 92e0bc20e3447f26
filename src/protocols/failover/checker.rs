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
    stints: Vec<Stint>,
    /// Per replica: since when the checker has seen it down.
    down_since: Vec<Option<Micros>>,
    /// Per replica: whether the manager held it failed at the last look.
    declared: Vec<bool>,
    /// Per replica: the crash (by its time) whose detection was counted last.
    detected: Vec<Option<Micros>>,
    /// The tally so far.
    pub suspicions: Suspicions,
    /// Reads answered, and those among them that missed a write acknowledged before.
    pub reads: (u64, u64),
    /// Per replica: the reads counted so far.
    reads_seen: Vec<u64>,
}

impl FailoverChecker {
    /// A checker for `replicas` replicas and the manager after them.
    pub fn new(replicas: usize) -> Self {
        FailoverChecker {
            manager: replicas as NodeId + 1,
            acked: ChunkedVec::default(),
            stints: vec![Stint::default(); replicas],
            down_since: vec![None; replicas],
            declared: vec![false; replicas],
            detected: vec![None; replicas],
            suspicions: Suspicions::default(),
            reads: (0, 0),
            reads_seen: vec![0; replicas],
        }
    }

    /// How many writes have been acknowledged (positions).
    pub fn acknowledged(&self) -> usize {
        self.acked.len()
    }

    fn tally(&mut self, now: Micros, failed: &[bool]) {
        for (i, &f) in failed.iter().enumerate() {
            if f && !self.declared[i] {
                match self.down_since[i] {
                    // One detection per crash: the manager may let go of a down node (a report
                    // about it ends) and declare it again.
                    Some(since) if self.detected[i] == Some(since) => {}
                    Some(since) => {
                        self.suspicions.true_ones += 1;
                        self.suspicions.detection.push(now - since);
                        self.detected[i] = Some(since);
                    }
                    None => self.suspicions.false_ones += 1,
                }
            }
        }
        self.declared = failed.to_vec();
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
        for (i, since) in self.down_since.iter_mut().enumerate() {
            match (up[i], *since) {
                (false, None) => *since = Some(now),
                (true, Some(_)) => *since = None,
                _ => {}
            }
        }
        if touched == self.manager {
            if let Some(m) = nodes[touched as usize - 1].manager()
                && m.failed != self.declared
            {
                let failed = m.failed.clone();
                self.tally(now, &failed);
            }
            return;
        }
        let i = touched as usize - 1;
        let Some(r) = nodes.get(i).and_then(FailoverNode::replica) else {
            return;
        };
        let (answered, position) = r.reads;
        if answered > self.reads_seen[i] {
            // One read per event: it returned the write at `position`.
            self.reads.0 += answered - self.reads_seen[i];
            self.reads.1 += u64::from(position < self.acked.len() as u64);
            self.reads_seen[i] = answered;
        }
        let primary = r.role == Role::Primary;
        let stint = self.stints[i];
        if !primary {
            self.stints[i].primary = false;
            return;
        }
        if !stint.primary || stint.epoch != r.epoch {
            self.stints[i] = Stint {
                primary: true,
                epoch: r.epoch,
                // What it acknowledged in the event that made it primary is new.
                durable: r.durable.min(self.acked.len() as u64),
                acted: false,
            };
            // A primary of a new epoch must hold every write acknowledged in earlier epochs (a
            // stale primary that wakes up is not a new one: fencing stops it).
            if let Some((k, (lost, _))) = (self.acked.iter().enumerate())
                .find(|&(k, (e, epoch))| *epoch < r.epoch && r.log.get(k) != Some(e))
            {
                found.push(Finding {
                    invariant: DURABILITY,
                    detail: format!(
                        "Node {touched} became primary of epoch {} without the acknowledged write {} at position {}",
                        r.epoch,
                        describe_command(lost.value),
                        k + 1
                    ),
                });
            }
        }
        let from = self.stints[i].durable;
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
        self.stints[i].durable = durable;
        self.stints[i].acted = true;
        let rival = (self.stints.iter().enumerate())
            .find(|&(q, s)| q != i && up[q] && s.primary && s.acted && s.epoch == r.epoch);
        if let Some((q, _)) = rival {
            found.push(Finding {
                invariant: SINGLE_PRIMARY,
                detail: format!(
                    "Node {touched} and Node {} both acknowledged writes as primary of epoch {} (Node {} still holds the role)",
                    q + 1,
                    r.epoch,
                    q + 1
                ),
            });
        }
    }

    fn summary(&self) -> Vec<(String, String)> {
        let s = &self.suspicions;
        let mut lines = vec![(
            "Suspicions".to_string(),
            format!("{} true, {} false", s.true_ones, s.false_ones),
        )];
        if let Some(mean) = s.mean_detection() {
            lines.push((
                "Crash detection".to_string(),
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
            lines.push((
                "Reads".to_string(),
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
