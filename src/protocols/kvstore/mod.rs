//! A replicated key–value store, to see what each design really guarantees: clients run reads,
//! writes and compare-and-sets on a few keys, every operation is recorded as an invocation and
//! a completion (a Jepsen-style history), and checkers judge the history as it grows.
//!
//! Designs, the `mode` parameter: `raft` (everything through the project's Raft log),
//! `raft-readindex` (ReadIndex reads), `raft-lease` (leader-lease reads, broken by a slow
//! clock), `raft-follower` (any replica answers reads: stale) and `quorum` (leaderless,
//! Dynamo-style: `r` and `w` of the replicas, read repair, and `reconcile`: the last writer by
//! its clock wins, or version vectors keep concurrent writes as siblings).
//!
//! * [`op`] — operations, results, and how they travel in a Raft entry;
//! * [`msg`] — messages and trace notes (the clients' notes are the history's events);
//! * [`settings`] — the run's settings;
//! * [`version`] — a leaderless replica's versions: last writer wins or version vectors;
//! * [`replica`], [`client`] — the two node kinds;
//! * [`checker`] — linearizability, read-your-writes, monotonic reads.
//!
//! The deliberate bugs are designs: `raft-follower`, `raft-lease` with clock drift, and
//! `quorum` with `r + w ≤ n` each give non-linearizable histories the checker catches, and
//! `quorum` with last-writer-wins under clock skew loses updates.

#![warn(missing_docs)]

pub mod checker;
pub mod client;
pub mod msg;
pub mod op;
pub mod replica;
pub mod settings;
pub mod version;

pub use checker::KvChecker;
pub use client::{Client, ClientTimer};
pub use msg::{KvNote, Msg};
pub use op::{Op, OpResult};
pub use replica::Replica;
pub use settings::{Mode, Settings};
pub use version::{Reconcile, Siblings, Versioned};

use crate::protocols::raft;
use crate::sim::workload::{self, CLIENT, CLIENTS};
use crate::sim::{
    ChartSpec, Ctx, Host, InvariantSpec, KindSpec, MS, Micros, Node, NodeId, NodeView, Panel,
    ParamSpec, Picture, Placement, Protocol, ProtocolInfo, SEC, Setup, Unit,
};

/// The store, as registered with the simulator.
pub struct KvStore;

/// A node of a store run: a replica (the main kind) or a client.
#[derive(Clone, Debug)]
pub enum KvNode {
    /// A replica.
    Replica(Box<Replica>),
    /// A client.
    Client(Box<Client>),
}

/// Every timer of a store run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A replica's Raft timer.
    Raft(raft::Timer),
    /// Raft-lease: the leader renews its lease.
    Renew,
    /// Quorum: a replica sends its store to a peer.
    AntiEntropy,
    /// A client's timer.
    Client(ClientTimer),
}

impl KvNode {
    /// The operation events of the input just handled (the checker reads them).
    pub fn fresh(&self) -> &[KvNote] {
        match self {
            KvNode::Replica(r) => &r.fresh,
            KvNode::Client(c) => &c.fresh,
        }
    }

    /// The replica, if this node is one.
    pub fn replica(&self) -> Option<&Replica> {
        match self {
            KvNode::Replica(r) => Some(r),
            KvNode::Client(_) => None,
        }
    }
}

impl Node for KvNode {
    type Msg = Msg;
    type Timer = Timer;
    type Note = KvNote;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            KvNode::Replica(r) => r.start(ctx),
            KvNode::Client(c) => c.start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (KvNode::Client(c), Msg::Reply { req, result }) => c.on_reply(ctx, from, req, result),
            (KvNode::Client(c), _) => c.fresh.clear(),
            (KvNode::Replica(r), msg) => r.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (self, timer) {
            (KvNode::Client(c), Timer::Client(t)) => c.on_timer(ctx, t),
            (KvNode::Client(c), _) => c.fresh.clear(),
            (KvNode::Replica(r), t) => r.on_timer(ctx, t),
        }
    }

    fn on_client_request(&mut self, ctx: &mut Ctx<'_, Self>, _command: u64) {
        match self {
            KvNode::Replica(r) => r.visitor_write(ctx),
            KvNode::Client(c) => c.fresh.clear(),
        }
    }

    fn on_force_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            KvNode::Replica(r) => r.force_timeout(ctx),
            KvNode::Client(c) => c.fresh.clear(),
        }
    }

    fn crash(&mut self) {
        match self {
            KvNode::Replica(r) => r.crash(),
            KvNode::Client(c) => c.fresh.clear(),
        }
    }

    fn accepts_clients(&self) -> bool {
        match self {
            KvNode::Replica(r) => r.raft.role() == raft::Role::Leader,
            KvNode::Client(_) => false,
        }
    }

    fn is_countdown(timer: &Timer) -> bool {
        matches!(timer, Timer::Raft(t) if raft::RaftNode::is_countdown(t))
    }

    fn view(&self) -> NodeView {
        self.view_at(0)
    }

    fn view_at(&self, now: Micros) -> NodeView {
        match self {
            KvNode::Replica(r) => r.view(now),
            KvNode::Client(c) => c.view(),
        }
    }
}

