//! Access to the query API and the dashboard: one bearer token.
//!
//! Scripts send `Authorization: Bearer TOKEN`. The dashboard trades the token
//! once (from `/?token=...` or its login field) for an HttpOnly,
//! SameSite=Strict session cookie, so the token never sits in page script
//! or storage, and export downloads can stream straight to disk.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::server::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "okra_eventlog_token";
/// The shortest token accepted from configuration.
pub const MIN_TOKEN_LEN: usize = 16;

/// A new random token: 32 bytes from the OS, as 64 hex digits.
pub fn generate_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Checks a configured token: long enough to resist guessing, and made of
/// characters that survive headers, cookies and URLs unchanged.
pub fn check_token(token: &str) -> Result<(), String> {
    if token.len() < MIN_TOKEN_LEN {
        return Err(format!(
            "the token must be at least {MIN_TOKEN_LEN} characters (got {})",
            token.len()
        ));
    }
    if let Some(c) = token
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~".contains(*c)))
    {
        return Err(format!(
            "the token may only contain letters, digits and - . _ ~ (found {c:?})"
        ));
    }
    Ok(())
}

/// Compares in time that does not depend on where the inputs differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The token a request presents, from the `Authorization` header or the
/// session cookie.
pub fn presented(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = v.trim().split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| rest.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Proof that a request carried the right token; handlers that take it
/// answer 401 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Authorized;

impl FromRequestParts<Arc<AppState>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        match presented(&parts.headers) {
            Some(t) if same(&t, &state.token) => Ok(Authorized),
            Some(_) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the token is wrong; use the one okra-eventlog printed at start-up",
            )),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "a token is required: send Authorization: Bearer TOKEN",
            )),
        }
    }
}

/// A `Set-Cookie` header that logs the dashboard in.
pub fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    ))
    .expect("checked tokens are header-safe")
}

/// `POST /api/session`: exchange a bearer token for the session cookie.
pub async fn login(
    _auth: Authorized,
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state.token));
    resp
}

/// `DELETE /api/session`: log the dashboard out.
pub async fn logout() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "okra_eventlog_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_valid_and_distinct() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(check_token(&a).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn configured_tokens_are_checked() {
        assert!(check_token("short").unwrap_err().contains("at least 16"));
        assert!(check_token("0123456789abcdef;x")
            .unwrap_err()
            .contains("';'"));
        assert!(check_token("0123456789abcdef").is_ok());
    }

    #[test]
    fn compares_whole_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn reads_header_then_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(
            header::COOKIE,
            "a=1; okra_eventlog_token=xyz".parse().unwrap(),
        );
        assert_eq!(presented(&h).as_deref(), Some("xyz"));
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(presented(&h).as_deref(), Some("abc"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(presented(&h), None);
    }
}
