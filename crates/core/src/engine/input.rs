//! Reads what the JavaScript entry passes in: options and call arguments.
//!
//! The entry hands the core JSON. A JavaScript value that JSON cannot carry
//! faithfully (a function where a string belongs, `NaN`, a `Date`, a `Map`,
//! an `Element`) is replaced by a marker object `{"\u0000": "<description>"}`
//! (see [`GIVEN`]); an object that `JSON.stringify` refused is replaced by
//! `{"\u0001": "<reason>"}` (see [`REFUSED`]). Every check and every message
//! lives here: the entry only describes values, it never judges them.

use crate::bridge::{check_origin, MAX_MESSAGE_BYTES, PROTOCOL};
use crate::json;
use crate::options::{
    parse_callback_url, parse_env, parse_ms, parse_widget_url, MS_EXPECTED, URL_EXPECTED,
};
use crate::session::{Config, DEFAULT_RECONNECT_GRACE_MS, DEFAULT_TIMEOUT_MS};
use crate::text::cat;
use crate::time::Millis;
use crate::{Error, Value};

/// The key of a marker standing for a value JSON cannot carry; its value
/// describes what was given, e.g. `function` or `number NaN`.
pub const GIVEN: &str = "\u{0}";
/// The key of a marker standing for an object `JSON.stringify` refused; its
/// value says why (a circular reference, a BigInt, ...).
pub const REFUSED: &str = "\u{1}";
/// The key of a marker carrying an object as its own JSON text (the entry
/// writes `options`, `meta` and forwarded options so), read on its own so a
/// reading error names the option.
pub const TEXT: &str = "\u{3}";
/// The key under which a host's options carry what goes to the widget.
pub const FORWARD: &str = "\u{2}forward";

/// How an error message shows a value a caller passed, given as JSON (what
/// the JavaScript entry sends the core): `null`, `"" (empty string)`,
/// `string "abc"` (at most 60 characters), `number 5`, `boolean true`,
/// `array` or `object`. `None` is a missing value: `undefined`. The entry
/// describes the values JSON cannot carry itself (see [`GIVEN`]).
pub fn describe(value: Option<&Value>) -> String {
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
            [(k, Value::String(given))] if k == GIVEN => given.clone(),
            _ => "object".into(),
        },
    }
}

/// The callbacks the options may carry, in the order they are checked.
pub const CALLBACKS: [&str; 6] = [
    "onSuccess",
    "onError",
    "onClose",
    "onEvent",
    "beforeClose",
    "onDelivery",
];

/// The default of `widgetTimeout`: how long a widget may take to connect.
pub const DEFAULT_WIDGET_TIMEOUT_MS: Millis = 20_000;

const STRING_EXPECTED: &str = "a non-empty string";
const ORIGINS_EXPECTED: &str =
    "a non-empty array of exact origins, e.g. [\"https://merchant.example\"]";
const NATIVE_EXPECTED: &str =
    "a boolean (true lets a React Native app host the widget in its WebView)";

fn invalid(option: &'static str, expected: &'static str, given: Option<&Value>) -> Error {
    Error::InvalidOption {
        option,
        expected,
        given: describe(given),
    }
}

/// The reason inside a [`REFUSED`] marker.
fn refused(value: &Value) -> Option<&str> {
    match value.as_object()?.as_slice() {
        [(k, Value::String(reason))] if k == REFUSED => Some(reason),
        _ => None,
    }
}

/// The value inside a [`TEXT`] marker: read, or why it could not be.
fn embedded(value: &Value) -> Option<Result<Value, String>> {
    match value.as_object()?.as_slice() {
        [(k, Value::String(text))] if k == TEXT => Some(json::parse(text).map_err(|e| e.message())),
        _ => None,
    }
}

fn required_string(opts: &Value, option: &'static str) -> Result<(), Error> {
    let v = opts.get(option);
    match v {
        Some(Value::String(s)) if !s.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty() => {
            Ok(())
        }
        _ => Err(invalid(option, STRING_EXPECTED, v)),
    }
}

