import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";

const { nn } = torch;
const F = nn.functional;
const { gradcheck, grad } = torch.autograd;

const f32 = (data: any): Tensor => torch.tensor(data, { dtype: "float32" });
const f64 = (data: any, rg = true): Tensor => {
  const t = torch.tensor(data, { dtype: "float64" });
  return rg ? t.requiresGrad_() : t;
};
const long = (data: any): Tensor => torch.tensor(data, { dtype: "int64" });
const close = (t: Tensor, expected: number | number[], digits = 5): void => {
  const got = Array.from(t.toTypedArray());
  const want = typeof expected === "number" ? [expected] : expected;
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
};
const lse = (xs: number[]): number => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));

describe("cross entropy and NLL, by hand", () => {
  it("class indices: log Σ exp − x[y], averaged", () => {
    const x = [
      [1, 2, 3],
      [0.5, -1, 0],
    ];
    const want = [lse(x[0]) - 3, lse(x[1]) - 0.5];
    close(F.crossEntropy(f32(x), long([2, 0]), { reduction: "none" }), want);
    close(F.crossEntropy(f32(x), long([2, 0])), (want[0] + want[1]) / 2);
    close(F.crossEntropy(f32(x), long([2, 0]), { reduction: "sum" }), want[0] + want[1]);
  });

  it("weights: the mean divides by the weights of the counted targets; ignored targets count nothing", () => {
    const logp = [
      [-1, -2, -3],
      [-0.5, -1.5, -2.5],
      [-0.1, -0.2, -0.3],
    ];
    const w = f32([1, 2, 4]);
    // targets 2, 1, ignored: (4·3 + 2·1.5) / (4 + 2)
    close(F.nllLoss(f32(logp), long([2, 1, -100]), { weight: w }), (12 + 3) / 6);
    close(F.nllLoss(f32(logp), long([2, 1, -100]), { weight: w, reduction: "none" }), [12, 3, 0]);
    close(F.nllLoss(f32(logp), long([2, 1, 0]), { ignoreIndex: 0, reduction: "sum" }), 3 + 1.5);
    expect(Number.isNaN(F.nllLoss(f32(logp), long([-100, -100, -100])).item())).toBe(true);
  });

  it("label smoothing mixes the one-hot target with the uniform distribution", () => {
    const x = [0.2, -0.4, 1.1, 0.3];
    const logp = x.map((v) => v - lse(x));
    const eps = 0.2;
    const want = -((1 - eps) * logp[2] + (eps / 4) * logp.reduce((a, b) => a + b, 0));
    close(F.crossEntropy(f32([x]), long([2]), { labelSmoothing: eps }), want);
    // The same as a probability target with the smoothed distribution.
    const smoothed = f32([[eps / 4, eps / 4, 1 - eps + eps / 4, eps / 4]]);
    close(F.crossEntropy(f32([x]), smoothed), want);
  });

  it("probability targets: −Σ y log softmax(x), averaged over samples", () => {
    const x = [
      [1, 0],
      [0, 3],
    ];
    const y = [
      [0.25, 0.75],
      [1, 0],
    ];
    const l0 = -(0.25 * (1 - lse(x[0])) + 0.75 * (0 - lse(x[0])));
    const l1 = -(0 - lse(x[1]));
    close(F.crossEntropy(f32(x), f32(y)), (l0 + l1) / 2);
  });

  it("unbatched (C) input with a 0-d target, and (N, C, d) inputs", () => {
    const x = [3, 1, 2];
    const out = F.crossEntropy(f32(x), long(1));
    expect(out.shape).toEqual([]);
    close(out, lse(x) - 1);
    const xs = torch.randn([2, 3, 4, 5]);
    const t = torch.randint(0, 3, [2, 4, 5]);
    expect(F.crossEntropy(xs, t, { reduction: "none" }).shape).toEqual([2, 4, 5]);
    // Moving the class dim last and flattening gives the same losses.
    const flat = F.crossEntropy(xs.permute(0, 2, 3, 1).reshape([-1, 3]), t.reshape([-1]), { reduction: "none" });
    close(F.crossEntropy(xs, t, { reduction: "none" }).reshape([-1]), Array.from(flat.toTypedArray()));
  });

  it("gradient: softmax − one-hot, over N; graph nodes named as PyTorch's", () => {
    const x = f32([[1, 2, 3]]).requiresGrad_();
    const l = F.crossEntropy(x, long([0]));
    expect(l.gradFn!.name).toBe("NllLossBackward0");
    l.backward();
    const e = [1, 2, 3].map((v) => Math.exp(v - lse([1, 2, 3])));
    close(x.grad!, [e[0] - 1, e[1], e[2]]);
    const x4 = torch.randn([2, 3, 2, 2], { requiresGrad: true });
    expect(F.crossEntropy(x4, torch.zeros([2, 2, 2], { dtype: "int64" })).gradFn!.name).toBe("NllLoss2DBackward0");
  });

  it("NaN logits give a NaN loss (no throw); large logits stay finite", () => {
    expect(Number.isNaN(F.crossEntropy(f32([[NaN, 1]]), long([0])).item())).toBe(true);
    close(F.crossEntropy(f32([[1e4, 0, -1e4]]), long([0])), 0);
    close(F.crossEntropy(f32([[1e4, 0, -1e4]]), long([1])), 1e4, 0);
  });

  it("the JSDoc examples", () => {
    close(F.nllLoss(torch.tensor([[-1, -2], [-3, -0.5]]), torch.tensor([0, 1])), 0.75);
    close(F.crossEntropy(torch.tensor([[2, 0, 1]], { dtype: "float32" }), torch.tensor([0])), 0.4076, 4);
    close(new nn.CrossEntropyLoss()(torch.tensor([[0.1, 0.2, 0.3]]), torch.tensor([1])), 1.1019, 4);
    close(F.mseLoss(torch.tensor([1, 2, 3], { dtype: "float32" }), torch.tensor([1, 2, 5], { dtype: "float32" })), 4 / 3);
    close(new nn.MSELoss()(torch.tensor([1, 2], { dtype: "float32" }), torch.tensor([2, 4], { dtype: "float32" })), 2.5);
    close(F.binaryCrossEntropy(torch.tensor([0.8, 0.1]), torch.tensor([1, 0], { dtype: "float32" })), 0.1643, 4);
  });
});

