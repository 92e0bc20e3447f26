//! Logical clocks for every protocol's runs: Lamport timestamps and vector clocks of the
//! communication events, the causal past and future of one event, and the events as a ShiViz
//! log.
//!
//! **What an event is.** A node's events are its sends and its deliveries, in trace order: a
//! message put on the wire is a *send* event at its sender, and a message that arrives is a
//! *delivery* event at its receiver. A lost message (the network, a partition, a crashed
//! receiver, the visitor) has a send and no delivery; a duplicated message is two messages.
//! Workload clients are nodes like any other. Timers, client hand-offs, notes, crashes and
//! restarts are not events: they neither send nor receive, so they change nothing about what
//! happened before what (a restarted node's events keep their order: what it persisted carries
//! over). ShiViz wants every event it shows to carry a clock, and these are all of them.
//!
//! **Clocks.** Lamport's: a send is the node's clock + 1 and the message carries it; a delivery
//! is the larger of the node's clock and the message's, + 1. Vector (Fidge, Mattern): node i's
//! own component counts its events, so an event's own component is its place among its node's
//! events (from 1); a delivery first takes the component-wise maximum with the vector the
//! message carried. Event a happened before b exactly when a's vector is ≤ b's in every
//! component and differs; neither before the other is *concurrent*.
//!
//! **Cost.** Nothing here runs while the simulation runs (the engine keeps no clock per
//! message): clocks are computed on demand from the trace by a forward pass. [`Causality`]
//! keeps a copy of the pass's state (every node's clocks and those of the messages in flight)
//! every `every` trace lines, at most [`MAX_SNAPSHOTS`] copies (when there would be more, every
//! other one goes and the interval doubles), so a query replays at most one interval plus the
//! stretch it asks about, and memory stays bounded however long the run.

use super::node::NodeId;
use super::time::{Micros, format_time};
use super::trace::{Record, RecordKind};

/// Trace lines between two snapshots at first (the interval doubles as the run grows).
const FIRST_EVERY: usize = 1_024;
/// Snapshots kept at most.
pub const MAX_SNAPSHOTS: usize = 64;

/// A communication event: a message's send (at its sender) or its delivery (at its receiver).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommEvent {
    /// The message's id.
    pub msg: u64,
    /// The delivery at the receiver (else the send at the sender).
    pub delivery: bool,
}

/// The logical clocks of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventClock {
    /// The event.
    pub event: CommEvent,
    /// The node it happened at.
    pub node: NodeId,
    /// Its virtual time.
    pub t: Micros,
    /// Its Lamport timestamp.
    pub lamport: u64,
    /// Its vector clock: component `i` counts node `i + 1`'s events up to this one.
    pub vector: Vec<u32>,
}

impl EventClock {
    /// Its place among its node's events, from 1 (its own vector component).
    pub fn seq(&self) -> u32 {
        self.vector[self.node as usize - 1]
    }

    /// The vector as text: `[2,0,1]`.
    pub fn vector_text(&self) -> String {
        vector_text(&self.vector)
    }
}

/// A vector of counts as text, `[2,0,1]`: a vector clock here, a protocol's version vector too.
pub fn vector_text(counts: &[u32]) -> String {
    let mut s = String::from("[");
    for (i, c) in counts.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&c.to_string());
    }
    s.push(']');
    s
}

/// How an event stands to another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// It is that event.
    Same,
    /// It happened before it (its causal past).
    Before,
    /// It happened after it (its causal future).
    After,
    /// Neither.
    Concurrent,
}

/// How the event with vector clock `a` stands to the one with `b`.
pub fn compare(a: &[u32], b: &[u32]) -> Relation {
    let le = a.iter().zip(b).all(|(x, y)| x <= y);
    let ge = a.iter().zip(b).all(|(x, y)| x >= y);
    match (le, ge) {
        (true, true) => Relation::Same,
        (true, false) => Relation::Before,
        (false, true) => Relation::After,
        (false, false) => Relation::Concurrent,
    }
}

/// One event's causal past and future, up to now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cone {
    /// The event and its clocks: its vector tells, per node, how many of that node's first
    /// events are in its past (itself included).
    pub clock: EventClock,
    /// Per node, the place (from 1) of its earliest event in the future; `u32::MAX` if none up
    /// to now.
    pub future: Vec<u32>,
}

impl Cone {
    /// How the `seq`-th event of `node` stands to the event.
    pub fn relation(&self, node: NodeId, seq: u32) -> Relation {
        let i = node as usize - 1;
        if node == self.clock.node && seq == self.clock.seq() {
            Relation::Same
        } else if seq <= self.clock.vector[i] {
            Relation::Before
        } else if seq >= self.future[i] {
            Relation::After
        } else {
            Relation::Concurrent
        }
    }
}

