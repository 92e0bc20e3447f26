//! Decimal text of numbers, written and read without core's float formatting and parsing
//! machinery (`<f64 as Display>`, flt2dec's Grisu/Dragon and dec2flt with their tables), which
//! would otherwise cost the web build about 20 KB gzipped. Everything that prints or reads a
//! float in the web build goes through here.
//!
//! [`fixed`] writes exactly what `format!("{x:.N}")` writes (the exact binary value rounded half
//! to even). [`scaled`] writes an integer count of 10^-N units in the shortest form, which is what
//! `{}` writes for `n as f64 / 10^N`. [`parse`] reads what `str::parse::<f64>` reads; it returns
//! the same value for every number of at most 15 significant digits and a power of ten within
//! ±22 (any link or parameter a person types); beyond that it may differ in the last bits.

use std::cmp::Ordering;
use std::fmt;

/// The most decimals [`fixed`] writes; more are clamped (the page never needs more than six).
pub const MAX_DECIMALS: usize = 21;

/// `x` with exactly `decimals` digits after the point: `fixed(2.25, 1)` is `"2.2"`, the same text
/// as `format!("{x:.1}")` (ties round half to even, `-0.0` keeps its sign, `NaN`, `inf`).
pub fn fixed(x: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_fixed(&mut out, x, decimals);
    out
}

/// Appends [`fixed`]`(x, decimals)` to `out` (SVG paths are built this way, without a String
/// per number).
pub fn push_fixed(out: &mut String, x: f64, decimals: usize) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return;
    }
    let decimals = decimals.min(MAX_DECIMALS);
    let parts = Parts::of(x);
    if parts.exponent >= 0 {
        push_big_integer(out, parts.mantissa, parts.exponent as u32);
        push_decimals(out, 0, decimals);
    } else {
        let shift = parts.exponent.unsigned_abs();
        let (down, rest) = scaled_down(parts.mantissa, shift, decimals as u32);
        // Half to even, as `format!` rounds the exact value.
        let up = rest == Ordering::Greater || (rest == Ordering::Equal && down % 2 == 1);
        push_scaled(out, down + u128::from(up), decimals);
    }
}

/// The shortest text that reads back as `x`, as `format!("{x}")` writes it: `0.3`, `34.5`,
/// `0.30000000000000004`, `12`, `-0`. Exact for every `x` from 1e-4 to 2^53 in size (and 0, NaN,
/// inf); deliberate difference outside that: larger numbers are written as their exact integer
/// (`1e23` as `99999999999999991611392`, not `100000000000000000000000`) and smaller ones with
/// at most 21 decimals. The page writes CSS and SVG sizes with it, all well inside the range.
pub fn shortest(x: f64) -> String {
    let parts = Parts::of(x);
    if x.is_finite() && x != 0.0 && parts.exponent < 0 && x.abs() < 9_007_199_254_740_992.0 {
        let shift = parts.exponent.unsigned_abs();
        for decimals in 0..=MAX_DECIMALS as u32 {
            let (down, rest) = scaled_down(parts.mantissa, shift, decimals);
            let (down_fits, up_fits) = (
                parts.reads_back(down, decimals),
                parts.reads_back(down + 1, decimals),
            );
            // Of two that read back, the nearer; a tie rounds up (as core's shortest form does).
            let found = match (down_fits, up_fits) {
                (true, true) if rest != Ordering::Less => Some(down + 1),
                (true, _) => Some(down),
                (false, true) => Some(down + 1),
                (false, false) => None,
            };
            if let Some(n) = found {
                let mut out = String::from(if x < 0.0 { "-" } else { "" });
                push_scaled(&mut out, n, decimals as usize);
                return out;
            }
        }
    }
    let text = fixed(x, if parts.exponent >= 0 { 0 } else { MAX_DECIMALS });
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

/// A finite float's magnitude as `mantissa · 2^exponent`, exactly.
struct Parts {
    mantissa: u64,
    exponent: i32,
    /// The float below is half as far as the float above (a power of two above the smallest
    /// normal), which halves the lower part of its rounding interval.
    narrow_below: bool,
}

impl Parts {
    fn of(x: f64) -> Parts {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, exponent) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | 1 << 52, biased - 1075)
        };
        Parts {
            mantissa,
            exponent,
            narrow_below: fraction == 0 && biased > 1,
        }
    }

    /// Whether `n · 10^-decimals` reads back as this float (a negative exponent only). Both sides are scaled by 10^decimals · 2^(2 - exponent) so the
    /// comparison is of integers under 2^125.
    fn reads_back(&self, n: u128, decimals: u32) -> bool {
        let k = self.exponent.unsigned_abs() + 2;
        if n == 0 || k >= 128 || n.leading_zeros() < k {
            return false; // zero, or far above a number under 2^53
        }
        let candidate = n << k;
        let unit = 10u128.pow(decimals);
        let x = u128::from(self.mantissa) * 4 * unit;
        let (low, high) = (
            x - if self.narrow_below { unit } else { 2 * unit },
            x + 2 * unit,
        );
        // A tie reads back as the float with the even mantissa.
        if self.mantissa.is_multiple_of(2) {
            (low..=high).contains(&candidate)
        } else {
            low < candidate && candidate < high
        }
    }
}

