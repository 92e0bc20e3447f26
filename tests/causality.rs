//! Logical clocks (`sim::causality`) against happens-before computed independently from the
//! trace: a reachability search over each node's order of sends and deliveries plus the edges
//! from each send to its delivery, in randomized runs of every protocol under faults.

use quorumscope::fuzz::{FuzzOptions, inject_faults};
use quorumscope::protocols;
use quorumscope::scenario::Scenario;
use quorumscope::sim::causality::{SHIVIZ_REGEX, compare};
use quorumscope::sim::{CommEvent, Lab, MS, Relation, Rng, SEC};

/// One send or delivery, read from the trace's JSON lines.
#[derive(Clone, Copy, Debug)]
struct Ev {
    node: u32,
    event: CommEvent,
}

fn field(line: &serde_json::Value, key: &str) -> u64 {
    line[key].as_u64().expect("numeric field")
}

/// The run's events in trace order, from its exported lines (not from the clock code).
fn events(lab: &dyn Lab) -> Vec<Ev> {
    let (text, _) = lab.trace_records_jsonl(0, usize::MAX);
    text.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let (node, delivery) = match v["kind"].as_str()? {
                "send" => (field(&v, "from"), false),
                "deliver" => (field(&v, "to"), true),
                _ => return None,
            };
            Some(Ev {
                node: node as u32,
                event: CommEvent {
                    msg: field(&v, "id"),
                    delivery,
                },
            })
        })
        .collect()
}

/// For each event, the events it happened before (itself excluded): a breadth-first search over
/// "next event of the same node" and "send → its delivery" edges.
fn reachable(evs: &[Ev], from: usize) -> Vec<bool> {
    let mut next_same = vec![usize::MAX; evs.len()];
    let mut last = std::collections::BTreeMap::new();
    let mut delivery_of = std::collections::BTreeMap::new();
    for (i, e) in evs.iter().enumerate() {
        if let Some(prev) = last.insert(e.node, i) {
            next_same[prev] = i;
        }
        if e.event.delivery {
            delivery_of.insert(e.event.msg, i);
        }
    }
    let mut seen = vec![false; evs.len()];
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(i) = queue.pop_front() {
        let mut succ = vec![next_same[i]];
        if !evs[i].event.delivery
            && let Some(&d) = delivery_of.get(&evs[i].event.msg)
        {
            succ.push(d);
        }
        for s in succ {
            if s != usize::MAX && !seen[s] {
                seen[s] = true;
                queue.push_back(s);
            }
        }
    }
    seen
}

fn run(link: &str, seed: u64) -> Box<dyn Lab> {
    let scenario = Scenario::parse_link(&format!("{link}&seed={seed}")).unwrap();
    let mut lab = protocols::create(&scenario).unwrap();
    let opts = FuzzOptions {
        nodes: scenario.nodes,
        until: 3 * SEC,
        faults_until: 2 * SEC,
        fault_gap: 120 * MS,
        ..FuzzOptions::default()
    };
    inject_faults(lab.as_mut(), seed, &opts);
    lab.advance_to(opts.until);
    lab
}

const RUNS: [&str; 5] = [
    "protocol=raft&nodes=4&clients=2&rate=20&loss=5&dup=3",
    "protocol=paxos&nodes=5&loss=10",
    "protocol=multipaxos&nodes=3&clients=2&rate=10&dup=5",
    "protocol=failover&nodes=3&clients=2&loss=5",
    "protocol=loadbalance&servers=3&clients=2&rate=30&loss=5",
];

