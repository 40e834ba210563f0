#!/usr/bin/env bash
# Bundles bench/kernels/<script>.ts (default: workloads) with esbuild and runs it under Node.
#   bash bench/kernels/run.sh [script] [args...]      e.g. bash bench/kernels/run.sh workloads --filter W1
#   PROFILE=1 bash bench/kernels/run.sh ...           also writes a V8 .cpuprofile to $OUT_DIR (default /tmp)
set -euo pipefail
cd "$(dirname "$0")/../.."
script=workloads
if [[ $# -gt 0 && "$1" != --* ]]; then script=$1; shift; fi
out_dir=${OUT_DIR:-/tmp/torch-ts-kbench}
mkdir -p "$out_dir"
npx esbuild "bench/kernels/$script.ts" --bundle --platform=node --format=esm --sourcemap --log-level=warning \
  --outfile="$out_dir/$script.mjs"
if [[ -n "${PROFILE:-}" ]]; then
  node --enable-source-maps --cpu-prof --cpu-prof-dir="$out_dir" "$out_dir/$script.mjs" "$@"
else
  node "$out_dir/$script.mjs" "$@"
fi
