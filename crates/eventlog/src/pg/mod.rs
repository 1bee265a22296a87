//! The PostgreSQL backend (`--db postgres://...`), SPEC 7.2: any number of
//! instances serve one database.
//!
//! Nothing an instance keeps in memory has to agree with another instance:
//! - storage keys are the event time in milliseconds times 65,536 plus a
//!   number from a database sequence, so two instances never need to
//!   coordinate; a rare collision of keys fails the batch's one statement,
//!   which is retried with fresh numbers;
//! - duplicates are dropped by the unique `event_id` (`ON CONFLICT DO
//!   NOTHING`), whichever instance stored the first copy;
//! - a batch is one `INSERT` statement, so it is stored entirely or not at
//!   all;
//! - schema changes run at start-up under an advisory lock ([`schema`]).
//!
//! Modules: [`schema`] (migrations), [`words`] (the index's words),
//! [`write`] (ingest and deletions), [`scan`] (a keyword's matches newest
//! first, through the indexes), [`search`] (search and export pages, the
//! keys to erase), [`stats`] (buckets and funnel), [`sessions`] (dashboard
//! sessions and login codes).

pub mod scan;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod stats;
pub mod words;
pub mod write;

use std::time::Duration;

use axum::http::StatusCode;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use crate::config::redact_password;
use crate::error::ApiError;

/// Connections each instance keeps open at most.
pub const POOL_SIZE: usize = 16;
/// How long a request waits for a connection of the pool, or for a new
/// connection to the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What went wrong talking to PostgreSQL.
#[derive(Debug)]
pub enum PgError {
    /// The statement ran past the query budget (`statement_timeout`).
    Timeout,
    /// Anything else: the server is unreachable, or refused a statement.
    Db(String),
}

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgError::Timeout => f.write_str("the query ran past its time budget"),
            PgError::Db(m) => f.write_str(m),
        }
    }
}

impl From<tokio_postgres::Error> for PgError {
    fn from(e: tokio_postgres::Error) -> PgError {
        if e.code() == Some(&SqlState::QUERY_CANCELED) {
            return PgError::Timeout;
        }
        match e.as_db_error() {
            Some(db) => PgError::Db(format!("PostgreSQL: {}", db.message())),
            None => PgError::Db(format!("PostgreSQL: {e}")),
        }
    }
}

impl From<deadpool_postgres::PoolError> for PgError {
    fn from(e: deadpool_postgres::PoolError) -> PgError {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => PgError::Db(format!("PostgreSQL is unreachable: {other}")),
        }
    }
}

/// The result of a PostgreSQL operation.
pub type PgResult<T> = Result<T, PgError>;

impl From<PgError> for ApiError {
    fn from(e: PgError) -> ApiError {
        match e {
            PgError::Timeout => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the query was stopped after its time budget; narrow it (fewer words, a shorter range)",
            ),
            PgError::Db(m) => {
                eprintln!("okra-eventlog: {m}");
                ApiError {
                    retry_after: Some(1),
                    ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("database error: {m}"))
                }
            }
        }
    }
}

/// A pool of connections to one PostgreSQL database, its schema up to date.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    query_timeout: Duration,
}

impl PgStore {
    /// Connects to `url`, brings the schema up to date (safe when other
    /// instances start at the same moment) and keeps a pool of up to
    /// [`POOL_SIZE`] connections. Searches are stopped after
    /// `query_timeout`.
    pub async fn connect(url: &str, query_timeout: Duration) -> Result<PgStore, String> {
        let shown = redact_password(url);
        let mut cfg: tokio_postgres::Config = url
            .parse()
            .map_err(|e| format!("{shown} is not a PostgreSQL URL: {e}"))?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(CONNECT_TIMEOUT);
        }
        if cfg.get_application_name().is_none() {
            cfg.application_name("okra-eventlog");
        }
        let manager = Manager::from_config(
            cfg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT * 2))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| format!("cannot make a pool for {shown}: {e}"))?;
        let store = PgStore {
            pool,
            query_timeout,
        };
        let mut client = store
            .pool
            .get()
            .await
            .map_err(|e| format!("cannot connect to {shown}: {}", PgError::from(e)))?;
        schema::migrate(&mut client)
            .await
            .map_err(|e| format!("cannot prepare the schema in {shown}: {e}"))?;
        Ok(store)
    }

    /// A pooled connection.
    pub async fn client(&self) -> PgResult<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    /// The query budget.
    pub fn query_timeout(&self) -> Duration {
        self.query_timeout
    }

    /// Reads a setting.
    pub async fn setting(&self, name: &str) -> PgResult<Option<String>> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT value FROM settings WHERE name = $1", &[&name])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Stores `value` under `name` unless another instance stored one
    /// first; returns the value stored, so instances that start together
    /// agree (on the generated token, for instance).
    pub async fn setting_or_insert(&self, name: &str, value: &str) -> PgResult<String> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO settings(name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &value],
            )
            .await?;
        let row = client
            .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
            .await?;
        Ok(row.get(0))
    }

    /// Whether the database answers, within a few seconds.
    pub async fn health(&self) -> Result<(), String> {
        let check = async {
            let client = self.client().await?;
            client.simple_query("SELECT 1").await?;
            Ok::<(), PgError>(())
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, check).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "PostgreSQL did not answer within {} s",
                CONNECT_TIMEOUT.as_secs()
            )),
        }
    }

    /// How many events are stored.
    pub async fn count(&self) -> PgResult<i64> {
        let client = self.client().await?;
        Ok(client
            .query_one("SELECT count(*) FROM events", &[])
            .await?
            .get(0))
    }
}
