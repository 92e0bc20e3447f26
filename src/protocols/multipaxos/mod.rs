//! Multi-Paxos (Lamport, "Paxos Made Simple", §3): a distinguished proposer runs phase 1 once
//! for every future slot and then phase 2 per client command, building a replicated log.
//!
//! * [`node`] — one replica (proposer, acceptor and learner) as a sans-IO state machine;
//! * [`acceptor`] — the acceptor's persistent promise and accepted proposals;
//! * [`msg`] — the messages and the notes written to the trace;
//! * [`checker`] — the incremental safety checker;
//! * `view` — what the page shows of a node.
//!
//! Leaders are elected by ballot with randomized election timeouts and kept by heartbeats, as
//! in Raft; unlike Raft, any replica can win, because phase 1 recovers every value that may
//! have been chosen. Ballots, node sets and the vote tally come from [`crate::protocols::paxos`].
//!
//! Three deliberate bugs can be switched on: `forget_promise`, `ignore_accepted` and
//! `mixed_ballot_learner`.
//!
//! Not modelled: log compaction, reconfiguration, client sessions, and batching several
//! slots into one message.

#![warn(missing_docs)]

pub mod acceptor;
pub mod checker;
pub mod msg;
pub mod node;
pub mod slots;
mod view;

#[cfg(test)]
mod tests;

pub use acceptor::Acceptor;
pub use checker::MultiChecker;
pub use msg::{Msg, MultiNote, SlotVote, Value, Vote};
pub use node::{Config, MultiNode, Pending, Role, Timer};

use std::fmt::Write;

use crate::protocols::paxos::common::MAX_NODES;
use crate::sim::workload::{self, Wire};
use crate::sim::{BugSpec, InvariantSpec, NodeId, Picture, Protocol, ProtocolInfo, Setup};

/// Multi-Paxos, as registered with the simulator.
pub struct MultiPaxos;

/// Bug toggle: acceptors lose their promise and accepted proposals on a crash.
pub const BUG_FORGET_PROMISE: &str = "forget_promise";
/// Bug toggle: a new leader ignores the values reported in promises.
pub const BUG_IGNORE_ACCEPTED: &str = "ignore_accepted";
/// Bug toggle: followers learn what they accepted in any ballot once the prefix covers it.
pub const BUG_MIXED_BALLOT_LEARNER: &str = "mixed_ballot_learner";

impl MultiPaxos {
    /// The node configuration a setup describes.
    pub fn config(setup: &Setup) -> Config {
        Config {
            election_min: setup.param("election_min"),
            election_max: setup.param("election_max"),
            heartbeat: setup.param("heartbeat"),
            forget_promise: setup.bug(BUG_FORGET_PROMISE),
            ignore_accepted: setup.bug(BUG_IGNORE_ACCEPTED),
            mixed_ballot_learner: setup.bug(BUG_MIXED_BALLOT_LEARNER),
        }
    }
}

/// The bug toggles, as the page lists them.
const BUGS: [BugSpec; 3] = [
    BugSpec {
        key: BUG_FORGET_PROMISE,
        description: "Acceptors keep their promise and accepted proposals in memory only: after a crash they accept what an old leader sends and report nothing to a new one.",
    },
    BugSpec {
        key: BUG_IGNORE_ACCEPTED,
        description: "A new leader ignores the accepted values reported in the promises and fills those slots with no-ops, overwriting values that may already be chosen.",
    },
    BugSpec {
        key: BUG_MIXED_BALLOT_LEARNER,
        description: "A follower takes whatever it accepted in a slot, in any ballot, as chosen once the leader says the slot is chosen, instead of only what it accepted in the leader's ballot.",
    },
];

