//! Benchmark of the event log, against the real `okra-eventlog` binary over
//! loopback HTTP, each figure beside a baseline measured in the same run:
//!
//! 1. Ingest throughput: batches of 50 events posted by concurrent
//!    keep-alive clients, against the same batches validated and written
//!    straight into SQLite by one thread (no HTTP), one transaction each.
//! 2. Keyword search over 1,000,000 events: latency p50/p99 of varied
//!    queries through `GET /api/events`, against an unindexed `LIKE` scan
//!    of the same data for the same kinds of query.
//!
//! Prints a markdown table and writes it to `--out`.
//! Usage: okra-eventlog-bench [--out FILE] [--ingest-events N] [--clients N]
//!        [--fill N] [--queries N] [--rounds N] [--server PATH]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use okra_eventlog::db::Writer;
use okra_eventlog::ingest::parse_body;
use okra_events_core::ids::IdGen;

const TOKEN: &str = "bench-token-0123456789abcdef";
const BATCH: usize = 50;

struct Args {
    out: PathBuf,
    ingest_events: usize,
    clients: usize,
    fill: usize,
    queries: usize,
    rounds: usize,
    server: PathBuf,
}

fn parse_args() -> Args {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_default();
    let mut a = Args {
        out: PathBuf::from("bench/eventlog.md"),
        ingest_events: 200_000,
        clients: 16,
        fill: 1_000_000,
        queries: 300,
        rounds: 3,
        server: exe_dir.join("okra-eventlog"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        let n = || {
            value
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("{flag}: not a number"))
        };
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(&value),
            "--ingest-events" => a.ingest_events = n(),
            "--clients" => a.clients = n(),
            "--fill" => a.fill = n(),
            "--queries" => a.queries = n(),
            "--rounds" => a.rounds = n().max(1),
            "--server" => a.server = PathBuf::from(&value),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

// ---------------------------------------------------------------- data

const FLOW: [&str; 20] = [
    "USER_CONNECTING",
    "USER_CONNECTED",
    "USER_CONSENT_GRANTED",
    "USER_LOGIN_SELECTION",
    "USER_VIEWED_BANKS",
    "USER_ACCOUNT_TYPE_SELECTION",
    "USER_BANK_SEARCH",
    "USER_BANK_SELECTED",
    "USER_LOGIN_ATTEMPTED",
    "USER_MFA_QUESTION",
    "USER_COMPLETE_MFA",
    "USER_ACCOUNT_SELECTION",
    "USER_ACCOUNT_SELECTED",
    "USER_FETCH_BALANCE",
    "USER_RETRIEVED_BALANCE",
    "USER_BALANCE_SENT",
    "USER_FETCH_TRANS",
    "USER_CONNECTION_SUCCESSFUL",
    "USER_APP_CLOSE",
    "USER_APP_REDIRECT",
];

const BANKS: [&str; 20] = [
    "Alat",
    "GTBank",
    "Kuda",
    "Access",
    "Zenith",
    "UBA",
    "FirstBank",
    "Fidelity",
    "Sterling",
    "Wema",
    "Union",
    "Polaris",
    "Ecobank",
    "Stanbic",
    "FCMB",
    "Keystone",
    "Heritage",
    "Opay",
    "Moniepoint",
    "Providus",
];

const CUSTOMERS: u64 = 20_000;

fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Deterministic synthetic traffic: `sessions` sessions of 20 events spread
/// evenly over `days` days before `now`, with ids made the way the widget
/// makes them (the core's `IdGen`: UUID v4 sessions, time-ordered UUID v7
/// event ids, 9-character tracking ids), so any session's ids can be
/// recomputed for queries.
struct Traffic {
    run: u64,
    now: i64,
    span: i64,
    sessions: u64,
}

struct SessionIds {
    session: String,
    tracking: String,
    customer: String,
    event_ids: Vec<String>,
}

impl Traffic {
    fn new(run: u64, events: usize, days: i64) -> Traffic {
        Traffic {
            run,
            now: now_ms(),
            span: days * 86_400_000,
            sessions: events.div_ceil(FLOW.len()) as u64,
        }
    }

    fn time(&self, k: u64, seq: u64) -> i64 {
        self.now - self.span
            + (self.span as i128 * k as i128 / self.sessions as i128) as i64
            + seq as i64 * 2_000
    }

    fn ids(&self, k: u64) -> SessionIds {
        let mut g = IdGen::new([self.run, k]);
        let session = g.uuid_v4();
        let tracking = g.tracking_id();
        let event_ids = (1..=FLOW.len() as u64)
            .map(|seq| g.uuid_v7(self.time(k, seq) as u64))
            .collect();
        SessionIds {
            session,
            tracking,
            customer: format!("cust-{:06}", mix(k ^ 0xC0FFEE) % CUSTOMERS),
            event_ids,
        }
    }

    /// The first `count` events, as JSON texts.
    fn events(&self, count: usize) -> impl Iterator<Item = String> + '_ {
        (0..self.sessions)
            .flat_map(move |k| {
                let ids = self.ids(k);
                (1..=FLOW.len() as u64)
                    .map(|seq| self.event_json(k, seq, &ids))
                    .collect::<Vec<_>>()
            })
            .take(count)
    }

    /// Event `seq` (1-based) of session `k`, as JSON text.
    fn event_json(&self, k: u64, seq: u64, ids: &SessionIds) -> String {
        let name = FLOW[(seq as usize - 1) % FLOW.len()];
        let spec = okra_events_core::lookup(name).expect("catalog name");
        let screen = spec
            .screen
            .map_or("null".to_owned(), |s| format!("\"{}\"", s.as_str()));
        let bank = BANKS[(mix(k) % BANKS.len() as u64) as usize];
        let mut data = format!("{{\"tracking_id\":\"{}\"", ids.tracking);
        if matches!(name, "USER_BANK_SELECTED" | "USER_LOGIN_ATTEMPTED") {
            data.push_str(&format!(
                ",\"bank\":\"{bank}\",\"bank_id\":\"{:x}\"",
                mix(k) & 0xffffff
            ));
        }
        if matches!(name, "USER_LOGIN_ATTEMPTED" | "USER_CONNECTION_SUCCESSFUL") {
            data.push_str(&format!(
                ",\"customer\":{{\"id\":\"{}\",\"email\":\"user{}@example.com\"}}",
                ids.customer,
                mix(k) % CUSTOMERS
            ));
        }
        if name == "USER_ACCOUNT_SELECTED" {
            data.push_str(&format!(
                ",\"accounts\":[\"{:010}\",\"{:010}\"]",
                mix(k) % 10_000_000_000,
                mix(k + 1) % 10_000_000_000
            ));
        }
        data.push('}');
        format!(
            "{{\"event\":true,\"event_name\":\"{name}\",\"event_type\":\"DATA_EVENT\",\"event_category\":\"{}\",\"event_screen\":{screen},\"event_time\":\"{}\",\"event_location\":\"https://widget.example/{}/bank\",\"event_callback_url\":\"http://127.0.0.1:8787/events\",\"event_data\":{data},\"withError\":false,\"event_id\":\"{}\",\"session_id\":\"{}\",\"sequence\":{seq}}}",
            spec.category.as_str(),
            okra_events_core::time::iso8601(self.time(k, seq) as u64),
            ids.tracking,
            ids.event_ids[seq as usize - 1],
            ids.session,
        )
    }
}

fn wire(events: &[String]) -> String {
    format!(
        "{{\"batch\":[{}],\"sent_at\":\"2026-11-27T01:20:54.123Z\"}}",
        events.join(",")
    )
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

// ---------------------------------------------------------------- server

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(bin: &Path, db: &Path) -> Server {
        let mut child = Command::new(bin)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--rate-limit",
                "0",
                "--token",
                TOKEN,
                "--db",
            ])
            .arg(db)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("okra-eventlog listening on http://")
            .unwrap_or_else(|| panic!("unexpected banner {first:?}"));
        Server {
            addr: url.parse().unwrap(),
            child,
        }
    }
}

