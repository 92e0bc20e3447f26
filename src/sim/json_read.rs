//! Reading JSON: a trace file's lines (import) and the embedding API's commands.
//!
//! A small recursive-descent reader of our own, so the web build carries no serde / serde_json
//! (their generic deserializer, `Map`'s B-tree, their error texts and std::io's cost about 8 KB
//! gzipped). It reads exactly what `serde_json::from_str::<serde_json::Value>` reads, with the
//! same nesting limit (127), and refuses the rest with a [`ParseError`] that says what is wrong
//! and where. [`Value::to_json`] writes a value back in compact form, strings escaped as the
//! trace writer ([`super::json`]) escapes them.

use std::fmt;

use super::decimal;
use super::json::quoted;

/// How deeply arrays and objects may nest (serde_json's limit): deeper input is refused rather
/// than read with a deeper stack.
pub const MAX_DEPTH: usize = 127;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(Number),
    /// A string, escapes resolved.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in the order written. A key written twice stays twice; lookups
    /// ([`Value::get`]) see the last one, as serde_json's map keeps the last.
    Object(Vec<(String, Value)>),
}

/// A JSON number as written (`12`, `-3`, `1.5e3`): read as an integer when it is one and fits,
/// otherwise as the nearest float. Keeping the text means a number read and written back is
/// the same text, and nothing is decided about it before a caller asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Number(String);

impl Number {
    /// The number if it is written as a non-negative integer that fits in a u64 (`5`, not `5.0`
    /// nor `-0`, as serde_json).
    pub fn as_u64(&self) -> Option<u64> {
        let t = &self.0;
        if t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    }

