//! What replicas and clients say to each other (messages) and to the trace (notes).

use super::op::{Op, OpResult, SiblingValues, key_name, shown};
use super::version::{Siblings, Versioned};
use crate::protocols::raft;
use crate::sim::ops::{OpEvent, Outcome};
use crate::sim::{JsonFields, JsonObject, Message, MsgView, NodeId, Note};

/// A message of a key–value store run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Raft's own traffic between replicas (the `raft*` modes).
    Raft(raft::Msg),
    /// A client's operation.
    Request {
        /// The client's number for it.
        req: u64,
        /// What it asks.
        op: Op,
    },
    /// A replica's answer to [`Msg::Request`].
    Reply {
        /// The request answered.
        req: u64,
        /// The answer.
        result: OpResult,
    },
    /// A leader asks whether it still leads (ReadIndex; lease renewal).
    Confirm {
        /// The leader's term.
        term: u64,
        /// The round's number.
        seq: u64,
    },
    /// The answer to [`Msg::Confirm`], with the answering replica's term.
    ConfirmAck {
        /// The replica's term (it counts only if it is the leader's).
        term: u64,
        /// The round answered.
        seq: u64,
    },
    /// Quorum: a coordinator asks a replica for its copy of a key.
    Get {
        /// The coordinator's number for the operation.
        token: u64,
        /// The key.
        key: u8,
    },
    /// Quorum: a replica's copy.
    GetReply {
        /// The operation.
        token: u64,
        /// The copy.
        held: Siblings,
    },
    /// Quorum: store these versions of a key if they are newer (a write, or a read's repair).
    Put {
        /// The operation.
        token: u64,
        /// The key.
        key: u8,
        /// The versions (one, or a read's siblings).
        versions: Siblings,
    },
    /// Quorum: the replica holds that version or a newer one.
    PutAck {
        /// The operation.
        token: u64,
    },
    /// Quorum: anti-entropy, a replica's whole store for a peer to merge.
    Sync {
        /// Every key's versions.
        store: Vec<Siblings>,
    },
}

impl JsonFields for Versioned {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        o.u64("value", self.value)
            .u64("stamp", self.stamp)
            .u64("writer", self.writer.into());
        if self.clock.iter().any(|&c| c != 0) {
            o.u64s("clock", &mut self.clock.iter().map(|&c| u64::from(c)));
        }
    }
}

/// One version's fields (a never-written key's: value 0), or `siblings`, an array of them.
impl JsonFields for Siblings {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self.versions() {
            [] => Versioned::default().json_fields(o),
            [one] => one.json_fields(o),
            several => {
                o.array("siblings", &mut |a| {
                    for v in several {
                        a.object(v);
                    }
                });
            }
        }
    }
}

/// An operation's fields: `op`, `key`, then `value` or `expected` and `new`.
fn op_fields(op: Op, o: &mut JsonObject<'_>) {
    o.str("op", op.call().name())
        .str("key", &key_name(op.key()));
    match op {
        Op::Read { .. } => {}
        Op::Write { value, .. } => {
            o.u64("value", value);
        }
        Op::Cas { expected, new, .. } => {
            o.u64("expected", expected).u64("new", new);
        }
    }
}

/// A result's fields: `result` (`ok`, `value`, `cas_failed`, `not_leader`), then `value` or
/// `hint`.
fn result_fields(result: OpResult, o: &mut JsonObject<'_>) {
    match result {
        OpResult::Done => {
            o.str("result", "ok");
        }
        OpResult::Value(v) => {
            o.str("result", "value").u64("value", v);
        }
        OpResult::Siblings(values) => {
            o.str("result", "siblings")
                .u64s("values", &mut values.values());
        }
        OpResult::CasFailed(v) => {
            o.str("result", "cas_failed").u64("value", v);
        }
        OpResult::NotLeader(hint) => {
            o.str("result", "not_leader");
            if let Some(h) = hint {
                o.u64("hint", h.into());
            }
        }
    }
}

