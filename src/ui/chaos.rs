//! The Chaos switch: chaos mode on or off at a rate the visitor types, in faults per virtual
//! second. Each change is a recorded `SetChaos` action; the faults themselves are drawn from the
//! run's seed (see `sim::chaos`), so a link replays them without listing them.

use yew::prelude::*;

use crate::scenario::parse_chaos;
use crate::sim::action::ActionKind;
use crate::sim::chaos::format_rate;

use super::dom;
use super::el::{El, button};
use super::store::{Msg, on_click};

/// The rate offered while chaos is off (the empty field's placeholder), in faults per virtual
/// second: one fault every 20 wall seconds at the default speed (1/100×).
const DEFAULT_RATE: &str = "5";

/// Id of the rate field (its label refers to it, and the switch reads it).
const RATE_ID: &str = "chaos-rate";

/// The rate field's label and the switch's description (static markup).
const LABEL: &str = "<label for=\"chaos-rate\">Faults per virtual second</label>";
const HINT: &str = "<p class=\"hint\" id=\"chaos-hint\">Random crashes, restarts, pauses, partitions, one-way cuts and latency spikes, drawn from the seed.</p>";

/// What a typed rate asks for: chaos at that rate (0: off), or a sentence saying why not (the
/// link's words: the field is the link's `chaos=`).
fn typed(text: &str) -> Msg {
    match parse_chaos(text.trim()) {
        Ok(rate) => Msg::Act(ActionKind::SetChaos { rate }),
        Err(e) => Msg::Report(e),
    }
}

/// The Chaos switch and its rate, for a run whose chaos rate is `rate` faults per 1,000 virtual
/// seconds (0: off).
/// (A view function rather than a component: it is tiny, and a component's machinery would cost
/// the first load more than it saves.)
pub fn chaos_switch(rate: u32, dispatch: &Callback<Msg>) -> Html {
    let on = rate > 0;
    let toggle = if on {
        on_click(dispatch, Msg::Act(ActionKind::SetChaos { rate: 0 }))
    } else {
        // On at what the field says now, even if it was never committed.
        dispatch.reform(|_: MouseEvent| {
            let field = dom::document().get_element_by_id(RATE_ID);
            let text = field.map_or_else(String::new, |f| {
                wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlInputElement>(f).value()
            });
            typed(if text.trim().is_empty() {
                DEFAULT_RATE
            } else {
                &text
            })
        })
    };
    // While chaos is on, a new rate applies at once (0 switches it off; a bad one is refused
    // with a sentence).
    let onchange = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let msg = typed(&input.value());
            if on || matches!(msg, Msg::Report(_)) {
                dispatch.emit(msg);
            }
        })
    };
    // The field shows the rate while chaos is on; while it is off it keeps what the visitor
    // types (a value given then would be written back over it at every frame).
    let value = on.then(|| format_rate(rate));
    El::new("div")
        .attr("role", "group")
        .attr("aria-label", "Chaos mode")
        .class(if on { "chaos on" } else { "chaos" })
        .child(
            button(toggle)
                .attr("role", "switch")
                .attr("aria-checked", if on { "true" } else { "false" })
                .attr("aria-describedby", "chaos-hint")
                .text("Chaos"),
        )
        .child(Html::from_html_unchecked(AttrValue::Static(LABEL)))
        .child(
            El::new("input")
                .attr("id", RATE_ID)
                .attr("type", "text")
                .attr("inputmode", "decimal")
                .attr("size", "6")
                .attr("placeholder", DEFAULT_RATE)
                .value(value)
                .on_change(onchange),
        )
        .child(Html::from_html_unchecked(AttrValue::Static(HINT)))
        .into()
}
