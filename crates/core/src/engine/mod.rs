//! The engine behind the npm package: every handler, webhook sender and host
//! link on a page, driven through one narrow call.
//!
//! The JavaScript entry owns what only JavaScript can hold: the callbacks,
//! listeners, timers, storage, requests and the bridge's ports. Everything
//! that decides lives here. The entry calls [`Engine::call`] with an op code,
//! a handle, the time on both clocks and two strings, and gets back one
//! string of records (see [`out`]), so the wasm boundary is a single export
//! taking numbers and strings.
//!
//! Records the engine writes (tag, id, fields):
//!
//! | tag | id | fields | the entry |
//! |---|---|---|---|
//! | `=` | 0 | values | the call's return value |
//! | `!` | 0 | `T` or `E`, message as JSON (, type, option) | throws `TypeError` or `Error` (refusals also call `onError`) |
//! | `e` | handle | storage key or empty, event JSON | stores the event under the key, then `onEvent(event)` |
//! | `s` | handle | data | `onSuccess(data)` |
//! | `f` | handle | json, error | `onError(json, error)`, with `fail`'s own `Error` object when it had one |
//! | `r` | handle | json, error | `onError(json, error)` for a delivery problem |
//! | `b` | handle | json | `beforeClose(json)` |
//! | `c` | handle | json, error | `onClose(json, error)` |
//! | `d` | handle | report | `onDelivery(report)` |
//! | `t` | handle | ms, or empty | arms the handler's one timer (op [`TICK`]), or clears it |
//! | `z` | 0 | error | `console.error` for a session with no handler here |
//! | `p` | sender | body | POSTs the body; answers with op [`ANSWER`] |
//! | `w` | sender | ms | wakes the sender (op [`WAKE`]) after ms |
//! | `k` | sender | body | `sendBeacon`s the body, stopping at the first refusal |
//! | `x` | sender | key | removes the delivered event, and tells other tabs |
//! | `m` | sender | key, status | removes the stored event the webhook refused, and tells other tabs |
//! | `n` | sender | url, stored | a new sender: asks for its send lock when events are stored |
//! | `l` | sender | | scans storage again and answers with op [`LEAD`] |
//! | `o` | sender | session, ended | tells other tabs that a session's events wait (op [`WAITING`]) |
//!
//! Layer 4 (the engine; see the crate's documentation): it uses only the layers below it.

pub mod input;
pub mod out;
pub mod sender;

use crate::bridge::{
    decode_host_message, encode_bare, origin_allowed, HostMessage, MAX_MESSAGE_BYTES,
};
use crate::catalog::CATALOG;
use crate::json;
use crate::screen::Screen;
use crate::session::{Ctx, Output, Session};
use crate::text;
use crate::time::Millis;
use crate::{Error, Value};
use out::Out;
use sender::{Notice, Report, Sender, Settled};

