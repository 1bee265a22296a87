//! The session's rules, driven by a fake clock: automatic events, the network
//! rules with `withError`, timers, success, failure and close.

use okra_events_core::session::{DEFAULT_RECONNECT_GRACE_MS, DEFAULT_TIMEOUT_MS};
use okra_events_core::{json, Config, Ctx, Error, Event, Output, Screen, Session, Value};

const T0: u64 = 1_795_742_454_123;

/// A session with a fake clock.
struct Fake {
    s: Session,
    now: u64,
}

impl Fake {
    fn new() -> Fake {
        Fake::with(Config::default(), true)
    }

    fn with(cfg: Config, online: bool) -> Fake {
        let s = Session::new(cfg, [42, 7], ctx(T0), online);
        Fake { s, now: T0 }
    }

    fn ctx(&self) -> Ctx<'static> {
        ctx(self.now)
    }

    /// Moves the clock and fires what is due, as the browser's timer would.
    fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        while let Some(at) = self.s.next_deadline().filter(|&at| at <= end) {
            self.now = at.max(self.now);
            self.s.tick(self.ctx());
        }
        self.now = end;
    }

    fn screen(&mut self, name: &str) {
        let c = self.ctx();
        self.s
            .screen(c, Screen::parse(name).unwrap(), Value::Null)
            .unwrap();
    }

    fn track(&mut self, name: &str) {
        let c = self.ctx();
        self.s.track(c, name, Value::Null).unwrap();
    }

    fn offline(&mut self) {
        let c = self.ctx();
        self.s.offline(c);
    }

    fn online(&mut self) {
        let c = self.ctx();
        self.s.online(c);
    }

    fn names(&self) -> Vec<&'static str> {
        self.s
            .events()
            .iter()
            .map(|e| okra_events_core::lookup(&e.event_name).unwrap().name)
            .collect()
    }

    fn last(&self) -> Event {
        self.s.events().pop().unwrap()
    }

    fn find(&self, name: &str) -> Event {
        self.s
            .events()
            .into_iter()
            .rev()
            .find(|e| e.event_name == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.names()))
    }
}

/// A moment where the wall clock and the monotonic clock read the same.
fn ctx(now: u64) -> Ctx<'static> {
    Ctx {
        now,
        mono: now,
        location: Some("https://widget.example/:ref/bank?bank=alat"),
    }
}

fn obj(text: &str) -> Value {
    json::parse(text).unwrap()
}

#[test]
fn build_emits_connecting_and_first_screen_connected() {
    let mut f = Fake::new();
    assert_eq!(f.names(), ["USER_CONNECTING"]);
    let e = f.last();
    assert_eq!(e.sequence, 1);
    assert_eq!(e.event_screen, None);
    assert_eq!(e.event_time, "2026-11-27T01:20:54.123Z");
    assert_eq!(
        e.event_location.as_deref(),
        Some("https://widget.example/:ref/bank?bank=alat")
    );
    assert_eq!(
        e.event_data.get("tracking_id").and_then(Value::as_str),
        Some(f.s.tracking_id())
    );
    f.screen("landing");
    f.screen("login_method");
    assert_eq!(f.names(), ["USER_CONNECTING", "USER_CONNECTED"]);
    assert_eq!(f.find("USER_CONNECTED").event_screen, Some(Screen::Landing));
}

#[test]
fn each_screen_emits_its_landing_event() {
    for (screen, event) in [
        ("bank", "USER_VIEWED_BANKS"),
        ("account_selection", "USER_ACCOUNT_SELECTION"),
        ("mfa", "USER_MFA_QUESTION"),
        ("review_payment", "USER_PAYMENT_REVIEW"),
        ("rux_bank_selection", "USER_RUX_SELECTION"),
        ("no_search_result", "USER_BANK_SEARCH_NO_RESULTS"),
    ] {
        let mut f = Fake::new();
        f.screen("landing");
        f.screen(screen);
        assert_eq!(f.names()[2..], [event], "{screen}");
        assert_eq!(f.last().event_screen.map(Screen::as_str), Some(screen));
        assert!(!f.last().with_error);
    }
    // Screens without a landing event emit nothing of their own.
    let mut f = Fake::new();
    for s in [
        "landing",
        "login_method",
        "search",
        "login",
        "balance",
        "success",
    ] {
        f.screen(s);
    }
    assert_eq!(f.names(), ["USER_CONNECTING", "USER_CONNECTED"]);
}

