//! Raft under random faults, through the real engine: no violation over thousands of seeds,
//! each deliberate bug caught within a bounded number of seeds, and progress once faults stop.

use std::collections::HashMap;
use std::ops::Range;

use quorumscope::fuzz::{self, FuzzOptions, FuzzReport, describe, fuzz_one, inject_faults};
use quorumscope::protocols::raft::checker::{LEADER_COMPLETENESS, STATE_MACHINE_SAFETY};
use quorumscope::protocols::raft::{Entry, Raft, RaftNode, RaftNote, Role};
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

/// Small clusters, light client load and dense faults over a long run: the conditions under
/// which a leader gets an old entry onto a majority before any entry of its own term (Figure 8).
fn figure_8_hunting() -> FuzzOptions {
    FuzzOptions {
        nodes: 3,
        until: 33 * SEC,
        faults_until: 30 * SEC,
        client_rate: 5,
        fault_gap: 30 * MS,
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
        fuzz_one("raft", seed, &opts(seed)).expect("raft is registered")
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
fn no_violation_across_cluster_sizes_and_harsh_faults() {
    let (bad, _) = sweep(10_000..10_600, |seed| short_runs(1 + (seed % 7) as usize));
    assert!(bad.is_empty(), "{}", describe(&bad));
    // The conditions used to hunt the Figure 8 bug must be clean without it.
    let (bad, _) = sweep(20_000..20_300, |_| figure_8_hunting());
    assert!(bad.is_empty(), "{}", describe(&bad));
}

/// The first seed below `limit` whose run breaks an invariant with `bug` on.
fn first_catch(bug: &str, limit: u64, opts: FuzzOptions) -> Option<(u64, FuzzReport)> {
    let opts = FuzzOptions {
        bugs: vec![bug.to_string()],
        ..opts
    };
    fuzz::first_caught(0..limit, |seed| {
        fuzz_one("raft", seed, &opts).expect("raft is registered")
    })
}

fn assert_caught(bug: &str, opts: FuzzOptions) {
    let (seed, report) =
        first_catch(bug, 300, opts).unwrap_or_else(|| panic!("{bug} not caught in 300 seeds"));
    let names: Vec<_> = report.violations.iter().map(|(_, f)| f.invariant).collect();
    assert!(
        names.contains(&LEADER_COMPLETENESS) || names.contains(&STATE_MACHINE_SAFETY),
        "{bug}: seed {seed} broke {names:?}"
    );
    eprintln!(
        "{bug}: caught at seed {seed}: {}",
        report.violations[0].1.detail
    );
}

#[test]
fn vote_ignores_log_is_caught() {
    assert_caught("vote_ignores_log", short_runs(5));
}

#[test]
fn commit_old_term_is_caught() {
    assert_caught("commit_old_term", figure_8_hunting());
}

/// After faults stop: a leader is elected within 2 s and followed by everyone; every command
/// still in its log and every command sent once it leads commits on every node. Returns how
/// many commands were sent in the calm period and checked.
fn check_liveness(seed: u64) -> Result<usize, String> {
    let opts = FuzzOptions {
        until: 10 * SEC,
        faults_until: 6 * SEC,
        ..FuzzOptions::default()
    };
    let mut scenario = Scenario::defaults("raft");
    scenario.seed = seed;
    scenario.nodes = opts.nodes;
    scenario.client_rate = opts.client_rate;
    let mut s = Session::of::<Raft>(&scenario)?;
    inject_faults(&mut s, seed, &opts);
    s.advance_to(opts.until);
    if let Some(v) = s.invariants().into_iter().find(|i| i.violated.is_some()) {
        return Err(format!("{} broken: {:?}", v.name, v.violated));
    }

    let n = opts.nodes as NodeId;
    let term = (1..=n)
        .map(|id| s.node::<RaftNode>(id).term())
        .max()
        .unwrap_or(0);
    let leader = (1..=n)
        .find(|&id| {
            s.node::<RaftNode>(id).role() == Role::Leader && s.node::<RaftNode>(id).term() == term
        })
        .ok_or_else(|| format!("no leader of the latest term {term} at the end"))?;
    for id in 1..=n {
        let node = s.node::<RaftNode>(id);
        if node.term() != term || node.leader() != Some(leader) {
            return Err(format!(
                "Node {id} does not follow Node {leader} in term {term}"
            ));
        }
    }
    let records = s.records();
    let elected: Micros = records
        .iter()
        .rev()
        .find_map(|r| match r.typed::<RaftNote>() {
            TypedRecord::Note {
                node,
                note:
                    RaftNote::Role {
                        role: "leader",
                        term: t,
                    },
            } if *node == leader && *t == term => Some(r.t),
            _ => None,
        })
        .ok_or("no leader note for the final leader")?;
    if elected > opts.faults_until + 2 * SEC {
        return Err(format!("leader elected only at {elected} µs"));
    }

    let log = s.node::<RaftNode>(leader).log();
    let position: HashMap<u64, u64> = (1..=log.last_index())
        .map(|i| (log.get(i).expect("in range").command, i))
        .collect();
    let committed_everywhere =
        |index: u64| (1..=n).all(|id| s.node::<RaftNode>(id).commit_index() >= index);
    let settled = opts.until - SEC;
    let calm = elected.max(opts.faults_until) + 300 * MS;
    let mut checked = 0;
    for r in records.iter().filter(|r| r.t <= settled) {
        match r.typed::<RaftNote>() {
            TypedRecord::Note {
                node,
                note:
                    RaftNote::Append {
                        index,
                        term,
                        command,
                    },
            } if log.get(*index)
                == Some(&Entry {
                    term: *term,
                    command: *command,
                })
                && !committed_everywhere(*index) =>
            {
                return Err(format!(
                    "command {command} appended by Node {node} at {index} never committed"
                ));
            }
            TypedRecord::Other(RecordKind::Client { command, .. }) if r.t >= calm => {
                match position.get(command) {
                    Some(&index) if committed_everywhere(index) => checked += 1,
                    Some(&index) => {
                        return Err(format!(
                            "command {command} (index {index}) not committed everywhere"
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
