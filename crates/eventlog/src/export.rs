//! `GET /api/events/export`: a JSON array download of the selected events
//! (`ids=ID,ID,...`) or of everything matching the same filters as search.
//!
//! The download is produced a page at a time, only when the client has
//! taken the previous one: each page is a short read (about 64 KiB of
//! events after the last key sent, with the query budget), so
//! - memory stays constant however many events match;
//! - no read transaction stays open while a client is slow, so the
//!   write-ahead log can be checkpointed and restarted under ingest;
//! - a stalled client holds no thread of the blocking pool, only its
//!   socket, which the write timeout closes (see [`crate::server`]).
//!
//! At most [`crate::config::Limits::max_exports`] exports stream at once;
//! more are answered 503.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::auth::Authorized;
use crate::error::ApiError;
use crate::ingest::id_ok;
use crate::query::{Filter, Keyword, Params};
use crate::server::AppState;

/// The most ids one `ids=` export may name.
pub const MAX_IDS: usize = 1_000;
/// A page of the download ends after the event that takes it past this.
pub const CHUNK: usize = 64 * 1024;

/// Parameters the export accepts.
pub const EXPORT_PARAMS: &[&str] = &["q", "range", "from", "to", "tz", "ids"];

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These event ids.
    Ids(Vec<String>),
    /// Everything the filter matches.
    Matching(Filter),
}

/// One page of an export: the events' JSON after the ones sent already.
#[derive(Debug, Default)]
pub struct ExportPage {
    /// The events, each on its own line, comma-separated, with the array's
    /// opening or closing bracket where due.
    pub bytes: Vec<u8>,
    /// The key of the last event in the page, where the next page starts;
    /// `None` when the export is complete.
    pub next: Option<i64>,
}

/// Reads the page of `selection` below key `below` (exclusive; `None` for
/// the first page), newest first, ending after about [`CHUNK`] bytes.
pub fn read_page(
    conn: &Connection,
    selection: &Selection,
    below: Option<i64>,
) -> rusqlite::Result<ExportPage> {
    let first = below.is_none();
    let below = below.unwrap_or(i64::MAX);
    let mut page = ExportPage {
        bytes: Vec::with_capacity(CHUNK + 4096),
        next: None,
    };
    if first {
        page.bytes.push(b'[');
    }
    let mut stmt;
    let mut rows = match selection {
        Selection::Ids(ids) => {
            stmt = conn.prepare_cached(
                "SELECT key, json FROM events
                 WHERE event_id IN (SELECT value FROM json_each(?1)) AND key < ?2
                 ORDER BY key DESC",
            )?;
            let list = serde_json::to_string(ids).expect("strings serialize");
            stmt.query(params![list, below])?
        }
        Selection::Matching(f) => match &f.keyword {
            Keyword::Fts(m) => {
                stmt = conn.prepare_cached(
                    "SELECT e.key, e.json FROM events_fts f CROSS JOIN events e ON e.key = f.rowid
                     WHERE events_fts MATCH ?1 AND f.rowid >= ?2 AND f.rowid < ?3
                     ORDER BY f.rowid DESC",
                )?;
                stmt.query(params![m, f.lo, f.hi.min(below)])?
            }
            Keyword::All => {
                stmt = conn.prepare_cached(
                    "SELECT key, json FROM events WHERE key >= ?1 AND key < ?2 ORDER BY key DESC",
                )?;
                stmt.query(params![f.lo, f.hi.min(below)])?
            }
            Keyword::Nothing => {
                stmt = conn.prepare_cached("SELECT 0, '' WHERE 0")?;
                stmt.query([])?
            }
        },
    };
    let mut last = None;
    while let Some(row) = rows.next()? {
        if page.bytes.len() >= CHUNK {
            // There is more: stop here, the next page starts below `last`.
            page.next = last;
            return Ok(page);
        }
        let key: i64 = row.get(0)?;
        let json = row.get_ref(1)?.as_str()?;
        let opening = first && last.is_none();
        page.bytes
            .extend_from_slice(if opening { b"\n" } else { b",\n" });
        page.bytes.extend_from_slice(json.as_bytes());
        last = Some(key);
    }
    page.bytes.extend_from_slice(if first && last.is_none() {
        b"]\n"
    } else {
        b"\n]\n"
    });
    Ok(page)
}

