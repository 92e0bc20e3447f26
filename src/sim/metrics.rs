//! Metrics: named series of samples kept by virtual time, so charts follow scrubbing and forks.
//!
//! Nodes (and the engine) write samples to series a protocol declares: counters (events to count
//! and turn into rates), gauges (a level such as a queue length or a clock offset) and latencies
//! (one sample per completed request). A [`MetricsLog`] keeps every sample of a branch in the
//! order the run produced them, each stamped with its virtual time and event number; a chart
//! asks for the samples up to "now" and a fork cuts off the recorded future, exactly as the
//! trace does.

use super::node::NodeId;
use super::time::Micros;

/// What a series measures, which decides how charts and summaries read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    /// Each sample adds its value to a running count (charted as a rate per second).
    Counter,
    /// Each sample is the level at that moment (charted as a line per node).
    Gauge,
    /// Each sample is one request's latency in µs (charted as percentile bands).
    Latency,
}

/// A series a protocol declares: written by its nodes, drawn by the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Series {
    /// Key in exports and the CLI's `--metrics` file, e.g. `client_latency`.
    pub name: &'static str,
    /// How to read it.
    pub kind: SeriesKind,
    /// Title for people, e.g. "Client-observed latency".
    pub title: &'static str,
}

/// One sample of one series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Virtual time it was taken.
    pub t: Micros,
    /// The node it is about: the one that wrote it unless the writer named another
    /// ([`super::Ctx::record_about`]); 0 for the engine itself.
    pub node: NodeId,
    /// The value (µs for latencies).
    pub value: i64,
}

/// Every sample of a branch, by series, in the order the run produced them.
#[derive(Clone, Debug, Default)]
pub struct MetricsLog {
    /// Per series: (position in the run's sample sequence, sample), in run order (so also by
    /// time).
    series: Vec<Vec<(u64, Sample)>>,
    /// Samples of all series so far.
    len: u64,
}

/// Latency percentiles over a window, by the nearest-rank definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Percentiles {
    /// How many samples the window holds.
    pub count: usize,
    /// Median.
    pub p50: i64,
    /// 95th percentile.
    pub p95: i64,
    /// 99th percentile.
    pub p99: i64,
    /// Largest sample.
    pub max: i64,
}

impl MetricsLog {
    /// An empty log for `series` declared series.
    pub fn new(series: usize) -> Self {
        MetricsLog {
            series: vec![Vec::new(); series],
            len: 0,
        }
    }

    /// How many samples the branch holds (of every series).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the branch holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the branch's next sample, of series `index`; a series index the protocol did not
    /// declare still counts as a position, so positions match the run's sample sequence.
    pub fn push(&mut self, index: usize, sample: Sample) {
        if let Some(s) = self.series.get_mut(index) {
            s.push((self.len, sample));
        }
        self.len += 1;
    }

    /// Keeps only the first `len` samples (a fork cut the branch there).
    pub fn truncate(&mut self, len: u64) {
        for s in &mut self.series {
            let keep = s.partition_point(|(pos, _)| *pos < len);
            s.truncate(keep);
        }
        self.len = self.len.min(len);
    }

    /// The samples of series `index` taken in `[t0, t1]`, oldest first, among the branch's
    /// first `limit` samples only (the moment on screen may lie before the end of the recorded
    /// branch; see [`MetricsNow`], which is how the rest of the program reads them).
    pub fn window_before(
        &self,
        index: usize,
        t0: Micros,
        t1: Micros,
        limit: u64,
    ) -> impl Iterator<Item = &Sample> {
        let s = self.series.get(index).map_or(&[][..], |s| &s[..]);
        let start = s.partition_point(|(_, x)| x.t < t0);
        let end = s.partition_point(|(pos, x)| x.t <= t1 && *pos < limit);
        s[start..end.max(start)].iter().map(|(_, x)| x)
    }
}

/// A branch's samples as they stand at the moment on screen: what charts and summaries read.
#[derive(Clone, Copy)]
pub struct MetricsNow<'a> {
    /// The protocol's declared series, in index order.
    pub series: &'a [Series],
    log: &'a MetricsLog,
    limit: u64,
    now: Micros,
}

impl<'a> MetricsNow<'a> {
    /// The samples of `log` among its first `limit`, at time `now`.
    pub fn new(series: &'a [Series], log: &'a MetricsLog, limit: u64, now: Micros) -> Self {
        MetricsNow {
            series,
            log,
            limit,
            now,
        }
    }

    /// The moment the view stands at.
    pub fn now(&self) -> Micros {
        self.now
    }

    /// The index of the series named `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.series.iter().position(|s| s.name == name)
    }

    /// Samples of series `index` in `[t0, t1]` (cut at now), oldest first.
    pub fn window(&self, index: usize, t0: Micros, t1: Micros) -> impl Iterator<Item = &'a Sample> {
        self.log
            .window_before(index, t0, t1.min(self.now), self.limit)
    }

    /// Latency percentiles of series `index` over `[t0, t1]` (cut at now).
    pub fn percentiles(&self, index: usize, t0: Micros, t1: Micros) -> Option<Percentiles> {
        let mut values: Vec<i64> = self.window(index, t0, t1).map(|s| s.value).collect();
        percentiles(&mut values)
    }

    /// The sum of series `index`'s values over `[t0, t1]` (cut at now).
    pub fn sum(&self, index: usize, t0: Micros, t1: Micros) -> i64 {
        self.window(index, t0, t1).map(|s| s.value).sum()
    }
}

