//! Multi-Paxos under random faults, through the real engine: no violation over thousands of
//! seeds, each deliberate bug caught within a bounded number of seeds, and progress once faults
//! stop (one leader followed by all, every command sent in the calm applied everywhere).

use std::collections::HashMap;
use std::ops::Range;

use quorumscope::fuzz::{self, FuzzOptions, FuzzReport, describe, fuzz_one, inject_faults};
use quorumscope::protocols::multipaxos::checker::{
    APPLIED_LOGS_AGREE, LEARNED_IS_CHOSEN, PROMISE_RESPECTED, SINGLE_CHOICE,
};
use quorumscope::protocols::multipaxos::{MultiNode, MultiNote, MultiPaxos, Role, Value};
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::{RecordKind, TypedRecord};
use quorumscope::sim::{Lab, MS, Micros, NodeId, SEC, Session};

/// Short runs: faults for 4 s, then 2 s of calm.
fn short_runs(nodes: usize) -> FuzzOptions {
    FuzzOptions {
        nodes,
        until: 6 * SEC,
        faults_until: 4 * SEC,
        ..FuzzOptions::default()
    }
}

/// Small clusters, dense faults, steady load: leaders change often while slots are in
/// flight, so followers hold proposals of deposed leaders when the next one takes over.
fn leader_churn() -> FuzzOptions {
    FuzzOptions {
        nodes: 3,
        until: 13 * SEC,
        faults_until: 10 * SEC,
        client_rate: 30,
        fault_gap: 40 * MS,
        ..FuzzOptions::default()
    }
}

/// Runs every seed of `seeds` on all cores; returns the reports of seeds with violations and
/// the number of events simulated.
fn sweep(
    seeds: Range<u64>,
    opts: impl Fn(u64) -> FuzzOptions + Sync,
) -> (Vec<(u64, FuzzReport)>, u64) {
    let found = fuzz::sweep(seeds, fuzz::default_threads(), |seed| {
        fuzz_one("multipaxos", seed, &opts(seed)).expect("multipaxos is registered")
    });
    (found.failed, found.events)
}

#[test]
fn no_violation_over_2000_seeds() {
    let start = std::time::Instant::now();
    let (bad, events) = sweep(0..2_000, |_| short_runs(5));
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
fn no_violation_across_cluster_sizes_and_leader_churn() {
    let (bad, _) = sweep(10_000..10_600, |seed| short_runs(1 + (seed % 7) as usize));
    assert!(bad.is_empty(), "{}", describe(&bad));
    // The conditions used to hunt the bugs must be clean without them.
    let (bad, _) = sweep(20_000..20_200, |_| leader_churn());
    assert!(bad.is_empty(), "{}", describe(&bad));
}

/// The first seed below 300 whose run breaks an invariant with `bug` on; asserts it broke one
/// of `expected`.
fn assert_caught(bug: &str, opts: FuzzOptions, expected: &[&str]) {
    let opts = FuzzOptions {
        bugs: vec![bug.to_string()],
        ..opts
    };
    let (seed, report) = fuzz::first_caught(0..300, |seed| {
        fuzz_one("multipaxos", seed, &opts).expect("registered")
    })
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
        leader_churn(),
        &[PROMISE_RESPECTED, SINGLE_CHOICE, APPLIED_LOGS_AGREE],
    );
}

#[test]
fn ignore_accepted_is_caught() {
    assert_caught(
        "ignore_accepted",
        short_runs(5),
        &[SINGLE_CHOICE, APPLIED_LOGS_AGREE, LEARNED_IS_CHOSEN],
    );
}

#[test]
fn mixed_ballot_learner_is_caught() {
    assert_caught(
        "mixed_ballot_learner",
        leader_churn(),
        &[LEARNED_IS_CHOSEN, APPLIED_LOGS_AGREE],
    );
}

/// After faults stop: a leader is elected within 2 s and followed by everyone; every slot it
/// knows chosen a second before the end is applied everywhere, and every command sent once it
/// leads is applied everywhere. Returns how many such commands were checked.
fn check_liveness(seed: u64) -> Result<usize, String> {
    let opts = FuzzOptions {
        until: 10 * SEC,
        faults_until: 6 * SEC,
        ..FuzzOptions::default()
    };
    let mut scenario = Scenario::defaults("multipaxos");
    scenario.seed = seed;
    scenario.nodes = opts.nodes;
    scenario.client_rate = opts.client_rate;
    let mut s = Session::of::<MultiPaxos>(&scenario)?;
    inject_faults(&mut s, seed, &opts);
    s.advance_to(opts.until);
    if let Some(v) = s.invariants().into_iter().find(|i| i.violated.is_some()) {
        return Err(format!("{} broken: {:?}", v.name, v.violated));
    }

    let n = opts.nodes as NodeId;
    let leader = (1..=n)
        .filter(|&id| s.node::<MultiNode>(id).role() == Role::Leader)
        .max_by_key(|&id| s.node::<MultiNode>(id).ballot())
        .ok_or("no leader at the end")?;
    let ballot = s.node::<MultiNode>(leader).ballot();
    for id in 1..=n {
        if s.node::<MultiNode>(id).leader() != Some((leader, ballot)) {
            return Err(format!(
                "Node {id} does not follow Node {leader} ({ballot})"
            ));
        }
    }
    let records = s.records();
    let elected: Micros = (records.iter().rev())
        .find_map(|r| match r.typed::<MultiNote>() {
            TypedRecord::Note {
                node,
                note:
                    MultiNote::Role {
                        role: "leader",
                        ballot: b,
                    },
            } if *node == leader && *b == ballot => Some(r.t),
            _ => None,
        })
        .ok_or("no leader note for the final leader")?;
    if elected > opts.faults_until + 2 * SEC {
        return Err(format!("leader elected only at {elected} µs"));
    }

    let top = s.node::<MultiNode>(leader).learned();
    let slot_of: HashMap<u64, u64> = (1..=top)
        .filter_map(|slot| match s.node::<MultiNode>(leader).chosen(slot) {
            Some(Value::Command(c)) => Some((c, slot)),
            _ => None,
        })
        .collect();
    let applied_everywhere =
        |slot: u64| (1..=n).all(|id| s.node::<MultiNode>(id).learned() >= slot);
    let settled = opts.until - SEC;
    let calm = elected.max(opts.faults_until) + 300 * MS;
    let mut checked = 0;
    for r in records.iter().filter(|r| r.t <= settled) {
        match r.typed::<MultiNote>() {
            TypedRecord::Note {
                node,
                note: MultiNote::Chosen { slot, .. },
            } if *node == leader && !applied_everywhere(*slot) => {
                return Err(format!(
                    "slot {slot} chosen by the leader is not applied everywhere"
                ));
            }
            TypedRecord::Other(RecordKind::Client { command, .. }) if r.t >= calm => {
                match slot_of.get(command) {
                    Some(&slot) if applied_everywhere(slot) => checked += 1,
                    Some(&slot) => {
                        return Err(format!(
                            "command {command} (slot {slot}) not applied everywhere"
                        ));
                    }
                    None => return Err(format!("command {command} sent at {} µs was lost", r.t)),
                }
            }
            _ => {}
        }
    }
    Ok(checked)
}

#[test]
fn progress_after_faults_stop() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for seed in 0..100 {
        match check_liveness(seed) {
            Ok(k) => checked += k,
            Err(e) => failures.push(format!("seed {seed}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // About 20 commands per second over the last 3 s of each run.
    assert!(checked > 100 * 40, "only {checked} commands checked");
    eprintln!("{checked} commands checked");
}
