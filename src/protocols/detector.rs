//! Failure detectors: how a checker decides that a component it watches has failed. Shared by
//! the protocols that watch heartbeats (failover's checkers; load balancing's health checks).
//!
//! A checker hears heartbeats (or answers to its pings) from the component it monitors and asks
//! its detector, at any moment, how suspicious the silence since the last one is:
//!
//! * [`Detector::Timeout`] — the classic fixed timeout: suspect once `after` µs pass without a
//!   heartbeat (suspicion 0 or 1);
//! * [`Detector::Phi`] — the φ accrual detector of Hayashibara et al. (2004): suspicion
//!   φ = −log10(P(a heartbeat arrives later than now)), estimated from the recent inter-arrival
//!   times, and compared with a threshold. The arrival model is a choice: [`Model::Normal`]
//!   (Akka's, with its logistic approximation of the normal distribution) or
//!   [`Model::Exponential`] (Cassandra's, φ = elapsed / mean × log10 e).
//!
//! All arithmetic is deterministic across platforms: `exp` and `log` come from `libm` (the
//! same `log` the simulator's random gaps use, so the web build carries one copy).

use crate::sim::Micros;

/// How the φ detector models the time between heartbeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Normally distributed inter-arrival times (Akka): sensitive to the observed jitter.
    Normal,
    /// Exponentially distributed inter-arrival times (Cassandra): only the mean matters.
    Exponential,
}

/// A failure detector's configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Detector {
    /// Suspect after a fixed silence.
    Timeout {
        /// Silence (µs) after which the component is suspected.
        after: Micros,
    },
    /// Suspect when φ reaches `threshold`.
    Phi {
        /// φ at and above which the component is suspected (Akka's default is 8).
        threshold: f64,
        /// The inter-arrival model.
        model: Model,
        /// Smallest standard deviation assumed (µs), so that a perfectly regular history does
        /// not make the slightest delay look fatal (Akka: 100 ms).
        min_std: Micros,
        /// A pause (µs) the detector tolerates on top of the expected interval (Akka's
        /// acceptable heartbeat pause).
        acceptable_pause: Micros,
    },
}

impl Detector {
    /// The suspicion level at and above which the detector suspects: φ's threshold, or 1 for
    /// the timeout (whose level is 0 or 1).
    pub fn threshold(&self) -> f64 {
        match *self {
            Detector::Timeout { .. } => 1.0,
            Detector::Phi { threshold, .. } => threshold,
        }
    }
}

/// Most inter-arrival times kept (Akka keeps 1,000; a visitor's run needs far fewer).
pub const MAX_SAMPLES: usize = 200;

/// The heartbeats heard from one monitored component: the last arrival and a sliding window of
/// the intervals between arrivals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    last: Option<Micros>,
    /// The window, as a ring once full: `oldest` is where the next interval overwrites the
    /// oldest one (a plain vector: a `VecDeque` would cost the page its own copy of that code).
    intervals: Vec<Micros>,
    oldest: usize,
    sum: u128,
    sum_sq: u128,
}

impl History {
    /// A history that expects heartbeats about every `expected` µs before it has heard any
    /// (Akka's first-heartbeat estimate): two assumed intervals, so that φ is defined at once.
    pub fn expecting(expected: Micros) -> Self {
        let mut h = History::default();
        for _ in 0..2 {
            h.push(expected);
        }
        h
    }

    /// A heartbeat arrived at `now`.
    pub fn heartbeat(&mut self, now: Micros) {
        if let Some(last) = self.last {
            self.push(now.saturating_sub(last));
        }
        self.last = Some(now);
    }

    fn push(&mut self, interval: Micros) {
        if self.intervals.len() == MAX_SAMPLES {
            let old = std::mem::replace(&mut self.intervals[self.oldest], interval);
            self.sum -= u128::from(old);
            self.sum_sq -= u128::from(old) * u128::from(old);
            self.oldest = (self.oldest + 1) % MAX_SAMPLES;
        } else {
            self.intervals.push(interval);
        }
        self.sum += u128::from(interval);
        self.sum_sq += u128::from(interval) * u128::from(interval);
    }

    /// When the last heartbeat arrived, if one has.
    pub fn last(&self) -> Option<Micros> {
        self.last
    }

    /// Mean interval between heartbeats (µs), if any was measured.
    pub fn mean(&self) -> Option<f64> {
        let n = self.intervals.len();
        (n > 0).then(|| self.sum as f64 / n as f64)
    }

