#!/usr/bin/env bash
# Builds the demo (www/) against the package in pkg/ and serves it on
# 127.0.0.1. Called by `make demo` once pkg/ is built.
#
#   scripts/demo.sh               install if needed, build, serve
#   scripts/demo.sh --build-only  install if needed, build (used before the e2e tests)
#
# PORT (default 5173) chooses the port.
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

cd www
# okra-events is a file: dependency (a symlink to ../pkg), so a rebuilt
# package is picked up without reinstalling; only a missing install is fixed.
if [ ! -x node_modules/.bin/vite ] || [ ! -e node_modules/okra-events ]; then
  echo "==> installing www dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

echo "==> building the demo (www/dist)"
node_modules/.bin/vite build --logLevel warn

if $build_only; then
  echo "==> demo built in www/dist"
  exit 0
fi

# EVENT LOG: once the event-log service exists (okra-eventlog, delivery
# issue), start it here in the background on 127.0.0.1:8787, stop it on exit
# (trap), and print its dashboard URL. The demo sends events to it when the
# page is opened with ?webhook=1 (see www/src/config.js).

port="${PORT:-5173}"
url="http://127.0.0.1:${port}/"
answers() { node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$1" 2>/dev/null; }
if answers "$url"; then
  echo "something already answers on ${url}; stop it or choose another PORT=..." >&2
  exit 1
fi

node_modules/.bin/vite preview --host 127.0.0.1 --port "$port" --strictPort --logLevel warn &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

# Print the URL only once the server answers, so it is never a dead link.
until answers "$url"; do
  if ! kill -0 "$server" 2>/dev/null; then
    wait "$server" || true
    echo "the demo server did not start (is port $port in use? set PORT=...)" >&2
    exit 1
  fi
  sleep 0.2
done

echo
echo "  okra-events demo:  ${url}"
echo "  fast sandbox:      ${url}?bankDelay=300"
echo "  (Ctrl-C to stop)"
echo
wait "$server"
