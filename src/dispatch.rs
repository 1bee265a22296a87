//! Calls the host's callbacks, in order, never while Rust state is borrowed.
//!
//! Outputs are queued and drained by whichever call is outermost. A callback
//! that calls the handler again only adds to the queue, so nested events are
//! delivered after the current callback returns and still in `sequence`
//! order. A callback that throws is reported with `console.error` and the
//! queue goes on.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use js_sys::Function;
use okra_events_core::Output;
use wasm_bindgen::JsValue;

use crate::browser::report;
use crate::interop::{parse_json, to_js};
use crate::options::Callbacks;

/// One callback call waiting to be made.
// Calls only wait in a short queue; boxing the event would cost an
// allocation per event for no saving.
#[allow(clippy::large_enum_variant)]
pub enum Call {
    /// `onEvent(event)`, with the event as JSON text (serialized once, for
    /// the webhook queue and for the callback).
    Event(String),
    /// Any other output of the core session.
    Core(Output),
    /// `onDelivery(report)`: some of the session's events left the queue.
    Delivery(JsValue),
    /// `onError(json, error)` with the caller's own error object, so an
    /// `Error` reaches `onError` as the same object that was passed to `fail`.
    Error(JsValue, JsValue),
}

/// The queue of calls for one handler.
pub struct Dispatcher {
    callbacks: Callbacks,
    queue: RefCell<VecDeque<Call>>,
    draining: Cell<bool>,
    stopped: Cell<bool>,
}

fn invoke(name: &str, f: &Option<Function>, args: &[&JsValue]) {
    let Some(f) = f else { return };
    let result = match args {
        [a] => f.call1(&JsValue::UNDEFINED, a),
        [a, b] => f.call2(&JsValue::UNDEFINED, a, b),
        _ => f.call0(&JsValue::UNDEFINED),
    };
    if let Err(e) = result {
        report(&format!("okra-events: the {name} callback threw"), &e);
    }
}

impl Dispatcher {
    /// A dispatcher for these callbacks.
    pub fn new(callbacks: Callbacks) -> Dispatcher {
        Dispatcher {
            callbacks,
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            stopped: Cell::new(false),
        }
    }

    /// Queues calls, then makes every queued call unless an outer call is
    /// already doing so.
    pub fn dispatch(&self, calls: impl IntoIterator<Item = Call>) {
        if self.stopped.get() {
            return;
        }
        self.queue.borrow_mut().extend(calls);
        if self.draining.replace(true) {
            return;
        }
        loop {
            // The queue's borrow ends before the callback runs.
            let next = self
                .queue
                .borrow_mut()
                .pop_front()
                .filter(|_| !self.stopped.get());
            let Some(call) = next else { break };
            self.call(call);
        }
        self.draining.set(false);
    }

    fn call(&self, call: Call) {
        let cb = &self.callbacks;
        match call {
            Call::Event(text) => {
                if cb.on_event.is_some() {
                    invoke("onEvent", &cb.on_event, &[&parse_json(&text)]);
                }
            }
            // The handler sends events as Call::Event; this arm only keeps
            // the match whole, through the same path.
            Call::Core(Output::Event { json, .. }) => self.call(Call::Event(json)),
            Call::Core(Output::Success(data)) => {
                invoke("onSuccess", &cb.on_success, &[&to_js(&data)])
            }
            Call::Core(Output::Error { json, error }) => {
                invoke("onError", &cb.on_error, &[&to_js(&json), &to_js(&error)])
            }
            Call::Error(json, error) => invoke("onError", &cb.on_error, &[&json, &error]),
            Call::Delivery(report) => invoke("onDelivery", &cb.on_delivery, &[&report]),
            Call::Core(Output::BeforeClose(json)) => {
                invoke("beforeClose", &cb.before_close, &[&to_js(&json)])
            }
            Call::Core(Output::Close { json, error }) => {
                invoke("onClose", &cb.on_close, &[&to_js(&json), &to_js(&error)])
            }
        }
    }

    /// Makes no more calls, not even those already queued: after
    /// `destroy()`, nothing fires.
    pub fn stop(&self) {
        self.stopped.set(true);
        self.queue.borrow_mut().clear();
    }

    /// Calls `onError` directly, for errors raised before a session exists.
    pub fn error_now(f: &Function, json: &JsValue, error: &JsValue) {
        invoke("onError", &Some(f.clone()), &[json, error]);
    }
}
