//! Reads on PostgreSQL: search pages, export pages and the keys an erasure
//! deletes, all found by a [`Scanner`]. Every read runs in a read-only,
//! repeatable-read transaction with `statement_timeout` set to the query
//! budget and sequential scans disabled, so a keyword search always goes
//! through an index.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Transaction;
use tokio_postgres::IsolationLevel;

use super::scan::{Scanner, WINDOW_SQL};
use super::{PgResult, PgStore};
use crate::export::{ExportPage, Selection, CHUNK};
use crate::query::{Filter, Grouping, Keyword, Page, MAX_EVENTS_PER_SESSION};

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
    /// and without sequential scans. Plans are made for each statement's
    /// values: a plan cached for "some word in some range" walks the primary
    /// key, which reads the whole table for a rare word.
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
            "SET LOCAL enable_seqscan = off; SET LOCAL plan_cache_mode = force_custom_plan;
             SET LOCAL statement_timeout = {}",
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
