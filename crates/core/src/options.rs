//! Validation rules for the options that the emitter uses. The wasm layer
//! reads the JavaScript values and describes what it was given; the rules
//! themselves live here so they are tested natively.
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use crate::error::Error;
use crate::text::{cat, rsplit_once, split_once, split_once_str, until_any, whole};
use crate::time::Millis;

/// The widget environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    /// Live banks.
    Production,
    /// The sandbox banks (the default).
    ProductionSandbox,
}

impl Env {
    /// The option value, e.g. `production-sandbox`.
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Production => "production",
            Env::ProductionSandbox => "production-sandbox",
        }
    }
}

/// Reads `env`: absent means the sandbox; anything but the two names is an
/// error, never a silent fallback.
pub fn parse_env(value: Option<&str>) -> Result<Env, Error> {
    match value {
        None => Ok(Env::ProductionSandbox),
        Some("production") => Ok(Env::Production),
        Some("production-sandbox") => Ok(Env::ProductionSandbox),
        Some(other) => Err(Error::InvalidOption {
            option: "env",
            expected: "\"production\" or \"production-sandbox\"",
            given: cat(&["\"", other, "\""]),
        }),
    }
}

/// What `timeout` and `reconnect_grace` must be.
pub const MS_EXPECTED: &str = "a whole number of milliseconds between 1 and 2147483647";

/// Reads `timeout` or `reconnect_grace`: a whole number of milliseconds above
/// zero that `setTimeout` can wait for. `given` describes the value for the
/// error message (the caller formats it, so no float formatting is needed here).
pub fn parse_ms(
    option: &'static str,
    value: f64,
    given: impl FnOnce() -> String,
) -> Result<Millis, Error> {
    if value.is_finite() && value > 0.0 && value.fract() == 0.0 && value <= 2_147_483_647.0 {
        Ok(value as Millis)
    } else {
        Err(Error::InvalidOption {
            option,
            expected: MS_EXPECTED,
            given: given(),
        })
    }
}

/// What a URL option must be, for error messages.
pub const URL_EXPECTED: &str =
    "an https: URL (http: only for localhost, 127.0.0.1 or [::1]) in printable ASCII, without credentials";

/// Reads `event_callback_url`: `https:`, or `http:` for a loopback host only.
/// The host is compared exactly, so `http://localhost.evil.example` is refused.
pub fn parse_callback_url(url: &str) -> Result<String, Error> {
    parse_web_url("event_callback_url", url)
}

/// Reads `widgetUrl`, the page the host opens in its iframe: the same rules
/// as `event_callback_url`.
pub fn parse_widget_url(url: &str) -> Result<String, Error> {
    parse_web_url("widgetUrl", url)
}

fn parse_web_url(option: &'static str, url: &str) -> Result<String, Error> {
    // Never repeat credentials from the URL in an error message.
    let shown = match split_once_str(url, "://") {
        Some((scheme, rest)) => match rsplit_once(&rest[..until_any(rest, b"/?#")], b'@') {
            Some((_, host)) => cat(&[scheme, "://***@", host, &rest[until_any(rest, b"/?#")..]]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    };
    let bad = || Error::InvalidOption {
        option,
        expected: URL_EXPECTED,
        given: cat(&["\"", &shown, "\""]),
    };
    // Printable ASCII only, as `new URL(...).href` writes every URL: no
    // spaces or control characters, nor the Unicode spaces a copy-paste
    // brings along.
    if url.bytes().any(|b| !(b'!'..=b'~').contains(&b)) {
        return Err(bad());
    }
    let (scheme, rest) = split_once_str(url, "://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = &rest[..until_any(rest, b"/?#")];
    if authority.bytes().any(|b| b == b'@') {
        return Err(bad());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (inside, after) = split_once(v6, b']').ok_or_else(bad)?;
            (cat(&["[", inside, "]"]), after.strip_prefix(':'))
        }
        None => match split_once(authority, b':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        },
    };
    let after_host = &authority[host.len()..];
    let port_ok = match port {
        Some(p) => {
            !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && whole::<u16>(p).is_some()
        }
        None => after_host.is_empty(),
    };
    if !port_ok {
        return Err(bad());
    }
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match scheme.as_str() {
        "https" if host_ok => Ok(url.to_owned()),
        "http" if host_ok && loopback => Ok(url.to_owned()),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_accepts_two_names_only() {
        assert_eq!(parse_env(None).unwrap(), Env::ProductionSandbox);
        assert_eq!(parse_env(Some("production")).unwrap(), Env::Production);
        let err = parse_env(Some("sandbox")).unwrap_err().to_string();
        assert_eq!(
            err,
            "okra-events: option `env` must be \"production\" or \"production-sandbox\", got \"sandbox\""
        );
    }

    #[test]
    fn ms_must_be_positive_whole_numbers() {
        assert_eq!(parse_ms("timeout", 1500.0, String::new).unwrap(), 1500);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 3e9] {
            let err = parse_ms("timeout", bad, || format!("number {bad}"))
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                format!("okra-events: option `timeout` must be {MS_EXPECTED}, got number {bad}")
            );
        }
    }

    #[test]
    fn url_errors_never_repeat_credentials() {
        let err = parse_callback_url("https://user:hunter2@collector.example/events?x=1")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2") && !err.contains("user:"), "{err}");
        assert!(
            err.contains("https://***@collector.example/events?x=1"),
            "{err}"
        );
    }

    #[test]
    fn callback_urls() {
        for ok in [
            "https://collector.example/events",
            "https://collector.example:8443/e?x=1",
            "HTTPS://Collector.Example/",
            "http://localhost:8787/events",
            "http://127.0.0.1:8787/events",
            "http://[::1]:8787/events",
            "https://[2001:db8::1]/events",
        ] {
            assert_eq!(parse_callback_url(ok).unwrap(), ok, "{ok}");
        }
        for bad in [
            "http://collector.example/events",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/",
            "ftp://localhost/",
            "javascript:alert(1)",
            "https://",
            "https://user:pw@collector.example/",
            "https://collector example/",
            "//collector.example/",
            "collector.example/events",
            "https://collector.example:port/",
            "https://collector.example:65536/",
            "https://collector.example:99999/",
            "https://collector.example/\u{3000}events",
            "https://collector.example/\u{a0}",
            "",
        ] {
            let err = parse_callback_url(bad).unwrap_err().to_string();
            assert!(err.contains("option `event_callback_url`"), "{bad}: {err}");
        }
    }
}