    /// Standard deviation of the intervals (µs), if any was measured.
    pub fn std_dev(&self) -> Option<f64> {
        let n = self.intervals.len() as f64;
        let mean = self.mean()?;
        let variance = (self.sum_sq as f64 / n - mean * mean).max(0.0);
        // IEEE 754 rounds a square root exactly on every platform: no need for libm's.
        Some(variance.sqrt())
    }

    /// How suspicious the silence is at `now`, as `detector` measures it: φ for the φ detector,
    /// 0 or 1 (silence shorter or not than the timeout) for the timeout. Nothing heard and no
    /// expectation: 0.
    pub fn suspicion(&self, detector: &Detector, now: Micros) -> f64 {
        let Some(last) = self.last else {
            return 0.0;
        };
        let elapsed = now.saturating_sub(last) as f64;
        match *detector {
            Detector::Timeout { after } => f64::from(u8::from(elapsed >= after as f64)),
            Detector::Phi {
                model,
                min_std,
                acceptable_pause,
                ..
            } => {
                let Some(mean) = self.mean() else {
                    return 0.0;
                };
                let mean = mean + acceptable_pause as f64;
                match model {
                    Model::Normal => {
                        let std = self.std_dev().unwrap_or(0.0).max(min_std as f64);
                        phi_normal(elapsed, mean, std)
                    }
                    Model::Exponential => phi_exponential(elapsed, mean),
                }
            }
        }
    }

    /// Whether `detector` suspects the component at `now`.
    pub fn suspects(&self, detector: &Detector, now: Micros) -> bool {
        self.suspicion(detector, now) >= detector.threshold()
    }
}

/// φ for normally distributed intervals of `mean` and `std` after `elapsed` µs of silence,
/// with Akka's logistic approximation of the normal cumulative distribution (Bowling et al.,
/// 2009): P(later) ≈ 1 / (1 + e^z) with z = y (1.5976 + 0.070566 y²), y = (elapsed − mean) / std,
/// so φ = log10(1 + e^z), computed so that it stays finite far in the tail.
pub fn phi_normal(elapsed: f64, mean: f64, std: f64) -> f64 {
    let y = (elapsed - mean) / std.max(f64::MIN_POSITIVE);
    let z = y * (1.5976 + 0.070566 * y * y);
    let softplus = if z > 0.0 {
        z + libm::log(1.0 + libm::exp(-z))
    } else {
        libm::log(1.0 + libm::exp(z))
    };
    softplus * std::f64::consts::LOG10_E
}

