//! Delivery to `event_callback_url`: every event is persisted when it is
//! created and removed only after a 2xx.
//!
//! Senders are per page and per webhook URL, shared by every handler on the
//! page, and live as long as the page. Storage is `localStorage`, one entry
//! per event (so storing an event costs the same at any queue depth), keyed
//! `okra-events:v1:<session start ms>:<session id>:<sequence>` so keys sort in
//! delivery order, with the URL stored beside the event so that a later page
//! can send what an earlier one left behind before any handler exists. Across
//! tabs, the page holding the Web Lock `okra-events:send:<url>` sends; the
//! others only store, and the sender learns of their events from `storage`
//! events. The policy (batches, retries, bounds) is the core's
//! [`okra_events_core::delivery`].

mod io;
mod sender;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser;
pub use sender::{Sender, Stats};

/// Prefix of every stored event.
pub const KEY_PREFIX: &str = "okra-events:v1:";

/// Written over a stored event just before it is removed because the
/// webhook refused it, followed by the status, so the tab that created it
/// can tell a refusal from a delivery.
pub const REJECTED_MARK: &str = "\u{0}rejected:";

/// The storage key of an event.
pub fn key(session_start: u64, session_id: &str, sequence: u64) -> String {
    format!("{KEY_PREFIX}{session_start:013}:{session_id}:{sequence:09}")
}

/// A delivery problem, reported to `onError` as `{ type, message, ... }`.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The queue is full: new events are dropped (`ended`: the overflow is over).
    Overflow {
        /// Events dropped so far in this overflow.
        dropped: u64,
        /// Whether the queue has room again.
        ended: bool,
    },
    /// Events are kept in memory only: storage is missing, blocked or full.
    StorageUnavailable,
    /// The receiver answered a batch with a redirect: not a delivery. The
    /// batch stays queued and is retried; reported once per run of redirects.
    Redirected,
    /// The receiver refused a batch with a 4xx; its events were dropped.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Events in the batch.
        count: u64,
    },
}

impl Report {
    /// The error object passed to `onError`.
    pub fn error(&self) -> JsValue {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v);
        };
        match self {
            Report::Overflow { dropped, ended } => {
                set("type", "QUEUE_OVERFLOW".into());
                set("dropped", (*dropped as f64).into());
                set("ended", (*ended).into());
                set(
                    "message",
                    if *ended {
                        format!("okra-events: the delivery queue was full and dropped {dropped} new events; it has room again")
                    } else {
                        "okra-events: the delivery queue is full (5000 events or 2 MiB of event JSON); new events are dropped until the webhook accepts queued ones".to_owned()
                    }
                    .into(),
                );
            }
            Report::StorageUnavailable => {
                set("type", "STORAGE_UNAVAILABLE".into());
                set(
                    "message",
                    "okra-events: localStorage is missing, blocked or full; undelivered events are kept in memory and are lost if the page closes before they are sent".into(),
                );
            }
            Report::Redirected => {
                set("type", "DELIVERY_REDIRECTED".into());
                set(
                    "message",
                    "okra-events: the webhook answered with a redirect, so the events were not delivered; they stay queued and are retried. Point event_callback_url at the URL that accepts the POST".into(),
                );
            }
            Report::Rejected { status, count } => {
                set("type", "DELIVERY_REJECTED".into());
                set("status", (*status).into());
                set("dropped", (*count as f64).into());
                set(
                    "message",
                    format!("okra-events: the webhook answered {status} and refused a batch of {count} events; they were dropped").into(),
                );
            }
        }
        o.into()
    }
}

/// How a queued event left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The webhook answered 2xx.
    Delivered,
    /// The webhook refused it with this 4xx.
    Rejected(u16),
    /// The queue was full when the event was created.
    Dropped,
}

impl Settled {
    /// The `state` given to `onDelivery`.
    pub fn as_str(self) -> &'static str {
        match self {
            Settled::Delivered => "delivered",
            Settled::Rejected(_) => "rejected",
            Settled::Dropped => "dropped",
        }
    }
}

/// Whoever should hear about delivery of a session: its handler.
pub trait Reporter {
    /// The session this reporter speaks for.
    fn session_id(&self) -> String;
    /// Passes a problem on to `onError`.
    fn report(&self, report: &Report);
    /// These events of the session left the queue.
    fn settled(&self, state: Settled, sequences: &[u64]);
}

