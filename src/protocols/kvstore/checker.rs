//! The store's checker: every client operation goes into a history as it completes, and the
//! history is judged as it grows — linearizable per key (the Wing–Gong search of
//! [`crate::consistency`]), read-your-writes and monotonic reads per client — and the updates
//! a leaderless store's last-writer-wins drops are counted.
//!
//! A read that returned siblings (version vectors) is not a register's read: the history keeps
//! its values as one (`10002|30004`), which no write wrote, so the key is not linearizable from
//! there; the per-client guarantees judge single values only.
//!
//! Values are unique per write, so a read names the write it saw; "older" below means that
//! write completed before the other was invoked (real-time order, which every guarantee here
//! respects).

use super::KvNode;
use super::msg::KvNote;
use super::op::{Op, key_name, shown};
use super::settings::{Mode, Settings};
use super::version::Reconcile;
use crate::consistency::{Call, Growing, Model, Operation, Outcome, Scalar, Verdict};
use crate::sim::time::format_time;
use crate::sim::{Checker, Finding, Micros, NodeId, Note};

/// Invariant: the history of each key is linearizable.
pub const LINEARIZABLE: &str = "Linearizable";
/// Invariant: a client's read returns its own latest acknowledged write or a newer value.
pub const READ_YOUR_WRITES: &str = "Read Your Writes";
/// Invariant: a client's reads of a key never go back to an older value.
pub const MONOTONIC_READS: &str = "Monotonic Reads";
/// Invariant: no replica keeps a write over a later one whose coordinator had seen it.
pub const NO_LOST_UPDATES: &str = "No Lost Updates";

/// Most configurations one check of a key may explore before it gives up (the key is then
/// left unjudged rather than the page stalled).
pub const MAX_STATES: usize = 200_000;

/// One key's operations so far.
#[derive(Clone, Debug)]
struct KeyLog {
    /// Checked as it grows: a check costs the operations since the last quiet moment.
    history: Growing,
    /// Per operation: client, invoked, completed.
    times: Vec<(NodeId, Micros, Option<Micros>)>,
    /// Found not linearizable (checked no further).
    broken: bool,
    /// The search gave up on it.
    undecided: bool,
}

/// A write as reads are judged against it: when it was invoked and completed (event numbers).
#[derive(Clone, Copy, Debug)]
struct WriteSpan {
    invoked: u64,
    completed: Option<u64>,
}

/// What one client last did with one key.
#[derive(Clone, Copy, Debug, Default)]
struct ClientKey {
    /// The value of its latest acknowledged write.
    wrote: Option<u64>,
    /// The value its latest read returned.
    read: Option<u64>,
}

/// The store's checker.
#[derive(Clone, Debug, Default)]
pub struct KvChecker {
    keys: Vec<KeyLog>,
    /// Writes by value (values are unique).
    writes: Vec<(u64, u8, WriteSpan)>,
    /// (client, key) → what it did last.
    clients: Vec<((NodeId, u8), ClientKey)>,
    /// Event counter, a position in real time.
    clock: u64,
    /// Each client's operation in flight: when it was invoked (on `clock`).
    started: Vec<(NodeId, u64)>,
    counts: [u64; 3],
    reads: u64,
    fresh_reads: u64,
    /// Quorum mode: how its replicas reconcile (`None` under Raft).
    reconcile: Option<Reconcile>,
    /// Reads that returned siblings.
    sibling_reads: u64,
    /// Values of the writes lost to last-writer-wins, each reported once.
    lost: Vec<u64>,
}

impl KvChecker {
    /// A checker for a run with settings `s`.
    pub fn new(s: &Settings) -> Self {
        KvChecker {
            keys: (0..s.keys as u8)
                .map(|k| KeyLog {
                    history: Growing::new(Model::CasRegister, Some(&key_name(k)), MAX_STATES),
                    times: Vec::new(),
                    broken: false,
                    undecided: false,
                })
                .collect(),
            reconcile: (s.mode == Mode::Quorum).then_some(s.reconcile),
            ..KvChecker::default()
        }
    }

    fn write_of(&self, value: u64) -> Option<WriteSpan> {
        self.writes
            .iter()
            .find(|(v, _, _)| *v == value)
            .map(|(_, _, w)| *w)
    }

    /// Whether the write of `a` surely precedes the write of `b` (null precedes everything).
    fn older(&self, a: u64, b: u64) -> bool {
        if a == b || b == 0 {
            return false;
        }
        if a == 0 {
            return true;
        }
        match (self.write_of(a), self.write_of(b)) {
            (Some(wa), Some(wb)) => wa.completed.is_some_and(|c| c < wb.invoked),
            _ => false,
        }
    }

