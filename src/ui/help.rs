//! The keyboard help overlay (opened with `?`, closed with Escape) and the page's other
//! accessibility aids: the throttled live region and the reduced-motion watcher.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::dom;
use super::el::{El, button};
use super::store::{Msg, on_click};

/// Props of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// Every shortcut: keys and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "Play / pause"),
    (". or →", "Step: process the next event"),
    (", or ←", "Step back to the previous event"),
    ("[ and ]", "Slower / faster"),
    ("Home / End", "Jump to the start / the latest moment"),
    ("Tab, then Enter", "Open a node's or a message's menu"),
    ("↑ ↓ in a menu", "Move between the menu's actions"),
    (
        "Enter, ← →, Enter on the diagram",
        "Pick a moment on the space-time diagram and go there (Shift: bigger steps)",
    ),
    (
        "← → on the timeline",
        "Move between milestones; Enter goes there",
    ),
    ("S", "Share: copy a link to this moment"),
    ("?", "Show or hide this help"),
    (
        "Escape",
        "Close a menu, this help, the share box or the partition editor",
    ),
];

const DIALOG_ID: &str = "help-dialog";

/// What can take focus inside an element.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select, [tabindex]:not([tabindex='-1'])";

/// The help dialog: modal, keeps Tab inside itself, and gives focus back on closing.
#[component]
pub fn Help(p: &HelpProps) -> Html {
    use_effect_with((), |_| {
        // Remember who had focus (the help button, a node on the ring, …).
        let before = dom::document().active_element();
        dom::focus_id("help-close");
        move || {
            let body = dom::document().body();
            let back = before.filter(|e| {
                e.is_connected()
                    && e.id() != "help-close"
                    && body
                        .as_ref()
                        .is_none_or(|b| b.unchecked_ref::<web_sys::Element>() != e)
            });
            if !back.is_some_and(|e| dom::focus(&e)) {
                dom::focus_id("help-button");
            }
        }
    });
    let close = on_click(&p.dispatch, Msg::ToggleHelp);
    let backdrop = close.clone();
    let onkeydown = Callback::from(|e: KeyboardEvent| {
        if e.key() == "Tab" {
            trap_tab(&e);
        }
    });
    let rows = SHORTCUTS.iter().map(|(k, what)| {
        El::new("tr")
            .child(
                El::new("th")
                    .attr("scope", "row")
                    .child(El::new("kbd").text(*k)),
            )
            .child(El::new("td").text(*what))
    });
    let dialog = El::new("div")
        .attr("id", DIALOG_ID)
        .attr("role", "dialog")
        .attr("aria-modal", "true")
        .attr("aria-labelledby", "help-title")
        .class("dialog")
        .on_keydown(onkeydown)
        .on_click(Callback::from(|e: MouseEvent| e.stop_propagation()))
        .child(El::new("h2").attr("id", "help-title").text("Keyboard shortcuts"))
        .child(El::new("table").child(El::new("tbody").children(rows)))
        .child(El::new("p").class("hint").text("Click or tap a node or a moving message for its menu; focus or hover one to see why it is what it is. The time slider, the timeline, the event log and the space-time diagram all move through time; acting in the past starts a new branch."))
        .child(button(close).attr("id", "help-close").text("Close"));
    El::new("div")
        .class("overlay")
        .on_click(backdrop)
        .child(dialog)
        .into()
}

/// Keeps Tab and Shift+Tab cycling inside the dialog.
fn trap_tab(e: &KeyboardEvent) {
    let Some(dialog) = dom::document().get_element_by_id(DIALOG_ID) else {
        return;
    };
    let items = dom::html_elements(&dialog, FOCUSABLE);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        e.prevent_default();
        return;
    };
    let active = dom::document().active_element();
    let is = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(&**a)));
    if e.shift_key() && (is(first) || !inside) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && (is(last) || !inside) {
        e.prevent_default();
        let _ = first.focus();
    }
}

/// Least wall time between two announcements of the live region, in ms.
const ANNOUNCE_GAP_MS: f64 = 1_500.0;

/// Props of [`Announcer`].
#[derive(Properties, PartialEq)]
pub struct AnnouncerProps {
    /// The latest thing worth saying (the store's announcement).
    pub text: AttrValue,
}

/// The throttle's memory.
#[derive(Default)]
struct Throttle {
    /// Wall time (ms) of the last announcement.
    last: Option<f64>,
    /// Texts waiting for the gap to pass, oldest first.
    pending: Vec<AttrValue>,
    /// The timer that will announce them.
    timer: Option<Timeout>,
}

/// Wall milliseconds since the page loaded.
fn wall_ms() -> f64 {
    dom::window().performance().map_or(0.0, |p| p.now())
}

/// The ARIA live region (`#announcer`): says at most one thing every 1.5 s of wall time.
/// Announcements that arrive sooner are coalesced (the last three, joined) and said when the
/// gap has passed, so a busy run does not flood a screen reader.
#[component]
pub fn Announcer(p: &AnnouncerProps) -> Html {
    let shown = use_state(|| AttrValue::from(""));
    let throttle = use_mut_ref(Throttle::default);
    {
        let (shown, throttle) = (shown.clone(), throttle.clone());
        use_effect_with(p.text.clone(), move |text| {
            if !text.is_empty() {
                offer(&throttle, &shown, text.clone());
            }
        });
    }
    El::new("div")
        .attr("aria-live", "polite")
        .attr("aria-atomic", "true")
        .attr("id", "announcer")
        .class("sr-only")
        .text((*shown).clone())
        .into()
}

fn offer(throttle: &Rc<RefCell<Throttle>>, shown: &UseStateHandle<AttrValue>, text: AttrValue) {
    let now = wall_ms();
    let mut t = throttle.borrow_mut();
    let wait = t.last.map_or(0.0, |last| ANNOUNCE_GAP_MS - (now - last));
    if wait <= 0.0 && t.timer.is_none() {
        t.last = Some(now);
        shown.set(text);
        return;
    }
    if !t.pending.contains(&text) {
        t.pending.push(text);
    }
    if t.timer.is_none() {
        let (throttle2, shown) = (throttle.clone(), shown.clone());
        t.timer = Some(Timeout::new(wait.max(0.0).ceil() as u32, move || {
            let mut t = throttle2.borrow_mut();
            t.timer = None;
            t.last = Some(wall_ms());
            let pending = std::mem::take(&mut t.pending);
            let tail: Vec<&str> = pending
                .iter()
                .rev()
                .take(3)
                .rev()
                .map(|s| s.as_str())
                .collect();
            shown.set(tail.join(". ").into());
        }));
    }
}

/// Calls `on_change(reduced)` whenever the visitor's reduced-motion preference changes (the
/// store reads it once at start; this keeps it current). Dropping the listener stops it.
pub fn watch_reduced_motion(on_change: impl Fn(bool) + 'static) -> Option<EventListener> {
    let query = dom::window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()?;
    let list = query.clone();
    Some(EventListener::new(&query, "change", move |_| {
        on_change(list.matches())
    }))
}
