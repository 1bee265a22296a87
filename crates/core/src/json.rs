//! JSON text in and out, for crossing the JavaScript boundary.
//!
//! The browser's own `JSON.stringify` and `JSON.parse` are fast and already
//! there, so the wasm layer hands the core JSON text and takes JSON text back.
//! This module is the small reader and writer for that: no serde code and no
//! float formatting end up in the shipped wasm. It reads standard JSON (RFC
//! 8259) and refuses anything nested deeper than [`MAX_DEPTH`].
//!
//! Layer 1 (text and values; see the crate's documentation): it uses only the modules listed before it in its layer.

use crate::value::{merge_duplicate_keys, Map, Value, MAX_DEPTH};

/// Why JSON text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset where reading stopped.
    pub offset: usize,
    /// What was wrong there.
    pub reason: &'static str,
}

impl JsonError {
    /// What was wrong and where, e.g. `unexpected end at byte 12`.
    pub fn message(&self) -> String {
        crate::text::cat(&[
            self.reason,
            " at byte ",
            &crate::text::num(self.offset as u64),
        ])
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Reads one JSON value that spans the whole text.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut r = Reader {
        t: text,
        s: text.as_bytes(),
        i: 0,
    };
    let v = r.value(0)?;
    r.ws();
    if r.i != r.s.len() {
        return Err(r.err("unexpected text after the value"));
    }
    Ok(v)
}

struct Reader<'a> {
    t: &'a str,
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn err(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.i,
            reason,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: u32) -> Result<Value, JsonError> {
        self.ws();
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of JSON")),
            Some(b'n') if self.eat(b"null") => Ok(Value::Null),
            Some(b't') if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested deeper than 32 levels"));
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"]") {
                        return Ok(Value::Array(items));
                    }
                    return Err(self.err("expected , or ] in array"));
                }
            }
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested deeper than 32 levels"));
                }
                self.i += 1;
                let mut map: Map = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Ok(Value::Object(map));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a string key in object"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return Err(self.err("expected : after object key"));
                    }
                    let v = self.value(depth + 1)?;
                    map.push((key, v));
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"}") {
                        // Later duplicates win, as with JSON.parse, in
                        // O(n log n): a lookup per key would be quadratic.
                        merge_duplicate_keys(&mut map);
                        return Ok(Value::Object(map));
                    }
                    return Err(self.err("expected , or } in object"));
                }
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let from = r.i;
            while let Some(b'0'..=b'9') = r.s.get(r.i) {
                r.i += 1;
            }
            r.i > from
        };
        self.eat(b"-");
        if self.eat(b"0") {
            if let Some(b'0'..=b'9') = self.s.get(self.i) {
                return Err(self.err("leading zero in number"));
            }
        } else if !digits(self) {
            return Err(self.err("expected digits in number"));
        }
        if self.eat(b".") && !digits(self) {
            return Err(self.err("expected digits after decimal point"));
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err("expected digits in exponent"));
            }
        }
        // ASCII digits and signs: the slice ends on character boundaries.
        Ok(Value::Number(self.t[start..self.i].to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.s.get(self.i) {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("bad \\u escape")),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // opening quote
                     // Runs of plain text are copied as slices of the input, which is
                     // already a `str`: every run starts and ends next to an ASCII byte
                     // (a quote, a backslash or the end of an escape), so no UTF-8
                     // validation is needed.
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(self.err("unterminated string"));
            };
            self.i += 1;
            match c {
                b'"' => {
                    out.push_str(&self.t[run..self.i - 1]);
                    break;
                }
                b'\\' => {
                    out.push_str(&self.t[run..self.i - 1]);
                    let Some(&e) = self.s.get(self.i) else {
                        return Err(self.err("unterminated string"));
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) && self.eat(b"\\u") {
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("bad surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            // A lone surrogate becomes U+FFFD, as TextEncoder does.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return Err(self.err("bad escape in string")),
                    };
                    out.push(ch);
                    run = self.i;
                }
                0..=0x1F => return Err(self.err("control character in string")),
                _ => {}
            }
        }
        Ok(out)
    }
}

pub use crate::text::write_u64;