    fn client_key(&mut self, client: NodeId, key: u8) -> &mut ClientKey {
        let at = match self.clients.iter().position(|(k, _)| *k == (client, key)) {
            Some(i) => i,
            None => {
                self.clients.push(((client, key), ClientKey::default()));
                self.clients.len() - 1
            }
        };
        &mut self.clients[at].1
    }

    fn record(&mut self, now: Micros, node: NodeId, note: &KvNote, found: &mut Vec<Finding>) {
        self.clock += 1;
        match *note {
            KvNote::Invoke { op, .. } => {
                match self.started.iter_mut().find(|(c, _)| *c == node) {
                    Some(s) => s.1 = self.clock,
                    None => self.started.push((node, self.clock)),
                }
                let log = &mut self.keys[usize::from(op.key())];
                let _ = log.history.invoke(node.into(), op.call());
                log.times.push((node, now, None));
                if let Op::Write { value: v, .. } | Op::Cas { new: v, .. } = op {
                    self.writes.push((
                        v,
                        op.key(),
                        WriteSpan {
                            invoked: self.clock,
                            completed: None,
                        },
                    ));
                }
            }
            KvNote::Complete {
                op,
                outcome,
                value,
                siblings,
                ..
            } => {
                let key = op.key();
                let log = &mut self.keys[usize::from(key)];
                let returned = super::op::returned(op, outcome, value, siblings);
                if let Ok(id) = log.history.complete(node.into(), outcome, returned) {
                    log.times[id].2 = Some(now);
                    if !siblings.is_empty() && outcome == Outcome::Ok {
                        self.sibling_reads += 1;
                        self.reads += 1;
                        let fresh = siblings.values().any(|v| self.is_fresh(node, key, v));
                        self.fresh_reads += u64::from(fresh);
                        let log = &mut self.keys[usize::from(key)];
                        if !log.broken {
                            log.broken = true;
                            found.push(Finding {
                                invariant: LINEARIZABLE,
                                detail: format!(
                                    "{}: concurrent writes the store keeps side by side, where a register's read returns one value",
                                    log.history.find(id).map_or_else(
                                        || format!("Node {node} read → siblings {}", siblings.shown()),
                                        |op| describe(log, op, Some(id))
                                    )
                                ),
                            });
                        }
                    }
                }
                self.counts[match outcome {
                    Outcome::Ok => 0,
                    Outcome::Fail => 1,
                    Outcome::Info => 2,
                }] += 1;
                let clock = self.clock;
                if let (Op::Write { value: v, .. } | Op::Cas { new: v, .. }, Outcome::Ok) =
                    (op, outcome)
                {
                    if let Some((_, _, w)) = self.writes.iter_mut().rev().find(|(x, _, _)| *x == v)
                    {
                        w.completed = Some(clock);
                    }
                    self.client_key(node, key).wrote = Some(v);
                }
                if let (Op::Read { .. }, Outcome::Ok, Some(v)) = (op, outcome, value) {
                    self.judge_read(node, key, v, found);
                }
                if outcome != Outcome::Info {
                    self.judge_key(key, found);
                }
            }
            KvNote::LostUpdate { lost, .. } if !self.lost.contains(&lost.value) => {
                self.lost.push(lost.value);
                found.push(Finding {
                    invariant: NO_LOST_UPDATES,
                    detail: note.describe(node), // what the event log says of it
                });
            }
            _ => {}
        }
    }

    /// Whether a read by `client` of `key` returning `v` saw the key's latest write
    /// acknowledged before the read began, or a newer one.
    fn is_fresh(&self, client: NodeId, key: u8, v: u64) -> bool {
        let began = (self.started.iter())
            .find(|(c, _)| *c == client)
            .map_or(0, |s| s.1);
        let latest = (self.writes.iter())
            .filter(|(_, k, w)| *k == key && w.completed.is_some_and(|c| c < began))
            .max_by_key(|(_, _, w)| w.completed)
            .map_or(0, |(x, _, _)| *x);
        !self.older(v, latest)
    }