/// The forward pass's state after the first `pos` trace lines.
#[derive(Clone)]
struct Pass {
    pos: usize,
    n: usize,
    lamport: Vec<u64>,
    /// Every node's vector, `n` components each, one after the other.
    vectors: Vec<u32>,
    /// Messages sent and not ended yet, by id (sends come in id order, so pushing keeps it
    /// sorted): their Lamport timestamp and vector.
    flying: Vec<(u64, u64, Box<[u32]>)>,
}

impl Pass {
    fn new(n: usize) -> Pass {
        Pass {
            pos: 0,
            n,
            lamport: vec![0; n],
            vectors: vec![0; n * n],
            flying: Vec::new(),
        }
    }

    fn vector(&self, node: NodeId) -> &[u32] {
        let i = node as usize - 1;
        &self.vectors[i * self.n..(i + 1) * self.n]
    }

    /// Takes in trace line `r` (the one at `pos`); returns the event it records, if any, with
    /// its node and Lamport timestamp (its vector is then [`Pass::vector`] of that node).
    fn step(&mut self, r: &Record) -> Option<(CommEvent, NodeId, u64)> {
        self.pos += 1;
        let n = self.n;
        let ok = |node: NodeId| node >= 1 && node as usize <= n;
        match r.kind {
            RecordKind::Send { id, from, .. } if ok(from) => {
                let i = from as usize - 1;
                self.lamport[i] += 1;
                self.vectors[i * n + i] += 1;
                let carried = (id, self.lamport[i], self.vector(from).into());
                self.flying.push(carried);
                Some((
                    CommEvent {
                        msg: id,
                        delivery: false,
                    },
                    from,
                    self.lamport[i],
                ))
            }
            RecordKind::Deliver { id, to, .. } if ok(to) => {
                let i = to as usize - 1;
                if let Some((_, lamport, vector)) = self.end(id) {
                    self.lamport[i] = self.lamport[i].max(lamport);
                    for (mine, theirs) in self.vectors[i * n..(i + 1) * n].iter_mut().zip(&*vector)
                    {
                        *mine = (*mine).max(*theirs);
                    }
                }
                self.lamport[i] += 1;
                self.vectors[i * n + i] += 1;
                Some((
                    CommEvent {
                        msg: id,
                        delivery: true,
                    },
                    to,
                    self.lamport[i],
                ))
            }
            RecordKind::Drop { id, .. } => {
                self.end(id);
                None
            }
            _ => None,
        }
    }

    /// Takes message `id` out of those in flight.
    fn end(&mut self, id: u64) -> Option<(u64, u64, Box<[u32]>)> {
        let i = self.flying.binary_search_by_key(&id, |f| f.0).ok()?;
        Some(self.flying.remove(i))
    }

    fn clock(&self, r: &Record, (event, node, lamport): (CommEvent, NodeId, u64)) -> EventClock {
        EventClock {
            event,
            node,
            t: r.t,
            lamport,
            vector: self.vector(node).to_vec(),
        }
    }
}

/// The logical clocks of one branch's trace, computed on demand (see the module docs).
pub struct Causality {
    n: usize,
    /// Trace lines between snapshots.
    every: usize,
    /// States at multiples of `every`, oldest first (the first at 0).
    snapshots: Vec<Pass>,
    /// Where the last query ended, to carry on from (the usual query follows the previous).
    last: Option<Pass>,
}

impl Causality {
    /// Nothing computed yet, for a run of `n` nodes (all kinds).
    pub fn new(n: usize) -> Causality {
        Causality {
            n,
            every: FIRST_EVERY,
            snapshots: Vec::new(),
            last: None,
        }
    }

    /// Forgets what was computed from trace line `pos` on (a fork cut the trace there).
    pub fn truncate(&mut self, pos: usize) {
        self.snapshots.retain(|s| s.pos <= pos);
        if self.last.as_ref().is_some_and(|l| l.pos > pos) {
            self.last = None;
        }
    }

    /// The pass after the first `pos` lines of `trace` (`pos <= trace.len()`), keeping
    /// snapshots on the way.
    fn pass_at(&mut self, trace: &[Record], pos: usize) -> Pass {
        let snap = self.snapshots.iter().rev().find(|s| s.pos <= pos);
        let mut p = match (&self.last, snap) {
            (Some(l), s) if l.pos <= pos && s.is_none_or(|s| s.pos <= l.pos) => l.clone(),
            (_, Some(s)) => s.clone(),
            _ => Pass::new(self.n),
        };
        while p.pos < pos {
            self.keep(&p);
            p.step(&trace[p.pos]);
        }
        self.keep(&p);
        p
    }

