//! Scripted tests in the style of etcd-io/raft's: replicas are driven by hand through the tiny
//! network of [`crate::protocols::paxos::testnet`], with the checker watching every step.

use crate::protocols::paxos::common::Ballot;
use crate::protocols::paxos::testnet;
use crate::sim::{Checker, Finding, Marker, Message, Node, NodeId, Note, Protocol, Setup};

use super::checker::*;
use super::*;

type Net = testnet::Net<MultiNode, MultiChecker>;

fn net(n: usize, cfg: Config) -> Net {
    let nodes = (1..=n as NodeId)
        .map(|id| MultiNode::new(id, n, cfg))
        .collect();
    Net::new(nodes, MultiChecker::new(n))
}

fn cluster(n: usize) -> Net {
    net(n, Config::default())
}

/// Elects `id` with every message delivered.
fn elect(net: &mut Net, id: NodeId) {
    net.timeout(id);
    net.deliver_all();
    assert_eq!(net.node(id).role(), Role::Leader, "Node {id} should lead");
}

/// Fires the leader's heartbeat and delivers everything that follows.
fn heartbeat(net: &mut Net, leader: NodeId) {
    net.fire(leader, Timer::Heartbeat);
    net.deliver_all();
}

fn b(round: u64, proposer: NodeId) -> Ballot {
    Ballot::new(round, proposer)
}

fn cmd(c: u64) -> Value {
    Value::Command(c)
}

fn applied(net: &Net, id: NodeId) -> Vec<u64> {
    net.node(id).applied_commands().collect()
}

fn is_accept(m: &Msg) -> bool {
    matches!(m, Msg::Accept { .. })
}

// ---- elections ---------------------------------------------------------------------------

#[test]
fn a_single_node_leads_and_commits_alone() {
    let mut net = cluster(1);
    net.timeout(1);
    assert_eq!(net.node(1).role(), Role::Leader);
    net.client(1, 5);
    assert_eq!(net.node(1).learned(), 1);
    let kinds: Vec<&str> = net.notes_of(1).iter().map(|n| n.kind()).collect();
    assert_eq!(
        kinds,
        [
            "role", "role", "promise", "role", "propose", "chosen", "learn"
        ]
    );
    assert!(net.findings.is_empty());
}

#[test]
fn a_candidate_with_a_majority_leads_and_everyone_follows() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    assert_eq!(net.node(1).ballot(), b(1, 1));
    for id in 2..=3 {
        assert_eq!(net.node(id).leader(), Some((1, b(1, 1))));
        assert_eq!(net.node(id).role(), Role::Follower);
    }
    assert!(net.notes_of(1).contains(&&MultiNote::Role {
        role: "leader",
        ballot: b(1, 1)
    }));
}

#[test]
fn dueling_candidates_end_with_the_higher_ballot_leading() {
    let mut net = cluster(3);
    net.timeout(1);
    net.timeout(2);
    net.deliver_all();
    let leaders: Vec<NodeId> = (1..=3)
        .filter(|&id| net.node(id).role() == Role::Leader)
        .collect();
    assert_eq!(leaders, [2]);
    assert_eq!(net.node(1).role(), Role::Follower);
}

#[test]
fn a_stale_leader_is_refused_and_steps_down() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.timeout(2);
    net.deliver(|from, to, _| from != 1 && to != 1); // Node 1 misses the election
    assert_eq!(net.node(2).role(), Role::Leader);
    net.fire(1, Timer::Heartbeat);
    net.deliver_holding(|from, _, _| from == 1);
    let nack = net
        .pending
        .iter()
        .find(|(_, to, m)| *to == 1 && matches!(m, Msg::Nack { .. }));
    let nack = nack.expect("a Nack for the old ballot").2.view();
    assert_eq!(nack.detail, "ballot 1.1 refused: promised ballot 2.2");
    net.deliver_all();
    assert_eq!(net.node(1).role(), Role::Follower);
}

// ---- replication -------------------------------------------------------------------------

