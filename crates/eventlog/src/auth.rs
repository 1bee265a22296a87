//! Access to the query API and the dashboard (SPEC 7.3).
//!
//! Scripts send `Authorization: Bearer TOKEN`. The dashboard never holds the
//! token: `POST /api/session` (with the token), `/?token=TOKEN` or the
//! one-time `/?code=CODE` printed at start-up start a session, and the
//! HttpOnly, SameSite=Strict cookie carries only that session's random id.
//! Cookies are not separated by port, so any other service on the same host
//! sees the cookie; with a session id it learns something that expires and
//! that `DELETE /api/session` revokes, not the master token.
//!
//! Wrong tokens and codes are rate-limited per client (a bucket of
//! [`FAILURE_LIMIT`]); unknown session cookies are not counted, so a junk
//! cookie set by another page cannot lock the user out.
//!
//! On SQLite the sessions live in this process. On PostgreSQL they live in
//! the database (and so does every instance's login code), so a dashboard
//! logged in through one instance is logged in on all of them behind a load
//! balancer, and a logout ends the session everywhere. The failure limiter
//! stays per instance.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::pg::PgStore;
use crate::ratelimit::{Decision, Limiter, RateLimit};
use crate::server::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "okra_eventlog_session";
/// The cookie earlier versions set, holding the token itself; it is deleted
/// at every login and logout.
const LEGACY_COOKIE: &str = "okra_eventlog_token";
/// The shortest token accepted from configuration.
pub const MIN_TOKEN_LEN: usize = 16;
/// How long a session lasts after login.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the oldest go first beyond it.
const MAX_SESSIONS: usize = 10_000;
/// Failed token checks per client: 20 at once, then one every 5 s.
pub const FAILURE_LIMIT: RateLimit = RateLimit {
    per_second: 0.2,
    burst: 20.0,
};

/// 32 bytes from the OS, as 64 hex digits.
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new random token: 32 bytes from the OS, as 64 hex digits.
pub fn generate_token() -> std::io::Result<String> {
    random_hex()
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

/// What a request presents in its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer {
    /// No `Authorization` header.
    Absent,
    /// A header of another scheme, or malformed.
    Malformed,
    /// `Bearer TOKEN`.
    Token(String),
}

/// Reads the `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> Bearer {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Bearer::Absent;
    };
    let Some((scheme, rest)) = v.to_str().ok().and_then(|v| v.trim().split_once(' ')) else {
        return Bearer::Malformed;
    };
    if scheme.eq_ignore_ascii_case("bearer") {
        Bearer::Token(rest.trim().to_owned())
    } else {
        Bearer::Malformed
    }
}

/// Every value of the session cookie, in the order sent. Another page on
/// the same host can add cookies of the same name, so all are tried.
pub fn session_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

/// The token, the live sessions, the one-time login code and the failure
/// limiter.
pub struct Auth {
    token: String,
    sessions: Mutex<HashMap<String, Instant>>,
    login_code: Mutex<Option<String>>,
    failures: Mutex<Limiter>,
    /// Where sessions and login codes live when instances share them.
    shared: Option<PgStore>,
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

impl Auth {
    /// Access with this token, and a fresh one-time login code.
    pub fn new(token: String) -> std::io::Result<Auth> {
        Ok(Auth {
            token,
            sessions: Mutex::new(HashMap::new()),
            login_code: Mutex::new(Some(random_hex()?)),
            failures: Mutex::new(Limiter::new(FAILURE_LIMIT)),
            shared: None,
        })
    }

    /// Access with this token, sessions and login codes kept in PostgreSQL
    /// for every instance; this instance's login code is stored there.
    pub async fn shared(token: String, pg: PgStore) -> Result<Auth, String> {
        let mut auth = Auth::new(token).map_err(|e| e.to_string())?;
        if let Some(code) = auth.login_code() {
            pg.add_login_code(&code)
                .await
                .map_err(|e| format!("cannot store the login code: {e}"))?;
        }
        auth.shared = Some(pg);
        Ok(auth)
    }

