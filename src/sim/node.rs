//! The sans-IO interface every protocol implements.
//!
//! A node is a plain state machine. The simulator hands it one input at a time — a delivered
//! message, a fired timer, a client request, a forced timeout, a restart — together with a
//! [`Ctx`] into which it writes its outputs: messages to send, timers to set or cancel, and notes
//! for the trace. The node never sees a clock or a socket, so the same code runs under the
//! fuzzer, the CLI and the browser, and a run is fully fixed by its seed and recorded actions.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::rc::Rc;

use super::erased::{self, Outputs};
use super::figure::Figure;
use super::json::JsonFields;
use super::metrics::Series;
pub use super::param::{ParamSpec, Unit};
pub use super::picture::{
    ChartSpec, Diagram, HashRingView, Host, KindSpec, MovedKeys, Panel, Picture, Placement,
    TradeoffSpec, TradeoffSweep,
};
use super::rng::Rng;
use super::time::Micros;
use super::workload::Wire;

/// Nodes are numbered from 1, as people count them.
pub type NodeId = u32;

/// A protocol message: anything a node sends to another node.
/// Its [`JsonFields`] write the trace's `msg` object, starting with the `type` tag.
pub trait Message: Clone + Debug + JsonFields + 'static {
    /// How the message is drawn and named in the page.
    fn view(&self) -> MsgView;
}

/// A protocol-level fact a node reports for the trace (a role change, a commit, …).
/// Its [`JsonFields`] write the note's fields for the trace line, after the `kind` tag, which
/// the simulator writes from [`Note::kind`].
pub trait Note: Clone + Debug + JsonFields + 'static {
    /// The trace line's `kind`, e.g. `role` or `commit`.
    fn kind(&self) -> &'static str;
    /// The note as a sentence for the event log, e.g. "Node 3 granted its vote to Node 1 for
    /// term 2" (every note reads as a sentence, never as raw data).
    fn describe(&self, node: NodeId) -> String;
    /// A sentence worth announcing to the visitor (e.g. "Node 2 became leader for term 4"),
    /// or `None` for minor notes.
    fn headline(&self, node: NodeId) -> Option<String>;
    /// Whether the note marks a milestone on the timeline, and which kind.
    fn marker(&self) -> Option<Marker> {
        None
    }
    /// The client operation event the note records, if it is one (a key–value client's
    /// invocation or completion): how the consistency checkers and the history view find the
    /// operations in any protocol's trace.
    fn operation(&self) -> Option<super::ops::OpEvent> {
        None
    }
}

/// A role name with its indefinite article, for sentences: "a follower", "an acceptor".
pub fn with_article(role: &str) -> String {
    let vowel = role.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {role}", if vowel { "an" } else { "a" })
}

/// Kinds of milestone drawn on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A node took over as leader (or primary, or distinguished proposer).
    Leader,
    /// A value or log entry became committed / chosen.
    Commit,
}

/// One node of a protocol: a deterministic state machine driven by the simulator.
pub trait Node: Clone + Debug + 'static {
    /// Messages exchanged between nodes.
    type Msg: Message;
    /// Timer names; setting a timer that is already pending replaces it.
    type Timer: Clone + Debug + PartialEq + 'static;
    /// Trace notes this protocol emits.
    type Note: Note;

    /// Called when the node boots and again on every restart (after [`Node::crash`]):
    /// set the initial timers here.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);
    /// A message from `from` arrived.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Self::Msg);
    /// A timer set earlier fired (cancelled or replaced timers never fire).
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer);
    /// A client asked this node to run `command`; a node that cannot serve it may redirect it.
    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, command: u64);
    /// The visitor forced this node's main timeout to fire now (e.g. start an election).
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>);
    /// The node crashed: forget volatile state, keep what the protocol persists to disk.
    /// Pending timers are cleared by the simulator.
    fn crash(&mut self);
    /// A setting changed mid-run (a recorded [`super::ActionKind::SetParam`]): a live
    /// parameter of the whole run (`about` is `None`, e.g. load balancing's `policy`) or a
    /// [`Knob`] of node `about` (e.g. a server's speed). Every node of the protocol hears every
    /// change, running or not, and takes what concerns it (the balancer keeps the weights of
    /// its servers); nothing is sent, as an operator's change to a configuration file. `now`
    /// is the virtual time of the change (a clock stepped by a fault jumps then).
    fn on_param(&mut self, now: Micros, about: Option<NodeId>, key: &str, value: u64) {
        let _ = (now, about, key, value);
    }
    /// Whether steady client load should be sent to this node (e.g. it believes it leads).
    fn accepts_clients(&self) -> bool;
    /// Whether `timer` is the countdown the page draws as an arc around the node.
    fn is_countdown(timer: &Self::Timer) -> bool;
    /// Everything the page shows about this node.
    fn view(&self) -> NodeView;
    /// Everything the page shows about this node at virtual time `now`: by default
    /// [`Node::view`]; a node whose state reads differently as time passes (a drifting clock)
    /// says so here.
    fn view_at(&self, now: Micros) -> NodeView {
        let _ = now;
        self.view()
    }
}

