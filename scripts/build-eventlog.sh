#!/usr/bin/env bash
# Builds the okra-eventlog release binaries (target/release/okra-eventlog and
# okra-eventlog-bench). Extra arguments go to cargo (e.g. --quiet).
#
# The workspace's release profile is tuned for the shipped wasm. For this native
# server two of its settings are overridden here:
#   - opt-level 3 instead of "z" for the crate and its dependencies: "z" costs
#     about 15% more CPU per ingested event and 25% in bulk inserts (measured
#     with okra-eventlog-bench on 2 cores);
#   - panic = "unwind" instead of "abort": a bug that panics while serving one
#     request then fails that request, not the whole service.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p okra-eventlog \
  --config 'profile.release.package.okra-eventlog.opt-level=3' \
  --config 'profile.release.package."*".opt-level=3' \
  --config 'profile.release.panic="unwind"' "$@"
