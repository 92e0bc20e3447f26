//! Pure drawing arithmetic: where nodes and messages go on the ring, which shape a role gets,
//! the epoch palette and the speed ladder. No DOM here.

use crate::sim::node::{NodeId, Placement, ProtocolInfo, Setup};
use crate::sim::time::Micros;

/// Side of the square SVG view box.
pub const VIEW: f64 = 400.0;
/// Centre of the ring.
pub const CENTER: f64 = VIEW / 2.0;
/// Where the column of nodes of other kinds (clients …) stands, left of the ring.
pub const COLUMN_X: f64 = 28.0;

/// Positions and sizes of every node, as the protocol's [`Placement`] asks: a ring of peers
/// with the other kinds in a column to its left, one column per kind, or a star around a hub.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Number of nodes of every kind.
    pub n: usize,
    /// Number of peers (nodes `1..=peers`, the protocol's main kind: they may lead, wear the
    /// crown and show a countdown).
    pub peers: usize,
    /// Radius of the ring the ring's node centres sit on.
    pub ring_r: f64,
    /// Radius of a node on the ring.
    pub node_r: f64,
    /// Radius of a node off the ring (in a column or at the hub).
    pub side_r: f64,
    /// Radius of a message dot.
    pub msg_r: f64,
    /// Where the nodes off the ring stand.
    arrangement: Arrangement,
}

/// Most kinds a layout arranges (the main kind and three others).
const MAX_KINDS: usize = 4;

/// How a [`Layout`] places nodes beyond the ring.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arrangement {
    /// Peers on the ring (`1..=peers`), every other node in one column at the left.
    RingAndColumn,
    /// Nothing on the ring: one column per kind; for each column, its first id, its node count
    /// and its x.
    Columns {
        columns: [(NodeId, usize, f64); MAX_KINDS],
        len: usize,
    },
    /// The hub's nodes (`first..first + count`) in the centre, every other node on the ring.
    Star { first: NodeId, count: usize },
}

/// One kind of node as a layout sees it: its name and how many the run has, in id order
/// (the main kind first, named by its first role).
pub type KindSize<'a> = (&'a str, usize);

impl Layout {
    /// The layout for a ring of `n` peers (1–25 and beyond: nodes shrink to fit).
    pub fn new(n: usize) -> Layout {
        Layout::of(n, n)
    }

    /// The layout for `n` nodes of which the first `peers` stand on the ring and the others
    /// in a column beside it (the ring shrinks to leave the column room).
    pub fn of(n: usize, peers: usize) -> Layout {
        let others = n.saturating_sub(peers);
        let ring_r = if others == 0 { 142.0 } else { 96.0 };
        let side_r = (Layout::column_step(others) * 0.22).clamp(6.0, 16.0);
        Layout::finish(n, peers, peers, ring_r, side_r, Arrangement::RingAndColumn)
    }

    /// The layout of a run of protocol `info` with `setup`'s kinds and counts.
    pub fn for_run(info: &ProtocolInfo, setup: &Setup) -> Layout {
        let main = info.roles.first().copied().unwrap_or("node");
        let kinds: Vec<KindSize<'_>> = std::iter::once((main, setup.nodes))
            .chain(setup.extra.iter().map(|k| (k.name, k.count)))
            .collect();
        Layout::place(info.picture.placement, &kinds)
    }

