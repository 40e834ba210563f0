/**
 * What the accelerated backends' own test files (native-backend, wasm-backend) share: views over fresh
 * storage, seeded values that do not depend on torch's RNG, float32's dot-product error bound, and the
 * small CNN whose training losses each backend must reproduce.
 */
import fc from "fast-check";
import { expect } from "vitest";
import * as torch from "../src/index.js";
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { ConvGeometry } from "../src/backend/interface/conv.js";
import type { View } from "../src/tensor.js";

/** float32's unit roundoff. */
export const U = 2 ** -24;
/** Higham's γ_n = n·u / (1 − n·u): the bound on the relative error of an n-term float32 dot product. */
export const gamma = (n: number): number => (n * U) / (1 - n * U);

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** A contiguous view over fresh storage, holding `values` (zeros when null). */
export function view(shape: readonly number[], dtype: "float32" | "float64", values: Float64Array | null = null): View {
  const n = numel(shape);
  const buf = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  if (values) buf.set(values.subarray(0, n));
  return { buf, dtype, shape: shape.slice(), strides: contiguousStrides(shape), offset: 0 };
}

/** Deterministic pseudo-normal values (sum of uniforms) from a small LCG: no dependence on torch's RNG. */
export function randomValues(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n; i++) out[i] = next() + next() + next() - 1.5;
  return out;
}

/** |v| in float64, for the error bounds' Σ|terms|. */
export function absView(v: View): View {
  const out = view(v.shape, "float64");
  cpuBackend.copy(v, out);
  const b = out.buf;
  for (let i = 0; i < b.length; i++) b[i] = Math.abs(b[i]);
  return out;
}

/** Asserts |a − ref| ≤ γ_n·bound + u·|ref| elementwise (a, ref, bound contiguous, same shape); `who` names a. */
export function expectWithin(a: View, ref: View, bound: View, n: number, what: string, who: string): void {
  const g = gamma(n);
  expect(a.buf.length).toBe(ref.buf.length);
  for (let i = 0; i < ref.buf.length; i++) {
    const tol = g * bound.buf[i] + U * Math.abs(ref.buf[i]);
    const d = Math.abs(a.buf[i] - ref.buf[i]);
    if (!(d <= tol)) throw new Error(`${what}: element ${i}: ${who} ${a.buf[i]} vs js ${ref.buf[i]} (|diff| ${d} > ${tol})`);
  }
}

/** A view with the same logical values as the contiguous `v`, its first two dims swapped in storage. */
export function permutedCopy(v: View): View {
  const [a, b, ...rest] = v.shape;
  const storage = view([b, a, ...rest], v.dtype as "float32");
  const logical: View = { ...storage, shape: v.shape.slice(), strides: [storage.strides[1], storage.strides[0], ...storage.strides.slice(2)] };
  cpuBackend.copy(v, logical);
  return logical;
}

/** A view of `v`'s values inside a storage twice as wide in the last dim, at odd offsets (a strided slice). */
export function slicedCopy(v: View): View {
  const shape = v.shape.slice();
  const wide = view([...shape.slice(0, -1), 2 * shape[shape.length - 1] + 1], v.dtype as "float32");
  const strides = wide.strides.slice();
  strides[strides.length - 1] = 2;
  const logical: View = { ...wide, shape, strides, offset: 1 };
  cpuBackend.copy(v, logical);
  return logical;
}

export type ConvLayout = "contiguous" | "permuted" | "sliced";

/**
 * A random valid convolution: 1–3 spatial dims, groups, stride, padding, dilation, and an input up to one
 * step longer than the windows reach (the output padding of the transposed convolution).
 */
export function convCase(opts: { maxOg: number; layouts: readonly ConvLayout[] }) {
  return fc
    .record({
      nsp: fc.integer({ min: 1, max: 3 }),
      N: fc.integer({ min: 1, max: 3 }),
      G: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 3 }),
      og: fc.integer({ min: 1, max: opts.maxOg }),
      K: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      O: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
      s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      d: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      p: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
      extra: fc.array(fc.nat({ max: 2 }), { minLength: 3, maxLength: 3 }),
      bias: fc.boolean(),
      layout: fc.constantFrom(...opts.layouts),
      seed: fc.nat(),
    })
    .map((c) => {
      const sp = (a: number[]): number[] => a.slice(0, c.nsp);
      const K = sp(c.K);
      const O = sp(c.O);
      const s = sp(c.s);
      const d = sp(c.d);
      // Padding below the effective kernel (PyTorch allows more, but then whole windows read only zeros).
      const p = sp(c.p).map((pp, i) => Math.min(pp, (K[i] - 1) * d[i]));
      // Output padding of a transposed convolution: below the stride or the dilation.
      const S = O.map((o, i) => (o - 1) * s[i] + (K[i] - 1) * d[i] + 1 - 2 * p[i] + (c.extra[i] % Math.max(s[i], d[i])));
      return { ...c, K, O, s, d, p, S };
    })
    .filter((c) => c.S.every((x) => x >= 1));
}

