//! Reads and checks the options object given to `buildWithOptions`.
//!
//! Every key okra-js accepts is accepted; the ones the emitter uses are
//! checked, and the first bad one is reported by name with what was expected
//! and what was given.

use js_sys::Function;
use okra_events_core::bridge::check_origin;
use okra_events_core::options::{
    parse_callback_url, parse_env, parse_ms, parse_widget_url, MS_EXPECTED, URL_EXPECTED,
};
use okra_events_core::session::{DEFAULT_RECONNECT_GRACE_MS, DEFAULT_TIMEOUT_MS};
use okra_events_core::{Config, Error, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::{as_function, get, global_this};
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
            None => return Err(invalid("event_callback_url", URL_EXPECTED, &url)),
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

/// The default of `widgetTimeout`: how long a widget may take to connect.
pub const DEFAULT_WIDGET_TIMEOUT_MS: u64 = 20_000;

/// Validated options of a host: `buildWithOptions` with a `widgetUrl`.
pub struct HostOptions {
    /// The same options as a same-page handler's, checked the same way.
    pub options: Options,
    /// The page the iframe opens.
    pub widget_url: String,
    /// How long the widget may take to connect.
    pub widget_timeout_ms: u64,
    /// What the widget's handler is built from: every option except
    /// functions and `container`.
    pub forwarded: Value,
}

/// Checks the options of a host. The same rules as [`parse`], plus
/// `widgetUrl` (an `https:` URL, `http:` only for loopback), `widgetTimeout`
/// and `container` (an `Element`).
pub fn parse_host(opts: &JsValue) -> Result<HostOptions, Error> {
    let options = parse(opts)?;
    let url = get(opts, "widgetUrl");
    let widget_url = match url.as_string() {
        Some(s) => parse_widget_url(&s)?,
        None => return Err(invalid("widgetUrl", URL_EXPECTED, &url)),
    };
    let widget_timeout_ms = millis(opts, "widgetTimeout", DEFAULT_WIDGET_TIMEOUT_MS)?;
    let container = get(opts, "container");
    // Without a DOM (server-side rendering) there is no `Element` to test
    // against; the missing window is reported next instead.
    let dom = get(&global_this(), "Element").is_function();
    if dom
        && !(container.is_undefined()
            || container.is_null()
            || container.is_instance_of::<web_sys::Element>())
    {
        return Err(invalid("container", "a DOM Element", &container));
    }
    let mut forwarded = Value::object();
    let object: &js_sys::Object = opts.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let Some(key) = key.as_string() else { continue };
        let value = get(opts, &key);
        if key == "container" || value.is_function() || value.is_undefined() {
            continue;
        }
        let data = from_js(&value, || {
            let mut what = String::from("option `");
            what.push_str(&key);
            what.push('`');
            what
        })?;
        forwarded.set(&key, data);
    }
    Ok(HostOptions {
        options,
        widget_url,
        widget_timeout_ms,
        forwarded,
    })
}

/// Validated options of `connectToHost`.
pub struct LinkOptions {
    /// The exact origins of the host pages allowed to embed the widget.
    pub allowed_origins: Vec<String>,
    /// How long to wait for a host's answer.
    pub widget_timeout_ms: u64,
}

const ORIGINS_EXPECTED: &str =
    "a non-empty array of exact origins, e.g. [\"https://merchant.example\"]";

/// Checks the options of `connectToHost`: `allowedOrigins` (exact origins,
/// no `*` or patterns), `widgetTimeout` and the callbacks.
pub fn parse_link(opts: &JsValue) -> Result<LinkOptions, Error> {
    if !is_plain_object(opts) {
        return Err(Error::InvalidArgument {
            method: "connectToHost",
            expected: "an options object with allowedOrigins",
            given: describe(opts),
        });
    }
    let list = get(opts, "allowedOrigins");
    if !js_sys::Array::is_array(&list) || js_sys::Array::from(&list).length() == 0 {
        return Err(invalid("allowedOrigins", ORIGINS_EXPECTED, &list));
    }
    let mut allowed_origins = Vec::new();
    for entry in js_sys::Array::from(&list).iter() {
        let checked = match entry.as_string() {
            Some(origin) => check_origin(&origin).map(|()| origin),
            None => Err(ORIGINS_EXPECTED),
        };
        match checked {
            Ok(origin) => allowed_origins.push(origin),
            Err(expected) => return Err(invalid("allowedOrigins", expected, &entry)),
        }
    }
    for name in [
        "onSuccess",
        "onError",
        "onClose",
        "onEvent",
        "beforeClose",
        "onDelivery",
    ] {
        callback(opts, name)?;
    }
    Ok(LinkOptions {
        allowed_origins,
        widget_timeout_ms: millis(opts, "widgetTimeout", DEFAULT_WIDGET_TIMEOUT_MS)?,
    })
}
