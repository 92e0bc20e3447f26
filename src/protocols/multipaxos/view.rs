//! How a Multi-Paxos replica looks in the page: role, ballot round, its slots and every field.

use std::fmt::Write;

use crate::sim::{EntryView, NodeView};

use super::node::{MultiNode, Role};

impl MultiNode {
    /// Everything the page shows about this node.
    pub(super) fn node_view(&self) -> NodeView {
        let slots = self.acceptor.len().max(self.chosen.len() as u64);
        let first = slots.saturating_sub(NodeView::LOG_TAIL as u64) + 1;
        let log: Vec<EntryView> = (first..=slots)
            .map(|s| {
                let vote = self.acceptor.get(s);
                let chosen = self.chosen(s);
                EntryView {
                    epoch: vote.map_or(0, |v| v.ballot.round),
                    command: match (chosen, vote) {
                        (Some(v), _) | (None, Some(super::Vote { value: v, .. })) => v.to_string(),
                        (None, None) => "—".to_string(),
                    },
                    committed: chosen.is_some(),
                }
            })
            .collect();
        let dash = || "—".to_string();
        let mut pending = String::new();
        for (s, p) in self.pending.iter() {
            if !pending.is_empty() {
                pending.push_str(", ");
            }
            let _ = write!(
                pending,
                "{s} ({}, {} of {})",
                p.value,
                p.acks.len(),
                self.quorum()
            );
        }
        NodeView {
            role: self.role.name(),
            epoch: self.acceptor.promised.round,
            log,
            log_len: slots,
            log_committed: self.learned,
            fields: vec![
                ("promised", format!("ballot {}", self.acceptor.promised)),
                (
                    "own ballot",
                    if self.role == Role::Follower {
                        dash()
                    } else {
                        self.ballot.to_string()
                    },
                ),
                (
                    "leader",
                    self.leader.map_or_else(
                        || "none known".into(),
                        |(id, b)| format!("Node {id} (ballot {b})"),
                    ),
                ),
                ("slots accepted", self.acceptor.len().to_string()),
                ("chosen and applied up to", self.learned.to_string()),
                (
                    "promises",
                    if self.role == Role::Candidate {
                        format!(
                            "{} of {} needed: {}",
                            self.promises.len(),
                            self.quorum(),
                            self.promises
                        )
                    } else {
                        dash()
                    },
                ),
                (
                    "next slot",
                    if self.role == Role::Leader {
                        self.next_slot.to_string()
                    } else {
                        dash()
                    },
                ),
                (
                    "waiting for a majority",
                    if pending.is_empty() { dash() } else { pending },
                ),
                (
                    "election timeout",
                    if self.election_timeout == 0 {
                        dash()
                    } else {
                        format!("{} ms", crate::sim::param::millis(self.election_timeout))
                    },
                ),
            ],
            has_log: true,
            lead_claim: None,
            queue: Vec::new(),
        }
    }
}
