//! Randomized fault injection: drives any [`Lab`] with crashes, restarts, pauses, forced
//! timeouts, dropped messages, loss, duplication, partitions, cut links, one-way cuts and slow
//! links (picked by [`FUZZ_MIX`], the picker chaos mode shares), all as recorded actions, so
//! every failing run comes with a link that replays it exactly.

use crate::sim::action::{ActionKind, NetConfig};
use crate::sim::chaos::{FUZZ_MIX, Scene};
use crate::sim::lab::Lab;
use crate::sim::node::{Finding, NodeId};
use crate::sim::rng::Rng;
use crate::sim::time::{MS, Micros, SEC};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::protocols;
use crate::scenario::Scenario;

/// How a fuzz run is shaped.
#[derive(Clone, Debug)]
pub struct FuzzOptions {
    /// Cluster size.
    pub nodes: usize,
    /// Total virtual time of the run.
    pub until: Micros,
    /// Faults are injected up to this time; then the network heals and every node restarts.
    pub faults_until: Micros,
    /// Steady client load, requests per virtual second.
    pub client_rate: u32,
    /// Bug toggles to switch on.
    pub bugs: Vec<String>,
    /// Mean virtual time between two faults.
    pub fault_gap: Micros,
    /// Protocol parameters in link form, e.g. `proposers=2&election_min=150` (empty: defaults).
    pub params: String,
    /// Invariants the design is known to break (a store that returns siblings is no register):
    /// their violations neither stop a run nor appear in its report, so that a campaign can
    /// hammer the guarantees the design does claim.
    pub expected: Vec<&'static str>,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions {
            nodes: 5,
            until: 20 * SEC,
            faults_until: 12 * SEC,
            client_rate: 20,
            bugs: Vec::new(),
            fault_gap: 150 * MS,
            params: String::new(),
            expected: Vec::new(),
        }
    }
}

/// What one fuzz run found.
#[derive(Clone, Debug)]
pub struct FuzzReport {
    /// The first violation of each invariant, with its time.
    pub violations: Vec<(Micros, Finding)>,
    /// A link (query string) that replays the run up to the end of fault injection.
    pub link: String,
    /// Events simulated.
    pub events: u64,
    /// Virtual time reached.
    pub end: Micros,
}

impl FuzzReport {
    /// The command that replays the run up to where it ended.
    pub fn replay_command(&self) -> String {
        format!("quorumscope run --link '?{}&at={}'", self.link, self.end)
    }
}

/// What a sweep over many seeds found.
#[derive(Debug, Default)]
pub struct Sweep {
    /// Seeds whose run broke an invariant, in seed order, with their reports.
    pub failed: Vec<(u64, FuzzReport)>,
    /// Events simulated over all seeds.
    pub events: u64,
}

/// Runs `run(seed)` for every seed of `seeds` on `threads` threads (each takes the next seed
/// when done, so long and short runs balance out) and collects the runs that found violations.
/// The fuzz tests and the command line's `fuzz` share it; every run is still deterministic.
pub fn sweep(seeds: Range<u64>, threads: usize, run: impl Fn(u64) -> FuzzReport + Sync) -> Sweep {
    let next = AtomicU64::new(seeds.start);
    let events = AtomicU64::new(0);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    if seed >= seeds.end {
                        break;
                    }
                    let report = run(seed);
                    events.fetch_add(report.events, Ordering::Relaxed);
                    if !report.violations.is_empty() {
                        failed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((seed, report));
                    }
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_by_key(|(seed, _)| *seed);
    Sweep {
        failed,
        events: events.into_inner(),
    }
}

/// The first seed of `seeds` whose run finds a violation, with its report, trying them in
/// order: how the tests show that a deliberate bug is caught within a bounded number of seeds.
pub fn first_caught(
    seeds: Range<u64>,
    run: impl Fn(u64) -> FuzzReport,
) -> Option<(u64, FuzzReport)> {
    seeds.into_iter().find_map(|seed| {
        let report = run(seed);
        (!report.violations.is_empty()).then_some((seed, report))
    })
}

