//! Load balancing: scripted runs of the protocol natively.

use std::collections::BTreeMap;

use quorumscope::protocols::loadbalance::checker::{ACCOUNTED, BOUNDED};
use quorumscope::protocols::loadbalance::{LbNode, LoadBalance};
use quorumscope::scenario::Scenario;
use quorumscope::sim::metrics::Percentiles;
use quorumscope::sim::workload::{Client, LATENCY};
use quorumscope::sim::{ActionKind, Diagram, Lab, MS, NetConfig, NodeId, Protocol, SEC, Session};

/// The default scenario with `params` changed.
fn scenario(seed: u64, params: &[(&str, u64)]) -> Scenario {
    let info = LoadBalance::info();
    let mut all = BTreeMap::new();
    for p in &info.params {
        all.insert(p.key.to_string(), p.default);
    }
    for &(k, v) in params {
        assert!(all.contains_key(k), "no parameter {k}");
        all.insert(k.to_string(), v);
    }
    Scenario {
        protocol: info.name.to_string(),
        nodes: 1,
        seed,
        net: NetConfig {
            latency_min: info.default_latency.0,
            latency_max: info.default_latency.1,
            loss_ppm: 0,
            dup_ppm: 0,
        },
        params: all,
        bugs: Default::default(),
        client_rate: 0,
        chaos: 0,
        actions: Vec::new(),
    }
}

fn run(s: &Scenario, until: u64) -> Session {
    let mut lab = Session::of::<LoadBalance>(s).expect("a valid scenario");
    lab.advance_to(until);
    lab
}

fn violated(lab: &Session, invariant: &str) -> Option<String> {
    (lab.invariants().into_iter())
        .find(|s| s.name == invariant)
        .and_then(|s| s.violated)
        .map(|(_, detail)| detail)
}

fn servers(lab: &Session) -> Vec<NodeId> {
    (2..=1 + lab.setup().param("servers") as NodeId).collect()
}

fn clients(lab: &Session) -> Vec<NodeId> {
    let first = 2 + lab.setup().param("servers") as NodeId;
    (first..=lab.setup().total() as NodeId).collect()
}

/// Client-observed latency percentiles over the whole run.
fn latency(lab: &Session) -> Percentiles {
    let m = lab.metrics();
    let i = m.index(LATENCY.name).expect("the latency series");
    m.percentiles(i, 0, m.now() + 1).expect("some answers")
}

#[test]
fn a_quiet_run_serves_every_request_round_robin() {
    let lab = run(&scenario(1, &[]), 30 * SEC);
    let answered: u64 = clients(&lab)
        .iter()
        .map(|&c| lab.node::<Client>(c).answered())
        .sum();
    let started: u64 = clients(&lab)
        .iter()
        .map(|&c| lab.node::<Client>(c).started())
        .sum();
    // 4 clients at 50 requests per second for 30 s.
    assert!(answered > 5_000, "only {answered} answered");
    assert!(
        started - answered < 50,
        "{started} started, {answered} answered"
    );
    let served: Vec<u64> = servers(&lab)
        .iter()
        .map(|&s| lab.node::<LbNode>(s).server().unwrap().served())
        .collect();
    let (lo, hi) = (served.iter().min().unwrap(), served.iter().max().unwrap());
    assert!(hi - lo <= 2, "round-robin split {served:?}");
    assert_eq!(violated(&lab, ACCOUNTED), None);
    assert_eq!(violated(&lab, BOUNDED), None);
}

#[test]
fn with_a_straggler_least_response_time_and_p2c_beat_round_robin_at_p99() {
    // The second server runs at a quarter speed; load about 60% of the healthy capacity.
    let base = [("straggler", 2), ("rate", 60)];
    let p99 = |policy: u64| {
        let lab = run(
            &scenario(7, &[&base[..], &[("policy", policy)]].concat()),
            60 * SEC,
        );
        assert_eq!(violated(&lab, ACCOUNTED), None);
        latency(&lab).p99
    };
    let (round_robin, least_time, p2c) = (p99(0), p99(3), p99(4));
    println!(
        "p99: round-robin {round_robin} µs, least-response-time {least_time} µs, p2c {p2c} µs"
    );
    assert!(
        least_time < round_robin && p2c < round_robin,
        "p99: round-robin {round_robin} µs, least-response-time {least_time} µs, p2c {p2c} µs"
    );
}

#[test]
fn a_full_queue_drops_requests_and_the_client_hears_so() {
    // One server, one worker, one queue place, far more load than it can serve.
    let lab = run(
        &scenario(
            3,
            &[("servers", 1), ("workers", 1), ("queue", 1), ("rate", 200)],
        ),
        10 * SEC,
    );
    let dropped = lab.node::<LbNode>(2).server().unwrap().dropped();
    let failed: u64 = clients(&lab)
        .iter()
        .map(|&c| lab.node::<Client>(c).given_up().0)
        .sum();
    assert!(dropped > 1_000, "only {dropped} dropped");
    // Every drop reaches its client as one failure; a few answers are still on the wire when the
    // run stops.
    assert!(
        failed <= dropped && dropped - failed <= 4,
        "{dropped} dropped, {failed} failed"
    );
    assert_eq!(violated(&lab, ACCOUNTED), None);
    assert_eq!(violated(&lab, BOUNDED), None);
}

