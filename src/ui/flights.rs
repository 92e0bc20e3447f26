//! Messages in flight on the ring.
//!
//! Hundreds of messages move in every frame, so they are painted on a `<canvas>` laid over the
//! ring (a few canvas calls per dot, no page style or layout work), while each message also has
//! a real control in the ring's SVG for the keyboard, assistive technology and the SVG export:
//! an invisible `<circle id="msg-7" role="button" aria-label="AppendEntries from Node 1 to Node
//! 4">`, made once per message, whose position is brought up to date a slice of the messages
//! per frame while playing and all at once when the picture stands still.
//!
//! A click on the ring near a dot opens that message's menu (dots are small and move), and so
//! does a click dispatched to a message's control itself (assistive technology's activation); the
//! pointer hovering near a dot, keyboard focus on its control or its open menu show its "why"
//! in one shared tip, and a focus ring is painted around it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::sim::lab::{FlightView, NetworkView};
use crate::sim::time::Micros;

use super::geometry::{Layout, VIEW, flight_frac};
use super::message::{Dot, DotShape, FlightLabel};
use super::ring::{cut_frac, to_view};
use super::store::{Menu, Msg, Snap};

/// Props of [`MessageLayer`].
#[derive(Properties, PartialEq)]
pub struct MessageLayerProps {
    /// Messages on the wire, by id.
    pub flights: Snap<Vec<FlightView>>,
    /// Their names, tips and paints, in the same order.
    pub labels: Snap<Vec<FlightLabel>>,
    /// The network (a message over a cut stops at the cut).
    pub network: Snap<NetworkView>,
    /// Virtual time now.
    pub now: Micros,
    /// Where the nodes stand.
    pub layout: Layout,
    /// Messages jump between three points instead of gliding.
    pub reduced_motion: bool,
    /// The run is playing (controls are then moved a slice per frame).
    pub playing: bool,
    /// The message whose menu is open, if any.
    pub open: Option<u64>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
}

/// The message layer: the controls' `<g>` inside the ring's SVG. The canvas it paints on is the
/// ring's `canvas.flights` (a sibling of the SVG, see [`super::ring::ring`]).
#[component]
pub fn MessageLayer(p: &MessageLayerProps) -> Html {
    let layer = use_node_ref();
    let state = use_mut_ref(Flights::default);
    {
        let layer = layer.clone();
        let state = state.clone();
        let flights = p.flights.clone();
        let labels = p.labels.clone();
        let network = p.network.clone();
        let (now, layout, reduced_motion, playing, open) =
            (p.now, p.layout, p.reduced_motion, p.playing, p.open);
        use_effect(move || {
            if let Some(el) = layer.cast::<web_sys::Element>() {
                let mut st = state.borrow_mut();
                st.sync(
                    &el,
                    &flights,
                    &labels,
                    &network,
                    Pass {
                        now,
                        layout,
                        reduced_motion,
                        playing,
                        open,
                    },
                );
                st.place_tip();
                st.paint();
            }
        });
    }
    // Listeners on the ring itself (clicks and hovering near dots), the canvas's size and the
    // colour scheme, installed once.
    {
        let layer = layer.clone();
        let state = state.clone();
        let dispatch = p.dispatch.clone();
        use_effect_with((), move |_| {
            let hooks = install(&layer, &state, dispatch);
            move || drop(hooks)
        });
    }
    // Keyboard focus on a control shows its tip and focus ring.
    let focus = |on: bool| {
        let state = state.clone();
        Callback::from(move |e: FocusEvent| {
            let id = msg_id(e.target());
            let mut st = state.borrow_mut();
            if on {
                st.focus = id;
            } else if st.focus == id {
                st.focus = None;
            }
            st.place_tip();
            st.paint();
        })
    };
    let onkeydown = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if (key == "Enter" || key == " " || key == "Spacebar")
                && let Some(id) = msg_id(e.target())
            {
                e.prevent_default();
                dispatch.emit(Msg::OpenMenu(Menu::Message(id)));
            }
        })
    };
    let (onfocusin, onfocusout) = (focus(true), focus(false));
    html! {
        <g class="messages" ref={layer} {onkeydown} {onfocusin} {onfocusout} />
    }
}

/// The message an event happened on (its control carries `data-msg`).
pub fn msg_id(target: Option<web_sys::EventTarget>) -> Option<u64> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    el.closest("[data-msg]")
        .ok()??
        .get_attribute("data-msg")?
        .parse()
        .ok()
}

