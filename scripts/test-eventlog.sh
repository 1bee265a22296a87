#!/usr/bin/env bash
# Tests the event log service (crates/eventlog):
#   1. cargo test -p okra-eventlog: unit tests, then integration tests that run
#      the service on loopback ports (ingest, query, export, auth, property tests)
#   2. the release binary, then the dashboard end-to-end test in headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }

# --e2e-only: the caller (scripts/test.sh) already ran the workspace's cargo test.
if [ "${1:-}" != "--e2e-only" ]; then
  say "okra-eventlog: cargo test"
  cargo test -p okra-eventlog
fi

say "okra-eventlog: release build"
scripts/build-eventlog.sh

say "okra-eventlog: dashboard in Chromium (Playwright)"
OKRA_EVENTLOG_BIN="${OKRA_EVENTLOG_BIN:-target/release/okra-eventlog}" \
  node --test --test-concurrency=1 tests/e2e/dashboard.test.mjs
