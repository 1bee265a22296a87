//! Privacy (SPEC section 4, issue 11): what scrubbing removes by key and by
//! value, and what it leaves alone; property tests against an independent
//! oracle; and the 32 KiB limit on an event's JSON, wherever events are made.

use okra_events_core::event::MAX_EVENT_BYTES;
use okra_events_core::scrub::{is_credential_key, redact_card_numbers, scrub, REDACTED};
use okra_events_core::{json, Config, Ctx, Error, Output, Screen, Session, Value};

// ------------------------------------------------------------------ by key

#[test]
fn removes_keys_naming_credentials_identity_and_card_numbers() {
    for key in [
        // Request headers and API credentials.
        "authorization",
        "Authorization",
        "proxy-authorization",
        "authorization_header",
        "cookie",
        "Cookie",
        "cookies",
        "set-cookie",
        "HTTPCookie",
        "api_key",
        "apiKey",
        "ApiKey",
        "API_KEY",
        "APIKey",
        "apikey",
        "x-api-key",
        "X-Api-Key",
        "XApiKey",
        "merchant_api_key",
        "private_key",
        "access_token",
        "accessToken",
        "refresh_token",
        "RefreshToken",
        "id_token",
        "client_secret",
        "clientSecret",
        // Identity numbers.
        "bvn",
        "BVN",
        "user_bvn",
        "bvnNumber",
        "nin",
        "NIN",
        "nin_number",
        "customer.nin",
        // Card numbers.
        "pan",
        "PAN",
        "masked_pan",
        "card_number",
        "cardNumber",
        "card-number",
        "CardNumber",
        "CARD_NUMBER",
        "cardnumber",
        "card.number",
        "card number",
        "user_card_number",
        "cardNo",
        "card_num",
        // The credential words that were there before.
        "password",
        "passwd",
        "user_pwd",
        "passcode",
        "pass",
        "pin",
        "transactionPin",
        "PIN",
        "otp",
        "otp_code",
        "OTPCode",
        "totp",
        "cvv",
        "CVV2",
        "cvc",
        "secret",
        "answer",
        "mfa-answer",
        "MfaAnswer",
        "mfaanswer",
        "securityAnswer",
        "oneTimePassword",
        "onetimepassword",
        "credentials",
        "token",
        "Ünïcode_PIN",
    ] {
        assert!(is_credential_key(key), "{key} should be removed");
    }
}

#[test]
fn keeps_ordinary_keys_and_words_that_merely_contain_one() {
    for key in [
        "company",
        "Company",
        "panel",
        "spinner",
        "shipping",
        "opinion",
        "passport_no",
        "record_id",
        "customer_id",
        "tracking_id",
        "bank_id",
        "bank",
        "span",
        "japan",
        "expand",
        "pancake",
        "canine",
        "nineteen",
        "pinned",
        "compass",
        "keyboard",
        "key",
        "public_key_hint_len",
        "card_type",
        "cardBrand",
        "card_last4",
        "number",
        "account_number",
        "phone",
        "tokenized",
        "cookbook",
        "authorization_id",
        "authorizationId",
        "author",
        "número_de_cuenta",
        "straße",
        "",
        "_",
        "--",
    ] {
        assert!(!is_credential_key(key), "{key} should stay");
    }
}

#[test]
fn removes_by_key_at_any_depth_and_keeps_the_rest() {
    let mut v = json::parse(
        r#"{"bank":"alat","headers":{"Authorization":"Bearer abc.def","Cookie":"sid=1","Accept":"*/*"},
            "user":{"bvn":"22212345678","NIN":"12345678901","name":"Faith","company":"Okra"},
            "cards":[{"pan":"5399 8300 0000 0008","cardNumber":"4111 1111 1111 1111","brand":"visa"}],
            "auth":{"api_key":"sk_live_x","access_token":"t1","refresh_token":"t2","client_secret":"s"},
            "record_id":"627a80914bff31001e9ee9d1","customer_id":"c-1","authorization_id":"pa-7"}"#,
    )
    .unwrap();
    let removed = scrub(&mut v);
    assert_eq!(
        json::to_string(&v),
        r#"{"bank":"alat","headers":{"Accept":"*/*"},"user":{"name":"Faith","company":"Okra"},"cards":[{"brand":"visa"}],"auth":{},"record_id":"627a80914bff31001e9ee9d1","customer_id":"c-1","authorization_id":"pa-7"}"#
    );
    assert_eq!(removed, 10);
}

