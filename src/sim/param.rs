//! Protocol parameters: durations, counts and named choices (e.g. `policy=p2c`), with the one
//! text form links, the settings panel and the command line's `--param` all read and write.
//!
//! A value is stored as an integer whatever the unit: microseconds for a duration, the number
//! for a count, the position in the list for a choice. Only its text form differs.

use super::time::Micros;

/// A tunable parameter of a protocol.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// Key used in links and on the command line, e.g. `election_min`.
    pub key: &'static str,
    /// Label for the page.
    pub label: &'static str,
    /// What the value measures, and so how it is written.
    pub unit: Unit,
    /// Default value.
    pub default: u64,
    /// Smallest accepted value.
    pub min: u64,
    /// Largest accepted value.
    pub max: u64,
}

/// The unit of a [`ParamSpec`]: how its integer value is written and read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Virtual time in microseconds, written in milliseconds (`150`, `0.5`).
    Micros,
    /// A plain count.
    Count,
    /// One of a list of names, written by name (`p2c`); the value is its position.
    Choice(&'static [&'static str]),
}

impl ParamSpec {
    /// A parameter of any unit, as a constant (a protocol's list of them is then data in the
    /// web build, not code that builds it).
    pub const fn new(
        key: &'static str,
        label: &'static str,
        unit: Unit,
        default: u64,
        min: u64,
        max: u64,
    ) -> Self {
        ParamSpec {
            key,
            label,
            unit,
            default,
            min,
            max,
        }
    }

    /// A duration parameter, in microseconds.
    pub fn micros(
        key: &'static str,
        label: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Self {
        ParamSpec {
            key,
            label,
            unit: Unit::Micros,
            default,
            min,
            max,
        }
    }

    /// A count parameter from 0 to `max`.
    pub fn count(key: &'static str, label: &'static str, default: u64, max: u64) -> Self {
        ParamSpec {
            key,
            label,
            unit: Unit::Count,
            default,
            min: 0,
            max,
        }
    }

    /// A named choice among `choices` (at least one), `default` being one of them.
    pub fn choice(
        key: &'static str,
        label: &'static str,
        choices: &'static [&'static str],
        default: &str,
    ) -> Self {
        let position = choices.iter().position(|c| *c == default);
        ParamSpec {
            key,
            label,
            unit: Unit::Choice(choices),
            default: position.expect("the default is one of the choices") as u64,
            min: 0,
            max: choices.len() as u64 - 1,
        }
    }

    /// The names of a choice parameter (empty for numbers).
    pub fn choices(&self) -> &'static [&'static str] {
        match self.unit {
            Unit::Choice(names) => names,
            _ => &[],
        }
    }

    /// The value as links and the command line write it: `150` (ms), `3`, `p2c`.
    pub fn format(&self, v: u64) -> String {
        match self.unit {
            Unit::Micros => millis(v),
            Unit::Count => v.to_string(),
            Unit::Choice(names) => names
                .get(v as usize)
                .map_or_else(|| v.to_string(), |n| n.to_string()),
        }
    }

    /// The value for people: `150 ms`, `3`, `p2c`.
    pub fn describe(&self, v: u64) -> String {
        match self.unit {
            Unit::Micros => format!("{} ms", millis(v)),
            _ => self.format(v),
        }
    }

    /// What the parameter accepts, for messages: `from 10 ms to 1000 ms`, `one of a, b, c`.
    pub fn accepted(&self) -> String {
        match self.unit {
            Unit::Choice(names) => format!("one of {}", names.join(", ")),
            _ => format!(
                "from {} to {}",
                self.describe(self.min),
                self.describe(self.max)
            ),
        }
    }

    /// Reads a value as links and the command line write it, checking its range; the error
    /// says what the parameter accepts.
    pub fn parse(&self, text: &str) -> Result<u64, String> {
        let text = text.trim();
        let value = match self.unit {
            Unit::Micros => parse_millis(text),
            Unit::Count => text.parse().ok(),
            Unit::Choice(names) => names.iter().position(|n| *n == text).map(|i| i as u64),
        };
        match value {
            Some(v) if (self.min..=self.max).contains(&v) => Ok(v),
            _ => Err(format!("{} is {}", self.label, self.accepted())),
        }
    }
}

/// Microseconds as a millisecond number without trailing zeros: 10000 → "10", 10500 → "10.5".
pub fn millis(us: Micros) -> String {
    super::decimal::scaled(us, 3)
}

/// A millisecond number (`150`, `0.5`) as microseconds, if it is one between 0 and 1e9 ms.
pub fn parse_millis(v: &str) -> Option<Micros> {
    let x = super::decimal::parse(v.trim()).ok()?;
    (x.is_finite() && (0.0..=1e9).contains(&x)).then(|| (x * 1000.0).round() as Micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICIES: &[&str] = &["round-robin", "least-connections", "p2c"];

    #[test]
    fn a_choice_is_written_and_read_by_name() {
        let spec = ParamSpec::choice("policy", "Balancing policy", POLICIES, "p2c");
        assert_eq!((spec.default, spec.min, spec.max), (2, 0, 2));
        assert_eq!(spec.choices(), POLICIES);
        for (i, name) in POLICIES.iter().enumerate() {
            assert_eq!(spec.format(i as u64), *name);
            assert_eq!(spec.parse(name), Ok(i as u64));
        }
        assert_eq!(
            spec.parse(" least-connections "),
            Ok(1),
            "spaces around are fine"
        );
    }

    #[test]
    fn a_bad_choice_lists_the_valid_ones() {
        let spec = ParamSpec::choice("policy", "Balancing policy", POLICIES, "round-robin");
        for bad in ["", "P2C", "2", "p2", "random"] {
            assert_eq!(
                spec.parse(bad),
                Err("Balancing policy is one of round-robin, least-connections, p2c".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn numbers_keep_their_forms() {
        let d = ParamSpec::micros("heartbeat", "Heartbeat", 50_000, 1_000, 1_000_000);
        assert_eq!(d.format(50_500), "50.5");
        assert_eq!(d.describe(50_000), "50 ms");
        assert_eq!(d.parse("50.5"), Ok(50_500));
        assert_eq!(
            d.parse("0.5"),
            Err("Heartbeat is from 1 ms to 1000 ms".into())
        );
        let c = ParamSpec::count("learners", "Learners", 0, 25);
        assert_eq!(c.parse("7"), Ok(7));
        assert!(c.parse("26").is_err() && c.parse("-1").is_err() && c.parse("x").is_err());
        assert!(c.choices().is_empty());
    }

    #[test]
    #[should_panic(expected = "the default is one of the choices")]
    fn a_choice_default_must_be_a_choice() {
        ParamSpec::choice("policy", "Policy", POLICIES, "fastest");
    }
}
