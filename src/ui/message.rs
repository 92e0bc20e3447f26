//! One message on the wire: a control named like `AppendEntries from Node 1 to Node 4`.
//!
//! Requests are filled dots, replies are rings, failed replies carry a cross, so the kinds read
//! without colour. Clicks and keys are handled once for the whole layer by the ring (each glyph
//! carries `data-msg`), so moving messages allocate no callbacks.
//!
//! Each glyph carries its "why" (the protocol's one-line explanation, `MsgView::detail`, e.g.
//! "Vote refused: candidate's last log term 2 < 3") as a tip drawn above it while it is hovered
//! or has keyboard focus; the tip's text and box are made once per message.

use yew::prelude::*;

use crate::sim::lab::FlightView;
use crate::sim::node::{MsgView, NodeId};

use super::geometry::kind_class;

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
    /// Tooltip: the name and the content.
    pub title: AttrValue,
    /// CSS classes: kind colour, request or reply, failed.
    pub class: AttrValue,
    /// Whether it is a failed reply (drawn with a cross).
    pub failed: bool,
    /// The "why" shown above the dot on hover and on keyboard focus (the message's detail).
    pub tip: AttrValue,
    /// The tip's box in SVG units: left edge and width (made once per message).
    pub tip_box: (AttrValue, AttrValue),
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
        let w = tip.chars().count() as f64 * 4.9 + 10.0;
        FlightLabel {
            tip: tip.into(),
            tip_box: (format!("{:.1}", -w / 2.0).into(), format!("{w:.1}").into()),
            title: format!("{name} — {}", f.msg.detail).into(),
            name: name.into(),
            class: format!(
                "msg {} {shape}{}",
                kind_class(f.msg.kind),
                if failed { " fail" } else { "" }
            )
            .into(),
            failed,
        }
    }
}

/// Longest tip drawn, in characters (the full text is in the glyph's title and its menu).
const TIP_CHARS: usize = 64;

/// A message dot at (`x`, `y`) with radius `r`. A plain function rather than a component:
/// messages move every frame, so there is nothing to memoise.
pub fn message_glyph(id: u64, label: &FlightLabel, x: f64, y: f64, r: f64, open: bool) -> Html {
    let class = if open {
        AttrValue::from(format!("{} open", label.class))
    } else {
        label.class.clone()
    };
    let a = r * 0.62;
    let hit = (r + 7.0).max(11.0);
    html! {
        <g key={id} class={class} id={format!("msg-{id}")} data-msg={id.to_string()}
            transform={format!("translate({x:.1} {y:.1})")}
            role="button" tabindex="0" aria-label={label.name.clone()} aria-haspopup="menu"
            aria-expanded={if open { "true" } else { "false" }}>
            <title>{ label.title.clone() }</title>
            <circle class="hit" r={format!("{hit:.1}")} />
            <circle class="dot" r={format!("{r:.1}")} />
            if label.failed {
                <path class="cross" d={format!("M{:.1} {:.1}L{a:.1} {a:.1}M{:.1} {a:.1}L{a:.1} {:.1}", -a, -a, -a, -a)} />
            }
            <g class="tip" aria-hidden="true">
                <rect x={label.tip_box.0.clone()} y="-32" width={label.tip_box.1.clone()} height="15" rx="3" />
                <text y="-21.5">{ label.tip.clone() }</text>
            </g>
        </g>
    }
}
