//! Network controls taken as actions in the run: message loss, splitting the cluster in two,
//! and healing every partition and cut link.

use yew::prelude::*;

use crate::sim::action::ActionKind;
use crate::sim::lab::NetworkView;

use super::store::{Msg, Snap, on_click};

/// Inputs of [`network`].
pub struct NetworkProps {
    /// The network now.
    pub network: Snap<NetworkView>,
    /// Cluster size.
    pub nodes: usize,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Loss choices offered, in parts per million.
const LOSSES: [u32; 5] = [0, 50_000, 200_000, 500_000, 1_000_000];

/// The network panel.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn network(p: &NetworkProps) -> Html {
    let net = &p.network;
    let cfg = net.config;
    let split = net.groups.windows(2).any(|w| w[0] != w[1]);
    let whole = !split && net.cut_links.is_empty();
    let on_loss = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(loss) = select.value().parse::<u32>() {
                let mut net = cfg;
                net.loss_ppm = loss;
                dispatch.emit(Msg::Act(ActionKind::SetNetwork { net }));
            }
        })
    };
    let n = p.nodes;
    let groups = (0..n).map(|i| u8::from(i >= n.div_ceil(2))).collect();
    let halves = on_click(&p.dispatch, Msg::Act(ActionKind::Partition { groups }));
    let heal = on_click(&p.dispatch, Msg::Act(ActionKind::Heal));
    let state = if whole {
        "The network is whole.".to_string()
    } else {
        let mut sides: Vec<(u8, Vec<String>)> = Vec::new();
        for (i, g) in net.groups.iter().enumerate() {
            match sides.iter_mut().find(|(k, _)| k == g) {
                Some((_, v)) => v.push((i + 1).to_string()),
                None => sides.push((*g, vec![(i + 1).to_string()])),
            }
        }
        let mut text = if split {
            let parts: Vec<String> = sides
                .iter()
                .map(|(_, v)| format!("{{{}}}", v.join(", ")))
                .collect();
            format!("Partitioned: {}.", parts.join(" | "))
        } else {
            String::new()
        };
        if !net.cut_links.is_empty() {
            let links: Vec<String> = net
                .cut_links
                .iter()
                .map(|(a, b)| format!("{a}–{b}"))
                .collect();
            text.push_str(&format!(" Cut links: {}.", links.join(", ")));
        }
        text
    };
    html! {
        <section class="panel network" aria-labelledby="network-title">
            <h2 id="network-title">{ "Network" }</h2>
            <p>{ format!("Latency {:.1}–{:.1} ms. ", cfg.latency_min as f64 / 1e3, cfg.latency_max as f64 / 1e3) }{ state }</p>
            <div class="row">
                <label>
                    <span>{ "Message loss" }</span>
                    <select onchange={on_loss}>
                        { for LOSSES.iter().map(|&l| html! {
                            <option value={l.to_string()} selected={cfg.loss_ppm == l}>{ format!("{}%", l / 10_000) }</option>
                        }) }
                        if !LOSSES.contains(&cfg.loss_ppm) {
                            <option value={cfg.loss_ppm.to_string()} selected=true>{ format!("{:.2}%", cfg.loss_ppm as f64 / 1e4) }</option>
                        }
                    </select>
                </label>
                <button type="button" onclick={halves} disabled={p.nodes < 2}>{ "Split in two" }</button>
                <button type="button" onclick={heal} disabled={whole}>{ "Heal network" }</button>
            </div>
        </section>
    }
}
