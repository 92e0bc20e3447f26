//! The "Consistent hashing" panel, drawn when the protocol gives a hashing ring (see
//! [`crate::sim::Diagram::HashRing`]): the ring with each server's arcs and virtual nodes, the
//! share of the keys each server owns, what the last server to leave or join moved next to
//! mod-N hashing, and the chart of load spread against virtual nodes. The markup is
//! [`crate::charts::ring`]'s, written as text and inserted whole.

use yew::prelude::*;

use super::el::El;

use crate::charts::ring::{ring_drawing, ring_key, spread_drawing};
use crate::sim::Diagram;

/// The panel for `diagram`, if there is one to draw.
pub fn diagram_panel(diagram: Option<&Diagram>) -> Html {
    let Some(Diagram::HashRing(v)) = diagram else {
        return Html::default();
    };
    let markup = |s: String| Html::from_html_unchecked(AttrValue::from(s));
    let note = |text: String| El::new("li").text(text);
    El::new("section")
        .attr("aria-labelledby", "hashring-title")
        .class("panel hashring")
        .child(
            El::new("h2")
                .attr("id", "hashring-title")
                .text("Consistent hashing"),
        )
        .child(
            El::new("div")
                .class("hashring-ring")
                .child(markup(ring_drawing(v)))
                .child(markup(ring_key(v))),
        )
        .child(El::new("h3").text("Load spread against virtual nodes"))
        .child(markup(spread_drawing(v)))
        .child(
            El::new("ul")
                .class("chart-legend")
                .child(note("solid: largest share ÷ mean".into()))
                .child(note("dashed: standard deviation ÷ mean".into()))
                .child(note(format!("this run: {} per server", v.vnodes))),
        )
        .into()
}
