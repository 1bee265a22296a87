//! The published JSON Schemas (`schema/*.json`, draft 2020-12) are generated
//! here from the core itself: the catalog, the screens, the event's rules,
//! how the session emits each event, the sender's batches, and the callback
//! payloads the session and the host really build. This test writes them
//! with `OKRA_REGENERATE=1` and otherwise fails when a committed file differs
//! from what the core says today, so the schemas cannot drift.
//!
//! Every `$id` carries a SchemaVer version (README, "Published schemas"), and
//! `schema/versions.txt` records a fingerprint of each version's text: a
//! schema whose text changes without a new version fails here too.

use std::path::PathBuf;

use okra_events_core::delivery::Policy;
use okra_events_core::emitted::{self, ErrorFlag, ScreenRule};
use okra_events_core::engine::sender::Report;
use okra_events_core::event::{
    DATA_EVENT, EVENT_FIELDS, MAX_EVENT_YEAR, MAX_KEYS_PER_OBJECT, MAX_SEQUENCE,
};
use okra_events_core::value::MAX_DEPTH;
use okra_events_core::{json, Category, Config, Ctx, Output, Screen, Session, Value, CATALOG};

/// Where the `$id`s live: the project's GitHub organization (the one in
/// `repository`), so nobody else can publish under it, and GitHub Pages can
/// serve the files there without changing an id. No package version is in
/// it: an id names a schema version, which outlives package releases.
const BASE: &str = "https://okra-events.github.io/schema/";
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Each published schema: file stem and SchemaVer (MODEL-REVISION-ADDITION).
const SCHEMAS: [(&str, &str); 5] = [
    ("event", "1-0-0"),
    ("webhook-body", "1-0-0"),
    ("on-success", "1-0-0"),
    ("on-error", "1-0-0"),
    ("on-close", "1-0-0"),
];

// ---- building ordered JSON --------------------------------------------------

macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {
        Value::Object(vec![$(($k.to_string(), Value::from($v))),*])
    };
}

fn arr<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(items.into_iter().map(Into::into).collect())
}

fn num(n: u64) -> Value {
    Value::from(n)
}

fn id(name: &str) -> String {
    let version = SCHEMAS.iter().find(|(n, _)| *n == name).unwrap().1;
    format!("{BASE}{name}/{version}")
}

fn reference(def: &str) -> Value {
    obj! { "$ref" => format!("#/$defs/{def}") }
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v.set(key, value);
    v
}

/// A schema document: dialect, id, title and description first.
fn document(name: &str, title: &str, description: &str, body: Value) -> Value {
    let mut doc = obj! {
        "$schema" => DIALECT,
        "$id" => id(name),
        "title" => title,
        "description" => description,
    };
    if let (Value::Object(d), Value::Object(b)) = (&mut doc, body) {
        d.extend(b);
    }
    doc
}

/// JSON with two-space indentation; arrays of plain values on one line.
fn pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                json::write_str(out, k);
                out.push_str(": ");
                pretty(v, indent + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(items)
            if items
                .iter()
                .any(|i| matches!(i, Value::Object(_) | Value::Array(_))) =>
        {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                pretty(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json::write_value(out, item);
            }
            out.push(']');
        }
        other => json::write_value(out, other),
    }
}

// ---- the event --------------------------------------------------------------

/// ISO-8601 UTC with milliseconds, a real calendar date from 1970 up to
/// (not including) [`MAX_EVENT_YEAR`]: what the event log's ingest takes
/// (its clock parser accepts a leap second, `:60`).
fn time_pattern() -> String {
    assert_eq!(
        MAX_EVENT_YEAR, 3000,
        "MAX_EVENT_YEAR changed: write the year alternatives below for the new range"
    );
    let year = "(?:19[7-9][0-9]|2[0-9]{3})";
    let leap_year = "(?:19(?:7[26]|8[048]|9[26])|2[0-9](?:0[48]|[2468][048]|[13579][26])|2[048]00)";
    let month_day = "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
    let time = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)\\.[0-9]{3}Z";
    format!("^(?:{year}-{month_day}|{leap_year}-02-29){time}$")
}

