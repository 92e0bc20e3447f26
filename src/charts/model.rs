//! A chart's points, lines, axes and latest values, from its spec and the run's samples.
//!
//! A chart has at most [`BUCKETS`] points, one at the end of each equal bucket of its [`Span`]
//! up to the moment on screen, plus one at that moment. Each point reads one sliding window of
//! samples ending at it (a binary search into the time-sorted log, then the window's samples
//! alone), so one recompute costs at most `BUCKETS` windows however long the run.

use std::fmt::Write;

use crate::sim::decimal::{fixed, push_fixed};
use crate::sim::metrics::{MetricsNow, SeriesKind, percentiles};
use crate::sim::node::NodeId;
use crate::sim::picture::ChartSpec;
use crate::sim::time::{Micros, SEC, format_time};

use super::axis::{Scale, nice_step, ticks_to};

/// Most buckets a chart's span is cut into (so most points, bar the one at the moment on
/// screen): bounds the work of a recompute.
pub const BUCKETS: u64 = 120;

/// The drawing's width in SVG units (the page scales it to the panel).
pub const WIDTH: f64 = 600.0;
/// The drawing's height in SVG units.
pub const HEIGHT: f64 = 150.0;
/// Room left of the plot for the value labels.
pub const LEFT: f64 = 50.0;
/// Room right of the plot (the last time label overhangs it).
pub const RIGHT: f64 = 14.0;
/// Room above the plot.
pub const TOP: f64 = 8.0;
/// Room under the plot for the time labels.
pub const BOTTOM: f64 = 22.0;

/// Where the plot lies in the drawing, as CSS percentages of its box: the page lays its seek
/// control there (a test checks it against the margins above).
pub const PLOT_BOX: &str = "left:8.333%;top:5.333%;width:89.333%;height:80%";

/// The stretch of virtual time a chart shows, `[t0, t1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Left edge.
    pub t0: Micros,
    /// Right edge.
    pub t1: Micros,
}

impl Span {
    /// What to show of a run explored up to `horizon`, seen at `now`, charted over sliding
    /// windows of `window`: the whole run, from 0 to a round time at or after the horizon,
    /// while it spans at most [`BUCKETS`] windows (so that the points' windows, laid end to
    /// end, miss no sample); after that the latest `BUCKETS` windows up to a round time after
    /// `now`, moving on by an eighth of that at a time.
    pub fn of_run(horizon: Micros, now: Micros, window: Micros) -> Span {
        let most = window.max(1).saturating_mul(BUCKETS);
        let end = horizon.max(now).max(window).max(1);
        if end <= most {
            let step = (nice_step(end as f64 / 6.0) as Micros).max(1);
            return Span {
                t0: 0,
                t1: end.div_ceil(step).saturating_mul(step).min(most),
            };
        }
        let page = (most / 8).max(1);
        let t1 = now.div_ceil(page).saturating_mul(page).max(most);
        Span { t0: t1 - most, t1 }
    }

    /// The end of bucket `k` (1 to [`BUCKETS`]).
    fn bucket_end(&self, k: u64) -> Micros {
        self.t0 + (self.t1 - self.t0) * k / BUCKETS
    }

    /// How many buckets have ended by `now`: the chart's points change only when this does
    /// (or when `now` itself, the last point, moves).
    pub fn buckets_ended(&self, now: Micros) -> u64 {
        if now < self.t0 || self.t1 == self.t0 {
            return 0;
        }
        ((now.min(self.t1) - self.t0) * BUCKETS / (self.t1 - self.t0)).min(BUCKETS)
    }

    /// The times of the points drawn at `now`: the end of every bucket up to `now`, then
    /// `now` itself (if inside the span and not already a bucket's end).
    pub fn times(&self, now: Micros) -> Vec<Micros> {
        let mut times: Vec<Micros> = (1..=self.buckets_ended(now))
            .map(|k| self.bucket_end(k))
            .collect();
        if now > self.t0 && now <= self.t1 && times.last() != Some(&now) {
            times.push(now);
        }
        times
    }

    /// Time to the drawing's x.
    pub fn x(&self) -> Scale {
        Scale {
            d0: self.t0 as f64,
            d1: self.t1 as f64,
            r0: LEFT,
            r1: WIDTH - RIGHT,
        }
    }

