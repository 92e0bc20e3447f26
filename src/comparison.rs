//! The threads-free core of comparing settings of a protocol over many seeded runs, shared by
//! the command line's `compare` (which spreads the runs over threads, see `compare`) and the
//! page's trade-off panel (which runs them a slice at a time between frames).
//!
//! For each value of one swept parameter (or just the scenario as given), every seed of a range
//! runs for the same virtual time under the same gentle fault schedule ([`fault_schedule`]): one
//! main-kind node at a time crashes, stays down long enough to be noticed, and restarts. Each run
//! ([`Trial`]) yields its checker's [`Figure`]s (e.g. crash detection time and false suspicions)
//! and its client metrics; a row pools them over the seeds. Pooling adds integers only, so a
//! row is the same whatever order its runs finish in: the page's numbers are the command line's.

use std::ops::{Range, RangeInclusive};

use crate::fuzz::{self, FuzzReport};
use crate::protocols;
use crate::scenario::Scenario;
use crate::sim::Lab;
use crate::sim::action::ActionKind;
use crate::sim::figure::{self, Figure, Measure};
use crate::sim::metrics::{self, Percentiles, SeriesKind};
use crate::sim::node::{NodeId, ProtocolInfo};
use crate::sim::rng::Rng;
use crate::sim::time::{Micros, SEC};

/// Violating runs a row keeps (with their replay commands), lowest seeds first.
pub const MAX_VIOLATIONS_KEPT: usize = 5;

