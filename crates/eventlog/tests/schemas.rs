//! `GET /schema/<name>.json` serves the committed JSON Schemas (schema/ at
//! the repository's root) byte for byte, cacheable, to any origin. The
//! files do not touch the database, so SQLite alone serves here.

mod common;

use common::*;

fn committed(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

#[test]
fn every_schema_is_served_as_committed_with_caching_headers() {
    let s = TestServer::start();
    for name in [
        "event.json",
        "webhook-body.json",
        "on-success.json",
        "on-error.json",
        "on-close.json",
    ] {
        let r = request(s.addr, "GET", &format!("/schema/{name}"), &[], b"");
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        assert_eq!(r.body, committed(name), "{name} is the committed file");
        assert_eq!(r.header("content-type"), Some("application/schema+json"));
        assert_eq!(r.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        let etag = r.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

        // A client that has this version is told so, without the body.
        let again = request(
            s.addr,
            "GET",
            &format!("/schema/{name}"),
            &[("If-None-Match", &etag)],
            b"",
        );
        assert_eq!(again.status, 304, "{name}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        // One that has another version gets this one.
        let other = request(
            s.addr,
            "GET",
            &format!("/schema/{name}"),
            &[("If-None-Match", "\"0000000000000000\"")],
            b"",
        );
        assert_eq!(other.status, 200, "{name}");
        assert_eq!(other.body, committed(name));
    }
    // Each file has its own tag.
    let tags: std::collections::HashSet<_> = ["event.json", "on-error.json"]
        .iter()
        .map(|n| {
            request(s.addr, "GET", &format!("/schema/{n}"), &[], b"")
                .header("etag")
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tags.len(), 2);
}

#[test]
fn only_the_published_schemas_are_served() {
    let s = TestServer::start();
    for path in [
        "/schema/nope.json",
        "/schema/versions.txt",
        "/schema/..%2FCargo.toml",
        "/schema/",
        "/schema/event",
    ] {
        let r = request(s.addr, "GET", path, &[], b"");
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
    }
}
