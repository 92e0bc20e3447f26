//! The space-time (Lamport) diagram: one horizontal lane per node, virtual time running left to
//! right, every message an arrow from (sender, send time) to (receiver, arrival).
//!
//! It follows the ring's conventions, so nothing rests on colour: a request ends in a filled
//! dot, a reply in a ring (and its line is dashed), a failed reply in a ring with a cross; a lost
//! message stops halfway in a cross, with the reason in its tooltip; a message still in flight
//! ends at the current time, where it is on its way. Lanes carry the milestones: a crown where a
//! node became leader, a tick for a commit, a cross for a crash, a triangle for a restart, a
//! flagged line across every lane for a visitor action and a warning line for a violation; a
//! crashed node's lane is dashed while it is down.
//!
//! The diagram shows about 15 wall seconds of play (scaled to the speed) around now and follows
//! the clock. It is synced with the time slider both ways: the current time is a line, and
//! clicking a point seeks there; with the keyboard, focus the plot, press Enter (or an arrow key)
//! for a cursor, move it with ← → (Shift for bigger steps), and press Enter to go there. The
//! cursor's readout says what happened near it (the "why" of messages and milestones).
//!
//! It stays cheap: only the window is queried ([`Lab::spans`], [`Lab::milestones`]). What was
//! complete when the window last moved by a quarter of its width is one prepared SVG fragment
//! (the settled layer); what happened since comes in small chunks of send time, each drawn once
//! when made and once more when its messages have all ended (while playing, about twenty a
//! second, and at most one redraw per frame), and kept in the page outside the virtual DOM.
//! Messages in flight are drawn whole, to where they will arrive, and a cover over everything
//! after the current time hides what has not happened yet; all of it sits in a box moved by a
//! CSS transform, so an animation frame only shifts that box, the cover and the time line. The
//! fragments are plain markup, which keeps both the diffing and the wasm small. A run too fast
//! to scroll smoothly (the window would move a quarter of its width in under a second) is
//! redrawn in steps, once a second, with fewer arrows (each step parses and lays out the whole
//! drawing anew), reading only the newest messages of the window.
//!
//! Logical clocks ([`crate::sim::causality`], [`crate::causal_view`]): the "Logical clocks"
//! choice labels arrows' ends with their events' Lamport timestamps or vector clocks, drawn
//! into the layers (a new choice starts them over), as many as can be read. Clicking an
//! arrow's end, or pressing Space at the cursor (Page Up and Page Down step the cursor from
//! event to event), selects that event: its causal past and future are one more fragment over
//! the layers, drawn again when they change (while playing, at most four times a second), and
//! the readout says what they hold.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::causal_view::{
    ClockChoice, describe, event_marks, event_words, next_event, pick, relate, spaced_labels,
};
use crate::sim::causality::{CommEvent, Relation};
use crate::sim::lab::{FlightView, Lab, Milestone, NodeState, SpanView, TraceKind, TraceView};
use crate::sim::node::{NodeId, ProtocolInfo};
use crate::sim::time::{MS, Micros, format_time};

use super::el::{El, icon};
use super::geometry::{SPEEDS, Shape, kind_class, shape};
use super::message::message_title;
use super::node_glyph::{f, node_name};
use super::store::{Frame, Msg, Snap};

/// A shared handle on the run, compared by identity (a new run is a new handle).
#[derive(Clone)]
pub struct LabRef(pub Rc<RefCell<Box<dyn Lab>>>);

impl PartialEq for LabRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl LabRef {
    /// A number identifying the run (its address).
    pub fn id(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }
}

/// Height of the time axis above the lanes, in px.
const AXIS: f64 = 18.0;
/// Share of the window drawn after the current time (room to show the recorded future).
const AHEAD: f64 = 0.15;
/// Plot width used before the box is measured.
const DEFAULT_W: f64 = 560.0;
/// Narrowest plot: below it the box scrolls sideways instead of squeezing the lanes.
const MIN_W: f64 = 300.0;
/// Arrows drawn at most per layer (the newest), beyond one per two pixels of plot width.
const MAX_SPANS: usize = 500;
/// Milestones drawn at most per layer (the newest).
const MAX_MARKS: usize = 300;

/// Glyph paths centred on (0, 0), about 10 units across (also used by the timeline).
pub mod glyph {
    /// A crown: became leader.
    pub const CROWN: &str = "M-5 3.5L-5.5 -3.5L-2.5 -0.5L0 -4.5L2.5 -0.5L5.5 -3.5L5 3.5Z";
    /// A tick: committed.
    pub const TICK: &str = "M-3.5 0L-1 3L4 -3.5";
    /// A cross: crashed, or lost.
    pub const CROSS: &str = "M-3.5 -3.5L3.5 3.5M-3.5 3.5L3.5 -3.5";
    /// A small cross: a failed reply.
    pub const SMALL_CROSS: &str = "M-2.5 -2.5L2.5 2.5M-2.5 2.5L2.5 -2.5";
    /// A triangle pointing right: restarted.
    pub const PLAY: &str = "M-3 -4L4 0L-3 4Z";
    /// A flag: a visitor action.
    pub const FLAG: &str = "M-3 5V-5H4L2 -2.5L4 0H-3";
    /// A lightning bolt: a fault chaos mode injected.
    pub const BOLT: &str = "M1.5 -5.5L-3.5 1H0L-1.5 5.5L3.5 -1H0Z";
    /// A warning triangle: a violation.
    pub const WARN: &str = "M0 -5L5 4.5H-5Z";
    /// Two bars: paused.
    pub const PAUSE: &str = "M-2.5 -4V4M2.5 -4V4";
    /// A ring: an event concurrent with the selected one.
    pub const RING: &str = "M-3.5 0a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0";
    /// A large ring: the selected event.
    pub const BIG_RING: &str = "M-6.5 0a6.5 6.5 0 1 0 13 0a6.5 6.5 0 1 0 -13 0";
    /// A small dot: any other milestone.
    pub const DOT: &str = "M-2.5 0a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0";
}

/// Lane height in px for `n` nodes.
pub fn lane_height(n: usize) -> f64 {
    (150.0 / n.max(1) as f64).clamp(12.0, 30.0).round()
}

/// Virtual time across the diagram at speed index `speed`: about 15 wall seconds of play.
pub fn window_span(speed: usize) -> Micros {
    let s = SPEEDS[speed.min(SPEEDS.len() - 1)];
    ((s * 15e6) as Micros).clamp(20 * MS, 2_000 * MS)
}

/// The time at the diagram's left edge when it shows `anchor` (the current time, or the
/// keyboard's cursor) in a window of `span`: most of the window is the past. With reduced
/// motion it moves in steps of a quarter window instead of scrolling. (The history view
/// under the diagram uses the same window.)
pub fn window_start(anchor: Micros, span: Micros, reduced_motion: bool) -> Micros {
    let q = (span / 4).max(1);
    let back = (span as f64 * (1.0 - AHEAD)) as Micros;
    if reduced_motion {
        anchor.saturating_sub(back).div_ceil(q) * q
    } else {
        anchor.saturating_sub(back)
    }
}

/// Sizes and scale of the plot.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Geom {
    n: usize,
    lane: f64,
    /// Plot width, px.
    w: f64,
    /// Virtual time across the plot.
    span: Micros,
    /// px per µs.
    k: f64,
    /// Drawn in steps (a fast run): each drawing is made anew, so it holds fewer arrows.
    stepped: bool,
    /// The logical clock events are labelled with.
    clocks: ClockChoice,
}

