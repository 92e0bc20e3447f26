//! The invariants of a load-balancing run, checked after every event.
//!
//! * **Every request accounted for**: each ticket the balancer issued is outstanding, answered
//!   (served or dropped), failed for want of a healthy server, or forgotten with a suspected
//!   server — never lost or answered twice silently.
//! * **Bounded servers**: no server holds more requests in service than it has workers, nor more
//!   waiting than its queue has places.

use super::node::LbNode;
use crate::sim::{Checker, Finding, Micros, NodeId};

/// Name of the accounting invariant.
pub const ACCOUNTED: &str = "Every Request Accounted For";
/// Name of the bounds invariant.
pub const BOUNDED: &str = "Bounded Servers";

/// The checker of a load-balancing run.
#[derive(Clone, Debug, Default)]
pub struct LbChecker {
    workers: usize,
    queue: usize,
}

impl LbChecker {
    /// A checker for servers with `workers` workers and `queue` places each.
    pub fn new(workers: usize, queue: usize) -> Self {
        LbChecker { workers, queue }
    }
}

impl Checker<LbNode> for LbChecker {
    fn check(
        &mut self,
        _now: Micros,
        nodes: &[LbNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        match nodes.get(touched as usize - 1) {
            Some(LbNode::Balancer(b)) => {
                let t = b.tally();
                let ended = t.served + t.shed + t.no_server + t.forgotten;
                if t.issued != ended + b.outstanding() as u64 {
                    found.push(Finding {
                        invariant: ACCOUNTED,
                        detail: format!(
                            "Node {touched} issued {} tickets but {ended} ended and {} are outstanding",
                            t.issued,
                            b.outstanding()
                        ),
                    });
                }
            }
            Some(LbNode::Server(s)) => {
                let in_service = s.load() as usize - s.queued();
                if in_service > self.workers || s.queued() > self.queue {
                    found.push(Finding {
                        invariant: BOUNDED,
                        detail: format!(
                            "Node {touched} holds {in_service} requests in service and {} queued (limits {} and {})",
                            s.queued(),
                            self.workers,
                            self.queue
                        ),
                    });
                }
            }
            None => {}
        }
    }
}
