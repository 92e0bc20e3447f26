//! A trade-off chart: one measured figure (e.g. mean crash detection) against the values of a
//! swept parameter (e.g. the φ threshold), as `<svg role="img">` markup the page inserts as it
//! is. A point per value, joined by a line; the values and the figure's numbers also stand in
//! the image's accessible name.

use std::fmt::Write;

use super::axis::{Scale, ticks_to};
use super::svg::escape;
use crate::sim::decimal::{fixed, shortest};

/// The drawing's width in SVG units (the page scales it to the panel).
pub const WIDTH: f64 = 320.0;
/// The drawing's height in SVG units.
pub const HEIGHT: f64 = 170.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 10.0;
/// Room for the value labels and the axis title under the plot.
const BOTTOM: f64 = 38.0;

/// One figure against the swept values.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeoffChart {
    /// What is measured, with its unit: `mean crash detection (ms)`.
    pub title: String,
    /// The swept parameter, with its unit: `φ threshold`, `Timeout detector's limit (ms)`.
    pub x_title: String,
    /// Each swept value: where it stands on the x axis, and its label.
    pub xs: Vec<(f64, String)>,
    /// The figure at each value (`None` when nothing was observed, e.g. no crash detected).
    pub ys: Vec<Option<f64>>,
}

impl TradeoffChart {
    /// A number as the chart writes it: whole above 10, one decimal below.
    pub fn number(v: f64) -> String {
        if v.abs() >= 10.0 || v == 0.0 {
            fixed(v, 0)
        } else {
            fixed(v, 1)
        }
    }

    /// The accessible name: the figure, the parameter, and every point as `value: number`.
    pub fn description(&self) -> String {
        let points: Vec<String> = (self.xs.iter().zip(&self.ys))
            .map(|((_, label), y)| {
                format!("{label}: {}", y.map_or("none".to_string(), Self::number))
            })
            .collect();
        format!(
            "{} against {}: {}",
            self.title,
            self.x_title,
            points.join(", ")
        )
    }

    fn x(&self) -> Scale {
        let lo = self.xs.iter().map(|x| x.0).fold(f64::INFINITY, f64::min);
        let hi = self
            .xs
            .iter()
            .map(|x| x.0)
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        Scale {
            d0: lo,
            d1: hi,
            r0: LEFT + 8.0,
            r1: WIDTH - RIGHT - 8.0,
        }
    }

    /// The markup: value grid and labels, a tick and label per swept value, the line and a
    /// point per measured value (each point carries `data-x` and `data-y`), and the axis
    /// titles. `class` is added to the line's and the points' classes (the stroke).
    pub fn drawing(&self, class: &str) -> String {
        let max = self.ys.iter().flatten().copied().fold(0.0, f64::max);
        let (step, top) = ticks_to(max, 4);
        let y = Scale {
            d0: 0.0,
            d1: top,
            r0: HEIGHT - BOTTOM,
            r1: TOP,
        };
        let x = self.x();
        let (w, h) = (shortest(WIDTH), shortest(HEIGHT));
        let mut s = format!(
            r#"<svg class="chart-svg tradeoff-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label=""#
        );
        escape(&mut s, &self.description());
        s.push_str(r#"">"#);
        let (x0, x1, base) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM);
        let (sx0, sx1, sbase) = (shortest(x0), shortest(x1), shortest(base));
        let ticks = (top / step).round() as u32;
        for k in 0..=ticks {
            let v = f64::from(k) * step;
            let (at, label_x, label_y) = (
                fixed(y.at(v), 1),
                shortest(x0 - 4.0),
                fixed(y.at(v) + 3.5, 1),
            );
            let _ = write!(
                s,
                r#"<line class="grid" x1="{sx0}" x2="{sx1}" y1="{at}" y2="{at}"/><text x="{label_x}" y="{label_y}" text-anchor="end">{}</text>"#,
                Self::number(v)
            );
        }
        for (v, label) in &self.xs {
            let (at, tick_end, label_y) = (
                fixed(x.at(*v), 1),
                shortest(base + 4.0),
                shortest(base + 15.0),
            );
            let _ = write!(
                s,
                r#"<line class="tick" x1="{at}" x2="{at}" y1="{sbase}" y2="{tick_end}"/><text x="{at}" y="{label_y}" text-anchor="middle">"#,
            );
            escape(&mut s, label);
            s.push_str("</text>");
        }
        let _ = write!(
            s,
            r#"<text class="axis-title" x="{}" y="{}" text-anchor="middle">"#,
            fixed((x0 + x1) / 2.0, 1),
            shortest(HEIGHT - 4.0)
        );
        escape(&mut s, &self.x_title);
        s.push_str("</text>");
        let points: Vec<(f64, f64, &str, f64)> = (self.xs.iter().zip(&self.ys))
            .filter_map(|((v, label), m)| m.map(|m| (x.at(*v), y.at(m), label.as_str(), m)))
            .collect();
        let path: Vec<String> = (points.iter().enumerate())
            .map(|(i, (px, py, _, _))| {
                format!(
                    "{}{},{}",
                    if i == 0 { 'M' } else { 'L' },
                    fixed(*px, 1),
                    fixed(*py, 1)
                )
            })
            .collect();
        let _ = write!(s, r#"<path class="line {class}" d="{}"/>"#, path.join(""));
        for (px, py, label, m) in &points {
            let _ = write!(
                s,
                r#"<circle class="point {class}" cx="{}" cy="{}" r="3.5" data-x=""#,
                fixed(*px, 1),
                fixed(*py, 1)
            );
            escape(&mut s, label);
            let _ = write!(s, r#"" data-y="{}"/>"#, shortest(*m));
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> TradeoffChart {
        TradeoffChart {
            title: "mean crash detection (ms)".into(),
            x_title: "φ threshold".into(),
            xs: [1.0, 2.0, 4.0, 12.0]
                .iter()
                .map(|&v| (v, format!("{v}")))
                .collect(),
            ys: vec![Some(84.0), Some(115.5), None, Some(205.0)],
        }
    }

    #[test]
    fn a_point_per_measured_value_in_order_and_every_value_labelled() {
        let svg = chart().drawing("s0");
        assert!(svg.starts_with(r#"<svg class="chart-svg tradeoff-svg""#));
        assert_eq!(
            svg.matches("<circle").count(),
            3,
            "none where nothing was measured"
        );
        assert!(svg.contains(r#"data-x="12" data-y="205"/>"#));
        for label in ["1", "2", "4", "12"] {
            assert!(svg.contains(&format!(r#"text-anchor="middle">{label}</text>"#)));
        }
        assert!(svg.contains(">φ threshold</text>"));
        // The points rise left to right as the values do (SVG y grows downwards).
        let xs: Vec<f64> = (svg.split(r#"cx=""#).skip(1))
            .map(|p| p.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    }

    #[test]
    fn the_name_lists_every_value_and_its_number() {
        assert_eq!(
            chart().description(),
            "mean crash detection (ms) against φ threshold: 1: 84, 2: 116, 4: none, 12: 205"
        );
        assert_eq!(TradeoffChart::number(0.25), "0.2");
        assert_eq!(TradeoffChart::number(0.0), "0");
    }
}
