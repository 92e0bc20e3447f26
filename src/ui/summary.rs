//! The "Cluster" panel: facts about the whole cluster that no single node knows
//! ([`Lab::summary`]), e.g. which value is chosen — a fact decided the moment a majority of
//! acceptors accept it, before any learner hears of it — and what each learner has learned.
//!
//! The lines come from the protocol; the panel is drawn only when there are some (Raft has
//! none). Well-known labels get a one-line explanation, matched on the label's text so that the
//! page still names no protocol.
//!
//! The store keeps the summary in its [`Frame`] and reads it again at most about ten times a
//! second while playing (see [`refresh`]); whenever the run stops, jumps or is acted on it is
//! read at once, so a paused page never shows a stale summary.

use std::cell::Cell;

use yew::prelude::*;

use crate::sim::lab::Lab;

use super::el::{El, fragment};
use super::store::{Frame, Snap};

/// Wall-clock milliseconds between two readings of the summary while playing.
pub const EVERY_MS: f64 = 100.0;

/// Brings `frame.summary` up to date after the store took a new frame (`old` is the previous
/// one; `age` counts wall milliseconds played since the summary was last read). The summary is
/// read again when it is older than the frame's nodes and either `now` is set (the run is
/// paused, or the frame was read afresh after a jump or an action), an invariant changed, or
/// [`EVERY_MS`] have passed. An unchanged summary keeps its `Rc`, so the panel skips rendering.
pub fn refresh(lab: &dyn Lab, frame: &mut Frame, old: &Frame, age: &Cell<f64>, now: bool) {
    if frame.summary_events != frame.events
        && (now || age.get() >= EVERY_MS || frame.invariants != old.invariants)
    {
        frame.summary = Snap::new(lab.summary());
        frame.summary_events = frame.events;
        frame.diagram = Snap::new(lab.diagram());
    } else if frame.setup != old.setup {
        // A setting changed (a new policy draws or hides the ring) without an event.
        frame.diagram = Snap::new(lab.diagram());
        age.set(0.0);
    }
    if frame.summary != old.summary && *frame.summary == *old.summary {
        frame.summary = old.summary.clone();
    }
    if frame.diagram != old.diagram && *frame.diagram == *old.diagram {
        frame.diagram = old.diagram.clone();
    }
}

/// A short explanation of a well-known summary line, by its label.
pub fn explain(label: &str) -> Option<&'static str> {
    Some(match label {
        "Chosen" => {
            "Decided the moment a majority of acceptors accept one value in the same ballot, \
             whether or not anyone knows yet. Once chosen, it never changes."
        }
        "Learned" => {
            "What each running learner has found out so far. Learners only ever learn the chosen \
             value, so they all end up agreeing."
        }
        "Leader" => {
            "The node that proposes every new command. A new leader first asks a majority for \
             everything they accepted, so no chosen slot is lost."
        }
        "Applied" => {
            "How far each running node has executed the log, in slot order: a slot is applied \
             once its value is known to be chosen."
        }
        "Primary" => {
            "The replica the manager's configuration names to take writes; each promotion starts \
             a new epoch. An old primary that has not heard of it yet may still believe it is one."
        }
        "Suspicions" => {
            "How often the manager declared a replica failed: true when it really was down, false \
             when it was running but slow, paused or cut off. A false one causes a needless \
             failover."
        }
        "Crash detection" => {
            "How long after a crash the manager declared the replica failed, on average: writes \
             wait that long before a failover."
        }
        "Manager" => "Only the manager fails over: while it is down a failed primary stays failed.",
        _ => return None,
    })
}

/// Props of [`ClusterSummary`].
#[derive(Properties, PartialEq)]
pub struct SummaryProps {
    /// The protocol's (label, value) lines, as the store last read them.
    pub summary: Snap<Vec<(String, String)>>,
}

/// The "Cluster" panel; nothing at all when the protocol has no cluster-wide facts.
#[component]
pub fn ClusterSummary(p: &SummaryProps) -> Html {
    if p.summary.is_empty() {
        return Html::default();
    }
    let facts = p.summary.iter().map(|(label, value)| {
        fragment(vec![
            El::new("dt").text(label.clone()).into(),
            El::new("dd")
                .child(El::new("span").class("fact").text(value.clone()))
                .maybe(explain(label).map(|why| El::new("span").class("why").text(why)))
                .into(),
        ])
    });
    El::new("section")
        .attr("aria-labelledby", "summary-title")
        .class("panel summary")
        .child(
            El::new("h2")
                .attr("id", "summary-title")
                .text("Cluster")
                .child(El::new("small").text(" what no single node knows")),
        )
        .child(El::new("dl").class("summary-facts").children(facts))
        .into()
}