#[test]
fn a_crashed_server_is_found_by_health_checks_and_avoided() {
    let mut lab = Session::of::<LoadBalance>(&scenario(5, &[])).unwrap();
    lab.advance_to(5 * SEC);
    let before = lab.node::<LbNode>(4).server().unwrap().served();
    lab.act(ActionKind::Crash { node: 3 }).unwrap();
    lab.advance_to(5 * SEC + 500 * MS);
    let b = lab.node::<LbNode>(1).balancer().unwrap();
    let k = b.known().iter().find(|k| k.id == 3).unwrap();
    assert!(!k.healthy, "the balancer still trusts the crashed server");
    assert!(
        b.tally().forgotten > 0,
        "requests sent in the detection gap"
    );
    lab.advance_to(15 * SEC);
    // The others take its share: more than a third more each than before the crash.
    let after = lab.node::<LbNode>(4).server().unwrap().served() - before;
    assert!(
        after * 3 > before * 2 * 4 / 3,
        "{before} before, {after} after"
    );
    assert_eq!(violated(&lab, ACCOUNTED), None);
}

#[test]
fn consistent_hashing_sends_a_key_to_one_server() {
    let lab = run(&scenario(2, &[("policy", 5), ("keys", 4)]), 10 * SEC);
    let busy = servers(&lab)
        .iter()
        .filter(|&&s| lab.node::<LbNode>(s).server().unwrap().served() > 0)
        .count();
    // Four keys land on at most four servers, usually fewer; each key's requests on one.
    assert!(busy <= 4);
    assert!(latency(&lab).count > 1_000);
}

#[test]
fn under_chaos_every_request_stays_accounted_for() {
    for seed in 0..300 {
        let policy = seed % 6;
        let mut s = scenario(seed, &[("policy", policy), ("queue", 2), ("rate", 80)]);
        s.chaos = 2_000; // two random faults per virtual second
        let lab = run(&s, 20 * SEC);
        for invariant in [ACCOUNTED, BOUNDED] {
            assert_eq!(
                violated(&lab, invariant),
                None,
                "seed {seed}, policy {policy}"
            );
        }
    }
}

/// Requests each server served, by server.
fn served(lab: &Session) -> Vec<u64> {
    (servers(lab).iter())
        .map(|&s| lab.node::<LbNode>(s).server().unwrap().served())
        .collect()
}

fn set(node: Option<NodeId>, key: &str, value: u64) -> ActionKind {
    ActionKind::SetParam {
        node,
        key: key.to_string(),
        value,
    }
}

#[test]
fn switching_the_policy_mid_run_is_recorded_and_a_link_replays_it() {
    // A quarter-speed second server under round-robin, then least response time.
    let mut lab = Session::of::<LoadBalance>(&scenario(7, &[("straggler", 2), ("rate", 60)]))
        .expect("a valid scenario");
    lab.advance_to(20 * SEC);
    let before = served(&lab);
    lab.act(set(None, "policy", 3)).unwrap();
    assert_eq!(lab.setup().param("policy"), 3, "the run's setup follows");
    lab.advance_to(40 * SEC);
    let after: Vec<u64> = served(&lab)
        .iter()
        .zip(&before)
        .map(|(a, b)| a - b)
        .collect();
    // The straggler (Node 3) serves what round-robin sends it and its queue holds; least
    // response time sends it far less (it still tries it now and then).
    let share = |v: &[u64]| v[1] as f64 / v.iter().sum::<u64>() as f64;
    assert!(
        share(&after) * 2.0 < share(&before),
        "Node 3 served {after:?} after the switch, {before:?} before"
    );
    // The event log says it in the protocol's words.
    let said = (0..lab.trace_len())
        .any(|i| lab.trace_line(i).text == "Set the balancing policy to least-response-time");
    assert!(said, "no event-log line for the switch");
    // The link carries the switch, and replaying it gives the same run.
    let link = lab.scenario().to_query();
    assert!(link.contains(".spolicy-3"), "{link}");
    let (replayed, problems) = Scenario::from_query(&link);
    assert!(problems.is_empty(), "{problems:?}");
    let mut again = Session::of::<LoadBalance>(&replayed).unwrap();
    again.advance_to(40 * SEC);
    assert_eq!(served(&again), served(&lab));
    assert_eq!(again.setup().param("policy"), 3);
    // Scrubbing back before the switch shows the old policy.
    again.seek(10 * SEC);
    assert_eq!(again.setup().param("policy"), 0);
}

