//! The widget in its own origin: the messages between the merchant's page
//! (the host) and the widget's iframe, and the host's rules for acting on them.
//!
//! The protocol, in order:
//! 1. The widget posts `syn` to its parent window with target origin `"*"`.
//!    It carries no data: the widget has not checked who its parent is yet.
//! 2. The host acts only on a `syn` from its own iframe's window and from the
//!    exact widget origin. It creates a `MessageChannel` and posts `ack`, with
//!    the options, to that exact origin, transferring one port. A later `syn`
//!    from the same iframe (a reload) gets a new channel; the old port is closed.
//! 3. The widget accepts the `ack` only from its parent window and from an
//!    origin in its `allowedOrigins`, then answers `ready` on the port.
//! 4. From then on, every message travels on the port, which only the two
//!    sides hold: the widget's events and callbacks, and the host's `close`.
//!
//! Every message is JSON text of one object with `"okra"` set to
//! [`PROTOCOL`] and a `"type"`, and exactly the fields of that type. Anything
//! else (another shape, an extra field, a value that is not text, text over
//! [`MAX_MESSAGE_BYTES`], nesting deeper than the JSON reader allows) is
//! dropped: decoding returns `None` and never panics. Data from the other side
//! is untrusted input, and the JSON reader builds plain values, so no key
//! (`__proto__` included) can reach a prototype.

use crate::catalog;
use crate::event::{Event, EVENT_FIELDS};
use crate::json;
use crate::screen::Screen;
use crate::session::Output;
use crate::text;
use crate::value::Value;

/// The protocol marker and version every message carries in `"okra"`.
pub const PROTOCOL: &str = "okra-events/bridge/1";

/// The largest message either side acts on, in bytes of JSON text. An event
/// is at most 32 KiB; the rest is room for the session metadata in `close`
/// and the options in `ack`.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// How many events the host keeps for `widget.events()`: the newest, as the
/// same-page handler does.
pub const MAX_LOGGED_EVENTS: usize = 10_000;

/// What the widget's frame sends to the host.
// Messages are decoded one at a time and handed on at once; boxing the event
// would cost an allocation for no saving.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum WidgetMessage {
    /// "I am here": the first message, on the window, with no data.
    Syn,
    /// The widget accepted the host's origin (on the port).
    Ready,
    /// `onEvent(event)`, forwarded: the event, checked, and its JSON.
    Event {
        /// The event.
        event: Event,
        /// The event as compact JSON, written here.
        json: String,
    },
    /// One of the widget's other callbacks, forwarded:
    /// `onSuccess(data)`, `onError(json, error)`, `beforeClose(json)` or
    /// `onClose(json, error)`.
    Forward(Output),
}

/// What the host sends to the widget.
#[derive(Debug, Clone, PartialEq)]
pub enum HostMessage {
    /// The answer to `syn`, with the options the widget's handler is built from.
    Ack {
        /// Every option of the host's except functions and `container`.
        options: Value,
    },
    /// `widget.close()`: the widget should close.
    Close,
}

/// Reads the object of a message and checks its marker, its type and that it
/// has exactly the fields of that type besides them.
fn envelope<'a>(text: &str, parsed: &'a mut Value) -> Option<&'a str> {
    if text.len() > MAX_MESSAGE_BYTES {
        return None;
    }
    *parsed = json::parse(text).ok()?;
    let map = parsed.as_object()?;
    if parsed.get("okra")?.as_str()? != PROTOCOL {
        return None;
    }
    let kind = parsed.get("type")?.as_str()?;
    let expected = fields_of(kind)?;
    let known = |k: &str| k == "okra" || k == "type" || expected.contains(&k);
    (map.len() == 2 + expected.len() && map.iter().all(|(k, _)| known(k))).then_some(kind)
}

/// The fields each message type has, besides `okra` and `type`.
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "syn" | "ready" | "close_request" => &[],
        "event" => &["event"],
        "success" => &["data"],
        "error" | "close" => &["json", "error"],
        "before_close" => &["json"],
        "ack" => &["options"],
        _ => return None,
    })
}

fn take(v: &mut Value, key: &str) -> Value {
    match v {
        Value::Object(map) => map
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| map.remove(i).1)
            .unwrap_or_default(),
        _ => Value::Null,
    }
}

