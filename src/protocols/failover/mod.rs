//! Fault tolerance: the checker pattern and primary–backup replication with failover, failback
//! and fencing.
//!
//! A run holds `nodes` replicas of a key–value register (ids `1..=nodes`), one manager after
//! them, and workload clients that write to the primary. Every component runs a checker
//! ([`watch`]) over heartbeats with a failure detector ([`crate::protocols::detector`]: a fixed timeout, or φ
//! accrual with a normal or exponential model); a replica's checker reports what it suspects to
//! the manager ([`manager`]), which declares replicas failed and reconfigures: it promotes the
//! most up-to-date backup when the primary fails, removes failed backups, admits replicas that
//! come back once they have caught up, and hands the role back to the preferred primary
//! (failback). The replicas ([`replica`]) replicate synchronously or asynchronously, with or
//! without fencing.
//!
//! * [`node`] — the node type (a replica or the manager) and the run's settings;
//! * [`msg`] — messages, the configuration, and the notes written to the trace;
//! * [`checker`] — the invariants, and the true/false tally of the manager's suspicions.
//!
//! The deliberate bugs are two parameters: `replication=async` (a primary acknowledges before
//! any backup holds the write, so a failover loses it) and `fencing=0` (a deposed primary that
//! did not hear of its successor keeps acknowledging writes: split brain).
//!
//! Clients also read (`reads=` percent of their requests): from the primary, or with
//! `read_from=any` from any replica's own copy, which may be stale (the checker counts reads
//! that miss an acknowledged write: strong against eventual consistency).
//!
//! Not modelled: a replicated manager (it is a single point of failure, and the page says so).

#![warn(missing_docs)]

pub mod checker;
pub mod manager;
pub mod msg;
pub mod node;
pub mod replica;
pub mod watch;

pub use checker::FailoverChecker;
pub use node::{FailoverNode, Settings};

use crate::sim::metrics::{Series, SeriesKind};
use crate::sim::param::Unit;
use crate::sim::workload::{self, CLIENTS, Wire};
use crate::sim::{
    ChartSpec, Host, InvariantSpec, KindSpec, MS, NodeId, Panel, ParamSpec, Picture, Placement,
    Protocol, ProtocolInfo, SEC, Setup, TradeoffSpec, TradeoffSweep,
};

/// The metric series of a failover run.
pub mod metrics {
    use super::*;

    /// How suspicious each replica's silence looks to the manager, in hundredths (φ × 100, or
    /// 0/100 for a timeout; capped at twice the threshold); the chart draws the threshold.
    pub const SUSPICION: Series = Series {
        name: "suspicion",
        kind: SeriesKind::Gauge,
        title: "Suspicion of each replica at the manager",
    };
}

/// The manager kind's name.
pub const MANAGER: &str = "manager";

/// The failover protocol, as registered with the simulator.
pub struct Failover;

const DETECTORS: &[&str] = &["timeout", "phi"];
const PHI_MODELS: &[&str] = &["normal", "exponential"];
const REPLICATION: &[&str] = &["sync", "async"];

/// A parameter as a constant (the page's copy is then data, not code that builds it).
const fn param(key: &'static str, label: &'static str, unit: Unit, default: u64) -> ParamSpec {
    let max = match unit {
        Unit::Choice(names) => names.len() as u64 - 1,
        _ => 1,
    };
    ParamSpec {
        key,
        label,
        unit,
        default,
        min: 0,
        max,
    }
}

/// The protocol's own parameters (the workload's follow them).
const PARAMS: [ParamSpec; 9] = [
    param("replication", "Replication", Unit::Choice(REPLICATION), 0),
    param("fencing", "Fencing (epochs checked)", Unit::Count, 1),
    param("failback", "Failback to Node 1", Unit::Count, 1),
    param("detector", "Failure detector", Unit::Choice(DETECTORS), 1),
    param("phi_model", "φ arrival model", Unit::Choice(PHI_MODELS), 0),
    ParamSpec {
        min: 1,
        max: 50,
        ..param("threshold", "φ threshold", Unit::Count, 8)
    },
    ParamSpec {
        min: MS,
        max: 10 * SEC,
        ..param(
            "timeout",
            "Timeout detector's limit",
            Unit::Micros,
            300 * MS,
        )
    },
    ParamSpec {
        min: MS,
        max: 5 * SEC,
        ..param("heartbeat", "Heartbeat interval", Unit::Micros, 100 * MS)
    },
    ParamSpec {
        min: 1,
        ..param("managers", "Managers", Unit::Count, 1)
    },
];

