#!/usr/bin/env bash
# `bash scripts/test-backend.sh native|wasm [files] [vitest options]`: the kernel test suites on one
# accelerated backend: the differential suites against PyTorch, the hand-derived and gradcheck suites of
# the ops the backend implements, and its own property tests, all with TORCH_TS_BACKEND set
# (vitest.<backend>.config.ts). Builds the backend first if needed; fails if it cannot be built or loaded.
# File arguments replace the default file list; options (starting with -) go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."

name="${1:-}"
shift || true
case "$name" in
  native)
    artifact=native/build/Release/torch_ts_native.node
    build=(node scripts/build-native.mjs)
    needs="oneDNN's headers: apt-get install libdnnl-dev"
    ;;
  wasm)
    artifact=wasm/build/kernels-mt.wasm
    build=(node wasm/build.mjs)
    needs="clang and wasm-ld: apt-get install clang lld"
    ;;
  *)
    echo "test-backend: expected 'native' or 'wasm' as the first argument, got '${name}'" >&2
    exit 2
    ;;
esac

if [ ! -f "$artifact" ]; then
  "${build[@]}"
fi
if [ ! -f "$artifact" ]; then
  echo "test-backend: $artifact is missing and could not be built ($needs)" >&2
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
  # only a double-accumulating GEMM meets; diff-linalg and diff-linear cover matmul on these backends.
  files=("test/${name}-backend.test.ts")
  for f in test/diff-*.test.ts; do
    [ "$f" = test/diff-kernels.test.ts ] || files+=("$f")
  done
  files+=(test/conv.test.ts test/pool.test.ts test/autograd.test.ts test/module.test.ts test/optim.test.ts test/output-memory.test.ts)
fi
exec npx --no-install vitest run --config "vitest.${name}.config.ts" "${options[@]}" "${files[@]}"
