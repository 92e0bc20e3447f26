//! One Raft server: Figure 2 of the paper as a sans-IO state machine.
//!
//! Shaped after etcd-io/raft's `raft.go`: messages that carry a newer term first turn the node
//! into a follower of that term, then the message goes to the `step` function of the node's
//! role. Replication to each follower follows etcd's two modes: *probing* (one message at a
//! time until the follower's log is known to match) and *replicating* (entries are streamed
//! and `nextIndex` advances optimistically; a refusal drops back to probing).

use crate::sim::workload::{Request, Response};
use crate::sim::{Ctx, Micros, Node, NodeId, NodeView};

use super::log::Log;
use super::msg::{Entry, Msg, RaftNote, Refusal};
use super::{COMMIT_LATENCY, COMMITS};

/// Most entries sent in one AppendEntries, so a lagging follower catches up in bounded steps.
pub const MAX_BATCH: usize = 64;

/// Largest cluster a node can be part of (votes are kept in a 32-bit set).
pub const MAX_NODES: usize = 32;

/// What a Raft server currently is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Passive: answers leaders and candidates.
    Follower,
    /// Asking for votes to become leader.
    Candidate,
    /// Handles clients and replicates its log.
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

/// Raft's two timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Followers and candidates: start an election when it fires (the countdown drawn).
    Election,
    /// Leaders: send AppendEntries to every follower when it fires.
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
    /// Bug: grant votes without checking that the candidate's log is up to date.
    pub vote_ignores_log: bool,
    /// Bug: commit entries of earlier terms by counting replicas (Figure 8).
    pub commit_old_term: bool,
}

impl Default for Config {
    /// The paper-like defaults: 100–200 ms elections, 50 ms heartbeats, no bugs.
    fn default() -> Self {
        Config {
            election_min: 100_000,
            election_max: 200_000,
            heartbeat: 50_000,
            vote_ignores_log: false,
            commit_old_term: false,
        }
    }
}

/// A leader's view of one follower (`nextIndex` and `matchIndex` of Figure 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Index of the next entry to send.
    pub next: u64,
    /// Highest index known to be replicated on the follower.
    pub matched: u64,
    /// Whether the leader is still looking for the point where the logs match.
    pub probing: bool,
}

/// One Raft server.
#[derive(Clone, Debug)]
pub struct RaftNode {
    pub(super) id: NodeId,
    pub(super) n: usize,
    pub(super) cfg: Config,
    // Persistent state (survives a crash).
    pub(super) term: u64,
    pub(super) voted_for: Option<NodeId>,
    pub(super) log: Log,
    // Volatile state.
    pub(super) role: Role,
    pub(super) commit: u64,
    pub(super) applied: u64,
    pub(super) leader: Option<NodeId>,
    pub(super) votes: u32,
    pub(super) progress: Vec<Progress>,
    /// As leader: the entries it appended in this term that are not committed yet, with the
    /// time each was appended (for the commit-latency metric).
    pub(super) pending: Vec<(u64, Micros)>,
    /// As leader: workload clients waiting for an entry to commit, as (index, client,
    /// request), oldest first. Forgotten when leadership ends: the clients time out and retry.
    pub(super) waiting: Vec<(u64, NodeId, u64)>,
    pub(super) election_timeout: Micros,
    /// Highest index ever announced in a `commit` note. Trace bookkeeping, not Raft state: it
    /// survives crashes so that re-learning the commit index after a restart does not announce
    /// the same entries again (each node announces each index exactly once).
    pub(super) announced: u64,
}

