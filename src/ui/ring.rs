//! The cluster drawing: nodes on a ring, their countdown arcs, messages in flight (positioned by
//! virtual send and arrival time), marks for lost messages, the network's shape (partition
//! sides with walls between them, cut links with a scissors mark), the selected node's links,
//! the lasso for drawing a partition, the open menu (beside its owner), and a legend of the
//! role shapes.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::sim::action::{ActionKind, NetConfig};
use crate::sim::lab::{DropReason, NetworkView};
use crate::sim::node::{NodeId, Placement, ProtocolInfo};

use super::el::{El, component, fragment};
use super::flights::{MessageLayer, MessageLayerProps};
use super::geometry::{CENTER, LabelText, Layout, Shape, VIEW, countdown_left, shape};
use super::menu::{MenuItem, MenuProps, PopupMenu};
use super::message::message_name;
use super::node_glyph::{NodeGlyph, NodeProps, crowned, f, leading_claim, node_name, term_text};
use super::store::{Frame, Menu, Msg, Snap, on_click};

/// Inputs of [`ring`].
pub struct RingProps {
    /// What to draw.
    pub frame: Rc<Frame>,
    /// The protocol.
    pub info: Snap<ProtocolInfo>,
    /// The open menu, if any.
    pub menu: Option<Menu>,
    /// The node shown in the inspector.
    pub selected: Option<NodeId>,
    /// Messages jump between three points instead of gliding.
    pub reduced_motion: bool,
    /// The run is playing.
    pub playing: bool,
    /// The partition being drawn (side of each node), if any.
    pub draft: Option<Vec<u8>>,
    /// Sends messages to the store.
    pub dispatch: Callback<Msg>,
    /// The ring's event handlers, made once (see [`RingHandlers::new`]).
    pub handlers: Rc<RingHandlers>,
}

/// What the lasso handlers need to know between events.
#[derive(Default)]
struct Lasso {
    /// Node placement at the last render.
    layout: Option<Layout>,
    /// The partition being drawn at the last render.
    draft: Option<Vec<u8>>,
    /// Points of the loop being drawn (view-box coordinates); empty when not drawing.
    points: Vec<(f64, f64)>,
}

/// Event handlers shared by every frame of the ring, so that redrawing it does not replace its
/// listeners.
pub struct RingHandlers {
    /// Click on the empty ring: closes the menu.
    pub background: Callback<MouseEvent>,
    /// Click on a drawn link of the selected node: opens the link's menu.
    pub link_click: Callback<MouseEvent>,
    /// Pointer down, move, up and cancel on the ring: draws the partition lasso.
    pub lasso: Callback<PointerEvent>,
    state: Rc<RefCell<Lasso>>,
}

impl RingHandlers {
    /// The handlers, sending to `dispatch`.
    pub fn new(dispatch: &Callback<Msg>) -> RingHandlers {
        let link_click = {
            let dispatch = dispatch.clone();
            Callback::from(move |e: MouseEvent| {
                let pair = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.get_attribute("data-link"))
                    .and_then(|v| {
                        let (a, b) = v.split_once('-')?;
                        Some((a.parse().ok()?, b.parse().ok()?))
                    });
                if let Some((a, b)) = pair {
                    e.stop_propagation();
                    dispatch.emit(Msg::OpenMenu(Menu::Link(a, b)));
                }
            })
        };
        let state = Rc::new(RefCell::new(Lasso::default()));
        let lasso = {
            let dispatch = dispatch.clone();
            let state = state.clone();
            Callback::from(move |e: PointerEvent| lasso_event(&e, &state, &dispatch))
        };
        RingHandlers {
            background: on_click(dispatch, Msg::CloseMenu),
            link_click,
            lasso,
            state,
        }
    }
}

/// Page coordinates to view-box units of the ring `svg` (drawn square, centred in its box).
pub fn to_view(svg: &web_sys::Element, x: i32, y: i32) -> (f64, f64) {
    let rect = svg.get_bounding_client_rect();
    let side = rect.width().min(rect.height()).max(1.0);
    let scale = VIEW / side;
    let left = rect.left() + (rect.width() - side) / 2.0;
    let top = rect.top() + (rect.height() - side) / 2.0;
    ((x as f64 - left) * scale, (y as f64 - top) * scale)
}

