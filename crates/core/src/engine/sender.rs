//! One webhook's sender: the [`Queue`], which page sends, what each session
//! is told, and what to ask of the browser (store, post, beacon, wait).
//!
//! Senders are per page and per webhook URL, shared by every handler on the
//! page. Events are stored one record per event, keyed
//! `okra-events:v1:<session start ms>:<session id>:<sequence>` so that keys
//! sort in delivery order. Across tabs, the page holding the webhook's Web
//! Lock sends; the others only store, and the sender learns of their events
//! as they are stored. The entry does the I/O; this decides it.

use crate::delivery::{Answer, Item, Outcome, Policy, Push, Queue};
use crate::engine::out::Out;
use crate::text::{self, cat, num};
use crate::time::Millis;
use crate::Value;

/// Prefix of every stored event's key.
pub const KEY_PREFIX: &str = "okra-events:v1:";

/// The storage key of an event.
pub fn key(session_start: Millis, session_id: &str, sequence: u64) -> String {
    let pad = |n: u64, width: usize| {
        let digits = num(n);
        let mut s = "0".repeat(width.saturating_sub(digits.len()));
        s.push_str(&digits);
        s
    };
    cat(&[
        KEY_PREFIX,
        &pad(session_start, 13),
        ":",
        session_id,
        ":",
        &pad(sequence, 9),
    ])
}

/// The session id inside a storage key.
pub fn session_of(key: &str) -> &str {
    match text::rsplit_once(key, b':') {
        Some((head, _)) => text::rsplit_once(head, b':').map_or(head, |(_, s)| s),
        None => "",
    }
}

/// The event's sequence number inside a storage key.
pub fn sequence_of(key: &str) -> u64 {
    let last = text::rsplit_once(key, b':').map_or(key, |(_, s)| s);
    text::whole(last).unwrap_or(0)
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
    /// Events are kept in localStorage: IndexedDB is missing or blocked, and
    /// a killed browser may lose what localStorage has not written yet.
    StorageDegraded,
    /// The sending tab's queue is full: this session's events wait in
    /// storage, none dropped (`ended`: they are being sent again).
    Waiting {
        /// Whether the sending tab has room again.
        ended: bool,
    },
    /// The receiver answered a batch with a redirect: not a delivery.
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
    /// Whether this is about storage's health (for `onDelivery`), not an
    /// error (for `onError`).
    pub fn is_storage(&self) -> bool {
        matches!(self, Report::StorageUnavailable | Report::StorageDegraded)
    }

    /// The object passed to `onError`, or for storage to `onDelivery`.
    pub fn error(&self) -> Value {
        let mut o = Value::object();
        let message = match self {
            Report::Overflow { dropped, ended } => {
                o.set("type", "QUEUE_OVERFLOW".into());
                o.set("dropped", (*dropped).into());
                o.set("ended", (*ended).into());
                if *ended {
                    cat(&[
                        "okra-events: the delivery queue was full and dropped ",
                        &num(*dropped),
                        " new events; it has room again",
                    ])
                } else {
                    "okra-events: the delivery queue is full (5000 events or 2 MiB of event JSON); new events are dropped until the webhook accepts queued ones".into()
                }
            }
            Report::StorageUnavailable => {
                o.set("state", "storage".into());
                o.set("type", "STORAGE_UNAVAILABLE".into());
                o.set("store", "memory".into());
                "okra-events: storage (IndexedDB and localStorage) is missing, blocked or full; undelivered events are kept in memory, sent by this tab and beaconed when it closes, and are lost if the browser is killed before they are sent".into()
            }
            Report::StorageDegraded => {
                o.set("state", "storage".into());
                o.set("type", "STORAGE_DEGRADED".into());
                o.set("store", "localStorage".into());
                "okra-events: IndexedDB is missing or blocked, so undelivered events are kept in localStorage, which the browser writes to disk lazily: a killed browser can lose the newest of them".into()
            }
            Report::Waiting { ended } => {
                o.set("type", "QUEUE_OVERFLOW".into());
                o.set("dropped", 0u64.into());
                o.set("ended", (*ended).into());
                if *ended {
                    "okra-events: the sending tab's delivery queue has room again; this session's stored events are being sent".into()
                } else {
                    "okra-events: the delivery queue of the tab that sends for this webhook is full; this session's events wait in storage (none is dropped) and are sent as it empties".into()
                }
            }
            Report::Redirected => {
                o.set("type", "DELIVERY_REDIRECTED".into());
                "okra-events: the webhook answered with a redirect, so the events were not delivered; they stay queued and are retried. Point event_callback_url at the URL that accepts the POST".into()
            }
            Report::Rejected { status, count } => {
                o.set("type", "DELIVERY_REJECTED".into());
                o.set("status", u64::from(*status).into());
                o.set("dropped", (*count).into());
                cat(&[
                    "okra-events: the webhook answered ",
                    &num(u64::from(*status)),
                    " and refused a batch of ",
                    &num(*count),
                    " events; they were dropped",
                ])
            }
        };
        o.set("message", message.into());
        o
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

/// What the sessions on this page should hear; the engine routes it to
/// their handlers.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// `onError` for the handlers of these sessions.
    Report(Vec<String>, Report),
    /// `onDelivery` for the handlers of these events' sessions.
    Settled(Vec<String>, Settled),
}

/// Delivery counts of one session.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Answered with a 2xx.
    pub delivered: u64,
    /// Refused by the queue's bound, or by the receiver with a 4xx.
    pub dropped: u64,
}