    /// The number if it is written as an integer that fits in an i64.
    pub fn as_i64(&self) -> Option<i64> {
        let digits = self.0.strip_prefix('-').unwrap_or(&self.0);
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// The number as a float (an integer beyond 2^53 rounded, one beyond the float range
    /// infinite).
    pub fn as_f64(&self) -> f64 {
        if let Some(u) = self.as_u64() {
            u as f64
        } else if let Some(i) = self.as_i64() {
            i as f64
        } else {
            // The reader let only JSON's number grammar through, which `parse` reads.
            decimal::parse(&self.0).unwrap_or(f64::NAN)
        }
    }

    /// The text the number was written as.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(Number(n.to_string()))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        u64::from(n).into()
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        (n as u64).into()
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number(n.to_string()))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

/// A count of thousandths as a number: `thousandths(1500)` is `1.5` (a time in microseconds
/// written in milliseconds, exactly).
pub fn thousandths(n: u64) -> Value {
    Value::Number(Number(decimal::scaled(n, 3)))
}

/// An object of `members`, in order: `object([("node", 2u64.into())])`.
pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

impl Value {
    /// The member `key` of an object (the last one, if written twice); `None` for a missing key
    /// or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// Sets the member `key` of an object, replacing every earlier one; does nothing to a value
    /// that is not an object.
    pub fn insert(&mut self, key: &str, value: Value) {
        if let Value::Object(members) = self {
            members.retain(|(k, _)| k != key);
            members.push((key.to_string(), value));
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The number, if this is a non-negative integer that fits in a u64 ([`Number::as_u64`]).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// The value as compact JSON text (numbers as written, strings escaped as serde_json does).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.0),
            Value::String(s) => out.push_str(&quoted(s)),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quoted(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// What is wrong with a text that is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The text ends inside a value.
    Truncated,
    /// Something other than a value where one belongs (`{"a":}`, `[1,]`, `nul`).
    ExpectedValue,
    /// A number that breaks JSON's grammar (`01`, `1.`, `-`, `1e`).
    BadNumber,
    /// A number beyond the float range (`1e400`).
    NumberTooLarge,
    /// An object key that is not a string (`{a:1}`, `{"a":1,}`).
    ExpectedKey,
    /// A missing `:` after an object key.
    ExpectedColon,
    /// A missing `,` or `]` in an array.
    ExpectedCommaOrBracket,
    /// A missing `,` or `}` in an object.
    ExpectedCommaOrBrace,
    /// A backslash followed by something that is not an escape.
    BadEscape,
    /// A `\u` escape that is not four hex digits, or half of a surrogate pair.
    BadUnicode,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacter,
    /// Arrays and objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More text after the value.
    TrailingCharacters,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Problem::Truncated => "the text ends too early",
            Problem::ExpectedValue => "expected a value",
            Problem::BadNumber => "a number is malformed",
            Problem::NumberTooLarge => "a number is too large",
            Problem::ExpectedKey => "expected a quoted key",
            Problem::ExpectedColon => "expected ':' after a key",
            Problem::ExpectedCommaOrBracket => "expected ',' or ']'",
            Problem::ExpectedCommaOrBrace => "expected ',' or '}'",
            Problem::BadEscape => "a backslash escape is not valid",
            Problem::BadUnicode => "a \\u escape is not a valid character",
            Problem::ControlCharacter => "a string holds a control character",
            Problem::TooDeep => "arrays and objects nest more than 127 deep",
            Problem::TrailingCharacters => "there is more after the value",
        })
    }
}

/// Why a text is not JSON, and where: `expected a value at line 1, column 7`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub problem: Problem,
    /// The line it is on, from 1.
    pub line: usize,
    /// The character on that line it is at, from 1.
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.problem, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

/// Reads `text` as one JSON value (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut r = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let result = r.value(0).and_then(|v| {
        r.skip_space();
        if r.at < r.bytes.len() {
            Err(Problem::TrailingCharacters)
        } else {
            Ok(v)
        }
    });
    result.map_err(|problem| r.error(problem))
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, problem: Problem) -> ParseError {
        let at = self.at.min(self.bytes.len());
        let before = &self.bytes[..at];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Characters, not bytes: count the bytes that start one.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xc0 != 0x80)
            .count()
            + 1;
        ParseError {
            problem,
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed; the end of the text is an error.
    fn next_token(&mut self) -> Result<u8, Problem> {
        self.skip_space();
        self.peek().ok_or(Problem::Truncated)
    }

    fn value(&mut self, depth: usize) -> Result<Value, Problem> {
        match self.next_token()? {
            b'n' => self.word("null", Value::Null),
            b't' => self.word("true", Value::Bool(true)),
            b'f' => self.word("false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' | b'{' if depth >= MAX_DEPTH => Err(Problem::TooDeep),
            b'[' => self.array(depth + 1),
            b'{' => self.object(depth + 1),
            _ => Err(Problem::ExpectedValue),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, Problem> {
        for &expected in word.as_bytes() {
            match self.peek() {
                None => return Err(Problem::Truncated),
                Some(b) if b == expected => self.at += 1,
                Some(_) => return Err(Problem::ExpectedValue),
            }
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<Value, Problem> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int_start = self.at;
        let int_digits = self.digits();
        let bad = |r: &Self| {
            if r.at >= r.bytes.len() {
                Problem::Truncated
            } else {
                Problem::BadNumber
            }
        };
        if int_digits == 0 {
            return Err(bad(self));
        }
        if int_digits > 1 && self.bytes[int_start] == b'0' {
            self.at = int_start + 1;
            return Err(Problem::BadNumber);
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(bad(self));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(bad(self));
            }
        }
        let n = Number(self.text[start..self.at].to_string());
        if n.as_f64().is_infinite() {
            // serde_json refuses what no float holds.
            self.at = start;
            return Err(Problem::NumberTooLarge);
        }
        Ok(Value::Number(n))
    }

    fn hex4(&mut self) -> Result<u32, Problem> {
        let mut n = 0;
        for _ in 0..4 {
            let b = self.peek().ok_or(Problem::Truncated)?;
            let d = (b as char).to_digit(16).ok_or(Problem::BadUnicode)?;
            n = n * 16 + d;
            self.at += 1;
        }
        Ok(n)
    }

    /// A string from its opening quote.
    fn string(&mut self) -> Result<String, Problem> {
        self.at += 1;
        let mut out = String::new();
        let mut plain = self.at;
        loop {
            let b = self.peek().ok_or(Problem::Truncated)?;
            match b {
                b'"' => {
                    out.push_str(&self.text[plain..self.at]);
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[plain..self.at]);
                    self.at += 1;
                    let e = self.peek().ok_or(Problem::Truncated)?;
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.at -= 1;
                            return Err(Problem::BadEscape);
                        }
                    };
                    out.push(c);
                    plain = self.at;
                }
                0..=0x1f => return Err(Problem::ControlCharacter),
                // Any other byte, a UTF-8 sequence's included: `text` is a str, so the
                // slices cut at quotes and backslashes stay on character boundaries.
                _ => self.at += 1,
            }
        }
    }

    /// The character of a `\u` escape (after the `u`), a surrogate pair's two escapes read as one.
    fn unicode_escape(&mut self) -> Result<char, Problem> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                for &expected in b"\\u" {
                    match self.peek() {
                        None => return Err(Problem::Truncated),
                        Some(b) if b == expected => self.at += 1,
                        Some(_) => return Err(Problem::BadUnicode),
                    }
                }
                let low = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&low) {
                    return Err(Problem::BadUnicode);
                }
                0x10000 + ((first - 0xd800) << 10) + (low - 0xdc00)
            }
            _ => first,
        };
        // A lone low surrogate is no character.
        char::from_u32(code).ok_or(Problem::BadUnicode)
    }

    /// An array's items or an object's members, from the opening bracket to `close`, each read
    /// by `item`; `missing` is the problem when neither a comma nor `close` follows one.
    fn sequence(
        &mut self,
        close: u8,
        missing: Problem,
        mut item: impl FnMut(&mut Self) -> Result<(), Problem>,
    ) -> Result<(), Problem> {
        self.at += 1;
        if self.next_token()? == close {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.next_token()? {
                b',' => self.at += 1,
                b if b == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(missing),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Problem> {
        let mut items = Vec::new();
        self.sequence(b']', Problem::ExpectedCommaOrBracket, |r| {
            items.push(r.value(depth)?);
            Ok(())
        })?;
        Ok(Value::Array(items))
    }

    fn object(&mut self, depth: usize) -> Result<Value, Problem> {
        let mut members = Vec::new();
        self.sequence(b'}', Problem::ExpectedCommaOrBrace, |r| {
            if r.next_token()? != b'"' {
                return Err(Problem::ExpectedKey);
            }
            let key = r.string()?;
            if r.next_token()? != b':' {
                return Err(Problem::ExpectedColon);
            }
            r.at += 1;
            members.push((key, r.value(depth)?));
            Ok(())
        })?;
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's reading of `text`: accepted or not, and the value written back.
    fn serde(text: &str) -> Option<serde_json::Value> {
        serde_json::from_str(text).ok()
    }

    /// Both readers agree on `text`: both refuse it, or both read the same value.
    fn agrees(text: &str) {
        let ours = parse(text);
        match (serde(text), &ours) {
            (None, Err(_)) => {}
            (Some(theirs), Ok(v)) => {
                let back: serde_json::Value =
                    serde_json::from_str(&v.to_json()).unwrap_or_else(|e| {
                        panic!("{text}: our output {} is not JSON: {e}", v.to_json())
                    });
                assert_eq!(back, theirs, "{text}");
                assert_eq!(parse(&v.to_json()).as_ref(), Ok(v), "round trip of {text}");
            }
            (theirs, ours) => panic!("{text}: serde_json {theirs:?}, ours {ours:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "12",
            "-12",
            "1.5",
            "-0.25e-3",
            "1E+2",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e300",
            r#""""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u20ac\ud83d\ude00 é€😀""#,
            r#""\u0000\u001f""#,
            "[]",
            "{}",
            "[1,[2,[3,{}]],{\"a\":[]}]",
            r#"{"t":0,"kind":"scenario","link":"protocol=raft&nodes=3"}"#,
            " { \"a\" : 1 ,\n\t\"b\" : [ true , null ] } ",
            r#"{"a":1,"a":2}"#,
        ] {
            agrees(text);
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            " ",
            "nul",
            "nulls",
            "True",
            "01",
            "-",
            "1.",
            ".5",
            "+1",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "0x10",
            "\"abc",
            "\"a\\",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"tab\there\"",
            "[1,]",
            "[1 2]",
            "[",
            "[1",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1",
            "{\"a\":1]",
            "1 2",
            "{} x",
            "'a'",
            "1e400",
            "-1e400",
        ] {
            agrees(text);
            assert!(parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn numbers_keep_their_text_and_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "7",
            "-7",
            "1.0",
            "-0",
            "1e3",
            "147007.013",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-1.5e-7",
            "1e-400",
        ] {
            let ours = parse(text).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours.to_json(), text, "written back as written");
            assert_eq!(ours.as_u64(), theirs.as_u64(), "{text}");
            if let Value::Number(n) = &ours
                && theirs.is_i64()
            {
                assert_eq!(n.as_i64(), theirs.as_i64(), "{text}");
            }
            let (a, b) = (
                ours.as_f64().unwrap(),
                theirs.as_f64().unwrap_or(f64::INFINITY),
            );
            assert!(
                a == b || (a - b).abs() <= b.abs() * 1e-15,
                "{text}: {a} vs {b}"
            );
        }
        assert_eq!(thousandths(147_007_013).to_json(), "147007.013");
        assert_eq!(thousandths(2_000).to_json(), "2");
        assert_eq!(Value::from(u64::MAX).as_u64(), Some(u64::MAX));
    }

    #[test]
    fn escapes_and_surrogate_pairs_read_back() {
        let v = parse(r#""\ud83d\ude00 \u00E9 \"q\" \\ \/""#).unwrap();
        assert_eq!(v.as_str(), Some("😀 é \"q\" \\ /"));
        let written = Value::from("a\u{1}\n\"é😀").to_json();
        assert_eq!(written, r#""a\u0001\n\"é😀""#);
        assert_eq!(parse(&written).unwrap().as_str(), Some("a\u{1}\n\"é😀"));
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            e("{\"a\":}").to_string(),
            "expected a value at line 1, column 6"
        );
        assert_eq!(e("[1,]").problem, Problem::ExpectedValue);
        assert_eq!(e("{\"a\":1,}").problem, Problem::ExpectedKey);
        assert_eq!(e("[1 2]").problem, Problem::ExpectedCommaOrBracket);
        assert_eq!(
            e("{\"a\":1 \"b\":2}").problem,
            Problem::ExpectedCommaOrBrace
        );
        assert_eq!(e("\"\\q\"").problem, Problem::BadEscape);
        assert_eq!(e("\"\\ud800x\"").problem, Problem::BadUnicode);
        assert_eq!(e("\"a\u{1}\"").problem, Problem::ControlCharacter);
        assert_eq!(e("01").problem, Problem::BadNumber);
        assert_eq!(e("{} x").problem, Problem::TrailingCharacters);
        assert_eq!(
            e("{\"é\":").to_string(),
            "the text ends too early at line 1, column 6"
        );
        let two_lines = e("{\"a\": 1,\n  \"b\" 2}");
        assert_eq!((two_lines.line, two_lines.column), (2, 7));
        assert_eq!(two_lines.problem, Problem::ExpectedColon);
    }

    #[test]
    fn every_cut_of_a_document_is_refused_without_a_panic() {
        let doc = r#"{"t":12,"kind":"send","msg":{"type":"x","s":"é\u00e9\ud83d\ude00","a":[1,-2.5e3,true,false,null]}}"#;
        assert!(parse(doc).is_ok());
        for (cut, _) in doc.char_indices().skip(1) {
            assert_eq!(
                parse(&doc[..cut]).unwrap_err().problem,
                Problem::Truncated,
                "{cut}"
            );
            agrees(&doc[..cut]);
        }
    }

    #[test]
    fn nesting_is_limited_as_serde_json_limits_it() {
        for depth in [127, 128, 129, 100_000] {
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            for text in [arrays, objects] {
                agrees(&text);
                assert_eq!(parse(&text).is_ok(), depth <= MAX_DEPTH, "{depth}");
            }
        }
        let e = parse(&"[".repeat(1000)).unwrap_err();
        assert_eq!((e.problem, e.column), (Problem::TooDeep, 128));
    }

    #[test]
    fn objects_are_built_read_and_changed_in_order() {
        let mut v = object([("node", 2u64.into()), ("who", "leader".into())]);
        v.insert("node", 3u64.into());
        assert_eq!(v.to_json(), r#"{"who":"leader","node":3}"#);
        assert_eq!(v.get("node").and_then(Value::as_u64), Some(3));
        let twice = parse(r#"{"a":1,"a":"x"}"#).unwrap();
        assert_eq!(
            twice.get("a").and_then(Value::as_str),
            Some("x"),
            "the last wins"
        );
        assert_eq!(Value::Null.get("a"), None);
    }
}
