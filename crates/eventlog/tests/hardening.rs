//! The findings of the security review of issue 13, one test each (SPEC
//! 7.3): every test here fails on e38a359 and passes now. Timeouts are
//! shortened through the configuration (the defaults follow the spec), so
//! the whole file runs in seconds.
//!
//! No assertion depends on how fast the machine is. Parsing cost is counted
//! in key comparisons (`op_counts`), the lock-out runs on a manual clock, and
//! "served while others stall" is shown by order: the answer came while the
//! stalled connections were still open, or while the stalled exports still
//! held every export slot. Waits for something to happen poll for it, with
//! a generous limit that only turns a hang into a failure.
//!
//! | mutation | killed by |
//! |---|---|
//! | duplicate keys merged by a lookup per key (`merge_duplicate_keys` takes its small-object path for every size) | `a_body_of_many_keys_is_parsed_in_n_log_n_key_comparisons` |
//! | the failed-token limiter reads the real clock instead of the service's (`auth.rs`: `Instant::now()`) | `a_hundred_and_twenty_wrong_tokens_meet_a_429` |
//! | a failed token check is not counted (`Auth::failed` does not charge the bucket) | `a_hundred_and_twenty_wrong_tokens_meet_a_429` |
//! | over the cap, a connection waits for a slot instead of a 503 (`admitted` always true) | `connections_beyond_the_cap_get_503_until_stalled_ones_are_cut_off` |

#[macro_use]
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use okra_eventlog::clock::Clock;
use okra_eventlog::config::Limits;
use okra_eventlog::ingest::parse_body;
use okra_events_core::value::op_counts;
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;

/// A wire body around one event whose `event_data` is the given JSON text
/// (so numbers and keys are sent exactly as written).
fn body_with_data(session: &str, seq: u64, data: &str) -> String {
    let mut ev = event(
        "USER_LOGIN_ATTEMPTED",
        session,
        seq,
        now_ms() - 1000,
        json!({}),
    );
    ev["event_data"] = json!("@DATA@");
    batch(vec![ev]).to_string().replace("\"@DATA@\"", data)
}

fn post_raw(s: &TestServer, body: &str) -> Resp {
    request(
        s.addr,
        "POST",
        "/events",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// Connects and sends `bytes` without ever reading.
fn stall(addr: std::net::SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut c = TcpStream::connect(addr).expect("connect");
    fix_receive_buffer(&c, 64 * 1024);
    c.write_all(bytes).unwrap();
    c
}

/// Fixes a socket's receive buffer, which turns the kernel's autotuning off
/// for it. Autotuned, a client's buffer may grow to `tcp_rmem`'s maximum (32
/// MiB on some machines) and take in a whole export, which then never stalls.
fn fix_receive_buffer(c: &TcpStream, bytes: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is the open socket `c` holds, and the option
    // value is a c_int that outlives the call, with its size given.
    let r = unsafe {
        libc::setsockopt(
            c.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&bytes as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(r, 0, "SO_RCVBUF: {}", std::io::Error::last_os_error());
}

/// Reads until the server closes; panics if it does not within `limit`.
fn read_until_closed(mut c: TcpStream, limit: Duration) -> Vec<u8> {
    c.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return out,
            Err(e) => panic!("the server did not close the connection within {limit:?}: {e}"),
        }
    }
}

fn short_timeouts() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(1),
        ..Limits::DEFAULT
    }
}

// Finding 1: quadratic parsing.
#[test]
fn a_body_of_many_keys_is_parsed_in_n_log_n_key_comparisons() {
    let s = TestServer::start();
    // About 1 MiB: 130,000 distinct keys, which took 14-25 s of CPU before.
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let key = |i: usize| -> String {
        [i / 3844, i / 62 % 62, i % 62]
            .map(|d| DIGITS[d] as char)
            .iter()
            .collect()
    };
    let keys: Vec<String> = (0..130_000).map(|i| format!("\"{}\":0", key(i))).collect();
    let body = body_with_data("many-keys", 1, &format!("{{{}}}", keys.join(",")));
    assert!(body.len() < 1 << 20, "{}", body.len());
    // Counted first, on this thread: n log n key comparisons, where the
    // quadratic lookup made n²/2 (8.4 billion). `count` fails as soon as the
    // budget is spent, so a regression fails at once rather than after
    // minutes; the service then answers the same body.
    let budget = key_comparison_budget(130_000 + 20);
    let (parsed, compared) = op_counts::count(budget, || parse_body(body.as_bytes()));
    assert!(parsed.unwrap_err().contains("130000 keys"));
    assert!(compared >= 130_000, "{compared}: the keys were compared");
    let r = post_raw(&s, &body);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.error().contains("130000 keys; at most 1000"),
        "{}",
        r.error()
    );

    // The same key 150,000 times merges into one, as JSON.parse does.
    let keys = vec!["\"k\":1"; 150_000].join(",");
    let body = body_with_data("same-key", 1, &format!("{{\"tracking_id\":\"t\",{keys}}}"));
    let budget = key_comparison_budget(150_000 + 20);
    let (parsed, _) = op_counts::count(budget, || parse_body(body.as_bytes()));
    assert_eq!(parsed.unwrap().len(), 1);
    let r = post_raw(&s, &body);
    assert_eq!(r.status, 200, "{}", r.text());
}

