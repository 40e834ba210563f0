#!/usr/bin/env bash
# The test command for a fresh Debian machine, run as root: installs the Debian packages of
# scripts/apt-packages.txt (PyTorch as the differential tests' oracle, Fashion-MNIST, ...) and the npm
# dependencies from the lockfile, unless .ci/run already did, then runs `npm test`.
# Ends with one line "N passed, N failed" (vitest's counts) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "test-ci: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  fail "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))"
fi

# .ci/run has already installed everything (TORCH_TS_CI_SETUP_DONE=1); run alone, this script does it.
if [ "${TORCH_TS_CI_SETUP_DONE:-}" != 1 ]; then
  mapfile -t APT_PACKAGES < scripts/apt-packages.txt
  if [ "$(id -u)" -eq 0 ]; then
    # Always install when root: apt-get is idempotent and this keeps the machine's state from mattering.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update || fail "apt-get update failed"
    apt-get install -y "${APT_PACKAGES[@]}" || fail "apt-get install -y ${APT_PACKAGES[*]} failed"
  else
    echo "test-ci: not root, skipping apt-get install ${APT_PACKAGES[*]} (tests that need them will say so)" >&2
  fi
  npm ci || fail "npm ci failed"
fi

reportdir="$(mktemp -d)"
trap 'rm -rf "$reportdir"' EXIT
report="$reportdir/vitest.json"
# check.sh's further vitest runs (the suites on the native and wasm backends) report here.
export CHECK_BACKEND_REPORT_DIR="$reportdir"
npm test -- --reporter=default --reporter=json --outputFile.json="$report"
rc=$?

passed=0
failed=0
if [ -s "$report" ]; then
  # Failed tests, plus test files that failed without a failing test (e.g. a file that does not load).
  read -r passed failed < <(node -e '
    const fs = require("fs");
    let passed = 0, failed = 0;
    for (const file of process.argv.slice(1)) {
      if (!fs.existsSync(file) || fs.statSync(file).size === 0) continue;
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
      passed += r.numPassedTests;
      failed += r.numFailedTests + broken;
    }
    console.log(passed, failed);
  ' "$report" "$reportdir/vitest-native.json" "$reportdir/vitest-wasm.json")
fi
# A failure no test accounts for (lint, typecheck or build stopped the run, or an unhandled error) counts as one.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "${passed} passed, ${failed} failed"
exit "$rc"