/// Decodes a message from the widget. `None` for anything that is not exactly
/// a well-formed message of the protocol.
pub fn decode_widget_message(text: &str) -> Option<WidgetMessage> {
    let mut v = Value::Null;
    let kind = envelope(text, &mut v)?.to_owned();
    let object = |v: Value| matches!(v, Value::Object(_)).then_some(v);
    let forward = match kind.as_str() {
        "syn" => return Some(WidgetMessage::Syn),
        "ready" => return Some(WidgetMessage::Ready),
        "event" => {
            let event = event_from_value(take(&mut v, "event"))?;
            let mut json = String::with_capacity(512);
            json::write_event(&mut json, &event);
            return Some(WidgetMessage::Event { event, json });
        }
        "success" => Output::Success(take(&mut v, "data")),
        "error" => Output::Error {
            json: object(take(&mut v, "json"))?,
            error: take(&mut v, "error"),
        },
        "before_close" => Output::BeforeClose(object(take(&mut v, "json"))?),
        "close" => Output::Close {
            json: object(take(&mut v, "json"))?,
            error: take(&mut v, "error"),
        },
        _ => return None,
    };
    Some(WidgetMessage::Forward(forward))
}

/// Decodes a message from the host. `None` for anything else.
pub fn decode_host_message(text: &str) -> Option<HostMessage> {
    let mut v = Value::Null;
    let kind = envelope(text, &mut v)?.to_owned();
    match kind.as_str() {
        "ack" => match take(&mut v, "options") {
            options @ Value::Object(_) => Some(HostMessage::Ack { options }),
            _ => None,
        },
        "close_request" => Some(HostMessage::Close),
        _ => None,
    }
}

/// The message with only a type: `syn`, `ready` or `close_request`.
pub fn encode_bare(kind: &str) -> String {
    let mut out = String::with_capacity(64);
    out.push_str("{\"okra\":");
    json::write_str(&mut out, PROTOCOL);
    out.push_str(",\"type\":");
    json::write_str(&mut out, kind);
    out.push('}');
    out
}

/// The host's `ack`, carrying the options.
pub fn encode_ack(options: &Value) -> String {
    let mut out = encode_bare("ack");
    out.pop();
    out.push_str(",\"options\":");
    json::write_value(&mut out, options);
    out.push('}');
    out
}

/// An event from its JSON value, with exactly the event object's fields, of
/// the right types, passing [`Event::validate`].
pub fn event_from_value(v: Value) -> Option<Event> {
    let map = v.as_object()?;
    if map.len() != EVENT_FIELDS.len()
        || !map.iter().all(|(k, _)| EVENT_FIELDS.contains(&k.as_str()))
    {
        return None;
    }
    let text = |k: &str| v.get(k)?.as_str().map(str::to_owned);
    let flag = |k: &str| match v.get(k)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    };
    let nullable = |k: &str| match v.get(k)? {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        _ => None,
    };
    let name = text("event_name")?;
    let spec = catalog::lookup(&name).ok()?;
    let category = text("event_category")?;
    if category != spec.category.as_str() {
        return None;
    }
    let screen = match nullable("event_screen")? {
        None => None,
        Some(s) => match Screen::parse(&s) {
            Ok(screen) if screen.as_str() == s => Some(screen),
            _ => return None,
        },
    };
    let sequence = match v.get("sequence")? {
        Value::Number(n) if n.len() <= 15 && n.bytes().all(|b| b.is_ascii_digit()) => {
            text::whole(n)?
        }
        _ => return None,
    };
    let event = Event {
        event: flag("event")?,
        event_name: name,
        event_type: text("event_type")?,
        event_category: spec.category,
        event_screen: screen,
        event_time: text("event_time")?,
        event_location: nullable("event_location")?,
        event_callback_url: nullable("event_callback_url")?,
        event_data: v.get("event_data")?.clone(),
        with_error: flag("withError")?,
        event_id: text("event_id")?,
        session_id: text("session_id")?,
        sequence,
    };
    event.validate().ok()?;
    Some(event)
}

/// Where the host's widget is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The iframe is loading; no widget has accepted the host yet.
    Waiting,
    /// A widget accepted the host and talks on the port.
    Connected,
    /// `close()` was asked of the widget; its closing events are awaited.
    Closing,
    /// `onClose` has fired, or the host was destroyed: nothing more happens.
    Closed,
}

/// What happened to the widget's handle after a step, for the page code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing the page needs to act on.
    Nothing = 0,
    /// A widget connected: stop the load timer.
    Connected = 1,
    /// The widget is closed: remove the iframe and every listener.
    Closed = 2,
    /// Ask the widget to close, and close it anyway after [`CLOSE_GRACE_MS`].
    AskWidget = 3,
}

/// How long `widget.close()` waits for the widget's own closing events.
pub const CLOSE_GRACE_MS: u32 = 3_000;

/// One widget session seen by the host (a reload starts another).
#[derive(Debug, Clone)]
struct Seen {
    session_id: String,
    last_sequence: u64,
    succeeded: bool,
}

