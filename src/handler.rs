//! The handler returned by `Okra.buildWithOptions`.
//!
//! It owns a core [`Session`], the window's `online`/`offline` listeners and
//! one timer for the session's next deadline. Listeners and the timer are
//! owned values: dropping them removes the listener or clears the timeout, so
//! `close()` and `destroy()` release them by dropping.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use okra_events_core::{Ctx, Error, Output, Screen, Session, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::delivery::{self, Report, Reporter, Sender, Settled, Stats};
use crate::dispatch::{Call, Dispatcher};
use crate::interop::{describe, error_to_js, error_value, events_to_js, from_js, to_js};

/// Browser resources held while the session is open.
#[derive(Default)]
struct Resources {
    listeners: Vec<EventListener>,
    /// The pending wake-up and the deadline it is for.
    timer: Option<(u64, Timeout)>,
}

/// State shared by the handler, its listeners and its timer.
struct Shared {
    session: RefCell<Session>,
    resources: RefCell<Resources>,
    dispatcher: Dispatcher,
    window: JsValue,
    /// The webhook's sender, when there is an `event_callback_url`.
    delivery: Option<Rc<Sender>>,
    /// When the session started: the first part of its events' storage keys.
    started: u64,
}

impl Reporter for Shared {
    fn session_id(&self) -> String {
        self.session.borrow().session_id().to_owned()
    }

    fn report(&self, report: &Report) {
        let json = self.metadata_js();
        self.dispatcher
            .dispatch([Call::Error(json, report.error())]);
    }

    fn settled(&self, state: Settled, sequences: &[u64]) {
        let call = self.delivery_call(state, sequences);
        self.dispatcher.dispatch([call]);
    }
}

impl Shared {
    /// Runs one step of the session with the current time and location,
    /// re-arms the timer, and only then calls the host's callbacks.
    /// `thrown` is what `fail()` was given, passed on to `onError` as itself.
    fn run<R>(
        self: &Rc<Self>,
        step: impl FnOnce(&mut Session, Ctx) -> Result<R, Error>,
        thrown: Option<&JsValue>,
    ) -> Result<R, JsValue> {
        let location = browser::location(&self.window);
        let mono = browser::mono();
        let (result, outputs) = {
            let mut session = self.session.borrow_mut();
            let ctx = Ctx {
                now: browser::now(),
                mono,
                location: location.as_deref(),
            };
            let result = step(&mut session, ctx);
            (result, session.take_output())
        };
        self.rearm(mono);
        let calls = self.calls(outputs, thrown);
        self.dispatcher.dispatch(calls);
        result.map_err(|e| error_to_js(&e))
    }

    /// Turns the core's outputs into callback calls. Each event comes as the
    /// JSON the core wrote once (to measure it), is queued for the webhook
    /// (persisted before any callback runs, so a throwing callback or a
    /// closing tab cannot lose it), then given to `onEvent`.
    fn calls(&self, outputs: Vec<Output>, thrown: Option<&JsValue>) -> Vec<Call> {
        let mut calls = Vec::with_capacity(outputs.len());
        for output in outputs {
            match output {
                Output::Event { event, json: text } => {
                    let (queued, report) = match &self.delivery {
                        Some(d) => d.enqueue(
                            delivery::key(self.started, &event.session_id, event.sequence),
                            text.clone(),
                        ),
                        None => (true, None),
                    };
                    calls.push(Call::Event(text));
                    if !queued {
                        calls.push(self.delivery_call(Settled::Dropped, &[event.sequence]));
                    }
                    if let Some(r) = report {
                        let json = self.metadata_js();
                        calls.push(Call::Error(json, r.error()));
                    }
                }
                // An Error object reaches onError as itself, so its stack is kept;
                // strings and plain objects go out as the scrubbed data.
                Output::Error { json, .. }
                    if thrown.is_some_and(|t| t.is_instance_of::<js_sys::Error>()) =>
                {
                    calls.push(Call::Error(
                        to_js(&json),
                        thrown.cloned().unwrap_or_default(),
                    ));
                }
                Output::Close { mut json, error } => {
                    json.set("delivery", self.delivery_counts());
                    calls.push(Call::Core(Output::Close { json, error }));
                }
                other => calls.push(Call::Core(other)),
            }
        }
        calls
    }

