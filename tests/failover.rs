//! Primary–backup failover: scripted lessons (crash → suspicion → promotion → writes resume;
//! restart → catch-up → failback; a paused primary without fencing → split brain and a lost
//! write; with fencing → no loss), and randomized fault injection over thousands of seeds.

use quorumscope::fuzz::{self, FuzzOptions};
use quorumscope::protocols::failover::checker::{DURABILITY, SINGLE_PRIMARY};
use quorumscope::protocols::failover::{Failover, FailoverChecker, FailoverNode};
use quorumscope::scenario::Scenario;
use quorumscope::sim::workload::Client;
use quorumscope::sim::{ActionKind, Lab, MS, Micros, NodeId, SEC, Session};

fn session(query: &str) -> Session {
    let (s, problems) = Scenario::from_query(query);
    assert!(problems.is_empty(), "{problems:?}");
    Session::of::<Failover>(&s).expect("a valid scenario")
}

/// The replicas that act as primary now (running ones only).
fn primaries(lab: &Session) -> Vec<NodeId> {
    (lab.nodes().into_iter())
        .filter(|n| n.up && n.view.role == "primary")
        .map(|n| n.id)
        .collect()
}

/// Requests answered so far, over every client (ids after the replicas and the manager).
fn answered(lab: &Session) -> u64 {
    let replicas = lab.setup().nodes as NodeId;
    (replicas + 2..=lab.setup().total() as NodeId)
        .map(|id| lab.node::<Client>(id).answered())
        .sum()
}

fn violated(lab: &Session, invariant: &str) -> Option<String> {
    (lab.invariants().into_iter())
        .find(|s| s.name == invariant)
        .and_then(|s| s.violated)
        .map(|(_, detail)| detail)
}

fn history(lab: &Session, id: NodeId) -> Vec<u64> {
    let r = lab.node::<FailoverNode>(id).replica().expect("a replica");
    r.log.iter().map(|e| e.value).collect()
}

#[test]
fn a_quiet_run_answers_every_write_and_suspects_nobody() {
    let mut lab = session("protocol=failover&seed=1");
    lab.advance_to(10 * SEC);
    assert_eq!(primaries(&lab), [1]);
    // Two clients writing five times a second each.
    assert!(answered(&lab) > 80, "{} answered", answered(&lab));
    let s = &lab.checker::<FailoverChecker>().suspicions;
    assert_eq!((s.true_ones, s.false_ones), (0, 0));
    let durable = lab.node::<FailoverNode>(1).replica().unwrap().durable as usize;
    for id in [2, 3] {
        assert_eq!(history(&lab, id)[..durable], history(&lab, 1)[..durable]);
    }
}

#[test]
fn a_crashed_primary_is_suspected_a_backup_promoted_and_writes_resume() {
    let mut lab = session("protocol=failover&seed=2");
    lab.advance_to(2 * SEC);
    lab.act(ActionKind::Crash { node: 1 }).unwrap();
    let crashed = lab.now();
    lab.advance_to(crashed + 2 * SEC);
    let new = primaries(&lab);
    assert!(new == [2] || new == [3], "primaries {new:?}");
    let epoch = lab.node::<FailoverNode>(new[0]).replica().unwrap().epoch;
    assert_eq!(epoch, 2, "the promotion starts epoch 2");
    let s = &lab.checker::<FailoverChecker>().suspicions;
    assert_eq!((s.true_ones, s.false_ones), (1, 0));
    // φ reaches 8 about five assumed deviations (20 ms each) after the expected heartbeat.
    let detection = s.detection[0];
    assert!((100 * MS..500 * MS).contains(&detection), "{detection} µs");
    let before = answered(&lab);
    lab.advance_to(crashed + 4 * SEC);
    assert!(
        answered(&lab) > before + 10,
        "writes resume on the new primary"
    );
    assert!(violated(&lab, DURABILITY).is_none());
}

