//! The delivery queue's policy: what to send next, what to do with the
//! answer, and when to try again. Pure: the browser layer persists items,
//! performs requests and reports their outcome; time and randomness come in
//! as plain values.
//!
//! The policy, in numbers (see [`Policy::default`]):
//! - one request in flight per webhook, so events arrive in queue order;
//! - batches of at most 50 events and 60 KiB of body (under the 64 KiB that
//!   `sendBeacon` and `fetch(..., {keepalive})` allow); an event larger than a
//!   batch goes alone; at pagehide, events that could not be stored may also
//!   go in one request of up to 1,000 events and 1 MiB that starts at the
//!   oldest queued event (see [`Queue::flush_through`]);
//! - network errors, 5xx, 408 and 429 are retried after `min(60 s, 1 s * 2^(n-1))`
//!   scaled by a random factor in [0.5, 1.0] (n = consecutive failures), or
//!   after `Retry-After` when the answer has one (at most 1 hour);
//! - any other 4xx drops the batch and reports it; 2xx removes it;
//! - the queue holds at most 5,000 events and 2 MiB of event JSON (typical
//!   events are about 500 bytes, so the byte bound comes first, near 4,000
//!   events). When it is full, events
//!   already queued are kept (they were stored when created and are removed only
//!   after a 2xx) and the new event is dropped and counted; the overflow is
//!   reported once when it starts and once, with its total, when it ends.
//!
//! Layer 3 (sessions, delivery and the bridge; see the crate's documentation): it uses only the layers below it.

use crate::time::{iso8601_text, Millis};

/// The limits and timings of delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Most events waiting at once.
    pub max_events: usize,
    /// Most bytes of event JSON waiting at once.
    pub max_bytes: usize,
    /// Most events in one request.
    pub batch_events: usize,
    /// Most bytes in one request body.
    pub batch_bytes: usize,
    /// Most events in the one larger beacon a page sends as it goes away
    /// with events that exist nowhere else ([`Queue::flush_through`]).
    pub last_beacon_events: usize,
    /// Most bytes of that beacon's body.
    pub last_beacon_bytes: usize,
    /// First retry delay before jitter.
    pub base_backoff_ms: Millis,
    /// Longest retry delay before jitter.
    pub max_backoff_ms: Millis,
    /// Longest wait a `Retry-After` can ask for.
    pub max_retry_after_ms: Millis,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_events: 5_000,
            max_bytes: 2 * 1024 * 1024,
            batch_events: 50,
            batch_bytes: 60 * 1024,
            last_beacon_events: 1_000,
            last_beacon_bytes: 1024 * 1024,
            base_backoff_ms: 1_000,
            max_backoff_ms: 60_000,
            max_retry_after_ms: 3_600_000,
        }
    }
}

/// One queued event: its storage key and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Where the event is persisted; sorts in delivery order.
    pub key: String,
    /// The event object as JSON.
    pub json: String,
}

/// A request body and the items it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// `{"batch":[...],"sent_at":"..."}`.
    pub body: String,
    /// Keys of the events in the body, in order.
    pub keys: Vec<String>,
}

/// What came back from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// The request did not complete (offline, DNS, CORS, reset).
    NetworkError,
    /// An HTTP status, with the `Retry-After` header if there was one.
    Status(u16, Option<&'a str>),
    /// A redirect (3xx), whose status the browser may hide: not a delivery,
    /// since the POST was never accepted.
    Redirected,
}

/// What the caller should do after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered: forget these keys.
    Delivered(Vec<String>),
    /// Refused by the receiver: forget these keys and report the status.
    Rejected(Vec<String>, u16),
    /// Try the same batch again at this time.
    Retry {
        /// When.
        at: Millis,
        /// The status, or `None` for a network error.
        status: Option<u16>,
    },
    /// Redirected: try the same batch again at this time, as after a 5xx.
    Redirected {
        /// When.
        at: Millis,
        /// The batch's keys when this redirect starts a run of them (report
        /// it to their owners once); `None` while the run goes on.
        report: Option<Vec<String>>,
    },
}

