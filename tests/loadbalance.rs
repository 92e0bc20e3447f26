//! Load balancing (not registered in the page yet): scripted runs of the protocol natively.

use std::collections::BTreeMap;

use quorumscope::protocols::loadbalance::checker::{ACCOUNTED, BOUNDED};
use quorumscope::protocols::loadbalance::{LbNode, LoadBalance};
use quorumscope::sim::metrics::Percentiles;
use quorumscope::sim::workload::{Client, LATENCY};
use quorumscope::sim::{ActionKind, Lab, MS, NetConfig, NodeId, Protocol, SEC, Scenario, Session};

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