const ID_PATTERN: &str = "^[A-Za-z0-9_.:-]{1,64}$";

fn screen_names() -> Vec<&'static str> {
    Screen::ALL.iter().map(|s| s.as_str()).collect()
}

const CATEGORIES: [Category; 5] = [
    Category::Auth,
    Category::Payment,
    Category::ReturningUser,
    Category::Network,
    Category::General,
];

/// `if event_name is one of names then <then>`.
fn when_named(names: Vec<&'static str>, then: Value) -> Value {
    obj! {
        "if" => obj! {
            "type" => "object",
            "properties" => obj! { "event_name" => obj! { "enum" => arr(names) } },
            "required" => arr(["event_name"]),
        },
        "then" => obj! { "type" => "object", "properties" => then },
    }
}

/// Each name's category, as the event log checks it.
fn catalog_rules() -> Value {
    let rules = CATEGORIES.iter().map(|&c| {
        let names = CATALOG
            .iter()
            .filter(|e| e.category == c)
            .map(|e| e.name)
            .collect();
        when_named(
            names,
            obj! { "event_category" => obj! { "const" => c.as_str() } },
        )
    });
    obj! {
        "description" => "The category of each event name, from the catalog.",
        "allOf" => arr(rules),
    }
}

/// How this version emits each event (`crate::emitted`), which the event
/// log does not check: the tracking id, the screens and `withError`.
fn emitted_rules() -> Value {
    let mut rules = vec![obj! {
        "type" => "object",
        "properties" => obj! {
            "event_data" => obj! {
                "type" => "object",
                "required" => arr(["tracking_id"]),
                "properties" => obj! { "tracking_id" => obj! { "type" => "string" } },
            },
        },
    }];
    let group = |want: &dyn Fn(ScreenRule) -> bool| -> Vec<&'static str> {
        emitted::rules()
            .filter(|&(_, s, _)| want(s))
            .map(|(n, _, _)| n)
            .collect()
    };
    let nulls = group(&|s| s == ScreenRule::Null);
    if !nulls.is_empty() {
        rules.push(when_named(
            nulls,
            obj! { "event_screen" => obj! { "const" => Value::Null } },
        ));
    }
    let any_screen = group(&|s| s == ScreenRule::AnyScreen);
    if !any_screen.is_empty() {
        rules.push(when_named(
            any_screen,
            obj! { "event_screen" => obj! { "type" => "string" } },
        ));
    }
    for screen in Screen::ALL {
        let only = group(&|s| s == ScreenRule::Only(screen));
        if !only.is_empty() {
            rules.push(when_named(
                only,
                obj! { "event_screen" => obj! { "const" => screen.as_str() } },
            ));
        }
    }
    for (flag, value) in [(ErrorFlag::Always, true), (ErrorFlag::Never, false)] {
        let names = emitted::rules()
            .filter(|&(_, _, f)| f == flag)
            .map(|(n, _, _)| n)
            .collect();
        rules.push(when_named(
            names,
            obj! { "withError" => obj! { "const" => value } },
        ));
    }
    obj! {
        "description" => "How okra-events emits each event: event_data starts with the session's tracking_id; USER_CONNECTING comes before any screen, USER_CONNECTED with one, a screen's landing event and USER_BANK_SEARCH on their own screen; withError is true exactly on USER_CONNECTION_FAILED and USER_TIMEOUT, either on USER_NETWORK_DISCONNECTED (an error when it cuts a connection attempt short). The event log stores events without checking these rules (README, Published schemas).",
        "allOf" => Value::Array(rules),
    }
}

