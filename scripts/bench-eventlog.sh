#!/usr/bin/env bash
# Benchmarks the event log service: ingest throughput over HTTP and keyword-search
# latency over 1,000,000 events, each beside a baseline measured in the same run.
# Prints a markdown table and writes it to bench/eventlog.md.
# Extra arguments go to the bench binary (e.g. --fill 200000 for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-eventlog.sh --quiet
target/release/okra-eventlog-bench --out bench/eventlog.md "$@"
