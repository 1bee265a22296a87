//! Property tests for ingest over loopback HTTP: random bytes and random
//! JSON are refused with a 4xx JSON error, never crash the service and never
//! store anything; a batch with one damaged event is stored whole or not at
//! all.

#[macro_use]
mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    })
}

fn content_type() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("application/json"),
        Just("text/plain;charset=UTF-8"),
        Just("text/plain")
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,24}".prop_map(Value::String),
        // Strings that look like the real thing.
        prop_oneof![
            Just("USER_CONNECTED"),
            Just("auth"),
            Just("login"),
            Just("DATA_EVENT"),
            Just("2026-11-27T01:20:54.123Z"),
            Just("<script>alert(1)</script>"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,12}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The event object's fields.
const FIELDS: [&str; 13] = okra_events_core::event::EVENT_FIELDS;

/// Objects that look like bodies: `batch` and `sent_at` keys with random
/// values, and batches of objects with the event's field names.
fn body_like() -> impl Strategy<Value = Value> {
    let event_like = prop::collection::vec((prop::sample::select(&FIELDS[..]), arb_json()), 0..14)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    (
        prop::collection::vec(prop_oneof![event_like, arb_json()], 0..4),
        prop_oneof![arb_json(), Just(json!("2026-11-27T01:20:54.123Z"))],
    )
        .prop_map(|(batch, sent_at)| json!({ "batch": batch, "sent_at": sent_at }))
}

fn assert_refused(r: &Resp) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(r.status, 400 | 413 | 415),
        "status {} for a random body: {}",
        r.status,
        r.text()
    );
    let body: Value = serde_json::from_slice(&r.body)
        .map_err(|e| TestCaseError::fail(format!("error answer is not JSON: {e}")))?;
    prop_assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()));
    Ok(())
}

fn still_healthy(s: &TestServer) {
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
    assert_eq!(s.count(), 0, "nothing was stored");
}

#[test]
fn random_bytes_are_refused_and_store_nothing() {
    let s = TestServer::start();
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        // Bytes behind a plausible start, to get past the first character.
        prop::collection::vec(any::<u8>(), 0..512).prop_map(|b| [
            b"{\"batch\":[{\"event\":true,".as_slice(),
            &b
        ]
        .concat()),
    ];
    runner(96)
        .run(&(bytes, content_type()), |(body, ct)| {
            let r = request(s.addr, "POST", "/events", &[("Content-Type", ct)], &body);
            assert_refused(&r)
        })
        .unwrap();
    still_healthy(&s);
}

#[test]
fn random_json_is_refused_and_stores_nothing() {
    let s = TestServer::start();
    runner(128)
        .run(
            &(prop_oneof![arb_json(), body_like()], content_type()),
            |(value, ct)| {
                let r = request(
                    s.addr,
                    "POST",
                    "/events",
                    &[("Content-Type", ct)],
                    value.to_string().as_bytes(),
                );
                if r.status == 200 {
                    // Only an empty batch is acceptable, and it stores nothing.
                    prop_assert_eq!(&value["batch"], &json!([]));
                    prop_assert_eq!(r.json(), json!({ "stored": 0, "duplicates": 0 }));
                    return Ok(());
                }
                assert_refused(&r)
            },
        )
        .unwrap();
    still_healthy(&s);
}

#[derive(Debug, Clone)]
enum Damage {
    Remove(usize),
    Replace(usize, Value),
    Add(String, Value),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0..FIELDS.len()).prop_map(Damage::Remove),
        (0..FIELDS.len(), arb_json()).prop_map(|(i, v)| Damage::Replace(i, v)),
        ("[a-z_]{1,10}", arb_json()).prop_map(|(k, v)| Damage::Add(k, v)),
    ]
}

fn a_batch_is_stored_whole_or_not_at_all() {
    let s = TestServer::start();
    // The runner takes a `Fn`, so the counters live in cells.
    let case = std::cell::Cell::new(0u64);
    let expected_total = std::cell::Cell::new(0u64);
    runner(64)
        .run(&damage(), |d| {
            case.set(case.get() + 1);
            let session = format!("case-{}", case.get());
            let good = event("USER_CONNECTING", &session, 1, now_ms(), json!({}));
            let mut bad = event("USER_CONNECTED", &session, 2, now_ms(), json!({}));
            let obj = bad.as_object_mut().unwrap();
            match d {
                Damage::Remove(i) => {
                    obj.remove(FIELDS[i]);
                }
                Damage::Replace(i, v) => {
                    obj.insert(FIELDS[i].to_owned(), v);
                }
                Damage::Add(k, v) => {
                    obj.insert(k, v);
                }
            }
            let r = s.post_events(&batch(vec![good, bad]));
            if r.status == 200 {
                // The damage happened to leave a valid event (e.g. a new
                // string for event_location): both are stored, or one is a
                // duplicate of the other.
                let body = r.json();
                let stored = body["stored"].as_u64().unwrap();
                prop_assert_eq!(stored + body["duplicates"].as_u64().unwrap(), 2);
                expected_total.set(expected_total.get() + stored);
            } else {
                assert_refused(&r)?;
            }
            prop_assert_eq!(s.count() as u64, expected_total.get());
            Ok(())
        })
        .unwrap();
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
}