#[test]
fn search_engagement_fires_after_five_seconds_on_the_search_screen() {
    let mut f = Fake::new();
    f.screen("search");
    f.advance(4_999);
    assert!(!f.names().contains(&"USER_BANK_SEARCH"));
    f.advance(1);
    assert_eq!(f.last().event_name, "USER_BANK_SEARCH");
    assert_eq!(f.last().event_screen, Some(Screen::Search));
    // Only once per visit.
    f.advance(60_000);
    assert_eq!(
        f.names()
            .iter()
            .filter(|n| **n == "USER_BANK_SEARCH")
            .count(),
        1
    );

    // Leaving before 5 s cancels it.
    let mut f = Fake::new();
    f.screen("search");
    f.advance(3_000);
    f.screen("bank");
    f.advance(10_000);
    assert!(!f.names().contains(&"USER_BANK_SEARCH"));
}

#[test]
fn offline_during_a_connection_attempt_is_an_error() {
    let mut f = Fake::new();
    f.screen("login");
    f.track("USER_LOGIN_ATTEMPTED");
    f.advance(500);
    f.offline();
    let e = f.last();
    assert_eq!(e.event_name, "USER_NETWORK_DISCONNECTED");
    assert!(e.with_error);
    assert_eq!(e.event_data.get("during_attempt"), Some(&Value::Bool(true)));
    // The attempt failed: no attempt timeout follows, and reconnecting is not an error.
    f.advance(10_000);
    f.online();
    assert_eq!(f.last().event_name, "USER_NETWORK_RECONNECTED");
    assert!(!f.last().with_error);
    f.advance(DEFAULT_TIMEOUT_MS * 2);
    assert!(!f.names().contains(&"USER_TIMEOUT"));
}

#[test]
fn offline_on_the_bank_screen_then_reconnect_is_not_an_error() {
    let mut f = Fake::new();
    f.screen("bank");
    f.offline();
    let e = f.last();
    assert_eq!(e.event_name, "USER_NETWORK_DISCONNECTED");
    assert!(!e.with_error);
    assert_eq!(e.event_screen, Some(Screen::Bank));
    f.advance(2_345);
    f.online();
    let e = f.last().clone();
    assert_eq!(e.event_name, "USER_NETWORK_RECONNECTED");
    assert!(!e.with_error);
    assert_eq!(e.event_data.get("offline_ms"), Some(&Value::from(2_345u64)));
    // Repeated browser events do not repeat ours.
    f.online();
    assert_eq!(f.last().sequence, e.sequence);
}

#[test]
fn offline_past_the_grace_period_times_out() {
    let mut f = Fake::new();
    f.screen("bank");
    f.offline();
    f.offline();
    f.advance(DEFAULT_RECONNECT_GRACE_MS - 1);
    assert_eq!(f.last().event_name, "USER_NETWORK_DISCONNECTED");
    f.advance(1);
    let e = f.last();
    assert_eq!(e.event_name, "USER_TIMEOUT");
    assert!(e.with_error);
    assert_eq!(
        e.event_data.get("reason").and_then(Value::as_str),
        Some("offline")
    );
    assert_eq!(
        e.event_data.get("offline_ms"),
        Some(&Value::from(DEFAULT_RECONNECT_GRACE_MS))
    );
    f.advance(5_000);
    f.online();
    assert_eq!(f.last().event_name, "USER_NETWORK_RECONNECTED");
    assert_eq!(
        f.last().event_data.get("offline_ms"),
        Some(&Value::from(DEFAULT_RECONNECT_GRACE_MS + 5_000))
    );
    // Exactly one timeout for one outage.
    assert_eq!(
        f.names().iter().filter(|n| **n == "USER_TIMEOUT").count(),
        1
    );
}

