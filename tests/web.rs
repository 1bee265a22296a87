//! The binding in headless Chromium: the one export, `call`, carries
//! options, arguments and records across the real JS/wasm boundary, with
//! non-ASCII text intact, and reading a large log does not grow wasm memory.
#![cfg(target_arch = "wasm32")]

use okra_events::call;
use okra_events_core::engine::{EVENTS, OPEN, TRACK};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FLAGS: &str = "0123456789abcdef0123456789abcdef111";

fn now() -> f64 {
    js_sys::Date::now()
}

/// Opens a handler; returns its handle.
fn open(options: &str) -> u32 {
    let out = call(OPEN, 0, now(), 1.0, options, FLAGS);
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("=\t0\t"), "{out}");
    first.split('\t').nth(2).unwrap().parse().unwrap()
}

#[wasm_bindgen_test]
fn a_handler_opens_and_its_first_event_is_a_record() {
    let out = call(OPEN, 0, now(), 1.0, r#"{"key":"pk","token":"tok"}"#, FLAGS);
    let event = out
        .lines()
        .find(|l| l.starts_with("e\t"))
        .expect("an event record");
    assert!(
        event.contains("\"event_name\":\"USER_CONNECTING\""),
        "{event}"
    );
}

#[wasm_bindgen_test]
fn bad_options_come_back_as_an_error_record_naming_the_option() {
    let out = call(OPEN, 0, now(), 1.0, r#"{"key":"pk","token":5}"#, FLAGS);
    let mut lines = out.lines();
    let error = lines.next().unwrap();
    assert!(error.starts_with("!\t0\tT\t"), "{out}");
    assert!(
        error.contains("option `token` must be a non-empty string, got number 5"),
        "{error}"
    );
    assert_eq!(lines.next(), Some("?\t0\tINVALID_OPTIONS\ttoken"));
}

#[wasm_bindgen_test]
fn non_ascii_data_crosses_both_ways_unchanged() {
    let h = open(r#"{"key":"pk","token":"tok"}"#);
    let out = call(
        TRACK,
        h,
        now(),
        2.0,
        "USER_BANK_SELECTED",
        r#"{"bank":"Ẹ̀kọ́ ₦ 🏦"}"#,
    );
    assert!(out.contains("\"bank\":\"Ẹ̀kọ́ ₦ 🏦\""), "{out}");
}

#[wasm_bindgen_test]
fn reading_a_full_log_in_chunks_leaves_memory_as_it_was() {
    let h = open(r#"{"key":"pk","token":"tok"}"#);
    for i in 0..10_000 {
        call(
            TRACK,
            h,
            now(),
            3.0 + f64::from(i),
            "USER_BANK_SELECTED",
            r#"{"bank":"alat"}"#,
        );
    }
    let read_all = || {
        let mut from = 0usize;
        loop {
            let out = call(EVENTS, h, now(), 0.0, &from.to_string(), "");
            let chunk = out.strip_prefix("=\t0\t").expect("a return record");
            if chunk == "[]" {
                return from;
            }
            from += chunk.matches("\"event_id\"").count();
        }
    };
    let total = read_all();
    assert!(
        total >= 10_000,
        "the log keeps its newest 10,000 events: {total}"
    );
    let memory = || {
        let m: js_sys::WebAssembly::Memory = wasm_bindgen::memory().into();
        js_sys::ArrayBuffer::from(m.buffer()).byte_length()
    };
    let before = memory();
    read_all();
    read_all();
    assert_eq!(
        memory(),
        before,
        "reading the log again must not grow wasm memory"
    );
}