    /// The time at fraction `f` of the plot's width (0 its left edge, 1 its right edge):
    /// where a click on the plot seeks.
    pub fn time_at(&self, f: f64) -> Micros {
        let x = LEFT + f.clamp(0.0, 1.0) * (WIDTH - LEFT - RIGHT);
        self.x().invert(x).round().max(0.0) as Micros
    }

    /// Where time `t` stands, as a fraction of the plot's width (clamped to it).
    pub fn fraction(&self, t: Micros) -> f64 {
        ((self.x().at(t as f64) - LEFT) / (WIDTH - LEFT - RIGHT)).clamp(0.0, 1.0)
    }
}

/// One line of a chart: a value (or a gap) at each of the chart's points.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Its name in the legend and the latest-values sentence.
    pub label: String,
    /// The value at each point, `None` where its window holds no sample (drawn as a gap).
    pub values: Vec<Option<f64>>,
    /// Drawn as the companion of the line before it (same colour, thin dashes): a gauge
    /// chart's second series for the same node, e.g. a clock's claimed bound beside its error.
    pub companion: bool,
}

/// Everything the page needs to draw one chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// What the protocol declared.
    pub spec: ChartSpec,
    /// How the series read (latency bands, rates or levels).
    pub kind: SeriesKind,
    /// The time shown.
    pub span: Span,
    /// The points' times (see [`Span::times`]).
    pub times: Vec<Micros>,
    /// The lines: p50, p95, p99 (ms) for a latency; a rate per second per series for
    /// counters; a level per node for a gauge.
    pub lines: Vec<Line>,
    /// The level drawn across the chart, if any: its label and value.
    pub limit: Option<(&'static str, f64)>,
    /// Distance between the value axis' ticks.
    pub y_step: f64,
    /// The value axis' top.
    pub y_top: f64,
    /// The value axis' bottom: 0, or a whole number of steps below it for a gauge that went
    /// negative.
    pub y_bottom: f64,
}

/// The chart `spec` over `span`, from the samples as they stand at the moment on screen, with
/// its limit line at `limit` (the spec's [`crate::sim::picture::Limit`] read from the run's
/// setup); `None` if the run declares none of its series.
pub fn build(
    spec: &ChartSpec,
    metrics: &MetricsNow<'_>,
    span: Span,
    limit: Option<f64>,
) -> Option<ChartData> {
    let series: Vec<usize> = spec
        .series
        .iter()
        .filter_map(|n| metrics.index(n))
        .collect();
    let first = *series.first()?;
    let kind = metrics.series.get(first)?.kind;
    let times = span.times(metrics.now());
    let window = spec.window.max(1);
    let lines = match kind {
        SeriesKind::Latency => latency_lines(metrics, first, &times, window),
        SeriesKind::Counter => series
            .iter()
            .map(|&i| Line {
                label: metrics.series[i].title.to_string(),
                values: times
                    .iter()
                    .map(|&t| Some(rate(metrics, i, t, window)))
                    .collect(),
                companion: false,
            })
            .collect(),
        SeriesKind::Gauge => {
            // One line per node and series, a node's lines together (the first series' line,
            // then its companions named by series).
            let per = spec.per.max(1);
            let mut all: Vec<(NodeId, usize, Line)> = Vec::new();
            for (k, &i) in series.iter().enumerate() {
                for (node, mut line) in gauge_lines(metrics, i, &times, window, per) {
                    if k > 0 {
                        line.label = format!("{} {}", line.label, metrics.series[i].name);
                        line.companion = true;
                    }
                    all.push((node, k, line));
                }
            }
            crate::sim::small_sort::sort_small_by_key(&mut all, |(node, k, _)| (*node, *k));
            if series.len() > 1 {
                for (_, k, line) in &mut all {
                    if *k == 0 {
                        line.label.push(' ');
                        line.label.push_str(metrics.series[first].name);
                    }
                }
            }
            all.into_iter().map(|(_, _, line)| line).collect()
        }
    };
    let limit = spec.limit.zip(limit).map(|(l, v)| (l.label, v));
    let (mut min, mut max) = (0.0f64, 0.0f64);
    for v in
        (lines.iter().flat_map(|l| l.values.iter().flatten())).chain(limit.as_ref().map(|(_, v)| v))
    {
        (min, max) = (min.min(*v), max.max(*v));
    }
    // A gauge may go below zero (a clock behind): the axis then reaches down in whole steps.
    let (y_step, y_top, y_bottom) = if min < 0.0 {
        let (step, _) = ticks_to(max - min, 4);
        let top = (max / step - 1e-9).ceil().max(0.0) * step;
        (step, top, -((-min / step - 1e-9).ceil() * step))
    } else {
        let (step, top) = ticks_to(max, 4);
        (step, top, 0.0)
    };
    Some(ChartData {
        spec: *spec,
        kind,
        span,
        times,
        lines,
        limit,
        y_step,
        y_top,
        y_bottom,
    })
}

