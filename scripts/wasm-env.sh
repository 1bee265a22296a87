# Sourced by the build and test scripts: chooses how to compile for
# wasm32-unknown-unknown on this machine and exports WASM_CARGO / WASM_FLAGS.
#
# - A rustup toolchain with the wasm32 target installed: plain stable cargo.
# - Otherwise (Debian machines where `rustup target add` cannot download):
#   Debian's rustc-web, whose LLVM has the wasm backend, rebuilding std from
#   source, linked with lld-22. scripts/setup.sh installs these.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  WASM_CARGO=cargo
  WASM_FLAGS=""
  WASM_RUSTFLAGS=""
else
  WASM_CARGO=/usr/bin/cargo
  # std is rebuilt anyway, so build it for size: the `optimize_for_size`
  # feature picks std's small implementations (a tiny merge sort and heapsort
  # instead of driftsort/ipnsort, simpler string and slice helpers), with the
  # same results. It replaces the default features, which only serve unwinding
  # and backtraces, neither of which a wasm that aborts on panic uses.
  WASM_FLAGS="-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size"
  # Let panics abort without formatting a message, and drop the file/line of
  # panic locations (nothing could ever print them): no panic strings or
  # source paths in the shipped wasm.
  WASM_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
  export RUSTC=/usr/bin/rustc
  export RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld
  # Keep the Debian compiler's artifacts apart from rustup's native ones.
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/wasm-debian}"
fi
export WASM_CARGO WASM_FLAGS WASM_RUSTFLAGS
