//! The PostgreSQL part of the benchmark (issue 10), in the database given by
//! `--pg URL` (scripts/bench-eventlog.sh starts a throwaway cluster with
//! fsync on for it). Every run gets a schema of its own.
//!
//! 1. Ingest over HTTP through one instance, then through two instances on
//!    one database (clients split between them), beside the SQLite figure of
//!    the same run.
//! 2. Keyword search over the same 1,000,000 events as the SQLite run, the
//!    same queries, p50 and p99, beside SQLite's and beside a `LIKE` scan in
//!    PostgreSQL; with the plans PostgreSQL chose.
//! 3. Ingest while a `DELETE /api/events?q=` erases 100,000 events, against
//!    the same ingest just before.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use okra_eventlog::ingest::parse_body;
use okra_eventlog::pg::PgStore;
use okra_eventlog::query::{Params, SEARCH_PARAMS};

use super::{
    bench_erase_on, latency_rows, mix, percentile, run_queries, search_queries, sorted, wire, Args,
    Conn, EraseResult, Server, Traffic, BANKS, BATCH,
};

/// What the PostgreSQL runs measured.
pub struct PgBench {
    one_eps: f64,
    two_eps: f64,
    ingest_events: usize,
    fill_secs: f64,
    latencies: Vec<f64>,
    kinds: Vec<(String, Vec<f64>)>,
    /// (LIKE scan ms, customer-id p50 ms).
    like: (f64, f64),
    /// (query, execution ms, whether the plan has a Seq Scan).
    plans: Vec<(String, f64, bool)>,
    erase: EraseResult,
    db_mb: f64,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A fresh, empty schema `bench_<pid>_<name>` of `base`, as a URL.
fn schema_url(rt: &tokio::runtime::Runtime, base: &str, name: &str) -> String {
    let schema = format!("bench_{}_{name}", std::process::id());
    rt.block_on(async {
        connect(base)
            .await
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .unwrap();
    });
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-csearch_path%3D{schema}")
}

fn count(rt: &tokio::runtime::Runtime, url: &str) -> i64 {
    rt.block_on(async {
        connect(url)
            .await
            .query_one("SELECT count(*) FROM events", &[])
            .await
            .unwrap()
            .get(0)
    })
}

/// Events per second posting `bodies` through `instances` servers on `url`.
fn ingest(
    args: &Args,
    rt: &tokio::runtime::Runtime,
    url: &str,
    instances: usize,
    bodies: &[String],
) -> f64 {
    let servers: Vec<Server> = (0..instances)
        .map(|_| Server::start(&args.server, Path::new(url)))
        .collect();
    let next = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|scope| {
        for c in 0..args.clients {
            let addr = servers[c % instances].addr;
            let next = &next;
            scope.spawn(move || {
                let mut conn = Conn::open(addr);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    let (status, resp) = conn.post(addr, body);
                    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&resp));
                }
            });
        }
    });
    let secs = t.elapsed().as_secs_f64();
    drop(servers);
    let events: usize = bodies.len() * BATCH;
    assert_eq!(count(rt, url) as usize, events, "every event stored once");
    events as f64 / secs
}

