//! The timeline under the time slider: the whole explored run, past and recorded future, with a
//! marker for every leader change, visitor action, chaos fault and invariant violation.
//!
//! Markers come from [`Lab::milestones`], kept in a [`Milestones`] cache in the store: lines are
//! only read while the run is at its latest moment (the lab shows nothing beyond now), so after
//! a seek backwards the markers of the recorded future are still known; the cache is rebuilt
//! when the branch changes (an action, a fork). Each marker is a button that seeks to it; the
//! markers form one toolbar (one Tab stop, ← → Home End move between them).

use std::cell::Cell;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::lab::{Lab, Milestone, TraceView};
use crate::sim::time::{Micros, format_time};

use super::el::{El, icon};
use super::spacetime::glyph;
use super::store::{Msg, Snap};

/// One timeline marker.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// Virtual time.
    pub t: Micros,
    /// A leader change, a visitor action or a violation.
    pub kind: Milestone,
    /// What happened.
    pub text: String,
}

/// How far the trace has been read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Seen {
    /// Milestone lines were read up to this time…
    upto: Micros,
    /// …including this many at exactly `upto`.
    at_upto: usize,
    /// Trace length when last read.
    trace_len: usize,
    /// Actions on the branch when last read (a change means a new branch: read again).
    actions: usize,
}

/// The markers of the current branch, in time order (see the module docs).
#[derive(Debug, Default)]
pub struct Milestones {
    /// The markers.
    pub marks: Vec<Mark>,
    seen: Cell<Seen>,
}

/// The marker for a milestone line, if the timeline shows it.
fn to_mark(l: TraceView) -> Option<Mark> {
    let kind = match l.marker {
        Some(
            k @ (Milestone::Leader | Milestone::Action | Milestone::Violation | Milestone::Chaos),
        ) => k,
        _ => return None,
    };
    Some(Mark {
        t: l.t,
        kind,
        text: l.headline.unwrap_or(l.text),
    })
}

/// Brings the cache up to date with `lab`; returns the same snapshot when no marker was added,
/// so the timeline does not redraw.
pub fn track(cache: &Snap<Milestones>, lab: &dyn Lab) -> Snap<Milestones> {
    let now = lab.now();
    let horizon = lab.horizon();
    let actions = lab.actions().len();
    let len = lab.trace_len();
    let seen = cache.seen.get();
    let at = |lines: &[TraceView]| lines.iter().filter(|l| l.t == now).count();
    if actions != seen.actions || horizon < seen.upto {
        // A new branch: read everything up to now.
        let lines = lab.milestones(0, now);
        let next = Milestones {
            seen: Cell::new(Seen {
                upto: now,
                at_upto: at(&lines),
                trace_len: len,
                actions,
            }),
            marks: lines.into_iter().filter_map(to_mark).collect(),
        };
        return Snap::new(next);
    }
    if now < horizon || now < seen.upto || len == seen.trace_len {
        // In the past (nothing new can be read) or nothing happened.
        return cache.clone();
    }
    let lines = lab.milestones(seen.upto, now);
    let skip = seen.at_upto.min(lines.len());
    let next_seen = Seen {
        upto: now,
        at_upto: at(&lines),
        trace_len: len,
        actions,
    };
    let fresh: Vec<Mark> = lines[skip..].iter().cloned().filter_map(to_mark).collect();
    if fresh.is_empty() {
        cache.seen.set(next_seen);
        return cache.clone();
    }
    let mut marks = cache.marks.clone();
    marks.extend(fresh);
    Snap::new(Milestones {
        marks,
        seen: Cell::new(next_seen),
    })
}

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The markers.
    pub marks: Snap<Milestones>,
    /// The protocol's leading role, the one a crown stands for (`leader`, or `primary` in
    /// primary–backup failover): its changes are the crown markers, named after it.
    pub leader: &'static str,
    /// Virtual time now (as shown by the clock).
    pub now: Micros,
    /// Latest explored time.
    pub horizon: Micros,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Markers closer than 1/`BUCKETS` of the width are merged into one button.
const BUCKETS: u64 = 60;

/// Id of the "viewing the past" notice (the time slider refers to it).
pub const PAST_NOTE_ID: &str = "past-note";

/// The legend under the track before the first marker, and after it, for the leading role
/// `leader`.
fn legend(leader: &str, empty: bool) -> String {
    if empty {
        format!(
            "{} changes, your actions and violations will be marked here.",
            capitalised(leader)
        )
    } else {
        format!(
            "Markers: crown = {leader}, flag = your action, bolt = chaos, warning = violation. Activate one to go there."
        )
    }
}

/// `word` with its first letter in upper case (role names are ASCII: `str::to_uppercase` would
/// bring the Unicode case tables into the wasm).
fn capitalised(word: &str) -> String {
    let mut word = word.to_string();
    if let Some(first) = word.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    word
}

/// The notice shown while the visitor is in the past (the slider is described by it).
const PAST_NOTE: &str = "<p class=\"past-note\" id=\"past-note\"><strong>You are viewing the past: acting now discards the recorded future after this point.</strong> <span class=\"hint\">The hatched part of the timeline is that recorded future; End jumps back to the latest moment.</span></p>";

/// How markers read: name, glyph (a change of the leading role `leader` is named after it).
fn kind_info(kind: Milestone, leader: &str) -> (String, &'static str) {
    match kind {
        Milestone::Violation => ("Violation".into(), glyph::WARN),
        Milestone::Action => ("Your action".into(), glyph::FLAG),
        Milestone::Chaos => ("Chaos".into(), glyph::BOLT),
        _ => (capitalised(leader), glyph::CROWN),
    }
}

