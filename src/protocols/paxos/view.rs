//! How a single-decree Paxos node looks in the page: its most prominent role, the highest
//! round it knows, its accepted value as a one-entry log (for the log strips), every field of
//! every role in Paxos words, and its claim to lead.
//!
//! Several nodes may be proposers at once, but only one leads: the page crowns the running
//! proposer with the greatest [`LeadClaim`] — one in phase 2 (or whose value was chosen) beats
//! one still in phase 1, then the higher ballot wins. A proposer that is idle or backing off
//! is never crowned.

use crate::sim::{EntryView, LeadClaim, LeadStage, NodeView};

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

    /// This node's claim to lead: how far its proposer got with its current ballot.
    pub fn lead_claim(&self) -> LeadClaim {
        let p = &self.proposer;
        let stage = match p.phase {
            Phase::Idle | Phase::Waiting => LeadStage::Idle,
            Phase::Preparing => LeadStage::Preparing,
            Phase::Accepting | Phase::Done => LeadStage::Advanced,
        };
        LeadClaim {
            stage,
            round: p.ballot.round,
            node: self.id,
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
            has_log: false,
            lead_claim: Some(self.lead_claim()),
            queue: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{LeadClaim, LeadStage, Node};

    use super::super::checker::PaxosChecker;
    use super::super::node::{Config, PaxosNode};
    use super::super::testnet::Net;

    #[test]
    fn only_the_proposer_with_the_greatest_claim_leads() {
        let cfg = Config {
            auto_propose: false,
            ..Config::default()
        };
        let mut net = Net::new(
            (1..=5).map(|id| PaxosNode::new(id, 5, cfg)).collect(),
            PaxosChecker::new(5, cfg.acceptors),
        );
        let claim =
            |net: &Net<PaxosNode, PaxosChecker>, id| net.node(id).view().lead_claim.unwrap();
        assert_eq!(
            claim(&net, 1).stage,
            LeadStage::Idle,
            "an idle proposer claims nothing"
        );
        net.client(1, 7);
        net.client(2, 8);
        let (one, two) = (claim(&net, 1), claim(&net, 2));
        assert_eq!(
            (one.stage, two.stage),
            (LeadStage::Preparing, LeadStage::Preparing)
        );
        assert!(two > one, "the higher ballot leads in phase 1");
        assert!(claim(&net, 3) < one);
        // Phase 2 beats a higher ballot still in phase 1.
        let accepting = LeadClaim {
            stage: LeadStage::Advanced,
            round: 1,
            node: 1,
        };
        let preparing = LeadClaim {
            stage: LeadStage::Preparing,
            round: 9,
            node: 5,
        };
        assert!(accepting > preparing);
        // The Paxos inspector shows fields, not a log.
        assert!(!net.node(1).view().has_log);
    }
}
