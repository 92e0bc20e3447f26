//! What the history view shows of a run's client operations (see [`crate::consistency`]): each
//! key's verdict, one lane per client, a bar per operation with its label, the chosen
//! linearization drawn as a line through a point inside each bar, and the sentence that says
//! what the checker found. Pure (no web dependency), so it is tested natively; `ui::history`
//! draws it.

use crate::consistency::{Call, History, Outcome, RunHistory, Scalar, Verdict, check, run::OpSpan};
use crate::sim::node::NodeId;
use crate::sim::small_sort::{sort_small, sort_small_by};
use crate::sim::time::{Micros, format_time};

/// What the checker found for one key's operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// Linearizable: the operations' ids in the order they took effect.
    Ordered(Vec<usize>),
    /// Not linearizable: a minimal set of operations no order explains, and the one no order
    /// gets past (see [`Verdict::NotLinearizable`]).
    Violated {
        /// The operation no order gets past.
        culprit: usize,
        /// The witness, ids in invocation order.
        witness: Vec<usize>,
    },
    /// The search gave up after exploring this many configurations.
    Undecided(usize),
}

/// One key's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyVerdict {
    /// The key (`None` for a single register).
    pub key: Option<String>,
    /// What the checker found.
    pub check: KeyCheck,
}

/// Every key's verdict, keys in sorted order (ids index the run's operations). The checker
/// stops at the first key that fails; the view wants every key's line and every key's witness,
/// so each key is checked on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Per key.
    pub keys: Vec<KeyVerdict>,
    /// Why the history could not be checked at all (an operation the model does not have).
    pub error: Option<String>,
}

impl Checked {
    /// Checks each key of `run` against the model its operations call for.
    pub fn of(run: &RunHistory) -> Checked {
        let model = run.model();
        // The operations of each key (a few keys: found by a linear search, sorted by
        // insertion).
        let mut by_key: Vec<(Option<String>, Vec<usize>)> = Vec::new();
        for (id, op) in run.history.operations.iter().enumerate() {
            match by_key.iter_mut().find(|(k, _)| *k == op.key) {
                Some((_, ids)) => ids.push(id),
                None => by_key.push((op.key.clone(), vec![id])),
            }
        }
        sort_small_by(&mut by_key, |a, b| a.0.cmp(&b.0));
        let mut out = Checked::default();
        for (key, ids) in by_key {
            let mut one = History::default();
            one.operations = ids
                .iter()
                .map(|&id| run.history.operations[id].clone())
                .collect();
            let check = match check(&one, model) {
                Err(e) => {
                    out.error = Some(e.message);
                    return out;
                }
                Ok(Verdict::Linearizable(orders)) => KeyCheck::Ordered(
                    (orders.iter().flat_map(|o| o.order.iter()))
                        .map(|&i| ids[i])
                        .collect(),
                ),
                Ok(Verdict::NotLinearizable {
                    culprit, witness, ..
                }) => KeyCheck::Violated {
                    culprit: ids[culprit],
                    witness: witness.iter().map(|&i| ids[i]).collect(),
                },
                Ok(Verdict::GaveUp { states, .. }) => KeyCheck::Undecided(states),
            };
            out.keys.push(KeyVerdict { key, check });
        }
        out
    }

    /// Whether operation `id` is in a witness.
    pub fn in_witness(&self, id: usize) -> bool {
        self.keys.iter().any(|k| match &k.check {
            KeyCheck::Violated { witness, .. } => witness.contains(&id),
            _ => false,
        })
    }

    /// The moment every operation of the first witness has completed (where the view shows
    /// the violation whole), if there is a witness.
    pub fn violation_time(&self, run: &RunHistory) -> Option<Micros> {
        self.keys.iter().find_map(|k| match &k.check {
            KeyCheck::Violated { witness, .. } => {
                (witness.iter()).map(|&id| seek_time(&run.spans[id])).max()
            }
            _ => None,
        })
    }

    /// Whether some key's operations cannot be ordered.
    pub fn violated(&self) -> bool {
        (self.keys.iter()).any(|k| matches!(k.check, KeyCheck::Violated { .. }))
    }

