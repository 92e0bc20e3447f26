//! NTP's clock filter: of the last few exchanges, trust the one with the lowest delay.
//!
//! An exchange's offset is off by at most half its delay (the time the messages spent on the
//! wire is split evenly, so any asymmetry is error); a sample with a short delay has little
//! room for error. The filter keeps the last `size` samples and picks the one with the lowest
//! delay; since the clock may have been corrected since a sample was taken, a sample's offset
//! is reduced by every correction applied after it.

/// One exchange as the filter keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The exchange's number.
    pub seq: u64,
    /// Server minus clock, as measured (µs).
    pub offset: i64,
    /// Round trip less the server's own time (µs).
    pub delay: i64,
    /// The clock's total correction when the sample was taken (see `Clock::corrected`).
    pub corrected_at: i64,
    /// The clock's oscillator time (reading less corrections) when the sample was taken: how
    /// long ago it was, by the clock's own reckoning.
    pub raw_at: i64,
}

/// The last samples, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    samples: Vec<Sample>,
    size: usize,
    /// The exchange whose sample was last acted on.
    used: Option<u64>,
}

impl Filter {
    /// A filter keeping the last `size` samples (at least one).
    pub fn new(size: usize) -> Self {
        Filter {
            samples: Vec::new(),
            size: size.max(1),
            used: None,
        }
    }

    /// Adds a sample, forgetting the oldest beyond the filter's size.
    pub fn push(&mut self, s: Sample) {
        if self.samples.len() == self.size {
            self.samples.remove(0);
        }
        self.samples.push(s);
    }

    /// The sample with the lowest delay (the newest among equals).
    pub fn best(&self) -> Option<Sample> {
        let mut best: Option<Sample> = None;
        for &s in &self.samples {
            if best.is_none_or(|b| s.delay <= b.delay) {
                best = Some(s);
            }
        }
        best
    }

    /// The best sample if it was not acted on yet (acting on one sample twice would apply its
    /// correction twice), marking it used.
    pub fn take_fresh(&mut self) -> Option<Sample> {
        let best = self.best()?;
        if self.used == Some(best.seq) {
            return None;
        }
        self.used = Some(best.seq);
        Some(best)
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether no sample is held.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Forgets every sample (a restart).
    pub fn clear(&mut self) {
        self.samples.clear();
        self.used = None;
    }
}

impl Sample {
    /// The offset still to correct now that the clock's total correction is `corrected_now`.
    pub fn offset_now(&self, corrected_now: i64) -> i64 {
        self.offset - (corrected_now - self.corrected_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seq: u64, offset: i64, delay: i64) -> Sample {
        Sample {
            seq,
            offset,
            delay,
            corrected_at: 0,
            raw_at: 0,
        }
    }

    #[test]
    fn the_lowest_delay_of_the_last_samples_wins() {
        let mut f = Filter::new(3);
        f.push(sample(1, 500, 10));
        f.push(sample(2, 900, 40));
        f.push(sample(3, 700, 30));
        assert_eq!(f.best().map(|s| s.seq), Some(1));
        // The fourth pushes the first out.
        f.push(sample(4, 800, 35));
        assert_eq!(f.len(), 3);
        assert_eq!(f.best().map(|s| s.seq), Some(3));
    }

    #[test]
    fn a_sample_is_acted_on_once_and_reduced_by_later_corrections() {
        let mut f = Filter::new(8);
        f.push(sample(1, 500, 10));
        assert_eq!(f.take_fresh().map(|s| s.seq), Some(1));
        f.push(sample(2, 80, 50));
        assert_eq!(
            f.take_fresh(),
            None,
            "the old sample still wins and was used"
        );
        let s = Sample {
            corrected_at: 100,
            ..sample(3, 500, 5)
        };
        assert_eq!(s.offset_now(600), 0);
    }

    #[test]
    fn a_filter_of_one_keeps_only_the_newest() {
        let mut f = Filter::new(0);
        f.push(sample(1, 1, 1));
        f.push(sample(2, 2, 9));
        assert_eq!(f.best().map(|s| s.seq), Some(2));
        f.clear();
        assert!(f.is_empty());
    }
}
