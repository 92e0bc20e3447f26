//! Scripted tests in the style of etcd-io/raft's: nodes are driven by hand through a tiny
//! network ([`super::testnet`]) that delivers only what a test lets through, with the checker
//! watching every step.

use crate::sim::{Checker, Finding, Marker, Message, Node, NodeId, Note, Protocol, Setup};

use super::checker::*;
use super::*;

/// The hand-driven cluster of [`super::testnet`], with Paxos nodes.
type Net = super::testnet::Net<PaxosNode, PaxosChecker>;

/// A cluster of `n` nodes configured by `cfg`, started.
fn net(n: usize, cfg: Config) -> Net {
    let nodes = (1..=n as NodeId)
        .map(|id| PaxosNode::new(id, n, cfg))
        .collect();
    Net::new(nodes, PaxosChecker::new(n, cfg.acceptors))
}

/// A cluster whose proposers wait for clients.
fn quiet(n: usize) -> Net {
    net(n, manual())
}

/// What node `id` learned.
fn learned(net: &Net, id: NodeId) -> Option<u64> {
    net.node(id).learned().map(|v| v.value)
}

fn manual() -> Config {
    Config {
        auto_propose: false,
        ..Config::default()
    }
}

fn b(round: u64, proposer: NodeId) -> Ballot {
    Ballot::new(round, proposer)
}

fn is_prepare(m: &Msg) -> bool {
    matches!(m, Msg::Prepare { .. })
}

// ---- the basic protocol ------------------------------------------------------------------

#[test]
fn nothing_happens_without_a_client_when_auto_propose_is_off() {
    let net = quiet(5);
    assert!(net.pending.is_empty() && net.notes.is_empty() && net.timers.is_empty());
}

#[test]
fn a_single_node_chooses_and_learns_alone() {
    let mut net = quiet(1);
    net.client(1, 7);
    assert_eq!(learned(&net, 1), Some(7));
    assert_eq!(net.node(1).proposer().phase, Phase::Done);
    assert!(net.findings.is_empty());
}

#[test]
fn one_round_chooses_the_client_value_and_every_learner_learns_it() {
    let mut net = quiet(5);
    net.client(1, 7);
    assert_eq!(net.node(1).proposer().ballot, b(1, 1));
    net.deliver_all();
    for id in 1..=5 {
        assert_eq!(learned(&net, id), Some(7), "Node {id}");
        assert_eq!(net.node(id).acceptor().accepted().map(|v| v.value), Some(7));
    }
    let kinds: Vec<&str> = net.notes_of(1).iter().map(|n| n.kind()).collect();
    assert_eq!(kinds[..3], ["prepare", "promise", "propose"]);
    assert!(kinds.contains(&"chosen") && kinds.contains(&"learn"));
    assert_eq!(net.checker.chosen(), Some((b(1, 1), 7)));
    assert!(net.findings.is_empty());
}

#[test]
fn the_value_is_forced_by_the_highest_accepted_proposal_among_the_promises() {
    let mut net = quiet(5);
    // Node 1's proposal 7 is accepted by Node 3 only.
    net.client(1, 7);
    net.deliver(|_, to, m| !matches!(m, Msg::Accept { .. }) || to == 3);
    assert_eq!(net.node(3).acceptor().accepted().map(|v| v.value), Some(7));
    assert_eq!(learned(&net, 3), None);
    // Node 2 proposes 9 and hears from 2, 3 and 4: Node 3's acceptance forces 7.
    net.client(2, 9);
    net.deliver(|_, to, m| !is_prepare(m) || [2, 3, 4].contains(&to));
    let forced = net.notes_of(2).into_iter().find_map(|n| match n {
        PaxosNote::Propose {
            value, forced_by, ..
        } => Some((*value, *forced_by)),
        _ => None,
    });
    assert_eq!(forced, Some((7, Some(3))));
    assert!((1..=5).all(|id| learned(&net, id) == Some(7)));
    assert!(net.findings.is_empty());
    let accept = Msg::Accept {
        ballot: b(2, 2),
        value: 7,
        forced_by: Some(3),
    };
    assert_eq!(
        accept.view().detail,
        "ballot 2.2, value 7 (forced by promise from Node 3)"
    );
}

