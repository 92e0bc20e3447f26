//! A node's physical clock: the true (virtual) time read through an offset and a drift, stepped
//! or slewed by the synchronisation algorithm, and stepped by faults.
//!
//! All arithmetic is in integer microseconds and parts per million, so a run reads the same
//! natively and in wasm. The clock is a function of the true time: between changes its reading
//! advances by `1 + (drift + slew) / 10⁶` per true microsecond, and every change re-bases it at
//! the moment it happens.

use crate::sim::Micros;

/// One part per million.
const PPM: i128 = 1_000_000;

/// A physical clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// True time of the last change.
    base_t: Micros,
    /// The reading at `base_t` (may be negative early on, for a clock behind).
    base_reading: i64,
    /// The oscillator's rate error: positive runs fast.
    drift_ppm: i64,
    /// A correction being slewed in: extra rate, until the true time `slew_until`.
    slew_ppm: i64,
    /// When the slew in progress ends (true time; at or before `base_t`: none).
    slew_until: Micros,
    /// Total correction applied so far by steps and finished or partial slews (µs), which lets
    /// an algorithm relate a sample taken earlier to the clock as it reads now.
    corrected: i64,
}

/// `dt` µs at `ppm` parts per million, rounded toward zero.
fn at_rate(dt: Micros, ppm: i64) -> i64 {
    (i128::from(dt) * i128::from(ppm) / PPM) as i64
}

impl Clock {
    /// A clock reading `offset` µs ahead of the true time at true time 0, running `drift_ppm`
    /// fast (negative: slow).
    pub fn new(offset: i64, drift_ppm: i64) -> Self {
        Clock {
            base_t: 0,
            base_reading: offset,
            drift_ppm,
            slew_ppm: 0,
            slew_until: 0,
            corrected: 0,
        }
    }

    /// The reading at true time `t` (at or after the last change).
    pub fn read(&self, t: Micros) -> i64 {
        let dt = t.saturating_sub(self.base_t);
        let slewing = self.slew_until.saturating_sub(self.base_t).min(dt);
        self.base_reading
            + dt as i64
            + at_rate(dt, self.drift_ppm)
            + at_rate(slewing, self.slew_ppm)
    }

    /// How far the reading at `t` is from the true time (positive: ahead).
    pub fn offset(&self, t: Micros) -> i64 {
        self.read(t) - t as i64
    }

    /// Total correction applied up to `t` (steps, and slews as far as they got).
    pub fn corrected(&self, t: Micros) -> i64 {
        let dt = t.saturating_sub(self.base_t);
        let slewing = self.slew_until.saturating_sub(self.base_t).min(dt);
        self.corrected + at_rate(slewing, self.slew_ppm)
    }

    /// Correction still to be slewed in after `t`.
    pub fn slew_left(&self, t: Micros) -> i64 {
        let left = self.slew_until.saturating_sub(t.max(self.base_t));
        at_rate(left, self.slew_ppm)
    }

    /// The oscillator's rate error.
    pub fn drift_ppm(&self) -> i64 {
        self.drift_ppm
    }

    /// Fixes the reading at `t` as the new base (ending a slew that has run out).
    fn rebase(&mut self, t: Micros) {
        let t = t.max(self.base_t);
        let reading = self.read(t);
        self.corrected = self.corrected(t);
        let left = self.slew_until.saturating_sub(t);
        if left == 0 {
            self.slew_ppm = 0;
        }
        self.base_t = t;
        self.base_reading = reading;
    }

    /// Jumps the reading by `by` µs at `t` (a correction, or a fault when `correction` is
    /// false), abandoning any slew in progress.
    pub fn step(&mut self, t: Micros, by: i64, correction: bool) {
        self.stop_slew(t);
        self.base_reading += by;
        if correction {
            self.corrected += by;
        }
    }

    /// Starts slewing `by` µs in at `rate_ppm` from `t`, replacing any slew in progress.
    pub fn slew(&mut self, t: Micros, by: i64, rate_ppm: u64) {
        self.stop_slew(t);
        let rate = rate_ppm.max(1) as i64;
        let duration = (i128::from(by.unsigned_abs()) * PPM / i128::from(rate)) as Micros;
        self.slew_ppm = if by < 0 { -rate } else { rate };
        self.slew_until = self.base_t + duration;
        // What the rate leaves over after whole microseconds: stepped, so a slew ends exactly.
        let rest = by - at_rate(duration, self.slew_ppm);
        self.base_reading += rest;
        self.corrected += rest;
    }

    /// Ends any slew at `t`, keeping what it applied so far.
    fn stop_slew(&mut self, t: Micros) {
        self.rebase(t);
        self.slew_ppm = 0;
        self.slew_until = self.base_t;
    }

    /// Changes the oscillator's rate error from `t` on.
    pub fn set_drift(&mut self, t: Micros, drift_ppm: i64) {
        self.rebase(t);
        self.drift_ppm = drift_ppm;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{MS, SEC};

    #[test]
    fn a_drifting_clock_gains_its_rate() {
        let c = Clock::new(5 * MS as i64, 100);
        assert_eq!(c.read(0), 5_000);
        // 100 ppm over 10 s: 1 ms.
        assert_eq!(c.offset(10 * SEC), 6_000);
    }

    #[test]
    fn a_step_moves_the_reading_at_once_and_counts_only_corrections() {
        let mut c = Clock::new(0, 0);
        c.step(SEC, -300, true);
        assert_eq!(c.read(SEC), SEC as i64 - 300);
        c.step(2 * SEC, 1_000, false);
        assert_eq!(c.offset(2 * SEC), 700);
        assert_eq!(c.corrected(2 * SEC), -300);
    }

    #[test]
    fn a_slew_applies_its_correction_gradually_and_exactly() {
        let mut c = Clock::new(10 * MS as i64, 0);
        c.slew(0, -(10 * MS as i64), 500);
        // 500 ppm: 10 ms takes 20 s; half-way, half of it.
        assert_eq!(c.offset(10 * SEC), 5 * MS as i64);
        assert_eq!(c.slew_left(10 * SEC), -(5 * MS as i64));
        assert_eq!(c.offset(20 * SEC), 0);
        assert_eq!(c.offset(60 * SEC), 0);
        assert_eq!(c.corrected(60 * SEC), -(10 * MS as i64));
        // An odd amount ends exactly too.
        let mut c = Clock::new(0, 0);
        c.slew(0, 7, 3);
        assert_eq!(c.offset(10 * SEC), 7);
    }

    #[test]
    fn a_new_slew_or_step_keeps_what_the_old_slew_applied() {
        let mut c = Clock::new(0, 0);
        c.slew(0, 1_000, 100);
        c.step(5 * SEC, 0, true);
        assert_eq!(c.offset(5 * SEC), 500);
        assert_eq!(c.offset(50 * SEC), 500);
        assert_eq!(c.corrected(50 * SEC), 500);
        c.set_drift(50 * SEC, -200);
        assert_eq!(c.offset(60 * SEC), 500 - 2_000);
    }
}
