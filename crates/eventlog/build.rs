//! Decides, at build time, whether the PostgreSQL tests are reported as
//! ignored.
//!
//! libtest has no way for a running test to say "skipped": a test that
//! returns early is counted as passed. So a PostgreSQL test without a
//! database fails (tests/common/mod.rs), unless `OKRA_EVENTLOG_ALLOW_NO_PG=1`
//! is set while `OKRA_EVENTLOG_TEST_PG` is not: then this script sets the cfg
//! `okra_eventlog_no_pg`, the PostgreSQL tests are compiled with
//! `#[ignore]`, and cargo's summary counts them as ignored, each named with
//! the reason. Changing either variable re-runs this script and rebuilds
//! the crate's tests.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(okra_eventlog_no_pg)");
    println!("cargo::rerun-if-env-changed=OKRA_EVENTLOG_ALLOW_NO_PG");
    println!("cargo::rerun-if-env-changed=OKRA_EVENTLOG_TEST_PG");
    println!("cargo::rerun-if-changed=build.rs");
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    let allowed = std::env::var("OKRA_EVENTLOG_ALLOW_NO_PG").is_ok_and(|v| v == "1");
    if allowed && !set("OKRA_EVENTLOG_TEST_PG") {
        println!("cargo::rustc-cfg=okra_eventlog_no_pg");
    }
}