/// `event_data` and its nesting: objects of at most [`MAX_KEYS_PER_OBJECT`]
/// keys, and at most [`MAX_DEPTH`] objects and arrays deep, `event_data`
/// itself being the first.
fn data_defs(defs: &mut Vec<(String, Value)>) {
    let level = |n: u32| format!("depth{n}");
    defs.push((
        "data".into(),
        obj! {
            "description" => format!("The session's tracking_id, the screen's details and the event's own fields, without credentials. Every object in it has at most {MAX_KEYS_PER_OBJECT} keys, and objects and arrays nest at most {MAX_DEPTH} deep, counting event_data."),
            "type" => "object",
            "maxProperties" => num(MAX_KEYS_PER_OBJECT as u64),
            "additionalProperties" => reference(&level(2)),
        },
    ));
    for n in 2..=MAX_DEPTH {
        defs.push((
            level(n),
            obj! {
                "type" => arr(["object", "array", "string", "number", "boolean", "null"]),
                "maxProperties" => num(MAX_KEYS_PER_OBJECT as u64),
                "additionalProperties" => reference(&level(n + 1)),
                "items" => reference(&level(n + 1)),
            },
        ));
    }
    defs.push((
        level(MAX_DEPTH + 1),
        obj! {
            "description" => "Past the deepest level: no more objects or arrays.",
            "type" => arr(["string", "number", "boolean", "null"]),
        },
    ));
}

fn event_schema() -> Value {
    let names: Vec<&str> = CATALOG.iter().map(|e| e.name).collect();
    let mut screens: Vec<Value> = screen_names().into_iter().map(Value::from).collect();
    screens.push(Value::Null);
    let nullable_text = |d: &str| obj! { "type" => arr(["string", "null"]), "description" => d };
    let id_field =
        |d: &str| obj! { "type" => "string", "pattern" => ID_PATTERN, "description" => d };
    let properties = obj! {
        "event" => obj! { "const" => true },
        "event_name" => obj! { "enum" => arr(names), "description" => "The canonical catalog name." },
        "event_type" => obj! { "const" => DATA_EVENT },
        "event_category" => obj! { "enum" => arr(CATEGORIES.iter().map(|c| c.as_str())) },
        "event_screen" => obj! { "enum" => Value::Array(screens), "description" => "The screen shown when the event happened, or null before the first." },
        "event_time" => obj! { "type" => "string", "pattern" => time_pattern(), "description" => "ISO-8601 UTC with milliseconds, e.g. 2026-11-27T01:20:54.123Z." },
        "event_location" => nullable_text("The page's URL when the event happened."),
        "event_callback_url" => nullable_text("The webhook the event is delivered to."),
        "event_data" => reference("data"),
        "withError" => obj! { "type" => "boolean", "description" => "True exactly when the user was shown an error." },
        "event_id" => id_field("Unique, stable across delivery retries (a UUID v7 from okra-events)."),
        "session_id" => id_field("The session's id."),
        "sequence" => obj! { "type" => "integer", "minimum" => num(1), "maximum" => num(MAX_SEQUENCE), "description" => "1, 2, 3, ... per session, no gaps, no repeats." },
    };
    assert_eq!(
        properties
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        EVENT_FIELDS,
        "the event's properties are the event object's fields, in order"
    );
    let mut defs = vec![
        ("catalog".to_owned(), catalog_rules()),
        ("emitted".to_owned(), emitted_rules()),
    ];
    data_defs(&mut defs);
    document(
        "event",
        "okra-events event",
        "One widget event: the argument of onEvent, an element of handler.events() and of a webhook body's batch. Generated from the okra-events core.",
        obj! {
            "type" => "object",
            "required" => arr(EVENT_FIELDS),
            "additionalProperties" => false,
            "properties" => properties,
            "allOf" => arr([reference("catalog"), reference("emitted")]),
            "$defs" => Value::Object(defs),
        },
    )
}

// ---- the webhook body ---------------------------------------------------------

