//! `GET /`: the dashboard, a static page embedded in the binary.
//!
//! The page itself holds no data; it calls the query API with the session
//! cookie (see [`crate::auth`]). Event data is only ever put on the page as
//! text (`textContent`), and the Content-Security-Policy allows no inline
//! script, so a stored `<script>` or `onerror=` is shown, never run.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::set_session;
use crate::server::AppState;

const INDEX_HTML: &str = include_str!("dashboard/index.html");
const DASHBOARD_JS: &str = include_str!("dashboard/dashboard.js");
const DASHBOARD_CSS: &str = include_str!("dashboard/dashboard.css");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

fn redirect_home(fragment: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/{fragment}")).expect("static location"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// `GET /`. With `?code=...` (the one-time link printed at start-up) or
/// `?token=...` it starts a session, sets its cookie and redirects to a
/// clean URL; the code works once, so the address left in the browser's
/// history opens nothing.
pub async fn index(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let now = state.clock.now();
    let client = state.client_ip(peer.ip(), &headers);
    let find = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let (checked, wrong) = match (find("code"), find("token")) {
        (Some(code), _) => (
            state.auth.redeem_code(client, code, now).await,
            "#wrong-code",
        ),
        (None, Some(token)) => (state.auth.check_token(client, token, now), "#wrong-token"),
        (None, None) => return asset("text/html; charset=utf-8", INDEX_HTML),
    };
    let started = match checked {
        Ok(()) => state.auth.start_session(now).await,
        Err(e) => Err(e),
    };
    match started {
        Ok(id) => {
            let mut resp = redirect_home("");
            set_session(&mut resp, &id);
            resp
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => redirect_home(wrong),
        Err(e) => e.into_response(),
    }
}

/// `GET /dashboard.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", DASHBOARD_JS)
}

/// `GET /dashboard.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", DASHBOARD_CSS)
}
