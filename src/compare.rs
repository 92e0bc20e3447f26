//! Comparing settings of a protocol over many seeded runs: the command line's `compare`.
//!
//! For each value of one swept parameter (or just the scenario as given), every seed of a range
//! runs for the same virtual time under the same gentle fault schedule ([`gentle_faults`]): one
//! main-kind node at a time crashes, stays down long enough to be noticed, and restarts. Each run
//! yields its checker's [`Figure`]s (e.g. crash detection time and false suspicions) and its
//! client metrics; a row pools them over the seeds. Pooling adds integers only, so the table is
//! the same whatever the number of threads.
//!
//! Native only (threads): the web build does not link it.

use std::ops::{Range, RangeInclusive};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::fuzz::{self, FuzzReport};
use crate::protocols;
use crate::scenario::Scenario;
use crate::sim::action::{ActionKind, NetConfig};
use crate::sim::figure::{self, Figure, Measure};
use crate::sim::metrics::{self, Percentiles, SeriesKind};
use crate::sim::node::{NodeId, ProtocolInfo};
use crate::sim::param::parse_millis;
use crate::sim::rng::Rng;
use crate::sim::time::{Micros, SEC};
use crate::sim::{Lab, MS};

/// Violating runs a row keeps (with their replay commands), lowest seeds first.
pub const MAX_VIOLATIONS_KEPT: usize = 5;

/// Virtual time of each run unless told otherwise: ten minutes, long enough for about a dozen
/// crashes under [`gentle_faults`].
pub const DEFAULT_UNTIL: Micros = 600 * SEC;

/// How long the run goes on before the first crash, and between a restart and the next crash:
/// a uniform draw from this range. At least 30 s, so that a failure detector's window of recent
/// heartbeat intervals (failover's φ keeps 200, 20 s at the default heartbeat) has forgotten the
/// long silence of the last downtime: otherwise that one interval inflates the estimated spread
/// and the next crash of the same node is detected seconds late.
pub const CRASH_GAP: RangeInclusive<Micros> = 30 * SEC..=90 * SEC;
/// How long a crashed node stays down: a uniform draw from this range (longer than any
/// detector's usual detection time, so crashes are detected rather than missed).
pub const DOWNTIME: RangeInclusive<Micros> = 10 * SEC..=30 * SEC;

/// One swept parameter and its values, as `--sweep KEY=V1,V2,…` names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sweep {
    /// The parameter.
    pub key: &'static str,
    /// Each value, in the order given: (its text form, its stored value).
    pub values: Vec<(String, u64)>,
}

impl Sweep {
    /// Reads `KEY=V1,V2,…` against `info`'s parameters (a named choice by its names), or a
    /// named choice's `KEY` alone for all its choices; the error says what is wrong and, for an
    /// unknown key, lists the parameters there are.
    pub fn parse(text: &str, info: &ProtocolInfo) -> Result<Sweep, String> {
        let (key, list) = text.split_once('=').unwrap_or((text, ""));
        let key = key.trim();
        let Some(spec) = info.params.iter().find(|p| p.key == key) else {
            let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
            return Err(format!(
                "--sweep {text}: {} has no parameter '{key}' (parameters: {})",
                info.title,
                keys.join(", ")
            ));
        };
        if !text.contains('=') {
            let choices = spec.choices();
            if choices.is_empty() {
                return Err(format!(
                    "--sweep {key} needs its values, e.g. --sweep {key}=1,2,4 (only a named choice sweeps all its choices by its name alone)"
                ));
            }
            return Ok(Sweep {
                key: spec.key,
                values: (0u64..)
                    .zip(choices)
                    .map(|(i, c)| (c.to_string(), i))
                    .collect(),
            });
        }
        let mut values: Vec<(String, u64)> = Vec::new();
        for item in list.split(',') {
            let v = spec
                .parse(item)
                .map_err(|why| format!("--sweep {key}={}: {why}", item.trim()))?;
            if values.iter().any(|&(_, seen)| seen == v) {
                return Err(format!(
                    "--sweep {key}: the value {} is given twice",
                    spec.format(v)
                ));
            }
            values.push((spec.format(v), v));
        }
        Ok(Sweep {
            key: spec.key,
            values,
        })
    }
}

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

