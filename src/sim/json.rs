//! The trace's JSON writer: compact objects and arrays written straight into a `String`.
//!
//! Trace lines used to come from serde's derives, which the compiler copies out for every
//! field and variant of every protocol's messages and notes; this writer is one small,
//! non-generic piece of code that every type calls by hand (see [`JsonFields`]). Its output is
//! byte for byte what `serde_json::to_string` wrote (same field order, same string escaping),
//! so the golden trace digests do not move.

/// A type the trace writes as a JSON object.
///
/// It writes only its fields, in order; the caller opens and closes the braces. That lets a
/// tagged enum put its tag first (a message's `type`, a note's `kind`, which the simulator
/// writes from [`super::Note::kind`]) and a variant wrapping a struct splice the struct's fields
/// in after the tag, as serde's internally tagged enums do.
pub trait JsonFields {
    /// Writes the object's fields into `o`.
    fn json_fields(&self, o: &mut JsonObject<'_>);
}

/// `value` as one compact JSON object.
pub fn to_json(value: &dyn JsonFields) -> String {
    let mut out = String::new();
    let mut o = JsonObject::open(&mut out);
    value.json_fields(&mut o);
    o.close();
    out
}

/// `s` as a JSON string literal, quotes included.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal, escaped as serde_json escapes it: `"` and `\`
/// backslashed, the control characters with a short escape (`\b \t \n \f \r`) written so, the
/// other ones below U+0020 as `\u00xx`, everything else (non-ASCII included) as is.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every escaped byte is ASCII, so `i` is a character boundary.
        out.push_str(&s[plain..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(short);
        }
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

fn write_u64(out: &mut String, v: u64) {
    use std::fmt::Write;
    let _ = write!(out, "{v}");
}

/// A JSON object being written: each call appends one `"key":value` field.
pub struct JsonObject<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    /// Starts an object at the end of `out`; [`JsonObject::close`] ends it.
    pub fn open(out: &'a mut String) -> Self {
        out.push('{');
        JsonObject { out, empty: true }
    }

    /// Ends the object.
    pub fn close(self) {
        self.out.push('}');
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_str(self.out, key);
        self.out.push(':');
        self.out
    }

    /// A non-negative integer field.
    pub fn u64(&mut self, key: &str, v: u64) -> &mut Self {
        write_u64(self.key(key), v);
        self
    }

    /// A signed integer field.
    pub fn i64(&mut self, key: &str, v: i64) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.key(key), "{v}");
        self
    }

    /// A `true` / `false` field.
    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key).push_str(if v { "true" } else { "false" });
        self
    }

    /// A string field.
    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        write_str(self.key(key), v);
        self
    }

    /// A `null` field.
    pub fn null(&mut self, key: &str) -> &mut Self {
        self.key(key).push_str("null");
        self
    }

    /// An optional integer: the number, or `null` (a field that is left out when absent is
    /// written with `if let Some` around [`JsonObject::u64`] instead).
    pub fn opt_u64(&mut self, key: &str, v: Option<u64>) -> &mut Self {
        match v {
            Some(v) => self.u64(key, v),
            None => self.null(key),
        }
    }

    /// A nested object field.
    pub fn object(&mut self, key: &str, v: &dyn JsonFields) -> &mut Self {
        let mut inner = JsonObject::open(self.key(key));
        v.json_fields(&mut inner);
        inner.close();
        self
    }

    /// A nested object field written by `fields` (for a one-off shape with no type of its own).
    pub fn object_with(
        &mut self,
        key: &str,
        fields: &mut dyn FnMut(&mut JsonObject<'_>),
    ) -> &mut Self {
        let mut inner = JsonObject::open(self.key(key));
        fields(&mut inner);
        inner.close();
        self
    }

    /// An array field whose items `items` writes.
    pub fn array(&mut self, key: &str, items: &mut dyn FnMut(&mut JsonArray<'_>)) -> &mut Self {
        let out = self.key(key);
        out.push('[');
        items(&mut JsonArray { out, empty: true });
        out.push(']');
        self
    }

    /// An array of integers.
    pub fn u64s(&mut self, key: &str, items: &mut dyn Iterator<Item = u64>) -> &mut Self {
        self.array(key, &mut |a| {
            for v in &mut *items {
                a.u64(v);
            }
        })
    }
}

/// A JSON array being written (inside [`JsonObject::array`]): each call appends one item.
pub struct JsonArray<'a> {
    out: &'a mut String,
    empty: bool,
}

