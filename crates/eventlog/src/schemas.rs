//! `GET /schema/<name>.json`: the published JSON Schemas of okra-events
//! (the event, the webhook body and the callback payloads), as committed in
//! the repository's `schema/` and embedded in the binary, so a receiver in
//! any language can fetch the contract from the service it posts to.
//!
//! Open like `POST /events` (no token, any origin may read them), and
//! cacheable: each answer has an `ETag` (a fingerprint of the file, fixed at
//! build time) and `Cache-Control`, and `If-None-Match` gets a 304.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// How long a client may use a copy without asking again. A file's `$id`
/// names its version; the file under a name changes only when the service is
/// upgraded, so an hour of staleness is harmless and the `ETag` makes the
/// check after it cheap.
pub const CACHE_CONTROL: &str = "public, max-age=3600";

/// The schemas served, by file name.
pub const FILES: [(&str, &str); 5] = [
    ("event.json", include_str!("../../../schema/event.json")),
    (
        "webhook-body.json",
        include_str!("../../../schema/webhook-body.json"),
    ),
    (
        "on-success.json",
        include_str!("../../../schema/on-success.json"),
    ),
    (
        "on-error.json",
        include_str!("../../../schema/on-error.json"),
    ),
    (
        "on-close.json",
        include_str!("../../../schema/on-close.json"),
    ),
];

/// FNV-1a, 64 bits: a fingerprint of a file for its `ETag`.
const fn fingerprint(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// The strong `ETag` of a file's text, quoted.
pub fn etag(text: &str) -> String {
    format!("\"{:016x}\"", fingerprint(text))
}

/// Whether `If-None-Match` names this tag (or `*`).
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// `GET /schema/{file}`.
pub async fn schema(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, text)) = FILES.iter().find(|(name, _)| *name == file) else {
        let names: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
        return ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no schema {file:?}; there are {}", names.join(", ")),
        )
        .into_response();
    };
    let tag = etag(text);
    let mut resp = if not_modified(&headers, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, *text).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/schema+json"),
    );
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&tag).expect("hex in quotes"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
