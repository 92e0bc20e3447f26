//! Load balancing and consistent hashing: clients, a balancer and servers.
//!
//! Clients ([`crate::sim::workload`]) send requests to the balancer ([`balancer`]), node 1, which
//! picks a server by its policy ([`policy`]: round-robin, weighted, least connections, least
//! response time, power of two choices, consistent hashing with the schemes of [`hashing`]) and
//! relays the answer. Servers ([`server`]) have workers, a bounded queue (a full queue drops
//! the request, and the client is told) and a speed (one may be a straggler). The balancer
//! learns of failed servers through health checks judged by a failure detector, so requests sent
//! in the detection gap are lost with their server and their clients time out.
//!
//! The policy and p2c's staleness can change mid-run, and each server's speed and weight (see
//! [`LIVE`]); `quorumscope compare` sweeps every policy by default with servers crashing.

#![warn(missing_docs)]

pub mod balancer;
pub mod checker;
pub mod hashing;
pub mod msg;
pub mod node;
pub mod policy;
pub mod server;

pub use checker::LbChecker;
pub use node::{LbNode, Settings};

use crate::sim::metrics::Series;
use crate::sim::param::Unit;
use crate::sim::workload::{self, CLIENTS, Wire};
use crate::sim::{
    BugSpec, ChartSpec, CompareSpec, Diagram, HashRingView, Host, InvariantSpec, KindSpec, Knob,
    LiveSpec, MS, NodeId, Panel, ParamSpec, Picture, Placement, Protocol, ProtocolInfo, SEC, Setup,
};

/// The server kind's name.
pub const SERVER: &str = "server";
/// The count parameter of servers: `servers=4` in links.
pub const SERVERS: &str = "servers";

/// The knob of a server's speed, in percent of normal (its menu can slow it down).
pub const KNOB_SPEED: &str = "speed";
/// The knob of a server's weight for the weighted policy.
pub const KNOB_WEIGHT: &str = "weight";

/// What a visitor changes mid-run: the policy and p2c's staleness for the whole run; each
/// server's speed and weight from its menu.
const LIVE: LiveSpec = LiveSpec {
    params: &["policy", "staleness"],
    knobs: &[
        Knob {
            kind: SERVER,
            key: KNOB_SPEED,
            label: "Speed",
            unit: " %",
            min: 1,
            max: 400,
            initial: |setup, id| Settings::of(setup).speed_of(id),
            presets: &[100, 50, 25, 10],
        },
        Knob {
            kind: SERVER,
            key: KNOB_WEIGHT,
            label: "Weight",
            unit: "",
            min: 1,
            max: 100,
            initial: |setup, id| Settings::of(setup).weight_of(id).into(),
            presets: &[1, 2, 3, 5],
        },
    ],
};

/// Bug key: a suspected server's requests vanish.
pub const BUG_FORGET_SILENTLY: &str = "forget_silently";
/// Bug key: a late answer from a suspected server is relayed after its request failed.
pub const BUG_RELAY_LATE_ANSWERS: &str = "relay_late_answers";
/// Bug key: a server's queue holds one more than its places.
pub const BUG_QUEUE_OFF_BY_ONE: &str = "queue_off_by_one";

/// The deliberate bugs, each caught by an invariant of [`checker`].
const BUGS: [BugSpec; 3] = [
    BugSpec {
        key: BUG_FORGET_SILENTLY,
        description: "When the balancer suspects a server, it drops the requests that server held without failing them to their clients or counting them: they vanish (Every Request Accounted For).",
    },
    BugSpec {
        key: BUG_RELAY_LATE_ANSWERS,
        description: "The balancer keeps the requests it failed with a suspected server and relays the server's late answers too, so a falsely suspected server's requests end twice (Every Request Accounted For).",
    },
    BugSpec {
        key: BUG_QUEUE_OFF_BY_ONE,
        description: "A server checks its queue with <= instead of <, so a full queue takes one request more than it has places (Bounded Servers).",
    },
];

/// The metric series servers write.
pub mod series {
    use crate::sim::metrics::{Series, SeriesKind};

    /// Requests waiting in each server's queue.
    pub const QUEUE: Series = Series {
        name: "queue",
        kind: SeriesKind::Gauge,
        title: "Requests queued at each server",
    };
    /// How busy each server's workers were over the last 100 ms, in percent.
    pub const UTILISATION: Series = Series {
        name: "utilisation",
        kind: SeriesKind::Gauge,
        title: "Utilisation of each server (%)",
    };
    /// Requests dropped by a full queue.
    pub const DROPPED: Series = Series {
        name: "dropped",
        kind: SeriesKind::Counter,
        title: "Requests dropped by full queues",
    };
}

