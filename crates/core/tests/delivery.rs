//! The delivery policy with a fake clock and a fake transport: backoff and
//! jitter, Retry-After, 4xx against 5xx, batch limits, overflow and order.
//!
//! Mutants of `make mutants` killed here (the rest of the file predates it):
//!
//! | mutation | killed by |
//! |---|---|
//! | `retry_after_ms`: `\|\|` → `&&` in its checks (a `+5` parses as 5) | `retry_after_is_whole_seconds_of_at_most_nine_digits` |
//! | `retry_after_ms`: `len() > 9` → `>= 9` or `== 9` | `retry_after_is_whole_seconds_of_at_most_nine_digits` |
//! | `Queue::version` constant | `the_version_changes_only_when_an_event_is_added` |
//! | `Queue::policy`, `is_empty`, `bytes` return a constant | `the_queue_reports_its_policy_size_and_bytes` |
//! | `push` forgets the first dropped event's size (`match arm 0` deleted) | `a_byte_overflow_ends_only_when_its_smallest_dropped_event_fits` |
//! | `overflow_ended`: `bytes + smallest` → `bytes - smallest` | `a_byte_overflow_ends_only_when_its_smallest_dropped_event_fits` |
//! | `adopt`: `bytes + len > max_bytes` → `>=`, `==`, or `bytes - len` | `adopt_fills_the_byte_bound_exactly_and_not_beyond` |
//! | `insert`: `at > in_flight` → `<`, or `key >` → `==` (adopted events appended, out of key order) | `adopted_events_go_between_queued_ones_in_key_order` |
//! | `insert`: `version += 1` → `*= 1` | `the_version_changes_only_when_an_event_is_added` |
//! | `forget`: `pos + in_flight` → `-` or `*`; `bytes -=` → `+=` or `/=` | `forgetting_an_event_behind_the_flight_removes_it_and_its_bytes` |
//! | `take_batch`: `bytes + add > batch_bytes` → `>=`, or a comma counted before the first event | `a_batch_fills_its_byte_limit_exactly` |
//! | `Queue::resume` does nothing (coming online still waits out the backoff) | `resume_drops_the_wait` |
//! | `flush_through`: its byte count off by a comma or an event (`+` → `-`/`*`, `count > 0` → `==`/`<`/`>=`, `>` → `>=`) | `the_last_beacon_fills_its_byte_limit_exactly` |
//! | `flush_through`: an empty body instead of none (`count > 0` → `>=`) | `the_last_beacon_fills_its_byte_limit_exactly` |

use okra_events_core::delivery::{
    body, retry_after_ms, Answer, Item, Outcome, Policy, Push, Queue,
};