impl Geom {
    fn new(n: usize, w: f64, span: Micros, stepped: bool, clocks: ClockChoice) -> Geom {
        Geom {
            n,
            lane: lane_height(n),
            w,
            span,
            k: w / span.max(1) as f64,
            stepped,
            clocks,
        }
    }
    fn height(&self) -> f64 {
        AXIS + self.n as f64 * self.lane + 4.0
    }
    fn y(&self, id: NodeId) -> f64 {
        AXIS + id.max(1).saturating_sub(1) as f64 * self.lane + self.lane / 2.0
    }
    fn x(&self, t: Micros, origin: Micros) -> f64 {
        (t as f64 - origin as f64) * self.k
    }
    /// Arrows worth drawing in one layer: more than one per two pixels is a smear (one per
    /// four when drawn in steps: the whole drawing is then parsed and laid out anew each time,
    /// and a run that fast cannot be followed arrow by arrow anyway).
    fn max_spans(&self) -> usize {
        let px_per_arrow = if self.stepped { 4.0 } else { 2.0 };
        ((self.w / px_per_arrow) as usize).clamp(100, MAX_SPANS)
    }
}

/// SVG markup under construction.
struct Svg(String);

impl Svg {
    /// A number with at most one decimal.
    fn num(&mut self, v: f64) -> &mut Self {
        let t = (v * 10.0).round() as i64;
        let _ = if t % 10 == 0 {
            write!(self.0, "{}", t / 10)
        } else {
            write!(
                self.0,
                "{}{}.{}",
                if t < 0 { "-" } else { "" },
                (t / 10).abs(),
                (t % 10).abs()
            )
        };
        self
    }
    fn raw(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }
    /// Text, escaped for markup.
    fn text(&mut self, s: &str) -> &mut Self {
        escape(&mut self.0, s);
        self
    }
    fn title(&mut self, s: &str) -> &mut Self {
        self.raw("<title>").text(s).raw("</title>")
    }
    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) -> &mut Self {
        self.raw("<line x1=\"").num(x1).raw("\" y1=\"").num(y1);
        self.raw("\" x2=\"")
            .num(x2)
            .raw("\" y2=\"")
            .num(y2)
            .raw("\"/>")
    }
    /// A glyph path (see [`glyph`]) moved to (`x`, `y`), of class `class`. The offset is
    /// written into the coordinates rather than as a `transform`: every transformed element
    /// would be one more piece for the browser to lay out in each frame.
    fn glyph(&mut self, class: &str, d: &str, x: f64, y: f64) -> &mut Self {
        self.raw("<path class=\"").raw(class).raw("\" d=\"");
        // Absolute commands take (x, y) pairs (H only x, V only y); relative `a` arcs are
        // left alone.
        let mut axis = 0;
        let mut relative = false;
        for token in d.split_inclusive(|c: char| c.is_ascii_alphabetic() || c == ' ') {
            let (num, sep) = match token.chars().last() {
                Some(c) if c.is_ascii_alphabetic() || c == ' ' => {
                    (&token[..token.len() - 1], Some(c))
                }
                _ => (token, None),
            };
            if let Ok(v) = crate::sim::decimal::parse(num) {
                let off = match (relative, axis % 2) {
                    (true, _) => 0.0,
                    (false, 0) => x,
                    _ => y,
                };
                self.num(v + off);
                axis += 1;
            }
            if let Some(c) = sep {
                self.0.push(c);
                if c.is_ascii_alphabetic() {
                    relative = c.is_ascii_lowercase();
                    axis = usize::from(c == 'V');
                }
            }
        }
        self.raw("\"/>")
    }
}

/// Escapes text for HTML or SVG markup (shared with the charts).
pub use crate::charts::svg::escape;

/// A crash (`false`) or restart (`true`) of a node, for dashing lanes while it is down.
type UpDown = (NodeId, Micros, bool);

/// Arrows and milestones of one stretch of time, drawn from `origin` (x = 0).
struct Layer {
    width: f64,
    /// Messages (kept for the cursor's readout).
    spans: Vec<SpanView>,
    /// Milestones (kept for the cursor's readout).
    marks: Vec<TraceView>,
    /// Crashes and restarts, oldest first (including some outside the drawn range).
    updown: Vec<UpDown>,
    /// The drawing of the messages and the milestones. Messages still in flight are drawn whole,
    /// to where they will arrive; the overlay's cover hides everything after the current time,
    /// so an animation frame moves one cover edge instead of every message.
    markup: AttrValue,
}

impl Layer {
    /// The layer of `spans` and `marks` drawn from `origin`. The settled layer (`flights` is
    /// `None`) also draws the time axis; the recent one is given the messages on the wire (by id)
    /// to tell when those in flight arrive, and `labels` are its events' clocks.
    #[allow(clippy::too_many_arguments)]
    fn new(
        origin: Micros,
        width: f64,
        g: &Geom,
        spans: Vec<SpanView>,
        marks: Vec<TraceView>,
        updown: Vec<UpDown>,
        flights: Option<&[FlightView]>,
        labels: &[Label],
    ) -> Layer {
        let mut svg = Svg(String::with_capacity(
            spans.len() * 260 + marks.len() * 160 + 128,
        ));
        svg.raw("<g>");
        if flights.is_none() {
            ticks(&mut svg, g, origin, width);
        }
        for m in &marks {
            mark(&mut svg, m, g, origin);
        }
        for s in spans.iter().filter(|s| s.end.is_some()) {
            arrow(&mut svg, s, g, origin, None);
        }
        svg.raw("<g>");
        for s in spans.iter().filter(|s| s.end.is_none()) {
            let arrives = flights.and_then(|f| {
                let i = f.binary_search_by_key(&s.id, |f| f.id).ok()?;
                Some(f[i].arrives)
            });
            if arrives.is_some() {
                arrow(&mut svg, s, g, origin, arrives);
            }
        }
        svg.raw("</g>");
        if !labels.is_empty() {
            svg.raw("<g class=\"clk\">");
            for (t, node, text) in labels {
                svg.raw("<text x=\"").num(g.x(*t, origin) + 2.0);
                svg.raw("\" y=\"").num(g.y(*node) - 3.0).raw("\">");
                svg.text(text).raw("</text>");
            }
            svg.raw("</g>");
        }
        svg.raw("</g>");
        Layer {
            width,
            spans,
            marks,
            updown,
            markup: svg.0.into(),
        }
    }
}

/// A clock's label at an event: (time, lane, text).
type Label = (Micros, NodeId, String);

/// Width of a label's character, px (9 px digits).
const LABEL_CHAR_PX: f64 = 5.2;

/// The labels of the events `spans` end at under the chosen clock, as many as can be read.
fn clock_labels(lab: &dyn Lab, spans: &[SpanView], g: &Geom) -> Vec<Label> {
    if g.clocks == ClockChoice::None {
        return Vec::new();
    }
    let marks = event_marks(spans);
    let events: Vec<CommEvent> = marks.iter().map(|m| m.event).collect();
    let labels = (marks.iter().zip(lab.clocks(&events)))
        .filter_map(|(m, c)| Some((m.t, m.node, g.clocks.label(c.as_ref()?)?)))
        .collect();
    spaced_labels(labels, g.k, LABEL_CHAR_PX)
}

/// Keeps only the newest `max` items.
fn newest<T>(mut v: Vec<T>, max: usize) -> Vec<T> {
    if v.len() > max {
        v.drain(..v.len() - max);
    }
    v
}

fn updown_of(lines: &[TraceView]) -> Vec<UpDown> {
    lines
        .iter()
        .filter_map(|m| match (m.kind, m.nodes.first()) {
            (TraceKind::Crash, Some(&n)) => Some((n, m.t, false)),
            (TraceKind::Restart, Some(&n)) => Some((n, m.t, true)),
            _ => None,
        })
        .collect()
}

