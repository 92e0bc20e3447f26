//! The one adapter between typed protocols and the untyped engine.
//!
//! Protocol authors write typed code: a [`Node`] with its own message, timer and note types and
//! a [`Checker`] over `&[P::Node]`. The engine, the session, time travel, the trace and its
//! indexes are written once, over trait objects, so the wasm holds one copy of them whatever the
//! number of protocols. [`Definition::of`] is where the types are erased: it wraps a protocol's
//! nodes and checker in a [`Cluster`] object, and its messages, timers and notes in reference
//! counted trait objects that can still be drawn, serialised and handed back to the typed node.

use std::any::Any;
use std::fmt::Debug;
use std::rc::Rc;

use super::figure::Figure;
use super::json::{self, JsonFields, JsonObject};
use super::metrics::Series;
use super::node::{
    Checker, Ctx, Finding, Host, Marker, Message, MsgView, Node, NodeId, NodeView, Note, Outbox,
    Protocol, ProtocolInfo, Setup, TimerOp,
};
use super::picture::Diagram;
use super::rng::Rng;
use super::time::Micros;
use super::workload::{Client, ClientMsg, Request, Response, Wire};

/// A message on the wire whose type only its protocol knows; its [`JsonFields`] write the
/// trace's `msg` object.
pub trait AnyMessage: JsonFields {
    /// How the message is drawn and named in the page.
    fn view(&self) -> MsgView;
    /// For protocol code and tests that know the type.
    fn as_any(&self) -> &dyn Any;
    /// Hands the shared message to the typed node that receives it.
    fn into_any(self: Rc<Self>) -> Rc<dyn Any>;
}

