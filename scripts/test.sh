#!/usr/bin/env bash
# Runs every test layer, in order, stopping at the first failure:
#   1. cargo fmt --check and cargo clippy -D warnings
#   2. native cargo test (the core, and everything else that runs natively)
#   3. wasm-bindgen-test in headless Chromium (the bindings)
#   4. the npm package and demo builds, then node --test against pkg/
#      (including a module page, webpack 5, Vite build and dev server, and
#      esbuild each running the package in headless Chromium, and the
#      registry checks: npm pack's file list, publint, attw, npm publish --dry-run)
#   5. okra-events/react-native's component under React Native's jest preset
#      (react-test-renderer, as on iOS and as on Android)
#   6. Playwright end-to-end tests in Chromium (okra-events/react in a Vite
#      app and in a Next.js build among them, the widget in a React Native
#      WebView), axe-core accessibility and the demo by keyboard, then the
#      cross-engine layer (Chromium, Firefox ESR, WebKitGTK:
#      scripts/test-engines.sh, the widget's dialog among them)
#   7. the event log's release build and its dashboard in Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }

# Every layer's script must be there and executable before anything runs: a
# layer that is silently left out would still end in "all test layers passed".
for script in scripts/build.sh scripts/demo.sh scripts/test-engines.sh scripts/test-eventlog.sh \
              scripts/pg.sh scripts/build-eventlog.sh; do
  if [ ! -f "$script" ] || [ ! -x "$script" ]; then
    echo "test.sh: $script is missing or not executable: its test layer cannot run" >&2
    exit 1
  fi
done
[ -f scripts/wasm-env.sh ] || { echo "test.sh: scripts/wasm-env.sh is missing" >&2; exit 1; }

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "native tests (cargo test), without PostgreSQL"
# The event log's PostgreSQL tests fail without a database (they never pass
# without running); they run below, in scripts/test-eventlog.sh, beside a
# throwaway cluster. Here they are left out by name, which cargo counts as
# "filtered out" in each summary.
cargo test --workspace --quiet -- --skip postgres

say "wasm tests in headless Chromium (wasm-bindgen-test)"
# In a subshell: the wasm toolchain's RUSTC and CARGO_TARGET_DIR must not
# reach the native builds that follow.
(
  . scripts/wasm-env.sh
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    $WASM_CARGO test --target wasm32-unknown-unknown -p okra-events --tests $WASM_FLAGS
)

say "npm package"
scripts/build.sh

# Before the JS tests: they bundle the package with www/'s Vite, among others.
say "demo build"
scripts/demo.sh --build-only

say "JS tests against pkg/ (node --test)"
node --test --test-concurrency=1 tests/js/

say "okra-events/react-native's component (jest, React Native's preset, react-test-renderer)"
(cd tests/rn && node_modules/.bin/jest --silent)

say "end-to-end tests in Chromium (Playwright): the demo, the widget in its own origin and in a React Native WebView, okra-events/react in a React app, and delivery to a real receiver"
# The callback payloads these tests see are kept, then type-checked against the declarations last.
rm -rf tests/e2e/artifacts/payloads
node --test --test-concurrency=1 tests/e2e/widget.test.mjs tests/e2e/bridge.test.mjs tests/e2e/native.test.mjs tests/e2e/react.test.mjs \
  tests/e2e/adoption.test.mjs tests/e2e/delivery.test.mjs tests/e2e/payload-types.test.mjs

say "okra-events/react in a Next.js App Router app: next build (about a minute), next start, Chromium"
node --test tests/e2e/next.test.mjs

say "accessibility: axe-core (WCAG 2.1 AA) on the merchant page and every widget screen, and the demo by keyboard"
node --test --test-concurrency=1 tests/e2e/a11y.test.mjs tests/e2e/keyboard.test.mjs

say "cross-engine end-to-end (Chromium, Firefox ESR, WebKitGTK)"
scripts/test-engines.sh

say "event log service"
scripts/test-eventlog.sh --e2e-only
say "all test layers passed"