impl RaftNode {
    /// A fresh node `id` of a cluster of `n` nodes: a follower of term 0 with an empty log.
    pub fn new(id: NodeId, n: usize, cfg: Config) -> Self {
        assert!(n <= MAX_NODES, "Raft supports at most {MAX_NODES} nodes");
        RaftNode {
            id,
            n,
            cfg,
            term: 0,
            voted_for: None,
            log: Log::default(),
            role: Role::Follower,
            commit: 0,
            applied: 0,
            leader: None,
            votes: 0,
            progress: Vec::new(),
            pending: Vec::new(),
            waiting: Vec::new(),
            election_timeout: 0,
            announced: 0,
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
    /// Current term (persistent).
    pub fn term(&self) -> u64 {
        self.term
    }
    /// Whom the node voted for in the current term (persistent).
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    /// The log (persistent).
    pub fn log(&self) -> &Log {
        &self.log
    }
    /// Highest index known to be committed.
    pub fn commit_index(&self) -> u64 {
        self.commit
    }
    /// Highest index applied to the state machine (always equal to the commit index here).
    pub fn last_applied(&self) -> u64 {
        self.applied
    }
    /// The leader this node knows for its current term, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    /// The per-follower progress, indexed by node id − 1 (empty unless leader).
    pub fn progress(&self) -> &[Progress] {
        &self.progress
    }
    /// Commands applied so far, oldest first (the state machine is a plain list).
    pub fn applied_commands(&self) -> impl Iterator<Item = u64> + '_ {
        self.log
            .iter_from(1)
            .take(self.applied as usize)
            .map(|e| e.command)
    }

    /// Votes or replicas needed: a majority of the cluster.
    pub(super) fn quorum(&self) -> usize {
        self.n / 2 + 1
    }

    /// Node `id`'s bit in a vote set.
    pub(super) fn bit(id: NodeId) -> u32 {
        1 << (id - 1)
    }

    // ---- transitions -------------------------------------------------------------------

    fn note_role(&self, ctx: &mut Ctx<'_, Self>) {
        ctx.note(RaftNote::Role {
            role: self.role.name(),
            term: self.term,
        });
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.election_timeout = ctx.random_range(self.cfg.election_min, self.cfg.election_max);
        ctx.set_timer(Timer::Election, self.election_timeout);
    }

    /// Becomes a follower of `term`, knowing `leader` if the caller does. A new term clears
    /// the vote. A follower keeps its running election timer; a former leader starts one.
    fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, leader: Option<NodeId>) {
        let was = (self.role, self.term);
        if term != self.term {
            self.term = term;
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.votes = 0;
        self.progress.clear();
        self.pending.clear();
        self.waiting.clear();
        if was.0 == Role::Leader {
            ctx.cancel_timer(Timer::Heartbeat);
            self.reset_election_timer(ctx);
        }
        if was != (self.role, self.term) {
            self.note_role(ctx);
        }
    }

    /// Starts an election: new term, vote for self, ask everyone else.
    fn campaign(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.term += 1;
        self.role = Role::Candidate;
        self.voted_for = Some(self.id);
        self.votes = Self::bit(self.id);
        self.leader = None;
        self.progress.clear();
        self.pending.clear();
        self.note_role(ctx);
        self.reset_election_timer(ctx);
        if self.quorum() <= 1 {
            self.become_leader(ctx);
            return;
        }
        let (last_log_index, last_log_term) = (self.log.last_index(), self.log.last_term());
        for p in ctx.peers() {
            ctx.send(
                p,
                Msg::RequestVote {
                    term: self.term,
                    last_log_index,
                    last_log_term,
                },
            );
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        let next = self.log.last_index() + 1;
        self.progress = vec![
            Progress {
                next,
                matched: 0,
                probing: true,
            };
            self.n
        ];
        let me = &mut self.progress[self.id as usize - 1];
        me.matched = next - 1;
        me.probing = false;
        ctx.cancel_timer(Timer::Election);
        self.election_timeout = 0;
        self.note_role(ctx);
        self.broadcast_append(ctx);
        ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat);
        self.maybe_commit(ctx);
    }

    // ---- per-role steps ------------------------------------------------------------------

    fn step_follower(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if let Msg::AppendEntries { .. } = msg {
            self.handle_append(ctx, from, msg);
        }
        // Replies are late answers to an earlier candidacy or leadership: ignored.
    }

    fn step_candidate(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntries { term, .. } => {
                if term == self.term {
                    // Someone won this term's election.
                    self.become_follower(ctx, term, Some(from));
                }
                self.handle_append(ctx, from, msg);
            }
            Msg::RequestVoteReply {
                term,
                granted: true,
                ..
            } if term == self.term => {
                self.votes |= Self::bit(from);
                if self.votes.count_ones() as usize >= self.quorum() {
                    self.become_leader(ctx);
                }
            }
            _ => {}
        }
    }

