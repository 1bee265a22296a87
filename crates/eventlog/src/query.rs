//! `GET /api/events`: keyword search, date filters and cursor paging.
//!
//! Keywords are matched through the FTS5 index, whole words and
//! case-insensitive: every word of `q` must appear (in the ids, the event
//! name, or any value in `event_data`). Ids such as `cust_123` or UUIDs are
//! split into words by the index and matched as a phrase, so the exact id
//! finds its events. A word ending in `*` also matches longer words that
//! start with it (`cust*`).
//!
//! Pages are newest first. `group=session` pages by session instead: each
//! session with a matching event appears once, ordered by its newest
//! matching event, with all its matching events together (by `sequence`).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::auth::Authorized;
use crate::db::{compact_uuids, key_range, Reader};
use crate::error::{raw_json_response, ApiError};
use crate::range::{self, Preset, Span};
use crate::server::AppState;
use crate::store::SqliteStore;

/// Default page size (events).
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size (events).
pub const MAX_LIMIT: usize = 500;
/// Default page size with `group=session` (sessions).
pub const DEFAULT_SESSIONS: usize = 20;
/// Largest page size with `group=session` (sessions).
pub const MAX_SESSIONS: usize = 100;
/// At most this many events of one session are shown on a grouped page.
pub const MAX_EVENTS_PER_SESSION: usize = 1_000;
/// The longest keyword query accepted.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most distinct words a keyword query may have. Each word is one more
/// term list FTS5 intersects, for every page and every session shown.
pub const MAX_TERMS: usize = 16;

/// What the keyword part of a query matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyword {
    /// No keyword: everything matches.
    All,
    /// A keyword with nothing searchable in it (only punctuation): nothing matches.
    Nothing,
    /// An FTS5 match expression.
    Fts(String),
}

/// Turns what a person typed into an FTS5 expression: each word becomes a
/// quoted phrase (so no character of the input is FTS5 syntax), words are
/// ANDed, and a trailing `*` makes a word a prefix.
pub fn keyword(q: &str) -> Result<Keyword, String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("q is longer than {MAX_QUERY_CHARS} characters"));
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    if words.is_empty() {
        return Ok(Keyword::All);
    }
    // (text, prefix) of each distinct word, lower-cased as the index is.
    let mut terms: Vec<(String, bool)> = Vec::new();
    for word in words {
        let (body, prefix) = match word.strip_suffix('*') {
            Some(b) => (b.trim_end_matches('*'), true),
            None => (word, false),
        };
        if !body.chars().any(char::is_alphanumeric) {
            continue;
        }
        let mut text = String::with_capacity(body.len());
        compact_uuids(body, &mut text);
        let text = text.to_lowercase();
        if !terms.contains(&(text.clone(), prefix)) {
            terms.push((text, prefix));
        }
    }
    // A prefix word adds nothing when another word starts with it: "cust*"
    // beside "cust-12" or "cust-1*" matches no fewer events. Merging them
    // (and repeats, above) keeps a query of one word typed 100 times as
    // cheap as the word once.
    let implied = |i: usize| {
        let (p, is_prefix) = &terms[i];
        *is_prefix
            && terms.iter().enumerate().any(|(j, (t, t_prefix))| {
                j != i && t.starts_with(p.as_str()) && (t != p || !t_prefix)
            })
    };
    let keep: Vec<bool> = (0..terms.len()).map(|i| !implied(i)).collect();
    let terms: Vec<&(String, bool)> = terms
        .iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect();
    if terms.len() > MAX_TERMS {
        return Err(format!(
            "q has {} different words; at most {MAX_TERMS}",
            terms.len()
        ));
    }
    let parts: Vec<String> = terms
        .iter()
        .map(|(text, prefix)| {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            if *prefix {
                phrase + " *"
            } else {
                phrase
            }
        })
        .collect();
    Ok(if parts.is_empty() {
        Keyword::Nothing
    } else {
        Keyword::Fts(parts.join(" AND "))
    })
}

/// A parsed filter: keyword and key range `[lo, hi)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The keyword part.
    pub keyword: Keyword,
    /// Lowest key included.
    pub lo: i64,
    /// First key excluded.
    pub hi: i64,
}

impl Filter {
    /// A filter from a keyword and a time span.
    pub fn new(keyword: Keyword, span: Span) -> Filter {
        let (lo, hi) = key_range(
            span.start.map(Timestamp::as_millisecond),
            span.end.map(Timestamp::as_millisecond),
        );
        Filter { keyword, lo, hi }
    }
}

