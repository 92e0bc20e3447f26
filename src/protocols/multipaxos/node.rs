//! One Multi-Paxos replica as a sans-IO state machine: proposer, acceptor and learner at once.
//!
//! A follower whose election timer runs out becomes a candidate: it picks a ballot above every
//! one it has seen and runs phase 1 once, for every slot it does not know to be chosen. With a
//! majority of promises it leads: it re-proposes, in its new ballot, the highest-ballot value
//! the promises report for each of those slots, fills the gaps with no-ops, and from then on
//! runs only phase 2, one slot per client command. Heartbeats keep followers from starting
//! elections and carry the leader's chosen prefix; a follower learns a slot once the prefix
//! covers it *and* it accepted that slot in the leader's own ballot (only then is its value
//! the chosen one), and asks the leader to catch it up otherwise. Slots are applied in order.
//!
//! A message a node sends to itself (a candidate's own promise, a leader's own acceptance) is
//! handled locally, right after the input that sent it.

use crate::protocols::paxos::common::{Ballot, MAX_NODES, NodeSet, majority};
use crate::sim::chunked::ChunkedVec;
use crate::sim::workload::{Request, Response};
use crate::sim::{Ctx, Micros, Node, NodeId, NodeView};

use super::acceptor::Acceptor;
use super::msg::{Msg, MultiNote, SlotVote, Value, Vote};
use super::slots::Slots;

/// Most slots a leader sends to one follower in answer to one catch-up request.
pub const MAX_BATCH: u64 = 64;

/// What a replica currently is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Accepts what the leader proposes.
    Follower,
    /// Running phase 1 to become leader.
    Candidate,
    /// The distinguished proposer: runs phase 2 for client commands.
    Leader,
}

impl Role {
    /// The name used in notes and views (one of the protocol's `roles`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// Multi-Paxos's two timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Followers and candidates: start an election when it fires (the countdown drawn).
    Election,
    /// Leaders: send heartbeats and resend unanswered proposals when it fires.
    Heartbeat,
}

/// A node's fixed configuration, taken from the setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Shortest election timeout (µs).
    pub election_min: Micros,
    /// Longest election timeout (µs).
    pub election_max: Micros,
    /// Interval between a leader's heartbeats (µs).
    pub heartbeat: Micros,
    /// Bug: acceptors lose their promise and accepted proposals on a crash.
    pub forget_promise: bool,
    /// Bug: a new leader ignores the values reported in promises and fills no-ops instead.
    pub ignore_accepted: bool,
    /// Bug: followers take whatever they accepted, in any ballot, as chosen once the leader's
    /// prefix covers the slot.
    pub mixed_ballot_learner: bool,
}

impl Default for Config {
    /// Raft-like timings: 100–200 ms elections, 50 ms heartbeats; no bugs.
    fn default() -> Self {
        Config {
            election_min: 100_000,
            election_max: 200_000,
            heartbeat: 50_000,
            forget_promise: false,
            ignore_accepted: false,
            mixed_ballot_learner: false,
        }
    }
}

/// A leader's proposal waiting for a majority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The value proposed.
    pub value: Value,
    /// Acceptors that accepted it in the leader's ballot.
    pub acks: NodeSet,
    /// When the Accept requests were last sent.
    pub sent: Micros,
}

/// The slots that changed during the latest input, for the checker (cleared before each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Journal {
    /// Slots in which this node's acceptor accepted a proposal.
    pub accepted: Vec<u64>,
    /// Slots this node learned the chosen value of.
    pub learned: Vec<u64>,
}

/// One Multi-Paxos replica.
#[derive(Clone, Debug)]
pub struct MultiNode {
    pub(super) id: NodeId,
    pub(super) n: usize,
    pub(super) cfg: Config,
    // Persistent state.
    pub(super) max_round: u64,
    pub(super) acceptor: Acceptor,
    /// Highest slot announced in a `learn` note. Trace bookkeeping, not Paxos state: it
    /// survives crashes so that re-learning after a restart announces nothing twice.
    pub(super) announced: u64,
    // Volatile state.
    pub(super) role: Role,
    pub(super) ballot: Ballot,
    pub(super) leader: Option<(NodeId, Ballot)>,
    /// `chosen[s - 1]`: the value known chosen in slot `s`.
    pub(super) chosen: ChunkedVec<Option<Value>>,
    /// Every slot up to this one is known chosen and applied.
    pub(super) learned: u64,
    pub(super) promises: NodeSet,
    pub(super) from_slot: u64,
    pub(super) found: Slots<Vote>,
    pub(super) next_slot: u64,
    pub(super) pending: Slots<Pending>,
    /// As leader: workload clients waiting for their command to be chosen, as (slot, client,
    /// request, command), by slot. Forgotten when leadership ends: the clients retry.
    pub(super) waiting: Vec<(u64, NodeId, u64, u64)>,
    pub(super) election_timeout: Micros,
    pub(super) journal: Journal,
    local: Local,
}

