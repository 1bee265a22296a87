#!/usr/bin/env bash
# Tests the event log service (crates/eventlog), on both backends:
#   1. cargo test -p okra-eventlog: unit tests, then integration tests that run
#      the service on loopback ports (ingest, query, export, auth, property
#      tests), each database test once on SQLite and once on PostgreSQL. A
#      throwaway PostgreSQL cluster is started for it by scripts/pg.sh, which
#      sets OKRA_EVENTLOG_TEST_PG, so the PostgreSQL variants always run here.
#   2. the release binary, then the dashboard end-to-end test in headless
#      Chromium, on SQLite and on PostgreSQL; the schema/ingest differential
#      test and the dashboard's accessibility test (SQLite)
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }

# --e2e-only: the caller (scripts/test.sh) already ran the workspace's cargo
# test, without PostgreSQL: only the PostgreSQL variants are left to run.
if [ "${1:-}" != "--e2e-only" ]; then
  say "okra-eventlog: cargo test (SQLite and PostgreSQL)"
  scripts/pg.sh cargo test -p okra-eventlog
else
  say "okra-eventlog: cargo test, the PostgreSQL variants"
  scripts/pg.sh cargo test -p okra-eventlog --tests -- postgres
fi

say "okra-eventlog: release build"
scripts/build-eventlog.sh

say "okra-eventlog: dashboard in Chromium (Playwright), SQLite"
OKRA_EVENTLOG_BIN="${OKRA_EVENTLOG_BIN:-target/release/okra-eventlog}" \
  node --test --test-concurrency=1 tests/e2e/dashboard.test.mjs

say "okra-eventlog: the event schema rejects exactly what ingest refuses (10,000 mutated events)"
OKRA_EVENTLOG_BIN="${OKRA_EVENTLOG_BIN:-target/release/okra-eventlog}" \
  node --test tests/schema/differential.test.mjs

say "okra-eventlog: dashboard accessibility, axe-core (WCAG 2.1 AA)"
OKRA_EVENTLOG_BIN="${OKRA_EVENTLOG_BIN:-target/release/okra-eventlog}" \
  node --test tests/e2e/dashboard-a11y.test.mjs

say "okra-eventlog: dashboard in Chromium (Playwright), PostgreSQL"
# shellcheck disable=SC2016 # expanded by the inner shell, where pg.sh set them
scripts/pg.sh bash -c '
  "$PG_BIN/psql" -q "$OKRA_EVENTLOG_TEST_PG" -c "CREATE SCHEMA e2e"
  OKRA_EVENTLOG_E2E_DB="$OKRA_EVENTLOG_TEST_PG?options=-csearch_path%3De2e" \
  OKRA_EVENTLOG_BIN="${OKRA_EVENTLOG_BIN:-target/release/okra-eventlog}" \
    node --test --test-concurrency=1 tests/e2e/dashboard.test.mjs'
