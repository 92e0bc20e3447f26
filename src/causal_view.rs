//! What the space-time diagram shows of logical clocks and causality (computed by
//! `sim::causality`): the clock the visitor chose, the events the drawn arrows end at, their
//! labels (only as many as fit), which event a click picks, how the events in view stand to a
//! selected one, and the sentence that says so. Pure (no web dependency), so it is tested
//! natively; `ui::spacetime` draws it.

use crate::sim::causality::{CommEvent, Cone, EventClock, Relation};
use crate::sim::lab::SpanView;
use crate::sim::node::NodeId;
use crate::sim::time::{Micros, format_time};

/// The logical clock the diagram labels events with (link key `clocks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClockChoice {
    /// No labels.
    #[default]
    None,
    /// Lamport timestamps.
    Lamport,
    /// Vector clocks.
    Vector,
}

impl ClockChoice {
    /// Every choice, in the order the page offers them.
    pub const ALL: [ClockChoice; 3] =
        [ClockChoice::None, ClockChoice::Lamport, ClockChoice::Vector];

    /// Its name in links and in the page's control.
    pub fn key(self) -> &'static str {
        match self {
            ClockChoice::None => "none",
            ClockChoice::Lamport => "lamport",
            ClockChoice::Vector => "vector",
        }
    }

    /// Its name for people.
    pub fn title(self) -> &'static str {
        match self {
            ClockChoice::None => "None",
            ClockChoice::Lamport => "Lamport timestamps",
            ClockChoice::Vector => "Vector clocks",
        }
    }

    /// The choice named `key`, if any.
    pub fn parse(key: &str) -> Option<ClockChoice> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// An event's label under this choice: `7` or `[2,0,1]`.
    pub fn label(self, c: &EventClock) -> Option<String> {
        match self {
            ClockChoice::None => None,
            ClockChoice::Lamport => Some(c.lamport.to_string()),
            ClockChoice::Vector => Some(c.vector_text()),
        }
    }
}

/// An event at an end of a drawn arrow: a send at its tail, a delivery at its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventMark {
    /// The event.
    pub event: CommEvent,
    /// Its lane.
    pub node: NodeId,
    /// Its time.
    pub t: Micros,
}

/// The events the arrows of `spans` end at: every send, and the deliveries that happened.
pub fn event_marks<'a>(spans: impl IntoIterator<Item = &'a SpanView>) -> Vec<EventMark> {
    let mut out = Vec::new();
    for s in spans {
        out.push(EventMark {
            event: CommEvent {
                msg: s.id,
                delivery: false,
            },
            node: s.from,
            t: s.sent,
        });
        if let (Some(end), None) = (s.end, s.dropped) {
            out.push(EventMark {
                event: CommEvent {
                    msg: s.id,
                    delivery: true,
                },
                node: s.to,
                t: end,
            });
        }
    }
    out
}

/// The event a click picks: the mark nearest time `t` within `tol`, on `node`'s lane (any lane
/// for `None`, as the keyboard's cursor does).
pub fn pick(
    marks: &[EventMark],
    t: Micros,
    node: Option<NodeId>,
    tol: Micros,
) -> Option<EventMark> {
    marks
        .iter()
        .filter(|m| node.is_none_or(|n| n == m.node) && m.t.abs_diff(t) <= tol)
        .min_by_key(|m| (m.t.abs_diff(t), m.event))
        .copied()
}

/// The event after (`forward`) or before the moment `t` (and, at that very moment, after or
/// before event `at`), in the order of time then event: how the keyboard steps from event to
/// event.
pub fn next_event(
    marks: &[EventMark],
    t: Micros,
    at: Option<CommEvent>,
    forward: bool,
) -> Option<EventMark> {
    // Compared in the stepping direction: `Less` is nearer the start of the way.
    let order = |a: (Micros, Option<CommEvent>), b: (Micros, Option<CommEvent>)| match forward {
        true => a.cmp(&b),
        false => b.cmp(&a),
    };
    let mut best: Option<EventMark> = None;
    for m in marks {
        let key = (m.t, Some(m.event));
        if order(key, (t, at)).is_gt()
            && best.is_none_or(|b| order(key, (b.t, Some(b.event))).is_lt())
        {
            best = Some(*m);
        }
    }
    best
}

