//! Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014):
//! leader election and log replication exactly as in Figure 2 of the paper, checked against
//! the five properties of its Figure 3.
//!
//! * [`node`] — one server as a sans-IO state machine (in the style of etcd-io/raft);
//! * [`msg`] — the RPCs as one-way messages, and the notes written to the trace;
//! * [`log`] — the replicated log;
//! * [`checker`] — the incremental safety checker;
//! * `view` — what the page shows of a node.
//!
//! Two deliberate bugs can be switched on: `vote_ignores_log` (voters skip the
//! log-up-to-date check of §5.4.1) and `commit_old_term` (leaders commit entries of earlier
//! terms by counting replicas, the scenario of Figure 8).
//!
//! Workload clients (`clients=N`) send requests over the network to the server they believe
//! leads; followers redirect them, the leader answers once the entry commits.
//!
//! Not modelled: membership changes, log compaction, client sessions and read requests.

#![warn(missing_docs)]

pub mod checker;
pub mod log;
pub mod msg;
pub mod node;
mod view;

#[cfg(test)]
mod tests;

pub use checker::RaftChecker;
pub use log::Log;
pub use msg::{Entry, Msg, RaftNote, Refusal};
pub use node::{Config, Progress, RaftNode, Role, Timer};

use crate::sim::metrics::{Series, SeriesKind};
use crate::sim::workload::{self, CLIENT, Wire};
use crate::sim::{
    BugSpec, ChartSpec, InvariantSpec, NodeId, Picture, Protocol, ProtocolInfo, Setup,
};

/// How long an entry a leader appended waits until that leader commits it (µs).
pub const COMMIT_LATENCY: Series = Series {
    name: "commit_latency",
    kind: SeriesKind::Latency,
    title: "Commit latency (append to commit, at the leader)",
};

/// Entries a leader committed (one sample per advance of its commit index).
pub const COMMITS: Series = Series {
    name: "commits",
    kind: SeriesKind::Counter,
    title: "Entries committed by the leader",
};

/// The Raft protocol, as registered with the simulator.
pub struct Raft;

/// Bug toggle: voters grant votes without the log-up-to-date check.
pub const BUG_VOTE_IGNORES_LOG: &str = "vote_ignores_log";
/// Bug toggle: leaders commit entries of earlier terms by counting replicas (Figure 8).
pub const BUG_COMMIT_OLD_TERM: &str = "commit_old_term";

impl Raft {
    /// The node configuration a setup describes.
    pub fn config(setup: &Setup) -> Config {
        Config {
            election_min: setup.param("election_min"),
            election_max: setup.param("election_max"),
            heartbeat: setup.param("heartbeat"),
            vote_ignores_log: setup.bug(BUG_VOTE_IGNORES_LOG),
            commit_old_term: setup.bug(BUG_COMMIT_OLD_TERM),
        }
    }
}

/// The bug toggles, as the page lists them (a constant table: cheaper in the page than a
/// vector built in code).
const BUGS: [BugSpec; 2] = [
    BugSpec {
        key: BUG_VOTE_IGNORES_LOG,
        description: "Voters grant their vote without checking that the candidate's log is at least as up to date as their own, so a leader can be elected without committed entries.",
    },
    BugSpec {
        key: BUG_COMMIT_OLD_TERM,
        description: "A leader commits an entry from an earlier term as soon as a majority stores it (Figure 8 of the paper): a later leader can still overwrite it.",
    },
];

/// The five properties of Figure 3, as the page lists them.
const INVARIANTS: [InvariantSpec; 5] = [
    InvariantSpec {
        name: checker::ELECTION_SAFETY,
        statement: "At most one leader can be elected in a given term.",
    },
    InvariantSpec {
        name: checker::LEADER_APPEND_ONLY,
        statement: "A leader never overwrites or deletes entries in its log; it only appends new entries.",
    },
    InvariantSpec {
        name: checker::LOG_MATCHING,
        statement: "If two logs contain an entry with the same index and term, then the logs are identical in all entries up through that index.",
    },
    InvariantSpec {
        name: checker::LEADER_COMPLETENESS,
        statement: "If a log entry is committed in a given term, it is present in the logs of the leaders of all higher terms.",
    },
    InvariantSpec {
        name: checker::STATE_MACHINE_SAFETY,
        statement: "If a server has applied a log entry at a given index, no other server ever applies a different entry at that index.",
    },
];

/// The metric series the nodes write: Raft's own, then the workload's.
const SERIES: [Series; 6] = [
    COMMIT_LATENCY,
    COMMITS,
    workload::SERIES[0],
    workload::SERIES[1],
    workload::SERIES[2],
    workload::SERIES[3],
];
// The table above copies every workload series: it must change if their number does.
const _: () = assert!(workload::SERIES.len() == 4);

impl Protocol for Raft {
    type Node = RaftNode;
    type Checker = RaftChecker;

    fn info() -> ProtocolInfo {
        let mut params = super::election::params();
        params.append(&mut workload::params());
        let mut charts = workload::charts();
        charts.push(ChartSpec::of("Entries committed per second", &["commits"]).when(CLIENT));
        ProtocolInfo {
            name: "raft",
            title: "Raft",
            min_nodes: 1,
            max_nodes: 25,
            default_nodes: 5,
            default_latency: (10_000, 15_000),
            params,
            bugs: Vec::from(BUGS),
            invariants: Vec::from(INVARIANTS),
            roles: vec!["follower", "candidate", "leader"],
            epoch_name: "term",
            client_label: "Client request",
            timeout_label: "Time out",
            series: Vec::from(SERIES),
            kinds: vec![workload::kind()],
            picture: Picture {
                charts,
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
        let cfg = Raft::config(setup);
        super::election::validate(cfg.election_min, cfg.election_max, cfg.heartbeat)
    }

    fn new_node(id: NodeId, setup: &Setup) -> RaftNode {
        RaftNode::new(id, setup.nodes, Raft::config(setup))
    }

    fn new_checker(setup: &Setup) -> RaftChecker {
        RaftChecker::new(setup.nodes)
    }
}