/// A protocol's safety checker: watches every node after every event.
pub trait Checker<N: Node>: Clone + Debug + 'static {
    /// Examine the cluster after an event that touched node `touched`; push every broken
    /// invariant onto `found`. `up[i]` tells whether node `i + 1` is running.
    fn check(
        &mut self,
        now: Micros,
        nodes: &[N],
        up: &[bool],
        touched: NodeId,
        found: &mut Vec<Finding>,
    );
    /// Facts only the checker knows (it sees every node and which are really down), as
    /// (label, value) lines for the page; none by default.
    fn summary(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// Typed figures only the checker knows (detection times, false suspicions, …), which a
    /// comparison of many runs pools per setting; none by default.
    fn figures(&self) -> Vec<Figure> {
        Vec::new()
    }
}

/// One broken invariant, as found by a [`Checker`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The invariant's name as listed in [`ProtocolInfo::invariants`].
    pub invariant: &'static str,
    /// What exactly went wrong, for people.
    pub detail: String,
}

/// A protocol: its node type, its checker, and the knobs it offers.
///
/// Registering a new protocol means implementing this trait in its own module and adding one
/// line to `protocols::REGISTRY`.
pub trait Protocol: 'static {
    /// The node state machine.
    type Node: Node;
    /// The safety checker run after every event.
    type Checker: Checker<Self::Node>;
    /// Name, parameters, bug toggles and invariants.
    fn info() -> ProtocolInfo;
    /// Extra validation of a setup beyond each parameter's own range (e.g. min ≤ max).
    fn validate(setup: &Setup) -> Result<(), String> {
        let _ = setup;
        Ok(())
    }
    /// A fresh node `id` of a cluster described by `setup`.
    fn new_node(id: NodeId, setup: &Setup) -> Self::Node;
    /// A fresh checker for a cluster described by `setup`.
    fn new_checker(setup: &Setup) -> Self::Checker;
    /// How the protocol's messages carry client requests and answers, if it serves workload
    /// clients ([`super::workload`]); a protocol that declares the client kind must give one.
    fn wire() -> Option<Wire<<Self::Node as Node>::Msg>> {
        None
    }
    /// Facts about the whole cluster that no single node knows, as (label, value) lines for
    /// the page (e.g. "Chosen value: 7 (accepted by 3 of 5 in ballot 2.1)").
    fn summary(nodes: &[Self::Node], up: &[bool]) -> Vec<(String, String)> {
        let _ = (nodes, up);
        Vec::new()
    }
    /// A picture of the run's state beyond nodes and charts (load balancing's hashing ring),
    /// if the protocol has one.
    fn diagram(nodes: &[Self::Node]) -> Option<super::picture::Diagram> {
        let _ = nodes;
        None
    }
}