// Finding 2: unbounded connections.

/// What each stalled connection sends: nothing, half a request head, or a
/// whole head and part of the body.
const STALLS: [&[u8]; 3] = [
    b"",
    b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Ty",
    b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"batch\":[",
];

/// How long a wait for the server may take before the test calls it a hang.
/// Never reached when the service works: it only turns a hang into a failure.
const HANG: Duration = Duration::from_secs(120);

/// Opens `n` stalled connections, of the three kinds in turn.
fn open_stalls(addr: std::net::SocketAddr, n: usize) -> Vec<(usize, TcpStream)> {
    (0..n)
        .map(|i| (i % 3, stall(addr, STALLS[i % 3])))
        .collect()
}

/// A keep-alive connection left idle after one answered request.
fn idle_after_one_request(addr: std::net::SocketAddr) -> TcpStream {
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 512];
    idle.set_read_timeout(Some(HANG)).unwrap();
    let n = idle.read(&mut first).unwrap();
    assert!(first[..n].starts_with(b"HTTP/1.1 200"));
    idle
}

/// Whether the server still holds `c` open with nothing sent on it: no
/// byte and no end to read yet. Reads nothing out of the socket.
fn still_open(c: &TcpStream) -> bool {
    c.set_nonblocking(true).unwrap();
    let mut b = [0u8; 1];
    let open = matches!(c.peek(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    c.set_nonblocking(false).unwrap();
    open
}

fn stalled_connections_are_cut_off_while_healthz_and_ingest_answer() {
    // Others are served meanwhile. Timeouts far longer than any answer takes
    // make the order the proof: each answer came while every stalled
    // connection was still open, so none waited for them to be cut off.
    {
        let s = TestServer::with(|c| {
            c.limits = Limits {
                header_timeout: Duration::from_secs(60),
                body_timeout: Duration::from_secs(60),
                ..short_timeouts()
            }
        });
        let stalled = open_stalls(s.addr, 350);
        let idle = idle_after_one_request(s.addr);
        let ok = |what: &str, r: Resp| assert_eq!(r.status, 200, "{what}: {}", r.text());
        ok("healthz", request(s.addr, "GET", "/healthz", &[], b""));
        ok(
            "ingest",
            s.post_events(&batch(vec![event(
                "USER_CONNECTED",
                "while-stalled",
                1,
                now_ms() - 1000,
                json!({}),
            )])),
        );
        ok("search", s.get("/api/events?q=while-stalled"));
        let cut: Vec<usize> = stalled
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| !still_open(c))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            cut,
            Vec::<usize>::new(),
            "stalled connections closed before the answers"
        );
        assert!(
            still_open(&idle),
            "the idle connection was closed before the answers"
        );
    }

    // Every stalled connection is closed by the header or body timeout (2 s
    // here); the half-sent body gets a JSON 408.
    let s = TestServer::with(|c| {
        c.limits = Limits {
            header_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(2),
            ..short_timeouts()
        }
    });
    let stalled = open_stalls(s.addr, 350);
    let idle = idle_after_one_request(s.addr);
    for (kind, c) in stalled {
        let got = read_until_closed(c, HANG);
        if kind == 2 {
            let text = String::from_utf8_lossy(&got);
            assert!(text.starts_with("HTTP/1.1 408"), "{text}");
            assert!(text.contains("did not arrive within 2 s"), "{text}");
        }
    }
    read_until_closed(idle, HANG);
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
}