#[test]
fn the_old_primary_restarts_catches_up_and_takes_its_role_back() {
    let mut lab = session("protocol=failover&seed=3");
    lab.advance_to(2 * SEC);
    lab.act(ActionKind::Crash { node: 1 }).unwrap();
    lab.advance_to(4 * SEC);
    let interim = primaries(&lab);
    assert_eq!(interim.len(), 1);
    assert_ne!(interim[0], 1);
    let missed = history(&lab, interim[0]).len() - history(&lab, 1).len();
    assert!(missed > 20, "Node 1 missed {missed} writes while down");
    lab.act(ActionKind::Restart { node: 1 }).unwrap();
    lab.advance_to(6 * SEC);
    assert_eq!(primaries(&lab), [1], "failback");
    let r1 = lab.node::<FailoverNode>(1).replica().unwrap();
    assert_eq!(r1.epoch, 3, "failback is a promotion too");
    let roles: Vec<&str> = lab.nodes()[..3].iter().map(|n| n.view.role).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "backup").count(),
        2,
        "{roles:?}"
    );
    // Caught up: the acknowledged writes of every replica are one history.
    let durable = r1.durable as usize;
    for id in [2, 3] {
        assert_eq!(history(&lab, id)[..durable], history(&lab, 1)[..durable]);
    }
    assert!(violated(&lab, DURABILITY).is_none());
}

#[test]
fn without_failback_the_new_primary_keeps_its_role() {
    let mut lab = session("protocol=failover&seed=3&failback=0");
    lab.advance_to(2 * SEC);
    lab.act(ActionKind::Crash { node: 1 }).unwrap();
    lab.advance_to(4 * SEC);
    let interim = primaries(&lab);
    lab.act(ActionKind::Restart { node: 1 }).unwrap();
    lab.advance_to(8 * SEC);
    assert_eq!(primaries(&lab), interim);
    assert_eq!(lab.nodes()[0].view.role, "backup", "Node 1 rejoined");
}

/// Pauses the primary for a second (a long GC pause) under steady writes and reports the run.
fn pause_primary(fencing: u8) -> Session {
    let mut lab = session(&format!(
        "protocol=failover&seed=4&fencing={fencing}&clients=3&rate=20"
    ));
    lab.advance_to(2 * SEC);
    lab.act(ActionKind::Pause {
        node: 1,
        duration: SEC,
    })
    .unwrap();
    lab.advance_to(5 * SEC);
    lab
}

#[test]
fn without_fencing_a_paused_primary_wakes_up_beside_its_successor_and_a_write_is_lost() {
    let lab = pause_primary(0);
    let lost = violated(&lab, DURABILITY).expect("an acknowledged write is lost");
    assert!(lost.contains("acknowledged"), "{lost}");
    assert!(
        violated(&lab, SINGLE_PRIMARY).is_some(),
        "two primaries acted in one epoch"
    );
    let s = &lab.checker::<FailoverChecker>().suspicions;
    assert!(s.false_ones >= 1, "the pause was taken for a crash");
}

#[test]
fn with_fencing_the_same_pause_loses_nothing() {
    let mut lab = pause_primary(1);
    assert_eq!(violated(&lab, DURABILITY), None);
    assert_eq!(violated(&lab, SINGLE_PRIMARY), None);
    assert!(lab.checker::<FailoverChecker>().suspicions.false_ones >= 1);
    // The deposed primary learnt of the new epoch and stepped down; later it took its role
    // back by failback, in a newer epoch still.
    lab.advance_to(8 * SEC);
    assert_eq!(primaries(&lab), [1]);
    assert!(lab.node::<FailoverNode>(1).replica().unwrap().epoch >= 3);
}

#[test]
fn asynchronous_replication_loses_the_writes_a_cut_off_primary_acknowledged() {
    let mut lab = session("protocol=failover&seed=5&replication=async");
    lab.advance_to(2 * SEC);
    // The primary keeps its clients but loses its backups and the manager.
    lab.act(ActionKind::Partition {
        groups: vec![0, 1, 1, 1, 0, 0],
    })
    .unwrap();
    lab.advance_to(3 * SEC);
    assert_eq!(
        primaries(&lab).len(),
        2,
        "the old primary still acknowledges alone"
    );
    lab.act(ActionKind::Heal).unwrap();
    lab.advance_to(5 * SEC);
    let lost = violated(&lab, DURABILITY).expect("its acknowledged writes are gone");
    assert!(lost.contains("acknowledged"), "{lost}");
}

#[test]
fn the_manager_is_a_single_point_of_failure() {
    let mut lab = session("protocol=failover&seed=6");
    lab.advance_to(2 * SEC);
    lab.act(ActionKind::Crash { node: 4 }).unwrap();
    lab.act(ActionKind::Crash { node: 1 }).unwrap();
    lab.advance_to(5 * SEC);
    assert!(primaries(&lab).is_empty(), "nobody fails over");
    let summary = lab.summary();
    assert!(
        summary
            .iter()
            .any(|(k, v)| k == "Manager" && v.contains("single point of failure")),
        "{summary:?}"
    );
    lab.act(ActionKind::Restart { node: 4 }).unwrap();
    lab.advance_to(7 * SEC);
    assert_eq!(
        primaries(&lab).len(),
        1,
        "the manager is back and fails over"
    );
}

