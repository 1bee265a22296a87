//! PostgreSQL only (SPEC 7.2): several instances on one database, search
//! through the index and never a sequential scan, migrations at start-up,
//! and `/healthz` when PostgreSQL is unreachable. The shared suite (the
//! other test files) covers everything else on both backends.
//!
//! Each test needs `OKRA_EVENTLOG_TEST_PG` (set by scripts/test-eventlog.sh
//! through scripts/pg.sh); without it, it fails, unless
//! `OKRA_EVENTLOG_ALLOW_NO_PG=1` made it an ignored test (see build.rs).

#[macro_use]
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use jiff::Timestamp;
use okra_eventlog::config::Database;
use okra_eventlog::pg::PgStore;
use okra_eventlog::query::{Params, SEARCH_PARAMS};
use serde_json::{json, Value};

const HOUR: i64 = 3_600_000;

/// An `okra-eventlog` process of the binary under test.
struct Instance {
    child: Child,
    addr: SocketAddr,
    token: String,
    /// The one-time login code of its dashboard link.
    code: String,
}

impl Instance {
    /// Starts the binary on `url`; its banner is read on a thread, so
    /// several can start at the same moment.
    fn spawn(url: &str) -> std::thread::JoinHandle<Instance> {
        let url = url.to_owned();
        std::thread::spawn(move || {
            let mut child = Command::new(env!("CARGO_BIN_EXE_okra-eventlog"))
                .args(["--listen", "127.0.0.1:0", "--rate-limit", "0"])
                .args(["--byte-limit", "0", "--db", &url])
                .env_remove("OKRA_EVENTLOG_TOKEN")
                .stdout(Stdio::piped())
                .spawn()
                .expect("the binary starts");
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            let first = lines.next().expect("a banner").unwrap();
            let url = first
                .strip_prefix("okra-eventlog listening on http://")
                .unwrap_or_else(|| panic!("unexpected banner {first:?}"))
                .to_owned();
            let banner: Vec<String> = lines.by_ref().take(5).map(|l| l.unwrap()).collect();
            let token = banner
                .iter()
                .find_map(|l| l.trim().strip_prefix("token:").map(|t| t.trim().to_owned()))
                .expect("the banner names the token");
            let code = banner
                .iter()
                .find_map(|l| l.split("?code=").nth(1))
                .and_then(|rest| rest.split_whitespace().next())
                .expect("the banner has the dashboard link")
                .to_owned();
            // Keep reading, so the process never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            Instance {
                child,
                addr: url.parse().unwrap(),
                token,
                code,
            }
        })
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    fn post(&self, events: &[Value]) -> Value {
        let r = request(
            self.addr,
            "POST",
            "/events",
            &[("Content-Type", "application/json")],
            batch(events.to_vec()).to_string().as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    fn get(&self, path: &str) -> Resp {
        request(
            self.addr,
            "GET",
            path,
            &[("Authorization", &self.auth())],
            b"",
        )
    }

    fn search_ids(&self, query: &str) -> Vec<String> {
        let r = self.get(&format!("/api/events?{query}"));
        assert_eq!(r.status, 200, "{}", r.text());
        ids(&r.json()["events"])
    }

    fn all_ids(&self) -> Vec<String> {
        let r = self.get("/api/events/export");
        assert_eq!(r.status, 200, "{}", r.text());
        ids(&r.json())
    }

    fn delete(&self, query: &str) -> u64 {
        let r = request(
            self.addr,
            "DELETE",
            &format!("/api/events?{query}"),
            &[("Authorization", &self.auth())],
            b"",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["deleted"].as_u64().unwrap()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` events of session `session`, each carrying `word`.
fn events(session: &str, n: usize, word: &str, t0: i64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            event(
                "USER_CONNECTING",
                session,
                i as u64 + 1,
                t0 + i as i64,
                json!({ "tag": word }),
            )
        })
        .collect()
}

#[test]
#[cfg_attr(
    okra_eventlog_no_pg,
    ignore = "OKRA_EVENTLOG_ALLOW_NO_PG=1 and no OKRA_EVENTLOG_TEST_PG: not run on PostgreSQL"
)]
fn postgres_two_instances_share_one_database() {
    pg_required("postgres_two_instances_share_one_database");
    let url = fresh_pg_schema();
    // Started at the same moment on an empty schema: the migrations meet,
    // and the token each generates meets the other's.
    let (a, b) = (Instance::spawn(&url), Instance::spawn(&url));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_eq!(
        a.token, b.token,
        "both instances keep the first token stored"
    );

    let t0 = now_ms() - HOUR;
    // The same batches through both instances at once (a client retrying
    // through the load balancer), and batches of their own.
    let shared: Vec<Vec<Value>> = (0..8)
        .map(|k| events(&format!("shared-{k}"), 100, "sharedword", t0 + k * 1_000))
        .collect();
    let only_a: Vec<Vec<Value>> = (0..4)
        .map(|k| events(&format!("a-{k}"), 100, "alphaword", t0 + 20_000 + k * 1_000))
        .collect();
    let only_b: Vec<Vec<Value>> = (0..4)
        .map(|k| events(&format!("b-{k}"), 100, "bravoword", t0 + 40_000 + k * 1_000))
        .collect();
    let stored = std::thread::scope(|scope| {
        let runs: Vec<_> = [(&a, &only_a), (&b, &only_b)]
            .into_iter()
            .map(|(inst, own)| {
                let shared = &shared;
                scope.spawn(move || {
                    let mut stored = 0;
                    for (s, o) in shared
                        .iter()
                        .zip(own.iter().chain(std::iter::repeat(&vec![])))
                    {
                        stored += inst.post(s)["stored"].as_u64().unwrap();
                        if !o.is_empty() {
                            assert_eq!(inst.post(o)["stored"], 100);
                        }
                    }
                    stored
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).sum::<u64>()
    });
    assert_eq!(
        stored, 800,
        "each shared event stored once, by one instance"
    );

    // Each event once, and every instance sees all of them.
    for inst in [&a, &b] {
        let all = inst.all_ids();
        assert_eq!(all.len(), 1_600);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 1_600);
    }
    // Each finds what the other stored.
    assert_eq!(a.search_ids("q=bravoword&limit=500").len(), 400);
    assert_eq!(b.search_ids("q=alphaword&limit=500").len(), 400);
    assert_eq!(a.search_ids("q=shared-3&limit=500").len(), 100);

    // Deletes through one are seen by the other.
    assert_eq!(a.delete("q=bravoword"), 400);
    assert!(b.search_ids("q=bravoword").is_empty());
    assert_eq!(b.delete("session_id=a-2"), 100);
    assert!(a.search_ids("q=a-2").is_empty());
    assert_eq!(a.search_ids("q=alphaword&limit=500").len(), 300);
    assert_eq!(b.all_ids().len(), 1_100);
    assert_eq!(a.all_ids().len(), 1_100);

    // The dashboard's session is known to both: logged in through one,
    // logged in on the other; logged out through the other, out on both.
    let r = request(
        a.addr,
        "POST",
        "/api/session",
        &[("Authorization", &a.auth())],
        b"",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let cookie = r
        .headers
        .iter()
        .find(|(k, v)| {
            k.eq_ignore_ascii_case("set-cookie") && v.starts_with("okra_eventlog_session=")
        })
        .map(|(_, v)| v.split(';').next().unwrap().to_owned())
        .expect("a session cookie");
    let with_cookie = |inst: &Instance| {
        request(
            inst.addr,
            "GET",
            "/api/events?limit=1",
            &[("Cookie", &cookie)],
            b"",
        )
        .status
    };
    assert_eq!(with_cookie(&b), 200);
    let r = request(
        b.addr,
        "DELETE",
        "/api/session",
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(with_cookie(&a), 401);
    assert_eq!(with_cookie(&b), 401);
    // A login link printed by one instance works once, through either.
    let code = a.code.clone();
    let r = request(b.addr, "GET", &format!("/?code={code}"), &[], b"");
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(r
        .header("set-cookie")
        .is_some_and(|c| c.starts_with("okra_eventlog_session=")));
    let r = request(a.addr, "GET", &format!("/?code={code}"), &[], b"");
    assert!(
        r.header("location")
            .is_some_and(|l| l.contains("wrong-code")),
        "{:?}",
        r.headers
    );
}

#[test]
#[cfg_attr(
    okra_eventlog_no_pg,
    ignore = "OKRA_EVENTLOG_ALLOW_NO_PG=1 and no OKRA_EVENTLOG_TEST_PG: not run on PostgreSQL"
)]
fn postgres_migrations_are_safe_when_instances_start_together() {
    pg_required("postgres_migrations_are_safe_when_instances_start_together");
    let url = fresh_pg_schema();
    let versions = block_on(async {
        let starts = (0..6).map(|_| PgStore::connect(&url, Duration::from_secs(2)));
        for store in futures_util::future::join_all(starts).await {
            store.expect("every instance starts");
        }
        let c = pg_connect(&url).await;
        let rows = c
            .query(
                "SELECT value FROM settings WHERE name = 'schema_version'",
                &[],
            )
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
    });
    assert_eq!(versions, ["2"]);
}

/// The filter a search with `q` makes.
fn filter(q: &str) -> okra_eventlog::query::Filter {
    Params::from_pairs(vec![("q".into(), q.into())], SEARCH_PARAMS)
        .unwrap()
        .filter(Timestamp::now())
        .unwrap()
}

#[test]
#[cfg_attr(
    okra_eventlog_no_pg,
    ignore = "OKRA_EVENTLOG_ALLOW_NO_PG=1 and no OKRA_EVENTLOG_TEST_PG: not run on PostgreSQL"
)]
fn postgres_search_uses_an_index_never_a_seq_scan() {
    pg_required("postgres_search_uses_an_index_never_a_seq_scan");
    let url = fresh_pg_schema();
    on_postgres_server(&url, |s| {
        let t0 = now_ms() - 30 * 24 * HOUR;
        // A common word (every event), a rare one, and ids.
        for k in 0..10 {
            let mut evs = Vec::new();
            for i in 0..500 {
                let n = k * 500 + i;
                let rare = if n % 997 == 0 { "needle" } else { "hay" };
                evs.push(event(
                    "USER_BANK_SELECTED",
                    &format!("plan-{}", n / 10),
                    (n % 10 + 1) as u64,
                    t0 + n as i64 * 60_000,
                    json!({ "bank": "alat", "word": rare, "customer": format!("cust-{n}") }),
                ));
            }
            assert_eq!(s.post_events(&batch(evs)).status, 200);
        }
    });
    // As autovacuum does: statistics, and the GIN pending list merged.
    pg_exec(&url, "VACUUM ANALYZE events");
    let plans = block_on(async {
        let store = PgStore::connect(&url, Duration::from_secs(5))
            .await
            .unwrap();
        let mut plans = Vec::new();
        for q in [
            "alat",
            "needle",
            "cust-4321",
            "cust*",
            "USER_BANK_SELECTED alat",
        ] {
            plans.push((q, store.explain_search(&filter(q), false).await.unwrap()));
        }
        plans
    });
    for (q, plan) in &plans {
        assert!(
            !plan.contains("Seq Scan"),
            "{q}: a sequential scan:\n{plan}"
        );
        assert!(plan.contains("Index"), "{q}: no index in the plan:\n{plan}");
    }
    // A rare word is looked up in the words' GIN index.
    let (_, rare) = &plans[1];
    assert!(
        rare.contains("events_doc"),
        "the GIN index is not used:\n{rare}"
    );
}

/// Runs `f` with a server on the PostgreSQL schema `url`.
fn on_postgres_server(url: &str, f: impl FnOnce(&TestServer)) {
    let url = url.to_owned();
    let s = TestServer::with(move |c| c.db = Database::Postgres(url));
    f(&s);
}

#[test]
#[cfg_attr(
    okra_eventlog_no_pg,
    ignore = "OKRA_EVENTLOG_ALLOW_NO_PG=1 and no OKRA_EVENTLOG_TEST_PG: not run on PostgreSQL"
)]
fn postgres_healthz_is_unhealthy_while_postgres_is_unreachable() {
    let base = pg_required("postgres_healthz_is_unhealthy_while_postgres_is_unreachable");
    // A database of its own, so it can be made unreachable without
    // disturbing other tests.
    let name = format!("okra_health_{}", std::process::id());
    pg_exec(&base, &format!("DROP DATABASE IF EXISTS {name}"));
    pg_exec(&base, &format!("CREATE DATABASE {name}"));
    let db_url = {
        let (head, _) = base.rsplit_once('/').unwrap();
        format!("{head}/{name}")
    };
    let cut_off = format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false;
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
    );
    {
        let url = db_url.clone();
        let s = TestServer::with(move |c| c.db = Database::Postgres(url));
        assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
        pg_exec(&base, &cut_off);
        let r = request(s.addr, "GET", "/healthz", &[], b"");
        assert_eq!(r.status, 503, "{}", r.text());
        assert!(r.error().contains("cannot be read"), "{}", r.error());
        // Ingest fails cleanly too, and nothing is half stored.
        let r = s.post_events(&batch(events("down", 3, "downword", now_ms())));
        assert_eq!(r.status, 503, "{}", r.text());
        // Back again: healthy again, without a restart.
        pg_exec(
            &base,
            &format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"),
        );
        assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
        assert!(s.search_ids("q=downword").is_empty());
    }
    pg_exec(&base, &cut_off);
    pg_exec(&base, &format!("DROP DATABASE {name}"));

    // A server that cannot reach PostgreSQL at start-up says so.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let config = okra_eventlog::Config {
        listen: "127.0.0.1:0".into(),
        db: Database::Postgres(format!("postgres://okra@127.0.0.1:{port}/okra")),
        ..okra_eventlog::Config::default()
    };
    let err = block_on(okra_eventlog::Server::bind(&config))
        .err()
        .expect("no server without its database");
    assert!(err.0.contains("cannot connect"), "{err}");
}
