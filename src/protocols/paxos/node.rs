//! One single-decree Paxos node as a sans-IO state machine. A node holds any of the three
//! roles of "Paxos Made Simple" — proposer, acceptor, learner — and plays each independently;
//! a message a node sends to itself is handled locally, right after the input that sent it.
//!
//! * Acceptor: keeps its promise and its accepted proposal on disk (they survive a crash).
//! * Proposer: runs phase 1 then phase 2 with a fresh ballot; retries after a Nack (with a
//!   randomized, growing backoff) or when a round takes longer than the round timeout. It
//!   remembers only the highest round it ever used (Lamport's stable-storage requirement, so a
//!   restarted proposer never reuses a ballot); everything else is volatile.
//! * Learner: learns a value once a majority of acceptors report accepting it in one ballot.
//!   Learners forget on a crash. A learner that has reason to think a value exists but has not
//!   learned it, and has heard nothing for a while, runs a *read round*: a proposer round with
//!   no value of its own, which re-proposes whatever the promises force and so re-announces a
//!   chosen value (Lamport: "it can have a proposer issue a proposal").

use std::collections::VecDeque;

use crate::sim::{Ctx, Micros, Node, NodeId, NodeView};

use super::common::{Ballot, MAX_NODES, NodeSet, majority};
use super::msg::{Msg, PaxosNote, Vote};

/// Accepted proposals an acceptor keeps (newest last). Paxos reads only the newest; the
/// older ones let the page's summary tell what was chosen after acceptors moved on.
pub const MAX_HISTORY: usize = 8;

/// Most (ballot, value) tallies a learner keeps before forgetting the oldest.
const MAX_TALLIES: usize = 32;

/// The two timers of a Paxos node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Proposer: start the next round (after the start delay, a backoff, or a round timeout).
    Retry,
    /// Learner: check whether it is time to ask for the chosen value with a read round.
    Learn,
}

/// A node's fixed configuration, taken from the setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Proposers: nodes `1..=proposers` (0 means every node).
    pub proposers: usize,
    /// Acceptors: the last `acceptors` nodes (0 means every node).
    pub acceptors: usize,
    /// Learners: nodes `1..=learners` (0 means every node).
    pub learners: usize,
    /// Whether each proposer proposes its own value ([`PaxosNode::auto_value`]) shortly after
    /// starting, without waiting for a client.
    pub auto_propose: bool,
    /// How long a proposer waits for a majority in one phase before retrying (µs).
    pub round_timeout: Micros,
    /// Shortest backoff after a Nack (µs).
    pub backoff_min: Micros,
    /// Longest backoff after the first Nack (µs); doubles per failed attempt, up to 8×.
    pub backoff_max: Micros,
    /// How long a learner waits in silence before running a read round (µs).
    pub learn_timeout: Micros,
    /// Bug: acceptors lose their promise and accepted proposal on a crash.
    pub forget_promise: bool,
    /// Bug: proposers propose their own value even when a promise reports an accepted one.
    pub ignore_accepted: bool,
    /// Bug: learners add up acceptances of a value across different ballots.
    pub mixed_ballot_learner: bool,
}

impl Default for Config {
    /// Every node plays every role; proposers start on their own; no bugs.
    fn default() -> Self {
        Config {
            proposers: 0,
            acceptors: 0,
            learners: 0,
            auto_propose: true,
            round_timeout: 200_000,
            backoff_min: 10_000,
            backoff_max: 100_000,
            learn_timeout: 300_000,
            forget_promise: false,
            ignore_accepted: false,
            mixed_ballot_learner: false,
        }
    }
}

/// The roles one node plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roles {
    /// Proposes values (from clients or its own).
    pub proposer: bool,
    /// Promises and accepts.
    pub acceptor: bool,
    /// Learns the chosen value.
    pub learner: bool,
}

