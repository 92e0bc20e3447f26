//! Consistent hashing's pictures as markup: the ring with each server's arcs, its legend with
//! the share of keys each server owns and what the last change of membership moved, and the
//! chart of load spread against virtual nodes. Written as strings, like the charts ([`super::svg`]).

use std::f64::consts::TAU;
use std::fmt::Write;

use crate::sim::HashRingView;
use crate::sim::decimal::{fixed, shortest};

use super::svg::escape;

/// The ring drawing's size (a square) and its circle's radius.
const SIZE: f64 = 220.0;
const RADIUS: f64 = 88.0;

/// The point at `millionths` of the way round the ring (clockwise from the top).
fn at(millionths: u32) -> (String, String) {
    let (sin, cos) = turn_sin_cos(millionths);
    let c = SIZE / 2.0;
    (fixed(c + RADIUS * sin, 1), fixed(c - RADIUS * cos, 1))
}

/// The sine and cosine of `millionths` of a turn, without a maths library: libm's general
/// sine and cosine, with their argument reduction, weigh kilobytes in the web build. The turn
/// is folded exactly, in integers, into an eighth of a turn, where eight terms of the Taylor
/// series are exact to within 1e-14 — far below the tenth of a pixel the drawing writes.
fn turn_sin_cos(millionths: u32) -> (f64, f64) {
    const QUARTER: u32 = 250_000;
    let within = millionths % QUARTER;
    let (sin, cos) = if within <= QUARTER / 2 {
        eighth_sin_cos(within)
    } else {
        // sin(π/2 − x) = cos x and cos(π/2 − x) = sin x.
        let (sin, cos) = eighth_sin_cos(QUARTER - within);
        (cos, sin)
    };
    match millionths / QUARTER % 4 {
        0 => (sin, cos),
        1 => (cos, -sin),
        2 => (-sin, -cos),
        _ => (-cos, sin),
    }
}

/// The sine and cosine of `millionths` of a turn, at most an eighth, by their Taylor series.
fn eighth_sin_cos(millionths: u32) -> (f64, f64) {
    let x = f64::from(millionths) / 1e6 * TAU;
    let (mut sin, mut cos) = (0.0, 0.0);
    let (mut sin_term, mut cos_term) = (x, 1.0);
    for k in 1..=8 {
        sin += sin_term;
        cos += cos_term;
        let k = f64::from(k);
        sin_term *= -x * x / ((2.0 * k) * (2.0 * k + 1.0));
        cos_term *= -x * x / ((2.0 * k - 1.0) * (2.0 * k));
    }
    (sin, cos)
}

/// `NN.N %` from thousandths.
fn percent(thousandths: u32) -> String {
    format!("{} %", fixed(f64::from(thousandths) / 10.0, 1))
}

/// The series class of member `i` (its colour and dash pattern, as the charts' lines).
fn class(i: usize) -> String {
    format!("line s{}", i % 4)
}

/// One arc path per server on the ring: each virtual node owns the keys from the previous one
/// (exclusive) round to itself. Without virtual nodes (a scheme without a ring), each server's
/// share of the keys as one arc, in member order.
fn arcs(v: &HashRingView) -> Vec<(usize, String)> {
    let mut paths: Vec<(usize, String)> = Vec::new();
    let mut arc = |owner: usize, from: u32, to: u32| {
        let (x0, y0) = at(from);
        let (x1, y1) = at(to);
        let large = u32::from((to + 1_000_000 - from) % 1_000_000 > 500_000);
        let r = shortest(RADIUS);
        let d = format!("M{x0} {y0}A{r} {r} 0 {large} 1 {x1} {y1}");
        match paths.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, path)) => path.push_str(&d),
            None => paths.push((owner, d)),
        }
    };
    let member = |id| v.members.iter().position(|m| m.0 == id);
    if v.points.is_empty() {
        let mut start = 0u32;
        for (i, &share) in v.shares.iter().enumerate() {
            let end = (start + share * 1000).min(1_000_000);
            if share > 0 {
                arc(i, start, end);
            }
            start = end;
        }
        return paths;
    }
    let n = v.points.len();
    for (k, &(pos, id)) in v.points.iter().enumerate() {
        let prev = v.points[(k + n - 1) % n].0;
        // A single point owns the whole ring: two half circles.
        if n == 1 {
            arc(member(id).unwrap_or(0), pos, (pos + 500_000) % 1_000_000);
            arc(member(id).unwrap_or(0), (pos + 500_000) % 1_000_000, pos);
        } else if let Some(i) = member(id) {
            arc(i, prev, pos);
        }
    }
    paths
}