    /// What the checker found, in sentences: which operations no order explains (naming each
    /// by its label, client and times), or that every key's operations are ordered.
    pub fn sentence(&self, run: &RunHistory) -> String {
        if let Some(e) = &self.error {
            return format!("The history cannot be checked: {e}.");
        }
        let mut out = Vec::new();
        for k in &self.keys {
            let on = key_words(k.key.as_deref());
            match &k.check {
                KeyCheck::Violated { culprit, witness } => {
                    let named: Vec<String> = witness.iter().map(|&id| op_words(run, id)).collect();
                    let what = match witness.len() {
                        1 => "the result of this operation",
                        _ => "the results of these operations",
                    };
                    out.push(format!(
                        "Not linearizable{on}: no order explains {what} ({}); every order fails at {}.",
                        named.join("; "),
                        label(run, *culprit)
                    ));
                }
                KeyCheck::Undecided(states) => out.push(format!(
                    "Undecided{on}: the checker gave up after {states} configurations."
                )),
                KeyCheck::Ordered(_) => {}
            }
        }
        if out.is_empty() {
            let n = run.history.operations.len();
            let keys = self.keys.len();
            out.push(format!(
                "Linearizable so far: {n} operation{} on {keys} key{}; the line through each key's operations is an order that explains every result.",
                if n == 1 { "" } else { "s" },
                if keys == 1 { "" } else { "s" },
            ));
        }
        out.join(" ")
    }
}

/// ` on key x`, or nothing for a single register.
fn key_words(key: Option<&str>) -> String {
    key.map_or(String::new(), |k| format!(" on key {k}"))
}

/// An operation's short label, as its bar shows it: `w x=3`, `r x→3`, `cas x 3→4`,
/// `app x+"ab"`; a read still in flight or of unknown result returns `?`.
pub fn label(run: &RunHistory, id: usize) -> String {
    let op = &run.history.operations[id];
    let key = op.key.as_deref().unwrap_or("");
    let sep = if key.is_empty() { "" } else { " " };
    match &op.call {
        Call::Read => {
            let got = op
                .returned
                .as_ref()
                .map_or("?".to_string(), Scalar::to_string);
            format!("r{sep}{key}→{got}")
        }
        Call::Write(v) => format!("w{sep}{key}={v}"),
        Call::Cas(from, to) => format!("cas{sep}{key} {from}→{to}"),
        Call::Append(s) => format!("app{sep}{key}+{}", Scalar::Str(s.clone())),
    }
}

/// An operation in words: `w x=3 by client 5, 1.200 s–1.250 s, ok`.
pub fn op_words(run: &RunHistory, id: usize) -> String {
    let op = &run.history.operations[id];
    let span = &run.spans[id];
    let when = match span.completed {
        Some(end) => format!("{}–{}", format_time(span.invoked), format_time(end)),
        None => format!("from {}, in flight", format_time(span.invoked)),
    };
    let how = match (op.outcome, span.completed) {
        (Outcome::Info, None) => "",
        (Outcome::Info, Some(_)) => ", outcome unknown",
        (Outcome::Fail, _) => ", failed",
        (Outcome::Ok, _) => ", ok",
    };
    format!("{} by client {}, {when}{how}", label(run, id), span.client)
}

/// The moment clicking an operation seeks to: its completion, where the whole bar shows (its
/// invocation while it has none).
pub fn seek_time(span: &OpSpan) -> Micros {
    span.completed.unwrap_or(span.invoked)
}

/// The clients that ran operations, in order: the lanes, top to bottom.
pub fn clients(run: &RunHistory) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = Vec::new();
    for s in &run.spans {
        if !out.contains(&s.client) {
            out.push(s.client);
        }
    }
    sort_small(&mut out);
    out
}

/// How a bar is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarStyle {
    /// Completed `ok`.
    Ok,
    /// Completed `fail`.
    Fail,
    /// Completed `info` (a timeout): its effect is unknown.
    Info,
    /// Still in flight: open to the current moment.
    Open,
}

/// One operation's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The operation's id.
    pub op: usize,
    /// Its client's lane (from 0).
    pub lane: usize,
    /// From its invocation…
    pub t0: Micros,
    /// …to its completion (the current moment while open).
    pub t1: Micros,
    /// How it is drawn.
    pub style: BarStyle,
    /// Its label (see [`label`]).
    pub label: String,
    /// In a violation's witness.
    pub witness: bool,
    /// The operation no order gets past.
    pub culprit: bool,
    /// Its key's name and its place in that key's order (from 0), if it is in one.
    pub rank: Option<(String, usize)>,
}