#[test]
fn commands_are_chosen_then_applied_in_slot_order_everywhere() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.client(1, 10);
    net.client(1, 11);
    net.deliver_all();
    assert_eq!(net.node(1).learned(), 2);
    assert_eq!(
        net.node(2).learned(),
        0,
        "the followers wait for the prefix"
    );
    heartbeat(&mut net, 1);
    for id in 1..=3 {
        assert_eq!(applied(&net, id), [10, 11], "Node {id}");
    }
    let learns = |id| {
        (net.notes_of(id).iter())
            .filter(|n| n.kind() == "learn")
            .count()
    };
    assert_eq!((learns(1), learns(2), learns(3)), (2, 2, 2));
    assert!(net.findings.is_empty());
}

#[test]
fn a_new_leader_re_proposes_what_promises_report_and_fills_gaps_with_no_ops() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.client(1, 10);
    net.deliver_all();
    heartbeat(&mut net, 1);
    net.client(1, 11); // slot 2: accepted by Node 1 alone
    net.pending.clear();
    net.client(1, 12); // slot 3: accepted by Nodes 1 and 2, not yet chosen
    net.deliver(|_, to, m| is_accept(m) && to == 2);
    net.crash(1);
    net.timeout(3);
    net.deliver_all();
    assert_eq!(net.node(3).role(), Role::Leader);
    let proposed: Vec<(u64, Value)> = (net.notes_of(3).iter())
        .filter_map(|n| match n {
            MultiNote::Propose { slot, value, .. } => Some((*slot, *value)),
            _ => None,
        })
        .collect();
    assert_eq!(proposed, [(2, Value::Noop), (3, cmd(12))]);
    heartbeat(&mut net, 3);
    assert_eq!(applied(&net, 2), [10, 12]);
    assert_eq!(net.node(2).chosen(2), Some(Value::Noop));
    assert!(net.findings.is_empty());
}

#[test]
fn a_lagging_candidate_learns_the_chosen_prefix_from_promises_and_re_proposes_the_rest() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    for c in [10, 11, 12] {
        net.client(1, c);
    }
    net.deliver_all();
    heartbeat(&mut net, 1); // slots 1–3 chosen and learned everywhere
    net.client(1, 13); // slot 4: accepted by Nodes 1 and 3, not known chosen by Node 3
    net.deliver(|_, to, m| is_accept(m) && to == 3);
    net.crash(2);
    net.restart(2); // Node 2 forgot what it learned
    net.crash(1);
    net.timeout(2);
    net.deliver_all();
    assert_eq!(net.node(2).role(), Role::Leader);
    let proposed: Vec<(u64, Value)> = (net.notes_of(2).iter())
        .filter_map(|n| match n {
            MultiNote::Propose { slot, value, .. } => Some((*slot, *value)),
            _ => None,
        })
        .collect();
    assert_eq!(
        proposed,
        [(4, cmd(13))],
        "slots 1–3 came chosen in Node 3's promise"
    );
    assert_eq!(applied(&net, 2), [10, 11, 12, 13]);
    assert!(net.findings.is_empty());
}

#[test]
fn heartbeats_resend_proposals_left_unanswered_for_an_interval() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.client(1, 7);
    net.pending.clear();
    net.fire(1, Timer::Heartbeat);
    assert!(
        !net.pending.iter().any(|(_, _, m)| is_accept(m)),
        "too early"
    );
    net.now += Config::default().heartbeat;
    net.fire(1, Timer::Heartbeat);
    let resent: Vec<NodeId> = (net.pending.iter())
        .filter(|(_, _, m)| is_accept(m))
        .map(|(_, to, _)| *to)
        .collect();
    assert_eq!(resent, [2, 3]);
    net.deliver_all();
    assert_eq!(net.node(1).learned(), 1);
}

/// Five replicas: Node 1 leads ballot 1.1 and gets command 10 into slot 1 on Node 5 only;
/// Node 2 is elected by Nodes 2–4 (ballot 2.2), never hears of it, and puts command 20 there.
fn deposed_value(cfg: Config) -> Net {
    let mut net = net(5, cfg);
    elect(&mut net, 1);
    net.client(1, 10);
    net.deliver(|_, to, m| is_accept(m) && to == 5);
    net.crash(1);
    net.timeout(2);
    net.deliver(|_, to, _| to != 5);
    assert_eq!(net.node(2).role(), Role::Leader);
    net.client(2, 20);
    net.deliver(|_, to, _| to != 5);
    assert_eq!(
        net.node(5).acceptor().get(1).map(|v| v.value),
        Some(cmd(10))
    );
    net
}

