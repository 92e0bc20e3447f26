//! Figures: what a checker measures about a run that only it can know (it sees every node and
//! which are really down), typed so that many runs can be pooled into one row of a comparison.
//!
//! A figure is either a count of events (runs add up; a table shows it per virtual hour) or a
//! set of durations (runs pool their observations; a table shows their mean). Pooling only adds
//! integers, so the result does not depend on the order in which runs finish.

use super::time::Micros;

/// One figure of a run, e.g. the false suspicions of a failure detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    /// What it measures, for column headers and JSON keys, e.g. `false suspicions`.
    pub name: &'static str,
    /// The measurement.
    pub measure: Measure,
}

/// What a [`Figure`] holds, and so how runs pool and how it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// How many times something happened (shown as a rate per virtual hour).
    Count(u64),
    /// `count` durations observed, adding up to `total` µs (shown as their mean).
    Durations {
        /// Sum of the durations.
        total: Micros,
        /// How many were observed.
        count: u64,
    },
}

impl Measure {
    /// Durations observed, from a list of them.
    pub fn durations(all: &[Micros]) -> Measure {
        Measure::Durations {
            total: all.iter().sum(),
            count: all.len() as u64,
        }
    }

    /// The mean of pooled durations, if any was observed (`None` for a count).
    pub fn mean(&self) -> Option<Micros> {
        match *self {
            Measure::Durations { total, count } if count > 0 => Some(total / count),
            _ => None,
        }
    }

    /// Adds `other`'s observations to these, if it measures the same way.
    fn absorb(&mut self, other: Measure) -> bool {
        match (self, other) {
            (Measure::Count(a), Measure::Count(b)) => *a += b,
            (Measure::Durations { total, count }, Measure::Durations { total: t, count: c }) => {
                *total += t;
                *count += c;
            }
            _ => return false,
        }
        true
    }
}

/// Adds one run's figures to those pooled so far: a figure already there by name (and measure)
/// absorbs the new one, any other is appended, so the first run's order is kept.
pub fn pool(pooled: &mut Vec<Figure>, run: &[Figure]) {
    for f in run {
        let absorbed = pooled
            .iter_mut()
            .find(|p| p.name == f.name)
            .is_some_and(|p| p.measure.absorb(f.measure));
        if !absorbed {
            pooled.push(*f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(name: &'static str, n: u64) -> Figure {
        Figure {
            name,
            measure: Measure::Count(n),
        }
    }

    #[test]
    fn counts_add_and_durations_pool_their_observations() {
        let run = |false_ones, detections: &[Micros]| {
            vec![
                Figure {
                    name: "detection",
                    measure: Measure::durations(detections),
                },
                count("false suspicions", false_ones),
            ]
        };
        let mut pooled = Vec::new();
        pool(&mut pooled, &run(2, &[100, 300]));
        pool(&mut pooled, &run(1, &[800]));
        pool(&mut pooled, &run(0, &[]));
        assert_eq!(pooled, run(3, &[100, 300, 800]));
        // The mean of all observations, not the mean of the runs' means (200 and 800).
        assert_eq!(pooled[0].measure.mean(), Some(400));
        assert_eq!(Measure::durations(&[]).mean(), None);
        assert_eq!(Measure::Count(5).mean(), None);
    }

    #[test]
    fn figures_a_run_adds_are_appended_in_order() {
        let mut pooled = vec![count("a", 1)];
        pool(&mut pooled, &[count("b", 2), count("a", 3)]);
        assert_eq!(pooled, vec![count("a", 4), count("b", 2)]);
    }
}
