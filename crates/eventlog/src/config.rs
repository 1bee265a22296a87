//! Command line and environment (SPEC 7.1).
//!
//! Flags win over environment variables, which win over defaults.

use std::path::PathBuf;
use std::time::Duration;

use crate::auth::check_token;
use crate::clock::Clock;
use crate::ingest::MAX_BODY_BYTES;
use crate::proxy::{parse_origin, Cidr};
use crate::ratelimit::RateLimit;

/// The bounds on connections and work that keep stalled or greedy clients
/// from taking the service from others (SPEC 7.3). The defaults follow the
/// spec; tests shorten the timeouts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// A request's head must arrive within this; an idle keep-alive
    /// connection is closed after it too (hyper times the wait for the next
    /// head the same way).
    pub header_timeout: Duration,
    /// A request's whole body must arrive within this.
    pub body_timeout: Duration,
    /// A connection whose client accepts no bytes for this long is closed
    /// (a download that stopped reading).
    pub write_timeout: Duration,
    /// A search, or one page of an export, is stopped after this.
    pub query_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Exports streamed at once; more are answered 503.
    pub max_exports: usize,
    /// How long an erasure request waits for the erasure to finish before
    /// answering 202 (it goes on in the background). Not a flag: it stays
    /// below the 60 s handler timeout; tests shorten it.
    pub erase_wait: Duration,
}

impl Limits {
    /// The defaults: headers within 10 s, body within 30 s, downloads cut off
    /// after 60 s without progress, queries stopped after 2 s, 512
    /// connections and 4 exports at once.
    pub const DEFAULT: Limits = Limits {
        header_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(30),
        write_timeout: Duration::from_secs(60),
        query_timeout: Duration::from_secs(2),
        max_connections: 512,
        max_exports: 4,
        erase_wait: Duration::from_secs(45),
    };
}

/// Where events are stored (`--db`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if missing: the embedded default.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Database {
    /// A PostgreSQL URL when `value` starts with `postgres://` or
    /// `postgresql://`, else a SQLite file path.
    pub fn parse(value: &str) -> Database {
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Database::Postgres(value.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(value))
        }
    }

    /// How the database is named in messages: the file, or the URL
    /// without its password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(p) => p.display().to_string(),
            Database::Postgres(url) => redact_password(url),
        }
    }
}

impl From<PathBuf> for Database {
    fn from(p: PathBuf) -> Database {
        Database::Sqlite(p)
    }
}