// ---------------------------------------------------------------- by value

/// Test card numbers that pass the Luhn check.
const CARDS: &[(&str, &str)] = &[
    ("Visa", "4111111111111111"),
    ("Visa", "4012888888881881"),
    ("Visa, 13 digits", "4222222222222"),
    ("Mastercard", "5555555555554444"),
    ("Mastercard", "5105105105105100"),
    ("Mastercard, 2-series", "2223003122003222"),
    ("Amex", "378282246310005"),
    ("Amex", "371449635398431"),
    ("Verve, 19 digits", "5060990580000000002"),
    ("Verve, 19 digits", "6500021234567890127"),
    ("Verve, 19 digits", "5061051234567890124"),
    ("Verve, 18 digits", "506105123456789015"),
    ("Verve, 16 digits", "5060990123456780"),
];

fn redact(s: &str) -> String {
    redact_card_numbers(s).unwrap_or_else(|| s.to_owned())
}

#[test]
fn redacts_luhn_valid_card_numbers() {
    for (brand, card) in CARDS {
        assert!(luhn(&digits(card)), "{brand} {card} is a valid test number");
        assert_eq!(redact(card), REDACTED, "{brand} {card}");
    }
}

#[test]
fn redacts_card_numbers_written_with_spaces_or_dashes() {
    for (text, want) in [
        ("4111 1111 1111 1111", "[redacted]"),
        ("4111-1111-1111-1111", "[redacted]"),
        ("4111 1111-1111 1111", "[redacted]"),
        ("3782 822463 10005", "[redacted]"),
        ("5060 9905 8000 0000 002", "[redacted]"),
        ("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "[redacted]"),
    ] {
        assert_eq!(redact(text), want, "{text}");
    }
}

#[test]
fn redacts_card_numbers_inside_text_and_keeps_the_rest() {
    for (text, want) in [
        (
            "my card is 4111 1111 1111 1111, exp 12/25",
            "my card is [redacted], exp 12/25",
        ),
        ("4111 1111 1111 1111 12/25", "[redacted] 12/25"),
        ("card:4111111111111111.", "card:[redacted]."),
        ("ref4111111111111111x", "ref[redacted]x"),
        (
            "two: 5555555555554444 and 378282246310005!",
            "two: [redacted] and [redacted]!",
        ),
        ("order 12 4111111111111111", "order 12 [redacted]"),
        ("4111111111111111 4012888888881881", "[redacted] [redacted]"),
        ("é4111111111111111é", "é[redacted]é"),
        (
            "call 08012345678 or pay with 4111-1111-1111-1111",
            "call 08012345678 or pay with [redacted]",
        ),
    ] {
        assert_eq!(redact(text), want, "{text}");
    }
}

#[test]
fn keeps_numbers_that_are_not_card_numbers() {
    for text in [
        "08012345678",                   // an 11-digit phone number
        "0801 234 5678",                 // the same, grouped
        "08012345678 08098765432",       // two phones: 22 digits in one run
        "4111111111111112",              // 16 digits, fails Luhn: an order number
        "ORD-4111111111111112",          //
        "0123456789",                    // a 10-digit NUBAN account number
        "22212345678",                   // 11 digits (a BVN under a harmless key)
        "411111111111",                  // 12 digits, too short even with Luhn
        "41111111111111111111",          // 20 digits without separators, too long
        "41111111111111111111111111117", // 29 digits
        "2026-11-27T01:20:54.123Z",
        "1,234,567,890,123,456", // commas do not join groups
        "4111  1111  1111  111", // 15 digits, double spaces do not join either
        "",
        "no digits at all",
    ] {
        assert_eq!(redact_card_numbers(text), None, "{text} should stay");
    }
}

#[test]
fn redacts_in_every_string_under_any_key_but_not_numbers() {
    let mut v = json::parse(
        r#"{"note":"pay 4111 1111 1111 1111 now","items":["5555555555554444",{"deep":["x 378282246310005 y"]}],
            "4111111111111111":"a key that is a card number goes too",
            "amount":4111111111111111,"phone":"08012345678"}"#,
    )
    .unwrap();
    scrub(&mut v);
    assert_eq!(
        json::to_string(&v),
        r#"{"note":"pay [redacted] now","items":["[redacted]",{"deep":["x [redacted] y"]}],"amount":4111111111111111,"phone":"08012345678"}"#
    );
}

// -------------------------------------------------------- property tests

