//! The widget's side of the bridge between the merchant's page and the
//! widget's iframe: the host's messages decoded against malformed, oversized,
//! nested and hostile input, and exact origins. The host's side
//! (`okra-events/host`, plain JavaScript) is tested in `tests/js/host-*.mjs`.

use okra_events_core::bridge::{
    check_origin, decode_host_message, encode_bare, origin_allowed, HostMessage, MAX_MESSAGE_BYTES,
    PROTOCOL,
};
use okra_events_core::{json, Value};
use proptest::prelude::*;

fn message(kind: &str, fields: &[(&str, &str)]) -> String {
    let mut text = format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"{kind}\"");
    for (k, v) in fields {
        text.push_str(&format!(",\"{k}\":{v}"));
    }
    text.push('}');
    text
}

/// The host's `ack`, as okra-events/host writes it.
fn ack(options: &str) -> String {
    message("ack", &[("options", options)])
}

// ---- decoding ---------------------------------------------------------------

#[test]
fn the_hosts_messages_decode() {
    let Some(HostMessage::Ack { options }) = decode_host_message(&ack(
        r#"{"key":"pk_test","token":"tok","meta":{"a":[1,{"b":null}]}}"#,
    )) else {
        panic!("the ack was refused")
    };
    assert_eq!(
        json::to_string(&options),
        r#"{"key":"pk_test","token":"tok","meta":{"a":[1,{"b":null}]}}"#
    );
    assert_eq!(
        decode_host_message(&encode_bare("close_request")),
        Some(HostMessage::Close)
    );
    assert_eq!(
        encode_bare("syn"),
        format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"syn\"}}")
    );
}

#[test]
fn malformed_messages_are_dropped() {
    let cases = [
        String::new(),
        "null".into(),
        "\"ack\"".into(),
        "[]".into(),
        "{}".into(),
        "{\"okra\":\"okra-events/bridge/0\",\"type\":\"close_request\"}".into(),
        format!("{{\"okra\":\"{PROTOCOL}\"}}"),
        format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"nope\"}}"),
        format!("{{\"okra\":\"{PROTOCOL}\",\"type\":7}}"),
        // The widget's own messages are not the host's.
        encode_bare("syn"),
        encode_bare("ready"),
        message("event", &[("event", "{}")]),
        message("close", &[("json", "{}"), ("error", "null")]),
        // An extra field, a missing field, options that are not an object.
        message("close_request", &[("now", "true")]),
        message("ack", &[]),
        ack("[]"),
        ack("\"key\""),
        ack("null"),
        message("ack", &[("options", "{}"), ("port", "1")]),
        // Truncated, trailing text, comments, the marker in another case.
        ack("{}")[..30].to_owned(),
        format!("{} x", ack("{}")),
        format!("{}//", encode_bare("close_request")),
        encode_bare("close_request").replace("okra-events", "OKRA-EVENTS"),
    ];
    for text in cases {
        assert_eq!(decode_host_message(&text), None, "accepted {text:?}");
    }
}

