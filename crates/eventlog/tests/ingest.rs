//! `POST /events` over loopback HTTP against a running service: storing,
//! deduplication, every class of refused body, CORS, rate limiting,
//! concurrency, and start-up behaviour of the real binary.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};

fn three_events(session: &str, t0: i64) -> Vec<Value> {
    vec![
        event("USER_CONNECTING", session, 1, t0, json!({})),
        event("USER_CONNECTED", session, 2, t0 + 1_000, json!({})),
        event(
            "USER_LOGIN_ATTEMPTED",
            session,
            3,
            t0 + 2_000,
            json!({ "customer": { "id": "CUST-77" } }),
        ),
    ]
}

fn ingest_then_query_returns_the_events_as_sent() {
    let s = TestServer::start();
    let sent = three_events("sess-a", now_ms() - 60_000);
    let r = s.post_events(&batch(sent.clone()));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({ "stored": 3, "duplicates": 0 }));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));

    let got = s.search("");
    let events = got["events"].as_array().unwrap();
    // Newest first, and each exactly the object that was sent.
    let mut expected = sent.clone();
    expected.reverse();
    assert_eq!(events, &expected);
    assert_eq!(got["next_cursor"], Value::Null);
}

fn accepts_text_plain_as_sent_by_send_beacon() {
    let s = TestServer::start();
    let body = batch(three_events("sess-beacon", now_ms()));
    let r = request(
        s.addr,
        "POST",
        "/events",
        &[("Content-Type", "text/plain;charset=UTF-8")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.count(), 3);
}

fn duplicates_are_stored_once() {
    let s = TestServer::start();
    let events = three_events("sess-dup", now_ms());
    assert_eq!(s.post_events(&batch(events.clone())).json()["stored"], 3);
    // A retry of the same delivery.
    let r = s.post_events(&batch(events.clone()));
    assert_eq!(r.json(), json!({ "stored": 0, "duplicates": 3 }));
    // A batch repeating an event within itself, plus one new event.
    let new = event("USER_BANK_SELECTED", "sess-dup", 4, now_ms(), json!({}));
    let r = s.post_events(&batch(vec![events[0].clone(), new.clone(), new.clone()]));
    assert_eq!(r.json(), json!({ "stored": 1, "duplicates": 2 }));
    assert_eq!(s.count(), 4);
    // The first copy is kept, even if a "duplicate" differs.
    let mut changed = events[1].clone();
    changed["withError"] = json!(true);
    assert_eq!(s.post_events(&batch(vec![changed])).json()["duplicates"], 1);
    let stored = s.all_events();
    let kept = stored
        .iter()
        .find(|e| e["event_id"] == events[1]["event_id"])
        .unwrap();
    assert_eq!(kept["withError"], false);
}

fn refused(s: &TestServer, content_type: Option<&str>, body: &[u8], status: u16, message: &str) {
    let headers: Vec<(&str, &str)> = content_type
        .map(|c| ("Content-Type", c))
        .into_iter()
        .collect();
    let r = request(s.addr, "POST", "/events", &headers, body);
    assert_eq!(
        r.status,
        status,
        "expected {status} for {:?}: {}",
        String::from_utf8_lossy(&body[..body.len().min(200)]),
        r.text()
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let error = r.error();
    assert!(
        error.contains(message),
        "{error:?} should mention {message:?}"
    );
}

fn with_event(field: &str, value: Option<Value>) -> Vec<u8> {
    let good = event("USER_CONNECTING", "sess-bad", 1, now_ms(), json!({}));
    let mut bad = event("USER_CONNECTED", "sess-bad", 2, now_ms(), json!({}));
    match value {
        Some(v) => bad[field] = v,
        None => {
            bad.as_object_mut().unwrap().remove(field);
        }
    }
    // The valid event comes first: it must not be stored either.
    batch(vec![good, bad]).to_string().into_bytes()
}

fn every_malformed_body_is_refused_with_a_message_and_nothing_is_stored() {
    let s = TestServer::start();
    let json_ct = Some("application/json");
    let valid = batch(vec![event("USER_CONNECTING", "s", 1, now_ms(), json!({}))]).to_string();

    // Not JSON at all, or not UTF-8.
    refused(&s, json_ct, b"hello", 400, "body is not valid JSON");
    refused(&s, json_ct, b"{\"batch\": [", 400, "body is not valid JSON");
    refused(&s, json_ct, b"", 400, "body is empty");
    refused(&s, json_ct, b"\xff\xfe{}", 400, "not UTF-8");
    // JSON of the wrong shape.
    refused(&s, json_ct, b"[]", 400, "expected an object");
    refused(&s, json_ct, b"42", 400, "got a number");
    refused(&s, json_ct, b"{}", 400, "missing field `batch`");
    refused(
        &s,
        json_ct,
        b"{\"batch\": {}, \"sent_at\": \"2026-11-27T01:20:54.123Z\"}",
        400,
        "expected a sequence",
    );
    refused(
        &s,
        json_ct,
        b"{\"batch\": []}",
        400,
        "missing field `sent_at`",
    );
    refused(
        &s,
        json_ct,
        b"{\"batch\": [], \"sent_at\": \"yesterday\"}",
        400,
        "sent_at \"yesterday\"",
    );
    let extra = valid.replacen('{', "{\"extra\":1,", 1);
    refused(&s, json_ct, extra.as_bytes(), 400, "unknown field `extra`");
    refused(
        &s,
        json_ct,
        b"{\"batch\": [42], \"sent_at\": \"2026-11-27T01:20:54.123Z\"}",
        400,
        "batch[0]",
    );
    // Events that are not events; the message names the event and the field.
    refused(
        &s,
        json_ct,
        &with_event("event_id", None),
        400,
        "batch[1]: missing field `event_id`",
    );
    refused(
        &s,
        json_ct,
        &with_event("session_id", Some(json!(""))),
        400,
        "batch[1]: session_id must be 1 to 64",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_name", Some(json!("USER_DANCED"))),
        400,
        "batch[1]: event_name \"USER_DANCED\" is not a catalog name",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_name", Some(json!(7))),
        400,
        "batch[1]: invalid type: integer `7`, expected a string",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_category", Some(json!("payment"))),
        400,
        "batch[1]: event_category of USER_CONNECTED must be \"auth\"",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_screen", Some(json!("checkout"))),
        400,
        "batch[1]: unknown variant `checkout`",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_time", Some(json!("27/11/2026"))),
        400,
        "batch[1]: event_time must be ISO-8601",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_time", Some(json!("2026-02-30T10:00:00.000Z"))),
        400,
        "batch[1]: event_time \"2026-02-30T10:00:00.000Z\" is not a real date",
    );
    refused(
        &s,
        json_ct,
        &with_event("sequence", Some(json!(0))),
        400,
        "batch[1]: sequence starts at 1",
    );
    refused(
        &s,
        json_ct,
        &with_event("sequence", Some(json!(-3))),
        400,
        "batch[1]: invalid value: integer `-3`",
    );
    refused(
        &s,
        json_ct,
        &with_event("event_data", Some(json!([1]))),
        400,
        "batch[1]: event_data must be an object",
    );
    refused(
        &s,
        json_ct,
        &with_event("event", Some(json!(false))),
        400,
        "batch[1]: event must be true",
    );
    refused(
        &s,
        json_ct,
        &with_event("surprise", Some(json!(1))),
        400,
        "batch[1]: unknown field `surprise`",
    );
    // Too many events.
    let many: Vec<Value> = (1..=1001)
        .map(|i| event("USER_CONNECTED", "many", i, now_ms(), json!({})))
        .collect();
    refused(
        &s,
        json_ct,
        batch(many).to_string().as_bytes(),
        400,
        "batch has 1001 events; at most 1000",
    );
    // Too large, with a Content-Length and without one (chunked).
    let padding = "x".repeat(1 << 20);
    let huge = batch(vec![event(
        "USER_CONNECTING",
        "big",
        1,
        now_ms(),
        json!({ "pad": padding }),
    )])
    .to_string();
    refused(
        &s,
        json_ct,
        huge.as_bytes(),
        413,
        "larger than 1048576 bytes",
    );
    let mut chunked = Vec::new();
    for piece in huge.as_bytes().chunks(100_000) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let r = request(
        s.addr,
        "POST",
        "/events",
        &[
            ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked"),
        ],
        &chunked,
    );
    assert_eq!(r.status, 413, "{}", r.text());
    // Wrong or missing content type, even with a valid body.
    refused(
        &s,
        Some("application/x-www-form-urlencoded"),
        valid.as_bytes(),
        415,
        "Content-Type must be application/json or text/plain",
    );
    refused(&s, None, valid.as_bytes(), 415, "got none");
    refused(
        &s,
        Some("text/plain; charset=ISO-8859-1"),
        valid.as_bytes(),
        415,
        "ISO-8859-1",
    );

    assert_eq!(s.count(), 0, "nothing of a refused body is stored");
    // And the service still works.
    assert_eq!(
        s.post_events(&serde_json::from_str(&valid).unwrap()).status,
        200
    );
    assert_eq!(s.count(), 1);
}

fn cors_preflight_lets_browsers_post_json() {
    let s = TestServer::start();
    let r = request(
        s.addr,
        "OPTIONS",
        "/events",
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert!(r
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase()
        .contains("content-type"));
    // The query API is not open to other origins.
    let r = request(
        s.addr,
        "OPTIONS",
        "/api/events",
        &[("Origin", "https://evil.example")],
        b"",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

fn rate_limit_answers_429_with_retry_after() {
    let s = TestServer::with(|c| {
        c.rate_limit = Some(okra_eventlog::ratelimit::RateLimit {
            per_second: 0.01,
            burst: 3.0,
        })
    });
    for i in 1..=3 {
        let r = s.post_events(&batch(vec![event(
            "USER_CONNECTED",
            "rl",
            i,
            now_ms(),
            json!({}),
        )]));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = s.post_events(&batch(vec![event(
        "USER_CONNECTED",
        "rl",
        4,
        now_ms(),
        json!({}),
    )]));
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1, "{retry}");
    assert!(r.error().contains("too many requests"), "{}", r.error());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // Queries are not limited, and the refused batch was not stored.
    assert_eq!(s.count(), 3);
}

fn concurrent_clients_lose_nothing() {
    let s = TestServer::start();
    const CLIENTS: usize = 16;
    const BATCHES: usize = 20;
    const PER_BATCH: usize = 50;
    let t0 = now_ms() - 3_600_000;
    let addr = s.addr;
    let totals: Vec<(u64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                scope.spawn(move || {
                    let mut stored = 0;
                    let mut dups = 0;
                    let mut first = None;
                    for b in 0..BATCHES {
                        let events: Vec<Value> = (0..PER_BATCH)
                            .map(|i| {
                                let seq = (b * PER_BATCH + i + 1) as u64;
                                // Many events share a millisecond across clients.
                                event(
                                    "USER_BANK_SELECTED",
                                    &format!("conc-{c}"),
                                    seq,
                                    t0 + (b * PER_BATCH + i) as i64 / 7,
                                    json!({}),
                                )
                            })
                            .collect();
                        let body = batch(events).to_string();
                        first.get_or_insert_with(|| body.clone());
                        let r = request(
                            addr,
                            "POST",
                            "/events",
                            &[("Content-Type", "application/json")],
                            body.as_bytes(),
                        );
                        assert_eq!(r.status, 200, "{}", r.text());
                        stored += r.json()["stored"].as_u64().unwrap();
                    }
                    // A retry of the first batch: all duplicates.
                    let r = request(
                        addr,
                        "POST",
                        "/events",
                        &[("Content-Type", "text/plain")],
                        first.unwrap().as_bytes(),
                    );
                    dups += r.json()["duplicates"].as_u64().unwrap();
                    (stored, dups)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let expected = CLIENTS * BATCHES * PER_BATCH;
    assert_eq!(totals.iter().map(|t| t.0).sum::<u64>(), expected as u64);
    assert_eq!(
        totals.iter().map(|t| t.1).sum::<u64>(),
        (CLIENTS * PER_BATCH) as u64
    );
    let all = s.all_events();
    assert_eq!(all.len(), expected);
    let unique: HashSet<String> = ids(&Value::Array(all)).into_iter().collect();
    assert_eq!(unique.len(), expected);
    for c in 0..CLIENTS {
        for seq in 1..=BATCHES * PER_BATCH {
            assert!(
                unique.contains(&format!("conc-{c}-ev-{seq}")),
                "conc-{c}-ev-{seq} missing"
            );
        }
    }
}

fn health_and_unknown_paths() {
    let s = TestServer::start();
    let r = request(s.addr, "GET", "/healthz", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "status": "ok" }));
    let r = request(s.addr, "GET", "/nope", &[], b"");
    assert_eq!(r.status, 404);
    assert!(r.error().contains("no such endpoint"));
}

fn generated_token_is_kept_across_restarts_unless_configured() {
    let first = TestServer::start().keep_db();
    let token = first.token.clone();
    assert_eq!(token.len(), 64);
    let db = first.stop();
    let again = TestServer::with(|c| c.db = db.clone()).keep_db();
    assert_eq!(again.token, token);
    again.stop();
    let configured = TestServer::with(|c| {
        c.db = db.clone();
        c.token = Some("configured-token-0123456789".into());
    });
    assert_eq!(configured.token, "configured-token-0123456789");
    let r = request(
        configured.addr,
        "GET",
        "/api/events",
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(r.status, 401, "the stored token no longer opens it");
}

#[test]
fn the_binary_prints_its_url_and_token_and_serves() {
    let db = temp_db();
    let mut child = Command::new(env!("CARGO_BIN_EXE_okra-eventlog"))
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("OKRA_EVENTLOG_TOKEN", "env-token-abcdefghijkl")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("okra-eventlog listening on ")
        .unwrap_or_else(|| panic!("unexpected banner {first:?}"))
        .to_owned();
    let banner: Vec<String> = lines.by_ref().take(5).map(|l| l.unwrap()).collect();
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == "token:     env-token-abcdefghijkl"),
        "{banner:?}"
    );
    let addr = url.strip_prefix("http://").unwrap().parse().unwrap();
    assert_ne!(addr, "127.0.0.1:0".parse().unwrap(), "prints the real port");
    let r = request(addr, "GET", "/healthz", &[], b"");
    assert_eq!(r.status, 200);
    let r = request(
        addr,
        "GET",
        "/api/events",
        &[("Authorization", "Bearer env-token-abcdefghijkl")],
        b"",
    );
    assert_eq!(r.status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
    remove_db(&db);

    // A bad flag is a usage error that says what was wrong.
    let out = Command::new(env!("CARGO_BIN_EXE_okra-eventlog"))
        .args(["--listen"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen needs a value"));
}

both_backends!(
    ingest_then_query_returns_the_events_as_sent,
    accepts_text_plain_as_sent_by_send_beacon,
    duplicates_are_stored_once,
    every_malformed_body_is_refused_with_a_message_and_nothing_is_stored,
    cors_preflight_lets_browsers_post_json,
    rate_limit_answers_429_with_retry_after,
    concurrent_clients_lose_nothing,
    health_and_unknown_paths,
    generated_token_is_kept_across_restarts_unless_configured,
);
