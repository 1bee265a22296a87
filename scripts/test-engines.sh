#!/usr/bin/env bash
# The cross-engine end-to-end layer (tests/engines/): the same assertions in
# Debian's Chromium (playwright-core), Firefox ESR (puppeteer-core over
# WebDriver BiDi) and WebKitGTK (WebKitWebDriver under an Xvfb it starts and
# stops itself), one engine after the other, with the time each took.
#
#   scripts/test-engines.sh                  all three
#   scripts/test-engines.sh firefox webkit   some of them
#
# Needs pkg/ (scripts/build.sh) and scripts/setup.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- chromium firefox webkit
times=()
for engine in "$@"; do
  start=$SECONDS
  node --test --test-concurrency=1 "tests/engines/${engine}.test.mjs"
  times+=("${engine} $((SECONDS - start)) s")
done
printf '==> cross-engine time per engine: %s\n' "$(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