/// The messages of `[lo, hi]` that ended before `t_s`, enough of them to hold the newest `max`
/// (by send time). A busy run has tens of thousands of messages in the window, of which only the
/// newest few hundred are drawn: stretches ever longer back from `hi` are read until they hold
/// `max` messages sent within them, rather than the whole window.
fn newest_spans(lab: &dyn Lab, lo: Micros, hi: Micros, t_s: Micros, max: usize) -> Vec<SpanView> {
    if hi < lo {
        return Vec::new();
    }
    let mut back = ((hi - lo) / 64).max(1);
    loop {
        let from = hi.saturating_sub(back).max(lo);
        let spans: Vec<SpanView> = lab
            .spans(from, hi)
            .into_iter()
            .filter(|s| s.end.is_some_and(|e| e < t_s))
            .collect();
        // Messages sent before `from` (still alive at it) are older than every one sent within:
        // once `max` were sent within, the newest `max` are all here.
        if from == lo || spans.iter().filter(|s| s.sent >= from).count() >= max {
            return spans;
        }
        back = back.saturating_mul(4);
    }
}

/// What was complete before `t_s` in `[c0, c1]`.
fn settled_layer(lab: &dyn Lab, c0: Micros, c1: Micros, t_s: Micros, g: &Geom) -> Layer {
    let spans = newest_spans(lab, c0, c1.min(t_s), t_s, g.max_spans());
    // Crashes and restarts up to `t_s` tell which lanes are down, even past the drawn range.
    let lines: Vec<TraceView> = lab
        .milestones(c0, t_s)
        .into_iter()
        .filter(|m| m.t < t_s)
        .collect();
    let updown = updown_of(&lines);
    let marks = lines.into_iter().filter(|m| m.t <= c1).collect();
    let width = ((c1 - c0) as f64 * g.k).ceil();
    let spans = newest(spans, g.max_spans());
    let labels = clock_labels(lab, &spans, g);
    Layer::new(
        c0,
        width,
        g,
        spans,
        newest(marks, MAX_MARKS),
        updown,
        None,
        &labels,
    )
}

/// The chunks drawn in the page (each a `<g>` holding its markup), kept in step with the wanted
/// ones by adding, replacing and removing only what changed. (A keyed list in the virtual DOM
/// would move every chunk when the oldest one goes.)
#[derive(Default)]
struct ChunkDom {
    /// Chunks to show, oldest first, by send-time start.
    want: Vec<(Micros, Rc<Layer>)>,
    /// Chunks shown, in the same order, with their elements.
    have: Vec<(Micros, Rc<Layer>, web_sys::Element)>,
}

impl ChunkDom {
    fn sync(&mut self, host: &web_sys::Element) {
        let want = &self.want;
        self.have.retain(|(from, _, el)| {
            let keep = want.iter().any(|(f, _)| f == from);
            if !keep {
                el.remove();
            }
            keep
        });
        for (from, layer) in want {
            match self.have.iter_mut().find(|h| h.0 == *from) {
                Some(h) => {
                    if !Rc::ptr_eq(&h.1, layer) {
                        h.2.set_inner_html(&layer.markup);
                        h.1 = layer.clone();
                    }
                }
                None => {
                    let Ok(el) = super::dom::document()
                        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
                    else {
                        continue;
                    };
                    el.set_inner_html(&layer.markup);
                    let _ = host.append_child(&el);
                    self.have.push((*from, layer.clone(), el));
                }
            }
        }
    }
}

/// How many of the newest chunks are drawn: as many as hold at most `max` messages (at least
/// one), like the settled layer's newest arrows.
fn shown_chunks(chunks: &[Chunk], max: usize) -> usize {
    let mut total = 0;
    let mut n = 0;
    for k in chunks.iter().rev() {
        total += k.layer.spans.len();
        if n > 0 && total > max {
            break;
        }
        n += 1;
    }
    n
}

/// A stretch of the recent past, drawn once when made and once more when every message in it
/// has ended, so that a frame adds a small chunk instead of redrawing everything since the
/// settled layer.
struct Chunk {
    /// Send times it covers: `[from, to)`.
    from: Micros,
    to: Micros,
    /// Its drawing.
    layer: Rc<Layer>,
    /// Messages in it still in flight when it was drawn.
    flying: Vec<u64>,
}

impl Chunk {
    /// Messages sent in `[from, to)` (and, for the `first` chunk after the settled layer, those
    /// still alive at `from`), with the milestones of `[from, to)`; `flights` (the messages on
    /// the wire, by id) tell when the ones in flight arrive.
    #[allow(clippy::too_many_arguments)]
    fn new(
        lab: &dyn Lab,
        c0: Micros,
        c1: Micros,
        from: Micros,
        to: Micros,
        first: bool,
        g: &Geom,
        flights: &[FlightView],
    ) -> Chunk {
        let lines: Vec<TraceView> = lab
            .milestones(from, to)
            .into_iter()
            .filter(|m| m.t < to)
            .collect();
        let spans: Vec<SpanView> = lab
            .spans(from, to)
            .into_iter()
            .filter(|s| s.sent < to && (first || s.sent >= from))
            .collect();
        let width = ((c1 - c0) as f64 * g.k).ceil();
        let updown = updown_of(&lines);
        let spans = newest(spans, g.max_spans());
        let labels = clock_labels(lab, &spans, g);
        let layer = Layer::new(
            c0,
            width,
            g,
            spans,
            newest(lines, MAX_MARKS),
            updown,
            Some(flights),
            &labels,
        );
        let flying = layer
            .spans
            .iter()
            .filter(|s| s.end.is_none())
            .map(|s| s.id)
            .collect();
        Chunk {
            from,
            to,
            layer: Rc::new(layer),
            flying,
        }
    }

    /// Whether to draw it again: every message drawn in flight has ended since, or one of them
    /// was lost (`lost`: ids of messages lost lately), which changes its arrow.
    fn stale(&self, flights: &[FlightView], lost: &[u64]) -> bool {
        !self.flying.is_empty()
            && (self.flying.iter().any(|id| lost.contains(id))
                || self
                    .flying
                    .iter()
                    .all(|id| flights.binary_search_by_key(id, |f| f.id).is_err()))
    }
}

/// Intervals `(node, from, to)` during which a node was down (`to = None`: still down now).
type Down = (NodeId, Micros, Option<Micros>);

fn downs(nodes: &[Snap<NodeState>], c0: Micros, changes: &[&[UpDown]]) -> Vec<Down> {
    // Walk back from now: a node down now is down until now; a restart means it was down
    // before; a crash starts the interval.
    let mut until: Vec<Option<Option<Micros>>> =
        nodes.iter().map(|n| (!n.up).then_some(None)).collect();
    let mut out = Vec::new();
    for &(node, t, up) in changes.iter().rev().flat_map(|c| c.iter().rev()) {
        let Some(slot) = until.get_mut((node as usize).wrapping_sub(1)) else {
            continue;
        };
        if up {
            *slot = Some(Some(t));
        } else if let Some(end) = slot.take() {
            out.push((node, t, end));
        }
    }
    for (i, u) in until.into_iter().enumerate() {
        if let Some(end) = u {
            out.push((i as NodeId + 1, c0, end));
        }
    }
    out
}

/// A time-axis step of 1, 2 or 5 × 10ⁿ µs giving ticks at least ~90 px apart.
fn tick_step(span: Micros, w: f64) -> Micros {
    let raw = ((span as f64 * 90.0 / w.max(1.0)) as Micros).max(1);
    let mut p: Micros = 1;
    while p * 10 <= raw {
        p *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10 * p)
}

