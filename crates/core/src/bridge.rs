//! The widget in its own origin, the widget's side: the messages it reads
//! from the merchant's page (the host) and writes to it, and the allowed
//! origins. The host's side, and its rules, are `okra-events/host`'s plain
//! JavaScript (`js/host/`), which reads and writes the same messages.
//!
//! The protocol, in order:
//! 1. The widget posts `syn` to its parent window with target origin `"*"`.
//!    It carries no data: the widget has not checked who its parent is yet.
//! 2. The host acts only on a `syn` from its own iframe's window and from the
//!    exact widget origin. It creates a `MessageChannel` and posts `ack`, with
//!    the options, to that exact origin, transferring one port. A later `syn`
//!    from the same iframe (a reload) gets a new channel; the old port is closed.
//! 3. The widget accepts the `ack` only from its parent window and from an
//!    origin in its `allowedOrigins`, then answers `ready` on the port.
//! 4. From then on, every message travels on the port, which only the two
//!    sides hold: the widget's events and callbacks, and the host's
//!    `close_request`.
//!
//! Every message is JSON text of one object with `"okra"` set to
//! [`PROTOCOL`] and a `"type"`, and exactly the fields of that type. Anything
//! else (another shape, an extra field, a value that is not text, text over
//! [`MAX_MESSAGE_BYTES`], nesting deeper than the JSON reader allows) is
//! dropped: decoding returns `None` and never panics. Data from the other side
//! is untrusted input, and the JSON reader builds plain values, so no key
//! (`__proto__` included) can reach a prototype.
//!
//! Layer 3 (sessions, delivery and the bridge; see the crate's documentation): it uses only the layers below it.

use crate::json;
use crate::text;
use crate::value::Value;

/// The protocol marker and version every message carries in `"okra"`.
pub const PROTOCOL: &str = "okra-events/bridge/1";

/// The largest message either side acts on, in bytes of JSON text. An event
/// is at most 32 KiB; the rest is room for the session metadata in `close`
/// and the options in `ack`.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// What the host sends to the widget.
#[derive(Debug, Clone, PartialEq)]
pub enum HostMessage {
    /// The answer to `syn`, with the options the widget's handler is built from.
    Ack {
        /// Every option of the host's except functions and `container`.
        options: Value,
    },
    /// `widget.close()`: the widget should close.
    Close,
}

/// Reads the object of a message and checks its marker, its type and that it
/// has exactly the fields of that type besides them.
fn envelope<'a>(text: &str, parsed: &'a mut Value) -> Option<&'a str> {
    if text.len() > MAX_MESSAGE_BYTES {
        return None;
    }
    *parsed = json::parse(text).ok()?;
    let map = parsed.as_object()?;
    if parsed.get("okra")?.as_str()? != PROTOCOL {
        return None;
    }
    let kind = parsed.get("type")?.as_str()?;
    let expected = fields_of(kind)?;
    let known = |k: &str| k == "okra" || k == "type" || expected.contains(&k);
    (map.len() == 2 + expected.len() && map.iter().all(|(k, _)| known(k))).then_some(kind)
}

/// The fields of each message the host sends, besides `okra` and `type`.
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "close_request" => &[],
        "ack" => &["options"],
        _ => return None,
    })
}

fn take(v: &mut Value, key: &str) -> Value {
    match v {
        Value::Object(map) => map
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| map.remove(i).1)
            .unwrap_or_default(),
        _ => Value::Null,
    }
}

/// Decodes a message from the host. `None` for anything else.
pub fn decode_host_message(text: &str) -> Option<HostMessage> {
    let mut v = Value::Null;
    let kind = envelope(text, &mut v)?.to_owned();
    match kind.as_str() {
        "ack" => match take(&mut v, "options") {
            options @ Value::Object(_) => Some(HostMessage::Ack { options }),
            _ => None,
        },
        "close_request" => Some(HostMessage::Close),
        _ => None,
    }
}

/// The message with only a type: `syn`, `ready` or `close_request`.
pub fn encode_bare(kind: &str) -> String {
    let mut out = String::with_capacity(64);
    out.push_str("{\"okra\":");
    json::write_str(&mut out, PROTOCOL);
    out.push_str(",\"type\":");
    json::write_str(&mut out, kind);
    out.push('}');
    out
}

/// Checks one entry of `allowedOrigins`: exactly an origin as browsers report
/// it in `MessageEvent.origin` (`https://host` or `https://host:port`;
/// `http:` only for localhost, 127.0.0.1 and [::1]), lower case, with no
/// default port, path, wildcard or trailing slash. Returns why not.
pub fn check_origin(origin: &str) -> Result<(), &'static str> {
    const CANONICAL: &str = "an origin with a lower-case host and nothing after the host and port (no path or trailing slash)";
    if origin.bytes().any(|b| b == b'*') {
        return Err("an exact origin: wildcards and patterns are not allowed");
    }
    // Scheme, host, port and the loopback rule for http: as for URL options.
    if crate::options::parse_widget_url(origin).is_err() {
        return Err("an https: origin such as \"https://merchant.example\" (http: only for localhost, 127.0.0.1 or [::1])");
    }
    // Then exactly the form a browser reports in `MessageEvent.origin`.
    let (scheme, authority) = text::split_once_str(origin, "://").unwrap_or_default();
    if text::until_any(authority, b"/?#") < authority.len()
        || origin.bytes().any(|b| b.is_ascii_uppercase())
    {
        return Err(CANONICAL);
    }
    let (host, port) = match text::rsplit_once(authority, b':') {
        Some((host, port)) if !authority.ends_with(']') => (host, port),
        _ => (authority, ""),
    };
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(CANONICAL);
        }
    }
    if port.starts_with('0') {
        return Err(CANONICAL);
    }
    let default_port = if scheme == "https" { "443" } else { "80" };
    if port == default_port {
        return Err("an origin as the browser reports it, without the scheme's default port");
    }
    Ok(())
}

/// Whether `origin` is one of `allowed`, compared whole: no prefix, suffix or
/// pattern matching.
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| a == origin)
}