#[test]
fn starting_offline_reports_the_outage() {
    let cfg = Config {
        reconnect_grace_ms: 1_000,
        ..Config::default()
    };
    let mut f = Fake::with(cfg, false);
    assert_eq!(f.names(), ["USER_CONNECTING", "USER_NETWORK_DISCONNECTED"]);
    assert!(!f.last().with_error);
    f.advance(1_000);
    assert_eq!(f.last().event_name, "USER_TIMEOUT");
}

#[test]
fn an_attempt_without_outcome_times_out() {
    let cfg = Config {
        timeout_ms: 30_000,
        ..Config::default()
    };
    let mut f = Fake::with(cfg, true);
    f.screen("login");
    f.track("user_login_attempted");
    f.advance(29_999);
    assert_eq!(f.last().event_name, "USER_LOGIN_ATTEMPTED");
    f.advance(1);
    let e = f.last();
    assert_eq!(e.event_name, "USER_TIMEOUT");
    assert!(e.with_error);
    assert_eq!(
        e.event_data.get("reason").and_then(Value::as_str),
        Some("attempt")
    );
    assert_eq!(
        e.event_data.get("timeout_ms"),
        Some(&Value::from(30_000u64))
    );
    // After the timeout the attempt is over: going offline is no longer an error.
    f.offline();
    assert!(!f.last().with_error);
}

#[test]
fn an_attempt_with_an_outcome_does_not_time_out() {
    for outcome in ["mfa", "account_selection", "failure"] {
        let mut f = Fake::new();
        f.screen("login");
        f.track("USER_LOGIN_ATTEMPTED");
        f.advance(1_000);
        f.screen(outcome);
        f.advance(DEFAULT_TIMEOUT_MS * 2);
        assert!(!f.names().contains(&"USER_TIMEOUT"), "{outcome}");
        f.offline();
        assert!(!f.last().with_error, "{outcome}");
    }
    // Submitting an MFA answer is an attempt of its own.
    let mut f = Fake::new();
    f.screen("mfa");
    f.track("USER_COMPLETE_MFA");
    f.offline();
    assert!(f.last().with_error);
}