    fn step_leader(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntriesReply {
                term,
                success,
                index,
                hint,
            } if term == self.term => self.handle_append_reply(ctx, from, success, index, hint),
            Msg::AppendEntries { term, .. } => {
                if term == self.term {
                    // Two leaders in one term: impossible unless Election Safety is broken.
                    self.become_follower(ctx, term, Some(from));
                }
                self.handle_append(ctx, from, msg);
            }
            _ => {}
        }
    }

    // ---- message handlers ----------------------------------------------------------------

    /// RequestVote, the same for every role (Figure 2, "RequestVote RPC: receiver").
    fn handle_vote_request(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
        let (own_last_index, own_last_term) = (self.log.last_index(), self.log.last_term());
        let up_to_date = last_term > own_last_term
            || (last_term == own_last_term && last_index >= own_last_index);
        let refusal = if term < self.term {
            Some(Refusal::StaleTerm)
        } else if let Some(v) = self.voted_for.filter(|&v| v != from) {
            Some(Refusal::AlreadyVoted { voted_for: v })
        } else if !up_to_date && !self.cfg.vote_ignores_log {
            Some(Refusal::LogBehind {
                candidate_last_term: last_term,
                candidate_last_index: last_index,
                own_last_term,
                own_last_index,
            })
        } else {
            None
        };
        let granted = refusal.is_none();
        if granted {
            self.voted_for = Some(from);
            self.reset_election_timer(ctx);
        }
        ctx.note(RaftNote::Vote {
            candidate: from,
            term,
            granted,
            refusal,
        });
        ctx.send(
            from,
            Msg::RequestVoteReply {
                term: self.term,
                granted,
                refusal,
            },
        );
    }

    /// AppendEntries (Figure 2, "AppendEntries RPC: receiver"); the caller has already made
    /// this node a follower if the sender leads the current term.
    fn handle_append(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::AppendEntries {
            term,
            prev_log_index: prev,
            prev_log_term,
            entries,
            leader_commit,
        } = msg
        else {
            return;
        };
        let reply = |ctx: &mut Ctx<'_, Self>, term, success, index, hint| {
            ctx.send(
                from,
                Msg::AppendEntriesReply {
                    term,
                    success,
                    index,
                    hint,
                },
            )
        };
        if term < self.term {
            reply(ctx, self.term, false, 0, 0);
            return;
        }
        self.leader = Some(from);
        self.reset_election_timer(ctx);
        match self.log.term_at(prev) {
            None => {
                // Our log is too short: the leader can resume right after our last entry.
                reply(ctx, self.term, false, prev, self.log.last_index());
                return;
            }
            Some(t) if t != prev_log_term => {
                // Conflict: skip back over the whole run of the conflicting term at once.
                let hint = self.log.first_index_of_term_run(prev).saturating_sub(1);
                reply(ctx, self.term, false, prev, hint);
                return;
            }
            Some(_) => {}
        }
        // The logs match up to `prev`. Append what is new; remove our entries only where they
        // actually conflict (a stale or duplicated message must never shorten the log).
        for (k, e) in entries.iter().enumerate() {
            let index = prev + 1 + k as u64;
            match self.log.term_at(index) {
                Some(t) if t == e.term => continue,
                Some(_) => {
                    let removed = self.log.last_index() + 1 - index;
                    self.log.truncate_from(index);
                    ctx.note(RaftNote::Truncate {
                        from: index,
                        removed,
                    });
                    if index <= self.commit {
                        // Only reachable with a bug switched on: a committed entry is replaced.
                        self.commit = index - 1;
                        self.applied = self.applied.min(self.commit);
                    }
                }
                None => {}
            }
            for e in &entries[k..] {
                self.log.push(*e);
            }
            break;
        }
        let last_new = prev + entries.len() as u64;
        let commit = leader_commit.min(last_new);
        if commit > self.commit {
            self.commit = commit;
            self.apply(ctx);
        }
        reply(ctx, self.term, true, last_new, 0);
    }

    /// A follower's answer reached the leader of the same term.
    fn handle_append_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        success: bool,
        index: u64,
        hint: u64,
    ) {
        let last = self.log.last_index();
        let p = &mut self.progress[from as usize - 1];
        if success {
            p.matched = p.matched.max(index);
            p.next = p.next.max(index + 1);
            p.probing = false;
            let more = p.next <= last;
            self.maybe_commit(ctx);
            if more {
                self.send_append(ctx, from);
            }
        } else {
            // Ignore refusals of stale requests: for a term (index 0), below what is known to
            // match, or — while probing — of anything but the latest probe.
            if index == 0 || index <= p.matched || (p.probing && index + 1 != p.next) {
                return;
            }
            p.next = (p.matched + 1).max((hint + 1).min(index));
            p.probing = true;
            self.send_append(ctx, from);
        }
    }

    /// A client command, from a client or forwarded by a follower.
    fn handle_client(&mut self, ctx: &mut Ctx<'_, Self>, command: u64, forwarded: bool) {
        match (self.role, self.leader) {
            (Role::Leader, _) => {
                let entry = Entry {
                    term: self.term,
                    command,
                };
                self.log.push(entry);
                let index = self.log.last_index();
                self.pending.push((index, ctx.now()));
                self.progress[self.id as usize - 1].matched = index;
                ctx.note(RaftNote::Append {
                    index,
                    term: self.term,
                    command,
                });
                for p in ctx.peers() {
                    if !self.progress[p as usize - 1].probing {
                        self.send_append(ctx, p);
                    }
                }
                self.maybe_commit(ctx);
            }
            (_, _) if forwarded => ctx.note(RaftNote::Reject {
                command,
                reason: "forwarded to a node that no longer leads",
            }),
            (Role::Follower, Some(leader)) => {
                ctx.send(leader, Msg::ClientRequest { command });
                ctx.note(RaftNote::Redirect { command, leader });
            }
            _ => ctx.note(RaftNote::Reject {
                command,
                reason: "no leader known",
            }),
        }
    }

    /// A workload client's request: a leader appends it and answers once it commits; any
    /// other node redirects the client to the leader it knows.
    fn handle_request(&mut self, ctx: &mut Ctx<'_, Self>, client: NodeId, request: Request) {
        if self.role == Role::Leader {
            self.handle_client(ctx, request.command, false);
            self.waiting
                .push((self.log.last_index(), client, request.id));
            self.answer_committed(ctx);
        } else {
            let hint = self.leader.filter(|&l| l != self.id);
            ctx.send(
                client,
                Msg::Response(Response::not_leader(request.id, hint)),
            );
        }
    }

    /// Answers the clients whose entries are now committed.
    fn answer_committed(&mut self, ctx: &mut Ctx<'_, Self>) {
        let done = self
            .waiting
            .partition_point(|&(index, _, _)| index <= self.commit);
        for &(_, client, id) in &self.waiting[..done] {
            ctx.send(client, Msg::Response(Response::done(id)));
        }
        drop_front(&mut self.waiting, done);
    }

    // ---- leader duties -------------------------------------------------------------------

    /// Sends `to` the entries from its `nextIndex` (or a heartbeat if there are none).
    fn send_append(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let p = &mut self.progress[to as usize - 1];
        let prev = p.next - 1;
        let entries = self.log.slice_from(p.next, MAX_BATCH);
        if !p.probing {
            p.next += entries.len() as u64;
        }
        ctx.send(
            to,
            Msg::AppendEntries {
                term: self.term,
                prev_log_index: prev,
                prev_log_term: self.log.term_at(prev).unwrap_or(0),
                entries,
                leader_commit: self.commit,
            },
        );
    }

    fn broadcast_append(&mut self, ctx: &mut Ctx<'_, Self>) {
        for p in ctx.peers() {
            self.send_append(ctx, p);
        }
    }

    /// Advances the commit index to the highest index stored on a majority, provided that
    /// entry is of the current term (§5.4.2) — unless the `commit_old_term` bug is on.
    fn maybe_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        // The highest index stored on a majority: the largest `matchIndex` that at least a
        // quorum of nodes reach (counted in plain loops: no sorting code of its own).
        let mut n = 0;
        for p in &self.progress {
            let v = p.matched;
            if v > n {
                let mut reach = 0;
                for q in &self.progress {
                    reach += usize::from(q.matched >= v);
                }
                if reach >= self.quorum() {
                    n = v;
                }
            }
        }
        if n > self.commit && (self.cfg.commit_old_term || self.log.term_at(n) == Some(self.term)) {
            ctx.record(COMMITS, (n - self.commit) as i64);
            self.commit = n;
            let done = self.pending.partition_point(|&(index, _)| index <= n);
            for &(_, appended) in &self.pending[..done] {
                ctx.record(COMMIT_LATENCY, (ctx.now() - appended) as i64);
            }
            drop_front(&mut self.pending, done);
            self.answer_committed(ctx);
            self.apply(ctx);
        }
    }

    /// Applies newly committed entries, announcing each index once per node.
    fn apply(&mut self, ctx: &mut Ctx<'_, Self>) {
        while self.applied < self.commit {
            self.applied += 1;
            if self.applied > self.announced {
                self.announced = self.applied;
                if let Some(e) = self.log.get(self.applied) {
                    ctx.note(RaftNote::Commit {
                        index: self.applied,
                        term: e.term,
                        command: e.command,
                    });
                }
            }
        }
    }
}

