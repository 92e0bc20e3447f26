//! How stale a run's reads were: of the reads that completed `ok`, the share that returned the
//! latest acknowledged write of their key (the write whose completion came last before the
//! read was invoked), by how long before the read that write was acknowledged. A read that
//! returned the value of a write that may have taken effect after that one (it overlapped it,
//! or was not acknowledged yet when the read began) counts as up to date too: it saw no less
//! than the latest write. Reads with no acknowledged write before them are left out. Pure; the
//! page draws it with [`crate::charts::tradeoff`].

use std::cmp::Ordering;

use crate::charts::tradeoff::TradeoffChart;
use crate::consistency::{Call, Outcome, RunHistory, Scalar};
use crate::sim::time::{MS, Micros};

/// The bins of time since the latest acknowledged write: each bin's upper bound (exclusive)
/// and label (in milliseconds).
pub const BINS: [(Micros, &str); 5] = [
    (10 * MS, "<10"),
    (50 * MS, "10–50"),
    (100 * MS, "50–100"),
    (500 * MS, "100–500"),
    (Micros::MAX, "≥500"),
];

/// The reads of one bin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bin {
    /// Reads measured.
    pub reads: usize,
    /// Of which returned the latest acknowledged write (or a newer one).
    pub latest: usize,
}

impl Bin {
    /// The share up to date, in percent; `None` without reads.
    pub fn percent(&self) -> Option<f64> {
        (self.reads > 0).then(|| 100.0 * self.latest as f64 / self.reads as f64)
    }
}

/// The reads of a run, binned as [`BINS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    /// One per [`BINS`] entry.
    pub bins: [Bin; BINS.len()],
}

/// A write of a key's value that may have taken effect (not `fail`).
struct Write<'a> {
    key: Option<&'a str>,
    value: &'a Scalar,
    /// Event positions, for real-time order: its invocation, and its completion if it was
    /// acknowledged (`ok`).
    invoked_at: usize,
    acked_at: Option<usize>,
    /// When it was acknowledged, in virtual time.
    acked: Option<Micros>,
}