/// Messages a node sent itself during the current input, handled at its end in order (a plain
/// vector used as a queue: a `VecDeque` would cost the page its own code). Empty between
/// inputs, so a copy of the node (a checkpoint) starts with none: no code to copy messages.
#[derive(Debug, Default)]
struct Local(Vec<Msg>);

impl Clone for Local {
    fn clone(&self) -> Self {
        debug_assert!(self.0.is_empty(), "a node is copied between inputs only");
        Local::default()
    }
}

impl MultiNode {
    /// A fresh replica `id` of a cluster of `n`: a follower that has promised nothing.
    pub fn new(id: NodeId, n: usize, cfg: Config) -> Self {
        assert!(
            n <= MAX_NODES,
            "Multi-Paxos supports at most {MAX_NODES} nodes"
        );
        MultiNode {
            id,
            n,
            cfg,
            max_round: 0,
            acceptor: Acceptor::default(),
            announced: 0,
            role: Role::Follower,
            ballot: Ballot::ZERO,
            leader: None,
            chosen: ChunkedVec::default(),
            learned: 0,
            promises: NodeSet::EMPTY,
            from_slot: 1,
            found: Slots::default(),
            next_slot: 1,
            pending: Slots::default(),
            waiting: Vec::new(),
            election_timeout: 0,
            journal: Journal::default(),
            local: Local::default(),
        }
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// Current role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// The ballot it runs as candidate or leader (zero before its first election).
    pub fn ballot(&self) -> Ballot {
        self.ballot
    }
    /// The acceptor's persistent state.
    pub fn acceptor(&self) -> &Acceptor {
        &self.acceptor
    }
    /// The leader it follows (or is) and that leader's ballot.
    pub fn leader(&self) -> Option<(NodeId, Ballot)> {
        self.leader
    }
    /// Every slot up to this one is known chosen and applied.
    pub fn learned(&self) -> u64 {
        self.learned
    }
    /// The value known chosen in `slot`, if known.
    pub fn chosen(&self, slot: u64) -> Option<Value> {
        let i = (slot as usize).checked_sub(1)?;
        self.chosen.get(i).copied().flatten()
    }
    /// What changed during the latest input (for the checker).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }
    /// Commands applied so far, in slot order (no-ops apply nothing).
    pub fn applied_commands(&self) -> impl Iterator<Item = u64> + '_ {
        (self.chosen.iter().take(self.learned as usize)).filter_map(|v| match v {
            Some(Value::Command(c)) => Some(*c),
            _ => None,
        })
    }

    pub(super) fn quorum(&self) -> usize {
        majority(self.n)
    }

    // ---- plumbing -------------------------------------------------------------------------

    fn send(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: Msg) {
        if to == self.id {
            self.local.0.push(msg);
        } else {
            ctx.send(to, msg);
        }
    }

    fn broadcast(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        for to in 1..=self.n as NodeId {
            self.send(ctx, to, msg.clone());
        }
    }

    /// Starts every input: the journal describes one input only.
    fn begin(&mut self) {
        self.journal.accepted.clear();
        self.journal.learned.clear();
    }

