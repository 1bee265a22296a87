//! The widget's side of the handshake through the engine's ops, as the page
//! calls them: `LINK` takes `connectToHost`'s options, then `LINK_ACCEPT`
//! takes a window message and the origin the browser reports for it. The
//! host's `ack` is accepted only from an origin in `allowedOrigins`,
//! compared whole; what the engine answers is what the widget acts on (`o`:
//! connect with the options, `n`: refuse the origin, `u`: not an `ack`).
//!
//! | mutation | killed by |
//! |---|---|
//! | `LINK_ACCEPT` ignores `allowedOrigins` (`origin_allowed` bypassed) | `an_ack_is_accepted_only_from_an_allowed_origin` |
//! | `origin_allowed` matches a prefix, or ignores the port | `an_ack_is_accepted_only_from_an_allowed_origin` |
//! | `origin_allowed` ignores case | `an_ack_is_accepted_only_from_an_allowed_origin` |
//! | `LINK_ACCEPT` checks another link's list, or any link's | `each_link_is_checked_against_its_own_allowed_origins` |
//! | a message that is not an `ack` is refused or accepted instead of ignored | `a_message_that_is_not_an_ack_is_not_an_answer` |

use okra_events_core::bridge::{encode_bare, PROTOCOL};
use okra_events_core::engine::{Engine, LINK, LINK_ACCEPT};

/// The fields of the engine's answer record (`=`), after its tag and id.
fn answer(records: &str) -> Vec<String> {
    let line = records
        .lines()
        .find(|l| l.starts_with("=\t"))
        .unwrap_or_else(|| panic!("no answer in {records:?}"));
    line.split('\t').skip(2).map(str::to_owned).collect()
}

/// `connectToHost({ allowedOrigins })`: the link's handle.
fn link(e: &mut Engine, allowed: &[&str]) -> u32 {
    let list: Vec<String> = allowed.iter().map(|o| format!("\"{o}\"")).collect();
    let opts = format!(r#"{{"allowedOrigins":[{}]}}"#, list.join(","));
    // Framed ("10"): the page runs in an iframe, with no app bridge.
    let fields = answer(&e.call(LINK, 0, 1_000.0, 1.0, &opts, "10"));
    fields[0].parse().expect("a link handle")
}

/// The host's `ack`, carrying options.
fn ack() -> String {
    format!(
        r#"{{"okra":"{PROTOCOL}","type":"ack","options":{{"key":"pk_test","token":"tok_test"}}}}"#
    )
}

/// What `LINK_ACCEPT` answers for `message` from `origin` on link `id`.
fn accept(e: &mut Engine, id: u32, message: &str, origin: &str) -> Vec<String> {
    answer(&e.call(LINK_ACCEPT, id, 1_001.0, 2.0, message, origin))
}

#[test]
fn an_ack_is_accepted_only_from_an_allowed_origin() {
    let mut e = Engine::new();
    let id = link(&mut e, &["https://a.example"]);
    for origin in [
        "https://b.example",
        "https://a.example:8443",
        "https://a.example.b.example",
        "https://a.exampl",
        "http://a.example",
        "HTTPS://A.EXAMPLE",
        "https://a.example/",
        "null",
        "",
    ] {
        assert_eq!(
            accept(&mut e, id, &ack(), origin),
            ["n"],
            "an ack from {origin:?} must be refused"
        );
    }
    // The allowed origin: connect, with the host's options as sent.
    let got = accept(&mut e, id, &ack(), "https://a.example");
    assert_eq!(got[0], "o", "{got:?}");
    assert_eq!(got[1], r#"{"key":"pk_test","token":"tok_test"}"#);
}

#[test]
fn each_link_is_checked_against_its_own_allowed_origins() {
    let mut e = Engine::new();
    let a = link(&mut e, &["https://a.example"]);
    let b = link(&mut e, &["https://b.example", "https://c.example:8443"]);
    assert_ne!(a, b);
    assert_eq!(accept(&mut e, b, &ack(), "https://a.example"), ["n"]);
    assert_eq!(accept(&mut e, a, &ack(), "https://b.example"), ["n"]);
    assert_eq!(accept(&mut e, b, &ack(), "https://c.example:8443")[0], "o");
    assert_eq!(accept(&mut e, a, &ack(), "https://a.example")[0], "o");
    // A handle no link has: nothing connects (the message is not an answer).
    assert_eq!(accept(&mut e, 0, &ack(), "https://a.example"), ["u"]);
    assert_eq!(accept(&mut e, 99, &ack(), "https://a.example"), ["u"]);
}

#[test]
fn a_message_that_is_not_an_ack_is_not_an_answer() {
    let mut e = Engine::new();
    let id = link(&mut e, &["https://a.example"]);
    let mut no_options = encode_bare("ack");
    no_options.truncate(no_options.len() - 1);
    no_options.push_str(r#","options":"not an object"}"#);
    for message in [
        encode_bare("syn"),
        encode_bare("close_request"),
        no_options,
        "{}".to_owned(),
        "not json".to_owned(),
        String::new(),
    ] {
        // From the allowed origin and from another: never an answer.
        for origin in ["https://a.example", "https://b.example"] {
            assert_eq!(
                accept(&mut e, id, &message, origin),
                ["u"],
                "{message:?} from {origin}"
            );
        }
    }
}
