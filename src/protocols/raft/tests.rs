//! Scripted tests in the style of etcd-io/raft's `raft_test.go`: nodes are driven by hand
//! through a tiny network that delivers only what a test lets through, with the checker
//! watching every step.

use crate::sim::{
    Checker, Ctx, Finding, Message, Micros, Node, NodeId, Note, Outbox, Protocol, Rng, Setup,
};

use super::checker::*;
use super::*;

/// A hand-driven cluster: messages wait in `pending` until a test delivers them.
struct Net {
    nodes: Vec<RaftNode>,
    up: Vec<bool>,
    rng: Rng,
    now: Micros,
    pending: Vec<(NodeId, NodeId, Msg)>,
    notes: Vec<(NodeId, RaftNote)>,
    checker: RaftChecker,
    findings: Vec<Finding>,
}

impl Net {
    fn new(n: usize, cfg: Config) -> Net {
        let mut net = Net {
            nodes: (1..=n as NodeId)
                .map(|id| RaftNode::new(id, n, cfg))
                .collect(),
            up: vec![true; n],
            rng: Rng::new(1),
            now: 0,
            pending: Vec::new(),
            notes: Vec::new(),
            checker: RaftChecker::new(n),
            findings: Vec::new(),
        };
        for id in 1..=n as NodeId {
            net.run(id, |node, ctx| node.on_start(ctx));
        }
        net
    }

    fn node(&self, id: NodeId) -> &RaftNode {
        &self.nodes[id as usize - 1]
    }