impl Server {
    /// CPU seconds (user + system) the server process has used so far, from
    /// /proc (Linux; 0 elsewhere). Reported beside wall time, because on a
    /// shared machine wall time also measures the neighbours.
    fn cpu_secs(&self) -> f64 {
        cpu_secs_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

/// Bytes a process has written with write(2)-like calls so far (Linux).
fn written_bytes(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| {
                    l.strip_prefix("wchar:")
                        .map(|v| v.trim().parse::<f64>().ok())
                })
                .flatten()
        })
        .unwrap_or(0.0)
}

fn cpu_secs_of(stat_path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return 0.0;
    };
    // Fields after the parenthesized command name; utime and stime are the
    // 12th and 13th of them, in clock ticks of 1/100 s (USER_HZ on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive HTTP/1.1 connection that reads Content-Length bodies.
struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            r: BufReader::with_capacity(64 * 1024, s.try_clone().unwrap()),
            w: s,
        }
    }

    fn send(&mut self, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
        self.w.write_all(head.as_bytes()).unwrap();
        self.w.write_all(body).unwrap();
        let mut line = String::new();
        self.r.read_line(&mut line).unwrap();
        let status: u16 = line
            .split(' ')
            .nth(1)
            .expect("status line")
            .parse()
            .unwrap();
        let mut len = 0usize;
        loop {
            line.clear();
            self.r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; len];
        self.r.read_exact(&mut body).unwrap();
        (status, body)
    }

    fn post(&mut self, addr: SocketAddr, body: &str) -> (u16, Vec<u8>) {
        let head = format!(
            "POST /events HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.send(&head, body.as_bytes())
    }

    fn get(&mut self, addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
        let head =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n");
        self.send(&head, b"")
    }
}