/// The invariants, as the page lists them.
const INVARIANTS: [InvariantSpec; 4] = [
    InvariantSpec {
        name: checker::LINEARIZABLE,
        statement: "Every key's operations can be put in one order, consistent with real time, in which each read returns the latest write (unknown outcomes may or may not take effect).",
    },
    InvariantSpec {
        name: checker::READ_YOUR_WRITES,
        statement: "A client's read returns its own latest acknowledged write of the key, or a newer value.",
    },
    InvariantSpec {
        name: checker::MONOTONIC_READS,
        statement: "A client's reads of a key never return a value older than one it read before.",
    },
    InvariantSpec {
        name: checker::NO_LOST_UPDATES,
        statement: "A leaderless replica never keeps a write over a later one whose coordinator had seen it.",
    },
];

const PARAMS: [ParamSpec; 13] = [
    ParamSpec::new("mode", "Design", Unit::Choice(settings::MODES), 0, 0, 4),
    ParamSpec::new(CLIENTS, "Clients", Unit::Count, 3, 1, 15),
    ParamSpec::new("keys", "Keys", Unit::Count, 2, 1, op::MAX_KEYS),
    ParamSpec::new(
        "rate",
        "Operations per second per client",
        Unit::Count,
        10,
        1,
        200,
    ),
    ParamSpec::new("reads", "Reads (% of operations)", Unit::Count, 50, 0, 100),
    ParamSpec::new(
        "cas",
        "Compare-and-sets (% of operations; none in quorum mode)",
        Unit::Count,
        20,
        0,
        100,
    ),
    ParamSpec::new(
        "timeout",
        "Client timeout (outcome unknown)",
        Unit::Micros,
        500 * MS,
        10 * MS,
        10 * SEC,
    ),
    ParamSpec::new(
        "lease",
        "Leader lease, on the leader's clock (raft-lease)",
        Unit::Micros,
        90 * MS,
        MS,
        10 * SEC,
    ),
    ParamSpec::new(
        "drift",
        "Clock rates, up to ± (ppm)",
        Unit::Count,
        0,
        0,
        500_000,
    ),
    ParamSpec::new(
        "skew",
        "Clock offsets, up to ±",
        Unit::Micros,
        0,
        0,
        10 * SEC,
    ),
    ParamSpec::new(
        "r",
        "Quorum: replicas a read waits for (R)",
        Unit::Count,
        2,
        1,
        7,
    ),
    ParamSpec::new(
        "w",
        "Quorum: replicas a write waits for (W)",
        Unit::Count,
        2,
        1,
        7,
    ),
    ParamSpec::new(
        "read_repair",
        "Quorum: read repair",
        Unit::Choice(settings::REPAIRS),
        0,
        0,
        2,
    ),
];

/// Quorum: how replicas reconcile versions.
const RECONCILE: ParamSpec = ParamSpec::new(
    "reconcile",
    "Quorum: reconcile versions by",
    Unit::Choice(version::RECONCILES),
    0,
    0,
    1,
);

/// Quorum: how often each replica sends its store to a peer.
const ANTI_ENTROPY: ParamSpec = ParamSpec::new(
    "anti_entropy",
    "Quorum: anti-entropy every (0: off)",
    Unit::Micros,
    SEC,
    0,
    60 * SEC,
);

impl Protocol for KvStore {
    type Node = KvNode;
    type Checker = KvChecker;

