//! `Session`: one run of one protocol that can be played, stepped, acted on and rewound.
//!
//! Time travel is checkpoints plus deterministic replay: every few thousand events the whole
//! [`Sim`] is cloned; seeking backwards restores the nearest earlier checkpoint and replays the
//! recorded actions at their exact event positions. Acting at a past moment forks: the
//! recorded future (actions, trace, checkpoints) after that point is discarded.

use super::sorted_map::SortedMap;
use std::cell::RefCell;

use super::action::{Action, ActionKind};
use super::causality::{self, Causality, CommEvent, Cone, EventClock};
use super::engine::{Sim, Sink};
use super::erased::Definition;
use super::figure::Figure;
use super::lab::{
    ChaosView, DropReason, FlightView, InvariantStatus, Lab, NetworkView, NodeState, SpanView,
    TraceKind, TraceView,
};
use super::metrics::{MetricsLog, MetricsNow};
use super::node::{NodeId, Protocol, ProtocolInfo, Setup};
use super::ops::OpRecord;
use super::scenario::Scenario;
use super::spans::TraceIndex;
use super::time::Micros;
use super::trace::{Record, RecordKind};

/// Events between checkpoints: bounds the replay work of a backwards seek.
const CHECKPOINT_EVERY: u64 = 2_048;

/// A seekable, recordable run of any protocol (one copy of this code serves them all).
pub struct Session {
    info: ProtocolInfo,
    scenario: Scenario,
    sim: Sim,
    trace: Vec<Record>,
    /// The branch's metric samples, kept like the trace (see [`MetricsLog`]).
    metrics: MetricsLog,
    actions: Vec<Action>,
    checkpoints: Vec<Sim>,
    horizon: Micros,
    recording: bool,
    index: TraceIndex,
    /// Views of messages in flight, built once per message rather than once per frame.
    flight_views: RefCell<SortedMap<u64, FlightView>>,
    /// Logical clocks, computed only when asked for (see `sim::causality`).
    causality: RefCell<Causality>,
}

impl Session {
    /// Builds the run a scenario describes (its recorded actions are replayed as time advances).
    pub fn new(protocol: Definition, scenario: &Scenario) -> Result<Self, String> {
        let info = (protocol.info)();
        let setup = scenario.setup(&info)?;
        (protocol.validate)(&setup)?;
        scenario.net.validate()?;
        validate_actions(&scenario.actions, &info, &setup)?;
        Ok(Self::build(protocol, info, scenario, setup, true))
    }

    /// Like [`Session::new`] but keeps no trace: for benchmarks and bulk fuzzing.
    pub fn without_trace(protocol: Definition, scenario: &Scenario) -> Result<Self, String> {
        let mut s = Self::new(protocol, scenario)?;
        s.recording = false;
        s.trace.clear();
        s.metrics = MetricsLog::new(0);
        Ok(s)
    }

    /// A run of protocol `P` (for protocol tests, which know the type).
    pub fn of<P: Protocol>(scenario: &Scenario) -> Result<Self, String> {
        Self::new(Definition::of::<P>(), scenario)
    }

    fn build(
        protocol: Definition,
        info: ProtocolInfo,
        scenario: &Scenario,
        setup: Setup,
        recording: bool,
    ) -> Self {
        let mut trace = Vec::new();
        let mut metrics = MetricsLog::new(info.series.len());
        let mut sim = Sim::new(
            (protocol.cluster)(&setup),
            setup,
            scenario.net,
            scenario.seed,
            scenario.client_rate,
            &mut Sink {
                records: &mut trace,
                metrics: &mut metrics,
                series: &info.series,
                enabled: recording,
            },
        );
        if scenario.chaos > 0 {
            sim.set_chaos(scenario.chaos);
        }
        let mut base = scenario.clone();
        base.actions.clear();
        let nodes = sim.setup().total();
        Session {
            info,
            scenario: base,
            checkpoints: vec![sim.clone()],
            sim,
            trace,
            metrics,
            actions: scenario.actions.clone(),
            horizon: 0,
            recording,
            index: TraceIndex::default(),
            flight_views: RefCell::default(),
            causality: RefCell::new(Causality::new(nodes)),
        }
    }

