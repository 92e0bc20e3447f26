//! `Lab`: the protocol-independent face of a running simulation.
//!
//! The page and the CLI hold a `Box<dyn Lab>` and never name a protocol type: everything they
//! show comes through the views defined here, everything they do goes in as an [`ActionKind`].

use super::action::{Action, ActionKind, NetConfig};
use super::causality::{CommEvent, Cone, EventClock};
use super::figure::Figure;
use super::metrics::MetricsNow;
use super::node::{Marker, MsgView, NodeId, NodeView, ProtocolInfo, Setup};
use super::scenario::Scenario;
use super::time::Micros;

/// A message on the wire, as the page draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct FlightView {
    /// Unique message id (also used by the drop action).
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Virtual send time.
    pub sent: Micros,
    /// Virtual arrival time.
    pub arrives: Micros,
    /// Name and content.
    pub msg: MsgView,
}

/// A node as the page draws it: the protocol's view plus what the simulator knows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeState {
    /// Node number, from 1.
    pub id: NodeId,
    /// False while crashed.
    pub up: bool,
    /// The countdown timer drawn as an arc: (set at, fires at).
    pub countdown: Option<(Micros, Micros)>,
    /// When the node's pause ends, while it is paused.
    pub paused_until: Option<Micros>,
    /// The protocol's view of the node.
    pub view: NodeView,
}

/// Why a message never arrived: decided by the network when it was sent, or by the receiver's
/// state or the visitor when it was due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Sender and receiver were on different sides of a partition, or the link (or this
    /// direction of it) was cut.
    Partition,
    /// The network lost it (the loss rate).
    Lost,
    /// The receiver was crashed when it arrived.
    ReceiverDown,
    /// The visitor dropped it.
    Visitor,
}

impl DropReason {
    /// The words the trace's `reason` field and the page use.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Partition => "partition",
            DropReason::Lost => "lost by the network",
            DropReason::ReceiverDown => "receiver is down",
            DropReason::Visitor => "dropped by visitor",
        }
    }
}

/// What kind of milestone a trace line is, for the timeline, the lanes and the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Milestone {
    /// A node took over as leader (or the protocol's most prominent role).
    Leader,
    /// A value or log entry became committed or chosen.
    Commit,
    /// A visitor action was applied.
    Action,
    /// An invariant broke.
    Violation,
    /// Chaos mode injected a fault.
    Chaos,
}

impl Milestone {
    /// A short name, also the CSS class the page draws it with.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Leader => "leader",
            Milestone::Commit => "commit",
            Milestone::Action => "action",
            Milestone::Violation => "violation",
            Milestone::Chaos => "chaos",
        }
    }
}

impl From<Marker> for Milestone {
    fn from(m: Marker) -> Milestone {
        match m {
            Marker::Leader => Milestone::Leader,
            Marker::Commit => Milestone::Commit,
        }
    }
}

/// What a trace line records: one of the engine's own kinds, or a protocol note's kind (the
/// `kind` field of its JSON line in both cases).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TraceKind {
    /// A node put a message on the wire.
    Send,
    /// A message arrived.
    Deliver,
    /// A message was lost.
    Drop,
    /// A node crashed.
    Crash,
    /// A crashed node started again.
    Restart,
    /// A node froze.
    Pause,
    /// A paused node carried on.
    Resume,
    /// A client handed a node a command.
    Client,
    /// A visitor action was applied.
    Action,
    /// An invariant broke.
    Violation,
    /// Chaos mode injected a fault.
    Chaos,
    /// A protocol note, by its kind (e.g. Raft's `role`, `vote`, `commit`).
    Note(&'static str),
}

impl TraceKind {
    /// The trace line's `kind` field, also the event log's filter and CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceKind::Send => "send",
            TraceKind::Deliver => "deliver",
            TraceKind::Drop => "drop",
            TraceKind::Crash => "crash",
            TraceKind::Restart => "restart",
            TraceKind::Pause => "pause",
            TraceKind::Resume => "resume",
            TraceKind::Client => "client",
            TraceKind::Action => "action",
            TraceKind::Violation => "violation",
            TraceKind::Chaos => "chaos",
            TraceKind::Note(kind) => kind,
        }
    }
}

