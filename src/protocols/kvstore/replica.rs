//! One replica of the store. In the `raft*` modes it embeds the project's Raft server
//! ([`RaftNode`], driven through [`Ctx::nest`]) and applies committed entries to its copy; in
//! `quorum` mode it stores versions and coordinates the operations clients send it.

use super::msg::{KvNote, Msg};
use super::op::{NOOP, Op, OpResult, Origin, SiblingValues, written_value};
use super::settings::{Mode, Repair, Settings};
use super::version::{Merged, Siblings, Versioned};
use super::{KvNode, Timer};
use crate::protocols::raft::{self, RaftNode, Role};
use crate::sim::ops::Outcome;
use crate::sim::{Ctx, Lift, Micros, Node, NodeId, NodeView};

/// How the embedded Raft server's outputs become the replica's.
const RAFT: Lift<RaftNode, KvNode> = Lift {
    msg: Msg::Raft,
    timer: Timer::Raft,
    note: KvNote::Raft,
};

/// A client operation a Raft leader appended, waiting to commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Proposal {
    index: u64,
    term: u64,
    /// The client and its request; `None` for a visitor's write.
    client: Option<(NodeId, u64)>,
}

/// A read a leader answers once it knows it still leads (ReadIndex).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingRead {
    client: NodeId,
    req: u64,
    key: u8,
    /// The commit index when the read could start (`None` until the leader has committed an
    /// entry of its term).
    index: Option<u64>,
    /// The confirmation round that must succeed first.
    round: u64,
}

/// A round of "do I still lead?" a leader sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Round {
    seq: u64,
    /// Sent at (true time, to batch reads arriving at one moment).
    sent: Micros,
    /// Sent at, on the leader's clock (a lease runs from there).
    sent_local: i64,
    /// Replicas that answered in the leader's term (a bit per id).
    acks: u32,
}

/// A quorum operation this replica coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Coordinated {
    token: u64,
    /// The client and its request; `None` for a visitor's write.
    client: Option<(NodeId, u64)>,
    key: u8,
    since: Micros,
    kind: Coordination,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Coordination {
    /// Waiting for `w` replicas to store `version`.
    Write { version: Versioned, acks: u32 },
    /// Collecting `r` copies, then (blocking repair) writing the newest back.
    Read {
        /// The copies that came back.
        copies: Vec<(NodeId, Siblings)>,
        /// Every copy merged: the newest versions (siblings under version vectors).
        newest: Siblings,
        /// Replicas known to hold `newest` (set once the `r` copies are in).
        holders: u32,
        /// All `r` copies are in; waiting for the repair to reach `w` holders.
        repairing: bool,
    },
}

/// One replica.
#[derive(Clone, Debug)]
pub struct Replica {
    me: NodeId,
    s: Settings,
    /// The embedded Raft server (`raft*` modes; idle in quorum mode).
    pub(super) raft: RaftNode,
    /// Each key's value: as applied from the log (raft modes; `stamp` is the entry's index) or
    /// its versions as stored (quorum, on disk).
    pub(super) store: Vec<Siblings>,
    /// Quorum: writes this replica coordinated, its own count in version vectors (on disk).
    coordinated: u32,
    applied: u64,
    /// Raft modes: each client's latest applied request and its result, part of the state
    /// the log builds, so that a request logged twice takes effect once.
    sessions: Vec<(Origin, OpResult)>,
    proposals: Vec<Proposal>,
    reads: Vec<PendingRead>,
    rounds: Vec<Round>,
    seq: u64,
    /// Highest round confirmed in the current term.
    confirmed: u64,
    /// Until when (on this replica's clock) its lease holds.
    lease_until: Option<i64>,
    /// The term whose opening no-op this leader appended.
    noop_term: u64,
    /// When it last heard from a leader of its term.
    last_heard: Option<Micros>,
    /// The clock's offset (µs) and rate error (ppm), drawn at the first start.
    clock: Option<(i64, i64)>,
    next_token: u64,
    coordinating: Vec<Coordinated>,
    /// A visitor's write in flight here.
    visitor: Option<u64>,
    visitor_writes: u64,
    /// The operation events of the input being handled, for the checker.
    pub(super) fresh: Vec<KvNote>,
}