/// The time axis: a dotted line and a label every [`tick_step`].
fn ticks(svg: &mut Svg, g: &Geom, origin: Micros, width: f64) {
    let step = tick_step(g.span, g.w);
    let end = origin + (width / g.k) as Micros;
    let mut t = origin.div_ceil(step) * step;
    svg.raw("<g class=\"ticks\">");
    while t <= end {
        let x = g.x(t, origin);
        svg.line(x, AXIS - 4.0, x, g.height());
        svg.raw("<text x=\"")
            .num(x)
            .raw("\" y=\"")
            .num(AXIS - 6.0)
            .raw("\">");
        svg.text(&format_time(t)).raw("</text>");
        t += step;
    }
    svg.raw("</g>");
}

/// The tooltip of a message's arrow.
fn span_text(s: &SpanView) -> String {
    let mut t = message_title(&s.msg, s.from, s.to);
    if s.slow {
        t.push_str(" · over a slowed link");
    }
    t.push_str(" · sent ");
    t.push_str(&format_time(s.sent));
    match (s.dropped, s.end) {
        (Some(why), _) => {
            t.push_str(" · lost: ");
            t.push_str(why.as_str());
        }
        (None, Some(e)) => {
            t.push_str(", arrived ");
            t.push_str(&format_time(e));
        }
        (None, None) => t.push_str(" · in flight"),
    }
    t
}

/// The CSS classes of a message's arrow.
fn arrow_class(s: &SpanView) -> String {
    let mut c = String::from("ar ");
    c.push_str(&kind_class(s.msg.kind));
    c.push_str(if s.msg.reply { " rep" } else { " req" });
    if s.msg.success == Some(false) {
        c.push_str(" fail");
    }
    if s.dropped.is_some() {
        c.push_str(" drop");
    }
    if s.slow {
        c.push_str(" slow");
    }
    c
}

/// A message's arrow; one in flight (`arrives` given) is drawn to where it will arrive.
fn arrow(svg: &mut Svg, s: &SpanView, g: &Geom, origin: Micros, arrives: Option<Micros>) {
    let (x1, y1) = (g.x(s.sent, origin), g.y(s.from));
    let x2 = g.x(arrives.or(s.end).unwrap_or(s.sent), origin);
    svg.raw("<g class=\"").raw(&arrow_class(s));
    if arrives.is_some() {
        svg.raw(" fly");
    }
    svg.raw("\">");
    svg.title(&span_text(s));
    if s.dropped.is_some() {
        let y2 = (y1 + g.y(s.to)) / 2.0;
        svg.line(x1, y1, x2, y2).glyph("x", glyph::CROSS, x2, y2);
    } else {
        let y2 = g.y(s.to);
        svg.line(x1, y1, x2, y2)
            .raw("<circle class=\"hd\" r=\"3\" cx=\"");
        svg.num(x2).raw("\" cy=\"").num(y2).raw("\"/>");
        if s.msg.success == Some(false) {
            svg.glyph("x", glyph::SMALL_CROSS, x2, y2);
        }
    }
    svg.raw("</g>");
}

/// One milestone on the lanes.
fn mark(svg: &mut Svg, m: &TraceView, g: &Geom, origin: Micros) {
    let x = g.x(m.t, origin);
    let y = m.nodes.first().map_or(AXIS + g.lane / 2.0, |&n| g.y(n));
    let (class, d, across) = match (m.marker, m.kind) {
        (Some(Milestone::Action), _) => ("mk act", glyph::FLAG, true),
        (Some(Milestone::Chaos), _) => ("mk chaos", glyph::BOLT, true),
        (Some(Milestone::Violation), _) => ("mk bad", glyph::WARN, true),
        (Some(Milestone::Leader), _) => ("mk lead", glyph::CROWN, false),
        (Some(Milestone::Commit), _) => ("mk commit", glyph::TICK, false),
        (_, TraceKind::Crash) => ("mk crash", glyph::CROSS, false),
        (_, TraceKind::Restart) => ("mk restart", glyph::PLAY, false),
        (_, TraceKind::Pause) => ("mk pause", glyph::PAUSE, false),
        _ => ("mk note", glyph::DOT, false),
    };
    svg.raw("<g class=\"").raw(class).raw("\">");
    svg.raw("<title>")
        .text(&format_time(m.t))
        .raw(": ")
        .text(&m.text)
        .raw("</title>");
    if across {
        svg.line(x, AXIS, x, g.height() - 2.0);
    }
    let gy = if class == "mk act" { AXIS - 6.0 } else { y };
    svg.glyph("", d, x, gy).raw("</g>");
}

/// The causal history of the selected event `sel` among the events of `layers` (drawn from
/// `c0`): its past's arrows solid and thick, its future's dashed and thick, each event marked
/// by a shape (a square in the past, a diamond in the future, a hollow circle if concurrent, a
/// large ring for the event itself), and the readout's sentence. `None` if the event has not
/// happened by now.
fn causal_overlay(
    lab: &dyn Lab,
    sel: CommEvent,
    layers: &[&Layer],
    g: &Geom,
    c0: Micros,
) -> Option<(AttrValue, String)> {
    let cone = lab.cone(sel)?;
    let spans: Vec<&SpanView> = layers.iter().flat_map(|l| l.spans.iter()).collect();
    let marks = event_marks(spans.iter().copied());
    let events: Vec<CommEvent> = marks.iter().map(|m| m.event).collect();
    let (rel, tally) = relate(&cone, &lab.clocks(&events));
    let mut svg = Svg(String::from("<g class=\"causal\">"));
    // The marks are each span's send, then its delivery if it happened: walk them in step.
    let mut i = 0;
    for s in &spans {
        let send = rel[i];
        i += 1;
        let (Some(end), None) = (s.end, s.dropped) else {
            continue;
        };
        let got = rel[i];
        i += 1;
        let class = match (send, got) {
            (Some(Relation::Before | Relation::Same), Some(Relation::Before | Relation::Same)) => {
                "cpl"
            }
            (Some(Relation::Same | Relation::After), Some(Relation::After)) => "cfl",
            _ => continue,
        };
        svg.raw("<g class=\"").raw(class).raw("\">");
        let (x1, x2) = (g.x(s.sent, c0), g.x(end, c0));
        svg.line(x1, g.y(s.from), x2, g.y(s.to)).raw("</g>");
    }
    for (m, r) in marks.iter().zip(&rel) {
        let (x, y) = (g.x(m.t, c0), g.y(m.node));
        let (class, d) = match r {
            Some(Relation::Before) => ("cp", "M-3 -3H3V3H-3Z"),
            Some(Relation::After) => ("cf", "M0 -4.5L4.5 0L0 4.5L-4.5 0Z"),
            Some(Relation::Concurrent) => ("cc", glyph::RING),
            Some(Relation::Same) => ("cs", glyph::BIG_RING),
            None => continue,
        };
        svg.glyph(class, d, x, y);
    }
    svg.raw("</g>");
    let what = match spans.iter().find(|s| s.id == sel.msg) {
        Some(s) => event_words(s, sel.delivery),
        None => format!("an event of Node {}", cone.clock.node),
    };
    Some((svg.0.into(), describe(&cone, &what, tally)))
}

/// Least wall time between two drawings of a run too fast to scroll smoothly, in ms.
const STEP_MS: f64 = 1_000.0;
/// A run is drawn in steps when the window moves a quarter of its width in less wall time
/// than this, in ms (each quarter means redrawing every arrow).
const SMOOTH_Q_MS: f64 = 1_000.0;

/// The hatching of the recorded future (an SVG pattern, defined once).
const HATCH: &str = "<defs><pattern id=\"st-hatch\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\"/></pattern></defs>";

