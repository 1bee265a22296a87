//! The query API, export and dashboard over loopback HTTP: token
//! enforcement, keyword search, date filters, paging, session grouping and
//! streamed export.

#[macro_use]
mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{json, Value};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Three sessions of a user journey, one of them for customer CUST-9000,
/// spread over the last days.
fn seed(s: &TestServer) -> i64 {
    let now = now_ms();
    let mut events = Vec::new();
    for (session, customer, start, bank) in [
        (
            "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "CUST-9000",
            now - DAY - 2 * HOUR,
            "Alat",
        ),
        ("sess-two", "cust-1234", now - 3 * HOUR, "GTBank"),
        ("sess-three", "CUST-5555", now - 10 * DAY, "Kuda"),
    ] {
        events.push(event("USER_CONNECTING", session, 1, start, json!({})));
        events.push(event(
            "USER_CONNECTED",
            session,
            2,
            start + 1_000,
            json!({}),
        ));
        events.push(event(
            "USER_BANK_SELECTED",
            session,
            3,
            start + 2_000,
            json!({ "bank": bank }),
        ));
        events.push(event(
            "USER_LOGIN_ATTEMPTED",
            session,
            4,
            start + 3_000,
            json!({ "customer": { "id": customer, "tags": ["vip", 42] }, "note": "Ré-essai" }),
        ));
    }
    let r = s.post_events(&batch(events));
    assert_eq!(r.status, 200, "{}", r.text());
    now
}

fn the_api_needs_the_token() {
    let s = TestServer::start();
    seed(&s);
    for path in ["/api/events", "/api/events/export", "/api/events?q=alat"] {
        let r = request(s.addr, "GET", path, &[], b"");
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"okra-eventlog\"")
        );
        assert!(r.error().contains("Authorization: Bearer"), "{}", r.error());
        let r = request(
            s.addr,
            "GET",
            path,
            &[("Authorization", "Bearer wrong-token-wrong-token")],
            b"",
        );
        assert_eq!(r.status, 401, "{path}");
        assert!(r.error().contains("token is wrong"), "{}", r.error());
        // Same length as the real token, one character off.
        let mut near = s.token.clone();
        near.replace_range(0..1, if near.starts_with('a') { "b" } else { "a" });
        let r = request(
            s.addr,
            "GET",
            path,
            &[("Authorization", &format!("Bearer {near}"))],
            b"",
        );
        assert_eq!(r.status, 401, "{path}");
        assert_eq!(s.get(path).status, 200, "{path}");
    }
    // The dashboard page itself is public; its data is not.
    let r = request(s.addr, "GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Event Logs"));
}

