//! The cluster drawing: nodes on a ring, their countdown arcs, messages in flight (positioned by
//! virtual send and arrival time), marks for lost messages, cut links, and the open menu.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::action::ActionKind;
use crate::sim::node::{NodeId, ProtocolInfo};

use super::geometry::{CENTER, Layout, VIEW, countdown_left, flight_frac};
use super::menu::{MenuItem, PopupMenu};
use super::message::{message_glyph, message_name};
use super::node_glyph::{NodeGlyph, f, node_name};
use super::store::{Frame, Menu, Msg, Snap, on_click};

/// Inputs of [`ring`].
pub struct RingProps {
    /// What to draw.
    pub frame: std::rc::Rc<Frame>,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// The open menu, if any.
    pub menu: Option<Menu>,
    /// The node shown in the inspector.
    pub selected: Option<NodeId>,
    /// Messages jump between three points instead of gliding.
    pub reduced_motion: bool,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
    /// The ring's event handlers, made once (see [`RingHandlers::new`]).
    pub handlers: std::rc::Rc<RingHandlers>,
}

/// Event handlers shared by every frame of the ring, so that redrawing it does not replace its
/// listeners.
pub struct RingHandlers {
    /// Click on a message (delegated: the glyph is found from the event target).
    pub msg_click: Callback<MouseEvent>,
    /// Enter or Space on a message.
    pub msg_key: Callback<KeyboardEvent>,
    /// Click on the empty ring: closes the menu.
    pub background: Callback<MouseEvent>,
}

impl RingHandlers {
    /// The handlers, sending to `dispatch`.
    pub fn new(dispatch: &Callback<Msg>) -> RingHandlers {
        // Find the message glyph an event happened in.
        fn msg_id(target: Option<web_sys::EventTarget>) -> Option<u64> {
            let el = target?.dyn_into::<web_sys::Element>().ok()?;
            el.closest("[data-msg]")
                .ok()??
                .get_attribute("data-msg")?
                .parse()
                .ok()
        }
        let msg_click = {
            let dispatch = dispatch.clone();
            Callback::from(move |e: MouseEvent| {
                if let Some(id) = msg_id(e.target()) {
                    e.stop_propagation();
                    dispatch.emit(Msg::OpenMenu(Menu::Message(id)));
                }
            })
        };
        let msg_key = {
            let dispatch = dispatch.clone();
            Callback::from(move |e: KeyboardEvent| {
                let key = e.key();
                if (key == "Enter" || key == " " || key == "Spacebar")
                    && let Some(id) = msg_id(e.target())
                {
                    e.prevent_default();
                    dispatch.emit(Msg::OpenMenu(Menu::Message(id)));
                }
            })
        };
        RingHandlers {
            msg_click,
            msg_key,
            background: on_click(dispatch, Msg::CloseMenu),
        }
    }
}

