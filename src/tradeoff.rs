//! The page's trade-off measurement (a protocol's [`TradeoffSpec`]): which sweep applies at
//! the visitor's settings, the small sample the page runs, and the charts of its result. Pure,
//! so tested natively; `ui::tradeoff` runs it between frames and draws it.

use std::fmt::Write;
use std::ops::Range;

use crate::charts::svg::escape;
use crate::charts::tradeoff::TradeoffChart;
use crate::comparison::{Comparison, Measurement, Row, Sweep};
use crate::scenario::Scenario;
use crate::sim::figure::Measure;
use crate::sim::node::{ProtocolInfo, Unit};
use crate::sim::time::{MS, Micros, SEC, format_time};

/// Seeded runs per swept value, from the visitor's seed on.
pub const SEEDS: u64 = 3;
/// Virtual time of each run: long enough for a few crashes, short enough that the whole sample
/// takes a second or two of work in the page.
pub const UNTIL: Micros = 180 * SEC;

/// What the page measures for a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The swept parameter and its values.
    pub sweep: Sweep,
    /// The parameter's label, with its unit for a duration: `Timeout detector's limit (ms)`.
    pub label: String,
    /// Whether the values are durations (shown in ms).
    millis: bool,
    /// The seeds every value runs.
    pub seeds: Range<u64>,
    /// Virtual time of each run.
    pub until: Micros,
    /// The figures drawn, by name.
    pub figures: &'static [&'static str],
}

/// The trade-off `info` declares for `scenario`'s settings: the first sweep whose condition
/// holds, over [`SEEDS`] seeds from the scenario's own; `None` when there is none.
pub fn plan(info: &ProtocolInfo, scenario: &Scenario) -> Option<Plan> {
    let spec = info.picture.tradeoff?;
    let holds = |key: &str, choice: &str| {
        let p = info.param_spec(key);
        let at = scenario.params.get(key).copied().or(p.map(|p| p.default));
        p.and_then(|p| p.choices().iter().position(|c| *c == choice))
            .is_some_and(|i| Some(i as u64) == at)
    };
    let chosen = (spec.sweeps.iter()).find(|s| s.when.is_none_or(|(k, c)| holds(k, c)))?;
    let param = info.param_spec(chosen.key)?;
    let millis = param.unit == Unit::Micros;
    Some(Plan {
        sweep: Sweep::of_values(chosen.key, chosen.values, info)?,
        label: if millis {
            format!("{} (ms)", param.label)
        } else {
            param.label.to_string()
        },
        millis,
        seeds: scenario.seed..scenario.seed.saturating_add(SEEDS),
        until: UNTIL,
        figures: spec.figures,
    })
}

impl Plan {
    /// The measurement of `scenario` (its recorded actions left out), ready to step; an error
    /// names a swept value the protocol refuses at these settings.
    pub fn start(&self, scenario: &Scenario) -> Result<Measurement, String> {
        Measurement::new(scenario, Some(&self.sweep), self.seeds.clone(), self.until)
    }

    /// The arguments of `quorumscope compare` that measure the same numbers for `scenario`:
    /// its link (without actions), the sweep, the seeds and the duration.
    pub fn cli_args(&self, scenario: &Scenario) -> Vec<String> {
        let mut link = scenario.clone();
        link.actions.clear();
        let values: Vec<&str> = self.sweep.values.iter().map(|v| v.0.as_str()).collect();
        [
            "--link".into(),
            format!("?{}", link.to_query()),
            "--sweep".into(),
            format!("{}={}", self.sweep.key, values.join(",")),
            "--first-seed".into(),
            self.seeds.start.to_string(),
            "--seeds".into(),
            (self.seeds.end - self.seeds.start).to_string(),
            "--until".into(),
            format!("{}s", self.until / SEC),
        ]
        .into()
    }

    /// [`Plan::cli_args`] as a shell command (the link in single quotes).
    pub fn command(&self, scenario: &Scenario) -> String {
        let mut args = self.cli_args(scenario);
        args[1] = format!("'{}'", args[1]);
        format!("quorumscope compare {}", args.join(" "))
    }

