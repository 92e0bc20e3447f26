//! The log strips: one row per node, one box per entry with its epoch number. Committed entries
//! are solid and filled, uncommitted ones dashed and hollow, so the difference does not rely on
//! colour.

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{NodeId, ProtocolInfo};

use super::el::El;
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
    let strips = peers().map(|n| {
        let label = format!(
            "Node {} log: {} entries, {} committed",
            n.id, n.view.log_len, n.view.log_committed
        );
        let base = n.view.log_first_index();
        let entries = (n.view.log.iter().zip(base..))
            .filter(|(_, index)| *index > first)
            .map(|(e, index)| {
                let committed = if e.committed {
                    ", committed"
                } else {
                    ", not committed"
                };
                El::new("li")
                    .key(index)
                    .attr(
                        "title",
                        format!("#{index} {epoch} {} {}{committed}", e.epoch, e.command),
                    )
                    .class(classes!(
                        "entry",
                        epoch_class(e.epoch),
                        if e.committed { "committed" } else { "pending" }
                    ))
                    .text(e.epoch.to_string())
            });
        El::new("li")
            .key(n.id)
            .attr("aria-label", label)
            .class(classes!(
                "strip",
                (!n.up).then_some("down"),
                (p.selected == Some(n.id)).then_some("selected")
            ))
            .child(
                El::new("span")
                    .attr("aria-hidden", "true")
                    .class("who")
                    .text(n.id.to_string()),
            )
            .child(
                El::new("ol")
                    .attr("aria-hidden", "true")
                    .class("entries")
                    .children(entries),
            )
    });
    El::new("section")
        .attr("aria-labelledby", "logs-title")
        .class("panel logs")
        .child(
            El::new("h2")
                .attr("id", "logs-title")
                .text("Logs")
                .child(El::new("small").text(format!(
                    " boxes show the {epoch} of each entry; solid = committed, dashed = not yet"
                ))),
        )
        .maybe((first > 0).then(|| {
            El::new("p").class("hint").text(format!(
                "Entries {} and later; the inspector shows whole logs.",
                first + 1
            ))
        }))
        .child(El::new("ol").class("strips").children(strips))
        .into()
}
