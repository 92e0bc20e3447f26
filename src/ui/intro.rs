//! The first impression of a page opened without actions or `at`: a fast start until the first
//! leader (or, for single-decree Paxos, the first chosen value), then the teaching speed, and a
//! one-line hint of what to try, both ended by the visitor's first action.
//!
//! At the teaching speed (1/100×) the first election takes some 15 wall seconds, during which
//! nothing but the timeout arcs moves. The fast start plays at [`FAST_START_SPEED`] meanwhile, so
//! the first leader comes within about two seconds. Speed is presentation only: the run (and
//! so its link) is the same at any speed. A visitor who prefers reduced motion gets no fast
//! animation: the page opens at the moment of the first leader instead ([`skip_to_first`]).

use yew::prelude::*;

use crate::sim::lab::{Lab, Milestone, TraceView};
use crate::sim::node::ProtocolInfo;
use crate::sim::time::{MS, Micros};

use super::el::El;

/// Virtual seconds per wall second during the fast start (1/10×: a first election that takes
/// 130–170 ms of virtual time shows in under two seconds, and its messages can still be seen).
pub const FAST_START_SPEED: f64 = 0.1;

/// How far [`skip_to_first`] looks for the first leader before giving up (virtual time).
const SKIP_LIMIT: Micros = 5_000 * MS;

/// What of the first impression is still on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Intro {
    /// Playing at [`FAST_START_SPEED`] until the first leader.
    pub fast_start: bool,
    /// The hint of what to try is shown.
    pub hint: bool,
}

impl Intro {
    /// The first impression of a page: only a plain page (one that starts playing from time 0)
    /// gets the fast start, and only the full page the hint (an embed has no room for it).
    pub fn new(plain: bool, embed: bool) -> Intro {
        Intro {
            fast_start: plain,
            hint: !embed,
        }
    }

    /// The visitor did something: the fast start and the hint end.
    pub fn end(&mut self) {
        *self = Intro::default();
    }

    /// The speed to play at when the visitor chose `chosen` (virtual seconds per wall second).
    pub fn speed(self, chosen: f64) -> f64 {
        if self.fast_start {
            chosen.max(FAST_START_SPEED)
        } else {
            chosen
        }
    }
}

/// Whether a milestone line is the result the fast start waits for: a leader, or a value chosen.
fn is_first_result(line: &TraceView) -> bool {
    matches!(line.marker, Some(Milestone::Leader | Milestone::Commit))
}

/// Runs `lab` forward to `target`, stopping early right after the event that elects the first
/// leader (or chooses the first value); returns whether it did.
pub fn advance_until_first(lab: &mut dyn Lab, target: Micros) -> bool {
    while let Some(next) = lab.next_event_time() {
        if next > target || !lab.step() {
            break;
        }
        if lab.milestones(next, next).iter().any(is_first_result) {
            return true;
        }
    }
    lab.advance_to(target);
    false
}

/// Runs `lab` forward to right after the first leader (or chosen value), or at most
/// [`SKIP_LIMIT`] of virtual time: the reduced-motion version of the fast start.
pub fn skip_to_first(lab: &mut dyn Lab) {
    let limit = lab.now() + SKIP_LIMIT;
    advance_until_first(lab, limit);
}

/// What the fast start waits for, in the protocol's words (for the speed control's note). A
/// protocol without epochs (load balancing, clock synchronisation) elects and chooses nothing:
/// its fast start lasts until the visitor's first action.
pub fn awaited(info: &ProtocolInfo) -> &'static str {
    if info.epoch_name.is_empty() {
        return "your first action";
    }
    match super::geometry::leading_role(info) {
        "leader" => "the first leader",
        "primary" => "the first primary",
        _ => "the first chosen value",
    }
}

/// The hint of what to try, under the page title.
pub fn hint() -> Html {
    El::new("p")
        .attr("id", "first-hint")
        .class("hint first-hint")
        .text("Try this: click a node to inspect or crash it, or click a message in flight to drop it.")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn only_a_plain_page_starts_fast_and_only_the_full_page_hints() {
        assert_eq!(
            Intro::new(true, false),
            Intro {
                fast_start: true,
                hint: true
            }
        );
        assert!(!Intro::new(false, false).fast_start);
        assert!(!Intro::new(true, true).hint);
        let mut intro = Intro::new(true, false);
        intro.end();
        assert_eq!(intro, Intro::default());
    }

    #[wasm_bindgen_test]
    fn the_fast_start_never_slows_a_faster_choice() {
        let fast = Intro::new(true, false);
        assert_eq!(fast.speed(0.01), FAST_START_SPEED);
        assert_eq!(fast.speed(2.0), 2.0);
        assert_eq!(Intro::default().speed(0.01), 0.01);
    }

    #[wasm_bindgen_test]
    fn the_fast_start_waits_for_each_protocols_first_result_in_its_words() {
        use crate::protocols::{
            clocksync::ClockSync, failover::Failover, loadbalance::LoadBalance,
            multipaxos::MultiPaxos, paxos::Paxos, raft::Raft,
        };
        use crate::sim::Protocol;
        assert_eq!(awaited(&Raft::info()), "the first leader");
        assert_eq!(awaited(&MultiPaxos::info()), "the first leader");
        assert_eq!(awaited(&Paxos::info()), "the first chosen value");
        assert_eq!(awaited(&Failover::info()), "the first primary");
        assert_eq!(awaited(&LoadBalance::info()), "your first action");
        assert_eq!(awaited(&ClockSync::info()), "your first action");
    }
}
