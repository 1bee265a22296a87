//! Building text by concatenation. `format!` pulls Rust's formatting
//! machinery into the shipped wasm; joining string slices does not.

/// The parts, joined.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A whole number in decimal.
pub fn num(n: u64) -> String {
    let mut out = String::new();
    crate::json::write_u64(&mut out, n);
    out
}

/// How an error message shows a value a caller passed, given as JSON (what
/// the JavaScript entry sends the core): `null`, `"" (empty string)`,
/// `string "abc"` (at most 60 characters), `number 5`, `boolean true`,
/// `array` or `object`. `None` is a missing value: `undefined`. The entry
/// describes the values JSON cannot carry itself (see [`crate::engine`]).
pub fn describe(value: Option<&crate::Value>) -> String {
    use crate::Value;
    match value {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::String(s)) if s.is_empty() => "\"\" (empty string)".into(),
        Some(Value::String(s)) => {
            let end = s.char_indices().nth(60).map_or(s.len(), |(i, _)| i);
            cat(&["string \"", &s[..end], "\""])
        }
        Some(Value::Number(t)) => cat(&["number ", t]),
        Some(Value::Bool(b)) => cat(&["boolean ", if *b { "true" } else { "false" }]),
        Some(Value::Array(_)) => "array".into(),
        Some(Value::Object(map)) => match map.as_slice() {
            [(k, Value::String(given))] if k == crate::engine::input::GIVEN => given.clone(),
            _ => "object".into(),
        },
    }
}

// Searching for ASCII bytes in a loop, rather than with `str`'s pattern
// searchers (`split_once("://")`, `split(['/', '?', '#'])`, ...), keeps the
// generic Two-Way, memchr and multi-char searchers out of the shipped wasm.
// An ASCII byte never sits inside a multi-byte character, so every position
// found is a character boundary.

/// Where the first byte of `s` that is in `set` (ASCII) is, or `s.len()`.
// `set.contains` would bring in the memchr-based slice search this avoids.
#[allow(clippy::manual_contains)]
pub fn until_any(s: &str, set: &[u8]) -> usize {
    s.bytes()
        .position(|c| set.iter().any(|&x| x == c))
        .unwrap_or(s.len())
}

/// `s` around the first `b` (ASCII), without it: `str::split_once(b)`.
pub fn split_once(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s` around the last `b` (ASCII), without it: `str::rsplit_once(b)`.
pub fn rsplit_once(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|c| c == b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s` around the first `pat` (ASCII, not empty), without it:
/// `str::split_once(pat)`.
pub fn split_once_str<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    let i = s
        .as_bytes()
        .windows(pat.len())
        .position(|w| w == pat.as_bytes())?;
    Some((&s[..i], &s[i + pat.len()..]))
}

/// An unsigned whole number in decimal, as `str::parse` reads it (an
/// optional `+`, then digits), if it fits in `T`. One parser for every
/// integer type keeps one copy of it in the wasm.
pub fn whole<T: TryFrom<u64>>(s: &str) -> Option<T> {
    let n: u64 = s.parse().ok()?;
    T::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_searches_match_str_methods() {
        for s in [
            "",
            "a",
            "https://h:1/p?q#f",
            "a:b:c",
            "::",
            "x://",
            "://y",
            "é:ü://ö",
        ] {
            assert_eq!(split_once(s, b':'), s.split_once(':'), "{s}");
            assert_eq!(rsplit_once(s, b':'), s.rsplit_once(':'), "{s}");
            assert_eq!(split_once_str(s, "://"), s.split_once("://"), "{s}");
            assert_eq!(
                &s[..until_any(s, b"/?#")],
                s.split(['/', '?', '#']).next().unwrap(),
                "{s}"
            );
        }
        for s in [
            "",
            "+",
            "-1",
            "+7",
            "007",
            "65535",
            "65536",
            "4294967296",
            "18446744073709551616",
            " 1",
            "1a",
        ] {
            assert_eq!(whole::<u16>(s), s.parse::<u16>().ok(), "{s}");
            assert_eq!(whole::<u32>(s), s.parse::<u32>().ok(), "{s}");
            assert_eq!(whole::<usize>(s), s.parse::<usize>().ok(), "{s}");
        }
    }
}