#[test]
fn success_then_close_is_not_a_bounce() {
    let cfg = Config {
        options: obj(r#"{"clientDefinedId":"Im testing out"}"#),
        meta: obj(r#"{"anotherclientDefinedId":"1234567890"}"#),
        ..Config::default()
    };
    let mut f = Fake::with(cfg, true);
    f.screen("balance");
    f.s.take_output();
    let c = f.ctx();
    f.s.success(
        c,
        obj(
            r#"{"record_id":"627a80914bff31001e9ee9d1","bank_id":"5d6f","accounts":[{"id":"a1"}]}"#,
        ),
    )
    .unwrap();
    let out = f.s.take_output();
    assert!(
        matches!(out[0].event(), Some(e) if e.event_name == "USER_CONNECTION_SUCCESSFUL" && !e.with_error)
    );
    let Output::Success(data) = &out[1] else {
        panic!("{out:?}")
    };
    assert_eq!(data.get("success"), Some(&Value::Bool(true)));
    assert_eq!(
        data.get("record_id").and_then(Value::as_str),
        Some("627a80914bff31001e9ee9d1")
    );
    assert_eq!(
        data.get("options"),
        Some(&obj(r#"{"clientDefinedId":"Im testing out"}"#))
    );
    assert_eq!(
        data.get("meta"),
        Some(&obj(r#"{"anotherclientDefinedId":"1234567890"}"#))
    );
    for key in [
        "auth",
        "identity",
        "error",
        "balance",
        "launchAgain",
        "hideExit",
        "done",
    ] {
        assert!(data.get(key).is_some(), "{key}");
    }
    assert_eq!(f.s.success(c, Value::Null), Err(Error::AlreadySucceeded));

    f.screen("success");
    let c = f.ctx();
    f.s.close(c).unwrap();
    let out = f.s.take_output();
    let names: Vec<_> = out
        .iter()
        .map(|o| match o {
            Output::Event { .. } => {
                okra_events_core::lookup(&o.event().unwrap().event_name)
                    .unwrap()
                    .name
            }
            Output::BeforeClose(_) => "beforeClose",
            Output::Close { .. } => "onClose",
            _ => "other",
        })
        .collect();
    assert_eq!(names, ["beforeClose", "USER_APP_CLOSE", "onClose"]);
    let Output::Close { json, error } = out.last().unwrap() else {
        panic!()
    };
    assert_eq!(json.get("bounced"), Some(&Value::Bool(false)));
    assert_eq!(
        json.get("last_screen").and_then(Value::as_str),
        Some("success")
    );
    assert_eq!(
        json.get("events_count"),
        Some(&Value::from(f.s.events().len() as u64))
    );
    assert_eq!(*error, Value::Null);
    // A second close does nothing.
    f.s.close(c).unwrap();
    assert!(f.s.take_output().is_empty());
}

#[test]
fn close_before_success_bounces_and_reports_the_last_error() {
    let mut f = Fake::new();
    f.screen("login");
    let c = f.ctx();
    f.s.fail(
        c,
        obj(r#"{"type":"BANK_AUTH","message":"wrong password","code":"AUTH","password":"x"}"#),
    )
    .unwrap();
    let failed = f.last();
    assert_eq!(failed.event_name, "USER_CONNECTION_FAILED");
    assert!(failed.with_error);
    assert_eq!(
        failed.event_data.get("error"),
        Some(&obj(
            r#"{"type":"BANK_AUTH","message":"wrong password","code":"AUTH"}"#
        ))
    );
    let out = f.s.take_output();
    let Output::Error { json, error } = out.last().unwrap() else {
        panic!("{out:?}")
    };
    assert_eq!(
        json.get("last_screen").and_then(Value::as_str),
        Some("login")
    );
    assert_eq!(
        error.get("message").and_then(Value::as_str),
        Some("wrong password")
    );
    f.screen("failure");
    f.s.close(c).unwrap();
    assert_eq!(
        f.names()[f.names().len() - 2..],
        ["USER_BOUNCE", "USER_APP_CLOSE"]
    );
    let out = f.s.take_output();
    let Output::BeforeClose(before) = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(before.get("bounced"), Some(&Value::Bool(true)));
    let Output::Close { json, error } = out.last().unwrap() else {
        panic!()
    };
    assert_eq!(json.get("bounced"), Some(&Value::Bool(true)));
    // Our type names the event; the caller's own `type` stays inside its error.
    assert_eq!(
        error.get("type").and_then(Value::as_str),
        Some("USER_CONNECTION_FAILED")
    );
    assert_eq!(
        error.get("error"),
        Some(&obj(
            r#"{"type":"BANK_AUTH","message":"wrong password","code":"AUTH"}"#
        ))
    );
}

#[test]
fn after_close_only_redirect_and_after_destroy_nothing() {
    let mut f = Fake::new();
    f.screen("landing");
    let c = f.ctx();
    f.s.close(c).unwrap();
    assert_eq!(f.s.next_deadline(), None);
    assert_eq!(
        f.s.screen(c, Screen::Bank, Value::Null),
        Err(Error::Closed("screen"))
    );
    assert_eq!(
        f.s.track(c, "USER_BANK_SELECTED", Value::Null),
        Err(Error::Closed("track"))
    );
    f.s.track(
        c,
        "USER_APP_REDIRECT",
        obj(r#"{"url":"https://merchant.example/done"}"#),
    )
    .unwrap();
    // Network changes after close are not the widget's events any more.
    f.offline();
    assert_eq!(f.last().event_name, "USER_APP_REDIRECT");

    let mut f = Fake::new();
    f.screen("search");
    f.s.destroy();
    assert_eq!(f.s.next_deadline(), None);
    let c = f.ctx();
    assert_eq!(f.s.close(c), Err(Error::Destroyed("close")));
    assert_eq!(
        f.s.track(c, "USER_APP_REDIRECT", Value::Null),
        Err(Error::Destroyed("track"))
    );
    f.offline();
    f.advance(60_000);
    assert_eq!(f.names(), ["USER_CONNECTING", "USER_CONNECTED"]);
}

#[test]
fn automatic_events_cannot_be_tracked_and_unknown_names_are_named() {
    let mut f = Fake::new();
    let c = f.ctx();
    for name in [
        "USER_CONNECTING",
        "user_viewed_banks",
        "USER_BANK_SEARCH",
        "USER_NETWORK_DISCONNECTED",
        "WIDGET_USER_INTERNET_DISCONNECTED",
        "USER_TIMEOUT",
        "USER_BOUNCE",
        "USER_CONNECTION_SUCCESSFUL",
        "USER_APP_CLOSE",
    ] {
        let err = f.s.track(c, name, Value::Null).unwrap_err();
        assert!(matches!(err, Error::NotTrackable { .. }), "{name}: {err}");
        assert!(err.to_string().contains("emitted automatically"), "{err}");
    }
    let err = f.s.track(c, "USER_SMILED", Value::Null).unwrap_err();
    assert_eq!(
        err.to_string(),
        "okra-events: unknown event \"USER_SMILED\"; see Okra.events for the catalog"
    );
    let err = f.s.track(c, "USER_BANK_SELECTED", obj("[1]")).unwrap_err();
    assert!(
        err.to_string().contains("must be a plain JSON object"),
        "{err}"
    );
    assert_eq!(f.names(), ["USER_CONNECTING"]);
}

#[test]
fn event_data_merges_screen_details_and_never_carries_credentials() {
    let mut f = Fake::new();
    let c = f.ctx();
    f.s.screen(c, Screen::Login, obj(r#"{"bank":"alat","pin":"1234"}"#))
        .unwrap();
    f.s.track(
        c,
        "USER_LOGIN_ATTEMPTED",
        obj(r#"{"username":"faith","password":"hunter2","tracking_id":"forged","form":{"otp":"123456","answers":["blue"]}}"#),
    )
    .unwrap();
    let e = f.last();
    assert_eq!(
        json::to_string(&e.event_data),
        format!(
            r#"{{"tracking_id":"{}","bank":"alat","username":"faith","form":{{}}}}"#,
            f.s.tracking_id()
        )
    );
}

#[test]
fn an_events_own_field_replaces_a_screen_detail_of_that_name_in_its_place() {
    let mut f = Fake::new();
    let c = f.ctx();
    f.s.screen(c, Screen::Login, obj(r#"{"bank":"alat","step":1}"#))
        .unwrap();
    f.s.track(
        c,
        "USER_LOGIN_ATTEMPTED",
        obj(r#"{"extra":true,"bank":"gtb"}"#),
    )
    .unwrap();
    assert_eq!(
        json::to_string(&f.last().event_data),
        format!(
            r#"{{"tracking_id":"{}","bank":"gtb","step":1,"extra":true}}"#,
            f.s.tracking_id()
        )
    );
    // An object given with a repeated key keeps its first place and last value.
    f.s.screen(c, Screen::Login, Value::Null).unwrap();
    let repeated = Value::Object(vec![
        ("k".to_owned(), Value::from(1u64)),
        ("j".to_owned(), Value::from(2u64)),
        ("k".to_owned(), Value::from(3u64)),
    ]);
    f.s.track(c, "USER_LOGIN_ATTEMPTED", repeated).unwrap();
    let written = f.s.log().last().unwrap();
    let data = format!(
        r#""event_data":{{"tracking_id":"{}","k":3,"j":2}},"#,
        f.s.tracking_id()
    );
    assert!(written.contains(&data), "{written}");
    f.s.screen(c, Screen::Login, obj(r#"{"bank":"alat","step":1}"#))
        .unwrap();
    // The screen's details themselves are unchanged for the next event.
    f.s.track(c, "USER_LOGIN_ATTEMPTED", Value::Null).unwrap();
    assert_eq!(
        json::to_string(&f.last().event_data),
        format!(
            r#"{{"tracking_id":"{}","bank":"alat","step":1}}"#,
            f.s.tracking_id()
        )
    );
}

#[test]
fn sequences_are_gapless_and_ids_unique() {
    let mut f = Fake::new();
    f.screen("landing");
    for _ in 0..50 {
        f.track("USER_CONSENT_REVIEW");
    }
    f.offline();
    f.online();
    let events = f.s.events();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.sequence, i as u64 + 1);
        assert_eq!(e.session_id, f.s.session_id());
        e.validate().unwrap();
    }
    let mut ids: Vec<_> = events.iter().map(|e| &e.event_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), events.len());
}

#[test]
fn the_json_writer_matches_the_serde_schema() {
    let cfg = Config {
        callback_url: Some("https://collector.example/events".into()),
        ..Config::default()
    };
    let mut f = Fake::with(cfg, true);
    let c = f.ctx();
    f.s.screen(
        c,
        Screen::Bank,
        obj(r#"{"n":1.5,"s":"q\"uote\n","a":[null,true]}"#),
    )
    .unwrap();
    for e in f.s.events() {
        let mut ours = String::new();
        okra_events_core::event::write_event(&mut ours, &e);
        assert_eq!(ours, serde_json::to_string(&e).unwrap());
        let back: Event = serde_json::from_str(&ours).unwrap();
        assert_eq!(back, e);
    }
}

/// The log keeps every event until it holds a tenth more than
/// [`LOG_LIMIT`], then drops to the newest `LOG_LIMIT` at once: trimming in
/// chunks keeps the cost per event constant, and what `events()` returns
/// never has fewer than `LOG_LIMIT` or more than that tenth over.
#[test]
fn the_session_log_is_trimmed_in_chunks_of_a_tenth() {
    use okra_events_core::session::LOG_LIMIT;
    let mut f = Fake::new();
    f.screen("landing");
    let full = LOG_LIMIT + LOG_LIMIT / 10;
    for _ in 0..full {
        if f.s.log().len() >= full {
            break;
        }
        f.track("USER_CONSENT_REVIEW");
    }
    assert_eq!(
        f.s.log().len(),
        full,
        "every event is kept up to the threshold"
    );
    f.track("USER_CONSENT_REVIEW");
    assert_eq!(
        f.s.log().len(),
        LOG_LIMIT + 1,
        "the next one trims to the newest LOG_LIMIT, then joins them"
    );
    let events = f.s.events();
    assert_eq!(events.last().unwrap().sequence, (full + 1) as u64);
    assert_eq!(events[0].sequence, (full + 1 - LOG_LIMIT) as u64);
}

#[test]
fn the_session_log_stays_bounded_and_sequences_go_on() {
    use okra_events_core::session::LOG_LIMIT;
    let mut f = Fake::new();
    f.screen("landing");
    let total = LOG_LIMIT * 3 + 7;
    for _ in 2..total {
        f.track("USER_CONSENT_REVIEW");
    }
    let events = f.s.events();
    assert!(
        events.len() <= LOG_LIMIT + LOG_LIMIT / 10,
        "{}",
        events.len()
    );
    assert!(events.len() >= LOG_LIMIT);
    assert_eq!(events.last().unwrap().sequence, total as u64);
    for pair in events.windows(2) {
        assert_eq!(pair[1].sequence, pair[0].sequence + 1);
    }
    assert_eq!(
        f.s.event_id(total as u64),
        Some(events.last().unwrap().event_id.as_str())
    );
    assert!(f.s.event_id(1).is_none(), "the oldest left the log");
    assert_eq!(
        f.s.metadata().get("events_count"),
        Some(&Value::from(total as u64))
    );
}

#[test]
fn a_wall_clock_that_jumps_back_delays_no_timer() {
    let at = |now, mono| Ctx {
        now,
        mono,
        location: None,
    };
    let cfg = Config {
        timeout_ms: 2_000,
        ..Config::default()
    };
    let mut s = Session::new(cfg, [1, 2], at(T0, 10), true);
    s.screen(at(T0, 10), Screen::parse("login").unwrap(), Value::Null)
        .unwrap();
    s.track(at(T0, 10), "USER_LOGIN_ATTEMPTED", Value::Null)
        .unwrap();
    assert_eq!(s.next_deadline(), Some(2_010), "on the monotonic clock");
    // The wall clock goes back an hour (NTP, or the user); 2 s pass.
    let wall = T0 - 3_600_000 + 2_000;
    s.tick(at(wall, 2_010));
    let last = s.events().pop().unwrap();
    assert_eq!(last.event_name, "USER_TIMEOUT", "the timeout fired on time");
    assert!(last.with_error);
    assert_eq!(
        last.event_time,
        okra_events_core::time::iso8601(wall),
        "events keep wall-clock times"
    );
}