/// Where a proposer is in its current proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing to do.
    Idle,
    /// Waiting for its start delay or backoff to run out before the next round.
    Waiting,
    /// Phase 1: Prepare sent, collecting promises.
    Preparing,
    /// Phase 2: Accept sent, collecting acceptances.
    Accepting,
    /// Its proposal is chosen, or its node learned the chosen value: nothing left to do.
    Done,
}

impl Phase {
    /// Whether the proposer is working on a proposal.
    pub fn busy(self) -> bool {
        matches!(self, Phase::Waiting | Phase::Preparing | Phase::Accepting)
    }
}

/// A proposer's volatile state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposer {
    /// Current phase.
    pub phase: Phase,
    /// The ballot of the current (or last) round.
    pub ballot: Ballot,
    /// Its own value; `None` for a read round.
    pub own: Option<u64>,
    /// Failed rounds of the current proposal (drives the backoff).
    pub attempts: u32,
    /// Acceptors that promised the current ballot.
    pub promises: NodeSet,
    /// The highest-ballot accepted proposal reported in those promises, and by whom.
    pub best: Option<(Vote, NodeId)>,
    /// The value sent in phase 2.
    pub value: Option<u64>,
    /// The acceptor whose promise forced that value.
    pub forced_by: Option<NodeId>,
    /// Acceptors that accepted the current ballot.
    pub accepts: NodeSet,
}

impl Default for Proposer {
    fn default() -> Self {
        Proposer {
            phase: Phase::Idle,
            ballot: Ballot::ZERO,
            own: None,
            attempts: 0,
            promises: NodeSet::EMPTY,
            best: None,
            value: None,
            forced_by: None,
            accepts: NodeSet::EMPTY,
        }
    }
}

/// An acceptor's persistent state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acceptor {
    /// The highest ballot promised.
    pub promised: Ballot,
    /// Proposals accepted, oldest first (at most [`MAX_HISTORY`]); the last is the one Paxos uses.
    pub history: Vec<Vote>,
}

impl Acceptor {
    /// The accepted proposal with the highest ballot, if any.
    pub fn accepted(&self) -> Option<Vote> {
        self.history.last().copied()
    }
}

/// A learner's volatile state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Learner {
    /// Acceptances heard, per (ballot, value): who sent them.
    pub tallies: Vec<(Ballot, u64, NodeSet)>,
    /// The value learned, with the ballot in which a majority accepted it.
    pub learned: Option<Vote>,
    /// Whether it has reason to think a value is or will be chosen.
    pub expect: bool,
    /// Whether the [`Timer::Learn`] timer is pending.
    pub armed: bool,
    /// When it last heard any message.
    pub last_heard: Micros,
}

/// One single-decree Paxos node.
#[derive(Clone, Debug)]
pub struct PaxosNode {
    pub(super) id: NodeId,
    pub(super) n: usize,
    pub(super) cfg: Config,
    pub(super) roles: Roles,
    pub(super) acceptors: NodeSet,
    pub(super) learners: NodeSet,
    pub(super) quorum: usize,
    // Persistent state.
    pub(super) max_round: u64,
    pub(super) acceptor: Acceptor,
    /// How often the node has started (bookkeeping: a restart means the learner forgot).
    pub(super) starts: u64,
    // Volatile state.
    pub(super) proposer: Proposer,
    pub(super) learner: Learner,
    local: VecDeque<Msg>,
}

/// `k` members counted out of `n`, where 0 means all.
pub fn resolve(k: usize, n: usize) -> usize {
    if k == 0 { n } else { k.min(n) }
}

