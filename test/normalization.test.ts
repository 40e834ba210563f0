import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";

const { nn } = torch;
const F = nn.functional;
const { gradcheck, grad } = torch.autograd;

const f32 = (data: any): Tensor => torch.tensor(data, { dtype: "float32" });
const close = (t: Tensor, expected: number | number[], digits = 5): void => {
  const got = Array.from(t.toTypedArray());
  const want = typeof expected === "number" ? [expected] : expected;
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
};

describe("batch norm", () => {
  // Channel 0 holds 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1 holds 0, 0, 4, 4.
  const x = f32([
    [1, 0],
    [2, 0],
    [3, 4],
    [6, 4],
  ]);
  it("training normalizes with the biased variance and updates running stats with the unbiased one", () => {
    const rm = f32([1, 1]);
    const rv = f32([1, 1]);
    const y = F.batchNorm(x, rm, rv, { training: true, momentum: 0.25, eps: 0 });
    const s0 = Math.sqrt(3.5);
    close(y.select(1, 0), [-2 / s0, -1 / s0, 0, 3 / s0]);
    close(y.select(1, 1), [-1, -1, 1, 1]);
    close(rm, [0.75 * 1 + 0.25 * 3, 0.75 * 1 + 0.25 * 2]);
    close(rv, [0.75 + 0.25 * (14 / 3), 0.75 + 0.25 * (16 / 3)]);
  });
  it("the JSDoc examples", () => {
    close(F.batchNorm(torch.tensor([[1, 2], [3, 6]], { dtype: "float32" }), null, null, { training: true }), [-1, -1, 1, 1], 4);
    const bn = new nn.BatchNorm1d(3);
    expect(bn(torch.randn([8, 3])).shape).toEqual([8, 3]);
    expect(new nn.LayerNorm(4)(torch.randn([2, 3, 4])).shape).toEqual([2, 3, 4]);
  });
  it("evaluation uses the running statistics, weight and bias", () => {
    const y = F.batchNorm(x, f32([1, 2]), f32([4, 1]), { weight: f32([2, 1]), bias: f32([0, 10]), eps: 0 });
    close(y.select(1, 0), [0, 1, 2, 5]);
    close(y.select(1, 1), [8, 8, 12, 12]);
  });
  it("the module: num_batches_tracked, momentum, cumulative average with momentum null, train/eval", () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    expect(bn.numBatchesTracked!.dtype).toBe("int64");
    bn(x);
    bn(x.mul(3));
    expect(bn.numBatchesTracked!.item()).toBe(2);
    // Equal weights for both batches: mean of the batch means (3, 2) and (9, 6).
    close(bn.runningMean!, [6, 4]);
    close(bn.runningVar!, [(14 / 3 + 42) / 2, (16 / 3 + 48) / 2], 4);
    bn.eval();
    const before = Array.from(bn.runningMean!.toTypedArray());
    const y = bn(x);
    expect(Array.from(bn.runningMean!.toTypedArray())).toEqual(before);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    close(y.select(1, 0), [1, 2, 3, 6].map((v) => (v - 6) / Math.sqrt((14 / 3 + 42) / 2 + 1e-5)), 4);
  });
  it("without running statistics, batch statistics are used in evaluation too", () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false }).eval();
    expect(bn.parameters().length).toBe(0);
    expect(bn.buffers().length).toBe(0);
    close(bn(x).select(1, 1), [-1, -1, 1, 1], 4);
  });
  it("state dict keys as PyTorch's; an old state dict without num_batches_tracked loads", () => {
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const sd = bn.stateDict();
    const old = { weight: sd.weight, bias: sd.bias, running_mean: f32([1, 2, 3]), running_var: sd.running_var };
    const other = new nn.BatchNorm2d(3);
    other.numBatchesTracked!.fill_(5);
    other.loadStateDict(old);
    close(other.runningMean!, [1, 2, 3]);
    expect(other.numBatchesTracked!.item()).toBe(0);
    // The float conversion keeps the batch count an integer, as PyTorch.
    other.double();
    expect(other.runningMean!.dtype).toBe("float64");
    expect(other.numBatchesTracked!.dtype).toBe("int64");
  });
  it("resetRunningStats / resetParameters", () => {
    const bn = new nn.BatchNorm1d(2);
    bn(x);
    torch.noGrad(() => bn.weight!.fill_(3));
    bn.resetRunningStats();
    close(bn.runningMean!, [0, 0]);
    close(bn.runningVar!, [1, 1]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    close(bn.weight!, [3, 3]);
    bn.resetParameters();
    close(bn.weight!, [1, 1]);
  });
  it("graph node as PyTorch's; gradient of the weight and bias", () => {
    const w = f32([1, 2]).requiresGrad_();
    const b = f32([0, 0]).requiresGrad_();
    const y = F.batchNorm(x, null, null, { weight: w, bias: b, training: true });
    expect(y.gradFn!.name).toBe("NativeBatchNormBackward0");
    y.sum().backward();
    close(b.grad!, [4, 4]);
    close(w.grad!, [0, 0], 4);
  });
  it("errors", () => {
    expect(() => new nn.BatchNorm1d(3)(torch.randn([1, 3]))).toThrow(/Expected more than 1 value per channel when training, got input size torch.Size\(\[1, 3\]\)/);
    expect(() => new nn.BatchNorm2d(3)(torch.randn([2, 3]))).toThrow(/BatchNorm2d: expected 4D input \(got 2D input\)/);
    expect(() => new nn.BatchNorm3d(3)(torch.randn([2, 3, 2, 2]))).toThrow(/expected 5D input \(got 4D input\)/);
    expect(() => new nn.BatchNorm1d(4)(torch.randn([2, 3]))).toThrow(/running_mean should contain 3 elements not 4/);
    expect(() => F.batchNorm(torch.randn([2, 3]), null, null)).toThrow(/running_mean must be defined in evaluation mode/);
    expect(() => F.batchNorm(torch.randn([2, 3]), torch.zeros([3], { dtype: "float64" }), torch.ones([3]), { training: true })).toThrow(
      /mixed dtype \(CPU\): expect parameter to have scalar type of Float/,
    );
  });
});

