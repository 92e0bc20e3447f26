//! The panels of the nodes that are not the protocol's peers (clients, and later balancers or
//! managers): one table per kind whose declared panel is [`Panel::Table`], a row per node, a
//! column per field of its view.

use yew::prelude::*;

use crate::sim::lab::NodeState;
use crate::sim::node::{NodeId, Panel, ProtocolInfo};

use super::el::{El, button};
use super::store::{Msg, Snap};

/// What [`kind_tables`] draws from.
pub struct KindTablesProps {
    /// All nodes.
    pub nodes: Snap<Vec<Snap<NodeState>>>,
    /// How many of them are peers (the rest are of the protocol's other kinds).
    pub peers: usize,
    /// The protocol (its declared kinds and their panels).
    pub info: Snap<ProtocolInfo>,
    /// The node shown in the inspector (highlighted).
    pub selected: Option<NodeId>,
    /// Sends the choice of a node to the store.
    pub dispatch: Callback<Msg>,
}

/// One table per kind with a table panel. (A view function rather than a component: it is
/// small, and each component type costs the page its own copy of Yew's machinery.)
pub fn kind_tables(p: &KindTablesProps) -> Html {
    let others = || p.nodes.iter().skip(p.peers);
    let tables = (p.info.kinds.iter())
        .filter(|k| k.panel == Panel::Table)
        .filter_map(|kind| {
            let rows: Vec<&Snap<NodeState>> =
                others().filter(|n| n.view.role == kind.name).collect();
            let columns: Vec<&str> = rows.first()?.view.fields.iter().map(|(k, _)| *k).collect();
            let title = format!("{}s", capitalise(kind.name));
            let id = format!("kind-{}", kind.name);
            let head = El::new("tr")
                .child(header_cell("col").text("Node"))
                .children(columns.iter().map(|c| header_cell("col").text(*c)));
            Some(
                El::new("section")
                    .attr("aria-labelledby", id.clone())
                    .class("panel kind-table")
                    .child(El::new("h2").attr("id", id).text(title))
                    .child(El::new("table").child(El::new("thead").child(head)).child(
                        El::new("tbody").children(rows.iter().map(|n| row(n, &columns, p))),
                    )),
            )
        });
    Html::from_iter(tables)
}

/// A header cell for a column or a row (`scope`).
fn header_cell(scope: &'static str) -> El {
    El::new("th").attr("scope", scope)
}

/// A node's row: a button naming it (shows it in the inspector), then its fields by column.
fn row(n: &NodeState, columns: &[&str], p: &KindTablesProps) -> El {
    let id = n.id;
    let onclick = p.dispatch.reform(move |_| Msg::Select(Some(id)));
    let cell = |c: &str| {
        let v = n.view.fields.iter().find(|(k, _)| *k == c);
        v.map_or_else(String::new, |(_, v)| v.clone())
    };
    let class = classes!(
        (!n.up).then_some("down"),
        (p.selected == Some(id)).then_some("selected")
    );
    El::new("tr")
        .key(id)
        .class(class)
        .child(
            header_cell("row").child(
                button(onclick)
                    .class("link")
                    .text(format!("Node {id}"))
                    .text(if n.up { "" } else { " (crashed)" }),
            ),
        )
        .children(columns.iter().map(|c| El::new("td").text(cell(c))))
}

/// `client` → `Client`. Kind names are ASCII: `char::to_uppercase` would bring the Unicode case
/// tables into the web build (about 9 KB gzipped) for nothing.
fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}
