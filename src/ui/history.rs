//! The history view, under the space-time diagram whenever the run has client operations: one
//! lane per client, a bar per operation from its invocation to its completion (open while in
//! flight; a failed one crossed out, one of unknown outcome dashed), on the diagram's time
//! window. Through each key's bars runs the order the linearizability checker chose; when a
//! key's operations cannot be ordered, its witness is highlighted and a sentence names it.
//! Every bar is a button: it seeks to the operation. Under it, the staleness chart: how often
//! reads returned the latest acknowledged write, by time since that write.
//!
//! What is drawn comes from [`crate::history_view`] and [`crate::staleness`] (pure, tested
//! natively). It stays cheap: the run's operations are read again only when the trace grew
//! (while playing, at most every [`READ_MS`]), checked again only when they changed (while
//! playing, at most every [`CHECK_MS`]), and drawn as one piece of markup from a window start
//! that moves by quarters, which an animation frame only shifts (like the diagram's layers).
//! A long run's history takes longer to read and check: while playing, each is then done again
//! only after [`IDLE_FACTOR`] times the wall time it took, so it never takes more than a tenth
//! of the page's time.

use std::fmt::Write as _;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::charts::axis::nice_step;
use crate::charts::svg::escape;
use crate::consistency::RunHistory;
use crate::history_view::{self, BarStyle, Checked, Layout};
use crate::sim::decimal::{fixed, shortest};
use crate::sim::node::NodeId;
use crate::sim::time::{Micros, format_time};
use crate::staleness::{BINS, Staleness};

use super::el::El;
use super::raf::now_ms;
use super::spacetime::{LabRef, use_plot_width, window_span, window_start};
use super::store::Msg;

/// Least wall time between two readings of the run's operations while playing, ms.
pub const READ_MS: f64 = 100.0;
/// Least wall time between two checks of the history while playing, ms.
pub const CHECK_MS: f64 = 500.0;
/// While playing, the wall time left between two readings (or checks) is at least this many
/// times what the last one took.
pub const IDLE_FACTOR: f64 = 10.0;
/// Height of a client's lane, px.
const LANE: f64 = 24.0;
/// Height of the time axis above the lanes, px.
const AXIS: f64 = 16.0;

/// Props of [`HistoryView`].
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    /// The run whose client operations are shown.
    pub lab: LabRef,
    /// The run's current moment.
    pub now: Micros,
    /// Index into the speed ladder (sets the window, as for the space-time diagram).
    pub speed: usize,
    /// Step the window instead of scrolling it.
    pub reduced_motion: bool,
    /// Whether the run plays (readings and checks are then rationed).
    pub playing: bool,
    /// Prefix of the panel's element ids (two panels show side by side).
    pub id: &'static str,
    /// The panel's heading.
    pub title: AttrValue,
    /// Sends seeks to the store.
    pub dispatch: Callback<Msg>,
}

/// What the panel last read and worked out.
#[derive(Default)]
struct Cache {
    /// The run read (see [`LabRef::id`]), its trace length and moment then, and when (wall ms).
    run: usize,
    trace_len: usize,
    lab_now: Micros,
    read_wall: f64,
    /// Wall ms the last reading took, and the last check.
    read_cost: f64,
    check_cost: f64,
    /// The operations read, and how many op records made them.
    history: Rc<RunHistory>,
    records: usize,
    /// The verdicts and the staleness, for `checked_records` records, and when (wall ms).
    checked: Rc<Checked>,
    checked_records: Option<usize>,
    check_wall: f64,
    verdict: AttrValue,
    /// Where the first violation shows whole, if there is one.
    violation: Option<Micros>,
    staleness: AttrValue,
    /// The drawing, and what it was drawn from (records, checked records, c0, width, span).
    drawing_key: Option<(usize, Option<usize>, Micros, u64, Micros)>,
    drawing: AttrValue,
    /// The client of each lane in the drawing.
    lanes: Vec<NodeId>,
}

