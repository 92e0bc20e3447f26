//! The trace: every event of a run, in order, exportable as JSON Lines.
//!
//! Line shapes are documented in the README. Every line has `t` (virtual µs) and `kind`.

use super::action::ActionKind;
use super::erased::{MsgRef, NoteRef};
use super::json::{JsonFields, JsonObject};
use super::lab::{DropReason, Milestone, TraceKind, TraceView};
use super::node::{Finding, NodeId};
use super::time::Micros;

/// One trace line before rendering.
pub struct Record {
    /// Virtual time.
    pub t: Micros,
    /// Number of events processed before the one that produced this line.
    pub event: u64,
    /// What happened.
    pub kind: RecordKind,
}

/// What a trace line records.
pub enum RecordKind {
    /// A node put a message on the wire.
    Send {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: MsgRef,
        /// Whether it travels a direction the visitor slowed down (drawn differently; not
        /// part of the trace line, which the latency already tells).
        slow: bool,
    },
    /// A message reached its receiver.
    Deliver {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: MsgRef,
    },
    /// A message was lost, and why.
    Drop {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: MsgRef,
        reason: DropReason,
    },
    /// A node stopped.
    Crash { node: NodeId },
    /// A node started again.
    Restart { node: NodeId },
    /// A node froze until `until`.
    Pause { node: NodeId, until: Micros },
    /// A paused node carried on.
    Resume { node: NodeId },
    /// A client handed a command to a node.
    Client { node: NodeId, command: u64 },
    /// A protocol note (role change, commit, …).
    Note { node: NodeId, note: NoteRef },
    /// An invariant broke.
    Violation { node: NodeId, finding: Finding },
    /// A visitor action was applied.
    Action(ActionKind),
    /// Chaos mode injected a fault (applied like the visitor action it names).
    Chaos(ActionKind),
}

/// A record seen with its protocol's notes typed as `T`, for code that knows the protocol
/// (tests that match on notes).
pub enum TypedRecord<'a, T> {
    /// A note of type `T`.
    Note {
        /// The node that wrote it.
        node: &'a NodeId,
        /// The note.
        note: &'a T,
    },
    /// Any other record (or a note of another type).
    Other(&'a RecordKind),
}

impl Record {
    /// The record with notes of type `T` typed, for matching on them.
    pub fn typed<T: 'static>(&self) -> TypedRecord<'_, T> {
        match &self.kind {
            RecordKind::Note { node, note } => match note.as_any().downcast_ref::<T>() {
                Some(note) => TypedRecord::Note { node, note },
                None => TypedRecord::Other(&self.kind),
            },
            kind => TypedRecord::Other(kind),
        }
    }

    /// What the record records (its `kind` field).
    pub fn kind(&self) -> TraceKind {
        match &self.kind {
            RecordKind::Send { .. } => TraceKind::Send,
            RecordKind::Deliver { .. } => TraceKind::Deliver,
            RecordKind::Drop { .. } => TraceKind::Drop,
            RecordKind::Crash { .. } => TraceKind::Crash,
            RecordKind::Restart { .. } => TraceKind::Restart,
            RecordKind::Pause { .. } => TraceKind::Pause,
            RecordKind::Resume { .. } => TraceKind::Resume,
            RecordKind::Client { .. } => TraceKind::Client,
            RecordKind::Note { note, .. } => TraceKind::Note(note.kind()),
            RecordKind::Violation { .. } => TraceKind::Violation,
            RecordKind::Action(_) => TraceKind::Action,
            RecordKind::Chaos(_) => TraceKind::Chaos,
        }
    }