    /// Keeps `p` as a snapshot if it is at the next multiple of the interval.
    fn keep(&mut self, p: &Pass) {
        let next = self.snapshots.last().map_or(0, |s| s.pos + self.every);
        if p.pos != next || !p.pos.is_multiple_of(self.every) {
            return;
        }
        self.snapshots.push(p.clone());
        if self.snapshots.len() > MAX_SNAPSHOTS {
            self.every *= 2;
            let every = self.every;
            self.snapshots.retain(|s| s.pos.is_multiple_of(every));
        }
    }

    /// The clocks of the events at trace positions `positions` (in increasing order, repeats
    /// allowed, each a send or delivery line of `trace`), in that order.
    pub fn clocks(&mut self, trace: &[Record], positions: &[usize]) -> Vec<EventClock> {
        let Some(&first) = positions.first() else {
            return Vec::new();
        };
        let mut p = self.pass_at(trace, first);
        let mut out: Vec<EventClock> = Vec::with_capacity(positions.len());
        for &pos in positions {
            if p.pos > pos {
                // The same position again.
                if let Some(c) = out.last() {
                    out.push(c.clone());
                }
                continue;
            }
            while p.pos <= pos {
                self.keep(&p);
                let r = &trace[p.pos];
                if let Some(e) = p.step(r)
                    && p.pos == pos + 1
                {
                    out.push(p.clock(r, e));
                }
            }
        }
        self.last = Some(p);
        out
    }

    /// The causal past and future of the event at trace position `pos`, looking no further than
    /// position `limit` (now); `None` if that line is no event.
    pub fn cone(&mut self, trace: &[Record], pos: usize, limit: usize) -> Option<Cone> {
        let mut p = self.pass_at(trace, pos);
        let r = &trace[pos];
        let e = p.step(r)?;
        let clock = p.clock(r, e);
        self.last = Some(p.clone());
        let n = self.n;
        // Forward from the event: a node is reached by its first delivery of a message sent by
        // a node already reached after the event was.
        let mut count: Vec<u32> = (0..n).map(|i| p.vectors[i * n + i]).collect();
        let mut future = vec![u32::MAX; n];
        let mut reached = n - 1;
        future[clock.node as usize - 1] = clock.seq() + 1;
        // Messages sent from the future, by id (sends come in id order, so pushing keeps it
        // sorted).
        let mut carriers: Vec<u64> = Vec::new();
        let carried = |carriers: &mut Vec<u64>, id: u64| match carriers.binary_search(&id) {
            Ok(i) => {
                carriers.remove(i);
                true
            }
            Err(_) => false,
        };
        if !clock.event.delivery {
            carriers.push(clock.event.msg);
        }
        for r in &trace[pos + 1..limit.min(trace.len())] {
            match r.kind {
                RecordKind::Send { id, from, .. } if (from as usize) <= n && from >= 1 => {
                    let i = from as usize - 1;
                    count[i] += 1;
                    if future[i] <= count[i] {
                        carriers.push(id);
                    }
                }
                RecordKind::Deliver { id, to, .. } if (to as usize) <= n && to >= 1 => {
                    let i = to as usize - 1;
                    count[i] += 1;
                    if carried(&mut carriers, id) && future[i] == u32::MAX {
                        future[i] = count[i];
                        reached -= 1;
                        if reached == 0 {
                            break;
                        }
                    }
                }
                RecordKind::Drop { id, .. } => {
                    carried(&mut carriers, id);
                }
                _ => {}
            }
        }
        Some(Cone { clock, future })
    }

    /// Calls `each` with every event among trace lines `[from, to)` and its clocks, in order.
    pub fn each(
        &mut self,
        trace: &[Record],
        from: usize,
        to: usize,
        mut each: impl FnMut(&Record, &EventClock),
    ) {
        let mut p = self.pass_at(trace, from);
        while p.pos < to {
            let r = &trace[p.pos];
            if let Some(e) = p.step(r) {
                each(r, &p.clock(r, e));
            }
            self.keep(&p);
        }
        self.last = Some(p);
    }
}

/// The regular expression ShiViz parses [`shiviz_line`]s with (one event a line: the host, its
/// vector clock as JSON, then the event's description).
pub const SHIVIZ_REGEX: &str = r"(?<host>\S+) (?<clock>\{[^}]*\}) (?<event>.*)";

/// A node's name in ShiViz logs.
pub fn shiviz_host(node: NodeId) -> String {
    format!("node{node}")
}

