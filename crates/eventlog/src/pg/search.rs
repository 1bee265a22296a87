//! Reads on PostgreSQL: search pages, export pages, stats and the keys an
//! erasure deletes. Every read runs in a read-only transaction with
//! `statement_timeout` set to the query budget and sequential scans
//! disabled, so a keyword search always goes through an index.
//!
//! Newest-first keyword search: the GIN index over the words finds the
//! matching rows but not in key order, and the planner, asked for "the 50
//! newest matches", likes to walk the primary key backwards and test every
//! row, which reads the whole table when the word is rare in recent events.
//! So a [`Scanner`] decides the plan itself:
//! 1. a probe tests the newest [`PROBE_ROWS`] rows of the range (one short
//!    walk of the primary key): a common word fills a page here;
//! 2. below them, it asks the GIN index for at most [`FEW_ROWS`] matches,
//!    in no order: fewer means these are all of them (an id, a rare word or
//!    a rare combination of words: one index lookup), sorted here;
//! 3. else the word is common (over [`FEW_ROWS`] matches left), and windows
//!    of keys, each four times wider than the last, follow below the probe:
//!    in each, the GIN index and the key range are combined (bitmap scans)
//!    and the matches sorted.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Transaction;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use okra_events_core::Screen;
use tokio_postgres::IsolationLevel;

use super::{words, PgResult, PgStore};
use crate::db::KEYS_PER_MS;
use crate::error::ApiError;
use crate::export::{ExportPage, Selection, CHUNK};
use crate::query::{Filter, Grouping, Keyword, Page, MAX_EVENTS_PER_SESSION};
use crate::stats::{self, Stats};

/// Rows the probe tests first.
pub const PROBE_ROWS: i64 = 2_000;
/// Matches fetched at most in one unordered GIN lookup below the probe.
pub const FEW_ROWS: i64 = 20_000;
/// Rows read per step of an unfiltered (no keyword) scan.
const PLAIN_ROWS: i64 = 500;
/// The first window is this many times wider than the probe's keys.
const GROWTH: i64 = 4;

/// The window query: every match in `[$2, $3)`, in no order (sorted by the
/// caller), so no plan can stop early on the primary key.
pub const WINDOW_SQL: &str =
    "SELECT key, session_id FROM events WHERE doc @@ $1::text::tsquery AND key >= $2 AND key < $3";

/// A matching event.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its storage key.
    pub key: i64,
    /// Its session.
    pub session: String,
}

enum Phase {
    Plain,
    Probe,
    Few { width: i64 },
    Windows { width: i64, floor: Option<i64> },
    Done,
}

/// Matching events of a filter, newest first, a slice at a time.
pub struct Scanner<'f> {
    filter: &'f Filter,
    tsq: Option<String>,
    /// Everything at or above this was returned already.
    top: i64,
    phase: Phase,
}