/// Writes a whole export into `sink`, page by page (for tests and tools).
/// Stops early (without error) when `sink` returns false.
pub fn write_array(
    conn: &Connection,
    selection: &Selection,
    mut sink: impl FnMut(Vec<u8>) -> bool,
) -> rusqlite::Result<()> {
    let mut below = None;
    loop {
        let page = read_page(conn, selection, below)?;
        if !sink(page.bytes) {
            return Ok(());
        }
        match page.next {
            Some(k) => below = Some(k),
            None => return Ok(()),
        }
    }
}

fn parse_ids(list: &str) -> Result<Vec<String>, String> {
    let ids: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err("ids is empty; give event ids separated by commas".into());
    }
    if let Some(bad) = ids.iter().find(|id| !id_ok(id)) {
        return Err(format!(
            "ids: {} is not an event id (1 to 64 of A-Z a-z 0-9 _ . : -)",
            serde_json::to_string(bad).expect("strings serialize")
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(format!(
            "ids names {} events; at most {MAX_IDS} per export (export by filter instead)",
            ids.len()
        ));
    }
    Ok(ids)
}

/// `GET /api/events/export`.
pub async fn export(
    _auth: Authorized,
    State(state): State<Arc<AppState>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Params::from_pairs(pairs, EXPORT_PARAMS).map_err(ApiError::bad_request)?;
    let now = Timestamp::now();
    let (selection, name) = match &p.ids {
        Some(list) => {
            if p.q.is_some() || p.range.is_some() || p.from.is_some() || p.to.is_some() {
                return Err(ApiError::bad_request(
                    "use either ids or the filters (q, range, from, to), not both",
                ));
            }
            (
                Selection::Ids(parse_ids(list).map_err(ApiError::bad_request)?),
                "selected",
            )
        }
        None => (
            Selection::Matching(p.filter(now).map_err(ApiError::bad_request)?),
            "all",
        ),
    };
    let Ok(permit) = state.exports.clone().try_acquire_owned() else {
        return Err(ApiError {
            retry_after: Some(5),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "{} exports are running, the most at once; retry shortly",
                    state.limits.max_exports
                ),
            )
        });
    };
    // The first page is read before answering, so a database failure is a
    // 500 and not a truncated download.
    let selection = Arc::new(selection);
    let first = read(&state, &selection, None).await?;
    struct Export {
        state: Arc<AppState>,
        selection: Arc<Selection>,
        pending: Option<ExportPage>,
        next: Option<i64>,
        // Held for as long as the download streams.
        _permit: tokio::sync::OwnedSemaphorePermit,
    }
    let export = Export {
        next: first.next,
        pending: Some(first),
        state,
        selection,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(export, |mut ex| async move {
        if let Some(page) = ex.pending.take() {
            return Some((Ok(Bytes::from(page.bytes)), ex));
        }
        let below = ex.next?;
        match read(&ex.state, &ex.selection, Some(below)).await {
            Ok(page) => {
                ex.next = page.next;
                Some((Ok(Bytes::from(page.bytes)), ex))
            }
            Err(e) => {
                // Headers are gone already: the client sees a truncated
                // array, which is not valid JSON, rather than a silently
                // short export.
                eprintln!("okra-eventlog: export failed midway: {}", e.message);
                ex.next = None;
                Some((Err(std::io::Error::other(e.message)), ex))
            }
        }
    });
    let filename = format!("okra-events-{name}-{}.json", now.strftime("%Y%m%dT%H%M%SZ"));
    let mut resp = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .expect("the file name is ASCII"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Reads one page within the query budget.
async fn read(
    state: &Arc<AppState>,
    selection: &Arc<Selection>,
    below: Option<i64>,
) -> Result<ExportPage, ApiError> {
    state.store.export_page(selection.clone(), below).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_bounded() {
        assert_eq!(parse_ids(" a, b,,c ").unwrap(), vec!["a", "b", "c"]);
        assert!(parse_ids(" , ").unwrap_err().contains("empty"));
        let many = vec!["x"; MAX_IDS + 1].join(",");
        assert!(parse_ids(&many).unwrap_err().contains("at most 1000"));
        assert!(parse_ids("a,b c").unwrap_err().contains("\"b c\""));
    }
}