    /// Node `id`'s state machine, for protocol-specific tests that know its type `N`.
    ///
    /// Panics if `N` is not the node type of the run's protocol (a test bug).
    pub fn node<N: 'static>(&self, id: NodeId) -> &N {
        self.sim
            .cluster()
            .node_any(id)
            .downcast_ref::<N>()
            .expect("the run's protocol has this node type")
    }

    /// The run's typed checker (`C` must be the protocol's checker type), for protocol tests
    /// and tools that read what it tallies.
    pub fn checker<C: 'static>(&self) -> &C {
        self.sim
            .cluster()
            .checker_any()
            .downcast_ref::<C>()
            .expect("the run's protocol has this checker type")
    }

    /// The simulation state now.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Trace records up to now.
    pub fn records(&self) -> &[Record] {
        &self.trace[..self.sim.trace_pos().min(self.trace.len())]
    }

    fn sink<'a>(
        trace: &'a mut Vec<Record>,
        metrics: &'a mut MetricsLog,
        info: &'a ProtocolInfo,
        enabled: bool,
    ) -> Sink<'a> {
        Sink {
            records: trace,
            metrics,
            series: &info.series,
            enabled,
        }
    }

    /// The next recorded action if it is due before the next event that is not after `limit`.
    fn due_action(&self, limit: Micros) -> Option<Action> {
        let a = self.actions.get(self.sim.actions_applied())?;
        let next = self.sim.next_time();
        let due =
            a.at_event <= self.sim.events() && (a.t <= limit || next.is_some_and(|n| n <= limit));
        due.then(|| a.clone())
    }

    fn apply_recorded(&mut self, a: &Action) {
        let at = a.t.min(self.sim.next_time().unwrap_or(a.t));
        self.sim.set_now(at);
        let mut sink = Self::sink(
            &mut self.trace,
            &mut self.metrics,
            &self.info,
            self.recording,
        );
        let applied = self.sim.apply(&a.kind, &mut sink);
        self.index.update(&self.trace);
        if applied.is_err() {
            // A hand-edited link may carry an action that no longer applies; skip it so the
            // rest of the run still replays (the page reports invalid links when loading).
            self.actions.remove(self.sim.actions_applied());
        }
    }

    fn step_once(&mut self) -> bool {
        let mut sink = Self::sink(
            &mut self.trace,
            &mut self.metrics,
            &self.info,
            self.recording,
        );
        if !self.sim.step(&mut sink) {
            return false;
        }
        self.index.update(&self.trace);
        let last = self.checkpoints.last().map_or(0, |c| c.events());
        if self.sim.events() >= last + CHECKPOINT_EVERY {
            self.checkpoints.push(self.sim.clone());
        }
        self.horizon = self.horizon.max(self.sim.now());
        true
    }

    /// Whether the current moment lies before the end of the recorded branch.
    fn in_past(&self) -> bool {
        self.sim.trace_pos() < self.trace.len() || self.sim.actions_applied() < self.actions.len()
    }

    fn fork(&mut self) {
        self.flight_views.get_mut().clear();
        self.actions.truncate(self.sim.actions_applied());
        self.trace.truncate(self.sim.trace_pos());
        self.index.truncate(self.sim.trace_pos());
        self.causality.get_mut().truncate(self.sim.trace_pos());
        self.metrics.truncate(self.sim.samples_pos());
        let events = self.sim.events();
        self.checkpoints.retain(|c| c.events() <= events);
        self.horizon = self.sim.now();
    }
}

impl Session {
    /// Trace record `i` as the page shows it; a changed setting is said in the protocol's
    /// words (`Set the balancing policy to p2c`), which the record alone does not know.
    fn record_view(&self, i: usize) -> TraceView {
        let mut view = self.trace[i].view();
        if let RecordKind::Action(kind) = &self.trace[i].kind
            && let ActionKind::SetParam { node, key, value } = kind
        {
            view.text = self.info.describe_change(*node, key, *value);
        }
        view
    }

