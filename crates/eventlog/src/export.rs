//! `GET /api/events/export`: a JSON array download of the selected events
//! (`ids=ID,ID,...`) or of everything matching the same filters as search.
//!
//! Rows are streamed: a blocking task reads them from SQLite and hands
//! chunks of about 64 KiB to the response through a channel of a few
//! chunks, so memory stays constant however many events match, and a slow
//! client slows the reader instead of filling memory.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use rusqlite::{params, Connection};
use tokio::sync::mpsc;

use crate::auth::Authorized;
use crate::error::ApiError;
use crate::query::{Filter, Keyword, Params};
use crate::server::AppState;

/// The most ids one `ids=` export may name.
pub const MAX_IDS: usize = 1_000;
/// Chunk size handed to the response.
const CHUNK: usize = 64 * 1024;
/// Chunks buffered between the reader and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

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

/// Writes a JSON array of events, one per line, into `sink` in chunks.
/// Stops early (without error) when `sink` returns false.
pub fn write_array(
    conn: &Connection,
    selection: &Selection,
    mut sink: impl FnMut(Vec<u8>) -> bool,
) -> rusqlite::Result<()> {
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    buf.extend_from_slice(b"[");
    let mut first = true;
    let mut emit = |json: &str, buf: &mut Vec<u8>| -> bool {
        buf.extend_from_slice(if first { b"\n" } else { b",\n" });
        first = false;
        buf.extend_from_slice(json.as_bytes());
        if buf.len() >= CHUNK {
            return sink(std::mem::replace(buf, Vec::with_capacity(CHUNK + 4096)));
        }
        true
    };
    let mut stmt;
    let mut rows = match selection {
        Selection::Ids(ids) => {
            stmt = conn.prepare_cached(
                "SELECT json FROM events WHERE event_id IN (SELECT value FROM json_each(?1))
                 ORDER BY key DESC",
            )?;
            let list = serde_json::to_string(ids).expect("strings serialize");
            stmt.query([list])?
        }
        Selection::Matching(f) => match &f.keyword {
            Keyword::Fts(m) => {
                stmt = conn.prepare_cached(
                    "SELECT e.json FROM events_fts f CROSS JOIN events e ON e.key = f.rowid
                     WHERE events_fts MATCH ?1 AND f.rowid >= ?2 AND f.rowid < ?3
                     ORDER BY f.rowid DESC",
                )?;
                stmt.query(params![m, f.lo, f.hi])?
            }
            Keyword::All => {
                stmt = conn.prepare_cached(
                    "SELECT json FROM events WHERE key >= ?1 AND key < ?2 ORDER BY key DESC",
                )?;
                stmt.query(params![f.lo, f.hi])?
            }
            Keyword::Nothing => {
                stmt = conn.prepare_cached("SELECT json FROM events WHERE 0")?;
                stmt.query([])?
            }
        },
    };
    while let Some(row) = rows.next()? {
        let json: String = row.get(0)?;
        if !emit(&json, &mut buf) {
            return Ok(());
        }
    }
    buf.extend_from_slice(if first { b"]\n" } else { b"\n]\n" });
    sink(buf);
    Ok(())
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
    // Open the connection before answering, so a database failure is a 500
    // and not a truncated download.
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(), ApiError>>();
    tokio::task::spawn_blocking(move || {
        let conn = match state.readers.get() {
            Ok(c) => c,
            Err(e) => {
                let _ = ready_tx.send(Err(e.into()));
                return;
            }
        };
        let _ = ready_tx.send(Ok(()));
        let result = write_array(&conn, &selection, |chunk| tx.blocking_send(chunk).is_ok());
        if let Err(e) = result {
            // Headers are gone already: the client sees a truncated array,
            // which is not valid JSON, rather than a silently short export.
            eprintln!("okra-eventlog: export failed midway: {e}");
        }
    });
    ready_rx
        .await
        .map_err(|_| ApiError::internal("export worker stopped"))??;
    let stream = futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
            .map(|o| o.map(|chunk| Ok::<_, std::io::Error>(Bytes::from(chunk))))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_bounded() {
        assert_eq!(parse_ids(" a, b,,c ").unwrap(), vec!["a", "b", "c"]);
        assert!(parse_ids(" , ").unwrap_err().contains("empty"));
        let many = vec!["x"; MAX_IDS + 1].join(",");
        assert!(parse_ids(&many).unwrap_err().contains("at most 1000"));
    }
}
