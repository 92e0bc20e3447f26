//! Clients on the wire: workload nodes that send requests to Raft and Multi-Paxos over the
//! simulated network, follow redirects, retry, and measure what a user would see.

use quorumscope::export::TraceExport;
use quorumscope::protocols::multipaxos::MultiPaxos;
use quorumscope::protocols::raft::Raft;
use quorumscope::scenario::Scenario;
use quorumscope::sim::trace::{TypedRecord, digest};
use quorumscope::sim::workload::{Client, ClientNote, MAX_ATTEMPTS};
use quorumscope::sim::{ActionKind, Lab, MS, NodeId, Protocol, Rng, SEC, Session};

fn scenario(query: &str) -> Scenario {
    let (s, problems) = Scenario::from_query(query);
    assert!(problems.is_empty(), "{problems:?}");
    s
}

fn session<P: Protocol>(query: &str) -> Session {
    Session::of::<P>(&scenario(query)).expect("a valid scenario")
}

/// Every client's counts: (started, answered, failed, timed out, in flight or abandoned in a
/// crash of the client).
fn counts(lab: &Session, clients: impl Iterator<Item = NodeId>) -> Vec<[u64; 5]> {
    clients
        .map(|id| {
            let c = lab.node::<Client>(id);
            let (failed, timed_out) = c.given_up();
            [
                c.started(),
                c.answered(),
                failed,
                timed_out,
                c.in_flight() as u64 + c.abandoned(),
            ]
        })
        .collect()
}

fn leader(lab: &dyn Lab) -> Option<NodeId> {
    lab.nodes()
        .into_iter()
        .find(|n| n.up && n.view.role == "leader")
        .map(|n| n.id)
}

#[test]
fn clients_are_numbered_after_the_servers_and_named_by_kind() {
    let lab = session::<Raft>("protocol=raft&nodes=5&seed=1&clients=3");
    let nodes = lab.nodes();
    assert_eq!(nodes.len(), 8);
    let roles: Vec<&str> = nodes.iter().map(|n| n.view.role).collect();
    assert_eq!(&roles[5..], ["client"; 3]);
    assert_eq!(lab.setup().ids_of("client"), 6..=8);
    assert!(roles[..5].iter().all(|r| *r == "follower"));
}

#[test]
fn a_quiet_raft_cluster_answers_every_request() {
    let mut lab = session::<Raft>("protocol=raft&nodes=5&seed=3&clients=3&rate=20");
    lab.advance_to(20 * SEC);
    let all = counts(&lab, 6..=8);
    for [started, answered, failed, timed_out, in_flight] in &all {
        assert!(*started > 250, "about 20 requests a second: {all:?}");
        assert_eq!(
            started,
            &(answered + failed + timed_out + in_flight),
            "{all:?}"
        );
        assert!(*in_flight <= 3, "{all:?}");
        assert_eq!(*timed_out, 0, "no faults, no timeouts: {all:?}");
    }
    let m = lab.metrics();
    let latency = m.index("client_latency").unwrap();
    let p = m.percentiles(latency, 2 * SEC, 20 * SEC).unwrap();
    // Client → leader → majority → leader → client: two round trips of 10–15 ms each.
    assert!(
        (35 * MS as i64..=80 * MS as i64).contains(&p.p50),
        "median latency {p:?}"
    );
}

#[test]
fn a_client_that_asks_a_follower_is_redirected_to_the_leader() {
    let mut lab = session::<Raft>("protocol=raft&nodes=5&seed=3&clients=5");
    lab.advance_to(3 * SEC);
    let leader = leader(&lab).expect("a leader after 3 s");
    // Clients start spread over the servers: client k first asks server k. After a few
    // seconds every client sends straight to the leader.
    for n in &lab.nodes()[5..] {
        let sends_to = n
            .view
            .fields
            .iter()
            .find(|(k, _)| *k == "sends to")
            .unwrap();
        assert_eq!(sends_to.1, format!("Node {leader}"), "client {}", n.id);
    }
    // Some answers took a redirect (two attempts) and yet no retry timeout.
    let redirected = lab
        .records()
        .iter()
        .filter(|r| {
            matches!(r.typed::<ClientNote>(), TypedRecord::Note {
                note: ClientNote::Answered { attempts: 2, latency, .. }, ..
            } if *latency < 300 * MS)
        })
        .count();
    assert!(redirected > 0, "no request followed a redirect");
}