    /// Runs one input on node `id`, collects its outputs and runs the checker.
    fn run(&mut self, id: NodeId, f: impl FnOnce(&mut RaftNode, &mut Ctx<'_, RaftNode>)) {
        self.now += 1_000;
        let n = self.nodes.len();
        let mut out = Outbox::<RaftNode>::default();
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
        self.checker
            .check(self.now, &self.nodes, &self.up, id, &mut self.findings);
    }

    fn timeout(&mut self, id: NodeId) {
        self.run(id, |node, ctx| node.on_force_timeout(ctx));
    }

    fn heartbeat(&mut self, id: NodeId) {
        self.run(id, |node, ctx| node.on_timer(ctx, Timer::Heartbeat));
    }

    fn client(&mut self, id: NodeId, command: u64) {
        self.run(id, |node, ctx| node.on_client_request(ctx, command));
    }

    fn crash(&mut self, id: NodeId) {
        self.nodes[id as usize - 1].crash();
        self.up[id as usize - 1] = false;
        self.pending.retain(|(_, to, _)| *to != id);
        self.checker
            .check(self.now, &self.nodes, &self.up, id, &mut self.findings);
    }

    fn restart(&mut self, id: NodeId) {
        self.up[id as usize - 1] = true;
        self.run(id, |node, ctx| node.on_start(ctx));
    }

    /// Delivers pending messages accepted by `pass` (including ones sent in reaction) in
    /// order; the others are dropped. Messages to or from crashed nodes are lost.
    fn deliver(&mut self, pass: impl Fn(NodeId, NodeId, &Msg) -> bool) {
        self.deliver_or_hold(pass, false);
    }

    /// Like [`Net::deliver`], but messages not accepted stay pending, in order.
    fn deliver_holding(&mut self, pass: impl Fn(NodeId, NodeId, &Msg) -> bool) {
        self.deliver_or_hold(pass, true);
    }

    fn deliver_or_hold(&mut self, pass: impl Fn(NodeId, NodeId, &Msg) -> bool, hold: bool) {
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

    fn deliver_all(&mut self) {
        self.deliver(|_, _, _| true);
    }

    /// Delivers only messages between nodes of `group`.
    fn deliver_within(&mut self, group: &[NodeId]) {
        let group = group.to_vec();
        self.deliver(move |from, to, _| group.contains(&from) && group.contains(&to));
    }

    fn notes_of(&self, id: NodeId) -> Vec<&RaftNote> {
        self.notes
            .iter()
            .filter(|(n, _)| *n == id)
            .map(|(_, note)| note)
            .collect()
    }

    fn commits_of(&self, id: NodeId) -> Vec<u64> {
        self.notes_of(id)
            .into_iter()
            .filter_map(|n| match n {
                RaftNote::Commit { index, .. } => Some(*index),
                _ => None,
            })
            .collect()
    }

    /// Elects `id` with everyone's messages delivered.
    fn elect(&mut self, id: NodeId) {
        self.timeout(id);
        self.deliver_all();
        assert_eq!(
            self.node(id).role(),
            Role::Leader,
            "Node {id} should have won"
        );
    }

    fn invariants_found(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.invariant).collect()
    }
}

fn bugged(vote_ignores_log: bool, commit_old_term: bool) -> Config {
    Config {
        vote_ignores_log,
        commit_old_term,
        ..Config::default()
    }
}

fn entry(term: u64, command: u64) -> Entry {
    Entry { term, command }
}

/// A lone node with the given persistent state, for driving by direct messages.
fn lone(id: NodeId, n: usize, term: u64, log: &[Entry]) -> RaftNode {
    let mut node = RaftNode::new(id, n, Config::default());
    node.term = term;
    for e in log {
        node.log.push(*e);
    }
    node
}

/// Delivers `msg` from `from` to `node` and returns what it sent and noted.
fn step(node: &mut RaftNode, from: NodeId, msg: Msg) -> (Vec<(NodeId, Msg)>, Vec<RaftNote>) {
    let mut rng = Rng::new(7);
    let mut out = Outbox::<RaftNode>::default();
    let mut ctx = Ctx::new(0, node.id(), node.n, &mut rng, &mut out);
    node.on_message(&mut ctx, from, msg);
    (out.sends().to_vec(), out.notes().to_vec())
}

// ---- elections ---------------------------------------------------------------------------

#[test]
fn single_node_elects_itself_and_commits_alone() {
    let mut net = Net::new(1, Config::default());
    net.run(1, |node, ctx| node.on_timer(ctx, Timer::Election));
    assert_eq!(net.node(1).role(), Role::Leader);
    assert_eq!(net.node(1).term(), 1);
    net.client(1, 42);
    assert_eq!(net.node(1).commit_index(), 1);
    assert_eq!(net.commits_of(1), vec![1]);
    assert!(net.findings.is_empty());
}

#[test]
fn candidate_with_majority_wins_and_others_follow() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    assert_eq!(net.node(1).term(), 1);
    for id in [2, 3] {
        assert_eq!(net.node(id).role(), Role::Follower);
        assert_eq!(net.node(id).leader(), Some(1));
        assert_eq!(net.node(id).voted_for(), Some(1));
    }
    let roles: Vec<_> = net
        .notes_of(1)
        .into_iter()
        .filter_map(|n| match n {
            RaftNote::Role { role, term } => Some((*role, *term)),
            _ => None,
        })
        .collect();
    assert_eq!(
        roles,
        vec![("follower", 0), ("candidate", 1), ("leader", 1)]
    );
    assert!(net.node(1).accepts_clients() && !net.node(2).accepts_clients());
    assert_eq!(
        RaftNote::Role {
            role: "leader",
            term: 1
        }
        .headline(1)
        .as_deref(),
        Some("Node 1 became leader for term 1")
    );
}

#[test]
fn candidate_without_majority_stays_candidate() {
    let mut net = Net::new(5, Config::default());
    net.timeout(1);
    net.deliver_within(&[1, 2]);
    assert_eq!(net.node(1).role(), Role::Candidate);
    assert_eq!(net.node(1).votes.count_ones(), 2);
}

#[test]
fn one_vote_per_term() {
    let mut node = lone(3, 3, 0, &[]);
    let ask = |term| Msg::RequestVote {
        term,
        last_log_index: 0,
        last_log_term: 0,
    };
    let (sent, _) = step(&mut node, 1, ask(1));
    assert!(matches!(
        sent[0],
        (1, Msg::RequestVoteReply { granted: true, .. })
    ));
    let (sent, _) = step(&mut node, 2, ask(1));
    assert!(matches!(
        sent[0],
        (
            2,
            Msg::RequestVoteReply {
                granted: false,
                refusal: Some(Refusal::AlreadyVoted { voted_for: 1 }),
                ..
            }
        )
    ));
    // The same candidate asking again (a duplicate) gets the vote again.
    let (sent, _) = step(&mut node, 1, ask(1));
    assert!(matches!(
        sent[0],
        (1, Msg::RequestVoteReply { granted: true, .. })
    ));
    // A new term frees the vote.
    let (sent, _) = step(&mut node, 2, ask(2));
    assert!(matches!(
        sent[0],
        (
            2,
            Msg::RequestVoteReply {
                granted: true,
                term: 2,
                ..
            }
        )
    ));
}