/// Latency percentiles of one latency series over every run of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyFigures {
    /// The series, e.g. `client_latency`.
    pub series: &'static str,
    /// Percentiles of all samples pooled, if there were any.
    pub percentiles: Option<Percentiles>,
}

/// One row of a comparison: one setting, pooled over its seeds.
#[derive(Clone, Debug)]
pub struct Row {
    /// The swept value as written (`4`, `phi`), or `as given` without a sweep.
    pub value: String,
    /// Runs pooled.
    pub runs: u64,
    /// Virtual time simulated over all runs.
    pub virtual_time: Micros,
    /// Crashes the fault schedule injected over all runs.
    pub crashes: u64,
    /// The checker's figures, pooled.
    pub figures: Vec<Figure>,
    /// Each latency series the protocol declares.
    pub latency: Vec<LatencyFigures>,
    /// Each counter series the protocol declares, summed.
    pub counters: Vec<(&'static str, i64)>,
    /// Runs in which an invariant broke.
    pub violated_runs: u64,
    /// The first few of them by seed, each with its first violation and the command that
    /// replays it.
    pub violations: Vec<(u64, FuzzReport)>,
    /// Events simulated over all runs.
    pub events: u64,
}

impl Row {
    fn empty(value: String) -> Row {
        Row {
            value,
            runs: 0,
            virtual_time: 0,
            crashes: 0,
            figures: Vec::new(),
            latency: Vec::new(),
            counters: Vec::new(),
            violated_runs: 0,
            violations: Vec::new(),
            events: 0,
        }
    }

    /// Virtual hours simulated over all runs.
    pub fn hours(&self) -> f64 {
        self.virtual_time as f64 / (3600 * SEC) as f64
    }

    /// How often a counted figure happened per virtual hour (`None` for durations).
    pub fn per_hour(&self, f: &Figure) -> Option<f64> {
        match f.measure {
            Measure::Count(n) => Some(n as f64 / self.hours().max(f64::MIN_POSITIVE)),
            Measure::Durations { .. } => None,
        }
    }