fn body_schema() -> Value {
    let policy = Policy::default();
    // What the sender writes, checked against the core's own body writer.
    let written = okra_events_core::delivery::body(["{}"], 1_795_742_454_123);
    let parsed = json::parse(&written).unwrap();
    let keys: Vec<_> = parsed
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["batch", "sent_at"]);
    document(
        "webhook-body",
        "okra-events webhook body",
        "The body okra-events POSTs to event_callback_url, as text/plain;charset=UTF-8: a batch of events in queue order and when it was sent. A batch holds at most 50 events, except the one beacon a page sends as it goes away with events it could not store (up to 1,000). Each event follows the okra-events event schema, referred to by its $id: give a validator both files.",
        obj! {
            "type" => "object",
            "required" => arr(["batch", "sent_at"]),
            "additionalProperties" => false,
            "properties" => obj! {
                "batch" => obj! {
                    "type" => "array",
                    "minItems" => num(1),
                    // 50 per batch; only the last beacon of a page that could not
                    // store its events holds more (Queue::flush_through).
                    "maxItems" => num(policy.last_beacon_events as u64),
                    "items" => obj! { "$ref" => id("event") },
                },
                "sent_at" => obj! { "type" => "string", "pattern" => time_pattern(), "description" => "ISO-8601 UTC with milliseconds." },
            },
        },
    )
}

// ---- the callback payloads ---------------------------------------------------

const T0: u64 = 1_795_742_454_123;

fn ctx(now: u64) -> Ctx<'static> {
    Ctx {
        now,
        mono: now - T0,
        location: Some("https://widget.example/"),
    }
}

fn session() -> Session {
    Session::new(Config::default(), [1, 2], ctx(T0), true)
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect()
}

/// The schema of a flat error object the core built: `type` and the other
/// listed keys are constants, numbers are whole, every key is required.
fn shape(v: &Value, constants: &[&str]) -> Value {
    let props: Vec<(String, Value)> = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, val)| {
            let s = if k == "type" || constants.contains(&k.as_str()) {
                obj! { "const" => val.clone() }
            } else {
                match val {
                    Value::String(_) => obj! { "type" => "string" },
                    Value::Number(_) => obj! { "type" => "integer", "minimum" => num(0) },
                    Value::Bool(_) => obj! { "type" => "boolean" },
                    Value::Object(_) => obj! { "type" => "object" },
                    other => panic!("unexpected {other:?} in an error"),
                }
            };
            (k.clone(), s)
        })
        .collect();
    obj! {
        "type" => "object",
        "required" => arr(keys(v)),
        "additionalProperties" => false,
        "properties" => Value::Object(props),
    }
}

fn type_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap()
}

/// The errors a host reports itself (okra-events/host, `js/host/session.js`,
/// plain JavaScript): samples in the shape it writes them.
/// `tests/e2e/payload-types.test.mjs` validates the real ones, from the
/// end-to-end tests, against the schema made from these.
fn host_errors() -> Vec<Value> {
    let mut timeout = Value::object();
    timeout.set("type", "WIDGET_LOAD_TIMEOUT".into());
    timeout.set("message", "okra-events: the widget at https://widget.example/ did not connect within 20000 ms (widgetTimeout). ...".into());
    timeout.set("timeout", 20_000u64.into());
    timeout.set("widget_url", "https://widget.example/".into());
    let mut failed = Value::object();
    failed.set("type", "WIDGET_FAILED".into());
    failed.set("reason", "HOST_NOT_ALLOWED".into());
    failed.set(
        "message",
        "okra-events: the widget at https://widget.example/ could not start: ...".into(),
    );
    failed.set("widget_url", "https://widget.example/".into());
    vec![timeout, failed]
}

/// Why a host says a widget failed (`WIDGET_FAILED`'s `reason`).
const FAILED_REASONS: [&str; 3] = ["WASM_UNAVAILABLE", "HOST_NOT_ALLOWED", "NOT_FRAMED"];

/// The errors okra-events reports to `onError` by itself: the delivery
/// reports, and in host mode a widget that could not start or did not load.
/// (Storage's health goes to `onDelivery`, not `onError`.)
fn reported_errors() -> Vec<Value> {
    let errors = [
        Report::Overflow {
            dropped: 1,
            ended: false,
        }
        .error(),
        Report::Redirected.error(),
        Report::Rejected {
            status: 400,
            count: 1,
        }
        .error(),
    ]
    .into_iter()
    .chain(host_errors())
    .collect::<Vec<_>>();
    assert!(Report::StorageUnavailable.is_storage() && Report::StorageDegraded.is_storage());
    // A report that reuses a type (QUEUE_OVERFLOW for a full sending tab)
    // must have the same shape.
    for also in [
        Report::Overflow {
            dropped: 2,
            ended: true,
        }
        .error(),
        Report::Waiting { ended: false }.error(),
    ] {
        let same = errors
            .iter()
            .find(|e| type_of(e) == type_of(&also))
            .unwrap();
        assert_eq!(keys(same), keys(&also));
    }
    errors
}