/// The host's rules for one widget handle: each `event_id` once and in
/// `sequence` order, `onSuccess` at most once per widget session, `onClose`
/// exactly once and last.
#[derive(Debug)]
pub struct Host {
    phase: Phase,
    options: Value,
    meta: Value,
    widget_url: String,
    widget_timeout_ms: u64,
    sessions: Vec<Seen>,
    /// The newest events received, as JSON.
    events: Vec<String>,
    events_count: u64,
    last_error: Value,
    out: Vec<Output>,
}

impl Host {
    /// A host waiting for the widget at `widget_url`. `options` and `meta`
    /// are echoed in the metadata of the host's own errors and close.
    pub fn new(options: Value, meta: Value, widget_url: String, widget_timeout_ms: u64) -> Host {
        Host {
            phase: Phase::Waiting,
            options,
            meta,
            widget_url,
            widget_timeout_ms,
            sessions: Vec::new(),
            events: Vec::new(),
            events_count: 0,
            last_error: Value::Null,
            out: Vec::new(),
        }
    }

    /// The page the iframe opens.
    pub fn widget_url(&self) -> &str {
        &self.widget_url
    }

    /// How long the widget may take to connect.
    pub fn widget_timeout_ms(&self) -> u64 {
        self.widget_timeout_ms
    }

    /// Where the widget is in its life.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The callbacks to make, in order, since the last call.
    pub fn take_output(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.out)
    }

    /// The widget's current session id: that of its latest event.
    pub fn session_id(&self) -> Option<&str> {
        self.sessions.last().map(|s| s.session_id.as_str())
    }

    /// The events received, oldest first (the newest [`MAX_LOGGED_EVENTS`]),
    /// read back from the JSON the host keeps ([`log`](Self::log)).
    pub fn events(&self) -> Vec<Event> {
        self.events
            .iter()
            .filter_map(|j| Event::from_json(j))
            .collect()
    }

    /// The events received as JSON, oldest first.
    pub fn log(&self) -> &[String] {
        &self.events
    }

    /// A `syn` from the host's own iframe: whether to (re)connect it. A widget
    /// that reloads connects again, with the same options.
    pub fn syn(&self) -> bool {
        self.phase != Phase::Closed
    }

    /// Acts on a message from the widget's port.
    pub fn receive(&mut self, message: WidgetMessage) -> Step {
        match (self.phase, message) {
            (Phase::Closed, _) | (_, WidgetMessage::Syn) => Step::Nothing,
            (Phase::Waiting, WidgetMessage::Ready) => {
                self.phase = Phase::Connected;
                Step::Connected
            }
            (_, WidgetMessage::Ready) | (Phase::Waiting, _) => Step::Nothing,
            (_, WidgetMessage::Event { event, json }) => {
                self.event(event, json);
                Step::Nothing
            }
            (_, WidgetMessage::Forward(Output::Success(data))) => {
                if let Some(s) = self.sessions.last_mut().filter(|s| !s.succeeded) {
                    s.succeeded = true;
                    self.out.push(Output::Success(data));
                }
                Step::Nothing
            }
            (_, WidgetMessage::Forward(Output::Close { json, error })) => {
                self.finish(json, error);
                Step::Closed
            }
            (_, WidgetMessage::Forward(other)) => {
                if let Output::Error { error, .. } = &other {
                    self.last_error = error.clone();
                }
                self.out.push(other);
                Step::Nothing
            }
        }
    }

    fn event(&mut self, event: Event, json: String) {
        let Event {
            session_id,
            sequence,
            ..
        } = event;
        match self
            .sessions
            .iter()
            .position(|s| s.session_id == session_id)
        {
            Some(i) if sequence <= self.sessions[i].last_sequence => return,
            // The session that spoke last is the current one.
            Some(i) => {
                let mut s = self.sessions.remove(i);
                s.last_sequence = sequence;
                self.sessions.push(s);
            }
            None => self.sessions.push(Seen {
                session_id,
                last_sequence: sequence,
                succeeded: false,
            }),
        }
        self.events_count += 1;
        if self.events.len() == MAX_LOGGED_EVENTS {
            self.events.remove(0);
        }
        self.events.push(json.clone());
        self.out.push(Output::Event { json, sequence });
    }

    /// The widget did not connect within its `widgetTimeout`:
    /// `onError(json, { type: 'WIDGET_LOAD_TIMEOUT' })`, then `onClose`.
    pub fn load_timeout(&mut self) -> Step {
        if self.phase != Phase::Waiting {
            return Step::Nothing;
        }
        let mut error = Value::object();
        error.set("type", "WIDGET_LOAD_TIMEOUT".into());
        let mut message = String::from("okra-events: the widget at ");
        message.push_str(&self.widget_url);
        message.push_str(" did not connect within ");
        json::write_u64(&mut message, self.widget_timeout_ms);
        message.push_str(" ms (widgetTimeout); is connectToHost called there, with this page's origin in allowedOrigins?");
        error.set("message", message.into());
        error.set("widget_url", self.widget_url.as_str().into());
        error.set("timeout", self.widget_timeout_ms.into());
        self.last_error = error.clone();
        let json = self.metadata();
        self.out.push(Output::Error {
            json: json.clone(),
            error: error.clone(),
        });
        self.finish(json, error);
        Step::Closed
    }

    /// `widget.close()`: closes at once a widget that has not connected;
    /// otherwise asks it to, and waits for its closing events.
    pub fn close(&mut self) -> Step {
        match self.phase {
            Phase::Waiting => {
                self.force_close();
                Step::Closed
            }
            Phase::Connected => {
                self.phase = Phase::Closing;
                Step::AskWidget
            }
            Phase::Closing | Phase::Closed => Step::Nothing,
        }
    }

    /// The widget did not answer `close()` within [`CLOSE_GRACE_MS`]: the
    /// host closes it itself, with `beforeClose` and `onClose`.
    pub fn close_timeout(&mut self) -> Step {
        if self.phase != Phase::Closing {
            return Step::Nothing;
        }
        self.force_close();
        Step::Closed
    }

    fn force_close(&mut self) {
        let json = self.metadata();
        self.out.push(Output::BeforeClose(json.clone()));
        let error = self.last_error.clone();
        self.finish(json, error);
    }

    fn finish(&mut self, json: Value, error: Value) {
        self.phase = Phase::Closed;
        self.out.push(Output::Close { json, error });
    }

    /// `widget.destroy()`: nothing fires from now on.
    pub fn destroy(&mut self) {
        self.phase = Phase::Closed;
        self.out.clear();
    }

    /// The metadata of the host's own `onError` and `onClose`, in the shape of
    /// the widget's (session_id, tracking_id, last_screen, bounced, success,
    /// events_count, error, options, meta), from the events received.
    pub fn metadata(&self) -> Value {
        let last = self.events.last().and_then(|j| Event::from_json(j));
        let current = self.sessions.last();
        let succeeded = current.is_some_and(|s| s.succeeded);
        let mut m = Value::object();
        m.set("session_id", self.session_id().into());
        m.set(
            "tracking_id",
            last.as_ref()
                .and_then(|e| e.event_data.get("tracking_id").cloned())
                .unwrap_or_default(),
        );
        m.set(
            "last_screen",
            last.and_then(|e| e.event_screen).map(Screen::as_str).into(),
        );
        m.set("bounced", (!succeeded).into());
        m.set("success", succeeded.into());
        m.set("events_count", self.events_count.into());
        m.set("error", self.last_error.clone());
        m.set("options", self.options.clone());
        m.set("meta", self.meta.clone());
        m
    }
}