describe("elementwise losses, by hand", () => {
  const x = f32([0.5, -1, 3]);
  const y = f32([0, 0, 0.5]);
  it("MSE, L1", () => {
    close(F.mseLoss(x, y, { reduction: "none" }), [0.25, 1, 6.25]);
    close(F.l1Loss(x, y), (0.5 + 1 + 2.5) / 3);
  });
  it("smooth L1 switches at β; β = 0 is L1", () => {
    close(F.smoothL1Loss(x, y, { reduction: "none" }), [0.125, 0.5, 2]);
    close(F.smoothL1Loss(x, y, { reduction: "none", beta: 2 }), [0.0625, 0.25, 1.5]);
    close(F.smoothL1Loss(x, y, { reduction: "none", beta: 0 }), [0.5, 1, 2.5]);
  });
  it("Huber is δ times smooth L1 with β = δ", () => {
    close(F.huberLoss(x, y, { reduction: "none", delta: 2 }), [0.125, 0.5, 3]);
  });
  it("BCE clamps each log at −100, so probabilities of 0 and 1 give 100 (and finite gradients)", () => {
    const p = f64([0, 1, 0.5]);
    const t = f64([1, 0, 1], false);
    close(F.binaryCrossEntropy(p, t, { reduction: "none" }), [100, 100, Math.log(2)]);
    const [g] = grad(F.binaryCrossEntropy(p, t, { reduction: "sum" }), [p]);
    expect(Array.from(g!.toTypedArray()).every(Number.isFinite)).toBe(true);
  });
  it("BCE with logits is stable for large |x|, and posWeight scales the positive term", () => {
    close(F.binaryCrossEntropyWithLogits(f32([100, -100]), f32([1, 0]), { reduction: "none" }), [0, 0]);
    close(F.binaryCrossEntropyWithLogits(f32([-100]), f32([1])), 100, 3);
    const l = F.binaryCrossEntropyWithLogits(f32([0.3]), f32([1]), { posWeight: f32([3]) });
    close(l, 3 * Math.log(1 + Math.exp(-0.3)));
    expect(l.gradFn).toBeNull();
    const xr = f32([0.3]).requiresGrad_();
    expect(F.binaryCrossEntropyWithLogits(xr, f32([1])).gradFn!.name).toBe("BinaryCrossEntropyWithLogitsBackward0");
  });
  it("KL divergence: y (log y − x), 0 where y = 0; batchmean divides by N", () => {
    const inp = f32([
      [-1, -2],
      [-0.5, -3],
    ]);
    const t = f32([
      [0.5, 0],
      [0.25, 0.75],
    ]);
    const terms = [0.5 * (Math.log(0.5) + 1), 0, 0.25 * (Math.log(0.25) + 0.5), 0.75 * (Math.log(0.75) + 3)];
    close(F.klDiv(inp, t, { reduction: "none" }), terms);
    close(F.klDiv(inp, t, { reduction: "batchmean" }), terms.reduce((a, b) => a + b) / 2);
    // With log targets a zero probability is log 0 = −inf, and e^−inf·(−inf − x) is NaN, as in PyTorch.
    const lt = f32([0.5, 0.25]).log();
    close(F.klDiv(f32([-1, -0.5]), lt, { reduction: "sum", logTarget: true }), terms[0] + terms[2]);
  });
  it("margin ranking, hinge embedding, soft margin, cosine embedding", () => {
    close(F.marginRankingLoss(f32([1, 2]), f32([2, 1]), f32([1, 1]), { margin: 0.5, reduction: "none" }), [1.5, 0]);
    close(F.hingeEmbeddingLoss(f32([0.3, 2]), f32([1, -1]), { reduction: "none" }), [0.3, 0]);
    close(F.softMarginLoss(f32([0]), f32([1])), Math.log(2));
    close(F.cosineEmbeddingLoss(f32([[1, 0]]), f32([[1, 1]]), long([1])), 1 - Math.SQRT1_2);
    close(F.cosineEmbeddingLoss(f32([[1, 0]]), f32([[1, 1]]), long([-1]), { margin: 0.5 }), Math.SQRT1_2 - 0.5);
  });
  it("Poisson and Gaussian NLL", () => {
    close(F.poissonNllLoss(f32([0.5]), f32([2])), Math.exp(0.5) - 1);
    close(F.gaussianNllLoss(f32([1]), f32([3]), f32([2])), 0.5 * (Math.log(2) + 2));
    close(F.gaussianNllLoss(f32([1]), f32([3]), f32([2]), { full: true }), 0.5 * (Math.log(2) + 2) + 0.5 * Math.log(2 * Math.PI));
  });
});