/// The query parameters shared by search and export.
#[derive(Debug, Default, Clone)]
pub struct Params {
    /// Keywords.
    pub q: Option<String>,
    /// A preset name.
    pub range: Option<String>,
    /// Custom range start.
    pub from: Option<String>,
    /// Custom range end.
    pub to: Option<String>,
    /// IANA time zone for presets and plain dates.
    pub tz: Option<String>,
    /// Page size.
    pub limit: Option<String>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// `session` to group by session.
    pub group: Option<String>,
    /// Export only: comma-separated event ids.
    pub ids: Option<String>,
}

impl Params {
    /// Collects parameters by name; unknown names are an error, so a typo
    /// does not silently widen a search.
    pub fn from_pairs(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<Params, String> {
        let mut p = Params::default();
        for (k, v) in pairs {
            if !allowed.contains(&k.as_str()) {
                return Err(format!(
                    "unknown parameter \"{k}\"; expected one of {}",
                    allowed.join(", ")
                ));
            }
            let slot = match k.as_str() {
                "q" => &mut p.q,
                "range" => &mut p.range,
                "from" => &mut p.from,
                "to" => &mut p.to,
                "tz" => &mut p.tz,
                "limit" => &mut p.limit,
                "cursor" => &mut p.cursor,
                "group" => &mut p.group,
                // `allowed` only ever names the fields above and `ids`.
                _ => &mut p.ids,
            };
            *slot = Some(v).filter(|v| !v.is_empty());
        }
        Ok(p)
    }

    /// The filter these parameters describe, with presets resolved at `now`.
    pub fn filter(&self, now: Timestamp) -> Result<Filter, String> {
        self.resolve(now).map(|(filter, _, _)| filter)
    }

    /// The filter, and the time span and zone it was made from.
    pub fn resolve(&self, now: Timestamp) -> Result<(Filter, Span, jiff::tz::TimeZone), String> {
        let keyword = keyword(self.q.as_deref().unwrap_or(""))?;
        let tz = range::time_zone(self.tz.as_deref().unwrap_or("UTC")).map_err(|e| e.0)?;
        let span = match (&self.range, &self.from, &self.to) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err("use either range or from/to, not both".into())
            }
            (Some(r), None, None) => {
                let preset = Preset::parse(r).map_err(|e| e.0)?;
                range::resolve(preset, &tz, now).map_err(|e| e.0)?
            }
            (None, from, to) => {
                range::custom(from.as_deref(), to.as_deref(), &tz).map_err(|e| e.0)?
            }
        };
        Ok((Filter::new(keyword, span), span, tz))
    }
}

/// Whether a page is of events or of sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Events, newest first.
    Events,
    /// Sessions, newest first, each with its matching events.
    Sessions,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// The events' stored JSON.
    pub events: Vec<String>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

/// The key of a cursor of a previous page of this kind.
pub(crate) fn parse_cursor(cursor: &str, grouping: Grouping) -> Result<i64, String> {
    let (tag, rest) = cursor.split_at(cursor.len().min(1));
    let expected = match grouping {
        Grouping::Events => "e",
        Grouping::Sessions => "s",
    };
    match rest.parse::<i64>() {
        Ok(k) if tag == expected => Ok(k),
        _ => Err(format!(
            "cursor \"{cursor}\" is not a cursor from a previous page of this kind of query"
        )),
    }
}