/// Op: the page's `location.href` changed (`a`; `b` is `1` when there is one).
pub const LOCATION: u32 = 0;
/// Op: a same-page handler from described options (`a`) and flags (`b`).
pub const OPEN: u32 = 1;
/// Op: `screen(a, b)`.
pub const SCREEN: u32 = 2;
/// Op: `track(a, b)`.
pub const TRACK: u32 = 3;
/// Op: `success(b)`.
pub const SUCCESS: u32 = 4;
/// Op: `fail(b)`.
pub const FAIL: u32 = 5;
/// Op: `close()`.
pub const CLOSE: u32 = 6;
/// Op: `destroy()`.
pub const DESTROY: u32 = 7;
/// Op: the handler's window went online.
pub const ONLINE: u32 = 8;
/// Op: the handler's window went offline.
pub const OFFLINE: u32 = 9;
/// Op: the handler's timer fired.
pub const TICK: u32 = 10;
/// Op: `pending()`.
pub const PENDING: u32 = 11;
/// Op: events from index `a`, as a JSON array of at most about 64 KiB.
pub const EVENTS: u32 = 12;
/// Op: the handler object was garbage-collected.
pub const FREE: u32 = 13;
/// Op: the page's store turned out to be `a`: `l` localStorage, `0` none
/// (IndexedDB could not open after all); senders and their sessions hear.
pub const STORAGE: u32 = 19;
/// Op: the sender for URL `a`, made if new; `b` is `1` when events are
/// stored in IndexedDB, `l` in localStorage, else `0`.
pub const SENDER: u32 = 20;
/// Op: the sender holds the lock; `a` is what storage holds for its URL.
pub const LEAD: u32 = 21;
/// Op: the request in flight was answered: `a` is the status and a random
/// jitter, `b` the `Retry-After` header.
pub const ANSWER: u32 = 22;
/// Op: another tab stored event `a` with JSON `b`.
pub const ADOPT: u32 = 23;
/// Op: another tab settled stored event `a`; `b` is the refusal's status,
/// or empty for a delivery.
pub const SETTLED: u32 = 24;
/// Op: the sender's wake-up fired.
pub const WAKE: u32 = 25;
/// Op: the page is going away: hand every queue to `sendBeacon`.
pub const FLUSH: u32 = 26;
/// Op: the entry could not store event `a`.
pub const UNSTORED: u32 = 27;
/// Op: the page went online: every sender sends now.
pub const RESUME: u32 = 28;
/// Op: the tab that sends for a webhook says session `a`'s stored events
/// wait for room in its queue (`b` is `0`), or are being taken (`1`).
pub const WAITING: u32 = 29;
/// Op: checks a host's described options `a` (`b` is `1` when there is a
/// document to open the widget in); the root entry's host mode.
pub const HOST: u32 = 30;
/// Op: `connectToHost`'s link from described options `a`; `b` says where
/// the page runs: framed (`b[0]` is `1`), and with a React Native WebView's
/// bridge (`b[1]` is `1`). That, never a message, decides the transport.
pub const LINK: u32 = 40;
/// Op: message `a` from origin `b` (empty from an app): the host's `ack`, or
/// on an app's link once connected, its close request? A link accepts one
/// `ack`, ever.
pub const LINK_ACCEPT: u32 = 41;
/// Op: is port message `a` the host's close request?
pub const LINK_CLOSE: u32 = 42;
/// Op: the catalog as a JSON array.
pub const CATALOG_OP: u32 = 50;

/// Set on an op whose first argument was not a string; `a` then describes it.
pub const NOT_A_STRING: u32 = 0x100;
/// Set on every op while `navigator.onLine` is false: senders do not send.
pub const OFFLINE_NOW: u32 = 0x200;

/// Most bytes of event JSON [`EVENTS`] returns in one call, so a large log
/// never needs its whole JSON in linear memory at once (wasm memory never
/// shrinks).
const EVENTS_CHUNK: usize = 16 * 1024;

/// One same-page handler.
#[derive(Debug)]
struct Slot {
    session: Session,
    sender: Option<usize>,
    started: Millis,
    timer: Option<Millis>,
}

/// One `connectToHost` link: who may answer it, and whether one has.
#[derive(Debug)]
struct Link {
    /// The exact origins of the pages that may host the widget in a frame.
    allowed: Vec<String>,
    /// Whether the host is the React Native app around the page, which
    /// has no origin and no port: its messages come on the page's window.
    native: bool,
    /// Whether a host's `ack` was accepted: a link connects once.
    connected: bool,
}

/// Every handler, sender and link on the page.
#[derive(Debug, Default)]
pub struct Engine {
    location: Option<String>,
    online: bool,
    handlers: Vec<Option<Slot>>,
    senders: Vec<Sender>,
    links: Vec<Link>,
    out: Out,
}

/// A call's time, on both clocks.
#[derive(Debug, Clone, Copy)]
struct Now {
    wall: Millis,
    mono: Millis,
}

/// JS numbers to milliseconds; a negative or NaN time reads as 0.
fn ms(n: f64) -> Millis {
    if n > 0.0 {
        n as Millis
    } else {
        0
    }
}

fn flag(b: &str, at: usize) -> bool {
    b.as_bytes().get(at) == Some(&b'1')
}

/// 32 hex digits to the session's random seed.
fn seed(hex: &str) -> [u64; 2] {
    let word = |s: &str| u64::from_str_radix(s, 16).unwrap_or(0);
    [
        word(hex.get(..16).unwrap_or("")),
        word(hex.get(16..32).unwrap_or("")),
    ]
}