describe("instance, layer, group and local response norm", () => {
  it("instance norm: each (sample, channel) plane by itself; running stats averaged over the batch", () => {
    const x = f32([[[1, 3], [0, 4]], [[2, 2.5], [10, 20]]]);
    const m = new nn.InstanceNorm1d(2, { trackRunningStats: true, momentum: 0.5 });
    const y = m(x);
    close(y.reshape([-1]), [-1, 1, -1, 1, -1, 1, -1, 1], 3);
    // Means (2, 2.25) and (2, 15) → 2.125 and 8.5; the running mean moves halfway from 0.
    close(m.runningMean!, [1.0625, 4.25]);
    // An unbatched (C, L) input.
    close(new nn.InstanceNorm1d(2)(f32([[1, 3], [0, 4]])).reshape([-1]), [-1, 1, -1, 1], 3);
    m.eval();
    const ye = m(x);
    close(ye.select(0, 0).select(0, 0), [(1 - 1.0625) / Math.sqrt(m.runningVar!.toTypedArray()[0] + 1e-5), (3 - 1.0625) / Math.sqrt(m.runningVar!.toTypedArray()[0] + 1e-5)]);
  });
  it("layer norm over the trailing dims", () => {
    close(F.layerNorm(f32([[1, 3], [0, 10]]), [2], { eps: 0 }).reshape([-1]), [-1, 1, -1, 1]);
    close(F.layerNorm(f32([[1, 3]]), [2], { weight: f32([2, 3]), bias: f32([1, 1]), eps: 0 }).reshape([-1]), [-1, 4]);
    close(F.layerNorm(torch.tensor([[1, 3]], { dtype: "float32" }), [2]), [-1, 1], 4);
    const ln = new nn.LayerNorm([2, 3]);
    const z = ln(torch.randn([4, 2, 3]).mul(5).add(2));
    close(z.mean([1, 2]), [0, 0, 0, 0], 4);
    expect(z.gradFn).not.toBeNull();
  });
  it("group norm: groups of channels per sample", () => {
    const x = f32([[[1], [3], [5], [9]]]);
    const y = F.groupNorm(x, 2, { eps: 0 });
    close(y.reshape([-1]), [-1, 1, -1, 1]);
    const gn = new nn.GroupNorm(1, 4, { affine: false });
    close(gn(x).reshape([-1]), [1, 3, 5, 9].map((v) => (v - 4.5) / Math.sqrt(8.75 + 1e-5)), 4);
  });
  it("local response norm divides by the windowed sum of squares", () => {
    const x = f32([[[1], [2], [3]]]);
    const y = F.localResponseNorm(x, 2, { alpha: 1, beta: 1, k: 1 });
    // size 2: channel c sees c−1 and c (zero padded): (k + α/2·Σ x²)^β
    close(y.reshape([-1]), [1 / (1 + 0.5 * 1), 2 / (1 + 0.5 * 5), 3 / (1 + 0.5 * 13)]);
    close(new nn.LocalResponseNorm(2, { alpha: 1, beta: 1 })(x).reshape([-1]), Array.from(y.toTypedArray()));
  });
  it("modules print as PyTorch", () => {
    expect(String(new nn.BatchNorm2d(3))).toBe("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
    expect(String(new nn.BatchNorm1d(3, { momentum: null, affine: false }))).toBe(
      "BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=True)",
    );
    expect(String(new nn.InstanceNorm2d(3))).toBe("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
    expect(String(new nn.LayerNorm(10))).toBe("LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
    expect(String(new nn.LayerNorm([2, 3], { eps: 1e-3, elementwiseAffine: false }))).toBe("LayerNorm((2, 3), eps=0.001, elementwise_affine=False)");
    expect(String(new nn.GroupNorm(2, 4))).toBe("GroupNorm(2, 4, eps=1e-05, affine=True)");
    expect(String(new nn.LocalResponseNorm(2))).toBe("LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
  });
  it("instance norm refuses running statistics it does not track, as PyTorch's loader", () => {
    const m = new nn.InstanceNorm1d(2);
    expect(() => m.loadStateDict({ running_mean: torch.zeros([2]), running_var: torch.ones([2]) })).toThrow(
      /Unexpected running stats buffer\(s\) "running_mean" and "running_var" for InstanceNorm1d with track_running_stats=False/,
    );
  });
  it("graph nodes and errors", () => {
    const x = torch.randn([2, 4, 3], { requiresGrad: true });
    expect(F.layerNorm(x, [3]).gradFn!.name).toBe("NativeLayerNormBackward0");
    expect(F.groupNorm(x, 2).gradFn!.name).toBe("NativeGroupNormBackward0");
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/num_channels must be divisible by num_groups/);
    expect(() => F.groupNorm(torch.randn([4, 3, 2]), 2)).toThrow(/Expected number of channels in input to be divisible by num_groups/);
    expect(() => F.layerNorm(torch.randn([4, 3]), [4])).toThrow(/Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[4, 3\]/);
    expect(() => F.instanceNorm(torch.randn([2, 3, 1]))).toThrow(/Expected more than 1 spatial element when training/);
    expect(() => F.localResponseNorm(torch.randn([2, 3]), 2)).toThrow(/Expected 3D or higher dimensionality input \(got 2 dimensions\)/);
    expect(() => F.layerNorm(torch.ones([2, 3], { dtype: "int64" }), [3])).toThrow(/"LayerNormKernelImpl" not implemented for 'Long'/);
  });
});

/**
 * x ↦ ∂(Σ sin f)/∂(inputs) for gradcheck of second derivatives: with `createGraph` in gradcheck's
 * analytical pass, on fresh leaves in its finite-difference pass (which runs under noGrad).
 */
function gradsOf(f: (...xs: Tensor[]) => Tensor) {
  return (...xs: Tensor[]): Tensor[] =>
    torch.enableGrad(() => {
      const create = xs.some((x) => x.requiresGrad);
      const leaves = xs.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_()));
      return grad(f(...leaves).sin().sum(), leaves, null, { createGraph: create }) as Tensor[];
    });
}

describe("gradcheck (float64)", () => {
  torch.manualSeed(3);
  const X = (shape: number[]): Tensor => torch.randn(shape, { dtype: "float64" }).requiresGrad_();
  const rm = torch.randn([3], { dtype: "float64" });
  const rv = torch.rand([3], { dtype: "float64" }).add(0.5);
  const cases: Array<[string, (...xs: Tensor[]) => Tensor, Tensor[]]> = [
    ["batchNorm training", (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [X([4, 3, 2]), X([3]), X([3])]],
    ["batchNorm training, no affine, 4-d", (x) => F.batchNorm(x, null, null, { training: true, eps: 0.1 }), [X([2, 3, 2, 2])]],
    ["batchNorm eval", (x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b }), [X([4, 3]), X([3]), X([3])]],
    ["instanceNorm", (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), [X([2, 3, 4]), X([3]), X([3])]],
    ["instanceNorm eval", (x) => F.instanceNorm(x, { runningMean: rm, runningVar: rv, useInputStats: false }), [X([2, 3, 4])]],
    ["layerNorm", (x, w, b) => F.layerNorm(x, [2, 3], { weight: w, bias: b }), [X([4, 2, 3]), X([2, 3]), X([2, 3])]],
    ["layerNorm weight only", (x, w) => F.layerNorm(x, 5, { weight: w }), [X([3, 5]), X([5])]],
    ["groupNorm", (x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }), [X([2, 4, 3]), X([4]), X([4])]],
    ["localResponseNorm 3-d", (x) => F.localResponseNorm(x, 3, { alpha: 0.5, beta: 0.7, k: 2 }), [X([2, 4, 3])]],
    ["localResponseNorm 4-d", (x) => F.localResponseNorm(x, 2, { alpha: 0.3 }), [X([1, 3, 2, 2])]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(name, () => {
      expect(gradcheck(fn, inputs)).toBe(true);
    });
  }
  const second: Array<[string, (...xs: Tensor[]) => Tensor, Tensor[]]> = [
    ["batchNorm training", (x, w) => F.batchNorm(x, null, null, { weight: w, training: true }), [X([4, 3]), X([3])]],
    ["batchNorm eval", (x, w) => F.batchNorm(x, rm, rv, { weight: w }), [X([4, 3]), X([3])]],
    ["layerNorm", (x, w, b) => F.layerNorm(x, [3], { weight: w, bias: b }), [X([2, 3]), X([3]), X([3])]],
    ["groupNorm", (x, w) => F.groupNorm(x, 2, { weight: w }), [X([2, 4, 2]), X([4])]],
  ];
  for (const [name, fn, inputs] of second) {
    it(`${name}: second derivatives`, () => {
      expect(gradcheck(gradsOf(fn), inputs)).toBe(true);
    });
  }
});

describe("the fused backward kernel agrees with the composed one", () => {
  it("float32: input, weight and bias gradients, both paths", () => {
    torch.manualSeed(11);
    const x = torch.randn([5, 4, 3]).mul(3).add(1).requiresGrad_();
    const w = torch.randn([4]).requiresGrad_();
    const b = torch.randn([4]).requiresGrad_();
    const g = torch.randn([5, 4, 3]);
    const rm = torch.randn([4]);
    const rv = torch.rand([4]).add(0.5);
    for (const f of [
      (): Tensor => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
      (): Tensor => F.groupNorm(x, 2, { weight: w, bias: b }),
      (): Tensor => F.batchNorm(x, rm, rv, { weight: w, bias: b }),
    ]) {
      const fused = grad(f(), [x, w, b], g);
      // createGraph records the backward: the public-op formulas instead of the kernel.
      const composed = grad(f(), [x, w, b], g, { createGraph: true });
      fused.forEach((t, i) => close(t!, Array.from(composed[i]!.toTypedArray()), 4));
    }
  });
});
