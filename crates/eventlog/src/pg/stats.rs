//! `GET /api/stats` on PostgreSQL: buckets and funnel counted in the
//! database (`width_bucket` over the buckets' first keys, and sessions per
//! screen), over the same matches as a search.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use okra_events_core::Screen;

use super::{words, PgError, PgStore};
use crate::db::KEYS_PER_MS;
use crate::error::ApiError;
use crate::query::{Filter, Keyword};
use crate::stats::{self, Stats};

impl PgStore {
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
                    .map_err(PgError::from)?;
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
            .map_err(PgError::from)?;
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
            .map_err(PgError::from)?;
        let mut per_screen = vec![0u64; Screen::ALL.len()];
        for r in rows {
            let screen: String = r.get(0);
            let n: i64 = r.get(1);
            if let Some(pos) = Screen::ALL.iter().position(|s| s.as_str() == screen) {
                per_screen[pos] = u64::try_from(n).unwrap_or(0);
            }
        }
        tx.commit().await.map_err(PgError::from)?;
        Ok(stats::assemble(&edges, counts, per_screen, tz))
    }
}
