//! Storage: one SQLite file with the events, a full-text index over them and
//! a small settings table.
//!
//! Every event gets a 64-bit `key` that sorts by event time: the event time in
//! milliseconds times 65,536, plus a counter for events in the same
//! millisecond. The key is the events table's rowid and the full-text index's
//! rowid, so "newest first", date ranges and cursors are all plain rowid
//! ranges, and a keyword search walks the index backwards and stops after one
//! page instead of sorting every match.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use okra_events_core::{Category, Event, Screen};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use serde_json::value::RawValue;

/// How many keys one millisecond of event time owns.
pub const KEYS_PER_MS: i64 = 1 << 16;

/// The key range `[lo, hi)` that holds events with times in `[start_ms, end_ms)`.
pub fn key_range(start_ms: Option<i64>, end_ms: Option<i64>) -> (i64, i64) {
    (
        start_ms.map_or(i64::MIN, |ms| ms.saturating_mul(KEYS_PER_MS)),
        end_ms.map_or(i64::MAX, |ms| ms.saturating_mul(KEYS_PER_MS)),
    )
}

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    key        INTEGER PRIMARY KEY,      -- event time in ms * 65536 + n
    event_id   TEXT NOT NULL UNIQUE,     -- dedupe
    session_id TEXT NOT NULL,
    sequence   INTEGER NOT NULL,
    json       TEXT NOT NULL             -- the event object as stored
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, key);
-- Contentless: the text lives in events.json; the index only maps tokens to keys.
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(
    doc, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
);
";

/// An event ready to store: validated, serialized, with its index text.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Event time in milliseconds since the epoch.
    pub time_ms: i64,
    /// The event's id (deduplication key).
    pub event_id: String,
    /// The session it belongs to.
    pub session_id: String,
    /// Its place in the session.
    pub sequence: i64,
    /// The event object as JSON, returned as is by queries and exports.
    pub json: String,
    /// What keyword search matches against.
    pub doc: String,
    /// The event's screen, if any (the funnel counts sessions per screen).
    pub screen: Option<Screen>,
}

impl NewEvent {
    /// Prepares a validated event whose time is `time_ms`. `event_data` is
    /// the data's JSON text as received, stored in place of the parsed
    /// value so that numbers keep every digit (SPEC 7.3).
    pub fn new(event: &Event, event_data: &RawValue, time_ms: i64) -> NewEvent {
        NewEvent {
            time_ms,
            event_id: event.event_id.clone(),
            session_id: event.session_id.clone(),
            sequence: i64::try_from(event.sequence).unwrap_or(i64::MAX),
            json: serde_json::to_string(&StoredEvent::new(event, event_data))
                .expect("an event always serializes"),
            doc: index_text(event, event_data.get()),
            screen: event.event_screen,
        }
    }
}

/// The stored form of an event: the fields of [`Event`], in its order, with
/// `event_data` as raw JSON text.
#[derive(Serialize)]
struct StoredEvent<'a> {
    event: bool,
    event_name: &'a str,
    event_type: &'a str,
    event_category: Category,
    event_screen: Option<Screen>,
    event_time: &'a str,
    event_location: Option<&'a str>,
    event_callback_url: Option<&'a str>,
    event_data: &'a RawValue,
    #[serde(rename = "withError")]
    with_error: bool,
    event_id: &'a str,
    session_id: &'a str,
    sequence: u64,
}

impl<'a> StoredEvent<'a> {
    fn new(e: &'a Event, event_data: &'a RawValue) -> StoredEvent<'a> {
        // Destructured so that a field added to Event fails to compile here.
        let Event {
            event,
            event_name,
            event_type,
            event_category,
            event_screen,
            event_time,
            event_location,
            event_callback_url,
            event_data: _,
            with_error,
            event_id,
            session_id,
            sequence,
        } = e;
        StoredEvent {
            event: *event,
            event_name,
            event_type,
            event_category: *event_category,
            event_screen: *event_screen,
            event_time,
            event_location: event_location.as_deref(),
            event_callback_url: event_callback_url.as_deref(),
            event_data,
            with_error: *with_error,
            event_id,
            session_id,
            sequence: *sequence,
        }
    }
}

/// The text keyword search sees for an event: its ids, name, screen and
/// every string or number inside `event_data` (given as JSON text, so a
/// number is indexed as written). Keys are left out (searching
/// "bank" should find banks, not every event with a `bank` field), and so are
/// the page URL and category, which every event of a site shares: indexing
/// them would cost a quarter of the index's work for nothing a person
/// searches by. UUIDs are indexed as one word (see [`compact_uuids`]).
pub fn index_text(event: &Event, event_data: &str) -> String {
    index_parts(
        &event.event_id,
        &event.session_id,
        &event.event_name,
        event.event_screen,
        event_data,
    )
}