/// What one render asks of the layer besides the messages.
struct Pass {
    now: Micros,
    layout: Layout,
    reduced_motion: bool,
    playing: bool,
    open: Option<u64>,
}

/// One message's control in the DOM.
struct Control {
    /// The `<circle>`.
    el: web_sys::Element,
    /// What it was made from (a new run may reuse message ids: compared by identity).
    label: FlightLabel,
    /// Where the message is now (view-box units).
    pos: (f64, f64),
    /// Where the control was last put.
    placed: (f64, f64),
    /// The sync pass that last saw it on the wire.
    seen: u64,
}

/// The canvas and its drawing context, with the size it was set to.
struct Canvas {
    el: web_sys::HtmlCanvasElement,
    ctx: web_sys::CanvasRenderingContext2d,
    /// CSS pixels wide and high, and device pixels per CSS pixel, at the last paint.
    size: (f64, f64, f64),
}

/// Colours read from the page's theme (its CSS custom properties).
#[derive(Default)]
struct Colours {
    /// `--k0` to `--k3`: the message kinds.
    kinds: [String; 4],
    /// Background (inside of a reply's ring).
    bg: String,
    /// Failed replies.
    fail: String,
    /// Focus ring.
    focus: String,
}

/// Everything the layer keeps between frames.
#[derive(Default)]
struct Flights {
    /// Controls by message id.
    live: HashMap<u64, Control>,
    /// Message ids in drawing order, with their paints (flight order).
    order: Vec<(u64, Dot)>,
    /// Node placement they were drawn for.
    layout: Option<Layout>,
    /// The message whose menu is open.
    open: Option<u64>,
    /// The message the pointer is near.
    hover: Option<u64>,
    /// The message whose control has keyboard focus.
    focus: Option<u64>,
    /// The tip (`<div class="msg-tip">` over the canvas), made on first use.
    tip: Option<web_sys::HtmlElement>,
    /// The ring's box, which holds the SVG, the canvas and the tip.
    wrap: Option<web_sys::Element>,
    /// The message whose text the tip holds, and where the tip was put.
    tip_at: Option<(u64, (f64, f64))>,
    /// Sync passes so far.
    pass: u64,
    /// Scratch space for a coordinate.
    buf: String,
    /// Where to paint, once found.
    canvas: Option<Canvas>,
    /// The canvas's CSS size changed (set by the resize observer): measure before painting.
    resized: Rc<Cell<bool>>,
    /// Theme colours; `None` until read, and again after the colour scheme changes.
    colours: Option<Colours>,
    /// Something visible changed since the last paint.
    dirty: bool,
}

/// Controls moved per frame while playing: one in this many.
const SLICES: u64 = 8;

