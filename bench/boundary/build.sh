#!/usr/bin/env bash
# Builds the boundary bench crate (issue 9, point 5) four ways, each with the
# recipe of scripts/build.sh (release wasm32, wasm-bindgen --target web,
# wasm-opt -Oz with the same flags), into target/boundary/out/<variant>/:
#
#   all       every export: what bench/boundary.mjs times
#   none      make_event only: the event with nothing handed over
#   json      + via_json (the event's JSON text, for JSON.parse)
#   to_value  + via_to_value (serde_wasm_bindgen::to_value, json_compatible)
#
# The size variants differ from `none` by one export, so their bytes over
# `none` are what each way across the boundary adds.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/wasm-env.sh
# Apart from the package's own build, so neither invalidates the other.
export CARGO_TARGET_DIR="$root/target/boundary"

build() { # <variant> <cargo feature arguments...>
  local name=$1
  shift
  echo "==> boundary: cargo build ($name)"
  (cd bench/boundary && RUSTFLAGS="$WASM_RUSTFLAGS" $WASM_CARGO build --release \
    --target wasm32-unknown-unknown $WASM_FLAGS "$@")
  local out="$CARGO_TARGET_DIR/out/$name"
  rm -rf "$out"
  wasm-bindgen --target web --weak-refs --no-typescript --out-dir "$out" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/okra_boundary_bench.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-debug --strip-producers \
    "$out/okra_boundary_bench_bg.wasm" -o "$out/okra_boundary_bench_bg.opt.wasm"
  mv "$out/okra_boundary_bench_bg.opt.wasm" "$out/okra_boundary_bench_bg.wasm"
}

build none --no-default-features
build json --no-default-features --features json
build to_value --no-default-features --features to_value
build all
echo "==> boundary: built into $CARGO_TARGET_DIR/out"
