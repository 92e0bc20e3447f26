//! A hand-driven cluster for the scripted tests of both Paxos variants, in the style of
//! etcd-io/raft's tests: messages wait until a test delivers them, timers fire only when a test
//! says so, and the checker watches every step.

use crate::sim::{Checker, Ctx, Finding, Micros, Node, NodeId, Outbox, Rng};

/// A cluster of `N` nodes checked by `C`; everything is public for tests to inspect.
pub struct Net<N: Node, C: Checker<N>> {
    /// Node `i + 1` at index `i`.
    pub nodes: Vec<N>,
    /// Whether each node is running.
    pub up: Vec<bool>,
    /// The one PRNG the nodes draw from.
    pub rng: Rng,
    /// Virtual time: one millisecond more for every input.
    pub now: Micros,
    /// Messages sent and not yet delivered or dropped: (from, to, message).
    pub pending: Vec<(NodeId, NodeId, N::Msg)>,
    /// Every note, with the node that wrote it.
    pub notes: Vec<(NodeId, N::Note)>,
    /// Every timer set: (node, timer, delay).
    pub timers: Vec<(NodeId, N::Timer, Micros)>,
    /// The protocol's checker, run after every input.
    pub checker: C,
    /// Everything the checker found.
    pub findings: Vec<Finding>,
}

impl<N: Node, C: Checker<N>> Net<N, C> {
    /// Starts `nodes` (node 1 first) under `checker`.
    pub fn new(nodes: Vec<N>, checker: C) -> Self {
        let n = nodes.len();
        let mut net = Net {
            nodes,
            up: vec![true; n],
            rng: Rng::new(1),
            now: 0,
            pending: Vec::new(),
            notes: Vec::new(),
            timers: Vec::new(),
            checker,
            findings: Vec::new(),
        };
        for id in 1..=n as NodeId {
            net.run(id, |node, ctx| node.on_start(ctx));
        }
        net
    }

    /// Node `id`.
    pub fn node(&self, id: NodeId) -> &N {
        &self.nodes[id as usize - 1]
    }

    /// Runs one input on node `id` a millisecond later, collects its outputs, runs the checker.
    pub fn run(&mut self, id: NodeId, f: impl FnOnce(&mut N, &mut Ctx<'_, N>)) {
        self.now += 1_000;
        let n = self.nodes.len();
        let mut out = Outbox::<N>::default();
        {
            let mut ctx = Ctx::new(self.now, id, n, &mut self.rng, &mut out);
            f(&mut self.nodes[id as usize - 1], &mut ctx);
        }
        for (to, msg) in &out.sends() {
            self.pending.push((id, *to, msg.clone()));
        }
        for note in &out.notes() {
            self.notes.push((id, note.clone()));
        }
        for (t, d) in out.timers_set() {
            self.timers.push((id, t, d));
        }
        self.checker
            .check(self.now, &self.nodes, &self.up, id, &mut self.findings);
    }

    /// A client hands `command` to node `id`.
    pub fn client(&mut self, id: NodeId, command: u64) {
        self.run(id, |node, ctx| node.on_client_request(ctx, command));
    }

    /// Fires `timer` on node `id` (whether or not it was set).
    pub fn fire(&mut self, id: NodeId, timer: N::Timer) {
        self.run(id, |node, ctx| node.on_timer(ctx, timer));
    }

    /// Forces node `id`'s main timeout.
    pub fn timeout(&mut self, id: NodeId) {
        self.run(id, |node, ctx| node.on_force_timeout(ctx));
    }

    /// Delivers one message by hand.
    pub fn send(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        self.run(to, |node, ctx| node.on_message(ctx, from, msg));
    }

    /// Crashes node `id`: it forgets volatile state and messages to it are lost.
    pub fn crash(&mut self, id: NodeId) {
        self.nodes[id as usize - 1].crash();
        self.up[id as usize - 1] = false;
        self.pending.retain(|(_, to, _)| *to != id);
        self.checker
            .check(self.now, &self.nodes, &self.up, id, &mut self.findings);
    }

    /// Restarts node `id` from its persistent state.
    pub fn restart(&mut self, id: NodeId) {
        self.up[id as usize - 1] = true;
        self.run(id, |node, ctx| node.on_start(ctx));
    }

    /// Delivers pending messages accepted by `pass` (and those sent in reaction) in order;
    /// the others are dropped. Messages to or from crashed nodes are lost.
    pub fn deliver(&mut self, pass: impl Fn(NodeId, NodeId, &N::Msg) -> bool) {
        self.deliver_or_hold(pass, false);
    }

    /// Like [`Net::deliver`], but messages not accepted stay pending, in order.
    pub fn deliver_holding(&mut self, pass: impl Fn(NodeId, NodeId, &N::Msg) -> bool) {
        self.deliver_or_hold(pass, true);
    }

    fn deliver_or_hold(&mut self, pass: impl Fn(NodeId, NodeId, &N::Msg) -> bool, hold: bool) {
        let mut held = Vec::new();
        while !self.pending.is_empty() {
            let (from, to, msg) = self.pending.remove(0);
            if !pass(from, to, &msg) {
                if hold {
                    held.push((from, to, msg));
                }
            } else if self.up[from as usize - 1] && self.up[to as usize - 1] {
                self.run(to, |node, ctx| node.on_message(ctx, from, msg));
            }
        }
        self.pending = held;
    }

    /// Delivers everything, including replies, until nothing is pending.
    pub fn deliver_all(&mut self) {
        self.deliver(|_, _, _| true);
    }

    /// The notes node `id` wrote, in order.
    pub fn notes_of(&self, id: NodeId) -> Vec<&N::Note> {
        (self.notes.iter())
            .filter(|(n, _)| *n == id)
            .map(|(_, note)| note)
            .collect()
    }

    /// The names of the invariants the checker found broken, in order.
    pub fn invariants_found(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.invariant).collect()
    }
}
