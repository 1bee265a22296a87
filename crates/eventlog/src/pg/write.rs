//! Ingest and deletions on PostgreSQL.
//!
//! A batch is one `INSERT ... SELECT FROM unnest(...)` statement: one round
//! trip, atomic (all or nothing), and PostgreSQL's own group commit shares
//! the WAL flush between concurrent batches, from this instance or others.
//! Deletions are bounded batches of their own short statements, like the
//! SQLite backend's, so ingest goes on between them.

use std::time::Instant;

use tokio_postgres::error::SqlState;

use super::{words, PgError, PgResult, PgStore};
use crate::db::{NewEvent, Stored, KEYS_PER_MS};
use crate::writer::{Deleted, Deletion};

/// How often a batch is retried after a storage-key collision or a
/// deadlock with another instance's batch.
const RETRIES: usize = 8;

const INSERT: &str = "
INSERT INTO events (key, event_id, session_id, sequence, screen, json, doc)
SELECT t.ms * $1::int8 + nextval('event_key_seq') % $1::int8,
       t.id, t.sid, t.seq, t.screen, t.json, t.doc::tsvector
FROM unnest($2::int8[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[])
     AS t(ms, id, sid, seq, screen, json, doc)
ON CONFLICT (event_id) DO NOTHING";

/// Whether a failed batch may simply run again: its key collided with
/// another event's (not its `event_id`, which `ON CONFLICT` handles), or
/// it deadlocked with a concurrent batch.
fn retryable(e: &tokio_postgres::Error) -> bool {
    match e.as_db_error() {
        Some(db) if *db.code() == SqlState::UNIQUE_VIOLATION => {
            db.constraint() != Some("events_event_id_key")
        }
        Some(db) => matches!(
            *db.code(),
            SqlState::T_R_DEADLOCK_DETECTED | SqlState::T_R_SERIALIZATION_FAILURE
        ),
        None => false,
    }
}

impl PgStore {
    /// Stores one batch, all or nothing; events whose `event_id` is stored
    /// already (by any instance), or repeated in the batch, are duplicates.
    pub async fn store(&self, batch: &[NewEvent]) -> PgResult<Stored> {
        // The same order of event ids in every batch: two instances storing
        // overlapping batches wait for each other instead of deadlocking.
        let mut rows: Vec<&NewEvent> = batch.iter().collect();
        rows.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        rows.dedup_by(|a, b| a.event_id == b.event_id);
        let ms: Vec<i64> = rows.iter().map(|e| e.time_ms).collect();
        let ids: Vec<&str> = rows.iter().map(|e| e.event_id.as_str()).collect();
        let sids: Vec<&str> = rows.iter().map(|e| e.session_id.as_str()).collect();
        let seqs: Vec<i64> = rows.iter().map(|e| e.sequence).collect();
        let screens: Vec<Option<&str>> =
            rows.iter().map(|e| e.screen.map(|s| s.as_str())).collect();
        let jsons: Vec<&str> = rows.iter().map(|e| e.json.as_str()).collect();
        let docs: Vec<String> = rows.iter().map(|e| words::tsvector(&e.doc)).collect();
        let client = self.client().await?;
        let stmt = client.prepare_cached(INSERT).await?;
        let mut attempt = 0;
        loop {
            match client
                .execute(
                    &stmt,
                    &[
                        &KEYS_PER_MS,
                        &ms,
                        &ids,
                        &sids,
                        &seqs,
                        &screens,
                        &jsons,
                        &docs,
                    ],
                )
                .await
            {
                Ok(n) => {
                    let stored = usize::try_from(n).unwrap_or(usize::MAX);
                    return Ok(Stored {
                        stored,
                        duplicates: batch.len().saturating_sub(stored),
                    });
                }
                Err(e) if attempt < RETRIES && retryable(&e) => attempt += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Runs one bounded deletion as a statement of its own.
    pub async fn delete(&self, what: &Deletion) -> PgResult<Deleted> {
        let start = Instant::now();
        let client = self.client().await?;
        let n = match what {
            Deletion::Keys(keys) => {
                client
                    .execute("DELETE FROM events WHERE key = ANY($1)", &[keys])
                    .await?
            }
            // SKIP LOCKED: instances running retention at the same moment
            // take different events instead of queueing on the same ones.
            Deletion::Older { below, limit } => {
                let limit = i64::try_from(*limit).unwrap_or(i64::MAX);
                client
                    .execute(
                        "DELETE FROM events WHERE key IN (
                             SELECT key FROM events WHERE key < $1 ORDER BY key LIMIT $2
                             FOR UPDATE SKIP LOCKED)",
                        &[below, &limit],
                    )
                    .await?
            }
        };
        Ok(Deleted {
            count: usize::try_from(n).unwrap_or(usize::MAX),
            took: start.elapsed(),
            // Ingest does not wait on the deletion: it runs on other
            // connections, and rows it inserts are not the ones deleted.
            ingest_waiting: false,
        })
    }
}

impl From<PgError> for String {
    fn from(e: PgError) -> String {
        e.to_string()
    }
}
