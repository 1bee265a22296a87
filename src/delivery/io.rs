//! Bindings to `io.js`: storage, requests, beacons and locks, each guarded
//! there so that a missing or blocked browser API never throws into wasm.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

/// The status `post` reports for a redirect, whose own status a `manual`
/// redirect hides from the page (see `io.js`).
pub const REDIRECTED: u16 = 1;

#[wasm_bindgen(module = "/src/delivery/io.js")]
extern "C" {
    /// `localStorage` if it can be written, else `None`.
    #[wasm_bindgen(js_name = openStorage)]
    pub fn open_storage() -> Option<JsValue>;
    /// Writes an entry; false when the write fails (e.g. over quota).
    pub fn store(storage: &JsValue, key: &str, value: &str) -> bool;
    /// Removes an entry.
    pub fn unstore(storage: &JsValue, key: &str);
    /// `[key, value, ...]` of the entries under a prefix.
    pub fn scan(storage: &JsValue, prefix: &str) -> Array;
    /// POSTs a body; `done(status, retryAfterSeconds)`: status 0 on a network
    /// error, [`REDIRECTED`] for a redirect, which is not followed.
    pub fn post(url: &str, body: &str, done: &Function);
    /// `sendBeacon`, or `fetch` with `keepalive`.
    pub fn beacon(url: &str, body: &str) -> bool;
    /// Holds a Web Lock for the page's life; calls `granted` once held.
    #[wasm_bindgen(js_name = holdLock)]
    pub fn hold_lock(name: &str, granted: &JsValue);
    /// False only when the browser says it is offline.
    pub fn online() -> bool;
    /// `Math.random()`.
    pub fn random() -> f64;
}
