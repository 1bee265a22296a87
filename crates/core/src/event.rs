//! The event object: what `onEvent` receives, what `handler.events()` lists and
//! what the webhook stores. The event log service deserializes the same type,
//! so there is one schema.
//!
//! Layer 2 (the widget's vocabulary; see the crate's documentation): it uses only the layers below it.

use serde::{Deserialize, Serialize};

use crate::catalog::{self, Category};
use crate::json;
use crate::screen::Screen;
use crate::text::{self, cat};
use crate::value::Value;

/// The only `event_type` the widget documents.
pub const DATA_EVENT: &str = "DATA_EVENT";

/// The event object's fields, in the order they are written.
pub const EVENT_FIELDS: [&str; 13] = [
    "event",
    "event_name",
    "event_type",
    "event_category",
    "event_screen",
    "event_time",
    "event_location",
    "event_callback_url",
    "event_data",
    "withError",
    "event_id",
    "session_id",
    "sequence",
];

/// The `event_id` of an event the session wrote as JSON
/// ([`write_event_fields`]): the last `"event_id":"` starts it,
/// after anything the data holds, and the session's ids are 36 characters.
pub fn id_in_json(json: &str) -> Option<&str> {
    const KEY: &[u8] = b"\"event_id\":\"";
    let at = json.as_bytes().windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    json.get(at..at + 36)
}

/// The largest event, in bytes of its JSON (SPEC section 4). A bigger one is
/// refused where it is made, with an error that names the call, instead of
/// being emitted, queued and then dropped by a webhook far from that call.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;

/// The largest `sequence`: 2^53 − 1, the largest whole number a JavaScript
/// number (the dashboard's, a page's) holds exactly.
pub const MAX_SEQUENCE: u64 = (1 << 53) - 1;

/// The most keys one object in `event_data` may have, at any depth, where
/// events are received (the event log). The widget's events are at most
/// 32 KiB, which holds a few thousand keys at the very most.
pub const MAX_KEYS_PER_OBJECT: usize = 1_000;

/// Event times are received from 1970 up to (not including) this year. The
/// bound keeps storage keys in range and catches clocks that are far off.
pub const MAX_EVENT_YEAR: i16 = 3000;

/// Whether an `event_id` or `session_id` is 1 to 64 characters of
/// `A-Z a-z 0-9 _ . : -`: what survives a comma-separated list, a URL and a
/// terminal unchanged, and what the event log takes.
pub fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// One widget event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Always `true`: marks the object as an event in mixed message streams.
    pub event: bool,
    /// Canonical UPPER_SNAKE name from the catalog.
    pub event_name: String,
    /// Always `DATA_EVENT`.
    pub event_type: String,
    /// The catalog category.
    pub event_category: Category,
    /// The screen shown when the event happened, if any. Present even when
    /// null, as every field (a missing one is refused, not taken as null).
    #[serde(deserialize_with = "Option::deserialize")]
    pub event_screen: Option<Screen>,
    /// ISO-8601 UTC with milliseconds.
    pub event_time: String,
    /// The page's URL when the event happened (null outside a browser).
    #[serde(deserialize_with = "Option::deserialize")]
    pub event_location: Option<String>,
    /// The webhook the event is delivered to, or null.
    #[serde(deserialize_with = "Option::deserialize")]
    pub event_callback_url: Option<String>,
    /// The session's tracking id plus the event's own fields, with credentials removed.
    pub event_data: Value,
    /// True exactly when the user was shown an error.
    #[serde(rename = "withError")]
    pub with_error: bool,
    /// Unique per event and stable across delivery retries (UUID v7).
    pub event_id: String,
    /// The session the event belongs to.
    pub session_id: String,
    /// 1, 2, 3, ... within the session, with no gaps and no repeats.
    pub sequence: u64,
}

/// Why an event could not be an event: what the event log says when it
/// refuses a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEvent(pub String);

impl std::fmt::Display for InvalidEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Event {
    /// The event written as `json` (by [`write_event`] or a
    /// widget), if it is one exactly: every field, of its type, valid.
    pub fn from_json(json: &str) -> Option<Event> {
        event_from_value(crate::json::parse(json).ok()?)
    }