/// Static description of a protocol, used by the page, the CLI and links.
#[derive(Clone, Debug)]
pub struct ProtocolInfo {
    /// Short name used in links and on the command line, e.g. `raft`.
    pub name: &'static str,
    /// Human title, e.g. `Raft`.
    pub title: &'static str,
    /// Smallest and largest cluster the protocol supports.
    pub min_nodes: usize,
    /// Largest cluster the protocol supports.
    pub max_nodes: usize,
    /// Default cluster size.
    pub default_nodes: usize,
    /// Default network latency range in microseconds.
    pub default_latency: (Micros, Micros),
    /// Tunable parameters.
    pub params: Vec<ParamSpec>,
    /// Deliberate bugs a visitor can switch on to watch the checker catch them.
    pub bugs: Vec<BugSpec>,
    /// Safety invariants the checker enforces.
    pub invariants: Vec<InvariantSpec>,
    /// Roles a node can have, least prominent first (the page gives each its own shape and
    /// crowns the last one, e.g. Raft's `["follower", "candidate", "leader"]`).
    pub roles: Vec<&'static str>,
    /// What the protocol calls its epoch number ("term", "ballot", …); empty for a protocol
    /// without epochs (load balancing), whose nodes then show no number.
    pub epoch_name: &'static str,
    /// The node-menu label of a client request (Raft: "Client request"; Paxos: "Propose a value").
    pub client_label: &'static str,
    /// The node-menu label of a forced timeout (Raft: "Time out").
    pub timeout_label: &'static str,
    /// Metric series the nodes write (see [`Ctx::record`]); the page charts them.
    pub series: Vec<Series>,
    /// Kinds of node besides the main one, in id order (e.g. clients); each one's count is a
    /// count parameter of `params`.
    pub kinds: Vec<KindSpec>,
    /// How the page draws a run: placement, panels, charts.
    pub picture: Picture,
    /// What `quorumscope compare` (and the page's trade-off panel) does by default.
    pub compare: CompareSpec,
    /// What a visitor can change while the run goes on.
    pub live: LiveSpec,
}

/// Settings a visitor can change while a run goes on, each change a recorded action
/// ([`super::ActionKind::SetParam`]) so that links replay it; every other parameter starts a
/// new run when changed.
#[derive(Clone, Copy, Debug, Default)]
pub struct LiveSpec {
    /// Keys of run-wide parameters (of [`ProtocolInfo::params`]), e.g. `policy`.
    pub params: &'static [&'static str],
    /// Settings of single nodes, e.g. a server's speed.
    pub knobs: &'static [Knob],
}

/// A setting of each node of one kind, changed from the node's menu: a count between `min`
/// and `max`, starting from a value the run's parameters decide.
#[derive(Clone, Copy, Debug)]
pub struct Knob {
    /// The kind whose nodes have it (the main kind by its first role).
    pub kind: &'static str,
    /// Key in links and actions, e.g. `speed`.
    pub key: &'static str,
    /// Label for people, e.g. `Speed`.
    pub label: &'static str,
    /// What follows a value, e.g. ` %` (empty for a plain number).
    pub unit: &'static str,
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
    /// Node `id`'s value before any change (e.g. a straggler's speed from `straggler_speed`).
    pub initial: fn(&Setup, NodeId) -> u64,
    /// The values its menu offers (any value from `min` to `max` can come from a link or the
    /// embedding API).
    pub presets: &'static [u64],
}

