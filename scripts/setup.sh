#!/usr/bin/env bash
# Installs what building and testing okra-events needs, and nothing that is
# already there. Called by `make demo`, `make test` and `make bench`.
#
# - wasm32 compiler: rustup's wasm32-unknown-unknown target when installed;
#   otherwise Debian's rustc-web + rust-web-src + lld-22 (see scripts/wasm-env.sh).
# - Chromium and ChromeDriver for the browser tests (Debian packages).
# - The other two engines of the cross-engine tests (tests/engines/): Firefox
#   ESR (driven over WebDriver BiDi by puppeteer-core), WebKitGTK's
#   WebKitWebDriver + MiniBrowser, and Xvfb for WebKitGTK's display.
# - wasm-bindgen CLI at exactly the version in Cargo.lock.
# - npm packages of the workspace (binaryen's wasm-opt, playwright-core,
#   puppeteer-core), and, apart from them, those of okra-events/react-native's
#   component tests (tests/rn: React Native, react-native-webview, jest;
#   about 200 MB, so the root install stays small).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

apt_wanted=()
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] || apt_wanted+=(rustc-web cargo-web rust-web-src)
  [ -x /usr/lib/llvm-22/bin/wasm-ld ] || apt_wanted+=(lld-22)
fi
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || apt_wanted+=(chromium)
[ -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ] || apt_wanted+=(chromium-driver)
[ -x "${FIREFOX:-/usr/bin/firefox-esr}" ] || apt_wanted+=(firefox-esr)
[ -x "${WEBKITWEBDRIVER:-/usr/bin/WebKitWebDriver}" ] || apt_wanted+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || apt_wanted+=(xvfb)

if [ ${#apt_wanted[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "apt-get install ${apt_wanted[*]}"
    # Wait for another apt/dpkg run (a parallel setup) instead of failing.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${apt_wanted[@]}" >/dev/null
  else
    echo "setup: missing ${apt_wanted[*]}." >&2
    echo "  Install the wasm32 target (rustup target add wasm32-unknown-unknown) and Chromium +" >&2
    echo "  ChromeDriver, Firefox ESR, WebKitGTK's WebKitWebDriver and Xvfb, or run this as root on" >&2
    echo "  Debian 12 so it can apt-get them." >&2
    exit 1
  fi
fi

# The CLI must be the same version as the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "cargo install wasm-bindgen-cli $want (a few minutes, once)"
  # --locked first for a reproducible tool; without it if a locked dependency
  # is missing from the registry.
  cargo install wasm-bindgen-cli --version "$want" --locked --quiet \
    || cargo install wasm-bindgen-cli --version "$want" --quiet
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/puppeteer-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x tests/rn/node_modules/.bin/jest ] || [ tests/rn/package-lock.json -nt tests/rn/node_modules/.package-lock.json ]; then
  say "npm ci (tests/rn: React Native's jest preset)"
  (cd tests/rn && npm ci --no-audit --no-fund --loglevel=error)
fi