    /// Checks what the type system cannot: the name is in the catalog with this
    /// category, the ids are present, the sequence runs from 1 to
    /// [`MAX_SEQUENCE`], the data is an object, the time is ISO-8601 UTC.
    pub fn validate(&self) -> Result<(), InvalidEvent> {
        let bad = |m: String| Err(InvalidEvent(m));
        let spec = match crate::catalog::lookup(&self.event_name) {
            Ok(spec) if spec.name == self.event_name => spec,
            _ => {
                return bad(cat(&[
                    "event_name \"",
                    &self.event_name,
                    "\" is not a catalog name",
                ]))
            }
        };
        if spec.category != self.event_category {
            return bad(cat(&[
                "event_category of ",
                spec.name,
                " must be \"",
                spec.category.as_str(),
                "\"",
            ]));
        }
        if !self.event {
            return bad("event must be true".into());
        }
        if self.event_type != DATA_EVENT {
            return bad(cat(&["event_type must be \"", DATA_EVENT, "\""]));
        }
        if self.event_id.is_empty() || self.event_id.len() > 64 {
            return bad("event_id must be 1 to 64 characters".into());
        }
        if self.session_id.is_empty() || self.session_id.len() > 64 {
            return bad("session_id must be 1 to 64 characters".into());
        }
        if self.sequence == 0 {
            return bad("sequence starts at 1".into());
        }
        if self.sequence > MAX_SEQUENCE {
            return bad("sequence is at most 9007199254740991 (2^53 - 1)".into());
        }
        if self.event_data.as_object().is_none() {
            return bad("event_data must be an object".into());
        }
        let t = self.event_time.as_bytes();
        let iso = t.len() == 24
            && t[4] == b'-'
            && t[7] == b'-'
            && t[10] == b'T'
            && t[13] == b':'
            && t[16] == b':'
            && t[19] == b'.'
            && t[23] == b'Z';
        if !iso {
            return bad("event_time must be ISO-8601 UTC like 2026-11-27T01:20:54.123Z".into());
        }
        Ok(())
    }
}

/// An event from its JSON value, with exactly the event object's fields, of
/// the right types, passing [`Event::validate`].
pub fn event_from_value(v: Value) -> Option<Event> {
    let map = v.as_object()?;
    if map.len() != EVENT_FIELDS.len()
        || !map.iter().all(|(k, _)| EVENT_FIELDS.contains(&k.as_str()))
    {
        return None;
    }
    let text = |k: &str| v.get(k)?.as_str().map(str::to_owned);
    let flag = |k: &str| match v.get(k)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    };
    let nullable = |k: &str| match v.get(k)? {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        _ => None,
    };
    let name = text("event_name")?;
    let spec = catalog::lookup(&name).ok()?;
    let category = text("event_category")?;
    if category != spec.category.as_str() {
        return None;
    }
    let screen = match nullable("event_screen")? {
        None => None,
        Some(s) => match Screen::parse(&s) {
            Ok(screen) if screen.as_str() == s => Some(screen),
            _ => return None,
        },
    };
    let sequence = match v.get("sequence")? {
        Value::Number(n) if n.len() <= 15 && n.bytes().all(|b| b.is_ascii_digit()) => {
            text::whole(n)?
        }
        _ => return None,
    };
    let event = Event {
        event: flag("event")?,
        event_name: name,
        event_type: text("event_type")?,
        event_category: spec.category,
        event_screen: screen,
        event_time: text("event_time")?,
        event_location: nullable("event_location")?,
        event_callback_url: nullable("event_callback_url")?,
        event_data: v.get("event_data")?.clone(),
        with_error: flag("withError")?,
        event_id: text("event_id")?,
        session_id: text("session_id")?,
        sequence,
    };
    event.validate().ok()?;
    Some(event)
}