    /// The trace position of an event that has happened by now.
    fn event_pos(&self, e: CommEvent) -> Option<usize> {
        let spans = &self.index.spans;
        let s = &spans[spans.binary_search_by_key(&e.msg, |s| s.id).ok()?];
        let pos = match (e.delivery, s.end) {
            (false, _) => s.send_pos,
            (true, Some((pos, _, None))) => pos,
            (true, _) => return None,
        };
        (pos < self.sim.trace_pos()).then_some(pos)
    }
}

fn validate_actions(actions: &[Action], info: &ProtocolInfo, setup: &Setup) -> Result<(), String> {
    let nodes = setup.total();
    let mut prev = (0, 0);
    for (i, a) in actions.iter().enumerate() {
        if (a.at_event, a.t) < prev {
            return Err(format!("action {} is out of order", i + 1));
        }
        prev = (a.at_event, a.t);
        for node in a.kind.nodes() {
            if node == 0 || node as usize > nodes {
                return Err(format!(
                    "action {} names Node {node}, but the cluster has {nodes} nodes",
                    i + 1
                ));
            }
        }
        if let ActionKind::SetParam { node, key, value } = &a.kind {
            (info.check_change(setup, *node, key, *value))
                .map_err(|why| format!("action {}: {why}", i + 1))?;
        }
        if let ActionKind::Partition { groups } = &a.kind
            && groups.len() != nodes
        {
            return Err(format!(
                "action {} partitions {} nodes, but the cluster has {nodes}",
                i + 1,
                groups.len()
            ));
        }
    }
    Ok(())
}

impl Lab for Session {
    fn info(&self) -> &ProtocolInfo {
        &self.info
    }

    fn setup(&self) -> &Setup {
        self.sim.setup()
    }

    fn scenario(&self) -> Scenario {
        let mut s = self.scenario.clone();
        s.actions = self.actions.clone();
        s
    }

    fn now(&self) -> Micros {
        self.sim.now()
    }

    fn events(&self) -> u64 {
        self.sim.events()
    }

    fn horizon(&self) -> Micros {
        self.horizon.max(self.sim.now())
    }

    fn next_event_time(&self) -> Option<Micros> {
        self.sim.next_time()
    }

    fn advance_to(&mut self, t: Micros) {
        loop {
            if let Some(a) = self.due_action(t) {
                self.apply_recorded(&a);
                continue;
            }
            match self.sim.next_time() {
                Some(next) if next <= t => {
                    self.step_once();
                }
                _ => break,
            }
        }
        self.sim.set_now(t);
        self.horizon = self.horizon.max(t);
    }

    fn step(&mut self) -> bool {
        let limit = self.sim.next_time().unwrap_or(self.sim.now());
        while let Some(a) = self.due_action(limit) {
            self.apply_recorded(&a);
        }
        self.step_once()
    }

    fn seek(&mut self, t: Micros) {
        self.flight_views.get_mut().clear();
        // Start from the latest checkpoint not after `t`, unless the current state is closer.
        let cp = self.checkpoints.iter().rev().find(|c| c.now() <= t);
        if let Some(cp) = cp
            && (t < self.sim.now() || cp.events() > self.sim.events())
        {
            self.sim = cp.clone();
        }
        self.advance_to(t);
    }

    fn act(&mut self, kind: ActionKind) -> Result<(), String> {
        // Actions recorded for this very moment are applied first, so the new one follows them.
        while let Some(a) = self.due_action(self.sim.now()) {
            if a.t > self.sim.now() {
                break;
            }
            self.apply_recorded(&a);
        }
        self.sim.validate(&kind)?;
        if let ActionKind::SetParam { node, key, value } = &kind {
            (self.info).check_change(self.sim.setup(), *node, key, *value)?;
        }
        if self.in_past() {
            self.fork();
        }
        let action = Action {
            at_event: self.sim.events(),
            t: self.sim.now(),
            kind,
        };
        let mut sink = Self::sink(
            &mut self.trace,
            &mut self.metrics,
            &self.info,
            self.recording,
        );
        self.sim.apply(&action.kind, &mut sink)?;
        self.index.update(&self.trace);
        self.actions.push(action);
        self.horizon = self.sim.now();
        Ok(())
    }

