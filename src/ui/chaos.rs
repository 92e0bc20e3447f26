//! The Chaos switch: chaos mode on or off at a rate the visitor types, in faults per virtual
//! second. Each change is a recorded `SetChaos` action; the faults themselves are drawn from the
//! run's seed (see `sim::chaos`), so a link replays them without listing them.

use yew::prelude::*;

use crate::sim::action::ActionKind;
use crate::sim::chaos::{MAX_CHAOS_RATE, format_rate, parse_rate};

use super::store::Msg;

/// The rate offered before the visitor picks one: 5 faults per virtual second, one every 20
/// wall seconds at the default speed (1/100×).
const DEFAULT_RATE: u32 = 5_000;

/// Id of the rate input (its label and the switch refer to it).
const RATE_ID: &str = "chaos-rate";

/// Props of [`ChaosSwitch`].
#[derive(Properties, PartialEq)]
pub struct ChaosProps {
    /// Chaos mode's rate now, faults per 1,000 virtual seconds (0: off).
    pub rate: u32,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The rate typed, or why it is not one.
fn typed_rate(text: &str) -> Result<u32, String> {
    match parse_rate(text) {
        Some(rate) if rate > 0 => Ok(rate),
        _ => Err(format!(
            "Chaos: “{}” is not a rate from 0.001 to {} faults per virtual second.",
            text.trim(),
            MAX_CHAOS_RATE / 1000
        )),
    }
}

/// The Chaos switch and its rate.
#[component]
pub fn ChaosSwitch(p: &ChaosProps) -> Html {
    let on = p.rate > 0;
    // The rate to switch on at (kept while chaos is off).
    let draft = use_state(|| format_rate(if on { p.rate } else { DEFAULT_RATE }));
    let value = if on {
        format_rate(p.rate)
    } else {
        (*draft).clone()
    };
    let input = use_node_ref();
    let toggle = {
        let (dispatch, draft, rate) = (p.dispatch.clone(), draft.clone(), p.rate);
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if rate > 0 {
                draft.set(format_rate(rate));
                dispatch.emit(Msg::Act(ActionKind::SetChaos { rate: 0 }));
                return;
            }
            // What the field says now, even if it was never committed.
            let text = input
                .cast::<web_sys::HtmlInputElement>()
                .map_or_else(|| (*draft).clone(), |i| i.value());
            dispatch.emit(match typed_rate(&text) {
                Ok(rate) => Msg::Act(ActionKind::SetChaos { rate }),
                Err(e) => Msg::Report(e),
            });
        })
    };
    let onchange = {
        let (dispatch, draft, rate) = (p.dispatch.clone(), draft.clone(), p.rate);
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let text = input.value();
            match typed_rate(&text) {
                Ok(next) => {
                    draft.set(format_rate(next));
                    if rate > 0 && next != rate {
                        dispatch.emit(Msg::Act(ActionKind::SetChaos { rate: next }));
                    }
                }
                Err(e) => dispatch.emit(Msg::Report(e)),
            }
        })
    };
    html! {
        <div class={classes!("chaos", on.then_some("on"))} role="group" aria-label="Chaos mode">
            <button type="button" id="chaos-switch" role="switch" aria-checked={on.to_string()}
                aria-describedby="chaos-hint" onclick={toggle}>
                <span class="knob" aria-hidden="true"></span>{ "Chaos" }
            </button>
            <label for={RATE_ID}>{ "Faults per virtual second" }</label>
            <input ref={input} id={RATE_ID} type="text" inputmode="decimal" size="6" {value} {onchange} />
            <p class="hint" id="chaos-hint">{ "Random crashes, restarts, pauses, partitions, one-way cuts and latency spikes, drawn from the seed: the link replays them." }</p>
        </div>
    }
}
