//! The network panel: latency, loss and duplication sliders, drawing a partition (a checkbox
//! per node, or a lasso on the ring), cut links, healing, and the Chaos switch. Every change is an action
//! recorded in the run, so a link replays it.
//!
//! A slider records one action per adjustment: on release after a drag, and after a pause of
//! [`KEY_PAUSE_MS`] in key presses (or on Enter, or when focus leaves it) from the keyboard.
//! The partition editor takes focus when it opens, closes with Escape, and gives focus back
//! to "Partition…" when it closes.

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::sim::action::{ActionKind, NetConfig};
use crate::sim::lab::NetworkView;

use super::chaos::chaos_switch;
use super::dom;
use super::el::{El, button, component};
use super::store::{Msg, Snap, on_click};

/// Pause in key presses on a slider after which the value is recorded, in ms.
pub const KEY_PAUSE_MS: u32 = 700;

/// Id of the "Partition…" button (focus returns to it when the editor closes).
const PARTITION_BUTTON: &str = "partition-start";

/// Inputs of [`network`].
pub struct NetworkProps {
    /// The network now.
    pub network: Snap<NetworkView>,
    /// Cluster size.
    pub nodes: usize,
    /// The partition being drawn (side of each node), if any.
    pub draft: Option<Vec<u8>>,
    /// Chaos mode's rate, faults per 1,000 virtual seconds (0: off).
    pub chaos: u32,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Milliseconds for a slider: 10000 µs → "10", 10500 µs → "10.5".
fn ms(us: u64) -> String {
    let s = crate::sim::decimal::fixed(us as f64 / 1000.0, 1);
    s.trim_end_matches(".0").to_string()
}

/// Percent for a slider from parts per million.
fn pct(ppm: u32) -> String {
    let s = crate::sim::decimal::fixed(ppm as f64 / 1e4, 1);
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
    if net.is_whole() && net.slow_links.is_empty() {
        return "The network is whole.".to_string();
    }
    let split = net.is_partitioned();
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
    let mut sentence = |s: String| {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s);
    };
    if !net.one_way.is_empty() {
        let cuts: Vec<String> = (net.one_way.iter())
            .map(|(a, b)| format!("Node {b} does not hear Node {a}"))
            .collect();
        sentence(format!("One way: {}.", cuts.join("; ")));
    }
    if !net.slow_links.is_empty() {
        let slow: Vec<String> = (net.slow_links.iter())
            .map(|&(a, b, lo, hi)| format!("{a} → {b} takes {}–{} ms", ms(lo), ms(hi)))
            .collect();
        sentence(format!("Slow: {}.", slow.join("; ")));
    }
    text
}

/// The network panel.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn network(p: &NetworkProps) -> Html {
    let net = &p.network;
    let cfg = net.config;
    let whole = net.is_whole();
    let n = p.nodes;

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

    // An item of the list of links to restore.
    let restore_item = |act: ActionKind, text: String| {
        El::new("li").child(button(on_click(&p.dispatch, Msg::Act(act))).text(text))
    };
    let restore = net.cut_links.iter().map(|&(a, b)| {
        restore_item(
            ActionKind::RestoreLink { a, b },
            format!("Restore link {a}–{b}"),
        )
    });
    let restore_one_way = net.one_way.iter().map(|&(a, b)| {
        restore_item(
            ActionKind::RestoreLink { a, b },
            format!("Restore link {a} → {b}"),
        )
    });
    let restore_speed = net.slow_links.iter().map(|&(from, to, _, _)| {
        let act = ActionKind::LinkLatency {
            from,
            to,
            latency: None,
        };
        restore_item(act, format!("Normal speed {from} → {to}"))
    });

    let shape: Html = if let Some(d) = &p.draft {
        component::<PartitionEditor>(
            None,
            EditorProps {
                draft: d.clone(),
                dispatch: p.dispatch.clone(),
            },
        )
    } else {
        El::new("div")
            .class("row")
            .child(
                button(start_draft)
                    .attr("id", PARTITION_BUTTON)
                    .flag("disabled", n < 2)
                    .text("Partition…"),
            )
            .child(button(halves).flag("disabled", n < 2).text("Split in two"))
            .child(button(heal).flag("disabled", whole).text("Heal network"))
            .into()
    };
    let sliders = sliders.into_iter().map(|(name, label, value, max, unit)| {
        component::<NetSlider>(
            Some(name.into()),
            SliderProps {
                name,
                label,
                value: value.into(),
                max: max.into(),
                unit,
                config: cfg,
                dispatch: p.dispatch.clone(),
            },
        )
    });
    let changed =
        !(net.cut_links.is_empty() && net.one_way.is_empty() && net.slow_links.is_empty());
    El::new("section")
        .attr("aria-labelledby", "network-title")
        .class("panel network")
        .child(El::new("h2").attr("id", "network-title").text("Network"))
        .child(
            El::new("p")
                .attr("role", "status")
                .class("net-state")
                .text(describe(net)),
        )
        .child(El::new("div").class("sliders").children(sliders))
        .child(shape)
        .maybe(changed.then(|| {
            El::new("ul")
                .class("cut-list")
                .children(restore)
                .children(restore_one_way)
                .children(restore_speed)
        }))
        .child(El::new("p").class("hint").text(
            "Cut single links from a node's menu, or select a node and click one of its links.",
        ))
        .child(chaos_switch(p.chaos, &p.dispatch))
        .into()
}