    fn actions(&self) -> &[Action] {
        &self.actions
    }

    fn nodes(&self) -> Vec<NodeState> {
        (1..=self.sim.setup().total() as NodeId)
            .map(|id| NodeState {
                id,
                up: self.sim.is_up(id),
                countdown: self.sim.countdown(id),
                paused_until: self.sim.paused_until(id),
                view: self.sim.view(id),
            })
            .collect()
    }

    fn is_up(&self, id: NodeId) -> bool {
        id >= 1 && id as usize <= self.sim.setup().total() && self.sim.is_up(id)
    }

    fn in_flight(&self) -> Vec<FlightView> {
        let flights = self.sim.flights();
        let mut cache = self.flight_views.borrow_mut();
        cache.retain(|id, _| flights.contains_key(id));
        flights
            .iter()
            .map(|(&id, f)| {
                cache
                    .get_or_insert_with(id, || FlightView {
                        id,
                        from: f.from,
                        to: f.to,
                        sent: f.sent,
                        arrives: f.arrives,
                        msg: f.msg.view(),
                    })
                    .clone()
            })
            .collect()
    }

    fn recent_drops(&self, since: Micros) -> Vec<(FlightView, DropReason)> {
        let mut out = Vec::new();
        for r in self.records().iter().rev() {
            if r.t <= since {
                break;
            }
            if let RecordKind::Drop {
                id,
                from,
                to,
                msg,
                reason,
            } = &r.kind
            {
                out.push((
                    FlightView {
                        id: *id,
                        from: *from,
                        to: *to,
                        sent: r.t,
                        arrives: r.t,
                        msg: msg.view(),
                    },
                    *reason,
                ));
            }
        }
        out
    }

    fn network(&self) -> NetworkView {
        NetworkView {
            config: self.sim.net(),
            groups: self.sim.groups().to_vec(),
            cut_links: self.sim.cut_links().keys().copied().collect(),
            one_way: self.sim.one_way_cuts().keys().copied().collect(),
            slow_links: (self.sim.link_latencies().iter())
                .map(|(&(from, to), &(lo, hi))| (from, to, lo, hi))
                .collect(),
        }
    }

    fn summary(&self) -> Vec<(String, String)> {
        self.sim.cluster().summary(self.sim.up_flags())
    }

    fn diagram(&self) -> Option<super::picture::Diagram> {
        self.sim.cluster().diagram()
    }

    fn figures(&self) -> Vec<Figure> {
        self.sim.cluster().figures()
    }

    fn invariants(&self) -> Vec<InvariantStatus> {
        self.info
            .invariants
            .iter()
            .map(|spec| InvariantStatus {
                name: spec.name,
                statement: spec.statement,
                violated: self
                    .sim
                    .violations()
                    .iter()
                    .find(|(_, f)| f.invariant == spec.name)
                    .map(|(t, f)| (*t, f.detail.clone())),
            })
            .collect()
    }

    fn chaos(&self) -> ChaosView {
        let chaos = self.sim.chaos();
        ChaosView {
            rate: chaos.rate(),
            injected: chaos.injected(),
        }
    }

    fn spans(&self, t0: Micros, t1: Micros) -> Vec<SpanView> {
        let now = self.sim.now();
        let limit = self.sim.trace_pos();
        self.index
            .window(t0, t1.min(now), limit)
            .filter_map(|s| {
                let end = s.end.filter(|&(pos, _, _)| pos < limit);
                if end.is_some_and(|(_, t, _)| t < t0) {
                    return None;
                }
                let RecordKind::Send { msg, .. } = &self.trace[s.send_pos].kind else {
                    unreachable!("spans start at send lines")
                };
                Some(SpanView {
                    id: s.id,
                    from: s.from,
                    to: s.to,
                    sent: s.sent,
                    end: end.map(|(_, t, _)| t),
                    dropped: end.and_then(|(_, _, why)| why),
                    slow: s.slow,
                    msg: msg.view(),
                })
            })
            .collect()
    }

