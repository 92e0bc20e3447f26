//! The node inspector: everything the selected node knows (every field of its state, its
//! countdown, and its log when the protocol keeps one; single-decree Paxos shows its promised,
//! accepted and learned values and its proposer's phase and ballot as fields instead).
//!
//! Rows that differ from the node's previous snapshot (kept by the store: the node as it was
//! before the latest event that was read) are marked "changed" (or "new" for log entries) in
//! bold text, not by colour alone, and described by a note saying what the mark means.

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{EntryView, NodeId, ProtocolInfo};
use crate::sim::time::format_time;

use super::geometry::epoch_class;
use super::node_glyph::node_name;
use super::store::{Frame, Msg, Snap};

/// The snapshot the inspector compares the selected node with after the store takes a new
/// frame: the node as it was in the old frame when node states were read again, otherwise the
/// snapshot kept so far.
pub fn previous(
    selected: Option<NodeId>,
    old: &Frame,
    new: &Frame,
    kept: Option<Snap<NodeState>>,
) -> Option<Snap<NodeState>> {
    let id = selected?;
    if old.nodes == new.nodes {
        return kept.filter(|k| k.id == id);
    }
    old.nodes.iter().find(|n| n.id == id).cloned()
}

/// Id of the note explaining the "changed" marks.
const CHANGED_NOTE: &str = "inspector-changed";

/// A `dt`/`dd` pair, marked when `changed`.
fn row(name: &str, value: String, changed: bool) -> Html {
    let class = changed.then_some("changed");
    html! {
        <>
            <dt {class}>{ name.to_string() }</dt>
            <dd {class} aria-describedby={changed.then_some(CHANGED_NOTE)}>
                { value }
                if changed {
                    { " " }<strong class="chg">{ "changed" }</strong>
                }
            </dd>
        </>
    }
}

/// Props of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// All nodes.
    pub nodes: Snap<Vec<Snap<NodeState>>>,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// The node to show.
    pub selected: Option<NodeId>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
    /// The selected node's previous snapshot, to mark what changed (see [`previous`]).
    #[prop_or_default]
    pub prev: Option<Snap<NodeState>>,
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
            let countdown_text = |n: &NodeState| match n.countdown {
                Some((set, fires)) if n.up => format!(
                    "set at {}, fires at {}",
                    format_time(set),
                    format_time(fires)
                ),
                _ => "none".to_string(),
            };
            let countdown = countdown_text(n);
            let prev = p.prev.as_ref().filter(|q| q.id == n.id && ***q != **n);
            let status = |n: &NodeState| if n.up { "running" } else { "crashed" };
            // (name, value, value before the previous event)
            let mut rows: Vec<(&str, String, Option<String>)> = vec![
                ("status", status(n).into(), prev.map(|q| status(q).into())),
                ("role", n.view.role.into(), prev.map(|q| q.view.role.into())),
                (
                    epoch,
                    n.view.epoch.to_string(),
                    prev.map(|q| q.view.epoch.to_string()),
                ),
                ("countdown", countdown, prev.map(|q| countdown_text(q))),
            ];
            // A field that repeats the epoch row (the manager's, say) is shown once.
            let repeats_epoch = |k: &str, v: &str| k == epoch && v == n.view.epoch.to_string();
            for (k, v) in n.view.fields.iter().filter(|(k, v)| !repeats_epoch(k, v)) {
                let old = prev.map(|q| {
                    q.view
                        .fields
                        .iter()
                        .find(|(j, _)| j == k)
                        .map_or(String::new(), |(_, w)| w.clone())
                });
                rows.push((k, v.clone(), old));
            }
            let mut changes = 0;
            let rows: Html = rows
                .into_iter()
                .map(|(k, v, old)| {
                    let changed = old.is_some_and(|o| o != v);
                    changes += usize::from(changed);
                    row(k, v, changed)
                })
                .collect();
            let start = n.view.log.len().saturating_sub(MAX_ROWS);
            let base = n.view.log_first_index();
            // Views carry only the newest entries: compare entries by their index in the log.
            let entry_mark = |i: usize, e: &EntryView| -> Option<&'static str> {
                let q = prev?;
                let index = base + i as u64;
                let q_base = q.view.log_first_index();
                if index < q_base {
                    return None;
                }
                match q.view.log.get((index - q_base) as usize) {
                    None => Some("new"),
                    Some(old) if old != e => Some("changed"),
                    _ => None,
                }
            };
            let log_changes = n
                .view
                .log
                .iter()
                .enumerate()
                .filter(|(i, e)| entry_mark(*i, e).is_some())
                .count()
                + prev.map_or(0, |q| {
                    q.view.log_len.saturating_sub(n.view.log_len) as usize
                });
            let changes = changes + if n.view.has_log { log_changes } else { 0 };
            html! {
                <>
                    <p class={classes!("who", epoch_class(n.view.epoch))}>{ node_name(n, &p.info) }</p>
                    if changes > 0 {
                        <p class="hint changes" id={CHANGED_NOTE}>
                            { format!("Marked “changed” or “new”: {changes} {} since the previous event.", if changes == 1 { "row differs" } else { "rows differ" }) }
                        </p>
                    }
                    <dl class="fields">{ rows }</dl>
                    if n.view.has_log {
                    <h3>{ format!("Log: {} entries, {} committed", n.view.log_len, n.view.log_committed) }</h3>
                    if n.view.log.is_empty() {
                        <p class="hint">{ "The log is empty." }</p>
                    } else {
                        if n.view.log_len > (n.view.log.len() - start) as u64 {
                            <p class="hint">{ format!("Showing the newest {}.", n.view.log.len() - start) }</p>
                        }
                        <div class="table-scroll">
                            <table class="log-table">
                                <thead><tr><th scope="col">{ "#" }</th><th scope="col">{ epoch }</th><th scope="col">{ "command" }</th><th scope="col">{ "committed" }</th></tr></thead>
                                <tbody>
                                    { for n.view.log.iter().enumerate().skip(start).map(|(i, e)| {
                                        let mark = entry_mark(i, e);
                                        html! {
                                            <tr class={classes!(if e.committed { "committed" } else { "pending" }, mark.map(|_| "changed"))}
                                                aria-describedby={mark.map(|_| CHANGED_NOTE)}>
                                                <td>{ base + i as u64 }if let Some(m) = mark { <>{ " " }<strong class="chg">{ m }</strong></> }</td>
                                                <td>{ e.epoch }</td><td>{ e.command.clone() }</td>
                                                <td>{ if e.committed { "✓ yes" } else { "… no" } }</td>
                                            </tr>
                                        }
                                    }) }
                                </tbody>
                            </table>
                        </div>
                    }
                    }
                </>
            }
        }
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title">
            <h2 id="inspector-title">{ "Inspector" }</h2>
            { picker }
            { body }
        </section>
    }
}