    /// `onDelivery({ state, event_ids, status? })` for these events.
    fn delivery_call(&self, state: Settled, sequences: &[u64]) -> Call {
        let session = self.session.borrow();
        let ids: Vec<Value> = sequences
            .iter()
            .filter_map(|&seq| session.event(seq))
            .map(|e| e.event_id.as_str().into())
            .collect();
        let mut report = Value::object();
        report.set("state", state.as_str().into());
        report.set("event_ids", Value::Array(ids));
        if let Settled::Rejected(status) = state {
            report.set("status", u64::from(status).into());
        }
        Call::Delivery(to_js(&report))
    }

    /// The session metadata, as `onError` receives it.
    fn metadata_js(&self) -> JsValue {
        to_js(&self.session.borrow().metadata())
    }

    /// `{ delivered, pending, dropped }` for this session.
    fn delivery_counts(&self) -> Value {
        let mut v = Value::object();
        let (stats, pending) = match &self.delivery {
            Some(d) => {
                let id = self.session.borrow().session_id().to_owned();
                (d.stats(&id), d.pending(&id))
            }
            None => (Stats::default(), 0),
        };
        v.set("delivered", stats.delivered.into());
        v.set("pending", pending.into());
        v.set("dropped", stats.dropped.into());
        v
    }

    /// Keeps exactly one timeout, for the session's earliest deadline
    /// (deadlines and `mono` are on the monotonic clock).
    fn rearm(self: &Rc<Self>, mono: u64) {
        let next = self.session.borrow().next_deadline();
        let mut res = self.resources.borrow_mut();
        if res.timer.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        res.timer = next.map(|at| {
            let delay = at.saturating_sub(mono).min(i32::MAX as u64) as u32;
            let shared = Rc::clone(self);
            (at, Timeout::new(delay, move || shared.wake()))
        });
    }

    fn wake(self: &Rc<Self>) {
        // This timeout has fired: forget it before deciding on the next one.
        let fired = self.resources.borrow_mut().timer.take();
        let _ = self.run(
            |s, ctx| {
                s.tick(ctx);
                Ok(())
            },
            None,
        );
        drop(fired);
    }

    fn listen(self: &Rc<Self>) {
        let target: web_sys::EventTarget = self.window.clone().unchecked_into();
        let on = |kind: &'static str, online: bool| {
            let shared = Rc::clone(self);
            EventListener::new(&target, kind, move |_| {
                let _ = shared.run(
                    |s, ctx| {
                        if online {
                            s.online(ctx)
                        } else {
                            s.offline(ctx)
                        }
                        Ok(())
                    },
                    None,
                );
            })
        };
        let listeners = vec![on("offline", false), on("online", true)];
        self.resources.borrow_mut().listeners = listeners;
    }

    /// Drops the listeners and the timer. They hold the only other references
    /// to this state, so this also lets it be freed.
    fn release(&self) {
        let res = std::mem::take(&mut *self.resources.borrow_mut());
        drop(res);
    }
}

/// A widget session's event emitter. Build one with `Okra.buildWithOptions`.
#[wasm_bindgen]
pub struct Handler {
    shared: Rc<Shared>,
    options: JsValue,
}

impl Handler {
    /// Starts a session; the options are already validated.
    pub(crate) fn start(
        window: JsValue,
        options: JsValue,
        parsed: crate::options::Options,
    ) -> Handler {
        let now = browser::now();
        let location = browser::location(&window);
        let online = browser::is_online(&window);
        let callback_url = parsed.config.callback_url.clone();
        let mut session = Session::new(
            parsed.config,
            browser::seed(),
            Ctx {
                now,
                mono: browser::mono(),
                location: location.as_deref(),
            },
            online,
        );
        let outputs = session.take_output();
        let delivery = callback_url.as_deref().map(delivery::sender);
        let shared = Rc::new(Shared {
            session: RefCell::new(session),
            resources: RefCell::new(Resources::default()),
            dispatcher: Dispatcher::new(parsed.callbacks),
            window,
            delivery,
            started: now,
        });
        if let Some(d) = &shared.delivery {
            let reporter: Rc<dyn Reporter> = shared.clone();
            d.subscribe(Rc::downgrade(&reporter));
        }
        shared.listen();
        shared.rearm(browser::mono());
        let mut calls = shared.calls(outputs, None);
        if shared.delivery.as_ref().is_some_and(|d| d.memory_only()) {
            let json = shared.metadata_js();
            calls.push(Call::Error(json, Report::StorageUnavailable.error()));
        }
        shared.dispatcher.dispatch(calls);
        Handler { shared, options }
    }

