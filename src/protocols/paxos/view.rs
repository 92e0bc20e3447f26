//! How a single-decree Paxos node looks in the page: its most prominent role, the highest
//! round it knows, its accepted value as a one-entry log, and every field of every role.

use crate::sim::{EntryView, NodeView};

use super::node::{PaxosNode, Phase};

impl PaxosNode {
    /// The role to draw: `proposer` while proposing, else the most prominent role held.
    pub fn role_name(&self) -> &'static str {
        let r = self.roles;
        if self.proposer.phase.busy() || (r.proposer && !r.acceptor && !r.learner) {
            "proposer"
        } else if r.acceptor {
            "acceptor"
        } else {
            "learner"
        }
    }

    fn proposer_text(&self) -> String {
        let p = &self.proposer;
        let q = self.quorum;
        match p.phase {
            Phase::Idle => "idle".into(),
            Phase::Waiting if p.attempts == 0 => "about to propose".into(),
            Phase::Waiting => format!("backing off after {} failed rounds", p.attempts),
            Phase::Preparing => format!(
                "phase 1, ballot {}: {} of {q} promises ({})",
                p.ballot,
                p.promises.len(),
                p.promises
            ),
            Phase::Accepting => format!(
                "phase 2, ballot {}: value {}, {} of {q} accepted ({})",
                p.ballot,
                p.value.unwrap_or_default(),
                p.accepts.len(),
                p.accepts
            ),
            Phase::Done => match self.learner.learned {
                Some(v) => format!("done: value {} is chosen", v.value),
                None => format!(
                    "done: value {} chosen in ballot {}",
                    p.value.unwrap_or_default(),
                    p.ballot
                ),
            },
        }
    }

    /// Everything the page shows about this node.
    pub(super) fn node_view(&self) -> NodeView {
        let r = self.roles;
        let dash = || "—".to_string();
        let mut roles = Vec::new();
        for (has, name) in [
            (r.proposer, "proposer"),
            (r.acceptor, "acceptor"),
            (r.learner, "learner"),
        ] {
            if has {
                roles.push(name);
            }
        }
        let a = &self.acceptor;
        let learned = self.learner.learned;
        // The accepted value (committed once learned); else the learned value.
        let accepted = a.accepted().filter(|_| r.acceptor);
        let log = match (accepted, learned) {
            (Some(v), _) => vec![EntryView {
                epoch: v.ballot.round,
                command: v.value.to_string(),
                committed: learned.is_some_and(|l| l.value == v.value),
            }],
            (None, Some(l)) => vec![EntryView {
                epoch: l.ballot.round,
                command: l.value.to_string(),
                committed: true,
            }],
            _ => Vec::new(),
        };
        let tallies: Vec<String> = (self.learner.tallies.iter())
            .map(|(b, v, set)| format!("{v} in {b}: {set}"))
            .collect();
        NodeView {
            role: self.role_name(),
            epoch: self.max_round,
            log_len: log.len() as u64,
            log_committed: log.iter().filter(|e| e.committed).count() as u64,
            log,
            fields: vec![
                ("roles", roles.join(", ")),
                ("highest round seen", self.max_round.to_string()),
                (
                    "proposer",
                    if r.proposer || self.proposer.phase != Phase::Idle {
                        self.proposer_text()
                    } else {
                        dash()
                    },
                ),
                (
                    "own value",
                    self.proposer.own.map_or_else(dash, |v| v.to_string()),
                ),
                (
                    "promised",
                    match (r.acceptor, a.promised.round) {
                        (false, _) => dash(),
                        (true, 0) => "nothing yet".into(),
                        (true, _) => format!("ballot {}", a.promised),
                    },
                ),
                (
                    "accepted",
                    match (r.acceptor, a.accepted()) {
                        (false, _) => dash(),
                        (true, None) => "nothing yet".into(),
                        (true, Some(v)) => format!("value {} in ballot {}", v.value, v.ballot),
                    },
                ),
                (
                    "learned",
                    match (r.learner, learned) {
                        (false, _) => dash(),
                        (true, None) => "nothing yet".into(),
                        (true, Some(v)) => format!("value {} (ballot {})", v.value, v.ballot),
                    },
                ),
                (
                    "acceptances heard",
                    if tallies.is_empty() {
                        dash()
                    } else {
                        tallies.join("; ")
                    },
                ),
            ],
        }
    }
}