    /// Ends every input: handles the messages the node sent itself.
    fn finish(&mut self, ctx: &mut Ctx<'_, Self>) {
        // First in, first out (a handful at most: taking the first one is cheap).
        while !self.local.0.is_empty() {
            let msg = self.local.0.remove(0);
            self.handle(ctx, self.id, msg);
        }
    }

    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if let Some(b) = msg.ballot() {
            self.max_round = self.max_round.max(b.round);
        }
        match msg {
            Msg::Prepare { ballot, from_slot } => self.on_prepare(ctx, from, ballot, from_slot),
            Msg::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            } => self.on_promise(ctx, from, ballot, from_slot, chosen, accepted),
            Msg::Nack { promised, .. } => self.on_nack(ctx, promised),
            Msg::Accept {
                ballot,
                slot,
                value,
                commit,
            } => self.on_accept(ctx, from, ballot, slot, value, commit),
            Msg::Accepted { ballot, slot, .. } => self.on_accepted(ctx, from, ballot, slot),
            Msg::Heartbeat { ballot, commit } => self.on_heartbeat(ctx, from, ballot, commit),
            Msg::CatchUp { ballot, learned } => self.on_catch_up(ctx, from, ballot, learned),
            Msg::ClientRequest { command } => self.handle_client(ctx, command, true),
            Msg::Request(request) => self.handle_request(ctx, from, request),
            Msg::Response(_) => {}
        }
    }

    // ---- roles ----------------------------------------------------------------------------

    fn note_role(&self, ctx: &mut Ctx<'_, Self>) {
        let ballot = match (self.role, self.leader) {
            (Role::Follower, Some((_, b))) => b,
            (Role::Follower, None) => self.acceptor.promised,
            _ => self.ballot,
        };
        ctx.note(MultiNote::Role {
            role: self.role.name(),
            ballot,
        });
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.election_timeout = ctx.random_range(self.cfg.election_min, self.cfg.election_max);
        ctx.set_timer(Timer::Election, self.election_timeout);
    }

    /// Becomes (or stays) a follower of `leader`, noting any change; a former leader starts
    /// an election timer.
    fn step_down(&mut self, ctx: &mut Ctx<'_, Self>, leader: Option<(NodeId, Ballot)>) {
        if (self.role, self.leader) == (Role::Follower, leader) {
            return;
        }
        if self.role == Role::Leader {
            ctx.cancel_timer(Timer::Heartbeat);
            self.reset_election_timer(ctx);
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.promises = NodeSet::EMPTY;
        self.found.clear();
        self.pending.clear();
        self.waiting.clear();
        self.note_role(ctx);
    }

    /// Recognises `from` as the leader of `ballot` (which is at least this node's promise).
    fn follow(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot) {
        self.step_down(ctx, Some((from, ballot)));
        self.reset_election_timer(ctx);
    }

    /// Starts an election: a ballot above every one seen, phase 1 for every unknown slot.
    fn campaign(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.max_round += 1;
        self.ballot = Ballot::new(self.max_round, self.id);
        self.role = Role::Candidate;
        self.leader = None;
        self.promises = NodeSet::EMPTY;
        self.from_slot = self.learned + 1;
        self.found.clear();
        self.note_role(ctx);
        self.reset_election_timer(ctx);
        let (ballot, from_slot) = (self.ballot, self.from_slot);
        self.broadcast(ctx, Msg::Prepare { ballot, from_slot });
    }

    /// A majority promised: re-propose what the promises report for every slot not known to
    /// be chosen, fill the gaps with no-ops.
    fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::Leader;
        self.leader = Some((self.id, self.ballot));
        ctx.cancel_timer(Timer::Election);
        self.election_timeout = 0;
        self.note_role(ctx);
        let top = (self.found.last_slot())
            .unwrap_or(0)
            .max(self.chosen.len() as u64)
            .max(self.learned);
        self.pending.clear();
        for slot in self.from_slot.max(self.learned + 1)..=top {
            let value = match (self.chosen(slot), self.found.get(slot)) {
                (Some(_), _) => continue,
                (None, Some(v)) if !self.cfg.ignore_accepted => v.value,
                _ => Value::Noop,
            };
            self.propose(ctx, slot, value);
        }
        self.found.clear();
        self.next_slot = top + 1;
        self.heartbeat(ctx, false);
    }

    /// Runs phase 2 for `value` in `slot` (the leader accepts its own proposal too).
    fn propose(&mut self, ctx: &mut Ctx<'_, Self>, slot: u64, value: Value) {
        let ballot = self.ballot;
        let sent = ctx.now();
        let acks = NodeSet::EMPTY;
        self.pending.insert(slot, Pending { value, acks, sent });
        ctx.note(MultiNote::Propose {
            slot,
            ballot,
            value,
        });
        let commit = self.learned;
        self.broadcast(
            ctx,
            Msg::Accept {
                ballot,
                slot,
                value,
                commit,
            },
        );
    }

    /// Heartbeats to every follower; with `resend`, proposals unanswered for a heartbeat
    /// interval go again to the acceptors that have not accepted them.
    fn heartbeat(&mut self, ctx: &mut Ctx<'_, Self>, resend: bool) {
        let (ballot, commit, now) = (self.ballot, self.learned, ctx.now());
        for to in ctx.peers() {
            ctx.send(to, Msg::Heartbeat { ballot, commit });
        }
        if resend {
            let stale = now.saturating_sub(self.cfg.heartbeat);
            for (slot, p) in self.pending.iter_mut().take(MAX_BATCH as usize) {
                if p.sent > stale {
                    continue;
                }
                p.sent = now;
                let value = p.value;
                for to in (1..=self.n as NodeId).filter(|&to| to != self.id && !p.acks.contains(to))
                {
                    let msg = Msg::Accept {
                        ballot,
                        slot,
                        value,
                        commit,
                    };
                    ctx.send(to, msg);
                }
            }
        }
        ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat);
    }

    // ---- acceptor -------------------------------------------------------------------------

    /// Whether `ballot` may be acted on; if not, refuses it with a Nack.
    fn admit(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot) -> bool {
        let promised = self.acceptor.promised;
        if ballot < promised {
            self.send(ctx, from, Msg::Nack { ballot, promised });
            return false;
        }
        self.acceptor.promised = ballot;
        true
    }

    fn on_prepare(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        from_slot: u64,
    ) {
        if !self.admit(ctx, from, ballot) {
            return;
        }
        if from != self.id {
            // Someone is campaigning with a higher ballot: let it try.
            self.step_down(ctx, None);
            self.reset_election_timer(ctx);
        }
        let mut chosen = Vec::new();
        for s in from_slot.max(1)..=self.learned {
            if let Some(v) = self.chosen(s) {
                chosen.push(v);
            }
        }
        let accepted = self.acceptor.from_slot(from_slot.max(self.learned + 1));
        ctx.note(MultiNote::Promise {
            ballot,
            from_slot,
            chosen: chosen.len(),
            accepted: accepted.len(),
        });
        self.send(
            ctx,
            from,
            Msg::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            },
        );
    }

    fn on_accept(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        slot: u64,
        value: Value,
        commit: u64,
    ) {
        if !self.admit(ctx, from, ballot) {
            return;
        }
        if from != self.id {
            self.follow(ctx, from, ballot);
        }
        if self.acceptor.set(slot, Vote { ballot, value }) {
            self.journal.accepted.push(slot);
        }
        self.send(
            ctx,
            from,
            Msg::Accepted {
                ballot,
                slot,
                value,
            },
        );
        if from != self.id {
            self.learn_prefix(ctx, ballot, commit);
        }
    }

    fn on_heartbeat(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, commit: u64) {
        if !self.admit(ctx, from, ballot) {
            return;
        }
        self.follow(ctx, from, ballot);
        self.learn_prefix(ctx, ballot, commit);
        if self.learned < commit {
            let learned = self.learned;
            self.send(ctx, from, Msg::CatchUp { ballot, learned });
        }
    }

    // ---- candidate and leader -------------------------------------------------------------

    fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        from_slot: u64,
        chosen: Vec<Value>,
        accepted: Vec<SlotVote>,
    ) {
        if self.role != Role::Candidate || ballot != self.ballot || !self.promises.insert(from) {
            return;
        }
        // What the acceptor's node knows chosen needs no recovery: learn it.
        for (slot, value) in (from_slot..).zip(chosen) {
            self.mark_chosen(ctx, slot, value);
        }
        for v in accepted {
            let vote = Vote {
                ballot: v.ballot,
                value: v.value,
            };
            let best = self.found.get_or_insert(v.slot, vote);
            if vote.ballot > best.ballot {
                *best = vote;
            }
        }
        if self.promises.len() >= self.quorum() {
            self.become_leader(ctx);
        }
    }

    fn on_nack(&mut self, ctx: &mut Ctx<'_, Self>, promised: Ballot) {
        if self.role != Role::Follower && promised > self.ballot {
            self.step_down(ctx, None);
        }
    }

    fn on_accepted(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, slot: u64) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        let quorum = self.quorum();
        let Some(p) = self.pending.get_mut(slot) else {
            return;
        };
        if p.acks.insert(from) && p.acks.len() >= quorum {
            let value = p.value;
            self.pending.remove(slot);
            ctx.note(MultiNote::Chosen {
                slot,
                ballot,
                value,
            });
            self.mark_chosen(ctx, slot, value);
        }
    }

    /// Sends a lagging follower the next chosen slots, in this leader's ballot.
    fn on_catch_up(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, learned: u64) {
        if self.role != Role::Leader || ballot != self.ballot {
            return;
        }
        let commit = self.learned;
        for slot in learned + 1..=commit.min(learned + MAX_BATCH) {
            if let Some(value) = self.chosen(slot) {
                let msg = Msg::Accept {
                    ballot,
                    slot,
                    value,
                    commit,
                };
                ctx.send(from, msg);
            }
        }
    }

    /// A client command, from a client or forwarded by a follower.
    fn handle_client(&mut self, ctx: &mut Ctx<'_, Self>, command: u64, forwarded: bool) {
        match (self.role, self.leader) {
            (Role::Leader, _) => {
                let slot = self.next_slot;
                self.next_slot += 1;
                self.propose(ctx, slot, Value::Command(command));
            }
            _ if forwarded => ctx.note(MultiNote::Reject {
                command,
                reason: "forwarded to a node that no longer leads",
            }),
            (Role::Follower, Some((leader, _))) => {
                ctx.send(leader, Msg::ClientRequest { command });
                ctx.note(MultiNote::Redirect { command, leader });
            }
            _ => ctx.note(MultiNote::Reject {
                command,
                reason: "no leader known",
            }),
        }
    }

    /// A workload client's request: the leader proposes it and answers once it is chosen;
    /// any other node tells the client which node it believes leads.
    fn handle_request(&mut self, ctx: &mut Ctx<'_, Self>, client: NodeId, request: Request) {
        if self.role == Role::Leader {
            let slot = self.next_slot;
            self.waiting
                .push((slot, client, request.id, request.command));
            self.handle_client(ctx, request.command, false);
        } else {
            let hint = self.leader.map(|(l, _)| l).filter(|&l| l != self.id);
            ctx.send(
                client,
                Msg::Response(Response::not_leader(request.id, hint)),
            );
        }
    }

    /// Answers the clients whose slots are now chosen with their command (a slot chosen with
    /// another value, after a change of leader, gets no answer: its client retries).
    fn answer_chosen(&mut self, ctx: &mut Ctx<'_, Self>) {
        let done = self
            .waiting
            .partition_point(|&(slot, ..)| slot <= self.learned);
        for i in 0..done {
            let (slot, client, id, command) = self.waiting[i];
            if self.chosen(slot) == Some(Value::Command(command)) {
                ctx.send(client, Msg::Response(Response::done(id)));
            }
        }
        self.waiting.drain(..done);
    }

    // ---- learner --------------------------------------------------------------------------

    /// The leader of `ballot` says every slot up to `commit` is chosen: learn those this
    /// node accepted in that very ballot, in order.
    fn learn_prefix(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, commit: u64) {
        while self.learned < commit {
            let slot = self.learned + 1;
            match self.acceptor.get(slot) {
                Some(v) if v.ballot == ballot || self.cfg.mixed_ballot_learner => {
                    self.mark_chosen(ctx, slot, v.value)
                }
                _ => break,
            }
        }
    }

    /// Records that `value` is chosen in `slot` and applies every slot now contiguous.
    fn mark_chosen(&mut self, ctx: &mut Ctx<'_, Self>, slot: u64, value: Value) {
        let i = slot as usize - 1;
        self.chosen.grow(i + 1, None);
        if self.chosen.get(i) == Some(&None) {
            *self.chosen.get_mut(i) = Some(value);
            self.journal.learned.push(slot);
        }
        while let Some(Some(value)) = self.chosen.get(self.learned as usize).copied() {
            self.learned += 1;
            if self.learned > self.announced {
                self.announced = self.learned;
                ctx.note(MultiNote::Learn {
                    slot: self.learned,
                    value,
                });
            }
        }
        if !self.waiting.is_empty() {
            self.answer_chosen(ctx);
        }
    }
}

