//! Engine tests on the tiny `Ping` protocol: determinism, time travel, forks and faults.

use std::collections::{BTreeMap, BTreeSet};

use super::scenario::Scenario;
use super::testkit::{Ping, PingNode};
use super::trace::digest;
use super::*;

fn scenario(seed: u64) -> Scenario {
    Scenario {
        protocol: "ping".into(),
        nodes: 3,
        seed,
        net: NetConfig {
            latency_min: 1_000,
            latency_max: 3_000,
            loss_ppm: 100_000,
            dup_ppm: 50_000,
        },
        params: BTreeMap::new(),
        bugs: BTreeSet::new(),
        client_rate: 0,
        chaos: 0,
        actions: Vec::new(),
    }
}

/// The run's trace lines (the export without its header, which the link codec writes).
fn jsonl(s: &Session) -> String {
    s.trace_records_jsonl(0, usize::MAX).0
}

fn snapshot(lab: &dyn Lab) -> (u64, u64, Vec<NodeState>, Vec<FlightView>, usize) {
    (
        lab.now(),
        lab.events(),
        lab.nodes(),
        lab.in_flight(),
        lab.trace_len(),
    )
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let run = |seed| {
        let mut s = Session::of::<Ping>(&scenario(seed)).unwrap();
        s.advance_to(2 * SEC);
        digest(&jsonl(&s))
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn seeking_back_and_forth_reproduces_every_state() {
    let mut s = Session::of::<Ping>(&scenario(9)).unwrap();
    let mut seen = Vec::new();
    for i in 1..=40 {
        s.advance_to(i * 50 * MS);
        seen.push(snapshot(&s));
    }
    let full = jsonl(&s);
    for (i, want) in seen.iter().enumerate().rev().step_by(3) {
        s.seek((i as u64 + 1) * 50 * MS);
        assert_eq!(
            &snapshot(&s),
            want,
            "state after seeking to {} ms",
            (i + 1) * 50
        );
    }
    s.seek(2 * SEC);
    assert_eq!(jsonl(&s), full, "replay regenerates the identical trace");
}

#[test]
fn actions_replay_from_the_scenario_exactly() {
    let mut s = Session::of::<Ping>(&scenario(3)).unwrap();
    s.advance_to(100 * MS);
    s.act(ActionKind::Crash { node: 2 }).unwrap();
    s.step();
    s.step();
    let id = s
        .in_flight()
        .first()
        .map(|f| f.id)
        .expect("something in flight");
    s.act(ActionKind::DropMessage { id }).unwrap();
    s.advance_to(300 * MS);
    s.act(ActionKind::Restart { node: 2 }).unwrap();
    s.act(ActionKind::Partition {
        groups: vec![0, 1, 1],
    })
    .unwrap();
    s.advance_to(SEC);
    let live = jsonl(&s);

    let mut again = Session::of::<Ping>(&s.scenario()).unwrap();
    again.advance_to(SEC);
    assert_eq!(jsonl(&again), live);
    assert!(live.contains(r#""reason":"dropped by visitor""#));
    assert!(live.contains(r#""reason":"partition""#));
    assert!(live.contains(r#""kind":"crash","node":2"#));
}

#[test]
fn acting_in_the_past_forks_and_discards_the_future() {
    let mut s = Session::of::<Ping>(&scenario(4)).unwrap();
    s.advance_to(200 * MS);
    s.act(ActionKind::Crash { node: 1 }).unwrap();
    s.advance_to(400 * MS);
    s.act(ActionKind::Restart { node: 1 }).unwrap();
    s.advance_to(SEC);
    s.seek(300 * MS);
    assert_eq!(
        s.actions().len(),
        2,
        "seeking alone keeps the recorded future"
    );
    s.act(ActionKind::Crash { node: 3 }).unwrap();
    assert_eq!(
        s.actions().len(),
        2,
        "the restart after 300 ms was discarded"
    );
    assert_eq!(s.actions()[1].kind, ActionKind::Crash { node: 3 });
    assert_eq!(s.horizon(), 300 * MS);
    s.advance_to(SEC);
    assert!(
        !s.nodes()[0].up,
        "node 1 was never restarted on this branch"
    );
}

#[test]
fn invalid_actions_change_nothing() {
    let mut s = Session::of::<Ping>(&scenario(4)).unwrap();
    assert!(
        s.act(ActionKind::Restart { node: 1 })
            .unwrap_err()
            .contains("running")
    );
    assert!(
        s.act(ActionKind::Crash { node: 7 })
            .unwrap_err()
            .contains("no Node 7")
    );
    assert!(s.act(ActionKind::DropMessage { id: 999 }).is_err());
    assert!(s.actions().is_empty());
}

#[test]
fn checker_findings_are_recorded_once() {
    let mut sc = scenario(2);
    sc.bugs.insert("lie".into());
    sc.net.loss_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.advance_to(2 * SEC);
    let v = s.invariants();
    assert!(v[0].violated.is_some());
    assert_eq!(jsonl(&s).matches(r#""kind":"violation""#).count(), 1);
}

#[test]
fn crashed_nodes_lose_volatile_state_and_messages_to_them() {
    let mut sc = scenario(8);
    sc.net.loss_ppm = 0;
    sc.net.dup_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.advance_to(500 * MS);
    s.act(ActionKind::Crash { node: 2 }).unwrap();
    assert_eq!(s.node::<PingNode>(2).pongs, 0);
    assert_eq!(s.nodes()[1].countdown, None, "a crashed node has no timers");
    s.advance_to(600 * MS);
    assert!(jsonl(&s).contains("receiver is down"));
    s.act(ActionKind::Restart { node: 2 }).unwrap();
    assert_eq!(s.node::<PingNode>(2).boots, 2, "persistent state survives");
}

#[test]
fn spans_and_milestones_follow_the_current_moment() {
    let mut sc = scenario(11);
    sc.net.loss_ppm = 0;
    sc.net.dup_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.advance_to(200 * MS);
    s.act(ActionKind::Crash { node: 3 }).unwrap();
    s.advance_to(400 * MS);
    let spans = s.spans(0, 400 * MS);
    assert!(spans.iter().all(|sp| sp.sent <= 400 * MS));
    assert!(
        spans
            .iter()
            .any(|sp| sp.dropped == Some(DropReason::ReceiverDown))
    );
    let in_flight: Vec<u64> = s.in_flight().iter().map(|f| f.id).collect();
    let open: Vec<u64> = spans
        .iter()
        .filter(|sp| sp.end.is_none())
        .map(|sp| sp.id)
        .collect();
    assert_eq!(
        open, in_flight,
        "spans without an end are exactly the messages in flight"
    );
    assert_eq!(
        s.milestones(0, SEC).len(),
        2,
        "the crash action and the crash"
    );

    s.seek(100 * MS);
    assert!(
        s.spans(0, SEC).iter().all(|sp| sp.sent <= 100 * MS),
        "nothing from the future"
    );
    assert!(s.milestones(0, SEC).is_empty());
    s.act(ActionKind::Crash { node: 2 }).unwrap();
    s.advance_to(400 * MS);
    let spans = s.spans(0, 400 * MS);
    assert!(
        spans
            .iter()
            .all(|sp| sp.to != 3 || sp.dropped != Some(DropReason::ReceiverDown)),
        "the old branch is gone"
    );
    let windowed = s.spans(300 * MS, 350 * MS);
    assert!(
        windowed
            .iter()
            .all(|sp| sp.sent <= 350 * MS && sp.end.is_none_or(|e| e >= 300 * MS))
    );
}

#[test]
fn metrics_follow_seeks_and_forks() {
    let samples = |s: &Session| -> Vec<(Micros, NodeId, i64)> {
        let m = s.metrics();
        let i = m.index("pongs").expect("declared");
        m.window(i, 0, Micros::MAX)
            .map(|x| (x.t, x.node, x.value))
            .collect()
    };
    let mut s = Session::of::<Ping>(&scenario(5)).unwrap();
    s.advance_to(SEC);
    let full = samples(&s);
    assert!(full.len() > 50, "pongs are sampled: {}", full.len());
    assert!(full.iter().all(|&(t, _, _)| t <= SEC));

    s.seek(SEC / 2);
    let half = samples(&s);
    assert_eq!(
        half[..],
        full[..half.len()],
        "the past is a prefix of the run"
    );
    assert!(half.len() < full.len() && half.iter().all(|&(t, _, _)| t <= SEC / 2));
    s.seek(SEC);
    assert_eq!(
        samples(&s),
        full,
        "seeking forward again shows the same samples"
    );

    s.seek(SEC / 2);
    s.act(ActionKind::Crash { node: 1 }).unwrap();
    s.advance_to(SEC);
    let forked = samples(&s);
    assert_eq!(forked[..half.len()], half[..], "the fork keeps the past");
    assert_ne!(forked, full, "and replaces the recorded future");
    let mut fresh = Session::of::<Ping>(&s.scenario()).unwrap();
    fresh.advance_to(SEC);
    assert_eq!(
        samples(&fresh),
        forked,
        "a replay of the fork's link gives its samples"
    );
}

/// The trace lines of a run between two times, as JSON values.
fn lines_between(s: &Session, t0: Micros, t1: Micros) -> Vec<serde_json::Value> {
    jsonl(s)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| (t0..=t1).contains(&v["t"].as_u64().unwrap()))
        .collect()
}

#[test]
fn a_paused_node_handles_nothing_until_it_resumes_with_its_state() {
    let mut sc = scenario(6);
    sc.net.loss_ppm = 0;
    sc.net.dup_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.advance_to(100 * MS);
    let pongs = s.node::<PingNode>(2).pongs;
    s.act(ActionKind::Pause {
        node: 2,
        duration: 200 * MS,
    })
    .unwrap();
    assert!(
        s.act(ActionKind::Timeout { node: 2 }).is_err(),
        "a paused node takes no action"
    );
    s.advance_to(299 * MS);
    assert_eq!(s.node::<PingNode>(2).pongs, pongs, "frozen state");
    let frozen = lines_between(&s, 100 * MS + 1, 299 * MS);
    let touches_2 = |v: &serde_json::Value| {
        (v["kind"] == "deliver" && v["to"] == 2) || (v["kind"] == "send" && v["from"] == 2)
    };
    assert!(
        !frozen.iter().any(touches_2),
        "no delivery to or send from Node 2 while paused"
    );
    assert!(
        frozen.iter().any(|v| v["kind"] == "send" && v["to"] == 2),
        "others still talk to it"
    );
    s.advance_to(400 * MS);
    let after = lines_between(&s, 300 * MS, 300 * MS);
    assert_eq!(after[0]["kind"], "resume", "{after:?}");
    assert!(
        after.iter().any(|v| v["kind"] == "deliver" && v["to"] == 2),
        "held messages arrive at once"
    );
    assert!(
        s.node::<PingNode>(2).pongs > pongs,
        "and it carries on from its state"
    );
    assert_eq!(s.node::<PingNode>(2).boots, 1, "a pause is not a restart");
}

#[test]
fn a_one_way_cut_loses_one_direction_only() {
    let mut sc = scenario(7);
    sc.nodes = 2;
    sc.net.loss_ppm = 0;
    sc.net.dup_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.act(ActionKind::CutOneWay { from: 1, to: 2 }).unwrap();
    s.advance_to(500 * MS);
    let lines = lines_between(&s, 0, 500 * MS);
    let ended = |from: u64, kind: &str| {
        lines
            .iter()
            .filter(|v| v["kind"] == kind && v["from"] == from)
            .count()
    };
    assert!(
        ended(1, "drop") > 10 && ended(1, "deliver") == 0,
        "1 → 2 is lost"
    );
    assert!(
        ended(2, "deliver") > 10 && ended(2, "drop") == 0,
        "2 → 1 arrives"
    );
    assert!(
        lines
            .iter()
            .filter(|v| v["kind"] == "drop")
            .all(|v| v["reason"] == "partition")
    );
    assert_eq!(s.network().one_way, vec![(1, 2)]);
    s.act(ActionKind::Heal).unwrap();
    assert!(
        s.network().one_way.is_empty(),
        "heal restores both directions"
    );
}

#[test]
fn a_slow_link_is_slow_in_its_own_direction() {
    let mut sc = scenario(8);
    sc.net.loss_ppm = 0;
    sc.net.dup_ppm = 0;
    let mut s = Session::of::<Ping>(&sc).unwrap();
    s.act(ActionKind::LinkLatency {
        from: 1,
        to: 2,
        latency: Some((40 * MS, 50 * MS)),
    })
    .unwrap();
    s.advance_to(SEC);
    let spans = s.spans(0, SEC);
    let took = |from, to| -> Vec<Micros> {
        spans
            .iter()
            .filter(|x| x.from == from && x.to == to)
            .filter_map(|x| x.end.map(|e| e - x.sent))
            .collect()
    };
    let slow = took(1, 2);
    assert!(
        !slow.is_empty() && slow.iter().all(|d| (40 * MS..=50 * MS).contains(d)),
        "{slow:?}"
    );
    let back = took(2, 1);
    assert!(
        !back.is_empty() && back.iter().all(|d| *d < 40 * MS),
        "{back:?}"
    );
    assert_eq!(s.network().slow_links, vec![(1, 2, 40 * MS, 50 * MS)]);
    for sp in &spans {
        assert_eq!(
            sp.slow,
            (sp.from, sp.to) == (1, 2),
            "only 1 → 2 is marked slow"
        );
    }
}
