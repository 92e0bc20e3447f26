//! The discrete-event core: one virtual clock, one ordered event queue, one PRNG.
//!
//! [`Sim`] owns the nodes, the messages on the wire and the pending timers. Each call to
//! [`Sim::step`] pops the earliest event (ties broken by insertion order), hands it to the node
//! it concerns, turns the node's outputs into new events, and runs the protocol's checker.
//! Everything a run does is therefore fixed by the seed and the actions applied between steps.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::action::{ActionKind, NetConfig};
use super::chaos::{Chaos, Scene};
use super::erased::{Cluster, Input, MsgRef, Outputs, TimerRef};
use super::lab::DropReason;
use super::metrics::{MetricsLog, Sample, Series};
use super::node::{Finding, NodeId, NodeView, Setup, TimerOp};
use super::rng::Rng;
use super::sorted_map::SortedMap;
use super::time::Micros;
use super::trace::{Record, RecordKind};

/// A message on the wire.
#[derive(Clone, Debug)]
pub struct Flight {
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Virtual send time.
    pub sent: Micros,
    /// Virtual arrival time.
    pub arrives: Micros,
    /// Content, shared with the trace.
    pub msg: MsgRef,
    /// Why the network will lose it on arrival, decided when it was sent.
    pub doomed: Option<DropReason>,
}

/// A pending timer of one node.
#[derive(Clone, Debug)]
struct TimerSlot {
    timer: TimerRef,
    set_at: Micros,
    fires: Micros,
    generation: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Deliver {
        id: u64,
    },
    Timer {
        node: NodeId,
        generation: u64,
    },
    ClientArrival,
    /// A paused node's pause ends.
    Resume {
        node: NodeId,
    },
    /// Chaos mode's next fault is due (void if the rate changed since: see [`Chaos`]).
    Chaos {
        generation: u64,
    },
}

#[derive(Clone, Debug)]
struct Queued {
    time: Micros,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// Where trace records go: appended only when the run reaches new ground.
pub struct Sink<'a> {
    /// The branch's trace; records at positions already present are not re-added.
    pub records: &'a mut Vec<Record>,
    /// The branch's metric samples, kept by the same rule.
    pub metrics: &'a mut MetricsLog,
    /// The protocol's declared series (a sample's series is found here by name).
    pub series: &'a [Series],
    /// False to skip building records at all (benchmarks).
    pub enabled: bool,
}

/// The simulation state of one run at one moment. Cloning it is a checkpoint.
pub struct Sim {
    setup: Setup,
    net: NetConfig,
    now: Micros,
    events: u64,
    trace_pos: usize,
    /// Metric samples produced so far on this path (whether or not stored).
    samples_pos: u64,
    actions_applied: usize,
    rng: Rng,
    seq: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    flights: SortedMap<u64, Flight>,
    next_msg_id: u64,
    /// The protocol's nodes and checker, behind the one type-erasing adapter.
    cluster: Box<dyn Cluster>,
    up: Vec<bool>,
    timers: Vec<Vec<TimerSlot>>,
    next_generation: u64,
    groups: Vec<u8>,
    cut: SortedMap<(NodeId, NodeId), ()>,
    /// Directions cut alone: (from, to).
    one_way: SortedMap<(NodeId, NodeId), ()>,
    /// Directions with their own latency range: (from, to) → (min, max).
    link_latency: SortedMap<(NodeId, NodeId), (Micros, Micros)>,
    /// Per node: the end of its pause, or 0 when it is not paused.
    paused_until: Vec<Micros>,
    violations: Vec<(Micros, Finding)>,
    client_rate: u32,
    next_command: u64,
    /// Chaos mode: its rate, random stream and count of injected faults.
    chaos: Chaos,
    /// Reused output buffer (saves three allocations per event); always empty between events.
    outbox: Outputs,
}