/// Props of [`NetSlider`].
#[derive(Properties, PartialEq)]
struct SliderProps {
    /// Which setting (`lat_min`, `lat_max`, `loss`, `dup`).
    name: &'static str,
    /// Visible label (its accessible name).
    label: &'static str,
    /// Current value in the unit.
    value: AttrValue,
    /// Largest value.
    max: AttrValue,
    /// `ms` or `%`.
    unit: &'static str,
    /// The network settings now (the slider changes one of them).
    config: NetConfig,
    /// Sends messages to the store.
    dispatch: Callback<Msg>,
}

/// What a slider remembers between renders.
#[derive(Default)]
struct SliderState {
    /// The settings at the last render (a delayed commit changes the newest ones).
    config: Option<NetConfig>,
    /// The last change came from a key press.
    keyed: bool,
    /// A key-press change waiting for the pause to end.
    pending: Option<Timeout>,
}

/// Records the slider's value as an action (if it changed anything).
fn commit(input: &NodeRef, state: &RefCell<SliderState>, name: &str, dispatch: &Callback<Msg>) {
    let mut st = state.borrow_mut();
    st.pending = None;
    let (Some(input), Some(cfg)) = (input.cast::<web_sys::HtmlInputElement>(), st.config) else {
        return;
    };
    if let Ok(v) = crate::sim::decimal::parse(&input.value()) {
        let next = with_slider(cfg, name, v);
        if next != cfg {
            st.config = Some(next);
            drop(st);
            dispatch.emit(Msg::Act(ActionKind::SetNetwork { net: next }));
        }
    }
}