/// Runs a page query.
pub fn page(
    conn: &Connection,
    filter: &Filter,
    grouping: Grouping,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page, ApiError> {
    let cursor = cursor
        .map(|c| parse_cursor(c, grouping))
        .transpose()
        .map_err(ApiError::bad_request)?;
    if filter.keyword == Keyword::Nothing {
        return Ok(Page::default());
    }
    Ok(match grouping {
        Grouping::Events => event_page(conn, filter, limit, cursor)?,
        Grouping::Sessions => session_page(conn, filter, limit, cursor)?,
    })
}

/// Matching events newest first, keys strictly below `below`, as
/// (key, session_id, json) rows; the closure returns false to stop.
pub(crate) fn scan(
    conn: &Connection,
    filter: &Filter,
    below: i64,
    with_json: bool,
    mut each: impl FnMut(i64, String, Option<String>) -> bool,
) -> rusqlite::Result<()> {
    let hi = filter.hi.min(below);
    let cols = if with_json {
        "e.key, e.session_id, e.json"
    } else {
        "e.key, e.session_id, NULL"
    };
    let mut stmt;
    let mut rows = match &filter.keyword {
        Keyword::Fts(m) => {
            stmt = conn.prepare_cached(&format!(
                "SELECT {cols} FROM events_fts f CROSS JOIN events e ON e.key = f.rowid
                 WHERE events_fts MATCH ?1 AND f.rowid >= ?2 AND f.rowid < ?3
                 ORDER BY f.rowid DESC"
            ))?;
            stmt.query(params![m, filter.lo, hi])?
        }
        _ => {
            stmt = conn.prepare_cached(&format!(
                "SELECT {cols} FROM events e WHERE e.key >= ?1 AND e.key < ?2 ORDER BY e.key DESC"
            ))?;
            stmt.query(params![filter.lo, hi])?
        }
    };
    while let Some(row) = rows.next()? {
        if !each(row.get(0)?, row.get(1)?, row.get(2)?) {
            break;
        }
    }
    Ok(())
}

fn event_page(
    conn: &Connection,
    filter: &Filter,
    limit: usize,
    cursor: Option<i64>,
) -> rusqlite::Result<Page> {
    let mut page = Page::default();
    let mut last = None;
    let mut more = false;
    scan(
        conn,
        filter,
        cursor.unwrap_or(i64::MAX),
        true,
        |key, _, json| {
            if page.events.len() == limit {
                more = true;
                return false;
            }
            page.events.push(json.unwrap_or_default());
            last = Some(key);
            true
        },
    )?;
    if more {
        page.next_cursor = last.map(|k| format!("e{k}"));
    }
    Ok(page)
}

/// The keys of a session's events in `[lo, hi)` that match the keyword,
/// in sequence order.
fn session_keys(
    conn: &Connection,
    filter: &Filter,
    session: &str,
    lo: i64,
    hi: i64,
) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key FROM events WHERE session_id = ?1 AND key >= ?2 AND key < ?3
         ORDER BY sequence, key",
    )?;
    let keys: Vec<i64> = stmt
        .query_map(params![session, lo, hi], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let Keyword::Fts(m) = &filter.keyword else {
        return Ok(keys);
    };
    let (Some(&min), Some(&max)) = (keys.iter().min(), keys.iter().max()) else {
        return Ok(keys);
    };
    // Sessions are short, so this window of the index is small.
    let mut fts = conn.prepare_cached(
        "SELECT rowid FROM events_fts WHERE events_fts MATCH ?1 AND rowid >= ?2 AND rowid <= ?3",
    )?;
    let matching: HashSet<i64> = fts
        .query_map(params![m, min, max], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(keys.into_iter().filter(|k| matching.contains(k)).collect())
}

fn session_page(
    conn: &Connection,
    filter: &Filter,
    limit: usize,
    cursor: Option<i64>,
) -> rusqlite::Result<Page> {
    // The cursor is the newest matching event of the first session not yet
    // shown. A session met at or below it was shown on an earlier page
    // exactly when it has a matching event above the cursor.
    let mut seen: HashSet<String> = HashSet::new();
    let mut sessions: Vec<String> = Vec::new();
    let mut next = None;
    let mut failure = None;
    let below = cursor.map_or(i64::MAX, |c| c.saturating_add(1));
    scan(conn, filter, below, false, |key, session, _| {
        if seen.contains(&session) {
            return true;
        }
        if let Some(c) = cursor {
            match session_keys(conn, filter, &session, c.saturating_add(1), filter.hi) {
                Ok(above) if !above.is_empty() => {
                    seen.insert(session);
                    return true;
                }
                Ok(_) => {}
                Err(e) => {
                    failure = Some(e);
                    return false;
                }
            }
        }
        if sessions.len() == limit {
            next = Some(format!("s{key}"));
            return false;
        }
        seen.insert(session.clone());
        sessions.push(session);
        true
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    let mut page = Page {
        events: Vec::new(),
        next_cursor: next,
    };
    let mut json = conn.prepare_cached("SELECT json FROM events WHERE key = ?1")?;
    for session in &sessions {
        let keys = session_keys(conn, filter, session, filter.lo, filter.hi)?;
        for key in keys.into_iter().take(MAX_EVENTS_PER_SESSION) {
            page.events.push(json.query_row([key], |r| r.get(0))?);
        }
    }
    Ok(page)
}

/// Renders a page as `{"events": [...], "next_cursor": ...}`, splicing the
/// stored JSON in as it is.
pub fn render(page: &Page) -> Vec<u8> {
    let size: usize = page.events.iter().map(|e| e.len() + 1).sum();
    let mut out = Vec::with_capacity(size + 64);
    out.extend_from_slice(b"{\"events\":[");
    for (i, e) in page.events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e.as_bytes());
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    serde_json::to_writer(&mut out, &page.next_cursor).expect("a string serializes");
    out.push(b'}');
    out
}

fn parse_limit(p: &Params, grouping: Grouping) -> Result<usize, String> {
    let (default, max, what) = match grouping {
        Grouping::Events => (DEFAULT_LIMIT, MAX_LIMIT, "events"),
        Grouping::Sessions => (DEFAULT_SESSIONS, MAX_SESSIONS, "sessions"),
    };
    match &p.limit {
        None => Ok(default),
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(format!(
                "limit \"{l}\" must be a whole number of {what} from 1 to {max}"
            )),
        },
    }
}

/// Parameters `GET /api/events` accepts.
pub const SEARCH_PARAMS: &[&str] = &["q", "range", "from", "to", "tz", "limit", "cursor", "group"];

/// `GET /api/events`.
pub async fn search(
    _auth: Authorized,
    State(state): State<Arc<AppState>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let p = Params::from_pairs(pairs, SEARCH_PARAMS).map_err(ApiError::bad_request)?;
    let grouping = match p.group.as_deref() {
        None => Grouping::Events,
        Some("session") => Grouping::Sessions,
        Some(g) => {
            return Err(ApiError::bad_request(format!(
                "group \"{g}\" is not supported; use group=session"
            )))
        }
    };
    let limit = parse_limit(&p, grouping).map_err(ApiError::bad_request)?;
    let filter = p.filter(Timestamp::now()).map_err(ApiError::bad_request)?;
    let page = state.store.page(filter, grouping, limit, p.cursor).await?;
    let body = render(&page);
    Ok(raw_json_response(StatusCode::OK, body))
}

/// Sets a flag when dropped, unless disarmed: the request future is dropped
/// when its client goes away (or a timeout fires), and the query on the
/// blocking pool sees the flag and stops.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// How many SQLite virtual-machine steps run between checks of the budget.
const STEPS_PER_CHECK: i32 = 10_000;

/// Runs `f` with a pooled read connection on the blocking pool, stopping it
/// (503) once it has run for the query budget, or as soon as the request is
/// dropped because its client went away.
pub async fn with_budget<T: Send + 'static>(
    sqlite: &Arc<SqliteStore>,
    f: impl FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let budget = sqlite.query_timeout;
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel = CancelOnDrop(cancelled.clone());
    let stopped = Arc::new(AtomicBool::new(false));
    let sqlite = sqlite.clone();
    let stopped_in = stopped.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn: Reader = sqlite.readers.get()?;
        bounded(&mut conn, Instant::now() + budget, cancelled, stopped_in, f)
    })
    .await?
    .map_err(|e| {
        if stopped.load(Ordering::Relaxed) {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the query was stopped after {} s; narrow it (fewer words, a shorter range)",
                    budget.as_secs_f64()
                ),
            )
        } else {
            e
        }
    })
}