impl Clone for Sim {
    fn clone(&self) -> Self {
        Sim {
            setup: self.setup.clone(),
            net: self.net,
            now: self.now,
            events: self.events,
            trace_pos: self.trace_pos,
            samples_pos: self.samples_pos,
            actions_applied: self.actions_applied,
            rng: self.rng.clone(),
            seq: self.seq,
            queue: self.queue.clone(),
            flights: self.flights.clone(),
            next_msg_id: self.next_msg_id,
            cluster: self.cluster.clone_box(),
            up: self.up.clone(),
            timers: self.timers.clone(),
            next_generation: self.next_generation,
            groups: self.groups.clone(),
            cut: self.cut.clone(),
            one_way: self.one_way.clone(),
            link_latency: self.link_latency.clone(),
            paused_until: self.paused_until.clone(),
            violations: self.violations.clone(),
            client_rate: self.client_rate,
            next_command: self.next_command,
            chaos: self.chaos.clone(),
            outbox: Outputs::default(),
        }
    }
}

impl Sim {
    /// Boots every node of `cluster` (built for `setup`) at time 0.
    pub fn new(
        cluster: Box<dyn Cluster>,
        setup: Setup,
        net: NetConfig,
        seed: u64,
        client_rate: u32,
        sink: &mut Sink<'_>,
    ) -> Self {
        let n = setup.total();
        let mut sim = Sim {
            setup,
            net,
            now: 0,
            events: 0,
            trace_pos: 0,
            samples_pos: 0,
            actions_applied: 0,
            rng: Rng::new(seed),
            seq: 0,
            queue: BinaryHeap::new(),
            flights: SortedMap::new(),
            next_msg_id: 1,
            cluster,
            up: vec![true; n],
            timers: vec![Vec::new(); n],
            next_generation: 1,
            groups: vec![0; n],
            cut: SortedMap::new(),
            one_way: SortedMap::new(),
            link_latency: SortedMap::new(),
            paused_until: vec![0; n],
            violations: Vec::new(),
            client_rate,
            next_command: 1,
            chaos: Chaos::new(seed),
            outbox: Outputs::default(),
        };
        for id in 1..=n as NodeId {
            sim.run_node(id, sink, Input::Start);
        }
        sim.schedule_client_arrival();
        sim.discard_stale();
        sim
    }