/// One pointer event of the lasso: down starts a loop on the empty ring (only while a
/// partition is being drawn), move extends it, up puts the enclosed nodes on side B (with
/// Shift: adds them to side B).
fn lasso_event(e: &PointerEvent, state: &RefCell<Lasso>, dispatch: &Callback<Msg>) {
    // Yew delegates events to its root, so the drawing is found from the target.
    let target = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let Some(svg) = target
        .as_ref()
        .and_then(|t| t.closest("svg.ring").ok().flatten())
    else {
        return;
    };
    let point = to_view(&svg, e.client_x(), e.client_y());
    let mut st = state.borrow_mut();
    match e.type_().as_str() {
        "pointerdown" => {
            let on_control = target
                .and_then(|el| el.closest(".node, [data-msg], .menu").ok().flatten())
                .is_some();
            if st.draft.is_none() || on_control || e.button() > 0 {
                return;
            }
            e.prevent_default();
            let _ = svg.set_pointer_capture(e.pointer_id());
            st.points = vec![point];
        }
        "pointermove" if !st.points.is_empty() => {
            let last = *st.points.last().expect("not empty");
            if (last.0 - point.0).abs() + (last.1 - point.1).abs() < 3.0 {
                return;
            }
            st.points.push(point);
            draw_lasso(&st.points);
        }
        "pointerup" if !st.points.is_empty() => {
            let points = std::mem::take(&mut st.points);
            draw_lasso(&[]);
            let (Some(draft), true) = (&st.draft, points.len() >= 3) else {
                return;
            };
            let Some(layout) = st.layout else {
                return;
            };
            let inside: Vec<bool> = (1..=layout.n as NodeId)
                .map(|id| encloses(&points, layout.pos(id)))
                .collect();
            if !inside.contains(&true) {
                return;
            }
            let next = draft
                .iter()
                .zip(&inside)
                .map(|(&side, &inside)| u8::from(inside || (e.shift_key() && side == 1)))
                .collect();
            drop(st);
            dispatch.emit(Msg::PartitionDraft(Some(next)));
        }
        "pointercancel" => {
            st.points.clear();
            draw_lasso(&[]);
        }
        _ => {}
    }
}

/// Shows the loop being drawn (set on the element directly: no re-render per pointer move).
fn draw_lasso(points: &[(f64, f64)]) {
    if let Some(path) = super::dom::document().get_element_by_id("lasso") {
        let mut d = String::new();
        for (i, (x, y)) in points.iter().enumerate() {
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&f(*x));
            d.push(' ');
            d.push_str(&f(*y));
        }
        let _ = path.set_attribute("d", &d);
    }
}