/// An order of values, to find a key's writes of a value by binary search.
fn value_order(a: &Scalar, b: &Scalar) -> Ordering {
    let rank = |s: &Scalar| match s {
        Scalar::Null => 0,
        Scalar::Int(_) => 1,
        Scalar::Str(_) => 2,
    };
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(y),
        (Scalar::Str(x), Scalar::Str(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Staleness {
    /// Measures `run`'s `ok` reads, in O(n log n) for n operations (it runs again as the run
    /// grows).
    pub fn of(run: &RunHistory) -> Staleness {
        let ops = &run.history.operations;
        let writes: Vec<Write> = (ops.iter().zip(&run.spans))
            .filter_map(|(op, span)| {
                let value = match &op.call {
                    Call::Write(v) | Call::Cas(_, v) => v,
                    _ => return None,
                };
                let acked = op.outcome == Outcome::Ok;
                (op.outcome != Outcome::Fail).then_some(Write {
                    key: op.key.as_deref(),
                    value,
                    invoked_at: op.invoked_at,
                    acked_at: op.completed_at.filter(|_| acked),
                    acked: span.completed.filter(|_| acked),
                })
            })
            .collect();
        // The acknowledged writes by key and acknowledgement; all of them by key and value.
        let mut acked: Vec<&Write> = writes.iter().filter(|w| w.acked_at.is_some()).collect();
        acked.sort_by(|a, b| (a.key, a.acked_at).cmp(&(b.key, b.acked_at)));
        let mut by_value: Vec<&Write> = writes.iter().collect();
        by_value.sort_by(|a, b| a.key.cmp(&b.key).then(value_order(a.value, b.value)));
        let mut out = Staleness::default();
        for (op, span) in ops.iter().zip(&run.spans) {
            let (Call::Read, Outcome::Ok, Some(got), Some(done)) =
                (&op.call, op.outcome, &op.returned, op.completed_at)
            else {
                continue;
            };
            let key = op.key.as_deref();
            // The latest acknowledged before the read began.
            let before =
                acked.partition_point(|w| (w.key, w.acked_at) < (key, Some(op.invoked_at)));
            let Some(latest) = before
                .checked_sub(1)
                .map(|i| acked[i])
                .filter(|w| w.key == key)
            else {
                continue;
            };
            // Up to date: the value of a write that may have taken effect before the read
            // ended and no earlier than the latest (it was not acknowledged before that began).
            let at = |w: &&Write| w.key.cmp(&key).then(value_order(w.value, got));
            let from = by_value.partition_point(|w| at(w).is_lt());
            let up_to_date = by_value[from..]
                .iter()
                .take_while(|w| at(w).is_eq())
                .any(|w| w.invoked_at < done && w.acked_at.is_none_or(|c| c > latest.invoked_at));
            let age = span.invoked - latest.acked.unwrap_or(span.invoked).min(span.invoked);
            let bin = BINS
                .iter()
                .position(|&(upper, _)| age < upper)
                .unwrap_or(BINS.len() - 1);
            out.bins[bin].reads += 1;
            if up_to_date {
                out.bins[bin].latest += 1;
            }
        }
        out
    }

    /// Reads measured in all.
    pub fn reads(&self) -> usize {
        self.bins.iter().map(|b| b.reads).sum()
    }

    /// The chart: the share up to date against the bins.
    pub fn chart(&self) -> TradeoffChart {
        TradeoffChart {
            title: "reads that returned the latest acknowledged write (%)".into(),
            x_title: "ms since that write was acknowledged".into(),
            xs: (BINS.iter().enumerate())
                .map(|(i, (_, label))| (i as f64, label.to_string()))
                .collect(),
            ys: self.bins.iter().map(Bin::percent).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ops::{OpEvent, OpRecord};

    /// Client events: (t, client, invoke(key, call) or complete(outcome, returned)).
    fn run(events: &[(Micros, u32, Option<Call>, Option<i64>)]) -> RunHistory {
        let records: Vec<OpRecord> = (events.iter())
            .map(|(t, node, call, got)| OpRecord {
                t: *t,
                node: *node,
                event: match call {
                    Some(call) => OpEvent::Invoke {
                        key: Some("x".into()),
                        call: call.clone(),
                    },
                    None => OpEvent::Complete {
                        outcome: Outcome::Ok,
                        returned: got.map(Scalar::Int),
                    },
                },
            })
            .collect();
        RunHistory::from_records(&records)
    }

    fn write(v: i64) -> Option<Call> {
        Some(Call::Write(Scalar::Int(v)))
    }

    const READ: Option<Call> = Some(Call::Read);

    #[test]
    fn reads_are_binned_by_time_since_the_latest_acknowledged_write() {
        let r = run(&[
            // Before any write: left out.
            (0, 2, READ, None),
            (1_000, 2, None, None),
            (2_000, 1, write(1), None),
            (3_000, 1, None, None),
            // 2 ms after x=1: up to date.
            (5_000, 2, READ, None),
            (6_000, 2, None, Some(1)),
            (10_000, 1, write(2), None),
            (11_000, 1, None, None),
            // 69 ms after x=2 it still sees 1: stale.
            (80_000, 2, READ, None),
            (81_000, 2, None, Some(1)),
            // A read concurrent with x=3 that sees 3: newer than the latest, up to date.
            (700_000, 1, write(3), None),
            (700_500, 2, READ, None),
            (701_000, 2, None, Some(3)),
            (702_000, 1, None, None),
            // x=4 and x=5 overlap; x=5 is acknowledged first, x=4 last: a read of 5 may come
            // after both (x=5 may have taken effect last), so it is up to date.
            (800_000, 1, write(4), None),
            (800_100, 3, write(5), None),
            (800_200, 3, None, None),
            (800_300, 1, None, None),
            (800_400, 2, READ, None),
            (800_500, 2, None, Some(5)),
            // Later, a read of 3 is stale.
            (801_000, 2, READ, None),
            (802_000, 2, None, Some(3)),
        ]);
        let s = Staleness::of(&r);
        let bin = |reads, latest| Bin { reads, latest };
        assert_eq!(s.reads(), 5);
        assert_eq!(s.bins[0], bin(3, 2), "x=1 and x=5 up to date, x=3 stale");
        assert_eq!(s.bins[2], bin(1, 0));
        assert_eq!(s.bins[4], bin(1, 1), "689.5 ms after x=2");
        let chart = s.chart();
        assert_eq!(
            chart.description(),
            "reads that returned the latest acknowledged write (%) against ms since that write was acknowledged: <10: 67, 10–50: none, 50–100: 0, 100–500: none, ≥500: 100"
        );
    }
}