fn index_parts(
    event_id: &str,
    session_id: &str,
    event_name: &str,
    screen: Option<Screen>,
    event_data: &str,
) -> String {
    let mut doc = String::with_capacity(256);
    for part in [
        event_id,
        session_id,
        event_name,
        screen.map_or("", |s| s.as_str()),
    ] {
        compact_uuids(part, &mut doc);
        doc.push('\n');
    }
    push_values(event_data, &mut doc);
    doc
}

/// The fields of a stored event that its index text is made of.
#[derive(serde::Deserialize)]
struct IndexedFields<'a> {
    #[serde(borrow)]
    event_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    session_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    event_name: std::borrow::Cow<'a, str>,
    event_screen: Option<Screen>,
    #[serde(borrow)]
    event_data: &'a RawValue,
}

/// The index text of a stored event, rebuilt from its stored JSON: exactly
/// what [`index_text`] gave when it was stored, because `event_data` is
/// stored as the text it was indexed from. The contentless index needs it
/// to delete the event's words.
pub fn stored_doc(json: &str) -> Result<String, String> {
    let f: IndexedFields =
        serde_json::from_str(json).map_err(|e| format!("a stored event is unreadable: {e}"))?;
    Ok(index_parts(
        &f.event_id,
        &f.session_id,
        &f.event_name,
        f.event_screen,
        f.event_data.get(),
    ))
}

/// Appends the string values (not keys) and numbers of valid JSON text, one
/// per line, in one pass.
fn push_values(json: &str, doc: &mut String) {
    let b = json.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                let mut escaped = false;
                i += 1;
                while i < b.len() {
                    match b[i] {
                        _ if escaped => escaped = false,
                        b'\\' => escaped = true,
                        b'"' => break,
                        _ => {}
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                let literal = &json[start..i];
                let mut next = i;
                while next < b.len() && b[next].is_ascii_whitespace() {
                    next += 1;
                }
                if b.get(next) == Some(&b':') {
                    continue; // a key
                }
                if literal.contains('\\') {
                    if let Ok(s) = serde_json::from_str::<String>(literal) {
                        compact_uuids(&s, doc);
                    }
                } else if literal.len() >= 2 {
                    compact_uuids(&literal[1..literal.len() - 1], doc);
                }
                doc.push('\n');
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                doc.push_str(&json[start..i]);
                doc.push('\n');
            }
            _ => i += 1,
        }
    }
}

/// Appends `text` to `out` with every UUID written without its hyphens.
///
/// The index splits words at hyphens, so a UUID would otherwise be five
/// words, and event and session ids are UUIDs: one word instead of five
/// makes the index a third smaller and ingest faster, and a UUID is still
/// found by typing it whole (queries go through the same function).
pub fn compact_uuids(text: &str, out: &mut String) {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let b = text.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i + 36 <= b.len() {
        let starts_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let ends_word = i + 36 == b.len() || !b[i + 36].is_ascii_alphanumeric();
        let mut pos = i;
        let is_uuid = starts_word
            && ends_word
            && GROUPS.iter().enumerate().all(|(g, &len)| {
                let ok = b[pos..pos + len].iter().all(u8::is_ascii_hexdigit)
                    && (g == 4 || b[pos + len] == b'-');
                pos += len + 1;
                ok
            });
        if is_uuid {
            out.push_str(&text[copied..i]);
            for part in text[i..i + 36].split('-') {
                out.push_str(part);
            }
            i += 36;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
}

/// What storing one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stored {
    /// Events that were new.
    pub stored: usize,
    /// Events whose `event_id` was already stored (or repeated in the batch).
    pub duplicates: usize,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "cache_size", -32_768)?; // 32 MiB
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)?;
    conn.pragma_update(None, "temp_store", "memory")?;
    Ok(())
}

/// Creates the database file readable and writable by its owner only (it
/// holds people's events and, unless configured, the token), or tightens
/// the mode of an existing one and of its `-wal` and `-shm` files. SQLite
/// gives the `-wal` and `-shm` files it creates the database file's mode.
#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            eprintln!(
                "okra-eventlog: {} was readable by others; it is now readable by its owner only",
                std::path::Path::new(&p).display()
            );
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The one connection that writes.
pub struct Writer {
    conn: Connection,
}

