/**
 * gradcheck (float64 central differences) for the elementwise table, where/clamp and the view primitives,
 * including in-place writes through views. Inputs stay away from kinks (0 for abs/relu, ties for
 * maximum/minimum, integers for floor/round, multiples of the divisor for fmod/remainder), where the
 * finite difference is not the one-sided derivative autograd reports.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const { gradcheck } = torch.autograd;
const f64 = (v: number[] | number[][]): Tensor => torch.tensor(v, { dtype: "float64", requiresGrad: true });
const X = (): Tensor => f64([[-1.3, -0.7, 0.4], [0.9, 1.6, 2.2]]);
const POS = (): Tensor => f64([[0.3, 0.7, 1.4], [2.1, 2.9, 4.3]]);
const UNIT = (): Tensor => f64([[-0.8, -0.35, 0.1], [0.25, 0.55, 0.85]]);
const call = (t: Tensor, name: string, ...args: unknown[]): Tensor =>
  (t as unknown as Record<string, (...a: unknown[]) => Tensor>)[name](...args);

const UNARY: Array<[string, () => Tensor]> = [
  ["neg", X], ["abs", X], ["sign", X], ["exp", X], ["exp2", X], ["expm1", X], ["log", POS], ["log2", POS],
  ["log10", POS], ["log1p", POS], ["sqrt", POS], ["rsqrt", POS], ["square", X], ["reciprocal", POS], ["sin", X],
  ["cos", X], ["tan", UNIT], ["asin", UNIT], ["acos", UNIT], ["atan", X], ["sinh", X], ["cosh", X], ["tanh", X],
  ["sigmoid", X], ["relu", X], ["erf", X], ["floor", X], ["ceil", X], ["trunc", X], ["round", X], ["frac", X],
];

describe("gradcheck: elementwise primitives", () => {
  it.each(UNARY)("%s", (name, input) => {
    expect(gradcheck((x) => call(x, name), [input()])).toBe(true);
  });

  it("every differentiable unary of the table is checked here", () => {
    const differentiable = Object.entries(torch.unaryTable as Record<string, { grad: unknown }>)
      .filter(([, row]) => row.grad !== null)
      .map(([name]) => name);
    expect(differentiable.sort()).toEqual(UNARY.map(([n]) => n).sort());
  });

  const y = (): Tensor => f64([[0.6, 1.1, 1.9], [2.5, 0.7, 1.3]]);
  it.each([
    ["add", (a: Tensor, b: Tensor) => torch.add(a, b, { alpha: 0.5 })],
    ["sub", (a: Tensor, b: Tensor) => torch.sub(a, b, { alpha: 2 })],
    ["mul", torch.mul],
    ["div", torch.div],
    ["pow", (a: Tensor, b: Tensor) => torch.pow(a.abs().add(0.5), b)],
    ["maximum", torch.maximum],
    ["minimum", torch.minimum],
    ["atan2", torch.atan2],
    ["remainder", torch.remainder],
    ["fmod", torch.fmod],
  ] as Array<[string, (a: Tensor, b: Tensor) => Tensor]>)("%s", (_name, fn) => {
    expect(gradcheck(fn, [X(), y()])).toBe(true);
  });

  it("binary ops broadcast, and sum the gradient back to each operand's shape", () => {
    const row = f64([0.6, 1.1, 1.9]);
    const col = f64([[0.4], [1.7]]);
    expect(gradcheck((a, b, c) => torch.mul(a, b).div(c).sub(b), [X(), row, col])).toBe(true);
    expect(gradcheck((a) => torch.pow(2, a).add(torch.pow(a.abs(), 3)), [X()])).toBe(true);
  });

  it("where and clamp (number and tensor bounds)", () => {
    const cond = torch.tensor([[true, false, true], [false, false, true]]);
    expect(gradcheck((a, b) => torch.where(cond, a, b), [X(), f64([0.5, 1, 2])])).toBe(true);
    expect(gradcheck((a) => torch.clamp(a, -1, 1), [X()])).toBe(true);
    expect(gradcheck((a, lo, hi) => torch.clamp(a, lo, hi), [X(), f64([-1, 0, 0.5]), f64([[1], [2]])])).toBe(true);
    expect(gradcheck((a, lo) => torch.clamp(a, lo), [X(), f64([-1, 0, 0.5])])).toBe(true);
    expect(gradcheck((a, hi) => torch.clamp(a, null, hi), [X(), f64([[1], [2]])])).toBe(true);
  });
});

describe("gradcheck: views and in-place writes", () => {
  it.each([
    ["view", (x: Tensor) => x.view(3, 2)],
    ["reshape of a transpose", (x: Tensor) => x.t().reshape(-1)],
    ["permute", (x: Tensor) => x.unsqueeze(0).permute(2, 0, 1)],
    ["transpose", (x: Tensor) => x.transpose(0, 1)],
    ["expand", (x: Tensor) => x.unsqueeze(1).expand(2, 4, 3)],
    ["squeeze / unsqueeze", (x: Tensor) => x.unsqueeze(-1).unsqueeze(0).squeeze()],
    ["flatten / unflatten", (x: Tensor) => x.flatten().unflatten(0, [3, 2])],
    ["narrow", (x: Tensor) => x.narrow(1, 1, 2)],
    ["select", (x: Tensor) => x.select(1, 2)],
    ["basic index with a step", (x: Tensor) => x.index(new torch.Slice(null, null, 1), new torch.Slice(0, 3, 2))],
    ["contiguous of a transpose", (x: Tensor) => x.t().contiguous()],
    ["clone", (x: Tensor) => x.clone()],
  ] as Array<[string, (x: Tensor) => Tensor]>)("%s", (_name, fn) => {
    expect(gradcheck((x) => fn(x).mul(fn(x)), [X()])).toBe(true);
  });

  it("in-place ops on a tensor with history and through its views (CopySlices)", () => {
    expect(gradcheck((x, o) => x.mul(1).mul_(o).add_(o, { alpha: 2 }), [X(), f64([0.5, 1, 2])])).toBe(true);
    expect(gradcheck((x, o) => {
      const y = x.mul(1);
      y.narrow(1, 0, 2).mul_(o);
      y.select(0, 1).exp_();
      return y.mul(y);
    }, [X(), f64([0.5, 1.5])])).toBe(true);
    expect(gradcheck((o) => {
      const y = torch.zeros([2, 3], { dtype: "float64" });
      y.t().narrow(0, 1, 2).copy_(o);
      return y.sin();
    }, [f64([[0.2, 0.3], [0.4, 0.5]])])).toBe(true);
  });
});
