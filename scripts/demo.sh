#!/usr/bin/env bash
# Builds the demo (www/) against the package in pkg/ and serves it on
# 127.0.0.1. Called by `make demo` once pkg/ is built.
#
#   scripts/demo.sh               install if needed, build, serve
#   scripts/demo.sh --build-only  install if needed, build (used before the e2e tests)
#
# PORT (default 5173) and WIDGET_PORT (default 5174) choose the ports of the
# merchant page and of the widget's own origin.
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=false
case "${1:-}" in
  --build-only) build_only=true ;;
  "") ;;
  *) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
esac

if [ ! -f pkg/package.json ]; then
  echo "pkg/ is missing: build the package first (make pkg, or scripts/build.sh)" >&2
  exit 1
fi

answers() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$1" 2>/dev/null; }

cd www
# okra-events is a file: dependency (a symlink to ../pkg), so a rebuilt
# package is picked up without reinstalling; only a missing install is fixed.
if [ ! -x node_modules/.bin/vite ] || [ ! -e node_modules/okra-events ]; then
  echo "==> installing www dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

echo "==> building the demo (www/dist)"
node_modules/.bin/vite build --logLevel warn

cd ..
if $build_only; then
  echo "==> demo built in www/dist"
  exit 0
fi

# The event log: the demo widget delivers its events there (see
# www/src/config.js), so a new user sees the whole loop: widget, webhook, log.
scripts/build-eventlog.sh --quiet
log_port="${EVENTLOG_PORT:-8787}"
log_url="http://127.0.0.1:${log_port}"
token="${OKRA_EVENTLOG_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
mkdir -p target/demo
if answers "${log_url}/healthz"; then
  echo "something already answers on ${log_url}; stop it or choose another EVENTLOG_PORT=..." >&2
  echo "(the demo widget delivers to 127.0.0.1:8787; with another port, open the demo with ?webhook=${log_url}/events)" >&2
  exit 1
fi
OKRA_EVENTLOG_TOKEN="$token" target/release/okra-eventlog \
  --listen "127.0.0.1:${log_port}" --db target/demo/events.sqlite3 >target/demo/eventlog.log 2>&1 &
eventlog=$!
server=""
trap 'kill $eventlog $server 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
until answers "${log_url}/healthz"; do
  if ! kill -0 "$eventlog" 2>/dev/null; then
    cat target/demo/eventlog.log >&2
    echo "the event log did not start" >&2
    exit 1
  fi
  sleep 0.2
done

port="${PORT:-5173}"
widget_port="${WIDGET_PORT:-5174}"
url="http://127.0.0.1:${port}/"
for u in "$url" "http://127.0.0.1:${widget_port}/"; do
  if answers "$u"; then
    echo "something already answers on ${u}; stop it or choose another PORT=... / WIDGET_PORT=..." >&2
    exit 1
  fi
done

# Two origins, as in production: the merchant page, and the widget's own page
# that the merchant opens in an iframe (www/serve.mjs).
PORT="$port" WIDGET_PORT="$widget_port" node www/serve.mjs &
server=$!

# Print the URL only once the server answers, so it is never a dead link.
until answers "$url"; do
  if ! kill -0 "$server" 2>/dev/null; then
    wait "$server" || true
    echo "the demo server did not start (are ports $port and $widget_port free? set PORT=... WIDGET_PORT=...)" >&2
    exit 1
  fi
  sleep 0.2
done

echo
echo "  okra-events demo:  ${url}"
echo "                     (the merchant page; the widget runs in its own origin, http://127.0.0.1:${widget_port})"
echo "  fast sandbox:      ${url}?bankDelay=300"
echo "  widget in-page:    ${url}?mode=same-page"
# The event log prints a dashboard link with a one-time code, so the token
# never sits in the browser's history; the token is for the API.
dashboard=$(sed -n 's/^ *dashboard: *\([^ ]*\).*/\1/p' target/demo/eventlog.log | head -n 1)
echo "  event log:         ${dashboard:-${log_url}/}  (the link works once; API token: ${token})"
echo "                     (search it for the session or tracking id the demo panel shows)"
echo "  (Ctrl-C to stop)"
echo
wait "$server"