impl<M: Message> AnyMessage for M {
    fn view(&self) -> MsgView {
        Message::view(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Rc<Self>) -> Rc<dyn Any> {
        self
    }
}

impl dyn AnyMessage {
    /// The message as a JSON object, as its trace lines carry it.
    pub fn to_json(&self) -> String {
        json::to_json(self)
    }
}

/// Messages print as their JSON (their types' own `Debug` code stays out of the build).
impl Debug for dyn AnyMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// A shared, type-erased message: one allocation, shared by the wire and the trace.
pub type MsgRef = Rc<dyn AnyMessage>;

/// A protocol note whose type only its protocol knows.
pub trait AnyNote {
    /// The trace line's `kind`.
    fn kind(&self) -> &'static str;
    /// The note as a sentence for the event log.
    fn describe(&self, node: NodeId) -> String;
    /// A sentence worth announcing, or `None` for minor notes.
    fn headline(&self, node: NodeId) -> Option<String>;
    /// The timeline milestone the note marks, if any.
    fn marker(&self) -> Option<Marker>;
    /// The client operation event it records, if any.
    fn operation(&self) -> Option<super::ops::OpEvent>;
    /// Writes the note's `kind` and fields into a trace line's object.
    fn trace_fields(&self, o: &mut JsonObject<'_>);
    /// For protocol code and tests that know the type.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Note> AnyNote for T {
    fn kind(&self) -> &'static str {
        Note::kind(self)
    }
    fn describe(&self, node: NodeId) -> String {
        Note::describe(self, node)
    }
    fn headline(&self, node: NodeId) -> Option<String> {
        Note::headline(self, node)
    }
    fn marker(&self) -> Option<Marker> {
        Note::marker(self)
    }
    fn operation(&self) -> Option<super::ops::OpEvent> {
        Note::operation(self)
    }
    fn trace_fields(&self, o: &mut JsonObject<'_>) {
        o.str("kind", Note::kind(self));
        self.json_fields(o);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl dyn AnyNote {
    /// The note as a JSON object (with its `kind`), as its trace line carries it.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut o = JsonObject::open(&mut out);
        self.trace_fields(&mut o);
        o.close();
        out
    }
}

/// Notes print as their JSON (their types' own `Debug` code stays out of the build).
impl Debug for dyn AnyNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// A type-erased note as the trace keeps it.
pub type NoteRef = Box<dyn AnyNote>;

/// A pending timer whose type only its protocol knows.
pub trait AnyTimer {
    /// Whether `other` names the same timer (setting a timer replaces the pending one).
    fn same(&self, other: &dyn AnyTimer) -> bool;
    /// Whether this is the countdown the page draws as an arc around the node.
    fn is_countdown(&self) -> bool;
    /// For the typed node that set it.
    fn as_any(&self) -> &dyn Any;
}

/// A node type's timer, remembering the node type so it can answer [`AnyTimer::is_countdown`].
struct TimerOf<N: Node>(N::Timer);

impl<N: Node> Debug for TimerOf<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<N: Node> AnyTimer for TimerOf<N> {
    fn same(&self, other: &dyn AnyTimer) -> bool {
        other
            .as_any()
            .downcast_ref::<Self>()
            .is_some_and(|o| o.0 == self.0)
    }
    fn is_countdown(&self) -> bool {
        N::is_countdown(&self.0)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Timers print as whether they are the countdown (their types' own `Debug` code stays out of
/// the build).
impl Debug for dyn AnyTimer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_countdown() {
            "countdown"
        } else {
            "timer"
        })
    }
}

/// A shared, type-erased timer (checkpoints clone pending timers cheaply).
pub type TimerRef = Rc<dyn AnyTimer>;

/// One input for one node, as the engine hands it over.
pub enum Input {
    /// The node boots (at time 0 and on every restart).
    Start,
    /// A message from `from` arrived.
    Message {
        /// The sender.
        from: NodeId,
        /// The message.
        msg: MsgRef,
    },
    /// A timer the node set fired.
    Timer(TimerRef),
    /// A client handed the node a command.
    ClientRequest(u64),
    /// The visitor forced the node's main timeout.
    ForceTimeout,
}

/// What a node asked for while handling one input, with the types erased.
#[derive(Default)]
pub struct Outputs {
    /// Messages to send, in order.
    pub sends: Vec<(NodeId, MsgRef)>,
    /// Timers to set or cancel, in order.
    pub timers: Vec<TimerOp<TimerRef>>,
    /// Notes for the trace, in order.
    pub notes: Vec<NoteRef>,
    /// Metric samples, in order.
    pub samples: Vec<(Series, NodeId, i64)>,
}

/// The engine's view of a protocol's nodes and checker: every call one virtual dispatch.
pub trait Cluster {
    /// A copy (a checkpoint).
    fn clone_box(&self) -> Box<dyn Cluster>;
    /// Runs one input on node `id` at `now`, writing what it asks for into `out`.
    fn handle(&mut self, id: NodeId, input: Input, now: Micros, rng: &mut Rng, out: &mut Outputs);
    /// Node `id` crashed: it forgets its volatile state.
    fn crash(&mut self, id: NodeId);
    /// A setting changed mid-run: every protocol node hears it (see [`Node::on_param`]).
    fn on_param(&mut self, now: Micros, about: Option<NodeId>, key: &str, value: u64);
    /// Whether steady client load should go to node `id`.
    fn accepts_clients(&self, id: NodeId) -> bool;
    /// Everything the page shows about node `id`.
    fn view(&self, id: NodeId, now: Micros) -> NodeView;
    /// Runs the checker after an event that touched `touched`.
    fn check(&mut self, now: Micros, up: &[bool], touched: NodeId, found: &mut Vec<Finding>);
    /// Cluster-wide facts for the page.
    fn summary(&self, up: &[bool]) -> Vec<(String, String)>;
    /// The protocol's diagram, if it has one (see [`Protocol::diagram`]).
    fn diagram(&self) -> Option<Diagram>;
    /// The checker's typed figures (see [`Checker::figures`]).
    fn figures(&self) -> Vec<Figure>;
    /// Node `id`'s typed state machine, for protocol tests (see [`super::Session::node`]).
    fn node_any(&self, id: NodeId) -> &dyn Any;
    /// The typed checker, for protocol tests and tools (see [`super::Session::checker`]).
    fn checker_any(&self) -> &dyn Any;
}

/// Protocol `P`'s nodes and checker behind the [`Cluster`] interface, with the workload
/// clients that talk to them (numbered after the protocol's own nodes).
struct Typed<P: Protocol> {
    nodes: Vec<P::Node>,
    checker: P::Checker,
    /// Reused typed output buffer; always empty between inputs.
    outbox: Outbox<P::Node>,
    /// The clients and every node's kind span: the same for every protocol, so building and
    /// copying them is one piece of code, not one per protocol.
    around: Around,
}

/// Protocol `P`'s message type.
type Msg<P> = <<P as Protocol>::Node as Node>::Msg;

/// What a cluster holds besides its protocol's nodes and checker (not generic).
struct Around {
    /// How many nodes the protocol itself runs (ids `1..=own`); the clients come after.
    own: usize,
    /// The clients: one piece of code for every protocol, speaking [`ClientMsg`] (the
    /// protocol's [`Wire`] translates).
    clients: Vec<Client>,
    /// Per node (id − 1): the first id and the size of its kind, for [`Ctx::peers`].
    spans: Vec<(NodeId, usize)>,
    /// Reused client output buffer; always empty between inputs.
    client_outbox: Outbox<Client>,
}

impl Around {
    /// The clients and spans of a run described by `setup`.
    #[inline(never)]
    fn build(setup: &Setup) -> Self {
        let mut own = setup.nodes;
        for k in setup.extra.iter().filter(|k| k.host == Host::Protocol) {
            own += k.count;
        }
        let (mut clients, mut spans) = (Vec::new(), Vec::new());
        for id in 1..=setup.total() as NodeId {
            if id as usize > own {
                clients.push(Client::new(id, setup.nodes, setup));
            }
            spans.push(setup.kind_span(id));
        }
        Around {
            own,
            clients,
            spans,
            client_outbox: Outbox::default(),
        }
    }

