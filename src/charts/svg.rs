//! A chart's markup as text: the `<svg role="img">` drawing, and its legend with the latest
//! values. Written as strings (the page inserts them as they are) rather than element by
//! element: a chart changes all at once, at most once per bucket, and the page stays small.

use std::fmt::Write;

use crate::sim::decimal::{fixed, shortest};
use crate::sim::metrics::SeriesKind;

use super::model::{BOTTOM, ChartData, HEIGHT, LEFT, RIGHT, WIDTH, format_value};

/// Appends `text` to `out`, escaped for HTML or SVG markup (text or attribute values); the
/// space-time diagram's markup uses it too.
pub fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// The drawing: value grid and labels, time ticks, the p50–p99 band of a latency chart and one
/// path per line. Named by [`ChartData::description`] and described by the element
/// `latest_id` (the latest values). Each path carries its values as text (`data-values`, `-`
/// for a gap) and the drawing its points' times (`data-times`, µs), for tests and tools.
pub fn drawing(d: &ChartData, latest_id: &str) -> String {
    let (w, h) = (shortest(WIDTH), shortest(HEIGHT));
    let mut s = format!(
        r#"<svg class="chart-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-describedby="{latest_id}" aria-label=""#
    );
    escape(&mut s, &d.description());
    s.push_str(r#"" data-times=""#);
    let times: Vec<String> = d.times.iter().map(|t| t.to_string()).collect();
    s.push_str(&times.join(" "));
    s.push_str(r#"">"#);
    let (x0, x1, base) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM);
    let (sx0, sx1, sbase) = (shortest(x0), shortest(x1), shortest(base));
    for (y, label) in d.y_ticks() {
        let (y, label_x, label_y) = (fixed(y, 1), shortest(x0 - 4.0), fixed(y + 3.5, 1));
        let _ = write!(
            s,
            r#"<line class="grid" x1="{sx0}" x2="{sx1}" y1="{y}" y2="{y}"/><text x="{label_x}" y="{label_y}" text-anchor="end">{label}</text>"#,
        );
    }
    for (x, label) in d.x_ticks() {
        let (x, tick_end, label_y) = (fixed(x, 1), shortest(base + 4.0), shortest(HEIGHT - 4.0));
        let _ = write!(
            s,
            r#"<line class="tick" x1="{x}" x2="{x}" y1="{sbase}" y2="{tick_end}"/><text x="{x}" y="{label_y}" text-anchor="middle">{label}</text>"#,
        );
    }
    if let Some((label, v)) = d.limit {
        let y = d.y().at(v);
        let (label_x, label_y, line_y) = (shortest(x1 - 2.0), fixed(y - 3.0, 1), fixed(y, 1));
        let _ = write!(
            s,
            r#"<line class="limit" x1="{sx0}" x2="{sx1}" y1="{line_y}" y2="{line_y}"/><text class="limit" x="{label_x}" y="{label_y}" text-anchor="end">{label} {}</text>"#,
            format_value(v, d.kind)
        );
    }
    if d.kind == SeriesKind::Latency && d.lines.len() == 3 {
        let _ = write!(s, r#"<path class="band" d="{}"/>"#, d.band(0, 2));
    }
    for (i, l) in d.lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<path class="line {}" d="{}" data-label=""#,
            line_class(d, i),
            d.path(i)
        );
        escape(&mut s, &l.label);
        let _ = write!(s, r#"" data-values="{}"/>"#, d.values_text(i));
    }
    s.push_str("</svg>");
    s
}

/// Line `i`'s style: `s0`…`s3` in turn, a companion line in its predecessor's colour with
/// `alt` (thin dashes).
fn line_class(d: &ChartData, i: usize) -> String {
    let own = d.lines[..=i].iter().filter(|l| !l.companion).count().max(1) - 1;
    let alt = if d.lines[i].companion { " alt" } else { "" };
    format!("s{}{alt}", own % 4)
}

/// The legend (a sample of each line's stroke and its name) and the latest values as a
/// sentence, in the element `latest_id`.
pub fn key(d: &ChartData, latest_id: &str) -> String {
    let mut s = String::from(r#"<ul class="chart-legend">"#);
    for (i, l) in d.lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<li><svg width="22" height="8" aria-hidden="true"><line class="line {}" x1="1" x2="21" y1="4" y2="4"/></svg>"#,
            line_class(d, i)
        );
        escape(&mut s, &l.label);
        s.push_str("</li>");
    }
    if d.kind == SeriesKind::Latency {
        s.push_str(r#"<li><span class="band-key"></span>p50–p99 band</li>"#);
    }
    let _ = write!(s, r#"</ul><p class="chart-latest" id="{latest_id}">"#);
    escape(&mut s, &d.latest());
    s.push_str("</p>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::model::{Line, Span};
    use crate::sim::ChartSpec;

    fn chart() -> ChartData {
        ChartData {
            spec: ChartSpec::of("Latency <of> \"clients\"", &["lat"]),
            kind: SeriesKind::Latency,
            span: Span {
                t0: 0,
                t1: 2_000_000,
            },
            times: vec![500_000, 1_000_000, 1_500_000],
            lines: ["p50", "p95", "p99"]
                .into_iter()
                .map(|label| Line {
                    label: label.to_string(),
                    values: vec![Some(50.0), None, Some(70.0)],
                    companion: false,
                })
                .collect(),
            limit: None,
            y_step: 20.0,
            y_top: 80.0,
            y_bottom: 0.0,
        }
    }

    #[test]
    fn the_drawing_is_a_named_image_with_its_data_as_text() {
        let svg = drawing(&chart(), "c0");
        assert!(svg.starts_with(r#"<svg class="chart-svg" viewBox="0 0 600 150""#));
        assert!(svg.contains(
            r#"role="img" aria-describedby="c0" aria-label="Latency &lt;of&gt; &quot;clients&quot;: chart of p50"#
        ));
        assert!(svg.contains(r#" data-times="500000 1000000 1500000">"#));
        assert!(svg.contains(r#"data-label="p99" data-values="50.0 - 70.0""#));
        assert_eq!(svg.matches("<path").count(), 4, "a band and three lines");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_key_names_each_line_and_says_the_latest_values() {
        let key = key(&chart(), "c0");
        assert_eq!(key.matches("<li>").count(), 4);
        assert!(key.ends_with(
            r#"<p class="chart-latest" id="c0">p50 70 ms, p95 70 ms, p99 70 ms over the last second</p>"#
        ));
    }
}