impl JsonFields for Msg {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            Msg::Raft(m) => m.json_fields(o),
            Msg::Request { req, op } => {
                o.str("type", "Request").u64("req", *req);
                op_fields(*op, o);
            }
            Msg::Reply { req, result } => {
                o.str("type", "Reply").u64("req", *req);
                result_fields(*result, o);
            }
            Msg::Confirm { term, seq } => {
                o.str("type", "Confirm").u64("term", *term).u64("seq", *seq);
            }
            Msg::ConfirmAck { term, seq } => {
                o.str("type", "ConfirmAck")
                    .u64("term", *term)
                    .u64("seq", *seq);
            }
            Msg::Get { token, key } => {
                o.str("type", "Get")
                    .u64("token", *token)
                    .str("key", &key_name(*key));
            }
            Msg::GetReply { token, held } => {
                o.str("type", "GetReply").u64("token", *token);
                held.json_fields(o);
            }
            Msg::Put {
                token,
                key,
                versions,
            } => {
                o.str("type", "Put")
                    .u64("token", *token)
                    .str("key", &key_name(*key));
                versions.json_fields(o);
            }
            Msg::PutAck { token } => {
                o.str("type", "PutAck").u64("token", *token);
            }
            Msg::Sync { store } => {
                o.str("type", "Sync").array("store", &mut |a| {
                    for v in store {
                        a.object(v);
                    }
                });
            }
        }
    }
}

/// `x=3 (stamp 1204 ms by Node 2)`, `x never written`, or `x=3|5 (siblings)`.
fn version_words(key: u8, copy: &Siblings) -> String {
    match copy.versions() {
        [] => format!("{} never written", key_name(key)),
        [v] => format!(
            "{}={} (stamp {} ms by Node {})",
            key_name(key),
            shown(v.value),
            crate::sim::param::millis(v.stamp),
            v.writer
        ),
        _ => format!(
            "{}={} (siblings)",
            key_name(key),
            SiblingValues::of(copy).shown(),
        ),
    }
}

impl Message for Msg {
    fn view(&self) -> MsgView {
        let view = |kind: &'static str, reply: bool, detail: String| MsgView {
            kind,
            reply,
            success: None,
            detail,
        };
        match self {
            Msg::Raft(m) => m.view(),
            Msg::Request { req, op } => view(
                "Request",
                false,
                format!("request {req}: {}", op.describe()),
            ),
            Msg::Reply { req, result } => MsgView {
                success: Some(!matches!(result, OpResult::NotLeader(_))),
                ..view(
                    "Reply",
                    true,
                    format!("request {req}: {}", result.describe()),
                )
            },
            Msg::Confirm { term, seq } => view(
                "Confirm",
                false,
                format!("do I still lead term {term}? (round {seq})"),
            ),
            Msg::ConfirmAck { term, seq } => view(
                "ConfirmAck",
                true,
                format!("round {seq}: my term is {term}"),
            ),
            Msg::Get { token, key } => view(
                "Get",
                false,
                format!("operation {token}: your copy of {}?", key_name(*key)),
            ),
            Msg::GetReply { token, held } => view(
                "GetReply",
                true,
                match held.versions() {
                    [v] => format!(
                        "operation {token}: value {} (stamp {} ms)",
                        shown(v.value),
                        crate::sim::param::millis(v.stamp)
                    ),
                    [] => format!("operation {token}: never written"),
                    _ => format!(
                        "operation {token}: siblings {}",
                        SiblingValues::of(held).shown()
                    ),
                },
            ),
            Msg::Put {
                token,
                key,
                versions,
            } => view(
                "Put",
                false,
                format!("operation {token}: store {}", version_words(*key, versions)),
            ),
            Msg::PutAck { token } => view("PutAck", true, format!("operation {token}: stored")),
            Msg::Sync { store } => {
                view("Sync", false, format!("anti-entropy: {} keys", store.len()))
            }
        }
    }
}

/// What a replica or client writes to the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvNote {
    /// A Raft note of a replica's embedded Raft server.
    Raft(raft::RaftNote),
    /// A client invoked an operation.
    Invoke {
        /// The client's number for it.
        req: u64,
        /// What.
        op: Op,
    },
    /// A client's operation completed: `ok`, `fail` (no effect) or `info` (unknown: timed out).
    Complete {
        /// The request.
        req: u64,
        /// The operation.
        op: Op,
        /// How it ended.
        outcome: Outcome,
        /// What a read returned (0: null).
        value: Option<u64>,
        /// What a read returned when it found siblings (then `value` is `None`).
        siblings: SiblingValues,
    },
    /// A quorum replica's last-writer-wins kept a write over a later one, whose coordinator
    /// had seen it (its clock was behind): an update lost.
    LostUpdate {
        /// The key.
        key: u8,
        /// The write kept (the larger stamp).
        kept: Versioned,
        /// The later write, dropped.
        lost: Versioned,
    },
    /// A replica answered a read from its own copy without asking anyone (a follower read, a
    /// leader's lease read).
    LocalRead {
        /// The key.
        key: u8,
        /// The value it holds.
        value: u64,
        /// Why it may: `follower` or `lease`.
        how: &'static str,
    },
    /// A replica ignored a vote request while it heard from its leader lately (the leader's
    /// lease depends on it).
    KeptLease {
        /// The candidate.
        candidate: NodeId,
    },
}