thread_local! {
    /// (URL, sender): a page talks to one or two webhooks, so a list will do.
    static SENDERS: RefCell<Vec<(String, Rc<Sender>)>> = const { RefCell::new(Vec::new()) };
    static PAGE: RefCell<Vec<EventListener>> = const { RefCell::new(Vec::new()) };
}

/// The page's sender for `url`, created on first use.
pub fn sender(url: &str) -> Rc<Sender> {
    if let Some(s) = find(url) {
        return s;
    }
    listen_to_page();
    let s = Sender::new(url, io::open_storage());
    SENDERS.with(|m| m.borrow_mut().push((url.to_owned(), Rc::clone(&s))));
    s
}

fn find(url: &str) -> Option<Rc<Sender>> {
    SENDERS.with(|m| {
        m.borrow()
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, s)| Rc::clone(s))
    })
}

fn all() -> Vec<Rc<Sender>> {
    SENDERS.with(|m| m.borrow().iter().map(|(_, s)| Rc::clone(s)).collect())
}

/// Starts senders for what earlier pages left in storage, so it goes out
/// even if this page never builds a handler. Called when the package loads.
#[wasm_bindgen(js_name = resumeDelivery, skip_typescript)]
pub fn resume_delivery() {
    if browser::window().is_none() {
        return;
    }
    let Some(storage) = io::open_storage() else {
        return;
    };
    let entries = io::scan(&storage, KEY_PREFIX);
    for value in entries.iter().skip(1).step_by(2) {
        if let Some((url, _)) = value
            .as_string()
            .as_deref()
            .and_then(|v| v.split_once('\n'))
        {
            sender(url);
        }
    }
}

/// Page-level listeners, registered once and kept for the page's life:
/// leaving the page flushes by beacon, `online` resumes sending, `storage`
/// carries other tabs' events to the page that sends them.
fn listen_to_page() {
    if PAGE.with(|p| !p.borrow().is_empty()) {
        return;
    }
    let Some(window) = browser::window() else {
        return;
    };
    let target: web_sys::EventTarget = window.clone().unchecked_into();
    let document = browser::get(&window, "document");
    let mut listeners = vec![
        EventListener::new(&target, "pagehide", |_| {
            all().iter().for_each(|s| s.flush())
        }),
        EventListener::new(&target, "online", |_| all().iter().for_each(|s| s.resume())),
        EventListener::new(&target, "storage", |e| {
            let key = browser::get(e.as_ref(), "key").as_string();
            let Some(key) = key.filter(|k| k.starts_with(KEY_PREFIX)) else {
                return;
            };
            let old = browser::get(e.as_ref(), "oldValue").as_string();
            let old_url = old
                .as_deref()
                .and_then(|v| v.split_once('\n'))
                .map(|(u, _)| u);
            match browser::get(e.as_ref(), "newValue").as_string() {
                // The sending tab marks a refused event before removing it.
                Some(v) if v.starts_with(REJECTED_MARK) => {
                    let status = v[REJECTED_MARK.len()..].parse().unwrap_or(400);
                    if let Some(s) = old_url.and_then(find) {
                        s.settled_elsewhere(&key, Settled::Rejected(status));
                    }
                }
                Some(v) => {
                    if let Some((url, json)) = v.split_once('\n') {
                        if let Some(s) = find(url) {
                            s.adopt(key, json.to_owned());
                        }
                    }
                }
                // Removed without a mark: another tab got a 2xx for it.
                None => {
                    if let Some(s) = old_url.and_then(find) {
                        s.settled_elsewhere(&key, Settled::Delivered);
                    }
                }
            }
        }),
    ];
    if document.is_object() && browser::get(&document, "addEventListener").is_function() {
        let doc: web_sys::EventTarget = document.clone().unchecked_into();
        listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
            if browser::get(&document, "visibilityState")
                .as_string()
                .as_deref()
                == Some("hidden")
            {
                all().iter().for_each(|s| s.flush());
            }
        }));
    }
    PAGE.with(|p| *p.borrow_mut() = listeners);
}
