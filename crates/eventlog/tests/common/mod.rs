//! Shared test helpers: a real server on a free loopback port with a
//! throw-away database, a tiny HTTP/1.1 client over `TcpStream` (so tests
//! can send any bytes, headers and framing they like), and event builders.
//!
//! One suite, two backends: `both_backends!(name, ...)` turns each named
//! test function into `name::sqlite` and `name::postgres`. A server
//! started by the test ([`TestServer::start`]) uses the backend of the
//! variant running: a fresh SQLite file, or a fresh schema in the
//! PostgreSQL database named by `OKRA_EVENTLOG_TEST_PG` (which
//! `scripts/test-eventlog.sh` always sets, starting a throwaway cluster
//! with `scripts/pg.sh`). Without that variable a PostgreSQL test fails,
//! saying how to run it: a green run has run them all. To leave them out
//! on purpose, set `OKRA_EVENTLOG_ALLOW_NO_PG=1`: the crate's build script
//! then compiles them as `#[ignore]` (see build.rs), so cargo's summary
//! counts them as ignored rather than passed.
#![allow(dead_code)]

/// Runs each named test function (no arguments) once on SQLite and once
/// on PostgreSQL, as the tests `name::sqlite` and `name::postgres`.
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    crate::common::on_sqlite(super::$name)
                }
                #[test]
                #[cfg_attr(okra_eventlog_no_pg, ignore = "OKRA_EVENTLOG_ALLOW_NO_PG=1 and no OKRA_EVENTLOG_TEST_PG: not run on PostgreSQL")]
                fn postgres() {
                    crate::common::on_postgres(concat!(module_path!()), super::$name)
                }
            }
        )*
    };
}

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::cell::Cell;

use okra_eventlog::config::Database;
use okra_eventlog::{Config, Server};
use serde_json::{json, Value};

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// The environment variable with the PostgreSQL URL tests use.
pub const PG_ENV: &str = "OKRA_EVENTLOG_TEST_PG";

/// Which backend a test's servers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file each.
    Sqlite,
    /// A schema each in the database of `OKRA_EVENTLOG_TEST_PG`.
    Postgres,
}

thread_local! {
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

/// The backend of the test running on this thread.
pub fn backend() -> Backend {
    BACKEND.with(Cell::get)
}

/// Runs a test on SQLite.
pub fn on_sqlite(test: fn()) {
    BACKEND.with(|b| b.set(Backend::Sqlite));
    test();
}

/// The PostgreSQL URL for tests, if one is given.
pub fn pg_url() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())
}

/// The environment variable that lets a run leave the PostgreSQL tests out
/// (reported as ignored: see build.rs).
pub const ALLOW_NO_PG_ENV: &str = "OKRA_EVENTLOG_ALLOW_NO_PG";

/// The PostgreSQL URL for a test that needs one. Without it the test fails,
/// saying how to run it or how to leave it out on purpose: a test that
/// returned early would be counted as passed.
pub fn pg_required(name: &str) -> String {
    pg_url().unwrap_or_else(|| {
        panic!(
            "{name} needs PostgreSQL and {PG_ENV} is not set. Run it with \
             scripts/pg.sh cargo test -p okra-eventlog (scripts/test-eventlog.sh does), \
             or set {ALLOW_NO_PG_ENV}=1 to leave the PostgreSQL tests out: cargo then \
             reports them as ignored"
        )
    })
}

/// Runs a test on PostgreSQL; fails when there is none (see [`pg_required`]).
pub fn on_postgres(name: &str, test: fn()) {
    pg_required(name);
    BACKEND.with(|b| b.set(Backend::Postgres));
    test();
}

/// Runs `f` on a throwaway current-thread runtime.
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A connection to the URL (its schema, when it names one).
pub async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// Runs SQL statements on a PostgreSQL target.
pub fn pg_exec(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    block_on(async move {
        pg_connect(&url).await.batch_execute(&sql).await.unwrap();
    });
}

