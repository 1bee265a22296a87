//! The widget session: screens, the connection attempt, network state, timers
//! and the end of the session, as a pure state machine.
//!
//! Every input carries the time and page location as plain values, and every
//! output (events and callback calls) goes into an outbox that the caller
//! drains after it has released its own borrows. Timers are deadlines: the
//! caller schedules one wake-up at [`Session::next_deadline`] and calls
//! [`Session::tick`] when it fires, so a fake clock drives all of it in tests.
//!
//! Layer 3 (sessions, delivery and the bridge; see the crate's documentation): it uses only the layers below it.

use crate::catalog::{self, EventSpec, Source};
use crate::emitted::{landing_event, SEARCH_SCREEN};
use crate::error::Error;
use crate::event::EventFields;
use crate::event::{Event, DATA_EVENT, MAX_EVENT_BYTES};
use crate::ids::IdGen;
use crate::screen::Screen;
use crate::scrub::scrub;
use crate::text::cat;
use crate::time::{iso8601_text, Millis};
use crate::value::Value;

/// How long the user must stay on the search screen before USER_BANK_SEARCH.
pub const SEARCH_ENGAGEMENT_MS: Millis = 5_000;
/// Default connection-attempt limit.
pub const DEFAULT_TIMEOUT_MS: Millis = 120_000;
/// Default time an outage may last before it becomes an error.
pub const DEFAULT_RECONNECT_GRACE_MS: Millis = 15_000;
/// How many of the newest events [`Session::events`] keeps, so a session that
/// emits without end (a widget tracking in a loop) holds bounded memory. A
/// real widget session has a few dozen events.
pub const LOG_LIMIT: usize = 10_000;

/// What the session needs from the validated options.
#[derive(Debug, Clone)]
pub struct Config {
    /// `event_callback_url`, copied into every event.
    pub callback_url: Option<String>,
    /// `timeout`: connection-attempt limit in ms.
    pub timeout_ms: Millis,
    /// `reconnect_grace`: outage limit in ms.
    pub reconnect_grace_ms: Millis,
    /// `options`, echoed in success and close metadata.
    pub options: Value,
    /// `meta`, echoed in success and close metadata.
    pub meta: Value,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            callback_url: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            reconnect_grace_ms: DEFAULT_RECONNECT_GRACE_MS,
            options: Value::object(),
            meta: Value::object(),
        }
    }
}

/// The moment of a call: the time on two clocks, and the page's URL.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Now on the wall clock, in ms since the epoch: what events are stamped
    /// with. It may jump back or forward (NTP, a user changing the time).
    pub now: Millis,
    /// Now on a monotonic clock (`performance.now()`), in ms: what every
    /// wait is measured on, so a wall clock that jumps delays nothing.
    pub mono: Millis,
    /// `location.href`, or `None` outside a page.
    pub location: Option<&'a str>,
}

/// A call the host's callbacks should receive, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `onEvent(event)`.
    Event {
        /// The event as compact JSON: written once, to hold it to
        /// [`MAX_EVENT_BYTES`], and what the log keeps, the entry hands to
        /// `onEvent` and the webhook receives.
        json: String,
        /// Its sequence number in its session.
        sequence: u64,
    },
    /// `onSuccess(data)`.
    Success(Value),
    /// `onError(json, error)`.
    Error {
        /// Session metadata.
        json: Value,
        /// The error as given to `fail`.
        error: Value,
    },
    /// `beforeClose(json)`.
    BeforeClose(Value),
    /// `onClose(json, error)`.
    Close {
        /// Session metadata.
        json: Value,
        /// The last error shown to the user, or null.
        error: Value,
    },
}

impl Output {
    /// For `Output::Event`, the event read back from its JSON.
    pub fn event(&self) -> Option<Event> {
        match self {
            Output::Event { json, .. } => Event::from_json(json),
            _ => None,
        }
    }
}

/// Where the session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    Closed,
    Destroyed,
}

/// The deadlines the session can be waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    Search,
    Attempt,
    Grace,
}

/// One widget session.
#[derive(Debug)]
pub struct Session {
    cfg: Config,
    ids: IdGen,
    session_id: String,
    tracking_id: String,
    /// The newest events as JSON, at most [`LOG_LIMIT`] (a little more
    /// between trims); the last has sequence number `emitted`.
    log: Vec<String>,
    /// Events emitted so far: the last sequence number.
    emitted: u64,
    phase: Phase,
    screen: Option<Screen>,
    screen_details: Value,
    connected: bool,
    succeeded: bool,
    in_attempt: bool,
    offline_since: Option<Millis>,
    search_at: Option<Millis>,
    attempt_at: Option<Millis>,
    grace_at: Option<Millis>,
    last_error: Value,
    out: Vec<Output>,
}