/// Writes a JSON string literal. Runs of characters that need no escape are
/// copied whole: this is the hot path of every event.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push('"');
    let (mut start, mut i) = (0, 0);
    loop {
        i += plain_run(&bytes[i..]);
        let Some(&b) = bytes.get(i) else { break };
        // Escapes are ASCII, so `i` is on a character boundary.
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// How many bytes at the start of `b` a JSON string holds as they are (no
/// `"`, `\\` or control character). Eight bytes at a time: one 64-bit
/// test tells whether any of them needs an escape.
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero: `(x - ONES) & !x & HIGH` is non-zero.
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let x = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        // Any byte below 0x20 (exact for bounds up to 0x80), `"` or `\\`.
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0;
        if control
            || zero_byte(x ^ (ONES * u64::from(b'"')))
            || zero_byte(x ^ (ONES * u64::from(b'\\')))
        {
            break;
        }
        i += 8;
    }
    while b
        .get(i)
        .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\')
    {
        i += 1;
    }
    i
}

/// Writes a value as compact JSON.
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(text) => out.push_str(text),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// A value as compact JSON text.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

pub(crate) fn opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s);
        out
    }

    /// serde_json's output, with `\b` and `\f` in the `\u00XX` form this
    /// writer uses for every control character but `\n`, `\r` and `\t`.
    fn serde(s: &str) -> String {
        serde_json::to_string(s)
            .unwrap()
            .replace("\\\\", "\u{1}")
            .replace("\\b", "\\u0008")
            .replace("\\f", "\\u000c")
            .replace('\u{1}', "\\\\")
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them_wherever_an_escape_falls() {
        let escapes = [
            "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{c}", "\u{1f}", "\u{7f}", "é", "€",
            "😀",
        ];
        for escape in escapes {
            for at in 0..=20 {
                let mut s = String::from("abcdefghij0123456789");
                s.insert_str(at, escape);
                assert_eq!(written(&s), serde(&s), "{s:?}");
            }
        }
        assert_eq!(written(""), "\"\"");
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert_eq!(written(&s), serde(&s));
        }
    }

    #[test]
    fn duplicate_keys_keep_the_first_place_and_the_last_value_as_json_parse_does() {
        let v = parse(r#"{"a":1,"b":2,"a":3,"c":4,"b":5}"#).unwrap();
        assert_eq!(to_string(&v), r#"{"a":3,"b":5,"c":4}"#);
    }

    #[test]
    fn many_keys_cost_linear_time() {
        // 200,000 distinct keys: a lookup per key would be 2e10 comparisons,
        // the sort about 7 million.
        let mut text = String::from("{");
        for i in 0..200_000 {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&format!("\"k{i}\":{i}"));
        }
        text.push('}');
        let n = 200_000;
        let budget = crate::value::tests::n_log_n(n);
        let (v, compared) = crate::value::op_counts::count(budget, || parse(&text));
        assert_eq!(v.unwrap().as_object().unwrap().len(), 200_000);
        // The budget bounds the complexity, counted rather than timed.
        assert!(compared >= n - 1, "{compared}: every entry is compared");
    }

    fn round_trip(text: &str) -> String {
        to_string(&parse(text).unwrap_or_else(|e| panic!("{text}: {e}")))
    }

    #[test]
    fn reads_and_writes_like_serde_json() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"x\"y\\z\n\t\u0001"}}"#,
            r#"[-0,0.5,-1.25e-3,1E+21,12345678901234567890]"#,
            r#""\ud83d\ude00 é \/""#,
            r#"{"dup":1,"dup":2}"#,
            "  {\n \"spaced\" : [ 1 , 2 ] }  ",
        ] {
            let ours = round_trip(text);
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            let back: serde_json::Value = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, theirs, "{text} -> {ours}");
        }
        // Numbers keep their text exactly.
        assert_eq!(round_trip("[1.50,1e5]"), "[1.50,1e5]");
        assert_eq!(round_trip(r#""😀""#), r#""😀""#);
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "{a:1}",
            "01",
            "1.",
            "-",
            "1e",
            "\"abc",
            "\"\\x\"",
            "tru",
            "[1] 2",
            "\"a\u{1}\"",
            "NaN",
            "{\"a\":1,}",
            "'a'",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_excessive_nesting() {
        let ok = "[".repeat(32) + &"]".repeat(32);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(33) + &"]".repeat(33);
        assert_eq!(
            parse(&deep).unwrap_err().reason,
            "nested deeper than 32 levels"
        );
    }

    #[test]
    fn integers_format_exactly() {
        for n in [0u64, 7, 10, 1_795_742_454_123, u64::MAX] {
            let mut s = String::new();
            write_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
