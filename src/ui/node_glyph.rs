//! One node on the ring: a keyboard- and pointer-operable control named like
//! `Node 3, leader, term 2` that opens the node's menu.
//!
//! The fill colour follows the epoch; the role is also given by the shape (see
//! [`super::geometry::Shape`] and the ring's legend) and by the label next to the node, and a
//! crashed node is greyed, dashed and crossed out, so nothing depends on colour alone.
//!
//! The visible label (`3 · leader`, or `3` on a crowded ring) is part of the accessible name
//! (WCAG 2.5.3, for voice control). The epoch number drawn inside the node is not part of the
//! control (see [`term_text`]): the name says it after the role, where a visible number inside
//! the control would break the label's words apart.

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{LeadClaim, LeadStage, ProtocolInfo};
use crate::sim::time::{MS, Micros};

use super::el::{El, fragment};
use super::geometry::{LabelPlace, LabelText, Layout, Shape, epoch_class, shape};
use super::store::{Menu, Msg, Snap};

/// The accessible name of a node: `Node 3, leader, term 2` (or `Node 3, crashed, term 2`).
/// A node of another kind (a client), or of a protocol without epochs (a balancer), has no
/// epoch: its first two fields stand instead (`Node 6, client, sends to Node 3, in flight 2`).
pub fn node_name(n: &NodeState, info: &ProtocolInfo) -> String {
    let role = if n.up { n.view.role } else { "crashed" };
    let paused = if n.paused_until.is_some() {
        ", paused"
    } else {
        ""
    };
    if shape(info, n.view.role) == Shape::Block || info.epoch_name.is_empty() {
        let fields: Vec<String> = (n.view.fields.iter().take(2))
            .map(|(k, v)| format!(", {k} {v}"))
            .collect();
        return format!("Node {}, {role}{}{paused}", n.id, fields.concat());
    }
    format!(
        "Node {}, {role}, {} {}{paused}",
        n.id, info.epoch_name, n.view.epoch
    )
}

/// The claim of the node that leads, where the protocol has several contenders for its most
/// prominent role (see [`crate::sim::node::NodeView::lead_claim`]): the greatest claim among
/// running nodes.
pub fn leading_claim<'a>(nodes: impl IntoIterator<Item = &'a NodeState>) -> Option<LeadClaim> {
    nodes
        .into_iter()
        .filter(|n| n.up)
        .filter_map(|n| n.view.lead_claim)
        .max()
}

/// Whether node `n` wears the crown: it is running in the protocol's most prominent role and,
/// where several nodes contend for it, is trying to lead and holds the `leading` claim.
pub fn crowned(n: &NodeState, info: &ProtocolInfo, leading: Option<LeadClaim>) -> bool {
    n.up && shape(info, n.view.role) == Shape::Crown
        && n.view
            .lead_claim
            .is_none_or(|c| c.stage > LeadStage::Idle && Some(c) == leading)
}

/// The text of a node's label.
pub fn label_text(n: &NodeState, text: LabelText) -> String {
    let role = if n.up { n.view.role } else { "crashed" };
    match text {
        LabelText::IdAndRole => format!("{} · {role}", n.id),
        LabelText::Id => n.id.to_string(),
    }
}

/// The epoch number drawn over node `n` (in a layer above the nodes, hidden from assistive
/// technology; clicks pass through it to the node).
pub fn term_text(n: &NodeState, layout: &Layout) -> Html {
    if !layout.is_peer(n.id) {
        return Html::default(); // clients and other kinds have no epoch
    }
    let (cx, cy) = layout.pos(n.id);
    let font = (layout.radius(n.id) * 0.85).clamp(8.0, 20.0);
    El::new("text")
        .key(n.id)
        .class(classes!(
            "term",
            epoch_class(n.view.epoch),
            (!n.up).then_some("down")
        ))
        .attr("x", f(cx))
        .attr("y", f(cy + font * 0.35))
        .attr("font-size", f(font))
        .text(n.view.epoch.to_string())
        .into()
}

