//! Single-decree Paxos (Lamport, "Paxos Made Simple", 2001): proposers, acceptors and learners
//! agree on one value, checked against the paper's safety requirements.
//!
//! * [`node`] — one node playing any of the three roles, as a sans-IO state machine;
//! * [`msg`] — phase 1a/1b, 2a/2b and Nack, and the notes written to the trace;
//! * [`checker`] — the incremental safety checker;
//! * [`common`] — ballots, node sets and the vote tally, shared with Multi-Paxos;
//! * `view` — what the page shows of a node.
//!
//! Roles are assigned by count: proposers are nodes `1..=proposers`, acceptors the last
//! `acceptors` nodes, learners nodes `1..=learners` (0 means every node, the default). So
//! `proposers=2&acceptors=3` on five nodes gives two proposers (1, 2), three acceptors (3, 4, 5)
//! and five learners.
//!
//! A proposal starts from a client request (value = the command), from a forced timeout
//! (the current proposal again, with a higher ballot) and — with `auto_propose` on, the
//! default — from every proposer shortly after it starts, with its own value 100 × id. Several
//! proposers starting together duel until their randomized backoffs separate them.
//!
//! Three deliberate bugs can be switched on: `forget_promise`, `ignore_accepted` and
//! `mixed_ballot_learner`.

#![warn(missing_docs)]

pub mod checker;
pub mod common;
pub mod msg;
pub mod node;
mod view;

#[cfg(test)]
pub(crate) mod testnet;
#[cfg(test)]
mod tests;

pub use checker::PaxosChecker;
pub use common::{Ballot, NodeSet};
pub use msg::{Msg, PaxosNote, Vote};
pub use node::{Acceptor, Config, Learner, PaxosNode, Phase, Proposer, Roles, Timer};

use crate::sim::{BugSpec, InvariantSpec, NodeId, ParamSpec, Protocol, ProtocolInfo, Setup};

/// Single-decree Paxos, as registered with the simulator.
pub struct Paxos;

/// Bug toggle: acceptors lose their promise and accepted proposal on a crash.
pub const BUG_FORGET_PROMISE: &str = "forget_promise";
/// Bug toggle: proposers ignore accepted values reported in promises.
pub const BUG_IGNORE_ACCEPTED: &str = "ignore_accepted";
/// Bug toggle: learners count acceptances of a value across different ballots.
pub const BUG_MIXED_BALLOT_LEARNER: &str = "mixed_ballot_learner";

impl Paxos {
    /// The node configuration a setup describes.
    pub fn config(setup: &Setup) -> Config {
        Config {
            proposers: setup.param("proposers") as usize,
            acceptors: setup.param("acceptors") as usize,
            learners: setup.param("learners") as usize,
            auto_propose: setup.param("auto_propose") != 0,
            round_timeout: setup.param("round_timeout"),
            backoff_min: setup.param("backoff_min"),
            backoff_max: setup.param("backoff_max"),
            learn_timeout: setup.param("learn_timeout"),
            forget_promise: setup.bug(BUG_FORGET_PROMISE),
            ignore_accepted: setup.bug(BUG_IGNORE_ACCEPTED),
            mixed_ballot_learner: setup.bug(BUG_MIXED_BALLOT_LEARNER),
        }
    }
}

impl Protocol for Paxos {
    type Node = PaxosNode;
    type Checker = PaxosChecker;

    fn info() -> ProtocolInfo {
        ProtocolInfo {
            name: "paxos",
            title: "Paxos",
            min_nodes: 1,
            max_nodes: common::MAX_NODES,
            default_nodes: 5,
            default_latency: (10_000, 15_000),
            params: vec![
                ParamSpec::count("proposers", "Proposers: nodes 1 to k (0 = all)", 0, 25),
                ParamSpec::count("acceptors", "Acceptors: the last k nodes (0 = all)", 0, 25),
                ParamSpec::count("learners", "Learners: nodes 1 to k (0 = all)", 0, 25),
                ParamSpec::count(
                    "auto_propose",
                    "Proposers start on their own (1 = yes)",
                    1,
                    1,
                ),
                ParamSpec::micros(
                    "round_timeout",
                    "Round timeout",
                    200_000,
                    10_000,
                    10_000_000,
                ),
                ParamSpec::micros(
                    "backoff_min",
                    "Backoff after a Nack, minimum",
                    10_000,
                    1_000,
                    5_000_000,
                ),
                ParamSpec::micros(
                    "backoff_max",
                    "Backoff after a Nack, maximum",
                    100_000,
                    1_000,
                    10_000_000,
                ),
                ParamSpec::micros(
                    "learn_timeout",
                    "Learner's wait before asking",
                    300_000,
                    10_000,
                    20_000_000,
                ),
            ],
            bugs: vec![
                BugSpec {
                    key: BUG_FORGET_PROMISE,
                    description: "Acceptors keep their promise and accepted proposal in memory only: after a crash they promise and accept as if new, so a later proposer can miss a chosen value.",
                },
                BugSpec {
                    key: BUG_IGNORE_ACCEPTED,
                    description: "A proposer with a value of its own proposes it even when a promise reports an accepted value, overwriting a value that may already be chosen.",
                },
                BugSpec {
                    key: BUG_MIXED_BALLOT_LEARNER,
                    description: "Learners add up acceptances of a value across different ballots, so they can learn a value that no majority accepted in any one ballot.",
                },
            ],
            invariants: vec![
                InvariantSpec {
                    name: checker::SINGLE_CHOICE,
                    statement: "Only a single value is chosen: no two ballots see a majority of acceptors accept different values.",
                },
                InvariantSpec {
                    name: checker::LEARNED_IS_CHOSEN,
                    statement: "A learner learns a value only if it has been chosen (accepted by a majority of acceptors in one ballot).",
                },
                InvariantSpec {
                    name: checker::PROMISE_RESPECTED,
                    statement: "An acceptor never accepts a proposal in a ballot lower than one it has promised.",
                },
            ],
            roles: vec!["learner", "acceptor", "proposer"],
            epoch_name: "round",
            client_label: "Propose a value",
            timeout_label: "Retry with a higher ballot",
            series: Vec::new(),
            kinds: Vec::new(),
            picture: crate::sim::Picture::default(),
            compare: crate::sim::CompareSpec::default(),
            live: crate::sim::LiveSpec::default(),
        }
    }

