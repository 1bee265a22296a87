//! The engine's delivery decisions across tabs, through its one call: what
//! a tab that does not hold the send lock sends, how a full sending tab
//! tells others their events wait and scans again, and what a refusal
//! removes. (The browser side of each is in tests/e2e/delivery.test.mjs.)

use okra_events_core::engine::{Engine, ANSWER, LEAD, OPEN, SETTLED, STORAGE, TRACK, UNSTORED};

const URL: &str = "https://collector.example/events";
/// Seed, online, window, and events stored in IndexedDB.
const FLAGS: &str = "0123456789abcdef0123456789abcdef111";

fn options() -> String {
    format!(r#"{{"key":"pk","token":"tok","event_callback_url":"{URL}"}}"#)
}

/// Records of one call, split into fields.
fn records(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn tagged<'a>(rs: &'a [Vec<String>], tag: &str) -> Vec<&'a Vec<String>> {
    rs.iter().filter(|r| r[0] == tag).collect()
}

/// Opens a handler; returns its handle and the keys of its events so far.
fn open(e: &mut Engine) -> (u32, Vec<String>) {
    let rs = records(&e.call(OPEN, 0, 1_000.0, 1.0, &options(), FLAGS));
    let h = tagged(&rs, "=")[0][2].parse().unwrap();
    let keys = tagged(&rs, "e").iter().map(|r| r[2].clone()).collect();
    (h, keys)
}

#[test]
fn a_tab_without_the_lock_sends_only_the_events_it_could_not_store_from_the_front() {
    let mut e = Engine::new();
    let (h, mut keys) = open(&mut e);
    let rs = records(&e.call(TRACK, h, 1_001.0, 2.0, "USER_CONSENT_REVIEW", "{}"));
    keys.extend(tagged(&rs, "e").iter().map(|r| r[2].clone()));
    assert!(
        tagged(&rs, "p").is_empty(),
        "no lock, nothing unstored: nothing is sent"
    );

    // The second event could not be stored, but the first (stored) one is
    // still pending in another tab's hands: sending would overtake it.
    let rs = records(&e.call(UNSTORED, 0, 1_002.0, 3.0, &keys[1], ""));
    assert!(
        tagged(&rs, "p").is_empty(),
        "an unstored event waits behind a stored one"
    );
    assert!(tagged(&rs, "r").is_empty(), "storage is not an error");
    let storage = tagged(&rs, "d");
    assert_eq!(storage.len(), 1, "STORAGE_UNAVAILABLE goes to onDelivery");
    assert!(storage[0][2].contains("STORAGE_UNAVAILABLE"));

    // The sending tab delivers the stored one: the unstored event is at the
    // front now, and goes at once, with nothing else to wake the queue.
    let rs = records(&e.call(SETTLED, 0, 1_003.0, 4.0, &keys[0], ""));
    let posts = tagged(&rs, "p");
    assert_eq!(posts.len(), 1, "{rs:?}");
    assert!(posts[0][2].contains("USER_CONSENT_REVIEW"), "{rs:?}");
    assert!(
        !posts[0][2].contains("USER_CONNECTING"),
        "the settled event is not sent again"
    );

    // A tab whose first event could not be stored sends it at once.
    let mut e = Engine::new();
    let (_, keys) = open(&mut e);
    let rs = records(&e.call(UNSTORED, 0, 1_002.0, 3.0, &keys[0], ""));
    let posts = tagged(&rs, "p");
    assert_eq!(posts.len(), 1, "{rs:?}");
    assert!(posts[0][2].contains("USER_CONNECTING"));
}

#[test]
fn a_full_sending_tab_tells_the_owner_its_events_wait_then_scans_again_when_it_has_room() {
    let mut e = Engine::new();
    let (_, keys) = open(&mut e);
    assert_eq!(keys.len(), 1);
    // This tab takes the lock and finds 5,100 events another tab stored.
    let other = "11111111-2222-4333-8444-555555555555";
    let event = r#"{"event_name":"USER_CONSENT_REVIEW"}"#;
    let found: Vec<String> = (1..=5_100)
        .map(|n| format!("okra-events:v1:0000000000500:{other}:{n:09}\t{event}"))
        .collect();
    let rs = records(&e.call(LEAD, 0, 2_000.0, 10.0, &found.join("\n"), ""));
    let waits = tagged(&rs, "o");
    assert_eq!(waits.len(), 1, "the owner session is told once");
    assert_eq!(waits[0][2], other);
    assert_eq!(waits[0][3], "0");
    assert_eq!(tagged(&rs, "p").len(), 1, "and the queue is sent");

    // Deliveries free the queue; at half empty, storage is scanned again.
    let mut rescanned = false;
    for i in 0..60 {
        let rs = records(&e.call(ANSWER, 0, 3_000.0, 20.0 + f64::from(i), "200 0", ""));
        assert_eq!(
            tagged(&rs, "x").len(),
            50,
            "a delivered batch is removed from storage"
        );
        if !tagged(&rs, "l").is_empty() {
            rescanned = true;
            break;
        }
    }
    assert!(rescanned, "a scan is asked for once the queue has room");
    let rest: Vec<&String> = found.iter().skip(2_500).collect();
    let rest: Vec<String> = rest.into_iter().cloned().collect();
    let rs = records(&e.call(LEAD, 0, 4_000.0, 100.0, &rest.join("\n"), ""));
    let ended = tagged(&rs, "o");
    assert_eq!(ended.len(), 1);
    assert_eq!((ended[0][2].as_str(), ended[0][3].as_str()), (other, "1"));
}

