/**
 * GFLOP/s of the CPU `gemm` kernel on the matrix shapes that W1, W5, W6 and W7 produce (per-sample conv
 * GEMMs: forward W·col, input gradient Wᵀ·gy, weight gradient gy·colᵀ), float32, by process CPU time
 * (median of repeated runs), so a loaded machine distorts it less than wall time. The convolution itself no
 * longer calls `gemm` for most of these (it packs from the image, and products of ≤ 16 rows read the image
 * in place), so the rows measure the plain matrix product of those shapes.
 *   bash bench/kernels/run.sh gemm-shapes [--reps 9] [--f64] [--only LABEL]
 */
import { gemm } from "../../src/backend/cpu/gemm.js";
import type { View } from "../../src/tensor.js";

/** [label, M, N, K, transA, transB]: trans means the operand is stored transposed (column-major). */
const SHAPES: Array<[string, number, number, number, boolean, boolean]> = [
  ["W1 fwd    6x900x27", 6, 900, 27, false, false],
  ["W1 bwdI   27x900x6 (Wt)", 27, 900, 6, true, false],
  ["W1 bwdW   6x27x900 (colT)", 6, 27, 900, false, true],
  ["W5c1 fwd  32x1024x75", 32, 1024, 75, false, false],
  ["W5c1 bwdW 32x75x1024", 32, 75, 1024, false, true],
  ["W5c2 fwd  32x256x800", 32, 256, 800, false, false],
  ["W5c2 bwdI 800x256x32", 800, 256, 32, true, false],
  ["W5c2 bwdW 32x800x256", 32, 800, 256, false, true],
  ["W5c3 fwd  64x64x800", 64, 64, 800, false, false],
  ["W5c3 bwdI 800x64x64", 800, 64, 64, true, false],
  ["W5c3 bwdW 64x800x64", 64, 800, 64, false, true],
  ["W5 fc1    64x64x1024 (Wt)", 64, 64, 1024, false, true],
  ["W6c1 fwd  6x784x25", 6, 784, 25, false, false],
  ["W6c2 fwd  16x100x150", 16, 100, 150, false, false],
  ["W6c2 bwdI 150x100x16", 150, 100, 16, true, false],
  ["W7        1024^3", 1024, 1024, 1024, false, false],
];

function mat(rows: number, cols: number, trans: boolean, f64: boolean): View {
  const buf = f64 ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.random() - 0.5;
  const strides = trans ? [0, 1, rows] : [0, cols, 1];
  return { buf, dtype: f64 ? "float64" : "float32", shape: [1, rows, cols], strides, offset: 0 };
}

const i = process.argv.indexOf("--reps");
const reps = i >= 0 ? Number(process.argv[i + 1]) : 9;
const f64 = process.argv.includes("--f64");
const only = process.argv.indexOf("--only");
for (const [label, M, N, K, ta, tb] of SHAPES) {
  if (only >= 0 && !label.includes(process.argv[only + 1])) continue;
  const a = mat(M, K, ta, f64);
  const b = mat(K, N, tb, f64);
  const c = mat(M, N, false, f64);
  const flops = 2 * M * N * K;
  // Enough calls per sample for ~20 ms of work, so timer resolution does not matter.
  const calls = Math.max(1, Math.round(8e7 / flops));
  for (let w = 0; w < 3; w++) for (let k = 0; k < calls; k++) gemm(a, b, c, 1, 0);
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < calls; k++) gemm(a, b, c, 1, 0);
    const d = process.cpuUsage(c0);
    t.push((d.user + d.system) / 1000 / calls);
  }
  t.sort((x, y) => x - y);
  const med = t[Math.floor(t.length / 2)];
  console.log(`${label.padEnd(28)} ${med.toFixed(3).padStart(9)} ms  ${(flops / med / 1e6).toFixed(2).padStart(6)} GFLOP/s`);
}
