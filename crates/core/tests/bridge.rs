//! The bridge between the merchant's page and the widget's iframe: message
//! decoding against malformed, oversized, nested and hostile input, the
//! host's rules (each event once and in order, one success per session,
//! onClose once and last), and exact origins.

use okra_events_core::bridge::{
    check_origin, decode_host_message, decode_widget_message, encode_ack, encode_bare,
    origin_allowed, Host, HostMessage, Phase, Step, WidgetMessage, MAX_MESSAGE_BYTES, PROTOCOL,
};
use okra_events_core::{json, Config, Ctx, Event, Output, Screen, Session, Value};
use proptest::prelude::*;

const T0: u64 = 1_795_742_454_123;
/// The widget's page, for hosts whose URL does not matter.
const W: &str = "https://w.example/";

/// Real events, made by a session: USER_CONNECTING, USER_CONNECTED, USER_VIEWED_BANKS...
fn session_events(seed: u64, n: usize) -> Vec<Event> {
    let ctx = Ctx {
        now: T0,
        mono: 0,
        location: Some("https://widget.example/"),
    };
    let mut s = Session::new(Config::default(), [seed, 7], ctx, true);
    let screens = ["landing", "login_method", "bank", "search", "login"];
    let mut i = 0;
    while s.events().len() < n {
        let screen = Screen::parse(screens[i % screens.len()]).unwrap();
        s.screen(ctx, screen, Value::Null).unwrap();
        i += 1;
    }
    s.events()[..n].to_vec()
}

fn message(kind: &str, fields: &[(&str, &str)]) -> String {
    let mut text = format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"{kind}\"");
    for (k, v) in fields {
        text.push_str(&format!(",\"{k}\":{v}"));
    }
    text.push('}');
    text
}

fn event_message(e: &Event) -> String {
    let mut text = String::new();
    json::write_event(&mut text, e);
    message("event", &[("event", &text)])
}

fn decode(text: &str) -> WidgetMessage {
    decode_widget_message(text).unwrap_or_else(|| panic!("refused: {text}"))
}

// ---- decoding ---------------------------------------------------------------