#[test]
fn vote_refused_to_stale_log() {
    // The voter's last entry has term 3; the candidate's has term 2.
    let mut voter = lone(2, 3, 3, &[entry(1, 1), entry(3, 2)]);
    let ask = Msg::RequestVote {
        term: 4,
        last_log_index: 5,
        last_log_term: 2,
    };
    let (sent, notes) = step(&mut voter, 1, ask.clone());
    let (_, reply) = &sent[0];
    assert!(matches!(
        reply,
        Msg::RequestVoteReply {
            granted: false,
            term: 4,
            ..
        }
    ));
    assert_eq!(
        reply.view().detail,
        "vote refused: candidate's last log term 2 < 3"
    );
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, RaftNote::Vote { granted: false, .. }))
    );
    // The higher term was still adopted, without a vote.
    assert_eq!((voter.term(), voter.voted_for()), (4, None));

    // Same last term but a shorter log: refused as well.
    let mut voter = lone(2, 3, 3, &[entry(1, 1), entry(3, 2), entry(3, 3)]);
    let ask = Msg::RequestVote {
        term: 4,
        last_log_index: 2,
        last_log_term: 3,
    };
    let (sent, _) = step(&mut voter, 1, ask);
    assert!(matches!(
        sent[0].1,
        Msg::RequestVoteReply { granted: false, .. }
    ));

    // With the bug on, the same stale candidate gets the vote.
    let mut voter = lone(2, 3, 3, &[entry(1, 1), entry(3, 2)]);
    voter.cfg.vote_ignores_log = true;
    let ask = Msg::RequestVote {
        term: 4,
        last_log_index: 5,
        last_log_term: 2,
    };
    let (sent, _) = step(&mut voter, 1, ask);
    assert!(matches!(
        sent[0].1,
        Msg::RequestVoteReply { granted: true, .. }
    ));
}

#[test]
fn leader_steps_down_on_higher_term() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    net.run(1, |node, ctx| {
        node.on_message(
            ctx,
            2,
            Msg::AppendEntriesReply {
                term: 7,
                success: false,
                index: 0,
                hint: 0,
            },
        )
    });
    assert_eq!(
        (net.node(1).role(), net.node(1).term()),
        (Role::Follower, 7)
    );
    assert!(matches!(
        net.notes_of(1).last(),
        Some(RaftNote::Role {
            role: "follower",
            term: 7
        })
    ));
    // Its leader-only state is gone, and it will time out again.
    assert!(net.node(1).progress().is_empty());
    assert!(!net.node(1).accepts_clients());
}

#[test]
fn forced_timeout_is_ignored_by_a_leader() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    net.timeout(1);
    assert_eq!((net.node(1).role(), net.node(1).term()), (Role::Leader, 1));
}

// ---- replication -------------------------------------------------------------------------

#[test]
fn entries_replicate_and_commit_everywhere() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    for c in 1..=5 {
        net.client(1, 100 + c);
    }
    net.deliver_all();
    assert_eq!(net.node(1).commit_index(), 5);
    net.heartbeat(1);
    net.deliver_all();
    for id in 1..=3 {
        assert_eq!(net.node(id).commit_index(), 5, "Node {id}");
        assert_eq!(net.commits_of(id), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            net.node(id).applied_commands().collect::<Vec<_>>(),
            vec![101, 102, 103, 104, 105]
        );
    }
    assert!(net.findings.is_empty());
}

#[test]
fn append_entries_truncates_only_on_conflict() {
    // The follower holds an entry of term 2 at index 3 that the term-3 leader never had.
    let mut f = lone(
        2,
        3,
        2,
        &[entry(1, 1), entry(1, 2), entry(2, 3), entry(2, 4)],
    );
    let append = Msg::AppendEntries {
        term: 3,
        prev_log_index: 2,
        prev_log_term: 1,
        entries: vec![entry(3, 30)],
        leader_commit: 2,
    };
    let (sent, notes) = step(&mut f, 1, append);
    assert_eq!(f.log().entries(), &[entry(1, 1), entry(1, 2), entry(3, 30)]);
    assert!(notes.contains(&RaftNote::Truncate {
        from: 3,
        removed: 2
    }));
    assert!(matches!(
        sent[0].1,
        Msg::AppendEntriesReply {
            success: true,
            index: 3,
            ..
        }
    ));
    assert_eq!(f.commit_index(), 2);
    assert_eq!(f.leader(), Some(1));
}