/// A URL with the password of its user-info replaced by `***`.
pub fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end + 3],
                &authority[..colon],
                &url[scheme_end + 3 + at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Everything the service needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8787` (port 0 picks a free one).
    pub listen: String,
    /// Where events are stored: a SQLite file or a PostgreSQL database.
    pub db: Database,
    /// The access token; when `None`, the one stored in the database is
    /// used, or a new one is generated and stored.
    pub token: Option<String>,
    /// The ingest rate limit per client, or `None` for no limit.
    pub rate_limit: Option<RateLimit>,
    /// The ingest byte budget per client (bytes per second and burst), or
    /// `None` for no limit.
    pub byte_limit: Option<RateLimit>,
    /// Timeouts and caps.
    pub limits: Limits,
    /// Events older than this many days are deleted, at start-up and hourly.
    pub retain_days: Option<u32>,
    /// Browser origins that may post events (empty: any).
    pub allow_origins: Vec<String>,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Cidr>,
    /// The clock of rate limits and sessions: the real one, or in tests a
    /// manual one (not a flag).
    pub clock: Clock,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8787".into(),
            db: Database::Sqlite(PathBuf::from("events.sqlite3")),
            token: None,
            rate_limit: Some(RateLimit::DEFAULT),
            byte_limit: Some(RateLimit::DEFAULT_BYTES),
            limits: Limits::DEFAULT,
            retain_days: None,
            allow_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            clock: Clock::system(),
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run the service.
    Run(Box<Config>),
    /// Print usage.
    Help,
    /// Print the version.
    Version,
}

/// Usage text for `--help`.
pub const USAGE: &str = "\
okra-eventlog: receives okra-events webhooks, stores them, and serves a dashboard to search them.

Usage: okra-eventlog [--listen ADDR] [--db FILE|URL] [--token TOKEN] [--rate-limit N] [--rate-burst N]
                     [--byte-limit BYTES] [--byte-burst BYTES] [--header-timeout S] [--body-timeout S]
                     [--write-timeout S] [--query-timeout S] [--max-connections N] [--max-exports N]
                     [--retain-days N] [--allow-origin ORIGIN]... [--trusted-proxy CIDR]...

Options (environment variable in brackets):
  --listen ADDR      address to listen on; port 0 picks a free port
                     [OKRA_EVENTLOG_LISTEN] (default 127.0.0.1:8787)
  --db FILE|URL      SQLite database file, created if missing; or a PostgreSQL
                     URL (postgres://user:pass@host:5432/db), which any number
                     of instances may share
                     [OKRA_EVENTLOG_DB] (default events.sqlite3)
  --token TOKEN      access token for the query API and dashboard, at least 16 of
                     A-Z a-z 0-9 - . _ ~ ; without it, the token stored in the
                     database is used, or one is generated and stored
                     [OKRA_EVENTLOG_TOKEN]
  --rate-limit N     ingest requests per second per client, 0 for no limit
                     [OKRA_EVENTLOG_RATE_LIMIT] (default 50)
  --rate-burst N     ingest requests a client may make at once
                     [OKRA_EVENTLOG_RATE_BURST] (default 200)
  --byte-limit BYTES ingest bytes per second per client, 0 for no limit
                     [OKRA_EVENTLOG_BYTE_LIMIT] (default 1048576)
  --byte-burst BYTES ingest bytes a client may send at once, at least 1048576
                     [OKRA_EVENTLOG_BYTE_BURST] (default 16777216)
  --header-timeout S seconds for a request's head, and for an idle connection's
                     next request [OKRA_EVENTLOG_HEADER_TIMEOUT] (default 10)
  --body-timeout S   seconds for a request's whole body
                     [OKRA_EVENTLOG_BODY_TIMEOUT] (default 30)
  --write-timeout S  seconds a client may accept no bytes before it is cut off
                     [OKRA_EVENTLOG_WRITE_TIMEOUT] (default 60)
  --query-timeout S  seconds a search (or one page of an export) may run
                     [OKRA_EVENTLOG_QUERY_TIMEOUT] (default 2)
  --max-connections N  connections served at once; more get 503
                     [OKRA_EVENTLOG_MAX_CONNECTIONS] (default 512)
  --max-exports N    exports streamed at once; more get 503
                     [OKRA_EVENTLOG_MAX_EXPORTS] (default 4)
  --retain-days N    delete events older than N days, at start-up and hourly
                     [OKRA_EVENTLOG_RETAIN_DAYS] (default: keep everything)
  --allow-origin ORIGIN  a browser origin that may post events, compared whole
                     (https://merchant.example); repeatable; others get 403
                     [OKRA_EVENTLOG_ALLOW_ORIGINS, comma-separated] (default: any)
  --trusted-proxy CIDR  a reverse proxy (10.0.0.0/8, 192.0.2.7) whose
                     X-Forwarded-For names the client for rate limits; repeatable
                     [OKRA_EVENTLOG_TRUSTED_PROXIES, comma-separated] (default: none)
  -h, --help         print this help
  -V, --version      print the version
";

fn number(name: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!("{name} must be a number >= 0, got \"{value}\"")),
    }
}

fn seconds(name: &str, value: Option<String>, default: Duration) -> Result<Duration, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n <= 86_400.0 => Ok(Duration::from_secs_f64(n)),
        _ => Err(format!(
            "{name} must be a number of seconds above 0 and at most 86400, got \"{value}\""
        )),
    }
}

fn count(name: &str, value: Option<String>, default: usize) -> Result<usize, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{name} must be a whole number >= 1, got \"{value}\""
        )),
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
    let mut bytes = env("OKRA_EVENTLOG_BYTE_LIMIT");
    let mut byte_burst = env("OKRA_EVENTLOG_BYTE_BURST");
    let mut header_timeout = env("OKRA_EVENTLOG_HEADER_TIMEOUT");
    let mut body_timeout = env("OKRA_EVENTLOG_BODY_TIMEOUT");
    let mut write_timeout = env("OKRA_EVENTLOG_WRITE_TIMEOUT");
    let mut query_timeout = env("OKRA_EVENTLOG_QUERY_TIMEOUT");
    let mut max_connections = env("OKRA_EVENTLOG_MAX_CONNECTIONS");
    let mut max_exports = env("OKRA_EVENTLOG_MAX_EXPORTS");
    let mut retain_days = env("OKRA_EVENTLOG_RETAIN_DAYS");
    let list = |name: &str| -> Vec<String> {
        env(name)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let env_origins = list("OKRA_EVENTLOG_ALLOW_ORIGINS");
    let env_proxies = list("OKRA_EVENTLOG_TRUSTED_PROXIES");
    let (mut origins, mut proxies) = (Vec::new(), Vec::new());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if flag == "--allow-origin" || flag == "--trusted-proxy" {
            let value = match inline {
                Some(v) => v,
                None => args
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value (see --help)"))?,
            };
            if flag == "--allow-origin" {
                origins.push(value);
            } else {
                proxies.push(value);
            }
            continue;
        }
        let slot = match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--listen" => &mut listen,
            "--db" => &mut db,
            "--token" => &mut token,
            "--rate-limit" => &mut rate,
            "--rate-burst" => &mut burst,
            "--byte-limit" => &mut bytes,
            "--byte-burst" => &mut byte_burst,
            "--header-timeout" => &mut header_timeout,
            "--body-timeout" => &mut body_timeout,
            "--write-timeout" => &mut write_timeout,
            "--query-timeout" => &mut query_timeout,
            "--max-connections" => &mut max_connections,
            "--max-exports" => &mut max_exports,
            "--retain-days" => &mut retain_days,
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
        config.db = Database::parse(&d);
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
    let per_second = bytes
        .map(|b| number("--byte-limit", &b))
        .transpose()?
        .unwrap_or(RateLimit::DEFAULT_BYTES.per_second);
    let burst = byte_burst
        .map(|b| number("--byte-burst", &b))
        .transpose()?
        .unwrap_or(RateLimit::DEFAULT_BYTES.burst.max(per_second));
    if burst < MAX_BODY_BYTES as f64 && per_second > 0.0 {
        // A smaller bucket could never hold one largest body.
        return Err(format!("--byte-burst must be at least {MAX_BODY_BYTES}"));
    }
    config.byte_limit = (per_second > 0.0).then_some(RateLimit { per_second, burst });
    let d = Limits::DEFAULT;
    config.limits = Limits {
        header_timeout: seconds("--header-timeout", header_timeout, d.header_timeout)?,
        body_timeout: seconds("--body-timeout", body_timeout, d.body_timeout)?,
        write_timeout: seconds("--write-timeout", write_timeout, d.write_timeout)?,
        query_timeout: seconds("--query-timeout", query_timeout, d.query_timeout)?,
        max_connections: count("--max-connections", max_connections, d.max_connections)?,
        max_exports: count("--max-exports", max_exports, d.max_exports)?,
        erase_wait: d.erase_wait,
    };
    if let Some(days) = retain_days.filter(|d| !d.is_empty()) {
        match days.parse::<u32>() {
            Ok(n) if (1..=36_500).contains(&n) => config.retain_days = Some(n),
            _ => {
                return Err(format!(
                    "--retain-days must be a whole number of days from 1 to 36500, got \"{days}\""
                ))
            }
        }
    }
    // Repeated flags replace the environment's list, as other flags do.
    let origins = if origins.is_empty() {
        env_origins
    } else {
        origins
    };
    let proxies = if proxies.is_empty() {
        env_proxies
    } else {
        proxies
    };
    config.allow_origins = origins
        .iter()
        .map(|o| parse_origin(o))
        .collect::<Result<_, _>>()?;
    config.trusted_proxies = proxies
        .iter()
        .map(|p| Cidr::parse(p))
        .collect::<Result<_, _>>()?;
    Ok(Command::Run(Box::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn run(c: Result<Command, String>) -> Config {
        match c.unwrap() {
            Command::Run(c) => *c,
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
        assert_eq!(c.db, Database::Sqlite(PathBuf::from("x.sqlite3")));
        let c = run(parse(args(&["--db", "postgres://u:p@db:5432/events"]), env));
        assert_eq!(
            c.db,
            Database::Postgres("postgres://u:p@db:5432/events".into())
        );
        let env_pg = |k: &str| (k == "OKRA_EVENTLOG_DB").then(|| "postgresql://db/e".to_owned());
        assert_eq!(
            run(parse(args(&[]), env_pg)).db,
            Database::Postgres("postgresql://db/e".into())
        );
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
    fn limits_can_be_tuned() {
        let c = run(parse(
            args(&[
                "--header-timeout",
                "1.5",
                "--write-timeout=2",
                "--max-connections",
                "40",
                "--byte-limit",
                "0",
            ]),
            |k| (k == "OKRA_EVENTLOG_MAX_EXPORTS").then(|| "3".to_owned()),
        ));
        assert_eq!(c.limits.header_timeout, Duration::from_millis(1500));
        assert_eq!(c.limits.write_timeout, Duration::from_secs(2));
        assert_eq!(c.limits.body_timeout, Limits::DEFAULT.body_timeout);
        assert_eq!(c.limits.max_connections, 40);
        assert_eq!(c.limits.max_exports, 3);
        assert_eq!(c.byte_limit, None);
        assert!(parse(args(&["--header-timeout", "0"]), |_| None)
            .unwrap_err()
            .contains("above 0"));
        assert!(parse(args(&["--byte-burst", "1000"]), |_| None)
            .unwrap_err()
            .contains("at least 1048576"));
        assert!(parse(args(&["--max-exports", "0"]), |_| None)
            .unwrap_err()
            .contains(">= 1"));
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
        assert!(parse(args(&["--retain-days", "0"]), |_| None)
            .unwrap_err()
            .contains("from 1 to 36500"));
    }

    #[test]
    fn origins_and_proxies_repeat_or_come_from_the_environment() {
        let env = |k: &str| match k {
            "OKRA_EVENTLOG_ALLOW_ORIGINS" => {
                Some("https://a.example, http://localhost:3000".into())
            }
            "OKRA_EVENTLOG_TRUSTED_PROXIES" => Some("10.0.0.0/8,fd00::/8".into()),
            _ => None,
        };
        let c = run(parse(args(&[]), env));
        assert_eq!(
            c.allow_origins,
            ["https://a.example", "http://localhost:3000"]
        );
        assert_eq!(c.trusted_proxies.len(), 2);
        let c = run(parse(
            args(&[
                "--allow-origin",
                "https://B.example",
                "--allow-origin=https://c.example:8443",
                "--trusted-proxy",
                "192.0.2.7",
            ]),
            env,
        ));
        assert_eq!(
            c.allow_origins,
            ["https://b.example", "https://c.example:8443"]
        );
        assert_eq!(c.trusted_proxies, [Cidr::parse("192.0.2.7/32").unwrap()]);
        assert!(parse(args(&["--allow-origin", "https://a.example/"]), |_| None).is_err());
        assert!(parse(args(&["--trusted-proxy", "10.0.0.0/40"]), |_| None).is_err());
        assert!(run(parse(args(&[]), |_| None)).allow_origins.is_empty());
    }

    #[test]
    fn passwords_are_hidden_in_messages() {
        assert_eq!(
            redact_password("postgres://okra:s3cret@db:5432/events?x=1"),
            "postgres://okra:***@db:5432/events?x=1"
        );
        assert_eq!(
            redact_password("postgres://db/events"),
            "postgres://db/events"
        );
        assert_eq!(
            redact_password("postgres://okra@db/e"),
            "postgres://okra@db/e"
        );
    }

    #[test]
    fn retention_from_flag_or_environment() {
        let env = |k: &str| (k == "OKRA_EVENTLOG_RETAIN_DAYS").then(|| "30".to_owned());
        assert_eq!(run(parse(args(&[]), env)).retain_days, Some(30));
        assert_eq!(
            run(parse(args(&["--retain-days=7"]), env)).retain_days,
            Some(7)
        );
        assert_eq!(run(parse(args(&[]), |_| None)).retain_days, None);
    }
}