/// The panel's heading (static markup).
const HEADING: &str = "<h2 id=\"st-title\">Space-time diagram <small>● request, ○ reply, ⊗ failed, ✕ lost; dashed lane = down</small></h2>";

/// The readout while there is no cursor (static markup).
const HINT: &str = "<p id=\"st-readout\" class=\"hint st-readout\">Click a moment to go there, or focus the diagram, press Enter, move with ← → and press Enter again. Click an arrow's end, or at the cursor press Space or Page Up/Down, for an event's causal past and future.</p>";

/// A coordinate in whole pixels.
fn px(v: f64) -> String {
    (v.round() as i64).to_string()
}

/// Why a node is in its role: its name and every field the inspector shows.
fn role_why(n: &NodeState, info: &ProtocolInfo) -> String {
    let mut s = node_name(n, info);
    for (k, v) in &n.view.fields {
        s.push('\n');
        s.push_str(k);
        s.push_str(": ");
        s.push_str(v);
    }
    s
}

/// A small role glyph (the ring's shapes), or a cross for a crashed node.
fn role_icon(n: &NodeState, info: &ProtocolInfo) -> &'static str {
    if !n.up {
        return glyph::CROSS;
    }
    match shape(info, n.view.role) {
        Shape::Crown => glyph::CROWN,
        Shape::Diamond => "M0 -5L5 0L0 5L-5 0Z",
        Shape::Square | Shape::Block => "M-4 -4H4V4H-4Z",
        Shape::Circle => "M-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0",
    }
}

/// The lane labels: buttons that show a node in the inspector, each with the node's state as a
/// tooltip on hover and on keyboard focus.
fn lane_labels(
    nodes: &[Snap<NodeState>],
    info: &ProtocolInfo,
    lane: f64,
    selected: Option<NodeId>,
    dispatch: &Callback<Msg>,
) -> Html {
    let height = format!("height:{}px", crate::sim::decimal::shortest(lane));
    let onclick = dispatch.reform(|e: MouseEvent| {
        let id = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-node]").ok().flatten())
            .and_then(|b| b.get_attribute("data-node"))
            .and_then(|v| v.parse().ok());
        Msg::Select(id)
    });
    let lanes = nodes.iter().map(|n| {
        let tip_id = format!("st-why-{}", n.id);
        let icon = icon("-6 -6 12 12", "10", role_icon(n, info));
        El::new("li")
            .key(n.id)
            .class(classes!(
                "st-lane",
                (!n.up).then_some("down"),
                (selected == Some(n.id)).then_some("selected")
            ))
            .attr("style", height.clone())
            .child(
                El::new("button")
                    .attr("type", "button")
                    .attr("data-node", n.id.to_string())
                    .attr("aria-label", format!("Inspect {}", node_name(n, info)))
                    .attr("aria-describedby", tip_id.clone())
                    .child(icon)
                    .text(n.id.to_string()),
            )
            .child(
                El::new("span")
                    .attr("role", "tooltip")
                    .attr("id", tip_id)
                    .class("tip")
                    .text(role_why(n, info)),
            )
    });
    El::new("ul")
        .attr(
            "style",
            format!("padding-top:{}px", crate::sim::decimal::shortest(AXIS)),
        )
        .attr("aria-label", "Lanes")
        .class("st-lanes")
        .on_click(onclick)
        .children(lanes)
        .into()
}

/// Props of [`SpaceTime`].
#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    /// The run (queried for the visible window only).
    pub lab: LabRef,
    /// What the page draws now.
    pub frame: Rc<Frame>,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// Index into the speed ladder (sets the window's width).
    pub speed: usize,
    /// The node shown in the inspector.
    pub selected: Option<NodeId>,
    /// Step the window instead of scrolling it.
    pub reduced_motion: bool,
    /// Whether the run plays (redraws are then rationed, see the module docs).
    pub playing: bool,
    /// The logical clock events are labelled with.
    pub clocks: ClockChoice,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// What the event handlers need from the last render.
#[derive(Clone, Copy, Default)]
struct View {
    a: Micros,
    k: f64,
    now: Micros,
    horizon: Micros,
    span: Micros,
    cursor: Option<Micros>,
    /// Lane height, px.
    lane: f64,
    /// The run drawn (see [`LabRef::id`]).
    run: usize,
    /// Its selected event.
    selected: Option<CommEvent>,
}

/// The layers, the lane labels, and what they were made from.
#[derive(Default)]
struct Cache {
    key: Option<(usize, usize, Micros, Geom)>,
    t_s: Micros,
    settled: Option<Rc<Layer>>,
    /// The trace length when the last chunk was made.
    recent_len: Option<usize>,
    /// The recent past since the settled layer, in chunks of send time.
    chunks: Vec<Chunk>,
    downs: Rc<Vec<Down>>,
    labels_key: Option<(usize, Option<NodeId>, u64)>,
    labels: Html,
    lanes_key: Option<Geom>,
    lanes: AttrValue,
    /// Wall time (ms) the last chunk was made.
    recent_wall: f64,
    /// In steps (a fast run): the last drawing, when (wall ms), at what virtual time and for
    /// what it was made.
    step: Option<(StepKey, f64, Micros, Html)>,
    /// The selected event's causal history as drawn (see [`causal_overlay`]), what it was
    /// drawn from, and when (wall ms).
    causal_key: Option<CausalKey>,
    causal: Option<(AttrValue, String)>,
    causal_wall: f64,
}

/// What the causal overlay is drawn from: the run, the event, the settled layer, the chunks
/// shown and the trace length.
type CausalKey = (usize, CommEvent, usize, usize, usize);

/// What a stepped drawing depends on besides the run: plot width, cursor, selected node, reduced
/// motion, speed, clock choice, selected event.
type StepKey = (
    f64,
    Option<Micros>,
    Option<NodeId>,
    bool,
    usize,
    ClockChoice,
    Option<(usize, CommEvent)>,
);

fn measure(scroll: &NodeRef, width: &UseStateHandle<f64>) {
    if let Some(el) = scroll.cast::<web_sys::Element>() {
        let w = el.client_width() as f64;
        if w > 0.0 {
            width.set(w.max(MIN_W).floor());
        }
    }
}

/// The plot's width in px: the room of the element `scroll`, measured when mounted and again
/// on every resize of the window (the history view under the diagram, on the same time axis,
/// measures its own the same way).
#[hook]
pub(super) fn use_plot_width(scroll: NodeRef) -> f64 {
    let width = use_state_eq(|| DEFAULT_W);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            measure(&scroll, &width);
            let listener = EventListener::new(&super::dom::window(), "resize", move |_| {
                measure(&scroll, &width)
            });
            move || drop(listener)
        });
    }
    *width
}