/// Nearest-rank percentiles of `values` (reordered in place), or `None` if empty.
pub fn percentiles(values: &mut [i64]) -> Option<Percentiles> {
    let count = values.len();
    if count == 0 {
        return None;
    }
    let mut rank = |p: usize| {
        // Nearest rank: the smallest value with at least p% of the samples at or below it.
        let k = (p * count).div_ceil(100).clamp(1, count) - 1;
        *values.select_nth_unstable(k).1
    };
    let p50 = rank(50);
    let p95 = rank(95);
    let p99 = rank(99);
    let max = rank(100);
    Some(Percentiles {
        count,
        p50,
        p95,
        p99,
        max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;

    /// The textbook definition, by sorting: what the index must agree with.
    fn reference(mut v: Vec<i64>) -> Option<Percentiles> {
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        let at = |p: f64| v[((p / 100.0 * v.len() as f64).ceil() as usize).max(1) - 1];
        Some(Percentiles {
            count: v.len(),
            p50: at(50.0),
            p95: at(95.0),
            p99: at(99.0),
            max: *v.last().unwrap(),
        })
    }

    /// The whole log as charts read it (no series names, nothing cut off).
    fn everything(log: &MetricsLog) -> MetricsNow<'_> {
        MetricsNow::new(&[], log, u64::MAX, Micros::MAX)
    }

    fn random_log(rng: &mut Rng, samples: usize) -> (MetricsLog, Vec<Sample>) {
        let mut log = MetricsLog::new(2);
        let mut all = Vec::new();
        let mut t = 0;
        for _ in 0..samples {
            t += rng.range(0, 3_000);
            let sample = Sample {
                t,
                node: rng.range(1, 5) as NodeId,
                value: rng.range(0, 200_000) as i64 - 1_000,
            };
            log.push(0, sample);
            all.push(sample);
        }
        (log, all)
    }

    #[test]
    fn window_percentiles_match_a_sort_based_reference() {
        let mut rng = Rng::new(7);
        for round in 0..200 {
            let samples = rng.range(0, 400) as usize;
            let (log, all) = random_log(&mut rng, samples);
            let log = everything(&log);
            let end = all.last().map_or(1_000, |s| s.t);
            let t0 = rng.range(0, end);
            let t1 = rng.range(t0, end + 1_000);
            let expected: Vec<i64> = all
                .iter()
                .filter(|s| s.t >= t0 && s.t <= t1)
                .map(|s| s.value)
                .collect();
            assert_eq!(
                log.percentiles(0, t0, t1),
                reference(expected.clone()),
                "round {round}, window [{t0}, {t1}]"
            );
            assert_eq!(log.sum(0, t0, t1), expected.iter().sum::<i64>());
            assert_eq!(log.percentiles(1, t0, t1), None, "an empty series");
        }
    }

    #[test]
    fn nearest_rank_on_small_sets() {
        let p = percentiles(&mut [5]).unwrap();
        assert_eq!((p.p50, p.p95, p.p99, p.max), (5, 5, 5, 5));
        let p = percentiles(&mut (1..=100).rev().collect::<Vec<_>>()).unwrap();
        assert_eq!(
            (p.count, p.p50, p.p95, p.p99, p.max),
            (100, 50, 95, 99, 100)
        );
        let p = percentiles(&mut [10, 20, 30, 40]).unwrap();
        assert_eq!((p.p50, p.p95), (20, 40));
        assert_eq!(percentiles(&mut []), None);
    }

    #[test]
    fn a_fork_forgets_the_recorded_future() {
        let mut rng = Rng::new(3);
        let (mut log, all) = random_log(&mut rng, 100);
        log.truncate(40);
        let kept: Vec<Sample> = everything(&log)
            .window(0, 0, Micros::MAX)
            .copied()
            .collect();
        assert_eq!(kept, all[..40]);
        let t = all[10].t;
        let expected = all[..40].iter().filter(|s| s.t <= t).count();
        assert_eq!(everything(&log).window(0, 0, t).count(), expected);
    }

    #[test]
    fn undeclared_series_are_ignored() {
        let mut log = MetricsLog::new(1);
        let s = Sample {
            t: 1,
            node: 1,
            value: 1,
        };
        log.push(5, s);
        assert_eq!(everything(&log).window(5, 0, 10).count(), 0);
        log.push(0, s);
        assert_eq!(everything(&log).window(0, 0, 10).count(), 1);
        assert_eq!(log.len(), 2);
        assert_eq!(
            log.window_before(0, 0, 10, 1).count(),
            0,
            "the sample came second"
        );
    }
}