    /// The layout a protocol's placement asks for, given the run's kinds in id order.
    pub fn place(placement: Placement, kinds: &[KindSize<'_>]) -> Layout {
        let kinds = &kinds[..kinds.len().min(MAX_KINDS)];
        let n: usize = kinds.iter().map(|k| k.1).sum();
        let peers = kinds.first().map_or(0, |k| k.1);
        let first_of = |i: usize| 1 + kinds[..i].iter().map(|k| k.1).sum::<usize>() as NodeId;
        match placement {
            Placement::Ring => Layout::of(n, peers),
            Placement::Columns(order) => {
                // Kinds in the declared order, then any the order does not name.
                let mut shown: Vec<usize> = (order.iter())
                    .filter_map(|name| kinds.iter().position(|k| k.0 == *name))
                    .collect();
                let unnamed: Vec<usize> = (0..kinds.len()).filter(|i| !shown.contains(i)).collect();
                shown.extend(unnamed);
                shown.retain(|&i| kinds[i].1 > 0);
                let len = shown.len();
                let mut columns = [(0, 0, 0.0); MAX_KINDS];
                for (c, &i) in shown.iter().enumerate() {
                    let x = VIEW * (c as f64 + 0.5) / len.max(1) as f64;
                    columns[c] = (first_of(i), kinds[i].1, x);
                }
                let most = shown.iter().map(|&i| kinds[i].1).max().unwrap_or(1);
                let wide = VIEW / len.max(1) as f64 * 0.18;
                let side_r = (Layout::column_step(most) * 0.22)
                    .min(wide)
                    .clamp(6.0, 16.0);
                let arrangement = Arrangement::Columns { columns, len };
                Layout::finish(n, peers, 0, 0.0, side_r, arrangement)
            }
            Placement::Star { hub } => match kinds.iter().position(|k| k.0 == hub) {
                Some(i) if kinds[i].1 > 0 => {
                    let (first, count) = (first_of(i), kinds[i].1);
                    let side_r = (70.0 / count as f64).clamp(8.0, 22.0);
                    let arrangement = Arrangement::Star { first, count };
                    Layout::finish(n, peers, n - count, 142.0, side_r, arrangement)
                }
                _ => Layout::of(n, n),
            },
        }
    }

    /// Sizes the nodes of `on_ring` nodes on a ring of radius `ring_r` so that no crown
    /// touches a neighbour.
    fn finish(
        n: usize,
        peers: usize,
        on_ring: usize,
        ring_r: f64,
        side_r: f64,
        arrangement: Arrangement,
    ) -> Layout {
        // A node alone stands in the centre; one beside others keeps to the ring's top.
        let ring_r = if on_ring <= 1 && n == on_ring {
            0.0
        } else {
            ring_r
        };
        let node_r = if on_ring <= 1 {
            30.0
        } else {
            (std::f64::consts::PI * ring_r / on_ring as f64 * 0.62).clamp(8.0, 30.0)
        };
        let mut layout = Layout {
            n,
            peers,
            ring_r,
            node_r,
            side_r,
            msg_r: 0.0,
            arrangement,
        };
        // Shrink the nodes until no crown touches a neighbour.
        while layout.node_r > 6.0 && layout.crowded() {
            layout.node_r -= 0.5;
        }
        let smallest = if layout.ring_count() > 0 {
            layout.node_r
        } else {
            layout.side_r
        };
        layout.msg_r = (smallest * 0.27).clamp(4.0, 7.5);
        layout
    }

    /// Distance between neighbours in a column of `count` nodes.
    fn column_step(count: usize) -> f64 {
        ((VIEW - 60.0) / count.max(1) as f64).min(70.0)
    }

    /// How many nodes stand on the ring.
    fn ring_count(&self) -> usize {
        match self.arrangement {
            Arrangement::RingAndColumn => self.peers,
            Arrangement::Columns { .. } => 0,
            Arrangement::Star { count, .. } => self.n - count,
        }
    }

    /// The position on the ring (0-based) of node `id`, if it stands there.
    fn ring_index(&self, id: NodeId) -> Option<usize> {
        let i = id.checked_sub(1)? as usize;
        match self.arrangement {
            Arrangement::RingAndColumn => (i < self.peers).then_some(i),
            Arrangement::Columns { .. } => None,
            Arrangement::Star { first, count } => {
                let hub = first..first + count as NodeId;
                match id {
                    _ if hub.contains(&id) || i >= self.n => None,
                    _ if id < first => Some(i),
                    _ => Some(i - count),
                }
            }
        }
    }

    /// The node at ring position `i` (0-based): the inverse of [`Layout::ring_index`].
    fn ring_id(&self, i: usize) -> NodeId {
        let id = i as NodeId + 1;
        match self.arrangement {
            Arrangement::Star { first, count } if id >= first => id + count as NodeId,
            _ => id,
        }
    }

    /// The nodes on the ring, clockwise from the top.
    pub fn ring_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.ring_count()).map(|i| self.ring_id(i))
    }

    /// The node after `id` going clockwise round the ring (for nodes on the ring).
    pub fn next_on_ring(&self, id: NodeId) -> NodeId {
        let at = self.ring_index(id).unwrap_or(0);
        self.ring_id((at + 1) % self.ring_count().max(1))
    }

    /// Whether some node's body or crown overlaps a near neighbour's on the ring.
    fn crowded(&self) -> bool {
        let ring: Vec<NodeId> = self.ring_ids().collect();
        let n = ring.len();
        if n == 0 {
            return false;
        }
        (0..n).any(|i| {
            (1..=2.min(n - 1)).any(|k| {
                let (a, b) = (ring[i], ring[(i + k) % n]);
                let (ba, bb) = (self.body_box(a), self.body_box(b));
                let (ca, cb) = (self.crown_box(a), self.crown_box(b));
                ba.intersects(&bb) || ba.intersects(&cb) || ca.intersects(&bb) || ca.intersects(&cb)
            })
        })
    }

    /// Angle of a node at ring position `i` (0-based), starting at the top and going clockwise.
    fn angle(&self, i: usize) -> f64 {
        let on_ring = self.ring_count().max(1) as f64;
        -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / on_ring
    }

    /// Centre of node `id`.
    pub fn pos(&self, id: NodeId) -> (f64, f64) {
        if let Some(i) = self.ring_index(id) {
            let (s, c) = sin_cos(self.angle(i));
            return (CENTER + self.ring_r * c, CENTER + self.ring_r * s);
        }
        let in_column = |first: NodeId, count: usize, x: f64| {
            let step = Layout::column_step(count);
            let k = (id - first) as f64 - (count as f64 - 1.0) / 2.0;
            (x, CENTER + k * step)
        };
        match self.arrangement {
            Arrangement::RingAndColumn => {
                in_column(self.peers as NodeId + 1, self.n - self.peers, COLUMN_X)
            }
            Arrangement::Columns { columns, len } => {
                let column = columns[..len]
                    .iter()
                    .find(|&&(first, count, _)| id >= first && id < first + count as NodeId);
                column.map_or((CENTER, CENTER), |&(first, count, x)| {
                    in_column(first, count, x)
                })
            }
            Arrangement::Star { first, count } => {
                // Side by side in the centre.
                let step = 2.6 * self.side_r;
                let k = (id.saturating_sub(first)) as f64 - (count as f64 - 1.0) / 2.0;
                (CENTER + k * step, CENTER)
            }
        }
    }

    /// Whether node `id` stands on the ring rather than in a column or at the hub.
    pub fn on_ring(&self, id: NodeId) -> bool {
        self.ring_index(id).is_some()
    }

    /// Whether node `id` is a peer (the protocol's main kind): one that may lead and show a
    /// countdown.
    pub fn is_peer(&self, id: NodeId) -> bool {
        id >= 1 && id as usize <= self.peers
    }

    /// Radius of node `id`.
    pub fn radius(&self, id: NodeId) -> f64 {
        if self.on_ring(id) {
            self.node_r
        } else {
            self.side_r
        }
    }

    /// A point `frac` of the way from node `from`'s rim to node `to`'s rim.
    pub fn along(&self, from: NodeId, to: NodeId, frac: f64) -> (f64, f64) {
        let (x0, y0) = self.pos(from);
        let (x1, y1) = self.pos(to);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-6 {
            return (x0, y0 - self.radius(from) - 8.0);
        }
        let inset = |id| (self.radius(id) + self.msg_r).min(len / 2.0);
        let (ux, uy) = (dx / len, dy / len);
        let (sx, sy) = (x0 + ux * inset(from), y0 + uy * inset(from));
        let (ex, ey) = (x1 - ux * inset(to), y1 - uy * inset(to));
        (sx + (ex - sx) * frac, sy + (ey - sy) * frac)
    }
}