/**
 * x ↦ ∂f/∂x as a function gradcheck can differentiate: with `createGraph` when x requires grad (the
 * analytical pass), on a fresh leaf otherwise (gradcheck's finite differences run under noGrad).
 */
const gradOf =
  (f: (x: Tensor) => Tensor) =>
  (x: Tensor): Tensor =>
    torch.enableGrad(() => {
      const xi = x.requiresGrad ? x : x.detach().requiresGrad_();
      return grad(f(xi), [xi], null, { createGraph: x.requiresGrad })[0]!;
    });

describe("gradcheck (float64)", () => {
  const X = (shape: number[], scale = 1): Tensor => torch.randn(shape, { dtype: "float64" }).mul(scale).requiresGrad_();
  const P = (shape: number[]): Tensor => torch.rand(shape, { dtype: "float64" }).mul(0.9).add(0.05).requiresGrad_();
  torch.manualSeed(7);
  const [W3, W4] = [3, 4].map((n) => torch.rand([n], { dtype: "float64" }).add(0.5));
  const W = (n: number): Tensor => (n === 3 ? W3 : W4);
  const cases: Array<[string, (...xs: Tensor[]) => Tensor, Tensor[]]> = [
    ["crossEntropy", (x) => F.crossEntropy(x, long([0, 2, 1])), [X([3, 4])]],
    ["crossEntropy weight + ignore", (x) => F.crossEntropy(x, long([0, -100, 1]), { weight: W(4) }), [X([3, 4])]],
    ["crossEntropy label smoothing + weight", (x) => F.crossEntropy(x, long([0, 3, 1]), { weight: W(4), labelSmoothing: 0.3 }), [X([3, 4])]],
    ["crossEntropy smoothing + ignore, none", (x) => F.crossEntropy(x, long([0, 3, 1]), { ignoreIndex: 3, labelSmoothing: 0.2, reduction: "none" }), [X([3, 4])]],
    ["crossEntropy K-dim", (x) => F.crossEntropy(x, long([[[0, 1], [2, 0]], [[1, 1], [0, 2]]])), [X([2, 3, 2, 2])]],
    ["crossEntropy probabilities (input and target)", (x, y) => F.crossEntropy(x, y, { weight: W(3) }), [X([2, 3]), P([2, 3])]],
    ["nllLoss 3-d", (x) => F.nllLoss(x, long([[0, 1, 2], [2, 2, 0]]), { reduction: "sum" }), [X([2, 3, 3])]],
    ["mseLoss", (x, y) => F.mseLoss(x, y), [X([2, 3]), X([2, 3])]],
    ["mseLoss broadcast", (x, y) => F.mseLoss(x, y, { reduction: "none" }), [X([2, 3]), X([3])]],
    ["l1Loss", (x, y) => F.l1Loss(x, y, { reduction: "sum" }), [X([5]), X([5])]],
    ["smoothL1Loss", (x, y) => F.smoothL1Loss(x, y, { beta: 0.7 }), [X([6], 2), X([6])]],
    ["huberLoss", (x, y) => F.huberLoss(x, y, { delta: 0.6, reduction: "none" }), [X([6], 2), X([6])]],
    ["binaryCrossEntropy (input and target)", (x, y) => F.binaryCrossEntropy(x, y, { weight: W(4) }), [P([2, 4]), P([2, 4])]],
    ["binaryCrossEntropyWithLogits", (x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: W(3), weight: W(3) }), [X([2, 3], 3), P([2, 3])]],
    ["klDiv", (x, y) => F.klDiv(x, y, { reduction: "batchmean" }), [X([2, 3]), P([2, 3])]],
    ["klDiv logTarget", (x, y) => F.klDiv(x, y, { reduction: "sum", logTarget: true }), [X([2, 3]), X([2, 3])]],
    ["marginRankingLoss", (a, b) => F.marginRankingLoss(a, b, f64([1, -1, 1, -1], false), { margin: 0.1 }), [X([4]), X([4])]],
    ["hingeEmbeddingLoss", (x) => F.hingeEmbeddingLoss(x, f64([1, -1, -1, 1], false), { margin: 0.3 }), [X([4])]],
    ["softMarginLoss", (x) => F.softMarginLoss(x, f64([1, -1, -1], false)), [X([3])]],
    ["multilabelSoftMarginLoss", (x) => F.multilabelSoftMarginLoss(x, f64([[1, 0, 1], [0, 0, 1]], false), { weight: W(3) }), [X([2, 3])]],
    ["cosineEmbeddingLoss", (a, b) => F.cosineEmbeddingLoss(a, b, long([1, -1, 1]), { margin: -0.5 }), [X([3, 4]), X([3, 4])]],
    ["poissonNllLoss", (x, y) => F.poissonNllLoss(x, y), [X([4]), P([4])]],
    ["poissonNllLoss linear", (x) => F.poissonNllLoss(x, f64([2, 3, 0.5], false), { logInput: false, full: true }), [P([3])]],
    ["gaussianNllLoss (input, target, var)", (x, y, v) => F.gaussianNllLoss(x, y, v), [X([3, 2]), X([3, 2]), P([3, 1])]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(name, () => {
      expect(gradcheck(fn, inputs)).toBe(true);
    });
  }
  it("second derivatives (the gradients are themselves differentiable)", () => {
    const t = long([2, 0]);
    expect(gradcheck(gradOf((x) => F.crossEntropy(x, t, { labelSmoothing: 0.1, weight: W3 })), [X([2, 3])])).toBe(true);
    expect(gradcheck(gradOf((x) => F.nllLoss(x.mul(x), t, { reduction: "sum" })), [X([2, 3])])).toBe(true);
    expect(gradcheck(gradOf((x) => F.binaryCrossEntropyWithLogits(x, f64([0.3, 1], false), { posWeight: f64([2, 0.5], false) })), [X([2])])).toBe(true);
    expect(gradcheck(gradOf((x) => F.binaryCrossEntropy(x, f64([0.3, 1], false))), [P([2])])).toBe(true);
    expect(gradcheck(gradOf((x) => F.klDiv(f64([-1, -2], false), x, { reduction: "sum" })), [P([2])])).toBe(true);
  });
});

