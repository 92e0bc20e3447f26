//! How a Raft node looks in the page: its role, term, log and every field of Figure 2.

use crate::sim::workload::describe_command;
use crate::sim::{EntryView, NodeId, NodeView};

use super::node::{Progress, RaftNode, Role};

impl RaftNode {
    /// Everything the page shows about this node: role, term, log and every state field.
    pub(super) fn node_view(&self) -> NodeView {
        let opt =
            |v: Option<NodeId>| v.map_or_else(|| "none".to_string(), |id| format!("Node {id}"));
        let per_peer = |f: fn(&Progress) -> u64| {
            if self.progress.is_empty() {
                return "—".to_string();
            }
            let items: Vec<String> = (1..=self.n as NodeId)
                .filter(|&p| p != self.id)
                .map(|p| format!("{p}:{}", f(&self.progress[p as usize - 1])))
                .collect();
            items.join(" ")
        };
        let votes: Vec<String> = (1..=self.n as NodeId)
            .filter(|&p| self.votes & Self::bit(p) != 0)
            .map(|p| p.to_string())
            .collect();
        let first = self
            .log
            .last_index()
            .saturating_sub(NodeView::LOG_TAIL as u64)
            + 1;
        NodeView {
            role: self.role.name(),
            epoch: self.term,
            log: (self.log.iter_from(first).zip(first..))
                .map(|(e, index)| EntryView {
                    epoch: e.term,
                    command: describe_command(e.command),
                    committed: index <= self.commit,
                })
                .collect(),
            log_len: self.log.last_index(),
            log_committed: self.commit,
            fields: vec![
                ("currentTerm", self.term.to_string()),
                ("votedFor", opt(self.voted_for)),
                ("log length", self.log.last_index().to_string()),
                ("commitIndex", self.commit.to_string()),
                ("lastApplied", self.applied.to_string()),
                ("leader", opt(self.leader)),
                (
                    "votes granted",
                    if self.role == Role::Candidate {
                        format!(
                            "{} of {} needed: {}",
                            votes.len(),
                            self.quorum(),
                            votes.join(", ")
                        )
                    } else {
                        "—".to_string()
                    },
                ),
                ("nextIndex", per_peer(|p| p.next)),
                ("matchIndex", per_peer(|p| p.matched)),
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
        }
    }
}