impl<'f> Scanner<'f> {
    /// Matches of `filter` with keys below `below`.
    pub fn new(filter: &'f Filter, below: i64) -> Scanner<'f> {
        let (tsq, phase) = match &filter.keyword {
            Keyword::All => (None, Phase::Plain),
            Keyword::Nothing => (None, Phase::Done),
            Keyword::Fts(m) => match words::tsquery(m) {
                Some(q) => (Some(q), Phase::Probe),
                None => (None, Phase::Done),
            },
        };
        Scanner {
            filter,
            tsq,
            top: filter.hi.min(below),
            phase,
        }
    }

    /// The `tsquery` text, for a keyword filter.
    pub fn tsquery(&self) -> Option<&str> {
        self.tsq.as_deref()
    }

    /// The next matches, newest first; empty when there are no more.
    pub async fn next(&mut self, tx: &Transaction<'_>) -> PgResult<Vec<Hit>> {
        let lo = self.filter.lo;
        loop {
            if self.top <= lo {
                self.phase = Phase::Done;
            }
            match &mut self.phase {
                Phase::Done => return Ok(Vec::new()),
                Phase::Plain => {
                    let stmt = tx
                        .prepare_cached(
                            "SELECT key, session_id FROM events WHERE key >= $1 AND key < $2
                             ORDER BY key DESC LIMIT $3",
                        )
                        .await?;
                    let rows = tx.query(&stmt, &[&lo, &self.top, &PLAIN_ROWS]).await?;
                    let hits: Vec<Hit> = rows
                        .iter()
                        .map(|r| Hit {
                            key: r.get(0),
                            session: r.get(1),
                        })
                        .collect();
                    match hits.last() {
                        Some(h) if hits.len() as i64 == PLAIN_ROWS => self.top = h.key,
                        _ => self.phase = Phase::Done,
                    }
                    return Ok(hits);
                }
                Phase::Few { width } => {
                    let width = *width;
                    let stmt = tx
                        .prepare_cached(
                            "SELECT key, session_id FROM events
                             WHERE doc @@ $1::text::tsquery AND key >= $2 AND key < $3 LIMIT $4",
                        )
                        .await?;
                    let tsq = self.tsq.as_deref().unwrap_or_default();
                    let rows = tx.query(&stmt, &[&tsq, &lo, &self.top, &FEW_ROWS]).await?;
                    if rows.len() as i64 == FEW_ROWS {
                        self.phase = Phase::Windows { width, floor: None };
                        continue;
                    }
                    let mut hits: Vec<Hit> = rows
                        .iter()
                        .map(|r| Hit {
                            key: r.get(0),
                            session: r.get(1),
                        })
                        .collect();
                    hits.sort_unstable_by_key(|h| std::cmp::Reverse(h.key));
                    self.phase = Phase::Done;
                    return Ok(hits);
                }
                Phase::Probe => {
                    let stmt = tx
                        .prepare_cached(
                            "SELECT key, session_id, doc @@ $1::text::tsquery FROM events
                             WHERE key >= $2 AND key < $3 ORDER BY key DESC LIMIT $4",
                        )
                        .await?;
                    let tsq = self.tsq.as_deref().unwrap_or_default();
                    let rows = tx
                        .query(&stmt, &[&tsq, &lo, &self.top, &PROBE_ROWS])
                        .await?;
                    let hits: Vec<Hit> = rows
                        .iter()
                        .filter(|r| r.get::<_, bool>(2))
                        .map(|r| Hit {
                            key: r.get(0),
                            session: r.get(1),
                        })
                        .collect();
                    let newest: Option<i64> = rows.first().map(|r| r.get(0));
                    let oldest: Option<i64> = rows.last().map(|r| r.get(0));
                    match (newest, oldest) {
                        (Some(n), Some(o)) if rows.len() as i64 == PROBE_ROWS => {
                            self.top = o;
                            self.phase = Phase::Few {
                                width: n.saturating_sub(o).max(KEYS_PER_MS).saturating_mul(GROWTH),
                            };
                        }
                        _ => self.phase = Phase::Done,
                    }
                    if !hits.is_empty() {
                        return Ok(hits);
                    }
                }
                Phase::Windows { width, floor } => {
                    let floor = match floor {
                        Some(f) => *f,
                        None => {
                            let min: Option<i64> = tx
                                .query_one(
                                    "SELECT min(key) FROM events WHERE key >= $1 AND key < $2",
                                    &[&lo, &self.top],
                                )
                                .await?
                                .get(0);
                            match min {
                                Some(m) => {
                                    *floor = Some(m);
                                    m
                                }
                                None => {
                                    self.phase = Phase::Done;
                                    continue;
                                }
                            }
                        }
                    };
                    let wlo = self.top.saturating_sub(*width).max(lo);
                    let stmt = tx.prepare_cached(WINDOW_SQL).await?;
                    let tsq = self.tsq.as_deref().unwrap_or_default();
                    let rows = tx.query(&stmt, &[&tsq, &wlo, &self.top]).await?;
                    let mut hits: Vec<Hit> = rows
                        .iter()
                        .map(|r| Hit {
                            key: r.get(0),
                            session: r.get(1),
                        })
                        .collect();
                    hits.sort_unstable_by_key(|h| std::cmp::Reverse(h.key));
                    *width = width.saturating_mul(GROWTH);
                    self.top = wlo;
                    if wlo <= floor {
                        self.phase = Phase::Done;
                    }
                    if !hits.is_empty() {
                        return Ok(hits);
                    }
                }
            }
        }
    }
}

/// The stored JSON of these keys, in their order (keys gone meanwhile are
/// skipped).
async fn json_of(tx: &Transaction<'_>, keys: &[i64]) -> PgResult<Vec<(i64, String)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = tx
        .prepare_cached("SELECT key, json FROM events WHERE key = ANY($1)")
        .await?;
    let mut found: HashMap<i64, String> = tx
        .query(&stmt, &[&keys])
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(keys
        .iter()
        .filter_map(|k| found.remove(k).map(|j| (*k, j)))
        .collect())
}

/// The keys of a session's events in `[lo, hi)` matching `tsq` (all when
/// `None`), in sequence order, at most `limit`.
async fn session_keys(
    tx: &Transaction<'_>,
    tsq: Option<&str>,
    session: &str,
    lo: i64,
    hi: i64,
    limit: i64,
) -> PgResult<Vec<i64>> {
    let rows = match tsq {
        Some(q) => {
            let stmt = tx
                .prepare_cached(
                    "SELECT key FROM events WHERE session_id = $1 AND key >= $2 AND key < $3
                     AND doc @@ $4::text::tsquery ORDER BY sequence, key LIMIT $5",
                )
                .await?;
            tx.query(&stmt, &[&session, &lo, &hi, &q, &limit]).await?
        }
        None => {
            let stmt = tx
                .prepare_cached(
                    "SELECT key FROM events WHERE session_id = $1 AND key >= $2 AND key < $3
                     ORDER BY sequence, key LIMIT $4",
                )
                .await?;
            tx.query(&stmt, &[&session, &lo, &hi, &limit]).await?
        }
    };
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

impl PgStore {
    /// Starts a read-only, repeatable-read transaction with the query budget
    /// and without sequential scans.
    pub async fn read<'c>(
        &self,
        client: &'c mut deadpool_postgres::Object,
    ) -> PgResult<Transaction<'c>> {
        // One snapshot for all the statements of a read: a page's events are
        // those its scan found, even while an erasure deletes others.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        tx.batch_execute(&format!(
            "SET LOCAL enable_seqscan = off; SET LOCAL statement_timeout = {}",
            self.query_timeout().as_millis().max(1)
        ))
        .await?;
        Ok(tx)
    }

    /// One page of a search (see [`crate::query::page`]); `cursor` is parsed.
    pub async fn page(
        &self,
        filter: &Filter,
        grouping: Grouping,
        limit: usize,
        cursor: Option<i64>,
    ) -> PgResult<Page> {
        let mut client = self.client().await?;
        let tx = self.read(&mut client).await?;
        let page = match grouping {
            Grouping::Events => event_page(&tx, filter, limit, cursor).await?,
            Grouping::Sessions => session_page(&tx, filter, limit, cursor).await?,
        };
        tx.commit().await?;
        Ok(page)
    }

    /// One page of an export (see [`crate::export::read_page`]).
    pub async fn export_page(
        &self,
        selection: &Selection,
        below: Option<i64>,
    ) -> PgResult<ExportPage> {
        let mut client = self.client().await?;
        let tx = self.read(&mut client).await?;
        let first = below.is_none();
        let below = below.unwrap_or(i64::MAX);
        let mut page = ExportPage {
            bytes: Vec::with_capacity(CHUNK + 4096),
            next: None,
        };
        if first {
            page.bytes.push(b'[');
        }
        let mut last = None;
        let mut push = |page: &mut ExportPage, key: i64, json: &str| -> bool {
            if page.bytes.len() >= CHUNK {
                page.next = last;
                return false;
            }
            let opening = first && last.is_none();
            page.bytes
                .extend_from_slice(if opening { b"\n" } else { b",\n" });
            page.bytes.extend_from_slice(json.as_bytes());
            last = Some(key);
            true
        };
        let mut complete = true;
        match selection {
            Selection::Ids(ids) => {
                let rows = tx
                    .query(
                        "SELECT key, json FROM events WHERE event_id = ANY($1) AND key < $2
                         ORDER BY key DESC",
                        &[ids, &below],
                    )
                    .await?;
                for r in rows {
                    if !push(&mut page, r.get(0), r.get(1)) {
                        complete = false;
                        break;
                    }
                }
            }
            Selection::Matching(f) => {
                let mut scanner = Scanner::new(f, below);
                'scan: loop {
                    let hits = scanner.next(&tx).await?;
                    if hits.is_empty() {
                        break;
                    }
                    for chunk in hits.chunks(200) {
                        let keys: Vec<i64> = chunk.iter().map(|h| h.key).collect();
                        for (key, json) in json_of(&tx, &keys).await? {
                            if !push(&mut page, key, &json) {
                                complete = false;
                                break 'scan;
                            }
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        if complete {
            page.bytes
                .extend_from_slice(if first && page.bytes.len() == 1 {
                    b"]\n"
                } else {
                    b"\n]\n"
                });
        }
        Ok(page)
    }

    /// Up to `limit` keys below `below` of the events an erasure deletes,
    /// highest first (see [`crate::erase`]).
    pub async fn erase_keys(
        &self,
        filter: &Filter,
        session: Option<&str>,
        below: i64,
        limit: usize,
    ) -> PgResult<Vec<i64>> {
        let mut client = self.client().await?;
        let tx = self.read(&mut client).await?;
        let hi = filter.hi.min(below);
        let mut keys = Vec::new();
        match (&filter.keyword, session) {
            (Keyword::Nothing, _) | (Keyword::All, None) => {}
            (Keyword::All, Some(session)) => {
                let rows = tx
                    .query(
                        "SELECT key FROM events WHERE session_id = $1 AND key >= $2 AND key < $3
                         ORDER BY key DESC LIMIT $4",
                        &[
                            &session,
                            &filter.lo,
                            &hi,
                            &i64::try_from(limit).unwrap_or(i64::MAX),
                        ],
                    )
                    .await?;
                keys = rows.iter().map(|r| r.get(0)).collect();
            }
            (Keyword::Fts(_), session) => {
                let mut scanner = Scanner::new(filter, hi);
                'scan: loop {
                    let hits = scanner.next(&tx).await?;
                    if hits.is_empty() {
                        break;
                    }
                    for h in hits {
                        if session.is_none_or(|s| s == h.session) {
                            keys.push(h.key);
                            if keys.len() >= limit {
                                break 'scan;
                            }
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(keys)
    }

    /// Events per bucket and sessions per screen (see [`crate::stats`]).
    pub async fn stats(
        &self,
        filter: &Filter,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        tz: &TimeZone,
    ) -> Result<Stats, ApiError> {
        let mut client = self.client().await?;
        let tx = self.read(&mut client).await?;
        let tsq = match &filter.keyword {
            Keyword::Nothing => return Ok(stats::empty()),
            Keyword::All => None,
            Keyword::Fts(m) => match words::tsquery(m) {
                Some(q) => Some(q),
                None => return Ok(stats::empty()),
            },
        };
        let cond = if tsq.is_some() {
            "key >= $1 AND key < $2 AND doc @@ $3::text::tsquery"
        } else {
            "key >= $1 AND key < $2 AND $3::text IS NULL"
        };
        let ends = match (start, end) {
            (Some(_), Some(_)) => None,
            _ => {
                let row = tx
                    .query_one(
                        &format!("SELECT min(key), max(key) FROM events WHERE {cond}"),
                        &[&filter.lo, &filter.hi, &tsq],
                    )
                    .await
                    .map_err(super::PgError::from)?;
                match (row.get::<_, Option<i64>>(0), row.get::<_, Option<i64>>(1)) {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => return Ok(stats::empty()),
                }
            }
        };
        let edges = stats::edges_for(start, end, ends, tz)?;
        let edge_keys: Vec<i64> = edges
            .iter()
            .map(|t| t.as_millisecond().saturating_mul(KEYS_PER_MS))
            .collect();
        let lo = filter.lo.max(edge_keys[0]);
        let hi = filter.hi.min(*edge_keys.last().expect("an end"));
        let mut counts = vec![0u64; edges.len() - 1];
        let rows = tx
            .query(
                &format!(
                    "SELECT width_bucket(key, $4::int8[]), count(*) FROM events WHERE {cond} GROUP BY 1"
                ),
                &[&lo, &hi, &tsq, &edge_keys],
            )
            .await
            .map_err(super::PgError::from)?;
        for r in rows {
            let i: i32 = r.get(0);
            let n: i64 = r.get(1);
            if let Some(c) = usize::try_from(i).ok().and_then(|i| i.checked_sub(1)) {
                if let Some(slot) = counts.get_mut(c) {
                    *slot += u64::try_from(n).unwrap_or(0);
                }
            }
        }
        let rows = tx
            .query(
                &format!(
                    "SELECT screen, count(DISTINCT session_id) FROM events
                     WHERE {cond} AND screen IS NOT NULL GROUP BY screen"
                ),
                &[&lo, &hi, &tsq],
            )
            .await
            .map_err(super::PgError::from)?;
        let mut per_screen = vec![0u64; Screen::ALL.len()];
        for r in rows {
            let screen: String = r.get(0);
            let n: i64 = r.get(1);
            if let Some(pos) = Screen::ALL.iter().position(|s| s.as_str() == screen) {
                per_screen[pos] = u64::try_from(n).unwrap_or(0);
            }
        }
        tx.commit().await.map_err(super::PgError::from)?;
        Ok(stats::assemble(&edges, counts, per_screen, tz))
    }

    /// The plan PostgreSQL chooses for the window query of a keyword search
    /// (`EXPLAIN`, or `EXPLAIN ANALYZE` when `analyze`), under the settings
    /// every search runs with: for tests and benchmarks.
    pub async fn explain_search(&self, filter: &Filter, analyze: bool) -> PgResult<String> {
        let mut client = self.client().await?;
        let tx = self.read(&mut client).await?;
        let tsq = Scanner::new(filter, i64::MAX)
            .tsquery()
            .unwrap_or_default()
            .to_owned();
        let explain = if analyze {
            "EXPLAIN (ANALYZE, BUFFERS)"
        } else {
            "EXPLAIN"
        };
        let rows = tx
            .query(
                &format!("{explain} {WINDOW_SQL}"),
                &[&tsq, &filter.lo, &filter.hi],
            )
            .await?;
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

async fn event_page(
    tx: &Transaction<'_>,
    filter: &Filter,
    limit: usize,
    cursor: Option<i64>,
) -> PgResult<Page> {
    let mut scanner = Scanner::new(filter, cursor.unwrap_or(i64::MAX));
    let mut keys = Vec::with_capacity(limit);
    let mut more = false;
    'scan: loop {
        let hits = scanner.next(tx).await?;
        if hits.is_empty() {
            break;
        }
        for h in hits {
            if keys.len() == limit {
                more = true;
                break 'scan;
            }
            keys.push(h.key);
        }
    }
    let rows = json_of(tx, &keys).await?;
    let next_cursor = if more {
        rows.last().map(|(k, _)| format!("e{k}"))
    } else {
        None
    };
    Ok(Page {
        events: rows.into_iter().map(|(_, j)| j).collect(),
        next_cursor,
    })
}

async fn session_page(
    tx: &Transaction<'_>,
    filter: &Filter,
    limit: usize,
    cursor: Option<i64>,
) -> PgResult<Page> {
    // As on SQLite (see crate::query): the cursor is the newest matching
    // event of the first session not yet shown; a session met at or below
    // it was shown before exactly when it has a match above the cursor.
    let below = cursor.map_or(i64::MAX, |c| c.saturating_add(1));
    let mut scanner = Scanner::new(filter, below);
    let tsq = scanner.tsquery().map(str::to_owned);
    let mut seen: HashSet<String> = HashSet::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut next = None;
    'scan: loop {
        let hits = scanner.next(tx).await?;
        if hits.is_empty() {
            break;
        }
        for h in hits {
            if seen.contains(&h.session) {
                continue;
            }
            if let Some(c) = cursor {
                let above = session_keys(
                    tx,
                    tsq.as_deref(),
                    &h.session,
                    c.saturating_add(1),
                    filter.hi,
                    1,
                )
                .await?;
                if !above.is_empty() {
                    seen.insert(h.session);
                    continue;
                }
            }
            if sessions.len() == limit {
                next = Some(format!("s{}", h.key));
                break 'scan;
            }
            seen.insert(h.session.clone());
            sessions.push(h.session);
        }
    }
    let mut page = Page {
        events: Vec::new(),
        next_cursor: next,
    };
    for session in &sessions {
        let keys = session_keys(
            tx,
            tsq.as_deref(),
            session,
            filter.lo,
            filter.hi,
            MAX_EVENTS_PER_SESSION as i64,
        )
        .await?;
        page.events
            .extend(json_of(tx, &keys).await?.into_iter().map(|(_, j)| j));
    }
    Ok(page)
}
