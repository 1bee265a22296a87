//! Operations (issue 10): `/healthz` says when the database is unreachable.

mod common;

use common::*;

#[test]
fn healthz_is_unhealthy_once_the_database_is_unreachable() {
    let s = TestServer::start();
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 200);
    // The file goes away under the running service (a volume unmounted,
    // a clean-up job): open connections would still read the old file.
    remove_db(&s.db);
    let r = request(s.addr, "GET", "/healthz", &[], b"");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.error().contains("gone or was replaced"), "{}", r.error());
    // Another file in its place is not the database either.
    std::fs::write(&s.db, b"").unwrap();
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").status, 503);
}