impl Cache {
    /// Reads the run's operations again if the trace changed (while playing, not more often
    /// than every [`READ_MS`]), and checks them again if they changed (while playing, not more
    /// often than every [`CHECK_MS`]; at once after a seek back).
    fn refresh(&mut self, p: &HistoryProps, wall: f64) {
        let lab = p.lab.0.borrow();
        let (run, len, lab_now) = (p.lab.id(), lab.trace_len(), lab.now());
        let new_run = run != self.run;
        let back = lab_now < self.lab_now;
        let due = !p.playing || wall - self.read_wall >= READ_MS.max(IDLE_FACTOR * self.read_cost);
        if new_run || back || (len != self.trace_len && due) {
            let records = lab.operations();
            if new_run || records.len() != self.records {
                self.history = Rc::new(RunHistory::from_records(&records));
                self.records = records.len();
            }
            (self.run, self.trace_len, self.lab_now, self.read_wall) = (run, len, lab_now, wall);
            self.read_cost = now_ms() - wall;
        }
        let shrank = self.checked_records.is_some_and(|c| c > self.records) || new_run;
        let check_due = !p.playing
            || wall - self.check_wall >= CHECK_MS.max(IDLE_FACTOR * self.check_cost)
            || shrank;
        if self.checked_records != Some(self.records) && check_due {
            let start = now_ms();
            let checked = Checked::of(&self.history);
            self.verdict = checked.sentence(&self.history).into();
            self.violation = checked.violation_time(&self.history);
            self.staleness = staleness_markup(&Staleness::of(&self.history), p.id).into();
            self.checked = Rc::new(checked);
            self.checked_records = Some(self.records);
            self.check_wall = wall;
            self.check_cost = now_ms() - start;
        }
    }
}

