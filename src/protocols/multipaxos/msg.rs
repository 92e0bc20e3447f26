//! What Multi-Paxos nodes say to each other (messages) and to the trace (notes).

use std::fmt;

use crate::protocols::paxos::common::Ballot;
use crate::sim::json::JsonArray;
use crate::sim::node::with_article;
use crate::sim::workload::{Request, Response, describe_command};
use crate::sim::{JsonFields, JsonObject, Marker, Message, MsgView, NodeId, Note};

/// What a slot can hold: a client's command, or a no-op a new leader uses to fill a gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// Fills a slot no earlier leader's proposal could be found for; applying it does nothing.
    Noop,
    /// A client's command.
    Command(u64),
}

/// In the trace a value is its command's number, or the string `"noop"`.
impl Value {
    fn write_field(self, o: &mut JsonObject<'_>, key: &str) {
        match self {
            Value::Noop => o.str(key, "noop"),
            Value::Command(c) => o.u64(key, c),
        };
    }

    fn write_item(self, a: &mut JsonArray<'_>) {
        match self {
            Value::Noop => a.str("noop"),
            Value::Command(c) => a.u64(c),
        }
    }
}

impl fmt::Display for Value {
    /// `no-op`, or the command's number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Noop => write!(f, "no-op"),
            Value::Command(c) => f.write_str(&describe_command(*c)),
        }
    }
}

/// A proposal an acceptor accepted in one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    /// The ballot it was accepted in.
    pub ballot: Ballot,
    /// The value.
    pub value: Value,
}

/// An accepted proposal reported in a promise, with its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotVote {
    /// The slot (from 1).
    pub slot: u64,
    /// The ballot it was accepted in.
    pub ballot: Ballot,
    /// The value.
    pub value: Value,
}

impl JsonFields for SlotVote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("slot", self.slot).object("ballot", &self.ballot);
        self.value.write_field(o, "value");
    }
}

/// The messages of Multi-Paxos: one phase 1 for all slots from `from_slot` on, then phase 2
/// per slot; heartbeats carry the leader's chosen prefix, and a follower missing part of it
/// asks to catch up. The sender is known from the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Phase 1a: a would-be leader asks for a promise covering every slot from `from_slot`.
    Prepare {
        /// The candidate's ballot.
        ballot: Ballot,
        /// The first slot the candidate does not know to be chosen.
        from_slot: u64,
    },
    /// Phase 1b: the promise. For the slots from `from_slot` that the acceptor's node knows
    /// to be chosen it sends the chosen values (the candidate need not propose them again);
    /// for every later slot, the proposal it accepted.
    Promise {
        /// The ballot promised.
        ballot: Ballot,
        /// As in the Prepare.
        from_slot: u64,
        /// The values chosen in slots `from_slot`, `from_slot + 1`, … as far as it knows.
        chosen: Vec<Value>,
        /// The proposals accepted in the slots after those, in slot order.
        accepted: Vec<SlotVote>,
    },
    /// The request's ballot is below the acceptor's promise.
    Nack {
        /// The refused ballot.
        ballot: Ballot,
        /// The higher ballot promised.
        promised: Ballot,
    },
    /// Phase 2a for one slot, with the leader's chosen prefix.
    Accept {
        /// The leader's ballot.
        ballot: Ballot,
        /// The slot.
        slot: u64,
        /// The value proposed there.
        value: Value,
        /// Every slot up to this one is chosen, as far as the leader knows.
        commit: u64,
    },
    /// Phase 2b, back to the leader.
    Accepted {
        /// The ballot.
        ballot: Ballot,
        /// The slot.
        slot: u64,
        /// The value accepted (for the page; the leader knows it).
        value: Value,
    },
    /// The leader is alive; every slot up to `commit` is chosen.
    Heartbeat {
        /// The leader's ballot.
        ballot: Ballot,
        /// The leader's chosen prefix.
        commit: u64,
    },
    /// A follower knows only the slots up to `learned` and asks the leader for the next ones.
    CatchUp {
        /// The leader's ballot.
        ballot: Ballot,
        /// The follower's chosen prefix.
        learned: u64,
    },
    /// A client request forwarded by a follower to the leader it knows.
    ClientRequest {
        /// The client's command.
        command: u64,
    },
    /// A workload client's request (clients on the wire, `clients=N`).
    Request(Request),
    /// A replica's answer to a workload client's request.
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

    /// The ballot the message is about (the higher one for a Nack); none for client requests.
    pub fn ballot(&self) -> Option<Ballot> {
        match *self {
            Msg::Nack { promised, .. } => Some(promised),
            Msg::Prepare { ballot, .. }
            | Msg::Promise { ballot, .. }
            | Msg::Accept { ballot, .. }
            | Msg::Accepted { ballot, .. }
            | Msg::Heartbeat { ballot, .. }
            | Msg::CatchUp { ballot, .. } => Some(ballot),
            Msg::ClientRequest { .. } | Msg::Request(_) | Msg::Response(_) => None,
        }
    }
}

