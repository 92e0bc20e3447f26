//! What Raft nodes say to each other (messages) and to the trace (notes).

use std::fmt::Write;

use crate::sim::workload::{Request, Response, describe_command};
use crate::sim::{JsonFields, JsonObject, Marker, Message, MsgView, NodeId, Note};

/// One log entry: the command a client asked for, stamped with the term of the leader that
/// first appended it. Entries are identified by their position (index, from 1) and term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Term of the leader that created the entry.
    pub term: u64,
    /// The client's command.
    pub command: u64,
}

/// Why a vote was refused; carried in the reply so the page can explain it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The candidate's term is older than the voter's.
    StaleTerm,
    /// The voter already voted for someone else in this term.
    AlreadyVoted {
        /// Who got the vote.
        voted_for: NodeId,
    },
    /// The candidate's log is less up to date than the voter's (§5.4.1).
    LogBehind {
        /// Term of the candidate's last entry.
        candidate_last_term: u64,
        /// Index of the candidate's last entry.
        candidate_last_index: u64,
        /// Term of the voter's last entry.
        own_last_term: u64,
        /// Index of the voter's last entry.
        own_last_index: u64,
    },
}

impl JsonFields for Entry {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("term", self.term).u64("command", self.command);
    }
}

/// A refusal is an object tagged by `why`: `stale_term`, `already_voted` or `log_behind`.
impl JsonFields for Refusal {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match *self {
            Refusal::StaleTerm => o.str("why", "stale_term"),
            Refusal::AlreadyVoted { voted_for } => o
                .str("why", "already_voted")
                .u64("voted_for", voted_for.into()),
            Refusal::LogBehind {
                candidate_last_term,
                candidate_last_index,
                own_last_term,
                own_last_index,
            } => o
                .str("why", "log_behind")
                .u64("candidate_last_term", candidate_last_term)
                .u64("candidate_last_index", candidate_last_index)
                .u64("own_last_term", own_last_term)
                .u64("own_last_index", own_last_index),
        };
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Refusal::StaleTerm => write!(f, "candidate's term is stale"),
            Refusal::AlreadyVoted { voted_for } => write!(f, "already voted for Node {voted_for}"),
            Refusal::LogBehind {
                candidate_last_term: ct,
                candidate_last_index: ci,
                own_last_term: ot,
                own_last_index: oi,
            } => {
                if ct < ot {
                    write!(f, "candidate's last log term {ct} < {ot}")
                } else {
                    write!(
                        f,
                        "candidate's log is shorter ({ci} < {oi} entries, last term {ct})"
                    )
                }
            }
        }
    }
}

/// The messages of Figure 2 of the Raft paper, plus the redirect of a client request.
///
/// The sender is known from the network, so the paper's `candidateId` / `leaderId` fields are
/// implied by `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A candidate asks for a vote.
    RequestVote {
        /// Candidate's term.
        term: u64,
        /// Index of the candidate's last log entry.
        last_log_index: u64,
        /// Term of the candidate's last log entry.
        last_log_term: u64,
    },
    /// The answer to [`Msg::RequestVote`].
    RequestVoteReply {
        /// The voter's current term, for the candidate to update itself.
        term: u64,
        /// Whether the vote was granted.
        granted: bool,
        /// Why not, when refused.
        refusal: Option<Refusal>,
    },
    /// The leader replicates entries (none for a heartbeat) and its commit index.
    AppendEntries {
        /// Leader's term.
        term: u64,
        /// Index of the entry just before the new ones.
        prev_log_index: u64,
        /// Term of that entry.
        prev_log_term: u64,
        /// Entries to store (empty for a heartbeat).
        entries: Vec<Entry>,
        /// Leader's commit index.
        leader_commit: u64,
    },
    /// The answer to [`Msg::AppendEntries`].
    AppendEntriesReply {
        /// The follower's current term, for the leader to update itself.
        term: u64,
        /// Whether the follower's log matched at `prev_log_index`.
        success: bool,
        /// On success, the last index known to match the leader's log; on a consistency
        /// failure, the `prev_log_index` that failed; 0 when refused for a stale term.
        index: u64,
        /// On a consistency failure, the highest index worth probing next (fast backoff).
        hint: u64,
    },
    /// A client request forwarded by a follower to the leader it knows.
    ClientRequest {
        /// The client's command.
        command: u64,
    },
    /// A workload client's request (clients on the wire, `clients=N`).
    Request(Request),
    /// A server's answer to a workload client's request.
    Response(Response),
}

impl Msg {
    /// The answer to a workload client the message carries, if it is one.
    pub fn response(&self) -> Option<Response> {
        match self {
            Msg::Response(r) => Some(*r),
            _ => None,
        }
    }