/// An axis-aligned box in view-box units (`x`, `y`: top-left corner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The box of half-size (`hw`, `hh`) around (`cx`, `cy`).
    pub fn around(cx: f64, cy: f64, hw: f64, hh: f64) -> Rect {
        Rect {
            x: cx - hw,
            y: cy - hh,
            w: 2.0 * hw,
            h: 2.0 * hh,
        }
    }

    /// Whether the two boxes share any area (touching edges do not count).
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether this box lies wholly inside `outer`.
    pub fn inside(&self, outer: &Rect) -> bool {
        self.x >= outer.x
            && self.y >= outer.y
            && self.x + self.w <= outer.x + outer.w
            && self.y + self.h <= outer.y + outer.h
    }
}

/// What a node's label says: its number and role where there is room for the longest role
/// (`3 · candidate`), else only its number (the shape and the legend give the role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelText {
    /// `3 · candidate`.
    IdAndRole,
    /// `3`.
    Id,
}

/// Where one node's label is drawn: `x` is its middle, `y` its baseline, `rect` the room
/// reserved for it (for the longest label it may show).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelPlace {
    /// Horizontal middle of the text.
    pub x: f64,
    /// Baseline of the text.
    pub y: f64,
    /// The box the text stays within.
    pub rect: Rect,
}

