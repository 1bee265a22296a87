#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm, wasm-bindgen glue,
# wasm-opt, then scripts/package.mjs assembles the package.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/wasm-env.sh

echo "==> cargo build (wasm32, release)"
RUSTFLAGS="$WASM_RUSTFLAGS" $WASM_CARGO build --release --target wasm32-unknown-unknown -p okra-events $WASM_FLAGS
target_dir="${CARGO_TARGET_DIR:-target}"
wasm="$target_dir/wasm32-unknown-unknown/release/okra_events.wasm"

out=target/bindgen
rm -rf "$out"
echo "==> wasm-bindgen"
wasm-bindgen --target web --weak-refs --no-typescript --out-dir "$out" "$wasm"

echo "==> wasm-opt -Oz"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers \
  "$out/okra_events_bg.wasm" -o "$out/okra_events_bg.opt.wasm"
mv "$out/okra_events_bg.opt.wasm" "$out/okra_events_bg.wasm"

echo "==> package"
node scripts/package.mjs "$out" pkg
