//! How a Raft node looks in the page: its role, term, log and every field of Figure 2.

use std::fmt::Write;

use crate::sim::workload::describe_command;
use crate::sim::{EntryView, NodeId, NodeView};

use super::node::{RaftNode, Role};

/// `Node {id}`, or `none`.
fn node_or_none(id: Option<NodeId>) -> String {
    match id {
        Some(id) => format!("Node {id}"),
        None => "none".to_string(),
    }
}

impl RaftNode {
    /// `peer:value` for every other node (a leader's `nextIndex` or `matchIndex`), `—` when
    /// not leading. Plain loops: iterator chains would cost the page their own adapter copies.
    fn per_peer(&self, matched: bool) -> String {
        if self.progress.is_empty() {
            return "—".to_string();
        }
        let mut out = String::new();
        for (p, progress) in (1..).zip(&self.progress) {
            if p != self.id {
                let sep = if out.is_empty() { "" } else { " " };
                let value = if matched {
                    progress.matched
                } else {
                    progress.next
                };
                let _ = write!(out, "{sep}{p}:{value}");
            }
        }
        out
    }

    /// The candidate's tally: `granted of needed needed: ids`, `—` when not a candidate.
    fn votes_granted(&self) -> String {
        if self.role != Role::Candidate {
            return "—".to_string();
        }
        let (mut ids, mut count) = (String::new(), 0usize);
        for p in 1..=self.n as NodeId {
            if self.votes & Self::bit(p) != 0 {
                let sep = if count == 0 { "" } else { ", " };
                let _ = write!(ids, "{sep}{p}");
                count += 1;
            }
        }
        format!("{count} of {} needed: {ids}", self.quorum())
    }

    /// Everything the page shows about this node: role, term, log and every state field.
    pub(super) fn node_view(&self) -> NodeView {
        let last = self.log.last_index();
        let first = last.saturating_sub(NodeView::LOG_TAIL as u64) + 1;
        let mut log = Vec::new();
        for index in first..=last {
            if let Some(e) = self.log.get(index) {
                log.push(EntryView {
                    epoch: e.term,
                    command: describe_command(e.command),
                    committed: index <= self.commit,
                });
            }
        }
        NodeView {
            role: self.role.name(),
            epoch: self.term,
            log,
            log_len: last,
            log_committed: self.commit,
            fields: vec![
                ("currentTerm", self.term.to_string()),
                ("votedFor", node_or_none(self.voted_for)),
                ("log length", last.to_string()),
                ("commitIndex", self.commit.to_string()),
                ("lastApplied", self.applied.to_string()),
                ("leader", node_or_none(self.leader)),
                ("votes granted", self.votes_granted()),
                ("nextIndex", self.per_peer(false)),
                ("matchIndex", self.per_peer(true)),
                (
                    "election timeout",
                    if self.election_timeout == 0 {
                        "—".to_string()
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