    /// The sample, for people: `3 seeds (5–7) × 3 virtual minutes for each of 5 values (15 runs)`.
    pub fn sample(&self) -> String {
        let n = self.seeds.end - self.seeds.start;
        format!(
            "{n} seeds ({}–{}) × {} virtual minutes for each of {} values ({} runs)",
            self.seeds.start,
            self.seeds.end - 1,
            self.until / (60 * SEC),
            self.sweep.values.len(),
            n as usize * self.sweep.values.len()
        )
    }

    /// One chart per figure drawn, from a finished comparison.
    pub fn charts(&self, c: &Comparison) -> Vec<TradeoffChart> {
        let xs: Vec<(f64, String)> = (self.sweep.values.iter())
            .map(|(label, v)| {
                let x = if self.millis {
                    *v as f64 / MS as f64
                } else {
                    *v as f64
                };
                (x, label.clone())
            })
            .collect();
        (self.figures.iter())
            .map(|&name| {
                let values: Vec<Option<(String, f64)>> =
                    c.rows.iter().map(|r| figure_value(r, name)).collect();
                let unit = (values.iter().flatten().next()).map_or(String::new(), |v| v.0.clone());
                TradeoffChart {
                    title: format!("{name} ({unit})"),
                    x_title: self.label.clone(),
                    xs: xs.clone(),
                    ys: values.into_iter().map(|v| v.map(|v| v.1)).collect(),
                }
            })
            .collect()
    }
}

