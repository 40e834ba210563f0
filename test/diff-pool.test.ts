/**
 * Pooling against real PyTorch: seeded random configurations (1-d/2-d/3-d, batched and unbatched, batch of
 * 1, ceil mode, padding up to the limit, dilation, count_include_pad, divisor_override, output_size,
 * non-contiguous inputs, ties and NaN) compare outputs, indices (exactly) and input gradients.
 */
import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { poolOutputSize } from "../src/layout.js";
import { type DiffCase, type Layout, type Values, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const F = torch.nn.functional;
const rng = new Rng(20240607);
const LAYOUTS: Layout[] = ["contiguous", "contiguous", "transposed", "strided", "offset"];
const FLOATS: DType[] = ["float32", "float32", "float64"];

/** A Python literal: ints, tuples, bools, None. */
function py(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(", ")})`;
  return String(v);
}

/** The input shape: `(N, C, *spatial)`, `(C, *spatial)` unbatched, N = 1 often. */
function inputShape(spatial: number[]): { shape: number[]; batched: boolean } {
  const C = rng.int(1, 3);
  const r = rng.next();
  if (r < 0.2) return { shape: [C, ...spatial], batched: false };
  const N = r < 0.45 ? 1 : rng.int(2, 3);
  return { shape: [N, C, ...spatial], batched: true };
}

function spatialSizes(nd: number): number[] {
  return rng.shape(nd, 1, nd === 3 ? 6 : nd === 2 ? 9 : 14);
}

/** Per-dim value, or one int for all dims (exercising both argument forms). */
function arg(v: number[]): number | number[] {
  return v.every((x) => x === v[0]) && rng.bool(0.5) ? v[0] : v;
}

function pick<T>(xs: readonly T[]): T {
  return rng.pick(xs);
}

const MAX_FN = { 1: F.maxPool1d, 2: F.maxPool2d, 3: F.maxPool3d } as const;
const AVG_FN = { 1: F.avgPool1d, 2: F.avgPool2d, 3: F.avgPool3d } as const;

let skipped113 = 0;
let emptyWindows = 0;

function maxPoolCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const nd = pick([1, 2, 2, 3]) as 1 | 2 | 3;
    const spatial = spatialSizes(nd);
    const { shape } = inputShape(spatial);
    const kernel = rng.shape(nd, 1, 4);
    const dilation = rng.bool(0.6) ? kernel.map(() => 1) : rng.shape(nd, 1, 3);
    const eff = kernel.map((k, i) => (k - 1) * dilation[i] + 1);
    // Padding: often exactly at the limit.
    const padding = eff.map((e) => (rng.bool(0.35) ? Math.floor(e / 2) : rng.int(0, Math.floor(e / 2))));
    const stride = rng.bool(0.3) ? null : rng.shape(nd, 1, 3);
    const st = stride ?? kernel;
    const ceil = rng.bool(0.5);
    const returnIndices = rng.bool(0.6);
    const out = spatial.map((L, i) => poolOutputSize(L, kernel[i], st[i], padding[i], dilation[i], ceil));
    const tooSmall = out.some((o) => o < 1);
    // A window whose dilated taps all miss the input gives −∞ and an index outside the window; when that index
    // also lies outside the plane PyTorch's backward writes into the neighbouring plane's memory and torch-ts
    // drops it. Values and indices still agree.
    const emptyWindow = !tooSmall && spatial.some((L, i) => {
      for (let o = 0; o < out[i]; o++) {
        let hit = false;
        for (let m = 0; m < kernel[i]; m++) {
          const t = o * st[i] - padding[i] + m * dilation[i];
          if (t >= 0 && t < L) hit = true;
        }
        if (!hit) return true;
      }
      return false;
    });
    // PyTorch 1.13 limits padding to half the *plain* kernel; 2.x (and torch-ts) to half the dilated one.
    const refused113 = padding.some((p, i) => p > Math.floor(kernel[i] / 2));
    if (refused113 && nd !== 3 && !tooSmall) {
      skipped113++;
      if (!ceil) paddingRuleCases.push(explicitPaddingCase(nd, shape, kernel, stride, padding, dilation, emptyWindow));
      continue;
    }
    if (emptyWindow) emptyWindows++;
    const dtype = pick(FLOATS);
    const values: Values = pick(["normal", "ties", "ties", "special"] as Values[]);
    const k = arg(kernel);
    const opts = { stride: stride === null ? null : arg(stride), padding: arg(padding), dilation: arg(dilation), ceilMode: ceil, returnIndices };
    cases.push({
      name: `maxPool${nd}d ${dtype} ${values} ${JSON.stringify(shape)} k=${JSON.stringify(k)} ${JSON.stringify(opts)}`,
      inputs: [{ shape, dtype, values, layout: pick(LAYOUTS) }],
      ts: (x) => (MAX_FN[nd] as any)(x, k, opts),
      py: `F.max_pool${nd}d(x0, ${py(k)}, ${py(opts.stride)}, ${py(opts.padding)}, ${py(opts.dilation)}, ${py(ceil)}, ${py(returnIndices)})`,
      noGrad: emptyWindow,
      // 3-d: padding over half the plain kernel is refused by 1.13 and 2.x alike (checked before the size).
      expectError: nd === 3 && refused113 ? /pad should be/ : tooSmall ? /Output size is too small/ : undefined,
    });
  }
  return cases;
}

/**
 * PyTorch 2.x's padding rule checked against 1.13 anyway: padding with −∞ explicitly (`F.pad`) and pooling
 * without padding gives the same values and gradients (not the indices, which then count the padding).
 * Floor mode only: ceil mode's last-window rule refers to the implicit padding.
 */
function explicitPaddingCase(
  nd: 1 | 2,
  shape: number[],
  kernel: number[],
  stride: number[] | null,
  padding: number[],
  dilation: number[],
  emptyWindow: boolean,
): DiffCase {
  const pads = padding.slice().reverse().flatMap((p) => [p, p]);
  return {
    name: `maxPool${nd}d 2.x padding ${JSON.stringify(shape)} k=${JSON.stringify(kernel)} s=${JSON.stringify(stride)} p=${JSON.stringify(padding)} d=${JSON.stringify(dilation)}`,
    inputs: [{ shape, dtype: pick(FLOATS), values: "normal", layout: pick(LAYOUTS) }],
    ts: (x) => (MAX_FN[nd] as any)(x, kernel, { stride, padding, dilation }),
    py: `F.max_pool${nd}d(F.pad(x0, ${py(pads)}, value=-math.inf), ${py(kernel)}, ${py(stride)}, 0, ${py(dilation)})`,
    // A window entirely in the padding sends its gradient to a padding element in PyTorch, to its index here.
    noGrad: emptyWindow,
  };
}

const paddingRuleCases: DiffCase[] = [];

function avgPoolCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const nd = pick([1, 2, 2, 3]) as 1 | 2 | 3;
    const spatial = spatialSizes(nd);
    const { shape } = inputShape(spatial);
    const kernel = rng.shape(nd, 1, 4);
    const padding = kernel.map((k) => (rng.bool(0.4) ? Math.floor(k / 2) : rng.int(0, Math.floor(k / 2))));
    const stride = rng.bool(0.3) ? null : rng.shape(nd, 1, 3);
    const st = stride ?? kernel;
    const ceil = rng.bool(0.5);
    const countIncludePad = rng.bool(0.5);
    const divisorOverride = nd === 1 || rng.bool(0.7) ? null : pick([1, 2, 3, 5, -2]);
    const out = spatial.map((L, i) => poolOutputSize(L, kernel[i], st[i], padding[i], 1, ceil));
    const tooSmall = out.some((o) => o < 1);
    const smallerThanKernel = nd === 3 && spatial.some((L, i) => L < kernel[i]);
    const integral = rng.bool(0.1);
    const dtype: DType = integral ? "int64" : pick(FLOATS);
    const k = arg(kernel);
    const opts: Record<string, unknown> = { stride: stride === null ? null : arg(stride), padding: arg(padding), ceilMode: ceil, countIncludePad };
    if (nd !== 1) opts.divisorOverride = divisorOverride;
    const pyArgs = `${py(k)}, ${py(opts.stride)}, ${py(opts.padding)}, ${py(ceil)}, ${py(countIncludePad)}${nd === 1 ? "" : `, ${py(divisorOverride)}`}`;
    cases.push({
      name: `avgPool${nd}d ${dtype} ${JSON.stringify(shape)} k=${JSON.stringify(k)} ${JSON.stringify(opts)}`,
      inputs: [{ shape, dtype, values: integral ? "int" : "normal", low: -20, high: 20, layout: pick(LAYOUTS) }],
      ts: (x) => (AVG_FN[nd] as any)(x, k, opts),
      py: `F.avg_pool${nd}d(x0, ${pyArgs})`,
      expectError: smallerThanKernel ? /smaller than kernel size/ : tooSmall ? /Output size is too small/ : undefined,
    });
  }
  return cases;
}

const UNPOOL_FN = { 1: F.maxUnpool1d, 2: F.maxUnpool2d, 3: F.maxUnpool3d } as const;

function unpoolCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const nd = pick([1, 2, 2, 3]) as 1 | 2 | 3;
    const spatial = spatialSizes(nd).map((L) => L + 1);
    const { shape, batched } = inputShape(spatial);
    const kernel = rng.shape(nd, 1, 3);
    const padding = kernel.map((k) => rng.int(0, Math.floor(k / 2)));
    const stride = rng.bool(0.4) ? null : rng.shape(nd, 1, 3);
    const st = stride ?? kernel;
    const pooled = spatial.map((L, i) => poolOutputSize(L, kernel[i], st[i], padding[i], 1, false));
    if (pooled.some((o) => o < 1)) continue;
    const def = pooled.map((P, i) => (P - 1) * st[i] + kernel[i] - 2 * padding[i]);
    // outputSize: none, the pooled input's own size, a random size in range (which may make indices
    // invalid: both libraries then raise), or out of range.
    const mode = pick(["none", "none", "input", "input", "random", "bad"]);
    let outputSize: number[] | null = null;
    let bad = false;
    if (mode === "input") outputSize = batched && rng.bool(0.3) ? shape.slice() : spatial.slice();
    else if (mode === "random") outputSize = def.map((d, i) => rng.int(d - st[i] + 1, d + st[i] - 1));
    else if (mode === "bad") {
      const i = rng.int(0, nd - 1);
      outputSize = def.slice();
      outputSize[i] = rng.bool() ? def[i] + st[i] : def[i] - st[i];
      bad = true;
    }
    const size = outputSize === null ? def : outputSize.slice(-nd);
    if (size.some((s) => s < 1)) continue;
    const pooledShape = [...shape.slice(0, shape.length - nd), ...pooled];
    const dtype = pick(FLOATS);
    const k = arg(kernel);
    const poolOpts = { stride: stride === null ? null : arg(stride), padding: arg(padding) };
    // Indices address the pooled input's plane: a smaller output plane could make them invalid.
    if (!bad && size.reduce((a, b) => a * b, 1) < spatial.reduce((a, b) => a * b, 1)) continue;
    cases.push({
      name: `maxUnpool${nd}d ${dtype} ${JSON.stringify(shape)} k=${JSON.stringify(k)} ${JSON.stringify(poolOpts)} outputSize=${JSON.stringify(outputSize)}`,
      inputs: [
        { shape, dtype, values: pick(["normal", "ties"] as Values[]), requiresGrad: false },
        { shape: pooledShape, dtype, layout: pick(LAYOUTS) },
      ],
      ts: (x, v) => {
        const [, idx] = (MAX_FN[nd] as any)(x, k, { ...poolOpts, returnIndices: true });
        return (UNPOOL_FN[nd] as any)(v, idx, k, { ...poolOpts, outputSize });
      },
      py:
        `_, i = F.max_pool${nd}d(x0, ${py(k)}, ${py(poolOpts.stride)}, ${py(poolOpts.padding)}, return_indices=True)\n` +
        `out = F.max_unpool${nd}d(x1, i, ${py(k)}, ${py(poolOpts.stride)}, ${py(poolOpts.padding)}, ${outputSize === null ? "None" : `[${outputSize.join(", ")}]`})`,
      expectError: bad ? /invalid output_size/ : undefined,
    });
  }
  return cases;
}

const ADAPTIVE_AVG = { 1: F.adaptiveAvgPool1d, 2: F.adaptiveAvgPool2d, 3: F.adaptiveAvgPool3d } as const;
const ADAPTIVE_MAX = { 1: F.adaptiveMaxPool1d, 2: F.adaptiveMaxPool2d, 3: F.adaptiveMaxPool3d } as const;

function adaptiveCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const nd = pick([1, 2, 2, 3]) as 1 | 2 | 3;
    const spatial = spatialSizes(nd);
    const { shape } = inputShape(spatial);
    const isMax = rng.bool();
    let size: number | Array<number | null> = spatial.map((L) => rng.int(1, L + 2));
    if (nd > 1 && rng.bool(0.25)) size[rng.int(0, nd - 1)] = null;
    if (nd === 1 || (rng.bool(0.3) && size.every((s) => s !== null))) size = size[0] as number;
    const dtype = pick(FLOATS);
    const values: Values = isMax ? pick(["normal", "ties", "ties", "special"] as Values[]) : "normal";
    const returnIndices = isMax && rng.bool(0.6);
    const sizeTs = size;
    cases.push({
      name: `adaptive${isMax ? "Max" : "Avg"}Pool${nd}d ${dtype} ${values} ${JSON.stringify(shape)} size=${JSON.stringify(size)} ${returnIndices}`,
      inputs: [{ shape, dtype, values, layout: pick(LAYOUTS) }],
      ts: (x) => (isMax ? (ADAPTIVE_MAX[nd] as any)(x, sizeTs, { returnIndices }) : (ADAPTIVE_AVG[nd] as any)(x, sizeTs)),
      py: isMax
        ? `F.adaptive_max_pool${nd}d(x0, ${py(size)}, ${py(returnIndices)})`
        : `F.adaptive_avg_pool${nd}d(x0, ${py(size)})`,
    });
  }
  return cases;
}

function lpCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const nd = pick([1, 2]) as 1 | 2;
    const spatial = spatialSizes(nd).map((L) => L + 2);
    const { shape } = inputShape(spatial);
    const kernel = rng.shape(nd, 1, 3);
    const stride = rng.bool(0.4) ? null : rng.shape(nd, 1, 3);
    const ceil = rng.bool(0.5);
    const p = pick([1, 2, 3, 1.5]);
    const dtype = pick(FLOATS);
    const k = nd === 1 ? kernel[0] : arg(kernel);
    const s = stride === null ? null : nd === 1 ? stride[0] : arg(stride);
    cases.push({
      name: `lpPool${nd}d p=${p} ${dtype} ${JSON.stringify(shape)} k=${JSON.stringify(k)} s=${JSON.stringify(s)} ceil=${ceil}`,
      inputs: [{ shape, dtype, values: "positive", layout: pick(LAYOUTS) }],
      ts: (x) => (nd === 1 ? F.lpPool1d(x, p, k as number, { stride: s, ceilMode: ceil }) : F.lpPool2d(x, p, k, { stride: s, ceilMode: ceil })),
      py: `F.lp_pool${nd}d(x0, ${p}, ${py(k)}, ${py(s)}, ${py(ceil)})`,
    });
  }
  return cases;
}

function fractionalCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const spatial = rng.shape(2, 2, 12);
    const { shape, batched } = inputShape(spatial);
    const kernel = spatial.map((L) => rng.int(1, Math.min(L, 4)));
    const out = spatial.map((L, i) => rng.int(1, L - kernel[i] + 1));
    const dtype = pick(FLOATS);
    const N = batched ? shape[0] : 1;
    const C = shape[shape.length - 3];
    const k = arg(kernel);
    const returnIndices = rng.bool(0.6);
    cases.push({
      name: `fractionalMaxPool2d ${dtype} ${JSON.stringify(shape)} k=${JSON.stringify(k)} out=${JSON.stringify(out)}`,
      inputs: [
        { shape, dtype, values: pick(["normal", "ties"] as Values[]), layout: pick(LAYOUTS) },
        { shape: [N, C, 2], dtype, values: "uniform", low: 0, high: 1, requiresGrad: false },
      ],
      ts: (x, u) => F.fractionalMaxPool2d(x, k, { outputSize: out, returnIndices, _randomSamples: u }),
      py: `F.fractional_max_pool2d(x0, ${py(k)}, output_size=${py(out)}, return_indices=${py(returnIndices)}, _random_samples=x1)`,
    });
  }
  return cases;
}

/** Without `_random_samples` both draw `rand(N, C, 2)` from the default generator after the same seed. */
function seededFractionalCases(count: number): DiffCase[] {
  const cases: DiffCase[] = [];
  while (cases.length < count) {
    const spatial = rng.shape(2, 3, 12);
    const { shape } = inputShape(spatial);
    const kernel = spatial.map((L) => rng.int(1, Math.min(L, 3)));
    const useRatio = rng.bool(0.4);
    const ratio = [pick([0.5, 0.7]), pick([0.5, 0.6])];
    const out = spatial.map((L, i) => rng.int(1, L - kernel[i] + 1));
    if (useRatio && spatial.some((L, i) => Math.trunc(L * ratio[i]) + kernel[i] - 1 > L)) continue;
    const dtype = pick(FLOATS);
    const seed = rng.int(0, 10_000);
    const sizeArg = useRatio ? `output_ratio=${py(ratio)}` : `output_size=${py(out)}`;
    cases.push({
      name: `fractionalMaxPool2d seeded ${seed} ${dtype} ${JSON.stringify(shape)} k=${JSON.stringify(kernel)} ${sizeArg}`,
      inputs: [{ shape, dtype }],
      ts: (x) => {
        torch.manualSeed(seed);
        return F.fractionalMaxPool2d(x, kernel, useRatio ? { outputRatio: ratio, returnIndices: true } : { outputSize: out, returnIndices: true });
      },
      py: `torch.manual_seed(${seed})\nout = F.fractional_max_pool2d(x0, ${py(kernel)}, ${sizeArg}, return_indices=True)`,
    });
  }
  return cases;
}

/** Configurations and messages both libraries reject (torch-ts's message is checked too). */
function errorCases(): DiffCase[] {
  const x = { shape: [1, 2, 4, 4] };
  const e = (name: string, re: RegExp, ts: (x: torch.Tensor) => unknown, pyExpr: string, inputs = [x]): DiffCase => ({
    name,
    inputs,
    ts: ts as DiffCase["ts"],
    py: pyExpr,
    expectError: re,
  });
  return [
    e("pad over half the kernel", /pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1/, (t) => F.maxPool2d(t, 3, { padding: 2 }), "F.max_pool2d(x0, 3, padding=2)"),
    e("avg pad over half", /pad should be at most half of effective kernel size/, (t) => F.avgPool2d(t, 3, { padding: 2 }), "F.avg_pool2d(x0, 3, padding=2)"),
    e("output too small", /Given input size: \(2x4x4\)\. Calculated output size: \(2x0x0\)\. Output size is too small/, (t) => F.maxPool2d(t, 3, { dilation: 2 }), "F.max_pool2d(x0, 3, dilation=2)"),
    e("divisor zero", /divisor must be not zero/, (t) => F.avgPool2d(t, 2, { divisorOverride: 0 }), "F.avg_pool2d(x0, 2, divisor_override=0)"),
    e("divisor zero 3d", /divisor must be not zero/, (t) => F.avgPool3d(t, 2, { divisorOverride: 0 }), "F.avg_pool3d(x0, 2, divisor_override=0)"),
    e("stride zero", /stride should not be zero/, (t) => F.maxPool2d(t, 2, { stride: 0 }), "F.max_pool2d(x0, 2, 0)"),
    e("negative pad", /pad must be non-negative, but got pad: -1/, (t) => F.avgPool2d(t, 2, { padding: -1 }), "F.avg_pool2d(x0, 2, 1, -1)"),
    e("negative kernel", /kernel size should be greater than zero, but got kH: -1 kW: 2/, (t) => F.avgPool2d(t, [-1, 2], { stride: 1 }), "F.avg_pool2d(x0, (-1, 2), 1)"),
    e("zero dilation", /dilation should be greater than zero, but got dilationH: 0 dilationW: 0/, (t) => F.maxPool2d(t, 2, { dilation: 0 }), "F.max_pool2d(x0, 2, dilation=0)"),
    e("3d input smaller than kernel", /input image \(T: 2 H: 4 W: 4\) smaller than kernel size \(kT: 1 kH: 5 kW: 5\)/, (t) => F.avgPool3d(t, [1, 5, 5], { padding: [0, 2, 2] }), "F.avg_pool3d(x0, (1, 5, 5), padding=(0, 2, 2))"),
    e("3d plain-kernel pad limit", /pad should be smaller than or equal to half of effective kernel size/, (t) => F.maxPool3d(t.unsqueeze(0), 3, { padding: 2, dilation: 2 }), "F.max_pool3d(x0.unsqueeze(0), 3, padding=2, dilation=2)"),
    e("rank", /Expected 3D or 4D \(batch mode\) tensor/, (t) => F.maxPool2d(t.reshape([32]), 2), "F.max_pool2d(x0.reshape(32), 2)"),
    e("unpool invalid index", /Found an invalid max index: 99 \(output volumes are of size 4x4/, (t) => F.maxUnpool2d(t.narrow(2, 0, 2).narrow(3, 0, 2), torch.full([1, 2, 2, 2], 99, { dtype: "int64" }), 2), "F.max_unpool2d(x0[:, :, :2, :2], torch.full((1, 2, 2, 2), 99, dtype=torch.long), 2)"),
    e("unpool negative index", /Found an invalid max index: -1/, (t) => F.maxUnpool2d(t.narrow(2, 0, 2).narrow(3, 0, 2), torch.full([1, 2, 2, 2], -1, { dtype: "int64" }), 2), "F.max_unpool2d(x0[:, :, :2, :2], torch.full((1, 2, 2, 2), -1, dtype=torch.long), 2)"),
    e("unpool 3d invalid index", /Found an invalid max index: 40 \(output volumes are of size 2x4x4/, (t) => F.maxUnpool3d(t.unsqueeze(0).narrow(3, 0, 2).narrow(4, 0, 2).narrow(2, 0, 1), torch.full([1, 1, 1, 2, 2], 40, { dtype: "int64" }), [2, 2, 2]), "F.max_unpool3d(x0.unsqueeze(0)[:, :1, :, :2, :2], torch.full((1, 1, 1, 2, 2), 40, dtype=torch.long), (2, 2, 2))"),
    e("unpool output_size out of range", /invalid output_size "\[9, 9\]" \(dim 0 must be between 2 and 6\)/, (t) => F.maxUnpool2d(t.narrow(2, 0, 2).narrow(3, 0, 2), torch.zeros([1, 2, 2, 2], { dtype: "int64" }), 2, { outputSize: [1, 2, 9, 9] }), "F.max_unpool2d(x0[:, :, :2, :2], torch.zeros((1, 2, 2, 2), dtype=torch.long), 2, output_size=[1, 2, 9, 9])"),
    e("unpool output_size length", /output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'/, (t) => F.maxUnpool2d(t, torch.zeros([1, 2, 4, 4], { dtype: "int64" }), 2, { outputSize: [1, 8, 8] }), "F.max_unpool2d(x0, torch.zeros((1, 2, 4, 4), dtype=torch.long), 2, output_size=[1, 8, 8])"),
    e("unpool int32 indices", /elements in indices should be type int64 but got: Int/, (t) => F.maxUnpool2d(t, torch.zeros([1, 2, 4, 4], { dtype: "int32" }), 2), "F.max_unpool2d(x0, torch.zeros((1, 2, 4, 4), dtype=torch.int), 2)"),
    e("unpool shape mismatch", /Expected shape of indices to be same as that of the input tensor \(\[1, 2, 4, 4\]\) but got indices tensor with shape: \[1, 1, 4, 4\]/, (t) => F.maxUnpool2d(t, torch.zeros([1, 1, 4, 4], { dtype: "int64" }), 2), "F.max_unpool2d(x0, torch.zeros((1, 1, 4, 4), dtype=torch.long), 2)"),
    e("adaptive output_size length", /output_size must be 2/, (t) => F.adaptiveAvgPool2d(t, [2, 2, 2]), "F.adaptive_avg_pool2d(x0, (2, 2, 2))"),
    e("adaptive negative size", /elements of output_size must be greater than or equal to 0/, (t) => F.adaptiveAvgPool2d(t, [-1, 2]), "F.adaptive_avg_pool2d(x0, (-1, 2))"),
    e("adaptive max rank", /Expected 3D or 4D tensor, but got \[4, 4\]/, (t) => F.adaptiveMaxPool2d(t.select(0, 0).select(0, 0), 2), "F.adaptive_max_pool2d(x0[0, 0], 2)"),
    e("fractional pool too large", /pool height 3 too large relative to input height 4/, (t) => F.fractionalMaxPool2d(t, 3, { outputSize: 3 }), "F.fractional_max_pool2d(x0, 3, output_size=3)"),
    e("fractional missing size", /requires specifying either an output_size or an output_ratio/, (t) => F.fractionalMaxPool2d(t, 2, {}), "F.fractional_max_pool2d(x0, 2)"),
    e("max pool integer dtype", /"max_pool2d" not implemented for 'Long'/, (t) => F.maxPool2d(t, 2), "F.max_pool2d(x0, 2)", [{ shape: [1, 2, 4, 4], dtype: "int64" } as any]),
  ];
}

/** How many cases expect an error (the rest compare values and gradients). */
function summarize(suite: string, cases: DiffCase[]): void {
  const errors = cases.filter((c) => c.expectError).length;
  console.log(`[differential] ${suite}: ${cases.length - errors} value cases, ${errors} expected-error cases`);
}

describe("pooling vs PyTorch", () => {
  it("max pooling: values, indices (ties, NaN) and gradients", async () => {
    const cases = maxPoolCases(360);
    summarize("max-pool", cases);
    console.log(`[differential] max-pool: ${skipped113} configurations skipped (PyTorch 1.13 limits padding to half the plain kernel; torch-ts follows 2.x)`);
    console.log(`[differential] max-pool: ${emptyWindows} cases with a window entirely in the padding (gradients not compared)`);
    expectClean(await runDifferential("max-pool", cases, 11), 200);
    // Of the skipped ones, those in floor mode are compared through explicit −∞ padding.
    expectClean(await runDifferential("max-pool-2.x-padding", paddingRuleCases, 18), 10);
  }, 120_000);

  it("average pooling: divisors, ceil mode, padding, overrides", async () => {
    const cases = avgPoolCases(300);
    summarize("avg-pool", cases);
    expectClean(await runDifferential("avg-pool", cases, 12), 200);
  }, 120_000);

  it("max unpooling: indices from max pooling, output sizes, gradients", async () => {
    const cases = unpoolCases(300);
    summarize("max-unpool", cases);
    expectClean(await runDifferential("max-unpool", cases, 13), 200);
  }, 120_000);

  it("adaptive average and max pooling", async () => {
    const cases = adaptiveCases(300);
    summarize("adaptive-pool", cases);
    expectClean(await runDifferential("adaptive-pool", cases, 14), 200);
  }, 120_000);

  it("power-average and fractional max pooling", async () => {
    expectClean(await runDifferential("lp-pool", lpCases(60), 15), 60);
    expectClean(await runDifferential("fractional-max-pool", fractionalCases(80), 16), 80);
    expectClean(await runDifferential("fractional-max-pool-seeded", seededFractionalCases(30), 19), 30);
  }, 120_000);

  it("errors: both libraries reject, with PyTorch's wording", async () => {
    const cases = errorCases();
    expectClean(await runDifferential("pool-errors", cases, 17), cases.length);
  }, 60_000);
});