impl PaxosNode {
    /// A fresh node `id` of a cluster of `n` nodes configured by `cfg`.
    pub fn new(id: NodeId, n: usize, cfg: Config) -> Self {
        assert!(n <= MAX_NODES, "Paxos supports at most {MAX_NODES} nodes");
        let (p, a, l) = (
            resolve(cfg.proposers, n),
            resolve(cfg.acceptors, n),
            resolve(cfg.learners, n),
        );
        let mut acceptors = NodeSet::EMPTY;
        for x in (n - a + 1)..=n {
            acceptors.insert(x as NodeId);
        }
        let mut learners = NodeSet::EMPTY;
        for x in 1..=l {
            learners.insert(x as NodeId);
        }
        PaxosNode {
            id,
            n,
            cfg,
            roles: Roles {
                proposer: id as usize <= p,
                acceptor: acceptors.contains(id),
                learner: learners.contains(id),
            },
            acceptors,
            learners,
            quorum: majority(a),
            max_round: 0,
            acceptor: Acceptor::default(),
            starts: 0,
            proposer: Proposer::default(),
            learner: Learner::default(),
            local: VecDeque::new(),
        }
    }

    /// The value proposer `id` proposes on its own when `auto_propose` is on: 100 × id.
    pub fn auto_value(id: NodeId) -> u64 {
        100 * id as u64
    }
    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }
    /// Number of nodes in the cluster.
    pub fn cluster_size(&self) -> usize {
        self.n
    }
    /// The roles it plays.
    pub fn roles(&self) -> Roles {
        self.roles
    }
    /// The acceptors of the cluster.
    pub fn acceptor_set(&self) -> NodeSet {
        self.acceptors
    }
    /// The highest ballot round this node has seen or used (persistent).
    pub fn max_round(&self) -> u64 {
        self.max_round
    }
    /// The acceptor's persistent state.
    pub fn acceptor(&self) -> &Acceptor {
        &self.acceptor
    }
    /// The proposer's state.
    pub fn proposer(&self) -> &Proposer {
        &self.proposer
    }
    /// The value this node has learned, if any.
    pub fn learned(&self) -> Option<Vote> {
        self.learner.learned
    }

    // ---- plumbing -------------------------------------------------------------------------

    fn send(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: Msg) {
        if to == self.id {
            self.local.push_back(msg);
        } else {
            ctx.send(to, msg);
        }
    }

    fn send_to_acceptors(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        for a in self.acceptors.iter() {
            self.send(ctx, a, msg.clone());
        }
    }

    /// Ends every input: handles messages to self, then arms the learner's timer if needed.
    fn finish(&mut self, ctx: &mut Ctx<'_, Self>) {
        while let Some(msg) = self.local.pop_front() {
            self.handle(ctx, self.id, msg);
        }
        let l = &mut self.learner;
        if self.roles.learner && l.learned.is_none() && l.expect && !l.armed {
            l.armed = true;
            let t = self.cfg.learn_timeout;
            let delay = ctx.random_range(t, 2 * t);
            ctx.set_timer(Timer::Learn, delay);
        }
    }

    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.max_round = self.max_round.max(msg.ballot().round);
        match msg {
            Msg::Prepare { ballot } if self.roles.acceptor => self.on_prepare(ctx, from, ballot),
            Msg::Accept { ballot, value, .. } if self.roles.acceptor => {
                self.on_accept(ctx, from, ballot, value)
            }
            Msg::Promise { ballot, accepted } => self.on_promise(ctx, from, ballot, accepted),
            Msg::Nack { ballot, promised } => self.on_nack(ctx, ballot, promised),
            Msg::Accepted { ballot, value } => {
                self.on_accepted(ctx, from, ballot, value);
                if self.roles.learner {
                    self.learn_from(ctx, from, ballot, value);
                }
            }
            _ => {}
        }
    }

    // ---- proposer -------------------------------------------------------------------------

    /// Starts a round of the current proposal with a ballot above every one seen.
    fn start_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.max_round += 1;
        let ballot = Ballot::new(self.max_round, self.id);
        let own = self.proposer.own;
        self.proposer = Proposer {
            phase: Phase::Preparing,
            ballot,
            own,
            attempts: self.proposer.attempts,
            ..Proposer::default()
        };
        ctx.note(PaxosNote::Prepare { ballot, value: own });
        ctx.set_timer(Timer::Retry, self.cfg.round_timeout);
        self.send_to_acceptors(ctx, Msg::Prepare { ballot });
    }

    /// Gives up the current round and waits a random, growing time before the next.
    fn back_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        let p = &mut self.proposer;
        p.attempts += 1;
        p.phase = Phase::Waiting;
        let hi = self.cfg.backoff_max << (p.attempts - 1).min(3);
        let delay = ctx.random_range(self.cfg.backoff_min, hi.max(self.cfg.backoff_min));
        ctx.set_timer(Timer::Retry, delay);
    }

    fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        accepted: Option<Vote>,
    ) {
        let p = &mut self.proposer;
        if p.phase != Phase::Preparing || ballot != p.ballot || !p.promises.insert(from) {
            return;
        }
        if let Some(v) = accepted
            && p.best.is_none_or(|(b, _)| v.ballot > b.ballot)
        {
            p.best = Some((v, from));
        }
        if p.promises.len() < self.quorum {
            return;
        }
        // A majority promised: the value is forced by the highest accepted proposal among
        // them, and is the proposer's own only if none of them accepted anything.
        let forced = p
            .best
            .filter(|_| !(self.cfg.ignore_accepted && p.own.is_some()));
        let (value, forced_by) = match (forced, p.own) {
            (Some((v, a)), _) => (v.value, Some(a)),
            (None, Some(own)) => (own, None),
            (None, None) => {
                // A read round found nothing accepted by a majority: nothing is chosen yet.
                p.phase = Phase::Idle;
                ctx.cancel_timer(Timer::Retry);
                if !self.cfg.auto_propose {
                    self.learner.expect = false;
                }
                return;
            }
        };
        p.phase = Phase::Accepting;
        p.value = Some(value);
        p.forced_by = forced_by;
        ctx.note(PaxosNote::Propose {
            ballot,
            value,
            forced_by,
        });
        ctx.set_timer(Timer::Retry, self.cfg.round_timeout);
        self.send_to_acceptors(
            ctx,
            Msg::Accept {
                ballot,
                value,
                forced_by,
            },
        );
    }

    fn on_nack(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, promised: Ballot) {
        self.max_round = self.max_round.max(promised.round);
        let p = &self.proposer;
        if matches!(p.phase, Phase::Preparing | Phase::Accepting) && ballot == p.ballot {
            ctx.note(PaxosNote::Nack { ballot, promised });
            self.back_off(ctx);
        }
    }

    /// An acceptance reaches the proposer that asked for it.
    fn on_accepted(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, value: u64) {
        let p = &mut self.proposer;
        if p.phase == Phase::Accepting
            && ballot == p.ballot
            && p.accepts.insert(from)
            && p.accepts.len() >= self.quorum
        {
            p.phase = Phase::Done;
            ctx.cancel_timer(Timer::Retry);
            ctx.note(PaxosNote::Chosen { ballot, value });
        }
    }

    // ---- acceptor -------------------------------------------------------------------------

    fn on_prepare(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot) {
        let a = &mut self.acceptor;
        if ballot >= a.promised {
            a.promised = ballot;
            let accepted = a.accepted();
            ctx.note(PaxosNote::Promise { ballot, accepted });
            self.send(ctx, from, Msg::Promise { ballot, accepted });
        } else {
            let promised = a.promised;
            self.send(ctx, from, Msg::Nack { ballot, promised });
        }
    }

    fn on_accept(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, value: u64) {
        let a = &mut self.acceptor;
        if ballot < a.promised {
            let promised = a.promised;
            self.send(ctx, from, Msg::Nack { ballot, promised });
            return;
        }
        a.promised = ballot;
        let vote = Vote { ballot, value };
        if a.accepted() != Some(vote) {
            if a.history.len() == MAX_HISTORY {
                a.history.remove(0);
            }
            a.history.push(vote);
            ctx.note(PaxosNote::Accept { ballot, value });
        }
        // Phase 2b goes to the proposer and to every learner, once each.
        let mut to = self.learners;
        to.insert(from);
        for t in to.iter() {
            self.send(ctx, t, Msg::Accepted { ballot, value });
        }
    }

    // ---- learner --------------------------------------------------------------------------

    fn learn_from(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, value: u64) {
        let l = &mut self.learner;
        if l.learned.is_some() {
            return;
        }
        let mixed = self.cfg.mixed_ballot_learner;
        let k = match (l.tallies.iter()).position(|t| t.1 == value && (mixed || t.0 == ballot)) {
            Some(k) => k,
            None => {
                if l.tallies.len() == MAX_TALLIES {
                    l.tallies.remove(0);
                }
                l.tallies.push((ballot, value, NodeSet::EMPTY));
                l.tallies.len() - 1
            }
        };
        let t = &mut l.tallies[k];
        t.0 = t.0.max(ballot);
        t.2.insert(from);
        if t.2.len() < self.quorum {
            return;
        }
        let vote = Vote { ballot: t.0, value };
        l.learned = Some(vote);
        l.armed = false;
        ctx.cancel_timer(Timer::Learn);
        ctx.note(PaxosNote::Learn {
            value,
            ballot: vote.ballot,
        });
        // The node's own proposer has nothing left to do.
        if self.proposer.phase.busy() {
            self.proposer.phase = Phase::Done;
            ctx.cancel_timer(Timer::Retry);
        }
    }

    fn on_learn_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let l = &mut self.learner;
        l.armed = false;
        let quiet = ctx.now().saturating_sub(l.last_heard) >= self.cfg.learn_timeout;
        if l.learned.is_none() && l.expect && quiet && !self.proposer.phase.busy() {
            self.proposer.attempts = 0;
            self.start_round(ctx);
        }
    }
}