/// Runs the PostgreSQL benchmarks in the database at `base`.
pub fn bench(args: &Args, base: &str) -> PgBench {
    let rt = runtime();

    eprintln!(
        "  ingest: {} events, one instance, then two...",
        args.pg_ingest_events
    );
    let traffic = Traffic::new(11, args.pg_ingest_events, 7);
    let all: Vec<String> = traffic.events(args.pg_ingest_events).collect();
    let bodies: Vec<String> = all.chunks(BATCH).map(wire).collect();
    drop(all);
    let url = schema_url(&rt, base, "ingest1");
    let one_eps = ingest(args, &rt, &url, 1, &bodies);
    let url = schema_url(&rt, base, "ingest2");
    let two_eps = ingest(args, &rt, &url, 2, &bodies);
    drop(bodies);

    eprintln!("  search: filling {} events...", args.fill);
    let traffic = Traffic::new(7, args.fill, 60);
    let url = schema_url(&rt, base, "search");
    let t = Instant::now();
    rt.block_on(async {
        let store = PgStore::connect(&url, std::time::Duration::from_secs(600))
            .await
            .unwrap();
        let mut events = traffic.events(args.fill).peekable();
        while events.peek().is_some() {
            let chunk: Vec<String> = events.by_ref().take(5_000).collect();
            let prepared: Vec<_> = chunk
                .chunks(1_000)
                .flat_map(|c| parse_body(wire(c).as_bytes()).unwrap())
                .collect();
            store.store(&prepared).await.unwrap();
        }
    });
    // What autovacuum does after a bulk load: statistics, and the GIN
    // index's pending list merged.
    rt.block_on(async {
        connect(&url)
            .await
            .batch_execute("VACUUM ANALYZE events")
            .await
            .unwrap();
    });
    let fill_secs = t.elapsed().as_secs_f64();
    assert_eq!(count(&rt, &url) as usize, args.fill);
    let db_mb = rt.block_on(async {
        let bytes: i64 = connect(&url)
            .await
            .query_one("SELECT pg_total_relation_size('events')", &[])
            .await
            .unwrap()
            .get(0);
        bytes as f64 / 1e6
    });

    let queries = search_queries(&traffic, args.queries);
    let server = Server::start(&args.server, Path::new(&url));
    let (latencies, kinds) = run_queries(server.addr, &queries);
    // Stats answer too (checked, not timed: the SQLite table times them).
    let mut conn = Conn::open(server.addr);
    let (status, body) = conn.get(server.addr, "/api/stats?range=last_7_days&tz=Africa/Lagos");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    drop(server);

    // Plans and execution times of the window query, and a LIKE scan.
    let ids = traffic.ids(mix(42) % traffic.sessions);
    let bank = BANKS[3].to_lowercase();
    let (plans, like_ms) = rt.block_on(async {
        let store = PgStore::connect(&url, std::time::Duration::from_secs(60))
            .await
            .unwrap();
        let mut plans = Vec::new();
        for q in [
            ids.customer.as_str(),
            ids.session.as_str(),
            bank.as_str(),
            "user_bank*",
        ] {
            let filter = Params::from_pairs(vec![("q".into(), q.into())], SEARCH_PARAMS)
                .unwrap()
                .filter(jiff::Timestamp::now())
                .unwrap();
            let plan = store.explain_search(&filter, true).await.unwrap();
            let ms = plan
                .lines()
                .find_map(|l| l.trim().strip_prefix("Execution Time: "))
                .and_then(|v| v.trim_end_matches(" ms").parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            plans.push((q.to_owned(), ms, plan.contains("Seq Scan")));
        }
        let c = connect(&url).await;
        let t = Instant::now();
        let n = c
            .query(
                "SELECT json FROM events WHERE json LIKE $1 ORDER BY key DESC LIMIT 50",
                &[&format!("%{}%", ids.customer)],
            )
            .await
            .unwrap()
            .len();
        assert!(n > 0, "LIKE found the customer");
        (plans, t.elapsed().as_secs_f64() * 1e3)
    });
    let customer_p50 = kinds
        .iter()
        .find(|(k, _)| k == "customer id")
        .map(|(_, v)| percentile(&sorted(v.clone()), 0.5))
        .unwrap_or(f64::NAN);

    eprintln!("  erasure of {} events while ingest runs...", args.erase);
    let url = schema_url(&rt, base, "erase");
    let erase = bench_erase_on(args, Path::new(&url));

    // Leave the cluster as found.
    rt.block_on(async {
        let c = connect(base).await;
        for name in ["ingest1", "ingest2", "search", "erase"] {
            let _ = c
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS bench_{}_{name} CASCADE",
                    std::process::id()
                ))
                .await;
        }
    });

    PgBench {
        one_eps,
        two_eps,
        ingest_events: args.pg_ingest_events,
        fill_secs,
        latencies: sorted(latencies),
        kinds,
        like: (like_ms, customer_p50),
        plans,
        erase,
        db_mb,
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "missed"
    }
}