impl ProtocolInfo {
    /// The parameter declared with key `key`, if any.
    pub fn param_spec(&self, key: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.key == key)
    }

    /// The kind name of node `id` (the main kind by its first role), for knobs.
    pub fn kind_name(&self, setup: &Setup, id: NodeId) -> &'static str {
        match setup.kind_of(id) {
            Some(kind) => kind.name,
            None => self.roles.first().copied().unwrap_or(""),
        }
    }

    /// The knobs of node `id`.
    pub fn knobs_of(&self, setup: &Setup, id: NodeId) -> impl Iterator<Item = &'static Knob> {
        let kind = self.kind_name(setup, id);
        self.live.knobs.iter().filter(move |k| k.kind == kind)
    }

    /// A mid-run change in words: `Set the balancing policy to p2c`, `Set Node 3's speed to
    /// 25 %`.
    pub fn describe_change(&self, about: Option<NodeId>, key: &str, value: u64) -> String {
        match about {
            None => match self.param_spec(key) {
                Some(spec) => format!(
                    "Set the {} to {}",
                    spec.label.to_ascii_lowercase(),
                    spec.format(value)
                ),
                None => format!("Set {key} to {value}"),
            },
            Some(id) => match self.live.knobs.iter().find(|k| k.key == key) {
                Some(k) => format!(
                    "Set Node {id}'s {} to {value}{}",
                    k.label.to_ascii_lowercase(),
                    k.unit
                ),
                None => format!("Set Node {id}'s {key} to {value}"),
            },
        }
    }

    /// Checks a mid-run change of `key` to `value` (for node `about`, or the whole run):
    /// the setting must be live and the value in its range. Returns the key as declared.
    pub fn check_change(
        &self,
        setup: &Setup,
        about: Option<NodeId>,
        key: &str,
        value: u64,
    ) -> Result<&'static str, String> {
        let (declared, min, max) = match about {
            None => {
                let spec = (self.param_spec(key))
                    .filter(|p| self.live.params.contains(&p.key))
                    .ok_or_else(|| format!("{} cannot change '{key}' mid-run", self.title))?;
                (spec.key, spec.min, spec.max)
            }
            Some(id) => {
                let knob = (self.knobs_of(setup, id).find(|k| k.key == key))
                    .ok_or_else(|| format!("Node {id} has no setting '{key}'"))?;
                (knob.key, knob.min, knob.max)
            }
        };
        if !(min..=max).contains(&value) {
            return Err(format!("{key} takes {min} to {max}, not {value}"));
        }
        Ok(declared)
    }
}

/// A protocol's defaults for comparisons over seeded runs (`quorumscope compare`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompareSpec {
    /// The parameter swept when the command names none: load balancing's `policy` gives one
    /// row per policy. `None`: one row, the scenario as given.
    pub sweep: Option<&'static str>,
    /// The kind whose nodes the gentle crash schedule picks from: load balancing crashes its
    /// servers, not its one balancer. `None`: the main kind (the protocol's peers).
    pub crashes: Option<&'static str>,
}

/// A deliberate protocol bug that can be switched on.
#[derive(Clone, Debug)]
pub struct BugSpec {
    /// Key used in links and on the command line.
    pub key: &'static str,
    /// What the bug does, for people.
    pub description: &'static str,
}

/// A safety property the checker enforces.
#[derive(Clone, Debug)]
pub struct InvariantSpec {
    /// Name, e.g. `Election Safety`.
    pub name: &'static str,
    /// One-sentence statement of the property.
    pub statement: &'static str,
}

/// Everything a protocol needs to build its nodes: sizes, parameters, enabled bugs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Number of nodes of the main kind (the protocol's peers), numbered `1..=nodes`.
    pub nodes: usize,
    /// The other kinds with their counts, in id order (see [`KindSpec`]); empty for a run of
    /// peers only.
    pub extra: Vec<KindCount>,
    /// Parameter values by key (every key of the protocol's `params` is present).
    pub params: std::collections::BTreeMap<String, u64>,
    /// Enabled bug toggles by key.
    pub bugs: BTreeSet<String>,
    /// Knob values changed mid-run, by node and key (see [`Knob`]); a knob not listed has
    /// its initial value.
    pub tuned: Vec<(NodeId, String, u64)>,
}