/// Every node's label: what they say, their font size and where each goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    /// What the labels say.
    pub text: LabelText,
    /// Font size in view-box units.
    pub font: f64,
    /// Placement of node `id`'s label at index `id - 1`.
    pub places: Vec<LabelPlace>,
}

/// Width of one character of a label, as a share of the font size (wide enough for the
/// page's sans-serif digits and lower-case letters).
const CHAR_W: f64 = 0.62;
/// Gap kept between a label and anything else, in view-box units.
const LABEL_GAP: f64 = 2.0;

impl Layout {
    /// The box around node `id`'s circle (with its halo when crowned; a diamond's corners
    /// reach a little beyond it, on the axes only).
    pub fn body_box(&self, id: NodeId) -> Rect {
        let (cx, cy) = self.pos(id);
        let e = self.radius(id) + 2.0;
        Rect::around(cx, cy, e, e)
    }

    /// The box around node `id` and its countdown arc: labels keep out of it.
    fn arc_box(&self, id: NodeId) -> Rect {
        let (cx, cy) = self.pos(id);
        // Only peers have a countdown: the others keep to their body.
        let e = self.radius(id) + if self.is_peer(id) { 7.0 } else { 2.0 };
        Rect::around(cx, cy, e, e)
    }

    /// Half-width of the crown drawn over a node in the most prominent role.
    pub fn crown_half_width(&self, id: NodeId) -> f64 {
        self.radius(id) * 0.55
    }

    /// The box of the crown over node `id` (reserved for every node: any may come to lead).
    pub fn crown_box(&self, id: NodeId) -> Rect {
        let (cx, cy) = self.pos(id);
        let w = self.crown_half_width(id);
        let bottom = cy - self.radius(id) - 3.0;
        let top = bottom - w * 1.1;
        Rect {
            x: cx - w,
            y: top,
            w: 2.0 * w,
            h: bottom - top,
        }
    }

    /// Font size of node labels.
    pub fn label_font(&self) -> f64 {
        let r = match (self.ring_count(), self.n - self.ring_count()) {
            (_, 0) => self.node_r,
            (0, _) => self.side_r * 1.2,
            _ => self.node_r.min(self.side_r * 1.2),
        };
        (r * 0.5).clamp(7.5, 12.0)
    }

    /// Where every node's label goes so that no label overlaps a node, a crown or another
    /// label, and all stay inside the drawing. `longest_role` is the number of characters of
    /// the longest role name a node may show (including `crashed`). The labels name the role
    /// when there is room for it next to every node, else only the node's number.
    pub fn labels(&self, longest_role: usize) -> Labels {
        let font = self.label_font();
        let digits = self.n.max(1).to_string().len();
        let wide = self.place_labels(font, digits + 3 + longest_role, true);
        match wide {
            Some(places) => Labels {
                text: LabelText::IdAndRole,
                font,
                places,
            },
            None => Labels {
                text: LabelText::Id,
                font,
                places: self
                    .place_labels(font, digits, false)
                    .unwrap_or_else(|| self.fallback_labels(font, digits)),
            },
        }
    }