#[test]
fn stale_or_duplicate_append_entries_never_truncate() {
    let log = [entry(1, 1), entry(1, 2), entry(1, 3)];
    let mut f = lone(2, 3, 1, &log);
    // An old message carrying only the first entry, arriving late (reordered or duplicated).
    let old = Msg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries: vec![entry(1, 1)],
        leader_commit: 0,
    };
    let (sent, notes) = step(&mut f, 1, old.clone());
    assert_eq!(f.log().entries(), &log);
    assert_eq!(f.log().truncations(), 0);
    assert!(
        notes
            .iter()
            .all(|n| !matches!(n, RaftNote::Truncate { .. }))
    );
    // It is acknowledged for what it carried, not more.
    assert!(matches!(
        sent[0].1,
        Msg::AppendEntriesReply {
            success: true,
            index: 1,
            ..
        }
    ));
    // Its commit index only covers what it carried.
    let old_with_commit = Msg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries: vec![],
        leader_commit: 3,
    };
    step(&mut f, 1, old_with_commit);
    assert_eq!(f.commit_index(), 0);
    step(&mut f, 1, old);
    assert_eq!(f.log().entries(), &log);
}

#[test]
fn append_entries_consistency_check_refuses_and_hints() {
    let mut f = lone(2, 3, 2, &[entry(1, 1), entry(2, 2), entry(2, 3)]);
    // A gap: prev index beyond the follower's log.
    let gap = Msg::AppendEntries {
        term: 2,
        prev_log_index: 6,
        prev_log_term: 2,
        entries: vec![],
        leader_commit: 0,
    };
    let (sent, _) = step(&mut f, 1, gap);
    assert_eq!(
        sent[0].1,
        Msg::AppendEntriesReply {
            term: 2,
            success: false,
            index: 6,
            hint: 3
        }
    );
    // A mismatch at index 3: the hint skips the whole run of term 2.
    let mismatch = Msg::AppendEntries {
        term: 4,
        prev_log_index: 3,
        prev_log_term: 3,
        entries: vec![],
        leader_commit: 0,
    };
    let (sent, _) = step(&mut f, 1, mismatch);
    assert_eq!(
        sent[0].1,
        Msg::AppendEntriesReply {
            term: 4,
            success: false,
            index: 3,
            hint: 1
        }
    );
    assert_eq!(f.log().last_index(), 3, "a refused message changes nothing");
    // A stale leader is refused with the newer term and no index.
    let stale = Msg::AppendEntries {
        term: 1,
        prev_log_index: 0,
        prev_log_term: 0,
        entries: vec![entry(1, 9)],
        leader_commit: 0,
    };
    let (sent, _) = step(&mut f, 3, stale);
    assert_eq!(
        sent[0].1,
        Msg::AppendEntriesReply {
            term: 4,
            success: false,
            index: 0,
            hint: 0
        }
    );
}

#[test]
fn leader_backs_up_to_a_lagging_follower() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    // Node 3 misses three entries.
    for c in 1..=3 {
        net.client(1, c);
    }
    net.deliver(|_, to, _| to != 3);
    assert_eq!(net.node(3).log().last_index(), 0);
    net.heartbeat(1);
    net.deliver_all();
    assert_eq!(net.node(3).log().last_index(), 3);
    net.heartbeat(1);
    net.deliver_all();
    assert_eq!(net.node(3).commit_index(), 3);
    assert_eq!(net.node(1).progress()[2].matched, 3);
}