fn bit(id: NodeId) -> u32 {
    1 << (id - 1)
}

impl Replica {
    /// Replica `me` of a run with settings `s`.
    pub fn new(me: NodeId, s: Settings) -> Self {
        Replica {
            me,
            s,
            raft: RaftNode::new(me, s.replicas, s.raft),
            store: vec![Siblings::default(); s.keys],
            coordinated: 0,
            applied: 0,
            sessions: Vec::new(),
            proposals: Vec::new(),
            reads: Vec::new(),
            rounds: Vec::new(),
            seq: 0,
            confirmed: 0,
            lease_until: None,
            noop_term: 0,
            last_heard: None,
            clock: None,
            next_token: 0,
            coordinating: Vec::new(),
            visitor: None,
            visitor_writes: 0,
            fresh: Vec::new(),
        }
    }

    /// The last log entry applied to the store (raft modes; 0 in quorum mode), so that
    /// replicas can be compared at the same log position.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    /// This replica's clock reading at true time `now` (µs; may be negative early on).
    pub fn local(&self, now: Micros) -> i64 {
        let (offset, ppm) = self.clock.unwrap_or((0, 0));
        now as i64 + offset + (now as i64).saturating_mul(ppm) / 1_000_000
    }

    /// Boots or restarts.
    pub fn start(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        self.fresh.clear();
        self.abandon_visitor(ctx);
        if self.clock.is_none() {
            let skew = self.s.skew as i64;
            let drift = self.s.drift as i64;
            let offset = if skew > 0 {
                ctx.random_range(0, 2 * self.s.skew) as i64 - skew
            } else {
                0
            };
            let ppm = if drift > 0 {
                ctx.random_range(0, 2 * self.s.drift) as i64 - drift
            } else {
                0
            };
            self.clock = Some((offset, ppm));
        }
        if self.s.mode.is_raft() {
            ctx.nest(RAFT, |c| self.raft.on_start(c));
            if self.s.mode == Mode::Lease {
                ctx.set_timer(Timer::Renew, self.s.raft.heartbeat);
            }
            self.after_raft(ctx);
        } else if self.s.anti_entropy > 0 {
            ctx.set_timer(Timer::AntiEntropy, self.s.anti_entropy);
        }
    }

    /// The replica crashed: Raft keeps its log and term, the applied copy is rebuilt from the
    /// log; a quorum replica keeps its store (its disk). Everything in flight is forgotten.
    pub fn crash(&mut self) {
        self.raft.crash();
        if self.s.mode.is_raft() {
            self.store = vec![Siblings::default(); self.s.keys];
            self.applied = 0;
            self.sessions.clear();
        }
        self.proposals.clear();
        self.reads.clear();
        self.rounds.clear();
        self.confirmed = 0;
        self.lease_until = None;
        self.noop_term = 0;
        self.last_heard = None;
        self.coordinating.clear();
    }

    fn leads(&self) -> bool {
        self.raft.role() == Role::Leader
    }