#[test]
fn oversized_and_deep_messages_are_dropped() {
    let big = format!("{{\"k\":\"{}\"}}", "a".repeat(MAX_MESSAGE_BYTES));
    assert_eq!(decode_host_message(&ack(&big)), None);
    let fits = format!("{{\"k\":\"{}\"}}", "a".repeat(MAX_MESSAGE_BYTES - 200));
    assert!(decode_host_message(&ack(&fits)).is_some());
    for depth in [40, 10_000, 200_000] {
        let deep = format!("{{\"k\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(decode_host_message(&ack(&deep)), None);
        let open_only = "{\"a\":".repeat(depth);
        assert_eq!(decode_host_message(&open_only), None);
    }
}

#[test]
fn prototype_keys_are_plain_data() {
    let text = ack(r#"{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}"#);
    let Some(HostMessage::Ack { options }) = decode_host_message(&text) else {
        panic!("the ack was refused")
    };
    let keys: Vec<&str> = options
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["__proto__", "constructor"]);
    // A duplicate `type` key cannot smuggle a second meaning in: the last
    // value counts, as in JSON.parse, and then the fields must fit it.
    let twice = format!(
        "{{\"okra\":\"{PROTOCOL}\",\"type\":\"ack\",\"type\":\"close_request\",\"options\":{{}}}}"
    );
    assert_eq!(decode_host_message(&twice), None);
    let options = Value::object();
    assert_eq!(
        decode_host_message(&ack("{}")),
        Some(HostMessage::Ack { options })
    );
}

// ---- origins ------------------------------------------------------------------

#[test]
fn allowed_origins_are_exact_origins() {
    for ok in [
        "https://merchant.example",
        "https://merchant.example:8443",
        "https://a-b.c.example",
        "http://localhost:5173",
        "http://127.0.0.1:4100",
        "http://[::1]:8080",
        "http://localhost",
        "https://[2001:db8::1]",
    ] {
        assert_eq!(check_origin(ok), Ok(()), "{ok}");
    }
    for bad in [
        "*",
        "https://*.merchant.example",
        "https://merchant.example/",
        "https://merchant.example/path",
        "https://merchant.example?x",
        "https://Merchant.example",
        "https://merchant.example:443",
        "http://localhost:80",
        "https://merchant.example:0443",
        "https://merchant.example:99999",
        "https://merchant.example:",
        "http://merchant.example",
        "http://localhost.evil.example",
        "ftp://merchant.example",
        "merchant.example",
        "null",
        "",
        "https://",
        "https://user@merchant.example",
        "https://[::1",
    ] {
        assert!(check_origin(bad).is_err(), "{bad} was accepted");
    }
}

#[test]
fn origins_are_compared_whole() {
    let allowed = vec![
        "http://127.0.0.1:4100".to_owned(),
        "https://app.okra.ng".to_owned(),
    ];
    assert!(origin_allowed(&allowed, "http://127.0.0.1:4100"));
    assert!(origin_allowed(&allowed, "https://app.okra.ng"));
    for lookalike in [
        "http://127.0.0.1:41001",
        "http://127.0.0.1:410",
        "https://app.okra.ng.evil.com",
        "https://app.okra.ng:8443",
        "https://evil.app.okra.ng",
        "http://app.okra.ng",
        "https://APP.OKRA.NG",
        "https://app.okra.ng/",
    ] {
        assert!(!origin_allowed(&allowed, lookalike), "{lookalike}");
    }
}

// ---- properties -----------------------------------------------------------------

/// Text near the protocol: real messages cut, spliced and mutated.
fn near_messages() -> impl Strategy<Value = String> {
    let seeds = [
        ack(r#"{"key":"pk","token":"tok","options":{"a":[1,2,{"b":null}]}}"#),
        encode_bare("close_request"),
    ];
    (0..seeds.len(), any::<usize>(), any::<usize>(), ".{0,12}").prop_map(
        move |(i, at, len, insert)| {
            let s = &seeds[i];
            let at = at % (s.len() + 1);
            let end = (at + len % 8).min(s.len());
            let (at, end) = (floor_char(s, at), floor_char(s, end));
            format!("{}{}{}", &s[..at], insert, &s[end..])
        },
    )
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn decoding_arbitrary_text_never_panics(text in ".{0,300}") {
        prop_assert_eq!(decode_host_message(&text), None);
    }

    #[test]
    fn a_mutated_message_decodes_only_as_what_it_still_is(text in near_messages()) {
        match decode_host_message(&text) {
            // Whatever got through is exactly an ack with object options, or the close request.
            Some(HostMessage::Ack { options }) => {
                prop_assert!(options.as_object().is_some());
                prop_assert!(text.contains("\"ack\""));
            }
            Some(HostMessage::Close) => prop_assert!(text.contains("\"close_request\"")),
            None => {}
        }
    }
}
