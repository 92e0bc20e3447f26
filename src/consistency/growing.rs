//! One register's history checked as it grows, at a cost that follows the operations since the
//! last quiet moment rather than the whole history: what a live checker needs, which judges the
//! history again at every completion.
//!
//! At a quiet moment (every operation invoked so far has completed, or has an unknown outcome)
//! the history is cut: no later operation can be ordered before one completed already, so the
//! past matters only through the values the register may hold at the cut. The checker computes
//! that set and starts a new segment with stand-ins for it: one completed write per value, all
//! concurrent, so that any of them may be the last. A write or cas of unknown outcome (`info`)
//! may still take effect after the cut; one whose value nothing in the segment observed is
//! carried into the new segment instead (taking effect last before the cut is the same as taking
//! effect first after it, and being overwritten unobserved the same as never taking effect),
//! while one a read or cas observed must have taken effect before. When neither holds (a failed
//! cas might have been ordered after it), the segment is not cut and simply grows.
//!
//! This needs each value to be written at most once, and never the register's initial value, as
//! the key–value store's clients do: a value then names the write that wrote it. The verdicts agree with checking the whole history
//! (`tests/linearizability.rs` compares them on thousands of random histories).

use super::history::{Call, History, HistoryError, Operation, Outcome, Scalar};
use super::linearizable::{Verdict, check_with_limit};
use super::model::Model;

/// Process numbers of stand-ins, counted down from here so that they meet no client's.
const STAND_IN: u64 = u64::MAX / 2;

/// The process of the read that probes which values the register may hold at a cut.
const PROBE: u64 = u64::MAX;

/// One register's history, checked as it grows.
#[derive(Clone, Debug)]
pub struct Growing {
    model: Model,
    key: Option<String>,
    max_states: usize,
    /// The segment since the last cut: stand-ins and carried operations first.
    segment: History,
    /// For each operation of `segment`, its id in the whole history (`None` for a stand-in).
    ids: Vec<Option<usize>>,
    /// Operations recorded so far (the next one's id).
    recorded: usize,
    /// Processes with an operation in flight.
    in_flight: Vec<u64>,
    /// The next stand-in's process.
    next_stand_in: u64,
    /// The segment can never be cut: a failed cas may be ordered after a write of unknown
    /// outcome in it (it then grows as a whole history does).
    stuck: bool,
}

impl Growing {
    /// An empty history of `key` (`None`: a single register), checked against `model` with at
    /// most `max_states` configurations per search.
    pub fn new(model: Model, key: Option<&str>, max_states: usize) -> Growing {
        Growing {
            model,
            key: key.map(str::to_string),
            max_states,
            segment: History::new(),
            ids: Vec::new(),
            recorded: 0,
            in_flight: Vec::new(),
            next_stand_in: STAND_IN,
            stuck: false,
        }
    }

    /// Records that `process` invoked `call`; its id in the whole history.
    pub fn invoke(&mut self, process: u64, call: Call) -> Result<usize, HistoryError> {
        self.segment.invoke(process, self.key.as_deref(), call)?;
        self.ids.push(Some(self.recorded));
        self.in_flight.push(process);
        self.recorded += 1;
        Ok(self.recorded - 1)
    }

    /// Records that `process`'s operation completed; its id in the whole history.
    pub fn complete(
        &mut self,
        process: u64,
        outcome: Outcome,
        returned: Option<Scalar>,
    ) -> Result<usize, HistoryError> {
        let at = self.segment.complete(process, outcome, returned)?;
        self.in_flight.retain(|&p| p != process);
        Ok(self.ids[at].expect("a client's operation"))
    }

    /// Checks the history so far. The verdict's operation ids are the segment's: see
    /// [`Growing::whole_id`] and [`Growing::operation`]. After a linearizable verdict at a quiet
    /// moment the history is cut.
    pub fn check(&mut self) -> Result<Verdict, HistoryError> {
        let verdict = check_with_limit(&self.segment, self.model, self.max_states)?;
        if matches!(verdict, Verdict::Linearizable(_)) && self.in_flight.is_empty() && !self.stuck {
            self.cut();
        }
        Ok(verdict)
    }

