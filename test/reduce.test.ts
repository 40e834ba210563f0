import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { Tensor } from "../src/tensor.js";

const { gradcheck, grad } = torch.autograd;

const f32 = (data: torch.NestedData, requiresGrad = false): Tensor => torch.tensor(data, { dtype: "float32", requiresGrad });
const f64 = (data: torch.NestedData, requiresGrad = true): Tensor => torch.tensor(data, { dtype: "float64", requiresGrad });

/** Deterministic float64 leaf with distinct, well-separated values (finite differences stay away from ties). */
function leaf(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 2 + (i % 7) * 0.37);
  return torch.tensor(vals, { dtype: "float64" }).reshape(shape).detach().requiresGrad_(true);
}

/** A non-contiguous float64 leaf: the transpose of a contiguous one. */
function transposedLeaf(shape: [number, number, number], seed = 2): Tensor {
  const base = leaf([shape[2], shape[1], shape[0]], seed).detach();
  return base.permute(2, 1, 0).requiresGrad_(true);
}

/** Second derivatives: gradcheck of x ↦ vjp(f, x, v), differentiating through the backward pass. */
function gradgradcheck(fn: (x: Tensor) => Tensor, x: Tensor): boolean {
  const y = fn(x);
  const v = leaf(y.shape.length ? y.shape : [], 7);
  const vv = y.shape.length ? v : v.reshape([]);
  // gradcheck's finite differences run under noGrad on detached inputs: the vjp needs a graph either way.
  const vjp = (a: Tensor, b: Tensor): Tensor =>
    torch.enableGrad(() => {
      const xa = a.requiresGrad ? a : a.detach().requiresGrad_(true);
      return grad([fn(xa)], [xa], [b], { createGraph: true })[0]!;
    });
  return gradcheck(vjp, [x, vv.detach().requiresGrad_(true)]);
}

function gradOf(fn: (x: Tensor) => Tensor, x: Tensor): number[] {
  const leafX = x.detach().requiresGrad_(true);
  const y = fn(leafX);
  y.backward(torch.onesLike(y));
  return leafX.grad!.tolist();
}

describe("sum", () => {
  it("reduces dims lists, negative dims, keepdim and everything", () => {
    const x = torch.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(torch.sum(x).item()).toBe(36);
    expect(torch.sum(x, [0, -1]).tolist()).toEqual([14, 22]);
    expect(torch.sum(x, 1, true).shape).toEqual([2, 1, 2]);
    expect(torch.sum(x, []).item()).toBe(36); // PyTorch: an empty dim list reduces everything
    expect(x.sum(2).tolist()).toEqual([[3, 7], [11, 15]]);
  });
  it("gives int64 for integer and bool inputs, and accepts a dtype", () => {
    expect(torch.sum(torch.tensor([true, true, false])).dtype).toBe("int64");
    expect(torch.sum(torch.tensor([200, 100], { dtype: "uint8" })).item()).toBe(300);
    const s = torch.sum(torch.tensor([1, 2]), null, false, { dtype: "float64" });
    expect([s.dtype, s.item()]).toEqual(["float64", 3]);
  });
  it("accumulates float32 in float64", () => {
    // 1 + 1e-8·10⁶ is 1.01 in exact arithmetic; a float32 accumulator would stay at 1.
    const x = torch.full([1_000_001], 1e-8, { dtype: "float32" });
    x.buf[0] = 1;
    expect(torch.sum(x).item()).toBeCloseTo(1.01, 6);
  });
  it("of nothing is 0", () => {
    expect(torch.sum(torch.zeros(0)).item()).toBe(0);
    expect(torch.sum(torch.zeros(2, 0), 1).tolist()).toEqual([0, 0]);
  });
  it("gradchecks", () => {
    expect(gradcheck((x) => torch.sum(x, [0, 2], true), [leaf([2, 3, 2])])).toBe(true);
    expect(gradcheck((x) => x.sum(-1), [transposedLeaf([2, 3, 2])])).toBe(true);
  });
});