fn item(n: usize) -> Item {
    Item {
        key: format!("k{n:06}"),
        json: format!(r#"{{"sequence":{n}}}"#),
    }
}

fn queue_with(policy: Policy, n: usize) -> Queue {
    let mut q = Queue::new(policy);
    for i in 1..=n {
        assert_eq!(q.push(item(i)), Push::Queued);
    }
    q
}

/// A fake receiver: answers from a script, records what it accepted.
struct Receiver {
    script: Vec<Answer<'static>>,
    got: Vec<String>,
}

impl Receiver {
    /// Runs the queue against the receiver with a fake clock until it is
    /// empty; returns the final time.
    fn drain(&mut self, q: &mut Queue, mut now: u64) -> u64 {
        for _ in 0..10_000 {
            let Some(at) = q.next_send_at() else {
                return now;
            };
            now = now.max(at);
            let batch = q.next_batch(now, now).expect("due batch");
            let answer = if self.script.is_empty() {
                Answer::Status(200, None)
            } else {
                self.script.remove(0)
            };
            if let Answer::Status(200..=299, _) = answer {
                let v: serde_json::Value = serde_json::from_str(&batch.body).unwrap();
                for e in v["batch"].as_array().unwrap() {
                    self.got.push(e["sequence"].to_string());
                }
            }
            q.answer(now, answer, 0.5);
        }
        panic!("did not drain");
    }
}

#[test]
fn backoff_is_capped_exponential_with_jitter_in_range() {
    let q = Queue::new(Policy::default());
    for (failures, full) in [
        (1, 1_000),
        (2, 2_000),
        (3, 4_000),
        (6, 32_000),
        (7, 60_000),
        (40, 60_000),
    ] {
        assert_eq!(q.backoff(failures, 0.0), full / 2, "failures {failures}");
        assert_eq!(q.backoff(failures, 1.0), full, "failures {failures}");
        let mid = q.backoff(failures, 0.37);
        assert!(mid >= full / 2 && mid <= full, "{mid} for {failures}");
    }
}

#[test]
fn retryable_answers_back_off_and_keep_the_batch() {
    for answer in [
        Answer::NetworkError,
        Answer::Status(500, None),
        Answer::Status(503, None),
        Answer::Status(408, None),
        Answer::Status(429, None),
    ] {
        let mut q = queue_with(Policy::default(), 3);
        let b = q.next_batch(1_000, 1_000).unwrap();
        assert_eq!(b.keys.len(), 3);
        assert!(
            q.next_batch(1_000, 1_000).is_none(),
            "one request at a time"
        );
        let out = q.answer(1_000, answer, 1.0);
        let status = match answer {
            Answer::Status(s, _) => Some(s),
            _ => None,
        };
        assert_eq!(out, Outcome::Retry { at: 2_000, status });
        assert_eq!(q.len(), 3);
        assert!(q.next_batch(1_999, 1_999).is_none());
        let again = q.next_batch(2_000, 2_000).unwrap();
        assert_eq!(again.keys, b.keys, "the same events are retried");
        // The second failure waits twice as long.
        assert_eq!(
            q.answer(2_000, answer, 1.0),
            Outcome::Retry { at: 4_000, status }
        );
    }
}

#[test]
fn a_redirect_is_not_a_delivery_it_is_retried_and_reported_once_per_run() {
    let mut q = queue_with(Policy::default(), 3);
    let b = q.next_batch(1_000, 1_000).unwrap();
    // The first redirect of a run names the batch, so its owners hear of it.
    assert_eq!(
        q.answer(1_000, Answer::Redirected, 1.0),
        Outcome::Redirected {
            at: 2_000,
            report: Some(b.keys.clone())
        }
    );
    assert_eq!(q.len(), 3, "nothing was delivered");
    // A visible 3xx is the same; later redirects of the run are not reported
    // again, and they back off as failures do.
    assert_eq!(q.next_batch(2_000, 2_000).unwrap().keys, b.keys);
    assert_eq!(
        q.answer(2_000, Answer::Status(302, None), 1.0),
        Outcome::Redirected {
            at: 4_000,
            report: None
        }
    );
    assert_eq!(q.next_batch(4_000, 4_000).unwrap().keys, b.keys);
    assert!(matches!(
        q.answer(4_000, Answer::Redirected, 1.0),
        Outcome::Redirected { report: None, .. }
    ));
    // A 2xx ends the run; a later redirect starts a new one.
    q.next_batch(8_000, 8_000).unwrap();
    assert_eq!(
        q.answer(8_000, Answer::Status(200, None), 1.0),
        Outcome::Delivered(b.keys.clone())
    );
    q.push(item(10));
    let late = q.next_batch(8_000, 8_000).unwrap();
    assert_eq!(
        q.answer(8_000, Answer::Status(307, None), 1.0),
        Outcome::Redirected {
            at: 9_000,
            report: Some(late.keys)
        }
    );
}

#[test]
fn waits_are_monotonic_and_bodies_carry_the_wall_clock() {
    let mut q = queue_with(Policy::default(), 2);
    q.next_batch(1_000, 1_795_742_454_123).unwrap();
    assert!(matches!(
        q.answer(1_000, Answer::Status(503, None), 1.0),
        Outcome::Retry { at: 2_000, .. }
    ));
    // The wall clock jumps back an hour: the wait, on the monotonic clock,
    // still ends 1 s later, and the body says what the wall clock says.
    let wall = 1_795_742_454_123 - 3_600_000;
    assert!(q.next_batch(1_999, wall).is_none());
    let b = q.next_batch(2_000, wall).unwrap();
    assert!(
        b.body.ends_with(r#""sent_at":"2026-11-27T00:20:54.123Z"}"#),
        "{}",
        b.body
    );
}

#[test]
fn retry_after_is_honoured_and_capped() {
    let mut q = queue_with(Policy::default(), 1);
    q.next_batch(0, 0).unwrap();
    assert_eq!(
        q.answer(0, Answer::Status(429, Some("7")), 0.0),
        Outcome::Retry {
            at: 7_000,
            status: Some(429)
        }
    );
    q.next_batch(7_000, 7_000).unwrap();
    assert_eq!(
        q.answer(7_000, Answer::Status(503, Some("86400")), 0.0),
        Outcome::Retry {
            at: 7_000 + 3_600_000,
            status: Some(503)
        }
    );
    // An unreadable value falls back to the backoff (third failure: 4 s at full jitter).
    q.next_batch(7_000 + 3_600_000, 7_000 + 3_600_000).unwrap();
    assert_eq!(
        q.answer(0, Answer::Status(503, Some("soon")), 1.0),
        Outcome::Retry {
            at: 4_000,
            status: Some(503)
        }
    );
}

#[test]
fn other_4xx_drop_the_batch_and_2xx_delivers_it() {
    let mut q = queue_with(Policy::default(), 60);
    let b = q.next_batch(0, 0).unwrap();
    assert_eq!(b.keys.len(), 50);
    match q.answer(0, Answer::Status(400, None), 0.0) {
        Outcome::Rejected(keys, 400) => assert_eq!(keys, b.keys),
        other => panic!("{other:?}"),
    }
    assert_eq!(q.len(), 10);
    let b = q.next_batch(0, 0).unwrap();
    assert_eq!(b.keys.first().unwrap(), "k000051");
    assert_eq!(
        q.answer(0, Answer::Status(204, None), 0.0),
        Outcome::Delivered(b.keys)
    );
    assert!(q.is_empty());
    assert_eq!(q.bytes(), 0);
}

#[test]
fn batches_are_bounded_by_count_and_bytes() {
    let policy = Policy {
        batch_bytes: 300,
        ..Policy::default()
    };
    let mut q = Queue::new(policy.clone());
    for i in 1..=20 {
        q.push(item(i));
    }
    let b = q.next_batch(0, 0).unwrap();
    assert!(b.body.len() <= 300, "{}", b.body.len());
    assert!(b.keys.len() < 20 && !b.keys.is_empty());
    // One more event would not have fitted.
    let next = item(b.keys.len() + 1);
    assert!(b.body.len() + next.json.len() + 1 > 300);

    // An event larger than a batch goes alone.
    let mut q = Queue::new(policy);
    q.push(item(1));
    q.push(Item {
        key: "k000002".into(),
        json: format!(r#"{{"sequence":2,"pad":"{}"}}"#, "x".repeat(1_000)),
    });
    q.push(item(3));
    let sizes: Vec<usize> = (0..3)
        .map(|_| {
            let b = q.next_batch(0, 0).unwrap();
            q.answer(0, Answer::Status(200, None), 0.0);
            b.keys.len()
        })
        .collect();
    assert_eq!(sizes, [1, 1, 1]);
}

#[test]
fn the_body_is_the_documented_wire_format() {
    let b = body([r#"{"a":1}"#, r#"{"b":2}"#], 1_795_742_454_123);
    assert_eq!(
        b,
        r#"{"batch":[{"a":1},{"b":2}],"sent_at":"2026-11-27T01:20:54.123Z"}"#
    );
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["batch"].as_array().unwrap().len(), 2);
}

#[test]
fn overflow_keeps_queued_events_and_counts_the_dropped() {
    let policy = Policy {
        max_events: 5,
        ..Policy::default()
    };
    let mut q = queue_with(policy, 5);
    assert_eq!(q.push(item(6)), Push::Dropped(1));
    assert_eq!(q.push(item(7)), Push::Dropped(2));
    assert_eq!(q.len(), 5);
    assert_eq!(q.keys().next(), Some("k000001"), "the oldest are kept");
    let b = q.next_batch(0, 0).unwrap();
    q.answer(0, Answer::Status(200, None), 0.0);
    assert_eq!(b.keys.len(), 5);
    assert_eq!(q.push(item(8)), Push::QueuedAfterOverflow(2));
    assert_eq!(q.push(item(9)), Push::Queued);

    // The byte bound too.
    let mut q = Queue::new(Policy {
        max_bytes: 40,
        ..Policy::default()
    });
    assert_eq!(q.push(item(1)), Push::Queued);
    assert_eq!(q.push(item(2)), Push::Queued);
    assert_eq!(q.push(item(3)), Push::Dropped(1));
    assert!(q.bytes() <= 40);
}

#[test]
fn the_overflow_ends_as_soon_as_there_is_room_without_waiting_for_an_event() {
    let policy = Policy {
        max_events: 5,
        batch_events: 2,
        ..Policy::default()
    };
    let mut q = queue_with(policy, 5);
    assert_eq!(q.overflow_ended(), None, "no overflow yet");
    assert_eq!(q.push(item(6)), Push::Dropped(1));
    assert_eq!(q.push(item(7)), Push::Dropped(2));
    assert_eq!(q.overflow_ended(), None, "still full");
    // A failed request frees nothing.
    q.next_batch(0, 0).unwrap();
    q.answer(0, Answer::Status(500, None), 0.0);
    assert_eq!(q.overflow_ended(), None);
    // A delivered batch makes room: the overflow ends with its total, once.
    q.next_batch(10_000, 10_000).unwrap();
    q.answer(10_000, Answer::Status(200, None), 0.0);
    assert_eq!(q.overflow_ended(), Some(2));
    assert_eq!(q.overflow_ended(), None);
    assert_eq!(
        q.push(item(8)),
        Push::Queued,
        "the next event does not end it again"
    );

    // By bytes: room means room for the smallest event it dropped.
    let mut q = Queue::new(Policy {
        max_bytes: 40,
        batch_events: 1,
        ..Policy::default()
    });
    assert_eq!(q.push(item(1)), Push::Queued);
    assert_eq!(q.push(item(2)), Push::Queued);
    assert_eq!(q.push(item(3)), Push::Dropped(1));
    q.next_batch(0, 0).unwrap();
    q.answer(0, Answer::Status(200, None), 0.0);
    assert_eq!(q.overflow_ended(), Some(1));
}

#[test]
fn order_holds_through_retries_and_late_arrivals() {
    let mut q = queue_with(
        Policy {
            batch_events: 3,
            ..Policy::default()
        },
        7,
    );
    let mut rx = Receiver {
        script: vec![
            Answer::Status(500, None),
            Answer::NetworkError,
            Answer::Status(200, None),
            Answer::Status(429, Some("1")),
        ],
        got: Vec::new(),
    };
    // Events created while a batch is in flight queue behind it.
    let b = q.next_batch(0, 0).unwrap();
    q.push(item(8));
    assert_eq!(
        q.answer(0, Answer::Status(503, None), 0.0),
        Outcome::Retry {
            at: 500,
            status: Some(503)
        }
    );
    assert_eq!(q.next_batch(500, 500).unwrap().keys, b.keys);
    q.answer(500, Answer::NetworkError, 0.0);
    rx.drain(&mut q, 500);
    let expected: Vec<String> = (1..=8).map(|n| n.to_string()).collect();
    assert_eq!(rx.got, expected);
}

#[test]
fn adopted_events_fall_into_key_order_but_never_ahead_of_the_flight() {
    let mut q = Queue::new(Policy::default());
    q.push(item(2));
    q.push(item(5));
    let b = q.next_batch(0, 0).unwrap();
    assert_eq!(b.keys, ["k000002", "k000005"]);
    assert!(q.adopt(item(1)), "left by an earlier page");
    assert!(q.adopt(item(4)));
    assert!(!q.adopt(item(4)), "already queued");
    q.answer(0, Answer::Status(200, None), 0.0);
    let keys: Vec<_> = q.keys().collect();
    assert_eq!(keys, ["k000001", "k000004"]);
    q.forget("k000004");
    assert_eq!(q.len(), 1);
}

#[test]
fn flush_batches_cover_everything_under_the_beacon_limit() {
    let policy = Policy::default();
    let mut q = Queue::new(policy.clone());
    for i in 1..=500 {
        q.push(Item {
            key: format!("k{i:06}"),
            json: format!(r#"{{"sequence":{i},"pad":"{}"}}"#, "y".repeat(400)),
        });
    }
    q.push(Item {
        key: "k999999".into(),
        json: format!(r#"{{"huge":"{}"}}"#, "z".repeat(70_000)),
    });
    let batches: Vec<_> = q.flush_batches(0).collect();
    let mut seen = 0;
    for b in &batches {
        assert!(b.body.len() <= 60 * 1024, "{}", b.body.len());
        assert!(b.keys.len() <= 50);
        seen += b.keys.len();
    }
    assert_eq!(seen, 500, "all but the event too large for a beacon");
    assert_eq!(q.len(), 501, "flushing does not forget: only a 2xx does");
}

#[test]
fn retry_after_is_whole_seconds_of_at_most_nine_digits() {
    assert_eq!(retry_after_ms("7"), Some(7_000));
    assert_eq!(retry_after_ms(" 12 "), Some(12_000));
    assert_eq!(
        retry_after_ms("123456789"),
        Some(123_456_789_000),
        "nine digits"
    );
    for bad in [
        "",
        " ",
        "+5",
        "-5",
        "5s",
        "1.5",
        "1234567890",
        "Wed, 21 Oct 2015 07:28:00 GMT",
    ] {
        assert_eq!(retry_after_ms(bad), None, "{bad:?}");
    }
}

#[test]
fn the_version_changes_only_when_an_event_is_added() {
    let mut q = Queue::new(Policy::default());
    let v0 = q.version();
    q.push(item(1));
    let v1 = q.version();
    assert_ne!(v1, v0, "a new event");
    assert!(q.adopt(item(2)));
    let v2 = q.version();
    assert_ne!(v2, v1, "an event from storage");
    assert!(!q.adopt(item(2)), "already queued");
    assert_eq!(q.version(), v2, "nothing added");
    q.next_batch(0, 0).unwrap();
    assert_eq!(q.version(), v2, "sending adds nothing");
}

#[test]
fn the_queue_reports_its_policy_size_and_bytes() {
    let policy = Policy {
        batch_events: 7,
        ..Policy::default()
    };
    let mut q = Queue::new(policy.clone());
    assert_eq!(q.policy(), &policy);
    assert!(q.is_empty());
    assert_eq!(q.bytes(), 0);
    q.push(item(1));
    q.push(item(22));
    assert!(!q.is_empty());
    assert_eq!(q.len(), 2);
    assert_eq!(q.bytes(), item(1).json.len() + item(22).json.len());
}

/// An item whose JSON is exactly `len` bytes.
fn sized(n: usize, len: usize) -> Item {
    let head = format!(r#"{{"sequence":{n},"p":""#);
    let pad = len - head.len() - 2;
    Item {
        key: format!("k{n:06}"),
        json: format!(r#"{head}{}"}}"#, "x".repeat(pad)),
    }
}

#[test]
fn a_byte_overflow_ends_only_when_its_smallest_dropped_event_fits() {
    let mut q = Queue::new(Policy {
        max_bytes: 100,
        batch_events: 1,
        ..Policy::default()
    });
    assert_eq!(q.push(sized(1, 30)), Push::Queued);
    assert_eq!(q.push(sized(2, 60)), Push::Queued);
    // 90 of 100 bytes: an event of 50 does not fit, nor one of 45.
    assert_eq!(q.push(sized(3, 50)), Push::Dropped(1));
    assert_eq!(q.push(sized(4, 45)), Push::Dropped(2));
    // The 30-byte event is delivered: 40 bytes free, still not 45.
    q.next_batch(0, 0).unwrap();
    q.answer(0, Answer::Status(200, None), 0.0);
    assert_eq!(q.bytes(), 60);
    assert_eq!(
        q.overflow_ended(),
        None,
        "40 bytes free, the smallest dropped is 45"
    );
    // The 60-byte one too: now it fits, and the overflow's total is told.
    q.next_batch(1, 1).unwrap();
    q.answer(1, Answer::Status(200, None), 0.0);
    assert_eq!(q.overflow_ended(), Some(2));
}

#[test]
fn adopt_fills_the_byte_bound_exactly_and_not_beyond() {
    let mut q = Queue::new(Policy {
        max_bytes: 100,
        ..Policy::default()
    });
    assert!(q.adopt(sized(1, 60)));
    assert!(!q.adopt(sized(2, 41)), "101 bytes");
    assert!(q.adopt(sized(3, 40)), "exactly 100 bytes");
    assert_eq!(q.bytes(), 100);
}

#[test]
fn adopted_events_go_between_queued_ones_in_key_order() {
    let mut q = Queue::new(Policy::default());
    for n in [1, 3, 5] {
        q.push(item(n));
    }
    assert!(q.adopt(item(4)));
    assert!(q.adopt(item(2)));
    assert!(q.adopt(item(6)));
    let keys: Vec<_> = q.keys().collect();
    assert_eq!(
        keys,
        ["k000001", "k000002", "k000003", "k000004", "k000005", "k000006"]
    );
}

#[test]
fn forgetting_an_event_behind_the_flight_removes_it_and_its_bytes() {
    let mut q = queue_with(
        Policy {
            batch_events: 2,
            ..Policy::default()
        },
        4,
    );
    let b = q.next_batch(0, 0).unwrap();
    assert_eq!(b.keys, ["k000001", "k000002"]);
    q.forget("k000004");
    let keys: Vec<_> = q.keys().collect();
    assert_eq!(keys, ["k000001", "k000002", "k000003"]);
    let left: usize = [1, 2, 3].iter().map(|&n| item(n).json.len()).sum();
    assert_eq!(q.bytes(), left);
    q.forget("k000001");
    assert_eq!(q.len(), 3, "nothing in flight is forgotten");
}

#[test]
fn a_batch_fills_its_byte_limit_exactly() {
    let (a, b) = (item(1), item(2));
    let exact = body([a.json.as_str(), b.json.as_str()], 0).len();
    for (limit, count) in [(exact, 2), (exact - 1, 1)] {
        let mut q = Queue::new(Policy {
            batch_bytes: limit,
            ..Policy::default()
        });
        q.push(a.clone());
        q.push(b.clone());
        let batch = q.next_batch(0, 0).unwrap();
        assert_eq!(batch.keys.len(), count, "limit {limit}");
        assert!(batch.body.len() <= limit);
    }
}

#[test]
fn resume_drops_the_wait() {
    let mut q = queue_with(Policy::default(), 1);
    q.next_batch(0, 0).unwrap();
    let Outcome::Retry { at, .. } = q.answer(0, Answer::NetworkError, 1.0) else {
        panic!("a network error is retried");
    };
    assert_eq!(at, 1_000);
    assert_eq!(q.next_batch(10, 10), None, "waiting out the backoff");
    q.resume();
    assert_eq!(q.next_send_at(), Some(0));
    assert!(q.next_batch(10, 10).is_some(), "sent at once after resume");
}

#[test]
fn the_last_beacon_fills_its_byte_limit_exactly() {
    let items: Vec<Item> = (1..=4).map(item).collect();
    let texts: Vec<&str> = items.iter().map(|i| i.json.as_str()).collect();
    let exact = body(texts[..3].iter().copied(), 0).len();
    let through = |limit: usize, last: usize| {
        let mut q = Queue::new(Policy {
            last_beacon_bytes: limit,
            ..Policy::default()
        });
        for i in &items {
            q.push(i.clone());
        }
        let key = format!("k{last:06}");
        q.flush_through(0, |i| i.key == key).map(|b| {
            assert!(b.body.len() <= limit, "{} bytes over {limit}", b.body.len());
            b.keys.len()
        })
    };
    assert_eq!(
        through(exact, 4),
        Some(3),
        "exactly the limit: three events"
    );
    assert_eq!(through(exact - 1, 4), Some(2), "a byte less: two");
    assert_eq!(
        through(exact + 1_000, 2),
        Some(2),
        "through the last one asked for"
    );
    assert_eq!(through(exact + 1_000, 9), None, "no event asked for");
    assert_eq!(through(10, 4), None, "not even the first event fits");
}
