//! The invariants of a clock-synchronisation run, checked after every event against the true
//! time, which no node sees.
//!
//! * **Error within the claimed bound** (Cristian, NTP): a clock that claims its error is at most
//!   b (half the round trip or delay of the exchange it trusts, what is still to slew, and the
//!   rated drift since) is really within b of the true time.
//! * **Clocks agree** (Berkeley): after a round, the clocks that applied its adjustments (the
//!   master included) are within the round's claimed agreement of each other. Berkeley claims
//!   nothing about the true time.
//!
//! * **No lost update** (with a store): no replica keeps a write of `x` over a later write that
//!   followed it. Last-writer-wins by timestamp breaks it when the later writer's clock is
//!   behind; version vectors never do.
//!
//! The faulty clock (`faulty=`, out of its rated drift) and a clock a fault stepped since its
//! last synchronisation are outside every claim.

use super::msg::{ms, span};
use super::node::{Algorithm, ClockNode};
use crate::sim::{Checker, Figure, Finding, Measure, Micros, NodeId};

/// Figure: each clock's distance from the true time, sampled at its events (the mean).
pub const ERROR: &str = "clock error";
/// Figure: how far apart the clocks are (the largest offset less the smallest), sampled at
/// every event (the mean).
pub const SPREAD: &str = "clock spread";

/// Name of the bound invariant.
pub const WITHIN_BOUND: &str = "Error Within the Claimed Bound";
/// Name of the agreement invariant.
pub const AGREE: &str = "Clocks Agree";
/// Name of the store's invariant.
pub const NO_LOST_UPDATE: &str = "No Lost Update";

/// The checker of a clock-synchronisation run; it also keeps the figures the page shows.
#[derive(Clone, Debug, Default)]
pub struct ClockChecker {
    /// Berkeley: the spread of the agreeing clocks and the claimed agreement.
    spread: Option<(i64, i64)>,
    /// Sum and count of the touched clocks' distances from the true time.
    errors: (u64, u64),
    /// Sum and count of the clocks' spreads.
    spreads: (u64, u64),
    /// Lost updates already reported, at the replica that lost the most.
    lost_seen: u64,
}

impl Checker<ClockNode> for ClockChecker {
    fn check(
        &mut self,
        now: Micros,
        nodes: &[ClockNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let Some(server) = nodes.first() else {
            return;
        };
        let s = server.settings();
        // Berkeley's claim, and the clocks it covers: the master and those that applied its
        // round.
        let agreement = match s.algorithm {
            Algorithm::Berkeley => server.agreement(now),
            _ => None,
        };
        // One pass over the clocks: the spread of all of them (the figures) and of those the
        // agreement covers, with who stands at each end.
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        let (mut low, mut high) = ((i64::MAX, 0), (i64::MIN, 0));
        for (i, n) in nodes.iter().enumerate() {
            let id = i as NodeId + 1;
            if s.is_faulty(id) {
                continue;
            }
            let offset = n.clock().offset(now);
            if let Some((_, round)) = agreement
                && (id == 1 || n.adjusted_round() == Some(round))
            {
                if offset < low.0 {
                    low = (offset, id);
                }
                if offset > high.0 {
                    high = (offset, id);
                }
            }
            if s.is_reference(id) {
                continue;
            }
            (lo, hi) = (lo.min(offset), hi.max(offset));
            if id == touched {
                self.errors.0 += offset.unsigned_abs();
                self.errors.1 += 1;
            }
        }
        if lo <= hi {
            self.spreads.0 += (hi - lo) as u64;
            self.spreads.1 += 1;
        }
        if let Some(n) = nodes.get(touched as usize - 1)
            && let Some(lost) = n.last_lost()
            && n.replica().lost > self.lost_seen
        {
            self.lost_seen = n.replica().lost;
            found.push(Finding {
                invariant: NO_LOST_UPDATE,
                detail: lost.to_string(),
            });
        }
        if s.algorithm == Algorithm::Berkeley {
            let Some((claim, round)) = agreement else {
                return;
            };
            let apart = high.0 - low.0;
            self.spread = Some((apart, claim));
            if apart > claim {
                found.push(Finding {
                    invariant: AGREE,
                    detail: format!(
                        "after round {round}, Node {} and Node {} are {} apart, beyond the {} the round claims",
                        low.1,
                        high.1,
                        span(apart),
                        span(claim)
                    ),
                });
            }
            return;
        }
        let Some(n) = nodes.get(touched as usize - 1) else {
            return;
        };
        if s.is_faulty(touched) {
            return;
        }
        if let Some(bound) = n.bound(now) {
            let offset = n.clock().offset(now);
            if offset.abs() > bound {
                found.push(Finding {
                    invariant: WITHIN_BOUND,
                    detail: format!(
                        "Node {touched} claims to be within {} of the true time but is {} off",
                        span(bound),
                        ms(offset)
                    ),
                });
            }
        }
    }

    fn figures(&self) -> Vec<Figure> {
        let mean = |(total, count): (u64, u64)| Measure::Durations { total, count };
        vec![
            Figure {
                name: ERROR,
                measure: mean(self.errors),
            },
            Figure {
                name: SPREAD,
                measure: mean(self.spreads),
            },
        ]
    }

    fn summary(&self) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        if let Some((spread, claim)) = self.spread {
            lines.push((
                "Spread of the agreeing clocks".to_string(),
                format!(
                    "{} (the round claims at most {})",
                    span(spread),
                    span(claim)
                ),
            ));
        }
        lines
    }
}
