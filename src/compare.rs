//! Comparing settings of a protocol over many seeded runs: the command line's `compare`.
//!
//! For each value of one swept parameter (or just the scenario as given), every seed of a range
//! runs for the same virtual time under the same gentle fault schedule ([`Trial`]): one
//! main-kind node at a time crashes, stays down long enough to be noticed, and restarts. Each run
//! yields its checker's [`Figure`]s (e.g. crash detection time and false suspicions) and its
//! client metrics; a row pools them over the seeds. Pooling adds integers only, so the table is
//! the same whatever the number of threads.
//!
//! Native only (threads, tables): the runs, the fault schedule and the pooling are
//! [`crate::comparison`]'s, which the page runs too.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use crate::comparison::{
    CRASH_GAP, Comparison, DEFAULT_UNTIL, DOWNTIME, LatencyFigures, MAX_VIOLATIONS_KEPT, Row,
    Sweep, Trial,
};
use crate::comparison::{Pool, row_scenarios, run_one};
use crate::fuzz;
use crate::protocols;
use crate::scenario::Scenario;
use crate::sim::MS;
use crate::sim::action::NetConfig;
use crate::sim::figure::Measure;
use crate::sim::metrics::Percentiles;
use crate::sim::param::parse_millis;
use crate::sim::time::Micros;

/// Reads a latency range in milliseconds, `MIN-MAX` (e.g. `10-60`), as the network takes it.
pub fn parse_latency(text: &str) -> Result<(Micros, Micros), String> {
    let range = text
        .split_once('-')
        .and_then(|(lo, hi)| Some((parse_millis(lo)?, parse_millis(hi)?)));
    let Some((lo, hi)) = range else {
        return Err(format!(
            "--latency expects MIN-MAX in milliseconds, e.g. 10-60, not '{text}'"
        ));
    };
    NetConfig::validate_latency(lo, hi).map_err(|e| format!("--latency {text}: {e}"))?;
    Ok((lo, hi))
}

/// What to compare.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// The scenario every run starts from (protocol, nodes, network, parameters, load); its
    /// seed and recorded actions are ignored.
    pub base: Scenario,
    /// The parameter to sweep, or `None` for one row: the base scenario.
    pub sweep: Option<Sweep>,
    /// The seeds each row runs.
    pub seeds: Range<u64>,
    /// Virtual time of each run.
    pub until: Micros,
    /// Threads to run on (at least one is used).
    pub threads: usize,
}

/// Runs the comparison `opts` describes on `opts.threads` threads.
pub fn compare(opts: &CompareOptions) -> Result<Comparison, String> {
    let info = protocols::info(&opts.base.protocol)
        .ok_or_else(|| format!("unknown protocol '{}'", opts.base.protocol))?;
    let scenarios = row_scenarios(&opts.base, opts.sweep.as_ref())?;
    let seeds = opts.seeds.end.saturating_sub(opts.seeds.start) as usize;
    let pools = Mutex::new(
        (scenarios.iter())
            .map(|(label, _)| Pool::new(label.clone()))
            .collect::<Vec<_>>(),
    );
    let next = AtomicUsize::new(0);
    let jobs = seeds * scenarios.len();
    std::thread::scope(|scope| {
        for _ in 0..opts.threads.max(1) {
            scope.spawn(|| {
                loop {
                    let job = next.fetch_add(1, Ordering::Relaxed);
                    if job >= jobs {
                        break;
                    }
                    let (row, k) = (job / seeds, job % seeds);
                    let mut scenario = scenarios[row].1.clone();
                    scenario.seed = opts.seeds.start + k as u64;
                    let run = run_one(&scenario, opts.until).expect("checked before the runs");
                    let mut pools = pools.lock().unwrap_or_else(|e| e.into_inner());
                    pools[row].add(scenario.seed, run);
                }
            });
        }
    });
    let pools = pools.into_inner().unwrap_or_else(|e| e.into_inner());
    Ok(Comparison {
        title: info.title,
        key: opts.sweep.as_ref().map(|s| s.key),
        rows: pools.into_iter().map(Pool::finish).collect(),
    })
}

