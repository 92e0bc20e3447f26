//! Virtual time: integer microseconds, plus parsing and printing of durations such as `60s`.

/// A point or span of virtual time in microseconds.
pub type Micros = u64;

/// One millisecond in [`Micros`].
pub const MS: Micros = 1_000;
/// One second in [`Micros`].
pub const SEC: Micros = 1_000_000;

/// Parses `1500`, `250us`, `15ms`, `2.5s` or `10m` into microseconds (a bare number is ms).
pub fn parse_duration(text: &str) -> Result<Micros, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "ms"),
    };
    let scale: f64 = match unit {
        "us" | "µs" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" | "min" => 60e6,
        _ => {
            return Err(format!(
                "'{text}' is not a duration: use a unit of us, ms, s or m"
            ));
        }
    };
    let value = super::decimal::parse(num)
        .map_err(|_| format!("'{text}' is not a duration: expected a number such as 60s"))?;
    let micros = value * scale;
    if !micros.is_finite() || !(0.0..=1e15).contains(&micros) {
        return Err(format!("'{text}' is out of range"));
    }
    Ok(micros.round() as Micros)
}

/// Prints a time compactly for people: `1.250 s`, `15.0 ms`, `300 µs`.
pub fn format_time(t: Micros) -> String {
    if t >= SEC {
        format!("{} s", super::decimal::fixed(t as f64 / 1e6, 3))
    } else if t >= MS {
        format!("{} ms", super::decimal::fixed(t as f64 / 1e3, 1))
    } else {
        format!("{t} µs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("60s"), Ok(60 * SEC));
        assert_eq!(parse_duration("15ms"), Ok(15 * MS));
        assert_eq!(parse_duration("2.5s"), Ok(2_500_000));
        assert_eq!(parse_duration("100"), Ok(100 * MS));
        assert_eq!(parse_duration("1m"), Ok(60 * SEC));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }
}
