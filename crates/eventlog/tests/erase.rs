//! Erasure (`DELETE /api/events`) and retention (`--retain-days`), SPEC 7.2.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn delete(s: &TestServer, query: &str) -> Resp {
    request(
        s.addr,
        "DELETE",
        &format!("/api/events{query}"),
        &[("Authorization", &s.auth())],
        b"",
    )
}

fn deleted(s: &TestServer, query: &str) -> u64 {
    let r = delete(s, query);
    assert_eq!(r.status, 200, "{query}: {}", r.text());
    r.json()["deleted"].as_u64().expect("a count")
}

/// Four events in each of three sessions; `sess-two`'s customer carries a
/// word found nowhere else.
fn seed(s: &TestServer) {
    let now = now_ms();
    let mut events = Vec::new();
    for (session, customer, start) in [
        ("sess-one", "cust-1111", now - DAY),
        ("sess-two", "zyzzyva-2222", now - 3 * HOUR),
        ("sess-three", "cust-3333", now - 2 * HOUR),
    ] {
        for (seq, name) in [
            "USER_CONNECTING",
            "USER_CONNECTED",
            "USER_BANK_SELECTED",
            "USER_LOGIN_ATTEMPTED",
        ]
        .into_iter()
        .enumerate()
        {
            let seq = seq as u64 + 1;
            events.push(event(
                name,
                session,
                seq,
                start + seq as i64 * 1_000,
                json!({ "customer": { "id": customer }, "bank": "alat" }),
            ));
        }
    }
    let r = s.post_events(&batch(events));
    assert_eq!(r.status, 200, "{}", r.text());
}