/// Removes the first `k` items of `v` (a plain move: cheaper in the page than a `Drain`).
fn drop_front<T: Copy>(v: &mut Vec<T>, k: usize) {
    v.copy_within(k.., 0);
    v.truncate(v.len() - k);
}

impl Node for RaftNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = RaftNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.note_role(ctx);
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if let Some(term) = msg.term().filter(|&t| t > self.term) {
            let leader = matches!(msg, Msg::AppendEntries { .. }).then_some(from);
            self.become_follower(ctx, term, leader);
        }
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.handle_vote_request(ctx, from, term, last_log_index, last_log_term),
            Msg::ClientRequest { command } => self.handle_client(ctx, command, true),
            Msg::Request(request) => self.handle_request(ctx, from, request),
            Msg::Response(_) => {}
            msg => match self.role {
                Role::Follower => self.step_follower(ctx, from, msg),
                Role::Candidate => self.step_candidate(ctx, from, msg),
                Role::Leader => self.step_leader(ctx, from, msg),
            },
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (timer, self.role) {
            (Timer::Election, Role::Follower | Role::Candidate) => self.campaign(ctx),
            (Timer::Heartbeat, Role::Leader) => {
                self.broadcast_append(ctx);
                ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat);
            }
            _ => {}
        }
    }

    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, command: u64) {
        self.handle_client(ctx, command, false);
    }

    /// Starts an election now; a leader ignores it (it has no election timer).
    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role != Role::Leader {
            self.campaign(ctx);
        }
    }

    fn crash(&mut self) {
        self.role = Role::Follower;
        self.commit = 0;
        self.applied = 0;
        self.leader = None;
        self.votes = 0;
        self.progress.clear();
        self.pending.clear();
        self.waiting.clear();
        self.election_timeout = 0;
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
