/**
 * Convolution against real PyTorch: seeded random configurations (1-d/2-d/3-d, batched, batch of 1 and
 * unbatched, stride, padding including 'same' with even kernels and 'valid', dilation, groups, depthwise,
 * bias or none, float32/float64, non-contiguous input and weight) compare outputs and the gradients of input,
 * weight and bias. The transposed convolution adds output padding; the modules add padding modes and
 * `forward(x, outputSize)`. Error cases check that both libraries refuse the same configurations.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import type { Tensor } from "../src/tensor.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const F = torch.nn.functional;
const nn = torch.nn;
const rng = new Rng(20261122);
const LAYOUTS: Layout[] = ["contiguous", "contiguous", "transposed", "strided", "offset"];
const FLOATS: DType[] = ["float32", "float32", "float64"];
const FN = ["", "conv1d", "conv2d", "conv3d"];
const TFN = ["", "convTranspose1d", "convTranspose2d", "convTranspose3d"];

/** A Python literal: ints, tuples, strings. */
function py(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(", ")})`;
  return String(v);
}

/** Per-dim values, or one int for all dims (exercising both argument forms). */
function arg(v: number[]): number | number[] {
  return v.every((x) => x === v[0]) && rng.bool(0.5) ? v[0] : v;
}

/** Channels per group and group count: plain, grouped, or depthwise (groups = Cin, Cout = k·Cin). */
function channels(): { cin: number; cout: number; groups: number; kind: string } {
  const r = rng.next();
  if (r < 0.45) return { cin: rng.int(1, 4), cout: rng.int(1, 5), groups: 1, kind: "plain" };
  if (r < 0.75) {
    const g = rng.int(2, 3);
    return { cin: g * rng.int(1, 2), cout: g * rng.int(1, 3), groups: g, kind: "grouped" };
  }
  const c = rng.int(2, 4);
  return { cin: c, cout: c * rng.int(1, 2), groups: c, kind: "depthwise" };
}

/** Batched `[N, C, *S]` (N = 1 often) or unbatched `[C, *S]`. */
function withBatch(c: number, spatial: number[]): number[] {
  const r = rng.next();
  if (r < 0.15) return [c, ...spatial];
  return [r < 0.4 ? 1 : rng.int(2, 3), c, ...spatial];
}

function convCase(nd: number, forceSame = false): DiffCase {
  const { cin, cout, groups, kind } = channels();
  const kmax = nd === 3 ? 3 : 4;
  const kernel = Array.from({ length: nd }, () => rng.int(1, kmax));
  const dilation = Array.from({ length: nd }, () => (rng.bool(0.3) ? 2 : 1));
  const mode = forceSame ? "same" : rng.pick(["int", "int", "int", "same", "valid"]);
  const stride = mode === "same" ? kernel.map(() => 1) : Array.from({ length: nd }, () => (rng.bool(0.4) ? rng.int(2, 3) : 1));
  const padding = kernel.map(() => (mode === "int" ? rng.int(0, 2) : 0));
  const spatial = kernel.map((k, i) => {
    const need = Math.max(1, dilation[i] * (k - 1) + 1 - 2 * padding[i]);
    return need + rng.int(0, nd === 3 ? 2 : 5);
  });
  const x = withBatch(cin, spatial);
  const bias = rng.bool(0.7);
  const dtype = rng.pick(FLOATS);
  const inputs: InputSpec[] = [
    { shape: x, dtype, layout: rng.pick(LAYOUTS) },
    { shape: [cout, cin / groups, ...kernel], dtype, layout: rng.pick(LAYOUTS) },
  ];
  if (bias) inputs.push({ shape: [cout], dtype });
  const pad = mode === "int" ? arg(padding) : mode;
  const opts = { stride: arg(stride), padding: pad, dilation: arg(dilation), groups };
  const name = FN[nd];
  return {
    name: `${name} ${kind} ${dtype} x${JSON.stringify(x)} k${JSON.stringify(kernel)} ${JSON.stringify(opts)} bias=${bias}`,
    inputs,
    ts: (a, w, b) => (F as any)[name](a, w, b ?? null, opts),
    py: `F.${name}(x0, x1, ${bias ? "x2" : "None"}, stride=${py(opts.stride)}, padding=${py(pad)}, dilation=${py(opts.dilation)}, groups=${groups})`,
  };
}

function convTransposeCase(nd: number): DiffCase {
  const { cin, cout, groups, kind } = channels();
  const kmax = nd === 3 ? 3 : 4;
  const kernel = Array.from({ length: nd }, () => rng.int(1, kmax));
  const dilation = Array.from({ length: nd }, () => (rng.bool(0.3) ? rng.int(2, 3) : 1));
  const stride = Array.from({ length: nd }, () => (rng.bool(0.5) ? rng.int(2, 3) : 1));
  const outputPadding = stride.map((s, i) => (rng.bool(0.4) ? rng.int(0, Math.max(s, dilation[i]) - 1) : 0));
  const spatial = Array.from({ length: nd }, () => rng.int(1, nd === 3 ? 3 : 5));
  // Padding may eat into the output, as long as one element is left.
  const padding = spatial.map((s, i) => {
    const full = (s - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1;
    return Math.min(rng.int(0, 2), Math.floor((full - 1) / 2));
  });
  const x = withBatch(cin, spatial);
  const bias = rng.bool(0.7);
  const dtype = rng.pick(FLOATS);
  const inputs: InputSpec[] = [
    { shape: x, dtype, layout: rng.pick(LAYOUTS) },
    { shape: [cin, cout / groups, ...kernel], dtype, layout: rng.pick(LAYOUTS) },
  ];
  if (bias) inputs.push({ shape: [cout], dtype });
  const opts = { stride: arg(stride), padding: arg(padding), outputPadding: arg(outputPadding), groups, dilation: arg(dilation) };
  const name = TFN[nd];
  const pyName = `conv_transpose${nd}d`;
  return {
    name: `${name} ${kind} ${dtype} x${JSON.stringify(x)} k${JSON.stringify(kernel)} ${JSON.stringify(opts)} bias=${bias}`,
    inputs,
    ts: (a, w, b) => (F as any)[name](a, w, b ?? null, opts),
    py:
      `F.${pyName}(x0, x1, ${bias ? "x2" : "None"}, stride=${py(opts.stride)}, padding=${py(opts.padding)}, ` +
      `output_padding=${py(opts.outputPadding)}, groups=${groups}, dilation=${py(opts.dilation)})`,
  };
}

function convCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const nd of [1, 2, 3]) for (let k = 0; k < 70; k++) cases.push(convCase(nd));
  // Even kernels with 'same': the asymmetric padding PyTorch builds with a padded copy.
  for (const nd of [1, 2, 3]) for (let k = 0; k < 6; k++) cases.push(convCase(nd, true));
  // A larger layer, as a network has (many channels, im2col blocks beyond one GEMM panel).
  cases.push({
    name: "conv2d 16->24 3x3 padding 1 on [2, 16, 12, 12]",
    inputs: [{ shape: [2, 16, 12, 12] }, { shape: [24, 16, 3, 3] }, { shape: [24] }],
    ts: (x, w, b) => F.conv2d(x, w, b, { padding: 1 }),
    py: "F.conv2d(x0, x1, x2, padding=1)",
  });
  // Column matrices over the 2^22-element scratch bound: im2col/col2im run in bands of output rows (the 3-d
  // bands end inside a depth plane).
  cases.push({
    name: "conv2d 32->2 5x5 on [1, 32, 96, 96] (two bands)",
    inputs: [{ shape: [1, 32, 96, 96], dtype: "float64" }, { shape: [2, 32, 5, 5], dtype: "float64" }],
    ts: (x, w) => F.conv2d(x, w),
    py: "F.conv2d(x0, x1)",
  });
  cases.push({
    name: "conv3d 8->2 3x5x5 padding 1 on [1, 8, 20, 40, 40] (four bands)",
    inputs: [{ shape: [1, 8, 20, 40, 40], dtype: "float64" }, { shape: [2, 8, 3, 5, 5], dtype: "float64" }, { shape: [2], dtype: "float64" }],
    ts: (x, w, b) => F.conv3d(x, w, b, { padding: [0, 1, 1], stride: [1, 1, 1] }),
    py: "F.conv3d(x0, x1, x2, padding=(0, 1, 1))",
  });
  cases.push({
    name: "conv2d pointwise 1x1 on a transposed input",
    inputs: [{ shape: [2, 6, 5, 7], layout: "transposed" }, { shape: [5, 6, 1, 1] }, { shape: [5] }],
    ts: (x, w, b) => F.conv2d(x, w, b),
    py: "F.conv2d(x0, x1, x2)",
  });
  return cases;
}

function convTransposeCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const nd of [1, 2, 3]) for (let k = 0; k < 70; k++) cases.push(convTransposeCase(nd));
  cases.push({
    name: "convTranspose2d 8->4 4x4 stride 2 padding 1 (a DCGAN upsampling block)",
    inputs: [{ shape: [2, 8, 5, 5] }, { shape: [8, 4, 4, 4] }, { shape: [4] }],
    ts: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }),
    py: "F.conv_transpose2d(x0, x1, x2, stride=2, padding=1)",
  });
  return cases;
}

/** Modules: padding modes, transposed output sizes; weights come from the inputs (copied in without grad). */
function moduleCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const load = (m: any, w: Tensor, b: Tensor): void => {
    m.weight.data = w.detach().contiguous();
    m.bias.data = b.detach().contiguous();
  };
  const pyLoad = "with torch.no_grad():\n    m.weight.copy_(x1)\n    m.bias.copy_(x2)\nout = m(x0)";
  for (const mode of ["reflect", "replicate", "circular"] as const) {
    for (const nd of [1, 2, 3]) {
      for (let k = 0; k < 4; k++) {
        const kernel = rng.int(1, 3);
        const same = rng.bool(0.3);
        const padding = same ? "same" : rng.int(0, kernel);
        const spatial = Array.from({ length: nd }, () => rng.int(Math.max(kernel, 3), 6));
        const cin = rng.int(1, 3);
        const cout = rng.int(1, 3);
        // PyTorch 1.13's circular pad refuses unbatched inputs ("Invalid padding size"), which 2.x accepts:
        // circular cases stay batched here, and test/conv.test.ts checks unbatched against batched.
        const x = mode === "circular" || rng.bool(0.8) ? [rng.int(1, 2), cin, ...spatial] : [cin, ...spatial];
        const opts = { padding, paddingMode: mode, stride: same ? 1 : rng.int(1, 2) };
        const cls = `Conv${nd}d`;
        cases.push({
          name: `${cls} ${JSON.stringify(opts)} k${kernel} x${JSON.stringify(x)}`,
          inputs: [
            { shape: x, layout: rng.pick(LAYOUTS) },
            { shape: [cout, cin, ...new Array<number>(nd).fill(kernel)], requiresGrad: false },
            { shape: [cout], requiresGrad: false },
          ],
          ts: (a, w, b) => {
            const m = new (nn as any)[cls](cin, cout, kernel, opts);
            load(m, w, b);
            return m.call(a);
          },
          py: `m = nn.${cls}(${cin}, ${cout}, ${kernel}, padding=${py(padding)}, padding_mode='${mode}', stride=${opts.stride})\n${pyLoad}`,
        });
      }
    }
  }
  for (const nd of [1, 2, 3]) {
    for (let k = 0; k < 5; k++) {
      const kernel = rng.int(2, 3);
      const stride = rng.int(2, 3);
      const padding = rng.int(0, 1);
      const spatial = Array.from({ length: nd }, () => rng.int(2, 4));
      const min = spatial.map((s) => (s - 1) * stride - 2 * padding + kernel);
      const size = min.map((m) => m + rng.int(0, stride - 1));
      const batched = rng.bool(0.7);
      const x = batched ? [2, 2, ...spatial] : [2, ...spatial];
      const outputSize = rng.bool(0.5) ? size : [...(batched ? [2, 3] : [3]), ...size];
      const cls = `ConvTranspose${nd}d`;
      cases.push({
        name: `${cls} k${kernel} s${stride} p${padding} x${JSON.stringify(x)} outputSize ${JSON.stringify(outputSize)}`,
        inputs: [{ shape: x }, { shape: [2, 3, ...new Array<number>(nd).fill(kernel)], requiresGrad: false }, { shape: [3], requiresGrad: false }],
        ts: (a, w, b) => {
          const m = new (nn as any)[cls](2, 3, kernel, { stride, padding });
          load(m, w, b);
          return m.call(a, outputSize);
        },
        py: `m = nn.${cls}(2, 3, ${kernel}, stride=${stride}, padding=${padding})\nwith torch.no_grad():\n    m.weight.copy_(x1)\n    m.bias.copy_(x2)\nout = m(x0, output_size=${py(outputSize)})`,
      });
    }
  }
  return cases;
}

/** Default initialization under the same seed: PyTorch's generator and init draw the same numbers. */
function initCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const configs: Array<[string, number, number, number | number[], Record<string, unknown>, string]> = [
    ["Conv1d", 3, 6, 3, {}, ""],
    ["Conv2d", 3, 6, 3, {}, ""],
    ["Conv2d", 4, 8, [3, 2], { groups: 2, bias: false }, ", groups=2, bias=False"],
    ["Conv3d", 2, 4, 2, { stride: 2 }, ", stride=2"],
    ["ConvTranspose1d", 4, 3, 5, {}, ""],
    ["ConvTranspose2d", 3, 6, 3, { stride: 2 }, ", stride=2"],
    ["ConvTranspose2d", 4, 6, 3, { groups: 2 }, ", groups=2"],
    ["ConvTranspose3d", 2, 2, 2, {}, ""],
  ];
  configs.forEach(([cls, cin, cout, k, opts, pyOpts], i) => {
    cases.push({
      name: `${cls}(${cin}, ${cout}, ${JSON.stringify(k)}${pyOpts}) init, seed ${i}`,
      inputs: [{ shape: [1], requiresGrad: false }],
      ts: () => {
        torch.manualSeed(i);
        const m = new (nn as any)[cls](cin, cout, k, opts);
        return m.bias ? [m.weight, m.bias] : [m.weight];
      },
      py: `torch.manual_seed(${i})\nm = nn.${cls}(${cin}, ${cout}, ${py(k)}${pyOpts})\nout = [m.weight] + ([m.bias] if m.bias is not None else [])`,
    });
  });
  return cases;
}

/** Configurations both libraries must refuse. */
function errorCases(): DiffCase[] {
  const e = (name: string, inputs: number[][], ts: (...xs: Tensor[]) => Tensor, pyExpr: string, re: RegExp): DiffCase => ({
    name,
    inputs: inputs.map((shape) => ({ shape })),
    ts,
    py: pyExpr,
    expectError: re,
  });
  return [
    e("channel mismatch", [[64, 4, 8, 8], [6, 3, 3, 3]], (x, w) => F.conv2d(x, w), "F.conv2d(x0, x1)",
      /Given groups=1, weight of size \[6, 3, 3, 3\], expected input\[64, 4, 8, 8\] to have 3 channels, but got 4 channels instead/),
    e("kernel larger than input", [[1, 3, 2, 2], [6, 3, 3, 3]], (x, w) => F.conv2d(x, w), "F.conv2d(x0, x1)",
      /Calculated padded input size per channel: \(2 x 2\)\. Kernel size: \(3 x 3\)\. Kernel size can't be greater than actual input size/),
    e("dilated kernel larger than padded input", [[1, 3, 2, 2], [6, 3, 3, 3]], (x, w) => F.conv2d(x, w, null, { dilation: 2, padding: 1 }),
      "F.conv2d(x0, x1, dilation=2, padding=1)", /Calculated padded input size per channel: \(4 x 4\)\. Kernel size: \(5 x 5\)/),
    e("weight not divisible by groups", [[2, 4, 5, 5], [5, 2, 3, 3]], (x, w) => F.conv2d(x, w, null, { groups: 2 }),
      "F.conv2d(x0, x1, groups=2)", /Given groups=2, expected weight to be divisible by 2 at dimension 0/),
    e("bias size", [[2, 3, 5, 5], [6, 3, 3, 3], [5]], (x, w, b) => F.conv2d(x, w, b), "F.conv2d(x0, x1, x2)",
      /expected bias to be 1-dimensional with 6 elements, but got bias of size \[5\] instead/),
    e("same with stride", [[2, 3, 5, 5], [6, 3, 3, 3]], (x, w) => F.conv2d(x, w, null, { padding: "same", stride: 2 }),
      "F.conv2d(x0, x1, padding='same', stride=2)", /padding='same' is not supported for strided convolutions/),
    e("input rank", [[3, 5], [6, 3, 3, 3]], (x, w) => F.conv2d(x, w), "F.conv2d(x0, x1)",
      /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[3, 5\]/),
    e("transposed channel mismatch", [[1, 4, 5, 5], [3, 2, 3, 3]], (x, w) => F.convTranspose2d(x, w), "F.conv_transpose2d(x0, x1)",
      /Given transposed=1, weight of size \[3, 2, 3, 3\], expected input\[1, 4, 5, 5\] to have 3 channels, but got 4 channels instead/),
    e("output padding", [[1, 4, 5, 5], [4, 2, 3, 3]], (x, w) => F.convTranspose2d(x, w, null, { outputPadding: 2, stride: 2 }),
      "F.conv_transpose2d(x0, x1, output_padding=2, stride=2)",
      /output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1/),
    e("output padding 1-d", [[1, 4, 5], [4, 2, 3]], (x, w) => F.convTranspose1d(x, w, null, { outputPadding: 1 }),
      "F.conv_transpose1d(x0, x1, output_padding=1)", /output_padding_height: 0 output_padding_width: 1 stride_height: 1 stride_width: 1/),
    e("transposed output too small", [[1, 4, 1, 1], [4, 2, 3, 3]], (x, w) => F.convTranspose2d(x, w, null, { padding: 2 }),
      "F.conv_transpose2d(x0, x1, padding=2)",
      /Given input size per channel: \(1 x 1\)\. Calculated output size per channel: \(-1 x -1\)\. Output size is too small/),
    e("output size out of range", [[1, 4, 5, 5], [4, 2, 3, 3]], (x, w) => {
      const m = new nn.ConvTranspose2d(4, 2, 3, { stride: 2 });
      m.weight.data = w.detach();
      return m.call(x, [20, 20]);
    }, "m = nn.ConvTranspose2d(4, 2, 3, stride=2)\nout = m(x0, output_size=[20, 20])",
      /requested an output size of \[20, 20\], but valid sizes range from \[11, 11\] to \[12, 12\]/),
    e("output size length", [[1, 4, 5, 5], [4, 2, 3, 3]], (x) => new nn.ConvTranspose2d(4, 2, 3, { stride: 2 }).call(x, [12]),
      "m = nn.ConvTranspose2d(4, 2, 3, stride=2)\nout = m(x0, output_size=[12])", /for 4D input, output_size must have 2 or 4 elements \(got 1\)/),
  ];
}

describe("convolution matches PyTorch", () => {
  it("conv1d / conv2d / conv3d", async () => {
    expectClean(await runDifferential("conv", convCases()), 200);
  });
  it("convTranspose1d / 2d / 3d", async () => {
    expectClean(await runDifferential("conv-transpose", convTransposeCases()), 200);
  });
  it("modules: padding modes and outputSize", async () => {
    expectClean(await runDifferential("conv-modules", moduleCases()), 40);
  });
  it("default init under a seed", async () => {
    expectClean(await runDifferential("conv-init", initCases()), 8);
  });
  it("errors", async () => {
    expectClean(await runDifferential("conv-errors", errorCases()), 13);
  });
});