fn temp_db(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "okra-eventlog-bench-{}-{name}.sqlite3",
        std::process::id()
    ));
    remove_db(&p);
    p
}

fn remove_db(p: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        let _ = std::fs::remove_file(s);
    }
}

fn db_size(p: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            std::fs::metadata(s).map(|m| m.len()).unwrap_or(0)
        })
        .sum()
}

// ---------------------------------------------------------------- ingest

struct IngestResult {
    server_written_per_event: f64,
    server_cpu_us_per_event: f64,
    client_cpu_us_per_event: f64,
    http_eps: f64,
    direct_eps: f64,
    http_secs: f64,
    direct_secs: f64,
    events: usize,
}

fn bench_ingest(args: &Args) -> IngestResult {
    let traffic = Traffic::new(1, args.ingest_events, 7);
    let all: Vec<String> = traffic.events(args.ingest_events).collect();
    let bodies: Vec<String> = all.chunks(BATCH).map(wire).collect();
    drop(all);
    let events = args.ingest_events;

    // Through HTTP, concurrent clients.
    let db = temp_db("ingest-http");
    let server = Server::start(&args.server, &db);
    let next = AtomicUsize::new(0);
    let cpu0 = server.cpu_secs();
    let written0 = written_bytes(server.child.id());
    let own0 = cpu_secs_of("/proc/self/stat");
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.clients {
            scope.spawn(|| {
                let mut conn = Conn::open(server.addr);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    let (status, resp) = conn.post(server.addr, body);
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
                }
            });
        }
    });
    let http_secs = t.elapsed().as_secs_f64();
    let server_cpu = server.cpu_secs() - cpu0;
    let written = written_bytes(server.child.id()) - written0;
    let client_cpu = cpu_secs_of("/proc/self/stat") - own0;
    // Everything arrived.
    let mut conn = Conn::open(server.addr);
    let (_, last) = conn.get(server.addr, "/api/events?limit=1");
    assert!(last.len() > 100, "events are stored");
    drop(server);
    let stored = Writer::open(&db).unwrap().count().unwrap();
    assert_eq!(stored as usize, events, "every event stored");
    remove_db(&db);

    // Baseline: the same bodies validated and written directly, one thread,
    // one transaction per batch, no HTTP.
    let db = temp_db("ingest-direct");
    let mut writer = Writer::open(&db).unwrap();
    let t = Instant::now();
    for body in &bodies {
        let evs = parse_body(body.as_bytes()).unwrap();
        writer.store_one(&evs).unwrap();
    }
    let direct_secs = t.elapsed().as_secs_f64();
    assert_eq!(writer.count().unwrap() as usize, events);
    drop(writer);
    remove_db(&db);

    IngestResult {
        server_written_per_event: written / events as f64,
        server_cpu_us_per_event: server_cpu * 1e6 / events as f64,
        client_cpu_us_per_event: client_cpu * 1e6 / events as f64,
        http_eps: events as f64 / http_secs,
        direct_eps: events as f64 / direct_secs,
        http_secs,
        direct_secs,
        events,
    }
}

