//! Wiring: shared state, routes, start-up and shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{Readers, Writer};
use crate::error::{json_response, ApiError};
use crate::ratelimit::Limiter;
use crate::writer::WriteQueue;
use crate::{auth, dashboard, export, ingest, query};

/// What every request handler shares.
pub struct AppState {
    /// The access token for the query API and dashboard.
    pub token: String,
    /// Read connections for search and export.
    pub readers: Readers,
    /// Where ingest sends batches.
    pub writes: WriteQueue,
    /// The ingest rate limiter, if enabled.
    pub limiter: Option<Mutex<Limiter>>,
}

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(dashboard::index))
        .route("/dashboard.js", get(dashboard::script))
        .route("/dashboard.css", get(dashboard::style))
        .route("/healthz", get(healthz))
        .route("/events", post(ingest::ingest).options(ingest::preflight))
        .route("/api/events", get(query::search))
        .route("/api/events/export", get(export::export))
        .route("/api/session", post(auth::login).delete(auth::logout))
        .fallback(not_found)
        .with_state(state)
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let check = tokio::task::spawn_blocking(move || {
        let conn = state.readers.get()?;
        conn.query_row("SELECT count(*) FROM events WHERE key < 0", [], |r| {
            r.get::<_, i64>(0)
        })
    })
    .await;
    match check {
        Ok(Ok(_)) => json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" })),
        Ok(Err(e)) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database cannot be read: {e}"),
        )
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such endpoint; see GET /, POST /events, GET /api/events, GET /api/events/export, GET /healthz",
    )
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
    writer: JoinHandle<()>,
    db: PathBuf,
}

impl Server {
    /// Opens the database, settles the token and binds the address.
    pub async fn bind(config: &Config) -> Result<Server, StartError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| StartError(format!("{what}: {e}"));
        let writer = Writer::open(&config.db)
            .map_err(|e| fail(&format!("cannot open database {}", config.db.display()), &e))?;
        let token = match &config.token {
            Some(t) => t.clone(),
            None => match writer
                .setting("token")
                .map_err(|e| fail("cannot read the stored token", &e))?
            {
                Some(t) => t,
                None => {
                    let t =
                        auth::generate_token().map_err(|e| fail("cannot generate a token", &e))?;
                    writer
                        .set_setting("token", &t)
                        .map_err(|e| fail("cannot store the token", &e))?;
                    t
                }
            },
        };
        let listener = TcpListener::bind(&config.listen)
            .await
            .map_err(|e| fail(&format!("cannot listen on {}", config.listen), &e))?;
        let db = std::path::absolute(&config.db).unwrap_or_else(|_| config.db.clone());
        let (writes, writer) = WriteQueue::start(writer, &config.db)
            .map_err(|e| fail("cannot start the writer", &e))?;
        let state = Arc::new(AppState {
            token,
            readers: Readers::new(&config.db),
            writes,
            limiter: config.rate_limit.map(|l| Mutex::new(Limiter::new(l))),
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
        &self.state.token
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

    /// The start-up banner.
    pub fn banner(&self) -> String {
        let url = self.url();
        format!(
            "okra-eventlog listening on {url}\n\
             \x20 dashboard: {url}/?token={token}\n\
             \x20 ingest:    POST {url}/events\n\
             \x20 query:     GET {url}/api/events (Authorization: Bearer TOKEN)\n\
             \x20 token:     {token}\n\
             \x20 database:  {db}\n",
            token = self.state.token,
            db = self.db.display()
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
        let app = router(state);
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        // The router (and with it the last write handle) is gone: the writer
        // drains its queue and stops.
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .ok();
        Ok(())
    }
}