/// The ring.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn ring(p: &RingProps) -> Html {
    let frame = &p.frame;
    let layout = Layout::new(frame.nodes.len());
    let now = frame.now;

    // Cut links, drawn only while the network is not whole.
    let net = &frame.network;
    let mut cuts = Vec::new();
    if net.groups.windows(2).any(|w| w[0] != w[1]) || !net.cut_links.is_empty() {
        for a in 1..=layout.n as NodeId {
            for b in a + 1..=layout.n as NodeId {
                if net.is_cut(a, b) {
                    let (x0, y0) = layout.pos(a);
                    let (x1, y1) = layout.pos(b);
                    cuts.push(
                        html! { <line class="cut" x1={f(x0)} y1={f(y0)} x2={f(x1)} y2={f(y1)} /> },
                    );
                }
            }
        }
    }

    let arcs = frame.nodes.iter().filter(|n| n.up).filter_map(|n| {
        let (set, fires) = n.countdown?;
        let left = countdown_left(now, set, fires);
        let (cx, cy) = layout.pos(n.id);
        Some(html! {
            <circle key={n.id} class="timer" cx={f(cx)} cy={f(cy)} r={f(layout.node_r + 5.5)} pathLength="100"
                stroke-dasharray={format!("{:.2} 100", left * 100.0)}
                transform={format!("rotate(-90 {} {})", f(cx), f(cy))} />
        })
    });

    let nodes = frame.nodes.iter().map(|n| {
        let id = n.id;
        html! {
            <NodeGlyph key={id} node={n.clone()} info={p.info.clone()} layout={layout}
                selected={p.selected == Some(id)} open={p.menu == Some(Menu::Node(id))}
                dispatch={p.dispatch.clone()} />
        }
    });

    let messages = frame
        .flights
        .iter()
        .zip(frame.labels.iter())
        .map(|(fl, label)| {
            let frac = flight_frac(now, fl.sent, fl.arrives, p.reduced_motion);
            let (x, y) = layout.along(fl.from, fl.to, frac);
            message_glyph(
                fl.id,
                label,
                x,
                y,
                layout.msg_r,
                p.menu == Some(Menu::Message(fl.id)),
            )
        });

    let lost = frame.lost.iter().map(|m| {
        let (x, y) = layout.along(m.from, m.to, m.frac);
        let age = now.saturating_sub(m.at) as f64 / frame.lost_window.max(1) as f64;
        let opacity = (1.0 - age * 0.8).clamp(0.2, 1.0);
        let a = layout.msg_r;
        html! {
            <g key={m.id} class="lost" opacity={format!("{opacity:.2}")} transform={format!("translate({:.1} {:.1})", x, y)}>
                <title>{ format!("{} from Node {} to Node {} lost: {}", m.kind, m.from, m.to, m.reason) }</title>
                <path d={format!("M{:.1} {:.1}L{a:.1} {a:.1}M{:.1} {a:.1}L{a:.1} {:.1}", -a, -a, -a, -a)} />
                <text y={f(-a - 3.0)}>{ "lost" }</text>
            </g>
        }
    });

    let menu = p.menu.and_then(|m| menu_for(m, p, &layout));

    html! {
        <div class="ring-wrap">
            <svg class="ring" viewBox={format!("0 0 {VIEW} {VIEW}")} role="group"
                aria-label={format!("{} cluster of {} nodes; {} messages in flight", p.info.title, layout.n, frame.flights.len())}>
                <rect class="bg" x="0" y="0" width={f(VIEW)} height={f(VIEW)} onclick={p.handlers.background.clone()} />
                if layout.n > 1 {
                    <circle class="track" cx={f(CENTER)} cy={f(CENTER)} r={f(layout.ring_r)} />
                }
                <g class="cuts" aria-hidden="true">{ for cuts }</g>
                <g class="timers" aria-hidden="true">{ for arcs }</g>
                <g class="nodes">{ for nodes }</g>
                <g class="losts" aria-hidden="true">{ for lost }</g>
                <g class="messages" onclick={p.handlers.msg_click.clone()} onkeydown={p.handlers.msg_key.clone()}>{ for messages }</g>
            </svg>
            { menu.unwrap_or_default() }
        </div>
    }
}

/// The menu for a node or a message, placed next to it.
fn menu_for(menu: Menu, p: &RingProps, layout: &Layout) -> Option<Html> {
    let frame = &p.frame;
    let (title, detail, items, return_to, after) = match menu {
        Menu::Node(id) => {
            let n = frame.nodes.iter().find(|n| n.id == id)?;
            let up = n.up;
            let mut items = vec![
                MenuItem::new("Crash", Msg::Act(ActionKind::Crash { node: id }), up),
                MenuItem::new("Restart", Msg::Act(ActionKind::Restart { node: id }), !up),
                MenuItem::new("Time out", Msg::Act(ActionKind::Timeout { node: id }), up),
                MenuItem::new(
                    "Client request",
                    Msg::Act(ActionKind::ClientRequest { node: id }),
                    up,
                ),
            ];
            if layout.n > 1 {
                let groups = (1..=layout.n as NodeId)
                    .map(|k| u8::from(k == id))
                    .collect();
                let alone = (1..=layout.n as NodeId)
                    .filter(|&k| k != id)
                    .all(|k| frame.network.is_cut(id, k));
                items.push(MenuItem::new(
                    "Isolate from network",
                    Msg::Act(ActionKind::Partition { groups }),
                    !alone,
                ));
            }
            let detail = if up {
                format!("{} entries in its log", n.view.log.len())
            } else {
                "crashed: restart it to bring it back".to_string()
            };
            let own = format!("node-{id}");
            (node_name(n, &p.info), detail, items, own.clone(), own)
        }
        Menu::Message(id) => {
            let fl = frame.flights.iter().find(|f| f.id == id)?;
            let items = vec![MenuItem::new(
                "Drop",
                Msg::Act(ActionKind::DropMessage { id }),
                true,
            )];
            (
                message_name(fl),
                fl.msg.detail.clone(),
                items,
                format!("msg-{id}"),
                format!("node-{}", fl.from),
            )
        }
    };
    Some(html! {
        <PopupMenu key={format!("{menu:?}")} title={title} detail={detail} items={items}
            return_to={return_to} after={after} dispatch={p.dispatch.clone()} />
    })
}
