//! `POST /events`: the webhook that receives the widget's batches
//! (SPEC section 6).
//!
//! The whole body is read and every event validated before anything is
//! written, so a refused body leaves nothing behind. Limits:
//! - body: at most [`MAX_BODY_BYTES`] (1 MiB), else 413;
//! - batch: at most [`MAX_BATCH_EVENTS`] events, else 400;
//! - content type `application/json` or `text/plain` (what `sendBeacon`
//!   sends), else 415;
//! - keys per object in `event_data`: at most [`MAX_KEYS_PER_OBJECT`], else 400;
//! - `event_id` and `session_id`: 1 to 64 of `A-Z a-z 0-9 _ . : -`, else 400;
//! - the body must arrive within the body timeout, else 408;
//! - requests and bytes per client: see [`crate::ratelimit`], else 429 with
//!   `Retry-After`.
//!
//! Parsing costs time linear in the body's size (SPEC 7.3): duplicate keys
//! are merged by sorting, nesting is capped by the core's `MAX_DEPTH`.
//! `event_data` is stored as the JSON text received (whitespace outside
//! strings removed), so numbers keep every digit.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use jiff::Timestamp;
use okra_events_core::{Event, Value};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::db::NewEvent;
use crate::error::{json_response, ApiError};
use crate::ratelimit::Decision;
use crate::server::AppState;

/// The largest body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The most events accepted in one batch.
pub const MAX_BATCH_EVENTS: usize = 1_000;

// The event's own rules live with the event in the core, where the
// published JSON Schema is generated from them (schema/event.json).
pub use okra_events_core::event::{id_ok, MAX_EVENT_YEAR, MAX_KEYS_PER_OBJECT};

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object {\"batch\": [event, ...], \"sent_at\": ISO-8601}"
)]
struct WireBody<'a> {
    #[serde(borrow)]
    batch: Vec<&'a RawValue>,
    sent_at: String,
}

/// Parses and validates a request body, returning the events to store or a
/// message naming what is wrong (e.g. `batch[3]: event_name "X" is not a
/// catalog name`).
pub fn parse_body(body: &[u8]) -> Result<Vec<NewEvent>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(
            "body is empty; expected {\"batch\": [event, ...], \"sent_at\": ISO-8601}".into(),
        );
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        format!(
            "body is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )
    })?;
    // serde would read a struct from an array too (fields by position),
    // which gives a confusing message; say plainly what the top level is.
    let first = text
        .bytes()
        .find(|b| !b.is_ascii_whitespace())
        .unwrap_or(b'{');
    if first != b'{' {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            return Err(format!("body is not valid JSON: {e}"));
        }
        let kind = match first {
            b'[' => "an array",
            b'"' => "a string",
            b't' | b'f' => "a boolean",
            b'n' => "null",
            _ => "a number",
        };
        return Err(format!(
            "body has the wrong shape: expected an object {{\"batch\": [event, ...], \"sent_at\": ISO-8601}}, got {kind}"
        ));
    }
    let wire: WireBody = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            format!("body has the wrong shape: {e}")
        } else {
            format!("body is not valid JSON: {e}")
        }
    })?;
    if wire.batch.len() > MAX_BATCH_EVENTS {
        return Err(format!(
            "batch has {} events; at most {MAX_BATCH_EVENTS} per request",
            wire.batch.len()
        ));
    }
    if wire.sent_at.parse::<Timestamp>().is_err() {
        return Err(format!(
            "sent_at \"{}\" is not an ISO-8601 timestamp like 2026-11-27T01:20:54.123Z",
            wire.sent_at
        ));
    }
    wire.batch
        .iter()
        .enumerate()
        .map(|(i, raw)| parse_event(raw.get()).map_err(|e| format!("batch[{i}]: {e}")))
        .collect()
}

/// The event's `event_data` as received, beside the parsed event.
#[derive(Deserialize)]
struct RawData<'a> {
    #[serde(borrow)]
    event_data: &'a RawValue,
}

/// The number of keys of the largest object in `v`.
fn widest_object(v: &Value) -> usize {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(_, v)| widest_object(v))
            .max()
            .unwrap_or(0)
            .max(map.len()),
        Value::Array(items) => items.iter().map(widest_object).max().unwrap_or(0),
        _ => 0,
    }
}

