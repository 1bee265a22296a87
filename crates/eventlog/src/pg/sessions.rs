//! Dashboard sessions and one-time login codes in PostgreSQL, so every
//! instance behind a load balancer knows them (see [`crate::auth`]).

use std::time::Duration;

use super::{PgResult, PgStore};

/// Login codes older than this are forgotten (a code is printed at every
/// start and usually never used).
const CODE_DAYS: i32 = 7;

impl PgStore {
    /// Stores an instance's one-time login code.
    pub async fn add_login_code(&self, code: &str) -> PgResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM login_codes WHERE created_at < now() - make_interval(days => $1)",
                &[&CODE_DAYS],
            )
            .await?;
        client
            .execute(
                "INSERT INTO login_codes(code) VALUES ($1) ON CONFLICT DO NOTHING",
                &[&code],
            )
            .await?;
        Ok(())
    }

    /// Uses up a login code: true if it was there (and is gone now).
    pub async fn take_login_code(&self, code: &str) -> PgResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute("DELETE FROM login_codes WHERE code = $1", &[&code])
            .await?;
        Ok(n == 1)
    }

    /// Starts a session lasting `ttl`; expired sessions are dropped, and
    /// the oldest beyond `max`.
    pub async fn start_session(&self, id: &str, ttl: Duration, max: usize) -> PgResult<()> {
        let client = self.client().await?;
        let secs = ttl.as_secs_f64();
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        client
            .batch_execute("DELETE FROM dashboard_sessions WHERE expires_at <= now()")
            .await?;
        client
            .execute(
                "DELETE FROM dashboard_sessions WHERE id IN (
                     SELECT id FROM dashboard_sessions ORDER BY expires_at DESC OFFSET $1)",
                &[&(max - 1).max(0)],
            )
            .await?;
        client
            .execute(
                "INSERT INTO dashboard_sessions(id, expires_at)
                 VALUES ($1, now() + make_interval(secs => $2))",
                &[&id, &secs],
            )
            .await?;
        Ok(())
    }

    /// Whether any of `ids` is a live session.
    pub async fn session_live(&self, ids: &[String]) -> PgResult<bool> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM dashboard_sessions
                                WHERE id = ANY($1) AND expires_at > now())",
                &[&ids],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Ends sessions, on every instance.
    pub async fn end_sessions(&self, ids: &[String]) -> PgResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let client = self.client().await?;
        client
            .execute("DELETE FROM dashboard_sessions WHERE id = ANY($1)", &[&ids])
            .await?;
        Ok(())
    }
}
