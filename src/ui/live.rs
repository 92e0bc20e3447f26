//! Settings that change while the run goes on (see [`crate::sim::LiveSpec`]): the protocol's
//! live parameters in a small group of fields ("Change now"), and each node's knobs as items
//! of its menu (e.g. "Speed: 25 %"). Every change is a recorded `SetParam` action, so a link
//! replays it; the settings panel's fields still start a new run.

use yew::prelude::*;

use crate::sim::action::ActionKind;
use crate::sim::node::{NodeId, ParamSpec, ProtocolInfo, Setup, Unit};

use super::menu::MenuItem;
use super::store::Msg;

/// What a typed or chosen value of a live parameter asks for: the change, or a sentence saying
/// why not (the link's words).
pub fn change(spec: &ParamSpec, text: &str) -> Msg {
    match spec.parse(text) {
        Ok(value) => Msg::Act(ActionKind::SetParam {
            node: None,
            key: spec.key.to_string(),
            value,
        }),
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
        let field = match spec.unit {
            Unit::Choice(names) => html! {
                <select id={id.clone()} name={spec.key} {onchange}>
                    { for names.iter().enumerate().map(|(i, name)| html! {
                        <option value={*name} selected={i as u64 == now}>{ *name }</option>
                    }) }
                </select>
            },
            _ => html! {
                <input id={id.clone()} name={spec.key} type="text" inputmode="decimal" size="6"
                    value={spec.format(now)} {onchange} />
            },
        };
        let unit = matches!(spec.unit, Unit::Micros).then_some(" (ms)");
        html! {
            <>
                <label for={id}>{ spec.label }{ unit }</label>
                { field }
            </>
        }
    });
    html! {
        <div class="live" role="group" aria-labelledby="live-title">
            <strong id="live-title">{ "Change now" }</strong>
            { for fields }
            <span class="hint">{ "recorded in the link; the settings panel starts a new run" }</span>
        </div>
    }
}