/// One line of the trace, ready to show or export.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceView {
    /// Virtual time of the event.
    pub t: Micros,
    /// Index of the event that produced the line (several lines may share one event).
    pub event: u64,
    /// What the line records.
    pub kind: TraceKind,
    /// The nodes the line concerns.
    pub nodes: Vec<NodeId>,
    /// A sentence for people.
    pub text: String,
    /// A headline worth announcing (leader elected, violation), if any.
    pub headline: Option<String>,
    /// The milestone the line marks, if any.
    pub marker: Option<Milestone>,
}

/// A message's life on the current branch, for the space-time diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanView {
    /// Message id.
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Virtual send time.
    pub sent: Micros,
    /// When it arrived or was lost; `None` while still in flight at the current time.
    pub end: Option<Micros>,
    /// Why it was lost, if it was (and the loss is not in the future).
    pub dropped: Option<DropReason>,
    /// It travels a direction the visitor slowed down.
    pub slow: bool,
    /// Name and content.
    pub msg: MsgView,
}

/// The status of one invariant at the current time.
#[derive(Clone, Debug, PartialEq)]
pub struct InvariantStatus {
    /// Invariant name.
    pub name: &'static str,
    /// The property, in one sentence.
    pub statement: &'static str,
    /// The first violation up to now: (time, detail).
    pub violated: Option<(Micros, String)>,
}

/// The network's current shape, for drawing cuts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkView {
    /// Latency, loss and duplication.
    pub config: NetConfig,
    /// `groups[i]` is node `i + 1`'s side of a partition (all equal when whole).
    pub groups: Vec<u8>,
    /// Links cut individually, as (lower id, higher id).
    pub cut_links: Vec<(NodeId, NodeId)>,
    /// Directions cut alone, as (from, to): `to` does not hear `from`.
    pub one_way: Vec<(NodeId, NodeId)>,
    /// Directions with their own latency range: (from, to, min µs, max µs).
    pub slow_links: Vec<(NodeId, NodeId, Micros, Micros)>,
}

impl NetworkView {
    /// Whether the nodes are split into more than one side.
    pub fn is_partitioned(&self) -> bool {
        self.groups.windows(2).any(|w| w[0] != w[1])
    }

    /// Whether every message can get through: no partition, no cut link, no one-way cut (what
    /// healing restores; slow links stay slow).
    pub fn is_whole(&self) -> bool {
        !self.is_partitioned() && self.cut_links.is_empty() && self.one_way.is_empty()
    }

    /// Whether messages from `a` to `b` are currently lost.
    pub fn is_cut(&self, a: NodeId, b: NodeId) -> bool {
        let (lo, hi) = (a.min(b), a.max(b));
        let side = |n: NodeId| self.groups.get(n as usize - 1).copied().unwrap_or(0);
        side(a) != side(b) || self.cut_links.contains(&(lo, hi)) || self.one_way.contains(&(a, b))
    }
}

/// Chaos mode now (see `sim::chaos`), for the page's switch and the invariant panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChaosView {
    /// Faults per 1,000 virtual seconds (0: off).
    pub rate: u32,
    /// Faults chaos injected up to now.
    pub injected: u64,
}