impl Flights {
    /// Brings the controls and positions up to date with `flights` (in id order): adds the new
    /// ones, removes the ones gone, marks the one whose menu is open, and moves controls (a
    /// slice of them per frame while playing).
    fn sync(
        &mut self,
        layer: &web_sys::Element,
        flights: &[FlightView],
        labels: &[FlightLabel],
        net: &NetworkView,
        f: Pass,
    ) {
        let layout = f.layout;
        if Some(layout) != self.layout {
            for (_, c) in self.live.drain() {
                c.el.remove();
            }
            self.layout = Some(layout);
            self.open = None;
        }
        self.pass += 1;
        let pass = self.pass;
        let mut prev: Option<web_sys::Element> = None;
        let mut changed = flights.len() != self.order.len() || self.open != f.open;
        self.order.clear();
        for (i, (fl, label)) in flights.iter().zip(labels).enumerate() {
            // A message between two nodes that cannot talk is lost on arrival: it stops at the cut.
            let mut frac = flight_frac(f.now, fl.sent, fl.arrives, f.reduced_motion);
            if net.is_cut(fl.from, fl.to) {
                frac = frac.min(cut_frac(&layout, net, fl.from, fl.to));
            }
            let (x, y) = layout.along(fl.from, fl.to, frac);
            // Positions are kept to a tenth of a unit; smaller moves are not redrawn.
            let pos = ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0);
            let id = fl.id;
            self.order.push((id, label.dot));
            let same = self
                .live
                .get(&id)
                .is_some_and(|c| c.label.name.as_str().as_ptr() == label.name.as_str().as_ptr());
            if !same {
                changed = true;
                if let Some(old) = self.live.remove(&id) {
                    old.el.remove();
                }
                let Some(el) = make_control(id, label, layout.msg_r) else {
                    continue;
                };
                // Keep id order: right after the previous message still on the wire (the tip,
                // if any, stays last).
                let at = match &prev {
                    Some(p) => p.next_sibling(),
                    None => layer.first_child(),
                };
                let _ = layer.insert_before(&el, at.as_ref());
                if f.open == Some(id) {
                    set_open(&el, label, true);
                }
                self.live.insert(
                    id,
                    Control {
                        el,
                        label: label.clone(),
                        pos,
                        placed: (f64::NAN, f64::NAN),
                        seen: pass,
                    },
                );
            }
            let c = self.live.get_mut(&id).expect("just made");
            c.seen = pass;
            changed |= c.pos != pos;
            c.pos = pos;
            let due = !f.playing || c.placed.0.is_nan() || (i as u64 + pass).is_multiple_of(SLICES);
            if due && c.placed != pos {
                for (attr, v, old) in [("cx", pos.0, c.placed.0), ("cy", pos.1, c.placed.1)] {
                    if v != old {
                        self.buf.clear();
                        crate::sim::decimal::push_fixed(&mut self.buf, v, 1);
                        let _ = c.el.set_attribute(attr, &self.buf);
                    }
                }
                c.placed = pos;
            }
            if self.open != f.open {
                if Some(id) == f.open {
                    set_open(&c.el, label, true);
                } else if Some(id) == self.open {
                    set_open(&c.el, label, false);
                }
            }
            prev = Some(c.el.clone());
        }
        self.live.retain(|_, c| {
            let keep = c.seen == pass;
            if !keep {
                c.el.remove();
            }
            keep
        });
        self.open = f.open;
        self.dirty |= changed;
    }

    /// The message drawn nearest to (`x`, `y`) in view-box units, if a click there reaches it.
    fn nearest(&self, x: f64, y: f64) -> Option<u64> {
        let reach = (self.layout.map_or(4.0, |l| l.msg_r) + 8.0).max(12.0);
        self.live
            .iter()
            .map(|(&id, c)| (id, (c.pos.0 - x).hypot(c.pos.1 - y)))
            .filter(|&(_, d)| d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|(id, _)| id)
    }

    /// The message whose tip and focus ring are shown: the one whose menu is open, else the
    /// focused one, else the one under the pointer.
    fn shown(&self) -> Option<u64> {
        [self.open, self.focus, self.hover]
            .into_iter()
            .flatten()
            .find(|id| self.live.contains_key(id))
    }

    /// Puts the tip over the shown message, or hides it.
    fn place_tip(&mut self) {
        let Some((id, c)) = self.shown().and_then(|id| Some((id, self.live.get(&id)?))) else {
            if self.tip_at.take().is_some()
                && let Some(tip) = &self.tip
            {
                tip.set_hidden(true);
            }
            return;
        };
        if self.tip.is_none()
            && let Some(wrap) = &self.wrap
        {
            self.tip = make_tip(wrap);
        }
        let Some(tip) = &self.tip else {
            return;
        };
        if self.tip_at.map(|(was, _)| was) != Some(id) {
            tip.set_text_content(Some(&c.label.tip));
            tip.set_hidden(false);
            self.dirty = true;
        }
        if self.tip_at.map(|(_, at)| at) != Some(c.pos) {
            // The ring's box is square and its view box fills it.
            let (x, y) = c.pos;
            let style = tip.style();
            let _ = style.set_property(
                "left",
                &(crate::sim::decimal::fixed(x / VIEW * 100.0, 2) + "%"),
            );
            let _ = style.set_property(
                "top",
                &(crate::sim::decimal::fixed(y / VIEW * 100.0, 2) + "%"),
            );
        }
        self.tip_at = Some((id, c.pos));
    }

    /// Paints the dots on the canvas, if anything changed since the last paint.
    fn paint(&mut self) {
        let ringed = self
            .shown()
            .and_then(|id| self.live.get(&id))
            .map(|c| c.pos);
        let Some(cv) = &mut self.canvas else {
            return;
        };
        if self.resized.replace(false) {
            let w = f64::from(cv.el.client_width());
            let h = f64::from(cv.el.client_height());
            let dpr = super::dom::window().device_pixel_ratio().max(1.0);
            if (w, h, dpr) != cv.size {
                cv.size = (w, h, dpr);
                cv.el.set_width((w * dpr).round() as u32);
                cv.el.set_height((h * dpr).round() as u32);
                self.dirty = true;
            }
        }
        if !self.dirty {
            return;
        }
        self.dirty = false;
        if self.colours.is_none() {
            self.colours = Some(read_colours(&cv.el));
        }
        let Some(colours) = &self.colours else {
            return;
        };
        let ctx = &cv.ctx;
        let (w, h, dpr) = cv.size;
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, w * dpr, h * dpr);
        if self.order.is_empty() || w <= 0.0 || h <= 0.0 {
            return;
        }
        // The SVG's view box is drawn square, centred in its box.
        let side = w.min(h);
        let k = side / VIEW * dpr;
        let _ = ctx.set_transform(
            k,
            0.0,
            0.0,
            k,
            (w - side) / 2.0 * dpr,
            (h - side) / 2.0 * dpr,
        );
        let r = self.layout.map_or(4.0, |l| l.msg_r);
        let tau = std::f64::consts::TAU;
        ctx.set_line_width(2.2);
        let solid = js_sys::Array::new();
        let dashed = js_sys::Array::of2(&JsValue::from(2.4), &JsValue::from(1.6));
        // One path per paint: all dots of a kind and shape are filled and stroked together.
        for paint in 0..Dot::COUNT {
            let mut any = false;
            ctx.begin_path();
            for (id, dot) in &self.order {
                if dot.index() != paint {
                    continue;
                }
                let Some(c) = self.live.get(id) else {
                    continue;
                };
                let (x, y) = c.pos;
                ctx.move_to(x + r, y);
                let _ = ctx.arc(x, y, r, 0.0, tau);
                any = true;
            }
            if !any {
                continue;
            }
            let kind = &colours.kinds[paint / 3];
            let shape = match paint % 3 {
                0 => DotShape::Request,
                1 => DotShape::Reply,
                _ => DotShape::Failed,
            };
            let (fill, dash) = match shape {
                DotShape::Request => (kind, &solid),
                DotShape::Reply => (&colours.bg, &solid),
                DotShape::Failed => (&colours.fail, &dashed),
            };
            ctx.set_fill_style_str(fill);
            ctx.fill();
            ctx.set_stroke_style_str(kind);
            let _ = ctx.set_line_dash(dash);
            ctx.stroke();
        }
        let _ = ctx.set_line_dash(&solid);
        if let Some((x, y)) = ringed {
            ctx.begin_path();
            let _ = ctx.arc(x, y, r + 3.0, 0.0, tau);
            ctx.set_line_width(2.5);
            ctx.set_stroke_style_str(&colours.focus);
            ctx.stroke();
        }
    }
}