/// One key's linearization: a point inside each of its operations' bars, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderLine {
    /// The key (empty for a single register).
    pub key: String,
    /// Its index among the keys (for its colour).
    pub index: usize,
    /// (time, lane) of each point, in linearization order.
    pub points: Vec<(Micros, usize)>,
}

/// What the view draws in a window of time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// The client of each lane, top to bottom.
    pub lanes: Vec<NodeId>,
    /// The bars that reach into the window.
    pub bars: Vec<Bar>,
    /// Each ordered key's line, through the points in the window and one either side.
    pub lines: Vec<OrderLine>,
}

/// Lays out `run`'s operations that reach into `[t0, t1]` at moment `now` (open bars end at
/// it), with each ordered key's line from `checked`.
pub fn layout(run: &RunHistory, checked: &Checked, now: Micros, t0: Micros, t1: Micros) -> Layout {
    let lanes = clients(run);
    let lane = |client: NodeId| lanes.binary_search(&client).unwrap_or(0);
    let culprits: Vec<usize> = (checked.keys.iter())
        .filter_map(|k| match k.check {
            KeyCheck::Violated { culprit, .. } => Some(culprit),
            _ => None,
        })
        .collect();
    // Each operation's key (by index) and place in its key's order.
    let mut ranks: Vec<Option<(usize, usize)>> = vec![None; run.spans.len()];
    for (index, k) in checked.keys.iter().enumerate() {
        if let KeyCheck::Ordered(order) = &k.check {
            for (rank, &id) in order.iter().enumerate() {
                if let Some(slot) = ranks.get_mut(id) {
                    *slot = Some((index, rank));
                }
            }
        }
    }
    let mut bars = Vec::new();
    for (id, (op, span)) in run.history.operations.iter().zip(&run.spans).enumerate() {
        let end = span.completed.unwrap_or(now).max(span.invoked);
        if end < t0 || span.invoked > t1 {
            continue;
        }
        let style = match (span.completed, op.outcome) {
            (None, _) => BarStyle::Open,
            (Some(_), Outcome::Ok) => BarStyle::Ok,
            (Some(_), Outcome::Fail) => BarStyle::Fail,
            (Some(_), Outcome::Info) => BarStyle::Info,
        };
        bars.push(Bar {
            op: id,
            lane: lane(span.client),
            t0: span.invoked,
            t1: end,
            style,
            label: label(run, id),
            witness: checked.in_witness(id),
            culprit: culprits.contains(&id),
            rank: ranks[id]
                .map(|(k, rank)| (checked.keys[k].key.clone().unwrap_or_default(), rank)),
        });
    }
    let mut lines = Vec::new();
    for (index, k) in checked.keys.iter().enumerate() {
        let KeyCheck::Ordered(order) = &k.check else {
            continue;
        };
        let times = order_points(run, order, now);
        let inside = |i: usize| (t0..=t1).contains(&times[i]);
        let points: Vec<(Micros, usize)> = (0..order.len())
            .filter(|&i| {
                inside(i) || (i > 0 && inside(i - 1)) || (i + 1 < order.len() && inside(i + 1))
            })
            .map(|i| (times[i], lane(run.spans[order[i]].client)))
            .collect();
        if !points.is_empty() {
            lines.push(OrderLine {
                key: k.key.clone().unwrap_or_default(),
                index,
                points,
            });
        }
    }
    Layout { lanes, bars, lines }
}