#[test]
fn a_nack_carries_the_higher_promise_and_the_proposer_backs_off_then_outbids_it() {
    let mut net = quiet(3);
    net.client(3, 5); // ballot 1.3 promised by Nodes 2 and 3; Node 1 never hears of it
    net.deliver(|_, to, m| is_prepare(m) && to != 1);
    net.pending.clear();
    net.client(1, 6); // ballot 1.1 < 1.3
    net.timers.clear();
    net.deliver(|_, _, m| is_prepare(m) || matches!(m, Msg::Nack { .. }));
    let p = net.node(1).proposer();
    assert_eq!(p.phase, Phase::Waiting);
    assert_eq!(net.node(1).max_round(), 1);
    assert!(net.notes_of(1).iter().any(|n| matches!(
        n,
        PaxosNote::Nack { ballot, promised } if *ballot == b(1, 1) && *promised == b(1, 3)
    )));
    // The backoff is drawn from the configured range.
    let backoff = net
        .timers
        .iter()
        .find(|(id, t, _)| *id == 1 && *t == Timer::Retry);
    let cfg = Config::default();
    assert!(backoff.is_some_and(|(_, _, d)| (cfg.backoff_min..=cfg.backoff_max).contains(d)));
    net.fire(1, Timer::Retry);
    assert_eq!(net.node(1).proposer().ballot, b(2, 1));
    net.deliver_all();
    assert!((1..=3).all(|id| learned(&net, id) == Some(6)));
}

#[test]
fn dueling_proposers_pre_empt_each_other_until_one_waits() {
    let mut net = quiet(3);
    let prepares_only =
        |_: NodeId, _: NodeId, m: &Msg| is_prepare(m) || matches!(m, Msg::Promise { .. });
    net.client(1, 10);
    net.deliver_holding(prepares_only); // 1.1 promised; its Accepts wait
    net.client(2, 20);
    net.deliver_holding(prepares_only); // 2.2 promised: 1.1's Accepts will be refused
    net.deliver_holding(|_, _, m| {
        matches!(m, Msg::Accept { ballot, .. } if *ballot == b(1, 1))
            || matches!(m, Msg::Nack { .. })
    });
    assert_eq!(net.node(1).proposer().phase, Phase::Waiting);
    net.fire(1, Timer::Retry); // 3.1 pre-empts 2.2 in turn
    net.deliver_holding(prepares_only);
    net.deliver_holding(|_, _, m| {
        matches!(m, Msg::Accept { ballot, .. } if *ballot == b(2, 2))
            || matches!(m, Msg::Nack { .. })
    });
    assert_eq!(net.node(2).proposer().phase, Phase::Waiting);
    let nacks = |id| {
        (net.notes_of(id).iter())
            .filter(|n| n.kind() == "nack")
            .count()
    };
    assert_eq!((nacks(1), nacks(2)), (1, 1));
    // Node 2 waits longer this time: Node 1 finishes, and Node 2's value is never chosen.
    net.deliver_all();
    assert!((1..=3).all(|id| learned(&net, id) == Some(10)));
    assert_eq!(
        net.node(2).proposer().phase,
        Phase::Done,
        "it learned instead"
    );
    assert!(net.findings.is_empty());
}

#[test]
fn a_timed_out_round_restarts_with_a_higher_ballot() {
    let mut net = quiet(3);
    net.client(1, 4);
    net.pending.clear(); // every Prepare lost
    net.fire(1, Timer::Retry);
    assert_eq!(net.node(1).proposer().ballot, b(2, 1));
    assert_eq!(net.node(1).proposer().attempts, 1);
    net.timeout(1);
    assert_eq!(net.node(1).proposer().ballot, b(3, 1));
    net.deliver_all();
    assert_eq!(learned(&net, 2), Some(4));
}