    /// The access token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The one-time login code, until it is used.
    pub fn login_code(&self) -> Option<String> {
        self.login_code
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Checks a secret a client presented, counting failures against the
    /// client: once its bucket is empty it gets 429 without a check, so
    /// guessing is slow whatever the guesses.
    fn check_secret(
        &self,
        ip: IpAddr,
        now: Instant,
        ok: impl FnOnce() -> bool,
        wrong: &str,
    ) -> Result<(), ApiError> {
        self.gate(ip, now)?;
        if ok() {
            return Ok(());
        }
        Err(self.failed(ip, now, wrong))
    }

    /// 429 while the client's bucket of failures is empty.
    fn gate(&self, ip: IpAddr, now: Instant) -> Result<(), ApiError> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Decision::Deny { retry_after } = failures.peek(ip, now) {
            return Err(ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many wrong tokens from {ip}; retry in {retry_after} s"),
                )
            });
        }
        Ok(())
    }

    /// Counts a failure against the client: the 401 to answer.
    fn failed(&self, ip: IpAddr, now: Instant, wrong: &str) -> ApiError {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .check(ip, now);
        unauthorized(wrong)
    }

    /// Checks a bearer token.
    pub fn check_token(&self, ip: IpAddr, presented: &str, now: Instant) -> Result<(), ApiError> {
        self.check_secret(
            ip,
            now,
            || same(presented, &self.token),
            "the token is wrong; use the one okra-eventlog printed at start-up",
        )
    }

    /// Uses up a one-time login code (on PostgreSQL, any instance's).
    pub async fn redeem_code(&self, ip: IpAddr, code: &str, now: Instant) -> Result<(), ApiError> {
        const WRONG: &str = "the login code is wrong or was already used";
        self.gate(ip, now)?;
        let mine = {
            let mut slot = self.login_code.lock().unwrap_or_else(|e| e.into_inner());
            let ok = slot.as_deref().is_some_and(|c| same(code, c));
            if ok {
                *slot = None;
            }
            ok
        };
        let ok = match &self.shared {
            None => mine,
            // Taken from the database in any case: used once, everywhere.
            Some(pg) => pg.take_login_code(code).await.map_err(ApiError::from)?,
        };
        if ok {
            Ok(())
        } else {
            Err(self.failed(ip, now, WRONG))
        }
    }

    /// Starts a session and returns its id.
    pub async fn start_session(&self, now: Instant) -> Result<String, ApiError> {
        let id = random_hex()
            .map_err(|e| ApiError::internal(format!("cannot make a session id: {e}")))?;
        if let Some(pg) = &self.shared {
            pg.start_session(&id, SESSION_TTL, MAX_SESSIONS)
                .await
                .map_err(ApiError::from)?;
            return Ok(id);
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, expiry| *expiry > now);
        }
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(id.clone(), now + SESSION_TTL);
        Ok(id)
    }

    /// Whether any of `ids` is a live session.
    pub async fn any_session_valid(&self, ids: &[String], now: Instant) -> Result<bool, ApiError> {
        match &self.shared {
            None => Ok(ids.iter().any(|id| self.session_valid(id, now))),
            Some(_) if ids.is_empty() => Ok(false),
            Some(pg) => pg.session_live(ids).await.map_err(ApiError::from),
        }
    }

    /// Whether `id` is a live session of this process (SQLite).
    pub fn session_valid(&self, id: &str, now: Instant) -> bool {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        match sessions.get(id) {
            Some(expiry) if *expiry > now => true,
            Some(_) => {
                sessions.remove(id);
                false
            }
            None => false,
        }
    }

    /// Ends sessions.
    pub async fn end_sessions(&self, ids: &[String]) -> Result<(), ApiError> {
        if let Some(pg) = &self.shared {
            return pg.end_sessions(ids).await.map_err(ApiError::from);
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            sessions.remove(id);
        }
        Ok(())
    }

    /// How many sessions are live (for tests).
    pub fn session_count(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }
}

/// The client's address (loopback when unknown, as in unit tests), read
/// through a trusted proxy's `X-Forwarded-For`.
pub fn client_ip(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    state.client_ip(peer, &parts.headers)
}

/// Proof that a request carried the right token or a live session; handlers
/// that take it answer 401 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Authorized;