    /// A copy for a checkpoint (the output buffer starts empty).
    #[inline(never)]
    fn copy(&self) -> Self {
        Around {
            own: self.own,
            clients: self.clients.clone(),
            spans: self.spans.clone(),
            client_outbox: Outbox::default(),
        }
    }

    /// The client with node id `id` (clients are numbered after the protocol's own nodes).
    fn client(&self, id: NodeId) -> &Client {
        &self.clients[id as usize - 1 - self.own]
    }

    /// The client with node id `id`, to run.
    fn client_mut(&mut self, id: NodeId) -> &mut Client {
        &mut self.clients[id as usize - 1 - self.own]
    }
}

impl<P: Protocol> Typed<P> {
    fn build(setup: &Setup) -> Self {
        let around = Around::build(setup);
        assert!(
            around.clients.is_empty() || P::wire().is_some(),
            "a protocol with client nodes gives its wire"
        );
        let mut nodes = Vec::with_capacity(around.own);
        for id in 1..=around.own as NodeId {
            nodes.push(P::new_node(id, setup));
        }
        Typed {
            nodes,
            checker: P::new_checker(setup),
            outbox: Outbox::default(),
            around,
        }
    }
}

/// Runs one input on a typed node and moves what it asked for into `out`, erasing the types.
fn run<N: Node>(node: &mut N, mut ctx: Ctx<'_, N>, input: Input) {
    match input {
        Input::Start => node.on_start(&mut ctx),
        Input::Message { from, msg } => {
            let msg = msg
                .into_any()
                .downcast::<N::Msg>()
                .expect("a protocol only receives its own messages");
            let msg = Rc::try_unwrap(msg).unwrap_or_else(|rc| (*rc).clone());
            node.on_message(&mut ctx, from, msg);
        }
        Input::Timer(timer) => {
            let timer = timer
                .as_any()
                .downcast_ref::<TimerOf<N>>()
                .expect("a node only gets its own timers")
                .0
                .clone();
            node.on_timer(&mut ctx, timer);
        }
        Input::ClientRequest(command) => node.on_client_request(&mut ctx, command),
        Input::ForceTimeout => node.on_force_timeout(&mut ctx),
    }
}

/// A protocol's [`Wire`] over erased messages, so that the code running clients is one copy.
struct ErasedWire {
    request: fn(Request) -> MsgRef,
    response: fn(&dyn AnyMessage) -> Option<Response>,
}

/// Protocol `P`'s wire; only asked for when the run has clients, which [`Typed::build`]
/// allows only for a protocol that gives one.
fn wire<P: Protocol>() -> Wire<Msg<P>> {
    P::wire().expect("a protocol with client nodes gives its wire")
}

/// How protocol `P`'s messages carry client traffic, with the types erased (the only
/// per-protocol part of running a client).
fn wire_of<P: Protocol>() -> ErasedWire {
    ErasedWire {
        request: |request| Rc::new((wire::<P>().request)(request)),
        response: |msg| msg.as_any().downcast_ref().and_then(wire::<P>().response),
    }
}

/// Runs one input on client `id`. A client speaks its own messages: the protocol's answers
/// come in as responses, its requests go out as the protocol's messages.
#[inline(never)]
fn run_client(
    around: &mut Around,
    (id, now): (NodeId, Micros),
    rng: &mut Rng,
    input: Input,
    out: &mut Outputs,
    wire: &ErasedWire,
) {
    let input = match input {
        Input::Message { from, msg } => match (wire.response)(&*msg) {
            Some(response) => Input::Message {
                from,
                msg: Rc::new(ClientMsg::Response(response)),
            },
            None => return, // not meant for a client
        },
        input => input,
    };
    let span = around.spans[id as usize - 1];
    let client = &mut around.clients[id as usize - 1 - around.own];
    let outbox = &mut around.client_outbox;
    run(client, Ctx::of_kind(now, id, span, rng, outbox), input);
    for (to, msg) in outbox.out.sends.drain(..) {
        if let ClientMsg::Request(request) = typed::<ClientMsg>(msg.as_any()) {
            out.sends.push((to, (wire.request)(*request)));
        }
    }
    out.take_effects(&mut outbox.out);
}

/// A node type's timer, erased (for [`Ctx::set_timer`] and [`Ctx::cancel_timer`]).
pub(crate) fn timer<N: Node>(timer: N::Timer) -> TimerRef {
    Rc::new(TimerOf::<N>(timer))
}

/// The node type's timer behind an erased one (for protocol unit tests).
pub(crate) fn timer_of<N: Node>(timer: &dyn AnyTimer) -> &N::Timer {
    &typed::<TimerOf<N>>(timer.as_any()).0
}

/// The typed value behind an erased one whose type the caller knows.
pub(crate) fn typed<T: 'static>(value: &dyn Any) -> &T {
    value
        .downcast_ref()
        .expect("a value of the caller's own type")
}

impl Outputs {
    /// Moves everything `from` holds to the end of these outputs (one piece of code for every
    /// protocol: nodes' outboxes hold erased values already).
    #[inline(never)]
    fn take(&mut self, from: &mut Outputs) {
        self.sends.append(&mut from.sends);
        self.take_effects(from);
    }