// ---------------------------------------------------------------- search

struct SearchResult {
    fill_secs: f64,
    db_mb: f64,
    latencies: Vec<f64>,
    kinds: Vec<(String, Vec<f64>)>,
    like: Vec<(String, f64, f64)>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
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

fn bench_search(args: &Args) -> SearchResult {
    let traffic = Traffic::new(7, args.fill, 60);
    let db = temp_db("search");
    // Fill through the service's own validation and storage code, in big
    // transactions.
    let t = Instant::now();
    {
        let mut writer = Writer::open(&db).unwrap();
        let mut events = traffic.events(args.fill).peekable();
        while events.peek().is_some() {
            let chunk: Vec<String> = events.by_ref().take(50_000).collect();
            let prepared: Vec<_> = chunk
                .chunks(1_000)
                .flat_map(|c| parse_body(wire(c).as_bytes()).unwrap())
                .collect();
            writer.store_one(&prepared).unwrap();
        }
        assert_eq!(writer.count().unwrap() as usize, args.fill);
    }
    let fill_secs = t.elapsed().as_secs_f64();
    let db_mb = db_size(&db) as f64 / 1e6;

    // Varied queries, with what each is looking for.
    let sessions = traffic.sessions;
    let mut queries: Vec<(&str, String)> = Vec::new();
    let mut i = 0u64;
    while queries.len() < args.queries {
        let ids = traffic.ids(mix(i ^ 0xBEEF) % sessions);
        let q = match i % 10 {
            0 => ("customer id", format!("q={}", ids.customer)),
            1 => ("session id", format!("q={}", ids.session)),
            2 => ("tracking id", format!("q={}", ids.tracking)),
            3 => (
                "event id",
                format!("q={}", ids.event_ids[i as usize % FLOW.len()]),
            ),
            4 => (
                "event name (common)",
                format!("q={}", FLOW[(i as usize / 10) % FLOW.len()].to_lowercase()),
            ),
            5 => (
                "bank name (common)",
                format!("q={}", BANKS[(i as usize / 10) % BANKS.len()]),
            ),
            6 => (
                "customer id, last 7 days",
                format!("q={}&range=last_7_days&tz=Africa%2FLagos", ids.customer),
            ),
            7 => (
                "two words",
                format!(
                    "q={}+{}",
                    urlencode(BANKS[(i as usize / 10) % BANKS.len()]),
                    "user_login_attempted"
                ),
            ),
            8 => (
                "customer id, by session",
                format!("q={}&group=session", ids.customer),
            ),
            _ => (
                "no keyword, this month",
                "range=this_month&tz=America%2FNew_York".to_owned(),
            ),
        };
        queries.push(q);
        i += 1;
    }

    let server = Server::start(&args.server, &db);
    let mut conn = Conn::open(server.addr);
    // Warm the page cache once with a few queries.
    for (_, q) in queries.iter().take(20) {
        conn.get(server.addr, &format!("/api/events?{q}"));
    }
    let mut latencies = Vec::new();
    let mut kinds: Vec<(String, Vec<f64>)> = Vec::new();
    for (kind, q) in &queries {
        let t = Instant::now();
        let (status, body) = conn.get(server.addr, &format!("/api/events?{q}"));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(status, 200, "{q}: {}", String::from_utf8_lossy(&body));
        if !kind.starts_with("customer id") && !kind.starts_with("no keyword") {
            assert!(body.len() > 40, "{q} found nothing");
        }
        latencies.push(ms);
        match kinds.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => v.push(ms),
            None => kinds.push((kind.to_string(), vec![ms])),
        }
    }
    drop(server);

