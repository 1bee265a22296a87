//! okra-events bound to JavaScript.
//!
//! The whole boundary is one export, [`call`]: an op code, a handle, the
//! time on both clocks and two strings in; one string of records out. The
//! engine behind it ([`okra_events_core::engine`]) holds every rule; the npm
//! entry (`js/`) holds the callbacks, listeners, timers, storage and
//! requests, and acts on the records. Numbers and strings are the cheapest
//! things wasm-bindgen can pass, so the glue stays a few hundred bytes.
#![deny(missing_docs)]

use std::cell::RefCell;

use okra_events_core::engine::Engine;
use wasm_bindgen::prelude::*;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

/// Runs one engine op (see `okra_events_core::engine` for the ops and the
/// records it returns). Callbacks run in JavaScript after this returns, so a
/// callback that calls back in never finds the engine borrowed.
#[wasm_bindgen(skip_typescript)]
pub fn call(op: u32, id: u32, now: f64, mono: f64, a: &str, b: &str) -> String {
    ENGINE.with(|e| e.borrow_mut().call(op, id, now, mono, a, b))
}
