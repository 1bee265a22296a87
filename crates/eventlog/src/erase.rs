//! Erasure and retention (SPEC 7.2): `DELETE /api/events?session_id=` or
//! `?q=`, and `--retain-days`.
//!
//! Both delete through the single writer in batches of [`DELETE_BATCH`]
//! events, each its own short transaction queued behind whatever ingest is
//! waiting, so a large deletion never holds the writer for long: ingest
//! commits go on between its batches. Each batch removes the events and
//! their words from the full-text index together. When ingest is waiting, a
//! deletion pauses after each batch for as long as the batch took: it takes
//! at most about half of the writer's time, and ingest keeps the rest.
//!
//! An erasure runs as a task of its own: it finishes even when its client
//! goes away, and a request answers 202 with the count so far when the
//! erasure outlasts [`crate::config::Limits::erase_wait`] (45 s).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::auth::Authorized;
use crate::db::key_range;
use crate::error::{json_response, ApiError};
use crate::ingest::id_ok;
use crate::query::{self, Filter, Keyword, Params};
use crate::server::AppState;
use crate::store::Store;
use crate::writer::{Deleted, Deletion};

/// Events deleted per transaction (a few tens of milliseconds of the
/// writer's time).
pub const DELETE_BATCH: usize = 500;
/// How often retention runs after the pass at start-up.
pub const RETENTION_INTERVAL: Duration = Duration::from_secs(3600);

/// Parameters `DELETE /api/events` accepts: a session, keywords, or both,
/// optionally narrowed by the date filters of a search.
pub const ERASE_PARAMS: &[&str] = &["q", "range", "from", "to", "tz"];