    /// The term the message carries, if any (client requests carry none).
    pub fn term(&self) -> Option<u64> {
        match *self {
            Msg::RequestVote { term, .. }
            | Msg::RequestVoteReply { term, .. }
            | Msg::AppendEntries { term, .. }
            | Msg::AppendEntriesReply { term, .. } => Some(term),
            Msg::ClientRequest { .. } | Msg::Request(_) | Msg::Response(_) => None,
        }
    }
}

/// A message is an object tagged by `type` (the variant's name), then its fields.
impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => {
                o.str("type", "RequestVote")
                    .u64("term", *term)
                    .u64("last_log_index", *last_log_index)
                    .u64("last_log_term", *last_log_term);
            }
            Msg::RequestVoteReply {
                term,
                granted,
                refusal,
            } => {
                o.str("type", "RequestVoteReply")
                    .u64("term", *term)
                    .bool("granted", *granted);
                if let Some(refusal) = refusal {
                    o.object("refusal", refusal);
                }
            }
            Msg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => {
                o.str("type", "AppendEntries")
                    .u64("term", *term)
                    .u64("prev_log_index", *prev_log_index)
                    .u64("prev_log_term", *prev_log_term)
                    .array("entries", &mut |a| entries.iter().for_each(|e| a.object(e)))
                    .u64("leader_commit", *leader_commit);
            }
            Msg::AppendEntriesReply {
                term,
                success,
                index,
                hint,
            } => {
                o.str("type", "AppendEntriesReply")
                    .u64("term", *term)
                    .bool("success", *success)
                    .u64("index", *index)
                    .u64("hint", *hint);
            }
            Msg::ClientRequest { command } => {
                o.str("type", "ClientRequest").u64("command", *command);
            }
            Msg::Request(r) => r.json_fields(o.str("type", "Request")),
            Msg::Response(r) => r.json_fields(o.str("type", "Response")),
        }
    }
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        match self {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => MsgView {
                kind: "RequestVote",
                reply: false,
                success: None,
                detail: format!(
                    "term {term}, last log index {last_log_index} (term {last_log_term})"
                ),
            },
            Msg::RequestVoteReply {
                term,
                granted,
                refusal,
            } => MsgView {
                kind: "RequestVoteReply",
                reply: true,
                success: Some(*granted),
                detail: match refusal {
                    None => format!("vote granted for term {term}"),
                    Some(Refusal::StaleTerm) => {
                        format!("vote refused: candidate's term is older than {term}")
                    }
                    Some(r) => format!("vote refused: {r}"),
                },
            },
            Msg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => MsgView {
                kind: "AppendEntries",
                reply: false,
                success: None,
                detail: {
                    let mut detail = format!("term {term}, ");
                    match entries.len() {
                        0 => detail.push_str("heartbeat"),
                        1 => detail.push_str("1 entry"),
                        k => {
                            let _ = write!(detail, "{k} entries");
                        }
                    }
                    let _ = write!(
                        detail,
                        " after index {prev_log_index} (term {prev_log_term}), commit {leader_commit}"
                    );
                    detail
                },
            },
            Msg::AppendEntriesReply {
                term,
                success,
                index,
                hint,
            } => MsgView {
                kind: "AppendEntriesReply",
                reply: true,
                success: Some(*success),
                detail: if *success {
                    format!("term {term}, log matches up to index {index}")
                } else if *index == 0 {
                    format!("refused: the leader's term is older than {term}")
                } else {
                    format!("term {term}, no match at index {index}; retry after index {hint}")
                },
            },
            Msg::ClientRequest { command } => MsgView {
                kind: "ClientRequest",
                reply: false,
                success: None,
                detail: format!(
                    "command {}, forwarded to the leader",
                    describe_command(*command)
                ),
            },
            Msg::Request(r) => r.view(),
            Msg::Response(r) => r.view(),
        }
    }
}