/// The ShiViz log line of one event (with its newline): `node2 {"node1":3,"node2":5} 12.5 ms:
/// receive AppendEntries #41 from node1 (term 2, …)`. The clock leaves out zero components
/// (ShiViz reads a missing host as 0) but always holds the event's own host.
pub fn shiviz_line(out: &mut String, r: &Record, clock: &EventClock) {
    let host = shiviz_host(clock.node);
    out.push_str(&host);
    out.push_str(" {");
    let mut first = true;
    for (i, &c) in clock.vector.iter().enumerate() {
        if c > 0 {
            if !first {
                out.push(',');
            }
            first = false;
            out.push('"');
            out.push_str(&shiviz_host(i as NodeId + 1));
            out.push_str("\":");
            out.push_str(&c.to_string());
        }
    }
    out.push_str("} ");
    out.push_str(&format_time(r.t));
    out.push_str(": ");
    let (verb, other, msg, id) = match &r.kind {
        RecordKind::Send { id, to, msg, .. } => {
            ("send", format!("to {}", shiviz_host(*to)), msg, id)
        }
        RecordKind::Deliver { id, from, msg, .. } => {
            ("receive", format!("from {}", shiviz_host(*from)), msg, id)
        }
        _ => unreachable!("only sends and deliveries are events"),
    };
    let view = msg.view();
    out.push_str(verb);
    out.push(' ');
    out.push_str(view.kind);
    out.push_str(" #");
    out.push_str(&id.to_string());
    out.push(' ');
    out.push_str(&other);
    if !view.detail.is_empty() {
        out.push_str(" (");
        out.extend(view.detail.chars().map(|c| if c == '\n' { ' ' } else { c }));
        out.push(')');
    }
    out.push_str(" [lamport ");
    out.push_str(&clock.lamport.to_string());
    out.push_str("]\n");
}

/// The head of a ShiViz file: the parsing regular expression, then an empty line (no
/// delimiter between executions), as ShiViz's "upload a file" expects.
pub fn shiviz_head() -> String {
    format!("{SHIVIZ_REGEX}\n\n")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sim::testkit::Ping;
    use crate::sim::{Lab, NetConfig, SEC, Scenario, Session};

    /// The tiny ping protocol on a lossy, duplicating network.
    fn run() -> Session {
        let scenario = Scenario {
            protocol: "ping".into(),
            nodes: 4,
            seed: 7,
            net: NetConfig {
                latency_min: 1_000,
                latency_max: 9_000,
                loss_ppm: 100_000,
                dup_ppm: 50_000,
            },
            params: Default::default(),
            bugs: Default::default(),
            client_rate: 0,
            chaos: 0,
            actions: Vec::new(),
        };
        let mut s = Session::of::<Ping>(&scenario).unwrap();
        s.advance_to(2 * SEC);
        s
    }

    #[test]
    fn the_shiviz_export_has_well_formed_clocks() {
        let s = run();
        let (log, _) = s.shiviz_chunk(0, usize::MAX);
        let mut lines = log.lines();
        assert_eq!(lines.next(), Some(SHIVIZ_REGEX));
        assert_eq!(lines.next(), Some(""));
        let mut own: BTreeMap<&str, u32> = BTreeMap::new();
        let mut events = 0;
        for line in lines {
            // `host {"a":1,"b":2} text`: the host's own component is there, one more than at
            // its previous event, and no component is zero.
            let (host, rest) = line.split_once(' ').unwrap();
            let clock = &rest[1..rest.find('}').unwrap()];
            let mut mine = None;
            for entry in clock.split(',') {
                let (name, count) = entry.split_once(':').unwrap();
                let count: u32 = count.parse().unwrap();
                assert!(count > 0, "{line}");
                if name.trim_matches('"') == host {
                    mine = Some(count);
                }
            }
            let prev = own
                .insert(host, mine.expect("the host's own entry"))
                .unwrap_or(0);
            assert_eq!(mine, Some(prev + 1), "{line}");
            events += 1;
        }
        assert!(events > 100 && own.len() == 4, "{events} events of {own:?}");
    }

    #[test]
    fn a_delivery_follows_its_send_and_the_cone_agrees_with_the_vectors() {
        let s = run();
        let sends: Vec<CommEvent> = (1..200)
            .map(|msg| CommEvent {
                msg,
                delivery: false,
            })
            .collect();
        let mut checked = 0;
        for (send, c) in sends.iter().zip(s.clocks(&sends)) {
            let got = CommEvent {
                delivery: true,
                ..*send
            };
            let (Some(c), Some(d)) = (c, s.clocks(&[got]).remove(0)) else {
                continue; // lost
            };
            assert_eq!(compare(&c.vector, &d.vector), Relation::Before);
            assert!(c.lamport < d.lamport);
            let cone = s.cone(*send).unwrap();
            assert_eq!(cone.relation(d.node, d.seq()), Relation::After);
            assert_eq!(cone.relation(c.node, c.seq()), Relation::Same);
            checked += 1;
        }
        assert!(checked > 100);
    }
}