/// A message is an object tagged by `type` (the variant's name), then its fields.
impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            Msg::Prepare { ballot, from_slot } => {
                o.str("type", "Prepare")
                    .object("ballot", ballot)
                    .u64("from_slot", *from_slot);
            }
            Msg::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            } => {
                o.str("type", "Promise")
                    .object("ballot", ballot)
                    .u64("from_slot", *from_slot)
                    .array("chosen", &mut |a| {
                        chosen.iter().for_each(|v| v.write_item(a))
                    })
                    .array("accepted", &mut |a| {
                        accepted.iter().for_each(|v| a.object(v))
                    });
            }
            Msg::Nack { ballot, promised } => {
                o.str("type", "Nack")
                    .object("ballot", ballot)
                    .object("promised", promised);
            }
            Msg::Accept {
                ballot,
                slot,
                value,
                commit,
            } => {
                o.str("type", "Accept")
                    .object("ballot", ballot)
                    .u64("slot", *slot);
                value.write_field(o, "value");
                o.u64("commit", *commit);
            }
            Msg::Accepted {
                ballot,
                slot,
                value,
            } => {
                o.str("type", "Accepted")
                    .object("ballot", ballot)
                    .u64("slot", *slot);
                value.write_field(o, "value");
            }
            Msg::Heartbeat { ballot, commit } => {
                o.str("type", "Heartbeat")
                    .object("ballot", ballot)
                    .u64("commit", *commit);
            }
            Msg::CatchUp { ballot, learned } => {
                o.str("type", "CatchUp")
                    .object("ballot", ballot)
                    .u64("learned", *learned);
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
        let (kind, reply, success, detail) = match self {
            Msg::Prepare { ballot, from_slot } => (
                "Prepare",
                false,
                None,
                format!("ballot {ballot}, every slot from {from_slot}"),
            ),
            Msg::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            } => (
                "Promise",
                true,
                Some(true),
                format!(
                    "promise for ballot {ballot}; from slot {from_slot}: {} chosen, then {} accepted",
                    chosen.len(),
                    match accepted.len() {
                        0 => "nothing".to_string(),
                        1 => "1 proposal".to_string(),
                        k => format!("{k} proposals"),
                    }
                ),
            ),
            Msg::Nack { ballot, promised } => (
                "Nack",
                true,
                Some(false),
                format!("ballot {ballot} refused: promised ballot {promised}"),
            ),
            Msg::Accept {
                ballot,
                slot,
                value,
                commit,
            } => (
                "Accept",
                false,
                None,
                format!("ballot {ballot}, slot {slot}: {value}; chosen up to {commit}"),
            ),
            Msg::Accepted {
                ballot,
                slot,
                value,
            } => (
                "Accepted",
                true,
                Some(true),
                format!("accepted slot {slot} ({value}) in ballot {ballot}"),
            ),
            Msg::Heartbeat { ballot, commit } => (
                "Heartbeat",
                false,
                None,
                format!("ballot {ballot}, chosen up to slot {commit}"),
            ),
            Msg::CatchUp { ballot, learned } => (
                "CatchUp",
                false,
                None,
                format!("ballot {ballot}: knows slots up to {learned}, send the next"),
            ),
            Msg::ClientRequest { command } => (
                "ClientRequest",
                false,
                None,
                format!(
                    "command {}, forwarded to the leader",
                    describe_command(*command)
                ),
            ),
            Msg::Request(r) => return r.view(),
            Msg::Response(r) => return r.view(),
        };
        MsgView {
            kind,
            reply,
            success,
            detail,
        }
    }
}

