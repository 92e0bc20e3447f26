//! Pure drawing arithmetic: where nodes and messages go on the ring, which shape a role gets,
//! the epoch palette and the speed ladder. No DOM here.

use crate::sim::node::{NodeId, ProtocolInfo};
use crate::sim::time::Micros;

/// Side of the square SVG view box.
pub const VIEW: f64 = 400.0;
/// Centre of the ring.
pub const CENTER: f64 = VIEW / 2.0;

/// Positions and sizes for a ring of `n` nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Number of nodes.
    pub n: usize,
    /// Radius of the ring the node centres sit on.
    pub ring_r: f64,
    /// Radius of one node.
    pub node_r: f64,
    /// Radius of a message dot.
    pub msg_r: f64,
}

impl Layout {
    /// The layout for `n` nodes (1–25 and beyond: nodes shrink to fit).
    pub fn new(n: usize) -> Layout {
        let ring_r = if n <= 1 { 0.0 } else { 142.0 };
        let node_r = if n <= 1 {
            30.0
        } else {
            (std::f64::consts::PI * ring_r / n as f64 * 0.62).clamp(8.0, 30.0)
        };
        let msg_r = (node_r * 0.27).clamp(4.0, 7.5);
        Layout {
            n,
            ring_r,
            node_r,
            msg_r,
        }
    }

    /// Angle of node `id` (1-based), starting at the top and going clockwise.
    fn angle(&self, id: NodeId) -> f64 {
        let i = id.saturating_sub(1) as f64;
        -std::f64::consts::FRAC_PI_2 + i * std::f64::consts::TAU / self.n.max(1) as f64
    }

    /// Centre of node `id`.
    pub fn pos(&self, id: NodeId) -> (f64, f64) {
        let (s, c) = sin_cos(self.angle(id));
        (CENTER + self.ring_r * c, CENTER + self.ring_r * s)
    }

    /// A point `frac` of the way from node `from`'s rim to node `to`'s rim.
    pub fn along(&self, from: NodeId, to: NodeId, frac: f64) -> (f64, f64) {
        let (x0, y0) = self.pos(from);
        let (x1, y1) = self.pos(to);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-6 {
            return (x0, y0 - self.node_r - 8.0);
        }
        let inset = (self.node_r + self.msg_r).min(len / 2.0);
        let (ux, uy) = (dx / len, dy / len);
        let (sx, sy) = (x0 + ux * inset, y0 + uy * inset);
        let (ex, ey) = (x1 - ux * inset, y1 - uy * inset);
        (sx + (ex - sx) * frac, sy + (ey - sy) * frac)
    }
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
}

/// The shape for `role`. `info.roles` lists roles from the least to the most prominent (Raft:
/// follower, candidate, leader): the last gets the crown, the first the plain circle.
pub fn shape(info: &ProtocolInfo, role: &str) -> Shape {
    let n = info.roles.len();
    match info.roles.iter().position(|r| *r == role) {
        Some(i) if n >= 2 && i == n - 1 => Shape::Crown,
        Some(i) if n >= 3 && i == n - 2 => Shape::Diamond,
        Some(i) if i > 0 => Shape::Square,
        _ => Shape::Circle,
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

    #[test]
    fn palette_cycles_and_speeds_read_well() {
        assert_eq!(epoch_class(0), "e0");
        assert_eq!(epoch_class(1), "e1");
        assert_eq!(epoch_class(8), "e1");
        assert_eq!(speed_label(DEFAULT_SPEED), "1/100×");
        assert_eq!(speed_label(12), "10×");
    }
}
