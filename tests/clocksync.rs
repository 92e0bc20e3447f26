//! Clock synchronisation: scripted runs of Cristian's, Berkeley's and NTP's algorithms natively,
//! judged against the true (virtual) time that no node sees.

use std::collections::BTreeMap;

use quorumscope::protocols::clocksync::checker::{AGREE, NO_LOST_UPDATE, WITHIN_BOUND};
use quorumscope::protocols::clocksync::msg::{Adjustment, ClockNote, Exchange, Msg};
use quorumscope::protocols::clocksync::{ClockNode, ClockSync, KNOB_STEP};
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::{RecordKind, TypedRecord};
use quorumscope::sim::{ActionKind, Lab, MS, Micros, NodeId, Protocol, SEC, Session};

/// The default scenario with `params` changed.
fn scenario(seed: u64, params: &[(&str, u64)]) -> Scenario {
    let mut s = Scenario::defaults(ClockSync::info().name);
    s.seed = seed;
    for &(k, v) in params {
        assert!(
            s.params.insert(k.to_string(), v).is_some(),
            "no parameter {k}"
        );
    }
    s
}

const CRISTIAN: u64 = 0;
const BERKELEY: u64 = 1;
const NTP: u64 = 2;

fn run(s: &Scenario, until: Micros) -> Session {
    let mut lab = Session::of::<ClockSync>(s).expect("a valid scenario");
    lab.advance_to(until);
    lab
}

fn violated(lab: &Session, invariant: &str) -> Option<String> {
    (lab.invariants().into_iter())
        .find(|s| s.name == invariant)
        .and_then(|s| s.violated)
        .map(|(_, detail)| detail)
}

fn clocks(lab: &Session) -> Vec<NodeId> {
    lab.setup().ids_of("clock").collect()
}

fn offset(lab: &Session, id: NodeId) -> i64 {
    lab.node::<ClockNode>(id).clock().offset(lab.now())
}

/// Every exchange a run's clocks finished: (true time, node, note).
fn exchanges(lab: &Session) -> Vec<(Micros, NodeId, Exchange)> {
    let mut out = Vec::new();
    for r in lab.records() {
        if let TypedRecord::Note { node, note } = r.typed::<ClockNote>()
            && let ClockNote::Exchange(e) = note
        {
            out.push((r.t, *node, *e));
        }
    }
    out
}

#[test]
fn cristians_error_stays_within_half_the_round_trip() {
    let mut seen = 0;
    for seed in 0..20 {
        let lab = run(&scenario(seed, &[("algorithm", CRISTIAN)]), 30 * SEC);
        for (t, node, e) in exchanges(&lab) {
            let (t3, delay) = (e.t3, e.delay);
            // The server's clock is the true time, so the clock now reads t3 + delay / 2 at the
            // true time t: its error, from the trace alone.
            let error = t3 + delay / 2 - t as i64;
            assert!(
                error.abs() <= delay / 2 + 2,
                "seed {seed}: Node {node} at {t} µs is {error} µs off after a round trip of {delay}"
            );
            seen += 1;
        }
        assert_eq!(violated(&lab, WITHIN_BOUND), None, "seed {seed}");
    }
    assert!(seen > 500, "{seen} exchanges");
}

#[test]
fn a_slow_direction_shows_as_error_within_the_claim() {
    // The answers to Node 2 take 40–50 ms, its requests 2–10 ms: half the round trip is about
    // 25 ms, but the answer's real travel is about 45, so Node 2 ends about 20 ms behind.
    let mut s = scenario(3, &[("algorithm", CRISTIAN)]);
    s.actions.push(quorumscope::sim::Action {
        at_event: 0,
        t: 0,
        kind: ActionKind::LinkLatency {
            from: 1,
            to: 2,
            latency: Some((40 * MS, 50 * MS)),
        },
    });
    eprintln!("the slow direction's link: ?{}", s.to_query());
    let lab = run(&s, 30 * SEC);
    let slow = offset(&lab, 2);
    assert!(slow < -(12 * MS as i64), "Node 2 is {slow} µs off");
    for id in 3..=5 {
        assert!(offset(&lab, id).abs() < slow.abs() / 2, "Node {id}");
    }
    assert_eq!(violated(&lab, WITHIN_BOUND), None);
}

