//! Both sides of the widget in its own origin, bound to JavaScript.
//!
//! The page plumbing (the iframe, the `message` listener, the
//! `MessageChannel` and the timers) is a few lines of the npm entry
//! (`js/bridge.js`). Everything that decides lives here and in the core's
//! [`okra_events_core::bridge`]: the options, what a message means, whether
//! an origin is allowed, and which host callbacks fire, in what order. The
//! host's callbacks go through the same [`Dispatcher`] as a same-page
//! handler's, so a throwing or re-entrant callback behaves the same.

use std::cell::RefCell;

use okra_events_core::bridge::{
    decode_host_message, decode_widget_message, encode_ack, encode_bare, origin_allowed, Host,
    HostMessage, Step, WidgetMessage, MAX_MESSAGE_BYTES, PROTOCOL,
};
use okra_events_core::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
use crate::dispatch::{Call, Dispatcher};
use crate::interop::{events_to_js, to_js};
use crate::options::{parse_host, parse_link};
use crate::refuse_with;

/// A message's text, if it is text of at most [`MAX_MESSAGE_BYTES`]. The
/// length is read before the text is copied, so a huge message costs nothing.
fn message_text(data: &JsValue) -> Option<String> {
    let text = data.dyn_ref::<js_sys::JsString>()?;
    if text.length() as usize > MAX_MESSAGE_BYTES {
        return None;
    }
    text.as_string()
}

/// The widget as the merchant's page sees it: what `buildWithOptions` with a
/// `widgetUrl` is built on.
#[wasm_bindgen(skip_typescript)]
pub struct WidgetFrame {
    host: RefCell<Host>,
    dispatcher: Dispatcher,
    ack: String,
}

/// Checks a host's options and makes its [`WidgetFrame`]. Bad options throw a
/// `TypeError` naming the option (and go to `onError`) before anything is
/// added to the page.
#[wasm_bindgen(js_name = widgetFrame, skip_typescript)]
pub fn widget_frame(options: JsValue) -> Result<WidgetFrame, JsValue> {
    let parsed = refuse_with(&options, parse_host(&options))?;
    refuse_with(&options, browser::window().ok_or(Error::NoWindow))?;
    let config = parsed.options.config;
    Ok(WidgetFrame {
        host: RefCell::new(Host::new(
            config.options,
            config.meta,
            parsed.widget_url,
            parsed.widget_timeout_ms,
        )),
        dispatcher: Dispatcher::new(parsed.options.callbacks),
        ack: encode_ack(&parsed.forwarded),
    })
}

impl WidgetFrame {
    /// Runs one step of the host's rules, then makes its callbacks with no
    /// borrow held, so a callback may call `close()` or `destroy()`.
    fn step(&self, f: impl FnOnce(&mut Host) -> Step) -> u32 {
        let (step, outputs) = {
            let mut host = self.host.borrow_mut();
            let step = f(&mut host);
            (step, host.take_output())
        };
        self.dispatcher
            .dispatch(outputs.into_iter().map(Call::Core));
        step as u32
    }
}

#[wasm_bindgen]
impl WidgetFrame {
    /// The `ack` to post to the widget's exact origin, with the options.
    #[wasm_bindgen(getter)]
    pub fn ack(&self) -> String {
        self.ack.clone()
    }

    /// The checked `widgetUrl`.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.host.borrow().widget_url().to_owned()
    }

    /// `widgetTimeout` in ms.
    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> u32 {
        self.host.borrow().widget_timeout_ms() as u32
    }

    /// The `close_request` message for the widget's port.
    #[wasm_bindgen(getter, js_name = closeRequest)]
    pub fn close_request(&self) -> String {
        encode_bare("close_request")
    }

    /// Whether a window message (already known to come from the iframe's
    /// own window and the exact widget origin) is a `syn` to answer.
    pub fn syn(&self, data: JsValue) -> bool {
        let is_syn = message_text(&data)
            .and_then(|t| decode_widget_message(&t))
            .is_some_and(|m| m == WidgetMessage::Syn);
        is_syn && self.host.borrow().syn()
    }

    /// Acts on a message from the widget's port. Returns a
    /// [`Step`]: 1 when the widget connected, 2 when it closed.
    pub fn receive(&self, data: JsValue) -> u32 {
        match message_text(&data).and_then(|t| decode_widget_message(&t)) {
            Some(message) => self.step(|h| h.receive(message)),
            None => Step::Nothing as u32,
        }
    }

    /// The widget did not connect in time (`load`), or did not answer
    /// `close()` in time.
    pub fn expire(&self, load: bool) -> u32 {
        self.step(|h| {
            if load {
                h.load_timeout()
            } else {
                h.close_timeout()
            }
        })
    }

    /// `widget.close()`: 2 when closed at once, 3 when the widget is asked.
    pub fn close(&self) -> u32 {
        self.step(Host::close)
    }

    /// `widget.destroy()`: no callback fires from now on, not even one that
    /// is already queued.
    pub fn destroy(&self) {
        self.host.borrow_mut().destroy();
        self.dispatcher.stop();
    }

    /// The events received, oldest first, as new objects.
    pub fn events(&self) -> JsValue {
        events_to_js(self.host.borrow().events())
    }

    /// The widget's current session id, or `null` before its first event.
    #[wasm_bindgen(getter, js_name = sessionId)]
    pub fn session_id(&self) -> Option<String> {
        self.host.borrow().session_id().map(str::to_owned)
    }
}

/// The host as the widget's iframe sees it: what `connectToHost` is built on.
#[wasm_bindgen(skip_typescript)]
pub struct HostLink {
    allowed: Vec<String>,
    timeout: u32,
}

/// Checks the options of `connectToHost`; bad ones throw a `TypeError`
/// naming the option.
#[wasm_bindgen(js_name = hostLink, skip_typescript)]
pub fn host_link(options: JsValue) -> Result<HostLink, JsValue> {
    let parsed = refuse_with(&options, parse_link(&options))?;
    Ok(HostLink {
        allowed: parsed.allowed_origins,
        timeout: parsed.widget_timeout_ms as u32,
    })
}

#[wasm_bindgen]
impl HostLink {
    /// `widgetTimeout` in ms.
    #[wasm_bindgen(getter)]
    pub fn timeout(&self) -> u32 {
        self.timeout
    }

    /// The protocol marker every message carries in `okra`.
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> String {
        PROTOCOL.to_owned()
    }

    /// A message with only a type: `syn`, `ready`.
    pub fn bare(&self, kind: &str) -> String {
        encode_bare(kind)
    }

    /// Reads a window message from the parent. `undefined` when it is not
    /// the host's `ack`; `null` when it is, but from an origin that is not in
    /// `allowedOrigins` (compared whole); otherwise the host's options.
    pub fn accept(&self, data: JsValue, origin: &str) -> JsValue {
        match message_text(&data).and_then(|t| decode_host_message(&t)) {
            Some(HostMessage::Ack { .. }) if !origin_allowed(&self.allowed, origin) => {
                JsValue::NULL
            }
            Some(HostMessage::Ack { options }) => to_js(&options),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Whether a message from the host's port asks the widget to close.
    #[wasm_bindgen(js_name = isCloseRequest)]
    pub fn is_close_request(&self, data: JsValue) -> bool {
        message_text(&data)
            .and_then(|t| decode_host_message(&t))
            .is_some_and(|m| m == HostMessage::Close)
    }
}