/// A URL for a fresh, empty schema of the test database.
pub fn fresh_pg_schema() -> String {
    let base = pg_url().expect("OKRA_EVENTLOG_TEST_PG is set");
    let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let schema = format!("t{}_{n}_{nanos}", std::process::id());
    pg_exec(&base, &format!("CREATE SCHEMA {schema}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    // The application name tells this test's sessions from others'.
    format!("{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}")
}

/// A fresh, empty database for the backend of the running test.
pub fn fresh_target() -> Database {
    match backend() {
        Backend::Sqlite => Database::Sqlite(temp_db()),
        Backend::Postgres => Database::Postgres(fresh_pg_schema()),
    }
}

/// A fresh database path under the system temp dir.
pub fn temp_db() -> PathBuf {
    let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    std::env::temp_dir().join(format!(
        "okra-eventlog-test-{}-{n}-{nanos}.sqlite3",
        std::process::id()
    ))
}

/// Removes a database and its WAL files.
pub fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// A running service; stops and deletes its database when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub token: String,
    /// The one-time code of the printed dashboard link.
    pub login_code: String,
    /// The SQLite file (meaningless on PostgreSQL: see `target`).
    pub db: PathBuf,
    /// Where the server stores events.
    pub target: Database,
    keep_db: bool,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// A server with no rate limit and a generated token.
    pub fn start() -> TestServer {
        TestServer::with(|_| {})
    }

    /// A server with a tweaked configuration.
    pub fn with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            db: fresh_target(),
            token: None,
            rate_limit: None,
            byte_limit: None,
            ..Config::default()
        };
        tweak(&mut config);
        let target = config.db.clone();
        let db = match &target {
            Database::Sqlite(p) => p.clone(),
            Database::Postgres(_) => PathBuf::new(),
        };
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = Server::bind(&config).await.expect("server starts");
                ready_tx
                    .send((
                        server.local_addr(),
                        server.token().to_owned(),
                        server.login_code().unwrap_or_default(),
                    ))
                    .unwrap();
                server
                    .run(async {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let (addr, token, login_code) = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server reports its address");
        TestServer {
            addr,
            token,
            login_code,
            db,
            target,
            keep_db: false,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Keep the database file after stopping (to restart on it).
    pub fn keep_db(mut self) -> TestServer {
        self.keep_db = true;
        self
    }

    /// Stops the server and waits for it; returns its database, to start
    /// another server on.
    pub fn stop(mut self) -> Database {
        self.shutdown();
        self.target.clone()
    }

    /// The PostgreSQL URL of its schema, on PostgreSQL.
    pub fn pg(&self) -> Option<&str> {
        match &self.target {
            Database::Postgres(u) => Some(u),
            Database::Sqlite(_) => None,
        }
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread exits cleanly");
        }
    }

    /// `Authorization: Bearer TOKEN`.
    pub fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// POSTs a JSON body to /events.
    pub fn post_events(&self, body: &Value) -> Resp {
        request(
            self.addr,
            "POST",
            "/events",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    /// GET with the token.
    pub fn get(&self, path: &str) -> Resp {
        request(
            self.addr,
            "GET",
            path,
            &[("Authorization", &self.auth())],
            b"",
        )
    }

    /// GET /api/events with the token, expecting 200.
    pub fn search(&self, query: &str) -> Value {
        let r = self.get(&format!("/api/events?{query}"));
        assert_eq!(r.status, 200, "{query}: {}", r.text());
        r.json()
    }

    /// The event ids a search returns, in order.
    pub fn search_ids(&self, query: &str) -> Vec<String> {
        ids(&self.search(query)["events"])
    }

    /// Everything stored, via export.
    pub fn all_events(&self) -> Vec<Value> {
        let r = self.get("/api/events/export");
        assert_eq!(r.status, 200, "{}", r.text());
        match r.json() {
            Value::Array(a) => a,
            other => panic!("export is not an array: {other}"),
        }
    }

    /// How many events are stored.
    pub fn count(&self) -> usize {
        self.all_events().len()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
        if let (false, Database::Sqlite(path)) = (self.keep_db, &self.target) {
            remove_db(path);
        }
    }
}

/// The `event_id`s of a JSON array of events.
pub fn ids(events: &Value) -> Vec<String> {
    events
        .as_array()
        .expect("an array of events")
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect()
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error` message of a JSON error answer.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {}", self.text()))
            .to_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
/// `Content-Length` is added unless a `Transfer-Encoding` header is given,
/// in which case `body` is sent as is.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let chunked = headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"));
    if !chunked && (!body.is_empty() || method == "POST") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    send_raw(addr, &[head.as_bytes(), body].concat())
}

/// Sends raw bytes and reads the response until the server closes.
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    // The server may answer (e.g. 413) and close before reading everything.
    let _ = s.write_all(bytes);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..end]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size = usize::from_str_radix(
            std::str::from_utf8(&data[..line_end])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .expect("hex chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// ISO-8601 UTC with milliseconds.
pub fn iso(ms: i64) -> String {
    okra_events_core::time::iso8601(ms as u64)
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A valid event of a catalog event, with `data` merged into `event_data`.
pub fn event(name: &str, session: &str, seq: u64, time_ms: i64, data: Value) -> Value {
    let spec = okra_events_core::lookup(name).expect("catalog name");
    let mut event_data = json!({ "tracking_id": format!("trk-{session}") });
    if let (Value::Object(base), Value::Object(extra)) = (&mut event_data, data) {
        base.extend(extra);
    }
    json!({
        "event": true,
        "event_name": spec.name,
        "event_type": "DATA_EVENT",
        "event_category": spec.category.as_str(),
        "event_screen": spec.screen.map(|s| s.as_str()),
        "event_time": iso(time_ms),
        "event_location": "https://widget.example/ref/screen",
        "event_callback_url": null,
        "event_data": event_data,
        "withError": false,
        "event_id": format!("{session}-ev-{seq}"),
        "session_id": session,
        "sequence": seq,
    })
}

/// A wire body around events.
pub fn batch(events: Vec<Value>) -> Value {
    json!({ "batch": events, "sent_at": iso(now_ms()) })
}

/// A budget of key comparisons for parsing a body with at most `keys` object
/// keys in all: `2 n ⌈log2 n⌉`, what merging duplicate keys by sorting stays
/// under and a lookup per key (n²/2) soon exceeds. Used with
/// `okra_events_core::value::op_counts::count`, which fails as soon as a
/// parse goes over it: parsing cost is counted, never timed.
pub fn key_comparison_budget(keys: u64) -> u64 {
    let n = keys.max(2);
    2 * n * u64::from(u64::BITS - (n - 1).leading_zeros())
}
