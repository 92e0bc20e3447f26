//! The "Consistent hashing" panel, drawn when the protocol gives a hashing ring (see
//! [`crate::sim::Diagram::HashRing`]): the ring with each server's arcs and virtual nodes, the
//! share of the keys each server owns, what the last server to leave or join moved next to
//! mod-N hashing, and the chart of load spread against virtual nodes. The markup is
//! [`crate::charts::ring`]'s, written as text and inserted whole.

use yew::prelude::*;

use crate::charts::ring::{ring_drawing, ring_key, spread_drawing};
use crate::sim::Diagram;

/// The panel for `diagram`, if there is one to draw.
pub fn diagram_panel(diagram: Option<&Diagram>) -> Html {
    let Some(Diagram::HashRing(v)) = diagram else {
        return Html::default();
    };
    let markup = |s: String| Html::from_html_unchecked(AttrValue::from(s));
    html! {
        <section class="panel hashring" aria-labelledby="hashring-title">
            <h2 id="hashring-title">{ "Consistent hashing" }</h2>
            <div class="hashring-ring">
                { markup(ring_drawing(v)) }
                { markup(ring_key(v)) }
            </div>
            <h3>{ "Load spread against virtual nodes" }</h3>
            { markup(spread_drawing(v)) }
            <ul class="chart-legend">
                <li>{ "solid: largest share ÷ mean" }</li>
                <li>{ "dashed: standard deviation ÷ mean" }</li>
                <li>{ format!("this run: {} per server", v.vnodes) }</li>
            </ul>
        </section>
    }
}
