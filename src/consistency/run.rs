//! A run's client history: the operation events a simulated run recorded, turned into a
//! [`History`] the checkers read, with each operation's virtual times for the page.

use crate::sim::node::NodeId;
use crate::sim::ops::{Call, OpEvent, OpRecord};
use crate::sim::time::Micros;

use super::history::History;
use super::model::Model;

/// When and by whom one operation ran, in virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpSpan {
    /// The client node (also the operation's `process`).
    pub client: NodeId,
    /// When it was invoked.
    pub invoked: Micros,
    /// When it completed; `None` while in flight (or if it never will).
    pub completed: Option<Micros>,
}

/// A run's history with the virtual times of its operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunHistory {
    /// The operations, with positions that are event numbers in time order.
    pub history: History,
    /// `spans[i]` is when `history.operations[i]` ran.
    pub spans: Vec<OpSpan>,
}

impl RunHistory {
    /// The history the op events of a run make, in trace order. An event that does not fit (a
    /// completion with no invocation in flight, an invocation while one is in flight) is a
    /// protocol bug the checkers cannot judge; it is skipped rather than trusted.
    pub fn from_records(records: &[OpRecord]) -> RunHistory {
        let mut run = RunHistory::default();
        for r in records {
            match &r.event {
                OpEvent::Invoke { key, call } => {
                    if let Ok(id) =
                        (run.history).invoke(r.node.into(), key.as_deref(), call.clone())
                    {
                        debug_assert_eq!(id, run.spans.len());
                        run.spans.push(OpSpan {
                            client: r.node,
                            invoked: r.t,
                            completed: None,
                        });
                    }
                }
                OpEvent::Complete { outcome, returned } => {
                    if let Ok(id) =
                        (run.history).complete(r.node.into(), *outcome, returned.clone())
                    {
                        run.spans[id].completed = Some(r.t);
                    }
                }
            }
        }
        run
    }

    /// The model the operations call for: a compare-and-set register per key, or the key–value
    /// model when strings are appended.
    pub fn model(&self) -> Model {
        let appends = (self.history.operations.iter()).any(|op| matches!(op.call, Call::Append(_)));
        if appends {
            Model::Kv
        } else {
            Model::CasRegister
        }
    }

    /// The history as Jepsen-style JSON Lines (what `quorumscope run --history` writes).
    pub fn to_jsonl(&self) -> String {
        self.history.to_jsonl()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::{Outcome, Scalar, Verdict, check};

    fn at(t: Micros, node: NodeId, event: OpEvent) -> OpRecord {
        OpRecord { t, node, event }
    }

    #[test]
    fn records_make_operations_with_their_times_and_a_checkable_history() {
        let key = Some("x".to_string());
        let records = [
            at(
                10,
                7,
                OpEvent::Invoke {
                    key: key.clone(),
                    call: Call::Write(Scalar::Int(1)),
                },
            ),
            at(
                12,
                8,
                OpEvent::Invoke {
                    key: key.clone(),
                    call: Call::Read,
                },
            ),
            at(
                20,
                7,
                OpEvent::Complete {
                    outcome: Outcome::Ok,
                    returned: None,
                },
            ),
            at(
                30,
                8,
                OpEvent::Complete {
                    outcome: Outcome::Ok,
                    returned: Some(Scalar::Null),
                },
            ),
            at(
                40,
                8,
                OpEvent::Invoke {
                    key: key.clone(),
                    call: Call::Read,
                },
            ),
            // A stray completion is skipped.
            at(
                41,
                9,
                OpEvent::Complete {
                    outcome: Outcome::Ok,
                    returned: None,
                },
            ),
            at(
                50,
                8,
                OpEvent::Complete {
                    outcome: Outcome::Ok,
                    returned: Some(Scalar::Null),
                },
            ),
        ];
        let run = RunHistory::from_records(&records);
        assert_eq!(run.history.operations.len(), 3);
        assert_eq!(run.history.operations[1].process, 8);
        assert_eq!(
            run.spans,
            [
                OpSpan {
                    client: 7,
                    invoked: 10,
                    completed: Some(20)
                },
                OpSpan {
                    client: 8,
                    invoked: 12,
                    completed: Some(30)
                },
                OpSpan {
                    client: 8,
                    invoked: 40,
                    completed: Some(50)
                },
            ]
        );
        assert_eq!(run.model(), Model::CasRegister);
        // The read at 40 began after the write of 1 completed, yet saw nothing: stale.
        assert!(matches!(
            check(&run.history, run.model()).unwrap(),
            Verdict::NotLinearizable { .. }
        ));
    }
}