/// The first time inside the sliding window of length `window` that ends at `t`.
fn window_start(t: Micros, window: Micros) -> Micros {
    (t + 1).saturating_sub(window)
}

/// p50, p95 and p99 in ms over the window ending at each time.
fn latency_lines(m: &MetricsNow<'_>, i: usize, times: &[Micros], window: Micros) -> Vec<Line> {
    let mut buf = Vec::new();
    let mut bands = [Vec::new(), Vec::new(), Vec::new()];
    for &t in times {
        buf.clear();
        buf.extend(m.window(i, window_start(t, window), t).map(|s| s.value));
        let p = percentiles(&mut buf);
        for (band, v) in bands.iter_mut().zip(
            p.map(|p| [p.p50, p.p95, p.p99])
                .map_or([None; 3], |v| v.map(Some)),
        ) {
            band.push(v.map(|v| v as f64 / 1e3));
        }
    }
    ["p50", "p95", "p99"]
        .into_iter()
        .zip(bands)
        .map(|(label, values)| Line {
            label: label.to_string(),
            values,
            companion: false,
        })
        .collect()
}

/// Counter series `i`'s rate per second over the window ending at `t` (over the time since
/// the start, while that is shorter than the window).
pub fn rate(m: &MetricsNow<'_>, i: usize, t: Micros, window: Micros) -> f64 {
    let sum = m.sum(i, window_start(t, window), t);
    sum as f64 * SEC as f64 / window.min(t.max(1)) as f64
}

/// Each node's latest level within the window ending at each time, one line per node (in
/// node order; a node without a sample in a window has a gap there).
fn gauge_lines(
    m: &MetricsNow<'_>,
    i: usize,
    times: &[Micros],
    window: Micros,
    per: u32,
) -> Vec<(NodeId, Line)> {
    // (node, values) by node; a run has few nodes, so a sorted vector does.
    let mut lines: Vec<(NodeId, Vec<Option<f64>>)> = Vec::new();
    for (k, &t) in times.iter().enumerate() {
        for s in m.window(i, window_start(t, window), t) {
            let at = match lines.binary_search_by_key(&s.node, |l| l.0) {
                Ok(at) => at,
                Err(at) => {
                    lines.insert(at, (s.node, vec![None; k + 1]));
                    at
                }
            };
            let values = &mut lines[at].1;
            values.resize(k + 1, None);
            values[k] = Some(s.value as f64 / f64::from(per));
        }
    }
    lines
        .into_iter()
        .map(|(node, mut values)| {
            values.resize(times.len(), None);
            let label = format!("Node {node}");
            (
                node,
                Line {
                    label,
                    values,
                    companion: false,
                },
            )
        })
        .collect()
}

/// A value for people: `52 ms`, `1.25 s`, `11.6/s`, `3`.
pub fn format_value(v: f64, kind: SeriesKind) -> String {
    let (v, places, unit) = match kind {
        SeriesKind::Latency if v >= 1e3 => (v / 1e3, 2, " s"),
        SeriesKind::Latency => (v, usize::from(v < 10.0), " ms"),
        SeriesKind::Counter => (v, usize::from(v < 10.0 && v != 0.0), "/s"),
        SeriesKind::Gauge => (v, if v.fract() == 0.0 { 0 } else { 2 }, ""),
    };
    fixed(v, places) + unit
}

/// A tick label for value `v` on an axis with ticks `step` apart: no more decimals than the
/// step needs.
fn tick_label(v: f64, step: f64, kind: SeriesKind) -> String {
    let (v, step, unit) = match kind {
        SeriesKind::Latency if step >= 1e3 => (v / 1e3, step / 1e3, " s"),
        SeriesKind::Latency => (v, step, " ms"),
        SeriesKind::Counter => (v, step, "/s"),
        SeriesKind::Gauge => (v, step, ""),
    };
    format!("{}{unit}", decimals(v, step))
}