impl Setup {
    /// The value of parameter `key`; protocols only ask for keys they declared.
    pub fn param(&self, key: &str) -> u64 {
        self.params
            .get(key)
            .copied()
            .unwrap_or_else(|| panic!("undeclared parameter {key}"))
    }
    /// The value of parameter `key` if the protocol declared it, else `default` (for code
    /// shared by protocols that opt into a parameter or not, like the clients' reads).
    pub fn param_or(&self, key: &str, default: u64) -> u64 {
        self.params.get(key).copied().unwrap_or(default)
    }
    /// Node `id`'s value of `knob` now.
    pub fn knob(&self, knob: &Knob, id: NodeId) -> u64 {
        (self.tuned.iter())
            .find(|(node, key, _)| *node == id && key == knob.key)
            .map_or_else(|| (knob.initial)(self, id), |&(_, _, value)| value)
    }
    /// Records a mid-run change (checked by [`ProtocolInfo::check_change`]).
    pub fn change(&mut self, about: Option<NodeId>, key: &str, value: u64) {
        match about {
            None => {
                self.params.insert(key.to_string(), value);
            }
            Some(id) => {
                self.tuned.retain(|(node, k, _)| !(*node == id && k == key));
                self.tuned.push((id, key.to_string(), value));
            }
        }
    }
    /// Whether bug toggle `key` is on.
    pub fn bug(&self, key: &str) -> bool {
        self.bugs.contains(key)
    }
    /// Number of nodes of every kind: ids run from 1 to this.
    pub fn total(&self) -> usize {
        self.nodes + self.extra.iter().map(|k| k.count).sum::<usize>()
    }
    /// Every kind in id order, the main one first (`None`), with its first id and count.
    fn kinds(&self) -> impl Iterator<Item = (Option<&KindCount>, NodeId, usize)> {
        let main = std::iter::once((None, self.nodes));
        let extra = self.extra.iter().map(|k| (Some(k), k.count));
        main.chain(extra).scan(1, |first, (kind, count)| {
            let at = *first;
            *first += count as NodeId;
            Some((kind, at, count))
        })
    }
    /// The ids of the nodes of kind `name` (empty if the run has none).
    pub fn ids_of(&self, name: &str) -> std::ops::RangeInclusive<NodeId> {
        #[allow(clippy::reversed_empty_ranges)]
        (self.kinds())
            .find(|(kind, _, _)| kind.is_some_and(|k| k.name == name))
            .map_or(1..=0, |(_, first, count)| {
                first..=first + count as NodeId - 1
            })
    }
    /// The extra kind node `id` belongs to, or `None` for the main kind (and unknown ids).
    pub fn kind_of(&self, id: NodeId) -> Option<&KindCount> {
        (self.kinds())
            .find(|&(_, first, count)| id >= first && id < first + count as NodeId)
            .and_then(|(kind, _, _)| kind)
    }
    /// The first id and the count of the kind node `id` belongs to (its peers for
    /// [`Ctx::peers`]).
    pub fn kind_span(&self, id: NodeId) -> (NodeId, usize) {
        (self.kinds())
            .find(|&(_, first, count)| id < first + count as NodeId)
            .map_or((1, self.nodes), |(_, first, count)| (first, count))
    }
}

/// How many nodes of one extra kind a run holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindCount {
    /// The kind's name ([`KindSpec::name`]).
    pub name: &'static str,
    /// Who runs them.
    pub host: Host,
    /// How many.
    pub count: usize,
}

/// What the page shows about one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeView {
    /// The node's role, one of [`ProtocolInfo::roles`].
    pub role: &'static str,
    /// The node's epoch (Raft term); drives the fill colour.
    pub epoch: u64,
    /// The newest entries of the node's log (at most [`NodeView::LOG_TAIL`]), oldest first;
    /// the first of them is entry number `log_len - log.len() + 1`.
    pub log: Vec<EntryView>,
    /// Length of the whole log.
    pub log_len: u64,
    /// How many entries of the whole log this node knows are committed.
    pub log_committed: u64,
    /// Every field of the node's state, for the inspector: (name, value).
    pub fields: Vec<(&'static str, String)>,
    /// Whether the protocol keeps a replicated log (Raft, Multi-Paxos): the inspector then
    /// lists it; single-decree Paxos decides one value and shows its fields instead.
    pub has_log: bool,
    /// Set where several nodes may hold the most prominent role at once but only one of them
    /// leads (single-decree Paxos proposers): the page crowns only the running node with the
    /// highest claim. `None` everywhere (Raft, Multi-Paxos): every such node is crowned.
    pub lead_claim: Option<LeadClaim>,
    /// When each request waiting at this node arrived, oldest first (a server's queue): the page
    /// draws them beside the node, coloured by how long they have waited.
    pub queue: Vec<Micros>,
}

/// A node's claim to lead, ordered so that the leading claim is the greatest: the furthest
/// [`LeadStage`] first, then the higher round, then the higher node id (ballots are unique
/// per node).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LeadClaim {
    /// How far the claim got.
    pub stage: LeadStage,
    /// The round of its ballot.
    pub round: u64,
    /// The claiming node.
    pub node: NodeId,
}