    /// Renders the record as one JSON object (no newline).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut o = JsonObject::open(&mut out);
        o.u64("t", self.t);
        let message =
            |o: &mut JsonObject<'_>, kind, id, from: NodeId, to: NodeId, reason, msg: &MsgRef| {
                o.str("kind", kind)
                    .u64("id", id)
                    .u64("from", from.into())
                    .u64("to", to.into());
                if let Some(reason) = reason {
                    o.str("reason", reason);
                }
                o.object("msg", msg.as_ref());
            };
        match &self.kind {
            RecordKind::Send {
                id, from, to, msg, ..
            } => message(&mut o, "send", *id, *from, *to, None, msg),
            RecordKind::Deliver { id, from, to, msg } => {
                message(&mut o, "deliver", *id, *from, *to, None, msg)
            }
            RecordKind::Drop {
                id,
                from,
                to,
                msg,
                reason,
            } => message(&mut o, "drop", *id, *from, *to, Some(reason.as_str()), msg),
            RecordKind::Crash { node } => {
                o.str("kind", "crash").u64("node", (*node).into());
            }
            RecordKind::Restart { node } => {
                o.str("kind", "restart").u64("node", (*node).into());
            }
            RecordKind::Pause { node, until } => {
                o.str("kind", "pause")
                    .u64("node", (*node).into())
                    .u64("until", *until);
            }
            RecordKind::Resume { node } => {
                o.str("kind", "resume").u64("node", (*node).into());
            }
            RecordKind::Client { node, command } => {
                o.str("kind", "client")
                    .u64("node", (*node).into())
                    .u64("command", *command);
            }
            RecordKind::Note { node, note } => {
                o.u64("node", (*node).into());
                note.trace_fields(&mut o);
            }
            RecordKind::Violation { node, finding } => {
                o.str("kind", "violation")
                    .u64("node", (*node).into())
                    .str("invariant", finding.invariant)
                    .str("detail", &finding.detail);
            }
            RecordKind::Action(kind) | RecordKind::Chaos(kind) => {
                o.str("kind", self.kind().as_str()).u64("event", self.event);
                kind.json_fields(&mut o);
            }
        }
        o.close();
        out
    }

    /// The record as the page shows it.
    pub fn view(&self) -> TraceView {
        let (nodes, text, headline, marker): (
            Vec<NodeId>,
            String,
            Option<String>,
            Option<Milestone>,
        ) = match &self.kind {
            RecordKind::Send {
                id, from, to, msg, ..
            } => {
                let v = msg.view();
                (
                    vec![*from, *to],
                    format!(
                        "Node {from} sent {} #{id} to Node {to}: {}",
                        v.kind, v.detail
                    ),
                    None,
                    None,
                )
            }
            RecordKind::Deliver { id, from, to, msg } => {
                let v = msg.view();
                (
                    vec![*from, *to],
                    format!("Node {to} received {} #{id} from Node {from}", v.kind),
                    None,
                    None,
                )
            }
            RecordKind::Drop {
                id,
                from,
                to,
                msg,
                reason,
            } => {
                let v = msg.view();
                (
                    vec![*from, *to],
                    format!(
                        "{} #{id} from Node {from} to Node {to} lost: {}",
                        v.kind,
                        reason.as_str()
                    ),
                    None,
                    None,
                )
            }
            RecordKind::Crash { node } => (
                vec![*node],
                format!("Node {node} crashed"),
                Some(format!("Node {node} crashed")),
                None,
            ),
            RecordKind::Restart { node } => (
                vec![*node],
                format!("Node {node} restarted"),
                Some(format!("Node {node} restarted")),
                None,
            ),
            RecordKind::Pause { node, until } => {
                let text = format!(
                    "Node {node} paused until {} ms",
                    super::param::millis(*until)
                );
                (vec![*node], text.clone(), Some(text), None)
            }
            RecordKind::Resume { node } => (
                vec![*node],
                format!("Node {node} resumed"),
                Some(format!("Node {node} resumed")),
                None,
            ),
            RecordKind::Client { node, command } => (
                vec![*node],
                format!("Client sent command {command} to Node {node}"),
                None,
                None,
            ),
            RecordKind::Note { node, note } => {
                let headline = note.headline(*node);
                let marker = note.marker().map(Milestone::from);
                (
                    vec![*node],
                    headline.clone().unwrap_or_else(|| note.describe(*node)),
                    headline,
                    marker,
                )
            }
            RecordKind::Violation { node, finding } => {
                let text = format!("{} violated: {}", finding.invariant, finding.detail);
                (
                    vec![*node],
                    text.clone(),
                    Some(text),
                    Some(Milestone::Violation),
                )
            }
            RecordKind::Action(kind) => {
                (kind.nodes(), kind.describe(), None, Some(Milestone::Action))
            }
            RecordKind::Chaos(kind) => (
                kind.nodes(),
                format!("Chaos: {}", kind.describe()),
                None,
                Some(Milestone::Chaos),
            ),
        };
        TraceView {
            t: self.t,
            event: self.event,
            kind: self.kind(),
            nodes,
            text,
            headline,
            marker,
        }
    }
}

/// FNV-1a 64-bit digest of a text: short, stable and identical on every platform.
pub fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