#[test]
fn dashboard_login_sets_a_strict_http_only_cookie() {
    let s = TestServer::start();
    // ?token= once: cookie, then a clean URL.
    let r = request(s.addr, "GET", &format!("/?token={}", s.token), &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/"));
    let cookie = r.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let r = request(s.addr, "GET", "/api/events", &[("Cookie", pair)], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    // A wrong token in the link sets nothing.
    let r = request(s.addr, "GET", "/?token=nope", &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/#wrong-token"));
    assert_eq!(r.header("set-cookie"), None);
    // The login field's call.
    let r = request(
        s.addr,
        "POST",
        "/api/session",
        &[("Authorization", &s.auth())],
        b"",
    );
    assert_eq!(r.status, 204);
    assert!(r
        .header("set-cookie")
        .unwrap()
        .starts_with("okra_eventlog_session="));
    let r = request(
        s.addr,
        "POST",
        "/api/session",
        &[("Authorization", "Bearer nope")],
        b"",
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("set-cookie"), None);
    let r = request(
        s.addr,
        "GET",
        "/api/events",
        &[("Cookie", "okra_eventlog_session=nope")],
        b"",
    );
    assert_eq!(r.status, 401);
}

#[test]
fn dashboard_assets_are_served_with_a_strict_policy() {
    let s = TestServer::start();
    let r = request(s.addr, "GET", "/", &[], b"");
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let js = request(s.addr, "GET", "/dashboard.js", &[], b"");
    assert_eq!(js.status, 200);
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert!(
        !js.text().contains("innerHTML"),
        "the dashboard never writes HTML from data"
    );
    assert_eq!(
        request(s.addr, "GET", "/dashboard.css", &[], b"").status,
        200
    );
}

fn keyword_search_covers_ids_names_and_data_case_insensitively() {
    let s = TestServer::start();
    seed(&s);
    let one = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let cases: &[(&str, &[&str])] = &[
        // A customer id nested inside event_data, in any case.
        ("CUST-9000", &[&format!("{one}-ev-4")]),
        ("cust-9000", &[&format!("{one}-ev-4")]),
        // A session id finds the whole session.
        (
            one,
            &[
                &format!("{one}-ev-4"),
                &format!("{one}-ev-3"),
                &format!("{one}-ev-2"),
                &format!("{one}-ev-1"),
            ],
        ),
        // A tracking id (in event_data of every event).
        (
            "trk-sess-two",
            &[
                "sess-two-ev-4",
                "sess-two-ev-3",
                "sess-two-ev-2",
                "sess-two-ev-1",
            ],
        ),
        // An event id.
        ("sess-three-ev-2", &["sess-three-ev-2"]),
        // An event name, as written or in lower case.
        (
            "user_bank_selected",
            &["sess-two-ev-3", &format!("{one}-ev-3"), "sess-three-ev-3"],
        ),
        // A value inside event_data, and a number inside an array.
        ("gtbank", &["sess-two-ev-3"]),
        (
            "42",
            &["sess-two-ev-4", &format!("{one}-ev-4"), "sess-three-ev-4"],
        ),
        // Diacritics are folded.
        ("re-essai sess-two", &["sess-two-ev-4"]),
        // Every word must match.
        ("kuda alat", &[]),
        ("Kuda user_bank_selected", &["sess-three-ev-3"]),
        // Prefixes only when asked for.
        ("cust-90", &[]),
        ("cust-90*", &[&format!("{one}-ev-4")]),
        // Nothing searchable.
        ("***", &[]),
        ("nobody-here", &[]),
    ];
    for (q, expected) in cases {
        let got = s.search_ids(&format!("q={}", urlencode(q)));
        assert_eq!(&got, expected, "q={q}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn date_filters_resolve_in_the_viewers_zone() {
    let s = TestServer::start();
    let now = seed(&s);
    // Yesterday's and today's sessions are in the last 7 days; the one ten
    // days old is not.
    let got: HashSet<String> = s
        .search_ids("range=last_7_days&tz=Africa%2FLagos")
        .into_iter()
        .map(|id| id.rsplit_once("-ev-").unwrap().0.to_owned())
        .collect();
    assert_eq!(
        got,
        HashSet::from([
            "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".to_owned(),
            "sess-two".to_owned()
        ])
    );
    assert_eq!(
        s.search_ids("range=last_30_days&q=kuda"),
        vec!["sess-three-ev-3"]
    );
    // A custom range of instants: from inclusive, to exclusive.
    let start = now - 10 * DAY;
    let from = iso(start + 1_000);
    let to = iso(start + 3_000);
    assert_eq!(
        s.search_ids(&format!("from={from}&to={to}")),
        vec!["sess-three-ev-3", "sess-three-ev-2"]
    );
    // Open-ended.
    assert_eq!(
        s.search_ids(&format!("to={}", iso(start + 1_000))),
        vec!["sess-three-ev-1"]
    );
    // Plain dates are whole calendar days in the given zone: 2026-03-08 in
    // New York is 23 hours long (DST starts).
    let edges = [
        ("2026-03-08T04:59:59.999Z", false),
        ("2026-03-08T05:00:00.000Z", true),
        ("2026-03-09T03:59:59.999Z", true),
        ("2026-03-09T04:00:00.000Z", false),
    ];
    let events: Vec<Value> = edges
        .iter()
        .enumerate()
        .map(|(i, (t, _))| {
            let mut e = event("USER_FETCH_TRANS", "dst", i as u64 + 1, 0, json!({}));
            e["event_time"] = json!(t);
            e
        })
        .collect();
    assert_eq!(s.post_events(&batch(events)).status, 200);
    let got = s.search_ids("from=2026-03-08&to=2026-03-08&tz=America%2FNew_York&q=dst");
    assert_eq!(got, ["dst-ev-3", "dst-ev-2"]);
    let got = s.search_ids("from=2026-03-08&to=2026-03-08&tz=Africa%2FLagos&q=dst");
    assert_eq!(got, ["dst-ev-2", "dst-ev-1"], "Lagos is UTC+1 all year");
}

fn bad_parameters_are_refused_with_a_message() {
    let s = TestServer::start();
    for (query, message) in [
        ("range=last_8_days", "range \"last_8_days\" is not one of"),
        (
            "range=today&tz=Mars%2FOlympus",
            "tz \"Mars/Olympus\" is not an IANA time zone",
        ),
        ("from=last-tuesday", "from \"last-tuesday\" is not ISO-8601"),
        ("from=2026-11-02&to=2026-11-01", "must be before"),
        ("range=today&from=2026-11-01", "either range or from/to"),
        (
            "limit=0",
            "limit \"0\" must be a whole number of events from 1 to 500",
        ),
        ("limit=501", "from 1 to 500"),
        ("group=session&limit=101", "sessions from 1 to 100"),
        ("cursor=abc", "cursor \"abc\" is not a cursor"),
        ("group=session&cursor=e12", "is not a cursor"),
        ("group=user", "group \"user\" is not supported"),
        ("rnage=today", "unknown parameter \"rnage\""),
    ] {
        let r = s.get(&format!("/api/events?{query}"));
        assert_eq!(r.status, 400, "{query}: {}", r.text());
        assert!(r.error().contains(message), "{query}: {}", r.error());
    }
    // Cursors at the ends of the key space are harmless.
    assert_eq!(
        s.search("group=session&cursor=s9223372036854775807")["events"],
        json!([])
    );
    assert_eq!(
        s.search("cursor=e-9223372036854775808")["events"],
        json!([])
    );
    let r = s.get("/api/events/export?ids=a&q=b");
    assert_eq!(r.status, 400);
    assert!(r.error().contains("either ids or the filters"));
}

fn post_sequence(s: &TestServer, session: &str, count: u64, t0: i64, step: i64) {
    let events: Vec<Value> = (1..=count)
        .map(|i| {
            event(
                "USER_FETCH_TRANS",
                session,
                i,
                t0 + i as i64 * step,
                json!({ "page": "paging" }),
            )
        })
        .collect();
    for chunk in events.chunks(500) {
        let r = s.post_events(&batch(chunk.to_vec()));
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

fn cursor_paging_is_newest_first_complete_and_stable() {
    let s = TestServer::start();
    let t0 = now_ms() - DAY;
    // 120 events, some sharing a millisecond.
    post_sequence(&s, "paged", 120, t0, 1);
    let events: Vec<Value> = (121..=140)
        .map(|i| {
            event(
                "USER_FETCH_TRANS",
                "paged",
                i,
                t0 + 60,
                json!({ "page": "paging" }),
            )
        })
        .collect();
    assert_eq!(s.post_events(&batch(events)).status, 200);
    for q in ["", "q=paging&"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let c = cursor
                .as_ref()
                .map(|c| format!("&cursor={c}"))
                .unwrap_or_default();
            let page = s.search(&format!("{q}limit=50{c}"));
            pages += 1;
            seen.extend(ids(&page["events"]));
            if pages == 1 {
                // New events arriving between pages do not shift later pages.
                // (Session ids are [A-Za-z0-9_.:-], so the query's = and & go.)
                let late = format!("late{q}").replace(['=', '&'], "_");
                post_sequence(&s, &late, 5, now_ms(), 1);
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let late = if q.is_empty() { 5 } else { 10 };
        let all = s.search_ids(&format!("{q}limit=500"));
        assert_eq!(all.len(), 140 + late, "{q}");
        // Paging saw the events that existed when it started, each once, in
        // the same order as one big page (after the 5 late arrivals at the top).
        assert_eq!(seen, all[5..], "{q}");
        assert_eq!(pages, 3, "{q}");
        // Newest first by event time.
        let times: Vec<i64> = s.search(&format!("{q}limit=500"))["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                e["event_time"]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_millisecond()
            })
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{q}");
    }
}

fn group_by_session_pages_whole_sessions() {
    let s = TestServer::start();
    let t0 = now_ms() - DAY;
    // Interleaved sessions: A's newest event is newest overall, then C, then B.
    let mut events = Vec::new();
    for (i, session) in ["A", "B", "C", "A", "C", "B", "C", "A"].iter().enumerate() {
        let seq = events
            .iter()
            .filter(|e: &&Value| e["session_id"] == *session)
            .count() as u64
            + 1;
        let t = t0 + i as i64 * 1_000;
        let b_late = if *session == "B" && seq == 2 {
            -100_000
        } else {
            0
        };
        events.push(event(
            "USER_FETCH_BALANCE",
            session,
            seq,
            t + b_late,
            json!({ "n": i }),
        ));
    }
    events.push(event(
        "USER_FETCH_BALANCE",
        "D",
        1,
        t0 - 50_000,
        json!({ "only": "d" }),
    ));
    assert_eq!(s.post_events(&batch(events)).status, 200);

    let page1 = s.search("group=session&limit=2");
    assert_eq!(
        ids(&page1["events"]),
        ["A-ev-1", "A-ev-2", "A-ev-3", "C-ev-1", "C-ev-2", "C-ev-3"],
        "whole sessions, each in sequence order, newest session first"
    );
    let cursor = page1["next_cursor"].as_str().unwrap().to_owned();
    let page2 = s.search(&format!("group=session&limit=2&cursor={cursor}"));
    assert_eq!(ids(&page2["events"]), ["B-ev-1", "B-ev-2", "D-ev-1"]);
    assert_eq!(page2["next_cursor"], Value::Null);

    // With a keyword, only matching events, and sessions still appear once.
    let page = s.search("group=session&limit=1&q=user_fetch_balance");
    assert_eq!(ids(&page["events"]), ["A-ev-1", "A-ev-2", "A-ev-3"]);
    let mut sessions = vec!["A".to_owned()];
    let mut cursor = page["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = s.search(&format!(
            "group=session&limit=1&q=user_fetch_balance&cursor={c}"
        ));
        let got = ids(&page["events"]);
        let session = got[0].split("-ev-").next().unwrap().to_owned();
        assert!(
            got.iter().all(|id| id.starts_with(&format!("{session}-"))),
            "{got:?}"
        );
        sessions.push(session);
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(sessions, ["A", "C", "B", "D"]);
    let page = s.search("group=session&q=d");
    assert_eq!(ids(&page["events"]), ["D-ev-1"]);
}

fn export_selected_or_all_matching_as_an_attachment() {
    let s = TestServer::start();
    seed(&s);
    let r = s.get("/api/events/export?ids=sess-two-ev-1,sess-three-ev-4,unknown-id");
    assert_eq!(r.status, 200);
    let disposition = r.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"okra-events-selected-"),
        "{disposition}"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(ids(&r.json()), ["sess-two-ev-1", "sess-three-ev-4"]);
    // Exported events are the stored objects.
    let searched = s.search("q=sess-two-ev-1")["events"][0].clone();
    assert_eq!(r.json()[0], searched);

    let r =
        s.get("/api/events/export?q=user_login_attempted&range=last_30_days&tz=America%2FNew_York");
    assert!(r
        .header("content-disposition")
        .unwrap()
        .contains("okra-events-all-"));
    assert_eq!(ids(&r.json()).len(), 3);
    let r = s.get("/api/events/export?q=nothing-matches-this");
    assert_eq!(r.json(), json!([]));
    let r = s.get("/api/events/export?ids=,");
    assert_eq!(r.status, 400);
}

fn export_streams_many_events() {
    let s = TestServer::start();
    let t0 = now_ms() - DAY;
    post_sequence(&s, "bulk", 3_000, t0, 3);
    let r = s.get("/api/events/export");
    assert_eq!(r.status, 200);
    // Streamed: no Content-Length, chunked, several chunks of 64 KiB.
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert!(r.body.len() > 3 * 64 * 1024, "{}", r.body.len());
    let all = r.json();
    let got = ids(&all);
    assert_eq!(got.len(), 3_000);
    assert_eq!(got[0], "bulk-ev-3000");
    assert_eq!(got[2_999], "bulk-ev-1");
}

both_backends!(
    the_api_needs_the_token,
    keyword_search_covers_ids_names_and_data_case_insensitively,
    date_filters_resolve_in_the_viewers_zone,
    bad_parameters_are_refused_with_a_message,
    cursor_paging_is_newest_first_complete_and_stable,
    group_by_session_pages_whole_sessions,
    export_selected_or_all_matching_as_an_attachment,
    export_streams_many_events,
);