/// Whether the closed polygon `poly` contains point `p` (even-odd rule).
fn encloses(poly: &[(f64, f64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (xi, yi) = poly[i];
        let (xj, yj) = poly[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Letter naming partition side `g`: A, B, C, …
fn side_letter(g: u8) -> char {
    (b'A' + g % 26) as char
}

/// Unit vector from the centre along the wall between node `a` and the next node clockwise,
/// `b` (perpendicular to the chord, pointing outwards).
fn wall_dir(layout: &Layout, a: NodeId, b: NodeId) -> (f64, f64) {
    let (x0, y0) = layout.pos(a);
    let (x1, y1) = layout.pos(b);
    let (dx, dy) = (y1 - y0, x0 - x1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    (dx / len, dy / len)
}

/// Radius of the partition background.
fn sides_radius(layout: &Layout) -> f64 {
    (layout.ring_r + layout.node_r + 24.0).min(CENTER - 2.0)
}

/// Partition sides: a background wedge per run of neighbours on the ring on the same side
/// (alternating plain tint and hatching, with the side's letter), and a dashed wall between
/// runs; nodes off the ring (a column, the hub) get their side's letter beside them.
fn sides_layer(layout: &Layout, groups: &[u8], class: &'static str) -> Html {
    if groups.len() != layout.n || groups.windows(2).all(|w| w[0] == w[1]) {
        return Html::default();
    }
    let letters: Vec<El> = (1..=layout.n as NodeId)
        .filter(|&id| !layout.on_ring(id))
        .map(|id| {
            let (x, y) = layout.pos(id);
            El::new("text")
                .class("side-letter")
                .attr("x", f(x + layout.side_r + 9.0))
                .attr("y", f(y + 4.0))
                .text(side_letter(groups[id as usize - 1]).to_string())
        })
        .collect();
    // Their letters stand in a group of their own, drawn only when there are such nodes.
    let off_ring = if letters.is_empty() {
        Html::default()
    } else {
        El::new("g")
            .class(classes!("side-letters", class))
            .attr("aria-hidden", "true")
            .children(letters)
            .into()
    };
    let ring: Vec<NodeId> = layout.ring_ids().collect();
    let n = ring.len();
    let side = |i: usize| groups[ring[i % n] as usize - 1];
    if n < 2 || (1..n).all(|i| side(i) == side(0)) {
        return off_ring;
    }
    // Start at a node whose neighbour anticlockwise is on another side.
    let first = (0..n).find(|&i| side(i) != side(i + n - 1)).unwrap_or(0);
    let r = sides_radius(layout);
    let at = |(dx, dy): (f64, f64), k: f64| (CENTER + dx * r * k, CENTER + dy * r * k);
    let mut wedges = Vec::new();
    let mut walls = Vec::new();
    let mut i = first;
    let mut done = 0;
    while done < n {
        let start = i;
        let mut len = 0;
        while len == 0 || (done < n && side(i) == side(start)) {
            len += 1;
            done += 1;
            i += 1;
        }
        let (prev, last, next) = (ring[(start + n - 1) % n], ring[(i - 1) % n], ring[i % n]);
        let d0 = wall_dir(layout, prev, ring[start % n]);
        let d1 = wall_dir(layout, last, next);
        let (x0, y0) = at(d0, 1.0);
        let (x1, y1) = at(d1, 1.0);
        let large = u8::from(2 * len > n);
        let g = side(start);
        let path = format!(
            "M{c} {c}L{}A{} {} 0 {large} 1 {}Z",
            xy(x0, y0),
            f(r),
            f(r),
            xy(x1, y1),
            c = f(CENTER)
        );
        // The side's letter, inside the wedge near its middle node.
        let (mx, my) = layout.pos(ring[(start + (len - 1) / 2) % n]);
        let (lx, ly) = (CENTER + (mx - CENTER) * 0.42, CENTER + (my - CENTER) * 0.42);
        wedges.push(
            El::new("g")
                .class(if g % 2 == 0 {
                    "side tint"
                } else {
                    "side hatch"
                })
                .child(El::new("path").attr("d", path))
                .child(
                    El::new("text")
                        .attr("x", f(lx))
                        .attr("y", f(ly))
                        .text(side_letter(g).to_string()),
                ),
        );
        let (wx, wy) = at(d1, 1.0);
        walls.push(
            El::new("line")
                .class("wall")
                .attr("x1", f(CENTER))
                .attr("y1", f(CENTER))
                .attr("x2", f(wx))
                .attr("y2", f(wy)),
        );
    }
    fragment(vec![
        El::new("g")
            .class(classes!("sides", class))
            .attr("aria-hidden", "true")
            .children(wedges)
            .children(walls)
            .into(),
        off_ring,
    ])
}

/// `x y` for path data.
fn xy(x: f64, y: f64) -> String {
    let mut s = f(x);
    s.push(' ');
    s.push_str(&f(y));
    s
}

/// How far along the way from `a` to `b` a message meets the cut between them: the middle for
/// a cut link, the wall for a partition.
pub fn cut_frac(layout: &Layout, net: &NetworkView, a: NodeId, b: NodeId) -> f64 {
    let side = |id: NodeId| net.groups.get(id as usize - 1).copied().unwrap_or(0);
    if side(a) == side(b) || net.cut_links.contains(&(a.min(b), a.max(b))) {
        return 0.5;
    }
    let (x0, y0) = layout.along(a, b, 0.0);
    let (x1, y1) = layout.along(a, b, 1.0);
    let (vx, vy) = (x1 - x0, y1 - y0);
    let (wx, wy) = (CENTER - x0, CENTER - y0);
    for id in layout.ring_ids() {
        let nb = layout.next_on_ring(id);
        if side(id) == side(nb) {
            continue;
        }
        let (dx, dy) = wall_dir(layout, id, nb);
        let denom = vx * dy - vy * dx;
        if denom.abs() < 1e-9 {
            continue;
        }
        let t = (wx * dy - wy * dx) / denom;
        let s = (wx * vy - wy * vx) / denom;
        if (0.0..=1.0).contains(&t) && s >= 0.0 {
            return t;
        }
    }
    0.5
}

/// Scissors drawn at (`x`, `y`) on a cut link.
fn scissors(x: f64, y: f64) -> Html {
    let blade = |cx: &'static str| {
        El::new("circle")
            .attr("cx", cx)
            .attr("cy", "4")
            .attr("r", "2.3")
    };
    El::new("g")
        .class("scissors")
        .attr("transform", format!("translate({} {})", f(x), f(y)))
        .child(El::new("circle").attr("r", "8").class("gap"))
        .child(blade("-3"))
        .child(blade("3"))
        .child(El::new("path").attr("d", "M-1.8 2.2L4 -6M1.8 2.2L-4 -6"))
        .into()
}

/// Cut links: a dashed line with a gap where the cut is (scissors on a link cut by itself).
/// Partitioned pairs are drawn only while there are few of them (the walls say the rest).
fn cuts_layer(layout: &Layout, net: &NetworkView) -> Html {
    if !net.is_partitioned() && net.cut_links.is_empty() {
        return Html::default();
    }
    let n = layout.n as NodeId;
    let side = |id: NodeId| net.groups.get(id as usize - 1).copied().unwrap_or(0);
    let mut pairs = Vec::new();
    for a in 1..=n {
        for b in a + 1..=n {
            let own = net.cut_links.contains(&(a, b));
            if own || side(a) != side(b) {
                pairs.push((a, b, own));
            }
        }
    }
    let few = pairs.iter().filter(|p| !p.2).count() <= 40;
    let lines = pairs
        .into_iter()
        .filter(|&(_, _, own)| own || few)
        .map(|(a, b, own)| {
            let (x0, y0) = layout.along(a, b, 0.0);
            let (x1, y1) = layout.along(a, b, 1.0);
            let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0);
            let t = cut_frac(layout, net, a, b);
            let gap = (7.0 / len).min(0.2);
            let (ax, ay) = layout.along(a, b, (t - gap).max(0.0));
            let (bx, by) = layout.along(a, b, (t + gap).min(1.0));
            let (cx, cy) = layout.along(a, b, t);
            let d = format!(
                "M{}L{}M{}L{}",
                xy(x0, y0),
                xy(ax, ay),
                xy(bx, by),
                xy(x1, y1)
            );
            El::new("g")
                .class(if own { "cut own" } else { "cut" })
                .attr("data-cut", format!("{a}-{b}"))
                .child(El::new("path").attr("d", d))
                .maybe(own.then(|| scissors(cx, cy)))
        });
    El::new("g")
        .class("cuts")
        .attr("aria-hidden", "true")
        .children(lines)
        .into()
}

/// Directions cut alone and slow directions, each drawn beside the straight line between its
/// nodes (so both directions of a link can show): a one-way cut as a dashed arrow stopped by a
/// bar before the deaf node; a slow direction as a thick dotted arrow labelled with its latency.
fn directions_layer(layout: &Layout, net: &NetworkView) -> Html {
    if net.one_way.is_empty() && net.slow_links.is_empty() {
        return Html::default();
    }
    let n = layout.n as NodeId;
    let within = |a: NodeId, b: NodeId| a >= 1 && b >= 1 && a <= n && b <= n && a != b;
    // A point `t` of the way from `a` to `b`, moved `off` px to the left of travel.
    let offset = |a: NodeId, b: NodeId, t: f64, off: f64| {
        let (x0, y0) = layout.along(a, b, 0.0);
        let (x1, y1) = layout.along(a, b, 1.0);
        let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0);
        let (nx, ny) = ((y1 - y0) / len, (x0 - x1) / len);
        let (x, y) = layout.along(a, b, t);
        (x + nx * off, y + ny * off)
    };
    // The lane a direction is drawn in, beside the straight line.
    let beside = |a: NodeId, b: NodeId, t: f64| offset(a, b, t, 5.0);
    let arrow = |a: NodeId, b: NodeId, end: f64| {
        let (x0, y0) = beside(a, b, 0.0);
        let (x1, y1) = beside(a, b, end);
        let (bx, by) = beside(a, b, (end - 0.06).max(0.0));
        let (dx, dy) = (x1 - bx, y1 - by);
        let head = format!(
            "M{}L{}L{}",
            xy(bx - dy * 0.6, by + dx * 0.6),
            xy(x1, y1),
            xy(bx + dy * 0.6, by - dx * 0.6)
        );
        (format!("M{}L{}", xy(x0, y0), xy(x1, y1)), head)
    };
    let deaf = net
        .one_way
        .iter()
        .filter(|&&(a, b)| within(a, b))
        .map(|&(from, to)| {
            let (line, head) = arrow(from, to, 0.72);
            // A bar across the lane, 6 px either side of it.
            let (ax, ay) = offset(from, to, 0.8, 5.0 - 6.0);
            let (bx, by) = offset(from, to, 0.8, 5.0 + 6.0);
            let bar = format!("M{}L{}", xy(ax, ay), xy(bx, by));
            El::new("g")
                .class("oneway")
                .attr("data-oneway", format!("{from}-{to}"))
                .child(path("line", line))
                .child(path("head", head))
                .child(path("bar", bar))
        });
    let slow = (net.slow_links.iter())
        .filter(|&&(a, b, _, _)| within(a, b))
        .map(|&(from, to, lo, hi)| {
            let (line, head) = arrow(from, to, 0.85);
            let (tx, ty) = beside(from, to, 0.5);
            let ms = |us: u64| crate::sim::param::millis(us);
            El::new("g")
                .class("slow")
                .attr("data-slow", format!("{from}-{to}"))
                .child(path("line", line))
                .child(path("head", head))
                .child(
                    El::new("text")
                        .attr("x", f(tx))
                        .attr("y", f(ty))
                        .text(format!("{}–{} ms", ms(lo), ms(hi))),
                )
        });
    El::new("g")
        .class("directions")
        .attr("aria-hidden", "true")
        .children(deaf)
        .children(slow)
        .into()
}

/// A path with a class.
fn path(class: &'static str, d: String) -> El {
    El::new("path").attr("d", d).class(class)
}

/// The selected node's links, faint, each clickable for its menu (the node menu's "Links…"
/// does the same from the keyboard).
fn links_layer(p: &RingProps, layout: &Layout) -> Html {
    let Some(sel) = p.selected else {
        return Html::default();
    };
    if p.draft.is_some() || layout.n < 2 || sel as usize > layout.n {
        return Html::default();
    }
    let lines = (1..=layout.n as NodeId).filter(|&k| k != sel).map(|k| {
        let (x0, y0) = layout.pos(sel);
        let (x1, y1) = layout.pos(k);
        let (a, b) = (sel.min(k), sel.max(k));
        El::new("line")
            .class("link")
            .attr("data-link", format!("{a}-{b}"))
            .attr("x1", f(x0))
            .attr("y1", f(y0))
            .attr("x2", f(x1))
            .attr("y2", f(y1))
            .child(El::new("title").text(format!(
                "Link between Node {a} and Node {b}: click to cut or restore"
            )))
    });
    El::new("g")
        .class("links")
        .on_click(p.handlers.link_click.clone())
        .children(lines)
        .into()
}

/// The ring.
/// (A view function rather than a component: its inputs change every frame or it is tiny,
/// so memoising would buy nothing.)
pub fn ring(p: &RingProps) -> Html {
    let frame = &p.frame;
    let layout = frame.layout;
    let now = frame.now;
    let net = &frame.network;
    {
        let mut st = p.handlers.state.borrow_mut();
        st.layout = Some(layout);
        if st.draft != p.draft {
            st.draft = p.draft.clone();
        }
    }

    let arcs = frame.nodes.iter().filter(|n| n.up).filter_map(|n| {
        let (set, fires) = n.countdown?;
        let left = countdown_left(now, set, fires);
        let (cx, cy) = layout.pos(n.id);
        Some(
            El::new("circle")
                .key(n.id)
                .class("timer")
                .attr("cx", f(cx))
                .attr("cy", f(cy))
                .attr("r", f(layout.radius(n.id) + 5.5))
                .attr("pathLength", "100")
                .attr(
                    "stroke-dasharray",
                    format!("{} 100", crate::sim::decimal::fixed(left * 100.0, 2)),
                )
                .attr("transform", format!("rotate(-90 {} {})", f(cx), f(cy))),
        )
    });

    let longest_role = p
        .info
        .roles
        .iter()
        .map(|r| r.chars().count())
        .chain(["crashed".len()])
        .max()
        .unwrap_or(0);
    let labels = layout.labels(longest_role);
    let leading = leading_claim(frame.nodes.iter().map(|n| &**n));
    let nodes = frame.nodes.iter().map(|n| {
        let id = n.id;
        let drafting = p.draft.as_ref().map(|d| d.get(id as usize - 1) == Some(&1));
        let Some(place) = labels.places.get(id as usize - 1).copied() else {
            return Html::default();
        };
        component::<NodeGlyph>(
            Some(id.into()),
            NodeProps {
                node: n.clone(),
                info: p.info.clone(),
                layout,
                label: place,
                label_text: labels.text,
                label_font: labels.font,
                crowned: crowned(n, &p.info, leading),
                selected: p.selected == Some(id),
                open: p.menu == Some(Menu::Node(id)),
                drafting,
                dispatch: p.dispatch.clone(),
                now: if n.view.queue.is_empty() {
                    0
                } else {
                    frame.now
                },
            },
        )
    });

    let lost = frame.lost.iter().map(|m| {
        let frac = if m.reason == DropReason::Partition {
            cut_frac(&layout, net, m.from, m.to)
        } else {
            m.frac
        };
        let (x, y) = layout.along(m.from, m.to, frac);
        let age = now.saturating_sub(m.at) as f64 / frame.lost_window.max(1) as f64;
        let opacity = (1.0 - age * 0.8).clamp(0.2, 1.0);
        let a = layout.msg_r;
        El::new("g")
            .key(m.id)
            .class("lost")
            .attr("data-reason", m.reason.as_str())
            .attr("opacity", crate::sim::decimal::fixed(opacity, 2))
            .attr("transform", format!("translate({} {})", f(x), f(y)))
            .child(El::new("title").text(format!(
                "{} from Node {} to Node {} lost: {}",
                m.kind,
                m.from,
                m.to,
                m.reason.as_str()
            )))
            .child(El::new("path").attr(
                "d",
                format!("M{m} {m}L{p} {p}M{m} {p}L{p} {m}", m = f(-a), p = f(a)),
            ))
            .child(El::new("text").attr("y", f(-a - 3.0)).text("lost"))
    });

    let menu = p.menu.and_then(|m| menu_for(m, p, &layout));
    let drafting = p.draft.is_some();
    let label = format!(
        "{} cluster of {} nodes; {} messages in flight",
        p.info.title,
        layout.n,
        frame.flights.len()
    );

    let handlers = &p.handlers;
    // A group of one layer's drawings.
    let layer = |class: &'static str| El::new("g").class(class).attr("aria-hidden", "true");
    let svg = El::new("svg")
        .class(classes!("ring", drafting.then_some("drafting")))
        .attr(
            "viewBox",
            format!("0 0 {v} {v}", v = crate::sim::decimal::shortest(VIEW)),
        )
        .attr("role", "group")
        .attr("aria-label", label)
        .on_pointerdown(handlers.lasso.clone())
        .on_pointermove(handlers.lasso.clone())
        .on_pointerup(handlers.lasso.clone())
        .on_pointercancel(handlers.lasso.clone())
        .child(hatch_pattern())
        .child(
            El::new("rect")
                .class("bg")
                .attr("x", "0")
                .attr("y", "0")
                .attr("width", f(VIEW))
                .attr("height", f(VIEW))
                .on_click(handlers.background.clone()),
        )
        .child(sides_layer(&layout, &net.groups, "now"))
        .maybe(p.draft.as_ref().map(|d| sides_layer(&layout, d, "draft")))
        .maybe((layout.n > 1).then(|| {
            El::new("circle")
                .class("track")
                .attr("cx", f(CENTER))
                .attr("cy", f(CENTER))
                .attr("r", f(layout.ring_r))
        }))
        .child(links_layer(p, &layout))
        .child(cuts_layer(&layout, net))
        .child(directions_layer(&layout, net))
        .child(layer("timers").children(arcs))
        .child(El::new("g").class("nodes").children(nodes))
        .child(
            layer("terms").children(
                (frame.nodes.iter())
                    .filter(|_| !p.info.epoch_name.is_empty())
                    .map(|n| term_text(n, &layout)),
            ),
        )
        .child(layer("losts").children(lost))
        .child(component::<MessageLayer>(
            None,
            MessageLayerProps {
                flights: frame.flights.clone(),
                labels: frame.labels.clone(),
                network: frame.network.clone(),
                now,
                layout,
                reduced_motion: p.reduced_motion,
                playing: p.playing,
                open: match p.menu {
                    Some(Menu::Message(id)) => Some(id),
                    _ => None,
                },
                dispatch: p.dispatch.clone(),
            },
        ))
        .maybe(drafting.then(|| {
            El::new("path")
                .attr("id", "lasso")
                .attr("d", "")
                .class("lasso")
        }));
    fragment(vec![
        El::new("div")
            .class("ring-wrap")
            .child(svg)
            .child(
                El::new("canvas")
                    .class("flights")
                    .attr("aria-hidden", "true"),
            )
            .child(menu.unwrap_or_default())
            .into(),
        legend(&p.info, labels.text),
    ])
}

/// The hatching that fills every other partition side.
fn hatch_pattern() -> El {
    El::new("defs").child(
        El::new("pattern")
            .attr("id", "hatch")
            .attr("width", "8")
            .attr("height", "8")
            .attr("patternUnits", "userSpaceOnUse")
            .attr("patternTransform", "rotate(45)")
            .child(
                El::new("rect")
                    .attr("width", "8")
                    .attr("height", "8")
                    .class("hatch-bg"),
            )
            .child(
                El::new("line")
                    .attr("x1", "0")
                    .attr("y1", "0")
                    .attr("x2", "0")
                    .attr("y2", "8")
                    .class("hatch-line"),
            ),
    )
}

/// A small drawing of `shape` for the legend.
fn legend_shape(shape: Shape) -> El {
    let circle = |class: &'static str, r: &'static str| {
        El::new("circle")
            .attr("cx", "10")
            .attr("cy", "12")
            .attr("r", r)
            .class(class)
    };
    let path = |class: &'static str, d: &'static str| El::new("path").attr("d", d).class(class);
    let body: Html = match shape {
        Shape::Circle => circle("body", "6").into(),
        Shape::Crown => fragment(vec![
            circle("halo", "7.5").into(),
            circle("body thick", "5.5").into(),
            path("crown", "M6 3.5L6 0.5L8 2L10 0L12 2L14 0.5L14 3.5Z").into(),
        ]),
        Shape::Diamond => path("body dashed", "M10 4.5L17.5 12L10 19.5L2.5 12Z").into(),
        Shape::Square | Shape::Block => {
            let class = if shape == Shape::Block {
                "body block"
            } else {
                "body dotted"
            };
            El::new("rect")
                .attr("x", "4")
                .attr("y", "6")
                .attr("width", "12")
                .attr("height", "12")
                .class(class)
                .into()
        }
    };
    El::new("svg")
        .attr("viewBox", "0 0 20 20")
        .attr("width", "20")
        .attr("height", "20")
        .attr("aria-hidden", "true")
        .attr("focusable", "false")
        .class("e0")
        .child(body)
}

/// Where the nodes of kind `kind` stand, for the key.
fn whereabouts(placement: Placement, kind: &str) -> &'static str {
    match placement {
        Placement::Ring => "in the column at the left",
        Placement::Columns(_) => "in its own column",
        Placement::Star { hub } if hub == kind => "at the centre",
        Placement::Star { .. } => "around the centre",
    }
}

/// The key to the ring: what each shape means, the number inside a node, and (when labels show
/// only numbers) that the role is given by the shape.
fn legend(info: &ProtocolInfo, text: LabelText) -> Html {
    let roles = info.roles.iter().rev().map(|role| {
        let s = shape(info, role);
        let text = if s == Shape::Crown {
            format!("{role} (the crown marks the one leading)")
        } else {
            role.to_string()
        };
        El::new("li").child(legend_shape(s)).text(text)
    });
    let kinds = (info.kinds.iter()).map(|k| {
        let place = whereabouts(info.picture.placement, k.name);
        El::new("li")
            .child(legend_shape(Shape::Block))
            .text(format!("{} ({place})", k.name))
    });
    let number = El::new("li")
        .child(
            El::new("span")
                .attr("aria-hidden", "true")
                .class("legend-term")
                .text("2"),
        )
        .text(format!("number inside: the node's {}", info.epoch_name));
    El::new("div")
        .attr("id", "ring-legend")
        .class("legend")
        .child(
            El::new("ul")
                .attr("aria-label", "Key to the ring")
                .children(roles)
                .children(kinds)
                .maybe((!info.epoch_name.is_empty()).then_some(number)),
        )
        .maybe((text == LabelText::Id).then(|| {
            El::new("p")
                .class("hint")
                .text("Each node is labelled with its number; its shape gives its role.")
        }))
        .into()
}

/// The menu for a node, a message or a link, placed in the middle of the ring.
fn menu_for(menu: Menu, p: &RingProps, layout: &Layout) -> Option<Html> {
    let frame = &p.frame;
    let net = &frame.network;
    let (title, detail, items, return_to, after) = match menu {
        Menu::Node(id) => {
            let n = frame.nodes.iter().find(|n| n.id == id)?;
            let up = n.up;
            let mut items = vec![
                MenuItem::new("Crash", Msg::Act(ActionKind::Crash { node: id }), up),
                MenuItem::new("Restart", Msg::Act(ActionKind::Restart { node: id }), !up),
                MenuItem::new(
                    p.info.timeout_label,
                    Msg::Act(ActionKind::Timeout { node: id }),
                    up,
                ),
                MenuItem::new(
                    p.info.client_label,
                    Msg::Act(ActionKind::ClientRequest { node: id }),
                    up && n.paused_until.is_none(),
                ),
                MenuItem::new(
                    "Pause for 1 s (like a long GC pause)",
                    Msg::Act(ActionKind::Pause {
                        node: id,
                        duration: PAUSE,
                    }),
                    up && n.paused_until.is_none(),
                ),
            ];
            items.extend(super::live::knob_items(&p.info, &frame.setup, id));
            if layout.n > 1 {
                let groups = (1..=layout.n as NodeId)
                    .map(|k| u8::from(k == id))
                    .collect();
                let alone = (1..=layout.n as NodeId)
                    .filter(|&k| k != id)
                    .all(|k| net.is_cut(id, k));
                items.push(MenuItem::new(
                    "Isolate from network",
                    Msg::Act(ActionKind::Partition { groups }),
                    !alone,
                ));
                items.push(MenuItem::new(
                    "Cut or restore a link…",
                    Msg::OpenMenu(Menu::Links(id)),
                    true,
                ));
            }
            let detail = if let Some(until) = n.paused_until {
                format!(
                    "paused until {} ms: messages to it wait",
                    crate::sim::param::millis(until)
                )
            } else if up && n.view.has_log {
                format!("{} entries in its log", n.view.log_len)
            } else if up {
                let (name, value) = n.view.fields.first().cloned().unwrap_or_default();
                format!("{name}: {value}")
            } else {
                "crashed: restart it to bring it back".to_string()
            };
            let own = format!("node-{id}");
            (node_name(n, &p.info), detail, items, own.clone(), own)
        }
        Menu::Links(id) => {
            let others = || (1..=layout.n as NodeId).filter(move |&k| k != id);
            let items = others()
                .map(|k| link_item(net, id, k, false))
                .chain(others().map(|k| {
                    MenuItem::new(
                        format!("Link to Node {k}: one way, slow…"),
                        Msg::OpenMenu(Menu::Link(id, k)),
                        true,
                    )
                }))
                .collect();
            let own = format!("node-{id}");
            (
                format!("Links of Node {id}"),
                "Messages over a cut link are lost; a link can also be cut one way or slowed."
                    .to_string(),
                items,
                own.clone(),
                own,
            )
        }
        Menu::Link(a, b) => {
            if a == b || a.max(b) as usize > layout.n {
                return None;
            }
            let state = if net.cut_links.contains(&(a.min(b), a.max(b))) {
                "Cut: messages between them are lost.".to_string()
            } else if net.is_cut(a, b) && net.is_cut(b, a) {
                "Across the partition: messages between them are lost.".to_string()
            } else if net.is_cut(a, b) {
                format!("One way: Node {b} does not hear Node {a}; Node {a} still hears Node {b}.")
            } else if net.is_cut(b, a) {
                format!("One way: Node {a} does not hear Node {b}; Node {b} still hears Node {a}.")
            } else {
                "Working.".to_string()
            };
            let mut items = vec![link_item(net, a, b, true)];
            for (from, to) in [(a, b), (b, a)] {
                items.push(MenuItem::new(
                    format!("Cut one way: Node {to} stops hearing Node {from}"),
                    Msg::Act(ActionKind::CutOneWay { from, to }),
                    !net.is_cut(from, to),
                ));
            }
            for (from, to) in [(a, b), (b, a)] {
                let slow = net.slow_links.iter().any(|l| (l.0, l.1) == (from, to));
                let latency = (!slow).then(|| {
                    let c = net.config;
                    (c.latency_min * SLOW, c.latency_max * SLOW)
                });
                let label = if slow {
                    format!("Normal speed from Node {from} to Node {to}")
                } else {
                    format!("Slow down Node {from} → Node {to} ({SLOW}× latency)")
                };
                items.push(MenuItem::new(
                    label,
                    Msg::Act(ActionKind::LinkLatency { from, to, latency }),
                    latency.is_none_or(|(_, hi)| hi <= NetConfig::MAX_LATENCY),
                ));
            }
            let own = format!("node-{a}");
            (
                format!("Link between Node {a} and Node {b}"),
                state,
                items,
                own.clone(),
                own,
            )
        }
        Menu::Message(id) => {
            let fl = frame.flights.iter().find(|f| f.id == id)?;
            let items = vec![MenuItem::new(
                "Drop",
                Msg::Act(ActionKind::DropMessage { id }),
                true,
            )];
            (
                message_name(fl),
                fl.msg.detail.clone(),
                items,
                format!("msg-{id}"),
                format!("node-{}", fl.from),
            )
        }
    };
    Some(component::<PopupMenu>(
        Some(format!("{menu:?}").into()),
        MenuProps {
            title: title.into(),
            detail: detail.into(),
            items,
            return_to: return_to.into(),
            after: after.into(),
            dispatch: p.dispatch.clone(),
        },
    ))
}

/// How long the node menu's pause lasts: longer than any default election timeout, so a paused
/// leader is replaced.
const PAUSE: u64 = 1_000_000;

/// How many times slower the link menu's "Slow down" makes one direction.
const SLOW: u64 = 5;

/// "Cut link to Node k" or "Restore link to Node k" (`this`: "Cut this link"); a link cut one
/// way counts as cut (restoring it restores both directions).
fn link_item(net: &NetworkView, a: NodeId, b: NodeId, this: bool) -> MenuItem {
    let cut = net.cut_links.contains(&(a.min(b), a.max(b)))
        || net.one_way.contains(&(a, b))
        || net.one_way.contains(&(b, a));
    let label = match (cut, this) {
        (true, true) => "Restore this link".to_string(),
        (false, true) => "Cut this link".to_string(),
        (true, false) => format!("Restore link to Node {b}"),
        (false, false) => format!("Cut link to Node {b}"),
    };
    let kind = if cut {
        ActionKind::RestoreLink { a, b }
    } else {
        ActionKind::CutLink { a, b }
    };
    MenuItem::new(label, Msg::Act(kind), true)
}