/// How far a [`LeadClaim`] got, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeadStage {
    /// Not trying to lead now (a Paxos proposer idle or waiting to retry): never crowned.
    Idle,
    /// Gathering promises (Paxos phase 1).
    Preparing,
    /// Past the first phase (Paxos phase 2, or its value was chosen).
    Advanced,
}

impl NodeView {
    /// Most log entries a view carries: the page shows the tail, and building a view must stay
    /// cheap however long a run gets.
    pub const LOG_TAIL: usize = 48;

    /// Index (from 1) of the first entry in `log`.
    pub fn log_first_index(&self) -> u64 {
        self.log_len - self.log.len() as u64 + 1
    }
}

/// One log entry as the page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryView {
    /// The epoch the entry was created in.
    pub epoch: u64,
    /// The command it carries, as text.
    pub command: String,
    /// Whether this node knows the entry is committed.
    pub committed: bool,
}

/// How the page names and draws a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MsgView {
    /// Message type, e.g. `AppendEntries`.
    pub kind: &'static str,
    /// Whether it answers an earlier request (drawn differently from requests).
    pub reply: bool,
    /// For replies: whether the request succeeded.
    pub success: Option<bool>,
    /// A one-line explanation of the content, e.g. `term 3, 2 entries after 4/2`.
    pub detail: String,
}

/// The output buffer a node writes into while handling one input.
pub struct Ctx<'a, N: Node> {
    pub(crate) now: Micros,
    pub(crate) me: NodeId,
    /// The first id of this node's kind.
    pub(crate) first: NodeId,
    /// How many nodes this node's kind has.
    pub(crate) nodes: usize,
    pub(crate) rng: &'a mut Rng,
    pub(crate) out: &'a mut Outbox<N>,
}

/// What a node asked for while handling one input; drained by the simulator. The types are
/// erased as the node asks (each message, note and timer boxed for the engine), so that handing
/// it all to the engine is one piece of code for every protocol, not one per node type.
pub struct Outbox<N: Node> {
    pub(crate) out: Outputs,
    node: PhantomData<fn() -> N>,
}

impl<N: Node> Default for Outbox<N> {
    fn default() -> Self {
        Outbox {
            out: Outputs::default(),
            node: PhantomData,
        }
    }
}

/// A timer request recorded in an [`Outbox`].
#[derive(Clone, Debug)]
pub enum TimerOp<T> {
    /// Set (or re-set) a timer to fire after this many microseconds.
    Set(T, Micros),
    /// Cancel a pending timer.
    Cancel(T),
}