#[test]
fn vector_clocks_agree_with_happens_before_and_lamport_respects_it() {
    let mut checked = 0;
    for (k, link) in RUNS.iter().enumerate() {
        for seed in 1..=6u64 {
            let lab = run(link, seed * 7 + k as u64);
            let evs = events(lab.as_ref());
            assert!(evs.len() > 50, "{link} seed {seed}: a busy run");
            let all: Vec<CommEvent> = evs.iter().map(|e| e.event).collect();
            let clocks = lab.clocks(&all);
            let clocks: Vec<_> = clocks.into_iter().map(|c| c.expect("happened")).collect();
            let mut rng = Rng::new(seed);
            for _ in 0..12 {
                let a = rng.range(0, evs.len() as u64 - 1) as usize;
                let after_a = reachable(&evs, a);
                let cone = lab.cone(evs[a].event).expect("an event up to now");
                assert_eq!(cone.clock, clocks[a]);
                for _ in 0..40 {
                    let b = rng.range(0, evs.len() as u64 - 1) as usize;
                    let after_b = reachable(&evs, b);
                    let want = if a == b {
                        Relation::Same
                    } else if after_a[b] {
                        Relation::Before
                    } else if after_b[a] {
                        Relation::After
                    } else {
                        Relation::Concurrent
                    };
                    let (ca, cb) = (&clocks[a], &clocks[b]);
                    assert_eq!(
                        compare(&ca.vector, &cb.vector),
                        want,
                        "{link} seed {seed}: events {a} and {b}"
                    );
                    // The cone classifies b as seen from a, the other way round.
                    let from_a = match want {
                        Relation::Before => Relation::After,
                        Relation::After => Relation::Before,
                        r => r,
                    };
                    assert_eq!(
                        cone.relation(cb.node, cb.seq()),
                        from_a,
                        "{link} seed {seed}"
                    );
                    if want == Relation::Before {
                        assert!(ca.lamport < cb.lamport, "Lamport respects {a} → {b}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 3_000);
}

#[test]
fn clocks_asked_in_any_order_after_seeks_and_forks_are_the_same() {
    // A long run, so that the pass keeps and thins many snapshots.
    let scenario =
        Scenario::parse_link("protocol=raft&nodes=5&clients=3&rate=100&load=50&seed=3").unwrap();
    let mut lab = protocols::create(&scenario).unwrap();
    lab.advance_to(60 * SEC);
    let evs = events(lab.as_ref());
    assert!(evs.len() > 100_000, "{} events", evs.len());
    let all: Vec<CommEvent> = evs.iter().map(|e| e.event).collect();
    // One pass over everything (the ShiViz export) is the reference.
    let (log, _) = lab.shiviz_chunk(0, usize::MAX);
    let reference: Vec<&str> = log.lines().skip(2).collect();
    assert_eq!(reference.len(), evs.len());
    let mut rng = Rng::new(9);
    for _ in 0..40 {
        let i = rng.range(0, evs.len() as u64 - 1) as usize;
        let j = (i + rng.range(0, 300) as usize).min(evs.len() - 1);
        let got = lab.clocks(&all[i..=j]);
        for (k, c) in got.iter().enumerate() {
            let c = c.as_ref().unwrap();
            let line = reference[i + k];
            assert!(line.starts_with(&format!("node{} ", c.node)), "{line}");
            assert!(
                line.contains(&format!("\"node{}\":{}", c.node, c.seq())),
                "{line}"
            );
            assert!(
                line.ends_with(&format!("[lamport {}]", c.lamport)),
                "{line}"
            );
        }
    }
    // The same event twice, and out of order.
    let twice = lab.clocks(&[all[7], all[7], all[3]]);
    assert_eq!(twice[0], twice[1]);
    assert_eq!(twice[2], lab.clocks(&all[3..4])[0]);
    assert_eq!(twice[0].as_ref().unwrap().event, all[7]);
    // Seek back: events after now have not happened; those before keep their clocks.
    let mid = evs.len() / 2;
    let before = lab.clocks(&all[mid - 5..mid]);
    lab.seek(30 * SEC);
    let now = lab.clocks(&all);
    let happened = now.iter().filter(|c| c.is_some()).count();
    assert!(happened > 0 && happened < evs.len());
    assert_eq!(lab.clocks(&all[mid - 5..mid]), before);
    // A fork drops the future: the cone looks no further than now.
    let last = *all[..happened].last().unwrap();
    lab.act(quorumscope::sim::ActionKind::Crash { node: 1 })
        .unwrap();
    assert!(lab.cone(last).is_some());
    assert!(lab.clocks(&all[happened..]).iter().all(|c| c.is_none()));
}

#[test]
fn the_shiviz_log_is_well_formed() {
    let lab = run(RUNS[0], 5);
    let (log, next) = lab.shiviz_chunk(0, usize::MAX);
    assert_eq!(next, lab.trace_len() + 1);
    let mut lines = log.lines();
    assert_eq!(lines.next(), Some(SHIVIZ_REGEX));
    assert_eq!(lines.next(), Some(""), "no delimiter between executions");
    // Each host's own component starts at 1 and grows by one per event of that host.
    let mut own = std::collections::BTreeMap::new();
    let mut count = 0;
    for line in lines {
        let (host, rest) = line.split_once(' ').unwrap();
        let (clock, event) = rest.split_once("} ").unwrap();
        assert!(
            event.contains(": send ") || event.contains(": receive "),
            "{line}"
        );
        let clock: serde_json::Value = serde_json::from_str(&format!("{clock}}}")).unwrap();
        let mine = clock[host].as_u64().expect("the host's own entry");
        let prev = own.insert(host.to_string(), mine).unwrap_or(0);
        assert_eq!(mine, prev + 1, "{line}");
        for (_, v) in clock.as_object().unwrap() {
            assert!(v.as_u64().unwrap() > 0, "zero entries are left out: {line}");
        }
        count += 1;
    }
    assert_eq!(count, events(lab.as_ref()).len());
    // Sliced, the log is the same.
    let mut sliced = String::new();
    let mut from = 0;
    while from < lab.trace_len() + 1 {
        let (text, next) = lab.shiviz_chunk(from, 2_000);
        assert!(next > from);
        sliced.push_str(&text);
        from = next;
    }
    assert_eq!(sliced, log);
}
