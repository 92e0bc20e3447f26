//! Playback controls: play/pause, step back and forward, the speed ladder (log scale) and the
//! time slider over everything explored so far. The timeline of milestones sits right under it
//! (see [`super::timeline`]); while the visitor is in the past the slider is described by the
//! timeline's "viewing the past" notice.

use yew::prelude::*;

use crate::sim::time::{Micros, format_time};

use super::el::{self, El, button};
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
    let speed_note = if let Some(text) = fast_note {
        Some(
            El::new("small")
                .attr("id", SPEED_NOTE_ID)
                .class("speed-note")
                .text(text),
        )
    } else {
        behind_note.map(|text| {
            El::new("small")
                .attr("id", SPEED_NOTE_ID)
                .attr("title", BEHIND_TIP)
                .class("speed-note behind")
                .text(text)
        })
    };
    // A range input from 0 to `max` in steps of 1.
    let range = |max: String, value: String, oninput: Callback<InputEvent>| {
        El::new("input")
            .attr("type", "range")
            .attr("min", "0")
            .attr("max", max)
            .attr("step", "1")
            .value(value)
            .on_input(oninput)
    };
    // A step button: its icon only, named by `name`, with its key and what it does as a tooltip.
    let step = |msg: Msg, name: &'static str, key: &'static str, tip: &'static str, path| {
        button(send(msg))
            .attr("aria-label", name)
            .attr("aria-keyshortcuts", key)
            .attr("title", tip)
            .child(icon(path))
    };
    let buttons = El::new("div")
        .class("buttons")
        .child(
            button(send(Msg::TogglePlay))
                .class("play primary")
                .attr("aria-keyshortcuts", "Space")
                .attr("title", format!("{play_label} (Space)"))
                .child(icon(play_icon))
                .text(play_label),
        )
        .child(step(
            Msg::StepBack,
            "Step back",
            ",",
            "Back to the previous event (, or ←)",
            BACK,
        ))
        .child(step(
            Msg::Step,
            "Step",
            ".",
            "Process the next event (. or →)",
            STEP,
        ));
    let speed = El::new("label")
        .class("speed")
        .child(El::new("span").text("Speed"))
        .child(
            range(
                (SPEEDS.len() - 1).to_string(),
                p.speed.to_string(),
                on_speed,
            )
            .attr(
                "aria-valuetext",
                format!("{} real time", speed_label(p.speed)),
            )
            .attr("aria-describedby", has_note.then_some(SPEED_NOTE_ID))
            .attr("aria-keyshortcuts", "[ ]")
            .attr("title", "Speed ([ slower, ] faster)"),
        )
        .child(El::new("output").text(speed_label(p.speed)))
        .maybe(speed_note);
    let time = El::new("label")
        .class("time")
        .child(El::new("span").text("Time"))
        .child(
            range(p.horizon.max(1).to_string(), p.now.to_string(), on_time)
                .attr("aria-valuetext", format_time(p.now))
                .attr(
                    "aria-describedby",
                    (p.now < p.horizon && !p.compact).then_some(PAST_NOTE_ID),
                ),
        )
        .child(El::new("output").class("clock").text(time_text));
    El::new("div")
        .class(classes!("controls", p.compact.then_some("compact")))
        .attr("role", "group")
        .attr("aria-label", "Playback")
        .child(buttons)
        .child(speed)
        .child(time)
        .into()
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
fn icon(path: &'static str) -> El {
    el::icon("0 0 16 16", "16", path)
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
