//! `connectToHost`'s link, through the engine's one call: where the page
//! runs decides the transport (a frame, or a React Native app the page
//! allows), a link accepts one `ack`, ever, and an app's link takes its
//! close request on the same channel only once connected. (The browser side
//! is in tests/e2e/bridge.test.mjs and tests/e2e/native.test.mjs.)

use okra_events_core::bridge::{encode_bare, PROTOCOL};
use okra_events_core::engine::{Engine, LINK, LINK_ACCEPT};

/// Framed, then a React Native WebView's bridge on the page.
const FRAMED: &str = "10";
const IN_APP: &str = "01";
const FRAMED_IN_APP: &str = "11";
const NOWHERE: &str = "00";
const MERCHANT: &str = "https://merchant.example";

fn fields(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The link's handle and transport, or the error's record and its `?` record.
fn link(e: &mut Engine, options: &str, where_: &str) -> Result<(u32, String), Vec<Vec<String>>> {
    let rs = fields(&e.call(LINK, 0, 1_000.0, 1.0, options, where_));
    match rs.iter().find(|r| r[0] == "=") {
        Some(r) => Ok((r[2].parse().unwrap(), r[6].clone())),
        None => Err(rs),
    }
}

fn accept(e: &mut Engine, id: u32, text: &str, origin: &str) -> String {
    let rs = fields(&e.call(LINK_ACCEPT, id, 1_000.0, 1.0, text, origin));
    rs[0][2..].join("\t")
}

fn ack(options: &str) -> String {
    format!(r#"{{"okra":"{PROTOCOL}","type":"ack","options":{options}}}"#)
}

#[test]
fn a_framed_page_talks_to_its_parent_even_inside_an_app() {
    let mut e = Engine::new();
    let options = format!(r#"{{"allowedOrigins":["{MERCHANT}"],"allowNativeHost":true}}"#);
    for where_ in [FRAMED, FRAMED_IN_APP] {
        let (id, via) = link(&mut e, &options, where_).unwrap();
        assert_eq!(via, "f");
        // A frame's host must be at an allowed origin; an empty origin is none.
        assert_eq!(accept(&mut e, id, &ack("{}"), ""), "n");
        assert_eq!(
            accept(&mut e, id, &ack("{}"), "https://merchant.example.evil"),
            "n"
        );
        // Its close request comes on the port (LINK_CLOSE), never on the window.
        assert_eq!(
            accept(&mut e, id, &encode_bare("close_request"), MERCHANT),
            "u"
        );
        assert_eq!(
            accept(&mut e, id, &ack(r#"{"key":"k"}"#), MERCHANT),
            "o\t{\"key\":\"k\"}"
        );
        assert_eq!(
            accept(&mut e, id, &ack("{}"), MERCHANT),
            "u",
            "one ack, ever"
        );
    }
}

#[test]
fn an_app_hosts_only_a_page_that_allows_it_and_connects_once() {
    let mut e = Engine::new();
    let (id, via) = link(&mut e, r#"{"allowNativeHost":true}"#, IN_APP).unwrap();
    assert_eq!(via, "n");
    // Before connecting, only an ack counts.
    assert_eq!(accept(&mut e, id, &encode_bare("close_request"), ""), "u");
    assert_eq!(accept(&mut e, id, "{\"okra\":1}", ""), "u");
    assert_eq!(accept(&mut e, id, &ack("[]"), ""), "u");
    assert_eq!(
        accept(&mut e, id, &ack(r#"{"token":"t1"}"#), ""),
        "o\t{\"token\":\"t1\"}"
    );
    // Then never another ack: a second one is refused, whatever it carries.
    assert_eq!(accept(&mut e, id, &ack(r#"{"token":"t2"}"#), ""), "u");
    assert_eq!(accept(&mut e, id, &ack(r#"{"token":"t2"}"#), MERCHANT), "u");
    // And the app's close request comes on the same channel.
    assert_eq!(accept(&mut e, id, &encode_bare("close_request"), ""), "c");
    assert_eq!(accept(&mut e, id, &encode_bare("syn"), ""), "u");
    // Another link on the page has its own state.
    let (other, _) = link(&mut e, r#"{"allowNativeHost":true}"#, IN_APP).unwrap();
    assert_eq!(
        accept(&mut e, other, &encode_bare("close_request"), ""),
        "u"
    );
    assert_eq!(accept(&mut e, 99, &ack("{}"), ""), "u", "no such link");
}

#[test]
fn a_page_with_no_host_to_answer_is_refused_with_a_clear_error() {
    let mut e = Engine::new();
    let listed = format!(r#"{{"allowedOrigins":["{MERCHANT}"]}}"#);
    for (options, where_, words) in [
        (listed.as_str(), NOWHERE, "must run in the widget's iframe (or, with allowNativeHost: true, in a React Native WebView), but this page is not in a frame"),
        (listed.as_str(), IN_APP, "runs in a React Native WebView, not in a frame, and does not answer an app without the option allowNativeHost: true"),
        (r#"{"allowNativeHost":false,"allowedOrigins":["https://merchant.example"]}"#, IN_APP, "without the option allowNativeHost: true"),
        (r#"{"allowNativeHost":true}"#, NOWHERE, "but this page is not in a frame"),
    ] {
        let rs = link(&mut e, options, where_).unwrap_err();
        assert_eq!(rs[0][..3], ["!", "0", "E"], "{rs:?}");
        assert!(rs[0][3].contains(words), "{}", rs[0][3]);
        assert!(rs[0][3].starts_with("\"okra-events: "));
        assert!(rs.iter().any(|r| r[0] == "?" && r[2] == "NOT_FRAMED"));
    }
    // Bad options are a TypeError first, wherever the page runs.
    let rs = link(&mut e, r#"{"allowNativeHost":"yes"}"#, IN_APP).unwrap_err();
    assert_eq!(rs[0][2], "T");
    assert!(
        rs[0][3].contains("option `allowNativeHost` must be a boolean"),
        "{}",
        rs[0][3]
    );
}
