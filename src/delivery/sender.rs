//! One webhook's sender: the core queue, its persisted copy, one request at a
//! time, and one timer for the next attempt.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use okra_events_core::delivery::{Answer, Item, Outcome, Policy, Push, Queue};
use wasm_bindgen::prelude::*;

use super::io;
use super::{Report, Reporter, Settled, KEY_PREFIX, REJECTED_MARK};
use crate::browser;

/// Delivery counts of one session.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Answered with a 2xx.
    pub delivered: u64,
    /// Refused by the queue's bound, or by the receiver with a 4xx.
    pub dropped: u64,
}

/// The session id inside a storage key `okra-events:v1:<start>:<session>:<seq>`.
pub fn session_of(key: &str) -> &str {
    key.rsplit(':').nth(1).unwrap_or("")
}

/// The event's sequence number inside a storage key.
fn sequence_of(key: &str) -> u64 {
    key.rsplit(':')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Called with `(status, retryAfterSeconds)` when a request settles.
type AnswerCallback = Closure<dyn FnMut(u16, Option<String>)>;

/// Sends the events of one webhook URL.
pub struct Sender {
    url: String,
    queue: RefCell<Queue>,
    /// `localStorage`, or `None` when the queue lives in memory only.
    storage: RefCell<Option<JsValue>>,
    /// Whether this page holds the webhook's lock and so sends its queue.
    leader: Cell<bool>,
    /// A storage failure was already reported.
    storage_reported: Cell<bool>,
    /// The queue version last handed to `sendBeacon`.
    flushed: Cell<Option<u64>>,
    timer: RefCell<Option<Timeout>>,
    on_answer: RefCell<Option<AnswerCallback>>,
    /// Per session; a page has few sessions, so a list beats a map in size.
    stats: RefCell<Vec<(String, Stats)>>,
    reporters: RefCell<Vec<Weak<dyn Reporter>>>,
    /// The sessions whose events the current overflow dropped.
    overflow_sessions: RefCell<Vec<String>>,
}

impl Sender {
    /// A sender for `url`; it starts sending once it holds the URL's lock.
    pub fn new(url: &str, storage: Option<JsValue>) -> Rc<Sender> {
        let sender = Rc::new(Sender {
            url: url.to_owned(),
            queue: RefCell::new(Queue::new(Policy::default())),
            storage: RefCell::new(storage),
            leader: Cell::new(false),
            storage_reported: Cell::new(false),
            flushed: Cell::new(None),
            timer: RefCell::new(None),
            on_answer: RefCell::new(None),
            stats: RefCell::new(Vec::new()),
            reporters: RefCell::new(Vec::new()),
            overflow_sessions: RefCell::new(Vec::new()),
        });
        let weak = Rc::downgrade(&sender);
        let answer = Closure::<dyn FnMut(u16, Option<String>)>::new(move |status, retry| {
            if let Some(s) = weak.upgrade() {
                s.answered(status, retry);
            }
        });
        *sender.on_answer.borrow_mut() = Some(answer);
        if sender.storage.borrow().is_some() {
            let weak = Rc::downgrade(&sender);
            let granted = Closure::once_into_js(move || {
                if let Some(s) = weak.upgrade() {
                    s.lead();
                }
            });
            io::hold_lock(&format!("okra-events:send:{url}"), &granted);
        } else {
            // A queue in memory is this page's own: no other page can see it.
            sender.leader.set(true);
        }
        sender
    }

    /// Notifies `reporter` of delivery problems from now on.
    pub fn subscribe(&self, reporter: Weak<dyn Reporter>) {
        let mut list = self.reporters.borrow_mut();
        list.retain(|r| r.strong_count() > 0);
        list.push(reporter);
    }

    /// Queues and persists a new event. Returns whether it was queued (not
    /// dropped by the bound) and what the handler should report.
    pub fn enqueue(self: &Rc<Self>, key: String, json: String) -> (bool, Option<Report>) {
        let session = session_of(&key).to_owned();
        let stored_value = format!("{}\n{}", self.url, json);
        let push = self.queue.borrow_mut().push(Item {
            key: key.clone(),
            json,
        });
        let mut report = match push {
            Push::Dropped(n) => {
                self.count(&session, |s| s.dropped += 1);
                let mut owners = self.overflow_sessions.borrow_mut();
                if !owners.contains(&session) {
                    owners.push(session.clone());
                }
                // Report when an overflow starts; its total is reported when it ends.
                let report = (n == 1).then_some(Report::Overflow {
                    dropped: 1,
                    ended: false,
                });
                return (false, report);
            }
            Push::QueuedAfterOverflow(n) => {
                // This session hears of it from the handler; the others here.
                let mut owners = std::mem::take(&mut *self.overflow_sessions.borrow_mut());
                owners.retain(|o| *o != session);
                self.report_overflow_end(&owners, n);
                Some(Report::Overflow {
                    dropped: n,
                    ended: true,
                })
            }
            Push::Queued => None,
        };
        let storage = self.storage.borrow().clone();
        if let Some(s) = storage {
            if !io::store(&s, &key, &stored_value) && !self.storage_reported.replace(true) {
                report = report.or(Some(Report::StorageUnavailable));
            }
        }
        self.pump();
        (true, report)
    }

    /// Events of `session` not delivered yet.
    pub fn pending(&self, session: &str) -> u64 {
        self.queue
            .borrow()
            .keys()
            .filter(|k| session_of(k) == session)
            .count() as u64
    }

    /// Delivery counts of `session`.
    pub fn stats(&self, session: &str) -> Stats {
        self.stats
            .borrow()
            .iter()
            .find(|(s, _)| s == session)
            .map(|(_, st)| *st)
            .unwrap_or_default()
    }

    fn count(&self, session: &str, f: impl FnOnce(&mut Stats)) {
        let mut stats = self.stats.borrow_mut();
        match stats.iter_mut().find(|(s, _)| s == session) {
            Some((_, st)) => f(st),
            None => {
                let mut st = Stats::default();
                f(&mut st);
                stats.push((session.to_owned(), st));
            }
        }
    }

    /// Whether the queue lives in memory only (storage missing or blocked).
    pub fn memory_only(&self) -> bool {
        self.storage.borrow().is_none()
    }

    /// This page now holds the lock: take over what is stored for this URL
    /// (left by earlier pages or written by other tabs) and send.
    fn lead(self: &Rc<Self>) {
        self.leader.set(true);
        let storage = self.storage.borrow().clone();
        if let Some(s) = storage {
            let mut found: Vec<(String, String)> = Vec::new();
            let entries = io::scan(&s, KEY_PREFIX);
            let mut it = entries.iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                let (Some(k), Some(v)) = (k.as_string(), v.as_string()) else {
                    continue;
                };
                if let Some((url, json)) = v.split_once('\n') {
                    if url == self.url {
                        found.push((k, json.to_owned()));
                    }
                }
            }
            found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let mut q = self.queue.borrow_mut();
            for (key, json) in found {
                q.adopt(Item { key, json });
            }
        }
        self.pump();
    }

    /// An event another tab stored (`storage` event).
    pub fn adopt(self: &Rc<Self>, key: String, json: String) {
        if self.leader.get() {
            self.queue.borrow_mut().adopt(Item { key, json });
            self.pump();
        }
    }

    /// Another tab sent one of the stored events and got an answer: forget
    /// it here, and if it is one of this page's sessions, count it and tell
    /// its handler as if this page had sent it.
    pub fn settled_elsewhere(&self, key: &str, state: Settled) {
        self.queue.borrow_mut().forget(key);
        let session = session_of(key);
        let local = self
            .reporters
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .any(|r| r.session_id() == session);
        if !local {
            return;
        }
        let keys = [key.to_owned()];
        match state {
            Settled::Delivered => self.count(session, |s| s.delivered += 1),
            Settled::Rejected(status) => {
                self.count(session, |s| s.dropped += 1);
                self.report_to(&[session], Report::Rejected { status, count: 1 });
            }
            Settled::Dropped => {}
        }
        self.settle(&keys, state);
    }

    /// The browser is back online: send now.
    pub fn resume(self: &Rc<Self>) {
        self.queue.borrow_mut().resume();
        self.pump();
    }

    /// Starts the next request if one is due, or arms the timer for it.
    pub fn pump(self: &Rc<Self>) {
        if !self.leader.get() || !io::online() {
            return;
        }
        // Waits are on the monotonic clock; the body's sent_at on the wall's.
        let now = browser::mono();
        let batch = {
            let mut q = self.queue.borrow_mut();
            match q.next_send_at() {
                None => None,
                Some(at) if at > now => {
                    let weak = Rc::downgrade(self);
                    let delay = (at - now).min(i32::MAX as u64) as u32;
                    *self.timer.borrow_mut() = Some(Timeout::new(delay, move || {
                        if let Some(s) = weak.upgrade() {
                            s.timer.borrow_mut().take();
                            s.pump();
                        }
                    }));
                    None
                }
                Some(_) => q.next_batch(now, browser::now()),
            }
        };
        if let Some(batch) = batch {
            if let Some(cb) = self.on_answer.borrow().as_ref() {
                io::post(&self.url, &batch.body, cb.as_ref().unchecked_ref());
            }
        }
    }

    fn answered(self: &Rc<Self>, status: u16, retry_after: Option<String>) {
        let answer = match status {
            0 => Answer::NetworkError,
            io::REDIRECTED => Answer::Redirected,
            s => Answer::Status(s, retry_after.as_deref()),
        };
        let outcome = self
            .queue
            .borrow_mut()
            .answer(browser::mono(), answer, io::random());
        match outcome {
            Outcome::Delivered(keys) => {
                self.finish(&keys, |s| s.delivered += 1);
                self.settle(&keys, Settled::Delivered);
            }
            Outcome::Rejected(keys, status) => {
                if let Some(s) = self.storage.borrow().as_ref() {
                    let mark = format!("{REJECTED_MARK}{status}");
                    for key in &keys {
                        io::store(s, key, &mark);
                    }
                }
                self.finish(&keys, |s| s.dropped += 1);
                let sessions: Vec<&str> = keys.iter().map(|k| session_of(k)).collect();
                self.report_to(
                    &sessions,
                    Report::Rejected {
                        status,
                        count: keys.len() as u64,
                    },
                );
                self.settle(&keys, Settled::Rejected(status));
            }
            Outcome::Redirected {
                report: Some(keys), ..
            } => {
                let sessions: Vec<&str> = keys.iter().map(|k| session_of(k)).collect();
                self.report_to(&sessions, Report::Redirected);
            }
            Outcome::Retry { .. } | Outcome::Redirected { .. } => {}
        }
        // Events left the queue: if it was dropping new ones, say at once
        // that there is room again, not only when the next event comes.
        let ended = self.queue.borrow_mut().overflow_ended();
        if let Some(n) = ended {
            let owners = std::mem::take(&mut *self.overflow_sessions.borrow_mut());
            self.report_overflow_end(&owners, n);
        }
        self.pump();
    }

    /// `QUEUE_OVERFLOW` with `ended: true` to the sessions whose events the
    /// overflow dropped.
    fn report_overflow_end(&self, sessions: &[String], dropped: u64) {
        if sessions.is_empty() {
            return;
        }
        let sessions: Vec<&str> = sessions.iter().map(String::as_str).collect();
        self.report_to(
            &sessions,
            Report::Overflow {
                dropped,
                ended: true,
            },
        );
    }

    /// Tells each live handler which of its events just settled.
    fn settle(&self, keys: &[String], state: Settled) {
        let reporters: Vec<Rc<dyn Reporter>> = self
            .reporters
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for r in reporters {
            let id = r.session_id();
            let sequences: Vec<u64> = keys
                .iter()
                .filter(|k| session_of(k) == id)
                .map(|k| sequence_of(k))
                .collect();
            if !sequences.is_empty() {
                r.settled(state, &sequences);
            }
        }
    }

    fn finish(&self, keys: &[String], count: impl Fn(&mut Stats)) {
        let storage = self.storage.borrow().clone();
        for key in keys {
            if let Some(s) = &storage {
                io::unstore(s, key);
            }
            self.count(session_of(key), &count);
        }
    }

    /// Tells the handlers of these sessions; events of sessions that no
    /// longer have a handler (an earlier page's) go to the console.
    fn report_to(&self, sessions: &[&str], report: Report) {
        let reporters: Vec<Rc<dyn Reporter>> = self
            .reporters
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|r| sessions.contains(&r.session_id().as_str()))
            .collect();
        if reporters.is_empty() {
            browser::report("okra-events: delivery problem", &report.error());
        }
        for r in reporters {
            r.report(&report);
        }
    }

    /// Hands everything waiting to the browser as the page goes away. Nothing
    /// is forgotten: what is not confirmed is sent again by the next page.
    ///
    /// `pagehide` usually follows `visibilitychange`; a queue flushed once is
    /// not flushed again until it changes. Chunks go in order and stop at the
    /// first the browser refuses (its in-flight beacon budget is 64 KiB), so
    /// no later event overtakes an earlier one; the rest stays stored.
    pub fn flush(&self) {
        if !self.leader.get() {
            // The page holding the lock sends what this one stored.
            return;
        }
        let version = self.queue.borrow().version();
        if self.flushed.replace(Some(version)) == Some(version) {
            return;
        }
        let batches = self.queue.borrow().flush_batches(browser::now());
        for b in batches {
            if !io::beacon(&self.url, &b.body) {
                break;
            }
        }
    }
}