/// Whether any page of the full-text index holds these bytes. On
/// PostgreSQL: whether any stored row's words or text still hold the word
/// (read through the GIN index, as a search does).
fn index_holds(s: &TestServer, word: &str) -> bool {
    if let Some(url) = s.pg() {
        let (url, word) = (url.to_owned(), word.to_owned());
        return block_on(async move {
            let c = pg_connect(&url).await;
            c.batch_execute("SET enable_seqscan = off").await.unwrap();
            let n: i64 = c
                .query_one(
                    "SELECT count(*) FROM events WHERE doc @@ $1::text::tsquery
                     OR json LIKE '%' || $1 || '%'",
                    &[&word],
                )
                .await
                .unwrap()
                .get(0);
            n > 0
        });
    }
    let conn =
        rusqlite::Connection::open_with_flags(&s.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn.prepare("SELECT block FROM events_fts_data").unwrap();
    let blocks: Vec<Vec<u8>> = stmt
        .query_map([], |r| r.get::<_, Option<Vec<u8>>>(0))
        .unwrap()
        .map(|b| b.unwrap().unwrap_or_default())
        .collect();
    blocks
        .iter()
        .any(|b| b.windows(word.len()).any(|w| w == word.as_bytes()))
}

/// Merges the index's segments now, as `INSERT INTO events_fts(events_fts)
/// VALUES('optimize')` does for an operator.
fn optimize(s: &TestServer) {
    if let Some(url) = s.pg() {
        // VACUUM drops the deleted rows and their index entries.
        pg_exec(url, "VACUUM events");
        return;
    }
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.execute_batch("INSERT INTO events_fts(events_fts) VALUES('optimize')")
        .unwrap();
}

fn erasure_by_session_removes_the_events_and_their_words() {
    let s = TestServer::start();
    seed(&s);
    assert_eq!(s.search_ids("q=zyzzyva-2222").len(), 4);
    assert!(index_holds(&s, "zyzzyva"));
    assert_eq!(deleted(&s, "?session_id=sess-two"), 4);
    // Gone from search and from export.
    assert!(s.search_ids("q=zyzzyva-2222").is_empty());
    assert!(s.search_ids("q=sess-two").is_empty());
    assert!(s.search_ids("q=zyzzyva*").is_empty());
    // The index keeps a marker that cancels the erased words until its
    // merging rewrites those segments; forcing that (as an operator can)
    // leaves no trace of them in its pages, which also proves the markers
    // named exactly the words that were indexed.
    optimize(&s);
    assert!(
        !index_holds(&s, "zyzzyva"),
        "the erased word is still in the index"
    );
    assert_eq!(s.count(), 8);
    // The others are untouched, and still found by the words they share.
    assert_eq!(s.search_ids("q=alat").len(), 8);
    assert_eq!(s.search_ids("q=cust-1111").len(), 4);
    // A second delete finds nothing.
    assert_eq!(deleted(&s, "?session_id=sess-two"), 0);
    // Redelivered, an erased event is stored anew (its id is free again).
    seed(&s);
    assert_eq!(s.count(), 12);
    assert_eq!(s.search_ids("q=zyzzyva-2222").len(), 4);
}

fn erasure_by_keyword_and_range() {
    let s = TestServer::start();
    seed(&s);
    // Only the matching events, not their whole sessions.
    assert_eq!(deleted(&s, "?q=USER_CONNECTED%20cust-3333"), 1);
    assert_eq!(s.count(), 11);
    assert!(s.search_ids("q=USER_CONNECTED%20cust-3333").is_empty());
    assert_eq!(s.search_ids("q=cust-3333").len(), 3);
    // Narrowed by a date range: sess-one was a day ago.
    let r = deleted(&s, "?q=alat&range=today&tz=UTC");
    let today = s.search_ids("q=alat&range=today&tz=UTC");
    assert!(today.is_empty(), "{today:?}");
    assert_eq!(s.count() as u64, 11 - r);
    // A keyword and a session together: their intersection.
    let left = s.search_ids("q=cust-1111").len() as u64;
    assert_eq!(
        deleted(&s, "?q=USER_CONNECTING&session_id=sess-one"),
        left.min(1)
    );
    // More than one batch of the writer (1,000) in one request.
    let mut events: Vec<Value> = Vec::new();
    let now = now_ms();
    for round in 0..3 {
        events.clear();
        for i in 0..1_000 {
            events.push(event(
                "USER_CONNECTING",
                &format!("bulk-{round}-{i}"),
                1,
                now - i64::from(i) * 1_000,
                json!({ "campaign": "bulkdelete" }),
            ));
        }
        assert_eq!(s.post_events(&batch(events.clone())).status, 200);
    }
    assert_eq!(deleted(&s, "?q=bulkdelete"), 3_000);
    assert!(s.search_ids("q=bulkdelete").is_empty());
}

fn an_erasure_longer_than_the_wait_answers_202_and_finishes_in_the_background() {
    let s = TestServer::with(|c| c.limits.erase_wait = Duration::from_millis(1));
    let now = now_ms();
    for round in 0..3 {
        let events: Vec<Value> = (0..1_000)
            .map(|i| {
                event(
                    "USER_CONNECTING",
                    &format!("slow-{round}-{i}"),
                    1,
                    now - i64::from(i) * 1_000,
                    json!({ "campaign": "slowerase" }),
                )
            })
            .collect();
        assert_eq!(s.post_events(&batch(events)).status, 200);
    }
    let r = delete(&s, "?q=slowerase");
    assert_eq!(r.status, 202, "{}", r.text());
    let v = r.json();
    assert_eq!(v["done"], false);
    assert!(v["deleted"].as_u64().unwrap() < 3_000, "{v}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !s.search_ids("q=slowerase&limit=1").is_empty() {
        assert!(Instant::now() < deadline, "the erasure did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.count(), 0);
    // Asked again, nothing is left (the answer may again come before the
    // 1 ms wait is over).
    let r = delete(&s, "?q=slowerase");
    assert!(matches!(r.status, 200 | 202), "{}", r.text());
    assert_eq!(r.json()["deleted"].as_u64(), Some(0));
}

fn a_delete_without_a_filter_is_refused() {
    let s = TestServer::start();
    seed(&s);
    for query in ["", "?q=", "?q=%20%20", "?range=today", "?from=2020-01-01"] {
        let r = delete(&s, query);
        assert_eq!(r.status, 400, "{query}: {}", r.text());
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        assert!(
            r.error().contains("session_id=ID or q=KEYWORDS"),
            "{}",
            r.error()
        );
    }
    let r = delete(&s, "?session_id=a,b");
    assert_eq!(r.status, 400, "{}", r.text());
    let r = delete(&s, "?sesion_id=sess-one");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.error().contains("\"sesion_id\""));
    // The token (or a session) is needed.
    let r = request(
        s.addr,
        "DELETE",
        "/api/events?session_id=sess-one",
        &[],
        b"",
    );
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(s.count(), 12);
}

fn retention_across_a_restart() {
    let s = TestServer::start().keep_db();
    let now = now_ms();
    let mut events = Vec::new();
    // 1,500 old events (more than one deletion batch), two recent ones.
    for i in 0..1_500 {
        events.push(event(
            "USER_CONNECTING",
            &format!("old-{i}"),
            1,
            now - 40 * DAY - i64::from(i) * 1_000,
            json!({ "age": "ancient" }),
        ));
    }
    for chunk in events.chunks(1_000) {
        assert_eq!(s.post_events(&batch(chunk.to_vec())).status, 200);
    }
    let recent = vec![
        event(
            "USER_CONNECTING",
            "recent-a",
            1,
            now - 29 * DAY,
            json!({ "age": "kept" }),
        ),
        event(
            "USER_CONNECTING",
            "recent-b",
            1,
            now - HOUR,
            json!({ "age": "kept" }),
        ),
    ];
    assert_eq!(s.post_events(&batch(recent)).status, 200);
    assert_eq!(s.count(), 1_502);
    let db = s.stop();

    let s = TestServer::with(|c| {
        c.db = db.clone();
        c.retain_days = Some(30);
    })
    .keep_db();
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.count() != 2 {
        assert!(
            Instant::now() < deadline,
            "retention did not run at start-up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(s.search_ids("q=ancient").is_empty());
    assert_eq!(s.search_ids("q=kept").len(), 2);
    let db = s.stop();

    // Deleted for good: a start without retention finds the same.
    let s = TestServer::with(|c| c.db = db.clone());
    assert_eq!(s.count(), 2);
    assert!(s.search_ids("q=ancient").is_empty());
}

both_backends!(
    erasure_by_session_removes_the_events_and_their_words,
    erasure_by_keyword_and_range,
    an_erasure_longer_than_the_wait_answers_202_and_finishes_in_the_background,
    a_delete_without_a_filter_is_refused,
    retention_across_a_restart,
);
