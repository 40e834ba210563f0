/**
 * Pooling: hand-derived cases (the worked values of PyTorch's output-size and divisor rules), gradcheck in
 * float64 for every primitive (and double backward), error messages, modules and the non-PyTorch layers.
 */
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { Rng } from "./oracle/rng.js";

const { nn } = torch;
const F = nn.functional;
const { gradcheck, grad } = torch.autograd;

const rng = new Rng(7);

/** A float64 leaf with distinct normal values (no ties: max pooling is differentiable there). */
function randn(shape: number[], opts: { requiresGrad?: boolean; dtype?: "float32" | "float64"; positive?: boolean } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => (opts.positive ? rng.uniform(0.5, 2) : rng.normal()));
  const t = torch.tensor(Array.from(data), { dtype: opts.dtype ?? "float64" }).reshape(shape);
  const leaf = t.detach();
  return opts.requiresGrad === false ? leaf : leaf.requiresGrad_();
}

function f32(data: torch.NestedData): Tensor {
  return torch.tensor(data, { dtype: "float32" });
}

/** `0, 1, …, n−1` as float32 of `shape`. */
function arange(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(Array.from({ length: n }, (_, i) => i)).reshape(shape);
}

/** gradcheck of the VJP itself: checks double backward (w.r.t. the input and the cotangent). */
function gradgradcheck(fn: (x: Tensor) => Tensor, x: Tensor): boolean {
  const v = randn(fn(x).shape);
  // gradcheck re-evaluates on detached inputs under noGrad: re-enable recording to take the inner gradient.
  return gradcheck(
    (a, b) =>
      torch.enableGrad(() => {
        const leaf = a.requiresGrad ? a : a.detach().requiresGrad_();
        return grad([fn(leaf)], [leaf], [b], { createGraph: true })[0]!;
      }),
    [x, v],
  );
}

describe("output sizes: reference 4.1 worked values", () => {
  it("MaxPool2d(3) with and without ceil mode", () => {
    expect(F.maxPool2d(torch.zeros([1, 1, 5, 5]), 3, { ceilMode: true }).shape).toEqual([1, 1, 2, 2]);
    expect(F.maxPool2d(torch.zeros([1, 1, 5, 5]), 3).shape).toEqual([1, 1, 1, 1]);
    expect(F.maxPool2d(torch.zeros([1, 1, 32, 32]), 3, { ceilMode: true }).shape).toEqual([1, 1, 11, 11]);
    expect(F.maxPool2d(torch.zeros([1, 1, 32, 32]), 3).shape).toEqual([1, 1, 10, 10]);
  });

  it("ceil mode drops a last window that would start in the right padding", () => {
    // k=1, s=2, L=10: the 6th window would start at 10, outside the input (pytorch/pytorch#148123).
    expect(F.maxPool1d(arange([1, 1, 10]), 1, { stride: 2, ceilMode: true }).tolist()).toEqual([[[0, 2, 4, 6, 8]]]);
    // AvgPool2d(2, 2, padding=1, ceil_mode=True) on 17 → 9 (apache/tvm#18641).
    expect(F.avgPool2d(torch.zeros([1, 1, 17, 17]), 2, { stride: 2, padding: 1, ceilMode: true }).shape).toEqual([1, 1, 9, 9]);
    // k=2, s=2 on L=5: the last window starts at 4 and covers element 4 only.
    expect(F.maxPool1d(arange([1, 1, 5]), 2, { ceilMode: true }).tolist()).toEqual([[[1, 3, 4]]]);
    expect(torch.poolOutputSize(5, 2, 2, 0, 1, true)).toBe(3);
  });

  it("padding acts as −∞, never as 0", () => {
    const x = f32([[[[-5, -4], [-3, -2]]]]);
    const [y, i] = F.maxPool2d(x, 2, { stride: 1, padding: 1, returnIndices: true });
    expect(y.tolist()).toEqual([[[[-5, -4, -4], [-3, -2, -2], [-3, -2, -2]]]]);
    expect(i.tolist()).toEqual([[[[0, 1, 1], [2, 3, 3], [2, 3, 3]]]]);
  });

  it("first maximum wins on ties; NaN propagates with the last NaN's index", () => {
    const [y, i] = F.maxPool2d(f32([[[[1, 7, 7, 2], [7, 3, 0, 7]]]]), 2, { returnIndices: true });
    expect(y.tolist()).toEqual([[[[7, 7]]]]);
    expect(i.tolist()).toEqual([[[[1, 2]]]]);
    const [yn, iN] = F.maxPool2d(f32([[[[NaN, 1], [NaN, 2]]]]), 2, { returnIndices: true });
    expect(Number.isNaN(yn.item())).toBe(true);
    expect(iN.item()).toBe(2);
    const [, i1] = F.maxPool1d(f32([[[NaN, 1, NaN, 2]]]), 4, { returnIndices: true });
    expect(i1.item()).toBe(2);
    // A window of −∞ reports its first tap (not −1).
    const [yi, ii] = F.maxPool2d(torch.full([1, 1, 2, 2], -Infinity), 2, { returnIndices: true });
    expect(yi.item()).toBe(-Infinity);
    expect(ii.item()).toBe(0);
  });

  it("indices are flat within the plane: h·W + w (3-d: (d·H + h)·W + w)", () => {
    const x = arange([1, 2, 4, 4]);
    const [, i] = F.maxPool2d(x, 2, { returnIndices: true });
    expect(i.tolist()).toEqual([[[[5, 7], [13, 15]], [[5, 7], [13, 15]]]]);
    const [y3, i3] = F.maxPool3d(arange([1, 1, 2, 2, 4]), [2, 2, 2], { returnIndices: true });
    expect(y3.tolist()).toEqual([[[[[13, 15]]]]]);
    expect(i3.tolist()).toEqual([[[[[13, 15]]]]]);
  });

  it("dilation with padding up to half the effective kernel (PyTorch 2.x's rule)", () => {
    // k=3, dilation=2 → effective 5: padding 2 is allowed (PyTorch 1.13 refused it).
    const x = arange([1, 1, 1, 6]);
    const y = F.maxPool2d(x, [1, 3], { stride: 1, padding: [0, 2], dilation: [1, 2] });
    // Window at w spans taps w−2, w, w+2.
    expect(y.tolist()).toEqual([[[[2, 3, 4, 5, 4, 5]]]]);
    expect(() => F.maxPool2d(x, [1, 3], { padding: [0, 3], dilation: [1, 2] })).toThrow(
      "maxPool2d: pad should be at most half of effective kernel size, but got pad=3, kernel_size=3 and dilation=2",
    );
  });

  it("a window entirely in the padding: −∞ and PyTorch's index; the gradient follows the index", () => {
    const x = f32([[[[5], [6]]]]).requiresGrad_();
    // W = 1, kernel 2 with dilation 2 and padding 1: taps −1 and 1 both miss the input.
    const [y, i] = F.maxPool2d(x, [1, 2], { padding: [0, 1], dilation: [1, 2], returnIndices: true });
    expect(y.tolist()).toEqual([[[[-Infinity], [-Infinity]]]]);
    expect(i.tolist()).toEqual([[[[1], [2]]]]);
    y.sum().backward();
    // As in PyTorch, the gradient goes to the index; index 2 lies outside the plane and is dropped (PyTorch
    // would write it into the next plane's memory).
    expect(x.grad!.tolist()).toEqual([[[[0], [1]]]]);
  });

  it("unbatched inputs pool like a batch of one", () => {
    const x = randn([3, 5, 6], { requiresGrad: false });
    const xb = x.unsqueeze(0);
    expect(F.maxPool2d(x, 2).tolist()).toEqual(F.maxPool2d(xb, 2).squeeze(0).tolist());
    expect(F.avgPool2d(x, 3, { padding: 1 }).tolist()).toEqual(F.avgPool2d(xb, 3, { padding: 1 }).squeeze(0).tolist());
    expect(F.adaptiveAvgPool2d(x, [2, 4]).tolist()).toEqual(F.adaptiveAvgPool2d(xb, [2, 4]).squeeze(0).tolist());
    expect(F.maxPool1d(x, 2).shape).toEqual([3, 5, 3]);
  });

  it("non-contiguous inputs read through their strides", () => {
    const x = randn([2, 3, 6, 5], { requiresGrad: false });
    const xt = x.transpose(2, 3).contiguous().transpose(2, 3);
    expect(xt.isContiguous()).toBe(false);
    expect(F.maxPool2d(xt, 2, { stride: 1 }).tolist()).toEqual(F.maxPool2d(x, 2, { stride: 1 }).tolist());
    expect(F.avgPool2d(xt, 3, { ceilMode: true, padding: 1 }).tolist()).toEqual(F.avgPool2d(x, 3, { ceilMode: true, padding: 1 }).tolist());
  });
});