    fn run<R>(
        &self,
        step: impl FnOnce(&mut Session, Ctx) -> Result<R, Error>,
    ) -> Result<R, JsValue> {
        self.shared.run(step, None)
    }
}

fn name_arg(
    method: &'static str,
    expected: &'static str,
    value: &JsValue,
) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        error_to_js(&Error::InvalidArgument {
            method,
            expected,
            given: describe(value),
        })
    })
}

#[wasm_bindgen]
impl Handler {
    /// Records a screen transition, e.g. `handler.screen('bank')`.
    pub fn screen(&self, name: JsValue, details: JsValue) -> Result<(), JsValue> {
        let name = name_arg("screen", "a screen name string", &name)?;
        let screen = Screen::parse(&name).map_err(|e| error_to_js(&e))?;
        let details = from_js(&details, || format!("screen(\"{name}\", details) details"))
            .map_err(|e| error_to_js(&e))?;
        self.run(|s, ctx| s.screen(ctx, screen, details))
    }

    /// Records a catalog event the widget observed, e.g.
    /// `handler.track('USER_BANK_SELECTED', { bank: 'alat' })`.
    pub fn track(&self, name: JsValue, data: JsValue) -> Result<(), JsValue> {
        let name = name_arg("track", "an event name string", &name)?;
        let data = from_js(&data, || format!("track(\"{name}\", data) data"))
            .map_err(|e| error_to_js(&e))?;
        self.run(|s, ctx| s.track(ctx, &name, data))
    }

    /// The account was linked: emits USER_CONNECTION_SUCCESSFUL and calls `onSuccess`.
    pub fn success(&self, data: JsValue) -> Result<(), JsValue> {
        let data =
            from_js(&data, || "success(data) data".to_owned()).map_err(|e| error_to_js(&e))?;
        self.run(|s, ctx| s.success(ctx, data))
    }

    /// The connection failed: emits USER_CONNECTION_FAILED and calls `onError`.
    pub fn fail(&self, error: JsValue) -> Result<(), JsValue> {
        let value = error_value(&error).map_err(|e| error_to_js(&e))?;
        self.shared.run(|s, ctx| s.fail(ctx, value), Some(&error))
    }

    /// The widget closes: USER_BOUNCE unless linked, USER_APP_CLOSE, then
    /// `onClose`. Releases the network listeners. A second call does nothing.
    pub fn close(&self) -> Result<(), JsValue> {
        let result = self.run(|s, ctx| s.close(ctx));
        if result.is_ok() {
            self.shared.release();
        }
        result
    }

    /// Releases every listener and timer and sends what is queued for the
    /// webhook right away (delivery goes on after the handler is gone). Later
    /// calls throw; a second `destroy()` does nothing.
    pub fn destroy(&self) {
        self.shared.session.borrow_mut().destroy();
        self.shared.release();
        if let Some(d) = &self.shared.delivery {
            d.pump();
        }
    }

    /// How many of this session's events wait for the webhook's 2xx.
    pub fn pending(&self) -> f64 {
        let id = self.shared.session.borrow().session_id().to_owned();
        self.shared
            .delivery
            .as_ref()
            .map_or(0.0, |d| d.pending(&id) as f64)
    }

    /// This session's id.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.shared.session.borrow().session_id().to_owned()
    }

    /// This session's tracking id, as carried in every event's data.
    #[wasm_bindgen(getter, js_name = trackingId)]
    pub fn tracking_id(&self) -> String {
        self.shared.session.borrow().tracking_id().to_owned()
    }

    /// The options object this handler was built with, as given.
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> JsValue {
        self.options.clone()
    }

    /// This session's events, oldest first, as new objects.
    #[wasm_bindgen(unchecked_return_type = "OkraEvent[]")]
    pub fn events(&self) -> JsValue {
        events_to_js(self.shared.session.borrow().events())
    }
}
