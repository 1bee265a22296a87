//! The bridge's bindings in headless Chromium: the host's callbacks go
//! through the same dispatcher as a handler's, so order, duplicates and a
//! callback that calls `destroy()` behave as the host page expects.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use okra_events::{host_link, widget_frame, WidgetFrame};
use okra_events_core::bridge::{encode_ack, encode_bare, PROTOCOL};
use okra_events_core::{json, Config, Ctx, Screen, Session, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

type Log = Rc<RefCell<Vec<String>>>;
type Slot = Rc<RefCell<Option<Rc<WidgetFrame>>>>;

/// A host for `https://widget.example/`; every callback logs its name (and
/// an event's sequence); `onError` destroys the handle when asked to.
fn host(destroy_on_error: bool) -> (Rc<WidgetFrame>, Log) {
    let log: Log = Rc::default();
    let slot: Slot = Rc::default();
    let opts = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&opts, &k.into(), v).unwrap();
    };
    set("key", &"pk_test".into());
    set("token", &"tok_test".into());
    set("widgetUrl", &"https://widget.example/".into());
    for name in ["onEvent", "onSuccess", "onError", "beforeClose", "onClose"] {
        let (log, slot) = (Rc::clone(&log), Rc::clone(&slot));
        let f = Closure::<dyn Fn(JsValue)>::new(move |arg: JsValue| {
            let seq = Reflect::get(&arg, &"sequence".into()).unwrap();
            log.borrow_mut().push(match seq.as_f64() {
                Some(n) => format!("{name}#{n}"),
                None => name.to_owned(),
            });
            if name == "onError" && destroy_on_error {
                slot.borrow().as_ref().unwrap().destroy();
            }
        });
        set(name, f.as_ref().unchecked_ref::<Function>());
        f.forget();
    }
    let frame = Rc::new(widget_frame(opts.into()).unwrap());
    *slot.borrow_mut() = Some(Rc::clone(&frame));
    (frame, log)
}

fn event_messages(n: usize) -> Vec<String> {
    let ctx = Ctx {
        now: 1_795_742_454_123,
        mono: 0,
        location: None,
    };
    let mut s = Session::new(Config::default(), [9, 9], ctx, true);
    s.screen(ctx, Screen::parse("bank").unwrap(), Value::Null)
        .unwrap();
    s.events()[..n]
        .iter()
        .map(|e| {
            let mut text = format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"event\",\"event\":");
            json::write_event(&mut text, e);
            text.push('}');
            text
        })
        .collect()
}

#[wasm_bindgen_test]
fn events_reach_the_host_once_and_in_order() {
    let (frame, log) = host(false);
    assert!(frame.syn(encode_bare("syn").into()));
    assert!(!frame.syn("{\"okra\":1}".into()));
    assert!(!frame.syn(JsValue::from(Object::new())));
    let msgs = event_messages(3);
    // Before `ready`, nothing counts.
    assert_eq!(frame.receive(msgs[0].as_str().into()), 0);
    assert_eq!(frame.receive(encode_bare("ready").into()), 1);
    for i in [0, 1, 1, 0, 2] {
        frame.receive(msgs[i].as_str().into());
    }
    frame.receive(JsValue::from(Object::new()));
    frame.receive("not json".into());
    assert_eq!(*log.borrow(), ["onEvent#1", "onEvent#2", "onEvent#3"]);
    assert!(frame.session_id().is_some());
    assert_eq!(frame.close(), 3, "a connected widget is asked to close");
    assert_eq!(
        frame.expire(false),
        2,
        "and closed anyway when it does not answer"
    );
    assert_eq!(log.borrow()[3..], ["beforeClose", "onClose"]);
}

#[wasm_bindgen_test]
fn a_callback_that_destroys_the_handle_stops_the_rest() {
    let (frame, log) = host(true);
    // The load timeout queues onError then onClose; onError destroys.
    assert_eq!(frame.expire(true), 2);
    assert_eq!(*log.borrow(), ["onError"]);
    assert_eq!(frame.receive(encode_bare("ready").into()), 0);
    assert_eq!(frame.close(), 0);
    assert_eq!(log.borrow().len(), 1, "nothing after destroy()");
}

#[wasm_bindgen_test]
fn the_widget_side_accepts_an_ack_only_from_an_allowed_origin() {
    let opts = Object::new();
    let origins = js_sys::Array::of1(&"https://merchant.example".into());
    Reflect::set(&opts, &"allowedOrigins".into(), &origins).unwrap();
    let link = host_link(opts.into()).unwrap();
    let mut options = Value::object();
    options.set("token", "tok".into());
    let ack: JsValue = encode_ack(&options).into();
    let accepted = link.accept(ack.clone(), "https://merchant.example");
    assert_eq!(
        Reflect::get(&accepted, &"token".into()).unwrap(),
        JsValue::from_str("tok")
    );
    for refused in [
        "https://merchant.example.evil.com",
        "https://merchant.example:8443",
    ] {
        assert!(link.accept(ack.clone(), refused).is_null(), "{refused}");
    }
    assert!(link
        .accept(encode_bare("syn").into(), "https://merchant.example")
        .is_undefined());
    assert!(link.is_close_request(encode_bare("close_request").into()));
    assert!(!link.is_close_request(encode_bare("close").into()));
}