describe("errors", () => {
  const x = torch.randn([4, 5]);
  it("targets out of range, of the wrong dtype or shape", () => {
    expect(() => F.crossEntropy(x, long([0, 1, 2, 10]))).toThrow(/Target 10 is out of bounds\./);
    expect(() => F.crossEntropy(x, f32([0, 1, 2, 3]))).toThrow(/expected scalar type Long but found Float/);
    expect(() => F.crossEntropy(x, long([0, 1, 2]))).toThrow(/Expected input batch_size \(4\) to match target batch_size \(3\)\./);
    expect(() => F.crossEntropy(torch.randn([2, 3, 4]), long([[0, 1, 2, 0, 1], [0, 1, 2, 0, 1]]))).toThrow(/Expected target size \[2, 4\], got \[2, 5\]/);
    expect(() => F.nllLoss(torch.randn([2, 3, 4, 5]), torch.zeros([2, 4, 6], { dtype: "int64" }))).toThrow(
      /size mismatch \(got input: \[2, 3, 4, 5\] , target: \[2, 4, 6\]/,
    );
  });
  it("weights: wrong size, and no gradient for them", () => {
    expect(() => F.crossEntropy(x, long([0, 1, 2, 3]), { weight: torch.ones([3]) })).toThrow(
      /weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: \[3\]/,
    );
    expect(() => F.crossEntropy(x, long([0, 1, 2, 3]), { weight: torch.ones([5], { requiresGrad: true }) })).toThrow(
      /The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'/,
    );
    expect(() => F.binaryCrossEntropy(torch.rand([3]), torch.rand([3]), { weight: torch.ones([3], { requiresGrad: true }) })).toThrow(
      /not differentiable with respect to argument 'weight'/,
    );
    // Under noGrad the same call is fine.
    expect(torch.noGrad(() => F.crossEntropy(x, long([0, 1, 2, 3]), { weight: torch.ones([5], { requiresGrad: true }) })).shape).toEqual([]);
  });
  it("BCE input range, reductions, smoothing, deltas", () => {
    expect(() => F.binaryCrossEntropy(f32([1.5]), f32([1]))).toThrow(/all elements of input should be between 0 and 1/);
    expect(() => F.binaryCrossEntropy(f32([NaN]), f32([1]))).toThrow(/all elements of input should be between 0 and 1/);
    expect(() => F.mseLoss(x, x, { reduction: "avg" as any })).toThrow(/avg is not a valid value for reduction/);
    expect(() => new nn.L1Loss({ reduction: "foo" as any })(x, x)).toThrow(/foo is not a valid value for reduction/);
    expect(() => F.crossEntropy(x, long([0, 1, 2, 3]), { labelSmoothing: 1.5 })).toThrow(/label_smoothing must be between 0.0 and 1.0. Got: 1.5/);
    expect(() => F.huberLoss(x, x, { delta: -1 })).toThrow(/huber_loss does not support non-positive values for delta\./);
    expect(() => F.smoothL1Loss(x, x, { beta: -1 })).toThrow(/smooth_l1_loss does not support negative values for beta\./);
  });
});

describe("loss modules", () => {
  it("print as PyTorch and keep class weights as buffers", () => {
    const w = torch.ones([3]);
    const ce = new nn.CrossEntropyLoss({ weight: w, ignoreIndex: 1, labelSmoothing: 0.1 });
    expect(String(ce)).toBe("CrossEntropyLoss()");
    expect(Object.keys(ce.stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    ce.double();
    expect(ce.weight!.dtype).toBe("float64");
    expect(new nn.CrossEntropyLoss(w).weight).toBe(w);
    expect(new nn.NLLLoss(w).weight).toBe(w);
    const bce = new nn.BCEWithLogitsLoss({ posWeight: torch.ones([3]) });
    expect(Object.keys(bce.stateDict())).toEqual(["pos_weight"]);
    expect(bce.posWeight!.shape).toEqual([3]);
  });
  it("forward the options to the functional form", () => {
    const x = torch.randn([3, 4]);
    const t = long([0, 3, 1]);
    const w = torch.rand([4]).add(0.5);
    const a = new nn.CrossEntropyLoss({ weight: w, reduction: "sum", labelSmoothing: 0.2, ignoreIndex: 3 })(x, t);
    const b = F.crossEntropy(x, t, { weight: w, reduction: "sum", labelSmoothing: 0.2, ignoreIndex: 3 });
    expect(a.item()).toBe(b.item());
    const y = torch.randn([3, 4]);
    expect(new nn.SmoothL1Loss({ beta: 0.5 })(x, y).item()).toBe(F.smoothL1Loss(x, y, { beta: 0.5 }).item());
    expect(new nn.HuberLoss({ delta: 0.5, reduction: "sum" })(x, y).item()).toBe(F.huberLoss(x, y, { delta: 0.5, reduction: "sum" }).item());
    expect(new nn.KLDivLoss({ reduction: "batchmean", logTarget: true })(x, y).item()).toBe(F.klDiv(x, y, { reduction: "batchmean", logTarget: true }).item());
    expect(new nn.NLLLoss({ reduction: "none" })(x, t).shape).toEqual([3]);
    expect(new nn.MarginRankingLoss({ margin: 0.2 })(x.select(1, 0), x.select(1, 1), f32([1, -1, 1])).shape).toEqual([]);
  });
});