    /// Places a label of `chars` characters for every node, trying for each (in order) below
    /// the node, outwards from the ring, above its crown, then inwards (outwards first when
    /// `below_first` is false); `None` if some node has no free spot.
    fn place_labels(&self, font: f64, chars: usize, below_first: bool) -> Option<Vec<LabelPlace>> {
        let view = Rect {
            x: 0.0,
            y: 0.0,
            w: VIEW,
            h: VIEW,
        };
        let hw = chars as f64 * font * CHAR_W / 2.0 + LABEL_GAP;
        let hh = font * 0.65 + LABEL_GAP;
        let ids = 1..=self.n as NodeId;
        let mut taken: Vec<Rect> = ids.clone().map(|id| self.arc_box(id)).collect();
        if self.n > 1 {
            // Only peers can come to lead and wear a crown.
            let ring = ids.clone().filter(|&id| self.is_peer(id));
            taken.extend(ring.map(|id| self.crown_box(id)));
        }
        let mut places = Vec::with_capacity(self.n);
        for id in ids {
            let (cx, cy) = self.pos(id);
            let body = self.arc_box(id);
            let crown = self.crown_box(id);
            let (ux, uy) = if self.n <= 1 || !self.on_ring(id) {
                (0.0, 1.0)
            } else {
                ((cx - CENTER) / self.ring_r, (cy - CENTER) / self.ring_r)
            };
            // Out from the node along (dx, dy) until clear of its own body and crown.
            let along = |dx: f64, dy: f64| {
                let mut d = self.radius(id);
                loop {
                    let r = Rect::around(cx + dx * d, cy + dy * d, hw, hh);
                    if !(r.intersects(&body) || r.intersects(&crown)) || d > VIEW {
                        return r;
                    }
                    d += 1.0;
                }
            };
            let below = Rect::around(cx, body.y + body.h + hh, hw, hh);
            let above = Rect::around(cx, crown.y - hh, hw, hh);
            let mut tries = if self.on_ring(id) {
                vec![below, along(ux, uy), above, along(-ux, -uy)]
            } else if self.is_peer(id) {
                vec![below, above, along(1.0, 0.0), along(-1.0, 0.0)]
            } else {
                // No crown: below, just above, else to the right or the left.
                let above = Rect::around(cx, body.y - hh, hw, hh);
                vec![below, above, along(1.0, 0.0), along(-1.0, 0.0)]
            };
            if !below_first && self.on_ring(id) {
                tries.swap(0, 1);
            }
            let spot = tries
                .into_iter()
                .find(|r| r.inside(&view) && !taken.iter().any(|t| t.intersects(r)))?;
            taken.push(spot);
            places.push(LabelPlace {
                x: spot.x + spot.w / 2.0,
                y: spot.y + spot.h / 2.0 + font * 0.35,
                rect: spot,
            });
        }
        Some(places)
    }

    /// Labels straight below their nodes (only for cluster sizes beyond what the page offers).
    fn fallback_labels(&self, font: f64, chars: usize) -> Vec<LabelPlace> {
        let hw = chars as f64 * font * CHAR_W / 2.0;
        (1..=self.n as NodeId)
            .map(|id| {
                let (cx, cy) = self.pos(id);
                let y = cy + self.radius(id) + 7.0 + font;
                LabelPlace {
                    x: cx,
                    y,
                    rect: Rect::around(cx, y - font * 0.35, hw, font * 0.65),
                }
            })
            .collect()
    }
}