/// A time in seconds with no trailing zeros: `0 s`, `7.5 s`, `10 s`.
fn seconds(t: Micros) -> String {
    format!("{} s", crate::sim::decimal::scaled(t, 6))
}

/// `v` with as many decimals as multiples of `step` need.
fn decimals(v: f64, step: f64) -> String {
    let mut places = 0;
    let mut s = step;
    while s.fract().abs() > 1e-9 && places < 6 {
        s *= 10.0;
        places += 1;
    }
    fixed(v, places)
}

impl ChartData {
    /// Value to the drawing's y (0 at the plot's bottom).
    pub fn y(&self) -> Scale {
        Scale {
            d0: self.y_bottom,
            d1: self.y_top,
            r0: HEIGHT - BOTTOM,
            r1: TOP,
        }
    }

    /// The sliding window for people, after `the last` or `a sliding`: "second", "500.0 ms".
    fn window_words(&self) -> String {
        if self.spec.window == SEC {
            "second".to_string()
        } else {
            format_time(self.spec.window)
        }
    }

    /// What the chart shows, for its accessible name.
    pub fn description(&self) -> String {
        let what = match self.kind {
            SeriesKind::Latency => "p50, p95 and p99 latency",
            SeriesKind::Counter => "rates per second",
            SeriesKind::Gauge => "each node's level",
        };
        let labels: Vec<&str> = self.lines.iter().map(|l| l.label.as_str()).collect();
        let mut of = if self.kind == SeriesKind::Counter && !labels.is_empty() {
            format!(" ({})", labels.join(", "))
        } else {
            String::new()
        };
        if let Some((label, v)) = self.limit {
            let _ = write!(of, " with the {label} at {}", format_value(v, self.kind));
        }
        format!(
            "{}: chart of {what}{of} over a sliding {}, from {} to {}",
            self.spec.title,
            self.window_words(),
            seconds(self.span.t0),
            seconds(self.span.t1)
        )
    }

