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

# -Oz, then a whole-program type-flow pass (--gufa) and -Oz again until
# nothing changes (--converge). -lmu (--low-memory-unused) lets constant
# offsets fold into loads and stores; it only assumes that no address
# computation wraps past 2^32 into the first 1 KiB, which no valid pointer does
# (rustc puts the stack there, growing down from 1 MiB). --zero-filled-memory:
# the module's own memory starts zeroed. The target_features section is for
# linkers only. Measured by gzip -9 (issue 9): 43847 -> 43223 bytes.
# (--flatten --rereloop saved another ~220 bytes but rewrites control flow in
# the per-event path; left out until `make bench` shows it costs no speed.)
echo "==> wasm-opt -Oz"
node_modules/.bin/wasm-opt -Oz --gufa -Oz --converge -lmu --zero-filled-memory \
  --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers --strip-target-features \
  "$out/okra_events_bg.wasm" -o "$out/okra_events_bg.opt.wasm"
mv "$out/okra_events_bg.opt.wasm" "$out/okra_events_bg.wasm"

echo "==> package"
node scripts/package.mjs "$out" pkg