/// Facts a Multi-Paxos node reports for the trace.
///
/// `role` is emitted on every change of role or ballot (and on every start), `learn` exactly
/// once per node and slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MultiNote {
    /// The node's role or ballot changed (or it started).
    Role {
        /// `follower`, `candidate` or `leader`.
        role: &'static str,
        /// The ballot it promised (followers) or runs (candidates, leaders).
        ballot: Ballot,
    },
    /// An acceptor promised a candidate's ballot for every slot from `from_slot`.
    Promise {
        /// The ballot.
        ballot: Ballot,
        /// First slot covered.
        from_slot: u64,
        /// How many chosen values it reported (its node's known prefix from `from_slot`).
        chosen: usize,
        /// How many accepted proposals it reported after those.
        accepted: usize,
    },
    /// The leader proposed a value for a slot.
    Propose {
        /// The slot.
        slot: u64,
        /// The leader's ballot.
        ballot: Ballot,
        /// The value: a new client command, or (after an election) the one the promises
        /// forced or a no-op.
        value: Value,
    },
    /// The leader heard from a majority that they accepted its proposal for a slot.
    Chosen {
        /// The slot.
        slot: u64,
        /// The ballot.
        ballot: Ballot,
        /// The chosen value.
        value: Value,
    },
    /// The node learned a slot's chosen value and applied it, in slot order.
    Learn {
        /// The slot.
        slot: u64,
        /// The value.
        value: Value,
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

impl JsonFields for MultiNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            MultiNote::Role { role, ballot } => {
                o.str("role", role).object("ballot", ballot);
            }
            MultiNote::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            } => {
                o.object("ballot", ballot)
                    .u64("from_slot", *from_slot)
                    .u64("chosen", *chosen as u64)
                    .u64("accepted", *accepted as u64);
            }
            MultiNote::Propose {
                slot,
                ballot,
                value,
            }
            | MultiNote::Chosen {
                slot,
                ballot,
                value,
            } => {
                o.u64("slot", *slot).object("ballot", ballot);
                value.write_field(o, "value");
            }
            MultiNote::Learn { slot, value } => {
                o.u64("slot", *slot);
                value.write_field(o, "value");
            }
            MultiNote::Redirect { command, leader } => {
                o.u64("command", *command).u64("leader", (*leader).into());
            }
            MultiNote::Reject { command, reason } => {
                o.u64("command", *command).str("reason", reason);
            }
        }
    }
}

impl Note for MultiNote {
    fn kind(&self) -> &'static str {
        match self {
            MultiNote::Role { .. } => "role",
            MultiNote::Promise { .. } => "promise",
            MultiNote::Propose { .. } => "propose",
            MultiNote::Chosen { .. } => "chosen",
            MultiNote::Learn { .. } => "learn",
            MultiNote::Redirect { .. } => "redirect",
            MultiNote::Reject { .. } => "reject",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match self {
            MultiNote::Role { role, ballot } => {
                format!(
                    "Node {node} is now {} (ballot {ballot})",
                    with_article(role)
                )
            }
            MultiNote::Promise {
                ballot,
                from_slot,
                chosen,
                accepted,
            } => format!(
                "Node {node} promised ballot {ballot} from slot {from_slot} on, reporting {chosen} chosen and {accepted} accepted slots"
            ),
            MultiNote::Propose {
                slot,
                ballot,
                value,
            } => format!("Node {node} proposed {value} for slot {slot} in ballot {ballot}"),
            MultiNote::Chosen {
                slot,
                ballot,
                value,
            } => format!("Node {node} saw {value} chosen for slot {slot} in ballot {ballot}"),
            MultiNote::Learn { slot, value } => {
                format!("Node {node} applied slot {slot}: {value}")
            }
            MultiNote::Redirect { command, leader } => {
                format!(
                    "Node {node} forwarded command {} to leader Node {leader}",
                    describe_command(*command)
                )
            }
            MultiNote::Reject { command, reason } => {
                format!(
                    "Node {node} could not take command {}: {reason}",
                    describe_command(*command)
                )
            }
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            MultiNote::Role {
                role: "leader",
                ballot,
            } => Some(format!("Node {node} became leader with ballot {ballot}")),
            _ => None,
        }
    }

    fn marker(&self) -> Option<Marker> {
        match self {
            MultiNote::Role { role: "leader", .. } => Some(Marker::Leader),
            MultiNote::Chosen { .. } => Some(Marker::Commit),
            _ => None,
        }
    }
}