/// The load-balancing protocol, as registered with the simulator.
pub struct LoadBalance;

const DETECTORS: &[&str] = &["timeout", "phi"];
const WEIGHTS: &[&str] = &["equal", "by-speed"];

/// A parameter as a constant (the page's copy is then data, not code that builds it).
const fn param(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    default: u64,
    min: u64,
    max: u64,
) -> ParamSpec {
    ParamSpec::new(key, label, unit, default, min, max)
}

/// A named choice whose default is its first name.
const fn choice(
    key: &'static str,
    label: &'static str,
    names: &'static [&'static str],
) -> ParamSpec {
    param(
        key,
        label,
        Unit::Choice(names),
        0,
        0,
        names.len() as u64 - 1,
    )
}

/// The protocol's own parameters (the workload's follow them).
const PARAMS: [ParamSpec; 18] = [
    choice("policy", "Balancing policy", policy::POLICIES),
    param(SERVERS, "Servers", Unit::Count, 4, 1, 16),
    param("workers", "Workers per server", Unit::Count, 2, 1, 16),
    param("queue", "Queue places per server", Unit::Count, 8, 0, 100),
    param(
        "cost_min",
        "Work per request, least",
        Unit::Micros,
        10 * MS,
        MS,
        10 * SEC,
    ),
    param(
        "cost_max",
        "Work per request, most",
        Unit::Micros,
        30 * MS,
        MS,
        10 * SEC,
    ),
    param(
        "straggler",
        "Slow server (0 = none; k = the k-th)",
        Unit::Count,
        0,
        0,
        16,
    ),
    param(
        "straggler_speed",
        "Slow server's speed (%)",
        Unit::Count,
        25,
        1,
        100,
    ),
    choice("weights", "Weights", WEIGHTS),
    param(
        "staleness",
        "Load information's age (p2c)",
        Unit::Micros,
        0,
        0,
        10 * SEC,
    ),
    choice("hashing", "Hashing scheme", hashing::SCHEMES),
    param(
        "vnodes",
        "Virtual nodes per server",
        Unit::Count,
        100,
        1,
        1_000,
    ),
    param(
        "bound",
        "Bounded load (% of the mean; 0 = off)",
        Unit::Count,
        0,
        0,
        1_000,
    ),
    param(
        "keys",
        "Distinct request keys",
        Unit::Count,
        1_000,
        1,
        1_000_000,
    ),
    param(
        "health",
        "Health-check interval",
        Unit::Micros,
        100 * MS,
        MS,
        5 * SEC,
    ),
    choice("detector", "Failure detector", DETECTORS),
    param(
        "timeout",
        "Timeout detector's limit",
        Unit::Micros,
        300 * MS,
        MS,
        10 * SEC,
    ),
    param("threshold", "φ threshold", Unit::Count, 8, 1, 50),
];

const INVARIANTS: [InvariantSpec; 2] = [
    InvariantSpec {
        name: checker::ACCOUNTED,
        statement: "Every request the balancer takes ends exactly once: served, dropped, failed or forgotten with a failed server.",
    },
    InvariantSpec {
        name: checker::BOUNDED,
        statement: "No server serves more requests than it has workers or queues more than its queue holds.",
    },
];

/// The run's metric series: the servers' first, then the workload's.
const SERIES: [Series; 7] = [
    series::QUEUE,
    series::UTILISATION,
    series::DROPPED,
    workload::SERIES[0],
    workload::SERIES[1],
    workload::SERIES[2],
    workload::SERIES[3],
];

/// The servers' charts (after the workload's).
const CHARTS: [ChartSpec; 3] = [
    ChartSpec::of(series::DROPPED.title, &[series::DROPPED.name]),
    ChartSpec::of(series::QUEUE.title, &[series::QUEUE.name]),
    ChartSpec::of(series::UTILISATION.title, &[series::UTILISATION.name]),
];

impl Protocol for LoadBalance {
    type Node = LbNode;
    type Checker = LbChecker;