#[test]
fn a_follower_learns_only_what_it_accepted_in_the_leaders_ballot_and_catches_up() {
    let mut net = deposed_value(Config::default());
    net.fire(2, Timer::Heartbeat);
    net.deliver_holding(|from, _, m| from == 2 && matches!(m, Msg::Heartbeat { .. }));
    assert_eq!(net.node(5).learned(), 0, "its slot 1 is from ballot 1.1");
    assert!(
        net.pending
            .iter()
            .any(|(from, to, m)| (*from, *to) == (5, 2)
                && *m
                    == Msg::CatchUp {
                        ballot: b(2, 2),
                        learned: 0
                    })
    );
    net.deliver_all();
    assert_eq!(applied(&net, 5), [20]);
    assert!(net.findings.is_empty());
}

#[test]
fn a_promise_reports_what_its_node_learned_not_a_stale_acceptance() {
    let mut net = deposed_value(Config::default());
    let among = |group: [NodeId; 3]| {
        move |f: NodeId, t: NodeId, _: &Msg| group.contains(&f) && group.contains(&t)
    };
    net.fire(2, Timer::Heartbeat);
    net.deliver(|_, to, _| to != 5); // Nodes 2–4 learn that 20 is chosen in slot 1
    // Node 5 leads after learning slot 1 from the promises; its own acceptance stays stale.
    net.timeout(5);
    net.deliver(among([3, 4, 5]));
    assert_eq!(net.node(5).role(), Role::Leader);
    assert_eq!(net.node(5).chosen(1), Some(cmd(20)));
    assert_eq!(
        net.node(5).acceptor().get(1).map(|v| v.value),
        Some(cmd(10))
    );
    // Node 1 comes back and campaigns with Node 5 (and an amnesiac Node 4) in its majority.
    net.restart(1);
    net.crash(4);
    net.restart(4);
    for _ in 0..2 {
        net.timeout(1); // the first ballot (2.1) is below Node 5's and refused
        net.deliver(among([1, 4, 5]));
    }
    assert_eq!(net.node(1).role(), Role::Leader);
    assert_eq!(net.node(1).chosen(1), Some(cmd(20)));
    assert!(net.findings.is_empty(), "{:?}", net.findings);
}

#[test]
fn mixed_ballot_learner_learns_a_deposed_leaders_value() {
    let mut net = deposed_value(Config {
        mixed_ballot_learner: true,
        ..Config::default()
    });
    heartbeat(&mut net, 2);
    assert_eq!(net.invariants_found()[0], LEARNED_IS_CHOSEN);
    assert_eq!(
        net.findings[0].detail,
        "Node 5 learned 10 in slot 1, but 20 is chosen there (ballot 2.2)"
    );
}

#[test]
fn ignore_accepted_overwrites_a_chosen_slot() {
    let mut net = net(
        3,
        Config {
            ignore_accepted: true,
            ..Config::default()
        },
    );
    elect(&mut net, 1);
    net.client(1, 12);
    net.deliver(|_, to, m| !is_accept(m) || to == 2); // chosen by Nodes 1 and 2
    assert_eq!(net.node(1).learned(), 1);
    net.crash(1);
    net.timeout(3);
    net.deliver_all();
    assert_eq!(net.invariants_found()[0], SINGLE_CHOICE);
    assert_eq!(
        net.findings[0].detail,
        "slot 1: 12 was chosen in ballot 1.1, and no-op in ballot 2.3 (Node 2 completed the majority)"
    );
}

#[test]
fn forget_promise_lets_a_deposed_leader_through() {
    let mut net = net(
        3,
        Config {
            forget_promise: true,
            ..Config::default()
        },
    );
    elect(&mut net, 1);
    net.timeout(3);
    net.deliver(|from, to, _| from != 1 && to != 1); // Node 2 promises 2.3
    net.crash(2);
    net.restart(2);
    net.client(1, 9); // Node 1 still leads 1.1 in its own eyes
    net.deliver(|_, to, m| is_accept(m) && to == 2);
    assert_eq!(net.invariants_found(), [PROMISE_RESPECTED]);
    assert_eq!(
        net.findings[0].detail,
        "Node 2 accepted 9 in slot 1, ballot 1.1, after promising ballot 2.3"
    );
}

// ---- clients, crashes ----------------------------------------------------------------------

