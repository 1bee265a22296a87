//! Reads and checks the options object given to `buildWithOptions`.
//!
//! Every key okra-js accepts is accepted; the ones the emitter uses are
//! checked, and the first bad one is reported by name with what was expected
//! and what was given.

use js_sys::Function;
use okra_events_core::options::{parse_callback_url, parse_env, parse_ms, MS_EXPECTED};
use okra_events_core::session::{DEFAULT_RECONNECT_GRACE_MS, DEFAULT_TIMEOUT_MS};
use okra_events_core::{Config, Error, Value};
use wasm_bindgen::JsValue;

use crate::browser::{as_function, get};
use crate::interop::{describe, from_js, is_plain_object};

/// The host's callbacks. Each is optional.
#[derive(Default, Clone)]
pub struct Callbacks {
    /// `onSuccess(data)`.
    pub on_success: Option<Function>,
    /// `onError(json, error)`.
    pub on_error: Option<Function>,
    /// `onClose(json, error)`.
    pub on_close: Option<Function>,
    /// `onEvent(event)`.
    pub on_event: Option<Function>,
    /// `beforeClose(json)`.
    pub before_close: Option<Function>,
    /// `onDelivery(report)`.
    pub on_delivery: Option<Function>,
}

/// Validated options.
pub struct Options {
    /// What the session needs.
    pub config: Config,
    /// The callbacks.
    pub callbacks: Callbacks,
}

fn invalid(option: &'static str, expected: &'static str, given: &JsValue) -> Error {
    Error::InvalidOption {
        option,
        expected,
        given: describe(given),
    }
}

fn required_string(opts: &JsValue, option: &'static str) -> Result<String, Error> {
    let v = get(opts, option);
    match v.as_string() {
        Some(s) if !s.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty() => Ok(s),
        _ => Err(invalid(option, "a non-empty string", &v)),
    }
}

fn callback(opts: &JsValue, option: &'static str) -> Result<Option<Function>, Error> {
    let v = get(opts, option);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    as_function(&v)
        .map(Some)
        .ok_or_else(|| invalid(option, "a function", &v))
}

fn plain_object(opts: &JsValue, option: &'static str) -> Result<Value, Error> {
    let v = get(opts, option);
    if v.is_undefined() || v.is_null() {
        return Ok(Value::object());
    }
    if !is_plain_object(&v) {
        return Err(invalid(option, "a plain object", &v));
    }
    from_js(&v, || format!("option `{option}`")).map_err(|e| match e {
        Error::InvalidData { reason, .. } => Error::InvalidOption {
            option,
            expected: "a plain object of JSON values",
            given: format!("an object that is not ({reason})"),
        },
        other => other,
    })
}

fn millis(opts: &JsValue, option: &'static str, default: u64) -> Result<u64, Error> {
    let v = get(opts, option);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) => parse_ms(option, n, || describe(&v)),
        None => Err(invalid(option, MS_EXPECTED, &v)),
    }
}

/// The `onError` callback, if the options have a usable one, so that bad
/// options can be reported to it as well as thrown.
pub fn error_callback(opts: &JsValue) -> Option<Function> {
    if is_plain_object(opts) {
        as_function(&get(opts, "onError"))
    } else {
        None
    }
}

/// Checks the options. Nothing is created before this succeeds, so a failure
/// leaves nothing behind.
pub fn parse(opts: &JsValue) -> Result<Options, Error> {
    if !is_plain_object(opts) {
        return Err(Error::NotAnObject(describe(opts)));
    }
    required_string(opts, "key")?;
    required_string(opts, "token")?;
    let env_value = get(opts, "env");
    if !env_value.is_undefined() {
        match env_value.as_string() {
            Some(s) => {
                parse_env(Some(&s))?;
            }
            None => {
                return Err(invalid(
                    "env",
                    "\"production\" or \"production-sandbox\"",
                    &env_value,
                ))
            }
        }
    }
    let products = get(opts, "products");
    if !products.is_undefined() {
        let ok = js_sys::Array::is_array(&products)
            && js_sys::Array::from(&products).iter().all(|p| p.is_string());
        if !ok {
            return Err(invalid("products", "an array of strings", &products));
        }
    }
    let url = get(opts, "event_callback_url");
    let callback_url = if url.is_undefined() || url.is_null() {
        None
    } else {
        match url.as_string() {
            Some(s) => Some(parse_callback_url(&s)?),
            None => {
                return Err(invalid(
                    "event_callback_url",
                    "an https: URL (http: only for localhost or 127.0.0.1)",
                    &url,
                ))
            }
        }
    };
    let options = plain_object(opts, "options")?;
    let meta = plain_object(opts, "meta")?;
    let callbacks = Callbacks {
        on_success: callback(opts, "onSuccess")?,
        on_error: callback(opts, "onError")?,
        on_close: callback(opts, "onClose")?,
        on_event: callback(opts, "onEvent")?,
        before_close: callback(opts, "beforeClose")?,
        on_delivery: callback(opts, "onDelivery")?,
    };
    let config = Config {
        callback_url,
        timeout_ms: millis(opts, "timeout", DEFAULT_TIMEOUT_MS)?,
        reconnect_grace_ms: millis(opts, "reconnect_grace", DEFAULT_RECONNECT_GRACE_MS)?,
        options,
        meta,
    };
    Ok(Options { config, callbacks })
}
