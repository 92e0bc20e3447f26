//! What single-decree Paxos nodes say to each other (messages) and to the trace (notes).

use crate::sim::{JsonFields, JsonObject, Marker, Message, MsgView, NodeId, Note};

use super::common::Ballot;

/// A proposal an acceptor accepted: the ballot and the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    /// The ballot it was accepted in.
    pub ballot: Ballot,
    /// The value.
    pub value: u64,
}

impl JsonFields for Vote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.object("ballot", &self.ballot).u64("value", self.value);
    }
}

/// Writes `accepted`: the vote, or `null` when nothing was accepted.
fn write_accepted(o: &mut JsonObject<'_>, accepted: &Option<Vote>) {
    match accepted {
        Some(vote) => o.object("accepted", vote),
        None => o.null("accepted"),
    };
}

/// The messages of "Paxos Made Simple": phase 1a/1b, phase 2a/2b, and the refusal that lets a
/// proposer learn of a higher ballot. The sender is known from the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Phase 1a, proposer → acceptors: promise to ignore ballots below `ballot`.
    Prepare {
        /// The proposer's new ballot.
        ballot: Ballot,
    },
    /// Phase 1b, acceptor → proposer: the promise, with the highest-ballot proposal accepted.
    Promise {
        /// The ballot promised.
        ballot: Ballot,
        /// What the acceptor accepted last (the highest ballot it accepted), if anything.
        accepted: Option<Vote>,
    },
    /// Acceptor → proposer: the request's ballot is below the acceptor's promise.
    Nack {
        /// The refused ballot.
        ballot: Ballot,
        /// The higher ballot the acceptor has promised.
        promised: Ballot,
    },
    /// Phase 2a, proposer → acceptors: accept `value` in `ballot`.
    Accept {
        /// The proposer's ballot.
        ballot: Ballot,
        /// The value: forced by the promises, else the proposer's own.
        value: u64,
        /// The acceptor whose promise forced the value (for the page; not used by Paxos).
        forced_by: Option<NodeId>,
    },
    /// Phase 2b, acceptor → the proposer and every learner: it accepted `value` in `ballot`.
    Accepted {
        /// The ballot.
        ballot: Ballot,
        /// The value.
        value: u64,
    },
}

impl Msg {
    /// The ballot the message is about.
    pub fn ballot(&self) -> Ballot {
        match *self {
            Msg::Prepare { ballot }
            | Msg::Promise { ballot, .. }
            | Msg::Nack { ballot, .. }
            | Msg::Accept { ballot, .. }
            | Msg::Accepted { ballot, .. } => ballot,
        }
    }
}

/// A message is an object tagged by `type` (the variant's name), then its fields.
impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            Msg::Prepare { ballot } => {
                o.str("type", "Prepare").object("ballot", ballot);
            }
            Msg::Promise { ballot, accepted } => {
                o.str("type", "Promise").object("ballot", ballot);
                write_accepted(o, accepted);
            }
            Msg::Nack { ballot, promised } => {
                o.str("type", "Nack")
                    .object("ballot", ballot)
                    .object("promised", promised);
            }
            Msg::Accept {
                ballot,
                value,
                forced_by,
            } => {
                o.str("type", "Accept")
                    .object("ballot", ballot)
                    .u64("value", *value);
                if let Some(by) = forced_by {
                    o.u64("forced_by", (*by).into());
                }
            }
            Msg::Accepted { ballot, value } => {
                o.str("type", "Accepted")
                    .object("ballot", ballot)
                    .u64("value", *value);
            }
        }
    }
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        let (kind, reply, success, detail) = match self {
            Msg::Prepare { ballot } => ("Prepare", false, None, format!("ballot {ballot}")),
            Msg::Promise { ballot, accepted } => (
                "Promise",
                true,
                Some(true),
                match accepted {
                    Some(v) => format!(
                        "promise for ballot {ballot}; accepted value {} in ballot {}",
                        v.value, v.ballot
                    ),
                    None => format!("promise for ballot {ballot}; nothing accepted yet"),
                },
            ),
            Msg::Nack { ballot, promised } => (
                "Nack",
                true,
                Some(false),
                format!("ballot {ballot} refused: promised ballot {promised}"),
            ),
            Msg::Accept {
                ballot,
                value,
                forced_by,
            } => (
                "Accept",
                false,
                None,
                match forced_by {
                    Some(n) => {
                        format!("ballot {ballot}, value {value} (forced by promise from Node {n})")
                    }
                    None => format!("ballot {ballot}, value {value} (the proposer's own)"),
                },
            ),
            Msg::Accepted { ballot, value } => (
                "Accepted",
                true,
                Some(true),
                format!("accepted value {value} in ballot {ballot}"),
            ),
        };
        MsgView {
            kind,
            reply,
            success,
            detail,
        }
    }
}