/// The run's metric series: the manager's suspicion first, then the workload's.
const SERIES: [Series; 5] = [
    metrics::SUSPICION,
    workload::SERIES[0],
    workload::SERIES[1],
    workload::SERIES[2],
    workload::SERIES[3],
];

/// A (label, value) line of the page's summary (one function for every line: each
/// `to_string` of a label would be its own copy of the allocation code).
#[inline(never)]
pub(crate) fn fact(label: &str, value: String) -> (String, String) {
    (label.to_string(), value)
}

const INVARIANTS: [InvariantSpec; 2] = [
    InvariantSpec {
        name: checker::DURABILITY,
        statement: "A write acknowledged to a client is never lost: every later primary holds it.",
    },
    InvariantSpec {
        name: checker::SINGLE_PRIMARY,
        statement: "At most one replica acknowledges writes as primary of an epoch at a time.",
    },
];

const SUSPICION_CHART: ChartSpec = ChartSpec::of(
    "Suspicion of each replica at the manager",
    &[metrics::SUSPICION.name],
)
.per(100)
.limit("threshold", |setup| {
    Settings::of(setup).detector.threshold()
});

const TRADEOFF: TradeoffSpec = TradeoffSpec {
    sweeps: &[
        TradeoffSweep {
            when: Some(("detector", "phi")),
            key: "threshold",
            values: &[1, 2, 4, 8, 12],
        },
        TradeoffSweep {
            when: Some(("detector", "timeout")),
            key: "timeout",
            values: &[150 * MS, 200 * MS, 300 * MS, 500 * MS],
        },
    ],
    figures: &[checker::CRASH_DETECTION, checker::FALSE_SUSPICIONS],
};

impl Protocol for Failover {
    type Node = FailoverNode;
    type Checker = FailoverChecker;

    fn info() -> ProtocolInfo {
        let mut params = Vec::from(PARAMS);
        params.append(&mut workload::params());
        params.append(&mut workload::read_params());
        for p in &mut params {
            if p.key == CLIENTS {
                p.default = 2;
            }
        }
        let mut charts = workload::charts();
        charts.insert(0, SUSPICION_CHART);
        ProtocolInfo {
            name: "failover",
            title: "Primary–backup failover",
            min_nodes: 2,
            max_nodes: 7,
            default_nodes: 3,
            default_latency: (10_000, 15_000),
            params,
            bugs: Vec::new(),
            invariants: Vec::from(INVARIANTS),
            roles: vec!["removed", "joining", "backup", "primary"],
            epoch_name: "epoch",
            client_label: "Write",
            timeout_label: "Heartbeat now",
            series: Vec::from(SERIES),
            kinds: vec![
                KindSpec {
                    name: MANAGER,
                    count: "managers",
                    host: Host::Protocol,
                    panel: Panel::Table,
                },
                workload::kind(),
            ],
            picture: Picture {
                placement: Placement::Star { hub: MANAGER },
                panel: Panel::Log,
                charts,
                tradeoff: Some(TRADEOFF),
            },
            compare: crate::sim::CompareSpec::default(),
            live: crate::sim::LiveSpec::default(),
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
        if let crate::protocols::detector::Detector::Timeout { after } = s.detector
            && after <= s.heartbeat
        {
            return Err(format!(
                "the timeout ({} ms) must be longer than the heartbeat interval ({} ms)",
                after / MS,
                s.heartbeat / MS
            ));
        }
        Ok(())
    }

    fn new_node(id: NodeId, setup: &Setup) -> FailoverNode {
        let s = Settings::of(setup);
        if id == s.manager {
            FailoverNode::Manager(Box::new(manager::Manager::new(s)))
        } else {
            FailoverNode::Replica(Box::new(replica::Replica::new(id, s)))
        }
    }

    fn new_checker(setup: &Setup) -> FailoverChecker {
        FailoverChecker::new(setup.nodes)
    }

    fn summary(nodes: &[FailoverNode], up: &[bool]) -> Vec<(String, String)> {
        let manager = nodes.iter().find_map(FailoverNode::manager);
        let primary = manager.and_then(|m| m.config.primary);
        let mut lines = vec![fact(
            "Primary",
            primary.map_or("none".into(), |p| {
                format!("Node {p} (epoch {})", manager.map_or(0, |m| m.config.epoch))
            }),
        )];
        let manager_state = if up.last() == Some(&false) {
            "down: nothing fails over until it is back (a single point of failure)"
        } else {
            "up; a single point of failure: while it is down nothing fails over"
        };
        lines.push(fact("Manager", manager_state.into()));
        lines
    }
}
