//! Ingest rules (SPEC 7.2): the origin allowlist and trusted proxies.
//! (Slow clients are cut off by the header and body timeouts: see
//! `hardening.rs`.)

#[macro_use]
mod common;

use common::*;
use okra_eventlog::proxy::Cidr;
use okra_eventlog::ratelimit::RateLimit;
use serde_json::json;

fn post_from(s: &TestServer, headers: &[(&str, &str)], body: &serde_json::Value) -> Resp {
    let mut h = vec![("Content-Type", "text/plain;charset=UTF-8")];
    h.extend_from_slice(headers);
    request(s.addr, "POST", "/events", &h, body.to_string().as_bytes())
}

fn only_allowed_origins_may_post_and_look_alikes_are_refused() {
    let s = TestServer::with(|c| {
        c.allow_origins = vec![
            "https://merchant.example".into(),
            "http://localhost:3000".into(),
        ];
    });
    let now = now_ms();
    let mut n = 0;
    let mut one = || {
        n += 1;
        batch(vec![event(
            "USER_CONNECTING",
            &format!("origin-{n}"),
            1,
            now,
            json!({}),
        )])
    };
    for origin in ["https://merchant.example", "http://localhost:3000"] {
        let r = post_from(&s, &[("Origin", origin)], &one());
        assert_eq!(r.status, 200, "{origin}: {}", r.text());
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        assert_eq!(r.header("vary"), Some("Origin"));
    }
    // Not a browser (no Origin): a server-side delivery, allowed.
    assert_eq!(post_from(&s, &[], &one()).status, 200);
    assert_eq!(s.count(), 3);
    for origin in [
        "https://merchant.example.evil.com",
        "https://merchant.example:8443",
        "https://merchant.example:443",
        "http://merchant.example",
        "https://evil-merchant.example",
        "https://merchant.exampl",
        "https://merchant.example.",
        "http://localhost:30000",
        "http://localhost",
        "HTTPS://MERCHANT.EXAMPLE",
        "null",
    ] {
        let r = post_from(&s, &[("Origin", origin)], &one());
        assert_eq!(r.status, 403, "{origin}: {}", r.text());
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        assert!(r.error().contains("may not post events"), "{}", r.error());
        assert_eq!(r.header("access-control-allow-origin"), None, "{origin}");
        // The preflight is refused too.
        let r = request(
            s.addr,
            "OPTIONS",
            "/events",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
            ],
            b"",
        );
        assert_eq!(r.status, 403, "{origin}: {}", r.text());
    }
    // Two Origin headers, one of them allowed: refused.
    let r = post_from(
        &s,
        &[
            ("Origin", "https://merchant.example"),
            ("Origin", "https://evil.example"),
        ],
        &one(),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    // Nothing of a refused post was stored.
    assert_eq!(s.count(), 3);
    let r = request(
        s.addr,
        "OPTIONS",
        "/events",
        &[
            ("Origin", "https://merchant.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://merchant.example")
    );
}

fn without_an_allowlist_any_origin_may_post() {
    let s = TestServer::start();
    let body = batch(vec![event(
        "USER_CONNECTING",
        "any-origin",
        1,
        now_ms(),
        json!({}),
    )]);
    let r = post_from(&s, &[("Origin", "https://anyone.example")], &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

const TWO_THEN_WAIT: RateLimit = RateLimit {
    per_second: 0.001,
    burst: 2.0,
};

fn a_trusted_proxy_names_the_client_for_the_rate_limit() {
    // The tests connect from 127.0.0.1: here, a trusted proxy.
    let s = TestServer::with(|c| {
        c.rate_limit = Some(TWO_THEN_WAIT);
        c.trusted_proxies = vec![
            Cidr::parse("127.0.0.0/8").unwrap(),
            Cidr::parse("10.0.0.0/8").unwrap(),
        ];
    });
    let empty = batch(vec![]);
    let from = |xff: &str| post_from(&s, &[("X-Forwarded-For", xff)], &empty);
    assert_eq!(from("203.0.113.1").status, 200);
    assert_eq!(from("203.0.113.1").status, 200);
    let r = from("203.0.113.1");
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.error().contains("203.0.113.1"), "{}", r.error());
    // Another client behind the same proxy has its own budget.
    assert_eq!(from("203.0.113.2").status, 200);
    // Addresses the client wrote left of what the proxies saw change nothing.
    let r = from("198.51.100.77, 203.0.113.1");
    assert_eq!(r.status, 429, "{}", r.text());
    // A chain of trusted proxies: the right-most untrusted address counts.
    let r = from("203.0.113.1, 10.1.2.3");
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(from("203.0.113.3, 10.1.2.3").status, 200);
}

fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let s = TestServer::with(|c| {
        c.rate_limit = Some(TWO_THEN_WAIT);
        c.trusted_proxies = vec![Cidr::parse("10.0.0.0/8").unwrap()];
    });
    let empty = batch(vec![]);
    // Each request claims another client; all are 127.0.0.1.
    assert_eq!(
        post_from(&s, &[("X-Forwarded-For", "203.0.113.1")], &empty).status,
        200
    );
    assert_eq!(
        post_from(&s, &[("X-Forwarded-For", "203.0.113.2")], &empty).status,
        200
    );
    let r = post_from(&s, &[("X-Forwarded-For", "203.0.113.3")], &empty);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.error().contains("127.0.0.1"), "{}", r.error());
}

both_backends!(
    only_allowed_origins_may_post_and_look_alikes_are_refused,
    without_an_allowlist_any_origin_may_post,
    a_trusted_proxy_names_the_client_for_the_rate_limit,
    forwarded_for_from_an_untrusted_peer_is_ignored,
);