/// SplitMix64: a small deterministic generator, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// The Luhn check, written independently of the one under test.
fn luhn(ds: &[u8]) -> bool {
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                (d * 2) / 10 + (d * 2) % 10
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The oracle: every span of whole digit groups with 13 to 19 digits that
/// passes Luhn, where groups are joined by one space or dash. Quadratic and
/// obvious, unlike the code under test.
fn card_numbers_in(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut runs: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let mut groups = vec![Vec::new()];
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                groups.last_mut().unwrap().push(chars[i] as u8 - b'0');
                i += 1;
            } else if (chars[i] == ' ' || chars[i] == '-')
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            {
                groups.push(Vec::new());
                i += 1;
            } else {
                break;
            }
        }
        runs.push(groups);
    }
    let mut found = Vec::new();
    for groups in &runs {
        for a in 0..groups.len() {
            for b in a..groups.len() {
                let span: Vec<u8> = groups[a..=b].concat();
                if (13..=19).contains(&span.len()) && luhn(&span) {
                    found.push(span.iter().map(|d| char::from(b'0' + d)).collect());
                }
            }
        }
    }
    found
}

/// A random card number that passes Luhn, 13 to 19 digits.
fn random_card(rng: &mut Rng) -> Vec<u8> {
    let len = 13 + rng.below(7);
    let mut ds: Vec<u8> = (0..len - 1).map(|_| rng.below(10) as u8).collect();
    ds.push(0);
    for check in 0..10 {
        *ds.last_mut().unwrap() = check;
        if luhn(&ds) {
            break;
        }
    }
    ds
}

/// Strings built to find edge cases: digits, separators (single, double,
/// trailing), letters, punctuation, multi-byte characters and planted card
/// numbers written in different styles.
fn random_string(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        " ", "-", "  ", "--", " -", "a", "x", "é", "€", "😀", "/", ".", ",", "+", "\u{0}", "\"",
        "\\",
    ];
    let mut s = String::new();
    for _ in 0..rng.below(12) {
        match rng.below(5) {
            0 => {
                let card = random_card(rng);
                let sep = *rng.pick(&["", " ", "-"]);
                let every = 1 + rng.below(6);
                for (i, d) in card.iter().enumerate() {
                    if i > 0 && i % every == 0 {
                        s.push_str(sep);
                    }
                    s.push(char::from(b'0' + d));
                }
            }
            1 | 2 => {
                for _ in 0..1 + rng.below(20) {
                    s.push(char::from(b'0' + rng.below(10) as u8));
                }
            }
            _ => {
                let piece: &&str = rng.pick(PIECES);
                s.push_str(piece);
            }
        }
    }
    s
}

#[test]
fn property_redaction_never_panics_and_leaves_no_card_number() {
    let mut rng = Rng(0x000C_4A11);
    let mut redacted = 0;
    for case in 0..20_000 {
        let s = random_string(&mut rng);
        let out = redact_card_numbers(&s);
        let had = card_numbers_in(&s);
        match &out {
            Some(clean) => {
                redacted += 1;
                assert!(!had.is_empty(), "case {case}: {s:?} changed without a card");
                assert!(
                    card_numbers_in(clean).is_empty(),
                    "case {case}: {s:?} -> {clean:?} still holds {:?}",
                    card_numbers_in(clean)
                );
                // Only digits and their separators were replaced.
                let kept: String = clean.replace(REDACTED, "");
                let strip = |t: &str| -> String {
                    t.chars()
                        .filter(|c| !c.is_ascii_digit() && *c != ' ' && *c != '-')
                        .collect()
                };
                assert_eq!(strip(&kept), strip(&s), "case {case}: {s:?} -> {clean:?}");
            }
            None => assert!(had.is_empty(), "case {case}: {s:?} still holds {had:?}"),
        }
    }
    assert!(redacted > 2_000, "the generator plants cards: {redacted}");
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    const KEYS: &[&str] = &[
        "note",
        "bank",
        "pan",
        "company",
        "cardNumber",
        "x-api-key",
        "record_id",
        "BVN",
        "panel",
        "Cookie",
        "customer_id",
        "nin",
        "opinion",
        "list",
    ];
    match rng.below(if depth > 4 { 4 } else { 7 }) {
        0 => Value::Null,
        // Numbers are never redacted (a millisecond timestamp has 13 digits).
        1 => Value::Number(format!("4{}", rng.next() % 10_000_000_000_000_000)),
        2 | 3 => Value::String(random_string(rng)),
        4 | 5 => Value::Object(
            (0..rng.below(5))
                .map(|_| {
                    let key = if rng.below(4) == 0 {
                        random_string(rng)
                    } else {
                        (*rng.pick(KEYS)).to_owned()
                    };
                    (key, random_value(rng, depth + 1))
                })
                .collect(),
        ),
        _ => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
    }
}

