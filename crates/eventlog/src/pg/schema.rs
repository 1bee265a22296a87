//! The PostgreSQL schema and its migrations.
//!
//! Migrations run at start-up in one transaction that first takes a
//! transaction-level advisory lock: when several instances start at once,
//! one migrates and the others wait, then find the schema current. The
//! version lives in the `settings` table; a database migrated by a newer
//! okra-eventlog is refused rather than misread.
//!
//! Tables are created unqualified, in the first schema of the connection's
//! `search_path` (`?options=-csearch_path%3Dname` in the URL picks one).

use tokio_postgres::Client;

use super::PgResult;

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = 2;

/// The advisory lock key that serializes migrations ("okra-evt" in ASCII).
const MIGRATION_LOCK: i64 = 0x6f6b_7261_2d65_7674;

/// Migration `n` (1-based) brings the schema from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE IF NOT EXISTS settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);
-- The low 16 bits of storage keys (see the module documentation of pg).
CREATE SEQUENCE IF NOT EXISTS event_key_seq CACHE 64;
CREATE TABLE IF NOT EXISTS events (
    key        bigint PRIMARY KEY,   -- event time in ms * 65536 + n
    event_id   text NOT NULL UNIQUE, -- dedupe
    session_id text NOT NULL,
    sequence   bigint NOT NULL,
    screen     text,                 -- for the funnel
    json       text NOT NULL,        -- the event object as stored, returned verbatim
    doc        tsvector NOT NULL     -- the words keyword search matches
);
CREATE INDEX IF NOT EXISTS events_by_session ON events (session_id, key);
-- New words wait in a pending list of at most 1 MB (not the default 4 MB):
-- every search reads the whole list, and the insert that fills it merges it.
CREATE INDEX IF NOT EXISTS events_doc ON events USING gin (doc)
    WITH (gin_pending_list_limit = 1024);
",
    "
-- Dashboard sessions and one-time login codes, shared by every instance.
CREATE TABLE IF NOT EXISTS dashboard_sessions (
    id         text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS login_codes (
    code       text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
",
];

/// Brings the schema up to date; see the module documentation.
pub async fn migrate(client: &mut Client) -> PgResult<()> {
    let tx = client.transaction().await?;
    tx.query_one("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let has_settings: bool = tx
        .query_one("SELECT to_regclass('settings') IS NOT NULL", &[])
        .await?
        .get(0);
    let version: i64 = if has_settings {
        tx.query_opt(
            "SELECT value FROM settings WHERE name = 'schema_version'",
            &[],
        )
        .await?
        .and_then(|r| r.get::<_, String>(0).parse().ok())
        .unwrap_or(0)
    } else {
        0
    };
    if version > SCHEMA_VERSION {
        return Err(super::PgError::Db(format!(
            "database schema version {version} is newer than this okra-eventlog understands ({SCHEMA_VERSION})"
        )));
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO settings(name, value) VALUES ('schema_version', $1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[&(n as i64 + 1).to_string()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
