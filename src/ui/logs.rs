//! The log strips: one row per node, one box per entry with its epoch number. Committed entries
//! are solid and filled, uncommitted ones dashed and hollow, so the difference does not rely on
//! colour.

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{NodeId, ProtocolInfo};

use super::geometry::epoch_class;
use super::store::Snap;

/// Props of [`Logs`].
#[derive(Properties, PartialEq)]
pub struct LogsProps {
    /// All nodes.
    pub nodes: Snap<Vec<Snap<NodeState>>>,
    /// How many of them are peers, the nodes with logs (the rest are clients and such).
    pub peers: usize,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// The node shown in the inspector (highlighted).
    pub selected: Option<NodeId>,
}

/// Entries drawn per row (the newest ones; the inspector shows the whole log).
const SHOWN: usize = 24;

/// The log strips.
#[component]
pub fn Logs(p: &LogsProps) -> Html {
    let epoch = p.info.epoch_name;
    let peers = || p.nodes.iter().take(p.peers);
    let longest = peers().map(|n| n.view.log_len).max().unwrap_or(0);
    let first = longest.saturating_sub(SHOWN as u64);
    html! {
        <section class="panel logs" aria-labelledby="logs-title">
            <h2 id="logs-title">{ "Logs" }
                <small>{ format!(" boxes show the {epoch} of each entry; solid = committed, dashed = not yet") }</small>
            </h2>
            if first > 0 {
                <p class="hint">{ format!("Entries {} and later; the inspector shows whole logs.", first + 1) }</p>
            }
            <ol class="strips">
                { for peers().map(|n| {
                    let label = format!("Node {} log: {} entries, {} committed", n.id, n.view.log_len, n.view.log_committed);
                    let base = n.view.log_first_index();
                    html! {
                        <li key={n.id} class={classes!("strip", (!n.up).then_some("down"), (p.selected == Some(n.id)).then_some("selected"))}
                            aria-label={label}>
                            <span class="who" aria-hidden="true">{ n.id }</span>
                            <ol class="entries" aria-hidden="true">
                                { for n.view.log.iter().zip(base..).filter(|(_, index)| *index > first).map(|(e, index)| html! {
                                    <li key={index} class={classes!("entry", epoch_class(e.epoch), if e.committed { "committed" } else { "pending" })}
                                        title={format!("#{index} {epoch} {} {}{}", e.epoch, e.command, if e.committed { ", committed" } else { ", not committed" })}>
                                        { e.epoch }
                                    </li>
                                }) }
                            </ol>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