/// The diagram.
#[component]
pub fn SpaceTime(p: &SpaceTimeProps) -> Html {
    let cursor = use_state_eq(|| None::<Micros>);
    // The selected event, with the run it belongs to.
    let selection = use_state_eq(|| None::<(usize, CommEvent)>);
    // The layers drawn, for picking the event a click lands on.
    let drawn = use_mut_ref(Vec::<Rc<Layer>>::new);
    let cache = use_mut_ref(Cache::default);
    let view = use_mut_ref(View::default);
    let scroll = use_node_ref();
    let width = use_plot_width(scroll.clone());
    let plot = use_node_ref();
    // The chunks' drawings are kept in the page by `ChunkDom`, outside the virtual DOM.
    let chunk_host = use_node_ref();
    let chunk_dom = use_mut_ref(ChunkDom::default);
    {
        let (host, dom) = (chunk_host.clone(), chunk_dom.clone());
        use_effect(move || {
            if let Some(el) = host.cast::<web_sys::Element>() {
                dom.borrow_mut().sync(&el);
            }
        });
    }

    let handlers = {
        let (view, plot, dispatch) = (view.clone(), plot.clone(), p.dispatch.clone());
        let set_cursor = cursor.setter();
        let set_selection = selection.setter();
        let drawn = drawn.clone();
        use_memo((), move |_| {
            // The events drawn.
            let marks = move || {
                let layers = drawn.borrow();
                event_marks(layers.iter().flat_map(|l| l.spans.iter()))
            };
            let marks_key = marks.clone();
            // The event drawn nearest `t` (on `node`'s lane, or any), within `tol`.
            let near =
                move |t: Micros, node: Option<NodeId>, tol: Micros| pick(&marks(), t, node, tol);
            let onclick = {
                let (view, dispatch, set_cursor, set_selection) = (
                    view.clone(),
                    dispatch.clone(),
                    set_cursor.clone(),
                    set_selection.clone(),
                );
                Callback::from(move |e: MouseEvent| {
                    let Some(el) = plot.cast::<web_sys::Element>() else {
                        return;
                    };
                    let rect = el.get_bounding_client_rect();
                    let x = e.client_x() as f64 - rect.left();
                    let y = e.client_y() as f64 - rect.top() - AXIS;
                    let v = *view.borrow();
                    let t = (v.a as f64 + x / v.k).max(0.0) as Micros;
                    set_cursor.set(None);
                    // Within 5 px of an arrow's end: select that event, or let go of it if it
                    // was selected; anywhere else: go to that moment.
                    let lane = (y / v.lane).floor();
                    let on_lane = (y - (lane + 0.5) * v.lane).abs() <= 5.0;
                    let picked = (y >= 0.0 && on_lane)
                        .then(|| near(t, Some(lane as NodeId + 1), (5.0 / v.k) as Micros));
                    match picked.flatten() {
                        Some(m) => set_selection
                            .set((v.selected != Some(m.event)).then_some((v.run, m.event))),
                        None => dispatch.emit(Msg::Seek(t.min(v.horizon))),
                    }
                })
            };
            // The cursor lives while the plot has focus.
            let onblur = {
                let set_cursor = set_cursor.clone();
                Callback::from(move |_: FocusEvent| set_cursor.set(None))
            };
            let onkeydown = Callback::from(move |e: KeyboardEvent| {
                let v = *view.borrow();
                let step = (v.span / 50).max(1) * if e.shift_key() { 10 } else { 1 };
                let at = v.cursor.unwrap_or(v.now);
                let next = match e.key().as_str() {
                    "ArrowLeft" => at.saturating_sub(step),
                    "ArrowRight" => (at + step).min(v.horizon),
                    "Home" => 0,
                    "End" => v.horizon,
                    "Enter" => {
                        e.prevent_default();
                        match v.cursor {
                            Some(t) => {
                                set_cursor.set(None);
                                dispatch.emit(Msg::Seek(t));
                            }
                            None => set_cursor.set(Some(v.now)),
                        }
                        return;
                    }
                    "Escape" if v.cursor.is_some() => {
                        e.prevent_default();
                        set_cursor.set(None);
                        return;
                    }
                    "Escape" if v.selected.is_some() => {
                        e.prevent_default();
                        set_selection.set(None);
                        return;
                    }
                    // Selects the event nearest the cursor (again: lets go of it).
                    " " if v.cursor.is_some() => {
                        e.prevent_default();
                        let picked = pick(&marks_key(), at, None, (v.span / 8).max(1));
                        if let Some(m) = picked {
                            set_selection
                                .set((v.selected != Some(m.event)).then_some((v.run, m.event)));
                            set_cursor.set(Some(m.t.min(v.horizon)));
                        }
                        return;
                    }
                    // Steps the cursor to the next or previous event, and selects it.
                    "PageDown" | "PageUp" => {
                        e.prevent_default();
                        let from = v.selected.filter(|_| v.cursor.is_some());
                        let forward = e.key() == "PageDown";
                        if let Some(m) = next_event(&marks_key(), at, from, forward) {
                            set_selection.set(Some((v.run, m.event)));
                            set_cursor.set(Some(m.t.min(v.horizon)));
                        }
                        return;
                    }
                    _ => return,
                };
                // Also keeps the page's own arrow, Home and End shortcuts out of it.
                e.prevent_default();
                set_cursor.set(Some(next));
            });
            (onclick, onkeydown, onblur)
        })
    };

    // A fast run moves the window by a quarter of its width in under a second: then the
    // diagram is redrawn in steps, once a second, instead of scrolling.
    let wall = super::dom::window().performance().map_or(0.0, |t| t.now());
    let span = window_span(p.speed);
    let q = (span / 4).max(1);
    let rate = SPEEDS[p.speed.min(SPEEDS.len() - 1)];
    let q_wall = q as f64 / 1e3 / rate;
    let stepped = p.playing && q_wall < SMOOTH_Q_MS;
    let run = p.lab.id();
    // A selection belongs to the run it was made in.
    let selected = selection.filter(|s| s.0 == run).map(|s| s.1);
    let step_key: StepKey = (
        width,
        *cursor,
        p.selected,
        p.reduced_motion,
        p.speed,
        p.clocks,
        *selection,
    );
    if stepped
        && let Some((key, at, then, html)) = &cache.borrow().step
        && *key == step_key
        && wall - at < STEP_MS
        && *then <= p.frame.now
    {
        return html.clone();
    }

    let frame = &p.frame;
    let n = frame.nodes.len();
    let geom = Geom::new(n, width, span, stepped, p.clocks);
    let now = frame.now;
    let horizon = frame.horizon.max(now);
    let a = window_start(cursor.unwrap_or(now), span, p.reduced_motion);
    let c0 = a / q * q;
    let c1 = c0 + span + 2 * q;

    // Bring the layers and labels up to date (see the module docs).
    let (settled, chunks, downs, labels, lanes) = {
        let lab = p.lab.0.borrow();
        let lab = lab.as_ref();
        let mut c = cache.borrow_mut();
        let lab_now = lab.now();
        let key = (p.lab.id(), lab.actions().len(), c0, geom);
        // (Going back before the last chunk's start starts over too.)
        let behind = c.chunks.last().is_some_and(|k| lab_now < k.from);
        if c.key != Some(key) || lab_now < c.t_s || behind || c.settled.is_none() {
            c.key = Some(key);
            c.t_s = lab_now;
            c.settled = Some(Rc::new(settled_layer(lab, c0, c1, lab_now, &geom)));
            c.recent_len = None;
            c.chunks.clear();
        }
        let len = lab.trace_len();
        let settled = c.settled.clone().expect("made above");
        // While playing, a chunk is added about twenty times a second (four when the run is
        // fast), and in the frames between, one chunk whose messages in flight have all ended
        // is redrawn: no frame does much of this work. Paused, everything is done at once.
        let gap = if q_wall < 2.0 * SMOOTH_Q_MS {
            250.0
        } else {
            50.0
        };
        let due = !p.playing || c.recent_len.is_none() || wall - c.recent_wall >= gap;
        let flights = &frame.flights;
        let shown = c.chunks.len() - shown_chunks(&c.chunks, geom.max_spans());
        if !due || !p.playing {
            let lost: Vec<u64> = frame.lost.iter().map(|m| m.id).collect();
            let mut stale = (shown..c.chunks.len()).filter(|&i| c.chunks[i].stale(flights, &lost));
            let redraw: Vec<usize> = if p.playing {
                stale.next().into_iter().collect()
            } else {
                stale.collect()
            };
            for i in redraw {
                let (from, to) = (c.chunks[i].from, c.chunks[i].to);
                c.chunks[i] = Chunk::new(lab, c0, c1, from, to, i == 0, &geom, flights);
            }
        }
        if c.recent_len != Some(len) && due {
            // New events at the last chunk's time (stepping) redraw it; later ones start a new
            // chunk.
            match c.chunks.last() {
                Some(k) if k.to > lab_now => {
                    let (from, to, first) = (k.from, k.to, c.chunks.len() == 1);
                    let last = c.chunks.len() - 1;
                    c.chunks[last] = Chunk::new(lab, c0, c1, from, to, first, &geom, flights);
                }
                last => {
                    let from = last.map_or(c.t_s, |k| k.to);
                    let first = c.chunks.is_empty();
                    let chunk = Chunk::new(lab, c0, c1, from, lab_now + 1, first, &geom, flights);
                    c.chunks.push(chunk);
                }
            }
            let updowns: Vec<&[UpDown]> = std::iter::once(&settled.updown[..])
                .chain(c.chunks.iter().map(|k| &k.layer.updown[..]))
                .collect();
            c.downs = Rc::new(downs(&frame.nodes, c0, &updowns));
            c.recent_len = Some(len);
            c.recent_wall = wall;
        }
        let labels_key = (
            Rc::as_ptr(&frame.nodes.0) as usize,
            p.selected,
            geom.lane as u64,
        );
        if c.lanes_key != Some(geom) {
            let mut bg = Svg(String::from(HATCH));
            bg.raw("<g class=\"lane\">");
            for id in 1..=n as NodeId {
                bg.line(0.0, geom.y(id), settled.width, geom.y(id));
            }
            bg.raw("</g>");
            c.lanes_key = Some(geom);
            c.lanes = bg.0.into();
        }
        if c.labels_key != Some(labels_key) {
            c.labels_key = Some(labels_key);
            c.labels = lane_labels(&frame.nodes, &p.info, geom.lane, p.selected, &p.dispatch);
        }
        (
            settled,
            {
                let skip = c.chunks.len() - shown_chunks(&c.chunks, geom.max_spans());
                c.chunks[skip..]
                    .iter()
                    .map(|k| (k.from, k.layer.clone()))
                    .collect::<Vec<_>>()
            },
            c.downs.clone(),
            c.labels.clone(),
            c.lanes.clone(),
        )
    };
    chunk_dom.borrow_mut().want = chunks.clone();
    *view.borrow_mut() = View {
        a,
        k: geom.k,
        now,
        horizon,
        span,
        cursor: *cursor,
        lane: geom.lane,
        run,
        selected,
    };
    {
        let mut d = drawn.borrow_mut();
        d.clear();
        d.push(settled.clone());
        d.extend(chunks.iter().map(|(_, l)| l.clone()));
    }
    // The selected event's causal history: drawn again when the layers or the trace change
    // (while playing, at most four times a second).
    let causal = selected.map(|sel| {
        let mut c = cache.borrow_mut();
        let key: CausalKey = (
            run,
            sel,
            Rc::as_ptr(&settled) as usize,
            chunks.len(),
            p.lab.0.borrow().trace_len(),
        );
        // Only the trace or the chunks changed, lately: keep the drawing a little longer.
        let rationed = p.playing
            && wall - c.causal_wall < 250.0
            && c.causal_key
                .is_some_and(|k| k.0 == run && k.1 == sel && k.2 == key.2);
        if c.causal_key != Some(key) && !rationed {
            let layers: Vec<&Layer> = std::iter::once(&*settled)
                .chain(chunks.iter().map(|(_, l)| &**l))
                .collect();
            c.causal = causal_overlay(p.lab.0.borrow().as_ref(), sel, &layers, &geom, c0);
            c.causal_key = Some(key);
            c.causal_wall = wall;
        }
        c.causal.clone().unwrap_or_else(|| {
            (
                AttrValue::Static(""),
                "The selected event has not happened at this moment. Escape clears the selection."
                    .into(),
            )
        })
    });

    let h = geom.height();
    let shift = geom.x(a, c0).round();

    // The moving part: lanes of nodes that are down, in the layers' coordinates.
    let down_lines = downs.iter().map(|&(node, from, to)| {
        let y = px(geom.y(node));
        El::new("line")
            .class("down")
            .attr("x1", px(geom.x(from, c0)))
            .attr("x2", px(geom.x(to.unwrap_or(now), c0)))
            .attr("y1", y.clone())
            .attr("y2", y)
    });
    // The parts that change in every frame are drawn in the plot's own coordinates, in a small
    // SVG over the moving box, as attributes rather than markup: changing them then lays out
    // and paints only that overlay, never the hundreds of arrows under it.
    let px_of = |t: Micros| geom.x(t, c0) - shift;
    let future = (now < horizon).then(|| {
        let x0 = px_of(now);
        let x1 = px_of(horizon).min(px_of(a + span));
        El::new("g")
            .class("future")
            .child(
                El::new("rect")
                    .attr("x", px(x0))
                    .attr("y", f(AXIS))
                    .attr("width", px((x1 - x0).max(0.0)))
                    .attr("height", f(h - AXIS)),
            )
            .child(
                El::new("text")
                    .attr("x", px(x0 + 4.0))
                    .attr("y", f(h - 5.0))
                    .text("recorded future"),
            )
    });
    let pick = cursor.map(|c| {
        let x = px(px_of(c).round());
        El::new("g")
            .class("cursor")
            .child(
                El::new("line")
                    .attr("x1", x.clone())
                    .attr("x2", x)
                    .attr("y1", "0")
                    .attr("y2", f(h)),
            )
            .child(
                El::new("text")
                    .attr("x", px(px_of(c).round() + 3.0))
                    .attr("y", "10")
                    .text(format_time(c)),
            )
    });
    let now_x = px(px_of(now));
    // Messages in flight are drawn to their arrival: a cover (blank lanes) hides what is after
    // the current time.
    let cover_x = px_of(now).max(0.0);
    let cover = El::new("rect")
        .class("st-cover")
        .attr("x", px(cover_x))
        .attr("y", f(AXIS))
        .attr("width", px((geom.w - cover_x).max(0.0)))
        .attr("height", f(h - AXIS));

    let readout = match *cursor {
        None => None,
        Some(c) => {
            let mut text = format!(
                "Cursor at {}: press Enter to go there, Escape to cancel.",
                format_time(c)
            );
            let layers: Vec<&Layer> = std::iter::once(&*settled)
                .chain(chunks.iter().map(|(_, l)| &**l))
                .collect();
            // The clocks of the messages near the cursor, when they are shown.
            let clock_words = |s: &SpanView| {
                let ends = [false, true].map(|delivery| CommEvent {
                    msg: s.id,
                    delivery,
                });
                let clocks = match p.clocks {
                    ClockChoice::None => Vec::new(),
                    _ => p.lab.0.borrow().clocks(&ends),
                };
                let labels: Vec<String> = ["send", "delivery"]
                    .into_iter()
                    .zip(clocks)
                    .filter_map(|(end, c)| Some(format!("{end} {}", p.clocks.label(&c?)?)))
                    .collect();
                match labels.is_empty() {
                    true => String::new(),
                    false => format!(" · {}: {}", p.clocks.title(), labels.join(", ")),
                }
            };
            for item in nearby(c, span / 40, &layers, &clock_words) {
                text.push(' ');
                text.push_str(&item);
                text.push('.');
            }
            Some(text)
        }
    };
    // While playing, the slider's value is announced to the millisecond (and the test hooks
    // are left out), so its attributes do not change in every frame.
    let value = cursor.unwrap_or(if p.playing { now / MS * MS } else { now });
    let max = if p.playing {
        horizon / MS * MS
    } else {
        horizon
    }
    .max(value);
    let hooks = (!p.playing).then(|| (a.to_string(), crate::sim::decimal::shortest(1.0 / geom.k)));
    let (onclick, onkeydown, onblur) = (handlers.0.clone(), handlers.1.clone(), handlers.2.clone());
    let readout = match (readout, &causal) {
        (None, None) => None,
        (Some(text), None) => Some(text),
        (None, Some((_, words))) => Some(words.clone()),
        (Some(text), Some((_, words))) => Some(format!("{text} {words}")),
    };
    let note: AttrValue = match readout {
        None => AttrValue::Static(HINT),
        Some(text) => {
            let mut note = Svg(String::from(
                "<p id=\"st-readout\" class=\"hint st-readout\">",
            ));
            note.text(&text).raw("</p>");
            note.0.into()
        }
    };

    let moving = El::new("div")
        .class("st-move")
        .attr(
            "style",
            format!(
                "transform:translateX({}px)",
                crate::sim::decimal::shortest(-shift)
            ),
        )
        .child(
            El::new("svg")
                .class("st-layer")
                .attr("width", f(settled.width))
                .attr("height", f(h))
                .attr("aria-hidden", "true")
                .child(Html::from_html_unchecked(lanes))
                .child(Html::from_html_unchecked(settled.markup.clone()))
                .child(El::new("g").node_ref(chunk_host).class("chunks"))
                .child(El::new("g").class("downs").children(down_lines))
                .child(Html::from_html_unchecked(
                    causal
                        .as_ref()
                        .map_or(AttrValue::Static(""), |c| c.0.clone()),
                )),
        );
    let lane_y = f(geom.lane / 2.0);
    let overlay = El::new("svg")
        .class("st-fg")
        .attr("width", f(geom.w))
        .attr("height", f(h))
        .attr("aria-hidden", "true")
        .child(
            El::new("defs").child(
                El::new("pattern")
                    .attr("id", "st-lanes")
                    .attr("patternUnits", "userSpaceOnUse")
                    .attr("x", "0")
                    .attr("y", f(AXIS))
                    .attr("width", "8")
                    .attr("height", f(geom.lane))
                    .child(
                        El::new("rect")
                            .attr("width", "8")
                            .attr("height", f(geom.lane)),
                    )
                    .child(
                        El::new("line")
                            .attr("x1", "0")
                            .attr("x2", "8")
                            .attr("y1", lane_y.clone())
                            .attr("y2", lane_y),
                    ),
            ),
        )
        .child(cover)
        .maybe(future)
        .child(
            El::new("line")
                .class("now")
                .attr("x1", now_x.clone())
                .attr("x2", now_x)
                .attr("y1", "0")
                .attr("y2", px(h)),
        )
        .maybe(pick);
    let plot = El::new("div")
        .class(classes!("st-plot", p.reduced_motion.then_some("reduced")))
        .node_ref(plot)
        .attr("tabindex", "0")
        .attr("role", "slider")
        .attr("aria-label", "Moment on the space-time diagram")
        .attr("aria-valuemin", "0")
        .attr("aria-valuemax", max.to_string())
        .attr("aria-valuenow", value.to_string())
        .attr("aria-valuetext", format_time(value))
        .attr("aria-describedby", "st-readout")
        .attr(
            "aria-keyshortcuts",
            "Enter ArrowLeft ArrowRight PageUp PageDown Space Escape",
        )
        .attr("data-t0", hooks.as_ref().map(|h| h.0.clone()))
        .attr("data-us-per-px", hooks.map(|h| h.1))
        .attr(
            "style",
            format!(
                "width:{}px;height:{}px",
                crate::sim::decimal::shortest(geom.w),
                crate::sim::decimal::shortest(h)
            ),
        )
        .on_click(onclick)
        .on_keydown(onkeydown)
        .on_blur(onblur)
        .child(moving)
        .child(overlay);
    let choose = p.dispatch.reform(|e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        Msg::SetClocks(ClockChoice::parse(&select.value()).unwrap_or_default())
    });
    let clock_choices = ClockChoice::ALL.map(|c| {
        El::new("option")
            .attr("value", c.key())
            .flag("selected", c == p.clocks)
            .text(c.title())
    });
    let out: Html = El::new("section")
        .attr("aria-labelledby", "st-title")
        .class(match causal {
            Some(_) => "panel st causal",
            None => "panel st",
        })
        .child(Html::from_html_unchecked(AttrValue::Static(HEADING)))
        .child(
            El::new("label")
                .class("st-clocks")
                .child(El::new("span").text("Logical clocks"))
                .child(
                    El::new("select")
                        .attr("id", "st-clocks")
                        .on_change(choose)
                        .children(clock_choices),
                ),
        )
        .child(
            El::new("div").class("st-body").child(labels).child(
                El::new("div")
                    .class("st-scroll")
                    .node_ref(scroll)
                    .child(plot),
            ),
        )
        .child(Html::from_html_unchecked(note))
        .into();
    cache.borrow_mut().step = stepped.then(|| (step_key, wall, now, out.clone()));
    out
}