/// The first violation of each of the first five failed seeds, with the link that replays it:
/// what a failing fuzz test prints.
pub fn describe(failed: &[(u64, FuzzReport)]) -> String {
    failed
        .iter()
        .take(5)
        .filter_map(|(seed, r)| {
            let (t, f) = r.violations.first()?;
            Some(format!(
                "seed {seed} at {t} µs: {}: {}\n  replay: {}",
                f.invariant,
                f.detail,
                r.replay_command()
            ))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Threads to fuzz on by default: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs one seeded scenario of `protocol` under random faults.
pub fn fuzz_one(protocol: &str, seed: u64, opts: &FuzzOptions) -> Result<FuzzReport, String> {
    if protocols::info(protocol).is_none() {
        return Err(format!("unknown protocol '{protocol}'"));
    }
    let mut scenario = if opts.params.is_empty() {
        Scenario::defaults(protocol)
    } else {
        Scenario::parse_link(&format!("protocol={protocol}&seed={seed}&{}", opts.params))?
    };
    scenario.seed = seed;
    scenario.nodes = opts.nodes;
    scenario.client_rate = opts.client_rate;
    scenario.bugs = opts.bugs.iter().cloned().collect();
    let mut lab = protocols::create_untraced(&scenario)?;
    inject_faults(lab.as_mut(), seed, opts);
    if unexpected(lab.as_ref(), opts).is_empty() {
        lab.advance_to(opts.until);
    }
    Ok(FuzzReport {
        violations: unexpected(lab.as_ref(), opts),
        link: lab.scenario().to_query(),
        events: lab.events(),
        end: lab.now(),
    })
}

/// The violations found so far in a run, as findings.
pub fn violations(lab: &dyn Lab) -> Vec<(Micros, Finding)> {
    lab.invariants()
        .into_iter()
        .filter_map(|s| {
            s.violated.map(|(t, detail)| {
                (
                    t,
                    Finding {
                        invariant: s.name,
                        detail,
                    },
                )
            })
        })
        .collect()
}

/// The violations found so far, but for those `opts` expects.
fn unexpected(lab: &dyn Lab, opts: &FuzzOptions) -> Vec<(Micros, Finding)> {
    let mut found = violations(lab);
    found.retain(|(_, f)| !opts.expected.contains(&f.invariant));
    found
}

/// Injects random faults until `opts.faults_until` (stopping early at a violation), then heals
/// the network, restarts every crashed node and clears loss and duplication.
pub fn inject_faults(lab: &mut dyn Lab, seed: u64, opts: &FuzzOptions) {
    let mut rng = Rng::new(seed ^ 0xFA17_FA17_FA17_FA17);
    // Every node of the run, clients included (they crash, pause and get cut off too).
    let n = lab.setup().total() as NodeId;
    let base_net = lab.network().config;
    let mut t = lab.now();
    loop {
        t += rng.exponential(opts.fault_gap as f64) as Micros + 1;
        if t >= opts.faults_until {
            break;
        }
        lab.advance_to(t);
        if !unexpected(lab, opts).is_empty() {
            return;
        }
        let up: Vec<bool> = (1..=n).map(|id| lab.is_up(id)).collect();
        let flights: Vec<u64> = lab.in_flight().iter().map(|f| f.id).collect();
        let net = lab.network();
        let scene = Scene {
            up: &up,
            flights: &flights,
            whole: net.is_whole(),
            slow: net.slow_links.first().map(|l| (l.0, l.1)),
        };
        let Some(kind) = FUZZ_MIX.pick(&mut rng, &scene, base_net) else {
            continue;
        };
        // An action that does not apply now (e.g. a timeout on a crashed node) is skipped.
        let _ = lab.act(kind);
    }
    lab.advance_to(opts.faults_until);
    if !unexpected(lab, opts).is_empty() {
        return;
    }
    end_faults(lab, base_net);
}

/// Ends every fault now: heals the network, gives it back the configuration `base_net` and
/// every link its usual latency, and restarts every crashed node. What a fuzz run does when its
/// faults stop, and what a test does before it checks that the system recovers.
pub fn end_faults(lab: &mut dyn Lab, base_net: NetConfig) {
    let _ = lab.act(ActionKind::Heal);
    let _ = lab.act(ActionKind::SetNetwork { net: base_net });
    for (from, to, _, _) in lab.network().slow_links {
        let _ = lab.act(ActionKind::LinkLatency {
            from,
            to,
            latency: None,
        });
    }
    for node in 1..=lab.setup().total() as NodeId {
        if !lab.is_up(node) {
            let _ = lab.act(ActionKind::Restart { node });
        }
    }
}