/// Random JSON text for `event_data`, written directly (a `serde_json::Value`
/// could neither repeat keys nor keep long numbers): up to `width` keys per
/// object drawn from an alphabet small enough to repeat, nesting up to
/// `depth` levels, numbers of up to 60 digits, strings with escapes.
fn random_data(width: usize, depth: u32, alphabet: u32, seed: u64) -> String {
    let mut state = seed | 1;
    let mut next = move |n: u64| {
        // xorshift64: fast, and reproducible from the shrunk seed.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n.max(1)
    };
    fn leaf(next: &mut impl FnMut(u64) -> u64, out: &mut String) {
        match next(6) {
            0 => {
                let digits = 1 + next(60) as usize;
                if next(2) == 0 {
                    out.push('-');
                }
                out.push(char::from(b'1' + next(9) as u8));
                for _ in 1..digits {
                    out.push(char::from(b'0' + next(10) as u8));
                }
                if next(3) == 0 {
                    out.push_str(".5e-7");
                }
            }
            1 => out.push_str("\"a \\\"quoted\\\" \\u00e9 \\\\ x\""),
            2 => out.push_str("\"cust-\u{202e}12\""),
            3 => out.push_str(["true", "false", "null"][next(3) as usize]),
            _ => out.push_str(&format!("\"v{}\"", next(1000))),
        }
    }
    let mut out = String::from("{\"tracking_id\":\"fuzz\"");
    // One wide object.
    out.push_str(",\"wide\":{");
    for i in 0..width {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\"k{}\":", next(u64::from(alphabet))));
        leaf(&mut next, &mut out);
    }
    out.push('}');
    // One deep chain of alternating objects and arrays.
    out.push_str(",\"deep\":");
    for level in 0..depth {
        out.push_str(if level % 2 == 0 { "{\"d\":" } else { "[" });
    }
    leaf(&mut next, &mut out);
    for level in (0..depth).rev() {
        out.push(if level % 2 == 0 { '}' } else { ']' });
    }
    out.push('}');
    out
}

/// `cargo fuzz`-style: ingest parsing of random bodies with many (repeated)
/// keys and deep nesting costs n log n key comparisons for n keys (counted,
/// never timed: `op_counts::count` fails a case as soon as it spends more),
/// refuses what is over the limits with a message, and keeps what it
/// accepts exactly as written. Called directly, without HTTP, so each case
/// is only the parse.
#[test]
fn parsing_wide_and_deep_random_json_is_bounded_and_exact() {
    let shapes = (
        0usize..20_000,
        0u32..48,
        prop_oneof![Just(50u32), Just(900u32), Just(200_000u32)],
        any::<u64>(),
    );
    runner(48)
        .run(&shapes, |(width, depth, alphabet, seed)| {
            let data = random_data(width, depth, alphabet, seed);
            let mut ev = event("USER_CONNECTED", "fuzz", 1, now_ms(), json!({}));
            ev["event_data"] = json!("@DATA@");
            let body = batch(vec![ev]).to_string().replace("\"@DATA@\"", &data);
            // Keys in all: the wide object's, one per nested object, and the
            // event's own fields around them.
            let keys = (width + depth as usize + 32) as u64;
            let (result, compared) =
                okra_events_core::value::op_counts::count(key_comparison_budget(keys), || {
                    okra_eventlog::ingest::parse_body(body.as_bytes())
                });
            let distinct = {
                let v: Value = serde_json::from_str(&data).unwrap();
                v["wide"].as_object().unwrap().len()
            };
            match result {
                Ok(events) => {
                    prop_assert!(depth <= 31, "nesting {depth} accepted");
                    prop_assert!(distinct <= 1000, "{distinct} keys accepted");
                    prop_assert!(
                        width < 2 || compared > 0,
                        "{width} keys merged without a comparison"
                    );
                    let want = format!("\"event_data\":{data}");
                    prop_assert!(events[0].json.contains(&want), "not stored as written");
                }
                Err(e) => {
                    prop_assert!(
                        e.contains("nested deeper") || e.contains("keys; at most 1000"),
                        "{e}"
                    );
                    prop_assert!(depth >= 32 || distinct > 1000, "refused: {e}");
                }
            }
            Ok(())
        })
        .unwrap();
}

both_backends!(a_batch_is_stored_whole_or_not_at_all,);
