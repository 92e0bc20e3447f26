//! Single-decree Paxos under random faults, through the real engine: no violation over
//! thousands of seeds (all roles everywhere, and split roles), each deliberate bug caught
//! within a bounded number of seeds, and every learner learning the chosen value once faults
//! stop.

use std::ops::Range;

use quorumscope::fuzz::{self, FuzzOptions, FuzzReport, describe, inject_faults, violations};
use quorumscope::protocols;
use quorumscope::protocols::paxos::checker::{LEARNED_IS_CHOSEN, PROMISE_RESPECTED, SINGLE_CHOICE};
use quorumscope::protocols::paxos::{Paxos, PaxosNode};
use quorumscope::scenario::Scenario;
use quorumscope::sim::{Definition, Lab, MS, NodeId, SEC, Session};

/// Short runs: faults for 4 s, then 2 s of calm.
fn short_runs(nodes: usize) -> FuzzOptions {
    FuzzOptions {
        nodes,
        until: 6 * SEC,
        faults_until: 4 * SEC,
        ..FuzzOptions::default()
    }
}

/// Dense faults and frequent client requests on a small cluster: many proposers start rounds
/// while others are half-way, so rounds overlap, get pre-empted and restart often.
fn duel_hunting() -> FuzzOptions {
    FuzzOptions {
        nodes: 3,
        until: 8 * SEC,
        faults_until: 6 * SEC,
        client_rate: 50,
        fault_gap: 40 * MS,
        ..FuzzOptions::default()
    }
}

/// A scenario of Paxos with `params` set (role counts, timings), faults from `opts`.
fn scenario(seed: u64, params: &[(&str, u64)], opts: &FuzzOptions) -> Scenario {
    let mut s = Scenario::defaults("paxos");
    s.seed = seed;
    s.nodes = opts.nodes;
    s.client_rate = opts.client_rate;
    s.bugs = opts.bugs.iter().cloned().collect();
    for (k, v) in params {
        s.params.insert(k.to_string(), *v);
    }
    s
}

/// `fuzz_one` with protocol parameters.
fn fuzz(seed: u64, params: &[(&str, u64)], opts: &FuzzOptions) -> FuzzReport {
    let mut lab = protocols::create_untraced(&scenario(seed, params, opts)).expect("valid");
    inject_faults(lab.as_mut(), seed, opts);
    if violations(lab.as_ref()).is_empty() {
        lab.advance_to(opts.until);
    }
    FuzzReport {
        violations: violations(lab.as_ref()),
        link: lab.scenario().to_query(),
        events: lab.events(),
        end: lab.now(),
    }
}

/// Role counts for seed `seed` of a cluster of `n`: a different split for every seed.
fn roles(seed: u64, n: usize) -> Vec<(&'static str, u64)> {
    let n = n as u64;
    vec![
        ("proposers", 1 + seed % n),
        ("acceptors", 1 + (seed / 3) % n),
        ("learners", 1 + (seed / 7) % n),
    ]
}

/// Runs every seed of `seeds` on all cores; returns the reports of seeds with violations and
/// the number of events simulated.
fn sweep(
    seeds: Range<u64>,
    run: impl Fn(u64) -> FuzzReport + Sync,
) -> (Vec<(u64, FuzzReport)>, u64) {
    let found = fuzz::sweep(seeds, fuzz::default_threads(), run);
    (found.failed, found.events)
}

#[test]
fn no_violation_over_2000_seeds() {
    let start = std::time::Instant::now();
    let (bad, events) = sweep(0..2_000, |seed| fuzz(seed, &[], &short_runs(5)));
    assert!(
        bad.is_empty(),
        "{} seeds broke an invariant:\n{}",
        bad.len(),
        describe(&bad)
    );
    assert!(
        events > 2_000_000,
        "the runs did real work ({events} events)"
    );
    eprintln!("2000 seeds, {events} events in {:?}", start.elapsed());
}

#[test]
fn no_violation_with_split_roles_other_sizes_and_duels() {
    let (bad, _) = sweep(10_000..10_600, |seed| {
        let n = 1 + (seed % 7) as usize;
        fuzz(seed, &roles(seed, n), &short_runs(n))
    });
    assert!(bad.is_empty(), "{}", describe(&bad));
    // The conditions used to hunt the bugs must be clean without them.
    let (bad, _) = sweep(20_000..20_300, |seed| fuzz(seed, &[], &duel_hunting()));
    assert!(bad.is_empty(), "{}", describe(&bad));
}

/// The first seed below 300 whose run breaks an invariant with `bug` on; asserts it broke one
/// of `expected`.
fn assert_caught(bug: &str, opts: FuzzOptions, expected: &[&str]) {
    let opts = FuzzOptions {
        bugs: vec![bug.to_string()],
        ..opts
    };
    let (seed, report) = fuzz::first_caught(0..300, |seed| fuzz(seed, &[], &opts))
        .unwrap_or_else(|| panic!("{bug} not caught in 300 seeds"));
    let names: Vec<_> = report.violations.iter().map(|(_, f)| f.invariant).collect();
    assert!(
        names.iter().any(|n| expected.contains(n)),
        "{bug}: seed {seed} broke {names:?}"
    );
    eprintln!(
        "{bug}: caught at seed {seed}: {}: {}",
        report.violations[0].1.invariant, report.violations[0].1.detail
    );
}

#[test]
fn forget_promise_is_caught() {
    assert_caught(
        "forget_promise",
        duel_hunting(),
        &[PROMISE_RESPECTED, SINGLE_CHOICE],
    );
}

#[test]
fn ignore_accepted_is_caught() {
    assert_caught("ignore_accepted", short_runs(5), &[SINGLE_CHOICE]);
}

#[test]
fn mixed_ballot_learner_is_caught() {
    assert_caught("mixed_ballot_learner", duel_hunting(), &[LEARNED_IS_CHOSEN]);
}

/// After faults stop, with no client load: within 3 s every learner has learned, all learned
/// the same value, and the checker found nothing.
fn check_liveness(seed: u64, params: &[(&str, u64)]) -> Result<(), String> {
    let opts = FuzzOptions {
        until: 7 * SEC,
        faults_until: 4 * SEC,
        client_rate: 0,
        ..FuzzOptions::default()
    };
    let mut s = Session::without_trace(Definition::of::<Paxos>(), &scenario(seed, params, &opts))?;
    inject_faults(&mut s, seed, &opts);
    s.advance_to(opts.until);
    if let Some((_, f)) = violations(&s).first() {
        return Err(format!("{} broken: {}", f.invariant, f.detail));
    }
    let n = opts.nodes as NodeId;
    let learners: Vec<NodeId> = (1..=n)
        .filter(|&id| s.node::<PaxosNode>(id).roles().learner)
        .collect();
    let values: Vec<Option<u64>> = (learners.iter())
        .map(|&id| s.node::<PaxosNode>(id).learned().map(|v| v.value))
        .collect();
    match values.first() {
        Some(Some(v)) if values.iter().all(|x| *x == Some(*v)) => Ok(()),
        _ => Err(format!("learners {learners:?} learned {values:?}")),
    }
}

#[test]
fn every_learner_learns_after_faults_stop() {
    let mut failures = Vec::new();
    for seed in 0..100 {
        let split = [("proposers", 2), ("acceptors", 3)];
        for params in [&[][..], &split[..]] {
            if let Err(e) = check_liveness(seed, params) {
                failures.push(format!("seed {seed} {params:?}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