    fn validate(setup: &Setup) -> Result<(), String> {
        for key in ["proposers", "acceptors", "learners"] {
            let k = setup.param(key);
            if k as usize > setup.nodes {
                return Err(format!(
                    "{key}={k} is more than the {} nodes of the cluster",
                    setup.nodes
                ));
            }
        }
        let cfg = Paxos::config(setup);
        if cfg.backoff_min > cfg.backoff_max {
            return Err(format!(
                "the backoff minimum ({} ms) is above its maximum ({} ms)",
                crate::sim::param::millis(cfg.backoff_min),
                crate::sim::param::millis(cfg.backoff_max)
            ));
        }
        Ok(())
    }

    fn new_node(id: NodeId, setup: &Setup) -> PaxosNode {
        PaxosNode::new(id, setup.nodes, Paxos::config(setup))
    }

    fn new_checker(setup: &Setup) -> PaxosChecker {
        PaxosChecker::new(setup.nodes, setup.param("acceptors") as usize)
    }

    /// What is chosen (from every acceptor's record of what it accepted, whether or not any
    /// learner knows yet) and what each running learner has learned.
    fn summary(nodes: &[PaxosNode], up: &[bool]) -> Vec<(String, String)> {
        vec![
            ("Chosen".to_string(), chosen_line(nodes)),
            ("Learned".to_string(), learned_line(nodes, up)),
        ]
    }
}

/// "value 7 — accepted by 3 of 5 acceptors in ballot 2.1", or what came closest.
fn chosen_line(nodes: &[PaxosNode]) -> String {
    let acceptors: Vec<&PaxosNode> = nodes.iter().filter(|n| n.roles().acceptor).collect();
    let total = acceptors.len();
    let quorum = common::majority(total);
    let mut votes: Vec<(Ballot, u64, usize)> = Vec::new();
    for v in acceptors.iter().flat_map(|n| &n.acceptor().history) {
        match votes.iter_mut().find(|e| (e.0, e.1) == (v.ballot, v.value)) {
            Some(e) => e.2 += 1,
            None => votes.push((v.ballot, v.value, 1)),
        }
    }
    crate::sim::small_sort::sort_small(&mut votes);
    let chosen: Vec<&(Ballot, u64, usize)> = votes.iter().filter(|e| e.2 >= quorum).collect();
    match chosen.first() {
        None => match votes.iter().max_by_key(|e| (e.2, e.0)) {
            None => "nothing yet (no acceptor has accepted anything)".to_string(),
            Some((b, v, k)) => {
                format!("nothing yet (highest: value {v}, {k} of {total} in ballot {b})")
            }
        },
        Some((b, v, k)) => match chosen.iter().find(|e| e.1 != *v) {
            None => format!("value {v} — accepted by {k} of {total} acceptors in ballot {b}"),
            Some((b2, v2, _)) => {
                format!("TWO VALUES: {v} (ballot {b}) and {v2} (ballot {b2})")
            }
        },
    }
}

/// "value 7: Nodes 1, 2, 4 · not yet: Nodes 3, 5", over the learners that are running.
fn learned_line(nodes: &[PaxosNode], up: &[bool]) -> String {
    let mut by_value: Vec<(Option<u64>, Vec<String>)> = Vec::new();
    for (node, _) in nodes
        .iter()
        .zip(up)
        .filter(|(n, up)| **up && n.roles().learner)
    {
        let key = node.learned().map(|v| v.value);
        match by_value.iter_mut().find(|e| e.0 == key) {
            Some(e) => e.1.push(node.id().to_string()),
            None => by_value.push((key, vec![node.id().to_string()])),
        }
    }
    crate::sim::small_sort::sort_small_by_key(&mut by_value, |e| (e.0.is_none(), e.0));
    if by_value.is_empty() {
        return "no learner is running".to_string();
    }
    let parts: Vec<String> = by_value
        .iter()
        .map(|(v, ids)| {
            let who = format!(
                "Node{} {}",
                if ids.len() > 1 { "s" } else { "" },
                ids.join(", ")
            );
            match v {
                Some(v) => format!("value {v}: {who}"),
                None => format!("not yet: {who}"),
            }
        })
        .collect();
    parts.join(" · ")
}
