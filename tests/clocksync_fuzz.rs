//! Clock synchronisation under random faults, through the real engine: no broken claim over
//! thousands of seeds with every algorithm, and each deliberate bug caught within 50 seeds.

use quorumscope::fuzz::{self, FuzzOptions, describe, fuzz_one};
use quorumscope::protocols::clocksync::checker::{AGREE, NO_LOST_UPDATE, WITHIN_BOUND};
use quorumscope::sim::SEC;

const ALGORITHMS: [&str; 3] = ["cristian", "berkeley", "ntp"];

/// Short runs with each algorithm in turn (by seed), syncing often, half of them with the
/// register reconciled by version vectors: faults (crashes, partitions, losses, duplicates)
/// for 8 s, then 4 s of calm.
fn short_runs(seed: u64, algorithm: &str) -> FuzzOptions {
    FuzzOptions {
        nodes: 1,
        until: 12 * SEC,
        faults_until: 8 * SEC,
        client_rate: 0,
        params: format!(
            "algorithm={algorithm}&poll=300&clocks={}&filter={}&store={}&writes=200",
            2 + seed % 4,
            1 + seed % 8,
            ["off", "version-vectors"][seed as usize / 3 % 2]
        ),
        ..FuzzOptions::default()
    }
}

#[test]
fn no_broken_claim_over_2000_seeds_with_every_algorithm() {
    let found = fuzz::sweep(0..2_100, fuzz::default_threads(), |seed| {
        let algorithm = ALGORITHMS[seed as usize % 3];
        fuzz_one("clocksync", seed, &short_runs(seed, algorithm)).expect("registered")
    });
    assert!(found.failed.is_empty(), "{}", describe(&found.failed));
    assert!(
        found.events > 1_000_000,
        "the runs did real work ({} events)",
        found.events
    );
}

/// The first seed below 50 whose run breaks `expected` with `bug` on.
fn assert_caught(bug: &str, algorithm: &str, expected: &str) {
    let (seed, report) = fuzz::first_caught(0..50, |seed| {
        let opts = FuzzOptions {
            bugs: vec![bug.to_string()],
            ..short_runs(seed, algorithm)
        };
        fuzz_one("clocksync", seed, &opts).expect("registered")
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
fn forgetting_the_round_trip_is_caught() {
    assert_caught("ignore_round_trip", "cristian", WITHIN_BOUND);
}

#[test]
fn a_wrong_sign_in_ntps_offset_is_caught() {
    assert_caught("offset_sign", "ntp", WITHIN_BOUND);
}

#[test]
fn adjusting_backwards_is_caught() {
    assert_caught("adjust_backwards", "berkeley", AGREE);
}

#[test]
fn last_writer_wins_losing_an_update_is_caught() {
    let seed = (0..50)
        .find(|&seed| {
            let opts = FuzzOptions {
                params: format!(
                    "algorithm=none&store=lww&writes=200&clocks={}",
                    2 + seed % 4
                ),
                ..short_runs(seed, "none")
            };
            let report = fuzz_one("clocksync", seed, &opts).expect("registered");
            (report.violations.iter()).any(|(_, f)| f.invariant == NO_LOST_UPDATE)
        })
        .expect("store=lww loses an update within 50 seeds");
    eprintln!("store=lww: caught at seed {seed}");
}
