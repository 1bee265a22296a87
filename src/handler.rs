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
use okra_events_core::{Ctx, Error, Output, Screen, Session};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
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
}

impl Shared {
    /// Runs one step of the session with the current time and location,
    /// re-arms the timer, and only then calls the host's callbacks.
    fn run<R>(
        self: &Rc<Self>,
        step: impl FnOnce(&mut Session, Ctx) -> Result<R, Error>,
        convert: impl FnMut(Output) -> Call,
    ) -> Result<R, JsValue> {
        let location = browser::location(&self.window);
        let now = browser::now();
        let (result, outputs) = {
            let mut session = self.session.borrow_mut();
            let ctx = Ctx {
                now,
                location: location.as_deref(),
            };
            let result = step(&mut session, ctx);
            (result, session.take_output())
        };
        self.rearm(now);
        self.dispatcher.dispatch(outputs.into_iter().map(convert));
        result.map_err(|e| error_to_js(&e))
    }

    /// Keeps exactly one timeout, for the session's earliest deadline.
    fn rearm(self: &Rc<Self>, now: u64) {
        let next = self.session.borrow().next_deadline();
        let mut res = self.resources.borrow_mut();
        if res.timer.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        res.timer = next.map(|at| {
            let delay = at.saturating_sub(now).min(i32::MAX as u64) as u32;
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
            Call::Core,
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
                    Call::Core,
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
        let mut session = Session::new(
            parsed.config,
            browser::seed(),
            Ctx {
                now,
                location: location.as_deref(),
            },
            online,
        );
        let outputs = session.take_output();
        let shared = Rc::new(Shared {
            session: RefCell::new(session),
            resources: RefCell::new(Resources::default()),
            dispatcher: Dispatcher::new(parsed.callbacks),
            window,
        });
        shared.listen();
        shared.rearm(now);
        shared
            .dispatcher
            .dispatch(outputs.into_iter().map(Call::Core));
        Handler { shared, options }
    }

    fn run<R>(
        &self,
        step: impl FnOnce(&mut Session, Ctx) -> Result<R, Error>,
    ) -> Result<R, JsValue> {
        self.shared.run(step, Call::Core)
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
        let original = error;
        self.shared.run(
            |s, ctx| s.fail(ctx, value),
            |o| match o {
                // A string or plain object goes out scrubbed; an Error object
                // reaches onError as itself, so its stack is kept.
                Output::Error { json, error } if original.is_instance_of::<js_sys::Error>() => {
                    let _ = error;
                    Call::Error(to_js(&json), original.clone())
                }
                other => Call::Core(other),
            },
        )
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

    /// Releases every listener and timer. Later calls throw; a second
    /// `destroy()` does nothing.
    pub fn destroy(&self) {
        self.shared.session.borrow_mut().destroy();
        self.shared.release();
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