#[test]
fn followers_redirect_and_leaderless_nodes_reject() {
    let mut net = cluster(3);
    net.client(2, 5);
    elect(&mut net, 1);
    net.client(2, 6);
    assert!(
        net.pending
            .contains(&(2, 1, Msg::ClientRequest { command: 6 }))
    );
    net.deliver_all();
    net.send(2, 3, Msg::ClientRequest { command: 7 });
    let reasons: Vec<&str> = (net.notes.iter())
        .filter_map(|(_, n)| match n {
            MultiNote::Reject { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "no leader known",
            "forwarded to a node that no longer leads"
        ]
    );
    assert!(net.notes_of(2).contains(&&MultiNote::Redirect {
        command: 6,
        leader: 1
    }));
    assert_eq!(net.node(1).learned(), 1);
}

#[test]
fn acceptors_keep_their_state_across_a_crash_and_learn_notes_are_not_repeated() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.client(1, 10);
    net.deliver_all();
    heartbeat(&mut net, 1);
    let before = net.node(2).acceptor().clone();
    net.crash(2);
    net.restart(2);
    assert_eq!(net.node(2).acceptor(), &before);
    assert_eq!(net.node(2).learned(), 0);
    heartbeat(&mut net, 1);
    assert_eq!(applied(&net, 2), [10]);
    let learns = (net.notes_of(2).iter())
        .filter(|n| n.kind() == "learn")
        .count();
    assert_eq!(learns, 1);
    assert!(net.findings.is_empty());
}

// ---- the checker on hand-made states -----------------------------------------------------

fn replicas(n: usize) -> Vec<MultiNode> {
    (1..=n as NodeId)
        .map(|id| MultiNode::new(id, n, Config::default()))
        .collect()
}

fn accept(node: &mut MultiNode, slot: u64, ballot: Ballot, value: Value) {
    node.acceptor.promised = node.acceptor.promised.max(ballot);
    node.acceptor.set(slot, Vote { ballot, value });
    node.journal.accepted = vec![slot];
}

fn check(c: &mut MultiChecker, nodes: &[MultiNode], touched: NodeId) -> Vec<Finding> {
    let mut found = Vec::new();
    c.check(0, nodes, &vec![true; nodes.len()], touched, &mut found);
    found
}

#[test]
fn checker_finds_two_values_chosen_in_a_slot() {
    let mut nodes = replicas(3);
    let mut c = MultiChecker::new(3);
    for (id, ballot, value) in [
        (1, b(1, 1), cmd(4)),
        (2, b(1, 1), cmd(4)),
        (2, b(2, 3), Value::Noop),
    ] {
        accept(&mut nodes[id - 1], 2, ballot, value);
        assert!(check(&mut c, &nodes, id as NodeId).is_empty());
    }
    assert_eq!(c.chosen(2), Some((b(1, 1), cmd(4))));
    accept(&mut nodes[2], 2, b(2, 3), Value::Noop);
    let found = check(&mut c, &nodes, 3);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, SINGLE_CHOICE);
    assert_eq!(
        found[0].detail,
        "slot 2: 4 was chosen in ballot 1.1, and no-op in ballot 2.3 (Node 3 completed the majority)"
    );
}

#[test]
fn checker_finds_a_learned_value_that_is_not_chosen() {
    let mut nodes = replicas(3);
    let mut c = MultiChecker::new(3);
    nodes[0].chosen = [Some(cmd(3))].into_iter().collect();
    nodes[0].journal.learned = vec![1];
    let found = check(&mut c, &nodes, 1);
    assert_eq!(found[0].invariant, LEARNED_IS_CHOSEN);
    assert_eq!(
        found[0].detail,
        "Node 1 learned 3 in slot 1, where nothing is chosen yet"
    );
}

#[test]
fn checker_finds_an_acceptance_below_a_forgotten_promise() {
    let mut nodes = replicas(3);
    let mut c = MultiChecker::new(3);
    nodes[2].acceptor.promised = b(4, 1);
    assert!(check(&mut c, &nodes, 3).is_empty());
    nodes[2].acceptor = Acceptor::default();
    accept(&mut nodes[2], 1, b(3, 2), cmd(8));
    let found = check(&mut c, &nodes, 3);
    assert_eq!(found[0].invariant, PROMISE_RESPECTED);
    assert_eq!(
        found[0].detail,
        "Node 3 accepted 8 in slot 1, ballot 3.2, after promising ballot 4.1"
    );
}