/// Descriptions of what happened within `tol` of `t` (at most three, nearest first).
fn nearby(
    t: Micros,
    tol: Micros,
    layers: &[&Layer],
    clock_words: &dyn Fn(&SpanView) -> String,
) -> Vec<String> {
    let dist = |x: Micros| x.abs_diff(t);
    // The three nearest (distance, layer, is a message, index), nearest first.
    let mut best: Vec<(Micros, usize, bool, usize)> = Vec::new();
    let mut offer = |d: Micros, item: (usize, bool, usize)| {
        if d <= tol {
            let at = best.iter().position(|b| b.0 > d).unwrap_or(best.len());
            if at < 3 {
                best.insert(at, (d, item.0, item.1, item.2));
                best.truncate(3);
            }
        }
    };
    for (li, l) in layers.iter().enumerate() {
        for (i, s) in l.spans.iter().enumerate() {
            offer(
                dist(s.sent).min(s.end.map_or(Micros::MAX, dist)),
                (li, true, i),
            );
        }
        for (i, m) in l.marks.iter().enumerate() {
            offer(dist(m.t), (li, false, i));
        }
    }
    best.into_iter()
        .map(|(_, li, msg, i)| {
            if msg {
                let s = &layers[li].spans[i];
                span_text(s) + &clock_words(s)
            } else {
                let m = &layers[li].marks[i];
                format!("{}: {}", format_time(m.t), m.text)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn ticks_are_round_and_spaced() {
        assert_eq!(tick_step(150 * MS, 600.0), 50 * MS);
        assert_eq!(tick_step(20 * MS, 300.0), 10 * MS);
        assert!(tick_step(2_000 * MS, 280.0) >= 500 * MS);
    }

    #[wasm_bindgen_test]
    fn window_follows_speed() {
        assert_eq!(window_span(3), 150 * MS);
        assert_eq!(window_span(0), 20 * MS);
        assert_eq!(window_span(12), 2_000 * MS);
    }

    #[wasm_bindgen_test]
    fn glyphs_move_by_their_coordinates() {
        let mut s = Svg(String::new());
        s.glyph("x", "M-3 5V-5H4L2 -2.5a1 1 0 0 0 2 0Z", 10.0, 20.0);
        assert_eq!(
            s.0,
            "<path class=\"x\" d=\"M7 25V15H14L12 17.5a1 1 0 0 0 2 0Z\"/>"
        );
    }

    #[wasm_bindgen_test]
    fn numbers_have_one_decimal() {
        let mut s = Svg(String::new());
        s.num(1.25)
            .raw(" ")
            .num(-0.31)
            .raw(" ")
            .num(3.0)
            .raw(" ")
            .num(-12.0);
        assert_eq!(s.0, "1.3 -0.3 3 -12");
    }
}
