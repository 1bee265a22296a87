//! The bindings in headless Chromium: the window's `offline`/`online` events,
//! real timers, and `destroy()` leaving nothing behind.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Object, Reflect};
use okra_events::{build_with_options, Handler};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = "
export function trackTimers() {
  if (!globalThis.__live) {
    const live = new Set();
    const set = globalThis.setTimeout, clear = globalThis.clearTimeout;
    globalThis.setTimeout = (f, ms, ...a) => {
      const id = set((...x) => { live.delete(id); f(...x); }, ms, ...a);
      live.add(id);
      return id;
    };
    globalThis.clearTimeout = (id) => { live.delete(id); clear(id); };
    globalThis.__live = live;
  }
}
export function liveTimers() { return globalThis.__live.size; }
export function dispatch(kind) { window.dispatchEvent(new Event(kind)); }
")]
extern "C" {
    #[wasm_bindgen(js_name = trackTimers)]
    fn track_timers();
    #[wasm_bindgen(js_name = liveTimers)]
    fn live_timers() -> u32;
    fn dispatch(kind: &str);
}

/// (event_name, withError, event_data) as onEvent saw them.
type Seen = Rc<RefCell<Vec<(String, bool, JsValue)>>>;

fn build(extra: &[(&str, JsValue)]) -> (Handler, Seen) {
    let seen: Seen = Rc::default();
    let sink = Rc::clone(&seen);
    let on_event = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        let get = |k: &str| Reflect::get(&e, &k.into()).unwrap();
        sink.borrow_mut().push((
            get("event_name").as_string().unwrap(),
            get("withError").as_bool().unwrap(),
            get("event_data"),
        ));
    });
    let opts = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&opts, &k.into(), v).unwrap();
    };
    set("key", &"pk_test".into());
    set("token", &"tok_test".into());
    set("onEvent", on_event.as_ref().unchecked_ref::<Function>());
    for (k, v) in extra {
        set(k, v);
    }
    // The handler keeps the function for its whole life.
    on_event.forget();
    let handler = build_with_options(opts.into()).unwrap();
    (handler, seen)
}

fn names(seen: &Seen) -> Vec<String> {
    seen.borrow().iter().map(|(n, _, _)| n.clone()).collect()
}

fn last(seen: &Seen) -> (String, bool, JsValue) {
    seen.borrow().last().cloned().unwrap()
}

fn data_field(data: &JsValue, key: &str) -> JsValue {
    Reflect::get(data, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn window_offline_and_online_become_network_events() {
    let (h, seen) = build(&[]);
    h.screen("bank".into(), JsValue::UNDEFINED).unwrap();
    dispatch("offline");
    let (name, with_error, _) = last(&seen);
    assert_eq!(name, "USER_NETWORK_DISCONNECTED");
    assert!(!with_error, "offline on the bank screen is not an error");
    dispatch("online");
    let (name, with_error, data) = last(&seen);
    assert_eq!(name, "USER_NETWORK_RECONNECTED");
    assert!(!with_error);
    assert!(data_field(&data, "offline_ms").as_f64().unwrap() >= 0.0);

    h.screen("login".into(), JsValue::UNDEFINED).unwrap();
    h.track("USER_LOGIN_ATTEMPTED".into(), JsValue::UNDEFINED)
        .unwrap();
    dispatch("offline");
    let (name, with_error, _) = last(&seen);
    assert_eq!(name, "USER_NETWORK_DISCONNECTED");
    assert!(
        with_error,
        "offline during a connection attempt is an error"
    );
    dispatch("online");
    h.destroy();
}

#[wasm_bindgen_test]
async fn attempt_timeout_and_grace_timers_fire() {
    let (h, seen) = build(&[("timeout", 40.into()), ("reconnect_grace", 60.into())]);
    h.screen("login".into(), JsValue::UNDEFINED).unwrap();
    h.track("USER_LOGIN_ATTEMPTED".into(), JsValue::UNDEFINED)
        .unwrap();
    TimeoutFuture::new(150).await;
    let (name, with_error, data) = last(&seen);
    assert_eq!(name, "USER_TIMEOUT");
    assert!(with_error);
    assert_eq!(data_field(&data, "reason").as_string().unwrap(), "attempt");

    dispatch("offline");
    TimeoutFuture::new(200).await;
    let (name, with_error, data) = last(&seen);
    assert_eq!(name, "USER_TIMEOUT");
    assert!(with_error);
    assert_eq!(data_field(&data, "reason").as_string().unwrap(), "offline");
    dispatch("online");
    assert_eq!(last(&seen).0, "USER_NETWORK_RECONNECTED");
    h.destroy();
}

#[wasm_bindgen_test]
async fn the_search_screen_timer_fires_after_five_seconds() {
    let (h, seen) = build(&[]);
    h.screen("search".into(), JsValue::UNDEFINED).unwrap();
    TimeoutFuture::new(5_300).await;
    assert_eq!(last(&seen).0, "USER_BANK_SEARCH");
    h.destroy();
}

#[wasm_bindgen_test]
async fn after_destroy_nothing_fires_and_no_timer_is_left() {
    track_timers();
    let before = live_timers();
    let (h, seen) = build(&[("timeout", 30.into()), ("reconnect_grace", 30.into())]);
    h.screen("search".into(), JsValue::UNDEFINED).unwrap();
    h.track("USER_BANK_SELECTED".into(), JsValue::UNDEFINED)
        .unwrap();
    h.screen("login".into(), JsValue::UNDEFINED).unwrap();
    h.track("USER_LOGIN_ATTEMPTED".into(), JsValue::UNDEFINED)
        .unwrap();
    assert!(live_timers() > before, "an attempt arms a timer");
    h.destroy();
    assert_eq!(live_timers(), before, "destroy() clears the timer");
    let count = seen.borrow().len();
    dispatch("offline");
    dispatch("online");
    TimeoutFuture::new(120).await;
    assert_eq!(seen.borrow().len(), count, "{:?}", names(&seen));
    let err = h
        .track("USER_BANK_SELECTED".into(), JsValue::UNDEFINED)
        .unwrap_err();
    let message = Reflect::get(&err, &"message".into()).unwrap();
    assert!(message.as_string().unwrap().contains("after destroy()"));
    // A second destroy is harmless.
    h.destroy();
}

#[wasm_bindgen_test]
fn two_handlers_are_independent() {
    let (a, seen_a) = build(&[]);
    let (b, seen_b) = build(&[]);
    assert_ne!(a.session_id(), b.session_id());
    a.screen("bank".into(), JsValue::UNDEFINED).unwrap();
    a.destroy();
    dispatch("offline");
    dispatch("online");
    assert!(!names(&seen_a).contains(&"USER_NETWORK_DISCONNECTED".to_owned()));
    assert_eq!(
        names(&seen_b),
        [
            "USER_CONNECTING",
            "USER_NETWORK_DISCONNECTED",
            "USER_NETWORK_RECONNECTED"
        ]
    );
    b.destroy();
}