#[test]
fn commits_only_entries_of_the_current_term() {
    for bug in [false, true] {
        let mut net = Net::new(3, bugged(false, bug));
        net.elect(1);
        // An entry of term 1 reaches only node 1; node 1 then loses leadership.
        net.client(1, 7);
        net.deliver(|_, _, _| false);
        net.timeout(2);
        net.deliver(|from, to, _| from != 1 && to != 1);
        assert_eq!(net.node(2).role(), Role::Leader);
        // Node 1 hears of term 2 (a heartbeat carries no entries, so nothing is removed).
        net.heartbeat(2);
        net.deliver_all();
        assert_eq!(
            (net.node(1).role(), net.node(1).log().last_index()),
            (Role::Follower, 1)
        );
        // Node 1 wins term 3 and sends its term-1 entry to node 2: now on a majority.
        net.timeout(1);
        net.deliver_all();
        assert_eq!(net.node(1).role(), Role::Leader);
        assert_eq!(net.node(1).term(), 3);
        assert_eq!(net.node(2).log().entries(), &[entry(1, 7)]);
        let expected = if bug { 1 } else { 0 };
        assert_eq!(net.node(1).commit_index(), expected, "bug {bug}");
        // An entry of the current term commits the old one with it.
        net.client(1, 8);
        net.deliver_all();
        assert_eq!(net.node(1).commit_index(), 2);
        assert_eq!(net.commits_of(1), vec![1, 2]);
    }
}

#[test]
fn reordered_replies_do_not_confuse_the_leader() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    net.client(1, 1);
    net.client(1, 2);
    // Deliver the requests, then the replies in reverse order, twice over.
    net.deliver_holding(|_, to, _| to != 1);
    let mut replies: Vec<_> = net.pending.drain(..).collect();
    replies.reverse();
    let dup = replies.clone();
    net.pending = replies.into_iter().chain(dup).collect();
    net.deliver_all();
    assert_eq!(net.node(1).commit_index(), 2);
    for p in &net.node(1).progress()[1..] {
        assert_eq!((p.matched, p.next), (2, 3));
    }
}

// ---- clients -----------------------------------------------------------------------------

#[test]
fn followers_redirect_and_leaderless_nodes_reject() {
    let mut net = Net::new(3, Config::default());
    net.client(2, 5);
    assert!(matches!(
        net.notes_of(2).last(),
        Some(RaftNote::Reject {
            command: 5,
            reason: "no leader known"
        })
    ));
    net.elect(1);
    net.client(2, 6);
    assert!(matches!(
        net.notes_of(2).last(),
        Some(RaftNote::Redirect {
            command: 6,
            leader: 1
        })
    ));
    assert!(matches!(
        net.pending[..],
        [(2, 1, Msg::ClientRequest { command: 6 })]
    ));
    assert_eq!(net.pending[0].2.view().kind, "ClientRequest");
    net.deliver_all();
    assert_eq!(net.node(1).log().entries(), &[entry(1, 6)]);
    assert!(matches!(
        net.notes_of(1).last(),
        Some(RaftNote::Append {
            index: 1,
            term: 1,
            command: 6
        }) | Some(RaftNote::Commit { .. })
    ));
    // A forwarded request that reaches a non-leader is rejected, not bounced around.
    net.run(3, |node, ctx| {
        node.on_message(ctx, 2, Msg::ClientRequest { command: 9 })
    });
    assert!(net.pending.is_empty());
    assert!(matches!(
        net.notes_of(3).last(),
        Some(RaftNote::Reject { command: 9, .. })
    ));
}

// ---- crashes -----------------------------------------------------------------------------

#[test]
fn persistent_state_survives_a_crash_and_commits_are_announced_once() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    net.client(1, 11);
    net.deliver_all();
    net.heartbeat(1);
    net.deliver_all();
    assert_eq!(net.commits_of(2), vec![1]);

    net.crash(2);
    let n2 = net.node(2);
    assert_eq!(
        (n2.term(), n2.voted_for(), n2.log().entries()),
        (1, Some(1), vec![entry(1, 11)])
    );
    assert_eq!(
        (n2.role(), n2.commit_index(), n2.last_applied(), n2.leader()),
        (Role::Follower, 0, 0, None)
    );

    net.restart(2);
    assert!(matches!(
        net.notes_of(2).last(),
        Some(RaftNote::Role {
            role: "follower",
            term: 1
        })
    ));
    net.heartbeat(1);
    net.deliver_all();
    assert_eq!(net.node(2).commit_index(), 1, "commit index re-learned");
    assert_eq!(net.commits_of(2), vec![1], "but not announced twice");

    // A crashed leader restarts as a follower of the same term.
    net.crash(1);
    net.restart(1);
    assert_eq!(
        (net.node(1).role(), net.node(1).term()),
        (Role::Follower, 1)
    );
    assert!(matches!(
        net.notes_of(1).last(),
        Some(RaftNote::Role {
            role: "follower",
            term: 1
        })
    ));
    assert!(net.findings.is_empty());
}