/// Facts a single-decree Paxos node reports for the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaxosNote {
    /// A proposer started phase 1 with a new ballot.
    Prepare {
        /// The new ballot.
        ballot: Ballot,
        /// The proposer's own value; `null` for a learner's read round, which has none.
        value: Option<u64>,
    },
    /// An acceptor promised a ballot.
    Promise {
        /// The ballot promised.
        ballot: Ballot,
        /// What it had accepted, reported in the promise.
        accepted: Option<Vote>,
    },
    /// A proposer heard from a majority and started phase 2 with a value.
    Propose {
        /// Its ballot.
        ballot: Ballot,
        /// The value sent in the Accept requests.
        value: u64,
        /// The acceptor whose promise forced the value; absent when it is the proposer's own.
        forced_by: Option<NodeId>,
    },
    /// An acceptor accepted a proposal.
    Accept {
        /// The ballot.
        ballot: Ballot,
        /// The value.
        value: u64,
    },
    /// A proposer gave up its ballot because an acceptor promised a higher one; it backs off.
    Nack {
        /// The abandoned ballot.
        ballot: Ballot,
        /// The higher ballot that pre-empted it.
        promised: Ballot,
    },
    /// A proposer heard from a majority of acceptors that they accepted its proposal.
    Chosen {
        /// Its ballot.
        ballot: Ballot,
        /// The chosen value.
        value: u64,
    },
    /// A learner learned the chosen value (again after a restart: learners forget).
    Learn {
        /// The value.
        value: u64,
        /// The ballot in which it saw a majority accept it.
        ballot: Ballot,
    },
    /// A client request was refused.
    Reject {
        /// The client's command.
        command: u64,
        /// Why, for people.
        reason: &'static str,
    },
}

impl JsonFields for PaxosNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            PaxosNote::Prepare { ballot, value } => {
                o.object("ballot", ballot).opt_u64("value", *value);
            }
            PaxosNote::Promise { ballot, accepted } => {
                o.object("ballot", ballot);
                write_accepted(o, accepted);
            }
            PaxosNote::Propose {
                ballot,
                value,
                forced_by,
            } => {
                o.object("ballot", ballot).u64("value", *value);
                if let Some(by) = forced_by {
                    o.u64("forced_by", (*by).into());
                }
            }
            PaxosNote::Accept { ballot, value } | PaxosNote::Chosen { ballot, value } => {
                o.object("ballot", ballot).u64("value", *value);
            }
            PaxosNote::Nack { ballot, promised } => {
                o.object("ballot", ballot).object("promised", promised);
            }
            PaxosNote::Learn { value, ballot } => {
                o.u64("value", *value).object("ballot", ballot);
            }
            PaxosNote::Reject { command, reason } => {
                o.u64("command", *command).str("reason", reason);
            }
        }
    }
}

impl Note for PaxosNote {
    fn kind(&self) -> &'static str {
        match self {
            PaxosNote::Prepare { .. } => "prepare",
            PaxosNote::Promise { .. } => "promise",
            PaxosNote::Propose { .. } => "propose",
            PaxosNote::Accept { .. } => "accept",
            PaxosNote::Nack { .. } => "nack",
            PaxosNote::Chosen { .. } => "chosen",
            PaxosNote::Learn { .. } => "learn",
            PaxosNote::Reject { .. } => "reject",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match self {
            PaxosNote::Prepare {
                ballot,
                value: Some(value),
            } => format!("Node {node} started ballot {ballot} to propose value {value}"),
            PaxosNote::Prepare {
                ballot,
                value: None,
            } => {
                format!("Node {node} started ballot {ballot} to read the chosen value")
            }
            PaxosNote::Promise {
                ballot,
                accepted: Some(v),
            } => format!(
                "Node {node} promised ballot {ballot}, reporting value {} accepted in ballot {}",
                v.value, v.ballot
            ),
            PaxosNote::Promise {
                ballot,
                accepted: None,
            } => format!("Node {node} promised ballot {ballot}, having accepted nothing"),
            PaxosNote::Propose {
                ballot,
                value,
                forced_by: Some(by),
            } => format!(
                "Node {node} proposes value {value} in ballot {ballot}, as Node {by}'s promise requires"
            ),
            PaxosNote::Propose { ballot, value, .. } => {
                format!("Node {node} proposes value {value} in ballot {ballot}")
            }
            PaxosNote::Accept { ballot, value } => {
                format!("Node {node} accepted value {value} in ballot {ballot}")
            }
            PaxosNote::Nack { ballot, promised } => format!(
                "Node {node}'s ballot {ballot} was pre-empted by a promise to {promised}; it backs off"
            ),
            PaxosNote::Chosen { ballot, value } => {
                format!("Node {node}'s proposal is chosen: value {value} in ballot {ballot}")
            }
            PaxosNote::Learn { value, ballot } => {
                format!("Node {node} learned value {value} (ballot {ballot})")
            }
            PaxosNote::Reject { command, reason } => {
                format!("Node {node} could not propose command {command}: {reason}")
            }
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            PaxosNote::Chosen { ballot, value } => Some(format!(
                "Node {node}'s proposal is chosen: value {value} in ballot {ballot}"
            )),
            PaxosNote::Learn { value, .. } => Some(format!("Node {node} learned value {value}")),
            _ => None,
        }
    }

    fn marker(&self) -> Option<Marker> {
        match self {
            PaxosNote::Chosen { .. } | PaxosNote::Learn { .. } => Some(Marker::Commit),
            _ => None,
        }
    }
}
