//! `GET /`: the dashboard, a static page embedded in the binary.
//!
//! The page itself holds no data; it calls the query API with the session
//! cookie (see [`crate::auth`]). Event data is only ever put on the page as
//! text (`textContent`), and the Content-Security-Policy allows no inline
//! script, so a stored `<script>` or `onerror=` is shown, never run.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::{same, session_cookie};
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

/// `GET /`. With `?token=...` it sets the session cookie and redirects to a
/// clean URL, so the token does not stay in the address bar or history.
pub async fn index(
    State(state): State<Arc<AppState>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match pairs.iter().find(|(k, _)| k == "token") {
        Some((_, t)) if same(t, &state.token) => {
            let mut resp = redirect_home("");
            resp.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&state.token));
            resp
        }
        Some(_) => redirect_home("#wrong-token"),
        None => asset("text/html; charset=utf-8", INDEX_HTML),
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
