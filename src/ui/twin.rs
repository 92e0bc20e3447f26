//! The "Side by side" panel: the run next to its twin — the same seed, workload and faults with
//! one parameter changed (see [`crate::side_by_side`]) — on one clock, their figures in one
//! table. A protocol that names a parameter to compare ([`crate::sim::CompareSpec::sweep`],
//! load balancing's `policy`) offers the twin's value to choose; a link's `vs=` opens it.

use yew::prelude::*;

use crate::side_by_side::WINDOW;
use crate::sim::node::{ProtocolInfo, Unit};
use crate::sim::time::format_time;

use super::el::{El, button};
use super::store::{Msg, TwinView, on_click};

/// The panel: the choice of a twin (where the protocol names a parameter to compare) and, with
/// a twin, both runs' figures side by side. Nothing for a protocol without a parameter to
/// compare and no twin.
pub fn twin_panel(info: &ProtocolInfo, twin: Option<&TwinView>, dispatch: &Callback<Msg>) -> Html {
    let key = twin.map(|t| t.key).or(info.compare.sweep);
    let Some(key) = key else {
        return Html::default();
    };
    let choices = (info.params.iter())
        .find(|p| p.key == key)
        .map_or(&[][..], |p| match p.unit {
            Unit::Choice(names) => names,
            _ => &[],
        });
    let onchange = dispatch.reform(|e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        let value = select.value();
        Msg::SetTwin((!value.is_empty()).then_some(value))
    });
    let current = twin.map(|t| t.value_text.as_str());
    let picker = (!choices.is_empty()).then(|| {
        El::new("p")
            .class("twin-pick")
            .child(
                El::new("label")
                    .attr("for", "twin-value")
                    .text(format!("Side by side with {key} =")),
            )
            .child(
                El::new("select")
                    .attr("id", "twin-value")
                    .key(format!("twin-{}", current.unwrap_or("")))
                    .on_change(onchange)
                    .child(
                        El::new("option")
                            .attr("value", "")
                            .flag("selected", current.is_none())
                            .text("— (one run)"),
                    )
                    .children(choices.iter().map(|c| {
                        El::new("option")
                            .attr("value", *c)
                            .flag("selected", current == Some(*c))
                            .text(*c)
                    })),
            )
    });
    let table = twin.map(|t| {
        let head = El::new("tr")
            .child(El::new("th").attr("scope", "col").text(format!(
                "over the last {} s",
                WINDOW / crate::sim::time::SEC
            )))
            .child(
                El::new("th")
                    .attr("scope", "col")
                    .text(format!("{key} = {} (this run)", t.main_value_text)),
            )
            .child(
                El::new("th")
                    .attr("scope", "col")
                    .text(format!("{key} = {}", t.value_text)),
            );
        let rows = (t.main.iter().zip(t.twin.iter())).map(|((label, a), (_, b))| {
            El::new("tr")
                .child(El::new("th").attr("scope", "row").text(label.clone()))
                .child(El::new("td").text(a.clone()))
                .child(El::new("td").text(b.clone()))
        });
        El::new("div")
            .child(
                El::new("table")
                    .class("twin-table")
                    .child(El::new("caption").text(format!(
                        "Both runs at {}: the same seed, workload and faults",
                        format_time(t.now)
                    )))
                    .child(El::new("thead").child(head))
                    .child(El::new("tbody").children(rows)),
            )
            .child(
                button(on_click(dispatch, Msg::SetTwin(None)))
                    .class("twin-stop")
                    .text("Show one run"),
            )
    });
    El::new("section")
        .attr("aria-labelledby", "twin-title")
        .class("panel twin")
        .child(El::new("h2").attr("id", "twin-title").text("Side by side"))
        .maybe(picker)
        .maybe(table)
        .into()
}