/// Props of [`NodeGlyph`].
#[derive(Properties, PartialEq)]
pub struct NodeProps {
    /// The node.
    pub node: Snap<NodeState>,
    /// The protocol (for role shapes and the epoch's name).
    pub info: Snap<ProtocolInfo>,
    /// Ring geometry.
    pub layout: Layout,
    /// Where the label goes.
    pub label: LabelPlace,
    /// What the labels say.
    pub label_text: LabelText,
    /// Label font size.
    pub label_font: f64,
    /// Wears the crown (see [`crowned`]); a node in the crowned role without it is drawn with
    /// the double ring only.
    pub crowned: bool,
    /// Shown in the inspector.
    pub selected: bool,
    /// Its menu is open.
    pub open: bool,
    /// While a partition is being drawn: whether the node is on side B (choosing the node then
    /// moves it to the other side instead of opening its menu).
    #[prop_or_default]
    pub drafting: Option<bool>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
    /// The moment on screen, for the waiting requests' ages; 0 for a node with no queue (it
    /// then does not redraw as time passes).
    #[prop_or_default]
    pub now: Micros,
}

/// Most waiting requests drawn beside a node (a count says how many more).
const QUEUE_DRAWN: usize = 12;

/// The age class of a request that has waited `wait` µs: `q0` (under 10 ms) to `q4` (300 ms or
/// more), drawn from light to dark.
pub fn wait_class(wait: Micros) -> &'static str {
    match wait {
        w if w < 10 * MS => "q0",
        w if w < 30 * MS => "q1",
        w if w < 100 * MS => "q2",
        w if w < 300 * MS => "q3",
        _ => "q4",
    }
}

/// The requests waiting at a node, as a row of small squares just above it, oldest first, each
/// coloured by how long it has waited (the node's name says how many wait).
fn queue_row(queue: &[Micros], now: Micros, cx: f64, cy: f64, r: f64) -> El {
    let size = (r * 0.4).clamp(4.0, 7.0);
    let (x0, y) = (cx - r * 0.9, cy - r * 0.9 - size - 3.0);
    // No text of its own: the control's name says how many wait (text inside it that its name
    // does not contain would contradict the name, for voice control).
    let mut row = El::new("g").attr("aria-hidden", "true").class("queue");
    for (k, &since) in queue.iter().take(QUEUE_DRAWN).enumerate() {
        row = row.child(
            El::new("rect")
                .class(wait_class(now.saturating_sub(since)))
                .attr("x", f(x0 + k as f64 * (size + 1.5)))
                .attr("y", f(y))
                .attr("width", f(size))
                .attr("height", f(size)),
        );
    }
    if queue.len() > QUEUE_DRAWN {
        row = row.child(
            El::new("text")
                .attr("x", f(x0 + QUEUE_DRAWN as f64 * (size + 1.5) + 2.0))
                .attr("y", f(y + size))
                .text(format!("+{}", queue.len() - QUEUE_DRAWN)),
        );
    }
    row
}