fn parse_event(json: &str) -> Result<NewEvent, String> {
    let event: Event = serde_json::from_str(json).map_err(|e| e.to_string())?;
    event.validate().map_err(|e| e.0)?;
    for (field, id) in [
        ("event_id", &event.event_id),
        ("session_id", &event.session_id),
    ] {
        if !id_ok(id) {
            return Err(format!(
                "{field} {} must be 1 to 64 characters of A-Z a-z 0-9 _ . : -",
                serde_json::to_string(id).expect("strings serialize")
            ));
        }
    }
    let widest = widest_object(&event.event_data);
    if widest > MAX_KEYS_PER_OBJECT {
        return Err(format!(
            "event_data has an object with {widest} keys; at most {MAX_KEYS_PER_OBJECT}"
        ));
    }
    let time: Timestamp = event.event_time.parse().map_err(|_| {
        format!(
            "event_time \"{}\" is not a real date and time",
            event.event_time
        )
    })?;
    let year = time.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    if !(1970..MAX_EVENT_YEAR).contains(&year) {
        return Err(format!(
            "event_time \"{}\" is outside 1970..{MAX_EVENT_YEAR}",
            event.event_time
        ));
    }
    // The same text parsed twice: once into the event (validated), once to
    // keep event_data's text, numbers as written.
    let raw: RawData = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let data = RawValue::from_string(minify(raw.event_data.get())).map_err(|e| e.to_string())?;
    Ok(NewEvent::new(&event, &data, time.as_millisecond()))
}

/// Removes the whitespace outside strings from valid JSON text, so an event
/// stays on one line of an export. Everything else is kept byte for byte.
pub fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

fn content_type_ok(headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = given
        .as_deref()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let charset_ok = given.as_deref().is_none_or(|v| {
        v.split(';').skip(1).all(|p| {
            let p = p.trim().to_ascii_lowercase();
            !p.starts_with("charset=")
                || matches!(
                    p.trim_start_matches("charset=").trim_matches('"'),
                    "utf-8" | "utf8"
                )
        })
    });
    match essence.as_deref() {
        Some("application/json" | "text/plain") if charset_ok => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type must be application/json or text/plain (UTF-8), got {}",
                given.map_or("none".to_owned(), |g| format!("\"{g}\""))
            ),
        )),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("body is larger than {MAX_BODY_BYTES} bytes; send smaller batches"),
    )
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut buf = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
        if buf.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Adds the CORS headers that let a page post events and read the answer:
/// any page without `--allow-origin`, else the allowed origin that asks.
pub fn with_cors(mut resp: Response, allowed: &[String], headers: &HeaderMap) -> Response {
    let h = resp.headers_mut();
    if allowed.is_empty() {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    } else {
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        match (
            headers.get(header::ORIGIN),
            crate::proxy::origin_allowed(allowed, headers),
        ) {
            (Some(origin), Ok(())) => {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            }
            _ => return resp,
        }
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
    resp
}

/// Refuses a browser post from an origin outside `--allow-origin`.
fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    crate::proxy::origin_allowed(&state.allow_origins, headers).map_err(|origin| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "origin {} may not post events here (see --allow-origin)",
                serde_json::to_string(origin).expect("strings serialize")
            ),
        )
    })
}

/// `OPTIONS /events`: the CORS preflight for `application/json` posts.
pub async fn preflight(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(e) = check_origin(&state, &headers) {
        return e.into_response();
    }
    let mut resp = with_cors(
        StatusCode::NO_CONTENT.into_response(),
        &state.allow_origins,
        &headers,
    );
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    resp
}

/// `POST /events`.
pub async fn ingest(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let client = state.client_ip(peer.ip(), &headers);
    let answer = match check_origin(&state, &headers) {
        Ok(()) => ingest_inner(state.clone(), client, &headers, body).await,
        Err(e) => Err(e),
    };
    let resp = answer.unwrap_or_else(IntoResponse::into_response);
    with_cors(resp, &state.allow_origins, &headers)
}