/// Labels that can be read: in the order given, one is kept only if it stays 3 px clear of
/// every label kept on its lane (`k` px per µs, `char_px` px per character).
pub fn spaced_labels(
    labels: Vec<(Micros, NodeId, String)>,
    k: f64,
    char_px: f64,
) -> Vec<(Micros, NodeId, String)> {
    let mut kept: Vec<(NodeId, f64, f64)> = Vec::new();
    let mut out = Vec::new();
    for (t, node, text) in labels {
        let x0 = t as f64 * k;
        let x1 = x0 + text.len() as f64 * char_px;
        if (kept.iter()).any(|&(n, a, b)| n == node && x0 < b + 3.0 && a < x1 + 3.0) {
            continue;
        }
        kept.push((node, x0, x1));
        out.push((t, node, text));
    }
    out
}

/// How many events in view stand where to the selected one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// In its causal past.
    pub past: usize,
    /// In its causal future.
    pub future: usize,
    /// Concurrent with it.
    pub concurrent: usize,
}

/// How each event with a clock stands to the cone's event (`None` for one without: it has not
/// happened), in the same order, and the tally.
pub fn relate(cone: &Cone, clocks: &[Option<EventClock>]) -> (Vec<Option<Relation>>, Tally) {
    let mut tally = Tally::default();
    let out = (clocks.iter().map(|c| {
        let r = cone.relation(c.as_ref()?.node, c.as_ref()?.seq());
        match r {
            Relation::Before => tally.past += 1,
            Relation::After => tally.future += 1,
            Relation::Concurrent => tally.concurrent += 1,
            Relation::Same => {}
        }
        Some(r)
    }))
    .collect();
    (out, tally)
}

/// What an event is, in words: `Node 1 sends RequestVote to Node 3`.
pub fn event_words(s: &SpanView, delivery: bool) -> String {
    if delivery {
        format!("Node {} receives {} from Node {}", s.to, s.msg.kind, s.from)
    } else {
        format!("Node {} sends {} to Node {}", s.from, s.msg.kind, s.to)
    }
}