impl<'a, N: Node> Ctx<'a, N> {
    /// Builds a context for a node of a run of `nodes` peers numbered from 1; used by protocol
    /// unit tests.
    pub fn new(
        now: Micros,
        me: NodeId,
        nodes: usize,
        rng: &'a mut Rng,
        out: &'a mut Outbox<N>,
    ) -> Self {
        Ctx::of_kind(now, me, (1, nodes), rng, out)
    }
    /// Builds a context for a node whose kind holds `count` nodes from id `first`; used by the
    /// simulator.
    pub fn of_kind(
        now: Micros,
        me: NodeId,
        (first, count): (NodeId, usize),
        rng: &'a mut Rng,
        out: &'a mut Outbox<N>,
    ) -> Self {
        Ctx {
            now,
            me,
            first,
            nodes: count,
            rng,
            out,
        }
    }
    /// The current virtual time.
    pub fn now(&self) -> Micros {
        self.now
    }
    /// This node's id.
    pub fn me(&self) -> NodeId {
        self.me
    }
    /// How many nodes this node's kind has (the cluster size, for peers).
    pub fn cluster_size(&self) -> usize {
        self.nodes
    }
    /// Every other node of this node's kind, in order (nodes of other kinds are reached
    /// through the ids [`Setup::ids_of`] gives when the node is built).
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<N> {
        let me = self.me;
        (self.first..self.first + self.nodes as NodeId).filter(move |&p| p != me)
    }
    /// A random gap before the next of a series of events that come at `mean` µs apart on
    /// average (exponentially distributed, as Poisson arrivals are), at least 1 µs.
    pub fn random_gap(&mut self, mean: f64) -> Micros {
        self.rng.gap(mean)
    }
    /// Sends `msg` to `to` over the simulated network.
    pub fn send(&mut self, to: NodeId, msg: N::Msg) {
        self.out.out.sends.push((to, Rc::new(msg)));
    }
    /// Sets (or re-sets) `timer` to fire `after` microseconds from now.
    pub fn set_timer(&mut self, timer: N::Timer, after: Micros) {
        let timer = erased::timer::<N>(timer);
        self.out.out.timers.push(TimerOp::Set(timer, after));
    }
    /// Cancels `timer` if pending.
    pub fn cancel_timer(&mut self, timer: N::Timer) {
        let timer = erased::timer::<N>(timer);
        self.out.out.timers.push(TimerOp::Cancel(timer));
    }
    /// Records a protocol note in the trace.
    pub fn note(&mut self, note: N::Note) {
        self.out.out.notes.push(Box::new(note));
    }
    /// Writes a sample to a metric series the protocol declared in [`ProtocolInfo::series`].
    pub fn record(&mut self, series: Series, value: i64) {
        self.out.out.samples.push((series, self.me, value));
    }
    /// Writes a sample about another node `about` (e.g. how suspicious a watched node's
    /// silence is): a gauge's line is then `about`'s, not the writer's.
    pub fn record_about(&mut self, series: Series, about: NodeId, value: i64) {
        self.out.out.samples.push((series, about, value));
    }
    /// A uniform random integer in `lo..=hi` from the simulation's one PRNG.
    pub fn random_range(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.range(lo, hi)
    }