impl Node for PaxosNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = PaxosNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.starts += 1;
        self.learner.last_heard = ctx.now();
        if self.roles.proposer && self.cfg.auto_propose {
            self.proposer.own = Some(Self::auto_value(self.id));
            self.proposer.phase = Phase::Waiting;
            let delay = ctx.random_range(0, self.cfg.backoff_max);
            ctx.set_timer(Timer::Retry, delay);
        }
        // A restarted learner has forgotten what it learned.
        self.learner.expect = self.cfg.auto_propose || self.starts > 1;
        self.finish(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.learner.last_heard = ctx.now();
        self.learner.expect = true;
        self.handle(ctx, from, msg);
        self.finish(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Retry => match self.proposer.phase {
                Phase::Waiting => self.start_round(ctx),
                Phase::Preparing | Phase::Accepting => {
                    self.proposer.attempts += 1;
                    self.start_round(ctx);
                }
                Phase::Idle | Phase::Done => {}
            },
            Timer::Learn => self.on_learn_timer(ctx),
        }
        self.finish(ctx);
    }

    /// A proposer that is not busy proposes `command`; a busy one adopts it only if it has no
    /// value of its own (a read round). Nodes that are not proposers refuse.
    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, command: u64) {
        let p = &mut self.proposer;
        if !self.roles.proposer {
            ctx.note(PaxosNote::Reject {
                command,
                reason: "not a proposer",
            });
        } else if p.phase.busy() && p.own.is_some() {
            ctx.note(PaxosNote::Reject {
                command,
                reason: "already proposing its own value",
            });
        } else {
            p.own = Some(command);
            p.attempts = 0;
            self.start_round(ctx);
        }
        self.finish(ctx);
    }

    /// Restarts the current proposal (or a read round) with a higher ballot.
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.roles.proposer || self.roles.learner {
            self.proposer.attempts += 1;
            self.start_round(ctx);
        }
        self.finish(ctx);
    }

    fn crash(&mut self) {
        self.proposer = Proposer::default();
        self.learner = Learner::default();
        self.local.clear();
        if self.cfg.forget_promise {
            self.acceptor = Acceptor::default();
        }
    }

    fn accepts_clients(&self) -> bool {
        false
    }

    fn is_countdown(timer: &Timer) -> bool {
        *timer == Timer::Retry
    }

    fn view(&self) -> NodeView {
        self.node_view()
    }
}
