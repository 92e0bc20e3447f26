//! Linear scales and "nice" ticks (1, 2 or 5 times a power of ten) for chart axes.

/// A linear map from data values (the domain) to drawing units (the range), and back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// Domain start.
    pub d0: f64,
    /// Domain end.
    pub d1: f64,
    /// Where `d0` is drawn.
    pub r0: f64,
    /// Where `d1` is drawn.
    pub r1: f64,
}

impl Scale {
    /// Where value `v` is drawn.
    pub fn at(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) * (self.r1 - self.r0) / self.width()
    }

    /// The value drawn at `r` (the inverse of [`Scale::at`]): how a click becomes a time.
    pub fn invert(&self, r: f64) -> f64 {
        let span = self.r1 - self.r0;
        if span == 0.0 {
            return self.d0;
        }
        self.d0 + (r - self.r0) * self.width() / span
    }

    /// The domain's width, never zero (a point domain reads as a unit one).
    fn width(&self) -> f64 {
        let w = self.d1 - self.d0;
        if w == 0.0 { 1.0 } else { w }
    }
}

/// The smallest step of the ladder 1, 2, 5, 10, 20, 50 … (and 0.1, 0.2, 0.5 …) that is at
/// least `raw`; 1 for anything not positive.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw > 0.0 && raw.is_finite()) {
        return 1.0;
    }
    let mut p = 1.0;
    while p * 10.0 <= raw {
        p *= 10.0;
    }
    while p > raw {
        p /= 10.0;
    }
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

/// Ticks for an axis from 0 up to at least `max`: the step (so that about `count` steps cover
/// `max`) and the axis top, the first multiple of the step at or above `max`.
pub fn ticks_to(max: f64, count: u32) -> (f64, f64) {
    let step = nice_step(max / f64::from(count.max(1)));
    // (The small allowance keeps 0.4 / 0.1 = 4.000…1 from adding a step.)
    let top = (max / step - 1e-9).ceil().max(1.0) * step;
    (step, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_nice(step: f64) -> bool {
        let mut m = step;
        while m >= 10.0 {
            m /= 10.0;
        }
        while m < 1.0 {
            m *= 10.0;
        }
        [1.0, 2.0, 5.0].iter().any(|n| (m - n).abs() < 1e-9)
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten_and_cover_the_request() {
        for raw in [
            0.003, 0.7, 1.0, 1.2, 2.5, 4.9, 7.0, 10.0, 99.0, 1234.0, 7.5e6,
        ] {
            let s = nice_step(raw);
            assert!(is_nice(s), "{raw} gave {s}");
            assert!(s >= raw && s < raw * 5.0 + 1e-12, "{raw} gave {s}");
        }
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(10.0), 10.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn ticks_cover_the_range_with_a_few_nice_steps() {
        for max in [0.4, 1.0, 52.0, 680.0, 980.0, 1_013.0, 20_000_000.0] {
            let (step, top) = ticks_to(max, 4);
            assert!(is_nice(step));
            assert!(top >= max, "{max}: top {top}");
            assert!(top - step < max, "{max}: top {top} is a step too high");
            let n = (top / step).round();
            assert!((2.0..=8.0).contains(&n), "{max}: {n} steps");
        }
        assert_eq!(ticks_to(980.0, 4), (500.0, 1000.0));
        assert_eq!(
            ticks_to(0.0, 4),
            (1.0, 1.0),
            "an empty chart still has an axis"
        );
    }

    #[test]
    fn a_scale_inverts_what_it_maps() {
        let scale = |d0, d1, r0, r1| Scale { d0, d1, r0, r1 };
        let s = scale(2_000_000.0, 12_000_000.0, 46.0, 590.0);
        assert_eq!(s.at(2_000_000.0), 46.0);
        assert_eq!(s.at(12_000_000.0), 590.0);
        for x in [46.0, 100.5, 333.3, 590.0] {
            assert!((s.at(s.invert(x)) - x).abs() < 1e-9);
        }
        let flat = scale(5.0, 5.0, 0.0, 0.0);
        assert_eq!(flat.invert(3.0), 5.0);
        assert!(flat.at(5.0).is_finite());
    }
}
