//! The checker every component runs: one heartbeat history per component it depends on, asked
//! at a steady interval whether the silence has become suspicious.

use crate::sim::{Ctx, Micros, NodeId};

use super::msg::FailoverNote;
use super::node::FailoverNode;
use crate::protocols::detector::{Detector, History};

/// One watched component.
#[derive(Clone, Debug, PartialEq)]
struct Watched {
    node: NodeId,
    history: History,
    /// The suspicion level at the last check.
    level: f64,
    suspected: bool,
}

/// The components a node watches, with what it heard from each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Watch {
    watched: Vec<Watched>,
}

impl Watch {
    /// Watch exactly `nodes` from `now` on: components watched already keep their history; new
    /// ones start as if heard at `now`, expecting a heartbeat every `interval`.
    pub fn set(&mut self, nodes: &[NodeId], now: Micros, interval: Micros) {
        let mut k = 0;
        while k < self.watched.len() {
            if nodes.contains(&self.watched[k].node) {
                k += 1;
            } else {
                self.watched.remove(k);
            }
        }
        for &node in nodes {
            if !self.watched.iter().any(|w| w.node == node) {
                let mut history = History::expecting(interval);
                history.heartbeat(now);
                self.watched.push(Watched {
                    node,
                    history,
                    level: 0.0,
                    suspected: false,
                });
            }
        }
    }

    /// Forget everything (a crash).
    pub fn clear(&mut self) {
        self.watched.clear();
    }

    /// A heartbeat (any message) from `node` arrived at `now`.
    pub fn heard(&mut self, node: NodeId, now: Micros) {
        if let Some(w) = self.watched.iter_mut().find(|w| w.node == node) {
            w.history.heartbeat(now);
        }
    }

    /// Asks the detector about every watched component now, notes each whose status changed
    /// (suspected, or trusted again), and returns whether any did.
    pub fn check(&mut self, detector: &Detector, ctx: &mut Ctx<'_, FailoverNode>) -> bool {
        let mut changed = false;
        for w in &mut self.watched {
            w.level = w.history.suspicion(detector, ctx.now());
            let suspected = w.level >= detector.threshold();
            if suspected != w.suspected {
                w.suspected = suspected;
                changed = true;
                ctx.note(FailoverNote::Suspect {
                    about: w.node,
                    suspected,
                });
            }
        }
        changed
    }

    /// The components suspected at the last check.
    pub fn suspects(&self) -> Vec<NodeId> {
        let mut suspects = Vec::new();
        for w in &self.watched {
            if w.suspected {
                suspects.push(w.node);
            }
        }
        suspects
    }

    /// Whether `node` was suspected at the last check.
    pub fn suspected(&self, node: NodeId) -> bool {
        self.watched.iter().any(|w| w.node == node && w.suspected)
    }

    /// How suspicious `node`'s silence was at the last check (φ, or 0/1 for a timeout), if
    /// watched.
    pub fn level(&self, node: NodeId) -> Option<f64> {
        (self.watched.iter())
            .find(|w| w.node == node)
            .map(|w| w.level)
    }
}
