//! okra-events: the widget event SDK, bound to JavaScript.
//!
//! This crate is the thin wasm-bindgen layer over `okra-events-core`: it reads
//! the options, owns the browser listeners and timers, and calls the host's
//! callbacks. The npm entry (`js/index.js`) wraps these exports as `Okra`.
#![deny(missing_docs)]

mod bridge;
mod browser;
mod delivery;
mod dispatch;
mod handler;
mod interop;
mod options;

use okra_events_core::{Error, Value, CATALOG};
use wasm_bindgen::prelude::*;

pub use bridge::{host_link, widget_frame, HostLink, WidgetFrame};
pub use handler::Handler;

/// Builds a handler for one widget session and emits USER_CONNECTING.
///
/// Bad options throw a `TypeError` naming the option, and are reported to
/// `onError` too when it is a function; nothing is left behind.
#[wasm_bindgen(js_name = buildWithOptions, skip_typescript)]
pub fn build_with_options(options: JsValue) -> Result<Handler, JsValue> {
    let parsed = refuse_with(&options, options::parse(&options))?;
    let window = refuse_with(&options, browser::window().ok_or(Error::NoWindow))?;
    Ok(Handler::start(window, options, parsed))
}

/// Passes a value through, or turns an option error into the JavaScript
/// error to throw, after reporting it to the options' `onError` when that is
/// a function. Every entry point that reads options refuses through here.
pub(crate) fn refuse_with<T>(options: &JsValue, result: Result<T, Error>) -> Result<T, JsValue> {
    let error = match result {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let js_error = interop::error_to_js(&error);
    if let Some(on_error) = options::error_callback(options) {
        let mut detail = Value::object();
        let kind = match &error {
            Error::NoWindow => "NO_WINDOW",
            _ => "INVALID_OPTIONS",
        };
        detail.set("type", kind.into());
        if let Error::InvalidOption { option, .. } = &error {
            detail.set("option", (*option).into());
        }
        detail.set("message", error.to_string().into());
        let mut json = Value::object();
        json.set("error", detail);
        dispatch::Dispatcher::error_now(&on_error, &interop::to_js(&json), &js_error);
    }
    Err(js_error)
}

/// The event catalog: `[{ name, category, screen, description }]`.
#[wasm_bindgen(skip_typescript)]
pub fn catalog() -> js_sys::Array {
    CATALOG
        .iter()
        .map(|e| {
            let o = js_sys::Object::new();
            for (k, v) in [
                ("name", JsValue::from_str(e.name)),
                ("category", e.category.as_str().into()),
                (
                    "screen",
                    e.screen.map_or(JsValue::NULL, |s| s.as_str().into()),
                ),
                ("description", e.description.into()),
            ] {
                let _ = js_sys::Reflect::set(&o, &k.into(), &v);
            }
            JsValue::from(o)
        })
        .collect()
}
