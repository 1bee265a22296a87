//! Finding a keyword's matches newest first on PostgreSQL, through the
//! indexes only.
//!
//! The GIN index over the words finds the matching rows but not in key
//! order, and the planner, asked for "the 50 newest matches", likes to walk
//! the primary key backwards and test every row, which reads the whole
//! table when the word is rare in recent events. So a [`Scanner`] decides
//! the plan itself:
//! 1. a probe tests the newest [`PROBE_ROWS`] rows of the range (one short
//!    walk of the primary key): a common word fills a page here;
//! 2. below them, it asks the GIN index for at most [`FEW_ROWS`] matches,
//!    in no order: fewer means these are all of them (an id, a rare word or
//!    a rare combination of words: one index lookup), sorted here;
//! 3. else the word is common (over [`FEW_ROWS`] matches left), and windows
//!    of keys, each four times wider than the last, follow below the probe:
//!    in each, the GIN index and the key range are combined (bitmap scans)
//!    and the matches sorted.

use deadpool_postgres::Transaction;
use tokio_postgres::Row;

use super::{words, PgResult};
use crate::db::KEYS_PER_MS;
use crate::query::{Filter, Keyword};

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

impl Hit {
    /// A row of `key, session_id`, as every query here selects them.
    fn of(row: &Row) -> Hit {
        Hit {
            key: row.get(0),
            session: row.get(1),
        }
    }
}

/// The hits of rows the GIN index gave in no order, newest first.
fn newest_first(rows: &[Row]) -> Vec<Hit> {
    let mut hits: Vec<Hit> = rows.iter().map(Hit::of).collect();
    hits.sort_unstable_by_key(|h| std::cmp::Reverse(h.key));
    hits
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
                    let hits: Vec<Hit> = rows.iter().map(Hit::of).collect();
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
                    let hits = newest_first(&rows);
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
                        .map(Hit::of)
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
                    let hits = newest_first(&rows);
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