/// The last error a session shows the user, as its metadata carries it.
fn shown_errors() -> Vec<Value> {
    let last = |f: &dyn Fn(&mut Session)| {
        let mut s = session();
        f(&mut s);
        s.metadata().get("error").unwrap().clone()
    };
    vec![
        last(&|s| {
            s.fail(ctx(T0), Value::from("bank down")).unwrap();
        }),
        last(&|s| {
            s.track(ctx(T0), "USER_LOGIN_ATTEMPTED", Value::Null)
                .unwrap();
            s.offline(ctx(T0));
        }),
        last(&|s| {
            s.track(ctx(T0), "USER_LOGIN_ATTEMPTED", Value::Null)
                .unwrap();
            s.tick(ctx(T0 + 10_000_000));
        }),
        last(&|s| {
            s.offline(ctx(T0));
            s.tick(ctx(T0 + 10_000_000));
        }),
    ]
}

/// The metadata's keys, as the session writes them (a host writes the same,
/// which tests/e2e/payload-types.test.mjs checks on the real ones).
fn metadata_keys() -> Vec<String> {
    keys(&session().metadata())
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The `$defs` the callback schemas share.
fn callback_defs(with_delivery: bool) -> Vec<(String, Value)> {
    let reported = reported_errors();
    let reported_types: Vec<&str> = reported.iter().map(type_of).collect();
    let shown = shown_errors();
    let mut shown_types: Vec<&str> = shown.iter().map(type_of).collect();
    shown_types.dedup();
    let reserved: Vec<&str> = reported_types.iter().chain(&shown_types).copied().collect();

    let mut screens: Vec<Value> = screen_names().into_iter().map(Value::from).collect();
    screens.push(Value::Null);
    let count = || obj! { "type" => "integer", "minimum" => num(0) };
    let mut props = vec![
        (
            "session_id",
            obj! { "type" => arr(["string", "null"]), "description" => "null only on a host whose widget sent no event" },
        ),
        (
            "tracking_id",
            obj! { "type" => arr(["string", "null"]), "description" => "null only on a host whose widget sent no event" },
        ),
        ("last_screen", obj! { "enum" => Value::Array(screens) }),
        (
            "bounced",
            obj! { "type" => "boolean", "description" => "Closed without a successful connection." },
        ),
        ("success", obj! { "type" => "boolean" }),
        ("events_count", count()),
        ("error", reference("lastError")),
        (
            "options",
            obj! { "type" => "object", "description" => "The options' `options`, echoed." },
        ),
        (
            "meta",
            obj! { "type" => "object", "description" => "The options' `meta`, echoed." },
        ),
    ];
    assert_eq!(
        props.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(),
        metadata_keys(),
        "the metadata properties are the keys the session and the host write"
    );
    let required = arr(props.iter().map(|(k, _)| *k));
    if with_delivery {
        props.push((
            "delivery",
            obj! {
                "description" => "In onClose of a same-page handler: this session's events at the webhook.",
                "type" => "object",
                "required" => arr(["delivered", "pending", "dropped"]),
                "additionalProperties" => false,
                "properties" => obj! { "delivered" => count(), "pending" => count(), "dropped" => count() },
            },
        ));
    }
    let metadata = obj! {
        "description" => "The session metadata: the json argument of onError, beforeClose and onClose.",
        "type" => "object",
        "required" => required,
        "additionalProperties" => false,
        "properties" => Value::Object(props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
    };
    let reported_error = obj! {
        "description" => "An error okra-events reports by itself: a delivery problem, or (host mode) a widget that could not start or did not connect in time.",
        "oneOf" => arr(reported.iter().map(|e| {
            let mut s = shape(e, &["store"]);
            if type_of(e) == "WIDGET_FAILED" {
                let props = s.get("properties").unwrap().clone();
                s.set("properties", with(props, "reason", obj! { "enum" => arr(FAILED_REASONS) }));
            }
            s
        })),
    };
    let shown_error = obj! {
        "description" => "The last error shown to the user: `type` is the event that showed it.",
        "oneOf" => arr(shown.iter().map(|e| {
            let mut s = shape(e, &["reason", "during_attempt"]);
            if type_of(e) == "USER_CONNECTION_FAILED" {
                // What fail() was given, as its object form.
                let props = s.get("properties").unwrap().clone();
                s.set("properties", with(props, "error", reference("failError")));
            }
            s
        })),
    };
    let fail_error = obj! {
        "description" => "What the widget gave fail(): an Error as itself (across origins, { name, message }), a string as { message }, an object as a copy without credentials. A `type` in it is never one of okra-events' own.",
        "type" => "object",
        "not" => obj! {
            "type" => "object",
            "required" => arr(["type"]),
            "properties" => obj! { "type" => obj! { "enum" => arr(reserved.clone()) } },
        },
    };
    vec![
        ("metadata".into(), metadata),
        (
            "error".into(),
            obj! {
                "description" => "The error argument of onError: one okra-events reports, or what fail() was given.",
                "oneOf" => arr([reference("reportedError"), reference("failError")]),
            },
        ),
        (
            "lastError".into(),
            obj! {
                "description" => "The metadata's error: null, the last error shown to the user; on a host, the last error it passed to onError.",
                "oneOf" => arr([obj! { "type" => "null" }, reference("shownError"), reference("reportedError"), reference("failError")]),
            },
        ),
        ("reportedError".into(), reported_error),
        ("shownError".into(), shown_error),
        ("failError".into(), fail_error),
    ]
}

fn success_schema() -> Value {
    let mut s = session();
    s.success(ctx(T0), Value::object()).unwrap();
    let data = s
        .take_output()
        .into_iter()
        .find_map(|o| match o {
            Output::Success(d) => Some(d),
            _ => None,
        })
        .unwrap();
    let fixed = ["options", "meta", "success"];
    let props: Vec<(String, Value)> = data
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let s = match k.as_str() {
                "success" => obj! { "const" => true },
                "options" => obj! { "type" => "object", "description" => "The options' `options`, echoed." },
                "meta" => obj! { "type" => "object", "description" => "The options' `meta`, echoed." },
                _ => obj! { "description" => "As the widget's success(data) gave it, or this default.", "default" => v.clone() },
            };
            (k.clone(), s)
        })
        .collect();
    assert!(fixed.iter().all(|f| props.iter().any(|(k, _)| k == f)));
    document(
        "on-success",
        "okra-events onSuccess data",
        "The argument of onSuccess(data): what the widget's success(data) gave, with the documented keys defaulted, and options, meta and success set by okra-events. Other keys of the widget's pass through.",
        obj! {
            "type" => "object",
            "required" => arr(keys(&data)),
            "properties" => Value::Object(props),
        },
    )
}