/// A window or port message's text, if it is text of at most
/// [`MAX_MESSAGE_BYTES`] (the entry passes anything else as empty).
fn message(text: &str) -> Option<&str> {
    (!text.is_empty() && text.len() <= MAX_MESSAGE_BYTES).then_some(text)
}

impl Engine {
    /// An engine with no handlers yet.
    pub fn new() -> Engine {
        Engine {
            online: true,
            ..Engine::default()
        }
    }

    /// Runs one op and returns its records.
    pub fn call(&mut self, op: u32, id: u32, now: f64, mono: f64, a: &str, b: &str) -> String {
        let t = Now {
            wall: ms(now),
            mono: ms(mono),
        };
        let bad_arg = op & NOT_A_STRING != 0;
        self.online = op & OFFLINE_NOW == 0;
        let result = self.run(op & 0xff, id as usize, t, a, b, bad_arg);
        if let Err(e) = result {
            // The error goes first, so the entry throws it after the callbacks.
            let mut text = String::from("!\t0\t");
            text.push(if e.is_type_error() { 'T' } else { 'E' });
            text.push('\t');
            json::write_str(&mut text, &e.message());
            let rest = self.out.take();
            if !rest.is_empty() {
                text.push('\n');
                text.push_str(&rest);
            }
            return text;
        }
        self.out.take()
    }

