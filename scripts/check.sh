#!/usr/bin/env bash
# The whole check, in order: lint, typecheck, build, tests. Stops at the first failing stage and names it.
# Extra arguments go to `vitest run` (e.g. `npm test -- test/format.test.ts`, or reporter flags).
set -uo pipefail
cd "$(dirname "$0")/.."

stage() {
  local name="$1"
  shift
  echo "==> ${name}: $*"
  "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "check: stage '${name}' failed (exit ${rc}): $*" >&2
    exit "$rc"
  fi
}

stage lint npx --no-install eslint .
stage typecheck npx --no-install tsc -p tsconfig.json --noEmit
stage build npm run --silent build
stage test npx --no-install vitest run "$@"
# The kernel suites again on the native (oneDNN) backend, wherever it can be built. CHECK_NATIVE_REPORT
# (set by test-ci.sh) names a JSON report for its counts.
if [ -f /usr/include/dnnl.hpp ]; then
  native_args=()
  if [ -n "${CHECK_NATIVE_REPORT:-}" ]; then
    native_args=(--reporter=default --reporter=json "--outputFile.json=${CHECK_NATIVE_REPORT}")
  fi
  stage native bash scripts/test-native.sh "${native_args[@]}"
else
  echo "==> native: skipped (oneDNN's headers are absent: apt-get install libdnnl-dev)"
fi
echo "check: all stages passed"