/// Tracked events that send credentials to the bank and wait for its answer.
fn starts_attempt(name: &str) -> bool {
    matches!(name, "USER_LOGIN_ATTEMPTED" | "USER_COMPLETE_MFA")
}

fn object_or_error(value: Value, what: impl FnOnce() -> String) -> Result<Value, Error> {
    match value {
        Value::Null => Ok(Value::object()),
        Value::Object(_) => Ok(value),
        other => Err(Error::InvalidData {
            what: what(),
            reason: cat(&["got ", other.kind()]),
        }),
    }
}

/// The last error as data: `{ type, ...fields }`. `type` is always the
/// event that showed the error; `fields` come from okra-events itself, and a
/// caller's error object goes nested under `error`, so it cannot replace it.
fn error_value(kind: &str, fields: Value) -> Value {
    let mut e = Value::object();
    e.set("type", kind.into());
    if let Value::Object(map) = fields {
        for (k, v) in map {
            if k != "type" {
                e.set(&k, v);
            }
        }
    }
    e
}

impl Session {
    /// Starts a session: emits USER_CONNECTING, and USER_NETWORK_DISCONNECTED
    /// at once when the browser is already offline.
    pub fn new(cfg: Config, seed: [u64; 2], ctx: Ctx, online: bool) -> Session {
        let mut ids = IdGen::new(seed);
        let session_id = ids.uuid_v4();
        let tracking_id = ids.tracking_id();
        let mut s = Session {
            cfg,
            ids,
            session_id,
            tracking_id,
            log: Vec::new(),
            emitted: 0,
            phase: Phase::Open,
            screen: None,
            screen_details: Value::object(),
            connected: false,
            succeeded: false,
            in_attempt: false,
            offline_since: None,
            search_at: None,
            attempt_at: None,
            grace_at: None,
            last_error: Value::Null,
            out: Vec::new(),
        };
        s.emit(ctx, "USER_CONNECTING", Value::object(), false);
        if !online {
            s.offline(ctx);
        }
        s
    }

    /// The session id (UUID v4).
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The tracking id carried in every event's data.
    pub fn tracking_id(&self) -> &str {
        &self.tracking_id
    }

    /// The session's events, oldest first: all of them, or the newest
    /// [`LOG_LIMIT`] or so in a session that emitted more.
    ///
    /// Each is read back from the JSON the log keeps; the engine hands that
    /// JSON on as it is ([`log`](Self::log)).
    pub fn events(&self) -> Vec<Event> {
        self.log
            .iter()
            .filter_map(|j| Event::from_json(j))
            .collect()
    }

    /// The session's events as JSON, oldest first, as
    /// [`events`](Self::events) lists them.
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// The id of the event with this sequence number, if the log still
    /// holds it.
    pub fn event_id(&self, sequence: u64) -> Option<&str> {
        let first = self.emitted + 1 - self.log.len() as u64;
        let json = self
            .log
            .get(usize::try_from(sequence.checked_sub(first)?).ok()?)?;
        crate::event::id_in_json(json)
    }

    /// The screen now shown, if any.
    pub fn current_screen(&self) -> Option<Screen> {
        self.screen
    }

    /// Whether `destroy` was called.
    pub fn is_destroyed(&self) -> bool {
        self.phase == Phase::Destroyed
    }