    fn run(
        &mut self,
        op: u32,
        id: usize,
        t: Now,
        a: &str,
        b: &str,
        bad_arg: bool,
    ) -> Result<(), Error> {
        match op {
            LOCATION => self.location = flag(b, 0).then(|| a.to_owned()),
            OPEN => self.open(t, a, b)?,
            SCREEN | TRACK | SUCCESS | FAIL | CLOSE => self.method(op, id, t, a, b, bad_arg)?,
            DESTROY => {
                if let Some(slot) = self.slot(id) {
                    slot.session.destroy();
                    slot.timer = None;
                }
                if let Some(s) = self.slot(id).and_then(|s| s.sender) {
                    let online = self.online;
                    self.senders[s].pump(online, t.mono, t.wall, &mut self.out);
                }
            }
            ONLINE | OFFLINE => {
                self.step(id, t, |s, ctx| {
                    if op == ONLINE {
                        s.online(ctx)
                    } else {
                        s.offline(ctx)
                    }
                    Ok(())
                })?;
            }
            RESUME => {
                for s in &mut self.senders {
                    s.resume(t.mono, t.wall, &mut self.out);
                }
            }
            TICK => {
                if let Some(slot) = self.slot(id) {
                    slot.timer = None;
                }
                self.step(id, t, |s, ctx| {
                    s.tick(ctx);
                    Ok(())
                })?;
            }
            PENDING => {
                let n = self.pending(id);
                self.out.tag('=', 0).num(n);
            }
            EVENTS => {
                let from = text::whole(a).unwrap_or(0);
                let events = self
                    .handlers
                    .get(id.wrapping_sub(1))
                    .and_then(Option::as_ref)
                    .map(|s| s.session.log());
                events_chunk(&mut self.out, events.unwrap_or(&[]), from);
            }
            FREE => {
                if let Some(slot) = self.handlers.get_mut(id.wrapping_sub(1)) {
                    *slot = None;
                }
            }
            STORAGE => {
                let local = a == "l";
                let online = self.online;
                for s in 0..self.senders.len() {
                    let Some(report) = self.senders[s].downgrade(local) else {
                        continue;
                    };
                    let ids: Vec<usize> = (0..self.handlers.len())
                        .filter(|&i| {
                            self.handlers[i]
                                .as_ref()
                                .is_some_and(|h| h.sender == Some(s))
                        })
                        .map(|i| i + 1)
                        .collect();
                    for h in ids {
                        self.report_to(h, &report);
                    }
                    self.senders[s].pump(online, t.mono, t.wall, &mut self.out);
                }
            }
            SENDER => {
                let (s, _) = self.sender(a, b.as_bytes().first().copied().unwrap_or(b'0'));
                self.out.tag('=', 0).num(s as u64);
            }
            LEAD => {
                let mut found = Vec::new();
                text::each_piece(a, b'\n', |line| {
                    if let Some((k, j)) = text::split_once(line, b'\t') {
                        found.push((k.to_owned(), j.to_owned()));
                    }
                });
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.lead(found, online, t.mono, t.wall, &mut self.out);
                }
            }
            ANSWER => {
                // `a`: the status, a space, and a random number in [0, 1e6)
                // for the backoff's jitter.
                let (status, jitter) = text::split_once(a, b' ').unwrap_or((a, "0"));
                let status = text::whole(status).unwrap_or(0);
                let jitter = text::whole::<u32>(jitter).unwrap_or(0) as f64 / 1e6;
                let retry = (!b.is_empty()).then_some(b);
                let mut notices = Vec::new();
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.answered(
                        status,
                        retry,
                        jitter,
                        online,
                        t.mono,
                        t.wall,
                        &mut self.out,
                        &mut notices,
                    );
                }
                self.notify(notices);
            }
            ADOPT => {
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.adopt(
                        a.to_owned(),
                        b.to_owned(),
                        online,
                        t.mono,
                        t.wall,
                        &mut self.out,
                    );
                }
            }
            SETTLED => {
                let state = match text::whole(b) {
                    Some(status) => Settled::Rejected(status),
                    None => Settled::Delivered,
                };
                let session = sender::session_of(a);
                let local = self
                    .handlers
                    .iter()
                    .flatten()
                    .any(|h| h.session.session_id() == session);
                let mut notices = Vec::new();
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.settled_elsewhere(a, state, local, &mut notices);
                    // Events this page could not store may be at the front
                    // now: nothing else would wake the queue to send them.
                    s.pump(online, t.mono, t.wall, &mut self.out);
                }
                self.notify(notices);
            }
            WAKE => {
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.wake(online, t.mono, t.wall, &mut self.out);
                }
            }
            FLUSH => {
                for s in &mut self.senders {
                    s.flush(t.wall, &mut self.out);
                }
            }
            WAITING => {
                let report = Report::Waiting { ended: flag(b, 0) };
                for h in self.handlers_of(|sid| sid == a) {
                    self.report_to(h, &report);
                }
            }
            UNSTORED => {
                let mut notices = Vec::new();
                let online = self.online;
                if let Some(s) = self.senders.get_mut(id) {
                    s.unstored(a, &mut notices);
                    // This page may now send it, lock or not.
                    s.pump(online, t.mono, t.wall, &mut self.out);
                }
                self.notify(notices);
            }
            HOST => {
                let opts = json::parse(a).unwrap_or_default();
                input::check_host(&opts).map_err(|e| refusal(&mut self.out, e))?;
                if !flag(b, 0) {
                    return Err(refusal(&mut self.out, Error::NoWindow));
                }
            }
            LINK => {
                let opts = json::parse(a).unwrap_or_default();
                let parsed = input::parse_link(&opts).map_err(|e| refusal(&mut self.out, e))?;
                // In a frame, the page that framed it is the host, even inside
                // an app; outside one, only an app the page allows.
                let native = match (flag(b, 0), flag(b, 1)) {
                    (true, _) => false,
                    (false, true) if parsed.allow_native_host => true,
                    (false, app) => return Err(refusal(&mut self.out, Error::NoHost { app })),
                };
                self.links.push(Link {
                    allowed: parsed.allowed_origins,
                    native,
                    connected: false,
                });
                let bare = |k| encode_bare(k);
                self.out
                    .tag('=', 0)
                    .num(self.links.len() as u64)
                    .num(parsed.widget_timeout_ms)
                    .str(&bare("syn"))
                    .str(&bare("ready"))
                    .str(if native { "n" } else { "f" });
            }
            LINK_ACCEPT => {
                let link = self.links.get_mut(id.wrapping_sub(1));
                let answer = match (link, message(a).and_then(decode_host_message)) {
                    (Some(link), Some(HostMessage::Ack { options })) if !link.connected => {
                        // An app has no origin: allowNativeHost chose it.
                        if link.native || origin_allowed(&link.allowed, b) {
                            link.connected = true;
                            let mut text = String::from("o\t");
                            json::write_value(&mut text, &options);
                            text
                        } else {
                            "n".into()
                        }
                    }
                    // A frame's host closes on its port (LINK_CLOSE); an app's
                    // on the one channel it has, and only once connected.
                    (Some(link), Some(HostMessage::Close)) if link.native && link.connected => {
                        "c".into()
                    }
                    _ => "u".into(),
                };
                self.out.tag('=', 0).str(&answer);
            }
            LINK_CLOSE => {
                let yes = message(a)
                    .and_then(decode_host_message)
                    .is_some_and(|m| m == HostMessage::Close);
                self.out.tag('=', 0).num(u64::from(yes));
            }
            CATALOG_OP => {
                let text = catalog_json();
                self.out.tag('=', 0).str(&text);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Writes an options error for the entry to throw, and the `?` record it
/// passes to `onError` as `{ error: { type, option?, message } }`.
fn refusal(out: &mut Out, e: Error) -> Error {
    let kind = match e {
        Error::NoWindow => "NO_WINDOW",
        Error::NoHost { .. } => "NOT_FRAMED",
        _ => "INVALID_OPTIONS",
    };
    out.tag('?', 0).str(kind);
    if let Error::InvalidOption { option, .. } = &e {
        out.str(option);
    }
    e
}

/// Writes the callback records of a session's or a host's outputs.
fn write_outputs(out: &mut Out, id: u32, outputs: Vec<Output>) {
    for output in outputs {
        match output {
            Output::Event { json, .. } => {
                out.tag('e', id).str("").str(&json);
            }
            Output::Success(data) => {
                out.tag('s', id).json(&data);
            }
            Output::Error { json, error } => {
                out.tag('f', id).json(&json).json(&error);
            }
            Output::BeforeClose(json) => {
                out.tag('b', id).json(&json);
            }
            Output::Close { json, error } => {
                out.tag('c', id).json(&json).json(&error);
            }
        }
    }
}

/// Writes the return record of events from index `from`: a JSON array of
/// at most about [`EVENTS_CHUNK`] bytes (at least one event when any
/// remain), straight into the records, so reading a large log never needs
/// more than one small buffer in linear memory (wasm memory never shrinks).
fn events_chunk(out: &mut Out, events: &[String], from: usize) {
    out.tag('=', 0).str("[");
    let start = out.len();
    for e in events.iter().skip(from) {
        if out.len() - start > EVENTS_CHUNK {
            break;
        }
        if out.len() > start {
            out.push(',');
        }
        out.text_mut().push_str(e);
    }
    out.push(']');
}

/// The catalog: `[{ name, category, screen, description }]`.
fn catalog_json() -> String {
    let list = CATALOG
        .iter()
        .map(|e| {
            let mut o = Value::object();
            o.set("name", e.name.into());
            o.set("category", e.category.as_str().into());
            o.set("screen", e.screen.map(Screen::as_str).into());
            o.set("description", e.description.into());
            o
        })
        .collect();
    json::to_string(&Value::Array(list))
}

impl Engine {
    fn slot(&mut self, id: usize) -> Option<&mut Slot> {
        self.handlers.get_mut(id.wrapping_sub(1))?.as_mut()
    }

    /// The page's sender for `url`, made on first use. Returns its index
    /// and whether it is new.
    fn sender(&mut self, url: &str, store: u8) -> (usize, bool) {
        if let Some(i) = self.senders.iter().position(|s| s.url() == url) {
            return (i, false);
        }
        let i = self.senders.len();
        let stored = store == b'1' || store == b'l';
        self.senders
            .push(Sender::new(i as u32, url, stored, store == b'l'));
        self.out.tag('n', i as u32).str(url).num(u64::from(stored));
        (i, true)
    }

    fn open(&mut self, t: Now, a: &str, b: &str) -> Result<(), Error> {
        let opts = json::parse(a).unwrap_or_default();
        let config = input::parse(&opts).map_err(|e| refusal(&mut self.out, e))?;
        // `b`: 32 hex digits of seed, then online, window and storage flags.
        if !flag(b, 33) {
            return Err(refusal(&mut self.out, Error::NoWindow));
        }
        let url = config.callback_url.clone();
        let ctx = Ctx {
            now: t.wall,
            mono: t.mono,
            location: self.location.as_deref(),
        };
        let session = Session::new(config, seed(b), ctx, flag(b, 32));
        let store = b.as_bytes().get(34).copied().unwrap_or(b'0');
        let sender = url.map(|u| self.sender(&u, store).0);
        let h = self.handlers.len() + 1;
        self.out
            .tag('=', 0)
            .num(h as u64)
            .str(session.session_id())
            .str(session.tracking_id())
            .num(sender.map_or(0, |s| s as u64 + 1));
        self.handlers.push(Some(Slot {
            session,
            sender,
            started: t.wall,
            timer: None,
        }));
        self.after(h, t);
        if let Some(s) = sender {
            if self.senders[s].memory_only() {
                self.report_to(h, &Report::StorageUnavailable);
            } else if self.senders[s].degraded() {
                self.report_to(h, &Report::StorageDegraded);
            }
        }
        Ok(())
    }

    fn method(
        &mut self,
        op: u32,
        id: usize,
        t: Now,
        a: &str,
        b: &str,
        bad_arg: bool,
    ) -> Result<(), Error> {
        let method = match op {
            SCREEN => "screen",
            TRACK => "track",
            SUCCESS => "success",
            FAIL => "fail",
            _ => "close",
        };
        if self.slot(id).is_none() {
            // Freed (`handler.free()`): as after destroy(), every call throws.
            return Err(Error::Destroyed(method));
        }
        if bad_arg {
            return Err(Error::InvalidArgument {
                method,
                expected: if op == SCREEN {
                    "a screen name string"
                } else {
                    "an event name string"
                },
                given: a.to_owned(),
            });
        }
        match op {
            SCREEN => {
                let screen = Screen::parse(a)?;
                let details = input::data(b, &["screen(\"", a, "\", details) details"])?;
                self.step(id, t, |s, ctx| s.screen(ctx, screen, details))
            }
            TRACK => {
                let data = input::data(b, &["track(\"", a, "\", data) data"])?;
                self.step(id, t, |s, ctx| s.track(ctx, a, data))
            }
            SUCCESS => {
                let data = input::data(b, &["success(data) data"])?;
                self.step(id, t, |s, ctx| s.success(ctx, data))
            }
            FAIL => {
                let error = input::data(b, &["fail(error) error"])?;
                self.step(id, t, |s, ctx| s.fail(ctx, error))
            }
            _ => self.step(id, t, |s, ctx| s.close(ctx)),
        }
    }

    /// Runs one step of a handler's session with the current time and
    /// location, then writes its timer and callback records.
    fn step(
        &mut self,
        id: usize,
        t: Now,
        f: impl FnOnce(&mut Session, Ctx) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let Some(slot) = self
            .handlers
            .get_mut(id.wrapping_sub(1))
            .and_then(Option::as_mut)
        else {
            return Ok(());
        };
        let ctx = Ctx {
            now: t.wall,
            mono: t.mono,
            location: self.location.as_deref(),
        };
        let result = f(&mut slot.session, ctx);
        self.after(id, t);
        result
    }

    /// After a step: keep exactly one timer for the session's earliest
    /// deadline, queue its events for the webhook, and write its callbacks.
    fn after(&mut self, id: usize, t: Now) {
        let Some(slot) = self.handlers.get_mut(id - 1).and_then(Option::as_mut) else {
            return;
        };
        let next = slot.session.next_deadline();
        if slot.timer != next {
            slot.timer = next;
            self.out.tag('t', id as u32);
            match next {
                Some(at) => self.out.num(at.saturating_sub(t.mono)),
                None => self.out.str(""),
            };
        }
        let outputs = slot.session.take_output();
        let (sender, started) = (slot.sender, slot.started);
        let session_id = sender.map(|_| slot.session.session_id().to_owned());
        for output in outputs {
            match output {
                Output::Event { json, sequence } => {
                    let (Some(s), Some(session_id)) = (sender, &session_id) else {
                        self.out.tag('e', id as u32).str("").str(&json);
                        continue;
                    };
                    let key = sender::key(started, session_id, sequence);
                    let mut notices = Vec::new();
                    let queued = self.senders[s].enqueue(key.clone(), json.clone(), &mut notices);
                    self.out
                        .tag('e', id as u32)
                        .str(if queued { &key } else { "" })
                        .str(&json);
                    if !queued {
                        let mut report = Value::object();
                        report.set("state", "dropped".into());
                        report.set(
                            "event_ids",
                            Value::Array(vec![crate::event::id_in_json(&json)
                                .unwrap_or_default()
                                .into()]),
                        );
                        self.out.tag('d', id as u32).json(&report);
                    }
                    self.notify(notices);
                }
                Output::Close { mut json, error } => {
                    json.set("delivery", self.counts(id));
                    write_outputs(
                        &mut self.out,
                        id as u32,
                        vec![Output::Close { json, error }],
                    );
                }
                other => write_outputs(&mut self.out, id as u32, vec![other]),
            }
        }
        if let Some(s) = sender {
            let online = self.online;
            self.senders[s].pump(online, t.mono, t.wall, &mut self.out);
        }
    }

    /// `{ delivered, pending, dropped }` for a handler's session.
    fn counts(&mut self, id: usize) -> Value {
        let mut v = Value::object();
        let (delivered, pending, dropped) = match self.slot(id) {
            Some(Slot {
                session,
                sender: Some(s),
                ..
            }) => {
                let (s, sid) = (*s, session.session_id().to_owned());
                let stats = self.senders[s].stats(&sid);
                (
                    stats.delivered,
                    self.senders[s].pending(&sid),
                    stats.dropped,
                )
            }
            _ => (0, 0, 0),
        };
        v.set("delivered", delivered.into());
        v.set("pending", pending.into());
        v.set("dropped", dropped.into());
        v
    }

    fn pending(&mut self, id: usize) -> u64 {
        match self.slot(id) {
            Some(Slot {
                session,
                sender: Some(s),
                ..
            }) => {
                let (s, sid) = (*s, session.session_id().to_owned());
                self.senders[s].pending(&sid)
            }
            _ => 0,
        }
    }

    /// `onError(metadata, error)` for one handler.
    fn report_to(&mut self, id: usize, report: &Report) {
        if report.is_storage() {
            // Storage health is a delivery matter, not a failed link:
            // `onDelivery(report)`, never `onError`.
            if self.slot(id).is_some() {
                self.out.tag('d', id as u32).json(&report.error());
            }
            return;
        }
        if let Some(slot) = self.slot(id) {
            let meta = slot.session.metadata();
            self.out
                .tag('r', id as u32)
                .json(&meta)
                .json(&report.error());
        }
    }

    /// Routes what senders say to the handlers of the sessions concerned;
    /// a report for sessions with no handler here goes to the console.
    fn notify(&mut self, notices: Vec<Notice>) {
        for notice in notices {
            match notice {
                Notice::Report(sessions, report) => {
                    let ids: Vec<usize> = self.handlers_of(|sid| sessions.iter().any(|s| s == sid));
                    if ids.is_empty() {
                        self.out.tag('z', 0).json(&report.error());
                    }
                    for id in ids {
                        self.report_to(id, &report);
                    }
                }
                Notice::Settled(keys, state) => {
                    for (i, slot) in self.handlers.iter().enumerate() {
                        let Some(slot) = slot else { continue };
                        let sid = slot.session.session_id();
                        let ids: Vec<Value> = keys
                            .iter()
                            .filter(|k| sender::session_of(k) == sid)
                            .filter_map(|k| slot.session.event_id(sender::sequence_of(k)))
                            .map(Value::from)
                            .collect();
                        if ids.is_empty() {
                            continue;
                        }
                        let mut report = Value::object();
                        report.set("state", state.as_str().into());
                        report.set("event_ids", Value::Array(ids));
                        if let Settled::Rejected(status) = state {
                            report.set("status", u64::from(status).into());
                        }
                        self.out.tag('d', i as u32 + 1).json(&report);
                    }
                }
            }
        }
    }

    fn handlers_of(&self, wanted: impl Fn(&str) -> bool) -> Vec<usize> {
        self.handlers
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_ref()
                    .filter(|s| wanted(s.session.session_id()))
                    .map(|_| i + 1)
            })
            .collect()
    }
}