/// `mantissa · 10^decimals / 2^shift` rounded down, and how the rest compares with one half
/// (`decimals` ≤ 21, so the product stays under 2^123 and from 2^128 on the rest is below half).
fn scaled_down(mantissa: u64, shift: u32, decimals: u32) -> (u128, Ordering) {
    if shift >= 128 {
        return (0, Ordering::Less);
    }
    let product = u128::from(mantissa) * 10u128.pow(decimals);
    let rest = product & ((1 << shift) - 1);
    (product >> shift, rest.cmp(&(1 << (shift - 1))))
}

/// Appends `n · 10^-decimals` with exactly `decimals` decimals (`n` below 2^53 · 10^decimals).
fn push_scaled(out: &mut String, n: u128, decimals: usize) {
    let unit = 10u128.pow(decimals as u32);
    out.push_str(&((n / unit) as u64).to_string());
    push_decimals(out, n % unit, decimals);
}

/// Appends `.` and `digits` zero-padded to `decimals` places (nothing when `decimals` is 0).
fn push_decimals(out: &mut String, mut digits: u128, decimals: usize) {
    if decimals > 0 {
        let mut text = vec![b'0'; decimals];
        for slot in text.iter_mut().rev() {
            *slot = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        out.push('.');
        out.push_str(std::str::from_utf8(&text).expect("ASCII digits"));
    }
}

/// Appends the integer `mantissa · 2^exponent` in full, as `format!` writes a large float.
fn push_big_integer(out: &mut String, mantissa: u64, exponent: u32) {
    const BASE: u64 = 1_000_000_000;
    // Little-endian limbs of nine decimal digits each.
    let mut limbs = vec![
        mantissa % BASE,
        mantissa / BASE % BASE,
        mantissa / BASE / BASE,
    ];
    for _ in 0..exponent {
        let mut carry = 0;
        for limb in &mut limbs {
            let doubled = *limb * 2 + carry;
            *limb = doubled % BASE;
            carry = doubled / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut rest = limbs.iter().rev();
    if let Some(top) = rest.next() {
        out.push_str(&top.to_string());
    }
    for limb in rest {
        let text = limb.to_string();
        out.extend(std::iter::repeat_n('0', 9 - text.len()));
        out.push_str(&text);
    }
}

/// `n` units of 10^-`decimals` in the shortest form: `scaled(10_500, 3)` is `"10.5"`,
/// `scaled(10_000, 3)` is `"10"`: the text `{}` writes for `n as f64 / 1e3` (for every `n`
/// below 2^53, where that division is exact to the last digit shown).
pub fn scaled(n: u64, decimals: u32) -> String {
    let unit = 10u64.pow(decimals);
    let mut out = (n / unit).to_string();
    let below = n % unit;
    if below > 0 {
        let mut digits = below;
        let mut places = decimals as usize;
        while digits.is_multiple_of(10) {
            digits /= 10;
            places -= 1;
        }
        push_decimals(&mut out, digits.into(), places);
    }
    out
}

/// Why text is not a number, for the message a link or a field shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Nothing was given.
    Empty,
    /// A character that has no place in a number, e.g. the `x` of `5x`.
    Unexpected(char),
    /// No digits before or after the point (`.`, `-`).
    NoDigits,
    /// An `e` with no exponent after it (`1e`, `2e+`).
    NoExponent,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Empty => f.write_str("no number was given"),
            NumberError::Unexpected(c) => write!(f, "'{c}' does not belong in a number"),
            NumberError::NoDigits => f.write_str("a number needs digits, such as 2.5"),
            NumberError::NoExponent => f.write_str("an exponent needs digits, such as 1e3"),
        }
    }
}