#[test]
fn a_leader_crash_shows_as_a_latency_spike_and_retries_recover() {
    let mut lab = session::<Raft>("protocol=raft&nodes=5&seed=5&clients=3&rate=20");
    lab.advance_to(5 * SEC);
    let old = leader(&lab).expect("a leader");
    let before = lab.metrics();
    let idx = before.index("client_latency").unwrap();
    let calm = before.percentiles(idx, 2 * SEC, 5 * SEC).unwrap();
    lab.act(ActionKind::Crash { node: old }).unwrap();
    lab.advance_to(10 * SEC);
    assert!(leader(&lab).is_some_and(|l| l != old), "a new leader");
    let m = lab.metrics();
    let storm = m.percentiles(idx, 5 * SEC, 7 * SEC).unwrap();
    assert!(
        storm.max > 100 * MS as i64 && storm.max > 3 * calm.p99,
        "the election shows: calm {calm:?}, around the crash {storm:?}"
    );
    let after = m.percentiles(idx, 8 * SEC, 10 * SEC).unwrap();
    assert!(after.p50 < 80 * MS as i64, "back to normal: {after:?}");
}

#[test]
fn every_request_gets_one_outcome_under_random_faults() {
    for seed in 0..12 {
        for (query, clients) in [
            (
                format!("protocol=raft&nodes=5&seed={seed}&clients=3&loss=5"),
                6..=8,
            ),
            (
                format!("protocol=multipaxos&nodes=3&seed={seed}&clients=2&arrivals=bursty&loss=5"),
                4..=5,
            ),
        ] {
            let mut lab = if query.contains("raft") {
                session::<Raft>(&query)
            } else {
                session::<MultiPaxos>(&query)
            };
            let servers = lab.setup().nodes as NodeId;
            let mut t = 0;
            let mut rng = Rng::new(seed);
            while t < 20 * SEC {
                t += SEC;
                lab.advance_to(t);
                // Any server or the first client.
                let node = rng.range(1, u64::from(servers) + 1) as NodeId;
                let kind = match rng.range(0, 2) {
                    0 => ActionKind::Crash { node },
                    1 => ActionKind::Restart { node },
                    _ => ActionKind::Pause {
                        node,
                        duration: 400 * MS,
                    },
                };
                let _ = lab.act(kind);
            }
            let all = counts(&lab, clients);
            for [started, answered, failed, timed_out, in_flight] in &all {
                assert_eq!(
                    started,
                    &(answered + failed + timed_out + in_flight),
                    "{query}: {all:?}"
                );
            }
            assert!(
                all.iter().map(|c| c[1]).sum::<u64>() > 0,
                "{query}: {all:?}"
            );
            for inv in lab.invariants() {
                assert_eq!(inv.violated, None, "{query}: {}", inv.name);
            }
        }
    }
}

#[test]
fn a_closed_loop_client_keeps_its_requests_in_flight_and_no_more() {
    let mut lab = session::<MultiPaxos>(
        "protocol=multipaxos&nodes=3&seed=9&clients=2&arrivals=closed&in_flight=3&think=0",
    );
    let mut most = 0;
    while lab.now() < 5 * SEC && lab.step() {
        for id in 4..=5 {
            most = most.max(lab.node::<Client>(id).in_flight());
        }
    }
    assert_eq!(most, 3, "three requests in flight at once, never more");
    let c = lab.node::<Client>(4);
    assert!(
        c.answered() > 100,
        "closed loop without think time runs flat out"
    );
}