    /// Takes the callback calls produced since the last call, in order.
    pub fn take_output(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.out)
    }

    /// The earliest pending deadline on the monotonic clock (`Ctx::mono`),
    /// when the caller should call [`tick`](Self::tick).
    pub fn next_deadline(&self) -> Option<Millis> {
        [self.search_at, self.attempt_at, self.grace_at]
            .into_iter()
            .flatten()
            .min()
    }

    fn ensure_open(&self, method: &'static str) -> Result<(), Error> {
        match self.phase {
            Phase::Open => Ok(()),
            Phase::Closed => Err(Error::Closed(method)),
            Phase::Destroyed => Err(Error::Destroyed(method)),
        }
    }

    /// A screen transition. Emits USER_CONNECTED on the first one and the
    /// screen's landing event, if it has one. `details` describe the screen
    /// and are added to the data of every event emitted while it is shown.
    pub fn screen(&mut self, ctx: Ctx, screen: Screen, details: Value) -> Result<(), Error> {
        self.ensure_open("screen")?;
        let details = object_or_error(details, || {
            cat(&["screen(\"", screen.as_str(), "\", details) details"])
        })?;
        let landing = landing_event(screen);
        let measure = details.as_object().is_some_and(|m| !m.is_empty());
        let previous = (
            self.screen.replace(screen),
            std::mem::replace(&mut self.screen_details, details),
        );
        if measure {
            // The details ride along on every event emitted on this screen.
            // Measure the biggest this call emits (a landing event is bigger
            // than USER_CONNECTED) or, when it emits none, the USER_APP_CLOSE
            // that carries them if the widget closes here.
            let (biggest, ahead) = match landing {
                Some(name) => (name, u64::from(!self.connected)),
                None if self.connected => ("USER_APP_CLOSE", 0),
                None => ("USER_CONNECTED", 0),
            };
            self.emitted += ahead;
            let size = self.push_event(ctx, biggest, Value::Null, false, 0);
            self.emitted -= ahead;
            if size > MAX_EVENT_BYTES {
                (self.screen, self.screen_details) = previous;
                return Err(Error::EventTooLarge {
                    call: "screen(name, details)",
                    event: biggest,
                    size,
                });
            }
        }
        // The widget moved on, so the bank answered the attempt.
        self.end_attempt();
        self.search_at = (screen == SEARCH_SCREEN).then_some(ctx.mono + SEARCH_ENGAGEMENT_MS);
        if !self.connected {
            self.connected = true;
            self.emit(ctx, "USER_CONNECTED", Value::object(), false);
        }
        if let Some(name) = landing {
            self.emit(ctx, name, Value::object(), false);
        }
        Ok(())
    }

    /// An event the widget observed. Names are case-insensitive; events that
    /// okra-events emits by itself are refused with the call that emits them.
    pub fn track(&mut self, ctx: Ctx, name: &str, data: Value) -> Result<(), Error> {
        if self.phase == Phase::Destroyed {
            return Err(Error::Destroyed("track"));
        }
        let spec: &EventSpec = catalog::lookup(name)?;
        if let Source::Automatic(how) = spec.source {
            return Err(Error::NotTrackable {
                name: spec.name,
                how,
            });
        }
        if self.phase == Phase::Closed && spec.name != "USER_APP_REDIRECT" {
            return Err(Error::Closed("track"));
        }
        let data = object_or_error(data, || cat(&["track(\"", spec.name, "\", data) data"]))?;
        self.emit_within_limit(ctx, "track(name, data)", spec.name, data, false)?;
        if starts_attempt(spec.name) {
            self.in_attempt = true;
            self.attempt_at = Some(ctx.mono + self.cfg.timeout_ms);
        }
        Ok(())
    }

    /// The account was linked: USER_CONNECTION_SUCCESSFUL, then `onSuccess`
    /// with the data in the widget's documented shape.
    pub fn success(&mut self, ctx: Ctx, data: Value) -> Result<(), Error> {
        self.ensure_open("success")?;
        if self.succeeded {
            return Err(Error::AlreadySucceeded);
        }
        let mut data = object_or_error(data, || "success(data) data".to_owned())?;
        let mut fields = Value::object();
        for key in ["record_id", "bank_id", "customer_id"] {
            if let Some(v @ (Value::String(_) | Value::Number(_))) = data.get(key) {
                fields.set(key, v.clone());
            }
        }
        self.emit_within_limit(
            ctx,
            "success(data)",
            "USER_CONNECTION_SUCCESSFUL",
            fields,
            false,
        )?;
        self.end_attempt();
        self.succeeded = true;
        for (key, default) in [
            ("auth", Value::Null),
            ("income", Value::Null),
            ("identity", Value::Null),
            ("error", Value::Null),
            ("payment_authorization", Value::Null),
            ("authorization_id", Value::Null),
            ("authorizationId", Value::Null),
            ("done", true.into()),
            ("accounts", Value::Array(Vec::new())),
            ("record_id", Value::Null),
            ("record", Value::Null),
            ("bank_id", Value::Null),
            ("customer_id", Value::Null),
            ("balance", Value::Null),
            ("transactions", Value::Null),
            ("launchAgain", false.into()),
            ("hideExit", false.into()),
        ] {
            data.set_default(key, default);
        }
        data.set("options", self.cfg.options.clone());
        data.set("meta", self.cfg.meta.clone());
        data.set("success", true.into());
        self.out.push(Output::Success(data));
        Ok(())
    }

    /// The connection failed: USER_CONNECTION_FAILED (with error), then `onError`.
    pub fn fail(&mut self, ctx: Ctx, error: Value) -> Result<(), Error> {
        self.ensure_open("fail")?;
        let mut error = match error {
            Value::Null => Value::object(),
            Value::String(message) => {
                let mut e = Value::object();
                e.set("message", message.into());
                e
            }
            Value::Object(_) => error,
            other => {
                let mut e = Value::object();
                e.set("message", other);
                e
            }
        };
        scrub(&mut error);
        let mut fields = Value::object();
        fields.set("error", error.clone());
        self.emit_within_limit(
            ctx,
            "fail(error)",
            "USER_CONNECTION_FAILED",
            fields.clone(),
            true,
        )?;
        self.end_attempt();
        self.last_error = error_value("USER_CONNECTION_FAILED", fields);
        let json = self.metadata();
        self.out.push(Output::Error { json, error });
        Ok(())
    }

    /// The widget closes: `beforeClose`, USER_BOUNCE unless the account was
    /// linked, USER_APP_CLOSE, then `onClose`. A second close does nothing.
    pub fn close(&mut self, ctx: Ctx) -> Result<(), Error> {
        match self.phase {
            Phase::Closed => return Ok(()),
            Phase::Destroyed => return Err(Error::Destroyed("close")),
            Phase::Open => {}
        }
        // beforeClose describes the session as it is about to close.
        let mut before = self.metadata();
        before.set("bounced", (!self.succeeded).into());
        self.out.push(Output::BeforeClose(before));
        self.end_attempt();
        if !self.succeeded {
            self.emit(ctx, "USER_BOUNCE", Value::object(), false);
        }
        self.emit(ctx, "USER_APP_CLOSE", Value::object(), false);
        self.phase = Phase::Closed;
        self.search_at = None;
        self.grace_at = None;
        let json = self.metadata();
        let error = self.last_error.clone();
        self.out.push(Output::Close { json, error });
        Ok(())
    }

    /// Stops everything: no deadline stays pending and later calls are errors.
    pub fn destroy(&mut self) {
        self.phase = Phase::Destroyed;
        self.search_at = None;
        self.attempt_at = None;
        self.grace_at = None;
    }

    /// The browser went offline.
    pub fn offline(&mut self, ctx: Ctx) {
        if self.phase != Phase::Open || self.offline_since.is_some() {
            return;
        }
        self.offline_since = Some(ctx.mono);
        self.grace_at = Some(ctx.mono + self.cfg.reconnect_grace_ms);
        // An attempt in flight cannot get its answer: the user sees an error.
        let with_error = self.in_attempt;
        let mut fields = Value::object();
        fields.set("during_attempt", with_error.into());
        if with_error {
            self.end_attempt();
            self.last_error = error_value("USER_NETWORK_DISCONNECTED", fields.clone());
        }
        self.emit(ctx, "USER_NETWORK_DISCONNECTED", fields, with_error);
    }

    /// The browser is back online.
    pub fn online(&mut self, ctx: Ctx) {
        if self.phase != Phase::Open {
            return;
        }
        let Some(since) = self.offline_since.take() else {
            return;
        };
        self.grace_at = None;
        let mut fields = Value::object();
        fields.set("offline_ms", ctx.mono.saturating_sub(since).into());
        self.emit(ctx, "USER_NETWORK_RECONNECTED", fields, false);
    }

    /// Fires every deadline that is due at `ctx.mono`, earliest first.
    pub fn tick(&mut self, ctx: Ctx) {
        loop {
            let due = [
                (self.search_at, Timer::Search),
                (self.attempt_at, Timer::Attempt),
                (self.grace_at, Timer::Grace),
            ]
            .into_iter()
            .filter_map(|(at, t)| at.filter(|&at| at <= ctx.mono).map(|at| (at, t)))
            .min_by_key(|&(at, _)| at);
            let Some((_, timer)) = due else { return };
            match timer {
                Timer::Search => {
                    self.search_at = None;
                    let mut fields = Value::object();
                    fields.set("engaged_ms", SEARCH_ENGAGEMENT_MS.into());
                    self.emit(ctx, "USER_BANK_SEARCH", fields, false);
                }
                Timer::Attempt => {
                    self.end_attempt();
                    let mut fields = Value::object();
                    fields.set("reason", "attempt".into());
                    fields.set("timeout_ms", self.cfg.timeout_ms.into());
                    self.timeout(ctx, fields);
                }
                Timer::Grace => {
                    self.grace_at = None;
                    let since = self.offline_since.unwrap_or(ctx.mono);
                    let mut fields = Value::object();
                    fields.set("reason", "offline".into());
                    fields.set("offline_ms", ctx.mono.saturating_sub(since).into());
                    self.timeout(ctx, fields);
                }
            }
        }
    }

    fn timeout(&mut self, ctx: Ctx, fields: Value) {
        self.last_error = error_value("USER_TIMEOUT", fields.clone());
        self.emit(ctx, "USER_TIMEOUT", fields, true);
    }

    fn end_attempt(&mut self) {
        self.in_attempt = false;
        self.attempt_at = None;
    }

    /// The metadata object given to `onError`, `beforeClose` and `onClose`.
    pub fn metadata(&self) -> Value {
        let mut m = Value::object();
        m.set("session_id", self.session_id.as_str().into());
        m.set("tracking_id", self.tracking_id.as_str().into());
        m.set("last_screen", self.screen.map(Screen::as_str).into());
        m.set(
            "bounced",
            (self.phase != Phase::Open && !self.succeeded).into(),
        );
        m.set("success", self.succeeded.into());
        m.set("events_count", self.emitted.into());
        m.set("error", self.last_error.clone());
        m.set("options", self.cfg.options.clone());
        m.set("meta", self.cfg.meta.clone());
        m
    }

    /// Emits an event okra-events makes by itself. Nobody could be told of a
    /// refusal, so it is never refused: its own fields are small, and when the
    /// screen's details would push it over the limit (`screen()` measured them
    /// on a slightly smaller event), it goes without them.
    fn emit(&mut self, ctx: Ctx, name: &'static str, fields: Value, with_error: bool) {
        let size = self.push_event(ctx, name, fields.clone(), with_error, MAX_EVENT_BYTES);
        if size > MAX_EVENT_BYTES {
            let details = std::mem::take(&mut self.screen_details);
            self.push_event(ctx, name, fields, with_error, usize::MAX);
            self.screen_details = details;
        }
    }

    /// Emits an event that a caller's data went into, or refuses it, naming
    /// `call`, when its JSON would be over [`MAX_EVENT_BYTES`]: nothing is
    /// emitted then, and no sequence number is taken.
    fn emit_within_limit(
        &mut self,
        ctx: Ctx,
        call: &'static str,
        name: &'static str,
        fields: Value,
        with_error: bool,
    ) -> Result<(), Error> {
        let size = self.push_event(ctx, name, fields, with_error, MAX_EVENT_BYTES);
        if size > MAX_EVENT_BYTES {
            return Err(Error::EventTooLarge {
                call,
                event: name,
                size,
            });
        }
        Ok(())
    }

    /// Builds the next event on the current screen with its details and
    /// writes it as JSON; emits it only when that is at most `limit` bytes,
    /// so an event that is refused never takes a sequence number. Returns
    /// the size either way.
    fn push_event(
        &mut self,
        ctx: Ctx,
        name: &'static str,
        fields: Value,
        with_error: bool,
        limit: usize,
    ) -> usize {
        let spec = catalog::spec(name);
        // The screen's details, then the event's own fields over them (a
        // repeated key keeps its first place and its last value, as
        // everywhere else), then the tracking id in front, which neither can
        // replace. The fields are moved, not copied: this runs for every
        // event.
        let mut map = match &self.screen_details {
            Value::Object(details) => details.clone(),
            _ => Vec::new(),
        };
        if let Value::Object(own) = fields {
            if map.is_empty() {
                map = own;
            } else {
                map.extend(own);
            }
        }
        crate::value::merge_duplicate_keys(&mut map);
        map.retain(|(k, _)| k != "tracking_id");
        let mut data = Value::Object(map);
        scrub(&mut data);
        if let Value::Object(map) = &mut data {
            let id = ("tracking_id".to_owned(), self.tracking_id.as_str().into());
            map.insert(0, id);
        }
        let sequence = self.emitted + 1;
        let mut text = String::with_capacity(512);
        crate::event::write_event_fields(
            &mut text,
            &EventFields {
                event: true,
                name,
                event_type: DATA_EVENT,
                category: spec.category.as_str(),
                screen: self.screen.map(Screen::as_str),
                time: iso8601_text(ctx.now).as_str(),
                location: ctx.location,
                callback_url: self.cfg.callback_url.as_deref(),
                data: &data,
                with_error,
                event_id: self.ids.uuid_v7_text(ctx.now).as_str(),
                session_id: &self.session_id,
                sequence,
            },
        );
        let size = text.len();
        if size <= limit {
            self.emitted = sequence;
            // Trim in chunks, so keeping the log bounded costs O(1) per event.
            if self.log.len() >= LOG_LIMIT + LOG_LIMIT / 10 {
                self.log.drain(..self.log.len() - LOG_LIMIT);
            }
            self.log.push(text.clone());
            self.out.push(Output::Event {
                json: text,
                sequence,
            });
        }
        size
    }
}