// ---- the bugs, end to end ----------------------------------------------------------------

/// Figure 8 of the paper, scripted: node 1 gets entry X of its term onto a majority only in a
/// later term; node 5, whose last entry has a higher term than X, can still win and overwrite.
fn figure_8(commit_old_term: bool) -> Net {
    let mut net = Net::new(5, bugged(false, commit_old_term));
    net.elect(2); // term 1
    net.client(2, 1);
    net.deliver_all();
    net.heartbeat(2);
    net.deliver_all(); // entry 1 committed everywhere

    // (a) Node 1, leader of term 2, replicates X at index 2 to node 2 only.
    net.timeout(1);
    net.deliver_all();
    assert_eq!((net.node(1).role(), net.node(1).term()), (Role::Leader, 2));
    net.client(1, 100);
    net.deliver(|_, to, _| to == 2 || to == 1);
    net.crash(1);
    // (b) Node 5 wins term 3 with votes from 3 and 4, and appends Y at index 2, alone.
    net.timeout(5);
    net.deliver_within(&[3, 4, 5]);
    assert_eq!((net.node(5).role(), net.node(5).term()), (Role::Leader, 3));
    net.client(5, 200);
    net.deliver(|_, _, _| false);
    net.crash(5);
    // (c) Node 1 restarts and wins term 4 (at the second try), then brings X to node 3.
    net.restart(1);
    net.timeout(1);
    net.deliver_all();
    if net.node(1).role() != Role::Leader {
        net.timeout(1);
        net.deliver_all();
    }
    assert_eq!((net.node(1).role(), net.node(1).term()), (Role::Leader, 4));
    assert_eq!(net.node(3).log().get(2), Some(&entry(2, 100)));
    // X is on a majority (1, 2, 3), and node 1 crashes before adding anything of term 4.
    net.crash(1);
    // (d) Node 5 returns, and wins: its last entry (term 3) beats X's term 2.
    net.restart(5);
    for _ in 0..3 {
        if net.node(5).role() != Role::Leader {
            net.timeout(5);
            net.deliver_all();
        }
    }
    assert_eq!(net.node(5).role(), Role::Leader);
    net.client(5, 300);
    net.deliver_all();
    net.heartbeat(5);
    net.deliver_all();
    assert_eq!(
        net.node(2).log().get(2),
        Some(&entry(3, 200)),
        "X overwritten"
    );
    net
}

#[test]
fn figure_8_is_safe_without_the_bug() {
    let net = figure_8(false);
    assert!(net.findings.is_empty(), "{:?}", net.findings);
    assert_eq!(net.node(5).commit_index(), 3);
}

#[test]
fn figure_8_with_commit_old_term_breaks_safety() {
    let net = figure_8(true);
    let found = net.invariants_found();
    assert!(found.contains(&LEADER_COMPLETENESS), "{:?}", net.findings);
    assert!(found.contains(&STATE_MACHINE_SAFETY), "{:?}", net.findings);
}

#[test]
fn vote_ignores_log_elects_a_leader_without_committed_entries() {
    for bug in [false, true] {
        let mut net = Net::new(3, bugged(bug, false));
        net.elect(1);
        net.client(1, 1);
        net.deliver(|_, to, _| to != 3); // node 3 misses entry 1, committed by 1 and 2
        assert_eq!(net.node(1).commit_index(), 1);
        net.timeout(3);
        net.deliver_all();
        assert_eq!(net.node(3).role() == Role::Leader, bug);
        assert_eq!(
            net.invariants_found().contains(&LEADER_COMPLETENESS),
            bug,
            "{:?}",
            net.findings
        );
    }
}

// ---- the checker on hand-made states -----------------------------------------------------

fn cluster(n: usize) -> Vec<RaftNode> {
    (1..=n as NodeId)
        .map(|id| RaftNode::new(id, n, Config::default()))
        .collect()
}

fn set_log(node: &mut RaftNode, log: &[Entry]) {
    node.log.truncate_from(1);
    for e in log {
        node.log.push(*e);
    }
}

