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