impl Plan {
    /// The measured trade-off as markup the page inserts as it is: a chart per figure (with a
    /// legend line), the numbers as a table, and a note for each swept value whose runs broke
    /// an invariant, with a link that opens the first such run at its end.
    pub fn markup(&self, c: &Comparison) -> String {
        let charts = self.charts(c);
        let mut s = String::from(r#"<div class="tradeoff-charts">"#);
        for (i, chart) in charts.iter().enumerate() {
            let _ = write!(
                s,
                r#"<figure class="tradeoff-chart"><figcaption><svg width="22" height="8" aria-hidden="true"><line class="line s{i}" x1="1" x2="21" y1="4" y2="4"/></svg>"#
            );
            escape(&mut s, &chart.title);
            s.push_str("</figcaption>");
            s.push_str(&chart.drawing(&format!("s{i}")));
            s.push_str("</figure>");
        }
        s.push_str(r#"</div><table class="tradeoff-table"><caption>The numbers</caption><thead><tr><th scope="col">"#);
        escape(&mut s, &self.label);
        s.push_str(r#"</th><th scope="col">crashes</th>"#);
        for chart in &charts {
            s.push_str(r#"<th scope="col">"#);
            escape(&mut s, &chart.title);
            s.push_str("</th>");
        }
        s.push_str("</tr></thead><tbody>");
        for (r, row) in c.rows.iter().enumerate() {
            s.push_str(r#"<tr><th scope="row">"#);
            escape(&mut s, &row.value);
            let _ = write!(s, "</th><td>{}</td>", row.crashes);
            for chart in &charts {
                let y = chart.ys.get(r).copied().flatten();
                let _ = write!(
                    s,
                    "<td>{}</td>",
                    y.map_or("–".into(), TradeoffChart::number)
                );
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
        for row in &c.rows {
            let Some((seed, report)) = row.violations.first() else {
                continue;
            };
            let Some((t, finding)) = report.violations.first() else {
                continue;
            };
            s.push_str(r#"<p class="tradeoff-status bad">"#);
            let text = format!(
                "{}={}: {} of {} runs broke an invariant; seed {seed}: {} at {}: {}. ",
                self.sweep.key,
                row.value,
                row.violated_runs,
                row.runs,
                finding.invariant,
                format_time(*t),
                finding.detail
            );
            escape(&mut s, &text);
            s.push_str(r#"<a href="?"#);
            escape(&mut s, &format!("{}&at={}", report.link, report.end));
            s.push_str(r#"">Open that run</a></p>"#);
        }
        s
    }
}

/// A row's figure as drawn, with its unit: a duration's mean in ms, a count per virtual hour.
fn figure_value(r: &Row, name: &str) -> Option<(String, f64)> {
    let f = r.figures.iter().find(|f| f.name == name)?;
    match f.measure {
        Measure::Durations { .. } => {
            Some(("mean, ms".into(), f.measure.mean()? as f64 / MS as f64))
        }
        Measure::Count(_) => Some(("per hour".into(), r.per_hour(f)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols;

    fn failover(link: &str) -> (ProtocolInfo, Scenario) {
        let s = Scenario::parse_link(link).expect("a link");
        (protocols::info("failover").unwrap(), s)
    }

    #[test]
    fn the_detector_setting_picks_the_sweep() {
        let (info, s) = failover("protocol=failover&seed=5");
        let p = plan(&info, &s).expect("φ is the default detector");
        assert_eq!(p.sweep.key, "threshold");
        assert_eq!(p.label, "φ threshold");
        assert_eq!(p.seeds, 5..8);
        assert_eq!(
            p.sample(),
            "3 seeds (5–7) × 3 virtual minutes for each of 5 values (15 runs)"
        );
        let (info, s) = failover("protocol=failover&seed=1&detector=timeout");
        let p = plan(&info, &s).unwrap();
        assert_eq!(p.sweep.key, "timeout");
        assert_eq!(p.label, "Timeout detector's limit (ms)");
        let labels: Vec<&str> = p.sweep.values.iter().map(|v| v.0.as_str()).collect();
        assert_eq!(labels, ["150", "200", "300", "500"]);
        let (info, s) = failover("protocol=failover&seed=5&lat=10-60&threshold=4&a=c.1.c1");
        assert_eq!(
            plan(&info, &s).unwrap().command(&s),
            "quorumscope compare --link '?protocol=failover&nodes=3&seed=5&lat=10-60&threshold=4' \
             --sweep threshold=1,2,4,8,12 --first-seed 5 --seeds 3 --until 180s"
        );
        let raft = Scenario::defaults("raft");
        assert_eq!(plan(&protocols::info("raft").unwrap(), &raft), None);
    }

    #[test]
    fn a_refused_value_is_a_message() {
        let (info, s) = failover("protocol=failover&seed=1&detector=timeout&heartbeat=200");
        let err = plan(&info, &s).unwrap().start(&s).err().expect("refused");
        assert!(
            err.starts_with("timeout=150: the timeout (150 ms)"),
            "{err}"
        );
    }

    #[test]
    fn the_markup_draws_each_figure_tabulates_each_value_and_reports_broken_runs() {
        // Asynchronous replication loses acknowledged writes at a failover: a deliberate bug.
        let (info, s) = failover("protocol=failover&seed=1&replication=async&lat=10-60");
        let p = plan(&info, &s).unwrap();
        let mut m = p.start(&s).unwrap();
        while !m.step(30 * SEC) {}
        let c = m.finish();
        let html = p.markup(&c);
        assert_eq!(
            html.matches(r#"role="img""#).count(),
            2,
            "a chart per figure"
        );
        assert!(
            html.contains(r#"aria-label="crash detection (mean, ms) against φ threshold: 1: "#)
        );
        assert!(
            html.contains(r#"aria-label="false suspicions (per hour) against φ threshold: 1: "#)
        );
        assert_eq!(
            html.matches(r#"<tr><th scope="row">"#).count(),
            5,
            "a row per value"
        );
        let broken = c.rows.iter().filter(|r| r.violated_runs > 0).count();
        assert!(broken > 0, "async replication loses a write in some run");
        assert_eq!(html.matches("broke an invariant; seed ").count(), broken);
        assert!(
            html.contains("threshold=4: 1 of 3 runs broke an invariant; seed 1: Durability at "),
            "{html}"
        );
        assert!(html.contains(r#"<a href="?protocol=failover&amp;nodes=3&amp;seed=1&amp;"#));
        assert!(html.contains(r#"&amp;at=180000000">Open that run</a>"#));
    }
}
