//! Wiring: shared state, routes, every bound on connections and requests,
//! start-up and shutdown.
//!
//! All the bounds of SPEC 7.3 are set here, so a reader sees them at once:
//! - the connection cap ([`Limits::max_connections`]): a connection beyond it
//!   is answered 503 and closed, so stalled clients slow nobody else down;
//! - hyper's header read timeout ([`Limits::header_timeout`]), which also
//!   closes idle keep-alive connections;
//! - a write timeout on the socket ([`Limits::write_timeout`]): a client that
//!   accepts no bytes for that long is cut off, downloads included;
//! - a timeout on every handler (tower-http's `TimeoutLayer`), and on the
//!   ingest body ([`Limits::body_timeout`], in [`crate::ingest`]);
//! - a cap on concurrent searches (tower's `ConcurrencyLimitLayer`, shedding
//!   load with 503) and on concurrent exports ([`crate::export`]);
//! - a URI length limit, and JSON bodies on every error answer.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::auth::Auth;
use crate::config::{Config, Database, Limits};
use crate::db::{Readers, Writer};
use crate::error::{json_response, ApiError};
use crate::pg::PgStore;
use crate::ratelimit::Limiter;
use crate::store::{SqliteStore, Store};
use crate::writer::WriteQueue;
use crate::{auth, dashboard, erase, export, ingest, query, schemas, stats};

/// The longest request URI answered; longer ones get a JSON 414. (hyper
/// itself refuses URIs over 65,534 bytes, before any of this code runs.)
/// 1,000 UUIDs in an `ids=` export take about 39,000.
pub const MAX_URI_BYTES: usize = 60 * 1024;
/// Searches run at once; more are answered 503.
pub const MAX_SEARCHES: usize = 32;
/// How long a handler may take to produce its answer's head.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(60);

/// What every request handler shares.
pub struct AppState {
    /// The access token, the dashboard's sessions, the login code.
    pub auth: Auth,
    /// Where events are stored: SQLite or PostgreSQL.
    pub store: Store,
    /// The ingest rate limiter (requests), if enabled.
    pub limiter: Option<Mutex<Limiter>>,
    /// The ingest byte budget, if enabled.
    pub byte_limiter: Option<Mutex<Limiter>>,
    /// Timeouts and caps.
    pub limits: Limits,
    /// One permit per export being streamed.
    pub exports: Arc<Semaphore>,
    /// `--retain-days`.
    pub retain_days: Option<u32>,
    /// `--allow-origin`: browser origins that may post (empty: any).
    pub allow_origins: Vec<String>,
    /// `--trusted-proxy`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<crate::proxy::Cidr>,
    /// The clock of rate limits and sessions.
    pub clock: crate::clock::Clock,
}

/// A file's identity (device and inode on Unix): the database is
/// unreachable for this process once its path names another file, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(u64, u64);

impl FileId {
    /// The identity of the file at `path`, if it can be known.
    pub fn of(path: &std::path::Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path)
                .ok()
                .map(|m| FileId(m.dev(), m.ino()))
        }
        #[cfg(not(unix))]
        {
            std::fs::metadata(path).ok().map(|_| FileId(0, 0))
        }
    }
}

impl AppState {
    /// The client a request is from, for rate limits: the peer, or whom a
    /// trusted proxy says it forwards for.
    pub fn client_ip(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        crate::proxy::client_ip(&self.trusted_proxies, peer, headers)
    }
}

/// The routes, with the per-request bounds.
pub fn router(state: Arc<AppState>) -> Router {
    let searches = tower::ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            ApiError {
                retry_after: Some(1),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("more than {MAX_SEARCHES} searches at once; retry in a moment"),
                )
            }
        }))
        .load_shed()
        .concurrency_limit(MAX_SEARCHES);
    let stats_limit = searches.clone();
    Router::new()
        .route("/", get(dashboard::index))
        .route("/dashboard.js", get(dashboard::script))
        .route("/dashboard.css", get(dashboard::style))
        .route("/healthz", get(healthz))
        .route("/schema/{file}", get(schemas::schema))
        .route("/events", post(ingest::ingest).options(ingest::preflight))
        .route(
            "/api/events",
            get(query::search).layer(searches).delete(erase::erase),
        )
        .route("/api/events/export", get(export::export))
        .route("/api/stats", get(stats::handler).layer(stats_limit))
        .route("/api/session", post(auth::login).delete(auth::logout))
        .fallback(not_found)
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            HANDLER_TIMEOUT,
        ))
        .layer(middleware::from_fn(uri_limit))
        .layer(middleware::map_response(json_errors))
        .with_state(state)
}