/// Up to `limit` keys below `below` of the events to erase, highest first
/// (SQLite).
pub fn erase_keys(
    conn: &Connection,
    filter: &Filter,
    session: Option<&str>,
    below: i64,
    limit: usize,
) -> rusqlite::Result<Vec<i64>> {
    let hi = filter.hi.min(below);
    let mut keys = Vec::new();
    match (&filter.keyword, session) {
        (Keyword::Nothing, _) => {}
        (Keyword::All, Some(session)) => {
            let mut stmt = conn.prepare_cached(
                "SELECT key FROM events WHERE session_id = ?1 AND key >= ?2 AND key < ?3
                 ORDER BY key DESC LIMIT ?4",
            )?;
            let rows = stmt.query_map(
                params![
                    session,
                    filter.lo,
                    hi,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| r.get(0),
            )?;
            keys = rows.collect::<rusqlite::Result<_>>()?;
        }
        // Refused by the handler: there is no filter.
        (Keyword::All, None) => {}
        (Keyword::Fts(_), session) => {
            query::scan(conn, filter, hi, false, |key, sid, _| {
                if session.is_none_or(|s| s == sid) {
                    keys.push(key);
                }
                keys.len() < limit
            })?;
        }
    }
    Ok(keys)
}

/// `DELETE /api/events?session_id=ID` or `?q=KEYWORDS` (with optional
/// `range`/`from`/`to`/`tz`): answers `{"deleted": n}`.
pub async fn erase(
    _auth: Authorized,
    State(state): State<Arc<AppState>>,
    Query(mut pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut session = None;
    pairs.retain(|(k, v)| {
        if k == "session_id" {
            session = Some(v.clone());
            false
        } else {
            true
        }
    });
    let mut allowed = ERASE_PARAMS.to_vec();
    allowed.push("session_id");
    let p = Params::from_pairs(pairs, &allowed).map_err(ApiError::bad_request)?;
    if let Some(s) = &session {
        if !id_ok(s) {
            return Err(ApiError::bad_request(format!(
                "session_id {} must be 1 to 64 characters of A-Z a-z 0-9 _ . : -",
                serde_json::to_string(s).expect("strings serialize")
            )));
        }
    }
    let filter = p.filter(Timestamp::now()).map_err(ApiError::bad_request)?;
    if session.is_none() && filter.keyword == Keyword::All {
        return Err(ApiError::bad_request(
            "a delete needs session_id=ID or q=KEYWORDS; deleting everything is refused",
        ));
    }
    let wait = state.limits.erase_wait;
    let progress = Arc::new(AtomicUsize::new(0));
    let counted = progress.clone();
    let task = tokio::spawn(async move {
        let result = erase_all(state, filter, session, counted).await;
        if let Err(e) = &result {
            // After a 202 nobody else hears of it.
            eprintln!("okra-eventlog: an erasure stopped: {}", e.message);
        }
        result
    });
    match tokio::time::timeout(wait, task).await {
        Ok(done) => {
            let deleted = done??;
            Ok(json_response(
                StatusCode::OK,
                &serde_json::json!({ "deleted": deleted }),
            ))
        }
        Err(_) => Ok(json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({
                "deleted": progress.load(Ordering::Relaxed),
                "done": false,
                "message": "still deleting in the background; repeat the request later to see that nothing is left",
            }),
        )),
    }
}

/// Deletes every event the filter (and session) selects, a batch at a time,
/// counting into `progress`; returns how many.
async fn erase_all(
    state: Arc<AppState>,
    filter: Filter,
    session: Option<String>,
    progress: Arc<AtomicUsize>,
) -> Result<usize, ApiError> {
    let mut below = i64::MAX;
    loop {
        let keys = retrying(|| {
            state
                .store
                .erase_keys(filter.clone(), session.clone(), below, DELETE_BATCH)
        })
        .await?;
        let Some(&lowest) = keys.last() else { break };
        let full = keys.len() == DELETE_BATCH;
        below = lowest;
        let done = state
            .store
            .delete(Deletion::Keys(keys))
            .await
            .map_err(ApiError::internal)?;
        progress.fetch_add(done.count, Ordering::Relaxed);
        if !full {
            break;
        }
        yield_to_ingest(&done).await;
    }
    Ok(progress.load(Ordering::Relaxed))
}

/// Tries a step of an erasure up to [`TRIES`] times, pausing between tries:
/// a search that ran past its budget while the database was busy should not
/// leave an erasure half done after its request answered 202.
async fn retrying<T, F: std::future::Future<Output = Result<T, ApiError>>>(
    mut step: impl FnMut() -> F,
) -> Result<T, ApiError> {
    let mut tries = 1;
    loop {
        match step().await {
            Err(e) if tries < TRIES && e.status == StatusCode::SERVICE_UNAVAILABLE => {
                eprintln!(
                    "okra-eventlog: an erasure step failed (try {tries} of {TRIES}): {}",
                    e.message
                );
                tokio::time::sleep(Duration::from_millis(500) * tries).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

/// How often a step of an erasure is tried.
const TRIES: u32 = 4;

/// After a deletion batch, leaves the writer to waiting ingest for as long
/// as the batch took.
async fn yield_to_ingest(done: &Deleted) {
    if done.ingest_waiting {
        tokio::time::sleep(done.took.min(Duration::from_secs(1))).await;
    }
}

/// Deletes every event older than `days` days, a batch at a time; returns
/// how many.
pub async fn retain(store: &Store, days: u32, now: Timestamp) -> Result<usize, String> {
    let cutoff = now.as_millisecond() - i64::from(days) * 86_400_000;
    let (below, _) = key_range(Some(cutoff), None);
    let mut total = 0;
    loop {
        let done = store
            .delete(Deletion::Older {
                below,
                limit: DELETE_BATCH,
            })
            .await?;
        total += done.count;
        if done.count < DELETE_BATCH {
            return Ok(total);
        }
        yield_to_ingest(&done).await;
    }
}

/// Runs retention now and then every [`RETENTION_INTERVAL`], until dropped.
pub async fn retention_loop(store: Store, days: u32) {
    loop {
        match retain(&store, days, Timestamp::now()).await {
            Ok(0) => {}
            Ok(n) => {
                eprintln!("okra-eventlog: retention deleted {n} events older than {days} days")
            }
            Err(e) => eprintln!("okra-eventlog: retention failed (will retry): {e}"),
        }
        tokio::time::sleep(RETENTION_INTERVAL).await;
    }
}
