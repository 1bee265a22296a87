//! The few browser facts the emitter reads, bound directly so that the same
//! code runs in a page, in a worker-less test page and under Node (where a
//! test may provide its own `window`).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, detail: &JsValue);

    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    fn performance_now() -> Result<f64, JsValue>;

    /// `globalThis` itself. (`js_sys::global()` prefers `window` when one is
    /// defined, which is not the same object when a test or an SSR framework
    /// defines its own `window`.)
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// `globalThis`.
pub fn global_this() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

/// Reads a property, treating a throwing getter as absent.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `globalThis.window`, if it is an object with `addEventListener`.
pub fn window() -> Option<JsValue> {
    let w = get(&global_this(), "window");
    let usable = w.is_object() && get(&w, "addEventListener").is_function();
    usable.then_some(w)
}

/// `navigator.onLine`, read from the window first, then the global scope.
/// Anything but an explicit `false` counts as online.
pub fn is_online(window: &JsValue) -> bool {
    let mut navigator = get(window, "navigator");
    if !navigator.is_object() {
        navigator = get(&global_this(), "navigator");
    }
    get(&navigator, "onLine") != JsValue::FALSE
}

/// `location.href` of the window, if it has one.
pub fn location(window: &JsValue) -> Option<String> {
    get(&get(window, "location"), "href").as_string()
}

/// Wall-clock now, in ms since the epoch: what events are stamped with.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// Monotonic now, in ms (`performance.now()`, in every supported browser
/// and in Node): what every wait is measured on, so that a wall clock that
/// jumps back or forward delays nothing. A sandbox without `performance`
/// gets the wall clock instead.
pub fn mono() -> u64 {
    performance_now().unwrap_or_else(|_| js_sys::Date::now()) as u64
}

/// 128 random bits from `crypto.getRandomValues`, or `Math.random` where
/// there is no Web Crypto.
pub fn seed() -> [u64; 2] {
    let mut buf = [0u8; 16];
    if get_random_values(&mut buf).is_err() {
        for b in buf.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let (a, b) = buf.split_at(8);
    [
        u64::from_le_bytes(a.try_into().unwrap_or_default()),
        u64::from_le_bytes(b.try_into().unwrap_or_default()),
    ]
}

/// Reports an exception thrown by a host callback without stopping anything.
pub fn report(what: &str, error: &JsValue) {
    console_error(what, error);
}

/// A value as a function, if it is one.
pub fn as_function(value: &JsValue) -> Option<Function> {
    value.dyn_ref::<Function>().cloned()
}