/// Every string in a value, keys included.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                strings(v, out);
            }
        }
        _ => {}
    }
}

fn keys<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                keys(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn property_scrub_never_panics_and_leaves_no_credential_key_or_card_number() {
    let mut rng = Rng(0x5EC2E7);
    for case in 0..3_000 {
        let mut v = random_value(&mut rng, 0);
        let before = json::to_string(&v);
        scrub(&mut v);
        let mut all = Vec::new();
        strings(&v, &mut all);
        for s in all {
            assert!(
                card_numbers_in(s).is_empty(),
                "case {case}: {s:?} survived in {before}"
            );
        }
        let mut ks = Vec::new();
        keys(&v, &mut ks);
        for k in ks {
            assert!(!is_credential_key(k), "case {case}: key {k:?} survived");
        }
        // What is left is still valid JSON, and scrubbing it again changes nothing.
        let after = json::to_string(&v);
        let mut again = json::parse(&after).unwrap();
        assert_eq!(scrub(&mut again), 0, "case {case}: {after}");
    }
}

// ------------------------------------------------------- the size limit

const T0: u64 = 1_795_742_454_123;

fn ctx() -> Ctx<'static> {
    Ctx {
        now: T0,
        mono: 0,
        location: Some("https://widget.example/:ref/bank?bank=alat"),
    }
}

fn session() -> Session {
    let mut s = Session::new(Config::default(), [42, 7], ctx(), true);
    s.take_output();
    s
}

/// `{"pad": "xxx..."}` with `n` x's.
fn padded(n: usize) -> Value {
    let mut v = Value::object();
    v.set("pad", "x".repeat(n).into());
    v
}

/// The JSON of the events output since the last call.
fn emitted(s: &mut Session) -> Vec<String> {
    s.take_output()
        .into_iter()
        .filter_map(|o| match o {
            Output::Event { json, .. } => Some(json),
            _ => None,
        })
        .collect()
}

/// How big `track` of `padded(0)` makes the next event: the padding that
/// brings it to exactly the limit.
fn fill_to_limit(s: &mut Session) -> usize {
    s.track(ctx(), "USER_BANK_SELECTED", padded(0)).unwrap();
    let base = emitted(s)[0].len();
    MAX_EVENT_BYTES - base
}

fn assert_too_large(err: Error, call: &str, size: usize) {
    assert!(
        matches!(&err, Error::EventTooLarge { size: n, .. } if *n == size),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&size.to_string()), "{msg}");
    assert!(
        msg.contains(&format!("limit of {MAX_EVENT_BYTES} bytes")),
        "{msg}"
    );
    assert!(msg.contains(call), "{msg}");
    assert!(err.is_type_error());
}

#[test]
fn an_event_of_exactly_32_kib_is_emitted_and_one_byte_more_is_refused() {
    let mut s = session();
    let pad = fill_to_limit(&mut s);
    s.track(ctx(), "USER_BANK_SELECTED", padded(pad)).unwrap();
    let out = emitted(&mut s);
    assert_eq!(out[0].len(), MAX_EVENT_BYTES, "exactly at the limit");
    assert_eq!(s.events().last().unwrap().sequence, 3);

    let err = s
        .track(ctx(), "USER_BANK_SELECTED", padded(pad + 1))
        .unwrap_err();
    assert_too_large(
        err,
        "track(name, data) would make a USER_BANK_SELECTED event",
        MAX_EVENT_BYTES + 1,
    );
    assert!(s.take_output().is_empty(), "nothing emitted");
    assert_eq!(s.events().len(), 3, "nothing logged");
    assert_eq!(s.metadata().get("events_count"), Some(&Value::from(3u64)));

    // The session goes on, with the next sequence number.
    s.track(ctx(), "USER_BANK_SELECTED", Value::Null).unwrap();
    assert_eq!(s.events().last().unwrap().sequence, 4);
}

#[test]
fn the_size_is_measured_after_scrubbing() {
    let mut s = session();
    let pad = fill_to_limit(&mut s);
    let mut data = padded(pad);
    data.set("password", "p".repeat(MAX_EVENT_BYTES).into());
    s.track(ctx(), "USER_BANK_SELECTED", data).unwrap();
    assert_eq!(emitted(&mut s)[0].len(), MAX_EVENT_BYTES);
}