/// Result of offering an event to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Queued.
    Queued,
    /// Queued, and this ends an overflow that dropped this many events.
    QueuedAfterOverflow(u64),
    /// Dropped because the queue is full; this many have been dropped in the
    /// current overflow, this one included.
    Dropped(u64),
}

/// The queue of one webhook.
#[derive(Debug)]
pub struct Queue {
    policy: Policy,
    /// Oldest first. A `Vec`: the queue is bounded and mostly appended to,
    /// and `VecDeque`'s ring buffer cost about 1 KB of gzipped wasm more.
    items: Vec<Item>,
    bytes: usize,
    /// How many items at the front are in the request now in flight.
    in_flight: usize,
    failures: u32,
    not_before: Millis,
    overflow: u64,
    version: u64,
    /// Whether the last answer was a redirect (a run is reported once).
    redirecting: bool,
    /// The smallest event dropped in the current overflow: once one that
    /// size fits again, the overflow is over.
    overflow_min_bytes: usize,
}

const ENVELOPE: usize = r#"{"batch":[],"sent_at":"2026-11-27T01:20:54.123Z"}"#.len();

/// Builds a request body from event JSON texts.
pub fn body<'a>(events: impl IntoIterator<Item = &'a str>, now: Millis) -> String {
    let mut out = String::from("{\"batch\":[");
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str("],\"sent_at\":\"");
    out.push_str(iso8601_text(now).as_str());
    out.push_str("\"}");
    out
}

/// Parses `Retry-After`: delay-seconds, or an HTTP date, which the caller
/// converts (it has the clock's parser); here only seconds are read.
pub fn retry_after_ms(value: &str) -> Option<Millis> {
    let v = value.trim_matches(|c: char| c.is_ascii_whitespace());
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > 9 {
        return None;
    }
    v.parse::<Millis>().ok().map(|s| s * 1000)
}

impl Queue {
    /// An empty queue.
    pub fn new(policy: Policy) -> Queue {
        Queue {
            policy,
            items: Vec::new(),
            bytes: 0,
            in_flight: 0,
            failures: 0,
            not_before: 0,
            overflow: 0,
            version: 0,
            redirecting: false,
            overflow_min_bytes: 0,
        }
    }