#[test]
fn bursty_and_poisson_arrivals_keep_the_same_average_rate() {
    for arrivals in ["poisson", "bursty"] {
        let mut lab = session::<Raft>(&format!(
            "protocol=raft&nodes=3&seed=2&clients=4&rate=10&arrivals={arrivals}"
        ));
        lab.advance_to(60 * SEC);
        let started: u64 = counts(&lab, 4..=7).iter().map(|c| c[0]).sum();
        // 4 clients × 10/s × 60 s = 2400 on average.
        assert!(
            (1900..=2900).contains(&started),
            "{arrivals}: {started} requests"
        );
    }
}

#[test]
fn a_client_gives_up_after_its_attempts_when_no_server_answers() {
    let mut lab = session::<Raft>("protocol=raft&nodes=3&seed=4&clients=1&rate=2");
    for node in 1..=3 {
        lab.act(ActionKind::Crash { node }).unwrap();
    }
    lab.advance_to(10 * SEC);
    let c = lab.node::<Client>(4);
    let (failed, timed_out) = c.given_up();
    assert_eq!((c.answered(), failed), (0, 0));
    assert!(timed_out >= 10, "{timed_out} timed out");
    // Five attempts of 300 ms each: nothing settles before 1.5 s.
    let first = lab
        .records()
        .iter()
        .find(|r| matches!(r.typed::<ClientNote>(), TypedRecord::Note { .. }))
        .map(|r| r.t)
        .unwrap();
    assert!(first >= u64::from(MAX_ATTEMPTS) * 300 * MS, "{first}");
}

#[test]
fn runs_with_clients_are_deterministic_and_links_round_trip() {
    let q = "protocol=raft&nodes=5&seed=8&clients=3&arrivals=bursty&rate=12";
    let run = || {
        let mut lab = session::<Raft>(q);
        lab.advance_to(3 * SEC);
        lab.act(ActionKind::Crash { node: 7 })
            .expect("clients can crash too");
        lab.advance_to(6 * SEC);
        (digest(&lab.trace_jsonl()), lab.scenario().to_query())
    };
    let (a, link) = run();
    assert_eq!(a, run().0);
    assert!(
        link.contains("clients=3") && link.contains("arrivals=bursty"),
        "{link}"
    );
    let replay = Scenario::from_query(&link);
    assert!(replay.1.is_empty(), "{:?}", replay.1);
    assert_eq!(
        replay.0.actions.len(),
        1,
        "the crash of client Node 7 is in the link"
    );
}

#[test]
fn the_fuzzer_partitions_runs_with_clients_and_finds_no_violation() {
    use quorumscope::fuzz::{FuzzOptions, fuzz_one};
    for protocol in ["raft", "multipaxos"] {
        let opts = FuzzOptions {
            params: "clients=3".into(),
            ..FuzzOptions::default()
        };
        let mut partitions = 0;
        let mut answered = 0;
        for seed in 0..20 {
            let report = fuzz_one(protocol, seed, &opts).unwrap();
            assert!(
                report.violations.is_empty(),
                "{protocol} seed {seed}: {report:?}"
            );
            let (s, problems) = Scenario::from_query(&report.link);
            assert!(problems.is_empty(), "{problems:?}");
            partitions += (s.actions.iter())
                .filter(
                    |a| matches!(&a.kind, ActionKind::Partition { groups } if groups.len() == 8),
                )
                .count();
            let mut lab = quorumscope::protocols::create(&s).unwrap();
            lab.advance_to(report.end);
            answered += lab
                .metrics()
                .index("client_latency")
                .map_or(0, |i| lab.metrics().window(i, 0, u64::MAX).count());
        }
        assert!(
            partitions > 0,
            "{protocol}: partitions over servers and clients"
        );
        assert!(answered > 0, "{protocol}: clients get answers");
    }
}