/// Checks one entry of `allowedOrigins`: exactly an origin as browsers report
/// it in `MessageEvent.origin` (`https://host` or `https://host:port`;
/// `http:` only for localhost, 127.0.0.1 and [::1]), lower case, with no
/// default port, path, wildcard or trailing slash. Returns why not.
pub fn check_origin(origin: &str) -> Result<(), &'static str> {
    const CANONICAL: &str = "an origin with a lower-case host and nothing after the host and port (no path or trailing slash)";
    if origin.bytes().any(|b| b == b'*') {
        return Err("an exact origin: wildcards and patterns are not allowed");
    }
    // Scheme, host, port and the loopback rule for http: as for URL options.
    if crate::options::parse_widget_url(origin).is_err() {
        return Err("an https: origin such as \"https://merchant.example\" (http: only for localhost, 127.0.0.1 or [::1])");
    }
    // Then exactly the form a browser reports in `MessageEvent.origin`.
    let (scheme, authority) = text::split_once_str(origin, "://").unwrap_or_default();
    if text::until_any(authority, b"/?#") < authority.len()
        || origin.bytes().any(|b| b.is_ascii_uppercase())
    {
        return Err(CANONICAL);
    }
    let (host, port) = match text::rsplit_once(authority, b':') {
        Some((host, port)) if !authority.ends_with(']') => (host, port),
        _ => (authority, ""),
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(CANONICAL);
        }
    }
    if port.starts_with('0') {
        return Err(CANONICAL);
    }
    let default_port = if scheme == "https" { "443" } else { "80" };
    if port == default_port {
        return Err("an origin as the browser reports it, without the scheme's default port");
    }
    Ok(())
}

/// Whether `origin` is one of `allowed`, compared whole: no prefix, suffix or
/// pattern matching.
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| a == origin)
}