/// Charges `n` bytes to the client's byte budget.
fn take_bytes(state: &AppState, client: IpAddr, n: u64) -> Result<(), ApiError> {
    let Some(limiter) = &state.byte_limiter else {
        return Ok(());
    };
    let decision = limiter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .check_cost(client, state.clock.now(), n as f64);
    match decision {
        Decision::Allow => Ok(()),
        Decision::Deny { retry_after } => Err(ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many bytes from {client}; retry in {retry_after} s"),
            )
        }),
    }
}

async fn ingest_inner(
    state: Arc<AppState>,
    client: IpAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if let Some(limiter) = &state.limiter {
        let decision = limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .check(client, state.clock.now());
        if let Decision::Deny { retry_after } = decision {
            return Err(ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many requests from {client}; retry in {retry_after} s"),
                )
            });
        }
    }
    content_type_ok(headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n <= MAX_BODY_BYTES as u64) {
        take_bytes(&state, client, n)?;
    }
    let timeout = state.limits.body_timeout;
    let bytes = tokio::time::timeout(timeout, read_body(headers, body))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("the body did not arrive within {} s", timeout.as_secs_f64()),
            )
        })??;
    if declared.is_none() {
        // Chunked: the size is known only now.
        take_bytes(&state, client, bytes.len() as u64)?;
    }
    let store = state.store.clone();
    let pending = tokio::task::spawn_blocking(move || {
        let events = parse_body(&bytes)?;
        Ok::<_, String>((!events.is_empty()).then(|| store.begin_store(events)))
    })
    .await?
    .map_err(ApiError::bad_request)?;
    let stored = match pending {
        None => Default::default(),
        Some(p) => p.finish().await?,
    };
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "stored": stored.stored, "duplicates": stored.duplicates }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str) -> String {
        format!(
            r#"{{"event":true,"event_name":"{name}","event_type":"DATA_EVENT","event_category":"auth","event_screen":"login","event_time":"2026-11-27T01:20:54.123Z","event_location":null,"event_callback_url":null,"event_data":{{"tracking_id":"T1"}},"withError":false,"event_id":"e1","session_id":"s1","sequence":1}}"#
        )
    }

    fn body(events: &[String]) -> String {
        format!(
            r#"{{"batch":[{}],"sent_at":"2026-11-27T01:20:55.000Z"}}"#,
            events.join(",")
        )
    }

    #[test]
    fn accepts_a_valid_batch() {
        let out = parse_body(body(&[event("USER_LOGIN_ATTEMPTED")]).as_bytes()).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].time_ms, 1_795_742_454_123);
        assert!(out[0].doc.contains("T1"));
    }

    #[test]
    fn names_the_bad_event() {
        let b = body(&[event("USER_LOGIN_ATTEMPTED"), event("USER_DANCED")]);
        let e = parse_body(b.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            "batch[1]: event_name \"USER_DANCED\" is not a catalog name"
        );
    }

    #[test]
    fn refuses_impossible_times() {
        let b = body(&[event("USER_LOGIN_ATTEMPTED").replace("2026-11-27T01", "2026-13-27T01")]);
        let e = parse_body(b.as_bytes()).unwrap_err();
        assert!(e.starts_with("batch[0]: event_time \"2026-13-27T01"), "{e}");
        let b = body(&[event("USER_LOGIN_ATTEMPTED").replace("2026-11-27T01", "1969-11-27T01")]);
        let e = parse_body(b.as_bytes()).unwrap_err();
        assert!(e.contains("outside 1970..3000"), "{e}");
    }

    #[test]
    fn ids_are_restricted() {
        for (field, orig, bad) in [
            ("event_id", "e1", "\"a,b\""),
            ("event_id", "e1", "\"a b\""),
            ("session_id", "s1", "\"s\u{202e}1\""),
            ("session_id", "s1", "\"s\\u202e1\""),
        ] {
            let ev = event("USER_LOGIN_ATTEMPTED").replace(
                &format!(r#""{field}":"{orig}""#),
                &format!(r#""{field}":{bad}"#),
            );
            let e = parse_body(body(&[ev]).as_bytes()).unwrap_err();
            assert!(e.starts_with(&format!("batch[0]: {field} ")), "{e}");
            assert!(e.contains("A-Z a-z 0-9 _ . : -"), "{e}");
        }
        assert!(id_ok("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
        assert!(id_ok("svc:tenant.42_x"));
        assert!(!id_ok(""));
        assert!(!id_ok(&"x".repeat(65)));
    }

    #[test]
    fn event_data_is_kept_as_written() {
        let ev = event("USER_LOGIN_ATTEMPTED").replace(
            r#"{"tracking_id":"T1"}"#,
            "{ \"tracking_id\" : \"T 1\",\n \"n\": 123456789012345678901234567890, \"f\": 1.10, \"e\": -2E3 }",
        );
        let out = parse_body(body(&[ev]).as_bytes()).unwrap();
        assert!(
            out[0].json.contains(
                r#""event_data":{"tracking_id":"T 1","n":123456789012345678901234567890,"f":1.10,"e":-2E3}"#
            ),
            "{}",
            out[0].json
        );
        assert!(
            out[0].doc.contains("123456789012345678901234567890"),
            "{}",
            out[0].doc
        );
    }

    #[test]
    fn the_index_text_can_be_rebuilt_from_the_stored_event() {
        // Erasure tells the contentless index the words it indexed; they are
        // rebuilt from the stored JSON and must be exactly the same.
        let ev = event("USER_LOGIN_ATTEMPTED")
            .replace(
                r#"{"tracking_id":"T1"}"#,
                "{ \"tracking_id\" : \"0193A1B2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\",\n \"n\": [1.10, -2E3, true, null],
                   \"s\": \"caf\\u00e9 \\\"q\\\" \\u202e x\", \"o\": {\"k\": {\"deep\": \"Ré-essai\"}}, \"empty\": \"\" }",
            );
        let second = event("USER_LOGIN_ATTEMPTED").replace("\"e1\"", "\"e2\"");
        let out = parse_body(body(&[ev, second]).as_bytes()).unwrap();
        for e in &out {
            assert_eq!(crate::db::stored_doc(&e.json).unwrap(), e.doc, "{}", e.json);
        }
        assert!(out[0].doc.contains("Ré-essai"), "{}", out[0].doc);
    }

    #[test]
    fn wide_objects_are_refused() {
        let keys: Vec<String> = (0..=MAX_KEYS_PER_OBJECT)
            .map(|i| format!("\"k{i}\":1"))
            .collect();
        let ev = event("USER_LOGIN_ATTEMPTED").replace(
            r#"{"tracking_id":"T1"}"#,
            &format!(r#"{{"nested":[{{{}}}]}}"#, keys.join(",")),
        );
        let e = parse_body(body(&[ev]).as_bytes()).unwrap_err();
        assert_eq!(
            e,
            "batch[0]: event_data has an object with 1001 keys; at most 1000"
        );
    }

    #[test]
    fn minify_keeps_strings() {
        assert_eq!(
            minify(" { \"a b\" : [ 1 , \"\\\" x\" ] } "),
            r#"{"a b":[1,"\" x"]}"#
        );
    }

    #[test]
    fn shape_errors() {
        let e = parse_body(b"[1,2]").unwrap_err();
        assert!(e.starts_with("body has the wrong shape"), "{e}");
        assert!(e.contains("\"batch\""), "{e}");
        let e = parse_body(b"{\"batch\":[]}").unwrap_err();
        assert!(e.contains("missing field `sent_at`"), "{e}");
        let e = parse_body(b"{\"batch\":[], \"sent_at\":\"now\"}").unwrap_err();
        assert!(e.starts_with("sent_at \"now\""), "{e}");
        let e = parse_body(b"{\"batch\":").unwrap_err();
        assert!(e.starts_with("body is not valid JSON"), "{e}");
        let e = parse_body(b"\xff\xfe").unwrap_err();
        assert!(e.starts_with("body is not UTF-8"), "{e}");
        let e = parse_body(b"  ").unwrap_err();
        assert!(e.starts_with("body is empty"), "{e}");
        let e = parse_body("\u{a0}".as_bytes()).unwrap_err();
        assert!(e.starts_with("body is not valid JSON"), "{e}");
        let e = parse_body(b"\"batch\"").unwrap_err();
        assert!(e.ends_with("got a string"), "{e}");
    }
}