    fn info() -> ProtocolInfo {
        let mut params = Vec::from(PARAMS);
        for mut p in workload::params() {
            match p.key {
                CLIENTS => (p.default, p.min) = (4, 1),
                "rate" => p.default = 50,
                "retry" => p.default = 2 * SEC,
                _ => {}
            }
            params.push(p);
        }
        let mut charts = workload::charts();
        charts.extend(CHARTS);
        ProtocolInfo {
            name: "loadbalance",
            title: "Load balancing",
            min_nodes: 1,
            max_nodes: 1,
            default_nodes: 1,
            default_latency: (1_000, 2_000),
            params,
            bugs: Vec::from(BUGS),
            invariants: Vec::from(INVARIANTS),
            roles: vec!["balancer"],
            epoch_name: "",
            client_label: "Request",
            timeout_label: "Check health now",
            series: Vec::from(SERIES),
            kinds: vec![
                KindSpec {
                    name: SERVER,
                    count: SERVERS,
                    host: Host::Protocol,
                    panel: Panel::Table,
                },
                workload::kind(),
            ],
            picture: Picture {
                placement: Placement::Columns(&["client", "balancer", SERVER]),
                panel: Panel::Table,
                charts,
                ..Picture::default()
            },
            compare: CompareSpec {
                sweep: Some("policy"),
                crashes: Some(SERVER),
            },
            live: LIVE,
        }
    }

    fn wire() -> Option<Wire<msg::Msg>> {
        Some(Wire {
            request: msg::Msg::Request,
            response: msg::Msg::response,
        })
    }

    fn validate(setup: &Setup) -> Result<(), String> {
        let s = Settings::of(setup);
        if s.cost.0 > s.cost.1 {
            return Err("the least work per request is above the most".into());
        }
        if let Some((id, _)) = s.straggler
            && !s.servers.contains(&id)
        {
            return Err(format!(
                "there is no {}-th server to slow down",
                setup.param("straggler")
            ));
        }
        Ok(())
    }

    fn new_node(id: NodeId, setup: &Setup) -> LbNode {
        let s = Settings::of(setup);
        if id == s.balancer {
            LbNode::Balancer(Box::new(balancer::Balancer::new(&s)))
        } else {
            LbNode::Server(Box::new(server::Server::new(id, &s)))
        }
    }

    fn diagram(nodes: &[LbNode]) -> Option<Diagram> {
        let b = nodes.iter().find_map(LbNode::balancer)?;
        let s = b.settings();
        (s.policy == policy::Policy::ConsistentHashing).then(|| Diagram::HashRing(ring_view(b)))
    }

    fn new_checker(setup: &Setup) -> LbChecker {
        let s = Settings::of(setup);
        LbChecker::new(s.workers, s.queue)
    }
}

/// The hashing ring as the page draws it, from what the balancer knows now.
fn ring_view(b: &balancer::Balancer) -> HashRingView {
    let s = b.settings();
    let (mut members, mut all) = (Vec::new(), Vec::new());
    for k in b.known() {
        members.push((k.id, k.healthy));
        all.push(k.id);
    }
    let healthy = b.healthy_ids();
    let ring = hashing::Ring::new(&healthy, s.hashing.vnodes);
    let keys = s.keys.min(balancer::MOVED_SAMPLE);
    let on_ring = s.hashing.scheme == hashing::Scheme::Ring;
    // The key space's shares in thousandths: the ring's arcs, or for the other schemes the
    // keys counted.
    let mut shares = Vec::new();
    if on_ring {
        for f in ring.shares(&all) {
            shares.push((f * 1000.0).round() as u32);
        }
    } else {
        let mut counts = vec![0u64; all.len()];
        for k in 0..keys {
            let owner = hashing::place(s.hashing.scheme, k, &healthy, &ring);
            if let Some(i) = all.iter().position(|&x| Some(x) == owner) {
                counts[i] += 1;
            }
        }
        for c in counts {
            shares.push(((c * 1000 + keys / 2) / keys.max(1)) as u32);
        }
    }
    // Only the ring scheme has virtual nodes to draw, evenly thinned to at most MAX_POINTS.
    let mut points = Vec::new();
    if on_ring {
        let all_points = ring.points();
        let step = all_points.len().div_ceil(HashRingView::MAX_POINTS).max(1);
        for &(p, id) in all_points.iter().step_by(step) {
            points.push((((u128::from(p) * 1_000_000) >> 64) as u32, id));
        }
    }
    let milli = |x: f64| (x * 1000.0).round() as u32;
    let mut spread = Vec::new();
    for v in SPREAD_VNODES {
        let sample = hashing::ring_spread(0..s.keys.min(SPREAD_SAMPLE), &all, v);
        spread.push((v, milli(sample.max_over_mean), milli(sample.relative_std)));
    }
    HashRingView {
        scheme: hashing::SCHEMES[s.hashing.scheme as usize],
        members,
        points,
        vnodes: s.hashing.vnodes,
        keys,
        shares,
        moved: b.moved(),
        spread,
    }
}

/// The numbers of virtual nodes the spread chart compares.
const SPREAD_VNODES: [u32; 8] = [1, 2, 5, 10, 20, 50, 100, 200];
/// Most keys placed for the spread chart.
const SPREAD_SAMPLE: u64 = 10_000;