#[test]
fn berkeley_converges_within_its_bound_with_one_faulty_clock_excluded() {
    let faulty = [("algorithm", BERKELEY), ("faulty", 2)];
    let lab = run(&scenario(5, &faulty), 60 * SEC);
    assert_eq!(violated(&lab, AGREE), None);
    // The master leaves the faulty clock (Node 3, the second clock) out of every round after
    // the first.
    let mut rounds = 0;
    for r in lab.records() {
        if let TypedRecord::Note {
            note:
                ClockNote::Round {
                    round,
                    first_excluded,
                    ..
                },
            ..
        } = r.typed::<ClockNote>()
            && *round > 1
        {
            assert_eq!(*first_excluded, Some(3), "round {round}");
            rounds += 1;
        }
    }
    assert!(rounds > 20, "{rounds} rounds");
    // The others agree closely, and their time does not run off with the faulty one's: it
    // gains 20 ms a second, which an average with it would share out (about 4 ms a second).
    let good: Vec<i64> = [1, 2, 4, 5].iter().map(|&id| offset(&lab, id)).collect();
    let spread = good.iter().max().unwrap() - good.iter().min().unwrap();
    assert!(spread < 10 * MS as i64, "spread {spread} µs");
    let mean = |lab: &Session| [1, 2, 4, 5].iter().map(|&id| offset(lab, id)).sum::<i64>() / 4;
    let early = run(&scenario(5, &faulty), 5 * SEC);
    let drift_with = (mean(&lab) - mean(&early)).abs();
    assert!(drift_with < 10 * MS as i64, "moved {drift_with} µs");
    let all_in = [("algorithm", BERKELEY), ("faulty", 2), ("outlier", 0)];
    let (late, early) = (
        run(&scenario(5, &all_in), 60 * SEC),
        run(&scenario(5, &all_in), 5 * SEC),
    );
    let drift_without = (mean(&late) - mean(&early)).abs();
    assert!(
        drift_without > 100 * MS as i64,
        "without outlier rejection the group moved only {drift_without} µs"
    );
}

/// Each NTP exchange's own error, from the trace alone: the server's clock is the true time,
/// so the request took d1 = t2 − (its true send time) and the answer d2 = (its true arrival) −
/// t3, and the sample's offset is off by (d1 − d2) / 2. By (node, exchange).
fn sample_errors(lab: &Session) -> BTreeMap<(NodeId, u64), i64> {
    let mut sent = BTreeMap::new();
    for r in lab.records() {
        if let RecordKind::Send { from, msg, .. } = &r.kind
            && let Some(Msg::NtpRequest { seq, .. }) = msg.as_any().downcast_ref::<Msg>()
        {
            sent.insert((*from, *seq), r.t as i64);
        }
    }
    let mut errors = BTreeMap::new();
    for (t, node, e) in exchanges(lab) {
        let (d1, d2) = (e.t2 - sent[&(node, e.seq)], t as i64 - e.t3);
        errors.insert((node, e.seq), ((d1 - d2) / 2).abs());
    }
    errors
}