fn error_schema() -> Value {
    let build_error = obj! {
        "description" => "The json argument when buildWithOptions refuses its options, or the WebAssembly module could not start.",
        "type" => "object",
        "required" => arr(["error"]),
        "additionalProperties" => false,
        "properties" => obj! {
            "error" => obj! {
                "type" => "object",
                "required" => arr(["type", "message"]),
                "additionalProperties" => false,
                "properties" => obj! {
                    "type" => obj! { "enum" => arr(["INVALID_OPTIONS", "NO_WINDOW", "WASM_UNAVAILABLE"]) },
                    "option" => obj! { "type" => "string", "description" => "The option that was wrong." },
                    "message" => obj! { "type" => "string" },
                },
            },
        },
    };
    let mut defs = callback_defs(false);
    defs.push(("buildError".into(), build_error));
    document(
        "on-error",
        "okra-events onError arguments",
        "The two arguments of onError(json, error), as the array [json, error]: the session metadata and an error okra-events reports or fail() was given; or, when buildWithOptions refuses, { error: { type, option?, message } } and the Error it throws.",
        obj! {
            "type" => "array",
            "oneOf" => arr([
                pair(reference("metadata"), reference("error")),
                pair(reference("buildError"), obj! { "type" => "object", "description" => "The TypeError or Error thrown." }),
            ]),
            "$defs" => Value::Object(defs),
        },
    )
}