#[test]
fn a_refused_batch_is_marked_refused_and_not_also_removed_as_delivered() {
    let mut e = Engine::new();
    let (_, _) = open(&mut e);
    let rs = records(&e.call(LEAD, 0, 1_000.0, 2.0, "", ""));
    assert_eq!(tagged(&rs, "p").len(), 1);
    let rs = records(&e.call(ANSWER, 0, 1_001.0, 3.0, "400 0", ""));
    assert_eq!(
        tagged(&rs, "m").len(),
        1,
        "the refusal is marked, for other tabs"
    );
    assert!(
        tagged(&rs, "x").is_empty(),
        "and not also reported as a delivery"
    );
    assert!(tagged(&rs, "r")[0][3].contains("DELIVERY_REJECTED"));
}

#[test]
fn leaving_beacons_one_chunk_when_every_event_is_stored_and_all_when_some_are_not() {
    use okra_events_core::engine::FLUSH;
    let big = format!(r#"{{"note":"{}"}}"#, "x".repeat(20_000));
    let track_many = |e: &mut Engine, h: u32| {
        for i in 0..10 {
            e.call(
                TRACK,
                h,
                1_001.0,
                2.0 + f64::from(i),
                "USER_CONSENT_REVIEW",
                &big,
            );
        }
    };
    // Stored: beacons in flight together can arrive in any order, so one goes.
    let mut e = Engine::new();
    let (h, _) = open(&mut e);
    track_many(&mut e, h);
    let rs = records(&e.call(FLUSH, 0, 2_000.0, 20.0, "", ""));
    assert_eq!(
        tagged(&rs, "k").len(),
        1,
        "one chunk; the next page sends the rest in order"
    );

    // Some could not be stored: they exist nowhere else, so every chunk goes.
    let mut e = Engine::new();
    let (h, keys) = open(&mut e);
    track_many(&mut e, h);
    e.call(UNSTORED, 0, 1_500.0, 15.0, &keys[0], "");
    let rs = records(&e.call(FLUSH, 0, 2_000.0, 20.0, "", ""));
    assert!(tagged(&rs, "k").len() > 1, "every chunk, in order");
}

#[test]
fn a_store_that_turns_out_weaker_after_the_handler_opened_is_reported_once() {
    // The handler opened while IndexedDB was still opening; it then failed,
    // and events went to localStorage: STORAGE_DEGRADED, once, to
    // onDelivery (storage's health is not a failed link).
    let mut e = Engine::new();
    let (_h, _) = open(&mut e);
    let rs = records(&e.call(STORAGE, 0, 1_001.0, 2.0, "l", ""));
    assert!(tagged(&rs, "r").is_empty(), "not an error: {rs:?}");
    let reports = tagged(&rs, "d");
    assert_eq!(reports.len(), 1, "{rs:?}");
    assert!(
        reports[0][2]
            .starts_with(r#"{"state":"storage","type":"STORAGE_DEGRADED","store":"localStorage""#),
        "{rs:?}"
    );
    let rs = records(&e.call(STORAGE, 0, 1_002.0, 3.0, "l", ""));
    assert!(tagged(&rs, "d").is_empty(), "reported once");

    // No storage at all: STORAGE_UNAVAILABLE, and this page sends its queue
    // itself, without waiting for a send lock it will never need.
    let mut e = Engine::new();
    let (h, _) = open(&mut e);
    let rs = records(&e.call(STORAGE, 0, 1_001.0, 2.0, "0", ""));
    assert!(tagged(&rs, "r").is_empty(), "not an error: {rs:?}");
    let reports = tagged(&rs, "d");
    assert_eq!(reports.len(), 1, "{rs:?}");
    assert!(
        reports[0][2]
            .starts_with(r#"{"state":"storage","type":"STORAGE_UNAVAILABLE","store":"memory""#),
        "{rs:?}"
    );
    assert_eq!(
        tagged(&rs, "p").len(),
        1,
        "the queue is sent at once: {rs:?}"
    );
    let rs = records(&e.call(TRACK, h, 1_003.0, 4.0, "USER_CONSENT_REVIEW", "{}"));
    assert!(
        !tagged(&rs, "d").iter().any(|r| r[2].contains("STORAGE")),
        "not reported again: {rs:?}"
    );
}