fn plain_object(opts: &Value, option: &'static str) -> Result<Value, Error> {
    let not_json = |reason: &str| Error::InvalidOption {
        option,
        expected: "a plain object of JSON values",
        given: cat(&["an object that is not (", reason, ")"]),
    };
    match opts.get(option) {
        None | Some(Value::Null) => Ok(Value::object()),
        Some(v) if refused(v).is_some() => Err(not_json(refused(v).unwrap_or_default())),
        Some(v) => match embedded(v) {
            Some(Ok(object @ Value::Object(_))) => Ok(object),
            Some(Ok(other)) => Err(invalid(option, "a plain object", Some(&other))),
            Some(Err(reason)) => Err(not_json(&reason)),
            None => Err(invalid(option, "a plain object", Some(v))),
        },
    }
}

/// A whole number of milliseconds: the JSON number's text, read without
/// float parsing (anything but plain digits is not a whole number in range).
fn millis(opts: &Value, option: &'static str, default: Millis) -> Result<Millis, Error> {
    match opts.get(option) {
        None => Ok(default),
        Some(Value::Number(text)) => {
            let whole = text.strip_suffix(".0").unwrap_or(text);
            let n = if !whole.is_empty()
                && whole.len() <= 10
                && whole.bytes().all(|b| b.is_ascii_digit())
            {
                whole.parse::<u64>().ok()
            } else {
                None
            };
            match n {
                Some(n) => parse_ms(option, n as f64, || describe(opts.get(option))),
                None => Err(invalid(option, MS_EXPECTED, opts.get(option))),
            }
        }
        other => Err(invalid(option, MS_EXPECTED, other)),
    }
}

/// A same-page handler's options, checked.
pub fn parse(opts: &Value) -> Result<Config, Error> {
    if opts.as_object().is_none() || opts.get(GIVEN).is_some() {
        return Err(Error::NotAnObject(describe(Some(opts))));
    }
    required_string(opts, "key")?;
    required_string(opts, "token")?;
    match opts.get("env") {
        None => {}
        Some(Value::String(s)) => {
            parse_env(Some(s))?;
        }
        other => {
            return Err(invalid(
                "env",
                "\"production\" or \"production-sandbox\"",
                other,
            ))
        }
    }
    match opts.get("products") {
        None => {}
        Some(Value::Array(items)) if items.iter().all(|p| matches!(p, Value::String(_))) => {}
        other => return Err(invalid("products", "an array of strings", other)),
    }
    let callback_url = match opts.get("event_callback_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(parse_callback_url(s)?),
        other => return Err(invalid("event_callback_url", URL_EXPECTED, other)),
    };
    let options = plain_object(opts, "options")?;
    let meta = plain_object(opts, "meta")?;
    callbacks(opts)?;
    Ok(Config {
        callback_url,
        timeout_ms: millis(opts, "timeout", DEFAULT_TIMEOUT_MS)?,
        reconnect_grace_ms: millis(opts, "reconnect_grace", DEFAULT_RECONNECT_GRACE_MS)?,
        options,
        meta,
    })
}

/// Callbacks arrive only when they are not functions (the entry keeps the
/// functions, and leaves out `undefined` and `null`): any that is here is wrong.
fn callbacks(opts: &Value) -> Result<(), Error> {
    for name in CALLBACKS {
        if let Some(v) = opts.get(name) {
            return Err(invalid(name, "a function", Some(v)));
        }
    }
    Ok(())
}