#[test]
fn every_widget_message_decodes() {
    let e = &session_events(1, 1)[0];
    assert_eq!(decode(&encode_bare("syn")), WidgetMessage::Syn);
    assert_eq!(decode(&encode_bare("ready")), WidgetMessage::Ready);
    let mut text = String::new();
    json::write_event(&mut text, e);
    assert_eq!(
        decode(&event_message(e)),
        WidgetMessage::Event {
            event: e.clone(),
            json: text
        }
    );
    assert!(matches!(
        decode(&message("success", &[("data", r#"{"record_id":"r1"}"#)])),
        WidgetMessage::Forward(Output::Success(d)) if d.get("record_id") == Some(&"r1".into())
    ));
    assert!(matches!(
        decode(&message(
            "error",
            &[("json", "{}"), ("error", r#"{"type":"x"}"#)]
        )),
        WidgetMessage::Forward(Output::Error { .. })
    ));
    assert!(matches!(
        decode(&message("before_close", &[("json", "{}")])),
        WidgetMessage::Forward(Output::BeforeClose(_))
    ));
    assert!(matches!(
        decode(&message("close", &[("json", "{}"), ("error", "null")])),
        WidgetMessage::Forward(Output::Close {
            error: Value::Null,
            ..
        })
    ));
}

#[test]
fn host_messages_round_trip() {
    let mut options = Value::object();
    options.set("key", "pk_test".into());
    options.set("token", "tok".into());
    assert_eq!(
        decode_host_message(&encode_ack(&options)),
        Some(HostMessage::Ack {
            options: options.clone()
        })
    );
    assert_eq!(
        decode_host_message(&encode_bare("close_request")),
        Some(HostMessage::Close)
    );
    // Each side only reads its own direction.
    assert_eq!(decode_host_message(&encode_bare("syn")), None);
    assert_eq!(decode_widget_message(&encode_ack(&options)), None);
    assert_eq!(
        decode_host_message(&message("ack", &[("options", "[]")])),
        None
    );
}

#[test]
fn malformed_messages_are_dropped() {
    // USER_CONNECTED, sequence 2, on the landing screen.
    let e = &session_events(2, 2)[1];
    let mut event_text = String::new();
    json::write_event(&mut event_text, e);
    let cases = [
        String::new(),
        "null".into(),
        "\"syn\"".into(),
        "[]".into(),
        "{}".into(),
        "{\"okra\":\"okra-events/bridge/0\",\"type\":\"syn\"}".into(),
        format!("{{\"okra\":\"{PROTOCOL}\"}}"),
        format!("{{\"okra\":\"{PROTOCOL}\",\"type\":\"nope\"}}"),
        format!("{{\"okra\":\"{PROTOCOL}\",\"type\":7}}"),
        // an extra field, a missing field, a field of the wrong kind
        message("ready", &[("success", "true")]),
        message("event", &[]),
        message("close", &[("json", "{}")]),
        message("close", &[("json", "[]"), ("error", "null")]),
        message("before_close", &[("json", "\"x\"")]),
        // truncated, trailing text, comments
        event_message(e)[..40].to_owned(),
        format!("{} x", encode_bare("ready")),
        format!("{}//", encode_bare("ready")),
        // the marker in another case
        encode_bare("ready").replace("okra-events", "OKRA-EVENTS"),
    ];
    for text in cases {
        assert_eq!(decode_widget_message(&text), None, "accepted {text:?}");
    }
    // A message that claims to be the event but is not the event object.
    let bad_events = [
        event_text.replace("\"withError\":false", "\"withError\":\"false\""),
        event_text.replace("\"sequence\":2", "\"sequence\":1.5"),
        event_text.replace("\"sequence\":2", "\"sequence\":-1"),
        event_text.replace("\"sequence\":2", "\"sequence\":0"),
        event_text.replace("\"sequence\":2", "\"sequence\":\"1\""),
        event_text.replace("\"sequence\":2", "\"sequence\":1e3"),
        event_text.replace("\"event\":true", "\"event\":1"),
        event_text.replace(
            "\"event_category\":\"auth\"",
            "\"event_category\":\"network\"",
        ),
        event_text.replace("USER_CONNECTED", "USER_HACKED"),
        event_text.replace("USER_CONNECTED", "user_connected"),
        event_text.replace(
            "\"event_screen\":\"landing\"",
            "\"event_screen\":\"LANDING\"",
        ),
        event_text
            .replace("\"event_data\":{", "\"event_data\":[{")
            .replace("},\"withError\"", "}],\"withError\""),
        event_text.replace("\"sequence\":2}", "\"sequence\":2,\"success\":true}"),
        event_text.replace(",\"sequence\":2}", "}"),
        event_text.replace(&e.event_time, "yesterday"),
        event_text.replace(&e.session_id, ""),
    ];
    for bad in bad_events {
        assert_ne!(bad, event_text, "the replacement changed nothing");
        let text = message("event", &[("event", &bad)]);
        assert_eq!(decode_widget_message(&text), None, "accepted {bad}");
    }
}

#[test]
fn oversized_and_deep_messages_are_dropped() {
    let big = format!("\"{}\"", "a".repeat(MAX_MESSAGE_BYTES));
    assert_eq!(
        decode_widget_message(&message("success", &[("data", &big)])),
        None
    );
    let fits = format!("\"{}\"", "a".repeat(MAX_MESSAGE_BYTES - 200));
    assert!(decode_widget_message(&message("success", &[("data", &fits)])).is_some());
    for depth in [40, 10_000, 200_000] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(
            decode_widget_message(&message("success", &[("data", &deep)])),
            None
        );
        let open_only = "{\"a\":".repeat(depth);
        assert_eq!(decode_widget_message(&open_only), None);
    }
}

#[test]
fn prototype_keys_are_plain_data() {
    let text = message(
        "success",
        &[(
            "data",
            r#"{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}"#,
        )],
    );
    let WidgetMessage::Forward(Output::Success(data)) = decode(&text) else {
        panic!("not a success")
    };
    let keys: Vec<&str> = data
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["__proto__", "constructor"]);
    // A duplicate `okra` or `type` key cannot smuggle a second meaning in.
    let twice = format!(
        "{{\"okra\":\"{PROTOCOL}\",\"type\":\"ready\",\"type\":\"close\",\"json\":{{}},\"error\":null}}"
    );
    assert!(matches!(
        decode_widget_message(&twice),
        None | Some(WidgetMessage::Forward(Output::Close { .. }))
    ));
}

// ---- the host's rules -----------------------------------------------------------

fn connected() -> Host {
    let mut h = Host::new(Value::object(), Value::object(), W.into(), 20_000);
    assert_eq!(h.phase(), Phase::Waiting);
    assert!(h.syn());
    assert_eq!(h.receive(WidgetMessage::Ready), Step::Connected);
    h
}

fn names(out: &[Output]) -> Vec<String> {
    out.iter()
        .map(|o| match o {
            Output::Event { .. } => {
                let e = o.event().unwrap();
                format!("{}#{}", e.event_name, e.sequence)
            }
            Output::Success(_) => "onSuccess".into(),
            Output::Error { .. } => "onError".into(),
            Output::BeforeClose(_) => "beforeClose".into(),
            Output::Close { .. } => "onClose".into(),
        })
        .collect()
}

fn success(data: Value) -> WidgetMessage {
    WidgetMessage::Forward(Output::Success(data))
}

fn before_close(json: Value) -> WidgetMessage {
    WidgetMessage::Forward(Output::BeforeClose(json))
}

fn closed() -> WidgetMessage {
    WidgetMessage::Forward(Output::Close {
        json: Value::object(),
        error: Value::Null,
    })
}

fn send(h: &mut Host, e: &Event) -> Step {
    h.receive(decode(&event_message(e)))
}

#[test]
fn each_event_once_and_in_order() {
    let mut h = connected();
    let events = session_events(3, 4);
    for e in &events {
        send(&mut h, e);
    }
    // Sent again, or an older one after a newer one: dropped.
    send(&mut h, &events[1]);
    send(&mut h, &events[3]);
    send(&mut h, &events[0]);
    let out = h.take_output();
    let expected: Vec<String> = events
        .iter()
        .map(|e| format!("{}#{}", e.event_name, e.sequence))
        .collect();
    assert_eq!(names(&out), expected);
    assert_eq!(h.events().len(), 4);
    assert_eq!(h.session_id(), Some(events[0].session_id.as_str()));
}

#[test]
fn a_reloaded_widget_is_a_new_session_and_old_events_stay_dropped() {
    let mut h = connected();
    let first = session_events(4, 3);
    let second = session_events(5, 2);
    for e in &first {
        send(&mut h, e);
    }
    assert_eq!(h.receive(success(Value::object())), Step::Nothing);
    // The iframe reloads: a new syn is accepted, the new page is ready again.
    assert!(h.syn());
    assert_eq!(h.receive(WidgetMessage::Ready), Step::Nothing);
    for e in second.iter().chain(&first) {
        send(&mut h, e);
    }
    assert_eq!(h.receive(success(Value::object())), Step::Nothing);
    assert_eq!(h.receive(success(Value::object())), Step::Nothing);
    let out = names(&h.take_output());
    assert_eq!(
        out.iter().filter(|n| *n == "onSuccess").count(),
        2,
        "{out:?}"
    );
    assert_eq!(out.len(), 3 + 2 + 2, "{out:?}");
    assert_eq!(h.session_id(), Some(second[0].session_id.as_str()));
}

#[test]
fn on_success_at_most_once_per_session() {
    let mut h = connected();
    // No event yet: no session to succeed.
    h.receive(success(Value::object()));
    send(&mut h, &session_events(6, 1)[0]);
    for _ in 0..3 {
        h.receive(success(Value::object()));
    }
    assert_eq!(names(&h.take_output()), ["USER_CONNECTING#1", "onSuccess"]);
}

#[test]
fn on_close_exactly_once_and_last() {
    let mut h = connected();
    send(&mut h, &session_events(7, 1)[0]);
    h.receive(before_close(Value::object()));
    let close = closed();
    assert_eq!(h.receive(close.clone()), Step::Closed);
    assert_eq!(h.phase(), Phase::Closed);
    // After onClose: nothing, whatever arrives.
    assert_eq!(h.receive(close), Step::Nothing);
    send(&mut h, &session_events(8, 1)[0]);
    h.receive(success(Value::object()));
    assert!(!h.syn(), "a closed host does not reconnect");
    assert_eq!(h.close(), Step::Nothing);
    assert_eq!(h.close_timeout(), Step::Nothing);
    assert_eq!(h.load_timeout(), Step::Nothing);
    assert_eq!(
        names(&h.take_output()),
        ["USER_CONNECTING#1", "beforeClose", "onClose"]
    );
}

#[test]
fn nothing_counts_before_the_widget_is_ready() {
    let mut h = Host::new(Value::object(), Value::object(), W.into(), 20_000);
    send(&mut h, &session_events(9, 1)[0]);
    h.receive(success(Value::object()));
    assert!(h.take_output().is_empty());
    assert_eq!(h.phase(), Phase::Waiting);
}

#[test]
fn a_widget_that_never_connects_times_out() {
    let mut options = Value::object();
    options.set("flow", "link".into());
    let mut h = Host::new(
        options.clone(),
        Value::object(),
        "https://widget.example/link".into(),
        1_500,
    );
    assert_eq!(h.load_timeout(), Step::Closed);
    let out = h.take_output();
    assert_eq!(names(&out), ["onError", "onClose"]);
    let Output::Error { json, error } = &out[0] else {
        unreachable!()
    };
    assert_eq!(error.get("type"), Some(&"WIDGET_LOAD_TIMEOUT".into()));
    assert_eq!(error.get("timeout"), Some(&1_500u64.into()));
    let message = error.get("message").and_then(Value::as_str).unwrap();
    assert!(message.contains("https://widget.example/link"), "{message}");
    assert!(message.contains("1500 ms"), "{message}");
    assert_eq!(json.get("options"), Some(&options));
    assert_eq!(json.get("session_id"), Some(&Value::Null));
    let Output::Close { error: last, .. } = &out[1] else {
        unreachable!()
    };
    assert_eq!(last, error);
    // A connected widget does not time out.
    let mut h = connected();
    assert_eq!(h.load_timeout(), Step::Nothing);
}

#[test]
fn close_asks_the_widget_then_closes_anyway() {
    // Not connected yet: closed at once.
    let mut h = Host::new(Value::object(), Value::object(), W.into(), 20_000);
    assert_eq!(h.close(), Step::Closed);
    assert_eq!(names(&h.take_output()), ["beforeClose", "onClose"]);

    // Connected and answering: its own closing events, then onClose.
    let mut h = connected();
    assert_eq!(h.close(), Step::AskWidget);
    assert_eq!(h.close(), Step::Nothing, "close twice is one close");
    h.receive(before_close(Value::object()));
    let step = h.receive(closed());
    assert_eq!(step, Step::Closed);
    assert_eq!(h.close_timeout(), Step::Nothing);
    assert_eq!(names(&h.take_output()), ["beforeClose", "onClose"]);

    // Connected and silent: the host closes it after the grace period.
    let mut h = connected();
    send(&mut h, &session_events(10, 2)[1]);
    assert_eq!(h.close(), Step::AskWidget);
    assert_eq!(h.close_timeout(), Step::Closed);
    let out = h.take_output();
    assert_eq!(names(&out), ["USER_CONNECTED#2", "beforeClose", "onClose"]);
    let Output::Close { json, .. } = &out[2] else {
        unreachable!()
    };
    assert_eq!(json.get("events_count"), Some(&1u64.into()));
    assert_eq!(json.get("bounced"), Some(&true.into()));
    assert_eq!(json.get("last_screen"), Some(&"landing".into()));
}

#[test]
fn destroy_silences_everything() {
    let mut h = connected();
    send(&mut h, &session_events(11, 1)[0]);
    h.destroy();
    assert!(h.take_output().is_empty());
    send(&mut h, &session_events(12, 1)[0]);
    assert_eq!(h.close(), Step::Nothing);
    assert!(h.take_output().is_empty());
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
    let seeds = {
        let e = &session_events(13, 1)[0];
        vec![
            event_message(e),
            encode_bare("ready"),
            message("close", &[("json", "{}"), ("error", "null")]),
            message("success", &[("data", r#"{"a":[1,2,{"b":null}]}"#)]),
        ]
    };
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
        let _ = decode_widget_message(&text);
        let _ = decode_host_message(&text);
    }

    #[test]
    fn decoding_mutated_messages_never_panics(text in near_messages()) {
        if let Some(WidgetMessage::Event { event: e, json }) = decode_widget_message(&text) {
            // The text handed on is the event's own canonical JSON.
            let mut expected = String::new();
            json::write_event(&mut expected, &e);
            prop_assert_eq!(json, expected);
            // Whatever got through is a valid event.
            prop_assert!(e.validate().is_ok());
        }
        let _ = decode_host_message(&text);
    }

    #[test]
    fn the_host_keeps_its_promises(steps in proptest::collection::vec(0u8..9, 0..60)) {
        let first = session_events(14, 6);
        let second = session_events(15, 6);
        let mut h = Host::new(Value::object(), Value::object(), W.into(), 1_000);
        let mut closed_at = None;
        let mut outputs = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let s = match step {
                0 => h.receive(WidgetMessage::Ready),
                1 | 2 => send(&mut h, &first[i % first.len()]),
                3 => send(&mut h, &second[(i * 7) % second.len()]),
                4 => h.receive(success(Value::object())),
                5 => h.receive(closed()),
                6 => h.close(),
                7 => h.close_timeout(),
                _ => h.load_timeout(),
            };
            if s == Step::Closed {
                prop_assert!(closed_at.is_none(), "closed twice");
                closed_at = Some(i);
            }
            outputs.extend(h.take_output());
        }
        let closes = outputs.iter().filter(|o| matches!(o, Output::Close { .. })).count();
        prop_assert!(closes <= 1);
        if closes == 1 {
            prop_assert!(matches!(outputs.last(), Some(Output::Close { .. })), "onClose is last");
        }
        let mut last: Vec<(String, u64)> = Vec::new();
        let mut ids = std::collections::HashSet::new();
        for o in &outputs {
            if let Some(e) = o.event() {
                prop_assert!(ids.insert(e.event_id.clone()), "event_id twice");
                match last.iter_mut().find(|(s, _)| *s == e.session_id) {
                    Some((_, seq)) => { prop_assert!(e.sequence > *seq); *seq = e.sequence; }
                    None => last.push((e.session_id.clone(), e.sequence)),
                }
            }
        }
        let successes = outputs.iter().filter(|o| matches!(o, Output::Success(_))).count();
        prop_assert!(successes <= 2, "one success per session, two sessions");
    }
}
