//! The network panel: latency, loss and duplication sliders, drawing a partition (a checkbox
//! per node, or a lasso on the ring), cut links, and healing. Every change is an action
//! recorded in the run, so a link replays it.

use yew::prelude::*;

use crate::sim::action::{ActionKind, NetConfig};
use crate::sim::lab::NetworkView;

use super::store::{Msg, Snap, on_click};

/// Inputs of [`network`].
pub struct NetworkProps {
    /// The network now.
    pub network: Snap<NetworkView>,
    /// Cluster size.
    pub nodes: usize,
    /// The partition being drawn (side of each node), if any.
    pub draft: Option<Vec<u8>>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Milliseconds for a slider: 10000 µs → "10", 10500 µs → "10.5".
fn ms(us: u64) -> String {
    let s = format!("{:.1}", us as f64 / 1000.0);
    s.trim_end_matches(".0").to_string()
}

/// Percent for a slider from parts per million.
fn pct(ppm: u32) -> String {
    let s = format!("{:.1}", ppm as f64 / 1e4);
    s.trim_end_matches(".0").to_string()
}

/// `cfg` with the slider `name` set to `value` (ms or %), keeping min ≤ max.
fn with_slider(cfg: NetConfig, name: &str, value: f64) -> NetConfig {
    let mut net = cfg;
    let us = (value.max(0.0) * 1000.0).round() as u64;
    let ppm = (value.clamp(0.0, 100.0) * 1e4).round() as u32;
    match name {
        "lat_min" => {
            net.latency_min = us.min(NetConfig::MAX_LATENCY);
            net.latency_max = net.latency_max.max(net.latency_min);
        }
        "lat_max" => {
            net.latency_max = us.min(NetConfig::MAX_LATENCY);
            net.latency_min = net.latency_min.min(net.latency_max);
        }
        "loss" => net.loss_ppm = ppm,
        _ => net.dup_ppm = ppm,
    }
    net
}

/// A slider: (link-ish name, label, value, max, unit).
type Slider = (&'static str, &'static str, String, String, &'static str);

/// One summary sentence of the network's shape.
fn describe(net: &NetworkView) -> String {
    let split = net.groups.windows(2).any(|w| w[0] != w[1]);
    if !split && net.cut_links.is_empty() {
        return "The network is whole.".to_string();
    }
    let mut text = String::new();
    if split {
        let mut sides: Vec<(u8, Vec<String>)> = Vec::new();
        for (i, g) in net.groups.iter().enumerate() {
            match sides.iter_mut().find(|(k, _)| k == g) {
                Some((_, v)) => v.push((i + 1).to_string()),
                None => sides.push((*g, vec![(i + 1).to_string()])),
            }
        }
        let parts: Vec<String> = sides
            .iter()
            .map(|(_, v)| format!("{{{}}}", v.join(", ")))
            .collect();
        text = format!("Partitioned: {}.", parts.join(" | "));
    }
    if !net.cut_links.is_empty() {
        if split {
            text.push(' ');
        }
        let links: Vec<String> = net
            .cut_links
            .iter()
            .map(|(a, b)| format!("{a}–{b}"))
            .collect();
        text.push_str("Cut links: ");
        text.push_str(&links.join(", "));
        text.push('.');
    }
    text
}

/// The network panel.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn network(p: &NetworkProps) -> Html {
    let net = &p.network;
    let cfg = net.config;
    let whole = net.groups.windows(2).all(|w| w[0] == w[1]) && net.cut_links.is_empty();
    let n = p.nodes;

    // While dragging, only the number next to the slider follows; the action is taken when the
    // slider is let go (or changed with the keyboard). The number's text node is Yew's: change
    // its data rather than replace it.
    let on_slide = Callback::from(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        if let Some(text) = input.next_element_sibling().and_then(|o| o.first_child()) {
            let unit = input.get_attribute("data-unit").unwrap_or_default();
            text.set_node_value(Some(&format!("{} {unit}", input.value())));
        }
    });
    let on_set = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<f64>() {
                let next = with_slider(cfg, &input.name(), v);
                if next != cfg {
                    dispatch.emit(Msg::Act(ActionKind::SetNetwork { net: next }));
                }
            }
        })
    };
    let lat_top = (cfg.latency_max / 1000).max(200).to_string();
    let sliders: [Slider; 4] = [
        (
            "lat_min",
            "Latency min",
            ms(cfg.latency_min),
            lat_top.clone(),
            "ms",
        ),
        ("lat_max", "Latency max", ms(cfg.latency_max), lat_top, "ms"),
        ("loss", "Loss", pct(cfg.loss_ppm), "100".into(), "%"),
        ("dup", "Duplication", pct(cfg.dup_ppm), "100".into(), "%"),
    ];

    let start_draft = {
        let groups = net.groups.clone();
        let start: Vec<u8> = (0..n)
            .map(|i| u8::from(groups.get(i) != groups.first()))
            .collect();
        on_click(&p.dispatch, Msg::PartitionDraft(Some(start)))
    };
    let halves = {
        let groups = (0..n).map(|i| u8::from(i >= n.div_ceil(2))).collect();
        on_click(&p.dispatch, Msg::Act(ActionKind::Partition { groups }))
    };
    let heal = on_click(&p.dispatch, Msg::Act(ActionKind::Heal));

    let restore = net.cut_links.iter().map(|&(a, b)| {
        let click = on_click(&p.dispatch, Msg::Act(ActionKind::RestoreLink { a, b }));
        html! {
            <li><button type="button" onclick={click}>{ format!("Restore link {a}–{b}") }</button></li>
        }
    });

    let draft = p.draft.as_ref().map(|d| {
        let dispatch = p.dispatch.clone();
        let on_tick = Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(id) = input.value().parse() {
                dispatch.emit(Msg::PartitionToggle(id));
            }
        });
        let both = d.contains(&0) && d.contains(&1);
        let apply = {
            let dispatch = p.dispatch.clone();
            let groups = d.clone();
            Callback::from(move |_: MouseEvent| {
                dispatch.emit(Msg::Act(ActionKind::Partition {
                    groups: groups.clone(),
                }));
                dispatch.emit(Msg::PartitionDraft(None));
            })
        };
        let cancel = on_click(&p.dispatch, Msg::PartitionDraft(None));
        html! {
            <div class="draft" role="group" aria-labelledby="draft-title">
                <h3 id="draft-title">{ "Draw a partition" }</h3>
                <p class="hint">{ "Tick the nodes for side B, or on the ring click nodes or drag a loop around them (Shift adds to side B)." }</p>
                <fieldset class="sides">
                    <legend>{ "Side B" }</legend>
                    { for d.iter().enumerate().map(|(i, side)| html! {
                        <label class="check">
                            <input type="checkbox" value={(i + 1).to_string()} checked={*side == 1} onchange={on_tick.clone()} />
                            <span>{ format!("Node {}", i + 1) }</span>
                        </label>
                    }) }
                </fieldset>
                <div class="row">
                    <button type="button" class="primary" onclick={apply} disabled={!both}>{ "Apply partition" }</button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </div>
                if !both {
                    <p class="hint">{ "Put at least one node on each side." }</p>
                }
            </div>
        }
    });

    html! {
        <section class="panel network" aria-labelledby="network-title">
            <h2 id="network-title">{ "Network" }</h2>
            <p class="net-state" role="status">{ describe(net) }</p>
            <div class="sliders">
                { for sliders.into_iter().map(|(name, label, value, max, unit)| html! {
                    <label key={name}>
                        <span>{ label }</span>
                        <input type="range" name={name} min="0" max={max} step="1" value={value.clone()}
                            data-unit={unit} oninput={on_slide.clone()} onchange={on_set.clone()} />
                        <output>{ format!("{value} {unit}") }</output>
                    </label>
                }) }
            </div>
            if let Some(d) = draft {
                { d }
            } else {
                <div class="row">
                    <button type="button" onclick={start_draft} disabled={n < 2}>{ "Partition…" }</button>
                    <button type="button" onclick={halves} disabled={n < 2}>{ "Split in two" }</button>
                    <button type="button" onclick={heal} disabled={whole}>{ "Heal network" }</button>
                </div>
            }
            if !net.cut_links.is_empty() {
                <ul class="cut-list">{ for restore }</ul>
            }
            <p class="hint">{ "Cut single links from a node's menu, or select a node and click one of its links." }</p>
        </section>
    }
}
