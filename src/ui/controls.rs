//! Playback controls: play/pause, step back and forward, the speed ladder (log scale) and the
//! time slider over everything explored so far. The timeline of milestones sits right under it
//! (see [`super::timeline`]); while the visitor is in the past the slider is described by the
//! timeline's "viewing the past" notice.

use yew::prelude::*;

use crate::sim::time::{Micros, format_time};

use super::geometry::{SPEEDS, speed_label};
use super::store::{Msg, on_click};
use super::timeline::PAST_NOTE_ID;

/// Inputs of [`controls`].
pub struct ControlsProps {
    /// Whether the clock runs.
    pub playing: bool,
    /// Index into the speed ladder.
    pub speed: usize,
    /// Virtual time now.
    pub now: Micros,
    /// Latest virtual time explored.
    pub horizon: Micros,
    /// The embedded layout's short version.
    pub compact: bool,
    /// During the fast start of a plain page: what it waits for (e.g. "the first leader").
    pub fast_start: Option<&'static str>,
    /// The speed reached while the simulation cannot keep up with the chosen one.
    pub behind: Option<f64>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The control bar.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn controls(p: &ControlsProps) -> Html {
    let send = |msg: Msg| on_click(&p.dispatch, msg);
    let on_speed = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(i) = input.value().parse::<usize>() {
                dispatch.emit(Msg::SetSpeed(i));
            }
        })
    };
    let on_time = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = crate::sim::decimal::parse(&input.value()) {
                dispatch.emit(Msg::Seek(t.max(0.0) as Micros));
            }
        })
    };
    let (play_label, play_icon) = if p.playing {
        ("Pause", PAUSE)
    } else {
        ("Play", PLAY)
    };
    let time_text = format!("{} / {}", format_time(p.now), format_time(p.horizon));
    let fast_note = p.fast_start.map(|what| {
        format!(
            "{} until {what}",
            speed_text(super::intro::FAST_START_SPEED)
        )
    });
    let behind_note = p
        .behind
        .map(|reached| format!("behind: about {}", speed_text(reached)));
    let has_note = fast_note.is_some() || behind_note.is_some();
    html! {
        <div class={classes!("controls", p.compact.then_some("compact"))} role="group" aria-label="Playback">
            <div class="buttons">
                <button type="button" class="play primary" onclick={send(Msg::TogglePlay)}
                    aria-keyshortcuts="Space" title={format!("{play_label} (Space)")}>
                    { icon(play_icon) }{ play_label }
                </button>
                <button type="button" onclick={send(Msg::StepBack)} aria-label="Step back"
                    aria-keyshortcuts="," title="Back to the previous event (, or ←)">
                    { icon(BACK) }
                </button>
                <button type="button" onclick={send(Msg::Step)} aria-label="Step"
                    aria-keyshortcuts="." title="Process the next event (. or →)">
                    { icon(STEP) }
                </button>
            </div>
            <label class="speed">
                <span>{ "Speed" }</span>
                <input type="range" min="0" max={(SPEEDS.len() - 1).to_string()} step="1"
                    value={p.speed.to_string()} oninput={on_speed}
                    aria-valuetext={format!("{} real time", speed_label(p.speed))}
                    aria-describedby={has_note.then_some(SPEED_NOTE_ID)}
                    aria-keyshortcuts="[ ]" title="Speed ([ slower, ] faster)" />
                <output>{ speed_label(p.speed) }</output>
                if let Some(text) = fast_note {
                    <small id={SPEED_NOTE_ID} class="speed-note">{ text }</small>
                } else if let Some(text) = behind_note {
                    <small id={SPEED_NOTE_ID} class="speed-note behind" title={BEHIND_TIP}>{ text }</small>
                }
            </label>
            <label class="time">
                <span>{ "Time" }</span>
                <input type="range" min="0" max={p.horizon.max(1).to_string()} step="1"
                    value={p.now.to_string()} oninput={on_time}
                    aria-valuetext={format_time(p.now)}
                    aria-describedby={(p.now < p.horizon && !p.compact).then_some(PAST_NOTE_ID)} />
                <output class="clock">{ time_text }</output>
            </label>
        </div>
    }
}

/// Id of the note under the speed control (the fast start, or a run that cannot keep up).
const SPEED_NOTE_ID: &str = "speed-note";

/// Why a run is behind its speed.
const BEHIND_TIP: &str = "This device cannot simulate the run this fast: virtual time runs slower than chosen rather than the page stalling.";

/// A speed in virtual seconds per wall second for people, not only the ladder's steps:
/// `1/10×`, `0.7×`, `2.4×`.
fn speed_text(x: f64) -> String {
    let inverse = (1.0 / x).round();
    if x < 1.0 && inverse >= 2.0 {
        format!("1/{}×", crate::sim::decimal::shortest(inverse))
    } else {
        format!(
            "{}×",
            crate::sim::decimal::shortest((x * 10.0).round() / 10.0)
        )
    }
}

/// Icon paths in a 16×16 box (drawn with `currentColor`, so they follow the theme).
const PLAY: &str = "M4 2.5v11l9-5.5z";
const PAUSE: &str = "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z";
const STEP: &str = "M2.5 2.5v11l8-5.5zM11 2.5h2.5v11H11z";
const BACK: &str = "M13.5 2.5v11l-8-5.5zM2.5 2.5H5v11H2.5z";

/// A decorative icon (hidden from assistive technology: the button has its own name).
fn icon(path: &'static str) -> Html {
    html! {
        <svg class="ic" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d={path} />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn speeds_read_as_fractions_below_half_and_decimals_above() {
        assert_eq!(speed_text(0.1), "1/10×");
        assert_eq!(speed_text(0.5), "1/2×");
        assert_eq!(speed_text(0.7), "0.7×");
        assert_eq!(speed_text(2.43), "2.4×");
        assert_eq!(speed_text(10.0), "10×");
    }
}
