/**
 * Kernel outputs may get uninitialized memory (src/node-memory.ts): every kernel that receives one must
 * write all of it. Here the allocator hands out storage filled with NaN bytes, and each op's result must
 * equal its result on zero-filled storage. It runs on whichever backend is current: the js backend in
 * `npm test`, and the native and wasm ones in scripts/test-backend.sh.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { setUninitializedAllocator } from "../src/dtype.js";
import type { Tensor } from "../src/tensor.js";

const F = torch.nn.functional;

function poisoned(bytes: number): ArrayBuffer {
  const b = new ArrayBuffer(bytes);
  new Uint8Array(b).fill(0xff); // NaN as float32 and float64, -1 as integers
  return b;
}

/** Results of `f` (tensors, gradients included) computed on zeroed and on poisoned output storage. */
function both(f: () => Tensor[]): [number[][], number[][]] {
  const run = (): number[][] => {
    torch.manualSeed(7);
    return f().map((t) => Array.from(t.toTypedArray(), Number));
  };
  setUninitializedAllocator(null);
  const clean = run();
  setUninitializedAllocator(poisoned);
  const dirty = run();
  return [clean, dirty];
}

const big = (shape: number[]): Tensor => torch.randn(shape, { requiresGrad: true });

const CASES: Array<[string, () => Tensor[]]> = [
  ["conv2d forward and both gradients", () => {
    const x = big([4, 3, 20, 20]);
    const w = big([8, 3, 3, 3]);
    const b = big([8]);
    const y = F.conv2d(x, w, b, { padding: 1, stride: 2 });
    y.sum().backward();
    return [y, x.grad!, w.grad!, b.grad!];
  }],
  ["conv_transpose2d with output padding", () => {
    const x = big([2, 8, 12, 12]);
    const w = big([8, 4, 3, 3]);
    const y = F.convTranspose2d(x, w, null, { stride: 2, outputPadding: 1 });
    y.mul(y).sum().backward();
    return [y, x.grad!, w.grad!];
  }],
  ["mm, bmm, addmm and linear", () => {
    const a = big([70, 90]);
    const b = big([90, 80]);
    const c = big([3, 40, 50]);
    const d = big([3, 50, 30]);
    const bias = big([80]);
    const outs = [torch.mm(a, b), torch.bmm(c, d), torch.addmm(bias, a, b), F.linear(a, b.t(), bias)];
    outs.reduce((s, o) => s.add(o.sum()), torch.zeros([])).backward();
    return [...outs, a.grad!, b.grad!, c.grad!, d.grad!, bias.grad!];
  }],
  ["unary and binary maps, broadcast and strided", () => {
    const x = big([64, 100]);
    const y = big([100]);
    const outs = [torch.sigmoid(x), torch.tanh(x), torch.exp(x), x.mul(y), x.t().add(2), torch.sub(x, y).abs()];
    outs.reduce((s, o) => s.add(o.sum()), torch.zeros([])).backward();
    return [...outs, x.grad!, y.grad!];
  }],
];

describe("kernels write every element of an uninitialized output", () => {
  afterEach(() => setUninitializedAllocator(null));
  it.each(CASES)("%s", (_name, f) => {
    const [clean, dirty] = both(f);
    expect(dirty.flat().some(Number.isNaN), torch.backends.current()).toBe(false);
    expect(dirty, torch.backends.current()).toEqual(clean);
  });

  it("the poisoning allocator reaches the ops (the test above can fail)", () => {
    setUninitializedAllocator(poisoned);
    expect(Number.isNaN(torch.Tensor.forOutput([64, 100]).toTypedArray()[0])).toBe(true);
  });
});