/// A running, seekable, recordable simulation of some protocol.
pub trait Lab {
    /// The protocol's static description.
    fn info(&self) -> &ProtocolInfo;
    /// The scenario with the actions recorded so far (what a link encodes).
    fn scenario(&self) -> Scenario;
    /// The run's kinds of node and their counts (ids by kind: see [`Setup`]).
    fn setup(&self) -> &Setup;
    /// Current virtual time.
    fn now(&self) -> Micros;
    /// Events processed so far.
    fn events(&self) -> u64;
    /// The latest virtual time explored on the current branch (for the time slider).
    fn horizon(&self) -> Micros;
    /// Virtual time of the next pending event, if any.
    fn next_event_time(&self) -> Option<Micros>;
    /// Runs forward to time `t`, replaying recorded actions on the way.
    fn advance_to(&mut self, t: Micros);
    /// Processes exactly one event (applying any action due first); false if nothing is pending.
    fn step(&mut self) -> bool;
    /// Moves to time `t`, backwards or forwards.
    fn seek(&mut self, t: Micros);
    /// Takes an action now. If now is in the past of the recorded branch, the recorded future
    /// is discarded (a fork). Fails, changing nothing, if the action does not apply.
    fn act(&mut self, kind: ActionKind) -> Result<(), String>;
    /// Actions recorded on this branch.
    fn actions(&self) -> &[Action];
    /// Every node's state now.
    fn nodes(&self) -> Vec<NodeState>;
    /// Whether node `id` is running (cheaper than [`Lab::nodes`]).
    fn is_up(&self, id: NodeId) -> bool;
    /// Messages in flight now, by id.
    fn in_flight(&self) -> Vec<FlightView>;
    /// Messages dropped in `(since, now]`, for the fading "lost" marks.
    fn recent_drops(&self, since: Micros) -> Vec<(FlightView, DropReason)>;
    /// The network now.
    fn network(&self) -> NetworkView;
    /// Cluster-wide facts no single node knows (see `Protocol::summary`).
    fn summary(&self) -> Vec<(String, String)>;
    /// The protocol's diagram now, if it has one (see `Protocol::diagram`).
    fn diagram(&self) -> Option<super::picture::Diagram>;
    /// The checker's typed figures up to now (see [`super::Checker::figures`]).
    fn figures(&self) -> Vec<Figure>;
    /// Each invariant and its first violation up to now.
    fn invariants(&self) -> Vec<InvariantStatus>;
    /// Chaos mode's rate and the faults it injected up to now.
    fn chaos(&self) -> ChaosView;
    /// Messages sent up to now whose life overlaps `[t0, t1]`, oldest first.
    fn spans(&self, t0: Micros, t1: Micros) -> Vec<SpanView>;
    /// Milestones up to now within `[t0, t1]`: role changes, commits, crashes, restarts,
    /// visitor actions and violations (trace lines with a marker or a headline).
    fn milestones(&self, t0: Micros, t1: Micros) -> Vec<TraceView>;
    /// Number of trace lines up to now.
    fn trace_len(&self) -> usize;
    /// Every client operation event up to the current moment, in trace order (empty for a
    /// protocol whose clients run no operations on a store).
    fn operations(&self) -> Vec<super::ops::OpRecord>;
    /// Whether any client operation happened up to now: whether the page has a history to show
    /// (cheap, unlike [`Lab::operations`]).
    fn has_operations(&self) -> bool;
    /// Trace line `i` (0-based; `i < trace_len()`).
    fn trace_line(&self, i: usize) -> TraceView;
    /// The kind of trace line `i` alone (cheap: no sentence is written).
    fn trace_kind(&self, i: usize) -> TraceKind;
    /// Trace lines up to now as JSON Lines (the export's lines after its header; see
    /// `crate::export`): whole lines from record `from` until the text reaches `max_bytes` (at
    /// least one line while any is left), and the next record's index (`trace_len()` at the
    /// end). Long runs are exported in slices, since one string of the whole trace can exceed
    /// what a browser's JavaScript engine holds.
    fn trace_records_jsonl(&self, from: usize, max_bytes: usize) -> (String, usize);
    /// The metric samples up to now, for charts and summaries.
    fn metrics(&self) -> MetricsNow<'_>;
    /// The logical clocks of `events` (sends and deliveries; see `sim::causality`), in the same
    /// order: `None` for one that has not happened by now.
    fn clocks(&self, events: &[CommEvent]) -> Vec<Option<EventClock>>;
    /// The causal past and future, up to now, of an event that has happened by now.
    fn cone(&self, event: CommEvent) -> Option<Cone>;
    /// The events up to now as a ShiViz log, sliced like [`Lab::trace_records_jsonl`]: line 0 is
    /// the file's head (the parsing regular expression and an empty delimiter line), line
    /// `i + 1` is trace record `i`'s event, if it is one; whole lines from `from_line` until the
    /// text reaches `max_bytes`, and the next line's number (`trace_len() + 1` at the end).
    fn shiviz_chunk(&self, from_line: usize, max_bytes: usize) -> (String, usize);
}