    // Baseline: an unindexed scan for the same kinds of query (first page,
    // newest first, like the API), straight in SQLite without HTTP.
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let ids = traffic.ids(mix(42) % sessions);
    let like_cases = [
        ("customer id", ids.customer),
        ("session id", ids.session),
        ("tracking id", ids.tracking),
        ("event name (common)", "USER_BANK_SEARCH".to_owned()),
    ];
    let mut like = Vec::new();
    for (kind, term) in like_cases {
        let mut stmt = conn
            .prepare("SELECT json FROM events WHERE json LIKE ?1 ORDER BY key DESC LIMIT 50")
            .unwrap();
        let t = Instant::now();
        let n = stmt
            .query_map([format!("%{term}%")], |r| r.get::<_, String>(0))
            .unwrap()
            .count();
        let like_ms = t.elapsed().as_secs_f64() * 1e3;
        assert!(n > 0, "LIKE found {term}");
        let fts = kinds
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, v)| percentile(&sorted(v.clone()), 0.5))
            .unwrap_or(f64::NAN);
        like.push((kind.to_owned(), like_ms, fts));
    }
    drop(conn);
    remove_db(&db);

    SearchResult {
        fill_secs,
        db_mb,
        latencies: sorted(latencies),
        kinds,
        like,
    }
}

// ---------------------------------------------------------------- report