impl Writer {
    /// Opens (creating if needed) the database file and brings its schema up
    /// to date.
    pub fn open(path: &Path) -> rusqlite::Result<Writer> {
        create_private(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!(
                    "cannot create {} for its owner only: {e}",
                    path.display()
                )),
            )
        })?;
        let conn = Connection::open(path)?;
        configure(&conn)?;
        // WAL lets searches and exports read while ingest writes. NORMAL
        // syncs at checkpoints, not every commit: a committed batch survives
        // a crash of this process, but not necessarily a power cut.
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "normal")?;
        // After a burst, the WAL file shrinks back to this when it restarts.
        conn.pragma_update(None, "journal_size_limit", 64_i64 << 20)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
                Some(format!(
                    "database schema version {version} is newer than this okra-eventlog understands ({SCHEMA_VERSION})"
                )),
            ));
        }
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch("INSERT INTO events_fts(events_fts, rank) VALUES('automerge', 8)")?;
        // Erasure: SQLite overwrites deleted rows in the pages it writes
        // anyway. The index records a deletion as a marker that cancels the
        // event's words, and drops both when its automatic merging rewrites
        // those segments. (FTS5's secure-delete, which rewrites the pages at
        // once, made erasure 12 to 27 times slower and took most of the writer
        // from ingest meanwhile: see bench/eventlog.md.)
        conn.execute_batch(
            "INSERT INTO events_fts(events_fts, rank) VALUES('secure-delete', 0);
             PRAGMA secure_delete = FAST;",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Writer { conn })
    }

    /// Reads a setting.
    pub fn setting(&self, name: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Writes a setting.
    pub fn set_setting(&self, name: &str, value: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO settings(name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [name, value],
        )?;
        Ok(())
    }

    /// Stores several batches, each all or nothing, and says what became of
    /// each. They share one transaction when they can (group commit). Batches
    /// are validated before they get here, so a write only fails for reasons
    /// of the database itself (disk full, I/O); then the shared transaction
    /// is rolled back and each batch is tried alone, so one failure cannot
    /// take the others with it. (Savepoints per batch would do the same in
    /// one pass, but FTS5 flushes its pending index at every savepoint,
    /// which would undo the point of sharing a commit.)
    pub fn store(&mut self, batches: &[&[NewEvent]]) -> Vec<rusqlite::Result<Stored>> {
        match self.store_together(batches) {
            Ok(results) => results.into_iter().map(Ok).collect(),
            Err(_) if batches.len() > 1 => batches
                .iter()
                .map(|b| self.store_together(&[b]).map(|mut r| r.remove(0)))
                .collect(),
            Err(e) => vec![Err(e)],
        }
    }

    fn store_together(&mut self, batches: &[&[NewEvent]]) -> rusqlite::Result<Vec<Stored>> {
        let tx = self.conn.transaction()?;
        let results = batches
            .iter()
            .map(|batch| insert_all(&tx, batch))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(results)
    }

    /// Stores one batch in its own transaction.
    pub fn store_one(&mut self, batch: &[NewEvent]) -> rusqlite::Result<Stored> {
        self.store(&[batch]).remove(0)
    }

    /// Deletes the events with these keys, and their words from the search
    /// index, in one transaction; returns how many were there.
    pub fn delete_keys(&mut self, keys: &[i64]) -> rusqlite::Result<usize> {
        let tx = self.conn.transaction()?;
        let n = delete_in(&tx, keys)?;
        tx.commit()?;
        Ok(n)
    }

    /// Deletes at most `limit` of the oldest events with keys below
    /// `below` (retention); returns how many.
    pub fn delete_older(&mut self, below: i64, limit: usize) -> rusqlite::Result<usize> {
        let tx = self.conn.transaction()?;
        let keys: Vec<i64> = {
            let mut stmt =
                tx.prepare_cached("SELECT key FROM events WHERE key < ?1 ORDER BY key LIMIT ?2")?;
            let rows = stmt.query_map(
                params![below, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let n = delete_in(&tx, &keys)?;
        tx.commit()?;
        Ok(n)
    }

    /// Sets how many WAL pages trigger a checkpoint at commit (0: never; the
    /// write queue checkpoints on its own thread instead).
    pub fn set_autocheckpoint(&self, pages: i64) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)
    }

    /// Runs a WAL checkpoint in the given mode (`PASSIVE`, `FULL`,
    /// `RESTART` or `TRUNCATE`) and returns how many frames the log holds.
    pub fn checkpoint(&self, mode: &str) -> rusqlite::Result<i64> {
        self.conn
            .query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get(1))
    }

    /// How many events are stored.
    pub fn count(&self) -> rusqlite::Result<i64> {
        self.conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
    }

    /// The connection, for maintenance and benchmarks.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn is_key_conflict(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn insert_all(conn: &Connection, batch: &[NewEvent]) -> rusqlite::Result<Stored> {
    let mut last_in_ms = conn.prepare_cached(
        "SELECT key FROM events WHERE key BETWEEN ?1 AND ?2 ORDER BY key DESC LIMIT 1",
    )?;
    let mut last_from =
        conn.prepare_cached("SELECT key FROM events WHERE key >= ?1 ORDER BY key DESC LIMIT 1")?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO events(key, event_id, session_id, sequence, json) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(event_id) DO NOTHING",
    )?;
    let mut index = conn.prepare_cached("INSERT INTO events_fts(rowid, doc) VALUES (?1, ?2)")?;
    let mut out = Stored::default();
    for ev in batch {
        let base = ev.time_ms.saturating_mul(KEYS_PER_MS);
        let mut put = |key: i64| {
            insert.execute(params![
                key,
                ev.event_id,
                ev.session_id,
                ev.sequence,
                ev.json
            ])
        };
        // Most events are alone in their millisecond: try the first key of
        // it, and look for the next free one only when it is taken (which
        // is also what a re-delivered duplicate does).
        let (key, inserted) = match put(base) {
            Ok(n) => (base, n),
            Err(e) if is_key_conflict(&e) => {
                let top = base + (KEYS_PER_MS - 1);
                let key = match last_in_ms
                    .query_row([base, top], |r| r.get::<_, i64>(0))
                    .optional()?
                {
                    Some(k) if k < top => k + 1,
                    // 65,536 events in one millisecond: the next ones sort
                    // just after it, which keeps keys unique.
                    _ => last_from.query_row([base], |r| r.get::<_, i64>(0))? + 1,
                };
                (key, put(key)?)
            }
            Err(e) => return Err(e),
        };
        if inserted == 0 {
            out.duplicates += 1;
        } else {
            index.execute(params![key, ev.doc])?;
            out.stored += 1;
        }
    }
    Ok(out)
}