/// Reads the theme's colours for the canvas from the page's CSS custom properties.
fn read_colours(el: &web_sys::Element) -> Colours {
    let style = super::dom::window().get_computed_style(el).ok().flatten();
    let get = |name: &str, fallback: &str| {
        style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    Colours {
        kinds: [
            get("--k0", "#0b5cad"),
            get("--k1", "#a2460f"),
            get("--k2", "#6a3d9a"),
            get("--k3", "#1f6e2a"),
        ],
        bg: get("--bg", "#ffffff"),
        fail: get("--fail", "#b91c1c"),
        focus: get("--focus", "#c2410c"),
    }
}

/// Finds the canvas, watches its size and the colour scheme, and handles clicks and hovering
/// near dots on the ring. Dropping the result removes the listeners.
fn install(
    layer: &NodeRef,
    state: &Rc<RefCell<Flights>>,
    dispatch: Callback<Msg>,
) -> Option<Hooks> {
    let el = layer.cast::<web_sys::Element>()?;
    let svg = el.closest("svg.ring").ok()??;
    let canvas: web_sys::HtmlCanvasElement = svg
        .parent_element()?
        .query_selector("canvas.flights")
        .ok()??
        .dyn_into()
        .ok()?;
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let resized = {
        let mut st = state.borrow_mut();
        st.wrap = svg.parent_element();
        st.canvas = Some(Canvas {
            el: canvas.clone(),
            ctx,
            size: (0.0, 0.0, 0.0),
        });
        st.resized.set(true);
        st.dirty = true;
        st.paint();
        st.resized.clone()
    };
    // A resize or a new colour scheme repaints at once (the run may be paused).
    let repaint = {
        let state = state.clone();
        move || state.borrow_mut().paint()
    };
    let on_resize = {
        let repaint = repaint.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            resized.set(true);
            repaint();
        })
    };
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
    observer.observe(&canvas);
    let scheme = super::dom::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .map(|query| {
            let state = state.clone();
            EventListener::new(&query, "change", move |_| {
                let mut st = state.borrow_mut();
                st.colours = None;
                st.dirty = true;
                st.paint();
            })
        });
    // A click on the ring near a dot (not on a node, a link or the menu) opens its menu.
    let click = {
        let state = state.clone();
        let svg2 = svg.clone();
        EventListener::new(&svg, "click", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() else {
                return;
            };
            // A click on a message's own control (a screen reader's or voice control's
            // activation dispatches it there, with no pointer position) opens that message.
            if let Some(id) = msg_id(e.target()) {
                e.stop_propagation();
                dispatch.emit(Msg::OpenMenu(Menu::Message(id)));
                return;
            }
            let on_control = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest(".node, .links, .menu").ok().flatten())
                .is_some();
            // While a partition is drawn, the ring belongs to the lasso.
            if on_control || svg2.matches(".drafting").unwrap_or(false) {
                return;
            }
            let (x, y) = to_view(&svg2, e.client_x(), e.client_y());
            let near = state.borrow().nearest(x, y);
            if let Some(id) = near {
                e.stop_propagation();
                dispatch.emit(Msg::OpenMenu(Menu::Message(id)));
            }
        })
    };
    // Hovering near a dot shows its tip and a pointer cursor.
    let hover = {
        let state = state.clone();
        let svg2 = svg.clone();
        EventListener::new(&svg, "pointermove", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::PointerEvent>() else {
                return;
            };
            if e.pointer_type() != "mouse" {
                return;
            }
            let (x, y) = to_view(&svg2, e.client_x(), e.client_y());
            let mut st = state.borrow_mut();
            let near = st.nearest(x, y);
            if near != st.hover {
                st.hover = near;
                if let Some(svg) = svg2.dyn_ref::<web_sys::SvgElement>() {
                    let _ = svg
                        .style()
                        .set_property("cursor", if near.is_some() { "pointer" } else { "" });
                }
                st.place_tip();
                st.dirty = true;
                st.paint();
            }
        })
    };
    let leave = {
        let state = state.clone();
        EventListener::new(&svg, "pointerleave", move |_| {
            let mut st = state.borrow_mut();
            if st.hover.take().is_some() {
                st.place_tip();
                st.dirty = true;
                st.paint();
            }
        })
    };
    Some(Hooks {
        observer,
        _on_resize: on_resize,
        _listeners: [Some(click), Some(hover), Some(leave), scheme],
    })
}