/// Where a pop-up of size `size` (w, h) goes beside the `anchor` box so that it stays inside a
/// `viewport` (w, h) with `margin` to spare, in the same pixel coordinates: beside the anchor
/// on the side `toward_right` prefers, else on the other side, else below, else above — each
/// slid along the anchor to fit — and, when nothing fits, pinned inside the viewport. Returns
/// the pop-up's top-left corner.
pub fn beside(
    anchor: Rect,
    size: (f64, f64),
    viewport: (f64, f64),
    margin: f64,
    toward_right: bool,
) -> (f64, f64) {
    const GAP: f64 = 8.0;
    let (w, h) = size;
    let (vw, vh) = viewport;
    let clamp = |v: f64, len: f64, room: f64| v.min(room - margin - len).max(margin);
    let mid_y = clamp(anchor.y + anchor.h / 2.0 - h / 2.0, h, vh);
    let mid_x = clamp(anchor.x + anchor.w / 2.0 - w / 2.0, w, vw);
    let right = (anchor.x + anchor.w + GAP, mid_y);
    let left = (anchor.x - GAP - w, mid_y);
    let below = (mid_x, anchor.y + anchor.h + GAP);
    let above = (mid_x, anchor.y - GAP - h);
    let sides = if toward_right {
        [right, left, below, above]
    } else {
        [left, right, below, above]
    };
    let fits = |(x, y): (f64, f64)| {
        x >= margin && y >= margin && x + w <= vw - margin && y + h <= vh - margin
    };
    sides
        .into_iter()
        .find(|&p| fits(p))
        .unwrap_or((clamp(sides[0].0, w, vw), clamp(sides[0].1, h, vh)))
}

/// Sine and cosine of `x` by Taylor series after reduction to [-π, π] (error below 1e-10):
/// the ring needs no more, and this keeps the general-purpose trigonometry out of the wasm.
pub fn sin_cos(x: f64) -> (f64, f64) {
    use std::f64::consts::TAU;
    let x = x - TAU * (x / TAU).round();
    let x2 = x * x;
    let (mut s, mut c) = (0.0, 0.0);
    let (mut ts, mut tc) = (x, 1.0);
    for k in 0..12 {
        s += ts;
        c += tc;
        let k = k as f64;
        ts *= -x2 / ((2.0 * k + 2.0) * (2.0 * k + 3.0));
        tc *= -x2 / ((2.0 * k + 1.0) * (2.0 * k + 2.0));
    }
    (s, c)
}

/// How a role is drawn, by its prominence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The most prominent role (leader): thick double ring and a crown.
    Crown,
    /// The next most prominent of three or more (candidate): dashed diamond.
    Diamond,
    /// Other middle roles: dotted square.
    Square,
    /// The least prominent role (follower): plain circle.
    Circle,
    /// A node of another kind than the peers (a client): a rounded square.
    Block,
}

/// The most prominent role, the one the crown marks (Raft's `leader`, failover's `primary`), as
/// the page names its changes; `leader` for a protocol with a single role.
pub fn leading_role(info: &ProtocolInfo) -> &'static str {
    match info.roles.as_slice() {
        [.., _, last] => last,
        _ => "leader",
    }
}

/// The shape for `role`. `info.roles` lists roles from the least to the most prominent (Raft:
/// follower, candidate, leader): the last gets the crown, the first the plain circle.
pub fn shape(info: &ProtocolInfo, role: &str) -> Shape {
    let n = info.roles.len();
    match info.roles.iter().position(|r| *r == role) {
        Some(i) if n >= 2 && i == n - 1 => Shape::Crown,
        Some(i) if n >= 3 && i == n - 2 => Shape::Diamond,
        Some(i) if i > 0 => Shape::Square,
        Some(_) => Shape::Circle,
        None if info.kinds.iter().any(|k| k.name == role) => Shape::Block,
        None => Shape::Circle,
    }
}

/// Number of colours in the epoch palette (Okabe–Ito, colour-blind safe; see `style.css`).
pub const EPOCH_COLOURS: u64 = 7;

/// CSS class giving the fill colour of epoch `epoch` (`e0` is reserved for epoch 0).
pub fn epoch_class(epoch: u64) -> String {
    if epoch == 0 {
        "e0".to_string()
    } else {
        format!("e{}", 1 + (epoch - 1) % EPOCH_COLOURS)
    }
}

/// CSS class colouring a message type, stable for a given name.
pub fn kind_class(kind: &str) -> String {
    format!("k{}", kind_index(kind))
}

/// The colour (0–3) of a message kind: the `N` of its class `kN`.
pub fn kind_index(kind: &str) -> usize {
    let h = kind
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    (h % 4) as usize
}

/// How much of a countdown is left at `now`, from 1 (just set) to 0 (firing).
pub fn countdown_left(now: Micros, set_at: Micros, fires_at: Micros) -> f64 {
    if fires_at <= set_at {
        return 0.0;
    }
    let left = fires_at.saturating_sub(now) as f64 / (fires_at - set_at) as f64;
    left.clamp(0.0, 1.0)
}