    /// The whole history's id of segment operation `id` (`None` for a stand-in).
    pub fn whole_id(&self, id: usize) -> Option<usize> {
        self.ids.get(id).copied().flatten()
    }

    /// Segment operation `id`.
    pub fn operation(&self, id: usize) -> &Operation {
        &self.segment.operations[id]
    }

    /// The operation with id `whole` in the whole history, while it is in the segment (an
    /// operation is, from its invocation to the check after its completion).
    pub fn find(&self, whole: usize) -> Option<&Operation> {
        let at = (self.ids.iter()).rposition(|&id| id == Some(whole))?;
        self.segment.operations.get(at)
    }

    /// Operations in the current segment, stand-ins included.
    pub fn segment_len(&self) -> usize {
        self.segment.operations.len()
    }

    /// Starts a new segment, if the one so far can be summed up (see the module's comment).
    fn cut(&mut self) {
        let ops = &self.segment.operations;
        let mut carried = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            if op.outcome != Outcome::Info {
                continue;
            }
            let Some(v) = written(&op.call) else {
                continue; // a read of unknown outcome plays no part
            };
            let observed = |o: &Operation| match &o.call {
                Call::Read => o.returned.as_ref() == Some(v),
                Call::Cas(expected, _) => expected == v,
                _ => false,
            };
            let settled = (ops.iter()).any(|o| o.outcome == Outcome::Ok && observed(o));
            if settled {
                continue;
            }
            let failed_cas_after = (ops.iter()).any(|o| {
                matches!(o.call, Call::Cas(..))
                    && o.outcome == Outcome::Fail
                    && o.completed_at.is_none_or(|c| c > op.invoked_at)
            });
            if failed_cas_after {
                self.stuck = true; // for good: both stay in the segment
                return;
            }
            if ops.iter().any(observed) {
                return; // observed, but perhaps not applied: it may still take effect later
            }
            carried.push(i);
        }
        // The values the register may hold at the cut, without the carried operations: the
        // segment again, in the same event order, less those.
        let mut events: Vec<(usize, usize, bool)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            if !carried.contains(&i) {
                events.push((op.invoked_at, i, true));
                events.extend(op.completed_at.map(|c| (c, i, false)));
            }
        }
        events.sort_unstable();
        let mut prefix = History::new();
        for (_, i, invoke) in events {
            let op = &ops[i];
            let done = if invoke {
                prefix.invoke(op.process, op.key.as_deref(), op.call.clone())
            } else {
                prefix.complete(op.process, op.outcome, op.returned.clone())
            };
            if done.is_err() {
                return;
            }
        }
        let mut finals: Vec<Scalar> = Vec::new();
        for value in self.candidates(&prefix) {
            let mut probe = prefix.clone();
            let read = probe
                .invoke(PROBE, self.key.as_deref(), Call::Read)
                .and_then(|_| probe.complete(PROBE, Outcome::Ok, Some(value.clone())));
            match (read, check_with_limit(&probe, self.model, self.max_states)) {
                (Ok(_), Ok(Verdict::Linearizable(_))) => finals.push(value),
                (Ok(_), Ok(Verdict::NotLinearizable { .. })) => {}
                _ => return, // undecided: keep the segment whole
            }
        }
        if finals.is_empty() {
            return;
        }
        // The new segment: the stand-ins, concurrent, then the carried operations.
        let carried: Vec<(Call, Option<usize>)> = (carried.iter())
            .map(|&i| (ops[i].call.clone(), self.ids[i]))
            .collect();
        let key = self.key.clone();
        let mut segment = History::new();
        let mut ids = Vec::new();
        let mut stand_ins = Vec::new();
        if finals != [self.model.initial()] {
            for value in finals {
                let p = self.fresh_process();
                let _ = segment.invoke(p, key.as_deref(), Call::Write(value));
                ids.push(None);
                stand_ins.push(p);
            }
        }
        for p in stand_ins {
            let _ = segment.complete(p, Outcome::Ok, None);
        }
        for (call, id) in carried {
            let p = self.fresh_process();
            let _ = segment.invoke(p, key.as_deref(), call);
            let _ = segment.complete(p, Outcome::Info, None);
            ids.push(id);
        }
        self.segment = segment;
        self.ids = ids;
    }

    /// Values the register may hold after `prefix` (every operation of it complete): the
    /// initial value if nothing must have been written, and each written value no write that
    /// took effect follows in real time.
    fn candidates(&self, prefix: &History) -> Vec<Scalar> {
        let ops = &prefix.operations;
        let took_effect = |o: &Operation| o.outcome == Outcome::Ok && written(&o.call).is_some();
        let mut out = Vec::new();
        if !ops.iter().any(took_effect) {
            out.push(self.model.initial());
        }
        for op in ops {
            let Some(v) = written(&op.call) else {
                continue;
            };
            if op.outcome == Outcome::Fail {
                continue;
            }
            // An `ok` write is overwritten by one invoked after it completed; one of unknown
            // outcome may take effect at any time.
            let overwritten = op.outcome == Outcome::Ok
                && (ops.iter())
                    .any(|o| took_effect(o) && op.completed_at.is_some_and(|c| c < o.invoked_at));
            if !overwritten && !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    }

    fn fresh_process(&mut self) -> u64 {
        self.next_stand_in -= 1;
        self.next_stand_in
    }
}