fn check(checker: &mut RaftChecker, nodes: &[RaftNode], touched: NodeId) -> Vec<Finding> {
    let mut found = Vec::new();
    checker.check(0, nodes, &vec![true; nodes.len()], touched, &mut found);
    found
}

#[test]
fn checker_finds_two_leaders_in_one_term() {
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    for id in [1, 3] {
        nodes[id - 1].role = Role::Leader;
        nodes[id - 1].term = 3;
    }
    assert!(check(&mut c, &nodes, 1).is_empty());
    let found = check(&mut c, &nodes, 3);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, ELECTION_SAFETY);
    assert_eq!(
        found[0].detail,
        "Node 1 and Node 3 were both leader for term 3"
    );
    // Reported once.
    assert!(check(&mut c, &nodes, 3).is_empty());
}

#[test]
fn checker_finds_a_leader_removing_entries() {
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    nodes[0].role = Role::Leader;
    nodes[0].term = 2;
    set_log(&mut nodes[0], &[entry(1, 1), entry(2, 2), entry(2, 3)]);
    assert!(check(&mut c, &nodes, 1).is_empty());
    nodes[0].log.truncate_from(2);
    let found = check(&mut c, &nodes, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].invariant, LEADER_APPEND_ONLY);
    assert!(
        found[0]
            .detail
            .contains("Node 1, leader for term 2, removed entries from index 2")
    );
}

#[test]
fn checker_finds_logs_that_do_not_match() {
    // Same index and term, different commands.
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    set_log(&mut nodes[0], &[entry(1, 10), entry(1, 11)]);
    set_log(&mut nodes[1], &[entry(1, 10), entry(1, 12)]);
    assert!(check(&mut c, &nodes, 1).is_empty());
    let found = check(&mut c, &nodes, 2);
    assert_eq!(found[0].invariant, LOG_MATCHING);
    assert!(
        found[0]
            .detail
            .contains("Node 2 has command 12 at index 2 in term 1"),
        "{}",
        found[0].detail
    );

    // Same entry at index 2, different histories before it.
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    set_log(&mut nodes[0], &[entry(1, 10), entry(3, 30)]);
    set_log(&mut nodes[2], &[entry(2, 20), entry(3, 30)]);
    assert!(check(&mut c, &nodes, 1).is_empty());
    let found = check(&mut c, &nodes, 3);
    assert_eq!(found[0].invariant, LOG_MATCHING);
    assert!(
        found[0].detail.contains("differ before it"),
        "{}",
        found[0].detail
    );
}

#[test]
fn checker_finds_a_leader_missing_a_committed_entry() {
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    nodes[0].term = 1;
    set_log(&mut nodes[0], &[entry(1, 5)]);
    nodes[0].commit = 1;
    nodes[0].applied = 1;
    assert!(check(&mut c, &nodes, 1).is_empty());
    nodes[1].role = Role::Leader;
    nodes[1].term = 2;
    let found = check(&mut c, &nodes, 2);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, LEADER_COMPLETENESS);
    assert_eq!(
        found[0].detail,
        "Node 2 leads term 2 without the entry at index 1 (term 1, command 5) committed in term 1"
    );

    // And the other way round: an entry committed after the new leader was elected.
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    nodes[1].role = Role::Leader;
    nodes[1].term = 2;
    assert!(check(&mut c, &nodes, 2).is_empty());
    nodes[0].term = 1;
    set_log(&mut nodes[0], &[entry(1, 5)]);
    nodes[0].commit = 1;
    nodes[0].applied = 1;
    let found = check(&mut c, &nodes, 1);
    assert_eq!(found[0].invariant, LEADER_COMPLETENESS);
}

#[test]
fn checker_finds_different_entries_applied_at_one_index() {
    let mut nodes = cluster(3);
    let mut c = RaftChecker::new(3);
    set_log(&mut nodes[0], &[entry(1, 5)]);
    nodes[0].applied = 1;
    set_log(&mut nodes[1], &[entry(2, 6)]);
    nodes[1].applied = 1;
    assert!(check(&mut c, &nodes, 1).is_empty());
    let found = check(&mut c, &nodes, 2);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, STATE_MACHINE_SAFETY);
    assert_eq!(
        found[0].detail,
        "Node 2 applied command 6 (term 2) at index 1, but Node 1 applied command 5 (term 1) there"
    );
}

// ---- the protocol's face -----------------------------------------------------------------