    /// Current virtual time.
    pub fn now(&self) -> Micros {
        self.now
    }
    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
    /// Trace records produced so far on this path (whether or not stored).
    pub fn trace_pos(&self) -> usize {
        self.trace_pos
    }
    /// Metric samples produced so far on this path (whether or not stored).
    pub fn samples_pos(&self) -> u64 {
        self.samples_pos
    }
    /// Recorded actions applied so far.
    pub fn actions_applied(&self) -> usize {
        self.actions_applied
    }
    /// The cluster description.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }
    /// Current network conditions.
    pub fn net(&self) -> NetConfig {
        self.net
    }
    /// What the page shows about node `id`.
    pub fn view(&self, id: NodeId) -> NodeView {
        self.cluster.view(id, self.now)
    }
    /// The protocol's nodes and checker.
    pub fn cluster(&self) -> &dyn Cluster {
        &*self.cluster
    }
    /// Whether each node is running, node 1 first.
    pub fn up_flags(&self) -> &[bool] {
        &self.up
    }
    /// Whether node `id` is running.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.up[id as usize - 1]
    }
    /// Messages on the wire, by id.
    pub fn flights(&self) -> &SortedMap<u64, Flight> {
        &self.flights
    }
    /// Partition side of each node.
    pub fn groups(&self) -> &[u8] {
        &self.groups
    }
    /// Individually cut links.
    pub fn cut_links(&self) -> &SortedMap<(NodeId, NodeId), ()> {
        &self.cut
    }
    /// Directions cut alone, as (from, to).
    pub fn one_way_cuts(&self) -> &SortedMap<(NodeId, NodeId), ()> {
        &self.one_way
    }
    /// Directions with their own latency range.
    pub fn link_latencies(&self) -> &SortedMap<(NodeId, NodeId), (Micros, Micros)> {
        &self.link_latency
    }
    /// When node `id`'s pause ends, if it is paused.
    pub fn paused_until(&self, id: NodeId) -> Option<Micros> {
        Some(self.paused_until[id as usize - 1]).filter(|&t| t > 0)
    }
    /// First violation of each invariant so far, in order found.
    pub fn violations(&self) -> &[(Micros, Finding)] {
        &self.violations
    }
    /// The countdown timer of node `id`, if pending: (set at, fires at).
    pub fn countdown(&self, id: NodeId) -> Option<(Micros, Micros)> {
        self.timers[id as usize - 1]
            .iter()
            .find(|s| s.timer.is_countdown())
            .map(|s| (s.set_at, s.fires))
    }
    /// Chaos mode's rate and what it injected so far.
    pub fn chaos(&self) -> &Chaos {
        &self.chaos
    }
    /// Time of the next event, if any.
    pub fn next_time(&self) -> Option<Micros> {
        self.queue.peek().map(|Reverse(q)| q.time)
    }

    /// Whether messages from `a` to `b` are lost right now.
    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        self.groups[a as usize - 1] != self.groups[b as usize - 1]
            || self.cut.contains_key(&(a.min(b), a.max(b)))
            || self.one_way.contains_key(&(a, b))
    }

    /// Moves the clock forward without processing anything (never backwards).
    pub fn set_now(&mut self, t: Micros) {
        self.now = self.now.max(t);
    }

    /// Processes the next event. Returns false when nothing is pending.
    pub fn step(&mut self, sink: &mut Sink<'_>) -> bool {
        let Some(Reverse(q)) = self.queue.pop() else {
            return false;
        };
        self.now = q.time;
        let touched = match q.ev {
            Ev::Deliver { id } => self.deliver(id, sink),
            Ev::Timer { node, generation } => {
                let slots = &mut self.timers[node as usize - 1];
                let pos = slots
                    .iter()
                    .position(|s| s.generation == generation)
                    .expect("stale timers are discarded");
                let slot = slots.swap_remove(pos);
                self.run_node(node, sink, Input::Timer(slot.timer));
                Some(node)
            }
            Ev::ClientArrival => {
                let target = self.client_target();
                self.schedule_client_arrival();
                if let Some(node) = target {
                    self.client_request(node, sink);
                }
                target
            }
            Ev::Resume { node } => {
                self.paused_until[node as usize - 1] = 0;
                self.emit(sink, || RecordKind::Resume { node });
                None
            }
            Ev::Chaos { .. } => self.inject(sink),
        };
        self.events += 1;
        if let Some(node) = touched {
            self.check(node, sink);
        }
        self.discard_stale();
        true
    }

    /// Applies a visitor action at the current time; `Err` (changing nothing) if it does not apply.
    pub fn apply(&mut self, kind: &ActionKind, sink: &mut Sink<'_>) -> Result<(), String> {
        self.validate(kind)?;
        self.emit(sink, || RecordKind::Action(kind.clone()));
        self.actions_applied += 1;
        if let Some(node) = self.perform(kind, sink) {
            self.check(node, sink);
        }
        self.discard_stale();
        Ok(())
    }

    /// Switches chaos mode to `rate` faults per 1,000 virtual seconds (0: off) from now on,
    /// without recording an action: a scenario's starting rate.
    pub fn set_chaos(&mut self, rate: u32) {
        if let Some(gap) = self.chaos.set_rate(rate) {
            let generation = self.chaos.generation();
            self.push(self.now + gap, Ev::Chaos { generation });
        }
        self.discard_stale();
    }

    /// Chaos mode's fault due now: picked, applied like a visitor action and marked as chaos's
    /// in the trace; then the next one is scheduled. Returns the node it touched.
    fn inject(&mut self, sink: &mut Sink<'_>) -> Option<NodeId> {
        let scene = Scene {
            up: &self.up,
            // Chaos mode drops no single messages.
            flights: &[],
            whole: self.groups.iter().all(|g| *g == self.groups[0])
                && self.cut.is_empty()
                && self.one_way.is_empty(),
            slow: self.link_latency.first_key_value().map(|(link, _)| *link),
        };
        let fault = self.chaos.pick(&scene, self.net);
        if let Some(gap) = self.chaos.next_gap() {
            let generation = self.chaos.generation();
            self.push(self.now + gap, Ev::Chaos { generation });
        }
        // A fault that does not apply now (pausing a paused node) is skipped.
        let kind = fault.filter(|k| self.validate(k).is_ok())?;
        self.chaos.count();
        self.emit(sink, || RecordKind::Chaos(kind.clone()));
        self.perform(&kind, sink)
    }

    /// Carries out a checked action; returns the node whose state it changed, if any.
    fn perform(&mut self, kind: &ActionKind, sink: &mut Sink<'_>) -> Option<NodeId> {
        match *kind {
            ActionKind::Crash { node } => {
                self.up[node as usize - 1] = false;
                self.paused_until[node as usize - 1] = 0;
                self.timers[node as usize - 1].clear();
                self.cluster.crash(node);
                self.emit(sink, || RecordKind::Crash { node });
                Some(node)
            }
            ActionKind::Restart { node } => {
                self.up[node as usize - 1] = true;
                self.emit(sink, || RecordKind::Restart { node });
                self.run_node(node, sink, Input::Start);
                Some(node)
            }
            ActionKind::Timeout { node } => {
                self.run_node(node, sink, Input::ForceTimeout);
                Some(node)
            }
            ActionKind::ClientRequest { node } => {
                self.client_request(node, sink);
                Some(node)
            }
            ActionKind::DropMessage { id } => {
                let f = self.flights.remove(&id).expect("validated");
                self.emit(sink, || RecordKind::Drop {
                    id,
                    from: f.from,
                    to: f.to,
                    msg: f.msg.clone(),
                    reason: DropReason::Visitor,
                });
                None
            }
            ActionKind::SetNetwork { net } => {
                self.net = net;
                None
            }
            ActionKind::Partition { ref groups } => {
                self.groups = groups.clone();
                None
            }
            ActionKind::CutLink { a, b } => {
                self.cut.insert((a.min(b), a.max(b)), ());
                None
            }
            ActionKind::RestoreLink { a, b } => {
                self.cut.remove(&(a.min(b), a.max(b)));
                self.one_way.remove(&(a, b));
                self.one_way.remove(&(b, a));
                None
            }
            ActionKind::Heal => {
                self.groups.iter_mut().for_each(|g| *g = 0);
                self.cut.clear();
                self.one_way.clear();
                None
            }
            ActionKind::Pause { node, duration } => {
                let until = self.now + duration;
                self.paused_until[node as usize - 1] = until;
                self.emit(sink, || RecordKind::Pause { node, until });
                self.push(until, Ev::Resume { node });
                None
            }
            ActionKind::CutOneWay { from, to } => {
                self.one_way.insert((from, to), ());
                None
            }
            ActionKind::LinkLatency { from, to, latency } => {
                match latency {
                    Some(range) => self.link_latency.insert((from, to), range),
                    None => self.link_latency.remove(&(from, to)),
                };
                None
            }
            ActionKind::SetChaos { rate } => {
                self.set_chaos(rate);
                None
            }
            ActionKind::SetParam {
                node,
                ref key,
                value,
            } => {
                self.setup.change(node, key, value);
                self.cluster.on_param(self.now, node, key, value);
                node
            }
        }
    }

    /// Says why an action cannot be applied now, if it cannot.
    pub fn validate(&self, kind: &ActionKind) -> Result<(), String> {
        let n = self.setup.total() as NodeId;
        for node in kind.nodes() {
            if node == 0 || node > n {
                return Err(format!("there is no Node {node} in a cluster of {n}"));
            }
        }
        match kind {
            ActionKind::Crash { node } if !self.is_up(*node) => {
                Err(format!("Node {node} is already crashed"))
            }
            ActionKind::Restart { node } if self.is_up(*node) => {
                Err(format!("Node {node} is running"))
            }
            ActionKind::Timeout { node }
            | ActionKind::ClientRequest { node }
            | ActionKind::Pause { node, .. }
                if !self.is_up(*node) =>
            {
                Err(format!("Node {node} is crashed"))
            }
            ActionKind::Timeout { node }
            | ActionKind::ClientRequest { node }
            | ActionKind::Pause { node, .. }
                if self.paused_until(*node).is_some() =>
            {
                Err(format!("Node {node} is paused"))
            }
            ActionKind::Pause { duration, .. } if *duration == 0 => {
                Err("a pause lasts at least 1 µs".into())
            }
            ActionKind::Pause { duration, .. } if *duration > NetConfig::MAX_PAUSE => {
                Err("a pause longer than 10 minutes is not supported".into())
            }
            ActionKind::LinkLatency {
                latency: Some((lo, hi)),
                ..
            } => NetConfig::validate_latency(*lo, *hi),
            ActionKind::SetParam {
                node: None, key, ..
            } if !self.setup.params.contains_key(key) => {
                Err(format!("this protocol has no parameter '{key}'"))
            }
            ActionKind::DropMessage { id } if !self.flights.contains_key(id) => {
                Err(format!("message #{id} is no longer in flight"))
            }
            ActionKind::SetNetwork { net } => net.validate(),
            ActionKind::Partition { groups } if groups.len() != n as usize => Err(format!(
                "a partition must give a side for each of the {n} nodes"
            )),
            ActionKind::CutLink { a: x, b: y }
            | ActionKind::RestoreLink { a: x, b: y }
            | ActionKind::CutOneWay { from: x, to: y }
            | ActionKind::LinkLatency { from: x, to: y, .. }
                if x == y =>
            {
                Err("a link joins two different nodes".into())
            }
            _ => Ok(()),
        }
    }

    fn client_request(&mut self, node: NodeId, sink: &mut Sink<'_>) {
        let command = self.next_command;
        self.next_command += 1;
        self.emit(sink, || RecordKind::Client { node, command });
        self.run_node(node, sink, Input::ClientRequest(command));
    }

    fn client_target(&mut self) -> Option<NodeId> {
        let up: Vec<NodeId> = (1..=self.setup.nodes as NodeId)
            .filter(|&id| self.is_up(id) && self.paused_until(id).is_none())
            .collect();
        if let Some(&leader) = up.iter().find(|&&id| self.cluster.accepts_clients(id)) {
            return Some(leader);
        }
        if up.is_empty() {
            return None;
        }
        let i = self.rng.range(0, up.len() as u64 - 1) as usize;
        Some(up[i])
    }

    fn schedule_client_arrival(&mut self) {
        if self.client_rate == 0 {
            return;
        }
        let gap = self.rng.exponential(1e6 / self.client_rate as f64).max(1.0) as Micros;
        self.push(self.now + gap, Ev::ClientArrival);
    }

    fn deliver(&mut self, id: u64, sink: &mut Sink<'_>) -> Option<NodeId> {
        let f = self
            .flights
            .remove(&id)
            .expect("stale deliveries are discarded");
        let reason = if let Some(reason) = f.doomed {
            Some(reason)
        } else if !self.is_up(f.to) {
            Some(DropReason::ReceiverDown)
        } else if self.is_cut(f.from, f.to) {
            Some(DropReason::Partition)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.emit(sink, || RecordKind::Drop {
                id,
                from: f.from,
                to: f.to,
                msg: f.msg.clone(),
                reason,
            });
            return None;
        }
        self.emit(sink, || RecordKind::Deliver {
            id,
            from: f.from,
            to: f.to,
            msg: f.msg.clone(),
        });
        self.run_node(
            f.to,
            sink,
            Input::Message {
                from: f.from,
                msg: f.msg,
            },
        );
        Some(f.to)
    }

    fn run_node(&mut self, id: NodeId, sink: &mut Sink<'_>, input: Input) {
        let mut out = std::mem::take(&mut self.outbox);
        self.cluster
            .handle(id, input, self.now, &mut self.rng, &mut out);
        for note in out.notes.drain(..) {
            self.emit(sink, || RecordKind::Note { node: id, note });
        }
        for (series, about, value) in out.samples.drain(..) {
            self.sample(sink, series, about, value);
        }
        for op in out.timers.drain(..) {
            let slots = &mut self.timers[id as usize - 1];
            match op {
                TimerOp::Set(timer, after) => {
                    slots.retain(|s| !s.timer.same(&*timer));
                    let generation = self.next_generation;
                    self.next_generation += 1;
                    let fires = self.now + after;
                    slots.push(TimerSlot {
                        timer,
                        set_at: self.now,
                        fires,
                        generation,
                    });
                    self.push(
                        fires,
                        Ev::Timer {
                            node: id,
                            generation,
                        },
                    );
                }
                TimerOp::Cancel(timer) => slots.retain(|s| !s.timer.same(&*timer)),
            }
        }
        for (to, msg) in out.sends.drain(..) {
            if to == 0 || to as usize > self.up.len() {
                continue;
            }
            let copies = if self.rng.chance_ppm(self.net.dup_ppm) {
                2
            } else {
                1
            };
            for _ in 0..copies {
                self.send(id, to, msg.clone(), sink);
            }
        }
        self.outbox = out;
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: MsgRef, sink: &mut Sink<'_>) {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let own = self.link_latency.get(&(from, to)).copied();
        let slow = own.is_some();
        let (lo, hi) = own.unwrap_or((self.net.latency_min, self.net.latency_max));
        let latency = self.rng.range(lo, hi);
        let doomed = if self.is_cut(from, to) {
            Some(DropReason::Partition)
        } else if self.rng.chance_ppm(self.net.loss_ppm) {
            Some(DropReason::Lost)
        } else {
            None
        };
        let arrives = self.now + latency;
        self.emit(sink, || RecordKind::Send {
            id,
            from,
            to,
            msg: msg.clone(),
            slow,
        });
        self.flights.insert(
            id,
            Flight {
                from,
                to,
                sent: self.now,
                arrives,
                msg,
                doomed,
            },
        );
        self.push(arrives, Ev::Deliver { id });
    }

    fn check(&mut self, touched: NodeId, sink: &mut Sink<'_>) {
        let mut found = Vec::new();
        self.cluster.check(self.now, &self.up, touched, &mut found);
        for finding in found {
            if self
                .violations
                .iter()
                .any(|(_, v)| v.invariant == finding.invariant)
            {
                continue;
            }
            self.emit(sink, || RecordKind::Violation {
                node: touched,
                finding: finding.clone(),
            });
            self.violations.push((self.now, finding));
        }
    }

    fn push(&mut self, time: Micros, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse(Queued {
            time,
            seq: self.seq,
            ev,
        }));
    }

    /// Pops cancelled timers and removed messages off the top of the queue, and moves events
    /// for a paused node to the end of its pause, so the head is always a real event.
    fn discard_stale(&mut self) {
        while let Some(Reverse(q)) = self.queue.peek() {
            let (live, node) = match q.ev {
                Ev::Deliver { id } => match self.flights.get(&id) {
                    Some(f) => (true, Some(f.to)),
                    None => (false, None),
                },
                Ev::Timer { node, generation } => (
                    self.up[node as usize - 1]
                        && self.timers[node as usize - 1]
                            .iter()
                            .any(|s| s.generation == generation),
                    Some(node),
                ),
                Ev::ClientArrival => (true, None),
                Ev::Resume { node } => (self.paused_until[node as usize - 1] == q.time, None),
                Ev::Chaos { generation } => (self.chaos.is_current(generation), None),
            };
            let resumes = node.map_or(0, |n| self.paused_until[n as usize - 1]);
            if live && q.time >= resumes {
                break;
            }
            let Some(Reverse(q)) = self.queue.pop() else {
                break;
            };
            if live {
                // Frozen: the node handles it when its pause ends, after the resume itself.
                if let Ev::Deliver { id } = q.ev
                    && let Some(f) = self.flights.get_mut(&id)
                {
                    f.arrives = resumes;
                }
                self.push(resumes, q.ev);
            }
        }
    }

    fn sample(&mut self, sink: &mut Sink<'_>, series: Series, node: NodeId, value: i64) {
        if sink.enabled && self.samples_pos == sink.metrics.len() {
            let index = (sink.series.iter())
                .position(|s| s.name == series.name)
                .unwrap_or(usize::MAX);
            let t = self.now;
            sink.metrics.push(index, Sample { t, node, value });
        }
        self.samples_pos += 1;
    }

    fn emit(&mut self, sink: &mut Sink<'_>, make: impl FnOnce() -> RecordKind) {
        if sink.enabled && self.trace_pos == sink.records.len() {
            sink.records.push(Record {
                t: self.now,
                event: self.events,
                kind: make(),
            });
        }
        self.trace_pos += 1;
    }
}
