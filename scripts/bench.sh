#!/usr/bin/env bash
# `make bench`: measures okra-events beside its baselines and incumbents, in one
# run on this machine, and regenerates bench/results.md (issue 5).
#
#   1. bench/size.mjs      what a page downloads (module page, esbuild, Vite, webpack 5; in Chromium),
#                          the bytes by part, and the npm SDKs pinned in bench/package-lock.json
#   1b. bench/host.mjs     okra-events/host: the merchant page's bytes (four setups, the classic
#                          script) and time to the iframe, beside an iframe inserted by hand
#   1c. bench/react.mjs    okra-events/react: its own bytes, and what a React component using the
#                          hook bundles with esbuild (React external), beside the host by hand
#   2. bench/speed.mjs     per-event cost, start-up and memory vs a plain-JS emitter (Node, Chromium)
#   3. bench/delivery.mjs  emit + persist cost at queue depth (writes bench/delivery.md), if present
#   4. scripts/bench-eventlog.sh  event log ingest and search (writes bench/eventlog.md), if present
#   4b. bench/boundary.mjs JSON text vs serde-wasm-bindgen to_value per event (writes bench/boundary.md);
#                          optional: if it cannot build or run, make bench says why and goes on
#   5. bench/report.mjs    bench/results.md: machine, versions, every table, targets met/missed
#
# Needs pkg/ (make pkg), the workspace's npm packages (scripts/setup.sh) and Vite in
# www/node_modules (installed here if missing, as scripts/demo.sh does).
# Environment:
#   BENCH_SKIP_DELIVERY=1, BENCH_SKIP_EVENTLOG=1   skip those benches (results.md says so)
#   BENCH_SKIP_BOUNDARY=1                          skip bench/boundary.mjs
#   BENCH_EVENTLOG_ARGS="--fill 200000"            extra arguments for scripts/bench-eventlog.sh
#   BENCH_EVENTS, BENCH_ROUNDS, BENCH_STARTS, ...  see bench/speed.mjs
#   BENCH_SIZE_PROFILE=0                           skip the per-crate wasm breakdown (needs twiggy)
# Times are reported, never asserted: this exits non-zero only if a bench cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

if [ ! -f pkg/index.js ] || [ ! -f pkg/okra_events_bg.wasm ] || [ ! -f pkg/okra_events_wasm.js ]; then
  echo "bench: pkg/ is missing; build it first (make pkg, or scripts/build.sh)" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
  echo "bench: node_modules/playwright-core is missing; run scripts/setup.sh" >&2
  exit 1
fi

if [ ! -f www/node_modules/vite/package.json ]; then
  say "npm ci (www/, for Vite)"
  (cd www && npm ci --no-audit --no-fund --loglevel=error)
fi

# The wasm-by-crate breakdown of bench/size.mjs reads the release wasm with twiggy.
if [ "${BENCH_SIZE_PROFILE:-1}" != 0 ] && ! command -v twiggy >/dev/null 2>&1; then
  say "cargo install twiggy (a few minutes, once; BENCH_SIZE_PROFILE=0 skips the breakdown)"
  cargo install twiggy --locked --quiet || cargo install twiggy --quiet \
    || echo "bench: twiggy could not be installed; the size section says so" >&2
fi

BENCH_STARTED=$(date +%s)
BENCH_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
export BENCH_STARTED BENCH_LOAD_START

# The bench's own npm project: the incumbents at pinned versions, esbuild, and
# okra-events itself as file:../pkg. Scripts are not run (none is needed).
if [ -f bench/package-lock.json ]; then
  if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    say "npm ci (bench/)"
    (cd bench && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
else
  say "npm install (bench/, no lock yet)"
  (cd bench && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

say "size (bench/size.mjs)"
node bench/size.mjs >/dev/null

say "okra-events/host: the merchant's page (bench/host.mjs)"
node bench/host.mjs >/dev/null

say "okra-events/react: a React app (bench/react.mjs)"
node bench/react.mjs >/dev/null

say "per event, start-up, memory (bench/speed.mjs)"
node bench/speed.mjs >/dev/null

BENCH_DELIVERY_STATUS="bench/delivery.mjs is not there"
if [ "${BENCH_SKIP_DELIVERY:-0}" = 1 ]; then
  BENCH_DELIVERY_STATUS="skipped: BENCH_SKIP_DELIVERY=1"
elif [ -f bench/delivery.mjs ]; then
  say "delivery (bench/delivery.mjs)"
  if node bench/delivery.mjs >/dev/null; then BENCH_DELIVERY_STATUS=ran
  else BENCH_DELIVERY_STATUS="bench/delivery.mjs failed (exit $?)"; echo "bench: $BENCH_DELIVERY_STATUS" >&2
  fi
fi

BENCH_EVENTLOG_STATUS="scripts/bench-eventlog.sh is not there"
if [ "${BENCH_SKIP_EVENTLOG:-0}" = 1 ]; then
  BENCH_EVENTLOG_STATUS="skipped: BENCH_SKIP_EVENTLOG=1"
elif [ -x scripts/bench-eventlog.sh ]; then
  say "event log (scripts/bench-eventlog.sh ${BENCH_EVENTLOG_ARGS:-})"
  # shellcheck disable=SC2086 # word splitting of the extra arguments is wanted
  if scripts/bench-eventlog.sh ${BENCH_EVENTLOG_ARGS:-} >/dev/null; then BENCH_EVENTLOG_STATUS=ran
  else BENCH_EVENTLOG_STATUS="scripts/bench-eventlog.sh failed (exit $?)"; echo "bench: $BENCH_EVENTLOG_STATUS" >&2
  fi
fi
export BENCH_DELIVERY_STATUS BENCH_EVENTLOG_STATUS

if [ "${BENCH_SKIP_BOUNDARY:-0}" != 1 ] && [ -f bench/boundary.mjs ]; then
  say "wasm -> JS boundary: JSON text vs to_value (bench/boundary.mjs)"
  if node bench/boundary.mjs >/dev/null; then :
  else echo "bench: bench/boundary.mjs failed (exit $?); bench/boundary.md not updated, going on" >&2
  fi
fi

say "bench/results.md"
node bench/report.mjs
echo "bench: wrote bench/results.md in $(( $(date +%s) - BENCH_STARTED )) s"