#[test]
fn a_refused_track_does_not_start_an_attempt() {
    let mut s = session();
    s.screen(ctx(), Screen::Login, Value::Null).unwrap();
    s.take_output();
    let err = s
        .track(ctx(), "USER_LOGIN_ATTEMPTED", padded(MAX_EVENT_BYTES))
        .unwrap_err();
    assert!(matches!(err, Error::EventTooLarge { .. }));
    assert_eq!(s.next_deadline(), None, "no attempt timer");
    s.offline(ctx());
    assert!(
        !s.events().last().unwrap().with_error,
        "no attempt in flight"
    );
}

#[test]
fn screen_details_are_held_to_the_limit_and_a_refused_screen_changes_nothing() {
    let mut s = session();
    s.screen(ctx(), Screen::Landing, Value::Null).unwrap();
    s.take_output();
    let before = s.events().len();
    // A screen with a landing event.
    let err = s
        .screen(ctx(), Screen::Bank, padded(MAX_EVENT_BYTES))
        .unwrap_err();
    assert!(matches!(&err, Error::EventTooLarge { size, .. } if *size > MAX_EVENT_BYTES));
    assert!(
        err.to_string()
            .contains("screen(name, details) would make a USER_VIEWED_BANKS event"),
        "{err}"
    );
    // A screen without one: the details would ride on later events.
    let err = s
        .screen(ctx(), Screen::Login, padded(MAX_EVENT_BYTES))
        .unwrap_err();
    assert!(
        matches!(err, Error::EventTooLarge { .. })
            && err
                .to_string()
                .contains("screen(name, details) would make a USER_APP_CLOSE event")
    );
    assert!(s.take_output().is_empty());
    assert_eq!(s.events().len(), before);
    assert_eq!(
        s.current_screen(),
        Some(Screen::Landing),
        "still on landing"
    );
    s.track(ctx(), "USER_CONSENT_REVIEW", Value::Null).unwrap();
    let events = s.events();
    let e = events.last().unwrap();
    assert_eq!(e.event_screen, Some(Screen::Landing));
    assert_eq!(
        e.event_data.get("pad"),
        None,
        "refused details are not kept"
    );

    // The first screen() of a session is refused whole, USER_CONNECTED included.
    let mut s = session();
    assert!(s
        .screen(ctx(), Screen::Bank, padded(MAX_EVENT_BYTES))
        .is_err());
    assert!(s.take_output().is_empty());
    s.screen(ctx(), Screen::Bank, Value::Null).unwrap();
    let events = s.events();
    let names: Vec<_> = events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(
        names,
        ["USER_CONNECTING", "USER_CONNECTED", "USER_VIEWED_BANKS"]
    );
}

/// Screen details that make the event `screen()` measures them on exactly
/// [`MAX_EVENT_BYTES`] are taken, and that event, when it comes, is emitted
/// once, with them, at exactly the limit.
#[test]
fn screen_details_that_make_an_event_of_exactly_32_kib_are_kept() {
    let close_len = |pad: Option<usize>| {
        let mut s = session();
        s.screen(ctx(), Screen::Landing, Value::Null).unwrap();
        s.screen(ctx(), Screen::Login, padded(pad.unwrap_or(0)))
            .unwrap();
        s.take_output();
        s.close(ctx()).unwrap();
        let out = emitted(&mut s);
        let closes: Vec<_> = out
            .iter()
            .filter(|j| j.contains("\"USER_APP_CLOSE\""))
            .cloned()
            .collect();
        (closes, s.events())
    };
    let (closes, _) = close_len(None);
    let pad = MAX_EVENT_BYTES - closes[0].len();

    let (closes, events) = close_len(Some(pad));
    assert_eq!(closes.len(), 1, "one USER_APP_CLOSE");
    assert_eq!(closes[0].len(), MAX_EVENT_BYTES, "exactly at the limit");
    let last = events.last().unwrap();
    assert_eq!(last.event_name, "USER_APP_CLOSE");
    assert!(last.event_data.get("pad").is_some(), "with the details");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event_name == "USER_APP_CLOSE")
            .count(),
        1
    );
}

