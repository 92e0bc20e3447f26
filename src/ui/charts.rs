//! The "Charts" panel: the charts the protocol declares that apply to this run (e.g. client
//! latency when the run has clients), drawn in SVG from [`crate::charts::model`].
//!
//! Each chart is an `<svg role="img">` named by what it shows, with a legend and its latest
//! values as text. Over its plot lies a seek control (`role="slider"`): its thumb is the
//! cursor line, at the moment on screen, so it follows the time slider; a click seeks to the
//! time under the pointer, and the arrow keys step by one bucket. The points are recomputed
//! only when a bucket ends (while playing, at most every [`PLAYING_GAP_MS`]), the shown span or
//! the branch changes, or (paused) the moment moves; the markup ([`crate::charts::svg`]) is
//! rewritten only then.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use std::rc::Rc;

use crate::charts::model::{self, BUCKETS, PLOT_BOX, Span};
use crate::charts::svg;
use crate::sim::ChartSpec;
use crate::sim::lab::Lab;
use crate::sim::time::{Micros, format_time};

use super::el::El;
use super::spacetime::LabRef;
use super::store::Msg;

/// The protocol's charts that apply to `lab`'s run (see [`ChartSpec::applies`]).
pub fn applicable(lab: &dyn Lab) -> Vec<ChartSpec> {
    let (info, setup) = (lab.info(), lab.setup());
    (info.picture.charts.iter())
        .filter(|c| c.applies(setup, info))
        .copied()
        .collect()
}

/// What the charts were computed for: the same key, the same points.
#[derive(Clone, Copy, PartialEq)]
struct Key {
    lab: usize,
    span: Span,
    /// Buckets ended while playing; the exact moment while paused.
    moment: Micros,
    /// The branch: its actions (an action at a past moment forks).
    actions: usize,
    last_action: Option<u64>,
}

/// One chart as last computed: what its seek control needs, and its markup.
struct Drawn {
    title: &'static str,
    span: Span,
    /// The `<svg>` (see [`svg::drawing`]).
    drawing: AttrValue,
    /// The legend and latest values (see [`svg::key`]).
    key: AttrValue,
}

/// The charts last computed, for what, and when (wall ms).
#[derive(Default)]
struct Cache {
    key: Option<Key>,
    charts: Vec<Rc<Drawn>>,
    wall: f64,
}

/// Least wall time between two recomputes while the run plays and only time moved, in ms:
/// each one redraws every chart, and a chart that changes faster cannot be read anyway.
const PLAYING_GAP_MS: f64 = 300.0;

/// Props of [`Charts`].
#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// The run (its metrics are read when the charts are recomputed).
    pub lab: LabRef,
    /// The moment on screen (as the time slider shows it).
    pub now: Micros,
    /// The latest explored time.
    pub horizon: Micros,
    /// Whether the run plays (points are then recomputed once per bucket).
    pub playing: bool,
    /// Actions on the branch (a change means a new branch).
    pub actions: usize,
    /// Sends seeks to the store.
    pub dispatch: Callback<Msg>,
}