/// One network slider with its value next to it.
#[component]
fn NetSlider(p: &SliderProps) -> Html {
    let input = use_node_ref();
    let state = use_mut_ref(SliderState::default);
    state.borrow_mut().config = Some(p.config);
    let name = p.name;
    let text = format!("{} {}", p.value, p.unit);

    // While it moves, only the number next to it (and the announced value) follow; the number's
    // text node is Yew's: change its data rather than replace it.
    let oninput = Callback::from(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        let unit = input.get_attribute("data-unit").unwrap_or_default();
        let text = format!("{} {unit}", input.value());
        let _ = input.set_attribute("aria-valuetext", &text);
        if let Some(node) = input.next_element_sibling().and_then(|o| o.first_child()) {
            node.set_node_value(Some(&text));
        }
    });
    let onkeydown = {
        let (input, state, dispatch) = (input.clone(), state.clone(), p.dispatch.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => commit(&input, &state, name, &dispatch),
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "PageUp" | "PageDown"
            | "Home" | "End" => state.borrow_mut().keyed = true,
            _ => {}
        })
    };
    // A change from the keyboard waits for the key presses to pause; a drag is recorded on
    // release.
    let onchange = {
        let (input, state, dispatch) = (input.clone(), state.clone(), p.dispatch.clone());
        Callback::from(move |_: Event| {
            let keyed = std::mem::take(&mut state.borrow_mut().keyed);
            if !keyed {
                commit(&input, &state, name, &dispatch);
                return;
            }
            let later = {
                let (input, state, dispatch) = (input.clone(), state.clone(), dispatch.clone());
                Timeout::new(KEY_PAUSE_MS, move || {
                    commit(&input, &state, name, &dispatch)
                })
            };
            state.borrow_mut().pending = Some(later);
        })
    };
    let onblur = {
        let (input, state, dispatch) = (input.clone(), state.clone(), p.dispatch.clone());
        Callback::from(move |_: FocusEvent| {
            if state.borrow().pending.is_some() {
                commit(&input, &state, name, &dispatch);
            }
        })
    };
    El::new("label")
        .child(El::new("span").text(p.label))
        .child(
            El::new("input")
                .node_ref(input)
                .attr("type", "range")
                .attr("name", name)
                .attr("min", "0")
                .attr("max", p.max.clone())
                .attr("step", "1")
                .value(p.value.clone())
                .attr("aria-valuetext", text.clone())
                .attr("data-unit", p.unit)
                .on_input(oninput)
                .on_change(onchange)
                .on_keydown(onkeydown)
                .on_blur(onblur),
        )
        .child(El::new("output").text(text))
        .into()
}

/// Props of [`PartitionEditor`].
#[derive(Properties, PartialEq)]
struct EditorProps {
    /// Side of each node (1: side B).
    draft: Vec<u8>,
    /// Sends messages to the store.
    dispatch: Callback<Msg>,
}

/// Id of the partition editor.
const EDITOR_ID: &str = "partition-editor";

/// Drawing a partition: a checkbox per node for side B, Apply and Cancel. Focus moves into it
/// when it opens and back to "Partition…" when it closes; Escape cancels.
#[component]
fn PartitionEditor(p: &EditorProps) -> Html {
    use_effect_with((), |_| {
        // The first checkbox sits where "Partition…" was: keep the page where it is (the ring
        // must stay in view for the lasso).
        let window = dom::window();
        let (x, y) = (window.scroll_x(), window.scroll_y());
        dom::focus_first(EDITOR_ID, "input");
        if let (Ok(x), Ok(y)) = (x, y) {
            window.scroll_to_with_x_and_y(x, y);
        }
        || {
            // After the editor is gone and the button is back, if focus fell to the page.
            Timeout::new(0, || {
                let lost = dom::document()
                    .active_element()
                    .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
                if lost {
                    dom::focus_id(PARTITION_BUTTON);
                }
            })
            .forget();
        }
    });
    let d = &p.draft;
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
    let onkeydown = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                e.stop_propagation();
                dispatch.emit(Msg::PartitionDraft(None));
            }
        })
    };
    let ticks = d.iter().enumerate().map(|(i, side)| {
        El::new("label")
            .class("check")
            .child(
                El::new("input")
                    .attr("type", "checkbox")
                    .value((i + 1).to_string())
                    .checked(*side == 1)
                    .on_change(on_tick.clone()),
            )
            .child(El::new("span").text(format!("Node {}", i + 1)))
    });
    let hint = |text: &'static str| El::new("p").class("hint").text(text);
    El::new("div")
        .attr("id", EDITOR_ID)
        .attr("role", "group")
        .attr("aria-labelledby", "draft-title")
        .class("draft")
        .on_keydown(onkeydown)
        .child(El::new("h3").attr("id", "draft-title").text("Draw a partition"))
        .child(hint("Tick the nodes for side B, or on the ring click nodes or drag a loop around them (Shift adds to side B). Escape cancels."))
        .child(
            El::new("fieldset")
                .class("sides")
                .child(El::new("legend").text("Side B"))
                .children(ticks),
        )
        .child(
            El::new("div")
                .class("row")
                .child(
                    button(apply)
                        .flag("disabled", !both)
                        .class("primary")
                        .text("Apply partition"),
                )
                .child(button(cancel).text("Cancel")),
        )
        .maybe((!both).then(|| hint("Put at least one node on each side.")))
        .into()
}