/// Deletes events by key, with their index entries. A contentless FTS5
/// index forgets a row only when told the words it indexed, which
/// [`stored_doc`] rebuilds from the stored event.
fn delete_in(conn: &Connection, keys: &[i64]) -> rusqlite::Result<usize> {
    let mut get = conn.prepare_cached("SELECT json FROM events WHERE key = ?1")?;
    let mut delete = conn.prepare_cached("DELETE FROM events WHERE key = ?1")?;
    let mut unindex = conn.prepare_cached(
        "INSERT INTO events_fts(events_fts, rowid, doc) VALUES ('delete', ?1, ?2)",
    )?;
    let mut n = 0;
    for &key in keys {
        let Some(json) = get.query_row([key], |r| r.get::<_, String>(0)).optional()? else {
            continue; // already gone (two deletes of the same events)
        };
        let doc = stored_doc(&json).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(e),
            )
        })?;
        unindex.execute(params![key, doc])?;
        delete.execute([key])?;
        n += 1;
    }
    Ok(n)
}

/// A pool of read-only connections, so searches and exports run in
/// parallel with ingest (WAL mode).
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// How many idle read connections are kept open.
const MAX_IDLE_READERS: usize = 8;

impl Readers {
    /// A pool for the database at `path` (which [`Writer::open`] created).
    pub fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Takes a connection; it goes back to the pool when dropped.
    pub fn get(&self) -> rusqlite::Result<Reader<'_>> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c)?;
                c
            }
        };
        Ok(Reader {
            pool: self,
            conn: Some(conn),
        })
    }
}

/// A pooled read-only connection.
pub struct Reader<'a> {
    pool: &'a Readers,
    conn: Option<Connection>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            // A query's budget check must not outlive the query (see
            // query::with_budget), even when it ended in a panic.
            if conn.progress_handler(0, None::<fn() -> bool>).is_err() {
                return;
            }
            let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(s: &str) -> String {
        let mut out = String::new();
        compact_uuids(s, &mut out);
        out
    }

    #[test]
    fn uuids_become_one_word_and_nothing_else_changes() {
        let id = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(compact(id), "0193a1b2c3d47e5f8a9b0c1d2e3f4a5b");
        assert_eq!(
            compact(&format!("trk-{id} and é {id}.")),
            "trk-0193a1b2c3d47e5f8a9b0c1d2e3f4a5b and é 0193a1b2c3d47e5f8a9b0c1d2e3f4a5b."
        );
        // Not UUIDs: part of a longer word, wrong group sizes, not hex.
        for s in [
            "x0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5bc",
            "0193a1b2-c3d47-e5f-8a9b-0c1d2e3f4a5b",
            "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5g",
            "cust-9000",
            "",
        ] {
            assert_eq!(compact(s), s);
        }
    }

    #[test]
    fn indexes_values_not_keys() {
        let mut doc = String::new();
        push_values(
            r#"{"bank":"alat","n":[1.50,-2e3,true,null],"o":{"k\"ey":"v\u00e9 x","e":""}}"#,
            &mut doc,
        );
        assert_eq!(doc, "alat\n1.50\n-2e3\nvé x\n\n");
    }

    #[test]
    fn storage_keys_sort_by_time() {
        assert_eq!(key_range(Some(1), Some(2)), (65_536, 131_072));
        assert_eq!(key_range(None, None), (i64::MIN, i64::MAX));
        assert_eq!(key_range(Some(i64::MAX / 2), None).0, i64::MAX);
    }
}
