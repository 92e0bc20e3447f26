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
//! Not registered yet: the page's pieces for it (the hashing ring, side-by-side comparison,
//! per-server queue panels) come next; the protocol runs natively and is tested.

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
    ChartSpec, Host, InvariantSpec, KindSpec, MS, NodeId, Panel, ParamSpec, Picture, Placement,
    Protocol, ProtocolInfo, SEC, Setup,
};

/// The server kind's name.
pub const SERVER: &str = "server";
/// The count parameter of servers: `servers=4` in links.
pub const SERVERS: &str = "servers";

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
            bugs: Vec::new(),
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
            epoch_name: "epoch",
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

    fn new_checker(setup: &Setup) -> LbChecker {
        let s = Settings::of(setup);
        LbChecker::new(s.workers, s.queue)
    }
}
