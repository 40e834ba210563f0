#!/usr/bin/env bash
# The kernel test suites on the native (oneDNN) backend: the differential suites against PyTorch, the
# hand-derived and gradcheck suites of the ops the native backend implements, and the native backend's own
# property tests, all with TORCH_TS_BACKEND=native (vitest.native.config.ts). Builds the addon first if
# needed; fails if it cannot be built or loaded. File arguments replace the default file list; options
# (starting with -) go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."

addon=native/build/Release/torch_ts_native.node
if [ ! -f "$addon" ]; then
  node scripts/build-native.mjs
fi
if [ ! -f "$addon" ]; then
  echo "test-native: $addon is missing and could not be built (oneDNN's headers: apt-get install libdnnl-dev)" >&2
  exit 1
fi

files=()
options=()
for a in "$@"; do
  case "$a" in
    -*) options+=("$a") ;;
    *) files+=("$a") ;;
  esac
done

if [ "${#files[@]}" -eq 0 ]; then
  # Left out: linalg.test.ts asserts the js backend's float64 accumulation, and diff-kernels.test.ts aims at
  # the js backend's own fast paths, with float32 tolerances (1e-5 absolute on sums of ~1000 products) that
  # only a double-accumulating GEMM meets; diff-linalg and diff-linear cover matmul on the native backend.
  files=(test/native-backend.test.ts)
  for f in test/diff-*.test.ts; do
    [ "$f" = test/diff-kernels.test.ts ] || files+=("$f")
  done
  files+=(test/conv.test.ts test/pool.test.ts test/autograd.test.ts test/module.test.ts test/optim.test.ts)
fi
exec npx --no-install vitest run --config vitest.native.config.ts "${options[@]}" "${files[@]}"
