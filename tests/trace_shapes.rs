//! Every protocol's trace lines stay byte for byte what they were: one busy run per protocol,
//! its whole exported trace pinned by digest. The runs cover every line kind, chaos and its
//! actions, workload clients (answers with and without a leader hint, reads), violations, and
//! each protocol's messages and notes (Raft's vote refusals, Paxos' `null` and absent fields,
//! Multi-Paxos' no-ops, failover's configurations with and without a primary, load balancing's
//! mid-run setting changes). The digests were taken from the build that still wrote the trace
//! with serde_json's derives (load balancing's, which came later, from the build that added it); the trace is
//! now written by hand (`sim::json`), and links, imports and the README's format rely on it.

use quorumscope::export::TraceExport;
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::digest;
use quorumscope::sim::{Micros, SEC};

/// (link query, virtual time to run to, digest of the exported trace)
const RUNS: &[(&str, Micros, u64)] = &[
    (
        "protocol=raft&nodes=5&seed=3&chaos=2&clients=3&bugs=vote_ignores_log",
        30 * SEC,
        0xe24d_6c99_cda7_3f92,
    ),
    (
        "protocol=paxos&nodes=5&seed=4&load=3&chaos=3&proposers=2&bugs=forget_promise",
        30 * SEC,
        0x6a06_8ecb_9802_ebab,
    ),
    (
        "protocol=multipaxos&nodes=5&seed=5&chaos=2&clients=2&bugs=ignore_accepted",
        30 * SEC,
        0x5c3c_378b_6433_990f,
    ),
    (
        "protocol=failover&nodes=3&seed=4&chaos=4&clients=2&reads=50&read_from=any",
        60 * SEC,
        0x06e3_320f_3334_c8ad,
    ),
    (
        "protocol=loadbalance&nodes=1&seed=6&chaos=3&policy=p2c&queue=2&staleness=50&bugs=relay_late_answers&a=4ny.2z60w.spolicy-5~4ny.2z60w.sspeed-u-3",
        30 * SEC,
        0xec60_c7b0_6bcd_829b,
    ),
    (
        "protocol=clocksync&nodes=1&seed=7&chaos=3&algorithm=ntp&clocks=6&poll=300",
        60 * SEC,
        0x5a79_30e2_5bb6_4eb8,
    ),
];

#[test]
fn every_protocols_trace_is_byte_for_byte_unchanged() {
    for &(query, until, pinned) in RUNS {
        let (scenario, problems) = Scenario::from_query(query);
        assert!(problems.is_empty(), "{query}: {problems:?}");
        let mut lab = protocols::create(&scenario).expect("valid scenario");
        lab.advance_to(until);
        let trace = lab.trace_jsonl();
        assert!(trace.lines().count() > 3_000, "{query}: a busy run");
        assert_eq!(
            digest(&trace),
            pinned,
            "{query}: trace digest changed to {:#x} (update it only for a deliberate change)",
            digest(&trace)
        );
    }
}
