//! okra-events: the widget event SDK, bound to JavaScript.
//!
//! This crate is the thin wasm-bindgen layer over `okra-events-core`: it reads
//! the options, owns the browser listeners and timers, and calls the host's
//! callbacks. The npm entry (`js/index.js`) wraps these exports as `Okra`.
#![deny(missing_docs)]

mod browser;
mod delivery;
mod dispatch;
mod handler;
mod interop;
mod options;

use okra_events_core::{Error, CATALOG};
use wasm_bindgen::prelude::*;

pub use handler::Handler;

/// Builds a handler for one widget session and emits USER_CONNECTING.
///
/// Bad options throw a `TypeError` naming the option, and are reported to
/// `onError` too when it is a function; nothing is left behind.
#[wasm_bindgen(js_name = buildWithOptions, skip_typescript)]
pub fn build_with_options(options: JsValue) -> Result<Handler, JsValue> {
    let refuse = |error: Error| {
        let js_error = interop::error_to_js(&error);
        if let Some(on_error) = options::error_callback(&options) {
            let json = js_sys::Object::new();
            let detail = js_sys::Object::new();
            let set = |o: &js_sys::Object, k: &str, v: JsValue| {
                let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), &v);
            };
            let kind = match &error {
                Error::NoWindow => "NO_WINDOW",
                _ => "INVALID_OPTIONS",
            };
            set(&detail, "type", kind.into());
            if let Error::InvalidOption { option, .. } = &error {
                set(&detail, "option", (*option).into());
            }
            set(&detail, "message", error.to_string().into());
            set(&json, "error", detail.into());
            dispatch::Dispatcher::error_now(&on_error, &json.into(), &js_error);
        }
        js_error
    };
    let parsed = options::parse(&options).map_err(refuse)?;
    let window = browser::window().ok_or(Error::NoWindow).map_err(refuse)?;
    Ok(Handler::start(window, options, parsed))
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