impl std::error::Error for NumberError {}

/// The powers of ten a float holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads a decimal number as `str::parse::<f64>` does: an optional sign, digits with an optional
/// point (`2`, `2.5`, `.5`, `5.`), an optional exponent (`1e3`, `2.5E-1`), or `inf`, `infinity`,
/// `nan` in any case. No spaces: callers trim. See the module note for precision.
pub fn parse(text: &str) -> Result<f64, NumberError> {
    let (negative, body) = match text.as_bytes().first() {
        None => return Err(NumberError::Empty),
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
    };
    let magnitude = if ["inf", "infinity"]
        .iter()
        .any(|w| body.eq_ignore_ascii_case(w))
    {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        parse_finite(body)?
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// The unsigned decimal part of [`parse`].
fn parse_finite(body: &str) -> Result<f64, NumberError> {
    let mut mantissa: u64 = 0;
    let mut kept = 0; // significant digits held in `mantissa`
    let mut power: i64 = 0; // the value is mantissa · 10^power
    let mut digits = 0;
    let mut seen_point = false;
    let mut chars = body.chars();
    let mut exponent_mark = false;
    for c in chars.by_ref() {
        match c {
            '0'..='9' => {
                digits += 1;
                let d = u64::from(c as u8 - b'0');
                if kept < 19 {
                    mantissa = mantissa * 10 + d;
                    if mantissa > 0 {
                        kept += 1;
                    }
                    power -= i64::from(seen_point);
                } else {
                    power += i64::from(!seen_point);
                }
            }
            '.' if !seen_point => seen_point = true,
            'e' | 'E' => {
                exponent_mark = true;
                break;
            }
            other => return Err(NumberError::Unexpected(other)),
        }
    }
    if digits == 0 {
        return Err(NumberError::NoDigits);
    }
    if exponent_mark {
        let rest = chars.as_str();
        let (sign, exp_digits) = match rest.as_bytes().first() {
            Some(b'-') => (-1, &rest[1..]),
            Some(b'+') => (1, &rest[1..]),
            _ => (1, rest),
        };
        if exp_digits.is_empty() {
            return Err(NumberError::NoExponent);
        }
        let mut exponent: i64 = 0;
        for c in exp_digits.chars() {
            let d = c.to_digit(10).ok_or(NumberError::Unexpected(c))?;
            exponent = (exponent * 10 + i64::from(d)).min(1 << 20);
        }
        power += sign * exponent;
    }
    Ok(scale(mantissa, power))
}

/// `mantissa · 10^power` as a float: correctly rounded (one exact operation) when the mantissa
/// is below 2^53 and |power| ≤ 22, within a few units in the last place otherwise.
fn scale(mantissa: u64, power: i64) -> f64 {
    if mantissa == 0 || power < -400 {
        return 0.0;
    }
    if power > 400 {
        return f64::INFINITY;
    }
    let mut value = mantissa as f64;
    let mut power = power;
    while power > 22 {
        value *= 1e22;
        power -= 22;
    }
    while power < -22 {
        value /= 1e22;
        power += 22;
    }
    let exact = EXACT_POWERS[power.unsigned_abs() as usize];
    if power >= 0 {
        value * exact
    } else {
        value / exact
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;

    /// Floats of every kind the page formats, plus edges: ties, tiny and huge values.
    fn samples() -> Vec<f64> {
        let mut rng = Rng::new(8);
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            0.125,
            0.375,
            0.05,
            0.15,
            0.25,
            0.35,
            1e-7,
            5e-324,
            2.2250738585072014e-308,
            1e15,
            1e16,
            1e21,
            1e22,
            1e23,
            4503599627370495.5,
            1e300,
            f64::MAX,
            -f64::MAX,
            9.995,
            99.95,
            0.0005,
            0.00049999999999999,
            123.456789,
        ];
        for i in 0..20_000 {
            let bits = rng.next_u64();
            if i % 20 == 0 {
                xs.push(f64::from_bits(bits)); // any float at all, NaN and inf included
            }
            let scale = [1.0, 1e-3, 1e3, 1e-6, 1e6, 100.0][(bits % 6) as usize];
            xs.push((rng.next_u64() % 2_000_000) as f64 / 1000.0 * scale - scale * 500.0);
            // Exact ties at every number of decimals.
            xs.push(
                (rng.next_u64() % 100_000) as f64 / [2.0, 8.0, 32.0, 1024.0][(bits % 4) as usize],
            );
        }
        xs
    }

    #[test]
    fn fixed_writes_what_format_writes() {
        for x in samples() {
            for d in 0..=MAX_DECIMALS {
                assert_eq!(fixed(x, d), format!("{x:.d$}"), "{x:e} with {d} decimals");
            }
        }
    }

    #[test]
    fn shortest_writes_what_display_writes() {
        let mut rng = Rng::new(13);
        let mut xs: Vec<f64> = samples()
            .into_iter()
            .filter(|x| !x.is_finite() || *x == 0.0 || (1e-4..9e15).contains(&x.abs()))
            .collect();
        xs.extend([
            0.1 + 0.2,
            1.0 / 3.0,
            2.0 / 3.0,
            100.0 / 7.0,
            0.5,
            1024.0,
            1e-4,
            4503599627370497.0,
        ]);
        for i in 0..60_000 {
            // Computed sizes (any digits) and powers of two, whose rounding interval is lopsided.
            let a = (rng.next_u64() % 1_000_000) as f64;
            let b = (rng.next_u64() % 1_000 + 1) as f64;
            xs.push(if i % 2 == 0 {
                a / b
            } else {
                (a / b).sqrt() * 1e-3
            });
            xs.push(2f64.powi((rng.next_u64() % 66) as i32 - 13));
            let bits = rng.next_u64() >> 2 | 0x3f10_0000_0000_0000; // 6e-5 and up
            xs.push(f64::from_bits(bits));
        }
        for x in xs {
            if x.abs() < 9_007_199_254_740_992.0 && (x == 0.0 || x.abs() >= 1e-4) {
                assert_eq!(shortest(x), format!("{x}"), "{x:e}");
            }
        }
    }

    #[test]
    fn shortest_outside_its_range() {
        // Deliberate differences: huge numbers in full, tiny ones to 21 decimals.
        assert_eq!(shortest(1e23), "99999999999999991611392");
        assert_eq!(shortest(1e-30), "0");
        assert_eq!(shortest(1.5e-18), "0.0000000000000000015");
        assert_eq!(shortest(-2.5e-7), format!("{}", -2.5e-7));
    }

    #[test]
    fn push_fixed_appends() {
        let mut s = String::from("M");
        push_fixed(&mut s, 1.25, 1);
        s.push(' ');
        push_fixed(&mut s, -3.0, 1);
        assert_eq!(s, "M1.2 -3.0");
    }

    #[test]
    fn fixed_clamps_decimals() {
        assert_eq!(fixed(0.1, 40), format!("{:.21}", 0.1));
    }

    #[test]
    fn scaled_writes_what_display_writes_for_the_quotient() {
        let mut rng = Rng::new(3);
        let mut ns: Vec<u64> = (0..3000).collect();
        ns.extend(
            (0..20_000)
                .map(|i| rng.next_u64() % [1_000_000, 1 << 40, 1_000_000_000_000_000][i % 3]),
        );
        for n in ns {
            for d in 0..=4u32 {
                let quotient = n as f64 / 10f64.powi(d as i32);
                assert_eq!(scaled(n, d), format!("{quotient}"), "{n} / 10^{d}");
            }
        }
    }

    /// Texts a person or a link might give, valid or not.
    fn texts() -> Vec<String> {
        let mut out: Vec<String> = [
            "0",
            "-0",
            "+0",
            "1",
            "+.5",
            ".5",
            "5.",
            "1.e5",
            "00.5e-0001",
            "2.5E-1",
            "1e3",
            "1E+3",
            "150",
            "0.125",
            "10.5",
            "1000000000",
            "1e22",
            "1e23",
            "1E400",
            "1e-400",
            "inf",
            "-inf",
            "Infinity",
            "INF",
            "nan",
            "+nan",
            "-NaN",
            "",
            ".",
            "-",
            "+",
            "e5",
            ".e1",
            "1e",
            "1e+",
            "1e-",
            "0x1",
            "1_0",
            " 1",
            "1 ",
            "1..2",
            "1.2.3",
            "1e5.5",
            "--1",
            "infinite",
            "5x",
            "50%",
            "١",
            "123456789012345",
            "900719925474099",
            "0.000000000000000000001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut rng = Rng::new(5);
        for _ in 0..20_000 {
            let whole = rng.next_u64() % 10u64.pow((rng.next_u64() % 10) as u32);
            let places = (rng.next_u64() % 7) as usize;
            let below = rng.next_u64() % 10u64.pow(places as u32);
            let sign = ["", "-", "+"][(rng.next_u64() % 3) as usize];
            out.push(format!("{sign}{whole}.{below:0places$}"));
            out.push(format!("{whole}e{}", (rng.next_u64() % 40) as i64 - 20));
        }
        out
    }

    #[test]
    fn parse_reads_what_str_parse_reads() {
        for text in texts() {
            let ours = parse(&text);
            match text.parse::<f64>() {
                Ok(theirs) if theirs.is_nan() => assert!(ours.unwrap().is_nan(), "{text:?}"),
                Ok(theirs) => assert_eq!(ours.map(f64::to_bits), Ok(theirs.to_bits()), "{text:?}"),
                Err(_) => assert!(ours.is_err(), "{text:?} is not a number, read {ours:?}"),
            }
        }
    }

    #[test]
    fn parse_beyond_the_exact_range_is_close() {
        // Deliberate difference: more than 15 significant digits or a power of ten beyond ±22
        // may land one or two units in the last place away from the correctly rounded value.
        for text in [
            "1.2345678901234567890123e-30",
            "0.1000000000000000055511151231257827",
            "9007199254740993",
            "3.14159e100",
            "2.5e-200",
            "123456789e250",
        ] {
            let (ours, theirs) = (parse(text).unwrap(), text.parse::<f64>().unwrap());
            assert!(
                ((ours - theirs) / theirs).abs() < 1e-14,
                "{text}: {ours} vs {theirs}"
            );
        }
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        assert_eq!(parse(""), Err(NumberError::Empty));
        assert_eq!(parse("5x"), Err(NumberError::Unexpected('x')));
        assert_eq!(parse("1..2"), Err(NumberError::Unexpected('.')));
        assert_eq!(parse("abc"), Err(NumberError::Unexpected('a')));
        assert_eq!(parse("."), Err(NumberError::NoDigits));
        assert_eq!(parse("-"), Err(NumberError::NoDigits));
        assert_eq!(parse("1e"), Err(NumberError::NoExponent));
        assert_eq!(parse("1e+"), Err(NumberError::NoExponent));
        assert_eq!(
            NumberError::Unexpected('x').to_string(),
            "'x' does not belong in a number"
        );
    }
}