fn main() {
    let args = parse_args();
    let load_before = load_average();
    let started = Instant::now();
    eprintln!(
        "ingest: {} events, batches of {BATCH}, {} clients...",
        args.ingest_events, args.clients
    );
    // Ingest is measured a few times (fresh databases each time) and the
    // median round is reported with the spread, since a shared machine's
    // neighbours move single runs a lot.
    let mut rounds: Vec<IngestResult> = (0..args.rounds).map(|_| bench_ingest(&args)).collect();
    rounds.sort_by(|a, b| a.http_eps.partial_cmp(&b.http_eps).unwrap());
    let spread = |f: fn(&IngestResult) -> f64| {
        let v = sorted(rounds.iter().map(f).collect());
        format!("{:.0}–{:.0}", v[0], v[v.len() - 1])
    };
    let http_spread = spread(|r| r.http_eps);
    let direct_spread = spread(|r| r.direct_eps);
    let direct_median = percentile(&sorted(rounds.iter().map(|r| r.direct_eps).collect()), 0.5);
    let ingest = &rounds[rounds.len() / 2];
    eprintln!("search: filling {} events...", args.fill);
    let search = bench_search(&args);
    let total = started.elapsed();

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let p50 = percentile(&search.latencies, 0.5);
    let p99 = percentile(&search.latencies, 0.99);
    let mut md = String::new();
    md.push_str("# okra-eventlog benchmark\n\n");
    md.push_str(&format!(
        "Measured by `scripts/bench-eventlog.sh` (`okra-eventlog-bench`, release build) on {cores} cores, \
         against the real `okra-eventlog` binary over loopback HTTP. Each figure has a baseline from the same run. \
         Whole run: {:.0} s. Load average (1, 5, 15 min) before the run: {load_before}; \
         after: {}.\n\n",
        total.as_secs_f64(),
        load_average()
    ));
    md.push_str("## Summary\n\n| measure | result | baseline (same run) | ratio | target |\n|---|---|---|---|---|\n");
    md.push_str(&format!(
        "| ingest, batches of {BATCH}, {} concurrent clients over HTTP (median of {} rounds; range {http_spread}) | {:.0} events/s | {:.0} events/s (range {direct_spread}) written directly to SQLite by one thread, no HTTP, one transaction per batch | {:.2}× | ≥ 50,000 events/s: {} |\n",
        args.clients,
        args.rounds,
        ingest.http_eps,
        direct_median,
        ingest.http_eps / direct_median,
        if ingest.http_eps >= 50_000.0 { "met" } else { "missed" }
    ));
    md.push_str(&format!(
        "| keyword search over {} events, p50 over {} varied queries via HTTP | {:.1} ms | see the LIKE scan below | | ≤ 100 ms: {} |\n",
        args.fill,
        search.latencies.len(),
        p50,
        if p50 <= 100.0 { "met" } else { "missed" }
    ));
    md.push_str(&format!("| keyword search p99 | {:.1} ms | | | |\n\n", p99));
    md.push_str(&format!(
        "Ingest, median round: {} events in {:.2} s over HTTP; the direct baseline took {:.2} s. \
         The database was new and empty for each. CPU per event during the HTTP run: \
         server {:.1} µs, load-generating clients {:.1} µs (both on the same {cores} cores); \
         the server wrote {:.1} KB per event (sockets, database and log).\n\n",
        ingest.events,
        ingest.http_secs,
        ingest.direct_secs,
        ingest.server_cpu_us_per_event,
        ingest.client_cpu_us_per_event,
        ingest.server_written_per_event / 1e3
    ));
    md.push_str(&format!(
        "Fill: {} events (20 per session, over 60 days) written through the service's `db` module in transactions of 50,000 in {:.1} s ({:.0} events/s); database {:.0} MB.\n\n",
        args.fill,
        search.fill_secs,
        args.fill as f64 / search.fill_secs,
        search.db_mb
    ));
    md.push_str("## Search latency by kind of query (HTTP, one client, warm cache)\n\n| query | n | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
    for (kind, v) in &search.kinds {
        let s = sorted(v.clone());
        md.push_str(&format!(
            "| {kind} | {} | {:.1} | {:.1} | {:.1} |\n",
            s.len(),
            percentile(&s, 0.5),
            percentile(&s, 0.99),
            s.last().copied().unwrap_or(f64::NAN)
        ));
    }
    md.push_str("\n## Indexed search against an unindexed scan over the same data\n\n\
                 The baseline is `SELECT json FROM events WHERE json LIKE '%term%' ORDER BY key DESC LIMIT 50` \
                 run directly in SQLite (no HTTP), once per query.\n\n\
                 | query | LIKE scan ms | FTS via HTTP p50 ms | speed-up |\n|---|---|---|---|\n");
    for (kind, like_ms, fts_ms) in &search.like {
        let ratio = like_ms / fts_ms;
        let ratio = if ratio < 10.0 {
            format!("{ratio:.1}×")
        } else {
            format!("{ratio:.0}×")
        };
        md.push_str(&format!(
            "| {kind} | {like_ms:.1} | {fts_ms:.1} | {ratio} |\n"
        ));
    }
    md.push_str(
        "\nA word in nearly every session (an event name) turns up among the newest rows, so the \
         scan stops after a few hundred rows and the index buys nothing; an id occurs in a handful \
         of events, so the scan reads the whole table, which is what the index avoids.\n",
    );
    md.push_str(
        "\n## Notes\n\n\
         - The HTTP figure beats the direct baseline because concurrent requests share commits \
         (group commit in the writer thread) and parsing runs beside writing; the baseline \
         commits every batch of 50 on its own, as one client posting alone would.\n\
         - The load-generating clients run on the same cores as the server, and other work on \
         the machine (see the load average above) takes its share too. On a busy machine, read \
         the CPU per event as well as the wall-clock rates.\n\
         - The 1M-event index was filled in large transactions. An index grown by live ingest \
         has more, smaller FTS5 segments until automatic merging catches up, so a search reads \
         a few more segments.\n",
    );
    print!("{md}");
    if let Some(dir) = args.out.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&args.out, &md)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", args.out.display()));
    eprintln!("written to {}", args.out.display());
}