impl JsonFields for KvNote {
    fn json_fields(&self, o: &mut JsonObject<'_>) {
        match self {
            KvNote::Raft(n) => n.json_fields(o),
            KvNote::Invoke { req, op } => {
                o.u64("req", *req);
                op_fields(*op, o);
            }
            KvNote::Complete {
                req,
                op,
                outcome,
                value,
                siblings,
            } => {
                o.u64("req", *req);
                op_fields(*op, o);
                o.str("outcome", outcome.name());
                if let Some(v) = value {
                    o.u64("read", *v);
                }
                if !siblings.is_empty() {
                    o.u64s("siblings", &mut siblings.values());
                }
            }
            KvNote::LostUpdate { key, kept, lost } => {
                o.str("key", &key_name(*key))
                    .object("kept", kept)
                    .object("lost", lost);
            }
            KvNote::LocalRead { key, value, how } => {
                o.str("key", &key_name(*key))
                    .u64("value", *value)
                    .str("how", how);
            }
            KvNote::KeptLease { candidate } => {
                o.u64("candidate", (*candidate).into());
            }
        }
    }
}

impl Note for KvNote {
    fn kind(&self) -> &'static str {
        match self {
            KvNote::Raft(n) => n.kind(),
            KvNote::Invoke { .. } => "invoke",
            KvNote::Complete { .. } => "complete",
            KvNote::LostUpdate { .. } => "lost_update",
            KvNote::LocalRead { .. } => "local_read",
            KvNote::KeptLease { .. } => "kept_lease",
        }
    }

    fn describe(&self, node: NodeId) -> String {
        match self {
            KvNote::Raft(n) => n.describe(node),
            KvNote::Invoke { req, op } => {
                format!("Node {node} invoked {} (request {req})", op.describe())
            }
            KvNote::Complete {
                req,
                op,
                outcome,
                value,
                siblings,
            } => {
                let how = match (outcome, value) {
                    _ if !siblings.is_empty() => {
                        format!("returned siblings {}", siblings.shown())
                    }
                    (Outcome::Ok, Some(v)) => format!("returned {}", shown(*v)),
                    (Outcome::Ok, None) => "ok".into(),
                    (Outcome::Fail, Some(v)) => format!("failed: found {}", shown(*v)),
                    (Outcome::Fail, None) => "failed without effect".into(),
                    (Outcome::Info, _) => "timed out: it may or may not take effect".into(),
                };
                format!("Node {node}'s {} (request {req}) {how}", op.describe())
            }
            KvNote::LocalRead { key, value, how } => format!(
                "Node {node} answered a read of {} from its own copy ({}): {}",
                key_name(*key),
                if *how == "lease" {
                    "its leader lease holds"
                } else {
                    "a follower read"
                },
                shown(*value)
            ),
            KvNote::LostUpdate { key, kept, lost } => format!(
                "Node {node} kept {k} = {} (Node {}'s, stamped {} ms) over the later {k} = {} \
                 (Node {}'s, which had seen it, stamped {} ms): last-writer-wins lost an update \
                 to clock skew",
                kept.value,
                kept.writer,
                crate::sim::param::millis(kept.stamp),
                lost.value,
                lost.writer,
                crate::sim::param::millis(lost.stamp),
                k = key_name(*key),
            ),
            KvNote::KeptLease { candidate } => format!(
                "Node {node} ignored Node {candidate}'s vote request: it heard from its leader lately"
            ),
        }
    }

    fn headline(&self, node: NodeId) -> Option<String> {
        match self {
            KvNote::Raft(n) => n.headline(node),
            _ => None,
        }
    }

    fn marker(&self) -> Option<crate::sim::Marker> {
        match self {
            KvNote::Raft(n) => n.marker(),
            _ => None,
        }
    }

    fn operation(&self) -> Option<OpEvent> {
        match *self {
            KvNote::Invoke { op, .. } => Some(OpEvent::Invoke {
                key: Some(key_name(op.key())),
                call: op.call(),
            }),
            KvNote::Complete {
                op,
                outcome,
                value,
                siblings,
                ..
            } => Some(OpEvent::Complete {
                outcome,
                returned: super::op::returned(op, outcome, value, siblings),
            }),
            _ => None,
        }
    }
}