    fn milestones(&self, t0: Micros, t1: Micros) -> Vec<TraceView> {
        let limit = self.sim.trace_pos();
        let m = &self.index.milestones;
        let start = m.partition_point(|&p| self.trace[p].t < t0);
        m[start..]
            .iter()
            .take_while(|&&p| p < limit && self.trace[p].t <= t1)
            .map(|&p| self.record_view(p))
            .collect()
    }

    fn trace_len(&self) -> usize {
        self.records().len()
    }

    fn has_operations(&self) -> bool {
        (self.index.operations.first()).is_some_and(|&p| p < self.sim.trace_pos())
    }

    fn operations(&self) -> Vec<OpRecord> {
        let limit = self.sim.trace_pos();
        (self.index.operations.iter())
            .take_while(|&&p| p < limit)
            .filter_map(|&p| match &self.trace[p].kind {
                RecordKind::Note { node, note } => Some(OpRecord {
                    t: self.trace[p].t,
                    node: *node,
                    event: note.operation()?,
                }),
                _ => None,
            })
            .collect()
    }

    fn trace_line(&self, i: usize) -> TraceView {
        self.record_view(i)
    }

    fn trace_kind(&self, i: usize) -> TraceKind {
        self.trace[i].kind()
    }

    fn trace_records_jsonl(&self, from: usize, max_bytes: usize) -> (String, usize) {
        let records = self.records();
        let mut out = String::new();
        let mut next = from;
        while next < records.len() && (next == from || out.len() < max_bytes) {
            out.push_str(&records[next].to_json());
            out.push('\n');
            next += 1;
        }
        (out, next)
    }

    fn clocks(&self, events: &[CommEvent]) -> Vec<Option<EventClock>> {
        let mut at: Vec<(usize, usize)> = (events.iter().enumerate())
            .filter_map(|(i, &e)| Some((self.event_pos(e)?, i)))
            .collect();
        // Nearly in order already (each send, then its delivery): an insertion sort is quick
        // and keeps a copy of the standard sort out of the web build.
        super::small_sort::sort_small(&mut at);
        let positions: Vec<usize> = at.iter().map(|a| a.0).collect();
        let clocks = self.causality.borrow_mut().clocks(&self.trace, &positions);
        let mut out = vec![None; events.len()];
        for ((_, i), c) in at.into_iter().zip(clocks) {
            out[i] = Some(c);
        }
        out
    }

    fn cone(&self, event: CommEvent) -> Option<Cone> {
        let pos = self.event_pos(event)?;
        (self.causality.borrow_mut()).cone(&self.trace, pos, self.sim.trace_pos())
    }

    fn shiviz_chunk(&self, from_line: usize, max_bytes: usize) -> (String, usize) {
        let end = self.sim.trace_pos().min(self.trace.len());
        let (mut out, mut pos) = match from_line {
            0 => (causality::shiviz_head(), 0),
            line => (String::new(), line - 1),
        };
        let mut causal = self.causality.borrow_mut();
        // A slice of at most a few thousand records at a time, until the text is long enough.
        while pos < end && (pos + 1 == from_line || out.len() < max_bytes) {
            let to = (pos + 4_096).min(end);
            causal.each(&self.trace, pos, to, |r, c| {
                causality::shiviz_line(&mut out, r, c)
            });
            pos = to;
        }
        (out, pos + 1)
    }

    fn metrics(&self) -> MetricsNow<'_> {
        MetricsNow::new(
            &self.info.series,
            &self.metrics,
            self.sim.samples_pos(),
            self.sim.now(),
        )
    }
}
