//! Option rules that mutation testing (`make mutants`) found untested. The
//! rest of the option rules are tested in src/options.rs and, through the
//! package, in tests/js/options.test.mjs.
//!
//! | mutation | killed by |
//! |---|---|
//! | `Env::as_str` returns another text | `env_names_are_the_option_values` |
//! | URL check: a space or control character passes unless it is both (`\|\|` → `&&`) | `urls_with_spaces_or_control_characters_anywhere_are_refused` |

use okra_events_core::options::{parse_callback_url, parse_env, parse_widget_url, Env};

#[test]
fn env_names_are_the_option_values() {
    for name in ["production", "production-sandbox"] {
        assert_eq!(parse_env(Some(name)).unwrap().as_str(), name);
    }
    assert_eq!(Env::ProductionSandbox.as_str(), "production-sandbox");
}

#[test]
fn urls_with_spaces_or_control_characters_anywhere_are_refused() {
    assert!(parse_callback_url("https://collector.example/events?a=b").is_ok());
    for bad in [
        "https://collector.example/a b",
        "https://collector.example/a\u{0}b",
        "https://collector.example/a\u{1b}b",
        "https://collector.example/a\tb",
        "https://collector.example/a\u{a0}b",
        "https://collector.example/?q=\u{2028}",
    ] {
        assert!(parse_callback_url(bad).is_err(), "{bad:?} was accepted");
        assert!(
            parse_widget_url(bad).is_err(),
            "{bad:?} was accepted as widgetUrl"
        );
    }
}