#[test]
fn automatic_events_are_never_refused_they_drop_details_that_no_longer_fit() {
    let mut s = session();
    s.screen(ctx(), Screen::Landing, Value::Null).unwrap();
    // Details that fit USER_APP_CLOSE, the event screen() measures them on,
    // with a few bytes to spare; USER_NETWORK_DISCONNECTED is bigger.
    s.screen(ctx(), Screen::Login, padded(0)).unwrap();
    s.close(ctx()).unwrap();
    let close = s
        .take_output()
        .into_iter()
        .find_map(|o| match o.event() {
            Some(e) if e.event_name == "USER_APP_CLOSE" => match o {
                Output::Event { json, .. } => Some(json),
                _ => None,
            },
            _ => None,
        })
        .unwrap();
    let pad = MAX_EVENT_BYTES - close.len() - 5;

    let mut s = session();
    s.screen(ctx(), Screen::Landing, Value::Null).unwrap();
    s.screen(ctx(), Screen::Login, padded(pad)).unwrap();
    s.take_output();
    s.offline(ctx());
    s.online(ctx());
    s.close(ctx()).unwrap();
    let out = emitted(&mut s);
    assert_eq!(out.len(), 4, "every automatic event was emitted");
    for text in &out {
        assert!(text.len() <= MAX_EVENT_BYTES, "{}", text.len());
    }
    let events = s.events();
    let names: Vec<_> = events[events.len() - 4..]
        .iter()
        .map(|e| (e.event_name.as_str(), e.event_data.get("pad").is_some()))
        .collect();
    assert_eq!(
        names,
        [
            ("USER_NETWORK_DISCONNECTED", false),
            ("USER_NETWORK_RECONNECTED", false),
            ("USER_BOUNCE", true),
            ("USER_APP_CLOSE", true),
        ]
    );
}

#[test]
fn fail_and_success_data_are_held_to_the_limit() {
    let mut s = session();
    s.screen(ctx(), Screen::Login, Value::Null).unwrap();
    s.track(ctx(), "USER_LOGIN_ATTEMPTED", Value::Null).unwrap();
    s.take_output();
    let count = s.events().len();

    let mut error = Value::object();
    error.set("message", "x".repeat(MAX_EVENT_BYTES).into());
    let err = s.fail(ctx(), error).unwrap_err();
    assert!(
        matches!(err, Error::EventTooLarge { .. })
            && err
                .to_string()
                .contains("fail(error) would make a USER_CONNECTION_FAILED event")
    );
    assert!(s.take_output().is_empty(), "no event and no onError");
    assert_eq!(s.metadata().get("error"), Some(&Value::Null));
    assert!(
        s.next_deadline().is_some(),
        "the attempt is still in flight"
    );

    let mut data = Value::object();
    data.set("record_id", "r".repeat(MAX_EVENT_BYTES).into());
    let err = s.success(ctx(), data).unwrap_err();
    assert!(
        matches!(err, Error::EventTooLarge { .. })
            && err
                .to_string()
                .contains("success(data) would make a USER_CONNECTION_SUCCESSFUL event")
    );
    assert!(s.take_output().is_empty(), "no event and no onSuccess");
    assert_eq!(s.events().len(), count);

    // Big data that does not go into the event is not limited: onSuccess gets it all.
    let mut data = Value::object();
    data.set("record_id", "r-1".into());
    data.set("accounts", padded(MAX_EVENT_BYTES));
    s.success(ctx(), data).unwrap();
    let out = s.take_output();
    assert!(matches!(&out[0], Output::Event { sequence, .. } if *sequence == count as u64 + 1));
    assert!(matches!(&out[1], Output::Success(d) if d.get("accounts").is_some()));
}

#[test]
fn card_numbers_never_reach_events_from_any_call() {
    let mut s = session();
    let mut details = Value::object();
    details.set("hint", "card 4111 1111 1111 1111".into());
    s.screen(ctx(), Screen::Login, details).unwrap();
    let mut data = Value::object();
    data.set("note", "paid with 5555-5555-5555-4444 today".into());
    s.track(ctx(), "USER_LOGIN_ATTEMPTED", data).unwrap();
    s.fail(
        ctx(),
        Value::String("card 378282246310005 was declined".into()),
    )
    .unwrap();
    s.close(ctx()).unwrap();
    let text: String = s
        .events()
        .iter()
        .map(|e| json::to_string(&e.event_data))
        .collect();
    for card in ["4111", "5555", "378282246310005"] {
        assert!(!text.contains(card), "{card} in {text}");
    }
    assert!(text.contains("\"note\":\"paid with [redacted] today\""));
    assert!(text.contains("card [redacted] was declined"));
}
