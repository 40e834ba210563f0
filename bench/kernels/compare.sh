#!/usr/bin/env bash
# Before/after timing of the workloads on a shared machine: runs bench/kernels/workloads.ts alternately in a
# baseline tree and in this one, `rounds` times, and prints per case the median over rounds of each run's
# median (wall and process CPU time). Alternating spreads the machine's load over both sides.
#   bash bench/kernels/compare.sh BASELINE_DIR [rounds] [workloads.ts args...]
# BASELINE_DIR is a copy of the repository holding the old kernels, e.g.
#   mkdir -p /tmp/base/bench && cp -r src /tmp/base/ && cp -r bench/kernels bench/profile.ts /tmp/base/bench/ &&
#   for f in gemm.ts conv.ts ...; do git show HEAD:src/backend/cpu/$f > /tmp/base/src/backend/cpu/$f; done &&
#   ln -s "$PWD/node_modules" /tmp/base/node_modules
set -euo pipefail
base=$1
rounds=${2:-5}
shift $(( $# >= 2 ? 2 : 1 ))
here="$(cd "$(dirname "$0")/../.." && pwd)"
log=$(mktemp)
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  (cd "$base" && OUT_DIR=/tmp/torch-ts-kbench-base bash bench/kernels/run.sh workloads --machine "$@" 2>/dev/null | sed 's/^RESULT/before/') >>"$log"
  (cd "$here" && OUT_DIR=/tmp/torch-ts-kbench bash bench/kernels/run.sh workloads --machine "$@" 2>/dev/null | sed 's/^RESULT/after/') >>"$log"
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" "));
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const keys = [...new Set(lines.map((l) => l[1]))];
const f = (x) => x.toFixed(2).padStart(9);
console.log("case        before wall  after wall  before cpu   after cpu   cpu speedup  (ms; medians of per-round medians)");
for (const k of keys) {
  const pick = (side, col) => med(lines.filter((l) => l[0] === side && l[1] === k).map((l) => Number(l[col])));
  const bw = pick("before", 2), aw = pick("after", 2), bc = pick("before", 3), ac = pick("after", 3);
  console.log(`${k.padEnd(10)} ${f(bw)}   ${f(aw)}   ${f(bc)}   ${f(ac)}   ${(bc / ac).toFixed(2).padStart(8)}x`);
}' "$log"
rm -f "$log"