async fn uri_limit(req: Request, next: Next) -> Response {
    let len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "the URI is {len} bytes; at most {MAX_URI_BYTES} (export at most 1000 ids at once)"
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Gives every error answer a JSON body: the framework's own (405, a
/// malformed query string, a timeout) come as plain text or empty.
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let message = if text.trim().is_empty() {
        reason
    } else {
        format!("{reason}: {}", text.trim())
    };
    let mut fixed = ApiError::new(status, message).into_response();
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            fixed.headers_mut().insert(name, v.clone());
        }
    }
    fixed
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.health().await {
        Ok(()) => json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" })),
        Err(e) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e).into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such endpoint; see GET /, POST /events, GET and DELETE /api/events, GET /api/events/export, GET /api/stats, GET /schema/event.json, GET /healthz",
    )
}

/// A SQLite database opened at start-up.
struct OpenedSqlite {
    store: Store,
    token: String,
    /// The writer thread.
    writer: JoinHandle<()>,
    /// The file's absolute path, for the banner.
    shown: String,
}

/// Opens the SQLite file, settles the token and starts the writer thread.
fn open_sqlite(path: &std::path::Path, config: &Config) -> Result<OpenedSqlite, StartError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| StartError(format!("{what}: {e}"));
    let writer = Writer::open(path)
        .map_err(|e| fail(&format!("cannot open database {}", path.display()), &e))?;
    let token = match &config.token {
        Some(t) => t.clone(),
        None => match writer
            .setting("token")
            .map_err(|e| fail("cannot read the stored token", &e))?
        {
            Some(t) => t,
            None => {
                let t = auth::generate_token().map_err(|e| fail("cannot generate a token", &e))?;
                writer
                    .set_setting("token", &t)
                    .map_err(|e| fail("cannot store the token", &e))?;
                t
            }
        },
    };
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let (writes, handle) =
        WriteQueue::start(writer, path).map_err(|e| fail("cannot start the writer", &e))?;
    let store = Store::Sqlite(Arc::new(SqliteStore {
        readers: Readers::new(path),
        writes,
        file: (path.to_owned(), FileId::of(path)),
        query_timeout: config.limits.query_timeout,
    }));
    Ok(OpenedSqlite {
        store,
        token,
        writer: handle,
        shown: shown.display().to_string(),
    })
}

/// Why the service could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// A bound, ready-to-run service.
pub struct Server {
    listener: TcpListener,
    state: Arc<AppState>,
    /// The SQLite writer thread (none with PostgreSQL).
    writer: Option<JoinHandle<()>>,
    db: String,
}

