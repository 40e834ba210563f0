/**
 * The CPU backend's fast paths against real PyTorch, on shapes chosen to reach each of them: the packed
 * 8×8 GEMM with every tail (M, N not multiples of 8, K over one 256-deep block, N over one 1024-wide panel),
 * the skinny unpacked path, convolution through the in-place image kernels (≤ 16 output rows) and through
 * packed image panels (more), the stride-1 input gradient as a correlation and the strided one through
 * col2im, max pooling's 2×2 tournament (ties, NaN, ±inf), average pooling's 2×2 path, and strided sums.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const F = torch.nn.functional;
const rng = new Rng(20261123);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

function matmulCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  // [M, K, N]: tails of every width 1-7, exact blocks, one past a block, K past 256, N past 1024.
  const shapes: Array<[number, number, number]> = [
    [8, 8, 8],
    [9, 17, 15],
    [16, 256, 24],
    [17, 257, 31],
    [63, 300, 65],
    [6, 27, 900],
    [27, 6, 900],
    [4, 513, 1030],
    [65, 64, 10],
    [3, 100, 7],
    [1, 50, 33],
    [33, 50, 1],
    [7, 1, 9],
  ];
  for (const [m, k, n] of shapes) {
    const dtype: DType = rng.pick(["float32", "float64"]);
    // torch-ts accumulates in double; PyTorch's float32 BLAS rounds each partial sum to float32, so on
    // a reduction of r O(1) products its absolute error grows with r (observed: 2e-5 at r = 1030, about
    // u·Σ|terms|). The stated atol 1e-5 holds up to r = 256; beyond, it scales with r / 256.
    const reduction = Math.max(k, m, n);
    const atol = dtype === "float32" && reduction > 256 ? 1e-5 * (reduction / 256) : undefined;
    cases.push({
      name: `mm [${m},${k}]x[${k},${n}] ${dtype}`,
      atol,
      inputs: [
        { shape: [m, k], dtype, layout: rng.pick(LAYOUTS) },
        { shape: [k, n], dtype, layout: rng.pick(LAYOUTS) },
      ],
      ts: (a, b) => torch.mm(a, b),
      py: "torch.mm(x0, x1)",
    });
  }
  cases.push({
    name: "matmul broadcast batch [3,1,20,37]x[5,37,11]",
    inputs: [{ shape: [3, 1, 20, 37] }, { shape: [5, 37, 11], layout: "transposed" }],
    ts: (a, b) => torch.matmul(a, b),
    py: "torch.matmul(x0, x1)",
  });
  cases.push({
    name: "mm int64 [12,9]x[9,13] (exact in double)",
    inputs: [
      { shape: [12, 9], dtype: "int64", values: "int", low: -50, high: 50 },
      { shape: [9, 13], dtype: "int64", values: "int", low: -50, high: 50 },
    ],
    ts: (a, b) => torch.mm(a, b),
    py: "torch.mm(x0, x1)",
  });
  return cases;
}

interface ConvSpec {
  n: number;
  cin: number;
  cout: number;
  size: number[];
  k: number[];
  stride?: number | number[];
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
  layout?: Layout;
}

/** A Python int or tuple. */
const py = (v: number | number[]): string => (Array.isArray(v) ? `(${v.join(", ")})` : String(v));

function conv(s: ConvSpec): DiffCase {
  const nd = s.size.length;
  const groups = s.groups ?? 1;
  const dtype = s.dtype ?? "float32";
  const bias = s.bias ?? true;
  const opts = { stride: s.stride ?? 1, padding: s.padding ?? 0, dilation: s.dilation ?? 1, groups };
  const inputs = [
    { shape: [s.n, s.cin, ...s.size], dtype, layout: s.layout ?? "contiguous" },
    { shape: [s.cout, s.cin / groups, ...s.k], dtype },
  ];
  if (bias) inputs.push({ shape: [s.cout], dtype, layout: "contiguous" });
  const fn = `conv${nd}d`;
  return {
    name: `${fn} ${s.cin}->${s.cout} k${JSON.stringify(s.k)} x${JSON.stringify(s.size)} ${JSON.stringify(opts)} bias=${bias} ${dtype} ${s.layout ?? ""}`,
    inputs,
    ts: (x, w, b) => (F as any)[fn](x, w, b ?? null, opts),
    py: `F.${fn}(x0, x1, ${bias ? "x2" : "None"}, stride=${py(opts.stride)}, padding=${opts.padding}, dilation=${opts.dilation}, groups=${groups})`,
  };
}

