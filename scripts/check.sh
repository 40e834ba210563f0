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
echo "check: all stages passed"