    /// The values at the latest point, as a sentence: "p50 52 ms, p95 670 ms, p99 980 ms over
    /// the last second".
    pub fn latest(&self) -> String {
        let last = self.times.len().checked_sub(1);
        let parts: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| {
                let v = l.values.get(last?).copied().flatten()?;
                Some(format!("{} {}", l.label, format_value(v, self.kind)))
            })
            .collect();
        if parts.is_empty() {
            format!("No samples over the last {}", self.window_words())
        } else {
            format!("{} over the last {}", parts.join(", "), self.window_words())
        }
    }

    /// The SVG path of line `i`: one stroke through each run of points with a value, broken
    /// at every gap (a lone point is a dot, given round caps).
    pub fn path(&self, i: usize) -> String {
        let (x, y) = (self.span.x(), self.y());
        let mut d = String::new();
        let mut run = 0;
        for (t, v) in self.times.iter().zip(&self.lines[i].values) {
            match v {
                Some(v) => {
                    let cmd = if run == 0 { 'M' } else { 'L' };
                    d.push(cmd);
                    push_fixed(&mut d, x.at(*t as f64), 1);
                    d.push(' ');
                    push_fixed(&mut d, y.at(*v), 1);
                    run += 1;
                }
                None => {
                    if run == 1 {
                        d.push_str("h0");
                    }
                    run = 0;
                }
            }
        }
        if run == 1 {
            d.push_str("h0");
        }
        d
    }

    /// The SVG path of the area between lines `lo` and `hi` (e.g. p50 to p99), broken at gaps.
    pub fn band(&self, lo: usize, hi: usize) -> String {
        let (x, y) = (self.span.x(), self.y());
        let mut d = String::new();
        let points: Vec<Option<(f64, f64, f64)>> = self
            .times
            .iter()
            .zip(self.lines[lo].values.iter().zip(&self.lines[hi].values))
            .map(|(t, (a, b))| Some((x.at(*t as f64), y.at((*a)?), y.at((*b)?))))
            .collect();
        for run in points.split(Option::is_none) {
            let run: Vec<(f64, f64, f64)> = run.iter().flatten().copied().collect();
            if run.len() < 2 {
                continue;
            }
            for (k, (x, _, top)) in run.iter().enumerate() {
                let cmd = if k == 0 { 'M' } else { 'L' };
                d.push(cmd);
                push_fixed(&mut d, *x, 1);
                d.push(' ');
                push_fixed(&mut d, *top, 1);
            }
            for (x, bottom, _) in run.iter().rev() {
                d.push('L');
                push_fixed(&mut d, *x, 1);
                d.push(' ');
                push_fixed(&mut d, *bottom, 1);
            }
            d.push('Z');
        }
        d
    }

    /// Time ticks: (x, label) at round times across the span.
    pub fn x_ticks(&self) -> Vec<(f64, String)> {
        let Span { t0, t1 } = self.span;
        let step = (nice_step((t1 - t0) as f64 / 6.0) as Micros).max(1);
        let x = self.span.x();
        (t0.div_ceil(step)..=t1 / step)
            .map(|k| {
                let t = k * step;
                let label = decimals(t as f64 / 1e6, step as f64 / 1e6) + " s";
                (x.at(t as f64), label)
            })
            .collect()
    }

    /// Value ticks: (y, label) from the bottom to the top.
    pub fn y_ticks(&self) -> Vec<(f64, String)> {
        let n = ((self.y_top - self.y_bottom) / self.y_step).round() as u32;
        let y = self.y();
        (0..=n)
            .map(|k| {
                let v = self.y_bottom + f64::from(k) * self.y_step;
                (y.at(v), tick_label(v, self.y_step, self.kind))
            })
            .collect()
    }

    /// Line `i`'s values as text, one per point, `-` for a gap (rounded to 0.1): what the
    /// page exposes for tests and tools (`data-values`).
    pub fn values_text(&self, i: usize) -> String {
        let mut text = String::new();
        for (k, v) in self.lines[i].values.iter().enumerate() {
            text.push_str(if k == 0 { "" } else { " " });
            match v {
                Some(v) => push_fixed(&mut text, *v, 1),
                None => text.push('-'),
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::metrics::{MetricsLog, Sample, Series};
    use crate::sim::time::MS;

    const SERIES: [Series; 3] = [
        Series {
            name: "lat",
            kind: SeriesKind::Latency,
            title: "Latency",
        },
        Series {
            name: "ok",
            kind: SeriesKind::Counter,
            title: "Answered",
        },
        Series {
            name: "queue",
            kind: SeriesKind::Gauge,
            title: "Queue",
        },
    ];

    const LATENCY: ChartSpec = ChartSpec::of("Latency", &["lat"]);

    /// A log with a steady 50 ms latency every 10 ms, a 2 s outage from 4 s, and slow answers
    /// right after it; one "ok" per answer; queue lengths from two nodes.
    fn run() -> MetricsLog {
        let mut log = MetricsLog::new(SERIES.len());
        for k in 1..1000 {
            let t = k * 10 * MS;
            if (4 * SEC..6 * SEC).contains(&t) {
                continue;
            }
            let slow = (6 * SEC..6 * SEC + 300 * MS).contains(&t);
            let value = if slow {
                900_000
            } else {
                50_000 + (k as i64 % 7) * 1_000
            };
            log.push(0, Sample { t, node: 1, value });
            log.push(
                1,
                Sample {
                    t,
                    node: 1,
                    value: 1,
                },
            );
            if k % 50 == 0 {
                log.push(
                    2,
                    Sample {
                        t,
                        node: (k % 100 / 50 + 1) as NodeId,
                        value: k as i64 / 50,
                    },
                );
            }
        }
        log
    }

    /// The latency chart of `log` at `now`, over the whole run.
    fn latency_at(log: &MetricsLog, now: Micros) -> ChartData {
        let m = MetricsNow::new(&SERIES, log, u64::MAX, now);
        build(&LATENCY, &m, Span::of_run(now, now, SEC), None).unwrap()
    }

    #[test]
    fn band_values_are_the_percentiles_of_each_points_window() {
        let log = run();
        let now = 7_345 * MS;
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, now);
        let span = Span::of_run(now, now, SEC);
        let chart = build(&LATENCY, &m, span, None).unwrap();
        assert_eq!(chart.lines.len(), 3);
        assert_eq!(*chart.times.last().unwrap(), now, "the last point is now");
        for (k, &t) in chart.times.iter().enumerate() {
            let p = m.percentiles(0, t + 1 - SEC.min(t + 1), t);
            let want = |f: fn(&crate::sim::metrics::Percentiles) -> i64| {
                p.as_ref().map(|p| f(p) as f64 / 1e3)
            };
            assert_eq!(chart.lines[0].values[k], want(|p| p.p50), "p50 at {t}");
            assert_eq!(chart.lines[1].values[k], want(|p| p.p95), "p95 at {t}");
            assert_eq!(chart.lines[2].values[k], want(|p| p.p99), "p99 at {t}");
        }
    }

    #[test]
    fn an_outage_is_a_gap_and_the_slow_answers_after_it_a_spike() {
        let chart = latency_at(&run(), 9 * SEC);
        let at = |t: Micros| chart.times.iter().position(|x| *x >= t).unwrap();
        let p99 = &chart.lines[2].values;
        assert!(p99[at(3 * SEC)].unwrap() < 60.0);
        assert_eq!(p99[at(5_500 * MS)], None, "no answers: a gap");
        assert!(
            p99[at(6_200 * MS)].unwrap() > 800.0,
            "slow answers: a spike"
        );
        assert!(
            chart.path(2).matches('M').count() >= 2,
            "the line breaks at the gap"
        );
        assert!(chart.band(0, 2).matches('Z').count() >= 2);
        assert!(chart.y_top >= 900.0 && chart.y_top <= 1000.0);
    }

    #[test]
    fn counter_rates_are_sums_over_the_window() {
        let log = run();
        let now = 8 * SEC;
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, now);
        let spec = ChartSpec::of("Rates", &["ok", "missing"]);
        let chart = build(&spec, &m, Span::of_run(now, now, SEC), None).unwrap();
        assert_eq!(chart.lines.len(), 1, "unknown series are left out");
        assert_eq!(chart.lines[0].label, "Answered");
        for (k, &t) in chart.times.iter().enumerate().filter(|(_, t)| **t >= SEC) {
            let want = m.sum(1, t + 1 - SEC, t) as f64;
            assert_eq!(chart.lines[0].values[k], Some(want), "at {t}");
        }
        let at3 = chart.times.iter().position(|t| *t >= 3 * SEC).unwrap();
        assert_eq!(
            chart.lines[0].values[at3],
            Some(100.0),
            "one answer every 10 ms"
        );
        assert!(
            chart
                .latest()
                .starts_with("Answered 100/s over the last second")
        );
    }

    #[test]
    fn gauges_draw_a_line_per_node() {
        let log = run();
        let now = 3 * SEC;
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, now);
        let spec = ChartSpec::of("Queue", &["queue"]);
        let chart = build(&spec, &m, Span::of_run(now, now, SEC), None).unwrap();
        let labels: Vec<&str> = chart.lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["Node 1", "Node 2"]);
        assert!(
            chart
                .lines
                .iter()
                .all(|l| l.values.len() == chart.times.len())
        );
        assert_eq!(
            chart.lines[0].values[0], None,
            "nothing before the first sample"
        );
        assert_eq!(*chart.lines[0].values.last().unwrap(), Some(6.0));
        assert_eq!(*chart.lines[1].values.last().unwrap(), Some(5.0));
    }

    #[test]
    fn a_gauge_in_hundredths_reads_in_units_under_its_limit_line() {
        let log = run();
        let now = 3 * SEC;
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, now);
        let spec = ChartSpec::of("Queue", &["queue"])
            .per(100)
            .limit("threshold", |_| 0.5);
        let chart = build(&spec, &m, Span::of_run(now, now, SEC), Some(0.5)).unwrap();
        assert_eq!(*chart.lines[0].values.last().unwrap(), Some(0.06));
        assert_eq!(chart.limit, Some(("threshold", 0.5)));
        assert!(
            chart.y_top >= 0.5,
            "the limit is on the chart: {}",
            chart.y_top
        );
        assert!(
            chart.description().contains(" with the threshold at 0.50 "),
            "{}",
            chart.description()
        );
        let svg = crate::charts::svg::drawing(&chart, "c");
        assert!(svg.contains(r#"<line class="limit""#), "{svg}");
        assert!(svg.contains(">threshold 0.50</text>"), "{svg}");
        let plain = build(&spec, &m, Span::of_run(now, now, SEC), None).unwrap();
        assert_eq!(plain.limit, None, "no value, no line");
    }

    #[test]
    fn the_latest_values_read_as_a_sentence() {
        let log = run();
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, 3 * SEC);
        let chart = build(&LATENCY, &m, Span::of_run(3 * SEC, 3 * SEC, SEC), None).unwrap();
        let text = chart.latest();
        assert!(text.starts_with("p50 5"), "{text}");
        assert!(text.ends_with(" ms over the last second"), "{text}");
        assert!(text.contains(", p95 ") && text.contains(", p99 "), "{text}");
        let m = MetricsNow::new(&SERIES, &log, u64::MAX, 5 * SEC);
        let chart = build(&LATENCY, &m, Span::of_run(5 * SEC, 5 * SEC, SEC), None).unwrap();
        assert_eq!(chart.latest(), "No samples over the last second");
        assert_eq!(
            chart.description(),
            "Latency: chart of p50, p95 and p99 latency over a sliding second, from 0 s to 5 s"
        );
        assert_eq!(format_value(980.4, SeriesKind::Latency), "980 ms");
        assert_eq!(format_value(1_250.0, SeriesKind::Latency), "1.25 s");
        assert_eq!(format_value(4.56, SeriesKind::Latency), "4.6 ms");
    }

    #[test]
    fn the_span_is_the_whole_run_to_a_round_time_then_the_latest_windows() {
        assert_eq!(Span::of_run(0, 0, SEC), Span { t0: 0, t1: SEC });
        assert_eq!(
            Span::of_run(7_300 * MS, 5 * SEC, SEC),
            Span { t0: 0, t1: 8 * SEC }
        );
        assert_eq!(
            Span::of_run(10 * SEC, 10 * SEC, SEC),
            Span {
                t0: 0,
                t1: 10 * SEC
            }
        );
        assert_eq!(
            Span::of_run(119 * SEC, 0, SEC),
            Span {
                t0: 0,
                t1: 120 * SEC
            }
        );
        // A long run: the latest 120 windows, ending at a round time after now.
        let s = Span::of_run(600 * SEC, 400 * SEC, SEC);
        assert_eq!(
            s,
            Span {
                t0: 285 * SEC,
                t1: 405 * SEC
            }
        );
        let s = Span::of_run(600 * SEC, 100 * SEC, SEC);
        assert_eq!(
            s,
            Span {
                t0: 0,
                t1: 120 * SEC
            }
        );
        for (h, now) in [
            (3 * SEC, 2 * SEC),
            (50 * SEC, 50 * SEC),
            (3_600 * SEC, 1_234_567_891),
        ] {
            let s = Span::of_run(h, now, SEC);
            assert!(s.t0 <= now && now <= s.t1, "{s:?} holds {now}");
            assert!(s.times(now).len() as u64 <= BUCKETS + 1);
        }
    }

    #[test]
    fn the_plot_box_matches_the_margins() {
        let pct = |v: f64, of: f64| format!("{}%", (v * 100_000.0 / of).round() / 1000.0);
        let want = format!(
            "left:{};top:{};width:{};height:{}",
            pct(LEFT, WIDTH),
            pct(TOP, HEIGHT),
            pct(WIDTH - LEFT - RIGHT, WIDTH),
            pct(HEIGHT - TOP - BOTTOM, HEIGHT)
        );
        assert_eq!(PLOT_BOX, want);
    }

    #[test]
    fn clicks_map_to_times_and_back() {
        let span = Span {
            t0: 2 * SEC,
            t1: 12 * SEC,
        };
        for t in [2 * SEC, 3_456_789, 12 * SEC] {
            assert!(span.time_at(span.fraction(t)).abs_diff(t) <= 1, "{t}");
        }
        assert_eq!(span.time_at(0.5), 7 * SEC);
        assert_eq!(span.time_at(-1.0), 2 * SEC);
        assert_eq!(span.time_at(2.0), 12 * SEC);
        assert_eq!(span.fraction(0), 0.0);
    }

    #[test]
    fn axes_have_round_ticks_covering_the_data() {
        let chart = latency_at(&run(), 9 * SEC);
        let labels: Vec<String> = chart.x_ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0 s", "2 s", "4 s", "6 s", "8 s", "10 s"]);
        let y: Vec<String> = chart.y_ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(y, ["0 ms", "500 ms", "1000 ms"]);
        assert_eq!(chart.y_ticks()[0].0, HEIGHT - BOTTOM);
        assert_eq!(chart.values_text(2).split(' ').count(), chart.times.len());
    }
}