fn setup(params: &[(&str, u64)]) -> Setup {
    let mut s = Setup {
        nodes: 5,
        extra: Vec::new(),
        params: Raft::info()
            .params
            .iter()
            .map(|p| (p.key.to_string(), p.default))
            .collect(),
        bugs: Default::default(),
        tuned: Vec::new(),
    };
    for (k, v) in params {
        s.params.insert(k.to_string(), *v);
    }
    s
}

#[test]
fn info_and_validation() {
    let info = Raft::info();
    assert_eq!(info.name, "raft");
    let names: Vec<_> = info.invariants.iter().map(|i| i.name).collect();
    assert_eq!(
        names,
        [
            "Election Safety",
            "Leader Append-Only",
            "Log Matching",
            "Leader Completeness",
            "State Machine Safety"
        ]
    );
    assert!(info.bugs.iter().any(|b| b.key == "vote_ignores_log"));
    assert!(info.bugs.iter().any(|b| b.key == "commit_old_term"));
    for p in &info.params {
        assert!(p.min <= p.default && p.default <= p.max, "{}", p.key);
    }
    assert!(Raft::validate(&setup(&[])).is_ok());
    assert!(Raft::validate(&setup(&[("election_min", 300_000)])).is_err());
    assert!(Raft::validate(&setup(&[("heartbeat", 100_000)])).is_err());
    let node = Raft::new_node(2, &setup(&[]));
    assert_eq!((node.id(), node.cfg), (2, Config::default()));
}

#[test]
fn election_timeouts_are_drawn_from_the_range() {
    let mut net = Net::new(5, Config::default());
    for id in 1..=5 {
        let t = net.node(id).election_timeout;
        assert!((100_000..=200_000).contains(&t), "{t}");
    }
    net.timeout(1);
    assert!(RaftNode::is_countdown(&Timer::Election) && !RaftNode::is_countdown(&Timer::Heartbeat));
}

#[test]
fn trace_shapes() {
    let msg = Msg::AppendEntries {
        term: 2,
        prev_log_index: 4,
        prev_log_term: 2,
        entries: vec![entry(2, 7), entry(2, 8)],
        leader_commit: 3,
    };
    let json = serde_json::from_str::<serde_json::Value>(&crate::sim::json::to_json(&msg)).unwrap();
    assert_eq!(json["type"], "AppendEntries");
    assert_eq!(json["term"], 2);
    assert_eq!(json["entries"][1]["command"], 8);
    assert_eq!(
        msg.view().detail,
        "term 2, 2 entries after index 4 (term 2), commit 3"
    );
    let role = <dyn crate::sim::erased::AnyNote>::to_json(&RaftNote::Role {
        role: "leader",
        term: 3,
    });
    assert_eq!(role, r#"{"kind":"role","role":"leader","term":3}"#);
    let commit = <dyn crate::sim::erased::AnyNote>::to_json(&RaftNote::Commit {
        index: 5,
        term: 2,
        command: 9,
    });
    assert_eq!(
        commit,
        r#"{"kind":"commit","index":5,"term":2,"command":9}"#
    );
    let reply = Msg::RequestVoteReply {
        term: 3,
        granted: true,
        refusal: None,
    };
    let v = reply.view();
    assert_eq!(
        (v.kind, v.reply, v.success),
        ("RequestVoteReply", true, Some(true))
    );
    assert_eq!(
        RaftNote::Commit {
            index: 1,
            term: 1,
            command: 1
        }
        .marker(),
        Some(crate::sim::Marker::Commit)
    );
}

#[test]
fn view_shows_the_state() {
    let mut net = Net::new(3, Config::default());
    net.elect(1);
    net.client(1, 4);
    net.deliver_all();
    let v = net.node(1).view();
    assert_eq!((v.role, v.epoch), ("leader", 1));
    assert_eq!(v.log.len(), 1);
    assert!(v.log[0].committed && v.log[0].command == "4" && v.log[0].epoch == 1);
    let field = |k: &str| {
        v.fields
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("commitIndex"), "1");
    assert_eq!(field("matchIndex"), "2:1 3:1");
    assert_eq!(field("nextIndex"), "2:2 3:2");
    let v2 = net.node(2).view();
    assert!(
        !v2.log[0].committed,
        "node 2 has not heard of the commit yet"
    );
}