function convCases(): DiffCase[] {
  return [
    // The workloads' layers.
    conv({ n: 2, cin: 3, cout: 6, size: [32, 32], k: [3, 3] }),
    conv({ n: 2, cin: 3, cout: 32, size: [16, 16], k: [5, 5], padding: 2 }),
    conv({ n: 2, cin: 32, cout: 32, size: [8, 8], k: [5, 5], padding: 2 }),
    conv({ n: 2, cin: 1, cout: 6, size: [28, 28], k: [5, 5], padding: 2 }),
    conv({ n: 2, cin: 6, cout: 16, size: [14, 14], k: [5, 5] }),
    // Image kernels: 1-16 rows (strips of 6 and the tails), widths not multiples of 8.
    conv({ n: 1, cin: 5, cout: 13, size: [9, 11], k: [3, 2], padding: 1, layout: "transposed" }),
    conv({ n: 2, cin: 7, cout: 16, size: [6, 7], k: [2, 3], dilation: 2, dtype: "float64", bias: false }),
    // Packed panels: more than 16 rows, K past one 256-deep block (20·5·5 = 500), N past 1024 (36·36).
    conv({ n: 1, cin: 20, cout: 17, size: [40, 40], k: [5, 5], padding: 0, layout: "strided", dtype: "float64" }),
    // float32 at K = 500: PyTorch's float32 sums drift by ~√K·ε·|partial sums| ≈ 3e-5, over the default
    // atol; the float64 twin above checks the result exactly.
    { ...conv({ n: 1, cin: 20, cout: 17, size: [40, 40], k: [5, 5], padding: 0, layout: "strided" }), atol: 1e-4 },
    conv({ n: 2, cin: 12, cout: 40, size: [11, 9], k: [5, 5], padding: 2, dtype: "float64" }),
    // Strided: the input gradient goes through col2im.
    conv({ n: 2, cin: 18, cout: 20, size: [13, 12], k: [3, 3], stride: 2, padding: 1 }),
    conv({ n: 1, cin: 4, cout: 3, size: [10, 9], k: [4, 3], stride: [3, 2] }),
    // Groups with wide groups (packed) and depthwise (image).
    conv({ n: 2, cin: 40, cout: 40, size: [7, 7], k: [3, 3], padding: 1, groups: 2 }),
    conv({ n: 2, cin: 8, cout: 16, size: [9, 9], k: [3, 3], padding: 1, groups: 8, bias: false }),
    // 1-d and 3-d.
    conv({ n: 3, cin: 10, cout: 24, size: [50], k: [7], padding: 3 }),
    conv({ n: 1, cin: 4, cout: 18, size: [6, 7, 8], k: [3, 3, 2], padding: 1, dtype: "float64" }),
    // Padding larger than the dilated kernel reach: the correlation crops the gradient instead of padding it.
    conv({ n: 1, cin: 3, cout: 5, size: [5, 6], k: [1, 2], padding: 2 }),
  ];
}

function convTransposeCases(): DiffCase[] {
  const specs: Array<{ cin: number; cout: number; size: number[]; k: number; stride: number; padding: number }> = [
    { cin: 24, cout: 20, size: [6, 7], k: 3, stride: 1, padding: 1 },
    { cin: 3, cout: 18, size: [5, 5], k: 4, stride: 2, padding: 1 },
    { cin: 20, cout: 3, size: [8, 9], k: 5, stride: 1, padding: 0 },
  ];
  return specs.map((s) => ({
    name: `convTranspose2d ${s.cin}->${s.cout} k${s.k} stride ${s.stride} padding ${s.padding} x${JSON.stringify(s.size)}`,
    inputs: [{ shape: [2, s.cin, ...s.size] }, { shape: [s.cin, s.cout, s.k, s.k] }, { shape: [s.cout] }],
    ts: (x, w, b) => F.convTranspose2d(x, w, b, { stride: s.stride, padding: s.padding }),
    py: `F.conv_transpose2d(x0, x1, x2, stride=${s.stride}, padding=${s.padding})`,
  }));
}

function poolCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const values of ["ties", "special", "normal"] as const) {
    for (const shape of [[2, 3, 8, 8], [1, 2, 7, 9], [2, 1, 2, 2]]) {
      cases.push({
        name: `maxPool2d(2) ${values} ${JSON.stringify(shape)}`,
        // Unit stride along W (contiguous or offset) takes the 2×2 path; other layouts the general one.
        inputs: [{ shape, values, layout: rng.pick(["contiguous", "offset"] as Layout[]) }],
        ts: (x) => {
          const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
          return [v, i];
        },
        py: "out = F.max_pool2d(x0, 2, return_indices=True)",
        noGrad: values === "special",
      });
    }
  }
  cases.push({
    name: "maxPool2d(2, stride 3) ties (2×2 windows that do not tile)",
    inputs: [{ shape: [2, 2, 11, 10], values: "ties" }],
    ts: (x) => F.maxPool2d(x, 2, { stride: 3 }),
    py: "F.max_pool2d(x0, 2, stride=3)",
  });
  for (const opts of [{}, { divisorOverride: 3 }, { ceilMode: true }, { padding: 1 }]) {
    cases.push({
      name: `avgPool2d(2) ${JSON.stringify(opts)} on [2, 3, 9, 8]`,
      inputs: [{ shape: [2, 3, 9, 8], layout: rng.pick(LAYOUTS) }],
      ts: (x) => F.avgPool2d(x, 2, opts),
      py: `F.avg_pool2d(x0, 2, ceil_mode=${"ceilMode" in opts ? "True" : "False"}, padding=${"padding" in opts ? 1 : 0}, divisor_override=${"divisorOverride" in opts ? 3 : "None"})`,
    });
  }
  cases.push({
    name: "avgPool2d(2) int64 (integer division)",
    inputs: [{ shape: [1, 2, 6, 6], dtype: "int64", values: "int", low: -20, high: 20 }],
    ts: (x) => F.avgPool2d(x, 2),
    py: "F.avg_pool2d(x0, 2)",
  });
  return cases;
}

function reduceCases(): DiffCase[] {
  return [
    {
      name: "sum over [0, 2, 3] of an NCHW tensor (a conv bias gradient)",
      inputs: [{ shape: [5, 6, 7, 9] }],
      ts: (x) => x.sum([0, 2, 3]),
      py: "x0.sum((0, 2, 3))",
    },
    {
      name: "sum over [0, 2] of an expanded tensor (stride 0)",
      inputs: [{ shape: [1, 4, 1], dtype: "float64" }],
      ts: (x) => x.expand([7, 4, 13]).sum([0, 2]),
      py: "x0.expand(7, 4, 13).sum((0, 2))",
    },
    {
      name: "sum over dim 0 of a transposed matrix (strided runs)",
      inputs: [{ shape: [37, 5], layout: "transposed" }],
      ts: (x) => x.sum(0),
      py: "x0.sum(0)",
    },
  ];
}

describe("CPU fast paths match PyTorch", () => {
  it("matmul: packed tails, blocks, skinny products", async () => {
    expectClean(await runDifferential("kernels-matmul", matmulCases()), 15);
  }, 120_000);
  it("convolution: image kernels, packed panels, correlation and col2im gradients", async () => {
    expectClean(await runDifferential("kernels-conv", [...convCases(), ...convTransposeCases()]), 19);
  }, 300_000);
  it("pooling: 2×2 max tournament and 2×2 average", async () => {
    expectClean(await runDifferential("kernels-pool", poolCases()), 15);
  }, 120_000);
  it("strided sums", async () => {
    expectClean(await runDifferential("kernels-reduce", reduceCases()), 3);
  }, 60_000);
});