/// The staleness chart and its numbers as a table; nothing before any read is measured.
fn staleness_markup(s: &Staleness, id: &str) -> String {
    if s.reads() == 0 {
        return String::new();
    }
    let mut out = format!(
        r#"<figure class="hv-stale" aria-labelledby="{id}-stale"><figcaption id="{id}-stale">Staleness: of {} reads after a write, the share that returned the latest acknowledged write, by time since it</figcaption>"#,
        s.reads()
    );
    out.push_str(&s.chart().drawing("s0"));
    out.push_str(r#"<table class="tradeoff-table"><thead><tr><th scope="col">since the write</th><th scope="col">reads</th><th scope="col">latest</th><th scope="col">share</th></tr></thead><tbody>"#);
    for ((_, label), bin) in BINS.iter().zip(&s.bins) {
        let share = bin
            .percent()
            .map_or("–".to_string(), |p| format!("{} %", fixed(p, 0)));
        let _ = write!(
            out,
            r#"<tr><th scope="row">{label} ms</th><td>{}</td><td>{}</td><td>{share}</td></tr>"#,
            bin.reads, bin.latest
        );
    }
    out.push_str("</tbody></table></figure>");
    out
}

/// The drawing of `l` from `c0` at `k` px per µs, `width` px wide: the time axis, the lanes
/// and each key's order (an SVG under the bars), then a button per bar. Open bars run to the
/// drawing's end; the overlay's cover hides what is after the current time.
fn drawing(l: &Layout, history: &RunHistory, c0: Micros, k: f64, width: f64) -> String {
    let x = |t: Micros| (t as f64 - c0 as f64) * k;
    let y = |lane: usize| AXIS + lane as f64 * LANE + LANE / 2.0;
    let h = AXIS + l.lanes.len() as f64 * LANE;
    let mut s = format!(
        r#"<svg class="hv-layer" width="{}" height="{}" aria-hidden="true"><g class="ticks">"#,
        shortest(width),
        shortest(h)
    );
    let step = nice_step(90.0 / k).max(1.0) as Micros;
    let mut t = c0.div_ceil(step) * step;
    while x(t) <= width {
        let at = fixed(x(t), 1);
        let _ = write!(
            s,
            r#"<line x1="{at}" x2="{at}" y1="{}" y2="{}"/><text x="{at}" y="{}">{}</text>"#,
            shortest(AXIS - 4.0),
            shortest(h),
            shortest(AXIS - 6.0),
            format_time(t)
        );
        t += step;
    }
    s.push_str(r#"</g><g class="lane">"#);
    for lane in 0..l.lanes.len() {
        let _ = write!(
            s,
            r#"<line x1="0" x2="{}" y1="{}" y2="{}"/>"#,
            shortest(width),
            fixed(y(lane), 1),
            fixed(y(lane), 1)
        );
    }
    s.push_str("</g>");
    for line in &l.lines {
        let points: Vec<String> = (line.points.iter())
            .map(|&(t, lane)| format!("{},{}", fixed(x(t), 1), fixed(y(lane), 1)))
            .collect();
        let _ = write!(
            s,
            r#"<g class="ord k{}"><polyline points="{}"/>"#,
            line.index % 4,
            points.join(" ")
        );
        for p in &points {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(s, r#"<circle r="3" cx="{px}" cy="{py}"/>"#);
        }
        if let Some(&(t, lane)) = line.points.first() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}">"#,
                fixed(x(t) + 4.0, 1),
                fixed(y(lane) - LANE / 2.0 + 7.0, 1)
            );
            escape(&mut s, &line.key);
            s.push_str("</text>");
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    for b in &l.bars {
        let x0 = x(b.t0).max(-2.0);
        let x1 = if b.style == BarStyle::Open {
            width
        } else {
            x(b.t1).min(width + 2.0)
        };
        let class = match b.style {
            BarStyle::Ok => "ok",
            BarStyle::Fail => "fail",
            BarStyle::Info => "info",
            BarStyle::Open => "open",
        };
        let span = &history.spans[b.op];
        let mut name = history_view::op_words(history, b.op);
        if let Some((key, rank)) = b.rank.as_ref() {
            let _ = write!(name, "; number {} in the order of {key}", rank + 1);
        }
        if b.culprit {
            name.push_str("; in the witness, where every order fails");
        } else if b.witness {
            name.push_str("; in the witness");
        }
        let to = history_view::seek_time(span);
        let _ = write!(name, ". Go to {}", format_time(to));
        let _ = write!(
            s,
            r#"<button type="button" class="hv-op {class}{}{}" data-op="{}" data-t="{to}" style="left:{}px;top:{}px;width:{}px" aria-label=""#,
            if b.witness { " wit" } else { "" },
            if b.culprit { " culprit" } else { "" },
            b.op,
            fixed(x0, 1),
            fixed(y(b.lane) - LANE / 2.0 + 3.0, 1),
            fixed((x1 - x0).max(3.0), 1),
        );
        escape(&mut s, &name);
        s.push_str(r#"" title=""#);
        escape(&mut s, &name);
        s.push_str(r#""><span>"#);
        escape(&mut s, &b.label);
        s.push_str("</span></button>");
    }
    s
}

/// The panel; nothing while the run has no client operations.
#[component]
pub fn HistoryView(p: &HistoryProps) -> Html {
    let cache = use_mut_ref(Cache::default);
    let scroll = use_node_ref();
    let w = use_plot_width(scroll.clone());
    let onclick = {
        let dispatch = p.dispatch.clone();
        use_callback((), move |e: MouseEvent, _| {
            let t = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("[data-t]").ok().flatten())
                .and_then(|b| b.get_attribute("data-t"))
                .and_then(|v| v.parse().ok());
            if let Some(t) = t {
                dispatch.emit(Msg::Seek(t));
            }
        })
    };

    let mut c = cache.borrow_mut();
    c.refresh(p, now_ms());
    if c.history.history.operations.is_empty() {
        return Html::default();
    }
    let span = window_span(p.speed);
    let q = (span / 4).max(1);
    let now = p.now;
    let a = window_start(now, span, p.reduced_motion);
    let c0 = a / q * q;
    let c1 = c0 + span + 2 * q;
    let k = w / span.max(1) as f64;
    let layer_w = ((c1 - c0) as f64 * k).ceil();
    let key = (c.records, c.checked_records, c0, w as u64, span);
    if c.drawing_key != Some(key) {
        let l = history_view::layout(&c.history, &c.checked, c.lab_now, c0, c1);
        c.drawing = drawing(&l, &c.history, c0, k, layer_w).into();
        c.lanes = l.lanes;
        c.drawing_key = Some(key);
    }
    let lanes = c.lanes.clone();
    let h = AXIS + lanes.len() as f64 * LANE;
    let shift = ((a - c0) as f64 * k).round();
    let now_x = ((now as f64 - a as f64) * k).round().max(0.0);
    let id = p.id;
    let violated = c.violation.is_some();
    let lane_list = lanes.iter().map(|n| {
        El::new("li")
            .class("hv-lane")
            .attr("style", format!("height:{}px", shortest(LANE)))
            .attr("title", format!("Client {n}"))
            .text(n.to_string())
    });
    let plot = El::new("div")
        .class(classes!("hv-plot", p.reduced_motion.then_some("reduced")))
        .attr("role", "group")
        .attr(
            "aria-label",
            format!(
                "Operations from {} to {}, one lane per client; each goes to its moment",
                format_time(a),
                format_time(a + span)
            ),
        )
        .attr("data-t0", (!p.playing).then(|| a.to_string()))
        .attr("data-us-per-px", (!p.playing).then(|| shortest(1.0 / k)))
        .attr(
            "style",
            format!("width:{}px;height:{}px", shortest(w), shortest(h)),
        )
        .on_click(onclick)
        .child(
            El::new("div")
                .class("hv-move")
                .attr(
                    "style",
                    format!("transform:translateX({}px)", shortest(-shift)),
                )
                .child(Html::from_html_unchecked(c.drawing.clone())),
        )
        .child(
            El::new("svg")
                .class("hv-fg")
                .attr("width", shortest(w))
                .attr("height", shortest(h))
                .attr("aria-hidden", "true")
                .child(
                    El::new("rect")
                        .class("hv-cover")
                        .attr("x", shortest(now_x))
                        .attr("y", shortest(AXIS))
                        .attr("width", shortest((w - now_x).max(0.0)))
                        .attr("height", shortest(h - AXIS)),
                )
                .child(
                    El::new("line")
                        .class("now")
                        .attr("x1", shortest(now_x))
                        .attr("x2", shortest(now_x))
                        .attr("y1", "0")
                        .attr("y2", shortest(h)),
                ),
        );
    El::new("section")
        .attr("aria-labelledby", format!("{id}-title"))
        .attr("id", id)
        .class(classes!("panel", "hv", violated.then_some("violated")))
        .child(
            El::new("h2")
                .attr("id", format!("{id}-title"))
                .text(p.title.clone())
                .child(El::new("small").text(
                    " bar = operation, invocation to completion; dashed = outcome unknown; line = the order the checker chose",
                )),
        )
        .child(
            El::new("p")
                .attr("id", format!("{id}-verdict"))
                .class(classes!("hv-verdict", if violated { "bad" } else { "good" }))
                .text(c.verdict.clone())
                .maybe(c.violation.map(|t| {
                    super::el::button(p.dispatch.reform(move |_| Msg::Seek(t)))
                        .class("hv-show")
                        .text(format!("Go to {} to see it", format_time(t)))
                })),
        )
        .child(
            El::new("div")
                .class("st-body")
                .child(
                    El::new("ul")
                        .class("hv-lanes")
                        .attr("aria-label", "Clients")
                        .attr("style", format!("padding-top:{}px", shortest(AXIS)))
                        .children(lane_list),
                )
                .child(
                    El::new("div")
                        .class("st-scroll")
                        .node_ref(scroll)
                        .child(plot),
                ),
        )
        .child(Html::from_html_unchecked(c.staleness.clone()))
        .into()
}