/// φ for exponentially distributed intervals of `mean` after `elapsed` µs of silence:
/// −log10(e^(−elapsed/mean)) = elapsed / mean × log10 e (Cassandra).
pub fn phi_exponential(elapsed: f64, mean: f64) -> f64 {
    elapsed / mean.max(f64::MIN_POSITIVE) * std::f64::consts::LOG10_E
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{MS, Rng};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn normal_phi_follows_the_tail_of_the_normal_distribution() {
        // −log10 of the upper tail at 0, 1, 2 and 3 standard deviations: 0.301, 0.800, 1.643,
        // 2.870; the logistic approximation is within 2 % of them.
        for (k, expected) in [(0.0, 0.301), (1.0, 0.800), (2.0, 1.643), (3.0, 2.870)] {
            let phi = phi_normal(1000.0 + k * 100.0, 1000.0, 100.0);
            let tol = expected * 0.02 + 0.002;
            assert!(
                close(phi, expected, tol),
                "{k} sd: φ {phi}, expected {expected}"
            );
        }
        assert!(
            phi_normal(500.0, 1000.0, 100.0) < 0.01,
            "an early beat is no suspicion"
        );
        // Far in the tail φ keeps growing instead of overflowing to infinity or NaN.
        let far = phi_normal(1000.0 + 30.0 * 100.0, 1000.0, 100.0);
        assert!(far.is_finite() && far > 30.0, "{far}");
    }

    #[test]
    fn exponential_phi_is_linear_in_the_silence() {
        assert!(close(phi_exponential(0.0, 1000.0), 0.0, 1e-12));
        // After ln(10) means, the chance of a later beat is 1/10: φ = 1.
        assert!(close(
            phi_exponential(1000.0 * std::f64::consts::LN_10, 1000.0),
            1.0,
            1e-9
        ));
        assert!(close(
            phi_exponential(4000.0, 1000.0),
            2.0 * phi_exponential(2000.0, 1000.0),
            1e-9
        ));
    }

    #[test]
    fn the_history_keeps_mean_and_deviation_over_a_sliding_window() {
        let mut h = History::default();
        let mut t = 0;
        for i in 0..(MAX_SAMPLES as u64 + 50) {
            t += if i % 2 == 0 { 90 * MS } else { 110 * MS };
            h.heartbeat(t);
        }
        assert_eq!(h.last(), Some(t));
        assert!(close(h.mean().unwrap(), 100_000.0, 1.0), "{:?}", h.mean());
        assert!(
            close(h.std_dev().unwrap(), 10_000.0, 1.0),
            "{:?}",
            h.std_dev()
        );
        // The window forgets: after a long run of 200 ms beats the old 100 ms ones are gone.
        for _ in 0..MAX_SAMPLES {
            t += 200 * MS;
            h.heartbeat(t);
        }
        assert!(close(h.mean().unwrap(), 200_000.0, 1.0));
        assert!(close(h.std_dev().unwrap(), 0.0, 1.0));
    }

    #[test]
    fn a_timeout_suspects_exactly_at_its_deadline() {
        let d = Detector::Timeout { after: 300 * MS };
        let mut h = History::default();
        assert!(
            !h.suspects(&d, 10 * 1_000 * MS),
            "nothing heard, nothing to suspect"
        );
        h.heartbeat(1_000 * MS);
        assert!(!h.suspects(&d, 1_299 * MS));
        assert!(h.suspects(&d, 1_300 * MS));
        h.heartbeat(1_350 * MS);
        assert!(
            !h.suspects(&d, 1_400 * MS),
            "a new heartbeat clears the suspicion"
        );
    }

    /// The trade-off the page teaches: with jittery heartbeats a low φ threshold suspects
    /// sooner after a real crash but also more often without one.
    #[test]
    fn a_higher_threshold_detects_later_and_errs_less() {
        let run = |threshold: f64, model: Model| {
            let d = Detector::Phi {
                threshold,
                model,
                min_std: 5 * MS,
                acceptable_pause: 0,
            };
            let mut rng = Rng::new(7);
            let mut h = History::expecting(100 * MS);
            let (mut t, mut false_suspicions) = (0, 0);
            h.heartbeat(t);
            for _ in 0..2_000 {
                let next = t + 100 * MS - 30 * MS + rng.range(0, 60 * MS);
                // Look every 10 ms until the next beat: a suspicion before it is false.
                let mut look = t + 10 * MS;
                while look < next {
                    if h.suspects(&d, look) {
                        false_suspicions += 1;
                        break;
                    }
                    look += 10 * MS;
                }
                t = next;
                h.heartbeat(t);
            }
            // Then the component crashes: how long until it is suspected?
            let mut detect = t;
            while !h.suspects(&d, detect) {
                detect += MS;
            }
            (false_suspicions, detect - t)
        };
        // The exponential model's φ grows slowly (1 after 2.3 means), so its thresholds are lower.
        for (model, low, high) in [(Model::Normal, 1.0, 8.0), (Model::Exponential, 0.5, 3.0)] {
            let (low_false, low_time) = run(low, model);
            let (high_false, high_time) = run(high, model);
            assert!(low_time < high_time, "{model:?}: {low_time} vs {high_time}");
            assert!(
                low_false > high_false,
                "{model:?}: {low_false} vs {high_false}"
            );
            assert_eq!(
                high_false, 0,
                "{model:?}: φ {high} never errs on ±30 ms jitter"
            );
        }
    }

    #[test]
    fn phi_uses_the_histories_mean_and_deviation_with_the_assumed_minimum() {
        let mut h = History::expecting(100 * MS);
        h.heartbeat(0);
        h.heartbeat(95 * MS);
        h.heartbeat(210 * MS);
        // Intervals 100, 100 (expected), 95, 115 ms: mean 102.5 ms, deviation 7.0 ms, raised
        // to the 10 ms minimum.
        assert!(close(h.mean().unwrap(), 102_500.0, 1e-6));
        assert!(h.std_dev().unwrap() < 10_000.0);
        let d = Detector::Phi {
            threshold: 8.0,
            model: Model::Normal,
            min_std: 10 * MS,
            acceptable_pause: 0,
        };
        let phi = h.suspicion(&d, 400 * MS);
        assert!(
            close(phi, phi_normal(190_000.0, 102_500.0, 10_000.0), 1e-12),
            "{phi}"
        );
        let paused = Detector::Phi {
            threshold: 8.0,
            model: Model::Normal,
            min_std: 10 * MS,
            acceptable_pause: 50 * MS,
        };
        assert!(
            h.suspicion(&paused, 400 * MS) < phi,
            "an acceptable pause lowers the suspicion"
        );
    }
}