#[test]
fn busy_proposers_and_non_proposers_refuse_client_requests() {
    let mut net = net(
        5,
        Config {
            proposers: 2,
            acceptors: 3,
            ..manual()
        },
    );
    let roles: Vec<Roles> = (1..=5).map(|id| net.node(id).roles()).collect();
    assert!(roles[0].proposer && !roles[0].acceptor && roles[0].learner);
    assert!(!roles[2].proposer && roles[2].acceptor && roles[2].learner);
    assert_eq!(net.node(1).acceptor_set().to_string(), "3, 4, 5");
    net.client(4, 1);
    net.client(1, 2);
    net.client(1, 3);
    let reasons: Vec<&str> = (net.notes.iter())
        .filter_map(|(_, n)| match n {
            PaxosNote::Reject { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        ["not a proposer", "already proposing its own value"]
    );
    // Only acceptors get Prepare; Accepted goes to the proposer and every learner.
    assert!(net.pending.iter().all(|(_, to, _)| *to >= 3));
    net.deliver_all();
    assert!((1..=5).all(|id| learned(&net, id) == Some(2)));
    assert_eq!(net.node(1).role_name(), "learner");
    assert_eq!(net.node(3).role_name(), "acceptor");
}

#[test]
fn auto_propose_starts_each_proposer_after_a_random_delay() {
    let net = net(3, Config::default());
    for id in 1..=3 {
        let p = net.node(id).proposer();
        assert_eq!((p.phase, p.own), (Phase::Waiting, Some(100 * id as u64)));
        let delay = net
            .timers
            .iter()
            .find(|(n, t, _)| *n == id && *t == Timer::Retry);
        assert!(delay.is_some_and(|(_, _, d)| *d <= Config::default().backoff_max));
    }
    assert_eq!(net.node(1).role_name(), "proposer");
}

// ---- crashes and restarts ----------------------------------------------------------------

#[test]
fn acceptors_keep_their_promise_and_value_across_a_crash_learners_forget() {
    let mut net = quiet(3);
    net.client(1, 7);
    net.deliver_all();
    let before = net.node(2).acceptor().clone();
    net.crash(2);
    net.restart(2);
    assert_eq!(net.node(2).acceptor(), &before);
    assert_eq!(learned(&net, 2), None);
    // A restarted learner runs a read round once it has heard nothing for a while.
    let learn = (net.timers.iter()).rfind(|(id, t, _)| *id == 2 && *t == Timer::Learn);
    assert!(learn.is_some(), "the learner armed its timer");
    net.now += 2 * Config::default().learn_timeout;
    let before = net.notes.len();
    net.fire(2, Timer::Learn);
    assert!(matches!(
        net.notes[before],
        (2, PaxosNote::Prepare { value: None, .. })
    ));
    net.deliver_all();
    assert_eq!(learned(&net, 2), Some(7));
    assert!(net.findings.is_empty());
}

#[test]
fn a_read_round_that_finds_nothing_stops() {
    let mut net = quiet(3);
    net.crash(3);
    net.restart(3);
    net.now += 2 * Config::default().learn_timeout;
    net.fire(3, Timer::Learn);
    net.deliver_all();
    assert_eq!(net.node(3).proposer().phase, Phase::Idle);
    assert!(net.notes.iter().all(|(_, n)| n.kind() != "propose"));
}

#[test]
fn a_restarted_proposer_never_reuses_a_ballot() {
    let mut net = quiet(3);
    net.client(1, 7);
    net.pending.clear();
    net.crash(1);
    net.restart(1);
    net.client(1, 8);
    assert_eq!(net.node(1).proposer().ballot, b(2, 1));
}

// ---- the bugs ----------------------------------------------------------------------------

#[test]
fn ignore_accepted_overwrites_a_chosen_value() {
    let mut net = net(
        3,
        Config {
            ignore_accepted: true,
            ..manual()
        },
    );
    net.client(1, 7);
    net.deliver_all();
    net.client(2, 9);
    net.deliver_all();
    assert_eq!(net.invariants_found(), [SINGLE_CHOICE]);
    assert!(
        net.findings[0]
            .detail
            .contains("value 7 was chosen in ballot 1.1")
    );
}

#[test]
fn forget_promise_lets_a_stale_proposer_through() {
    let mut net = net(
        3,
        Config {
            forget_promise: true,
            ..manual()
        },
    );
    net.client(1, 7); // ballot 1.1 promised by all
    net.deliver(|_, _, m| is_prepare(m) || matches!(m, Msg::Promise { .. }));
    net.pending.clear();
    net.client(2, 9); // ballot 2.2 promised by all; its Accepts are lost
    net.deliver(|_, _, m| is_prepare(m) || matches!(m, Msg::Promise { .. }));
    net.pending.clear();
    net.crash(3);
    net.restart(3);
    // Node 1's stale phase 2 for ballot 1.1 reaches the amnesiac Node 3.
    let stale = Msg::Accept {
        ballot: b(1, 1),
        value: 7,
        forced_by: None,
    };
    net.send(1, 3, stale);
    assert_eq!(net.invariants_found(), [PROMISE_RESPECTED]);
    assert_eq!(
        net.findings[0].detail,
        "Node 3 accepted value 7 in ballot 1.1 after promising ballot 2.2"
    );
}

#[test]
fn mixed_ballot_learner_learns_a_value_no_ballot_chose() {
    let mut net = net(
        3,
        Config {
            mixed_ballot_learner: true,
            ..manual()
        },
    );
    // 7 is accepted by Node 1 in ballot 1.1 only.
    net.client(1, 7);
    net.deliver(|_, to, m| !matches!(m, Msg::Accept { .. }) || to == 1);
    net.pending.clear();
    // Node 2's round is forced to 7 and accepted by Node 2 only, in ballot 2.2.
    net.client(2, 9);
    net.deliver(|_, to, m| match m {
        Msg::Prepare { .. } => to != 3,
        Msg::Accept { .. } => to == 2,
        _ => true,
    });
    assert_eq!(net.invariants_found(), [LEARNED_IS_CHOSEN]);
    assert!(
        net.findings[0]
            .detail
            .contains("but no value is chosen yet")
    );
}

// ---- the checker on hand-made states -----------------------------------------------------

fn cluster(n: usize) -> Vec<PaxosNode> {
    (1..=n as NodeId)
        .map(|id| PaxosNode::new(id, n, manual()))
        .collect()
}

fn accept(node: &mut PaxosNode, ballot: Ballot, value: u64) {
    node.acceptor.promised = node.acceptor.promised.max(ballot);
    node.acceptor.history.push(Vote { ballot, value });
}

fn check(c: &mut PaxosChecker, nodes: &[PaxosNode], touched: NodeId) -> Vec<Finding> {
    let mut found = Vec::new();
    c.check(0, nodes, &vec![true; nodes.len()], touched, &mut found);
    found
}

#[test]
fn checker_finds_two_chosen_values() {
    let mut nodes = cluster(3);
    let mut c = PaxosChecker::new(3, 0);
    for (id, ballot, value) in [(1, b(1, 1), 7), (2, b(1, 1), 7), (2, b(2, 3), 9)] {
        accept(&mut nodes[id - 1], ballot, value);
        assert!(check(&mut c, &nodes, id as NodeId).is_empty());
    }
    accept(&mut nodes[2], b(2, 3), 9);
    let found = check(&mut c, &nodes, 3);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].invariant, SINGLE_CHOICE);
    assert_eq!(
        found[0].detail,
        "value 7 was chosen in ballot 1.1, and value 9 in ballot 2.3 (Node 3 completed the majority)"
    );
}

