#!/usr/bin/env bash
# CI entry point for a fresh Debian machine, run as root: installs PyTorch (the differential tests' oracle)
# and the Fashion-MNIST dataset from Debian, the npm dependencies from the lockfile, then runs `npm test`.
# Ends with one line "N passed, N failed" (vitest's counts) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3-torch python3-torchvision python3-protobuf dataset-fashion-mnist chromium libopenblas0-pthread libdnnl-dev clang lld)

if [ "$(id -u)" -eq 0 ]; then
  # Always install when root: apt-get is idempotent and this keeps the machine's state from mattering.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update || { echo "test-ci: apt-get update failed" >&2; echo "0 passed, 1 failed"; exit 1; }
  apt-get install -y "${APT_PACKAGES[@]}" || {
    echo "test-ci: apt-get install ${APT_PACKAGES[*]} failed" >&2
    echo "0 passed, 1 failed"
    exit 1
  }
else
  echo "test-ci: not root, skipping apt-get install ${APT_PACKAGES[*]} (tests that need them will say so)" >&2
fi

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "test-ci: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

npm ci || { echo "test-ci: npm ci failed" >&2; echo "0 passed, 1 failed"; exit 1; }

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
