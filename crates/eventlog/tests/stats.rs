//! `GET /api/stats` on known data: buckets per hour or per calendar day in
//! the viewer's zone (Africa/Lagos, UTC+1 all year, and America/New_York
//! across the start of DST on 2026-03-08), and the screen funnel.

#[macro_use]
mod common;

use common::*;
use serde_json::{json, Value};

fn ms(iso: &str) -> i64 {
    iso.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// Six events in three sessions around New York's DST start.
fn seed(s: &TestServer) {
    let events = vec![
        // 23:30 EST on 03-06 in New York; 05:30 on 03-07 in Lagos.
        event(
            "USER_CONNECTING",
            "s1",
            1,
            ms("2026-03-07T04:30:00Z"),
            json!({}),
        ),
        event(
            "USER_BANK_SELECTED",
            "s1",
            2,
            ms("2026-03-07T23:30:00Z"),
            json!({}),
        ),
        // 01:59 EST, then 03:00 EDT: the clocks skipped 02:00-03:00.
        event(
            "USER_CONNECTING",
            "s2",
            1,
            ms("2026-03-08T06:59:00Z"),
            json!({ "w": "secondsession" }),
        ),
        event(
            "USER_LOGIN_ATTEMPTED",
            "s2",
            2,
            ms("2026-03-08T07:00:00Z"),
            json!({ "w": "secondsession" }),
        ),
        // 23:30 EDT on 03-08 in New York; 04:30 on 03-09 in Lagos.
        event(
            "USER_BANK_SELECTED",
            "s2",
            3,
            ms("2026-03-09T03:30:00Z"),
            json!({ "w": "secondsession" }),
        ),
        event(
            "USER_CONNECTING",
            "s3",
            1,
            ms("2026-03-09T04:30:00Z"),
            json!({}),
        ),
    ];
    let r = s.post_events(&batch(events));
    assert_eq!(r.status, 200, "{}", r.text());
}

fn stats(s: &TestServer, query: &str) -> Value {
    let r = s.get(&format!("/api/stats?{query}"));
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()
}

fn buckets(v: &Value) -> Vec<(String, u64)> {
    v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["start"].as_str().unwrap().to_owned(),
                b["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn funnel(v: &Value) -> Vec<(String, u64)> {
    v["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["screen"].as_str().unwrap().to_owned(),
                b["sessions"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn nonzero(f: &[(String, u64)]) -> Vec<(&str, u64)> {
    f.iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (s.as_str(), *n))
        .collect()
}

/// The sum of the buckets equals what a search with the same filter finds.
fn sums_match(s: &TestServer, query: &str) -> Value {
    let v = stats(s, query);
    let sum: u64 = buckets(&v).iter().map(|(_, n)| n).sum();
    let found = s.search_ids(&format!("{query}&limit=500")).len() as u64;
    assert_eq!(sum, found, "{query}");
    v
}

fn days_in_new_york_across_the_dst_change() {
    let s = TestServer::start();
    seed(&s);
    let v = sums_match(&s, "from=2026-03-06&to=2026-03-09&tz=America/New_York");
    assert_eq!(
        buckets(&v),
        [
            ("2026-03-06T00:00:00-05:00".to_owned(), 1),
            ("2026-03-07T00:00:00-05:00".to_owned(), 1),
            ("2026-03-08T00:00:00-05:00".to_owned(), 3),
            ("2026-03-09T00:00:00-04:00".to_owned(), 1),
        ]
    );
    // Every screen of SPEC section 3, in its order.
    let f = funnel(&v);
    let order: Vec<&str> = f.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        order,
        [
            "landing",
            "login_method",
            "bank",
            "search",
            "no_search_result",
            "login",
            "account_selection",
            "balance",
            "mfa",
            "review_payment",
            "authorize_payment",
            "rux_bank_selection",
            "success",
            "failure"
        ]
    );
    assert_eq!(nonzero(&f), [("landing", 3), ("search", 2), ("login", 1)]);
}

fn hours_of_the_day_the_clocks_skip_an_hour() {
    let s = TestServer::start();
    seed(&s);
    let v = sums_match(&s, "from=2026-03-08&to=2026-03-08&tz=America/New_York");
    let b = buckets(&v);
    assert_eq!(b.len(), 23, "a 23-hour day has 23 hourly buckets");
    assert_eq!(b[0].0, "2026-03-08T00:00:00-05:00");
    assert_eq!(b[1], ("2026-03-08T01:00:00-05:00".to_owned(), 1));
    assert_eq!(b[2], ("2026-03-08T03:00:00-04:00".to_owned(), 1));
    assert_eq!(b[22], ("2026-03-08T23:00:00-04:00".to_owned(), 1));
    assert_eq!(
        nonzero(&funnel(&v)),
        [("landing", 1), ("search", 1), ("login", 1)]
    );
}

fn days_and_hours_in_lagos() {
    let s = TestServer::start();
    seed(&s);
    let v = sums_match(&s, "from=2026-03-06&to=2026-03-09&tz=Africa/Lagos");
    assert_eq!(
        buckets(&v),
        [
            ("2026-03-06T00:00:00+01:00".to_owned(), 0),
            ("2026-03-07T00:00:00+01:00".to_owned(), 1),
            ("2026-03-08T00:00:00+01:00".to_owned(), 3),
            ("2026-03-09T00:00:00+01:00".to_owned(), 2),
        ]
    );
    // Two days: hours, 48 of them.
    let v = sums_match(&s, "from=2026-03-08&to=2026-03-09&tz=Africa/Lagos");
    let b = buckets(&v);
    assert_eq!(b.len(), 48);
    assert_eq!(b[0], ("2026-03-08T00:00:00+01:00".to_owned(), 1));
    assert_eq!(b[7], ("2026-03-08T07:00:00+01:00".to_owned(), 1));
    assert_eq!(b[8], ("2026-03-08T08:00:00+01:00".to_owned(), 1));
    assert_eq!(b[28], ("2026-03-09T04:00:00+01:00".to_owned(), 1));
    assert_eq!(b[29], ("2026-03-09T05:00:00+01:00".to_owned(), 1));
}

fn keywords_open_ranges_and_presets() {
    let s = TestServer::start();
    seed(&s);
    // Keywords narrow both the bars and the funnel.
    let v = sums_match(
        &s,
        "q=secondsession&from=2026-03-06&to=2026-03-09&tz=America/New_York",
    );
    assert_eq!(
        buckets(&v).iter().map(|b| b.1).collect::<Vec<_>>(),
        [0, 0, 3, 0]
    );
    assert_eq!(
        nonzero(&funnel(&v)),
        [("landing", 1), ("search", 1), ("login", 1)]
    );
    // No range: from the first matching event to the last, by day (UTC).
    let v = sums_match(&s, "tz=UTC");
    assert_eq!(
        buckets(&v),
        [
            ("2026-03-07T00:00:00+00:00".to_owned(), 2),
            ("2026-03-08T00:00:00+00:00".to_owned(), 2),
            ("2026-03-09T00:00:00+00:00".to_owned(), 2),
        ]
    );
    // Nothing matches: no buckets for an open range, every screen at 0.
    let v = stats(&s, "q=nothingmatchesthis");
    assert!(buckets(&v).is_empty());
    assert_eq!(funnel(&v).len(), 14);
    assert!(nonzero(&funnel(&v)).is_empty());
    // A preset has all its buckets, matches or not.
    let v = stats(&s, "range=last_7_days&tz=Africa/Lagos");
    assert_eq!(buckets(&v).len(), 7);
    let v = stats(&s, "range=today&tz=Africa/Lagos");
    assert_eq!(buckets(&v).len(), 24);
    // Errors are 400s that say why; the token is needed.
    let r = s.get("/api/stats?limit=5");
    assert_eq!(r.status, 400, "{}", r.text());
    let r = s.get("/api/stats?from=1990-01-01&to=2026-01-01");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.error().contains("narrow it"));
    let r = request(s.addr, "GET", "/api/stats", &[], b"");
    assert_eq!(r.status, 401);
}

both_backends!(
    days_in_new_york_across_the_dst_change,
    hours_of_the_day_the_clocks_skip_an_hour,
    days_and_hours_in_lagos,
    keywords_open_ranges_and_presets,
);
