//! One message on the wire: a control named like `AppendEntries from Node 1 to Node 4`.
//!
//! Requests are filled dots, replies are rings, failed replies are dashed rings filled with the
//! failure colour, so the kinds read without colour. Clicks and keys are handled once for the
//! whole layer by the ring (each dot carries `data-msg`), so moving messages allocate no
//! callbacks.
//!
//! Each message has a "why" (the protocol's one-line explanation, `MsgView::detail`, e.g.
//! "Vote refused: candidate's last log term 2 < 3"), shown in a tip above it while it is hovered
//! or has keyboard focus; the tip's text is made once per message.

use yew::prelude::*;

use crate::sim::lab::FlightView;
use crate::sim::node::{MsgView, NodeId};

use super::geometry::{kind_class, kind_index};

/// The accessible name of a message.
pub fn message_name(f: &FlightView) -> String {
    message_label(&f.msg, f.from, f.to)
}

/// A message's name from its view and ends: `AppendEntries from Node 1 to Node 4, failed`.
pub fn message_label(m: &MsgView, from: NodeId, to: NodeId) -> String {
    let outcome = match (m.reply, m.success) {
        (true, Some(true)) => ", succeeded",
        (true, Some(false)) => ", failed",
        _ => "",
    };
    format!("{} from Node {from} to Node {to}{outcome}", kind_name(m))
}

/// The name and the "why" (the protocol's one-line explanation of the content), e.g.
/// `RequestVote reply from Node 2 to Node 1, failed — Vote refused: candidate's last log term 2 < 3`.
pub fn message_title(m: &MsgView, from: NodeId, to: NodeId) -> String {
    let mut t = message_label(m, from, to);
    if !m.detail.is_empty() {
        t.push_str(" — ");
        t.push_str(&m.detail);
    }
    t
}

/// The message type, with "reply" added when the type name does not already say so.
pub fn kind_name(m: &MsgView) -> String {
    let lower = m.kind.to_ascii_lowercase();
    let mut name = m.kind.to_string();
    if m.reply && !(lower.contains("reply") || lower.contains("response") || lower.contains("ack"))
    {
        name.push_str(" reply");
    }
    name
}

/// The parts of a message glyph that do not change while it flies, made once per message.
#[derive(Clone, Debug, PartialEq)]
pub struct FlightLabel {
    /// Accessible name, e.g. `AppendEntries from Node 1 to Node 4`.
    pub name: AttrValue,
    /// CSS classes: kind colour, request or reply, failed.
    pub class: AttrValue,
    /// How its dot is painted (see [`Dot`]).
    pub dot: Dot,
    /// The "why" shown above the dot on hover and on keyboard focus (the message's detail).
    pub tip: AttrValue,
}

impl FlightLabel {
    /// The label of message `f`.
    pub fn new(f: &FlightView) -> FlightLabel {
        let name = message_name(f);
        let failed = f.msg.success == Some(false);
        let shape = if f.msg.reply { "rep" } else { "req" };
        let mut tip: String = if f.msg.detail.is_empty() {
            kind_name(&f.msg)
        } else {
            f.msg.detail.clone()
        };
        if tip.chars().count() > TIP_CHARS {
            tip = tip.chars().take(TIP_CHARS - 1).collect();
            tip.push('…');
        }
        FlightLabel {
            tip: tip.into(),
            name: name.into(),
            class: format!(
                "msg {} {shape}{}",
                kind_class(f.msg.kind),
                if failed { " fail" } else { "" }
            )
            .into(),
            dot: Dot {
                kind: kind_index(f.msg.kind),
                shape: match (f.msg.reply, failed) {
                    (false, _) => DotShape::Request,
                    (true, false) => DotShape::Reply,
                    (true, true) => DotShape::Failed,
                },
            },
        }
    }
}

/// How a message's dot is painted: its kind's colour (0–3) and its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dot {
    /// The kind's colour, as in the class `kN`.
    pub kind: usize,
    /// Filled, ring or dashed ring.
    pub shape: DotShape,
}

/// The three dot shapes, so that message kinds read without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DotShape {
    /// A filled dot.
    Request,
    /// A ring.
    Reply,
    /// A dashed ring filled with the failure colour.
    Failed,
}

impl Dot {
    /// Number of distinct paints (four colours by three shapes).
    pub const COUNT: usize = 12;

    /// An index in `0..COUNT`, to paint all dots of one kind together.
    pub fn index(self) -> usize {
        self.kind * 3 + self.shape as usize
    }
}

/// Longest tip drawn, in characters (the full text is in the message's menu).
const TIP_CHARS: usize = 64;
