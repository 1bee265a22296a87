//! Every conversion between JavaScript values and core types, in one place.
//!
//! Data crosses the boundary as JSON text: `JSON.stringify` on the way in,
//! the core's writer and `JSON.parse` on the way out. The engine's JSON is
//! fast and already there, which keeps serde and float formatting out of the
//! shipped wasm. Data is therefore taken as `JSON.stringify` sees it: `toJSON`
//! applies, functions and `undefined` properties are left out, and a circular
//! object or a BigInt is refused with a clear error.

use js_sys::JSON;
use okra_events_core::{json, Error, Event, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// JSON text to a JavaScript value.
pub fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// A core value as a fresh JavaScript value.
pub fn to_js(value: &Value) -> JsValue {
    parse_json(&json::to_string(value))
}

/// Events as a fresh JavaScript array. Each event crosses as its own short
/// JSON text, written into one reused buffer, so a full 10,000-event log
/// never needs its whole JSON in linear memory at once (which, since wasm
/// memory never shrinks, would stay reserved for the life of the page).
pub fn events_to_js(events: &[Event]) -> JsValue {
    let array = js_sys::Array::new_with_length(events.len() as u32);
    let mut text = String::with_capacity(1024);
    for (i, event) in events.iter().enumerate() {
        text.clear();
        json::write_event(&mut text, event);
        array.set(i as u32, parse_json(&text));
    }
    array.into()
}

/// A JavaScript value to a core value. `undefined` and `null` become `Null`.
/// `what` names the argument in the error message.
pub fn from_js(value: &JsValue, what: impl FnOnce() -> String) -> Result<Value, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let refused = |reason: String| Error::InvalidData {
        what: what(),
        reason,
    };
    let text = match JSON::stringify(value) {
        Ok(s) => match s.as_string() {
            Some(s) => s,
            None => {
                return Err(refused(format!(
                    "got {}, which JSON cannot hold",
                    describe(value)
                )))
            }
        },
        Err(e) => {
            let msg = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            return Err(refused(format!("JSON.stringify failed: {msg}")));
        }
    };
    json::parse(&text).map_err(|e| refused(e.to_string()))
}

/// The core's error as the JavaScript error a developer expects: `TypeError`
/// for a bad argument, `Error` for a call at the wrong time.
pub fn error_to_js(error: &Error) -> JsValue {
    let message = error.to_string();
    if error.is_type_error() {
        js_sys::TypeError::new(&message).into()
    } else {
        js_sys::Error::new(&message).into()
    }
}

/// A short description of a value for error messages: `undefined`,
/// `"" (empty string)`, `number 5`, `array`, ...
pub fn describe(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else if let Some(s) = value.as_string() {
        if s.is_empty() {
            "\"\" (empty string)".into()
        } else {
            let short: String = s.chars().take(60).collect();
            format!("string \"{short}\"")
        }
    } else if value.as_f64().is_some() {
        // The engine formats the number, so the wasm carries no float printer.
        let text: String = js_sys::Number::from(value.clone())
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        format!("number {text}")
    } else if let Some(b) = value.as_bool() {
        format!("boolean {b}")
    } else if js_sys::Array::is_array(value) {
        "array".into()
    } else if value.is_function() {
        "function".into()
    } else if value.is_object() {
        "object".into()
    } else {
        value
            .js_typeof()
            .as_string()
            .unwrap_or_else(|| "value".into())
    }
}

/// A plain object: made by `{}` or `Object.create(null)`, so not an array,
/// a function, a `Date` or a `Map`, which JSON would change or empty.
pub fn is_plain_object(value: &JsValue) -> bool {
    if !value.is_object() || value.is_function() {
        return false;
    }
    let proto = js_sys::Object::get_prototype_of(value);
    proto.is_null() || proto == js_sys::Object::get_prototype_of(&js_sys::Object::new())
}

/// What `fail(error)` was given, as data: an `Error` keeps its name and message
/// (which are not enumerable, so JSON would see `{}`).
pub fn error_value(error: &JsValue) -> Result<Value, Error> {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        let mut v = Value::object();
        v.set("name", String::from(e.name()).into());
        v.set("message", String::from(e.message()).into());
        return Ok(v);
    }
    from_js(error, || "fail(error) error".to_owned())
}
