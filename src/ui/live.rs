//! Settings that change while the run goes on (see [`crate::sim::LiveSpec`]): the protocol's
//! live parameters in a small group of fields ("Change now"), and each node's knobs as items
//! of its menu (e.g. "Speed: 25 %"). Every change is a recorded `SetParam` action, so a link
//! replays it; the settings panel's fields still start a new run.

use yew::prelude::*;

use super::el::{El, fragment};

use crate::sim::action::ActionKind;
use crate::sim::node::{NodeId, ParamSpec, ProtocolInfo, Setup, Unit};

use super::menu::MenuItem;
use super::store::Msg;

/// The action that sets `key` to `text` as a link writes it (a run-wide parameter by its own
/// spec, e.g. `p2c` or `150` ms; a node's knob as a plain number), or why it cannot be read.
/// Whether the setting may change mid-run is the run's to say when the action is taken.
pub fn set_param(
    info: &ProtocolInfo,
    node: Option<NodeId>,
    key: &str,
    text: &str,
) -> Result<ActionKind, String> {
    if node.is_none() {
        return match info.param_spec(key) {
            Some(spec) => run_wide(spec, text),
            None => Err(format!("{} has no parameter '{key}'", info.title)),
        };
    }
    let value = (text.trim().parse::<u64>())
        .map_err(|_| format!("{key} takes a whole number, not '{text}'"))?;
    let key = key.to_string();
    Ok(ActionKind::SetParam { node, key, value })
}

/// The action that sets run-wide parameter `spec` to `text` as a link writes it.
fn run_wide(spec: &ParamSpec, text: &str) -> Result<ActionKind, String> {
    Ok(ActionKind::SetParam {
        node: None,
        key: spec.key.to_string(),
        value: spec.parse(text)?,
    })
}

/// What a typed or chosen value of a live parameter asks for: the change, or a sentence saying
/// why not (the link's words).
pub fn change(spec: &ParamSpec, text: &str) -> Msg {
    match run_wide(spec, text) {
        Ok(kind) => Msg::Act(kind),
        Err(e) => Msg::Report(format!("{}: {e}", spec.label)),
    }
}

/// The items a node's menu gains from its knobs: one per preset value other than the current
/// one, e.g. `Speed: 25 %`.
pub fn knob_items(info: &ProtocolInfo, setup: &Setup, id: NodeId) -> Vec<MenuItem> {
    let mut items = Vec::new();
    for knob in info.knobs_of(setup, id) {
        let now = setup.knob(knob, id);
        for &value in knob.presets.iter().filter(|&&v| v != now) {
            let label = format!(
                "{}: {value}{} (now {now}{})",
                knob.label, knob.unit, knob.unit
            );
            let kind = ActionKind::SetParam {
                node: Some(id),
                key: knob.key.to_string(),
                value,
            };
            items.push(MenuItem::new(label, Msg::Act(kind), true));
        }
    }
    items
}

/// The "Change now" group: one field per live parameter, showing its value now; nothing for a
/// protocol without live parameters.
pub fn live_settings(info: &ProtocolInfo, setup: &Setup, dispatch: &Callback<Msg>) -> Html {
    let specs: Vec<&ParamSpec> = (info.params.iter())
        .filter(|p| info.live.params.contains(&p.key))
        .collect();
    if specs.is_empty() {
        return Html::default();
    }
    let fields = specs.into_iter().map(|spec| {
        let now = setup.param_or(spec.key, spec.default);
        let id = format!("live-{}", spec.key);
        let onchange = {
            let (dispatch, spec) = (dispatch.clone(), spec.clone());
            Callback::from(move |e: Event| {
                let value = match e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                    Some(select) => select.value(),
                    None => e
                        .target_unchecked_into::<web_sys::HtmlInputElement>()
                        .value(),
                };
                dispatch.emit(change(&spec, &value));
            })
        };
        // Keyed by the value now, so that a value changed elsewhere (a seek back before the
        // change, a link) replaces the field rather than leave the visitor's last choice.
        let field = match spec.unit {
            Unit::Choice(names) => El::new("select")
                .attr("id", id.clone())
                .attr("name", spec.key)
                .key(format!("{id}-{now}"))
                .on_change(onchange)
                .children(names.iter().enumerate().map(|(i, name)| {
                    El::new("option")
                        .attr("value", *name)
                        .flag("selected", i as u64 == now)
                        .text(*name)
                })),
            _ => El::new("input")
                .attr("id", id.clone())
                .attr("name", spec.key)
                .attr("type", "text")
                .attr("inputmode", "decimal")
                .attr("size", "6")
                .value(spec.format(now))
                .on_change(onchange),
        };
        let unit = matches!(spec.unit, Unit::Micros).then_some(" (ms)");
        fragment(vec![
            El::new("label")
                .attr("for", id)
                .text(spec.label)
                .maybe(unit)
                .into(),
            field.into(),
        ])
    });
    El::new("div")
        .attr("role", "group")
        .attr("aria-labelledby", "live-title")
        .class("live")
        .child(
            El::new("strong")
                .attr("id", "live-title")
                .text("Change now"),
        )
        .children(fields)
        .child(
            El::new("span")
                .class("hint")
                .text("recorded in the link; the settings panel starts a new run"),
        )
        .into()
}
