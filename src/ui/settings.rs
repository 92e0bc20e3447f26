//! Run settings: protocol, cluster size, seed, latency, client load, the protocol's parameters
//! and bug toggles. Every change starts a new run (and updates the link).
//!
//! Each field is named after its link parameter and edits the run's link: the new link is read
//! back by [`Scenario::from_query`], so the page checks values exactly as links are checked and
//! reports the same sentences.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::scenario::{MAX_CLIENT_RATE, Scenario};
use crate::sim::node::{ParamSpec, ProtocolInfo, Unit};
use crate::sim::param::millis;

use super::el::{El, button};
use super::store::{Msg, Snap, on_click};

/// Props of [`Settings`].
#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// The current run's starting scenario.
    pub scenario: Snap<Scenario>,
    /// The current protocol.
    pub info: Snap<ProtocolInfo>,
    /// Every protocol.
    pub protocols: Snap<Vec<ProtocolInfo>>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The scenario's link with `key` set to `value` (bug toggles switch one key of `bugs`).
fn edited_query(base: &Scenario, key: &str, value: &str, checked: bool) -> String {
    if key == "protocol" {
        return format!("protocol={value}&seed={}", base.seed);
    }
    let mut start = base.clone();
    start.actions.clear();
    let (key, value) = if key == "bug" {
        let mut bugs = start.bugs.clone();
        if checked {
            bugs.insert(value.to_string());
        } else {
            bugs.remove(value);
        }
        ("bugs", bugs.into_iter().collect::<Vec<_>>().join(","))
    } else {
        (key, value.trim().to_string())
    };
    let mut pairs: Vec<String> = start
        .to_query()
        .split('&')
        .filter(|p| p.split('=').next() != Some(key))
        .map(str::to_string)
        .collect();
    if !value.is_empty() || key != "bugs" {
        pairs.push(format!("{key}={}", value.replace(['&', '#', ' '], "")));
    }
    pairs.join("&")
}

/// One numeric or text field: (link key, label, current value, min, max).
type Field = (&'static str, String, String, String, String);

/// The settings panel.
#[component]
pub fn Settings(p: &SettingsProps) -> Html {
    let s = &p.scenario;
    let info = &p.info;
    // One handler for the whole form: the changed field names the link parameter it edits.
    let onchange = {
        let dispatch = p.dispatch.clone();
        let base = p.scenario.clone();
        Callback::from(move |e: Event| {
            let Some(target) = e.target() else { return };
            let (key, value, checked) =
                if let Some(i) = target.dyn_ref::<web_sys::HtmlInputElement>() {
                    (i.name(), i.value(), i.checked())
                } else if let Some(sel) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
                    (sel.name(), sel.value(), false)
                } else {
                    return;
                };
            let (next, problems) =
                Scenario::from_query(&edited_query(&base, &key, &value, checked));
            if problems.is_empty() {
                dispatch.emit(Msg::NewRun(next));
            } else {
                dispatch.emit(Msg::Report(problems.join(" ")));
            }
        })
    };
    let new_seed = {
        let dispatch = p.dispatch.clone();
        let base = p.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*base).clone();
            next.seed = crate::scenario::fresh_seed();
            dispatch.emit(Msg::NewRun(next));
        })
    };
    let restart = on_click(&p.dispatch, Msg::NewRun((*p.scenario).clone()));
    let mut fields: Vec<Field> = vec![
        (
            "nodes",
            "Nodes".into(),
            s.nodes.to_string(),
            info.min_nodes.to_string(),
            info.max_nodes.to_string(),
        ),
        (
            "seed",
            "Seed".into(),
            s.seed.to_string(),
            "0".into(),
            String::new(),
        ),
        (
            "load",
            "Client load (requests/s)".into(),
            s.client_rate.to_string(),
            "0".into(),
            MAX_CLIENT_RATE.to_string(),
        ),
        (
            "lat",
            "Latency range (ms, e.g. 10-15)".into(),
            format!(
                "{}-{}",
                millis(s.net.latency_min),
                millis(s.net.latency_max)
            ),
            String::new(),
            String::new(),
        ),
    ];
    let (choices, numbers): (Vec<&ParamSpec>, Vec<&ParamSpec>) = info
        .params
        .iter()
        .partition(|spec| !spec.choices().is_empty());
    for spec in numbers {
        let v = s.params.get(spec.key).copied().unwrap_or(spec.default);
        let unit = if spec.unit == Unit::Micros {
            " (ms)"
        } else {
            ""
        };
        fields.push((
            spec.key,
            format!("{}{unit}", spec.label),
            spec.format(v),
            spec.format(spec.min),
            spec.format(spec.max),
        ));
    }
    let protocols = p.protocols.iter().map(|pi| {
        El::new("option")
            .attr("value", pi.name)
            .flag("selected", pi.name == s.protocol)
            .text(pi.title)
    });
    let fields = fields.into_iter().map(|(key, label, value, min, max)| {
        El::new("label")
            .key(key)
            .child(El::new("span").text(label))
            .child(
                El::new("input")
                    .attr("name", key)
                    .attr("type", if key == "lat" { "text" } else { "number" })
                    .value(value)
                    .attr("min", (!min.is_empty()).then_some(min))
                    .attr("max", (!max.is_empty()).then_some(max))
                    .attr("step", "any"),
            )
    });
    let choices = choices.into_iter().map(|spec| {
        let v = s.params.get(spec.key).copied().unwrap_or(spec.default);
        let options = spec.choices().iter().enumerate().map(|(i, name)| {
            El::new("option")
                .attr("value", *name)
                .flag("selected", i as u64 == v)
                .text(*name)
        });
        El::new("label")
            .key(spec.key)
            .child(El::new("span").text(spec.label))
            .child(El::new("select").attr("name", spec.key).children(options))
    });
    let bugs = (!info.bugs.is_empty()).then(|| {
        let bugs = info.bugs.iter().map(|bug| {
            El::new("label")
                .key(bug.key)
                .class("check")
                .child(
                    El::new("input")
                        .attr("type", "checkbox")
                        .attr("name", "bug")
                        .value(bug.key)
                        .checked(s.bugs.contains(bug.key)),
                )
                .child(
                    El::new("span")
                        .child(El::new("code").text(bug.key))
                        .text(" — ")
                        .text(bug.description),
                )
        });
        El::new("fieldset")
            .class("bugs")
            .child(El::new("legend").text("Deliberate bugs (watch the checker catch them)"))
            .children(bugs)
    });
    let form = El::new("form")
        .class("grid")
        .on_change(onchange)
        .on_submit(Callback::from(|e: SubmitEvent| e.prevent_default()))
        .child(
            El::new("label")
                .child(El::new("span").text("Protocol"))
                .child(
                    El::new("select")
                        .attr("name", "protocol")
                        .children(protocols),
                ),
        )
        .children(fields)
        .children(choices)
        .maybe(bugs);
    El::new("section")
        .attr("aria-labelledby", "settings-title")
        .class("panel settings")
        .child(
            El::new("h2")
                .attr("id", "settings-title")
                .text("Run settings"),
        )
        .child(
            El::new("p")
                .class("hint")
                .text("Each change starts a new run and updates the link."),
        )
        .child(form)
        .child(
            El::new("div")
                .class("row")
                .child(button(new_seed).text("New seed"))
                .child(button(restart).text("Restart run")),
        )
        .into()
}