#[test]
fn checker_finds_a_learner_with_an_unchosen_or_wrong_value() {
    let mut nodes = cluster(3);
    let mut c = PaxosChecker::new(3, 0);
    nodes[0].learner.learned = Some(Vote {
        ballot: b(1, 1),
        value: 7,
    });
    let found = check(&mut c, &nodes, 1);
    assert_eq!(found[0].invariant, LEARNED_IS_CHOSEN);
    assert_eq!(
        found[0].detail,
        "Node 1 learned value 7 (ballot 1.1), but no value is chosen yet"
    );

    let mut nodes = cluster(3);
    let mut c = PaxosChecker::new(3, 0);
    for id in [1, 2] {
        accept(&mut nodes[id - 1], b(1, 1), 7);
        check(&mut c, &nodes, id as NodeId);
    }
    nodes[2].learner.learned = Some(Vote {
        ballot: b(1, 1),
        value: 8,
    });
    let found = check(&mut c, &nodes, 3);
    assert_eq!(
        found[0].detail,
        "Node 3 learned value 8, but value 7 is chosen (ballot 1.1)"
    );
}

#[test]
fn checker_finds_an_acceptance_below_a_promise_even_after_amnesia() {
    let mut nodes = cluster(3);
    let mut c = PaxosChecker::new(3, 0);
    nodes[1].acceptor.promised = b(3, 1);
    assert!(check(&mut c, &nodes, 2).is_empty());
    nodes[1].acceptor = Acceptor::default(); // a crash that lost the disk
    assert!(check(&mut c, &nodes, 2).is_empty());
    accept(&mut nodes[1], b(2, 2), 5);
    let found = check(&mut c, &nodes, 2);
    assert_eq!(found[0].invariant, PROMISE_RESPECTED);
    assert_eq!(
        found[0].detail,
        "Node 2 accepted value 5 in ballot 2.2 after promising ballot 3.1"
    );
    // Reported once.
    accept(&mut nodes[1], b(2, 3), 5);
    assert!(check(&mut c, &nodes, 2).is_empty());
}

