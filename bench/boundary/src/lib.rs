//! The boundary bench (issue 9, point 5): one typical event handed to JS
//! either as JSON text or as a JsValue from `serde_wasm_bindgen::to_value`
//! with `Serializer::json_compatible()`.
//!
//! - `make_event(n)`: the event alone (a real `Session::track` with a small
//!   data object, then `take_output`), nothing handed over but its sequence.
//!   The `none` size build has only this.
//! - `via_json(n)` / `via_to_value(n)`: the same event creation, then the
//!   event's JSON text / the event as a JsValue. The JSON text is the one the
//!   core already wrote in `Output::Event` (to hold the event to
//!   MAX_EVENT_BYTES, for the log and for delivery), which is what the
//!   shipped engine hands over. The core writes that JSON straight from the
//!   event's fields and never builds an `Event`; `to_value` needs one, so
//!   its path reads it back (`Event::from_json`) and converts it.
//! - `via_json_prebuilt(n)` / `via_to_value_prebuilt(n)`: one event built once,
//!   only its `sequence` changed per call, then `json::write_event` into a new
//!   String / `to_value`: the conversion alone.
use std::cell::RefCell;

use okra_events_core::{Config, Ctx, Event, Output, Session, Value};
use wasm_bindgen::prelude::*;

const T0: u64 = 1_795_742_454_123;
const LOCATION: &str = "https://widget.example/:ref/bank?bank=alat";

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new(
        Config::default(),
        [42, 7],
        Ctx { now: T0, mono: T0, location: Some(LOCATION) },
        true,
    ));
    #[cfg(feature = "prebuilt")]
    static PREBUILT: RefCell<Option<Event>> = const { RefCell::new(None) };
}

/// One `track("USER_BANK_SELECTED", { bank: "alat", position: n })`, as the
/// bench in bench/speed.mjs does: the event's sequence number and JSON text.
fn fresh(n: u32) -> Option<(u64, String)> {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let mut data = Value::object();
        data.set("bank", "alat".into());
        data.set("position", u64::from(n).into());
        let now = T0 + u64::from(n);
        let ctx = Ctx { now, mono: now, location: Some(LOCATION) };
        s.track(ctx, "USER_BANK_SELECTED", data).ok()?;
        s.take_output().into_iter().find_map(|o| match o {
            Output::Event { json, sequence } => Some((sequence, json)),
            _ => None,
        })
    })
}

/// The event alone: its sequence number (0 if none was made).
#[wasm_bindgen]
pub fn make_event(n: u32) -> u32 {
    fresh(n).map_or(0, |(sequence, _)| sequence as u32)
}

/// A fresh event as JSON text (for `JSON.parse`).
#[cfg(feature = "json")]
#[wasm_bindgen]
pub fn via_json(n: u32) -> String {
    fresh(n).map(|(_, json)| json).unwrap_or_default()
}

/// A fresh event as a JsValue (json_compatible: plain objects, numbers, null).
#[cfg(feature = "to_value")]
#[wasm_bindgen]
pub fn via_to_value(n: u32) -> JsValue {
    fresh(n)
        .and_then(|(_, json)| Event::from_json(&json))
        .map_or(JsValue::NULL, |e| to_value(&e))
}

#[cfg(feature = "to_value")]
fn to_value(e: &Event) -> JsValue {
    use serde::Serialize;
    e.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// Runs `f` on the one pre-built event, with its sequence set to `n`.
#[cfg(feature = "prebuilt")]
fn prebuilt<T>(n: u32, f: impl FnOnce(&Event) -> T) -> Option<T> {
    PREBUILT.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = fresh(0).and_then(|(_, json)| Event::from_json(&json));
        }
        let e = p.as_mut()?;
        e.sequence = u64::from(n);
        Some(f(e))
    })
}

/// The pre-built event written by `json::write_event` into a new String.
#[cfg(all(feature = "prebuilt", feature = "json"))]
#[wasm_bindgen]
pub fn via_json_prebuilt(n: u32) -> String {
    prebuilt(n, |e| {
        let mut out = String::with_capacity(512);
        okra_events_core::json::write_event(&mut out, e);
        out
    })
    .unwrap_or_default()
}

/// The pre-built event through `to_value`.
#[cfg(all(feature = "prebuilt", feature = "to_value"))]
#[wasm_bindgen]
pub fn via_to_value_prebuilt(n: u32) -> JsValue {
    prebuilt(n, to_value).unwrap_or(JsValue::NULL)
}