/// A node.
#[component]
pub fn NodeGlyph(p: &NodeProps) -> Html {
    let n = &*p.node;
    let id = n.id;
    let (cx, cy) = p.layout.pos(id);
    let r = p.layout.radius(id);
    let name = node_name(n, &p.info);
    let shape = if n.up {
        shape(&p.info, n.view.role)
    } else {
        Shape::Circle
    };

    let choose = if p.drafting.is_some() {
        Msg::PartitionToggle(id)
    } else {
        Msg::OpenMenu(Menu::Node(id))
    };
    let onclick = {
        let dispatch = p.dispatch.clone();
        let choose = choose.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            dispatch.emit(choose.clone());
        })
    };
    let onkeydown = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if key == "Enter" || key == " " || key == "Spacebar" {
                // Also stops the browser from turning this key press into a click on the menu
                // item that receives focus.
                e.prevent_default();
                dispatch.emit(choose.clone());
            }
        })
    };

    // A circle centred on the node, of radius `r`.
    let ring = |class: &'static str, r: f64| {
        El::new("circle")
            .class(class)
            .attr("cx", f(cx))
            .attr("cy", f(cy))
            .attr("r", f(r))
    };
    let path = |class: &'static str, d: String| El::new("path").attr("d", d).class(class);
    let body = match shape {
        Shape::Circle => ring("body", r).into(),
        Shape::Crown if !p.crowned => fragment(vec![
            ring("halo", r + 3.5).into(),
            ring("body thick", r).into(),
        ]),
        Shape::Crown => {
            let w = p.layout.crown_half_width(id);
            let top = cy - r - 3.0;
            let crown = format!(
                "M{} {}L{} {}L{} {}L{} {}L{} {}L{} {}L{} {}Z",
                f(cx - w),
                f(top),
                f(cx - w),
                f(top - w * 0.9),
                f(cx - w * 0.45),
                f(top - w * 0.4),
                f(cx),
                f(top - w * 1.1),
                f(cx + w * 0.45),
                f(top - w * 0.4),
                f(cx + w),
                f(top - w * 0.9),
                f(cx + w),
                f(top)
            );
            fragment(vec![
                ring("halo", r + 3.5).into(),
                ring("body thick", r).into(),
                path("crown", crown).into(),
            ])
        }
        Shape::Diamond => {
            let d = r * 1.15;
            let outline = format!(
                "M{} {}L{} {}L{} {}L{} {}Z",
                f(cx),
                f(cy - d),
                f(cx + d),
                f(cy),
                f(cx),
                f(cy + d),
                f(cx - d),
                f(cy)
            );
            path("body dashed", outline).into()
        }
        Shape::Square | Shape::Block => {
            // A block (a client …) is a rounded square: its corners come from the style sheet.
            let class = if shape == Shape::Block {
                "body block"
            } else {
                "body dotted"
            };
            let s = r * 0.9;
            El::new("rect")
                .class(class)
                .attr("x", f(cx - s))
                .attr("y", f(cy - s))
                .attr("width", f(2.0 * s))
                .attr("height", f(2.0 * s))
                .into()
        }
    };
    let label = label_text(n, p.label_text);
    let class = classes!(
        "node",
        epoch_class(n.view.epoch),
        (!n.up).then_some("down"),
        n.paused_until.is_some().then_some("paused"),
        p.selected.then_some("selected"),
        p.open.then_some("open")
    );
    let true_false = |b: bool| if b { "true" } else { "false" };
    let xmark = || {
        let d = format!(
            "M{} {}L{} {}M{} {}L{} {}",
            f(cx - r * 0.7),
            f(cy - r * 0.7),
            f(cx + r * 0.7),
            f(cy + r * 0.7),
            f(cx - r * 0.7),
            f(cy + r * 0.7),
            f(cx + r * 0.7),
            f(cy - r * 0.7)
        );
        path("xmark", d)
    };
    // Two bars inside the node, either side of its number: the usual "paused" sign (above the
    // node is the crown's place).
    let pause_mark = || {
        let d = format!(
            "M{} {}v{}M{} {}v{}",
            f(cx - r * 0.58),
            f(cy - r * 0.45),
            f(r * 0.9),
            f(cx + r * 0.58),
            f(cy - r * 0.45),
            f(r * 0.9)
        );
        El::new("path")
            .attr("aria-hidden", "true")
            .attr("d", d)
            .class("pause-mark")
    };
    El::new("g")
        .class(class)
        .attr("id", format!("node-{id}"))
        .attr("role", "button")
        .attr("tabindex", "0")
        .attr("aria-label", name)
        .attr("aria-haspopup", p.drafting.is_none().then_some("menu"))
        .attr(
            "aria-expanded",
            p.drafting.is_none().then_some(true_false(p.open)),
        )
        .attr("aria-pressed", p.drafting.map(true_false))
        .on_click(onclick)
        .on_keydown(onkeydown)
        .maybe(p.selected.then(|| ring("select-ring", r + 9.0)))
        .maybe((p.drafting == Some(true)).then(|| ring("draft-mark", r + 5.0)))
        .child(body)
        .maybe((!n.up).then(xmark))
        .maybe(n.paused_until.is_some().then(pause_mark))
        .maybe(
            (n.up && !n.view.queue.is_empty()).then(|| queue_row(&n.view.queue, p.now, cx, cy, r)),
        )
        .child(
            El::new("text")
                .class("label")
                .attr("x", f(p.label.x))
                .attr("y", f(p.label.y))
                .attr("font-size", f(p.label_font))
                .text(label),
        )
        .into()
}

/// A coordinate rounded for SVG attributes.
pub fn f(v: f64) -> String {
    crate::sim::decimal::fixed(v, 1)
}