/// How far a message has travelled at `now` (0 at the sender, 1 at the receiver). With
/// `reduced_motion` it jumps between three fixed points instead of gliding.
pub fn flight_frac(now: Micros, sent: Micros, arrives: Micros, reduced_motion: bool) -> f64 {
    let f = if arrives <= sent {
        1.0
    } else {
        (now.saturating_sub(sent) as f64 / (arrives - sent) as f64).clamp(0.0, 1.0)
    };
    if reduced_motion {
        ((f * 3.0).floor().min(2.0) * 2.0 + 1.0) / 6.0
    } else {
        f
    }
}

/// The speed ladder in virtual seconds per wall second (log scale, 1/1000× to 10×).
pub const SPEEDS: [f64; 13] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// Default speed: 1/100 of real time, so a 10–15 ms message takes 1–1.5 s (like RaftScope).
pub const DEFAULT_SPEED: usize = 3;

/// A speed for people: `1/100×`, `2×`.
pub fn speed_label(i: usize) -> String {
    let s = SPEEDS[i.min(SPEEDS.len() - 1)];
    if s < 1.0 {
        format!("1/{}×", (1.0 / s).round() as u64)
    } else {
        format!("{}×", s as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_cos_is_accurate() {
        for i in -40..=40 {
            let x = i as f64 * 0.37;
            let (s, c) = sin_cos(x);
            assert!(
                (s - x.sin()).abs() < 1e-9 && (c - x.cos()).abs() < 1e-9,
                "{x}"
            );
        }
    }

    #[test]
    fn reduced_motion_uses_three_points() {
        assert_eq!(flight_frac(0, 0, 90, true), 1.0 / 6.0);
        assert_eq!(flight_frac(45, 0, 90, true), 0.5);
        assert_eq!(flight_frac(90, 0, 90, true), 5.0 / 6.0);
        assert_eq!(flight_frac(45, 0, 90, false), 0.5);
    }

    /// Every box a node draws: body, crown and label, tagged with the node.
    fn boxes(layout: &Layout, labels: &Labels) -> Vec<(NodeId, &'static str, Rect)> {
        let mut all = Vec::new();
        for id in 1..=layout.n as NodeId {
            all.push((id, "body", layout.body_box(id)));
            if layout.is_peer(id) {
                all.push((id, "crown", layout.crown_box(id)));
            }
            all.push((id, "label", labels.places[id as usize - 1].rect));
        }
        all
    }

    #[test]
    fn labels_crowns_and_nodes_never_overlap_at_any_size() {
        let view = Rect {
            x: 0.0,
            y: 0.0,
            w: VIEW,
            h: VIEW,
        };
        // "candidate" is the longest role of any protocol; "crashed" the longest state.
        // Peers alone, and peers with a column of up to 16 clients.
        let sizes = (1..=25)
            .map(|n| (n, 0))
            .chain((1..=25).flat_map(|n| [1, 3, 8, 16].into_iter().map(move |others| (n, others))));
        let mut layouts: Vec<(String, Layout)> = sizes
            .map(|(peers, others)| {
                let layout = Layout::of(peers + others, peers);
                (format!("ring {peers}+{others}"), layout)
            })
            .collect();
        // Columns (clients | balancer | servers) and a star around a manager.
        const ORDER: &[&str] = &["client", "balancer", "server"];
        for servers in [1, 2, 5, 10, 16] {
            for clients in [0, 1, 4, 16] {
                let kinds = [("server", servers), ("balancer", 1), ("client", clients)];
                let layout = Layout::place(Placement::Columns(ORDER), &kinds);
                layouts.push((format!("columns {clients}|1|{servers}"), layout));
                let kinds = [("replica", servers), ("manager", 1), ("client", clients)];
                let layout = Layout::place(Placement::Star { hub: "manager" }, &kinds);
                layouts.push((format!("star 1+{servers}+{clients}"), layout));
            }
        }
        for (n, layout) in layouts {
            let labels = layout.labels("candidate".len());
            assert_eq!(labels.places.len(), layout.n);
            let all = boxes(&layout, &labels);
            for (i, (a, what_a, ra)) in all.iter().enumerate() {
                if *what_a == "label" {
                    assert!(
                        ra.inside(&view),
                        "{n} nodes: label of node {a} leaves the drawing"
                    );
                }
                if *what_a == "body" {
                    assert!(ra.inside(&view), "{n} nodes: node {a} leaves the drawing");
                }
                for (b, what_b, rb) in &all[i + 1..] {
                    // A node's own crown sits on its own body by design.
                    if a == b && *what_a != "label" && *what_b != "label" {
                        continue;
                    }
                    assert!(
                        !ra.intersects(rb),
                        "{n} nodes: {what_a} of node {a} overlaps {what_b} of node {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn ring_order_walks_every_node_on_the_ring_once() {
        let star = [("replica", 5), ("manager", 1), ("client", 3)];
        let layouts = [
            Layout::new(7),
            Layout::of(8, 5),
            Layout::place(Placement::Star { hub: "manager" }, &star),
        ];
        for layout in layouts {
            let ring: Vec<NodeId> = layout.ring_ids().collect();
            let on: Vec<NodeId> = (1..=layout.n as NodeId)
                .filter(|&id| layout.on_ring(id))
                .collect();
            assert_eq!(ring, on, "{layout:?}");
            for (i, &id) in ring.iter().enumerate() {
                assert_eq!(layout.ring_index(id), Some(i));
                assert_eq!(layout.next_on_ring(id), ring[(i + 1) % ring.len()]);
            }
        }
    }

    #[test]
    fn labels_name_the_role_where_there_is_room() {
        assert_eq!(Layout::new(5).labels(9).text, LabelText::IdAndRole);
        assert_eq!(Layout::new(25).labels(9).text, LabelText::Id);
        let sizes: Vec<usize> = (1..=25)
            .filter(|&n| Layout::new(n).labels(9).text == LabelText::IdAndRole)
            .collect();
        println!("role words fit for sizes {sizes:?}");
    }

    #[test]
    fn a_menu_opens_beside_its_node_inside_the_viewport() {
        let node = Rect::around(300.0, 200.0, 20.0, 20.0);
        let menu = (200.0, 300.0);
        let inside = |(x, y): (f64, f64), vw: f64, vh: f64| {
            x >= 8.0 && y >= 8.0 && x + menu.0 <= vw - 8.0 && y + menu.1 <= vh - 8.0
        };
        // Room on the right: beside the node, vertically centred on it.
        let at = beside(node, menu, (1280.0, 900.0), 8.0, true);
        assert_eq!(at, (328.0, 50.0));
        // Preferring the left.
        assert_eq!(
            beside(node, menu, (1280.0, 900.0), 8.0, false),
            (72.0, 50.0)
        );
        // Near the top: slid down to stay inside.
        let top = Rect::around(300.0, 30.0, 20.0, 20.0);
        assert_eq!(beside(top, menu, (1280.0, 900.0), 8.0, true).1, 8.0);
        // A narrow phone: no room on either side, so below (or above) the node.
        for (cy, vh) in [(100.0, 640.0), (560.0, 640.0)] {
            let node = Rect::around(180.0, cy, 12.0, 12.0);
            let at = beside(node, menu, (360.0, vh), 8.0, true);
            assert!(inside(at, 360.0, vh), "{at:?}");
            let placed = Rect {
                x: at.0,
                y: at.1,
                w: menu.0,
                h: menu.1,
            };
            assert!(!placed.intersects(&node), "{at:?} covers the node");
        }
        // Taller than the viewport: pinned to its top.
        assert_eq!(
            beside(node, (200.0, 1000.0), (1280.0, 900.0), 8.0, true).1,
            8.0
        );
    }

    #[test]
    fn palette_cycles_and_speeds_read_well() {
        assert_eq!(epoch_class(0), "e0");
        assert_eq!(epoch_class(1), "e1");
        assert_eq!(epoch_class(8), "e1");
        assert_eq!(speed_label(DEFAULT_SPEED), "1/100×");
        assert_eq!(speed_label(12), "10×");
    }
}
