//! The node inspector: everything the selected node knows (every field of its state, its
//! countdown, its whole log).

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{NodeId, ProtocolInfo};
use crate::sim::time::format_time;

use super::geometry::epoch_class;
use super::node_glyph::node_name;
use super::store::{Msg, Snap};

/// Props of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// All nodes.
    pub nodes: Snap<Vec<Snap<NodeState>>>,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// The node to show.
    pub selected: Option<NodeId>,
    /// Cluster-wide facts, shown above the node.
    pub summary: Snap<Vec<(String, String)>>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Log entries listed at most (the newest ones).
const MAX_ROWS: usize = 200;

/// The inspector panel.
#[component]
pub fn Inspector(p: &InspectorProps) -> Html {
    let on_pick = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            dispatch.emit(Msg::Select(select.value().parse().ok()));
        })
    };
    let picker = html! {
        <label class="picker">
            <span>{ "Node" }</span>
            <select onchange={on_pick}>
                <option value="" selected={p.selected.is_none()}>{ "—" }</option>
                { for p.nodes.iter().map(|n| html! {
                    <option value={n.id.to_string()} selected={p.selected == Some(n.id)}>{ format!("Node {}", n.id) }</option>
                }) }
            </select>
        </label>
    };
    let body = match p
        .selected
        .and_then(|id| p.nodes.iter().find(|n| n.id == id))
    {
        None => {
            html! { <p class="hint">{ "Select a node on the ring (click it, or Tab to it and press Enter) to see its whole state." }</p> }
        }
        Some(n) => {
            let epoch = p.info.epoch_name;
            let countdown = match n.countdown {
                Some((set, fires)) if n.up => format!(
                    "set at {}, fires at {}",
                    format_time(set),
                    format_time(fires)
                ),
                _ => "none".to_string(),
            };
            let start = n.view.log.len().saturating_sub(MAX_ROWS);
            let committed = n.view.log.iter().filter(|e| e.committed).count();
            html! {
                <>
                    <p class={classes!("who", epoch_class(n.view.epoch))}>{ node_name(n, &p.info) }</p>
                    <dl class="fields">
                        <dt>{ "status" }</dt><dd>{ if n.up { "running" } else { "crashed" } }</dd>
                        <dt>{ "role" }</dt><dd>{ n.view.role }</dd>
                        <dt>{ epoch }</dt><dd>{ n.view.epoch }</dd>
                        <dt>{ "countdown" }</dt><dd>{ countdown }</dd>
                        { for n.view.fields.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ v.clone() }</dd></> }) }
                    </dl>
                    <h3>{ format!("Log: {} entries, {} committed", n.view.log.len(), committed) }</h3>
                    if n.view.log.is_empty() {
                        <p class="hint">{ "The log is empty." }</p>
                    } else {
                        if start > 0 {
                            <p class="hint">{ format!("Showing the newest {MAX_ROWS}.") }</p>
                        }
                        <div class="table-scroll">
                            <table class="log-table">
                                <thead><tr><th scope="col">{ "#" }</th><th scope="col">{ epoch }</th><th scope="col">{ "command" }</th><th scope="col">{ "committed" }</th></tr></thead>
                                <tbody>
                                    { for n.view.log.iter().enumerate().skip(start).map(|(i, e)| html! {
                                        <tr class={if e.committed { "committed" } else { "pending" }}>
                                            <td>{ i + 1 }</td><td>{ e.epoch }</td><td>{ e.command.clone() }</td>
                                            <td>{ if e.committed { "✓ yes" } else { "… no" } }</td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </div>
                    }
                </>
            }
        }
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">{ "Inspector" }</h2>
            if !p.summary.is_empty() {
                <dl class="fields cluster" aria-label="Cluster">
                    { for p.summary.iter().map(|(k, v)| html! { <><dt>{ k.clone() }</dt><dd>{ v.clone() }</dd></> }) }
                </dl>
            }
            { picker }
            { body }
        </section>
    }
}