/// Facts a Raft node reports for the trace.
///
/// `role` and `commit` are relied on by the page and by tests: `role` is emitted on every
/// change of role or term (and on every start), `commit` exactly once per node and index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaftNote {
    /// The node's role or term changed (or it started).
    Role {
        /// `follower`, `candidate` or `leader`.
        role: &'static str,
        /// The node's current term.
        term: u64,
    },
    /// The node learned that the entry at `index` is committed and applied it.
    Commit {
        /// Log index.
        index: u64,
        /// The entry's term.
        term: u64,
        /// The entry's command.
        command: u64,
    },
    /// The leader appended a client command to its log.
    Append {
        /// Log index of the new entry.
        index: u64,
        /// The leader's term.
        term: u64,
        /// The client's command.
        command: u64,
    },
    /// The node answered a vote request.
    Vote {
        /// Who asked.
        candidate: NodeId,
        /// The term of the election.
        term: u64,
        /// Whether the vote was granted.
        granted: bool,
        /// Why not, when refused.
        refusal: Option<Refusal>,
    },
    /// A follower removed conflicting entries from its log.
    Truncate {
        /// First index removed.
        from: u64,
        /// How many entries were removed.
        removed: u64,
    },
    /// A follower forwarded a client request to the leader it knows.
    Redirect {
        /// The client's command.
        command: u64,
        /// Where it went.
        leader: NodeId,
    },
    /// The node could not serve a client request.
    Reject {
        /// The client's command.
        command: u64,
        /// Why, for people.
        reason: &'static str,
    },
}

impl JsonFields for RaftNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            RaftNote::Role { role, term } => {
                o.str("role", role).u64("term", *term);
            }
            RaftNote::Commit {
                index,
                term,
                command,
            }
            | RaftNote::Append {
                index,
                term,
                command,
            } => {
                o.u64("index", *index)
                    .u64("term", *term)
                    .u64("command", *command);
            }
            RaftNote::Vote {
                candidate,
                term,
                granted,
                refusal,
            } => {
                o.u64("candidate", (*candidate).into())
                    .u64("term", *term)
                    .bool("granted", *granted);
                if let Some(refusal) = refusal {
                    o.object("refusal", refusal);
                }
            }
            RaftNote::Truncate { from, removed } => {
                o.u64("from", *from).u64("removed", *removed);
            }
            RaftNote::Redirect { command, leader } => {
                o.u64("command", *command).u64("leader", (*leader).into());
            }
            RaftNote::Reject { command, reason } => {
                o.u64("command", *command).str("reason", reason);
            }
        }
    }
}

impl Note for RaftNote {
    fn kind(&self) -> &'static str {
        match self {
            RaftNote::Role { .. } => "role",
            RaftNote::Commit { .. } => "commit",
            RaftNote::Append { .. } => "append",
            RaftNote::Vote { .. } => "vote",
            RaftNote::Truncate { .. } => "truncate",
            RaftNote::Redirect { .. } => "redirect",
            RaftNote::Reject { .. } => "reject",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match self {
            RaftNote::Role { role, term } => {
                // Every Raft role (follower, candidate, leader) takes "a".
                format!("Node {node} is now a {role} in term {term}")
            }
            RaftNote::Commit {
                index,
                term,
                command,
            } => format!(
                "Node {node} committed entry {index} (term {term}, command {}) and applied it",
                describe_command(*command)
            ),
            RaftNote::Append {
                index,
                term,
                command,
            } => format!(
                "Node {node} appended command {} at index {index} in term {term}",
                describe_command(*command)
            ),
            RaftNote::Vote {
                candidate,
                term,
                granted: true,
                ..
            } => format!("Node {node} granted its vote to Node {candidate} for term {term}"),
            RaftNote::Vote {
                candidate,
                term,
                refusal,
                ..
            } => {
                let why = match refusal {
                    Some(Refusal::StaleTerm) => ": its term is older".to_string(),
                    Some(Refusal::AlreadyVoted { voted_for }) => {
                        format!(": it already voted for Node {voted_for}")
                    }
                    Some(Refusal::LogBehind {
                        candidate_last_term,
                        candidate_last_index,
                        own_last_term,
                        own_last_index,
                    }) => format!(
                        ": its log (last entry {candidate_last_index} of term {candidate_last_term}) is behind this node's ({own_last_index} of term {own_last_term})"
                    ),
                    None => String::new(),
                };
                format!("Node {node} refused its vote to Node {candidate} for term {term}{why}")
            }
            RaftNote::Truncate { from, removed } => {
                format!("Node {node} removed {removed} conflicting entries from index {from} on")
            }
            RaftNote::Redirect { command, leader } => {
                format!(
                    "Node {node} forwarded command {} to leader Node {leader}",
                    describe_command(*command)
                )
            }
            RaftNote::Reject { command, reason } => {
                format!(
                    "Node {node} could not take command {}: {reason}",
                    describe_command(*command)
                )
            }
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            RaftNote::Role {
                role: "leader",
                term,
            } => Some(format!("Node {node} became leader for term {term}")),
            _ => None,
        }
    }

    fn marker(&self) -> Option<Marker> {
        match self {
            RaftNote::Role { role: "leader", .. } => Some(Marker::Leader),
            RaftNote::Commit { .. } => Some(Marker::Commit),
            _ => None,
        }
    }
}