/// The readout of a selected event: what and when it is, its clocks, and how many events in
/// view are in its causal past, its causal future, and concurrent with it.
pub fn describe(cone: &Cone, what: &str, tally: Tally) -> String {
    let c = &cone.clock;
    let n = |count: usize| {
        if count == 1 {
            "1 event".to_string()
        } else {
            format!("{count} events")
        }
    };
    format!(
        "Selected event: {what} at {}, Lamport timestamp {}, vector clock {}. In view: {} in its causal past (solid lines, squares), {} in its causal future (dashed lines, diamonds), {} concurrent with it (hollow circles). Escape clears the selection.",
        format_time(c.t),
        c.lamport,
        c.vector_text(),
        n(tally.past),
        n(tally.future),
        n(tally.concurrent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::node::MsgView;

    fn span(id: u64, from: NodeId, to: NodeId, sent: Micros, end: Option<Micros>) -> SpanView {
        SpanView {
            id,
            from,
            to,
            sent,
            end,
            dropped: None,
            slow: false,
            msg: MsgView {
                kind: "Ping",
                reply: false,
                success: None,
                detail: String::new(),
            },
        }
    }

    fn clock(msg: u64, delivery: bool, node: NodeId, lamport: u64, vector: &[u32]) -> EventClock {
        EventClock {
            event: CommEvent { msg, delivery },
            node,
            t: 0,
            lamport,
            vector: vector.to_vec(),
        }
    }

    #[test]
    fn choices_round_trip_and_label_events() {
        for c in ClockChoice::ALL {
            assert_eq!(ClockChoice::parse(c.key()), Some(c));
        }
        assert_eq!(ClockChoice::parse("scalar"), None);
        let c = clock(1, true, 2, 7, &[2, 3, 0]);
        assert_eq!(ClockChoice::None.label(&c), None);
        assert_eq!(ClockChoice::Lamport.label(&c).as_deref(), Some("7"));
        assert_eq!(ClockChoice::Vector.label(&c).as_deref(), Some("[2,3,0]"));
    }

    #[test]
    fn marks_are_sends_and_deliveries_that_happened() {
        let mut lost = span(2, 1, 3, 10, Some(20));
        lost.dropped = Some(crate::sim::DropReason::Lost);
        let marks = event_marks(&[span(1, 1, 2, 5, Some(9)), lost, span(3, 2, 1, 30, None)]);
        let got: Vec<(u64, bool, NodeId, Micros)> = (marks.iter())
            .map(|m| (m.event.msg, m.event.delivery, m.node, m.t))
            .collect();
        assert_eq!(
            got,
            [
                (1, false, 1, 5),
                (1, true, 2, 9),
                (2, false, 1, 10),
                (3, false, 2, 30)
            ]
        );
        // The keyboard steps through them in time order, from a moment or an event.
        let next =
            |t, at, fwd| next_event(&marks, t, at, fwd).map(|m| (m.event.msg, m.event.delivery));
        assert_eq!(next(0, None, true), Some((1, false)));
        assert_eq!(next(5, Some(marks[0].event), true), Some((1, true)));
        assert_eq!(next(9, Some(marks[1].event), true), Some((2, false)));
        assert_eq!(next(9, Some(marks[1].event), false), Some((1, false)));
        assert_eq!(next(30, Some(marks[3].event), true), None);
        assert_eq!(next(20, None, false), Some((2, false)));
        // A click picks the nearest on its lane, within the tolerance.
        assert_eq!(pick(&marks, 8, Some(2), 2).map(|m| m.event.msg), Some(1));
        assert_eq!(pick(&marks, 8, Some(1), 1), None);
        assert_eq!(pick(&marks, 8, None, 3).map(|m| m.t), Some(9));
    }

    #[test]
    fn labels_that_would_overlap_are_left_out() {
        let labels = vec![
            (0, 1, "[1,0]".to_string()),
            (10, 1, "[2,0]".to_string()),
            (100, 1, "[3,0]".to_string()),
            (10, 2, "[0,1]".to_string()),
        ];
        // 1 px per 2 µs, 5 px a character: a label is 25 px wide.
        let kept: Vec<String> = (spaced_labels(labels, 0.5, 5.0).into_iter())
            .map(|l| l.2)
            .collect();
        assert_eq!(kept, ["[1,0]", "[3,0]", "[0,1]"]);
    }

    #[test]
    fn events_are_tallied_by_how_they_stand_to_the_selected_one() {
        // Selected: node 2's second event, with node 1's first in its past; node 1's third
        // event is its future, node 1's second and node 3's first are concurrent.
        let cone = Cone {
            clock: clock(5, true, 2, 3, &[1, 2, 0]),
            future: vec![3, 3, u32::MAX],
        };
        let clocks = [
            Some(clock(1, false, 1, 1, &[1, 0, 0])),
            Some(clock(2, false, 1, 2, &[2, 0, 0])),
            Some(clock(3, false, 1, 4, &[3, 2, 0])),
            Some(clock(4, false, 3, 1, &[0, 0, 1])),
            Some(clock(5, true, 2, 3, &[1, 2, 0])),
            None,
        ];
        let (rel, tally) = relate(&cone, &clocks);
        use Relation::*;
        assert_eq!(
            rel,
            [
                Some(Before),
                Some(Concurrent),
                Some(After),
                Some(Concurrent),
                Some(Same),
                None
            ]
        );
        assert_eq!(
            tally,
            Tally {
                past: 1,
                future: 1,
                concurrent: 2
            }
        );
        let words = describe(&cone, "Node 2 receives Ping from Node 1", tally);
        assert!(
            words.contains("Lamport timestamp 3, vector clock [1,2,0]"),
            "{words}"
        );
        assert!(
            words.contains("1 event in its causal past") && words.contains("2 events concurrent"),
            "{words}"
        );
        assert_eq!(
            event_words(&span(5, 1, 2, 0, Some(3)), true),
            "Node 2 receives Ping from Node 1"
        );
    }
}
