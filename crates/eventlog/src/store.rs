//! The storage backend behind the handlers: SQLite (one file, one writer
//! thread) or PostgreSQL (shared by any number of instances). Handlers call
//! [`Store`]; each backend keeps its SQL in its own modules ([`crate::db`],
//! [`crate::writer`] and the handlers' SQLite functions; [`crate::pg`]).
//! Both give the same answers: same search words, presets, dedupe,
//! all-or-nothing batches, erasure and stats.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use tokio::sync::oneshot;

use crate::db::{NewEvent, Readers, Stored};
use crate::error::ApiError;
use crate::export::{self, ExportPage, Selection};
use crate::pg::PgStore;
use crate::query::{self, with_budget, Filter, Grouping, Keyword, Page};
use crate::server::FileId;
use crate::stats::{self, Stats};
use crate::writer::{Deleted, Deletion, WriteQueue};
use crate::{erase, pg};

/// The SQLite backend's parts.
pub struct SqliteStore {
    /// Read connections for search, export and stats.
    pub readers: Readers,
    /// Where ingest and deletions go.
    pub writes: WriteQueue,
    /// The database file, and which file it was at start-up.
    pub file: (PathBuf, Option<FileId>),
    /// How long one read may run.
    pub query_timeout: Duration,
}

/// Where events are stored.
#[derive(Clone)]
pub enum Store {
    /// One SQLite file.
    Sqlite(Arc<SqliteStore>),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

/// A batch on its way into storage (see [`Store::begin_store`]).
pub enum Pending {
    /// Queued for the SQLite writer; resolves at its commit.
    Queued(oneshot::Receiver<Result<Stored, String>>),
    /// To be stored on PostgreSQL.
    Postgres(PgStore, Vec<NewEvent>),
}

impl Pending {
    /// Waits until the batch is stored (or refused).
    pub async fn finish(self) -> Result<Stored, ApiError> {
        match self {
            Pending::Queued(rx) => rx
                .await
                .map_err(|_| ApiError::internal("the writer stopped"))?
                .map_err(ApiError::internal),
            Pending::Postgres(pg, events) => pg.store(&events).await.map_err(|e| {
                let e = ApiError::from(e);
                ApiError::new(e.status, format!("storing the batch failed: {}", e.message))
            }),
        }
    }
}

impl Store {
    /// Starts storing a validated batch. Blocking: on SQLite it waits while
    /// the writer's queue is full (back-pressure); call it off the async
    /// threads.
    pub fn begin_store(&self, events: Vec<NewEvent>) -> Pending {
        match self {
            Store::Sqlite(s) => Pending::Queued(s.writes.submit_blocking(events)),
            Store::Postgres(pg) => Pending::Postgres(pg.clone(), events),
        }
    }

    /// One page of a search.
    pub async fn page(
        &self,
        filter: Filter,
        grouping: Grouping,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page, ApiError> {
        match self {
            Store::Sqlite(s) => {
                with_budget(s, move |conn| {
                    query::page(conn, &filter, grouping, limit, cursor.as_deref())
                })
                .await
            }
            Store::Postgres(pg) => {
                let cursor = cursor
                    .map(|c| query::parse_cursor(&c, grouping))
                    .transpose()
                    .map_err(ApiError::bad_request)?;
                if filter.keyword == Keyword::Nothing {
                    return Ok(Page::default());
                }
                budget(pg, move |pg| async move {
                    pg.page(&filter, grouping, limit, cursor).await
                })
                .await
            }
        }
    }

    /// One page of an export, below key `below` (`None`: the first).
    pub async fn export_page(
        &self,
        selection: Arc<Selection>,
        below: Option<i64>,
    ) -> Result<ExportPage, ApiError> {
        match self {
            Store::Sqlite(s) => {
                with_budget(s, move |conn| {
                    export::read_page(conn, &selection, below).map_err(ApiError::from)
                })
                .await
            }
            Store::Postgres(pg) => {
                budget(pg, move |pg| async move {
                    pg.export_page(&selection, below).await
                })
                .await
            }
        }
    }

    /// Events over time and the screen funnel.
    pub async fn stats(
        &self,
        filter: Filter,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
        tz: TimeZone,
    ) -> Result<Stats, ApiError> {
        match self {
            Store::Sqlite(s) => {
                with_budget(s, move |conn| stats::stats(conn, &filter, start, end, &tz)).await
            }
            Store::Postgres(pg) => {
                let (pg, limit) = (pg.clone(), pg.query_timeout());
                let work = async move { pg.stats(&filter, start, end, &tz).await };
                match tokio::spawn(tokio::time::timeout(limit, work)).await? {
                    Ok(r) => r,
                    Err(_) => Err(pg::PgError::Timeout.into()),
                }
            }
        }
    }

    /// Up to `limit` keys below `below` of the events an erasure deletes.
    pub async fn erase_keys(
        &self,
        filter: Filter,
        session: Option<String>,
        below: i64,
        limit: usize,
    ) -> Result<Vec<i64>, ApiError> {
        match self {
            Store::Sqlite(s) => {
                with_budget(s, move |conn| {
                    Ok(erase::erase_keys(
                        conn,
                        &filter,
                        session.as_deref(),
                        below,
                        limit,
                    )?)
                })
                .await
            }
            Store::Postgres(pg) => {
                budget(pg, move |pg| async move {
                    pg.erase_keys(&filter, session.as_deref(), below, limit)
                        .await
                })
                .await
            }
        }
    }

    /// Runs one bounded deletion.
    pub async fn delete(&self, what: Deletion) -> Result<Deleted, String> {
        match self {
            Store::Sqlite(s) => s.writes.delete(what).await,
            Store::Postgres(pg) => pg.delete(&what).await.map_err(|e| {
                eprintln!("okra-eventlog: deleting events failed: {e}");
                format!("deleting events failed: {e}")
            }),
        }
    }

    /// Whether the database can be read now.
    pub async fn health(&self) -> Result<(), String> {
        match self {
            Store::Sqlite(s) => {
                // Open connections keep reading a deleted or replaced file,
                // so a query alone would still succeed: what the path names
                // now is checked too (a volume unmounted, the file removed
                // or swapped under the service).
                let (path, started_with) = &s.file;
                let now = FileId::of(path);
                if now.is_none() || now != *started_with {
                    return Err(format!(
                        "the database {} is gone or was replaced since start-up",
                        path.display()
                    ));
                }
                let s = s.clone();
                tokio::task::spawn_blocking(move || {
                    let conn = s.readers.get()?;
                    conn.query_row("SELECT count(*) FROM events WHERE key < 0", [], |r| {
                        r.get::<_, i64>(0)
                    })
                })
                .await
                .map_err(|e| e.to_string())?
                .map(|_| ())
                .map_err(|e| format!("the database cannot be read: {e}"))
            }
            Store::Postgres(pg) => pg
                .health()
                .await
                .map_err(|e| format!("the database cannot be read: {e}")),
        }
    }
}

/// Runs a PostgreSQL read within the query budget (each statement has
/// `statement_timeout`; this bounds the whole read), as a task of its own:
/// a request dropped midway (its client gone, or a download stalled, so
/// that nothing polls its body) never leaves a read transaction open on
/// the server; the task finishes or is stopped by the budget either way.
async fn budget<T, F>(pg: &PgStore, work: impl FnOnce(PgStore) -> F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: std::future::Future<Output = pg::PgResult<T>> + Send + 'static,
{
    let limit = pg.query_timeout();
    let task = tokio::spawn(tokio::time::timeout(limit, work(pg.clone())));
    match task.await? {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(pg::PgError::Timeout.into()),
    }
}