    fn info() -> ProtocolInfo {
        let mut params = crate::protocols::election::params();
        params.extend(PARAMS);
        params.push(ANTI_ENTROPY);
        params.push(RECONCILE);
        ProtocolInfo {
            name: "kvstore",
            title: "Key–value store",
            min_nodes: 1,
            max_nodes: version::MAX_REPLICAS,
            default_nodes: 3,
            default_latency: (10_000, 15_000),
            params,
            bugs: Vec::new(),
            invariants: Vec::from(INVARIANTS),
            // Least to most prominent: a Raft leader wears the crown, a leaderless replica none.
            roles: vec!["follower", "replica", "candidate", "leader"],
            epoch_name: "term",
            client_label: "Write x",
            timeout_label: "Time out",
            series: Vec::from(workload::SERIES),
            kinds: vec![KindSpec {
                name: CLIENT,
                count: CLIENTS,
                host: Host::Protocol,
                panel: Panel::Table,
            }],
            picture: Picture {
                placement: Placement::Columns(&[CLIENT, "follower"]),
                panel: Panel::Table,
                charts: vec![
                    ChartSpec::of("Client-observed latency", &[workload::LATENCY.name]),
                    ChartSpec::of(
                        "Operations per second by outcome",
                        &[
                            workload::OK.name,
                            workload::FAILED.name,
                            workload::TIMED_OUT.name,
                        ],
                    ),
                ],
                tradeoff: None,
            },
            compare: crate::sim::CompareSpec {
                sweep: Some("mode"),
                crashes: None,
            },
            live: crate::sim::LiveSpec::default(),
        }
    }

    fn validate(setup: &Setup) -> Result<(), String> {
        let s = Settings::of(setup);
        crate::protocols::election::validate(
            s.raft.election_min,
            s.raft.election_max,
            s.raft.heartbeat,
        )?;
        if s.mode == Mode::Quorum && (s.r > s.replicas || s.w > s.replicas) {
            return Err(format!(
                "r ({}) and w ({}) cannot exceed the {} replicas",
                s.r, s.w, s.replicas
            ));
        }
        if setup.param("reads") + setup.param("cas") > 100 {
            return Err("reads and compare-and-sets add up to more than 100%".into());
        }
        Ok(())
    }

    fn new_node(id: NodeId, setup: &Setup) -> KvNode {
        let s = Settings::of(setup);
        let clients = setup.ids_of(CLIENT);
        if clients.contains(&id) {
            KvNode::Client(Box::new(Client::new(u64::from(id - clients.start()), s)))
        } else {
            KvNode::Replica(Box::new(Replica::new(id, s)))
        }
    }

    fn new_checker(setup: &Setup) -> KvChecker {
        KvChecker::new(&Settings::of(setup))
    }

    fn summary(nodes: &[KvNode], up: &[bool]) -> Vec<(String, String)> {
        // Convergence: do the running replicas hold the same copy of every key? Under Raft a
        // follower applies an entry a heartbeat after the leader, so while clients write, only
        // replicas at the same log position can agree: those behind are named with their lag.
        let running: Vec<(NodeId, &Replica)> = (nodes.iter().zip(up).zip(1..))
            .filter_map(|((n, &up), id)| n.replica().filter(|_| up).map(|r| (id, r)))
            .collect();
        let newest = running.iter().map(|(_, r)| r.applied()).max().unwrap_or(0);
        let (level, behind): (Vec<_>, Vec<_>) =
            (running.iter()).partition(|(_, r)| r.applied() == newest);
        let Some(&&(_, first)) = level.first() else {
            return Vec::new();
        };
        let differ: Vec<String> = (0..first.store.len())
            .filter(|&k| {
                level
                    .iter()
                    .any(|(_, c)| c.store[k].values() != first.store[k].values())
            })
            .map(|k| op::key_name(k as u8))
            .collect();
        let mut line = if !differ.is_empty() {
            format!("copies differ on {}", differ.join(", "))
        } else if behind.is_empty() {
            format!("the {} running agree on every key", level.len())
        } else if let [(id, _)] = level[..] {
            format!("Node {id} has applied up to entry {newest}")
        } else {
            let ids: Vec<String> = level.iter().map(|(id, _)| id.to_string()).collect();
            let (last, rest) = ids.split_last().expect("two or more");
            let nodes = format!("{} and {last}", rest.join(", "));
            format!("Nodes {nodes}, at entry {newest}, agree on every key")
        };
        for (id, r) in behind {
            let lag = newest - r.applied();
            let s = if lag == 1 { "y" } else { "ies" };
            line.push_str(&format!("; Node {id} is {lag} entr{s} behind"));
        }
        vec![("Replicas".to_string(), line)]
    }
}