/// An event's fields, borrowed: what [`write_event`] writes. The session
/// writes its new events from these, without building an [`Event`] (and a
/// copy of each of its strings) first.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    /// `event`.
    pub event: bool,
    /// `event_name`.
    pub name: &'a str,
    /// `event_type`.
    pub event_type: &'a str,
    /// `event_category`.
    pub category: &'a str,
    /// `event_screen`.
    pub screen: Option<&'a str>,
    /// `event_time`.
    pub time: &'a str,
    /// `event_location`.
    pub location: Option<&'a str>,
    /// `event_callback_url`.
    pub callback_url: Option<&'a str>,
    /// `event_data`.
    pub data: &'a Value,
    /// `withError`.
    pub with_error: bool,
    /// `event_id`.
    pub event_id: &'a str,
    /// `session_id`.
    pub session_id: &'a str,
    /// `sequence`.
    pub sequence: u64,
}

/// Writes an event as compact JSON, its fields in [`EVENT_FIELDS`] order.
/// The output equals serde's serialization of [`Event`].
///
pub fn write_event(out: &mut String, e: &Event) {
    write_event_fields(
        out,
        &EventFields {
            event: e.event,
            name: &e.event_name,
            event_type: &e.event_type,
            category: e.event_category.as_str(),
            screen: e.event_screen.map(|s| s.as_str()),
            time: &e.event_time,
            location: e.event_location.as_deref(),
            callback_url: e.event_callback_url.as_deref(),
            data: &e.event_data,
            with_error: e.with_error,
            event_id: &e.event_id,
            session_id: &e.session_id,
            sequence: e.sequence,
        },
    );
}

/// Writes an event from its fields, as [`write_event`] does.
pub fn write_event_fields(out: &mut String, e: &EventFields) {
    out.push_str("{\"event\":");
    out.push_str(if e.event { "true" } else { "false" });
    out.push_str(",\"event_name\":");
    json::write_str(out, e.name);
    out.push_str(",\"event_type\":");
    json::write_str(out, e.event_type);
    out.push_str(",\"event_category\":");
    json::write_str(out, e.category);
    out.push_str(",\"event_screen\":");
    json::opt_str(out, e.screen);
    out.push_str(",\"event_time\":");
    json::write_str(out, e.time);
    out.push_str(",\"event_location\":");
    json::opt_str(out, e.location);
    out.push_str(",\"event_callback_url\":");
    json::opt_str(out, e.callback_url);
    out.push_str(",\"event_data\":");
    json::write_value(out, e.data);
    out.push_str(",\"withError\":");
    out.push_str(if e.with_error { "true" } else { "false" });
    out.push_str(",\"event_id\":");
    json::write_str(out, e.event_id);
    out.push_str(",\"session_id\":");
    json::write_str(out, e.session_id);
    out.push_str(",\"sequence\":");
    json::write_u64(out, e.sequence);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"event":true,"event_name":"USER_CONNECTING","event_type":"DATA_EVENT","event_category":"auth","event_screen":null,"event_time":"2026-11-27T01:20:54.123Z","event_location":null,"event_callback_url":null,"event_data":{"tracking_id":"T1"},"withError":false,"event_id":"e1","session_id":"s1","sequence":1}"#;

    #[test]
    fn every_field_must_be_present_even_when_null() {
        assert!(serde_json::from_str::<Event>(GOOD)
            .unwrap()
            .validate()
            .is_ok());
        for field in ["event_screen", "event_location", "event_callback_url"] {
            let without = GOOD.replace(&format!(r#""{field}":null,"#), "");
            let err = serde_json::from_str::<Event>(&without).unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("missing field `{field}`")),
                "{err}"
            );
        }
    }

    #[test]
    fn sequence_stays_exact_in_javascript() {
        assert_eq!(MAX_SEQUENCE, 9_007_199_254_740_991);
        let at = |n: u64| {
            let text = GOOD.replace(r#""sequence":1"#, &format!(r#""sequence":{n}"#));
            serde_json::from_str::<Event>(&text).unwrap().validate()
        };
        assert!(at(MAX_SEQUENCE).is_ok());
        let err = at(MAX_SEQUENCE + 1).unwrap_err();
        assert!(err.0.contains("at most 9007199254740991"), "{err}");
    }
}