// ---- the protocol's face -----------------------------------------------------------------

fn setup(nodes: usize, params: &[(&str, u64)]) -> Setup {
    let mut s = Setup {
        nodes,
        extra: Vec::new(),
        params: (Paxos::info().params.iter())
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
    let info = Paxos::info();
    assert_eq!((info.name, info.title), ("paxos", "Paxos"));
    let names: Vec<_> = info.invariants.iter().map(|i| i.name).collect();
    assert_eq!(names, [SINGLE_CHOICE, LEARNED_IS_CHOSEN, PROMISE_RESPECTED]);
    let bugs: Vec<_> = info.bugs.iter().map(|b| b.key).collect();
    assert_eq!(
        bugs,
        ["forget_promise", "ignore_accepted", "mixed_ballot_learner"]
    );
    for p in &info.params {
        assert!(p.min <= p.default && p.default <= p.max, "{}", p.key);
    }
    assert!(Paxos::validate(&setup(5, &[("proposers", 2), ("acceptors", 3)])).is_ok());
    assert!(Paxos::validate(&setup(3, &[("acceptors", 4)])).is_err());
    assert!(Paxos::validate(&setup(5, &[("backoff_min", 200_000)])).is_err());
    let node = Paxos::new_node(2, &setup(5, &[("auto_propose", 0)]));
    assert_eq!(node.cfg, manual());
}

#[test]
fn trace_shapes() {
    let promise = Msg::Promise {
        ballot: b(2, 1),
        accepted: Some(Vote {
            ballot: b(1, 3),
            value: 7,
        }),
    };
    let json =
        serde_json::from_str::<serde_json::Value>(&crate::sim::json::to_json(&promise)).unwrap();
    assert_eq!(json["type"], "Promise");
    assert_eq!(json["ballot"]["round"], 2);
    assert_eq!(json["accepted"]["value"], 7);
    let v = promise.view();
    assert_eq!((v.kind, v.reply, v.success), ("Promise", true, Some(true)));
    assert_eq!(
        v.detail,
        "promise for ballot 2.1; accepted value 7 in ballot 1.3"
    );
    let nack = Msg::Nack {
        ballot: b(1, 1),
        promised: b(2, 2),
    }
    .view();
    assert_eq!((nack.kind, nack.success), ("Nack", Some(false)));
    let learn = PaxosNote::Learn {
        value: 7,
        ballot: b(2, 1),
    };
    assert_eq!(
        <dyn crate::sim::erased::AnyNote>::to_json(&learn),
        r#"{"kind":"learn","value":7,"ballot":{"round":2,"proposer":1}}"#
    );
    assert_eq!(learn.kind(), "learn");
    assert_eq!(learn.headline(3).as_deref(), Some("Node 3 learned value 7"));
    assert_eq!(learn.marker(), Some(Marker::Commit));
    let propose = PaxosNote::Propose {
        ballot: b(1, 1),
        value: 5,
        forced_by: None,
    };
    assert_eq!(
        <dyn crate::sim::erased::AnyNote>::to_json(&propose),
        r#"{"kind":"propose","ballot":{"round":1,"proposer":1},"value":5}"#
    );
}

#[test]
fn view_and_summary_show_the_state() {
    let mut net = quiet(3);
    net.client(1, 7);
    net.deliver(|_, to, m| !matches!(m, Msg::Accepted { .. }) || to == 1);
    let v = net.node(1).view();
    assert_eq!((v.role, v.epoch), ("acceptor", 1));
    assert_eq!(v.log.len(), 1);
    assert!(v.log[0].committed && v.log[0].command == "7");
    let field = |v: &crate::sim::NodeView, k: &str| {
        (v.fields.iter())
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field(&v, "accepted"), "value 7 in ballot 1.1");
    assert_eq!(field(&v, "proposer"), "done: value 7 is chosen");
    assert!(!net.node(2).view().log[0].committed);
    let summary = Paxos::summary(&net.nodes, &net.up);
    assert_eq!(
        summary[0].1,
        "value 7 — accepted by 3 of 3 acceptors in ballot 1.1"
    );
    assert_eq!(summary[1].1, "value 7: Node 1 · not yet: Nodes 2, 3");
    let fresh = quiet(3);
    let summary = Paxos::summary(&fresh.nodes, &fresh.up);
    assert_eq!(
        summary[0].1,
        "nothing yet (no acceptor has accepted anything)"
    );
}