    /// Moves the notes, timers and samples `from` holds to the end of these outputs.
    #[inline(never)]
    fn take_effects(&mut self, from: &mut Outputs) {
        self.timers.append(&mut from.timers);
        self.notes.append(&mut from.notes);
        self.samples.append(&mut from.samples);
    }
}

impl<P: Protocol> Cluster for Typed<P> {
    fn clone_box(&self) -> Box<dyn Cluster> {
        Box::new(Typed::<P> {
            nodes: self.nodes.clone(),
            checker: self.checker.clone(),
            outbox: Outbox::default(),
            around: self.around.copy(),
        })
    }

    fn handle(&mut self, id: NodeId, input: Input, now: Micros, rng: &mut Rng, out: &mut Outputs) {
        if let Some(node) = self.nodes.get_mut(id as usize - 1) {
            let span = self.around.spans[id as usize - 1];
            let ctx = Ctx::of_kind(now, id, span, rng, &mut self.outbox);
            run(node, ctx, input);
            out.take(&mut self.outbox.out);
        } else {
            let wire = wire_of::<P>();
            run_client(&mut self.around, (id, now), rng, input, out, &wire);
        }
    }

    fn crash(&mut self, id: NodeId) {
        match self.nodes.get_mut(id as usize - 1) {
            Some(node) => node.crash(),
            None => self.around.client_mut(id).crash(),
        }
    }

    fn on_param(&mut self, now: Micros, about: Option<NodeId>, key: &str, value: u64) {
        for node in &mut self.nodes {
            node.on_param(now, about, key, value);
        }
    }

    fn accepts_clients(&self, id: NodeId) -> bool {
        self.nodes
            .get(id as usize - 1)
            .is_some_and(|n| n.accepts_clients())
    }

    fn view(&self, id: NodeId, now: Micros) -> NodeView {
        match self.nodes.get(id as usize - 1) {
            Some(node) => node.view_at(now),
            None => self.around.client(id).view(),
        }
    }

    fn check(&mut self, now: Micros, up: &[bool], touched: NodeId, found: &mut Vec<Finding>) {
        // Clients hold no protocol state: an event at a client cannot break an invariant.
        if touched as usize <= self.nodes.len() {
            self.checker
                .check(now, &self.nodes, &up[..self.nodes.len()], touched, found);
        }
    }

    fn summary(&self, up: &[bool]) -> Vec<(String, String)> {
        let mut lines = P::summary(&self.nodes, &up[..self.nodes.len()]);
        lines.extend(self.checker.summary());
        lines
    }

    fn diagram(&self) -> Option<Diagram> {
        P::diagram(&self.nodes)
    }

    fn figures(&self) -> Vec<Figure> {
        self.checker.figures()
    }

    fn checker_any(&self) -> &dyn Any {
        &self.checker
    }

    fn node_any(&self, id: NodeId) -> &dyn Any {
        match self.nodes.get(id as usize - 1) {
            Some(node) => node,
            None => self.around.client(id),
        }
    }
}

/// A protocol with its types erased: everything the engine needs to describe, check and build
/// a run of it. The registry holds one per protocol.
#[derive(Clone, Copy)]
pub struct Definition {
    /// The protocol's static description.
    pub info: fn() -> ProtocolInfo,
    /// Protocol-specific validation of a setup.
    pub validate: fn(&Setup) -> Result<(), String>,
    /// Builds the nodes and checker of a cluster described by a setup.
    pub cluster: fn(&Setup) -> Box<dyn Cluster>,
}

impl Definition {
    /// The erased form of protocol `P`: the only place its types meet the engine.
    pub const fn of<P: Protocol>() -> Definition {
        Definition {
            info: P::info,
            validate: P::validate,
            cluster: |setup| Box::new(Typed::<P>::build(setup)),
        }
    }
}
