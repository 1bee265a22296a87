#!/usr/bin/env bash
# Benchmarks the event log service: ingest throughput over HTTP and keyword-search
# latency over 1,000,000 events, each beside a baseline measured in the same run;
# then the same on PostgreSQL (two instances on one database, search p50/p99,
# erasure under ingest), in a throwaway cluster from scripts/pg.sh --durable
# (fsync on). BENCH_SKIP_PG=1 leaves PostgreSQL out.
# Prints a markdown table and writes it to bench/eventlog.md.
# Extra arguments go to the bench binary (e.g. --fill 200000 for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-eventlog.sh --quiet
if [ "${BENCH_SKIP_PG:-0}" = 1 ]; then
  target/release/okra-eventlog-bench --out bench/eventlog.md "$@"
else
  # shellcheck disable=SC2016 # expanded by the inner shell, where pg.sh set it
  scripts/pg.sh --durable bash -c \
    'exec target/release/okra-eventlog-bench --out bench/eventlog.md --pg "$OKRA_EVENTLOG_TEST_PG" "$@"' \
    bench-eventlog "$@"
fi