impl JsonArray<'_> {
    fn item(&mut self) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out
    }

    /// A non-negative integer item.
    pub fn u64(&mut self, v: u64) {
        write_u64(self.item(), v);
    }

    /// A string item.
    pub fn str(&mut self, v: &str) {
        write_str(self.item(), v);
    }

    /// An object item.
    pub fn object(&mut self, v: &dyn JsonFields) {
        let mut inner = JsonObject::open(self.item());
        v.json_fields(&mut inner);
        inner.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character that serde_json escapes, and some it does not.
    const AWKWARD: &[&str] = &[
        "",
        "plain",
        "quote \" and backslash \\ and slash /",
        "\u{0}\u{1}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{e}\u{1b}\u{1f} \u{7f}",
        "non-ASCII: µs, 5–7, «élan», 日本, 🦀",
        "\\\"\\\"",
        "ends with an escape\n",
    ];

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        for s in AWKWARD {
            assert_eq!(quoted(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
        for b in 0..=0x7f_u8 {
            let s = (b as char).to_string();
            assert_eq!(
                quoted(&s),
                serde_json::to_string(&s).unwrap(),
                "byte {b:#x}"
            );
        }
    }

    struct Pair(u64, &'static str);

    impl JsonFields for Pair {
        fn json_fields(&self, o: &mut JsonObject<'_>) {
            o.u64("n", self.0).str("s", self.1);
        }
    }

    struct Everything;

    impl JsonFields for Everything {
        fn json_fields(&self, o: &mut JsonObject<'_>) {
            o.str("type", "Everything")
                .u64("max", u64::MAX)
                .i64("min", i64::MIN)
                .bool("yes", true)
                .bool("no", false)
                .null("nothing")
                .opt_u64("some", Some(0))
                .opt_u64("none", None)
                .object("pair", &Pair(7, "a\"b"))
                .object("empty", &Empty)
                .object_with("with", &mut |o| {
                    o.object_with("inner", &mut |o| {
                        o.bool("deep", true);
                    });
                })
                .u64s("ids", &mut [3, 1, 2].into_iter())
                .u64s("none_yet", &mut std::iter::empty())
                .array("mixed", &mut |a| {
                    a.u64(1);
                    a.str("noop");
                    a.object(&Pair(2, "é\n"));
                })
                .str("key \"quoted\"", "tab\there");
        }
    }

    struct Empty;

    impl JsonFields for Empty {
        fn json_fields(&self, _: &mut JsonObject<'_>) {}
    }

    #[test]
    fn objects_match_serde_json_compact_output() {
        let expected = serde_json::json!({
            "type": "Everything",
            "max": u64::MAX,
            "min": i64::MIN,
            "yes": true,
            "no": false,
            "nothing": null,
            "some": 0,
            "none": null,
            "pair": {"n": 7, "s": "a\"b"},
            "empty": {},
            "with": {"inner": {"deep": true}},
            "ids": [3, 1, 2],
            "none_yet": [],
            "mixed": [1, "noop", {"n": 2, "s": "é\n"}],
            "key \"quoted\"": "tab\there",
        });
        // serde_json's `Value` keeps keys in order only with `preserve_order`; compare the
        // parsed value, and the text against the expected bytes written out by hand.
        let text = to_json(&Everything);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            expected
        );
        assert_eq!(
            text,
            r#"{"type":"Everything","max":18446744073709551615,"min":-9223372036854775808,"yes":true,"no":false,"nothing":null,"some":0,"none":null,"pair":{"n":7,"s":"a\"b"},"empty":{},"with":{"inner":{"deep":true}},"ids":[3,1,2],"none_yet":[],"mixed":[1,"noop",{"n":2,"s":"é\n"}],"key \"quoted\"":"tab\there"}"#
        );
        assert_eq!(to_json(&Empty), "{}");
    }
}
