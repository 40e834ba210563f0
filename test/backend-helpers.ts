/**
 * What the accelerated backends' own test files (native-backend, wasm-backend) share: views over fresh
 * storage, seeded values that do not depend on torch's RNG, float32's dot-product error bound, and the
 * small CNN whose training losses each backend must reproduce.
 */
import { expect } from "vitest";
import * as torch from "../src/index.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
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
