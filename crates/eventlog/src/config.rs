//! Command line and environment (SPEC 7.1).
//!
//! Flags win over environment variables, which win over defaults.

use std::path::PathBuf;

use crate::auth::check_token;
use crate::ratelimit::RateLimit;

/// Everything the service needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8787` (port 0 picks a free one).
    pub listen: String,
    /// The SQLite database file (created if missing).
    pub db: PathBuf,
    /// The access token; when `None`, the one stored in the database is
    /// used, or a new one is generated and stored.
    pub token: Option<String>,
    /// The ingest rate limit per client, or `None` for no limit.
    pub rate_limit: Option<RateLimit>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8787".into(),
            db: PathBuf::from("events.sqlite3"),
            token: None,
            rate_limit: Some(RateLimit::DEFAULT),
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run the service.
    Run(Config),
    /// Print usage.
    Help,
    /// Print the version.
    Version,
}

/// Usage text for `--help`.
pub const USAGE: &str = "\
okra-eventlog: receives okra-events webhooks, stores them, and serves a dashboard to search them.

Usage: okra-eventlog [--listen ADDR] [--db FILE] [--token TOKEN] [--rate-limit N] [--rate-burst N]

Options (environment variable in brackets):
  --listen ADDR      address to listen on; port 0 picks a free port
                     [OKRA_EVENTLOG_LISTEN] (default 127.0.0.1:8787)
  --db FILE          SQLite database file, created if missing
                     [OKRA_EVENTLOG_DB] (default events.sqlite3)
  --token TOKEN      access token for the query API and dashboard, at least 16 of
                     A-Z a-z 0-9 - . _ ~ ; without it, the token stored in the
                     database is used, or one is generated and stored
                     [OKRA_EVENTLOG_TOKEN]
  --rate-limit N     ingest requests per second per client, 0 for no limit
                     [OKRA_EVENTLOG_RATE_LIMIT] (default 50)
  --rate-burst N     ingest requests a client may make at once
                     [OKRA_EVENTLOG_RATE_BURST] (default 200)
  -h, --help         print this help
  -V, --version      print the version
";

fn number(name: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!("{name} must be a number >= 0, got \"{value}\"")),
    }
}

/// Parses the arguments (without the program name) and the environment,
/// given as a lookup function so tests need not touch the process's.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut listen = env("OKRA_EVENTLOG_LISTEN");
    let mut db = env("OKRA_EVENTLOG_DB");
    let mut token = env("OKRA_EVENTLOG_TOKEN");
    let mut rate = env("OKRA_EVENTLOG_RATE_LIMIT");
    let mut burst = env("OKRA_EVENTLOG_RATE_BURST");
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--listen" => &mut listen,
            "--db" => &mut db,
            "--token" => &mut token,
            "--rate-limit" => &mut rate,
            "--rate-burst" => &mut burst,
            _ => return Err(format!("unknown argument \"{arg}\" (see --help)")),
        };
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("{flag} needs a value (see --help)"))?,
        };
        *slot = Some(value);
    }
    let mut config = Config::default();
    if let Some(l) = listen.filter(|l| !l.is_empty()) {
        config.listen = l;
    }
    if let Some(d) = db.filter(|d| !d.is_empty()) {
        config.db = PathBuf::from(d);
    }
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        check_token(&t)?;
        config.token = Some(t);
    }
    let per_second = rate
        .map(|r| number("--rate-limit", &r))
        .transpose()?
        .unwrap_or(RateLimit::DEFAULT.per_second);
    let burst = burst
        .map(|b| number("--rate-burst", &b))
        .transpose()?
        .unwrap_or(RateLimit::DEFAULT.burst.max(per_second));
    if burst < 1.0 && per_second > 0.0 {
        return Err("--rate-burst must be at least 1".into());
    }
    config.rate_limit = (per_second > 0.0).then_some(RateLimit { per_second, burst });
    Ok(Command::Run(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn run(c: Result<Command, String>) -> Config {
        match c.unwrap() {
            Command::Run(c) => c,
            other => panic!("expected run, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(run(parse(args(&[]), |_| None)), Config::default());
    }

    #[test]
    fn flags_beat_environment() {
        let env = |k: &str| match k {
            "OKRA_EVENTLOG_LISTEN" => Some("0.0.0.0:9000".to_owned()),
            "OKRA_EVENTLOG_DB" => Some("/tmp/env.sqlite3".to_owned()),
            "OKRA_EVENTLOG_TOKEN" => Some("from-the-environment".to_owned()),
            _ => None,
        };
        let c = run(parse(
            args(&["--listen", "127.0.0.1:0", "--db=x.sqlite3"]),
            env,
        ));
        assert_eq!(c.listen, "127.0.0.1:0");
        assert_eq!(c.db, PathBuf::from("x.sqlite3"));
        assert_eq!(c.token.as_deref(), Some("from-the-environment"));
    }

    #[test]
    fn rate_limit_can_be_tuned_or_disabled() {
        let c = run(parse(
            args(&["--rate-limit", "5", "--rate-burst", "10"]),
            |_| None,
        ));
        assert_eq!(
            c.rate_limit,
            Some(RateLimit {
                per_second: 5.0,
                burst: 10.0
            })
        );
        let c = run(parse(args(&["--rate-limit", "0"]), |_| None));
        assert_eq!(c.rate_limit, None);
        // A burst below the rate would make the rate unreachable.
        let c = run(parse(args(&["--rate-limit", "500"]), |_| None));
        assert_eq!(c.rate_limit.unwrap().burst, 500.0);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse(args(&["--port", "1"]), |_| None)
            .unwrap_err()
            .contains("\"--port\""));
        assert!(parse(args(&["--db"]), |_| None)
            .unwrap_err()
            .contains("--db needs a value"));
        assert!(parse(args(&["--token", "abc"]), |_| None)
            .unwrap_err()
            .contains("at least 16"));
        assert!(parse(args(&["--rate-limit", "fast"]), |_| None)
            .unwrap_err()
            .contains("\"fast\""));
        assert_eq!(parse(args(&["-h"]), |_| None), Ok(Command::Help));
    }
}