    /// Runs `step` on a state machine embedded in this node (the Raft server inside a
    /// key–value replica) with a context of its own types, then lifts what it asked for (sends,
    /// timers, notes) into this node's types, in order; its metric samples pass as they are.
    pub fn nest<I: Node, R>(
        &mut self,
        lift: Lift<I, N>,
        step: impl FnOnce(&mut Ctx<'_, I>) -> R,
    ) -> R {
        let mut inner = Outbox::<I>::default();
        let result = step(&mut Ctx {
            now: self.now,
            me: self.me,
            first: self.first,
            nodes: self.nodes,
            rng: self.rng,
            out: &mut inner,
        });
        let Outputs {
            sends,
            timers,
            notes,
            samples,
        } = inner.out;
        for (to, msg) in sends {
            self.send(
                to,
                (lift.msg)(erased::typed::<I::Msg>(msg.as_any()).clone()),
            );
        }
        for op in timers {
            match op {
                TimerOp::Set(t, after) => {
                    self.set_timer((lift.timer)(erased::timer_of::<I>(&*t).clone()), after)
                }
                TimerOp::Cancel(t) => {
                    self.cancel_timer((lift.timer)(erased::timer_of::<I>(&*t).clone()))
                }
            }
        }
        for note in notes {
            self.note((lift.note)(erased::typed::<I::Note>(note.as_any()).clone()));
        }
        self.out.out.samples.extend(samples);
        result
    }
}

/// How an embedded state machine's outputs become its host's ([`Ctx::nest`]): one wrapping
/// function per type, usually the host's enum variants.
pub struct Lift<I: Node, N: Node> {
    /// Wraps a message.
    pub msg: fn(I::Msg) -> N::Msg,
    /// Wraps a timer.
    pub timer: fn(I::Timer) -> N::Timer,
    /// Wraps a note.
    pub note: fn(I::Note) -> N::Note,
}

impl<I: Node, N: Node> Clone for Lift<I, N> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I: Node, N: Node> Copy for Lift<I, N> {}

impl<N: Node> Outbox<N> {
    /// Messages queued so far (for protocol unit tests).
    pub fn sends(&self) -> Vec<(NodeId, N::Msg)> {
        (self.out.sends.iter())
            .map(|(to, msg)| (*to, erased::typed::<N::Msg>(msg.as_any()).clone()))
            .collect()
    }
    /// Notes queued so far (for protocol unit tests).
    pub fn notes(&self) -> Vec<N::Note> {
        (self.out.notes.iter())
            .map(|note| erased::typed::<N::Note>(note.as_any()).clone())
            .collect()
    }
    /// Metric samples queued so far (for protocol unit tests).
    pub fn samples(&self) -> &[(Series, NodeId, i64)] {
        &self.out.samples
    }
    /// Timers set so far with their delays (for protocol unit tests).
    pub fn timers_set(&self) -> Vec<(N::Timer, Micros)> {
        self.out
            .timers
            .iter()
            .filter_map(|op| match op {
                TimerOp::Set(t, d) => Some((erased::timer_of::<N>(&**t).clone(), *d)),
                TimerOp::Cancel(_) => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::json::JsonObject;

    fn setup(extra: &[(&'static str, usize)]) -> Setup {
        Setup {
            nodes: 5,
            extra: extra
                .iter()
                .map(|&(name, count)| KindCount {
                    name,
                    host: Host::Protocol,
                    count,
                })
                .collect(),
            params: Default::default(),
            bugs: Default::default(),
            tuned: Vec::new(),
        }
    }

    #[test]
    fn ids_run_by_kind_in_declaration_order() {
        let s = setup(&[("balancer", 1), ("client", 4)]);
        assert_eq!(s.total(), 10);
        assert_eq!(s.ids_of("balancer"), 6..=6);
        assert_eq!(s.ids_of("client"), 7..=10);
        assert!(s.ids_of("manager").is_empty());
        assert_eq!(s.kind_of(5), None, "the main kind");
        assert_eq!(s.kind_of(6).map(|k| k.name), Some("balancer"));
        assert_eq!(s.kind_of(10).map(|k| k.name), Some("client"));
        assert_eq!(s.kind_of(11), None);
        assert_eq!(s.kind_span(3), (1, 5));
        assert_eq!(s.kind_span(6), (6, 1));
        assert_eq!(s.kind_span(9), (7, 4));
    }

    #[test]
    fn peers_are_the_nodes_of_ones_own_kind() {
        #[derive(Clone, Debug)]
        struct Quiet;
        impl Node for Quiet {
            type Msg = MsgStub;
            type Timer = ();
            type Note = NoteStub;
            fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}
            fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, _: MsgStub) {}
            fn on_timer(&mut self, _: &mut Ctx<'_, Self>, _: ()) {}
            fn on_client_request(&mut self, _: &mut Ctx<'_, Self>, _: u64) {}
            fn on_force_timeout(&mut self, _: &mut Ctx<'_, Self>) {}
            fn crash(&mut self) {}
            fn accepts_clients(&self) -> bool {
                false
            }
            fn is_countdown(_: &()) -> bool {
                false
            }
            fn view(&self) -> NodeView {
                NodeView::default()
            }
        }
        #[derive(Clone, Debug)]
        struct MsgStub;
        impl JsonFields for MsgStub {
            fn json_fields(&self, _: &mut JsonObject<'_>) {}
        }
        impl Message for MsgStub {
            fn view(&self) -> MsgView {
                MsgView::default()
            }
        }
        #[derive(Clone, Debug)]
        struct NoteStub;
        impl JsonFields for NoteStub {
            fn json_fields(&self, _: &mut JsonObject<'_>) {}
        }
        impl Note for NoteStub {
            fn kind(&self) -> &'static str {
                "stub"
            }
            fn describe(&self, _: NodeId) -> String {
                String::new()
            }
            fn headline(&self, _: NodeId) -> Option<String> {
                None
            }
        }
        let s = setup(&[("client", 4)]);
        let (mut rng, mut out) = (Rng::new(1), Outbox::<Quiet>::default());
        let ctx = Ctx::of_kind(0, 8, s.kind_span(8), &mut rng, &mut out);
        assert_eq!(ctx.peers().collect::<Vec<_>>(), [6, 7, 9]);
        assert_eq!(ctx.cluster_size(), 4);
        let ctx = Ctx::of_kind(0, 2, s.kind_span(2), &mut rng, &mut out);
        assert_eq!(ctx.peers().collect::<Vec<_>>(), [1, 3, 4, 5]);
    }
}