    /// A counter's rate per virtual second.
    pub fn per_second(&self, total: i64) -> f64 {
        total as f64 * SEC as f64 / self.virtual_time.max(1) as f64
    }
}

/// The result of a comparison: one row per setting, in the order the sweep gave them.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The protocol's title.
    pub title: &'static str,
    /// The swept parameter, if any.
    pub key: Option<&'static str>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// What one run yields, before pooling.
struct RunResult {
    figures: Vec<Figure>,
    /// Every sample of each latency series.
    latency: Vec<(&'static str, Vec<i64>)>,
    counters: Vec<(&'static str, i64)>,
    crashes: u64,
    /// The run's violations, with its replay link, if it had any.
    violated: Option<FuzzReport>,
    events: u64,
    end: Micros,
}

/// The scenarios of each row, checked: a setting the protocol refuses is an error naming it.
fn row_scenarios(opts: &CompareOptions) -> Result<Vec<(String, Scenario)>, String> {
    let mut base = opts.base.clone();
    base.actions.clear();
    let rows = match &opts.sweep {
        None => vec![("as given".to_string(), base)],
        Some(sweep) => (sweep.values.iter())
            .map(|(label, v)| {
                let mut s = base.clone();
                s.params.insert(sweep.key.to_string(), *v);
                (label.clone(), s)
            })
            .collect(),
    };
    for (label, s) in &rows {
        protocols::create_untraced(s).map_err(|e| match &opts.sweep {
            Some(sweep) => format!("{}={label}: {e}", sweep.key),
            None => e,
        })?;
    }
    Ok(rows)
}

/// Runs the comparison `opts` describes on `opts.threads` threads.
pub fn compare(opts: &CompareOptions) -> Result<Comparison, String> {
    let info = protocols::info(&opts.base.protocol)
        .ok_or_else(|| format!("unknown protocol '{}'", opts.base.protocol))?;
    let scenarios = row_scenarios(opts)?;
    let seeds = opts.seeds.end.saturating_sub(opts.seeds.start) as usize;
    let pools = Mutex::new(
        (scenarios.iter())
            .map(|(label, _)| Pool {
                row: Row::empty(label.clone()),
                samples: Vec::new(),
            })
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

/// A row while its runs come in, with every latency sample so far (per latency series).
struct Pool {
    row: Row,
    samples: Vec<Vec<i64>>,
}

impl Pool {
    /// Adds the run of `seed` (every operation adds integers or appends samples, so the order
    /// in which runs arrive does not matter).
    fn add(&mut self, seed: u64, run: RunResult) {
        let row = &mut self.row;
        if row.runs == 0 {
            row.latency = (run.latency.iter())
                .map(|&(series, _)| LatencyFigures {
                    series,
                    percentiles: None,
                })
                .collect();
            self.samples = vec![Vec::new(); run.latency.len()];
            row.counters = run.counters.iter().map(|&(name, _)| (name, 0)).collect();
        }
        row.runs += 1;
        row.virtual_time += run.end;
        row.crashes += run.crashes;
        row.events += run.events;
        if let Some(report) = run.violated {
            row.violated_runs += 1;
            row.violations.push((seed, report));
            row.violations.sort_by_key(|(seed, _)| *seed);
            row.violations.truncate(MAX_VIOLATIONS_KEPT);
        }
        figure::pool(&mut row.figures, &run.figures);
        for (pooled, (_, samples)) in self.samples.iter_mut().zip(run.latency) {
            pooled.extend(samples);
        }
        for (total, (_, n)) in row.counters.iter_mut().zip(run.counters) {
            total.1 += n;
        }
    }

    /// The row, with the percentiles of all its samples.
    fn finish(mut self) -> Row {
        for (l, samples) in self.row.latency.iter_mut().zip(&mut self.samples) {
            l.percentiles = metrics::percentiles(samples);
        }
        self.row
    }
}

/// One seeded run of `scenario` for `until` of virtual time under [`gentle_faults`].
fn run_one(scenario: &Scenario, until: Micros) -> Result<RunResult, String> {
    // Traced, because the untraced mode keeps no metric samples either.
    let mut lab = protocols::create(scenario)?;
    let crashes = gentle_faults(lab.as_mut(), scenario.seed, until);
    lab.advance_to(until);
    let m = lab.metrics();
    let now = lab.now();
    let mut latency = Vec::new();
    let mut counters = Vec::new();
    for (i, series) in m.series.iter().enumerate() {
        match series.kind {
            SeriesKind::Latency => {
                latency.push((series.name, m.window(i, 0, now).map(|s| s.value).collect()))
            }
            SeriesKind::Counter => counters.push((series.name, m.sum(i, 0, now))),
            SeriesKind::Gauge => {}
        }
    }
    let found = fuzz::violations(lab.as_ref());
    let violated = (!found.is_empty()).then(|| FuzzReport {
        violations: found,
        link: lab.scenario().to_query(),
        events: lab.events(),
        end: now,
    });
    Ok(RunResult {
        figures: lab.figures(),
        latency,
        counters,
        crashes,
        violated,
        events: lab.events(),
        end: now,
    })
}

/// The fault schedule of every comparison run, fixed by `seed`: after a quiet while
/// ([`CRASH_GAP`]) one of the main-kind nodes (ids `1..=nodes`) crashes, stays down for
/// [`DOWNTIME`] and restarts; and so on until `until`. One node at most is down at a time, so
/// any protocol that tolerates one crash keeps working. Runs the lab forward to `until`;
/// returns the number of crashes.
pub fn gentle_faults(lab: &mut dyn Lab, seed: u64, until: Micros) -> u64 {
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00_C0FF_EE00);
    let draw = |rng: &mut Rng, r: &RangeInclusive<Micros>| rng.range(*r.start(), *r.end());
    let nodes = lab.setup().nodes as u64;
    let mut t = lab.now();
    let mut crashes = 0;
    loop {
        t += draw(&mut rng, &CRASH_GAP);
        let node = rng.range(1, nodes) as NodeId;
        let back = t + draw(&mut rng, &DOWNTIME);
        if t >= until {
            break;
        }
        lab.advance_to(t);
        crashes += u64::from(lab.act(ActionKind::Crash { node }).is_ok());
        if back >= until {
            break;
        }
        lab.advance_to(back);
        let _ = lab.act(ActionKind::Restart { node });
        t = back;
    }
    lab.advance_to(until);
    crashes
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
        let mut lab = protocols::create_untraced(&s).unwrap();
        let injected = gentle_faults(lab.as_mut(), 3, 300 * SEC);
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
        assert_eq!(crashes, injected);
        assert!((2..=6).contains(&crashes), "{crashes} crashes in 5 minutes");
    }
}