impl FromRequestParts<Arc<AppState>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let now = state.clock.now();
        match bearer(&parts.headers) {
            Bearer::Token(t) => {
                return state
                    .auth
                    .check_token(client_ip(parts, state), &t, now)
                    .map(|()| Authorized)
            }
            Bearer::Malformed => {
                return Err(unauthorized(
                    "a token is required: send Authorization: Bearer TOKEN",
                ))
            }
            Bearer::Absent => {}
        }
        let cookies = session_cookies(&parts.headers);
        if state.auth.any_session_valid(&cookies, now).await? {
            Ok(Authorized)
        } else if cookies.is_empty() {
            Err(unauthorized(
                "a token is required: send Authorization: Bearer TOKEN",
            ))
        } else {
            Err(unauthorized(
                "the session has ended or is unknown; log in again",
            ))
        }
    }
}

/// `Set-Cookie` headers that log the dashboard in with session `id` (and
/// delete the cookie of earlier versions, which held the token).
pub fn session_cookies_to_set(id: &str) -> [HeaderValue; 2] {
    [
        HeaderValue::from_str(&format!(
            "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
            SESSION_TTL.as_secs()
        ))
        .expect("session ids are hex"),
        HeaderValue::from_static(
            "okra_eventlog_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    ]
}

/// Adds the cookies of a new session to a response.
pub fn set_session(resp: &mut Response, id: &str) {
    for v in session_cookies_to_set(id) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /api/session`: exchange the bearer token for a session cookie.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now();
    let result = match bearer(&headers) {
        Bearer::Token(t) => state
            .auth
            .check_token(state.client_ip(peer.ip(), &headers), &t, now),
        _ => Err(unauthorized(
            "a token is required: send Authorization: Bearer TOKEN",
        )),
    };
    let result = match result {
        Ok(()) => state.auth.start_session(now).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => {
            let mut resp = StatusCode::NO_CONTENT.into_response();
            set_session(&mut resp, &id);
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// `DELETE /api/session`: end the sessions the request's cookies name, on
/// the server, and clear the cookie.
pub async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(e) = state.auth.end_sessions(&session_cookies(&headers)).await {
        return e.into_response();
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        ))
        .expect("static cookie"),
    );
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LEGACY_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        ))
        .expect("static cookie"),
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
    fn reads_bearer_and_every_session_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), Bearer::Absent);
        assert!(session_cookies(&h).is_empty());
        h.append(
            header::COOKIE,
            "a=1; okra_eventlog_session=junk; okra_eventlog_session=real"
                .parse()
                .unwrap(),
        );
        h.append(
            header::COOKIE,
            "okra_eventlog_session=third".parse().unwrap(),
        );
        assert_eq!(session_cookies(&h), vec!["junk", "real", "third"]);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Bearer::Token("abc".into()));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), Bearer::Malformed);
    }

    #[tokio::test]
    async fn sessions_expire_and_end() {
        let auth = Auth::new("t".repeat(16)).unwrap();
        let t0 = Instant::now();
        let id = auth.start_session(t0).await.unwrap();
        assert_ne!(id, auth.token());
        assert!(auth.session_valid(&id, t0));
        assert!(!auth.session_valid(&id, t0 + SESSION_TTL));
        let id = auth.start_session(t0).await.unwrap();
        assert!(auth
            .any_session_valid(&["junk".into(), id.clone()], t0)
            .await
            .unwrap());
        auth.end_sessions(std::slice::from_ref(&id)).await.unwrap();
        assert!(!auth.session_valid(&id, t0));
    }

    #[tokio::test]
    async fn the_login_code_works_once_and_failures_are_limited() {
        let auth = Auth::new("t".repeat(16)).unwrap();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        let t0 = Instant::now();
        let code = auth.login_code().unwrap();
        assert!(auth.redeem_code(ip, &code, t0).await.is_ok());
        assert_eq!(auth.login_code(), None);
        assert_eq!(
            auth.redeem_code(ip, &code, t0).await.unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        for _ in 1..FAILURE_LIMIT.burst as usize {
            let e = auth.check_token(ip, "wrong", t0).unwrap_err();
            assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        }
        // Out of tries: even the right token waits.
        let e = auth.check_token(ip, auth.token(), t0).unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.retry_after, Some(5));
        // Other clients are not affected, and the bucket refills.
        assert!(auth
            .check_token("10.0.0.10".parse().unwrap(), auth.token(), t0)
            .is_ok());
        assert!(auth
            .check_token(ip, auth.token(), t0 + Duration::from_secs(5))
            .is_ok());
    }
}