/// Polls `GET path` until it answers `status`; fails after [`HANG`].
fn until_status(s: &TestServer, path: &str, status: u16) -> Resp {
    let deadline = Instant::now() + HANG;
    loop {
        let r = s.get(path);
        if r.status == status {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never answered {status}: {}",
            r.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn connections_beyond_the_cap_get_503_until_stalled_ones_are_cut_off() {
    // A header timeout far longer than the next request takes: the 20
    // stalled connections hold every slot when it comes. Connections are
    // accepted in the order they were made, so it is the 21st.
    let s = TestServer::with(|c| {
        c.limits = Limits {
            max_connections: 20,
            header_timeout: Duration::from_secs(10),
            ..short_timeouts()
        }
    });
    let stalled: Vec<TcpStream> = (0..20).map(|_| stall(s.addr, b"GET /")).collect();
    // Answered at once, not queued for a slot (which would answer 200).
    let r = request(s.addr, "GET", "/healthz", &[], b"");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.error().contains("too many connections"), "{}", r.error());
    assert!(
        stalled.iter().all(still_open),
        "a slot was freed before the 503"
    );
    // The stalled connections are cut off by the server, which has room again.
    for c in stalled {
        read_until_closed(c, HANG);
    }
    until_status(&s, "/healthz", 200);
}

/// Waits until every byte of the first `len` of a response is in `c`'s
/// receive buffer; returns them, leaving them there.
fn peek_head(c: &TcpStream, len: usize) -> String {
    c.set_read_timeout(Some(HANG)).unwrap();
    let mut buf = vec![0u8; len];
    loop {
        let n = c.peek(&mut buf).expect("the server answers");
        if n >= len || n == 0 {
            return String::from_utf8_lossy(&buf[..n]).into_owned();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until every one of the `max` export slots is free at once: `max`
/// exports that do not read are all admitted. Each try's exports are
/// dropped (a reset, which ends them on the server); fails after [`HANG`].
fn wait_until_export_slots_free(s: &TestServer, head: &str, max: usize) {
    let deadline = Instant::now() + HANG;
    loop {
        let probes: Vec<TcpStream> = (0..max).map(|_| stall(s.addr, head.as_bytes())).collect();
        let admitted = probes
            .iter()
            .filter(|c| peek_head(c, 12) == "HTTP/1.1 200")
            .count();
        drop(probes);
        if admitted == max {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the stalled exports were never cut off"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

// Finding 3: stalled exports.
fn stalled_exports_are_cut_off_queries_go_on_and_the_log_is_not_pinned() {
    // A write timeout far longer than the queries below take, so the order
    // shows they went on while the exports stalled.
    let s = TestServer::with(|c| {
        c.limits = Limits {
            write_timeout: Duration::from_secs(10),
            ..short_timeouts()
        }
    });
    // About 16 MB of events, far more than the socket buffers hold.
    let t0 = now_ms() - DAY;
    let filler = "x".repeat(900);
    for chunk in 0..32 {
        let events: Vec<Value> = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                event(
                    "USER_FETCH_TRANS",
                    &format!("exp{}", n / 20),
                    (n % 20 + 1) as u64,
                    t0 + n as i64,
                    json!({ "filler": filler }),
                )
            })
            .collect();
        let r = s.post_events(&batch(events));
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let head = format!(
        "GET /api/events/export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        s.token
    );
    let exports: Vec<TcpStream> = (0..40).map(|_| stall(s.addr, head.as_bytes())).collect();
    // Every export has its answer's status line: max_exports (4) stream,
    // the others were refused at once.
    let streaming = exports
        .iter()
        .filter(|c| {
            let status = peek_head(c, 12);
            assert!(
                status == "HTTP/1.1 200" || status == "HTTP/1.1 503",
                "{status}"
            );
            status == "HTTP/1.1 200"
        })
        .count();
    assert_eq!(streaming, 4);

    // Queries, ingest and health go on while the exports stall: answered
    // while the four stalled streams still hold every export slot.
    assert_eq!(s.search_ids("q=exp3&limit=5").len(), 5);
    let r = s.post_events(&batch(vec![event(
        "USER_CONNECTED",
        "during-export",
        1,
        now_ms(),
        json!({}),
    )]));
    assert_eq!(r.status, 200);
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
    let r = s.get("/api/events/export?q=exp3");
    assert_eq!(
        r.status,
        503,
        "the stalled exports no longer held their slots: {}",
        r.text()
    );

    // No stalled export holds a read transaction: a checkpoint copies every
    // frame of the log, so it can restart instead of growing. (On
    // PostgreSQL, every page is its own short transaction too, checked
    // below: no session of the test schema stays in a transaction.)
    if let Some(url) = s.pg() {
        let url = url.to_owned();
        // Pages still being read are short transactions, which wait only
        // between their statements: sampled a few times, one sample finds
        // none waiting. A transaction held for a stalled client would wait
        // at every sample.
        let open: i64 = block_on(async move {
            let c = pg_connect(&url).await;
            let mut open = 0;
            for _ in 0..50 {
                open = c
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity
                         WHERE application_name = current_setting('application_name')
                         AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
                        &[],
                    )
                    .await
                    .unwrap()
                    .get(0);
                if open == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            open
        });
        assert_eq!(open, 0, "a stalled export holds a transaction");
    }
    if backend() == Backend::Sqlite {
        let conn = rusqlite::Connection::open(&s.db).unwrap();
        let mut pinned = None;
        for _ in 0..50 {
            let (busy, log, done): (i64, i64, i64) = conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .unwrap();
            if busy == 0 && log == done {
                pinned = None;
                break;
            }
            pinned = Some((log, done));
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            pinned, None,
            "(log frames, checkpointed) while exports stall"
        );
        drop(conn);
    }
    // The stalled streams hold their slots until the write timeout cuts
    // them off, once their socket buffers are full (fixed by `stall`, so
    // none can finish while its client does not read). Reading them before
    // then would let them go on, so first wait until all four slots are
    // free, reading nothing from the stalled streams.
    wait_until_export_slots_free(&s, &head, 4);

    // At most max_exports (4) streamed; the others were refused at once; the
    // streams were cut off by the write timeout, truncated.
    let mut refused = 0;
    let mut cut = 0;
    for c in exports {
        let got = read_until_closed(c, HANG);
        let text = String::from_utf8_lossy(&got[..got.len().min(4096)]).into_owned();
        if text.starts_with("HTTP/1.1 503") {
            assert!(text.contains("exports are running"), "{text}");
            refused += 1;
        } else {
            assert!(text.starts_with("HTTP/1.1 200"), "{text}");
            assert!(got.len() < 14_000_000, "cut off, not completed");
            assert!(!got.ends_with(b"]\n0\r\n\r\n"), "truncated");
            cut += 1;
        }
    }
    assert_eq!((cut, refused), (4, 36));
    // And exports work again, once the server has let go of the slots.
    let r = until_status(&s, "/api/events/export?q=exp3", 200);
    assert_eq!(r.json().as_array().unwrap().len(), 20);
}

// Finding 4: the cookie was the master token.
#[test]
fn the_cookie_is_a_session_not_the_token_and_logout_revokes_it() {
    let s = TestServer::start();
    let r = request(
        s.addr,
        "POST",
        "/api/session",
        &[("Authorization", &s.auth())],
        b"",
    );
    assert_eq!(r.status, 204);
    let set = r.header("set-cookie").unwrap().to_owned();
    assert!(!set.contains(&s.token), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    let pair = set.split(';').next().unwrap().to_owned();
    let id = pair.strip_prefix("okra_eventlog_session=").unwrap();
    assert_eq!(id.len(), 64);
    assert_ne!(id, s.token);
    let with_cookie =
        |cookie: &str| request(s.addr, "GET", "/api/events", &[("Cookie", cookie)], b"");
    assert_eq!(with_cookie(&pair).status, 200);

    // Several cookies of the same name (another page on the host can add
    // one): the first live one wins, wherever it is.
    assert_eq!(
        with_cookie(&format!("okra_eventlog_session=junk; {pair}")).status,
        200
    );
    assert_eq!(
        with_cookie(&format!("{pair}; okra_eventlog_session=junk")).status,
        200
    );
    // Junk cookies are not failed token checks: many of them lock nobody out.
    for _ in 0..60 {
        assert_eq!(with_cookie("okra_eventlog_session=junk").status, 401);
    }
    let r = request(
        s.addr,
        "POST",
        "/api/session",
        &[("Authorization", &s.auth())],
        b"",
    );
    assert_eq!(r.status, 204);

    // Logout ends the session on the server: the cookie no longer works
    // even if the browser (or a thief) keeps it.
    let r = request(s.addr, "DELETE", "/api/session", &[("Cookie", &pair)], b"");
    assert_eq!(r.status, 204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = with_cookie(&pair);
    assert_eq!(r.status, 401);
    assert!(r.error().contains("session has ended"), "{}", r.error());
}

#[test]
fn the_printed_link_works_once_and_tokens_in_links_start_sessions() {
    let s = TestServer::start();
    assert_eq!(s.login_code.len(), 64);
    assert_ne!(s.login_code, s.token);
    let link = format!("/?code={}", s.login_code);
    let r = request(s.addr, "GET", &link, &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/"));
    let cookie = r.header("set-cookie").unwrap().to_owned();
    assert!(!cookie.contains(&s.login_code) && !cookie.contains(&s.token));
    let pair = cookie.split(';').next().unwrap();
    assert_eq!(
        request(s.addr, "GET", "/api/events", &[("Cookie", pair)], b"").status,
        200
    );
    // The same link again (from the browser's history) opens nothing.
    let r = request(s.addr, "GET", &link, &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/#wrong-code"));
    assert_eq!(r.header("set-cookie"), None);
    // ?token= starts a session too, with a cookie that is not the token.
    let r = request(s.addr, "GET", &format!("/?token={}", s.token), &[], b"");
    assert_eq!(r.status, 303);
    assert!(!r.header("set-cookie").unwrap().contains(&s.token));
}

#[test]
fn a_hundred_and_twenty_wrong_tokens_meet_a_429() {
    // The service's clock stands still unless the test moves it: the
    // lock-out is checked exactly, however long the requests take.
    let clock = Clock::manual();
    let s = TestServer::with(|c| c.clock = clock.clone());
    let wrong = |i: usize| {
        request(
            s.addr,
            "GET",
            "/api/events",
            &[("Authorization", &format!("Bearer guess-{i:04}-0123456789"))],
            b"",
        )
    };
    let mut statuses = Vec::new();
    for i in 0..120 {
        let r = wrong(i);
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("5"));
            assert!(r.error().contains("too many wrong tokens"), "{}", r.error());
        }
        statuses.push(r.status);
    }
    // 20 tries, then none: no time passed, so no try was earned.
    assert!(statuses[..20].iter().all(|&c| c == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|&c| c == 429), "{statuses:?}");
    // Meanwhile the client cannot try even the right token; the login form
    // and the link are limited the same way.
    assert_eq!(s.get("/api/events").status, 429);
    let r = request(
        s.addr,
        "POST",
        "/api/session",
        &[("Authorization", &s.auth())],
        b"",
    );
    assert_eq!(r.status, 429);
    let r = request(s.addr, "GET", &format!("/?code={}", s.login_code), &[], b"");
    assert_eq!(r.status, 429);

    // One more try is earned every 5 s: one, and not two.
    clock.advance(Duration::from_millis(4_999));
    assert_eq!(wrong(120).status, 429, "a try earned before 5 s");
    clock.advance(Duration::from_millis(1));
    assert_eq!(wrong(121).status, 401, "the try earned after 5 s");
    assert_eq!(wrong(122).status, 429, "two tries earned in 5 s");
    // And 5 s later the right token gets through.
    clock.advance(Duration::from_secs(5));
    assert_eq!(s.get("/api/events").status, 200);
}

// Finding 5: storage.
#[test]
fn ingest_is_limited_by_bytes_per_client() {
    let s = TestServer::with(|c| {
        c.byte_limit = Some(okra_eventlog::ratelimit::RateLimit {
            per_second: 10_000.0,
            burst: 1_048_576.0,
        })
    });
    let filler = "y".repeat(900);
    let body = |n: u64| {
        let events: Vec<Value> = (1..=400)
            .map(|i| {
                event(
                    "USER_FETCH_TRANS",
                    &format!("bytes{n}"),
                    i,
                    now_ms() - 1000,
                    json!({ "filler": filler }),
                )
            })
            .collect();
        batch(events)
    };
    // About 430 KB each: two fit in the 1 MiB burst, the third does not.
    assert_eq!(s.post_events(&body(1)).status, 200);
    assert_eq!(s.post_events(&body(2)).status, 200);
    let r = s.post_events(&body(3));
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.error().contains("too many bytes"), "{}", r.error());
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    assert_eq!(s.count(), 800);
}

// Finding 6: files, numbers, ids, errors, search terms.
#[cfg(unix)]
#[test]
fn the_database_and_its_log_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = TestServer::start();
    let r = s.post_events(&batch(vec![event(
        "USER_CONNECTED",
        "mode",
        1,
        now_ms(),
        json!({}),
    )]));
    assert_eq!(r.status, 200);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = s.db.as_os_str().to_owned();
        p.push(suffix);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{p:?} is {mode:o}");
    }
}

fn numbers_are_stored_and_exported_exactly() {
    let s = TestServer::start();
    let data = r#"{"tracking_id":"t-num","big":123456789012345678901234567890,"neg":-9223372036854775809,"exact":0.1000000000000000055511151231257827,"sci":6.02e23}"#;
    let r = post_raw(&s, &body_with_data("numbers", 1, data));
    assert_eq!(r.status, 200, "{}", r.text());
    let export = s.get("/api/events/export?q=t-num");
    assert_eq!(export.status, 200);
    let text = export.text();
    assert!(text.contains(&format!("\"event_data\":{data}")), "{text}");
    let search = s.get("/api/events?q=t-num");
    assert!(search.text().contains(data), "{}", search.text());
    // Numbers are found as written.
    assert_eq!(
        s.search_ids("q=123456789012345678901234567890"),
        vec!["numbers-ev-1"]
    );
}

fn ids_outside_the_safe_characters_are_refused() {
    let s = TestServer::start();
    let t = now_ms();
    for (field, value) in [
        ("event_id", "a,b"),
        ("event_id", "with space"),
        ("event_id", "x".repeat(65).as_str()),
        ("session_id", "cust\u{202e}1"),
        ("session_id", "s;1"),
    ] {
        let mut ev = event("USER_CONNECTED", "ok", 1, t, json!({}));
        ev[field] = json!(value);
        let r = s.post_events(&batch(vec![ev]));
        assert_eq!(r.status, 400, "{value}");
        assert!(r.error().contains(&format!("{field} ")), "{}", r.error());
    }
    assert_eq!(s.count(), 0);
    let r = s.get("/api/events/export?ids=a,b%20c");
    assert_eq!(r.status, 400);
    assert!(r.error().contains("\"b c\""), "{}", r.error());
}

#[test]
fn every_error_answer_is_json_414_included() {
    let s = TestServer::start();
    let long = format!("/api/events?q={}", "a".repeat(62_000));
    let r = s.get(&long);
    assert_eq!(r.status, 414);
    assert!(r.error().contains("at most 61440"), "{}", r.error());
    let r = request(s.addr, "DELETE", "/healthz", &[], b"");
    assert_eq!(r.status, 405);
    assert!(r.error().contains("method not allowed"), "{}", r.error());
    assert!(r.header("allow").is_some());
}

fn many_search_words_are_capped_and_repeats_merged() {
    let s = TestServer::start();
    let r = s.get(&format!("/api/events?q={}", "cust*+".repeat(80)));
    assert_eq!(r.status, 200, "{}", r.text());
    let words: Vec<String> = (0..17).map(|i| format!("w{i}")).collect();
    let r = s.get(&format!("/api/events?q={}", words.join("+")));
    assert_eq!(r.status, 400);
    assert!(r.error().contains("at most 16"), "{}", r.error());
}

fn a_search_over_its_time_budget_is_stopped() {
    let s = TestServer::with(|c| {
        c.limits = Limits {
            query_timeout: Duration::from_nanos(1),
            ..Limits::DEFAULT
        }
    });
    let t0 = now_ms() - DAY;
    let events: Vec<Value> = (0..1000)
        .map(|i| {
            event(
                "USER_FETCH_TRANS",
                &format!("budget{}", i / 10),
                (i % 10 + 1) as u64,
                t0 + i as i64,
                json!({}),
            )
        })
        .collect();
    assert_eq!(s.post_events(&batch(events)).status, 200);
    let r = s.get("/api/events?q=fetch*&group=session&limit=100");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.error().contains("stopped after"), "{}", r.error());
    // The connection went back to the pool in working order.
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
}

both_backends!(
    stalled_connections_are_cut_off_while_healthz_and_ingest_answer,
    connections_beyond_the_cap_get_503_until_stalled_ones_are_cut_off,
    stalled_exports_are_cut_off_queries_go_on_and_the_log_is_not_pinned,
    numbers_are_stored_and_exported_exactly,
    ids_outside_the_safe_characters_are_refused,
    many_search_words_are_capped_and_repeats_merged,
    a_search_over_its_time_budget_is_stopped,
);