#[test]
fn ntps_filter_trusts_samples_with_less_error_than_the_newest_under_high_jitter() {
    let (mut newest, mut trusted, mut n) = (0, 0, 0);
    for seed in 0..4 {
        let mut s = scenario(seed, &[("algorithm", NTP), ("poll", SEC)]);
        (s.net.latency_min, s.net.latency_max) = (MS, 100 * MS);
        let lab = run(&s, 120 * SEC);
        let errors = sample_errors(&lab);
        for (_, node, e) in exchanges(&lab) {
            newest += errors[&(node, e.seq)];
            trusted += errors[&(node, e.trusted)];
            n += 1;
        }
    }
    eprintln!(
        "mean error over {n} exchanges: the newest sample {} µs, the filter's {} µs",
        newest / n,
        trusted / n
    );
    assert!(n > 1_000, "{n} exchanges");
    assert!(
        trusted * 4 < newest * 3,
        "the filter's samples are off by {trusted} µs in all, the newest by {newest}"
    );
}

#[test]
fn ntp_steps_large_corrections_and_slews_small_ones() {
    let lab = run(&scenario(1, &[("algorithm", NTP)]), 60 * SEC);
    let (mut steps, mut slews) = (0, 0);
    for (_, _, e) in exchanges(&lab) {
        match e.how {
            Adjustment::Step => {
                assert!(e.applied.unsigned_abs() > 128 * MS, "stepped {}", e.applied);
                steps += 1;
            }
            Adjustment::Slew => {
                assert!(e.applied.unsigned_abs() <= 128 * MS, "slewed {}", e.applied);
                slews += 1;
            }
            Adjustment::Kept => {}
        }
    }
    assert!(steps >= 1 && slews > 10, "{steps} steps, {slews} slews");
    for id in clocks(&lab) {
        assert!(
            offset(&lab, id).abs() < 5 * MS as i64,
            "Node {id}: {}",
            offset(&lab, id)
        );
    }
}

#[test]
fn a_fault_steps_a_clock_and_the_next_exchange_brings_it_back() {
    let mut lab = run(&scenario(2, &[("algorithm", CRISTIAN)]), 10 * SEC);
    let before = offset(&lab, 3);
    lab.act(ActionKind::SetParam {
        node: Some(3),
        key: KNOB_STEP.into(),
        value: 500,
    })
    .expect("a live knob");
    let jumped = offset(&lab, 3);
    assert_eq!(jumped - before, 500 * MS as i64);
    // The fault voids the clock's claim until its next exchange, so nothing is flagged.
    lab.advance_to(10 * SEC + 2 * SEC + 500 * MS);
    assert!(
        offset(&lab, 3).abs() < 20 * MS as i64,
        "{}",
        offset(&lab, 3)
    );
    assert_eq!(violated(&lab, WITHIN_BOUND), None);
}

#[test]
fn last_writer_wins_loses_an_update_under_skew_and_version_vectors_keep_both() {
    let free = |store| [("algorithm", 3), ("store", store)];
    let lww = run(&scenario(3, &free(1)), 60 * SEC);
    let lost = violated(&lww, NO_LOST_UPDATE).expect("an update lost");
    assert!(lost.contains("last-writer-wins lost an update"), "{lost}");
    let vectors = run(&scenario(3, &free(2)), 60 * SEC);
    assert_eq!(violated(&vectors, NO_LOST_UPDATE), None);
    let siblings = (vectors.records().iter())
        .filter(|r| {
            matches!(
                r.typed::<ClockNote>(),
                TypedRecord::Note {
                    note: ClockNote::Siblings { .. },
                    ..
                }
            )
        })
        .count();
    assert!(siblings > 0, "concurrent writes are kept as siblings");
    // Synchronised clocks make last-writer-wins lose fewer updates, not none.
    let lost_by = |lab: &Session| -> u64 {
        clocks(lab)
            .iter()
            .map(|&id| lab.node::<ClockNode>(id).replica().lost)
            .sum()
    };
    let synced = run(&scenario(3, &[("algorithm", NTP), ("store", 1)]), 60 * SEC);
    eprintln!(
        "updates lost: free clocks {}, NTP {}",
        lost_by(&lww),
        lost_by(&synced)
    );
    assert!(lost_by(&synced) < lost_by(&lww));
}