#[test]
fn a_server_slowed_from_its_menu_gets_less_under_least_response_time() {
    let mut lab = Session::of::<LoadBalance>(&scenario(4, &[("policy", 3), ("rate", 60)]))
        .expect("a valid scenario");
    lab.advance_to(10 * SEC);
    let before = served(&lab);
    lab.act(set(Some(3), "speed", 20)).unwrap();
    let last = lab.trace_line(lab.trace_len() - 1).text;
    assert_eq!(last, "Set Node 3's speed to 20 %");
    assert_eq!(lab.node::<LbNode>(3).server().unwrap().speed(), 20);
    lab.advance_to(30 * SEC);
    let after: Vec<u64> = served(&lab)
        .iter()
        .zip(&before)
        .map(|(a, b)| a - b)
        .collect();
    let (slow, others) = (after[1], [after[0], after[2], after[3]]);
    assert!(
        others.iter().all(|&o| slow * 2 < o),
        "Node 3 slowed: served {after:?} after, {before:?} before"
    );
}

#[test]
fn weights_set_per_server_split_weighted_round_robin_by_weight() {
    // Light load, so that no queue fills and every request sent is served.
    let mut lab = Session::of::<LoadBalance>(&scenario(6, &[("policy", 1), ("rate", 20)])).unwrap();
    lab.act(set(Some(2), "weight", 3)).unwrap();
    lab.advance_to(20 * SEC);
    let s = served(&lab);
    // Weights 3, 1, 1, 1: the first server serves three times each other's share.
    for &other in &s[1..] {
        assert!(
            s[0].abs_diff(3 * other) <= 3,
            "split {s:?} for weights 3, 1, 1, 1"
        );
    }
}

#[test]
fn settings_that_cannot_change_mid_run_are_refused_with_a_reason() {
    let mut lab = Session::of::<LoadBalance>(&scenario(1, &[])).unwrap();
    lab.advance_to(SEC);
    let refused = |lab: &mut Session, kind: ActionKind| lab.act(kind).unwrap_err();
    assert_eq!(
        refused(&mut lab, set(None, "workers", 4)),
        "Load balancing cannot change 'workers' mid-run"
    );
    assert_eq!(
        refused(&mut lab, set(None, "policy", 9)),
        "policy takes 0 to 5, not 9"
    );
    assert_eq!(
        refused(&mut lab, set(Some(1), "speed", 50)),
        "Node 1 has no setting 'speed'"
    );
    assert_eq!(
        refused(&mut lab, set(Some(2), "speed", 0)),
        "speed takes 1 to 400, not 0"
    );
    assert!(lab.actions().is_empty(), "nothing was recorded");
    // A hand-edited link with such an action keeps what came before it and says why.
    let (s, problems) = Scenario::from_query(
        "protocol=loadbalance&seed=1&a=1.1.spolicy-1~2.2.sworkers-4~3.3.spolicy-2",
    );
    assert_eq!(s.actions.len(), 1);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("cannot change 'workers' mid-run"),
        "{problems:?}"
    );
}

#[test]
fn killing_a_server_under_consistent_hashing_shows_the_keys_that_moved() {
    let mut lab = Session::of::<LoadBalance>(&scenario(3, &[("policy", 5)])).unwrap();
    lab.advance_to(2 * SEC);
    let Some(Diagram::HashRing(ring)) = lab.diagram() else {
        panic!("consistent hashing draws its ring");
    };
    assert_eq!(
        ring.members,
        vec![(2, true), (3, true), (4, true), (5, true)]
    );
    assert_eq!(ring.points.len(), 400, "100 virtual nodes per server");
    let total: u32 = ring.shares.iter().sum();
    assert!((998..=1002).contains(&total), "shares {:?}", ring.shares);
    assert_eq!(ring.moved, None);
    lab.act(ActionKind::Crash { node: 4 }).unwrap();
    lab.advance_to(3 * SEC);
    let Some(Diagram::HashRing(ring)) = lab.diagram() else {
        panic!("still drawn");
    };
    let moved = ring.moved.expect("the balancer noticed");
    assert_eq!((moved.server, moved.joined), (4, false));
    assert_eq!(ring.members[2], (4, false));
    assert_eq!(ring.points.len(), 300);
    // One of four leaves: the ring moves about its quarter (at most 2/N), mod-N most keys.
    assert!(moved.moved * 2 <= ring.keys, "{moved:?}");
    assert!(moved.moved_mod_n * 2 > ring.keys, "{moved:?}");
    assert!(
        moved.sentence(ring.keys).starts_with("Node 4 left: "),
        "{}",
        moved.sentence(ring.keys)
    );
    // Other policies draw no ring.
    lab.act(set(None, "policy", 0)).unwrap();
    assert_eq!(lab.diagram(), None);
}