export type ConvCase = ReturnType<typeof convCase> extends fc.Arbitrary<infer T> ? T : never;

/**
 * Runs one convolution kernel on `backend` and on the js backend and asserts they agree within float32's
 * dot-product bound (`who` names the backend in failures).
 */
export function checkConvAgainstJs(
  backend: Backend,
  who: string,
  name: "convForward" | "convBackwardInput" | "convBackwardWeight",
  c: ConvCase,
): void {
  const geom: ConvGeometry = { stride: c.s, padding: c.p, dilation: c.d, groups: c.G };
  const xShape = [c.N, c.G * c.cg, ...c.S];
  const wShape = [c.G * c.og, c.cg, ...c.K];
  const yShape = [c.N, c.G * c.og, ...c.O];
  const vals = randomValues(numel(xShape) + numel(wShape) + numel(yShape) + 64, c.seed);
  let x = view(xShape, "float32", vals);
  const w = view(wShape, "float32", vals.subarray(numel(xShape)));
  let gy = view(yShape, "float32", vals.subarray(numel(xShape) + numel(wShape)));
  const biasLen = name === "convBackwardInput" ? c.G * c.cg : c.G * c.og;
  const bias = c.bias ? view([biasLen], "float32", randomValues(biasLen, c.seed + 1)) : null;
  if (c.layout === "permuted" && c.N > 1) {
    x = permutedCopy(x);
    gy = permutedCopy(gy);
  } else if (c.layout === "sliced") {
    x = slicedCopy(x);
    gy = slicedCopy(gy);
  }
  const abs = (v: View | null): View | null => (v === null ? null : absView(v));
  const what = `${name} ${JSON.stringify(c)}`;
  if (name === "convForward") {
    const a = view(yShape, "float32");
    const r = view(yShape, "float32");
    const bound = view(yShape, "float64");
    backend.convForward(x, w, bias, a, geom);
    cpuBackend.convForward(x, w, bias, r, geom);
    cpuBackend.convForward(absView(x), absView(w), abs(bias), bound, geom);
    expectWithin(a, r, bound, c.cg * numel(c.K) + 1, what, who);
  } else if (name === "convBackwardInput") {
    const a = view(xShape, "float32");
    const r = view(xShape, "float32");
    const bound = view(xShape, "float64");
    backend.convBackwardInput(gy, w, bias, a, geom);
    cpuBackend.convBackwardInput(gy, w, bias, r, geom);
    cpuBackend.convBackwardInput(absView(gy), absView(w), abs(bias), bound, geom);
    expectWithin(a, r, bound, c.og * numel(c.K) + 1, what, who);
  } else {
    const a = view(wShape, "float32");
    const r = view(wShape, "float32");
    const bound = view(wShape, "float64");
    backend.convBackwardWeight(x, gy, a, geom);
    cpuBackend.convBackwardWeight(x, gy, r, geom);
    cpuBackend.convBackwardWeight(absView(x), absView(gy), bound, geom);
    expectWithin(a, r, bound, c.N * numel(c.O), what, who);
  }
}

/**
 * The losses of five SGD steps of a small CNN (conv, ReLU, max and average pooling, grouped strided conv,
 * linear) on backend `name`, from the same seed.
 */
export function smallCnnLosses(name: "js" | "native" | "wasm"): number[] {
  const F = torch.nn.functional;
  torch.backends.use(name);
  torch.manualSeed(7);
  const model = new torch.nn.Sequential(
    new torch.nn.Conv2d(1, 4, 3, { padding: 1 }),
    new torch.nn.ReLU(),
    new torch.nn.MaxPool2d(2),
    new torch.nn.Conv2d(4, 6, 3, { stride: 2, groups: 2 }),
    new torch.nn.AvgPool2d(2, { ceilMode: true }),
    new torch.nn.Flatten(),
    new torch.nn.Linear(6, 5),
  );
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const x = torch.randn([8, 1, 12, 12]);
  const y = torch.randint(0, 5, [8]);
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model(x) as torch.Tensor, y);
    loss.backward();
    opt.step();
    out.push(loss.item() as number);
  }
  return out;
}