    /// A message arrived.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_, KvNode>, from: NodeId, msg: Msg) {
        self.fresh.clear();
        match msg {
            Msg::Raft(m) => self.on_raft(ctx, from, m),
            Msg::Request { req, op } => self.on_request(ctx, from, req, op),
            Msg::Reply { .. } => {}
            Msg::Confirm { term, seq } => {
                if term == self.raft.term() {
                    self.last_heard = Some(ctx.now());
                }
                let term = self.raft.term();
                ctx.send(from, Msg::ConfirmAck { term, seq });
            }
            Msg::ConfirmAck { term, seq } => {
                if self.leads() && term == self.raft.term() {
                    for r in self.rounds.iter_mut().filter(|r| r.seq <= seq) {
                        r.acks |= bit(from);
                    }
                    self.count_rounds(ctx);
                }
            }
            Msg::Get { token, key } => {
                let held = self.copy(key);
                ctx.send(from, Msg::GetReply { token, held });
            }
            Msg::GetReply { token, held } => self.on_copy(ctx, from, token, held),
            Msg::Put {
                token,
                key,
                versions,
            } => {
                self.keep(ctx, key, &versions);
                ctx.send(from, Msg::PutAck { token });
            }
            Msg::PutAck { token } => self.on_stored(ctx, from, token),
            Msg::Sync { store } => {
                for (key, copy) in store.iter().enumerate() {
                    self.keep(ctx, key as u8, copy);
                }
            }
        }
    }

    fn on_raft(&mut self, ctx: &mut Ctx<'_, KvNode>, from: NodeId, m: raft::Msg) {
        match m {
            raft::Msg::AppendEntries { term, .. } if term >= self.raft.term() => {
                self.last_heard = Some(ctx.now());
            }
            // A leader's lease holds only if replicas that heard from it lately refuse to elect
            // another (etcd's CheckQuorum): the vote request is ignored, its term not adopted.
            raft::Msg::RequestVote { .. }
                if self.s.mode == Mode::Lease && self.keeps_lease(ctx.now()) =>
            {
                ctx.note(KvNote::KeptLease { candidate: from });
                return;
            }
            _ => {}
        }
        ctx.nest(RAFT, |c| self.raft.on_message(c, from, m));
        self.after_raft(ctx);
    }

    /// Whether this replica refuses to help elect another leader: it leads, or heard from its
    /// leader less than the shortest election timeout ago.
    fn keeps_lease(&self, now: Micros) -> bool {
        self.leads()
            || self
                .last_heard
                .is_some_and(|t| now < t + self.s.raft.election_min)
    }

    /// A timer fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_, KvNode>, timer: Timer) {
        self.fresh.clear();
        match timer {
            Timer::Raft(t) => {
                ctx.nest(RAFT, |c| self.raft.on_timer(c, t));
                self.after_raft(ctx);
            }
            Timer::Renew => {
                if self.leads() {
                    self.round(ctx, true);
                }
                ctx.set_timer(Timer::Renew, self.s.raft.heartbeat);
            }
            Timer::AntiEntropy => {
                self.gossip(ctx);
                ctx.set_timer(Timer::AntiEntropy, self.s.anti_entropy);
            }
            Timer::Client(_) => {}
        }
    }

    /// The visitor forced the main timeout: an election (raft modes) or an anti-entropy round.
    pub fn force_timeout(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        self.fresh.clear();
        if self.s.mode.is_raft() {
            ctx.nest(RAFT, |c| self.raft.on_force_timeout(c));
            self.after_raft(ctx);
        } else {
            self.gossip(ctx);
        }
    }

    fn gossip(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        if self.s.replicas > 1 {
            let mut peer = ctx.random_range(1, self.s.replicas as u64 - 1) as NodeId;
            if peer >= self.me {
                peer += 1;
            }
            ctx.send(
                peer,
                Msg::Sync {
                    store: self.store.clone(),
                },
            );
        }
    }

    /// A visitor's write of x from the node's menu: an operation of this replica's own in the
    /// history (a leader appends it; a replica that does not lead refuses it at once).
    pub fn visitor_write(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        self.fresh.clear();
        self.visitor_writes += 1;
        let op = Op::Write {
            key: 0,
            value: written_value(self.me, self.visitor_writes),
        };
        let req = self.visitor_writes;
        if self.visitor.is_some() {
            return;
        }
        self.emit(ctx, KvNote::Invoke { req, op });
        if self.s.mode == Mode::Quorum {
            self.visitor = Some(req);
            self.coordinate(ctx, None, op);
        } else if self.leads() {
            self.visitor = Some(req);
            self.propose(ctx, None, op);
        } else {
            self.emit(
                ctx,
                KvNote::Complete {
                    req,
                    op,
                    outcome: Outcome::Fail,
                    value: None,
                    siblings: SiblingValues::default(),
                },
            );
        }
    }

    /// The visitor's write in flight will never be answered (a crash, a lost leadership, a
    /// quorum never reached): its outcome is unknown.
    fn abandon_visitor(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        if let Some(req) = self.visitor.take() {
            let op = Op::Write {
                key: 0,
                value: written_value(self.me, req),
            };
            self.emit(
                ctx,
                KvNote::Complete {
                    req,
                    op,
                    outcome: Outcome::Info,
                    value: None,
                    siblings: SiblingValues::default(),
                },
            );
        }
    }

    fn emit(&mut self, ctx: &mut Ctx<'_, KvNode>, note: KvNote) {
        self.fresh.push(note.clone());
        ctx.note(note);
    }

    fn answer(
        &mut self,
        ctx: &mut Ctx<'_, KvNode>,
        client: Option<(NodeId, u64)>,
        op: Op,
        result: OpResult,
    ) {
        match client {
            Some((client, req)) => ctx.send(client, Msg::Reply { req, result }),
            None => {
                if let Some(req) = self.visitor.take() {
                    self.emit(
                        ctx,
                        KvNote::Complete {
                            req,
                            op,
                            outcome: Outcome::Ok,
                            value: None,
                            siblings: SiblingValues::default(),
                        },
                    );
                }
            }
        }
    }

    // ---- raft modes --------------------------------------------------------------------

    /// Answers a read from this replica's own copy, without asking any other (`how` says why it
    /// may: a follower read, or a leader trusting its lease).
    fn read_locally(
        &self,
        ctx: &mut Ctx<'_, KvNode>,
        client: NodeId,
        req: u64,
        key: u8,
        how: &'static str,
    ) {
        let value = self.store[usize::from(key)].value();
        ctx.note(KvNote::LocalRead { key, value, how });
        ctx.send(
            client,
            Msg::Reply {
                req,
                result: OpResult::Value(value),
            },
        );
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, KvNode>, client: NodeId, req: u64, op: Op) {
        if self.s.mode == Mode::Quorum {
            return self.coordinate(ctx, Some((client, req)), op);
        }
        let key = op.key();
        if op.is_read() && self.s.mode == Mode::Follower {
            return self.read_locally(ctx, client, req, key, "follower");
        }
        if !self.leads() {
            let hint = self.raft.leader().filter(|&l| l != self.me);
            return ctx.send(
                client,
                Msg::Reply {
                    req,
                    result: OpResult::NotLeader(hint),
                },
            );
        }
        match self.s.mode {
            Mode::Lease | Mode::ReadIndex if op.is_read() => {
                if self.s.mode == Mode::Lease
                    && self.lease_holds(ctx.now())
                    && self.committed_in_term()
                {
                    return self.read_locally(ctx, client, req, key, "lease");
                }
                self.reads.push(PendingRead {
                    client,
                    req,
                    key,
                    index: None,
                    round: 0,
                });
                self.serve_reads(ctx);
            }
            _ => self.propose(ctx, Some((client, req)), op),
        }
    }

    fn propose(&mut self, ctx: &mut Ctx<'_, KvNode>, client: Option<(NodeId, u64)>, op: Op) {
        let (asker, req) = client.unwrap_or((self.me, self.visitor.unwrap_or(0)));
        let origin = Origin::new(asker, req);
        ctx.nest(RAFT, |c| self.raft.on_client_request(c, op.entry(origin)));
        let index = self.raft.log().last_index();
        let term = self.raft.term();
        self.proposals.push(Proposal {
            index,
            term,
            client,
        });
        self.after_raft(ctx);
    }

    /// Applies a committed operation once: a copy of the request its client asked last (logged
    /// by two leaders) gets the first copy's result without applying again, and a copy of an
    /// earlier request (the client has moved on) is skipped, answering nobody (`None`).
    fn apply(&mut self, op: Op, origin: Origin) -> Option<OpResult> {
        let session = (self.sessions.iter()).position(|(o, _)| o.client == origin.client);
        if let Some(i) = session {
            let (last, result) = self.sessions[i];
            if last.covers(origin.req) {
                return (last.req == origin.req).then_some(result);
            }
        }
        let slot = &mut self.store[usize::from(op.key())];
        let (value, result) = op.apply(slot.value());
        *slot = Siblings::one(Versioned {
            stamp: self.applied,
            value,
            ..Versioned::default()
        });
        match session {
            Some(i) => self.sessions[i] = (origin, result),
            None => self.sessions.push((origin, result)),
        }
        Some(result)
    }

    fn lease_holds(&self, now: Micros) -> bool {
        self.lease_until
            .is_some_and(|until| self.local(now) < until)
    }

    /// Whether the leader's commit index is in its own term (it then knows every entry
    /// committed before it).
    fn committed_in_term(&self) -> bool {
        self.raft.log().term_at(self.raft.commit_index()) == Some(self.raft.term())
    }

    /// After Raft handled an input: a new leader opens its term with a no-op; committed
    /// entries are applied and their clients answered; a replica that stopped leading turns
    /// its waiting reads away.
    fn after_raft(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        if self.leads() && self.noop_term != self.raft.term() {
            self.noop_term = self.raft.term();
            self.rounds.clear();
            self.confirmed = 0;
            self.lease_until = None;
            ctx.nest(RAFT, |c| self.raft.on_client_request(c, NOOP));
        }
        while self.applied < self.raft.commit_index() {
            self.applied += 1;
            let Some(entry) = self.raft.log().get(self.applied).copied() else {
                break;
            };
            let Some(op) = Op::of_command(entry.command) else {
                continue;
            };
            let result = self.apply(op, Origin::of_command(entry.command));
            if let Some(i) = self.proposals.iter().position(|p| p.index == self.applied) {
                let p = self.proposals.swap_remove(i);
                if let (true, Some(result)) = (p.term == entry.term, result) {
                    self.answer(ctx, p.client, op, result);
                }
            }
        }
        if !self.leads() {
            if self.proposals.iter().any(|p| p.client.is_none()) {
                self.abandon_visitor(ctx);
            }
            self.proposals.clear();
            self.rounds.clear();
            self.lease_until = None;
            for r in std::mem::take(&mut self.reads) {
                let hint = self.raft.leader();
                ctx.send(
                    r.client,
                    Msg::Reply {
                        req: r.req,
                        result: OpResult::NotLeader(hint),
                    },
                );
            }
        } else {
            self.serve_reads(ctx);
        }
    }

    /// Starts a confirmation round (or joins one sent at this very moment unless `fresh`);
    /// returns its number.
    fn round(&mut self, ctx: &mut Ctx<'_, KvNode>, fresh: bool) -> u64 {
        if !fresh && let Some(r) = self.rounds.last().filter(|r| r.sent == ctx.now()) {
            return r.seq;
        }
        self.seq += 1;
        let (seq, term) = (self.seq, self.raft.term());
        self.rounds.push(Round {
            seq,
            sent: ctx.now(),
            sent_local: self.local(ctx.now()),
            acks: 0,
        });
        for p in ctx.peers() {
            ctx.send(p, Msg::Confirm { term, seq });
        }
        self.count_rounds(ctx);
        seq
    }

    /// Rounds a majority answered confirm the leader up to their send time; a lease runs from
    /// the latest.
    fn count_rounds(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        let needed = self.s.majority();
        let mut done = None;
        for r in &self.rounds {
            if r.acks.count_ones() as usize + 1 >= needed {
                done = Some(*r);
            }
        }
        if let Some(r) = done {
            self.confirmed = self.confirmed.max(r.seq);
            self.rounds.retain(|x| x.seq > r.seq);
            let until = r.sent_local + self.s.lease as i64;
            self.lease_until = Some(self.lease_until.map_or(until, |u| u.max(until)));
            self.serve_reads(ctx);
        }
    }

    /// Answers the waiting reads that can be: confirmed, and applied up to their index.
    fn serve_reads(&mut self, ctx: &mut Ctx<'_, KvNode>) {
        if self.reads.is_empty() || !self.leads() {
            return;
        }
        if self.committed_in_term() {
            let commit = self.raft.commit_index();
            for i in 0..self.reads.len() {
                if self.reads[i].index.is_none() {
                    let round = self.round(ctx, false);
                    self.reads[i].index = Some(commit);
                    self.reads[i].round = round;
                }
            }
        }
        let (confirmed, applied) = (self.confirmed, self.applied);
        let mut i = 0;
        while i < self.reads.len() {
            let r = self.reads[i];
            if r.index
                .is_some_and(|at| r.round <= confirmed && at <= applied)
            {
                self.reads.swap_remove(i);
                let value = self.store[usize::from(r.key)].value();
                ctx.send(
                    r.client,
                    Msg::Reply {
                        req: r.req,
                        result: OpResult::Value(value),
                    },
                );
            } else {
                i += 1;
            }
        }
    }

    // ---- quorum mode -------------------------------------------------------------------

    fn copy(&self, key: u8) -> Siblings {
        self.store
            .get(usize::from(key))
            .cloned()
            .unwrap_or_default()
    }

    /// Merges `versions` of `key` into this replica's copy; a write lost to last-writer-wins
    /// goes to the trace.
    fn keep(&mut self, ctx: &mut Ctx<'_, KvNode>, key: u8, versions: &Siblings) {
        let how = self.s.reconcile;
        for &version in versions.versions() {
            let Some(slot) = self.store.get_mut(usize::from(key)) else {
                return;
            };
            if let Merged::Overruled { kept, lost } = slot.merge(version, how) {
                self.emit(ctx, KvNote::LostUpdate { key, kept, lost });
            }
        }
    }

    fn coordinate(&mut self, ctx: &mut Ctx<'_, KvNode>, client: Option<(NodeId, u64)>, op: Op) {
        let now = ctx.now();
        let timeout = self.s.timeout;
        let before = self.coordinating.len();
        self.coordinating
            .retain(|c| now < c.since + 4 * timeout || c.client.is_some());
        if self.coordinating.len() < before {
            self.abandon_visitor(ctx);
        }
        self.coordinating.retain(|c| now < c.since + 4 * timeout);
        self.next_token += 1;
        let token = self.next_token;
        let key = op.key();
        let kind = match op {
            Op::Write { value, .. } => {
                // The write follows everything this replica holds of the key.
                let mut clock = self.copy(key).context();
                let mine = &mut clock[self.me as usize - 1];
                self.coordinated = self.coordinated.max(*mine) + 1;
                *mine = self.coordinated;
                let version = Versioned {
                    stamp: self.local(now).max(1) as u64,
                    writer: self.me,
                    value,
                    clock,
                };
                let versions = Siblings::one(version);
                self.keep(ctx, key, &versions);
                for p in ctx.peers() {
                    ctx.send(
                        p,
                        Msg::Put {
                            token,
                            key,
                            versions: versions.clone(),
                        },
                    );
                }
                Coordination::Write {
                    version,
                    acks: bit(self.me),
                }
            }
            Op::Read { .. } => {
                for p in ctx.peers() {
                    ctx.send(p, Msg::Get { token, key });
                }
                Coordination::Read {
                    copies: vec![(self.me, self.copy(key))],
                    newest: self.copy(key),
                    holders: 0,
                    repairing: false,
                }
            }
            // Compare-and-set needs consensus: a leaderless store has none to offer.
            Op::Cas { .. } => {
                if let Some((client, req)) = client {
                    ctx.send(
                        client,
                        Msg::Reply {
                            req,
                            result: OpResult::NotLeader(None),
                        },
                    );
                }
                return;
            }
        };
        self.coordinating.push(Coordinated {
            token,
            client,
            key,
            since: now,
            kind,
        });
        self.progress(ctx, token);
    }

    fn on_copy(&mut self, ctx: &mut Ctx<'_, KvNode>, from: NodeId, token: u64, held: Siblings) {
        let how = self.s.reconcile;
        if let Some(c) = self.coordinating.iter_mut().find(|c| c.token == token)
            && let Coordination::Read {
                copies,
                newest,
                repairing: false,
                ..
            } = &mut c.kind
            && copies.iter().all(|(id, _)| *id != from)
        {
            for &v in held.versions() {
                newest.merge(v, how);
            }
            copies.push((from, held));
            self.progress(ctx, token);
        }
    }

    fn on_stored(&mut self, ctx: &mut Ctx<'_, KvNode>, from: NodeId, token: u64) {
        if let Some(c) = self.coordinating.iter_mut().find(|c| c.token == token) {
            match &mut c.kind {
                Coordination::Write { acks, .. } => *acks |= bit(from),
                Coordination::Read {
                    holders,
                    repairing: true,
                    ..
                } => *holders |= bit(from),
                Coordination::Read { .. } => {}
            }
            self.progress(ctx, token);
        }
    }

    /// Moves a coordinated operation on: answers it once enough replicas did.
    fn progress(&mut self, ctx: &mut Ctx<'_, KvNode>, token: u64) {
        let Some(i) = self.coordinating.iter().position(|c| c.token == token) else {
            return;
        };
        let (r, w) = (self.s.r, self.s.w);
        let count = |set: u32| set.count_ones() as usize;
        let c = &mut self.coordinating[i];
        let (client, key) = (c.client, c.key);
        match &mut c.kind {
            Coordination::Write { version, acks } => {
                if count(*acks) >= w {
                    let value = version.value;
                    self.coordinating.swap_remove(i);
                    let op = Op::Write { key, value };
                    self.answer(ctx, client, op, OpResult::Done);
                }
            }
            Coordination::Read {
                copies,
                newest,
                holders,
                repairing,
            } => {
                if !*repairing && copies.len() >= r {
                    let how = self.s.reconcile;
                    *holders = (copies.iter())
                        .filter(|(_, copy)| copy.covers(newest, how))
                        .fold(0, |set, (id, _)| set | bit(*id));
                    if self.s.repair != Repair::Off {
                        let asked = copies.iter().fold(0, |set, (id, _)| set | bit(*id));
                        let stale = asked & !*holders;
                        for p in (1..=self.s.replicas as NodeId).filter(|&p| stale & bit(p) != 0) {
                            ctx.send(
                                p,
                                Msg::Put {
                                    token,
                                    key,
                                    versions: newest.clone(),
                                },
                            );
                        }
                    }
                    if self.s.repair == Repair::Blocking && count(*holders) < w {
                        *repairing = true;
                        return;
                    }
                } else if !(*repairing && count(*holders) >= w) {
                    return;
                }
                let result = match newest.versions() {
                    [_, _, ..] => OpResult::Siblings(SiblingValues::of(newest)),
                    _ => OpResult::Value(newest.value()),
                };
                self.coordinating.swap_remove(i);
                if let Some((client, req)) = client {
                    ctx.send(client, Msg::Reply { req, result });
                }
            }
        }
    }

    /// What the page shows of the replica.
    pub fn view(&self, now: Micros) -> NodeView {
        let store = (self.store.iter().enumerate())
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    super::op::key_name(k as u8),
                    match v.versions() {
                        [_, _, ..] => SiblingValues::of(v).shown(),
                        _ => super::op::shown(v.value()),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let clock = match self.clock {
            Some((offset, ppm)) if offset != 0 || ppm != 0 => {
                Some(format!("{:+} ms offset, {ppm:+} ppm", offset / 1000))
            }
            _ => None,
        };
        if self.s.mode == Mode::Quorum {
            let mut fields = vec![("store", store)];
            fields.extend(clock.map(|c| ("clock", c)));
            fields.push(("coordinating", self.coordinating.len().to_string()));
            return NodeView {
                role: "replica",
                fields,
                ..NodeView::default()
            };
        }
        let mut view = self.raft.view();
        let mut fields = vec![("store", store), ("applied", self.applied.to_string())];
        if self.s.mode == Mode::Lease {
            let lease = match self.lease_until {
                Some(until) if self.leads() && self.local(now) < until => {
                    format!("{} ms left on its clock", (until - self.local(now)) / 1000)
                }
                _ => "—".into(),
            };
            fields.push(("lease", lease));
        }
        if self.s.mode == Mode::ReadIndex || self.s.mode == Mode::Lease {
            fields.push(("reads waiting", self.reads.len().to_string()));
        }
        fields.extend(clock.map(|c| ("clock", c)));
        fields.append(&mut view.fields);
        view.fields = fields;
        view
    }
}