/// The value an operation writes, if it writes one.
fn written(call: &Call) -> Option<&Scalar> {
    match call {
        Call::Write(v) | Call::Cas(_, v) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linearizable(g: &mut Growing) -> bool {
        matches!(g.check().unwrap(), Verdict::Linearizable(_))
    }

    #[test]
    fn a_quiet_moment_cuts_and_an_unobserved_timed_out_write_is_carried() {
        let mut g = Growing::new(Model::CasRegister, Some("x"), 10_000);
        g.invoke(1, Call::Write(Scalar::Int(1))).unwrap();
        g.complete(1, Outcome::Ok, None).unwrap();
        g.invoke(2, Call::Write(Scalar::Int(2))).unwrap();
        assert_eq!(g.complete(2, Outcome::Info, None).unwrap(), 1);
        assert!(linearizable(&mut g));
        // Cut: a stand-in for x = 1, and the timed-out write of 2, which may still land.
        assert_eq!(g.segment_len(), 2);
        assert_eq!((g.whole_id(0), g.whole_id(1)), (None, Some(1)));
        // It lands after the cut: a read sees it.
        g.invoke(3, Call::Read).unwrap();
        g.complete(3, Outcome::Ok, Some(Scalar::Int(2))).unwrap();
        assert!(linearizable(&mut g));
        assert_eq!(g.segment_len(), 1, "x = 2 now, for good");
        // Nothing writes 1 again.
        g.invoke(1, Call::Read).unwrap();
        g.complete(1, Outcome::Ok, Some(Scalar::Int(1))).unwrap();
        let Verdict::NotLinearizable { witness, .. } = g.check().unwrap() else {
            panic!("a read of an overwritten value");
        };
        let ids: Vec<_> = witness.iter().map(|&id| g.whole_id(id)).collect();
        assert!(ids.contains(&Some(3)), "{ids:?}");
    }

    #[test]
    fn a_failed_cas_after_a_timed_out_write_keeps_the_segment_whole() {
        let mut g = Growing::new(Model::CasRegister, None, 10_000);
        g.invoke(1, Call::Write(Scalar::Int(1))).unwrap();
        g.complete(1, Outcome::Info, None).unwrap();
        g.invoke(2, Call::Cas(Scalar::Null, Scalar::Int(2)))
            .unwrap();
        g.complete(2, Outcome::Fail, None).unwrap();
        assert!(linearizable(&mut g));
        // The failed cas needs the write of 1 before it: neither can be summed up.
        assert_eq!(g.segment_len(), 2);
        g.invoke(3, Call::Read).unwrap();
        g.complete(3, Outcome::Ok, Some(Scalar::Int(1))).unwrap();
        assert!(linearizable(&mut g));
        assert_eq!(g.segment_len(), 3);
    }
}
