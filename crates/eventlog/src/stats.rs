//! `GET /api/stats`: events over time and the screen funnel for a filter
//! (SPEC 7.2).
//!
//! One pass over the matching events (the same rowid range, and the same
//! full-text match, as a search): each event is counted in its bucket by a
//! binary search over the buckets' first keys, and its session is noted
//! under its screen. Buckets are hours for ranges of up to two calendar days
//! in `tz`, else calendar days in `tz` (so a DST change makes one day 23 or
//! 25 hours long, and hours stay whole hours). An open range (no start, or
//! no end) is closed at the first or last matching event.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use okra_events_core::Screen;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::auth::Authorized;
use crate::db::KEYS_PER_MS;
use crate::error::{json_response, ApiError};
use crate::query::{Filter, Keyword, Params};
use crate::server::AppState;

/// Parameters `GET /api/stats` accepts: the filters of a search.
pub const STATS_PARAMS: &[&str] = &["q", "range", "from", "to", "tz"];
/// The most buckets one answer has (about ten years of days).
pub const MAX_BUCKETS: usize = 3_700;
const HOUR_MS: i64 = 3_600_000;

/// One bar of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Where it starts, in `tz` (ISO-8601 with offset).
    pub start: String,
    /// Matching events in it.
    pub count: u64,
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The screen (SPEC section 3's name).
    pub screen: &'static str,
    /// Matching sessions with a matching event on it.
    pub sessions: u64,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Stats {
    /// Oldest first, every bucket of the range.
    pub buckets: Vec<Bucket>,
    /// In the order of [`Screen::ALL`].
    pub funnel: Vec<Step>,
}

fn iso(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The first and last matching keys in `[lo, hi)`, if any.
fn ends(conn: &Connection, filter: &Filter) -> rusqlite::Result<Option<(i64, i64)>> {
    let one = |sql: &str| -> rusqlite::Result<Option<i64>> {
        let mut stmt = conn.prepare_cached(sql)?;
        match &filter.keyword {
            Keyword::Fts(m) => stmt
                .query_row(params![m, filter.lo, filter.hi], |r| r.get(0))
                .optional(),
            _ => stmt
                .query_row(params![filter.lo, filter.hi], |r| r.get(0))
                .optional(),
        }
    };
    let (first, last) = match &filter.keyword {
        Keyword::Nothing => return Ok(None),
        Keyword::Fts(_) => (
            one("SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 AND rowid >= ?2 AND rowid < ?3 ORDER BY rowid LIMIT 1")?,
            one("SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 AND rowid >= ?2 AND rowid < ?3 ORDER BY rowid DESC LIMIT 1")?,
        ),
        Keyword::All => (
            one("SELECT key FROM events WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT 1")?,
            one("SELECT key FROM events WHERE key >= ?1 AND key < ?2 ORDER BY key DESC LIMIT 1")?,
        ),
    };
    Ok(first.zip(last))
}

/// The first instant of every bucket of `[start, end)`, then `end`.
pub fn bucket_edges(
    start: Timestamp,
    end: Timestamp,
    tz: &TimeZone,
) -> Result<Vec<Timestamp>, String> {
    let too_many = || format!("the range has more than {MAX_BUCKETS} days; narrow it");
    let day_start = |d: jiff::civil::Date| {
        d.to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    let first_day = start.to_zoned_datetime(tz.clone()).date();
    let two_days = first_day.checked_add(2.days()).map_err(|e| e.to_string())?;
    let mut edges = Vec::new();
    if end <= day_start(two_days)? {
        // Hours of local time: start at the local hour holding `start`.
        let offset_ms = i64::from(tz.to_offset(start).seconds()) * 1000;
        let ms = start.as_millisecond();
        let mut t = (ms + offset_ms).div_euclid(HOUR_MS) * HOUR_MS - offset_ms;
        while t < end.as_millisecond() {
            edges.push(Timestamp::from_millisecond(t).map_err(|e| e.to_string())?);
            t += HOUR_MS;
        }
    } else {
        let mut d = first_day;
        loop {
            let t = day_start(d)?;
            if t >= end {
                break;
            }
            edges.push(t);
            if edges.len() > MAX_BUCKETS {
                return Err(too_many());
            }
            d = d.tomorrow().map_err(|e| e.to_string())?;
        }
    }
    edges.push(end);
    Ok(edges)
}

/// The answer when nothing matches: no buckets, every screen at zero.
pub fn empty() -> Stats {
    Stats {
        buckets: Vec::new(),
        funnel: Screen::ALL
            .iter()
            .map(|s| Step {
                screen: s.as_str(),
                sessions: 0,
            })
            .collect(),
    }
}

/// The bucket edges of a span; an open end is closed at the first or last
/// matching key (`ends`, which both backends look up only when an end is
/// open).
pub fn edges_for(
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    ends: Option<(i64, i64)>,
    tz: &TimeZone,
) -> Result<Vec<Timestamp>, ApiError> {
    let to_ts =
        |ms: i64| Timestamp::from_millisecond(ms).map_err(|e| ApiError::internal(e.to_string()));
    let (first, last) = ends.unwrap_or((0, 0));
    let start = start.map_or_else(|| to_ts(first.div_euclid(KEYS_PER_MS)), Ok)?;
    let end = end.map_or_else(|| to_ts(last.div_euclid(KEYS_PER_MS) + 1), Ok)?;
    bucket_edges(start, end, tz).map_err(ApiError::bad_request)
}

/// The answer from counts per bucket and matching sessions per screen (in
/// the order of [`Screen::ALL`]).
pub fn assemble(edges: &[Timestamp], counts: Vec<u64>, sessions: Vec<u64>, tz: &TimeZone) -> Stats {
    Stats {
        buckets: edges
            .iter()
            .zip(counts)
            .map(|(t, count)| Bucket {
                start: iso(*t, tz),
                count,
            })
            .collect(),
        funnel: Screen::ALL
            .iter()
            .zip(sessions)
            .map(|(s, n)| Step {
                screen: s.as_str(),
                sessions: n,
            })
            .collect(),
    }
}

/// Counts the matching events per bucket and sessions per screen (SQLite).
pub fn stats(
    conn: &Connection,
    filter: &Filter,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    tz: &TimeZone,
) -> Result<Stats, ApiError> {
    let ends = match (start, end) {
        (Some(_), Some(_)) => None,
        _ => match ends(conn, filter)? {
            None => return Ok(empty()),
            some => some,
        },
    };
    let edges = edges_for(start, end, ends, tz)?;
    let edge_keys: Vec<i64> = edges
        .iter()
        .map(|t| t.as_millisecond().saturating_mul(KEYS_PER_MS))
        .collect();
    let mut counts = vec![0u64; edges.len() - 1];
    let mut sessions: Vec<HashSet<String>> = vec![HashSet::new(); Screen::ALL.len()];
    let mut count = |key: i64, session: String, screen: Option<String>| {
        let i = edge_keys.partition_point(|&k| k <= key);
        if i >= 1 && i <= counts.len() {
            counts[i - 1] += 1;
        }
        if let Some(pos) = screen
            .as_deref()
            .and_then(|s| Screen::ALL.iter().position(|x| x.as_str() == s))
        {
            if !sessions[pos].contains(&session) {
                sessions[pos].insert(session);
            }
        }
    };
    let lo = filter.lo.max(edge_keys[0]);
    let hi = filter.hi.min(*edge_keys.last().expect("an end"));
    match &filter.keyword {
        Keyword::Nothing => {}
        Keyword::Fts(m) => {
            let mut stmt = conn.prepare_cached(
                "SELECT e.key, e.session_id, json_extract(e.json, '$.event_screen')
                 FROM events_fts f CROSS JOIN events e ON e.key = f.rowid
                 WHERE events_fts MATCH ?1 AND f.rowid >= ?2 AND f.rowid < ?3",
            )?;
            let mut rows = stmt.query(params![m, lo, hi])?;
            while let Some(r) = rows.next()? {
                count(r.get(0)?, r.get(1)?, r.get(2)?);
            }
        }
        Keyword::All => {
            let mut stmt = conn.prepare_cached(
                "SELECT key, session_id, json_extract(json, '$.event_screen')
                 FROM events WHERE key >= ?1 AND key < ?2",
            )?;
            let mut rows = stmt.query(params![lo, hi])?;
            while let Some(r) = rows.next()? {
                count(r.get(0)?, r.get(1)?, r.get(2)?);
            }
        }
    }
    let sessions = sessions.iter().map(|set| set.len() as u64).collect();
    Ok(assemble(&edges, counts, sessions, tz))
}

/// `GET /api/stats?<filters>`.
pub async fn handler(
    _auth: Authorized,
    State(state): State<Arc<AppState>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Params::from_pairs(pairs, STATS_PARAMS).map_err(ApiError::bad_request)?;
    let (filter, span, tz) = p.resolve(Timestamp::now()).map_err(ApiError::bad_request)?;
    let out = state.store.stats(filter, span.start, span.end, tz).await?;
    Ok(json_response(StatusCode::OK, &out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn hours_for_two_days_and_days_beyond_across_dst() {
        let ny = crate::range::time_zone("America/New_York").unwrap();
        // 2026-03-08: clocks go from 02:00 to 03:00 in New York.
        let e = bucket_edges(ts("2026-03-07T05:00:00Z"), ts("2026-03-09T04:00:00Z"), &ny).unwrap();
        assert_eq!(e.len(), 47 + 1, "47 hours in two days with a DST start");
        assert_eq!(iso(e[25], &ny), "2026-03-08T01:00:00-05:00");
        assert_eq!(iso(e[26], &ny), "2026-03-08T03:00:00-04:00");
        let e = bucket_edges(ts("2026-03-07T05:00:00Z"), ts("2026-03-10T04:00:00Z"), &ny).unwrap();
        assert_eq!(e.len(), 3 + 1);
        assert_eq!(iso(e[1], &ny), "2026-03-08T00:00:00-05:00");
        assert_eq!(iso(e[2], &ny), "2026-03-09T00:00:00-04:00");
        assert_eq!(e[2].as_millisecond() - e[1].as_millisecond(), 23 * HOUR_MS);
        // A start inside an hour starts at that hour.
        let utc = TimeZone::UTC;
        let e = bucket_edges(ts("2026-01-01T10:30:00Z"), ts("2026-01-01T12:00:00Z"), &utc).unwrap();
        assert_eq!(
            e,
            [
                ts("2026-01-01T10:00:00Z"),
                ts("2026-01-01T11:00:00Z"),
                ts("2026-01-01T12:00:00Z")
            ]
        );
        assert!(
            bucket_edges(ts("1990-01-01T00:00:00Z"), ts("2026-01-01T00:00:00Z"), &utc).is_err()
        );
    }
}
