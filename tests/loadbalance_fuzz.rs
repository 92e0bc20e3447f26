//! Load balancing under random faults, through the real engine: no violation over thousands of
//! seeds with every policy, each deliberate bug caught within 50 seeds, and service again once
//! the faults stop.

use quorumscope::fuzz::{self, FuzzOptions, describe, fuzz_one};
use quorumscope::protocols::loadbalance::LoadBalance;
use quorumscope::protocols::loadbalance::checker::{ACCOUNTED, BOUNDED};
use quorumscope::protocols::loadbalance::policy::POLICIES;
use quorumscope::scenario::Scenario;
use quorumscope::sim::workload::Client;
use quorumscope::sim::{Lab, NodeId, SEC, Session};

/// Short runs with every policy in turn (by seed), small queues so that they fill: faults for
/// 6 s, then 4 s of calm.
fn short_runs(seed: u64) -> FuzzOptions {
    FuzzOptions {
        nodes: 1,
        until: 10 * SEC,
        faults_until: 6 * SEC,
        client_rate: 0,
        params: format!(
            "policy={}&queue=2&rate=80&staleness={}",
            POLICIES[seed as usize % POLICIES.len()],
            seed % 3 * 50
        ),
        ..FuzzOptions::default()
    }
}

#[test]
fn no_violation_over_2000_seeds_with_every_policy() {
    let found = fuzz::sweep(0..2_000, fuzz::default_threads(), |seed| {
        fuzz_one("loadbalance", seed, &short_runs(seed)).expect("registered")
    });
    assert!(found.failed.is_empty(), "{}", describe(&found.failed));
    assert!(
        found.events > 10_000_000,
        "the runs did real work ({} events)",
        found.events
    );
}

/// The first seed below 50 whose run breaks `expected` with `bug` on.
fn assert_caught(bug: &str, expected: &str) {
    let (seed, report) = fuzz::first_caught(0..50, |seed| {
        let opts = FuzzOptions {
            bugs: vec![bug.to_string()],
            ..short_runs(seed)
        };
        fuzz_one("loadbalance", seed, &opts).expect("registered")
    })
    .unwrap_or_else(|| panic!("{bug} not caught in 50 seeds"));
    let names: Vec<_> = report.violations.iter().map(|(_, f)| f.invariant).collect();
    assert!(
        names.contains(&expected),
        "{bug}: seed {seed} broke {names:?}"
    );
    eprintln!(
        "{bug}: caught at seed {seed}: {}",
        report.violations[0].1.detail
    );
}

#[test]
fn forgetting_a_suspected_servers_requests_silently_is_caught() {
    assert_caught("forget_silently", ACCOUNTED);
}

#[test]
fn relaying_late_answers_of_a_suspected_server_is_caught() {
    assert_caught("relay_late_answers", ACCOUNTED);
}

#[test]
fn a_queue_taking_one_too_many_is_caught() {
    assert_caught("queue_off_by_one", BOUNDED);
}

#[test]
fn once_faults_stop_every_client_is_served_again() {
    for seed in 0..60 {
        let opts = short_runs(seed);
        let report = fuzz_one("loadbalance", seed, &opts).unwrap();
        assert!(report.violations.is_empty(), "seed {seed}");
        // Replay the faults from the report's link, then watch the calm.
        let (scenario, problems) = Scenario::from_query(&report.link);
        assert!(problems.is_empty(), "{problems:?}");
        let mut lab = Session::of::<LoadBalance>(&scenario).unwrap();
        // The last second of calm: every client gets answers, and none times out (a full
        // queue may still turn a request away).
        lab.advance_to(opts.until - SEC);
        let clients: Vec<NodeId> = (lab.setup().ids_of("client")).collect();
        let before: Vec<(u64, (u64, u64))> = (clients.iter())
            .map(|&c| {
                (
                    lab.node::<Client>(c).answered(),
                    lab.node::<Client>(c).given_up(),
                )
            })
            .collect();
        lab.advance_to(opts.until);
        for (&c, (answered, given_up)) in clients.iter().zip(before) {
            let client = lab.node::<Client>(c);
            assert!(
                client.answered() > answered + 20,
                "seed {seed}: Node {c} answered {} then {}",
                answered,
                client.answered()
            );
            assert_eq!(
                client.given_up().1,
                given_up.1,
                "seed {seed}: Node {c} timed out"
            );
        }
    }
}