/// The layer's listeners; dropping them detaches them.
struct Hooks {
    observer: web_sys::ResizeObserver,
    _on_resize: wasm_bindgen::closure::Closure<dyn FnMut()>,
    _listeners: [Option<EventListener>; 4],
}

impl Drop for Hooks {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Marks a message control as having its menu open (or not).
fn set_open(el: &web_sys::Element, label: &FlightLabel, open: bool) {
    if open {
        let _ = el.set_attribute("class", &format!("{} open", label.class));
    } else {
        let _ = el.set_attribute("class", &label.class);
    }
    let _ = el.set_attribute("aria-expanded", if open { "true" } else { "false" });
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// An SVG element with attributes.
fn svg(doc: &web_sys::Document, tag: &str, attrs: &[(&str, &str)]) -> Option<web_sys::Element> {
    let el = doc.create_element_ns(Some(SVG_NS), tag).ok()?;
    for (k, v) in attrs {
        let _ = el.set_attribute(k, v);
    }
    Some(el)
}

/// A message's control with radius `r` (not yet placed). It is not painted on the page (the
/// canvas shows the dot) but has the dot's classes, so the SVG export can draw it.
fn make_control(id: u64, label: &FlightLabel, r: f64) -> Option<web_sys::Element> {
    svg(
        &super::dom::document(),
        "circle",
        &[
            ("class", &label.class),
            ("id", &format!("msg-{id}")),
            ("data-msg", &id.to_string()),
            ("r", &crate::sim::decimal::fixed(r, 1)),
            ("role", "button"),
            ("tabindex", "0"),
            ("aria-label", &label.name),
            ("aria-haspopup", "menu"),
            ("aria-expanded", "false"),
        ],
    )
}

/// The shared "why" tip: one line of text in a dark box above a message, added to the ring's
/// box `wrap` (hidden until shown).
fn make_tip(wrap: &web_sys::Element) -> Option<web_sys::HtmlElement> {
    let tip: web_sys::HtmlElement = super::dom::document()
        .create_element("div")
        .ok()?
        .dyn_into()
        .ok()?;
    tip.set_class_name("msg-tip");
    let _ = tip.set_attribute("aria-hidden", "true");
    tip.set_hidden(true);
    wrap.append_child(&tip).ok()?;
    Some(tip)
}