describe("average pooling divisors: reference 4.2 worked values", () => {
  const x = f32([[[1, 2, 3, 4, 5, 6]]]);

  it("AvgPool1d(3, 2, padding=1, ceil_mode=True) on L=6: divisors [3,3,3,2] / [2,3,3,1]", () => {
    // Windows [−1,2), [1,4), [3,6), [5,8)→clipped to [5,7): sums 3, 9, 15, 6.
    expect(F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }).tolist()).toEqual([[[1, 3, 5, 3]]]);
    expect(F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).tolist()).toEqual([[[1.5, 3, 5, 6]]]);
  });

  it("AvgPool(2, 2, ceil) on L=5 with count_include_pad: divisors [2, 2, 1]", () => {
    expect(F.avgPool1d(f32([[[1, 2, 3, 4, 5]]]), 2, { ceilMode: true }).tolist()).toEqual([[[1.5, 3.5, 5]]]);
  });

  it("divisorOverride replaces the divisor (the seed's AvgPool2d example)", () => {
    const y = new nn.AvgPool2d([2, 2], { stride: [2, 2], divisorOverride: 3 })(torch.ones([1, 1, 4, 4]));
    for (const v of y.toTypedArray()) expect(v).toBeCloseTo(4 / 3, 6);
    expect(F.avgPool2d(torch.ones([1, 1, 2, 2]), 2, { divisorOverride: -2 }).item()).toBe(-2);
    expect(() => F.avgPool2d(torch.ones([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow("avgPool2d: divisor must be not zero");
    expect(() => F.avgPool3d(torch.ones([1, 1, 4, 4, 4]), 2, { divisorOverride: 0 })).toThrow("divisor must be not zero");
  });

  it("backward spreads grad/divisor over the clipped window", () => {
    const xg = f32([[[1, 2, 3, 4, 5, 6]]]).requiresGrad_();
    F.avgPool1d(xg, 3, { stride: 2, padding: 1, ceilMode: true }).sum().backward();
    // Element 0: window 0 (1/3); 1: windows 0, 1; 2: window 1; 3: windows 1, 2; 4: window 2; 5: windows 2, 3 (1/2).
    const g = Array.from(xg.grad!.toTypedArray());
    [1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3, 1 / 3 + 1 / 2].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
  });

  it("integer tensors divide with truncation, as PyTorch", () => {
    const y = F.avgPool2d(torch.tensor([[[[1, 2], [3, 5]]]]), 2);
    expect(y.dtype).toBe("int64");
    expect(y.item()).toBe(2);
    expect(F.avgPool2d(torch.tensor([[[[-1, -2], [-3, -5]]]]), 2).item()).toBe(-2);
  });
});

describe("max unpooling: reference 4.3", () => {
  it("round trip of the seed's 4×4 example", () => {
    const img = f32([[[[1, 4, 2, 0], [3, 0, 1, 4], [2, 2, 3, 1], [0, 1, 4, 4]]]]);
    const [pooled, indices] = new nn.MaxPool2d([2, 2], { stride: [2, 2], returnIndices: true })(img);
    expect(pooled.tolist()).toEqual([[[[4, 4], [2, 4]]]]);
    expect(indices.tolist()).toEqual([[[[1, 7], [8, 14]]]]);
    const y = new nn.MaxUnpool2d([2, 2], { stride: [2, 2] })(f32([[[[10, 20], [30, 40]]]]), indices);
    expect(y.tolist()).toEqual([[[[0, 10, 0, 0], [0, 0, 0, 20], [30, 0, 0, 0], [0, 0, 40, 0]]]]);
  });

  it("default size (in−1)·stride + k − 2·padding, and an explicit outputSize", () => {
    const [y4, i4] = F.maxPool2d(randn([1, 2, 4, 4], { requiresGrad: false }), 2, { returnIndices: true });
    expect(F.maxUnpool2d(y4, i4, 2).shape).toEqual([1, 2, 4, 4]);
    const x = randn([1, 2, 5, 5], { requiresGrad: false });
    const [y, i] = F.maxPool2d(x, 2, { returnIndices: true });
    expect(F.maxUnpool2d(y, i, 2, { outputSize: x.shape }).shape).toEqual([1, 2, 5, 5]);
    expect(F.maxUnpool2d(y, i, 2, { outputSize: [5, 5] }).shape).toEqual([1, 2, 5, 5]);
    // (2 − 1)·3 + 2 − 2·1 = 3 per dim.
    expect(F.maxUnpool2d(y, torch.zeros([1, 2, 2, 2], { dtype: "int64" }), 2, { stride: 3, padding: 1 }).shape).toEqual([1, 2, 3, 3]);
  });

  it("errors: invalid output_size and invalid index, PyTorch's wording", () => {
    const y = torch.ones([1, 1, 2, 2]);
    const i = torch.zeros([1, 1, 2, 2], { dtype: "int64" });
    expect(() => F.maxUnpool2d(y, i, 2, { outputSize: [9, 9] })).toThrow('maxUnpool2d: invalid output_size "[9, 9]" (dim 0 must be between 2 and 6)');
    expect(() => F.maxUnpool2d(y, i, 2, { outputSize: [1, 4, 4] })).toThrow(
      "maxUnpool2d: output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'",
    );
    expect(() => F.maxUnpool2d(y, torch.full([1, 1, 2, 2], 16, { dtype: "int64" }), 2)).toThrow(
      "maxUnpool2d: Found an invalid max index: 16 (output volumes are of size 4x4",
    );
    expect(() => F.maxUnpool3d(y.unsqueeze(0), torch.full([1, 1, 1, 2, 2], -1, { dtype: "int64" }), [1, 2, 2])).toThrow(
      "Found an invalid max index: -1 (output volumes are of size 1x4x4",
    );
    expect(() => F.maxUnpool2d(y, i.to("int32"), 2)).toThrow("elements in indices should be type int64 but got: Int");
  });

  it("forward writes (a repeated index keeps the last value); backward gathers", () => {
    const v = f32([[[[1, 2]]]]).requiresGrad_();
    const idx = torch.tensor([[[[3, 3]]]]);
    const y = F.maxUnpool2d(v, idx, [1, 2], { outputSize: [1, 4] });
    expect(y.tolist()).toEqual([[[[0, 0, 0, 2]]]]);
    y.backward(f32([[[[10, 20, 30, 40]]]]));
    expect(v.grad!.tolist()).toEqual([[[[40, 40]]]]);
    expect(y.gradFn!.name).toBe("MaxUnpool2DBackward0");
  });

  it("1-d and 3-d unpooling", () => {
    expect(F.maxUnpool1d(f32([[[3, 5]]]), torch.tensor([[[1, 3]]]), 2).tolist()).toEqual([[[0, 3, 0, 5]]]);
    const x = arange([1, 1, 2, 2, 2]);
    const [y, i] = F.maxPool3d(x, 2, { returnIndices: true });
    expect(F.maxUnpool3d(y, i, 2).reshape([8]).tolist()).toEqual([0, 0, 0, 0, 0, 0, 0, 7]);
  });
});

describe("adaptive pooling", () => {
  it("windows [floor(i·L/out), ceil((i+1)·L/out))", () => {
    // L=5, out=3: [0,2), [1,4), [3,5).
    expect(F.adaptiveAvgPool1d(f32([[[1, 2, 3, 4, 5]]]), 3).tolist()).toEqual([[[1.5, 3, 4.5]]]);
    const [y, i] = F.adaptiveMaxPool1d(f32([[[1, 5, 2, 4, 3]]]), 3, { returnIndices: true });
    expect(y.tolist()).toEqual([[[5, 5, 4]]]);
    expect(i.tolist()).toEqual([[[1, 1, 3]]]);
    // out > L repeats elements.
    expect(F.adaptiveAvgPool1d(f32([[[1, 2]]]), 4).tolist()).toEqual([[[1, 1, 2, 2]]]);
  });

  it("global average pooling is adaptiveAvgPool2d(1)", () => {
    const x = randn([2, 3, 5, 7], { requiresGrad: false });
    const g = new nn.AdaptiveAvgPool2d(1)(x);
    expect(g.shape).toEqual([2, 3, 1, 1]);
    const m = x.sum([2, 3], true).toTypedArray();
    Array.from(g.toTypedArray()).forEach((v, k) => expect(v).toBeCloseTo(m[k] / 35, 12));
  });

  it("null keeps the input size", () => {
    expect(F.adaptiveAvgPool2d(torch.zeros([2, 3, 5, 7]), [null, 3]).shape).toEqual([2, 3, 5, 3]);
    expect(F.adaptiveMaxPool3d(torch.zeros([3, 4, 5, 6]), [2, null, 1]).shape).toEqual([3, 2, 5, 1]);
  });

  it("errors", () => {
    expect(() => F.adaptiveAvgPool2d(torch.zeros([4, 4]), 2)).toThrow("adaptiveAvgPool2d: Expected 3D or 4D tensor, but got [4, 4]");
    expect(() => F.adaptiveAvgPool2d(torch.zeros([1, 2, 4, 4]), [-1, 2])).toThrow(
      "elements of output_size must be greater than or equal to 0 but received [-1, 2]",
    );
    expect(() => F.adaptiveMaxPool2d(torch.zeros([1, 0, 4, 4]), 2)).toThrow(
      "Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 0, 4, 4] with dimension 1 being empty",
    );
  });
});

describe("power-average and fractional max pooling", () => {
  it("lpPool: (Σ x^p)^(1/p)", () => {
    expect(F.lpPool1d(f32([[[3, 4]]]), 2, 2).item()).toBeCloseTo(5, 5);
    expect(F.lpPool2d(torch.ones([1, 1, 2, 2]), 1, 2).item()).toBeCloseTo(4, 6);
    expect(new nn.LPPool2d(3, 2)(f32([[[[1, 2], [2, 1]]]])).item()).toBeCloseTo(Math.cbrt(18), 5);
  });

  it("fractional: window starts trunc((i+u)·α) − trunc(u·α), last at L − k", () => {
    // L=5, k=2, out=3, u=0.5: α = 1.5 → starts [0, 2, 3] along both dims.
    const x = arange([1, 1, 5, 5]);
    const [y, i] = F.fractionalMaxPool2d(x, 2, { outputSize: 3, returnIndices: true, _randomSamples: f32([[[0.5, 0.5]]]) });
    expect(y.tolist()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    expect(i.tolist()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    // samples[…, 0] drives W, samples[…, 1] drives H: u_W = 0 gives W starts [0, 1, 3].
    const y2 = F.fractionalMaxPool2d(x, 2, { outputSize: 3, _randomSamples: f32([[[0, 0.5]]]) });
    expect(y2.tolist()).toEqual([[[[6, 7, 9], [16, 17, 19], [21, 22, 24]]]]);
    expect(F.fractionalMaxPool2d(torch.zeros([2, 3, 10, 9]), 3, { outputRatio: 0.5, _randomSamples: torch.full([2, 3, 2], 0.3) }).shape).toEqual([2, 3, 5, 4]);
  });
});

describe("stochastic and mixed pooling (not in PyTorch)", () => {
  const x = f32([[[[1, 3]]]]);

  it("stochastic training picks by cumulative probability; evaluation is Σ p·a", () => {
    // p = [1/4, 3/4]: u < 0.25 picks 1, otherwise 3.
    expect(F.stochasticPool2d(x, [1, 2], { _randomSamples: f32([[[[0.2]]]]) }).item()).toBe(1);
    expect(F.stochasticPool2d(x, [1, 2], { _randomSamples: f32([[[[0.3]]]]) }).item()).toBe(3);
    expect(F.stochasticPool2d(x, [1, 2], { training: false }).item()).toBeCloseTo(2.5, 6);
    // 2×2 window [0, 2, 1, 1]: p = [0, .5, .25, .25]; u = 0.6 → cumulative .5, .75: third tap (index 2).
    const [y, i] = F.stochasticPool2d(f32([[[[0, 2], [1, 1]]]]), 2, { _randomSamples: f32([[[[0.6]]]]), returnIndices: true });
    expect([y.item(), i.item()]).toEqual([1, 2]);
    // No positive activation: max pooling in both modes.
    const neg = f32([[[[-3, -1], [-2, -5]]]]);
    expect(F.stochasticPool2d(neg, 2, { _randomSamples: f32([[[[0.9]]]]) }).item()).toBe(-1);
    expect(F.stochasticPool2d(neg, 2, { training: false }).item()).toBe(-1);
  });

  it("stochastic gradient flows to the chosen activation only", () => {
    const xg = f32([[[[0, 2], [1, 1]]]]).requiresGrad_();
    F.stochasticPool2d(xg, 2, { _randomSamples: f32([[[[0.6]]]]) }).sum().backward();
    expect(xg.grad!.tolist()).toEqual([[[[0, 0], [1, 0]]]]);
    // Evaluation: d/da_j (Σa²/Σa) = (2a_j·S1 − S2)/S1², S1 = 4.5, S2 = 6.25.
    const xe = f32([[[[0.5, 2], [1, 1]]]]).requiresGrad_();
    F.stochasticPool2d(xe, 2, { training: false }).sum().backward();
    const ge = Array.from(xe.grad!.toTypedArray());
    [-1.75, 11.75, 2.75, 2.75].forEach((v, k) => expect(ge[k]).toBeCloseTo(v / 20.25, 6));
  });

  it("mixed pooling: max or average in training, their expectation in evaluation", () => {
    const m = f32([[[[1, 3], [0, 4]]]]);
    expect(F.mixedPool2d(m, 2, { _useMax: true }).item()).toBe(4);
    expect(F.mixedPool2d(m, 2, { _useMax: false }).item()).toBe(2);
    expect(F.mixedPool2d(m, 2, { training: false }).item()).toBe(3);
    expect(F.mixedPool2d(m, 2, { training: false, maxProbability: 0.25 }).item()).toBe(2.5);
    expect(() => F.mixedPool2d(m, 2, { maxProbability: 1.5 })).toThrow("mixedPool2d: maxProbability must be in [0, 1], but got 1.5");
  });
});

describe("gradcheck (float64) for every primitive", () => {
  it("max pooling 1d/2d/3d, with padding, dilation, ceil mode; double backward", () => {
    const x1 = randn([2, 3, 9]);
    expect(gradcheck((x) => F.maxPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [x1])).toBe(true);
    const x2 = randn([2, 2, 6, 7]);
    expect(gradcheck((x) => F.maxPool2d(x, [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [1, 2] }), [x2])).toBe(true);
    expect(gradcheck((x) => F.maxPool2d(x, 2, { stride: 1 }), [randn([3, 4, 4])])).toBe(true);
    expect(gradcheck((x) => F.maxPool3d(x, 2, { stride: 1, padding: 1 }), [randn([1, 2, 3, 3, 4])])).toBe(true);
    expect(gradgradcheck((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), randn([1, 2, 5, 5]))).toBe(true);
  });

  it("average pooling 1d/2d/3d, count_include_pad, divisor_override; double backward", () => {
    expect(gradcheck((x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [randn([2, 2, 8])])).toBe(true);
    expect(gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [randn([2, 2, 6, 5])])).toBe(true);
    expect(gradcheck((x) => F.avgPool2d(x, 2, { divisorOverride: 3 }), [randn([1, 2, 4, 4])])).toBe(true);
    expect(gradcheck((x) => F.avgPool3d(x, [2, 3, 2], { stride: 1, padding: [1, 1, 0], countIncludePad: false }), [randn([1, 2, 3, 4, 3])])).toBe(true);
    expect(gradgradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), randn([1, 2, 5, 5]))).toBe(true);
  });

  it("max unpooling 1d/2d/3d; double backward", () => {
    const src = randn([2, 2, 6, 6], { requiresGrad: false });
    const [, i2] = F.maxPool2d(src, 2, { returnIndices: true });
    expect(gradcheck((v) => F.maxUnpool2d(v, i2, 2, { outputSize: [6, 6] }), [randn([2, 2, 3, 3])])).toBe(true);
    expect(gradgradcheck((v) => F.maxUnpool2d(v, i2, 2), randn([2, 2, 3, 3]))).toBe(true);
    // Non-overlapping windows: with a repeated index the forward keeps one value but the backward (a
    // gather, as PyTorch's) feeds every duplicate, so the Jacobian is only consistent for distinct indices.
    const [, i1] = F.maxPool1d(f32([[3, 0, 1, 5, 9, 2, 4], [0, 1, 0, 2, 0, 3, 4]]), 3, { stride: 2, padding: 1, returnIndices: true });
    expect(i1.tolist()).toEqual([[0, 3, 4, 6], [1, 3, 5, 6]]);
    expect(gradcheck((v) => F.maxUnpool1d(v, i1, 3, { stride: 2, padding: 1 }), [randn([2, 4])])).toBe(true);
    const [, i3] = F.maxPool3d(randn([1, 1, 4, 4, 4], { requiresGrad: false }), 2, { returnIndices: true });
    expect(gradcheck((v) => F.maxUnpool3d(v, i3, 2), [randn([1, 1, 2, 2, 2])])).toBe(true);
  });

  it("adaptive average and max pooling 1d/2d/3d; double backward", () => {
    expect(gradcheck((x) => F.adaptiveAvgPool1d(x, 3), [randn([2, 5])])).toBe(true);
    expect(gradcheck((x) => F.adaptiveAvgPool2d(x, [3, 2]), [randn([1, 2, 5, 7])])).toBe(true);
    expect(gradcheck((x) => F.adaptiveAvgPool3d(x, [2, 3, 2]), [randn([1, 3, 4, 5])])).toBe(true);
    expect(gradcheck((x) => F.adaptiveMaxPool1d(x, 4), [randn([1, 2, 7])])).toBe(true);
    expect(gradcheck((x) => F.adaptiveMaxPool2d(x, [3, 4]), [randn([2, 5, 6])])).toBe(true);
    expect(gradcheck((x) => F.adaptiveMaxPool3d(x, 2), [randn([1, 1, 3, 4, 5])])).toBe(true);
    expect(gradgradcheck((x) => F.adaptiveAvgPool2d(x, [3, 2]), randn([1, 2, 5, 7]))).toBe(true);
    expect(gradgradcheck((x) => F.adaptiveMaxPool2d(x, [2, 3]), randn([1, 2, 5, 7]))).toBe(true);
  });

  it("lp, fractional, stochastic and mixed pooling", () => {
    expect(gradcheck((x) => F.lpPool1d(x, 2, 2), [randn([2, 6], { positive: true })])).toBe(true);
    expect(gradcheck((x) => F.lpPool2d(x, 3, [2, 3], { stride: 1, ceilMode: true }), [randn([1, 2, 4, 5], { positive: true })])).toBe(true);
    const u = torch.tensor([[[0.3, 0.7], [0.9, 0.1]]], { dtype: "float64" });
    expect(gradcheck((x) => F.fractionalMaxPool2d(x, 2, { outputSize: [3, 4], _randomSamples: u }), [randn([1, 2, 6, 7])])).toBe(true);
    const us = torch.tensor(Array.from({ length: 12 }, (_, k) => (k * 0.37) % 1), { dtype: "float64" }).reshape([1, 3, 2, 2]);
    expect(gradcheck((x) => F.stochasticPool2d(x, 2, { _randomSamples: us }), [randn([1, 3, 4, 5], { positive: true })])).toBe(true);
    expect(gradcheck((x) => F.stochasticPool2d(x, 2, { training: false }), [randn([1, 3, 4, 5])])).toBe(true);
    expect(gradcheck((x) => F.mixedPool2d(x, 2, { padding: 1, _useMax: true }), [randn([1, 2, 4, 5])])).toBe(true);
    expect(gradcheck((x) => F.mixedPool2d(x, 2, { padding: 1, training: false, maxProbability: 0.3 }), [randn([1, 2, 4, 5])])).toBe(true);
  });
});

describe("errors with PyTorch's wording", () => {
  const x = torch.zeros([1, 2, 4, 4]);
  it("shape and argument checks", () => {
    expect(() => F.maxPool2d(x, 3, { padding: 2 })).toThrow(
      "maxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1",
    );
    expect(() => F.maxPool2d(x, 3, { dilation: 2 })).toThrow(
      "maxPool2d: Given input size: (2x4x4). Calculated output size: (2x0x0). Output size is too small",
    );
    expect(() => F.maxPool3d(x.unsqueeze(0), 3, { padding: 2, dilation: 2 })).toThrow(
      "maxPool3d: pad should be smaller than or equal to half of effective kernel size, but got padT: 2 padW: 2 padH: 2 effectiveKT: 5 effectiveKW: 5 effectiveKH: 5",
    );
    expect(() => F.avgPool3d(x, [1, 5, 5], { padding: [0, 2, 2] })).toThrow(
      "avgPool3d: input image (T: 2 H: 4 W: 4) smaller than kernel size (kT: 1 kH: 5 kW: 5)",
    );
    expect(() => F.maxPool2d(x, 2, { stride: 0 })).toThrow("maxPool2d: stride should not be zero");
    expect(() => F.maxPool2d(x, [2, 2, 2])).toThrow("maxPool2d: kernelSize must either be a single int, or a tuple of two ints");
    expect(() => F.maxPool2d(x.reshape([32]), 2)).toThrow(
      "maxPool2d: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[32]",
    );
    expect(() => F.maxPool2d(torch.zeros([1, 2, 4, 4], { dtype: "int64" }), 2)).toThrow(`maxPool2d: "max_pool2d" not implemented for 'Long'`);
    expect(() => F.fractionalMaxPool2d(x, 3, { outputSize: 3 })).toThrow("fractionalMaxPool2d: pool height 3 too large relative to input height 4");
  });

  it("a batch of zero pools to an empty batch", () => {
    expect(F.maxPool2d(torch.zeros([0, 2, 4, 4]), 2).shape).toEqual([0, 2, 2, 2]);
  });
});

describe("modules", () => {
  it("extraRepr as PyTorch prints it", () => {
    expect(new nn.MaxPool2d(3).toString()).toBe("MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
    expect(new nn.MaxPool2d([2, 2], { stride: [2, 2] }).toString()).toBe(
      "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False)",
    );
    expect(new nn.MaxPool1d(3).toString()).toBe("MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
    expect(new nn.MaxPool3d(2, { returnIndices: true }).toString()).toBe("MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect(new nn.AvgPool1d(3).toString()).toBe("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))");
    expect(new nn.AvgPool2d(3, { divisorOverride: 2, ceilMode: true }).toString()).toBe("AvgPool2d(kernel_size=3, stride=3, padding=0)");
    expect(new nn.AvgPool3d(3).toString()).toBe("AvgPool3d(kernel_size=3, stride=3, padding=0)");
    expect(new nn.MaxUnpool1d(2).toString()).toBe("MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
    expect(new nn.MaxUnpool2d(2).toString()).toBe("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
    expect(new nn.MaxUnpool3d(2, { stride: 1, padding: 1 }).toString()).toBe("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(1, 1, 1), padding=(1, 1, 1))");
    expect(new nn.AdaptiveAvgPool1d(3).toString()).toBe("AdaptiveAvgPool1d(output_size=3)");
    expect(new nn.AdaptiveAvgPool2d([null, 3]).toString()).toBe("AdaptiveAvgPool2d(output_size=(None, 3))");
    expect(new nn.AdaptiveAvgPool3d(1).toString()).toBe("AdaptiveAvgPool3d(output_size=1)");
    expect(new nn.AdaptiveMaxPool2d(2, { returnIndices: true }).toString()).toBe("AdaptiveMaxPool2d(output_size=2)");
    expect(new nn.LPPool1d(2, 3).toString()).toBe("LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)");
    expect(new nn.LPPool2d(2.5, 3, { stride: 2 }).toString()).toBe("LPPool2d(norm_type=2.5, kernel_size=3, stride=2, ceil_mode=False)");
    expect(new nn.FractionalMaxPool2d(3, { outputRatio: 0.5 }).toString()).toBe("FractionalMaxPool2d()");
    expect(new nn.StochasticPool2d(2).toString()).toBe("StochasticPool2d(kernel_size=2, stride=2)");
    expect(new nn.MixedPool2d(2).toString()).toBe("MixedPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=False, max_probability=0.5)");
  });

  it("forward matches functional; returnIndices gives [output, indices]", () => {
    const x = randn([2, 3, 8, 8], { requiresGrad: false });
    expect(new nn.MaxPool2d(3)(x).tolist()).toEqual(F.maxPool2d(x, 3).tolist());
    const [y, i] = new nn.MaxPool2d(2, { returnIndices: true }).call(x);
    expect(new nn.MaxUnpool2d(2).call(y, i, x.shape).shape).toEqual([2, 3, 8, 8]);
    const [ya, ia] = new nn.AdaptiveMaxPool2d([3, 3], { returnIndices: true }).call(x);
    expect([ya.shape, ia.dtype]).toEqual([[2, 3, 3, 3], "int64"]);
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1 })(x).tolist()).toEqual(F.avgPool2d(x, 3, { stride: 2, padding: 1 }).tolist());
    expect(new nn.AdaptiveAvgPool3d([1, null, 2])(torch.ones([1, 2, 3, 4, 5])).shape).toEqual([1, 2, 1, 4, 2]);
  });

  it("module constructor checks", () => {
    expect(() => new nn.FractionalMaxPool2d(2)).toThrow("FractionalMaxPool2d requires specifying either an output size, or a pooling ratio");
    expect(() => new nn.FractionalMaxPool2d(2, { outputSize: 2, outputRatio: 0.5 })).toThrow("only one of output_size and output_ratio may be specified");
    expect(() => new nn.FractionalMaxPool2d(2, { outputRatio: 1.5 })).toThrow("output_ratio must be between 0 and 1 (got 1.5)");
  });

  it("grad_fn names as PyTorch's", () => {
    const x = randn([1, 1, 4, 4]);
    expect(F.maxPool2d(x, 2).gradFn!.name).toBe("MaxPool2DWithIndicesBackward0");
    expect(F.maxPool3d(x.unsqueeze(0), [1, 2, 2]).gradFn!.name).toBe("MaxPool3DWithIndicesBackward0");
    expect(F.avgPool2d(x, 2).gradFn!.name).toBe("AvgPool2DBackward0");
    expect(F.adaptiveAvgPool2d(x, 2).gradFn!.name).toBe("AdaptiveAvgPool2DBackward0");
    expect(F.adaptiveMaxPool2d(x, 2).gradFn!.name).toBe("AdaptiveMaxPool2DBackward0");
    expect(F.fractionalMaxPool2d(x, 2, { outputSize: 2, _randomSamples: torch.full([1, 1, 2], 0.5, { dtype: "float64" }) }).gradFn!.name).toBe(
      "FractionalMaxPool2DBackward0",
    );
  });

  it("MaxPool2d(3) on x[64, 3, 32, 32]: forward and backward", () => {
    const x = torch.ones([64, 3, 32, 32]).requiresGrad_();
    const y = new nn.MaxPool2d(3)(x);
    expect(y.shape).toEqual([64, 3, 10, 10]);
    y.sum().backward();
    // Ones everywhere: the first tap of each window wins, so each of the 64·3·100 windows sends 1 there.
    expect(x.grad!.sum().item()).toBe(64 * 3 * 100);
    expect(x.grad!._get([0, 0, 0, 0])).toBe(1);
    expect(x.grad!._get([0, 0, 0, 1])).toBe(0);
  });
});

describe("randomized layers with seeded generators", () => {
  it("StochasticPool2d: seeded draws reproduce; frequencies follow p; eval is deterministic", () => {
    const x = f32([[[[1, 3]]]]).expand([1, 1, 2000, 2]).contiguous();
    const pool = new nn.StochasticPool2d([1, 2], { generator: new torch.Generator().manualSeed(3) });
    const a = pool(x);
    const threes = Array.from(a.toTypedArray()).filter((v) => v === 3).length;
    // p(3) = 3/4 over 2000 windows: standard deviation ≈ 0.0097, so ±0.04 is a > 4σ band.
    expect(Math.abs(threes / 2000 - 0.75)).toBeLessThan(0.04);
    expect(pool(x).tolist()).not.toEqual(a.tolist());
    const again = new nn.StochasticPool2d([1, 2], { generator: new torch.Generator().manualSeed(3) })(x);
    expect(again.tolist()).toEqual(a.tolist());
    pool.eval();
    expect(Array.from(pool(x).toTypedArray()).every((v) => v === 2.5)).toBe(true);
  });

  it("MixedPool2d: one branch per training call at rate maxProbability; expectation in eval", () => {
    const x = f32([[[[1, 3], [0, 4]]]]);
    const pool = new nn.MixedPool2d(2, { maxProbability: 0.3, generator: new torch.Generator().manualSeed(11) });
    const outs = Array.from({ length: 1000 }, () => pool(x).item());
    expect(outs.every((v) => v === 4 || v === 2)).toBe(true);
    // Rate 0.3 over 1000 calls: σ ≈ 0.0145, ±0.06 is a > 4σ band.
    expect(Math.abs(outs.filter((v) => v === 4).length / 1000 - 0.3)).toBeLessThan(0.06);
    const replay = new nn.MixedPool2d(2, { maxProbability: 0.3, generator: new torch.Generator().manualSeed(11) });
    expect(Array.from({ length: 20 }, () => replay(x).item())).toEqual(outs.slice(0, 20));
    pool.eval();
    expect(pool(x).item()).toBeCloseTo(0.3 * 4 + 0.7 * 2, 6);
  });

  it("FractionalMaxPool2d: fresh samples per call, or a fixed _random_samples buffer", () => {
    const x = randn([2, 3, 9, 9], { requiresGrad: false });
    const pool = new nn.FractionalMaxPool2d(2, { outputSize: 5, generator: new torch.Generator().manualSeed(1) });
    expect(pool(x).shape).toEqual([2, 3, 5, 5]);
    const u = torch.full([2, 3, 2], 0.25, { dtype: "float64" });
    const fixed = new nn.FractionalMaxPool2d(2, { outputSize: 5, _randomSamples: u });
    expect(fixed(x).tolist()).toEqual(fixed(x).tolist());
    expect(Object.keys(fixed.stateDict())).toEqual(["_random_samples"]);
    expect(new nn.FractionalMaxPool2d(3, { outputRatio: 0.5 })(torch.ones([2, 3, 10, 10])).shape).toEqual([2, 3, 5, 5]);
    // The default generator: the same seed, the same windows.
    torch.manualSeed(5);
    const r1 = F.fractionalMaxPool2d(x, 2, { outputSize: 4 });
    torch.manualSeed(5);
    expect(F.fractionalMaxPool2d(x, 2, { outputSize: 4 }).tolist()).toEqual(r1.tolist());
  });
});

describe("documented examples", () => {
  it("functional", () => {
    expect(F.maxPool1d(f32([[[1, 3, 2, 5, 4]]]), 2).tolist()).toEqual([[[3, 5]]]);
    expect(F.maxPool2d(f32([[[[1, 2], [4, 3]]]]), 2, { returnIndices: true }).map((t) => t.tolist())).toEqual([[[[[4]]]], [[[[2]]]]]);
    const [y3, i3] = F.maxPool3d(f32([[[[[1, 2], [3, 4]], [[8, 6], [7, 5]]]]]), 2, { returnIndices: true });
    expect([y3.item(), i3.item()]).toEqual([8, 4]);
    expect(F.avgPool3d(torch.ones([1, 1, 2, 2, 2]), 2).item()).toBe(1);
    expect(F.adaptiveAvgPool1d(f32([[[1, 2, 3, 4, 5]]]), 2).tolist()).toEqual([[[2, 4]]]);
    expect(F.adaptiveMaxPool1d(f32([[[1, 5, 2, 4, 3]]]), 2).tolist()).toEqual([[[5, 4]]]);
    expect(F.adaptiveAvgPool3d(torch.ones([2, 3, 4, 5, 6]), [1, null, 2]).shape).toEqual([2, 3, 1, 5, 2]);
    expect(F.adaptiveMaxPool3d(torch.ones([2, 3, 4, 5, 6]), 1).shape).toEqual([2, 3, 1, 1, 1]);
  });

  it("the *WithIndices variants return [output, indices]", () => {
    const x = f32([[[1, 5, 2, 4, 3]]]);
    expect(F.maxPool1dWithIndices(x, 2).map((t) => t.tolist())).toEqual([[[[5, 4]]], [[[1, 3]]]]);
    expect(F.adaptiveMaxPool1dWithIndices(x, 1).map((t) => t.tolist())).toEqual([[[[5]]], [[[1]]]]);
    expect(F.maxPool2dWithIndices(x.unsqueeze(0), [1, 5])[1].item()).toBe(1);
    expect(F.adaptiveMaxPool2dWithIndices(x.unsqueeze(0), 1)[1].item()).toBe(1);
    expect(F.maxPool3dWithIndices(x.reshape([1, 1, 1, 5]), [1, 1, 5])[1].item()).toBe(1);
    expect(F.adaptiveMaxPool3dWithIndices(x.reshape([1, 1, 1, 5]), 1)[1].item()).toBe(1);
    const u = f32([[[0.5, 0.5]]]);
    expect(F.fractionalMaxPool2dWithIndices(x.unsqueeze(0), [1, 2], { outputSize: [1, 2], _randomSamples: u })[1].tolist()).toEqual([[[[1, 3]]]]);
  });

  it("modules", () => {
    expect(new nn.MaxPool1d(2)(f32([[[1, 3, 2, 5]]])).tolist()).toEqual([[[3, 5]]]);
    expect(new nn.MaxPool3d(2)(torch.ones([1, 1, 4, 4, 4])).shape).toEqual([1, 1, 2, 2, 2]);
    expect(new nn.AvgPool1d(3, { stride: 2 }).toString()).toBe("AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,))");
    expect(new nn.AvgPool3d(2)(torch.ones([1, 1, 2, 4, 4])).shape).toEqual([1, 1, 1, 2, 2]);
    expect(new nn.MaxUnpool3d(2).toString()).toBe("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))");
    expect(new nn.AdaptiveAvgPool1d(1)(torch.ones([2, 3, 7])).shape).toEqual([2, 3, 1]);
    expect(new nn.AdaptiveAvgPool2d(1)(torch.ones([8, 512, 7, 7])).shape).toEqual([8, 512, 1, 1]);
    expect(new nn.AdaptiveMaxPool1d(2)(f32([[[1, 5, 2, 4, 3]]])).tolist()).toEqual([[[5, 4]]]);
    expect(new nn.AdaptiveMaxPool2d([2, null])(torch.ones([1, 3, 5, 6])).shape).toEqual([1, 3, 2, 6]);
    expect(new nn.AdaptiveMaxPool3d(1)(torch.ones([2, 4, 3, 3, 3])).shape).toEqual([2, 4, 1, 1, 1]);
    expect(new nn.LPPool1d(2, 2)(f32([[[3, 4]]])).item()).toBeCloseTo(5, 5);
    expect(new nn.MixedPool2d(2, { generator: new torch.Generator().manualSeed(0) }).eval()(f32([[[[1, 3], [0, 4]]]])).item()).toBe(3);
    const y = f32([[[[4]]]]);
    const i = torch.tensor([[[[2]]]]);
    expect(new nn.MaxUnpool2d([2, 2], { stride: [2, 2] }).call(y, i).tolist()).toEqual([[[[0, 0], [4, 0]]]]);
  });
});