#[test]
fn checker_finds_different_values_applied_at_one_slot() {
    let mut nodes = replicas(3);
    let mut c = MultiChecker::new(3);
    for (id, v) in [(1, 5), (2, 6)] {
        nodes[id - 1].chosen = [Some(cmd(v))].into_iter().collect();
        nodes[id - 1].learned = 1;
    }
    assert!(check(&mut c, &nodes, 1).is_empty());
    let found = check(&mut c, &nodes, 2);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, APPLIED_LOGS_AGREE);
    assert_eq!(
        found[0].detail,
        "Node 2 applied 6 at slot 1, but Node 1 applied 5 there"
    );
}

// ---- the protocol's face -----------------------------------------------------------------

fn setup(params: &[(&str, u64)]) -> Setup {
    let mut s = Setup {
        nodes: 5,
        extra: Vec::new(),
        params: (MultiPaxos::info().params.iter())
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
    let info = MultiPaxos::info();
    assert_eq!((info.name, info.title), ("multipaxos", "Multi-Paxos"));
    let names: Vec<_> = info.invariants.iter().map(|i| i.name).collect();
    assert_eq!(
        names,
        [
            SINGLE_CHOICE,
            LEARNED_IS_CHOSEN,
            PROMISE_RESPECTED,
            APPLIED_LOGS_AGREE
        ]
    );
    assert_eq!(info.bugs.len(), 3);
    for p in &info.params {
        assert!(p.min <= p.default && p.default <= p.max, "{}", p.key);
    }
    assert!(MultiPaxos::validate(&setup(&[])).is_ok());
    assert!(MultiPaxos::validate(&setup(&[("election_min", 300_000)])).is_err());
    assert!(MultiPaxos::validate(&setup(&[("heartbeat", 100_000)])).is_err());
    assert_eq!(MultiPaxos::new_node(2, &setup(&[])).cfg, Config::default());
}

#[test]
fn trace_shapes() {
    let accept = Msg::Accept {
        ballot: b(2, 1),
        slot: 3,
        value: Value::Noop,
        commit: 2,
    };
    assert_eq!(
        crate::sim::json::to_json(&accept),
        r#"{"type":"Accept","ballot":{"round":2,"proposer":1},"slot":3,"value":"noop","commit":2}"#
    );
    assert_eq!(
        accept.view().detail,
        "ballot 2.1, slot 3: no-op; chosen up to 2"
    );
    let learn = MultiNote::Learn {
        slot: 4,
        value: cmd(9),
    };
    assert_eq!(
        <dyn crate::sim::erased::AnyNote>::to_json(&learn),
        r#"{"kind":"learn","slot":4,"value":9}"#
    );
    let leader = MultiNote::Role {
        role: "leader",
        ballot: b(3, 2),
    };
    assert_eq!(leader.marker(), Some(Marker::Leader));
    assert_eq!(
        leader.headline(2).as_deref(),
        Some("Node 2 became leader with ballot 3.2")
    );
    let nack = Msg::Nack {
        ballot: b(1, 1),
        promised: b(2, 2),
    }
    .view();
    assert_eq!(
        (nack.kind, nack.reply, nack.success),
        ("Nack", true, Some(false))
    );
}

#[test]
fn view_and_summary_show_the_state() {
    let mut net = cluster(3);
    elect(&mut net, 1);
    net.client(1, 4);
    net.deliver_all();
    net.client(1, 5);
    net.pending.clear();
    let v = net.node(1).view();
    assert_eq!((v.role, v.epoch), ("leader", 1));
    assert_eq!(v.log.len(), 2);
    assert!(v.log[0].committed && v.log[0].command == "4" && !v.log[1].committed);
    let field = |k: &str| {
        (v.fields.iter())
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("next slot").as_deref(), Some("3"));
    assert_eq!(
        field("waiting for a majority").as_deref(),
        Some("2 (5, 1 of 2)")
    );
    let summary = MultiPaxos::summary(&net.nodes, &net.up);
    assert_eq!(summary[0].1, "Node 1 (ballot 1.1)");
    assert_eq!(summary[1].1, "up to slot 1: Node 1 · nothing: Nodes 2, 3");
    assert!(
        MultiNode::is_countdown(&Timer::Election) && !MultiNode::is_countdown(&Timer::Heartbeat)
    );
}
