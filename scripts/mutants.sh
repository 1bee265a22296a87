#!/usr/bin/env bash
# Mutation testing of the core's security and data rules (`make mutants`):
# cargo-mutants changes one thing at a time in the code below (an operator, a
# condition, a return value) and runs the core's tests; a change no test
# notices ("missed") is either a missing test or a change that makes no
# difference, and every one is killed by a test or listed, with its reason,
# in bench/mutants-equivalent.md.
#
# Mutated (the rest of the core is not):
#   - crates/core/src/scrub.rs: credential scrubbing;
#   - crates/core/src/options.rs: option and URL rules;
#   - crates/core/src/delivery.rs: the delivery policy;
#   - crates/core/src/bridge.rs: check_origin and origin_allowed only;
#   - the 32 KiB event limit: MAX_EVENT_BYTES (event.rs) and where the
#     session applies it (Session::emit, emit_within_limit, push_event, and
#     the size checks of Session::screen).
#
# Writes target/mutants/mutants.out (cargo-mutants' own record) and
# bench/mutants.md (the summary). Slow (an hour or more on two cores), so it
# is not part of `make test` or CI. Runs niced, one build at a time.
# Extra arguments go to cargo-mutants (e.g. --shard 1/4, --list).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-mutants >/dev/null 2>&1; then
  echo "==> cargo install cargo-mutants (once)"
  cargo install cargo-mutants --locked
fi

FILES=(
  crates/core/src/scrub.rs
  crates/core/src/options.rs
  crates/core/src/delivery.rs
  crates/core/src/bridge.rs
  crates/core/src/event.rs
  crates/core/src/session.rs
)
# Within those files, the mutants named by this expression (cargo-mutants
# names each as path:line:col: what, and `in FUNCTION`).
RE='crates/core/src/(scrub|options|delivery)\.rs:'
RE+='|bridge\.rs:.*(in|replace) (check_origin|origin_allowed)\b'
RE+='|event\.rs:44:'
RE+='|session\.rs:.*(in|replace) Session::(emit|emit_within_limit|push_event)\b'
RE+='|session\.rs:.*replace > with .* in Session::screen$'

args=(-p okra-events-core --re "$RE" --jobs 1 --output target/mutants --profile mutants)
for f in "${FILES[@]}"; do args+=(-f "$f"); done

if [ "${1:-}" = "--list" ]; then
  exec cargo mutants "${args[@]}" --list
fi

# cargo-mutants exits 2 when mutants are missed and 3 when some timed out
# (a mutant that hangs the tests is caught); the summary decides instead,
# and fails on a missed mutant that bench/mutants-equivalent.md does not
# explain. Any other failure (1: bad arguments, 4: the unmutated tree fails
# its tests) fails make mutants.
# The catalog test reads the seed file beside the repository, which is not in
# cargo-mutants' copy of the tree; it tests none of the mutated code.
rc=0
nice -n 10 cargo mutants "${args[@]}" "$@" -- -- --skip catalog_equals_the_seed_tables || rc=$?
case "$rc" in
  0 | 2 | 3) rc=0 ;;
  *) echo "mutants: cargo-mutants failed (exit $rc); see target/mutants/mutants.out/debug.log" >&2 ;;
esac
node scripts/mutants-summary.mjs target/mutants/mutants.out bench/mutants-equivalent.md bench/mutants.md || rc=1
exit "$rc"