/// Checks a host's options (the root entry's host mode; `okra-events/host`
/// checks the same, with the same messages, in JavaScript): the same-page
/// rules, then `widgetUrl`, `widgetTimeout`, `container`, and every option
/// that goes to the widget, which must be JSON and fit in the `ack` message.
pub fn check_host(opts: &Value) -> Result<(), Error> {
    parse(opts)?;
    match opts.get("widgetUrl") {
        Some(Value::String(s)) => {
            parse_widget_url(s)?;
        }
        other => return Err(invalid("widgetUrl", URL_EXPECTED, other)),
    }
    millis(opts, "widgetTimeout", DEFAULT_WIDGET_TIMEOUT_MS)?;
    if let Some(v) = opts.get("container") {
        return Err(invalid("container", "a DOM Element", Some(v)));
    }
    // The ack: {"okra":"<PROTOCOL>","type":"ack","options":{"k":v,...}}.
    let mut size = 37 + PROTOCOL.len();
    if let Some(Value::Object(map)) = opts.get(FORWARD) {
        for (i, (key, value)) in map.iter().enumerate() {
            let text = match value.as_object().map(Vec::as_slice) {
                Some([(k, Value::String(text))]) if k == TEXT => json::parse(text)
                    .map(|_| text.len())
                    .map_err(|e| e.message()),
                _ => Err(refused(value).unwrap_or_default().to_owned()),
            };
            let mut name = String::new();
            json::write_str(&mut name, key);
            match text {
                Ok(len) => size += usize::from(i > 0) + name.len() + 1 + len,
                Err(reason) => {
                    return Err(Error::InvalidData {
                        what: cat(&["option `", key, "`"]),
                        reason,
                    })
                }
            }
        }
    }
    if size > MAX_MESSAGE_BYTES {
        return Err(Error::OptionsTooLarge(size));
    }
    Ok(())
}

/// `connectToHost`'s options, checked.
pub struct LinkOptions {
    /// The exact origins of the host pages allowed to embed the widget.
    pub allowed_origins: Vec<String>,
    /// How long to wait for a host's answer.
    pub widget_timeout_ms: Millis,
    /// Whether a React Native app may host the widget (`allowNativeHost`).
    pub allow_native_host: bool,
}

/// Checks `connectToHost`'s options: `allowNativeHost` (a boolean),
/// `allowedOrigins` (exact origins, no `*` or patterns; optional only when
/// `allowNativeHost` is true, for a widget that only apps host), the
/// callbacks and `widgetTimeout`.
pub fn parse_link(opts: &Value) -> Result<LinkOptions, Error> {
    if opts.as_object().is_none() || opts.get(GIVEN).is_some() {
        return Err(Error::InvalidArgument {
            method: "connectToHost",
            expected: "an options object with allowedOrigins",
            given: describe(Some(opts)),
        });
    }
    let allow_native_host = match opts.get("allowNativeHost") {
        None => false,
        Some(Value::Bool(allow)) => *allow,
        other => return Err(invalid("allowNativeHost", NATIVE_EXPECTED, other)),
    };
    let list = match opts.get("allowedOrigins") {
        None if allow_native_host => &[][..],
        Some(Value::Array(list)) if !list.is_empty() => list.as_slice(),
        other => return Err(invalid("allowedOrigins", ORIGINS_EXPECTED, other)),
    };
    let mut allowed_origins = Vec::new();
    for entry in list {
        let checked = match entry {
            Value::String(origin) => check_origin(origin),
            _ => Err(ORIGINS_EXPECTED),
        };
        match checked {
            Ok(()) => allowed_origins.push(entry.as_str().unwrap_or_default().to_owned()),
            Err(expected) => return Err(invalid("allowedOrigins", expected, Some(entry))),
        }
    }
    callbacks(opts)?;
    Ok(LinkOptions {
        allowed_origins,
        widget_timeout_ms: millis(opts, "widgetTimeout", DEFAULT_WIDGET_TIMEOUT_MS)?,
        allow_native_host,
    })
}

