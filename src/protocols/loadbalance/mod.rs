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

fn at_least_one(p: ParamSpec) -> ParamSpec {
    ParamSpec { min: 1, ..p }
}

impl Protocol for LoadBalance {
    type Node = LbNode;
    type Checker = LbChecker;

    fn info() -> ProtocolInfo {
        let mut params = vec![
            ParamSpec::choice(
                "policy",
                "Balancing policy",
                policy::POLICIES,
                "round-robin",
            ),
            at_least_one(ParamSpec::count(SERVERS, "Servers", 4, 16)),
            at_least_one(ParamSpec::count("workers", "Workers per server", 2, 16)),
            ParamSpec::count("queue", "Queue places per server", 8, 100),
            ParamSpec::micros("cost_min", "Work per request, least", 10 * MS, MS, 10 * SEC),
            ParamSpec::micros("cost_max", "Work per request, most", 30 * MS, MS, 10 * SEC),
            ParamSpec::count("straggler", "Slow server (0 = none; k = the k-th)", 0, 16),
            at_least_one(ParamSpec::count(
                "straggler_speed",
                "Slow server's speed (%)",
                25,
                100,
            )),
            ParamSpec::choice("weights", "Weights", WEIGHTS, "equal"),
            ParamSpec::micros("staleness", "Load information's age (p2c)", 0, 0, 10 * SEC),
            ParamSpec::choice("hashing", "Hashing scheme", hashing::SCHEMES, "ring"),
            at_least_one(ParamSpec::count(
                "vnodes",
                "Virtual nodes per server",
                100,
                1_000,
            )),
            ParamSpec::count("bound", "Bounded load (% of the mean; 0 = off)", 0, 1_000),
            at_least_one(ParamSpec::count(
                "keys",
                "Distinct request keys",
                1_000,
                1_000_000,
            )),
            ParamSpec::micros("health", "Health-check interval", 100 * MS, MS, 5 * SEC),
            ParamSpec::choice("detector", "Failure detector", DETECTORS, "timeout"),
            ParamSpec::micros(
                "timeout",
                "Timeout detector's limit",
                300 * MS,
                MS,
                10 * SEC,
            ),
            at_least_one(ParamSpec::count("threshold", "φ threshold", 8, 50)),
        ];
        for p in workload::params() {
            params.push(match p.key {
                CLIENTS => ParamSpec {
                    default: 4,
                    min: 1,
                    ..p
                },
                "rate" => ParamSpec { default: 50, ..p },
                "retry" => ParamSpec {
                    default: 2 * SEC,
                    ..p
                },
                _ => p,
            });
        }
        ProtocolInfo {
            name: "loadbalance",
            title: "Load balancing",
            min_nodes: 1,
            max_nodes: 1,
            default_nodes: 1,
            default_latency: (1_000, 2_000),
            params,
            bugs: Vec::from(BUGS),
            invariants: vec![
                InvariantSpec {
                    name: checker::ACCOUNTED,
                    statement: "Every request the balancer takes ends exactly once: served, dropped, failed or forgotten with a failed server.",
                },
                InvariantSpec {
                    name: checker::BOUNDED,
                    statement: "No server serves more requests than it has workers or queues more than its queue holds.",
                },
            ],
            roles: vec!["balancer"],
            epoch_name: "",
            client_label: "Request",
            timeout_label: "Check health now",
            series: [
                &[series::QUEUE, series::UTILISATION, series::DROPPED][..],
                &workload::SERIES,
            ]
            .concat(),
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
                charts: [
                    workload::charts(),
                    vec![
                        ChartSpec::of("Requests dropped by full queues", &[series::DROPPED.name]),
                        ChartSpec::of("Requests queued at each server", &[series::QUEUE.name]),
                        ChartSpec::of(
                            "Utilisation of each server (%)",
                            &[series::UTILISATION.name],
                        ),
                    ],
                ]
                .concat(),
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
    let members: Vec<(NodeId, bool)> = b.known().iter().map(|k| (k.id, k.healthy)).collect();
    let all: Vec<NodeId> = members.iter().map(|m| m.0).collect();
    let ring = hashing::Ring::new(&b.healthy_ids(), s.hashing.vnodes);
    let points = ring.points();
    let step = points.len().div_ceil(HashRingView::MAX_POINTS).max(1);
    // The key space's shares: the ring's arcs, or for the other schemes the keys counted.
    let shares: Vec<u32> = if s.hashing.scheme == hashing::Scheme::Ring {
        (ring.shares(&all).iter())
            .map(|f| (f * 1000.0).round() as u32)
            .collect()
    } else {
        let keys = s.keys.min(balancer::MOVED_SAMPLE);
        let mut counts = vec![0u64; all.len()];
        let healthy = b.healthy_ids();
        for k in 0..keys {
            let owner = hashing::place(s.hashing.scheme, k, &healthy, &ring);
            if let Some(i) = owner.and_then(|o| all.iter().position(|&x| x == o)) {
                counts[i] += 1;
            }
        }
        (counts.iter())
            .map(|&c| ((c * 1000 + keys / 2) / keys.max(1)) as u32)
            .collect()
    };
    HashRingView {
        scheme: hashing::SCHEMES[s.hashing.scheme as usize],
        members,
        // Only the ring scheme has virtual nodes to draw.
        points: (points.iter().step_by(step))
            .filter(|_| s.hashing.scheme == hashing::Scheme::Ring)
            .map(|&(p, id)| (((u128::from(p) * 1_000_000) >> 64) as u32, id))
            .collect(),
        vnodes: s.hashing.vnodes,
        keys: s.keys.min(balancer::MOVED_SAMPLE),
        shares,
        moved: b.moved(),
        spread: (SPREAD_VNODES.iter())
            .map(|&v| {
                let keys = 0..s.keys.min(SPREAD_SAMPLE);
                let spread = hashing::ring_spread(keys, &all, v);
                let milli = |x: f64| (x * 1000.0).round() as u32;
                (v, milli(spread.max_over_mean), milli(spread.relative_std))
            })
            .collect(),
    }
}

/// The numbers of virtual nodes the spread chart compares.
const SPREAD_VNODES: [u32; 8] = [1, 2, 5, 10, 20, 50, 100, 200];
/// Most keys placed for the spread chart.
const SPREAD_SAMPLE: u64 = 10_000;
