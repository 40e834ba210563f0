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
# The kernel suites again on each accelerated backend, wherever it can be built: native (oneDNN) and
# wasm (WebAssembly SIMD). CHECK_BACKEND_REPORT_DIR (set by test-ci.sh) collects their JSON reports.
backend_stage() {
  local name="$1" requirement="$2" why="$3"
  if ! bash -c "$requirement" >/dev/null 2>&1; then
    echo "==> ${name}: skipped (${why})"
    return
  fi
  local args=()
  if [ -n "${CHECK_BACKEND_REPORT_DIR:-}" ]; then
    args=(--reporter=default --reporter=json "--outputFile.json=${CHECK_BACKEND_REPORT_DIR}/vitest-${name}.json")
  fi
  stage "$name" bash scripts/test-backend.sh "$name" "${args[@]}"
}
# Where the toolchain is present the backend must build and pass; only its absence skips the stage.
backend_stage native "test -f /usr/include/dnnl.hpp" "oneDNN's headers are absent: apt-get install libdnnl-dev"
backend_stage wasm "command -v clang && command -v wasm-ld" "clang or wasm-ld is absent: apt-get install clang lld"
echo "check: all stages passed"