    /// Changes whenever an event is added, so a caller can tell whether the
    /// queue holds anything it has not seen.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Events waiting, including those in flight.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bytes of event JSON waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether a request is in flight.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// The keys waiting, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.key.as_str())
    }

    /// Whether a key is queued.
    pub fn contains(&self, key: &str) -> bool {
        self.items.iter().any(|i| i.key == key)
    }

    /// Offers a new event. Events already waiting are never dropped to make room.
    pub fn push(&mut self, item: Item) -> Push {
        let fits = self.items.len() < self.policy.max_events
            && self.bytes + item.json.len() <= self.policy.max_bytes;
        if !fits {
            self.overflow_min_bytes = match self.overflow {
                0 => item.json.len(),
                _ => self.overflow_min_bytes.min(item.json.len()),
            };
            self.overflow += 1;
            return Push::Dropped(self.overflow);
        }
        self.insert(item);
        match std::mem::take(&mut self.overflow) {
            0 => Push::Queued,
            n => Push::QueuedAfterOverflow(n),
        }
    }

    /// Ends the current overflow once the queue has room again, without
    /// waiting for the next event: when an event the size of the smallest one
    /// it dropped would fit. Returns how many events the overflow dropped.
    /// Call it after events leave the queue.
    pub fn overflow_ended(&mut self) -> Option<u64> {
        let room = self.items.len() < self.policy.max_events
            && self.bytes + self.overflow_min_bytes <= self.policy.max_bytes;
        if self.overflow == 0 || !room {
            return None;
        }
        Some(std::mem::take(&mut self.overflow))
    }

    /// Adds an event found in storage (left by an earlier page or another
    /// tab), in key order, after anything in flight. Returns false if it is
    /// already queued or does not fit.
    pub fn adopt(&mut self, item: Item) -> bool {
        if self.contains(&item.key)
            || self.items.len() >= self.policy.max_events
            || self.bytes + item.json.len() > self.policy.max_bytes
        {
            return false;
        }
        self.insert(item);
        true
    }

    fn insert(&mut self, item: Item) {
        // Keys sort in delivery order; new events almost always go last, so
        // search from the back. Never insert ahead of the batch in flight.
        let mut at = self.items.len();
        while at > self.in_flight && self.items[at - 1].key > item.key {
            at -= 1;
        }
        self.bytes += item.json.len();
        self.items.insert(at, item);
        self.version += 1;
    }

    /// Removes an event that was delivered elsewhere (another tab). Does
    /// nothing to the batch in flight.
    pub fn forget(&mut self, key: &str) {
        if let Some(pos) = self
            .items
            .iter()
            .skip(self.in_flight)
            .position(|i| i.key == key)
        {
            let item = self.items.remove(pos + self.in_flight);
            self.bytes -= item.json.len();
        }
    }

    /// When the next request may start, if one is waiting to be sent. Every
    /// time the queue waits on is monotonic (`performance.now()`), so a wall
    /// clock that jumps back cannot stretch a retry's wait.
    pub fn next_send_at(&self) -> Option<Millis> {
        (!self.busy() && !self.items.is_empty()).then_some(self.not_before)
    }

    /// The next batch to send, if it is time (`now`, monotonic) and nothing
    /// is in flight. `sent_at` is the wall-clock time the body carries. The
    /// batch stays queued until [`Queue::answer`].
    pub fn next_batch(&mut self, now: Millis, sent_at: Millis) -> Option<Batch> {
        self.next_batch_of(now, sent_at, |_| true)
    }

    /// Like [`next_batch`](Self::next_batch), but only from the leading
    /// items that `only` accepts: a tab that does not hold the send lock
    /// sends just the events it could not store, and only once every
    /// earlier event has settled, so none overtakes another.
    pub fn next_batch_of(
        &mut self,
        now: Millis,
        sent_at: Millis,
        only: impl Fn(&Item) -> bool,
    ) -> Option<Batch> {
        if self.busy() || self.items.is_empty() || now < self.not_before {
            return None;
        }
        let (count, _) = self.take_batch(0, &only);
        if count == 0 {
            return None;
        }
        self.in_flight = count;
        let slice = self.items[..count].iter();
        Some(Batch {
            body: body(slice.clone().map(|i| i.json.as_str()), sent_at),
            keys: slice.map(|i| i.key.clone()).collect(),
        })
    }

    fn take_batch(&self, start: usize, only: &impl Fn(&Item) -> bool) -> (usize, usize) {
        let mut count = 0;
        let mut bytes = ENVELOPE;
        for item in self.items.iter().skip(start) {
            if !only(item) {
                break;
            }
            let add = item.json.len() + usize::from(count > 0);
            if count > 0
                && (count == self.policy.batch_events || bytes + add > self.policy.batch_bytes)
            {
                break;
            }
            count += 1;
            bytes += add;
        }
        (count, bytes)
    }

    /// Applies the answer to the batch in flight. `jitter` is a random number
    /// in [0, 1).
    pub fn answer(&mut self, now: Millis, answer: Answer, jitter: f64) -> Outcome {
        let count = std::mem::take(&mut self.in_flight);
        let starts_run = !std::mem::replace(
            &mut self.redirecting,
            matches!(answer, Answer::Redirected | Answer::Status(300..=399, _)),
        );
        let (status, retry_after) = match answer {
            Answer::Redirected | Answer::Status(300..=399, _) => {
                self.failures = self.failures.saturating_add(1);
                self.not_before = now + self.backoff(self.failures, jitter);
                let report =
                    starts_run.then(|| self.keys().take(count).map(str::to_owned).collect());
                // The batch stays at the front, to be sent again.
                return Outcome::Redirected {
                    at: self.not_before,
                    report,
                };
            }
            Answer::Status(200..=299, _) => {
                self.failures = 0;
                self.not_before = 0;
                return Outcome::Delivered(self.remove_front(count));
            }
            Answer::Status(s @ (408 | 429 | 500..=599), ra) => {
                (Some(s), ra.and_then(retry_after_ms))
            }
            Answer::NetworkError => (None, None),
            Answer::Status(s, _) => {
                // Other answers are final: the receiver will not take these events.
                self.failures = 0;
                self.not_before = 0;
                return Outcome::Rejected(self.remove_front(count), s);
            }
        };
        self.failures = self.failures.saturating_add(1);
        let delay = match retry_after {
            Some(ms) => ms.min(self.policy.max_retry_after_ms),
            None => self.backoff(self.failures, jitter),
        };
        self.not_before = now + delay;
        Outcome::Retry {
            at: self.not_before,
            status,
        }
    }

    /// The delay before retry number `failures` (1-based), with jitter: the
    /// capped exponential delay scaled into [50%, 100%].
    pub fn backoff(&self, failures: u32, jitter: f64) -> Millis {
        let exp = failures.saturating_sub(1).min(32);
        let full = self
            .policy
            .base_backoff_ms
            .saturating_mul(1u64 << exp)
            .min(self.policy.max_backoff_ms);
        let jitter = jitter.clamp(0.0, 1.0);
        (full as f64 * (0.5 + 0.5 * jitter)) as Millis
    }

    /// Sending may resume now (the browser is back online): drop the wait.
    pub fn resume(&mut self) {
        self.not_before = 0;
    }

    /// Every waiting event as request bodies of at most `batch_bytes`, for a
    /// last-chance send as the page goes away (`sendBeacon`). Events larger
    /// than a batch are left out: they stay stored for the next page load.
    ///
    /// Lazy: each body is built only when the iterator reaches it, so a page
    /// that hands over only the first does not build the rest as it unloads.
    pub fn flush_batches(&self, sent_at: Millis) -> impl Iterator<Item = Batch> + '_ {
        self.flush_batches_of(sent_at, |_| true)
    }

    /// Like [`flush_batches`](Self::flush_batches), for the leading items
    /// that `only` accepts.
    pub fn flush_batches_of<'a>(
        &'a self,
        sent_at: Millis,
        only: impl Fn(&Item) -> bool + 'a,
    ) -> impl Iterator<Item = Batch> + 'a {
        let mut start = 0;
        std::iter::from_fn(move || {
            while start < self.items.len() {
                let (count, bytes) = self.take_batch(start, &only);
                if count == 0 {
                    return None;
                }
                let slice = self.items[start..start + count].iter();
                start += count;
                if bytes <= self.policy.batch_bytes {
                    return Some(Batch {
                        body: body(slice.clone().map(|i| i.json.as_str()), sent_at),
                        keys: slice.map(|i| i.key.clone()).collect(),
                    });
                }
            }
            None
        })
    }

    /// One request body from the oldest queued event through the last one
    /// `last` accepts, cut at [`Policy::last_beacon_events`] and
    /// [`Policy::last_beacon_bytes`]; `None` when `last` accepts none.
    ///
    /// For the beacon a page sends as it goes away with events that could
    /// not be stored. Beacons in flight together can arrive in any order
    /// (Firefox sends them all at once), but each one that starts at the
    /// oldest event only adds events right after those already received,
    /// whichever arrives first: first arrivals stay in sequence order.
    pub fn flush_through(&self, sent_at: Millis, last: impl Fn(&Item) -> bool) -> Option<Batch> {
        let end = self.items.iter().rposition(last)? + 1;
        let mut count = 0;
        let mut bytes = ENVELOPE;
        for item in self.items.iter().take(end) {
            let add = item.json.len() + usize::from(count > 0);
            if count == self.policy.last_beacon_events
                || bytes + add > self.policy.last_beacon_bytes
            {
                break;
            }
            count += 1;
            bytes += add;
        }
        let slice = self.items[..count].iter();
        (count > 0).then(|| Batch {
            body: body(slice.clone().map(|i| i.json.as_str()), sent_at),
            keys: slice.map(|i| i.key.clone()).collect(),
        })
    }

    fn remove_front(&mut self, count: usize) -> Vec<String> {
        self.items
            .drain(..count)
            .map(|i| {
                self.bytes -= i.json.len();
                i.key
            })
            .collect()
    }
}