describe("mean", () => {
  it("computes means and keeps shapes", () => {
    const x = f32([[1, 2], [3, 4]]);
    expect(torch.mean(x).item()).toBe(2.5);
    expect(torch.mean(x, 0).tolist()).toEqual([2, 3]);
    expect(x.mean([0, 1], true).shape).toEqual([1, 1]);
    expect(torch.mean(torch.tensor([1, 2]), null, false, { dtype: "float64" }).tolist()).toEqual(1.5);
  });
  it("of nothing is NaN", () => {
    expect(torch.mean(torch.zeros(0)).item()).toBeNaN();
    expect(torch.mean(torch.zeros(0, 3), 0).tolist()).toEqual([NaN, NaN, NaN]);
  });
  it("refuses integer inputs and integer dtypes with PyTorch's message", () => {
    expect(() => torch.mean(torch.tensor([1, 2]))).toThrow(
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
    );
    expect(() => torch.mean(torch.tensor([true]))).toThrow("Got: Bool");
    expect(() => torch.mean(f32([1]), null, false, { dtype: "int64" })).toThrow(
      "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: Long",
    );
  });
  it("gradchecks with dims lists and keepdim", () => {
    expect(gradcheck((x) => torch.mean(x), [leaf([3, 2])])).toBe(true);
    expect(gradcheck((x) => torch.mean(x, [-1, 0], true), [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(torch.mean(leaf([2]), 0).gradFn!.name).toBe("MeanBackward0");
  });
});

describe("prod", () => {
  it("multiplies, with int64 for integers and 1 for nothing", () => {
    const x = torch.tensor([[1, 2], [3, 4]]);
    expect(torch.prod(x).tolist()).toBe(24);
    expect(torch.prod(x, 1).tolist()).toEqual([2, 12]);
    expect(torch.prod(x.int(), 1).dtype).toBe("int64");
    expect(torch.prod(torch.zeros(0)).item()).toBe(1);
    expect(torch.prod(f32([[1, 2]]), 1, true, { dtype: "float64" }).dtype).toBe("float64");
  });
  it("has the exact gradient where the input holds zeros (PyTorch's values)", () => {
    expect(gradOf((x) => x.prod(), f64([1, 0, 3]))).toEqual([0, 3, 0]);
    expect(gradOf((x) => x.prod(), f64([0, 0, 3]))).toEqual([0, 0, 0]);
    expect(gradOf((x) => x.prod(0), f64([[1, 0], [3, 0]]))).toEqual([[3, 0], [1, 0]]);
    expect(gradOf((x) => x.prod(1), f64([[2, 3, 4]]))).toEqual([[12, 8, 6]]);
  });
  it("gradchecks, with and without zeros", () => {
    expect(gradcheck((x) => torch.prod(x, 1, true), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => torch.prod(x, [0, 2]), [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(gradcheck((x) => torch.prod(x, 1), [f64([[1, 0, 2], [0, 0, 3], [2, 3, 4]])])).toBe(true);
  });
  it("has exact second derivatives with one or two zeros per group", () => {
    expect(gradgradcheck((x) => torch.prod(x, 1), f64([[1, 0, 2, 3], [0, 0, 3, 2], [2, 3, 4, 0.5]]))).toBe(true);
    expect(gradgradcheck((x) => torch.prod(x), f64([1.5, 0, 2, -3]))).toBe(true);
  });
});

describe("var and std", () => {
  const x = f32([[1, 2, 4], [3, 3, 3]]);
  it("uses correction 1 by default and accepts PyTorch's argument forms", () => {
    expect(torch.var(f32([1, 2, 4])).item()).toBeCloseTo(7 / 3, 6);
    expect(torch.var(f32([1, 2, 4]), false).item()).toBeCloseTo(14 / 9, 6);
    expect(torch.var(x, 1).tolist()).toEqual([expect.closeTo(7 / 3, 6), 0]);
    expect(torch.var(x, 1, false, true).shape).toEqual([2, 1]);
    expect(torch.var(x, 1, { correction: 0 }).tolist()[0]).toBeCloseTo(14 / 9, 6);
    expect(torch.var(x, { dim: [0, 1], correction: 2, keepdim: true }).shape).toEqual([1, 1]);
    expect(x.std(1, { unbiased: false }).tolist()[0]).toBeCloseTo(Math.sqrt(14 / 9), 6);
    expect(() => torch.var(x, 1, { correction: 0, unbiased: true })).toThrow(/either 'unbiased' or 'correction'/);
  });
  it("divides by max(0, N − correction) as PyTorch", () => {
    expect(torch.var(f32([1, 2, 4]), { correction: 5 }).item()).toBe(Infinity);
    expect(torch.var(f32([1, 1, 1]), { correction: 3 }).item()).toBeNaN();
    expect(torch.var(f32([1])).item()).toBeNaN();
    expect(torch.var(torch.zeros(0)).item()).toBeNaN();
    expect(torch.var(f32(3), 0, false).item()).toBe(0);
  });
  it("is accurate for data with a large offset (two passes)", () => {
    // E[x²] − E[x]² would lose every digit here in float64.
    const big = torch.tensor([1e9 + 1, 1e9 + 2, 1e9 + 3], { dtype: "float64" });
    expect(torch.var(big).item()).toBe(1);
  });
  it("refuses integer inputs", () => {
    expect(() => torch.var(torch.tensor([1, 2]))).toThrow("std and var only support floating point and complex dtypes");
    expect(() => torch.stdMean(torch.tensor([1, 2]))).toThrow("std_mean only support floating point and complex dtypes");
  });
  it("varMean and stdMean return both moments", () => {
    const [v, m] = torch.varMean(f32([1, 2, 3]));
    expect([v.item(), m.item()]).toEqual([1, 2]);
    const [s, m2] = torch.stdMean(x, 1, { correction: 0, keepdim: true });
    expect(s.shape).toEqual([2, 1]);
    expect(m2.tolist()).toEqual([[expect.closeTo(7 / 3, 5)], [3]]);
    expect(v.gradFn).toBeNull();
  });
  it("std has a zero gradient at zero deviation", () => {
    expect(gradOf((t) => t.std(), f64([1, 1, 1]))).toEqual([0, 0, 0]);
  });
  it("gradchecks every form", () => {
    expect(gradcheck((t) => torch.var(t), [leaf([5])])).toBe(true);
    expect(gradcheck((t) => torch.var(t, [0, 2], { correction: 0, keepdim: true }), [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(gradcheck((t) => torch.std(t, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((t) => torch.std(t, [-1, 0], false, true), [leaf([2, 2, 3])])).toBe(true);
    expect(gradcheck((t) => torch.varMean(t, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((t) => torch.stdMean(t, [0, 1], { correction: 2 }), [leaf([3, 4])])).toBe(true);
    expect(gradgradcheck((t) => torch.var(t, 1), leaf([2, 4]))).toBe(true);
    expect(gradgradcheck((t) => torch.std(t, 0), leaf([3, 2]))).toBe(true);
  });
  it("names the gradient functions as PyTorch", () => {
    const t = leaf([3]);
    expect([t.var().gradFn!.name, t.std().gradFn!.name, torch.varMean(t)[0].gradFn!.name, torch.stdMean(t)[1].gradFn!.name]).toEqual([
      "VarBackward0",
      "StdBackward0",
      "VarMeanBackward0",
      "StdMeanBackward0",
    ]);
  });
});

describe("logsumexp", () => {
  it("is stable for large and infinite values", () => {
    expect(torch.logsumexp(f32([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(torch.logsumexp(f32([-1000, -1000]), 0).item()).toBeCloseTo(-1000 + Math.LN2, 3);
    expect(torch.logsumexp(f32([-Infinity, -Infinity]), 0).item()).toBe(-Infinity);
    expect(torch.logsumexp(f32([Infinity, 1]), 0).item()).toBe(Infinity);
    expect(torch.logsumexp(torch.zeros(2, 0), 1).tolist()).toEqual([-Infinity, -Infinity]);
  });
  it("gives float32 for integers and supports dims lists", () => {
    const r = torch.logsumexp(torch.tensor([[1, 2]]), [0, 1]);
    expect(r.dtype).toBe("float32");
    expect(r.item()).toBeCloseTo(2 + Math.log1p(Math.exp(-1)), 6);
  });
  it("gradchecks and double-differentiates", () => {
    expect(gradcheck((t) => torch.logsumexp(t, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((t) => t.logsumexp([0, 2], true), [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(gradgradcheck((t) => torch.logsumexp(t, 0), leaf([4, 2]))).toBe(true);
    expect(torch.logsumexp(leaf([2]), 0).gradFn!.name).toBe("LogsumexpBackward0");
  });
});

describe("amax and amin", () => {
  it("split the gradient evenly among ties, as PyTorch", () => {
    expect(gradOf((x) => x.amax(), f64([1, 3, 3, 2]))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf((x) => x.amax(0), f64([[1, 3], [3, 2]]))).toEqual([[0, 1], [1, 0]]);
    expect(gradOf((x) => x.amin(1), f64([[1, 1, 3]]))).toEqual([[0.5, 0.5, 0]]);
  });
  it("propagate NaN, with PyTorch's NaN gradient", () => {
    expect(torch.amax(f32([1, NaN, 3])).item()).toBeNaN();
    expect(gradOf((x) => x.amax(), f64([1, NaN, 3]))).toEqual([NaN, NaN, NaN]);
  });
  it("keep the dtype and reduce dims lists", () => {
    const x = torch.tensor([[200, 100], [5, 250]], { dtype: "uint8" });
    const r = torch.amax(x, 1);
    expect([r.dtype, r.tolist()]).toEqual(["uint8", [200, 250]]);
    expect(torch.amin(torch.tensor([[1, 2], [0, 5]]), [0, 1], true).tolist()).toEqual([[0]]);
  });
  it("refuse empty reductions with PyTorch's messages", () => {
    expect(() => torch.amax(torch.zeros(0, 3), 0)).toThrow("amax(): Expected reduction dim 0 to have non-zero size.");
    expect(() => torch.amax(torch.zeros(0, 2, 0), -1)).toThrow("amax(): Expected reduction dim -1 to have non-zero size.");
    expect(() => torch.amin(torch.zeros(0, 2, 0), [2, 0])).toThrow("amin(): Expected reduction dim 2 to have non-zero size.");
    expect(() => torch.amax(torch.zeros(2, 0))).toThrow(
      "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(torch.amax(torch.zeros(0, 3), 1).shape).toEqual([0]);
  });
  it("gradcheck", () => {
    expect(gradcheck((x) => torch.amax(x, [0, 2], true), [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(gradcheck((x) => torch.amin(x, -1), [leaf([3, 4])])).toBe(true);
    expect(torch.amax(leaf([2])).gradFn!.name).toBe("AmaxBackward0");
  });
});

describe("max and min", () => {
  const x = f32([[1, 5, 5], [7, 2, 7]]);
  it("without dim: a 0-dim value whose gradient splits evenly among ties (PyTorch 1.13)", () => {
    expect(torch.max(x).shape).toEqual([]);
    expect(torch.max(x).item()).toBe(7);
    expect(gradOf((t) => t.max(), f64([1, 3, 3, 2]))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf((t) => t.min(), f64([1, 1, 3]))).toEqual([0.5, 0.5, 0]);
    // A NaN maximum: the gradient spreads over the NaNs.
    expect(gradOf((t) => t.max(), f64([1, NaN, 3, NaN]))).toEqual([0, 0.5, 0, 0.5]);
  });
  it("with dim: values and first-occurrence indices as a named pair", () => {
    const r = torch.max(x, 1);
    expect(r.values.tolist()).toEqual([5, 7]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    expect(r.indices.dtype).toBe("int64");
    const [v, i] = x.min(0, true);
    expect([v.tolist(), i.tolist()]).toEqual([[[1, 2, 5]], [[0, 1, 0]]]);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    expect(torch.max(torch.tensor([[1, NaN, 3]]), 1).indices.tolist()).toEqual([1]);
  });
  it("with dim: the gradient goes to the selected index", () => {
    expect(gradOf((t) => t.max(0).values, f64([[1, 3], [1, 2]]))).toEqual([[1, 1], [0, 0]]);
    expect(gradOf((t) => t.max(0).values, f64([1, NaN, 3, NaN]))).toEqual([0, 1, 0, 0]);
  });
  it("with a tensor: the elementwise maximum", () => {
    expect(torch.max(f32([1, 2]), f32([3, 0])).tolist()).toEqual([3, 2]);
    expect(f32([1, 2]).min(f32([3, 0])).tolist()).toEqual([1, 0]);
  });
  it("work on 0-dim, int and bool inputs", () => {
    const r = torch.max(f32(3), 0);
    expect([r.values.shape, r.indices.item()]).toEqual([[], 0]);
    expect(torch.max(torch.tensor([[1, 2], [3, 4]]), 1, true).values.tolist()).toEqual([[2], [4]]);
    expect(torch.max(torch.tensor([true, false])).dtype).toBe("bool");
  });
  it("refuse empty reductions with PyTorch's messages", () => {
    expect(() => torch.max(torch.zeros(0, 3), 0)).toThrow("max(): Expected reduction dim 0 to have non-zero size.");
    expect(() => torch.min(torch.zeros(2, 0), -1)).toThrow("min(): Expected reduction dim 1 to have non-zero size.");
    expect(() => torch.max(torch.zeros(0))).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(torch.max(torch.zeros(0, 3), 1).values.shape).toEqual([0]);
    expect(() => torch.max(x, 2)).toThrow("max: Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  });
  it("gradcheck", () => {
    expect(gradcheck((t) => torch.max(t), [leaf([3, 2])])).toBe(true);
    expect(gradcheck((t) => torch.max(t, 1, true).values, [transposedLeaf([2, 3, 2])])).toBe(true);
    expect(gradcheck((t) => [...torch.min(t, -1)], [leaf([3, 4])])).toBe(true);
    expect(gradgradcheck((t) => torch.max(t, 0).values, leaf([3, 2]))).toBe(true);
    expect(torch.max(leaf([2]), 0).values.gradFn!.name).toBe("MaxBackward0");
    expect(torch.min(leaf([2]), 0).indices.requiresGrad).toBe(false);
  });
});

describe("argmax and argmin", () => {
  it("return the first occurrence, NaN counting as the extreme", () => {
    const x = torch.tensor([[1, 3, 3], [2, 2, 1]]);
    expect(torch.argmax(x, 1).tolist()).toEqual([1, 0]);
    expect(torch.argmin(x, 1).tolist()).toEqual([0, 2]);
    expect(torch.argmax(x).item()).toBe(1);
    expect(torch.argmax(x, null, true).tolist()).toEqual([[1]]);
    expect(torch.argmax(x, 0, true).shape).toEqual([1, 3]);
    const n = f32([[1, NaN], [NaN, 2]]);
    expect(torch.argmax(n, 1).tolist()).toEqual([1, 0]);
    expect(n.argmin(1).tolist()).toEqual([1, 0]);
  });
  it("flatten non-contiguous inputs in logical order", () => {
    const x = torch.tensor([[1, 9], [5, 2]]).t(); // [[1, 5], [9, 2]]
    expect(torch.argmax(x).item()).toBe(2);
  });
  it("refuse empty reductions and bool inputs with PyTorch's messages", () => {
    expect(() => torch.argmax(torch.zeros(0))).toThrow("argmax(): Expected reduction dim to be specified for input.numel() == 0.");
    expect(() => torch.argmin(torch.zeros(0, 3), 0)).toThrow("argmin(): Expected reduction dim 0 to have non-zero size.");
    expect(() => torch.argmax(torch.tensor([true]))).toThrow(`"argmax_cpu" not implemented for 'Bool'`);
    expect(torch.argmax(torch.zeros(0, 3), 1).shape).toEqual([0]);
  });
});

describe("all and any", () => {
  it("give bool (uint8 for uint8) and the empty identities", () => {
    const x = torch.tensor([[1, 0], [3, 4]]);
    expect(torch.all(x).item()).toBe(0);
    expect(torch.all(x, 1).tolist()).toEqual([false, true]);
    expect(torch.any(x.float(), 1, true).tolist()).toEqual([[true], [true]]);
    expect(torch.all(x.to("uint8"), -1).dtype).toBe("uint8");
    expect(torch.all(torch.zeros(0)).tolist()).toBe(true);
    expect(torch.any(torch.zeros(0)).tolist()).toBe(false);
    expect(torch.any(torch.zeros(0, 3), 0).tolist()).toEqual([false, false, false]);
    expect(torch.any(f32([0, NaN])).tolist()).toBe(true);
    expect([x.all(0).tolist(), x.any(-1, true).tolist()]).toEqual([[true, false], [[true], [true]]]);
  });
});

describe("norm", () => {
  const x = f32([[1, -2], [3, 4]]);
  it("computes p-norms, fro and the special orders", () => {
    expect(torch.norm(x).item()).toBeCloseTo(Math.sqrt(30), 5);
    expect(torch.norm(x, "fro", [0, 1]).item()).toBeCloseTo(Math.sqrt(30), 5);
    expect(torch.norm(x, 1).item()).toBe(10);
    expect(torch.norm(x, Infinity).item()).toBe(4);
    expect(torch.norm(x, -Infinity).item()).toBe(1);
    expect(torch.norm(f32([1, -2, 0]), 0).item()).toBe(2);
    expect(torch.norm(x, 2, 1, true).tolist()[1][0]).toBeCloseTo(5, 6);
    expect(torch.norm(f32([1, -2]), -1).item()).toBeCloseTo(2 / 3, 6);
    expect(torch.norm(torch.zeros(0, 2), Infinity, 0).tolist()).toEqual([0, 0]);
    expect(x.norm(3, 0).tolist()[0]).toBeCloseTo(Math.cbrt(28), 5);
    expect(torch.norm(x, 2, null, false, { dtype: "float64" }).dtype).toBe("float64");
  });
  it("has PyTorch's zero gradient at a zero norm", () => {
    expect(gradOf((t) => torch.norm(t), f64([0, 0]))).toEqual([0, 0]);
    expect(gradOf((t) => torch.norm(t, Infinity), f64([1, -3, 3]))).toEqual([0, -0.5, 0.5]);
  });
  it("refuses integer inputs and bad orders with PyTorch's messages", () => {
    expect(() => torch.norm(torch.tensor([1, 2]))).toThrow("norm(): input dtype should be either floating point or complex. Got Long instead.");
    expect(() => torch.norm(x, "abc" as "fro")).toThrow("only valid string values are 'fro' and 'nuc', found abc");
    expect(() => torch.norm(torch.ones([2, 2, 2]), "fro", [0, 1, 2])).toThrow("Expected at most 2 dimensions, but got 3 dimensions instead.");
    expect(() => torch.norm(x, "nuc")).toThrow(/nuclear norm/);
  });
  it("gradchecks every order", () => {
    for (const p of [2, 1, 3, 1.5, 0.5, Infinity, -Infinity]) {
      expect(gradcheck((t) => torch.norm(t, p, 1), [leaf([3, 4], 3)])).toBe(true);
      expect(gradcheck((t) => torch.norm(t, p, [0, 2], true), [transposedLeaf([2, 3, 2], 5)])).toBe(true);
    }
    expect(gradgradcheck((t) => torch.norm(t, 2, 1), leaf([2, 3]))).toBe(true);
  });
});

describe("cumsum", () => {
  it("sums prefixes along a dim, int64 for integers", () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(torch.cumsum(x, 1).tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(torch.cumsum(x, -2).tolist()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(torch.cumsum(x.to("uint8"), 1).dtype).toBe("int64");
    expect(torch.cumsum(torch.tensor([true, true]), 0).tolist()).toEqual([1, 2]);
    expect(x.cumsum(0, { dtype: "float32" }).dtype).toBe("float32");
    expect(torch.cumsum(f32(3), 0).item()).toBe(3);
    expect(torch.cumsum(torch.zeros(0, 2), 0).shape).toEqual([0, 2]);
  });
  it("reads non-contiguous inputs", () => {
    const x = torch.tensor([[1, 2], [3, 4]]).t(); // [[1, 3], [2, 4]]
    expect(torch.cumsum(x, 1).tolist()).toEqual([[1, 4], [2, 6]]);
  });
  it("gradchecks and double-differentiates", () => {
    expect(gradcheck((t) => torch.cumsum(t, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((t) => torch.cumsum(t, 0), [transposedLeaf([3, 2, 2])])).toBe(true);
    expect(gradgradcheck((t) => torch.cumsum(t, -1).mul(t), leaf([2, 3]))).toBe(true);
    expect(gradOf((t) => t.cumsum(0), f64([1, 2, 3]))).toEqual([3, 2, 1]);
    expect(torch.cumsum(leaf([2]), 0).gradFn!.name).toBe("CumsumBackward0");
  });
  it("refuses a missing or out-of-range dim", () => {
    expect(() => torch.cumsum(f32([[1, 2]]), 2)).toThrow("cumsum: Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => (torch.cumsum as any)(f32([1]), null)).toThrow("cumsum(): argument 'dim' must be int, not null");
  });
});

describe("dims arguments", () => {
  it("reject repeated and out-of-range dims as PyTorch", () => {
    const x = f32([[1, 2]]);
    expect(() => torch.mean(x, [0, -2])).toThrow("dim 0 appears multiple times in the list of dims");
    expect(() => torch.amax(x, [0, 0])).toThrow("dim 0 appears multiple times in the list of dims");
    expect(() => torch.sum(x, 2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => torch.logsumexp(x, 5)).toThrow("Dimension out of range");
  });
  it("accept dim 0 and -1 on 0-dim tensors", () => {
    const s = f32(2.5);
    expect(torch.sum(s, 0).item()).toBe(2.5);
    expect(torch.amax(s, -1).item()).toBe(2.5);
    expect(torch.argmax(s, 0).item()).toBe(0);
    expect(torch.var(s, 0).item()).toBeNaN();
    expect(torch.mean(s, [0], true).shape).toEqual([]);
  });
});