/// Virtual time of each run unless told otherwise: ten minutes, long enough for about a dozen
/// crashes under [`fault_schedule`].
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
        let Some(spec) = info.param_spec(key) else {
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

    /// Stored `values` of `key`, each written as links write it (`150` for 150 ms); `None`
    /// when `info` has no such parameter.
    pub fn of_values(key: &str, values: &[u64], info: &ProtocolInfo) -> Option<Sweep> {
        let spec = info.param_spec(key)?;
        Some(Sweep {
            key: spec.key,
            values: values.iter().map(|&v| (spec.format(v), v)).collect(),
        })
    }
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
    /// A row with no run yet.
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
pub struct RunResult {
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
/// Every row starts from `base` without its recorded actions.
pub fn row_scenarios(
    base: &Scenario,
    sweep: Option<&Sweep>,
) -> Result<Vec<(String, Scenario)>, String> {
    let mut base = base.clone();
    base.actions.clear();
    let rows = match sweep {
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
        protocols::create_untraced(s).map_err(|e| match sweep {
            Some(sweep) => format!("{}={label}: {e}", sweep.key),
            None => e,
        })?;
    }
    Ok(rows)
}

/// A row while its runs come in, with every latency sample so far (per latency series).
pub struct Pool {
    row: Row,
    samples: Vec<Vec<i64>>,
}

impl Pool {
    /// Adds the run of `seed` (every operation adds integers or appends samples, so the order
    /// in which runs arrive does not matter).
    pub fn add(&mut self, seed: u64, run: RunResult) {
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
            // Kept in seed order (an insertion, not a sort: the page's build stays small).
            let at = row.violations.partition_point(|(s, _)| *s < seed);
            if at < MAX_VIOLATIONS_KEPT {
                row.violations.insert(at, (seed, report));
                row.violations.truncate(MAX_VIOLATIONS_KEPT);
            }
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
    pub fn finish(mut self) -> Row {
        for (l, samples) in self.row.latency.iter_mut().zip(&mut self.samples) {
            l.percentiles = metrics::percentiles(samples);
        }
        self.row
    }
}

impl Pool {
    /// A pool for the row labelled `value`, with no run yet.
    pub fn new(value: String) -> Pool {
        Pool {
            row: Row::empty(value),
            samples: Vec::new(),
        }
    }
}

/// One seeded run under [`fault_schedule`], which can be advanced a slice of virtual time at a
/// time (the page runs one slice per timer tick); sliced or not, it ends the same.
pub struct Trial {
    lab: Box<dyn Lab>,
    /// The fault schedule, in time order, and how much of it has been applied.
    faults: Vec<(Micros, ActionKind)>,
    next: usize,
    until: Micros,
    crashes: u64,
}

impl Trial {
    /// The run of `scenario` (its seed included) for `until` of virtual time; an error if the
    /// protocol refuses the scenario.
    pub fn new(scenario: &Scenario, until: Micros) -> Result<Trial, String> {
        // Traced, because the untraced mode keeps no metric samples either.
        let lab = protocols::create(scenario)?;
        let info = protocols::info(&scenario.protocol).expect("the run started, so it is known");
        let targets = match info.compare.crashes {
            Some(kind) => lab.setup().ids_of(kind),
            None => 1..=lab.setup().nodes as NodeId,
        };
        let faults = fault_schedule(scenario.seed, targets, lab.now(), until);
        Ok(Trial {
            lab,
            faults,
            next: 0,
            until,
            crashes: 0,
        })
    }

    /// Runs on for at most `slice` of virtual time, injecting the faults due; true once the
    /// run has reached its end.
    pub fn advance(&mut self, slice: Micros) -> bool {
        let end = self.lab.now().saturating_add(slice).min(self.until);
        while let Some((t, kind)) = (self.faults.get(self.next).cloned()).filter(|f| f.0 <= end) {
            self.lab.advance_to(t);
            self.crashes += inject(self.lab.as_mut(), kind);
            self.next += 1;
        }
        self.lab.advance_to(end);
        self.lab.now() >= self.until
    }

    /// The run so far.
    pub fn lab(&self) -> &dyn Lab {
        self.lab.as_ref()
    }

    /// The crashes injected so far.
    pub fn crashes(&self) -> u64 {
        self.crashes
    }

    /// What the run yields (at whatever time it has reached).
    pub fn finish(self) -> RunResult {
        let lab = self.lab;
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
        RunResult {
            figures: lab.figures(),
            latency,
            counters,
            crashes: self.crashes,
            violated,
            events: lab.events(),
            end: now,
        }
    }
}

/// One seeded run of `scenario` for `until` of virtual time under [`fault_schedule`].
pub fn run_one(scenario: &Scenario, until: Micros) -> Result<RunResult, String> {
    let mut trial = Trial::new(scenario, until)?;
    trial.advance(until);
    Ok(trial.finish())
}

/// A whole comparison run one job at a time on one thread, a slice of virtual time per
/// [`Measurement::step`]: the page's trade-off panel works through it between frames. Its
/// result equals the threaded `compare`'s for the same scenario, sweep, seeds and duration.
pub struct Measurement {
    title: &'static str,
    key: Option<&'static str>,
    scenarios: Vec<(String, Scenario)>,
    seeds: Range<u64>,
    until: Micros,
    /// Runs finished.
    done: usize,
    /// The run under way.
    trial: Option<Trial>,
    pools: Vec<Pool>,
}

impl Measurement {
    /// A comparison of `sweep`'s values (or `base` alone) over `seeds`, each run lasting
    /// `until`; an error names a setting the protocol refuses.
    pub fn new(
        base: &Scenario,
        sweep: Option<&Sweep>,
        seeds: Range<u64>,
        until: Micros,
    ) -> Result<Measurement, String> {
        let info = protocols::info(&base.protocol)
            .ok_or_else(|| format!("unknown protocol '{}'", base.protocol))?;
        let scenarios = row_scenarios(base, sweep)?;
        let pools = scenarios
            .iter()
            .map(|(l, _)| Pool::new(l.clone()))
            .collect();
        Ok(Measurement {
            title: info.title,
            key: sweep.map(|s| s.key),
            scenarios,
            seeds,
            until,
            done: 0,
            trial: None,
            pools,
        })
    }

    /// How many runs the comparison takes.
    pub fn runs(&self) -> usize {
        self.scenarios.len() * self.seeds_per_row()
    }

    /// How many runs have finished.
    pub fn done(&self) -> usize {
        self.done
    }

    fn seeds_per_row(&self) -> usize {
        self.seeds.end.saturating_sub(self.seeds.start) as usize
    }

    /// The row and seed of run `job`.
    fn job(&self, job: usize) -> (usize, u64) {
        let per_row = self.seeds_per_row().max(1);
        (job / per_row, self.seeds.start + (job % per_row) as u64)
    }

    /// The row label and seed of the run under way or next, while any is left.
    pub fn current(&self) -> Option<(&str, u64)> {
        (self.done < self.runs()).then(|| {
            let (row, seed) = self.job(self.done);
            (self.scenarios[row].0.as_str(), seed)
        })
    }

    /// Advances the run under way by at most `slice` of virtual time (starting the next run
    /// when none is under way, pooling it when it ends); true once every run is done.
    pub fn step(&mut self, slice: Micros) -> bool {
        if self.done >= self.runs() {
            return true;
        }
        let (row, seed) = self.job(self.done);
        let trial = match &mut self.trial {
            Some(trial) => trial,
            None => {
                let mut scenario = self.scenarios[row].1.clone();
                scenario.seed = seed;
                let trial = Trial::new(&scenario, self.until).expect("checked before the runs");
                self.trial.insert(trial)
            }
        };
        if trial.advance(slice) {
            let trial = self.trial.take().expect("under way");
            self.pools[row].add(seed, trial.finish());
            self.done += 1;
        }
        self.done >= self.runs()
    }

    /// The rows pooled so far (all of them once [`Measurement::step`] said it is done).
    pub fn finish(self) -> Comparison {
        Comparison {
            title: self.title,
            key: self.key,
            rows: self.pools.into_iter().map(Pool::finish).collect(),
        }
    }
}

/// The gentle fault schedule of every comparison run, fixed by `seed`, from `start` to
/// `until` in time order: after a quiet while ([`CRASH_GAP`]) one of the `targets` (the
/// main kind's nodes, or the kind the protocol names in [`crate::sim::CompareSpec::crashes`])
/// crashes, stays down for [`DOWNTIME`] and restarts; and so on. One node at most is down at a
/// time, so any protocol that tolerates one crash keeps working.
fn fault_schedule(
    seed: u64,
    targets: RangeInclusive<NodeId>,
    start: Micros,
    until: Micros,
) -> Vec<(Micros, ActionKind)> {
    if targets.is_empty() {
        return Vec::new();
    }
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00_C0FF_EE00);
    let draw = |rng: &mut Rng, r: &RangeInclusive<Micros>| rng.range(*r.start(), *r.end());
    let mut schedule = Vec::new();
    let mut t = start;
    loop {
        t += draw(&mut rng, &CRASH_GAP);
        let node = rng.range((*targets.start()).into(), (*targets.end()).into()) as NodeId;
        let back = t + draw(&mut rng, &DOWNTIME);
        if t >= until {
            break;
        }
        schedule.push((t, ActionKind::Crash { node }));
        if back >= until {
            break;
        }
        schedule.push((back, ActionKind::Restart { node }));
        t = back;
    }
    schedule
}

/// Injects one scheduled fault; 1 for a crash that took, else 0.
fn inject(lab: &mut dyn Lab, kind: ActionKind) -> u64 {
    let crash = matches!(kind, ActionKind::Crash { .. });
    u64::from(lab.act(kind).is_ok() && crash)
}