impl Node for MultiNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = MultiNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin();
        self.note_role(ctx);
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.begin();
        self.handle(ctx, from, msg);
        self.finish(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        self.begin();
        match (timer, self.role) {
            (Timer::Election, Role::Follower | Role::Candidate) => self.campaign(ctx),
            (Timer::Heartbeat, Role::Leader) => self.heartbeat(ctx, true),
            _ => {}
        }
        self.finish(ctx);
    }

    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, command: u64) {
        self.begin();
        self.handle_client(ctx, command, false);
        self.finish(ctx);
    }

    /// Starts an election now; a leader ignores it (it has no election timer).
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin();
        if self.role != Role::Leader {
            self.campaign(ctx);
        }
        self.finish(ctx);
    }

    fn crash(&mut self) {
        let keep = (self.max_round, self.announced);
        let acceptor = std::mem::take(&mut self.acceptor);
        *self = MultiNode::new(self.id, self.n, self.cfg);
        (self.max_round, self.announced) = keep;
        if !self.cfg.forget_promise {
            self.acceptor = acceptor;
        }
    }

    fn accepts_clients(&self) -> bool {
        self.role == Role::Leader
    }

    fn is_countdown(timer: &Timer) -> bool {
        *timer == Timer::Election
    }

    fn view(&self) -> NodeView {
        self.node_view()
    }
}
