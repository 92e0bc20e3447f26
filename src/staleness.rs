//! How stale a run's reads were: of the reads that completed `ok`, the share that returned the
//! latest acknowledged write of their key (the write whose completion came last before the
//! read was invoked), by how long before the read that write was acknowledged. A read that
//! returned the value of a write that may have taken effect after that one (it overlapped it,
//! or was not acknowledged yet when the read began) counts as up to date too: it saw no less
//! than the latest write. Reads with no acknowledged write before them are left out. Pure; the
//! page draws it with [`crate::charts::tradeoff`].

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

/// The value a write or cas sets, if it is one.
fn written(call: &Call) -> Option<&Scalar> {
    match call {
        Call::Write(v) | Call::Cas(_, v) => Some(v),
        _ => None,
    }
}

/// One key's writes as the sweep through time has met them (operation ids).
#[derive(Default)]
struct KeyWrites<'a> {
    key: Option<&'a str>,
    /// Acknowledged (`ok`), in the order of their acknowledgements.
    acked: Vec<usize>,
    /// In flight.
    open: Vec<usize>,
    /// Completed `info`: they may take effect at any later time.
    unknown: Vec<usize>,
}

impl Staleness {
    /// Measures `run`'s `ok` reads in one sweep through its events in time order (it runs
    /// again as the run grows, so it is linear in the operations and each read looks only at
    /// the writes around it; no sort).
    pub fn of(run: &RunHistory) -> Staleness {
        let ops = &run.history.operations;
        // Each event's operation by position (positions are event numbers, one per event).
        let last = (ops.iter())
            .map(|o| o.completed_at.unwrap_or(o.invoked_at))
            .max();
        let mut events: Vec<Option<(usize, bool)>> = vec![None; last.map_or(0, |l| l + 1)];
        for (id, op) in ops.iter().enumerate() {
            events[op.invoked_at] = Some((id, false));
            if let Some(c) = op.completed_at {
                events[c] = Some((id, true));
            }
        }
        let mut keys: Vec<KeyWrites> = Vec::new();
        // The latest acknowledged write of its key when each read began.
        let mut latest_then: Vec<Option<usize>> = vec![None; ops.len()];
        let mut out = Staleness::default();
        for (id, completion) in events.into_iter().flatten() {
            let op = &ops[id];
            let key = op.key.as_deref();
            let k = match keys.iter().position(|k| k.key == key) {
                Some(k) => k,
                None => {
                    keys.push(KeyWrites {
                        key,
                        ..KeyWrites::default()
                    });
                    keys.len() - 1
                }
            };
            let writes = &mut keys[k];
            match (&op.call, completion) {
                (Call::Read, false) => latest_then[id] = writes.acked.last().copied(),
                (Call::Read, true) => {
                    let (Outcome::Ok, Some(got), Some(l)) =
                        (op.outcome, &op.returned, latest_then[id])
                    else {
                        continue;
                    };
                    let latest = &ops[l];
                    // Up to date: the value of a write that may have taken effect before the
                    // read ended and no earlier than the latest (it was not acknowledged before
                    // that began).
                    let later = (writes.acked.iter().rev())
                        .take_while(|&&w| ops[w].completed_at > Some(latest.invoked_at));
                    let up_to_date = (later.chain(&writes.open).chain(&writes.unknown))
                        .any(|&w| written(&ops[w].call) == Some(got));
                    let acked = run.spans[l].completed.unwrap_or(0);
                    let age = run.spans[id].invoked.saturating_sub(acked);
                    let bin = (BINS.iter())
                        .position(|&(upper, _)| age < upper)
                        .unwrap_or(BINS.len() - 1);
                    out.bins[bin].reads += 1;
                    out.bins[bin].latest += usize::from(up_to_date);
                }
                (call, false) if written(call).is_some() => writes.open.push(id),
                (_, false) => {}
                (_, true) => {
                    writes.open.retain(|&w| w != id);
                    match op.outcome {
                        Outcome::Ok => writes.acked.push(id),
                        Outcome::Info => writes.unknown.push(id),
                        Outcome::Fail => {}
                    }
                }
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
