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

use super::el::{El, fragment, optional};
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
    fragment(vec![
        El::new("dt").class(class).text(name.to_string()).into(),
        El::new("dd")
            .attr("aria-describedby", changed.then_some(CHANGED_NOTE))
            .class(class)
            .text(value)
            .maybe(changed.then(|| mark("changed")))
            .into(),
    ])
}

/// ` changed` or ` new` after a value: what a step did to it.
fn mark(what: &'static str) -> Html {
    fragment(vec![
        Html::from(" "),
        El::new("strong").class("chg").text(what).into(),
    ])
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
    let options = p.nodes.iter().map(|n| {
        El::new("option")
            .attr("value", n.id.to_string())
            .flag("selected", p.selected == Some(n.id))
            .text(format!("Node {}", n.id))
    });
    let picker = El::new("label")
        .class("picker")
        .child(El::new("span").text("Node"))
        .child(
            El::new("select")
                .on_change(on_pick)
                .child(
                    El::new("option")
                        .attr("value", "")
                        .flag("selected", p.selected.is_none())
                        .text("—"),
                )
                .children(options),
        );
    let body = match p
        .selected
        .and_then(|id| p.nodes.iter().find(|n| n.id == id))
    {
        None => {
            hint("Select a node on the ring (click it, or Tab to it and press Enter) to see its whole state.").into()
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
            if epoch.is_empty() {
                rows.remove(2); // a protocol without epochs
            }
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
            let log = n.view.has_log.then(|| {
                let entries = if n.view.log.is_empty() {
                    hint("The log is empty.").into()
                } else {
                    let shown = n.view.log.len() - start;
                    let th = |text: &'static str| El::new("th").attr("scope", "col").text(text);
                    let head = El::new("tr")
                        .child(th("#"))
                        .child(th(epoch))
                        .child(th("command"))
                        .child(th("committed"));
                    let rows = n.view.log.iter().enumerate().skip(start).map(|(i, e)| {
                        let m = entry_mark(i, e);
                        El::new("tr")
                            .attr("aria-describedby", m.map(|_| CHANGED_NOTE))
                            .class(classes!(
                                if e.committed { "committed" } else { "pending" },
                                m.map(|_| "changed")
                            ))
                            .child(
                                El::new("td")
                                    .text((base + i as u64).to_string())
                                    .maybe(m.map(mark)),
                            )
                            .child(El::new("td").text(e.epoch.to_string()))
                            .child(El::new("td").text(e.command.clone()))
                            .child(El::new("td").text(if e.committed {
                                "✓ yes"
                            } else {
                                "… no"
                            }))
                    });
                    fragment(vec![
                        optional(
                            (n.view.log_len > shown as u64)
                                .then(|| hint(format!("Showing the newest {shown}."))),
                        ),
                        El::new("div")
                            .class("table-scroll")
                            .child(
                                El::new("table")
                                    .class("log-table")
                                    .child(El::new("thead").child(head))
                                    .child(El::new("tbody").children(rows)),
                            )
                            .into(),
                    ])
                };
                fragment(vec![
                    El::new("h3")
                        .text(format!(
                            "Log: {} entries, {} committed",
                            n.view.log_len, n.view.log_committed
                        ))
                        .into(),
                    entries,
                ])
            });
            let changed_note = (changes > 0).then(|| {
                let rows = if changes == 1 {
                    "row differs"
                } else {
                    "rows differ"
                };
                El::new("p")
                    .attr("id", CHANGED_NOTE)
                    .class("hint changes")
                    .text(format!(
                        "Marked “changed” or “new”: {changes} {rows} since the previous event."
                    ))
            });
            fragment(vec![
                El::new("p")
                    .class(classes!("who", epoch_class(n.view.epoch)))
                    .text(node_name(n, &p.info))
                    .into(),
                optional(changed_note),
                El::new("dl").class("fields").child(rows).into(),
                optional(log),
            ])
        }
    };
    El::new("section")
        .attr("aria-labelledby", "inspector-title")
        .class("panel inspector")
        .child(
            El::new("h2")
                .attr("id", "inspector-title")
                .text("Inspector"),
        )
        .child(picker)
        .child(body)
        .into()
}

/// A paragraph of help.
fn hint(text: impl Into<AttrValue>) -> El {
    El::new("p").class("hint").text(text)
}