/// The invariants, as the page lists them.
const INVARIANTS: [InvariantSpec; 4] = [
    InvariantSpec {
        name: checker::SINGLE_CHOICE,
        statement: "In every slot, at most one value is chosen (accepted by a majority of acceptors in one ballot).",
    },
    InvariantSpec {
        name: checker::LEARNED_IS_CHOSEN,
        statement: "A node learns that a slot holds a value only if that value is chosen in that slot.",
    },
    InvariantSpec {
        name: checker::PROMISE_RESPECTED,
        statement: "An acceptor never accepts a proposal in a ballot lower than one it has promised.",
    },
    InvariantSpec {
        name: checker::APPLIED_LOGS_AGREE,
        statement: "If two nodes have applied a slot, they applied the same value there.",
    },
];

impl Protocol for MultiPaxos {
    type Node = MultiNode;
    type Checker = MultiChecker;

    fn info() -> ProtocolInfo {
        ProtocolInfo {
            name: "multipaxos",
            title: "Multi-Paxos",
            min_nodes: 1,
            max_nodes: MAX_NODES,
            default_nodes: 5,
            default_latency: (10_000, 15_000),
            params: [super::election::params(), workload::params()].concat(),
            bugs: Vec::from(BUGS),
            invariants: Vec::from(INVARIANTS),
            roles: vec!["follower", "candidate", "leader"],
            epoch_name: "round",
            client_label: "Client request",
            timeout_label: "Time out",
            series: workload::SERIES.to_vec(),
            kinds: vec![workload::kind()],
            picture: Picture {
                charts: workload::charts(),
                ..Picture::default()
            },
            compare: crate::sim::CompareSpec::default(),
            live: crate::sim::LiveSpec::default(),
        }
    }

    fn wire() -> Option<Wire<Msg>> {
        Some(Wire {
            request: Msg::Request,
            response: Msg::response,
        })
    }

    fn validate(setup: &Setup) -> Result<(), String> {
        let cfg = MultiPaxos::config(setup);
        super::election::validate(cfg.election_min, cfg.election_max, cfg.heartbeat)
    }

    fn new_node(id: NodeId, setup: &Setup) -> MultiNode {
        MultiNode::new(id, setup.nodes, MultiPaxos::config(setup))
    }

    fn new_checker(setup: &Setup) -> MultiChecker {
        MultiChecker::new(setup.nodes)
    }

    /// Who leads, and how far the running replicas have applied the log.
    fn summary(nodes: &[MultiNode], up: &[bool]) -> Vec<(String, String)> {
        let running = || (nodes.iter().zip(up)).filter_map(|(n, &up)| up.then_some(n));
        let mut leaders = String::new();
        for n in running().filter(|n| n.role() == Role::Leader) {
            let sep = if leaders.is_empty() { "" } else { ", " };
            let _ = write!(leaders, "{sep}Node {} (ballot {})", n.id(), n.ballot());
        }
        // Replicas grouped by how far they applied, furthest first: each round takes the
        // furthest point below the previous one (no sort, so no sorting code of its own).
        let mut applied = String::new();
        let mut below: Option<u64> = None;
        while let Some(k) = (running().map(|n| n.learned()))
            .filter(|&k| below.is_none_or(|b| k < b))
            .max()
        {
            below = Some(k);
            let (mut ids, mut count) = (String::new(), 0);
            for n in running().filter(|n| n.learned() == k) {
                let sep = if count == 0 { "" } else { ", " };
                let _ = write!(ids, "{sep}{}", n.id());
                count += 1;
            }
            if !applied.is_empty() {
                applied.push_str(" · ");
            }
            match k {
                0 => applied.push_str("nothing"),
                k => {
                    let _ = write!(applied, "up to slot {k}");
                }
            }
            let plural = if count > 1 { "s" } else { "" };
            let _ = write!(applied, ": Node{plural} {ids}");
        }
        let or = |s: String, empty: &str| if s.is_empty() { empty.to_string() } else { s };
        vec![
            ("Leader".to_string(), or(leaders, "none")),
            ("Applied".to_string(), or(applied, "no replica is running")),
        ]
    }
}