/// The arguments of a two-argument callback, as an array.
fn pair(json: Value, error: Value) -> Value {
    obj! {
        "type" => "array",
        "prefixItems" => arr([json, error]),
        "minItems" => num(2),
        "maxItems" => num(2),
    }
}

fn close_schema() -> Value {
    document(
        "on-close",
        "okra-events onClose arguments",
        "The two arguments of onClose(json, error), as the array [json, error]: the session metadata, and the metadata's error (the last error shown to the user, or null). beforeClose(json) gets the same metadata, without delivery.",
        with(
            pair(reference("metadata"), reference("lastError")),
            "$defs",
            Value::Object(callback_defs(true)),
        ),
    )
}

// ---- files, versions, the test ---------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// FNV-1a, 64 bits: a fingerprint of a schema's text, to notice a change.
fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn generated() -> Vec<(&'static str, String)> {
    let docs = [
        event_schema(),
        body_schema(),
        success_schema(),
        error_schema(),
        close_schema(),
    ];
    SCHEMAS
        .iter()
        .zip(docs)
        .map(|((name, _), doc)| {
            let mut text = String::new();
            pretty(&doc, 0, &mut text);
            text.push('\n');
            (*name, text)
        })
        .collect()
}

#[test]
fn committed_schemas_are_what_the_core_generates() {
    let regenerate = std::env::var_os("OKRA_REGENERATE").is_some_and(|v| v == "1");
    let dir = repo().join("schema");
    let versions_path = dir.join("versions.txt");
    let mut versions = std::fs::read_to_string(&versions_path).unwrap_or_default();
    let mut stale = Vec::new();
    for (name, text) in generated() {
        let version = SCHEMAS.iter().find(|(n, _)| *n == name).unwrap().1;
        let path = dir.join(format!("{name}.json"));
        // One version, one text: a changed schema needs a new version.
        let print = fingerprint(&text);
        let recorded = versions.lines().find_map(|l| {
            let mut f = l.split_whitespace();
            (f.next() == Some(name) && f.next() == Some(version))
                .then(|| f.next().unwrap_or("").to_owned())
        });
        match recorded {
            Some(p) if p != print => panic!(
                "schema/{name}.json changed but its $id still says {version}: give it a new version in SCHEMAS (tests/schema.rs) by the README's rule (Published schemas), then regenerate"
            ),
            Some(_) => {}
            None if regenerate => versions.push_str(&format!("{name} {version} {print}\n")),
            None => stale.push(format!("{name} {version} is not in schema/versions.txt")),
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            if regenerate {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(format!(
                    "schema/{name}.json differs from what the core generates"
                ));
            }
        }
    }
    if regenerate {
        std::fs::write(&versions_path, versions).unwrap();
    }
    assert!(
        stale.is_empty(),
        "{}; run `OKRA_REGENERATE=1 cargo test -p okra-events-core --test schema` and commit schema/",
        stale.join("; ")
    );
}

#[test]
fn every_id_is_versioned_under_the_base() {
    for (name, text) in generated() {
        let doc = json::parse(&text).unwrap();
        let id = doc.get("$id").and_then(Value::as_str).unwrap();
        let version = id.strip_prefix(&format!("{BASE}{name}/")).unwrap();
        let parts: Vec<_> = version.split('-').collect();
        assert_eq!(parts.len(), 3, "{id}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{id}");
        assert_eq!(doc.get("$schema").and_then(Value::as_str), Some(DIALECT));
    }
}