/// Runs `f` on `conn` with SQLite's progress handler checking, every
/// [`STEPS_PER_CHECK`] steps, whether `deadline` has passed or `cancelled`
/// is set; then the statement fails with "interrupted" and `stopped` is set.
pub fn bounded<T>(
    conn: &mut Connection,
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
    stopped: Arc<AtomicBool>,
    f: impl FnOnce(&Connection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    conn.progress_handler(
        STEPS_PER_CHECK,
        Some(move || {
            let stop = cancelled.load(Ordering::Relaxed) || Instant::now() >= deadline;
            if stop {
                stopped.store(true, Ordering::Relaxed);
            }
            stop
        }),
    )?;
    let out = f(conn);
    conn.progress_handler(0, None::<fn() -> bool>)?;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query that would run for minutes.
    const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
                           SELECT count(*) FROM c WHERE x < 1000000000000";

    fn endless(conn: &Connection) -> Result<i64, ApiError> {
        Ok(conn.query_row(ENDLESS, [], |r| r.get(0))?)
    }

    #[test]
    fn a_query_stops_at_its_deadline() {
        let mut conn = Connection::open_in_memory().unwrap();
        let stopped = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let deadline = start + std::time::Duration::from_millis(100);
        let never = Arc::new(AtomicBool::new(false));
        let r = bounded(&mut conn, deadline, never, stopped.clone(), endless);
        assert!(r.is_err());
        assert!(stopped.load(Ordering::Relaxed));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        // The connection works afterwards, without the check.
        assert_eq!(
            conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
    }

    #[test]
    fn a_query_stops_when_its_request_is_dropped() {
        let mut conn = Connection::open_in_memory().unwrap();
        let cancelled = Arc::new(AtomicBool::new(false));
        let guard = CancelOnDrop(cancelled.clone());
        let dropper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            // What happens when hyper drops the handler of a client that
            // went away.
            drop(guard);
        });
        let start = Instant::now();
        let far = start + std::time::Duration::from_secs(3600);
        let stopped = Arc::new(AtomicBool::new(false));
        let r = bounded(&mut conn, far, cancelled, stopped.clone(), endless);
        dropper.join().unwrap();
        assert!(r.is_err());
        assert!(stopped.load(Ordering::Relaxed));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn keywords_become_quoted_phrases() {
        assert_eq!(keyword("  ").unwrap(), Keyword::All);
        assert_eq!(
            keyword("cust_123").unwrap(),
            Keyword::Fts("\"cust_123\"".into())
        );
        assert_eq!(
            keyword("Alat  login*").unwrap(),
            Keyword::Fts("\"alat\" AND \"login\" *".into())
        );
        // FTS5 syntax in the input is quoted away.
        assert_eq!(
            keyword("a\"b OR NEAR(c)").unwrap(),
            Keyword::Fts("\"a\"\"b\" AND \"or\" AND \"near(c)\"".into())
        );
        assert_eq!(keyword("-- ** @").unwrap(), Keyword::Nothing);
        // UUIDs are one word, as in the index.
        assert_eq!(
            keyword("0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B").unwrap(),
            Keyword::Fts("\"0193a1b2c3d47e5f8a9b0c1d2e3f4a5b\"".into())
        );
        assert!(keyword(&"x".repeat(501)).is_err());
    }

    #[test]
    fn repeated_and_implied_words_are_merged_and_words_are_capped() {
        let many = "cust* ".repeat(80);
        assert_eq!(keyword(&many).unwrap(), Keyword::Fts("\"cust\" *".into()));
        assert_eq!(
            keyword("c* cu* CUST-12 cust-1* alat Alat").unwrap(),
            Keyword::Fts("\"cust-12\" AND \"alat\"".into())
        );
        // A word and the same word as a prefix: the exact one is narrower.
        assert_eq!(
            keyword("alat* alat").unwrap(),
            Keyword::Fts("\"alat\"".into())
        );
        let words: Vec<String> = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect();
        let e = keyword(&words.join(" ")).unwrap_err();
        assert_eq!(e, "q has 17 different words; at most 16");
        let words: Vec<String> = (0..MAX_TERMS).map(|i| format!("w{i}")).collect();
        assert!(keyword(&words.join(" ")).is_ok());
    }

    #[test]
    fn params_refuse_unknown_names_and_mixed_ranges() {
        let e =
            Params::from_pairs(vec![("rnage".into(), "today".into())], SEARCH_PARAMS).unwrap_err();
        assert!(e.contains("\"rnage\""), "{e}");
        let p = Params::from_pairs(
            vec![
                ("range".into(), "today".into()),
                ("from".into(), "2026-01-01".into()),
            ],
            SEARCH_PARAMS,
        )
        .unwrap();
        assert!(p
            .filter(Timestamp::UNIX_EPOCH)
            .unwrap_err()
            .contains("not both"));
    }

    #[test]
    fn cursors_are_tagged_by_kind() {
        assert_eq!(parse_cursor("e42", Grouping::Events), Ok(42));
        assert!(parse_cursor("s42", Grouping::Events).is_err());
        assert!(parse_cursor("", Grouping::Sessions).is_err());
        assert!(parse_cursor("e4x", Grouping::Events).is_err());
    }

    #[test]
    fn renders_stored_json_verbatim() {
        let page = Page {
            events: vec!["{\"a\":1}".into(), "{\"b\":[2]}".into()],
            next_cursor: Some("e7".into()),
        };
        assert_eq!(
            String::from_utf8(render(&page)).unwrap(),
            "{\"events\":[{\"a\":1},{\"b\":[2]}],\"next_cursor\":\"e7\"}"
        );
        assert_eq!(
            String::from_utf8(render(&Page::default())).unwrap(),
            "{\"events\":[],\"next_cursor\":null}"
        );
    }
}