impl Server {
    /// Opens the database, settles the token and binds the address.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| StartError(format!("{what}: {e}"));
        let (store, token, writer, db, shared) = match &config.db {
            Database::Sqlite(path) => {
                let o = open_sqlite(path, config)?;
                (o.store, o.token, Some(o.writer), o.shown, None)
            }
            Database::Postgres(url) => {
                let pg = PgStore::connect(url, config.limits.query_timeout)
                    .await
                    .map_err(StartError)?;
                let token = match &config.token {
                    Some(t) => t.clone(),
                    None => {
                        let fresh = auth::generate_token()
                            .map_err(|e| fail("cannot generate a token", &e))?;
                        // Instances starting together all keep the first one stored.
                        pg.setting_or_insert("token", &fresh)
                            .await
                            .map_err(|e| fail("cannot store the token", &e))?
                    }
                };
                let shared = Some(pg.clone());
                (
                    Store::Postgres(pg),
                    token,
                    None,
                    config.db.describe(),
                    shared,
                )
            }
        };
        let listener = TcpListener::bind(&config.listen)
            .await
            .map_err(|e| fail(&format!("cannot listen on {}", config.listen), &e))?;
        let mut limits = config.limits;
        if let Some(fds) = fd_limit() {
            // Past the descriptor limit, accept fails and nobody is served;
            // below the cap, a connection too many gets a quick 503 instead.
            let usable = usize::try_from(fds.saturating_sub(FDS_RESERVED)).unwrap_or(usize::MAX);
            if usable < limits.max_connections {
                eprintln!(
                    "okra-eventlog: serving at most {usable} connections at once: the process may open {fds} files"
                );
                limits.max_connections = usable.max(1);
            }
        }
        let state = Arc::new(AppState {
            auth: match shared {
                None => Auth::new(token).map_err(|e| fail("cannot make a login code", &e))?,
                Some(pg) => Auth::shared(token, pg).await.map_err(StartError)?,
            },
            store,
            limiter: config.rate_limit.map(|l| Mutex::new(Limiter::new(l))),
            byte_limiter: config.byte_limit.map(|l| Mutex::new(Limiter::new(l))),
            limits,
            exports: Arc::new(Semaphore::new(limits.max_exports)),
            retain_days: config.retain_days,
            allow_origins: config.allow_origins.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            clock: config.clock.clone(),
        });
        Ok(Server {
            listener,
            state,
            writer,
            db,
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The access token.
    pub fn token(&self) -> &str {
        self.state.auth.token()
    }

    /// The one-time login code of the printed dashboard link.
    pub fn login_code(&self) -> Option<String> {
        self.state.auth.login_code()
    }

    /// The base URL, e.g. `http://127.0.0.1:8787`. An unspecified address
    /// (0.0.0.0) is shown as loopback, which is where a local browser finds it.
    pub fn url(&self) -> String {
        let mut addr = self.local_addr();
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{addr}")
    }

    /// The start-up banner. The dashboard link carries a one-time code, not
    /// the token, so what stays in the browser's history opens nothing.
    pub fn banner(&self) -> String {
        let url = self.url();
        format!(
            "okra-eventlog listening on {url}\n\
             \x20 dashboard: {url}/?code={code} (works once)\n\
             \x20 ingest:    POST {url}/events\n\
             \x20 query:     GET {url}/api/events (Authorization: Bearer TOKEN)\n\
             \x20 token:     {token}\n\
             \x20 database:  {db}\n",
            code = self.login_code().unwrap_or_default(),
            token = self.token(),
            db = self.db
        )
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests
    /// and queued writes.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Server {
            listener,
            state,
            writer,
            ..
        } = self;
        let limits = state.limits;
        // Retention holds a handle on the writer: it is stopped before the
        // writer is asked to finish.
        let retention = state
            .retain_days
            .map(|days| tokio::spawn(erase::retention_loop(state.store.clone(), days)));
        let app = router(state);
        let connections = Arc::new(Semaphore::new(limits.max_connections));
        let (closing, closing_rx) = watch::channel(false);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors, or a connection reset
                        // before it was accepted: wait a little, go on.
                        eprintln!("okra-eventlog: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let permit = connections.clone().try_acquire_owned().ok();
            let app = app.clone();
            let closing = closing_rx.clone();
            tokio::spawn(async move {
                serve_connection(stream, peer, app, permit.is_some(), limits, closing).await;
                drop(permit);
            });
        }
        drop(listener);
        let _ = closing.send(true);
        // Connections finish their current request and close; a stalled one
        // is cut off by its timeouts, so this wait is bounded.
        let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(
            limits.write_timeout + limits.header_timeout + HANDLER_TIMEOUT,
            connections.acquire_many(all),
        )
        .await;
        drop(app);
        if let Some(task) = retention {
            task.abort();
            let _ = task.await;
        }
        // The router (and with it the last write handle) is gone: the writer
        // drains its queue and stops.
        if let Some(writer) = writer {
            tokio::task::spawn_blocking(move || writer.join())
                .await
                .ok();
        }
        Ok(())
    }
}

/// File descriptors kept for the database, the log, the listener and
/// connections beyond the cap (answered 503).
const FDS_RESERVED: u64 = 128;

/// The process's soft limit on open files (Unix).
fn fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit, which we own.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
        // rlim_t is u64 on Linux and macOS, but not on every Unix.
        #[allow(clippy::unnecessary_cast)]
        let current = lim.rlim_cur as u64;
        (ok && lim.rlim_cur != libc::RLIM_INFINITY).then_some(current)
    }
    #[cfg(not(unix))]
    None
}

/// Raises the soft limit on open files to the hard limit (Unix), as servers
/// usually do: the default soft limit (often 1,024) is what let 300 idle
/// connections starve everyone else before connections were capped.
pub fn raise_fd_limit() {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read or write one rlimit we own;
        // raising the soft limit up to the hard one needs no privilege.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
                lim.rlim_cur = lim.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
}

/// Serves one connection with hyper. Over the connection cap, every request
/// is answered 503 and the connection closed.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    admitted: bool,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut io = tokio_io_timeout::TimeoutStream::new(stream);
    io.set_write_timeout(Some(limits.write_timeout));
    let io = TokioIo::new(Box::pin(io));
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let app = app.clone();
        async move {
            if !admitted {
                return Ok::<_, std::convert::Infallible>(over_capacity());
            }
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            app.oneshot(req).await
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(if admitted {
            limits.header_timeout
        } else {
            limits.header_timeout.min(Duration::from_secs(1))
        })
        .keep_alive(admitted);
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = closing.wait_for(|c| *c) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

fn over_capacity() -> Response {
    let mut resp = ApiError {
        retry_after: Some(1),
        ..ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many connections; retry in a moment",
        )
    }
    .into_response();
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}