/// The columns a comparison shows, as (header, one cell per row): the swept value, the crashes
/// injected, each
/// figure (durations as their mean in ms with their number, counts per virtual hour), latency
/// percentiles and counter rates of the series with samples, and violations if any run had one.
pub fn columns(c: &Comparison) -> Vec<(String, Vec<String>)> {
    let rows = &c.rows;
    let mut cols = vec![(
        c.key.unwrap_or("scenario").to_string(),
        rows.iter().map(|r| r.value.clone()).collect(),
    )];
    let Some(first) = rows.first() else {
        return cols;
    };
    cols.push((
        "crashes".into(),
        rows.iter().map(|r| r.crashes.to_string()).collect(),
    ));
    for (i, f) in first.figures.iter().enumerate() {
        let cell = |r: &Row| r.figures.get(i).copied();
        match f.measure {
            Measure::Durations { .. } => {
                cols.push((
                    format!("{} ms", f.name),
                    (rows.iter())
                        .map(|r| match cell(r).and_then(|f| f.measure.mean()) {
                            // Clocks' errors are fractions of a millisecond.
                            Some(mean) if mean < 10 * MS => {
                                format!("{:.3}", mean as f64 / MS as f64)
                            }
                            Some(mean) => format!("{:.0}", mean as f64 / MS as f64),
                            None => "–".into(),
                        })
                        .collect(),
                ));
                cols.push((
                    format!("{}s", f.name),
                    (rows.iter())
                        .map(|r| match cell(r).map(|f| f.measure) {
                            Some(Measure::Durations { count, .. }) => count.to_string(),
                            _ => "–".into(),
                        })
                        .collect(),
                ));
            }
            Measure::Count(_) => cols.push((
                format!("{} /h", f.name),
                (rows.iter())
                    .map(|r| match cell(r).and_then(|f| r.per_hour(&f)) {
                        Some(rate) => format!("{rate:.1}"),
                        None => "–".into(),
                    })
                    .collect(),
            )),
        }
    }
    let several = first.latency.len() > 1;
    for (i, l) in first.latency.iter().enumerate() {
        let stats: Vec<Option<Percentiles>> = (rows.iter())
            .map(|r| r.latency.get(i).and_then(|l| l.percentiles))
            .collect();
        if stats.iter().all(Option::is_none) {
            continue;
        }
        let prefix = if several {
            format!("{} ", l.series)
        } else {
            String::new()
        };
        for (name, pick) in [
            ("p50", (|p: &Percentiles| p.p50) as fn(&Percentiles) -> i64),
            ("p95", |p| p.p95),
            ("p99", |p| p.p99),
        ] {
            cols.push((
                format!("{prefix}{name} ms"),
                (stats.iter())
                    .map(|p| p.as_ref().map_or("–".into(), |p| ms(pick(p))))
                    .collect(),
            ));
        }
    }
    for (i, &(name, _)) in first.counters.iter().enumerate() {
        let totals: Vec<i64> = (rows.iter())
            .map(|r| r.counters.get(i).map_or(0, |c| c.1))
            .collect();
        if totals.iter().all(|&n| n == 0) {
            continue;
        }
        cols.push((
            format!("{name} /s"),
            (rows.iter().zip(&totals))
                .map(|(r, &n)| format!("{:.2}", r.per_second(n)))
                .collect(),
        ));
    }
    if rows.iter().any(|r| r.violated_runs > 0) {
        cols.push((
            "runs violated".into(),
            rows.iter().map(|r| r.violated_runs.to_string()).collect(),
        ));
    }
    cols
}

/// Microseconds as milliseconds with one decimal.
fn ms(us: i64) -> String {
    format!("{:.1}", us as f64 / MS as f64)
}