/// The markdown section, beside the SQLite figures of the same run.
pub fn section(
    pg: &PgBench,
    args: &Args,
    sqlite_ingest_eps: f64,
    sqlite_p50: f64,
    sqlite_p99: f64,
    sqlite_erase_ratio: f64,
) -> String {
    let p50 = percentile(&pg.latencies, 0.5);
    let p99 = percentile(&pg.latencies, 0.99);
    let e = &pg.erase;
    let erase_ratio = e.during_eps / e.before_eps;
    let mut md = format!(
        "## PostgreSQL (issue 10)\n\n\
         A throwaway PostgreSQL cluster on the same machine (scripts/pg.sh --durable: fsync and \
         synchronous commit on, shared_buffers 256 MB), every instance a separate `okra-eventlog` \
         process, all sharing the same {cores} cores with the load-generating clients.\n\n\
         | measure | result | baseline (same run) | ratio | target |\n|---|---|---|---|---|\n\
         | ingest through **two instances** on one PostgreSQL, {clients} clients split between them, batches of {BATCH} ({events} events) | {two:.0} events/s | one instance on the same PostgreSQL: {one:.0} events/s; SQLite, one instance: {sqlite:.0} events/s | {r1:.2}× one instance; {r2:.2}× SQLite | ≥ 20,000 events/s: {m1} |\n\
         | keyword search over {fill} events, p50 over {n} varied queries via HTTP | {p50:.1} ms | SQLite, same queries and data: {sp50:.1} ms | {r3:.1}× | ≤ 100 ms: {m2} |\n\
         | keyword search p99 | {p99:.1} ms | SQLite: {sp99:.1} ms | {r4:.1}× | |\n\
         | ingest while `DELETE /api/events?q=` erases {doomed} events | {during:.0} events/s ({ingested} events in the {dsecs:.1} s the delete took) | {before:.0} events/s, the same clients in the {bsecs:.0} s before ({after:.0} events/s after) | {r5:.2}× (SQLite: {sr:.2}×) | |\n\n",
        cores = std::thread::available_parallelism().map_or(0, |n| n.get()),
        clients = args.clients,
        events = pg.ingest_events,
        two = pg.two_eps,
        one = pg.one_eps,
        sqlite = sqlite_ingest_eps,
        r1 = pg.two_eps / pg.one_eps,
        r2 = pg.two_eps / sqlite_ingest_eps,
        m1 = met(pg.two_eps >= 20_000.0),
        fill = args.fill,
        n = pg.latencies.len(),
        sp50 = sqlite_p50,
        r3 = p50 / sqlite_p50,
        m2 = met(p50 <= 100.0),
        sp99 = sqlite_p99,
        r4 = p99 / sqlite_p99,
        doomed = e.doomed,
        during = e.during_eps,
        ingested = e.ingested_during,
        dsecs = e.delete_secs,
        before = e.before_eps,
        bsecs = e.before_secs,
        after = e.after_eps,
        r5 = erase_ratio,
        sr = sqlite_erase_ratio,
    );
    md.push_str(&format!(
        "Fill: {} events through `PgStore::store` in statements of 5,000, then `VACUUM ANALYZE` \
         (what autovacuum does after a bulk load), in {:.1} s; table and indexes {:.0} MB. \
         The {} events were erased in {:.1} s (the request answered {}).\n\n",
        args.fill, pg.fill_secs, pg.db_mb, e.deleted, e.delete_secs, e.answered
    ));
    md.push_str(
        "### PostgreSQL search latency by kind of query (HTTP, one client)\n\n\
         | query | n | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|\n",
    );
    latency_rows(&mut md, &pg.kinds);
    md.push_str(&format!(
        "\nBaseline: `SELECT json FROM events WHERE json LIKE '%cust-…%' ORDER BY key DESC LIMIT 50` \
         directly in PostgreSQL took {:.1} ms; a customer-id search via HTTP, p50 {:.1} ms ({:.0}× less).\n\n\
         `EXPLAIN ANALYZE` of the window query (every match in a key range, through the GIN index \
         over the words; sequential scans are off for searches):\n\n\
         | query | execution ms | Seq Scan in the plan |\n|---|---|---|\n",
        pg.like.0,
        pg.like.1,
        pg.like.0 / pg.like.1
    ));
    for (q, ms, seq) in &pg.plans {
        md.push_str(&format!(
            "| `{q}` over the whole range | {ms:.1} | {} |\n",
            if *seq { "yes" } else { "no" }
        ));
    }
    md.push_str(
        "\nA search first tests the newest 2,000 rows of its range (a common word fills its \
         page there), then asks the GIN index for up to 20,000 matches below them (an id or \
         a rare combination of words ends here), and only then for windows of keys four \
         times wider each time; the whole-range window above is the worst case of a window.\n\n",
    );
    md
}