/// The φ detector takes a pause longer than the heartbeat for a crash; the timeout detector
/// with a long limit rides it out.
#[test]
fn a_short_pause_fools_phi_but_not_a_long_timeout() {
    let run = |query: &str| {
        let mut lab = session(query);
        lab.advance_to(2 * SEC);
        lab.act(ActionKind::Pause {
            node: 2,
            duration: 400 * MS,
        })
        .unwrap();
        lab.advance_to(4 * SEC);
        lab.checker::<FailoverChecker>().suspicions.false_ones
    };
    assert!(run("protocol=failover&seed=7&detector=phi") >= 1);
    assert_eq!(
        run("protocol=failover&seed=7&detector=timeout&timeout=1000"),
        0
    );
}

fn campaign(params: &str, seeds: u64) -> fuzz::Sweep {
    let opts = FuzzOptions {
        nodes: 3,
        params: params.to_string(),
        ..FuzzOptions::default()
    };
    fuzz::sweep(0..seeds, fuzz::default_threads(), |seed| {
        fuzz::fuzz_one("failover", seed, &opts).expect("valid options")
    })
}

/// ≥ 2,000 seeded fault-injection runs per safe configuration, zero violations.
#[test]
fn synchronous_replication_with_fencing_survives_random_faults() {
    for params in [
        "detector=phi",
        "detector=timeout",
        "detector=phi&phi_model=exponential&threshold=2&failback=0",
        // Storms of false suspicions: a promotion every few hundred milliseconds.
        "threshold=1&lat=10-60&reads=30&read_from=any",
    ] {
        let sweep = campaign(params, 2_000);
        assert!(
            sweep.failed.is_empty(),
            "{params}:\n{}",
            fuzz::describe(&sweep.failed)
        );
    }
}

/// The deliberate bugs: the fuzzer catches each within 50 seeds.
#[test]
fn the_fuzzer_catches_async_replication_and_missing_fencing() {
    for (params, invariant) in [
        ("replication=async", DURABILITY),
        ("fencing=0", SINGLE_PRIMARY),
    ] {
        let sweep = campaign(params, 50);
        assert!(
            sweep
                .failed
                .iter()
                .any(|(_, r)| r.violations.iter().any(|(_, f)| f.invariant == invariant)),
            "{params}: no {invariant} violation in 50 seeds"
        );
    }
}

/// Liveness: once faults stop (the fuzzer heals the network and restarts every node), the
/// cluster settles on one primary and answers writes again.
#[test]
fn after_faults_stop_writes_complete_again() {
    for seed in 0..40 {
        let opts = FuzzOptions {
            nodes: 3,
            until: 12 * SEC,
            ..FuzzOptions::default()
        };
        let (s, _) = Scenario::from_query(&format!("protocol=failover&seed={seed}"));
        let mut lab = Session::of::<Failover>(&Scenario { seed, ..s }).unwrap();
        fuzz::inject_faults(&mut lab, seed, &opts);
        let healed: Micros = lab.now();
        lab.advance_to(healed + 5 * SEC);
        let before = answered(&lab);
        lab.advance_to(healed + 8 * SEC);
        assert_eq!(primaries(&lab).len(), 1, "seed {seed}");
        assert!(answered(&lab) > before + 10, "seed {seed}: writes stalled");
    }
}

/// Strong against eventual consistency: reads from the primary, or from any replica's copy.
#[test]
fn reads_from_any_replica_are_stale_only_when_replication_lets_backups_lag() {
    let stale = |query: &str| {
        let mut lab = session(&format!(
            "protocol=failover&seed=8&reads=50&rate=50&lat=20-80&{query}"
        ));
        lab.advance_to(10 * SEC);
        let (answered, stale) = lab.checker::<FailoverChecker>().reads;
        assert!(answered > 300, "{query}: {answered} reads");
        stale as f64 / answered as f64
    };
    assert_eq!(stale("read_from=primary&replication=async"), 0.0);
    // Synchronous replication acknowledges a write once every backup holds it.
    assert_eq!(stale("read_from=any&replication=sync"), 0.0);
    let eventual = stale("read_from=any&replication=async");
    assert!(eventual > 0.3, "{eventual}");
}