/// Sends the events of one webhook URL.
#[derive(Debug)]
pub struct Sender {
    id: u32,
    url: String,
    queue: Queue,
    /// Whether events are stored (false: the queue lives in memory only).
    stored: bool,
    /// Whether this page sends this URL's queue (it holds the lock).
    leader: bool,
    /// A storage failure was already reported.
    storage_reported: bool,
    /// The queue version last handed to `sendBeacon`.
    flushed: Option<u64>,
    /// When the pending wake-up is due (monotonic ms).
    timer: Option<Millis>,
    /// Per session; a page has few sessions, so a list beats a map in size.
    stats: Vec<(String, Stats)>,
    /// The sessions whose events the current overflow dropped.
    overflow_sessions: Vec<String>,
    /// Whether events go to localStorage, not IndexedDB.
    degraded: bool,
    /// This page's events that could not be stored: no other page can see
    /// them, so this page sends them, lock or not, and beacons them.
    unstored: Vec<String>,
    /// Sessions of other tabs whose stored events the full queue could not
    /// take: storage is scanned again once it has room, and they are told.
    waiting: Vec<String>,
}

impl Sender {
    /// A sender for `url`. With storage it waits for the lock (the entry
    /// asks for it and calls [`lead`](Self::lead)); without, the queue is
    /// this page's own and it sends at once.
    pub fn new(id: u32, url: &str, stored: bool, degraded: bool) -> Sender {
        Sender {
            id,
            url: url.to_owned(),
            queue: Queue::new(Policy::default()),
            stored,
            leader: !stored,
            storage_reported: false,
            flushed: None,
            timer: None,
            stats: Vec::new(),
            overflow_sessions: Vec::new(),
            degraded,
            unstored: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// The webhook URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether events are kept in memory only.
    pub fn memory_only(&self) -> bool {
        !self.stored
    }

    /// Whether events are kept in localStorage, the weaker fallback.
    pub fn degraded(&self) -> bool {
        self.stored && self.degraded
    }

    fn sends(&self) -> bool {
        self.leader || !self.unstored.is_empty()
    }

    /// Queues a new event. Returns whether it was queued (not dropped by the
    /// bound); what sessions must hear goes to `notices`. The entry stores
    /// the event when it is queued.
    pub fn enqueue(&mut self, key: String, json: String, notices: &mut Vec<Notice>) -> bool {
        let session = session_of(&key).to_owned();
        match self.queue.push(Item { key, json }) {
            Push::Dropped(n) => {
                self.count(&session, |s| s.dropped += 1);
                if !self.overflow_sessions.contains(&session) {
                    self.overflow_sessions.push(session.clone());
                }
                // Reported when an overflow starts; its total when it ends.
                if n == 1 {
                    notices.push(Notice::Report(
                        vec![session],
                        Report::Overflow {
                            dropped: 1,
                            ended: false,
                        },
                    ));
                }
                false
            }
            Push::QueuedAfterOverflow(n) => {
                let owners = std::mem::take(&mut self.overflow_sessions);
                self.overflow_end(owners, n, notices);
                true
            }
            Push::Queued => true,
        }
    }

    /// The entry could not store this event (storage full or blocked): it
    /// lives in this page's memory only. Reported once per sender.
    pub fn unstored(&mut self, key: &str, notices: &mut Vec<Notice>) {
        if !self.queue.contains(key) {
            return;
        }
        self.unstored.push(key.to_owned());
        if !self.storage_reported {
            self.storage_reported = true;
            notices.push(Notice::Report(
                vec![session_of(key).to_owned()],
                Report::StorageUnavailable,
            ));
        }
    }

    /// The page's store turned out weaker than this sender was made with:
    /// localStorage (`local`) or nothing at all. Returns what its sessions
    /// must be told, once.
    pub fn downgrade(&mut self, local: bool) -> Option<Report> {
        if !self.stored || (local && self.degraded) || self.storage_reported {
            return None;
        }
        if local {
            self.degraded = true;
            return Some(Report::StorageDegraded);
        }
        // Nothing is stored: this page's queue is its own, and it sends.
        self.stored = false;
        self.leader = true;
        self.storage_reported = true;
        Some(Report::StorageUnavailable)
    }

    /// Events of `session` not delivered yet.
    pub fn pending(&self, session: &str) -> u64 {
        self.queue
            .keys()
            .filter(|k| session_of(k) == session)
            .count() as u64
    }

    /// Delivery counts of `session`.
    pub fn stats(&self, session: &str) -> Stats {
        self.stats
            .iter()
            .find(|(s, _)| s == session)
            .map(|(_, st)| *st)
            .unwrap_or_default()
    }

    fn count(&mut self, session: &str, f: impl FnOnce(&mut Stats)) {
        match self.stats.iter_mut().find(|(s, _)| s == session) {
            Some((_, st)) => f(st),
            None => {
                let mut st = Stats::default();
                f(&mut st);
                self.stats.push((session.to_owned(), st));
            }
        }
    }

    /// This page holds the lock now: take over what is stored for this URL
    /// (`found`: key and JSON, sorted by key, left by earlier pages or
    /// written by other tabs) and send. Called again to rescan storage once
    /// a full queue has room.
    pub fn lead(
        &mut self,
        found: Vec<(String, String)>,
        online: bool,
        mono: Millis,
        now: Millis,
        out: &mut Out,
    ) {
        self.leader = true;
        let waited = std::mem::take(&mut self.waiting);
        for (key, json) in found {
            self.take(key, json, out);
        }
        for session in waited {
            if !self.waiting.contains(&session) {
                out.tag('o', self.id).str(&session).num(1);
            }
        }
        self.pump(online, mono, now, out);
    }

    /// Takes a stored event into the queue; when the queue is full, its
    /// session is told (in its own tab) that its events wait in storage.
    fn take(&mut self, key: String, json: String, out: &mut Out) {
        if self.queue.contains(&key) {
            return;
        }
        let session = session_of(&key).to_owned();
        if !self.queue.adopt(Item { key, json }) && !self.waiting.contains(&session) {
            out.tag('o', self.id).str(&session).num(0);
            self.waiting.push(session);
        }
    }

    /// An event another tab stored.
    pub fn adopt(
        &mut self,
        key: String,
        json: String,
        online: bool,
        mono: Millis,
        now: Millis,
        out: &mut Out,
    ) {
        if self.leader {
            self.take(key, json, out);
            self.pump(online, mono, now, out);
        }
    }

    /// Another tab sent one of the stored events and got an answer: forget
    /// it here. `local` says whether its session has a handler on this page.
    pub fn settled_elsewhere(
        &mut self,
        key: &str,
        state: Settled,
        local: bool,
        notices: &mut Vec<Notice>,
    ) {
        self.queue.forget(key);
        if !local {
            return;
        }
        let session = session_of(key).to_owned();
        match state {
            Settled::Delivered => self.count(&session, |s| s.delivered += 1),
            Settled::Rejected(status) => {
                self.count(&session, |s| s.dropped += 1);
                notices.push(Notice::Report(
                    vec![session.clone()],
                    Report::Rejected { status, count: 1 },
                ));
            }
            Settled::Dropped => {}
        }
        notices.push(Notice::Settled(vec![key.to_owned()], state));
    }

    /// The browser is back online: send now.
    pub fn resume(&mut self, mono: Millis, now: Millis, out: &mut Out) {
        self.queue.resume();
        self.pump(true, mono, now, out);
    }

    /// The wake-up the entry set for this sender fired.
    pub fn wake(&mut self, online: bool, mono: Millis, now: Millis, out: &mut Out) {
        self.timer = None;
        self.pump(online, mono, now, out);
    }

    /// Starts the next request if one is due, or asks for a wake-up.
    pub fn pump(&mut self, online: bool, mono: Millis, now: Millis, out: &mut Out) {
        if !self.sends() || !online {
            return;
        }
        match self.queue.next_send_at() {
            None => {}
            Some(at) if at > mono && self.timer != Some(at) => {
                self.timer = Some(at);
                out.tag('w', self.id).num(at - mono);
            }
            Some(at) if at > mono => {}
            Some(_) => {
                // Without the lock, only this page's unstored events.
                let (leader, unstored) = (self.leader, &self.unstored);
                let only = |item: &Item| leader || unstored.contains(&item.key);
                let batch = self.queue.next_batch_of(mono, now, only);
                if let Some(batch) = batch {
                    out.tag('p', self.id).str(&batch.body);
                }
            }
        }
    }

    /// The answer to the request in flight: `status` 0 for a network error,
    /// 1 for a redirect (which is not followed), else the HTTP status.
    #[allow(clippy::too_many_arguments)]
    pub fn answered(
        &mut self,
        status: u16,
        retry_after: Option<&str>,
        jitter: f64,
        online: bool,
        mono: Millis,
        now: Millis,
        out: &mut Out,
        notices: &mut Vec<Notice>,
    ) {
        let answer = match status {
            0 => Answer::NetworkError,
            1 => Answer::Redirected,
            s => Answer::Status(s, retry_after),
        };
        match self.queue.answer(mono, answer, jitter) {
            Outcome::Delivered(keys) => {
                self.finish(&keys, Some(out), |s| s.delivered += 1);
                notices.push(Notice::Settled(keys, Settled::Delivered));
            }
            Outcome::Rejected(keys, status) => {
                if self.stored {
                    for key in &keys {
                        out.tag('m', self.id).str(key).num(u64::from(status));
                    }
                }
                self.finish(&keys, None, |s| s.dropped += 1);
                notices.push(Notice::Report(
                    sessions(&keys),
                    Report::Rejected {
                        status,
                        count: keys.len() as u64,
                    },
                ));
                notices.push(Notice::Settled(keys, Settled::Rejected(status)));
            }
            Outcome::Redirected {
                report: Some(keys), ..
            } => notices.push(Notice::Report(sessions(&keys), Report::Redirected)),
            Outcome::Retry { .. } | Outcome::Redirected { .. } => {}
        }
        // Events left the queue: if it was dropping new ones, say at once
        // that there is room again, not only when the next event comes.
        if let Some(n) = self.queue.overflow_ended() {
            let owners = std::mem::take(&mut self.overflow_sessions);
            self.overflow_end(owners, n, notices);
        }
        // Other tabs' events wait in storage: scan it again once half the
        // queue is free, so they are not stranded while this page lives.
        if !self.waiting.is_empty() && self.queue.len() <= self.queue.policy().max_events / 2 {
            out.tag('l', self.id);
        }
        self.pump(online, mono, now, out);
    }

    fn overflow_end(&self, owners: Vec<String>, dropped: u64, notices: &mut Vec<Notice>) {
        if !owners.is_empty() {
            notices.push(Notice::Report(
                owners,
                Report::Overflow {
                    dropped,
                    ended: true,
                },
            ));
        }
    }

    /// Counts settled events; `out` removes them from storage (a refusal's
    /// `m` records already do).
    fn finish(&mut self, keys: &[String], mut out: Option<&mut Out>, count: impl Fn(&mut Stats)) {
        for key in keys {
            if let Some(out) = out.as_deref_mut().filter(|_| self.stored) {
                out.tag('x', self.id).str(key);
            }
            self.count(session_of(key), &count);
        }
        self.unstored.retain(|k| !keys.contains(k));
    }

    /// Hands what waits to the browser as the page goes away. Nothing is
    /// forgotten: what is not confirmed is sent again by the next page.
    ///
    /// `pagehide` usually follows `visibilitychange`; a queue flushed once is
    /// not flushed again until it changes. The entry hands the beacons over
    /// in order and stops at the first the browser refuses (its in-flight
    /// beacon budget is 64 KiB).
    ///
    /// Beacons in flight together can arrive in any order (Firefox takes
    /// them all at once), so every beacon starts at the oldest queued event:
    /// whichever arrives first, each adds only events right after those
    /// already received, and first arrivals stay in sequence order.
    /// - The first chunk (a batch under 64 KiB, which every engine takes).
    ///   When every event is stored, that is all: the next page sends the
    ///   rest, in order.
    /// - Events that could not be stored exist nowhere else: then a second
    ///   beacon carries everything from the oldest event through the last
    ///   of them ([`Queue::flush_through`]: up to 1,000 events and 1 MiB).
    ///   Firefox takes it; Chromium and WebKit refuse a beacon once 64 KiB
    ///   are in flight, and lose what the first chunk did not hold.
    pub fn flush(&mut self, now: Millis, out: &mut Out) {
        // Every page hands over what it holds, lock or not: a page can go
        // away before it is granted the lock, or while the sending tab's
        // webhook is down, and what it has not confirmed may be nowhere
        // else. A copy the sending tab delivers too has the same event_id.
        let version = self.queue.version();
        if self.flushed.replace(version) == Some(version) {
            return;
        }
        let Some(first) = self.queue.flush_batches(now).next() else {
            return;
        };
        out.tag('k', self.id).str(&first.body);
        let (stored, unstored) = (self.stored, &self.unstored);
        let nowhere_else = |item: &Item| !stored || unstored.contains(&item.key);
        if let Some(all) = self.queue.flush_through(now, nowhere_else) {
            if all.keys.len() > first.keys.len() {
                out.tag('k', self.id).str(&all.body);
            }
        }
    }
}

fn sessions(keys: &[String]) -> Vec<String> {
    let mut list: Vec<String> = Vec::new();
    for k in keys {
        let s = session_of(k);
        if !list.iter().any(|x| x == s) {
            list.push(s.to_owned());
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::{sequence_of, session_of};

    #[test]
    fn storage_keys_are_read_as_the_std_iterators_read_them() {
        // The storage-key readers in engine::sender, against the std
        // iterators they used before.
        for key in ["", "7", "s:7", "okra:s1:12", "a:b:c:+9", "p:s:x"] {
            assert_eq!(
                session_of(key),
                key.rsplit(':').nth(1).unwrap_or(""),
                "{key}"
            );
            let seq = key
                .rsplit(':')
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            assert_eq!(sequence_of(key), seq, "{key}");
        }
    }
}