/// The timeline.
#[component]
pub fn Timeline(p: &TimelineProps) -> Html {
    let horizon = p.horizon.max(p.now).max(1);
    let pct = |t: Micros| (t.min(horizon) as f64 * 100.0 / horizon as f64).clamp(0.0, 100.0);
    let past = pct(p.now);
    let in_past = p.now < p.horizon;

    // Group nearby markers (time order is kept).
    let mut groups: Vec<&[Mark]> = Vec::new();
    let marks = &p.marks.marks;
    let mut start = 0;
    let bucket = |t: Micros| t.min(horizon) * BUCKETS / horizon;
    for i in 1..=marks.len() {
        if i == marks.len() || bucket(marks[i].t) != bucket(marks[start].t) {
            if start < marks.len() {
                groups.push(&marks[start..i]);
            }
            start = i;
        }
    }
    let buttons = groups.iter().enumerate().map(|(i, g)| {
        let first = &g[0];
        // The most serious kind in the group names it.
        let kind = [
            Milestone::Violation,
            Milestone::Action,
            Milestone::Chaos,
            Milestone::Leader,
        ]
        .into_iter()
        .find(|k| g.iter().any(|m| m.kind == *k))
        .unwrap_or(Milestone::Leader);
        let (name, d) = kind_info(kind, p.leader);
        let future = first.t > p.now;
        // Keep the tooltip inside the timeline.
        let at = pct(first.t);
        let side = if at < 35.0 {
            Some("tip-start")
        } else if at > 65.0 {
            Some("tip-end")
        } else {
            None
        };
        let mut label = if g.len() == 1 && first.text.starts_with(&name) {
            // A chaos fault's sentence already says whose it is.
            format!("{}, at {}", first.text, format_time(first.t))
        } else if g.len() == 1 {
            format!("{name}: {}, at {}", first.text, format_time(first.t))
        } else {
            let texts: Vec<&str> = g.iter().take(3).map(|m| m.text.as_str()).collect();
            format!(
                "{} milestones from {}: {}{}",
                g.len(),
                format_time(first.t),
                texts.join("; "),
                if g.len() > 3 { "; …" } else { "" }
            )
        };
        if future {
            label.push_str(" (recorded future)");
        }
        El::new("button")
            .key(first.t.to_string() + kind.as_str())
            .attr("type", "button")
            .attr(
                "style",
                format!("left:{}%", crate::sim::decimal::fixed(at, 1)),
            )
            .attr("data-t", first.t.to_string())
            .attr("tabindex", if i == 0 { "0" } else { "-1" })
            .attr("aria-label", label.clone())
            .attr("data-tip", label)
            .class(classes!(
                "tl-mark",
                kind.as_str(),
                future.then_some("future"),
                side
            ))
            .child(icon("-6 -6 12 12", "12", d))
    });

    let onclick = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(t) = marker_time(e.target()) {
                dispatch.emit(Msg::Seek(t));
            }
        })
    };
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        let key = e.key();
        if matches!(key.as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End") {
            // Also keeps the page's own arrow, Home and End shortcuts out of it.
            e.prevent_default();
            move_focus(e.target(), &key);
        }
    });

    let fixed = |v: f64| crate::sim::decimal::fixed(v, 2);
    let track = El::new("div")
        .attr("role", "toolbar")
        .attr(
            "aria-label",
            format!(
                "Milestones: {} changes, your actions, chaos faults and violations (← → to move between them)",
                p.leader
            ),
        )
        .class("tl-track")
        .on_click(onclick)
        .on_keydown(onkeydown)
        .child(
            El::new("div")
                .attr("style", format!("width:{}%", fixed(past)))
                .class("tl-past"),
        )
        .maybe(in_past.then(|| {
            El::new("div")
                .attr(
                    "style",
                    format!("left:{}%;width:{}%", fixed(past), fixed(100.0 - past)),
                )
                .class("tl-future")
        }))
        .children(buttons);
    El::new("div")
        .class("timeline")
        .child(track)
        .child(
            El::new("p")
                .class("tl-legend hint")
                .text(legend(p.leader, marks.is_empty())),
        )
        .maybe(in_past.then(|| Html::from_html_unchecked(AttrValue::Static(PAST_NOTE))))
        .into()
}

/// The time a marker stands for, from the element an event happened in.
fn marker_time(target: Option<web_sys::EventTarget>) -> Option<Micros> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    el.closest(".tl-mark")
        .ok()??
        .get_attribute("data-t")?
        .parse()
        .ok()
}

/// Moves focus to the previous, next, first or last marker.
fn move_focus(target: Option<web_sys::EventTarget>, key: &str) {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    let Some(track) = el.closest(".tl-track").ok().flatten() else {
        return;
    };
    let items = super::dom::html_elements(&track, ".tl-mark");
    if items.is_empty() {
        return;
    }
    let current = items
        .iter()
        .position(|b| b.unchecked_ref::<web_sys::Element>() == &el);
    let last = items.len() - 1;
    let next = match (key, current) {
        ("Home", _) => 0,
        ("End", _) => last,
        ("ArrowLeft", Some(i)) => i.saturating_sub(1),
        ("ArrowRight", Some(i)) => (i + 1).min(last),
        _ => 0,
    };
    let _ = items[next].focus();
}