/// What the ring shows, for its accessible name: `Hashing ring (ring scheme, 100 virtual nodes
/// per server): Node 2 24.6 %, Node 3 25.3 %, Node 4 off the ring, Node 5 …`.
pub fn ring_description(v: &HashRingView) -> String {
    let mut s = String::from("Hashing ring (");
    if v.points.is_empty() {
        let _ = write!(s, "{} scheme): ", v.scheme);
    } else {
        let _ = write!(s, "ring scheme, {} virtual nodes per server): ", v.vnodes);
    }
    for (i, (&(id, on), &share)) in v.members.iter().zip(&v.shares).enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        if on {
            let _ = write!(s, "{sep}Node {id} {}", percent(share));
        } else {
            let _ = write!(s, "{sep}Node {id} off the ring");
        }
    }
    s
}

/// The ring: a faint full circle, each server's arcs in its colour, and a tick at every
/// virtual node. Named by [`ring_description`].
pub fn ring_drawing(v: &HashRingView) -> String {
    let size = shortest(SIZE);
    let c = shortest(SIZE / 2.0);
    let mut s = format!(
        r#"<svg class="ring-svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" aria-label=""#
    );
    escape(&mut s, &ring_description(v));
    let _ = write!(
        s,
        r#""><circle class="ring-base" cx="{c}" cy="{c}" r="{}"/>"#,
        shortest(RADIUS)
    );
    for (i, d) in arcs(v) {
        let id = v.members[i].0;
        let _ = write!(
            s,
            r#"<path class="{}" d="{d}" data-node="{id}"/>"#,
            class(i)
        );
    }
    for &(pos, _) in &v.points {
        let (x, y) = at(pos);
        let _ = write!(s, r#"<circle class="vnode" cx="{x}" cy="{y}" r="1.6"/>"#);
    }
    s.push_str("</svg>");
    s
}

/// The ring's legend: each server's colour, and its share of the keys or that it is off the
/// ring; then what the last change of membership moved, next to mod-N hashing.
pub fn ring_key(v: &HashRingView) -> String {
    let mut s = String::from(r#"<ul class="chart-legend ring-legend">"#);
    for (i, (&(id, on), &share)) in v.members.iter().zip(&v.shares).enumerate() {
        let _ = write!(
            s,
            r#"<li><svg width="22" height="8" aria-hidden="true"><line class="{}" x1="1" x2="21" y1="4" y2="4"/></svg>"#,
            class(i)
        );
        if on {
            let _ = write!(s, "Node {id}: {} of the keys</li>", percent(share));
        } else {
            let _ = write!(s, "Node {id}: off the ring (suspected)</li>");
        }
    }
    s.push_str(r#"</ul><p class="ring-moved">"#);
    match v.moved {
        Some(m) => escape(&mut s, &m.sentence(v.keys)),
        None => s.push_str("No server has left or joined yet: crash one to see which keys move."),
    }
    s.push_str("</p>");
    s
}

/// The spread chart's size and margins.
const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 30.0;

/// The chart's accessible name, with every value: `Load spread against virtual nodes per
/// server (largest share ÷ mean, standard deviation ÷ mean): 1: 1.93, 0.61; 2: …`.
pub fn spread_description(v: &HashRingView) -> String {
    let mut s = String::from(
        "Load spread against virtual nodes per server (largest share ÷ mean, standard deviation ÷ mean): ",
    );
    for (i, &(n, max, std)) in v.spread.iter().enumerate() {
        let _ = write!(
            s,
            "{}{n}: {}, {}",
            if i == 0 { "" } else { "; " },
            fixed(f64::from(max) / 1000.0, 2),
            fixed(f64::from(std) / 1000.0, 2)
        );
    }
    s
}

/// Load spread against the number of virtual nodes: the largest share over the mean and the
/// standard deviation over the mean, one point per number of virtual nodes (evenly spaced, as
/// they grow about tenfold every three steps), and the run's own number marked.
pub fn spread_drawing(v: &HashRingView) -> String {
    let n = v.spread.len().max(1);
    let top = (v.spread.iter().map(|p| p.1).max().unwrap_or(1000)).max(1000);
    // The y axis from 0 to the largest ratio, rounded up to a half.
    let y_top = f64::from(top.div_ceil(500) * 500) / 1000.0;
    let x = |i: usize| LEFT + (WIDTH - LEFT - RIGHT) * (i as f64 + 0.5) / n as f64;
    let y = |r: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - r / y_top);
    let (w, h) = (shortest(WIDTH), shortest(HEIGHT));
    let mut s = format!(
        r#"<svg class="chart-svg spread-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label=""#
    );
    escape(&mut s, &spread_description(v));
    s.push_str(r#"">"#);
    let (x0, x1) = (shortest(LEFT), shortest(WIDTH - RIGHT));
    let mut tick = 0.0;
    while tick <= y_top + 1e-9 {
        let ty = fixed(y(tick), 1);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{x0}" x2="{x1}" y1="{ty}" y2="{ty}"/><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            shortest(LEFT - 4.0),
            fixed(y(tick) + 3.5, 1),
            fixed(tick, 1)
        );
        tick += 0.5;
    }
    for (i, &(vnodes, _, _)) in v.spread.iter().enumerate() {
        let class = if vnodes == v.vnodes {
            "tick own"
        } else {
            "tick"
        };
        let _ = write!(
            s,
            r#"<text class="{class}" x="{}" y="{}" text-anchor="middle">{vnodes}</text>"#,
            fixed(x(i), 1),
            shortest(HEIGHT - BOTTOM + 14.0)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">virtual nodes per server</text>"#,
        shortest((LEFT + WIDTH - RIGHT) / 2.0),
        shortest(HEIGHT - 3.0)
    );
    for (k, label) in [
        (1usize, "largest share ÷ mean"),
        (2, "std. deviation ÷ mean"),
    ] {
        let mut d = String::new();
        for (i, p) in v.spread.iter().enumerate() {
            let r = f64::from(if k == 1 { p.1 } else { p.2 }) / 1000.0;
            let _ = write!(
                d,
                "{}{} {}",
                if i == 0 { "M" } else { "L" },
                fixed(x(i), 1),
                fixed(y(r), 1)
            );
        }
        let _ = write!(
            s,
            r#"<path class="line s{}" d="{d}" data-label="{label}"/>"#,
            k - 1
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::MovedKeys;

    fn view() -> HashRingView {
        HashRingView {
            scheme: "ring",
            members: vec![(2, true), (3, false), (4, true)],
            points: vec![(100_000, 2), (400_000, 4), (900_000, 2)],
            vnodes: 2,
            keys: 1000,
            shares: vec![700, 0, 300],
            moved: Some(MovedKeys {
                server: 3,
                joined: false,
                at: 2_000_000,
                moved: 330,
                moved_mod_n: 667,
            }),
            spread: vec![(1, 1930, 610), (2, 1500, 400), (100, 1080, 40)],
        }
    }

    #[test]
    fn the_ring_names_each_servers_share_and_draws_its_arcs() {
        let v = view();
        let svg = ring_drawing(&v);
        assert!(svg.contains(
            r#"aria-label="Hashing ring (ring scheme, 2 virtual nodes per server): Node 2 70.0 %, Node 3 off the ring, Node 4 30.0 %""#
        ));
        // Node 2 owns two arcs (from 900,000 round to 100,000, and from 400,000 to 900,000),
        // Node 4 one, Node 3 none; a tick per virtual node.
        assert_eq!(svg.matches(r#"data-node="2""#).count(), 1);
        assert_eq!(svg.matches("<path").count(), 2);
        let node2 = svg.split(r#"data-node="2""#).next().unwrap();
        assert_eq!(
            node2.rsplit("<path").next().unwrap().matches('M').count(),
            2
        );
        assert_eq!(svg.matches(r#"class="vnode""#).count(), 3);
        // No arc goes the large way round: the longest, from 400,000 to 900,000, is half the
        // ring, and the one from 900,000 wraps round the top to 100,000.
        assert!(svg.contains("A88 88 0 0 1"));
        assert!(!svg.contains("A88 88 0 1 1"), "{svg}");
        let near_the_top = HashRingView {
            points: vec![(1_000, 2), (500_000, 4), (999_000, 2)],
            ..view()
        };
        assert!(!ring_drawing(&near_the_top).contains("A88 88 0 1 1"));
    }

    #[test]
    fn the_ring_points_are_where_sine_and_cosine_put_them() {
        for m in (0..1_000_000)
            .step_by(997)
            .chain([0, 125_000, 250_000, 500_000, 999_999])
        {
            let angle = f64::from(m) / 1e6 * TAU;
            let (sin, cos) = turn_sin_cos(m);
            assert!((sin - angle.sin()).abs() < 1e-13, "sin at {m}");
            assert!((cos - angle.cos()).abs() < 1e-13, "cos at {m}");
        }
        assert_eq!(at(0), ("110.0".to_string(), "22.0".to_string()));
        assert_eq!(at(250_000), ("198.0".to_string(), "110.0".to_string()));
        assert_eq!(at(375_000), ("172.2".to_string(), "172.2".to_string()));
    }

    #[test]
    fn the_legend_says_what_the_last_change_moved() {
        let key = ring_key(&view());
        assert!(key.contains("Node 2: 70.0 % of the keys</li>"));
        assert!(key.contains("Node 3: off the ring (suspected)</li>"));
        assert!(key.contains(
            "Node 3 left: 330 of 1000 keys moved (33 %); mod-N hashing would move 667 (67 %)"
        ));
        let quiet = HashRingView {
            moved: None,
            ..view()
        };
        assert!(ring_key(&quiet).contains("crash one to see which keys move"));
    }

    #[test]
    fn a_scheme_without_a_ring_draws_its_shares_in_turn() {
        let v = HashRingView {
            scheme: "rendezvous",
            points: Vec::new(),
            ..view()
        };
        let svg = ring_drawing(&v);
        assert!(svg.contains("Hashing ring (rendezvous scheme): "));
        assert_eq!(svg.matches("<path").count(), 2);
        assert_eq!(svg.matches(r#"class="vnode""#).count(), 0);
        // Node 2's 70 % is the large way round.
        assert!(svg.contains("A88 88 0 1 1"));
    }

    #[test]
    fn the_spread_chart_carries_every_value_and_marks_the_runs_vnodes() {
        let svg = spread_drawing(&view());
        assert!(svg.contains(
            "(largest share ÷ mean, standard deviation ÷ mean): 1: 1.93, 0.61; 2: 1.50, 0.40; 100: 1.08, 0.04"
        ));
        assert!(svg.contains(r#"<text class="tick own""#));
        assert_eq!(svg.matches("<path").count(), 2);
        // The y axis reaches 2.0 (1.93 rounded up to a half).
        assert!(svg.contains(">2.0</text>"));
    }
}