    fn judge_read(&mut self, client: NodeId, key: u8, v: u64, found: &mut Vec<Finding>) {
        self.reads += 1;
        // Against the latest write of the key acknowledged before the read began, among every
        // client's (one acknowledged during the read may or may not precede it).
        if self.is_fresh(client, key, v) {
            self.fresh_reads += 1;
        }
        let before = *self.client_key(client, key);
        let name = key_name(key);
        if let Some(w) = before.wrote.filter(|&w| self.older(v, w)) {
            found.push(Finding {
                invariant: READ_YOUR_WRITES,
                detail: format!(
                    "Node {client} read {name} → {} after its own write of {w} was acknowledged",
                    shown(v)
                ),
            });
        }
        if let Some(r) = before.read.filter(|&r| self.older(v, r)) {
            found.push(Finding {
                invariant: MONOTONIC_READS,
                detail: format!(
                    "Node {client} read {name} → {} after it had read {r}, a newer value",
                    shown(v)
                ),
            });
        }
        self.client_key(client, key).read = Some(v);
    }

    fn judge_key(&mut self, key: u8, found: &mut Vec<Finding>) {
        let log = &mut self.keys[usize::from(key)];
        if log.broken || log.undecided {
            return;
        }
        match log.history.check() {
            Ok(Verdict::NotLinearizable { witness, .. }) => {
                log.broken = true;
                let ops: Vec<String> = (witness.iter())
                    .map(|&id| describe(log, log.history.operation(id), log.history.whole_id(id)))
                    .collect();
                found.push(Finding {
                    invariant: LINEARIZABLE,
                    detail: format!(
                        "the operations on {} cannot be put in one order that respects real time: {}",
                        key_name(key),
                        ops.join("; ")
                    ),
                });
            }
            Ok(Verdict::GaveUp { .. }) => log.undecided = true,
            _ => {}
        }
    }

    /// The share of reads that returned the latest acknowledged write (or a newer one), as
    /// (fresh, all).
    pub fn fresh_reads(&self) -> (u64, u64) {
        (self.fresh_reads, self.reads)
    }
}

/// `Node 7 read x → 3 (1.204–1.230 s)`; for a stand-in of the history before the last quiet
/// moment (no `id`), `x = 3 as the earlier operations may have left it`.
fn describe(log: &KeyLog, op: &Operation, id: Option<usize>) -> String {
    let Some((client, from, to)) = id.and_then(|id| log.times.get(id).copied()) else {
        let value = match &op.call {
            Call::Write(v) => v.to_string(),
            _ => "?".into(),
        };
        return format!("{value} as the earlier operations may have left it");
    };
    let what = match (&op.call, &op.returned) {
        (Call::Read, Some(Scalar::Str(siblings))) => format!("read → siblings {siblings}"),
        (Call::Read, Some(v)) => format!("read → {v}"),
        (Call::Read, None) => "read".into(),
        (Call::Write(v), _) => format!("write {v}"),
        (Call::Cas(a, b), _) => format!("cas {a}→{b}"),
        (Call::Append(s), _) => format!("append {s}"),
    };
    let end = to.map_or("never answered".into(), format_time);
    format!(
        "Node {client} {what} ({}–{end}, {})",
        format_time(from),
        op.outcome.name()
    )
}

impl Checker<KvNode> for KvChecker {
    fn check(
        &mut self,
        now: Micros,
        nodes: &[KvNode],
        _up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let Some(node) = nodes.get(touched as usize - 1) else {
            return;
        };
        for note in node.fresh() {
            self.record(now, touched, note, found);
        }
    }

    fn summary(&self) -> Vec<(String, String)> {
        let [ok, fail, info] = self.counts;
        let mut lines = vec![(
            "Operations completed".to_string(),
            format!("{ok} ok, {fail} failed, {info} unknown"),
        )];
        if let Some(share) = (self.fresh_reads * 100).checked_div(self.reads) {
            lines.push((
                "Reads that saw the latest acknowledged write".to_string(),
                format!("{share}% ({} of {})", self.fresh_reads, self.reads),
            ));
        }
        let broken: Vec<String> = (self.keys.iter().enumerate())
            .filter(|(_, k)| k.broken)
            .map(|(i, _)| key_name(i as u8))
            .collect();
        match self.reconcile {
            Some(Reconcile::Lww) => lines.push((
                "Updates lost to last-writer-wins".to_string(),
                self.lost.len().to_string(),
            )),
            Some(Reconcile::Vectors) => lines.push((
                "Reads that returned siblings".to_string(),
                format!("{} of {}", self.sibling_reads, self.reads),
            )),
            None => {}
        }
        let undecided = self.keys.iter().any(|k| k.undecided);
        lines.push((
            "Linearizable".to_string(),
            if !broken.is_empty() {
                format!("no ({})", broken.join(", "))
            } else if undecided {
                "undecided (the search gave up)".to_string()
            } else {
                "yes, so far".to_string()
            },
        ));
        lines
    }
}