/// Reads a data argument (`track` data, `screen` details, `success` data,
/// `fail` error): JSON text, or a NUL followed by the reason the entry could
/// not make JSON of it. `what`, joined, names the argument in the error (one
/// non-generic function for every caller: one copy in the wasm).
pub fn data(text: &str, what: &[&str]) -> Result<Value, Error> {
    let reason = match text.strip_prefix('\u{0}') {
        Some(reason) => reason.to_owned(),
        None => match json::parse(text) {
            Ok(value) => return Ok(value),
            Err(e) => e.message(),
        },
    };
    Err(Error::InvalidData {
        what: cat(what),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(text: &str) -> Value {
        json::parse(text).unwrap()
    }

    fn message(r: Result<Config, Error>) -> String {
        r.err().map(|e| e.message()).unwrap_or_default()
    }

    #[test]
    fn options_must_be_an_object() {
        assert!(message(parse(&opts("5"))).ends_with("got number 5"));
        assert!(message(parse(&opts("[]"))).ends_with("got array"));
        assert!(message(parse(&opts(r#"{"\u0000":"function"}"#))).ends_with("got function"));
    }

    #[test]
    fn strings_numbers_and_markers_are_described() {
        let m = message(parse(&opts(r#"{"key":""}"#)));
        assert!(
            m.contains("`key`") && m.ends_with("got \"\" (empty string)"),
            "{m}"
        );
        let m = message(parse(&opts(r#"{"key":"k","token":"t","timeout":1.5}"#)));
        assert!(
            m.contains("`timeout`") && m.ends_with("got number 1.5"),
            "{m}"
        );
        let m = message(parse(&opts(
            r#"{"key":"k","token":"t","timeout":{"\u0000":"number NaN"}}"#,
        )));
        assert!(m.ends_with("got number NaN"), "{m}");
        let m = message(parse(&opts(r#"{"key":"k","token":"t","onEvent":true}"#)));
        assert!(
            m.contains("`onEvent` must be a function, got boolean true"),
            "{m}"
        );
    }

    #[test]
    fn milliseconds_are_whole_and_in_range() {
        let ok = parse(&opts(r#"{"key":"k","token":"t","timeout":2147483647}"#)).unwrap();
        assert_eq!(ok.timeout_ms, 2_147_483_647);
        for bad in ["0", "-1", "2147483648", "1e3", "99999999999"] {
            let text = cat(&[r#"{"key":"k","token":"t","timeout":"#, bad, "}"]);
            assert!(parse(&opts(&text)).is_err(), "{bad}");
        }
    }

    #[test]
    fn refused_objects_name_the_reason() {
        let m = message(parse(&opts(
            r#"{"key":"k","token":"t","meta":{"\u0001":"circular"}}"#,
        )));
        assert!(m.contains("`meta` must be a plain object of JSON values, got an object that is not (circular)"), "{m}");
    }

    #[test]
    fn links_need_exact_origins() {
        let r = parse_link(&opts(r#"{"allowedOrigins":["https://a.example/"]}"#));
        assert!(r.is_err());
        let r = parse_link(&opts(r#"{"allowedOrigins":["https://a.example"]}"#)).unwrap();
        assert_eq!(r.allowed_origins, ["https://a.example"]);
        assert!(!r.allow_native_host);
    }

    #[test]
    fn native_hosts_need_allow_native_host_true() {
        let link = |text: &str| parse_link(&opts(text));
        let r = link(r#"{"allowNativeHost":true}"#).unwrap();
        assert!(r.allow_native_host && r.allowed_origins.is_empty());
        let r =
            link(r#"{"allowNativeHost":false,"allowedOrigins":["https://a.example"]}"#).unwrap();
        assert!(!r.allow_native_host);
        // Without it (or with false), allowedOrigins is required as before.
        for text in [r#"{}"#, r#"{"allowNativeHost":false}"#] {
            let m = link(text).err().map(|e| e.message()).unwrap_or_default();
            assert!(
                m.contains("`allowedOrigins` must be a non-empty array"),
                "{m}"
            );
        }
        for (text, given) in [
            (r#"{"allowNativeHost":"true"}"#, "got string \"true\""),
            (r#"{"allowNativeHost":1}"#, "got number 1"),
            (r#"{"allowNativeHost":null}"#, "got null"),
            (
                r#"{"allowNativeHost":{"\u0000":"function"}}"#,
                "got function",
            ),
        ] {
            let m = link(text).err().map(|e| e.message()).unwrap_or_default();
            assert!(
                m.starts_with("okra-events: option `allowNativeHost` must be a boolean")
                    && m.ends_with(given),
                "{m}"
            );
        }
        // Given, allowedOrigins is checked as ever.
        assert!(link(r#"{"allowNativeHost":true,"allowedOrigins":[]}"#).is_err());
        assert!(link(r#"{"allowNativeHost":true,"allowedOrigins":["*"]}"#).is_err());
    }

    #[test]
    fn data_markers_carry_the_reason() {
        let e = data("\u{0}got function, which JSON cannot hold", &["x"]).unwrap_err();
        assert!(e
            .message()
            .ends_with("x must be a plain JSON object: got function, which JSON cannot hold"));
    }
}