/// The charts panel; nothing at all when no chart applies.
#[component]
pub fn Charts(p: &ChartsProps) -> Html {
    let cache = use_mut_ref(Cache::default);
    let charts = {
        let lab = p.lab.0.borrow();
        let specs = applicable(lab.as_ref());
        if specs.is_empty() {
            return Html::default();
        }
        let window = specs.iter().map(|s| s.window).max().unwrap_or(1);
        let span = Span::of_run(p.horizon, p.now, window);
        let key = Key {
            lab: p.lab.id(),
            span,
            moment: if p.playing {
                span.buckets_ended(p.now)
            } else {
                p.now
            },
            actions: p.actions,
            last_action: lab.actions().last().map(|a| a.at_event),
        };
        let mut c = cache.borrow_mut();
        let wall = super::dom::window().performance().map_or(0.0, |t| t.now());
        // While playing, a bucket's end waits for the gap; a new span or branch does not.
        let soon = p.playing
            && wall - c.wall < PLAYING_GAP_MS
            && c.key.is_some_and(|k| {
                Key {
                    moment: key.moment,
                    ..k
                } == key
            });
        if c.key != Some(key) && !soon {
            c.wall = wall;
            let metrics = lab.metrics();
            c.charts = specs
                .iter()
                .filter_map(|s| {
                    let limit = s.limit.map(|l| (l.at)(lab.setup()));
                    model::build(s, &metrics, span, limit)
                })
                .enumerate()
                .map(|(i, d)| {
                    let id = format!("chart-{i}-latest");
                    Rc::new(Drawn {
                        title: d.spec.title,
                        span: d.span,
                        drawing: svg::drawing(&d, &id).into(),
                        key: svg::key(&d, &id).into(),
                    })
                })
                .collect();
            c.key = Some(key);
        }
        c.charts.clone()
    };
    El::new("section")
        .attr("aria-labelledby", "charts-title")
        .class("panel charts")
        .child(
            El::new("h2")
                .attr("id", "charts-title")
                .text("Charts ")
                .child(El::new("small").text("click one to go to that moment")),
        )
        .children(charts.iter().map(|c| chart(c, p)))
        .into()
}

/// One chart: its drawing, the seek control over its plot, its legend and latest values.
fn chart(c: &Drawn, p: &ChartsProps) -> El {
    let (span, title) = (c.span, c.title);
    let step = ((span.t1 - span.t0) / BUCKETS).max(1);
    let onclick = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest(".chart-seek").ok().flatten())
            else {
                return;
            };
            let r = el.get_bounding_client_rect();
            if r.width() > 0.0 {
                let f = (f64::from(e.client_x()) - r.left()) / r.width();
                dispatch.emit(Msg::Seek(span.time_at(f)));
            }
        })
    };
    let onkeydown = {
        let (dispatch, now) = (p.dispatch.clone(), p.now);
        Callback::from(move |e: KeyboardEvent| {
            let msg = match e.key().as_str() {
                "ArrowLeft" | "ArrowDown" => Msg::Seek(now.saturating_sub(step)),
                "ArrowRight" | "ArrowUp" => Msg::Seek(now + step),
                "PageDown" => Msg::Seek(now.saturating_sub(10 * step)),
                "PageUp" => Msg::Seek(now + 10 * step),
                "Home" => Msg::Seek(span.t0),
                "End" => Msg::SeekEnd,
                _ => return,
            };
            // Also keeps the page's own arrow, Home and End shortcuts out of it.
            e.prevent_default();
            dispatch.emit(msg);
        })
    };
    let at = span.fraction(p.now) * 100.0;
    let cursor = format!("left:{}%", crate::sim::decimal::fixed(at, 3));
    // The recorded future (after a seek back): hatched, as on the timeline.
    let future = (p.now < p.horizon).then(|| {
        format!(
            "left:{}%;width:{}%",
            crate::sim::decimal::fixed(at, 3),
            crate::sim::decimal::fixed(span.fraction(p.horizon) * 100.0 - at, 3)
        )
    });
    let seek = El::new("div")
        .attr("role", "slider")
        .attr("tabindex", "0")
        .attr("style", PLOT_BOX)
        .attr("aria-label", format!("Time in the chart {title}"))
        .attr("aria-valuemin", span.t0.to_string())
        .attr("aria-valuemax", span.t1.to_string())
        .attr("aria-valuenow", p.now.to_string())
        .attr("aria-valuetext", format_time(p.now))
        .attr("aria-keyshortcuts", "ArrowLeft ArrowRight Home End")
        .attr("title", "Click to go to that moment (← → step)")
        .class("chart-seek")
        .on_click(onclick)
        .on_keydown(onkeydown)
        .maybe(future.map(|style| El::new("div").attr("style", style).class("chart-future")))
        .child(El::new("div").attr("style", cursor).class("chart-cursor"));
    El::new("div")
        .class("chart")
        .child(El::new("h3").text(title))
        .child(
            El::new("div")
                .class("chart-box")
                .child(Html::from_html_unchecked(c.drawing.clone()))
                .child(seek),
        )
        .child(Html::from_html_unchecked(c.key.clone()))
}