/// The comparison as a plain-text table: a header line, then one line per row, columns
/// aligned (the first to the left, numbers to the right).
pub fn table(c: &Comparison) -> String {
    let cols = columns(c);
    let widths: Vec<usize> = (cols.iter())
        .map(|(h, cells)| {
            (cells.iter().map(|s| s.chars().count()))
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cell: &dyn Fn(usize) -> String| {
        let parts: Vec<String> = (0..cols.len())
            .map(|i| {
                let (text, w) = (cell(i), widths[i]);
                if i == 0 {
                    format!("{text:<w$}")
                } else {
                    format!("{text:>w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = line(&|i| cols[i].0.clone());
    out.push('\n');
    for r in 0..c.rows.len() {
        out.push_str(&line(&|i| cols[i].1[r].clone()));
        out.push('\n');
    }
    out
}

/// The comparison as JSON: `{protocol, sweep, rows: [{value, runs, virtual_hours, crashes, events,
/// violated_runs, figures: [{name, count} | {name, count, mean_ms}], latency: [{series, count,
/// p50_ms, p95_ms, p99_ms, max_ms}], counters: [{series, total, per_second}]}]}`; a count
/// figure also carries `per_hour`.
pub fn to_json(c: &Comparison) -> serde_json::Value {
    use serde_json::json;
    let rows: Vec<serde_json::Value> = (c.rows.iter())
        .map(|r| {
            let figures: Vec<serde_json::Value> = (r.figures.iter())
                .map(|f| match f.measure {
                    Measure::Count(n) => json!({
                        "name": f.name,
                        "count": n,
                        "per_hour": r.per_hour(f),
                    }),
                    Measure::Durations { count, .. } => json!({
                        "name": f.name,
                        "count": count,
                        "mean_ms": f.measure.mean().map(|m| m as f64 / MS as f64),
                    }),
                })
                .collect();
            let latency: Vec<serde_json::Value> = (r.latency.iter())
                .map(|l| {
                    let p = l.percentiles;
                    let at = |pick: fn(&Percentiles) -> i64| {
                        p.as_ref().map(|p| pick(p) as f64 / MS as f64)
                    };
                    json!({
                        "series": l.series,
                        "count": p.map_or(0, |p| p.count),
                        "p50_ms": at(|p| p.p50),
                        "p95_ms": at(|p| p.p95),
                        "p99_ms": at(|p| p.p99),
                        "max_ms": at(|p| p.max),
                    })
                })
                .collect();
            let counters: Vec<serde_json::Value> = (r.counters.iter())
                .map(|&(series, total)| {
                    json!({"series": series, "total": total, "per_second": r.per_second(total)})
                })
                .collect();
            json!({
                "value": r.value,
                "runs": r.runs,
                "virtual_hours": r.hours(),
                "crashes": r.crashes,
                "events": r.events,
                "violated_runs": r.violated_runs,
                "violations": violations_json(r),
                "figures": figures,
                "latency": latency,
                "counters": counters,
            })
        })
        .collect();
    json!({"protocol": c.title, "sweep": c.key, "rows": rows})
}

/// A row's kept violations as JSON: `[{seed, invariant, detail, t_us, replay}]`, the first
/// violation of each run.
fn violations_json(r: &Row) -> Vec<serde_json::Value> {
    (r.violations.iter())
        .filter_map(|(seed, report)| {
            let (t, f) = report.violations.first()?;
            Some(serde_json::json!({
                "seed": seed,
                "invariant": f.invariant,
                "detail": f.detail,
                "t_us": t,
                "replay": report.replay_command(),
            }))
        })
        .collect()
}

/// The violations kept, for people: per row, the first violation of each kept run and the
/// command that replays it (empty when no run broke an invariant).
pub fn violations_text(c: &Comparison) -> String {
    let mut out = String::new();
    for r in &c.rows {
        let Some(first) = r.violations.first() else {
            continue;
        };
        let setting = c
            .key
            .map_or(String::new(), |k| format!("{k}={}: ", r.value));
        out.push_str(&format!(
            "{setting}{} of {} runs broke an invariant; the first by seed:\n",
            r.violated_runs, r.runs
        ));
        for line in fuzz::describe(std::slice::from_ref(first)).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::action::ActionKind;
    use crate::sim::node::{NodeId, ProtocolInfo};
    use crate::sim::time::SEC;

    fn failover() -> ProtocolInfo {
        protocols::info("failover").expect("registered")
    }

    #[test]
    fn a_sweep_reads_numbers_and_names_in_order() {
        let info = failover();
        assert_eq!(
            Sweep::parse("threshold=12, 1,4", &info),
            Ok(Sweep {
                key: "threshold",
                values: vec![("12".into(), 12), ("1".into(), 1), ("4".into(), 4)],
            })
        );
        assert_eq!(
            Sweep::parse("detector=timeout,phi", &info),
            Ok(Sweep {
                key: "detector",
                values: vec![("timeout".into(), 0), ("phi".into(), 1)],
            })
        );
        assert_eq!(
            Sweep::parse("phi_model", &info),
            Ok(Sweep {
                key: "phi_model",
                values: vec![("normal".into(), 0), ("exponential".into(), 1)],
            }),
            "a named choice alone: all its choices"
        );
        let heartbeat = Sweep::parse("heartbeat=50,100.5", &info).unwrap();
        assert_eq!(
            heartbeat.values,
            vec![("50".into(), 50_000), ("100.5".into(), 100_500)]
        );
    }

    #[test]
    fn a_bad_sweep_says_what_is_wrong() {
        let info = failover();
        let err = |text| Sweep::parse(text, &info).unwrap_err();
        assert_eq!(
            err("threshold"),
            "--sweep threshold needs its values, e.g. --sweep threshold=1,2,4 (only a named choice sweeps all its choices by its name alone)"
        );
        let unknown = err("treshold=1,2");
        assert!(
            unknown.contains("no parameter 'treshold'")
                && unknown.contains("threshold, timeout, heartbeat"),
            "{unknown}"
        );
        assert_eq!(
            err("threshold=1,0"),
            "--sweep threshold=0: φ threshold is from 1 to 50"
        );
        assert!(err("threshold=1,,2").contains("threshold=:"));
        assert!(err("detector=phi,bogus").contains("one of timeout, phi"));
        assert_eq!(
            err("threshold=2,4,2"),
            "--sweep threshold: the value 2 is given twice"
        );
    }

    #[test]
    fn latency_ranges_are_milliseconds() {
        assert_eq!(parse_latency("10-60"), Ok((10_000, 60_000)));
        assert_eq!(parse_latency("0.5-1"), Ok((500, 1_000)));
        assert!(
            parse_latency("60-10")
                .unwrap_err()
                .contains("above the maximum")
        );
        assert!(parse_latency("10").unwrap_err().contains("MIN-MAX"));
        assert!(parse_latency("a-b").unwrap_err().contains("MIN-MAX"));
    }

    #[test]
    fn the_fault_schedule_crashes_one_main_node_at_a_time() {
        let mut s = Scenario::defaults("failover");
        s.seed = 3;
        let mut trial = Trial::new(&s, 300 * SEC).unwrap();
        assert!(trial.advance(300 * SEC), "the run reached its end");
        let lab = trial.lab();
        assert_eq!(lab.now(), 300 * SEC);
        let mut down: Option<(NodeId, Micros)> = None;
        let mut crashes = 0;
        for a in lab.actions() {
            match a.kind {
                ActionKind::Crash { node } => {
                    assert!(down.is_none(), "one node down at a time");
                    assert!((1..=s.nodes as NodeId).contains(&node), "a replica");
                    down = Some((node, a.t));
                    crashes += 1;
                }
                ActionKind::Restart { node } => {
                    let (was, since) = down.take().expect("a crashed node restarts");
                    assert_eq!(was, node);
                    assert!(DOWNTIME.contains(&(a.t - since)));
                }
                ref other => panic!("unexpected action {other:?}"),
            }
        }
        assert_eq!(crashes, trial.crashes());
        assert!((2..=6).contains(&crashes), "{crashes} crashes in 5 minutes");
    }
}