/// A moment for each operation of `order` at which it can take effect, in order: inside its
/// bar (an operation of unknown outcome may take effect up to `now`), never before the one
/// before it. Each is the middle of the stretch left to it between the earliest moment the
/// operations before it allow and the latest the ones after it allow, so the points sit well
/// inside the bars rather than on their edges.
pub fn order_points(run: &RunHistory, order: &[usize], now: Micros) -> Vec<Micros> {
    let bounds: Vec<(Micros, Micros)> = (order.iter())
        .map(|&id| {
            let span = &run.spans[id];
            let end = match (run.history.operations[id].outcome, span.completed) {
                (Outcome::Info, _) | (_, None) => now.max(span.completed.unwrap_or(0)),
                (_, Some(t)) => t,
            };
            (span.invoked, end.max(span.invoked))
        })
        .collect();
    let mut earliest = Vec::with_capacity(bounds.len());
    let mut floor = 0;
    for &(a, _) in &bounds {
        floor = floor.max(a);
        earliest.push(floor);
    }
    let mut latest = vec![0; bounds.len()];
    let mut ceiling = Micros::MAX;
    for (i, &(_, b)) in bounds.iter().enumerate().rev() {
        ceiling = ceiling.min(b);
        latest[i] = ceiling;
    }
    let mut out = Vec::with_capacity(bounds.len());
    let mut last = 0;
    for (e, l) in earliest.into_iter().zip(latest) {
        let mid = if l >= e { e + (l - e) / 2 } else { e };
        last = mid.max(last);
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ops::{OpEvent, OpRecord};

    /// An operation: (client, invoked, completed, key, call, outcome, returned).
    type Row<'a> = (
        NodeId,
        Micros,
        Option<Micros>,
        &'a str,
        Call,
        Outcome,
        Option<i64>,
    );

    /// A run from its operations.
    fn run(rows: &[Row]) -> RunHistory {
        let mut events = Vec::new();
        for (client, t0, t1, key, call, outcome, returned) in rows {
            events.push(OpRecord {
                t: *t0,
                node: *client,
                event: OpEvent::Invoke {
                    key: Some(key.to_string()),
                    call: call.clone(),
                },
            });
            if let Some(t1) = t1 {
                events.push(OpRecord {
                    t: *t1,
                    node: *client,
                    event: OpEvent::Complete {
                        outcome: *outcome,
                        returned: returned.map(Scalar::Int),
                    },
                });
            }
        }
        events.sort_by_key(|e| e.t);
        RunHistory::from_records(&events)
    }

    fn w(v: i64) -> Call {
        Call::Write(Scalar::Int(v))
    }

    const OK: Outcome = Outcome::Ok;

    /// Client 5 writes x=1 (10–20), then x=2 (30–40); client 6 reads x at 50–60 and gets `got`;
    /// client 7 writes y=1 (12–18).
    fn stale_or_not(got: i64) -> RunHistory {
        run(&[
            (5, 10, Some(20), "x", w(1), OK, None),
            (7, 12, Some(18), "y", w(1), OK, None),
            (5, 30, Some(40), "x", w(2), OK, None),
            (6, 50, Some(60), "x", Call::Read, OK, Some(got)),
        ])
    }

    #[test]
    fn labels_say_what_each_operation_asked_and_got() {
        let r = run(&[
            (5, 10, Some(20), "x", w(3), OK, None),
            (6, 11, Some(21), "x", Call::Read, OK, Some(3)),
            (
                7,
                12,
                Some(22),
                "x",
                Call::Cas(Scalar::Int(3), Scalar::Int(4)),
                OK,
                None,
            ),
            (8, 13, None, "x", Call::Read, OK, None),
        ]);
        let labels: Vec<String> = (0..4).map(|i| label(&r, i)).collect();
        assert_eq!(labels, ["w x=3", "r x→3", "cas x 3→4", "r x→?"]);
        assert_eq!(op_words(&r, 0), "w x=3 by client 5, 10 µs–20 µs, ok");
        assert_eq!(op_words(&r, 3), "r x→? by client 8, from 13 µs, in flight");
    }

    #[test]
    fn a_linearizable_run_orders_every_key_and_says_so() {
        let r = stale_or_not(2);
        let c = Checked::of(&r);
        assert!(!c.violated());
        assert_eq!(c.keys.len(), 2);
        assert_eq!(c.keys[0].check, KeyCheck::Ordered(vec![0, 2, 3]));
        assert_eq!(c.keys[1].check, KeyCheck::Ordered(vec![1]));
        assert_eq!(
            c.sentence(&r),
            "Linearizable so far: 4 operations on 2 keys; the line through each key's operations is an order that explains every result."
        );
    }

    #[test]
    fn a_stale_read_is_a_witness_named_in_the_sentence_and_other_keys_keep_their_line() {
        let r = stale_or_not(1);
        let c = Checked::of(&r);
        assert!(c.violated());
        let KeyCheck::Violated { culprit, witness } = &c.keys[0].check else {
            panic!("{:?}", c.keys[0]);
        };
        assert_eq!(*culprit, 3, "the read");
        assert!(witness.contains(&3) && witness.contains(&2), "{witness:?}");
        assert!(c.in_witness(3) && !c.in_witness(1));
        let s = c.sentence(&r);
        assert!(
            s.starts_with(
                "Not linearizable on key x: no order explains the results of these operations ("
            ),
            "{s}"
        );
        assert!(s.contains("r x→1 by client 6, 50 µs–60 µs, ok"), "{s}");
        assert!(s.ends_with("every order fails at r x→1."), "{s}");
        assert_eq!(c.violation_time(&r), Some(60), "when the read completed");
        assert_eq!(Checked::of(&stale_or_not(2)).violation_time(&r), None);
        // Key y is still ordered, and drawn; the witness's bars are marked.
        let l = layout(&r, &c, 100, 0, 100);
        assert_eq!(l.lines.len(), 1);
        assert_eq!(l.lines[0].key, "y");
        let marked: Vec<(usize, bool, bool)> = l
            .bars
            .iter()
            .map(|b| (b.op, b.witness, b.culprit))
            .collect();
        assert!(marked.contains(&(3, true, true)));
        assert!(marked.contains(&(1, false, false)));
    }

    #[test]
    fn bars_sit_on_their_clients_lanes_within_the_window_and_open_ones_end_now() {
        let r = run(&[
            (9, 10, Some(20), "x", w(1), OK, None),
            (4, 30, Some(40), "x", w(2), Outcome::Info, None),
            (9, 50, None, "x", w(3), OK, None),
            (6, 1_000, Some(1_100), "x", w(4), Outcome::Fail, None),
        ]);
        let c = Checked::of(&r);
        let l = layout(&r, &c, 70, 15, 60);
        assert_eq!(l.lanes, [4, 6, 9]);
        let bars: Vec<(usize, usize, Micros, Micros, BarStyle)> = l
            .bars
            .iter()
            .map(|b| (b.op, b.lane, b.t0, b.t1, b.style))
            .collect();
        assert_eq!(
            bars,
            [
                (0, 2, 10, 20, BarStyle::Ok),
                (1, 0, 30, 40, BarStyle::Info),
                (2, 2, 50, 70, BarStyle::Open),
            ],
            "the failed write after the window is left out"
        );
        assert_eq!(seek_time(&r.spans[0]), 20);
        assert_eq!(seek_time(&r.spans[2]), 50);
    }

    #[test]
    fn order_points_lie_inside_their_bars_in_order() {
        // Three overlapping writes then a read that saw the second: the order must put the
        // second last among the writes.
        let r = run(&[
            (1, 0, Some(100), "x", w(1), OK, None),
            (2, 10, Some(90), "x", w(2), OK, None),
            (3, 20, Some(30), "x", w(3), OK, None),
            (4, 95, Some(120), "x", Call::Read, OK, Some(2)),
        ]);
        let c = Checked::of(&r);
        let KeyCheck::Ordered(order) = &c.keys[0].check else {
            panic!("{c:?}");
        };
        assert_eq!(order.last(), Some(&3));
        let points = order_points(&r, order, 200);
        for (i, (&id, &p)) in order.iter().zip(&points).enumerate() {
            let s = &r.spans[id];
            assert!(
                s.invoked <= p && p <= s.completed.unwrap(),
                "op {id} at {p}"
            );
            if i > 0 {
                assert!(points[i - 1] <= p);
            }
        }
        // Not on an edge where there is room.
        let l = layout(&r, &c, 200, 0, 200);
        assert_eq!(l.lines[0].points.len(), 4);
        assert!(l.lines[0].points.iter().all(|&(t, _)| t > 0));
        let read = l.bars.iter().find(|b| b.op == 3).unwrap();
        assert_eq!(read.rank, Some(("x".to_string(), 3)), "the read is last");
    }

    #[test]
    fn lines_keep_only_the_points_near_the_window() {
        let rows: Vec<_> = (0..10)
            .map(|i| (1, i * 100, Some(i * 100 + 10), "x", w(i as i64), OK, None))
            .collect();
        let r = run(&rows);
        let c = Checked::of(&r);
        let l = layout(&r, &c, 2_000, 400, 600);
        let times: Vec<Micros> = l.lines[0].points.iter().map(|p| p.0).collect();
        assert_eq!(
            times,
            [305, 405, 505, 605],
            "the two inside and one either side"
        );
    }
}
