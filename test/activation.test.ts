import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import { PYTHON } from "./oracle/client.js";

const { nn } = torch;
const F = nn.functional;
const { gradcheck, grad } = torch.autograd;

/** float64 points away from every kink (0, ±0.5, ±1, ±3, 6, the thresholds used below). */
const POINTS = [-2.5, -1.3, -0.7, -0.2, 0.3, 0.9, 1.6, 2.7, 3.4, -3.6, 4.2, -4.4];
const x64 = (shape: number[] = [3, 4]): Tensor =>
  torch.tensor(POINTS.slice(0, shape.reduce((a, b) => a * b, 1)), { dtype: "float64" }).reshape(shape).requiresGrad_();

/** Every differentiable activation, as a function of one float64 tensor. */
const ACTS: Array<[string, (x: Tensor) => Tensor]> = [
  ["relu", (x) => F.relu(x)],
  ["relu6", (x) => F.relu6(x.mul(2))],
  ["leakyRelu", (x) => F.leakyRelu(x, 0.2)],
  ["hardtanh", (x) => F.hardtanh(x, -2, 2)],
  ["elu", (x) => F.elu(x, 0.7)],
  ["selu", (x) => F.selu(x)],
  ["celu", (x) => F.celu(x, 1.3)],
  ["gelu", (x) => F.gelu(x)],
  ["gelu tanh", (x) => F.gelu(x, "tanh")],
  ["silu", (x) => F.silu(x)],
  ["mish", (x) => F.mish(x)],
  ["softplus", (x) => F.softplus(x, 2, 3)],
  ["logsigmoid", (x) => F.logsigmoid(x)],
  ["hardsigmoid", (x) => F.hardsigmoid(x)],
  ["hardswish", (x) => F.hardswish(x)],
  ["softshrink", (x) => F.softshrink(x, 0.5)],
  ["hardshrink", (x) => F.hardshrink(x, 0.5)],
  ["threshold", (x) => F.threshold(x, 0.1, -2)],
  ["tanhshrink", (x) => F.tanhshrink(x)],
  ["softsign", (x) => F.softsign(x)],
  ["sigmoid", (x) => F.sigmoid(x)],
  ["tanh", (x) => F.tanh(x)],
  ["rrelu eval", (x) => F.rrelu(x)],
  ["softmax", (x) => F.softmax(x, 1)],
  ["logSoftmax", (x) => F.logSoftmax(x, 0)],
  ["softmin", (x) => F.softmin(x, -1)],
  ["glu", (x) => F.glu(x, 1)],
  ["maxout", (x) => F.maxout(x, 2, 1)],
  ["swish", (x) => F.swish(x, 1.5)],
];

describe("gradcheck (float64, finite differences)", () => {
  for (const [name, f] of ACTS) {
    it(name, () => {
      expect(gradcheck(f, [x64()])).toBe(true);
    });
  }
  it("prelu (input and per-channel weight)", () => {
    const w = torch.tensor([0.1, -0.3, 0.25], { dtype: "float64" }).requiresGrad_();
    expect(gradcheck((x, ww) => F.prelu(x, ww), [x64([2, 3, 2]), w])).toBe(true);
    expect(gradcheck((x, ww) => F.prelu(x, ww), [x64([2, 3]), torch.tensor([0.3], { dtype: "float64" }).requiresGrad_()])).toBe(true);
  });
  it("swish with a learnable β", () => {
    const b = torch.tensor(0.8, { dtype: "float64" }).requiresGrad_();
    expect(gradcheck((x, bb) => F.swish(x, bb), [x64(), b])).toBe(true);
  });
  it("rrelu in training (the gradient is the drawn slope)", () => {
    torch.manualSeed(3);
    // The same noise for every evaluation: reseed inside the function.
    const f = (x: Tensor): Tensor => {
      torch.manualSeed(3);
      return F.rrelu(x, 0.1, 0.4, true);
    };
    expect(gradcheck(f, [x64()])).toBe(true);
  });
  it("linear and bilinear", () => {
    const x = x64([3, 4]);
    const w = torch.randn([2, 4], { dtype: "float64" }).requiresGrad_();
    const b = torch.randn([2], { dtype: "float64" }).requiresGrad_();
    expect(gradcheck((a, ww, bb) => F.linear(a, ww, bb), [x, w, b])).toBe(true);
    expect(gradcheck((a, ww) => F.linear(a, ww), [x64([3, 1, 4]), w])).toBe(true);
    const x2 = torch.randn([3, 2], { dtype: "float64" }).requiresGrad_();
    const wb = torch.randn([5, 4, 2], { dtype: "float64" }).requiresGrad_();
    expect(gradcheck((a, c, ww) => F.bilinear(a, c, ww), [x, x2, wb])).toBe(true);
  });
});

describe("double backward (gradcheck of the gradient)", () => {
  const smooth = ["sigmoid", "tanh", "elu", "selu", "celu", "gelu", "gelu tanh", "silu", "mish", "softplus", "logsigmoid", "hardswish", "leakyRelu", "hardtanh", "softmax", "logSoftmax", "tanhshrink", "softsign"];
  for (const [name, f] of ACTS.filter(([n]) => smooth.includes(n))) {
    it(name, () => {
      const g = torch.tensor(POINTS.map((v) => v / 3), { dtype: "float64" }).reshape([3, 4]).requiresGrad_();
      // gradcheck evaluates its numerical side under noGrad on detached inputs: re-enable the graph there.
      const dfdx = (x: Tensor, gg: Tensor): Tensor =>
        torch.enableGrad(() => {
          const xi = x.requiresGrad ? x : x.detach().requiresGrad_();
          return grad(f(xi), xi, gg, { createGraph: true })[0]!;
        });
      expect(gradcheck(dfdx, [x64(), g])).toBe(true);
    });
  }
});

describe("hand-derived values", () => {
  const t = (v: number[]): Tensor => torch.tensor(v, { dtype: "float64" });
  const close = (a: Tensor, b: number[], tol = 1e-12): void => {
    (a.tolist() as number[]).forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol));
  };

  it("piecewise functions take PyTorch's branch at the kinks", () => {
    const x = t([-1, 0, 1]).requiresGrad_();
    F.relu(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 1]);
    const y = t([-1, 0, 1, 2]).requiresGrad_();
    F.hardtanh(y).sum().backward();
    // Zero gradient at and beyond the bounds.
    expect(y.grad!.tolist()).toEqual([0, 1, 0, 0]);
    const z = t([0]).requiresGrad_();
    F.elu(z, 2).sum().backward();
    // x <= 0 takes the exponential branch: α·e⁰.
    expect(z.grad!.tolist()).toEqual([2]);
    const w = t([0]).requiresGrad_();
    F.leakyRelu(w, 0.1).sum().backward();
    expect(w.grad!.tolist()).toEqual([0.1]);
    close(F.elu(t([-1, 2])), [Math.exp(-1) - 1, 2]);
    close(F.selu(t([1])), [nn.functional.SELU_SCALE]);
    close(F.softshrink(t([-1, 0.2, 2])), [-0.5, 0, 1.5]);
    close(F.hardshrink(t([-1, 0.5, 0.6])), [-1, 0, 0.6]);
    close(F.threshold(t([0.1, 0.2]), 0.1, 20), [20, 0.2]);
    close(F.hardsigmoid(t([-4, 0, 4])), [0, 0.5, 1]);
    close(F.hardswish(t([-4, 1, 4])), [0, 2 / 3, 4]);
    close(F.relu6(t([-1, 3, 7])), [0, 3, 6]);
    close(F.softplus(t([30, 0])), [30, Math.log(2)]);
    close(F.gelu(t([1])), [0.8413447460685429], 1e-14);
  });

  it("softmax and logSoftmax are stable for huge logits", () => {
    close(F.softmax(t([1000, 1000]), 0), [0.5, 0.5]);
    close(F.logSoftmax(t([1000, 0]), 0), [0, -1000]);
    close(F.softmax(t([-1e4, 0]), 0), [0, 1]);
    close(F.logsigmoid(t([-800, 800])), [-800, 0]);
    const s = F.softmax(torch.randn([4, 7]), 1).sum(1);
    (s.tolist() as number[]).forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-6));
    expect(F.softmax(t([3]).reshape([]), 0).item()).toBe(1);
    expect(F.softmax(torch.zeros([0, 3]), 1).shape).toEqual([0, 3]);
  });

  it("in-place forms write into their input", () => {
    const x = t([-1, 2]);
    expect(F.relu_(x)).toBe(x);
    expect(x.tolist()).toEqual([0, 2]);
    const y = t([-2, 2]);
    new nn.LeakyReLU(0.5, true)(y);
    expect(y.tolist()).toEqual([-1, 2]);
    expect(() => F.elu_(t([1]).requiresGrad_())).toThrow("a leaf Variable that requires grad is being used in an in-place operation");
  });

  it("gradient nodes carry PyTorch's names", () => {
    const x = t([1, -1]).requiresGrad_();
    expect(F.elu(x).gradFn!.name).toBe("EluBackward0");
    expect(F.celu(x).gradFn!.name).toBe("EluBackward0");
    expect(F.gelu(x).gradFn!.name).toBe("GeluBackward0");
    expect(F.relu6(x).gradFn!.name).toBe("HardtanhBackward0");
    expect(F.leakyRelu(x).gradFn!.name).toBe("LeakyReluBackward0");
    expect(F.softmax(x, 0).gradFn!.name).toBe("SoftmaxBackward0");
    expect(F.logSoftmax(x, 0).gradFn!.name).toBe("LogSoftmaxBackward0");
    expect(F.linear(t([1, 2]).reshape([1, 2]), t([1, 2, 3, 4]).reshape([2, 2]).requiresGrad_(), t([1, 1])).gradFn!.name).toBe("AddmmBackward0");
    expect(F.prelu(x, t([0.25])).gradFn!.name).toBe("PreluBackward0");
    expect(F.rrelu(x, 0.1, 0.3, true).gradFn!.name).toBe("RreluWithNoiseBackward0");
    // The JSDoc example of F.prelu.
    expect(String(F.prelu(torch.tensor([-2, 3], { dtype: "float32" }), torch.tensor([0.25])))).toBe("tensor([-0.5000,  3.0000])");
  });
});

describe("RReLU", () => {
  it("draws slopes in [lower, upper] for x <= 0 in training, the mean slope in eval", () => {
    const m = new nn.RReLU(0.1, 0.3);
    const x = torch.full([2000], -1, { dtype: "float64" }).requiresGrad_();
    const y = m(x);
    const v = y.tolist() as number[];
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.3);
    expect(Math.max(...v)).toBeLessThanOrEqual(-0.1);
    expect(Math.abs(v.reduce((a, b) => a + b, 0) / v.length + 0.2)).toBeLessThan(0.01);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual(v.map((s) => -s));
    m.eval();
    expect(m(torch.tensor([-1, 2], { dtype: "float64" })).tolist()).toEqual([-0.2, 2]);
    expect(m(torch.ones([3])).tolist()).toEqual([1, 1, 1]);
  });
});

describe("learnable and composite activations", () => {
  it("PReLU learns its slopes; Swish learns β", () => {
    const p = new nn.PReLU(3);
    const x = torch.randn([4, 3, 2]);
    p(x).sum().backward();
    expect(p.weight.grad!.shape).toEqual([3]);
    expect(p.weight.tolist()).toEqual([0.25, 0.25, 0.25]);
    const s = new nn.Swish();
    s(x).sum().backward();
    expect(s.beta!.grad!.shape).toEqual([1]);
    expect(Object.keys(s.stateDict())).toEqual(["beta"]);
    const fixed = new nn.Swish(1, { trainable: false });
    expect(fixed.parameters().length).toBe(0);
    const a = fixed(x).sub(F.silu(x)).abs().max().item();
    expect(a).toBeLessThan(1e-6);
  });

  it("Maxout in both forms", () => {
    const x = torch.tensor([[1, 5, 3, 2, 7]], { dtype: "float32" });
    expect(F.maxout(x, 2).tolist()).toEqual([[5, 3]]);
    expect(new nn.Maxout(2)(torch.randn([8, 6, 4, 4])).shape).toEqual([8, 3, 4, 4]);
    const lm = new nn.Maxout(10, 4, 3);
    const inp = torch.randn([8, 10]);
    const y = lm(inp);
    expect(y.shape).toEqual([8, 4]);
    const z = F.linear(inp, lm.weight!, lm.bias).reshape([8, 4, 3]);
    expect(y.sub(torch.amax(z, 2)).abs().max().item()).toBe(0);
    expect(Object.keys(lm.stateDict())).toEqual(["weight", "bias"]);
    expect(String(lm)).toBe("Maxout(in_features=10, out_features=4, pieces=3, bias=True)");
    expect(String(new nn.Maxout(3, { dim: 2 }))).toBe("Maxout(group_size=3, dim=2)");
    // Ties: the gradient goes to the first maximum, as ConvNetJS routes it.
    const t = torch.tensor([[2, 2, 1, 3]], { dtype: "float64" }).requiresGrad_();
    F.maxout(t, 2).sum().backward();
    expect(t.grad!.tolist()).toEqual([[1, 0, 0, 1]]);
    expect(() => F.maxout(torch.zeros([2, 1]), 2)).toThrow("maxout: dimension 1 has size 1, smaller than the group size 2");
  });
});

describe("errors", () => {
  it("use PyTorch's messages", () => {
    const x = torch.randn([3]);
    expect(() => F.softshrink(x, -1)).toThrow("lambda must be greater or equal to 0, but found to be -1.");
    expect(() => F.glu(x)).toThrow("Halving dimension must be even, but dimension 0 is size 3");
    expect(() => F.glu(torch.tensor(1.5))).toThrow("glu does not support scalars because halving size must be even");
    expect(() => F.gelu(x, "foo" as any)).toThrow("approximate argument must be either none or tanh.");
    expect(() => F.prelu(torch.randn([2, 3]), torch.randn([2]))).toThrow(
      "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3.",
    );
    expect(() => F.rrelu(x, 0.5, 0.1)).toThrow("Lower bound should be less than or equal to the upper bound");
    expect(() => F.elu(torch.tensor([1, 2]))).toThrow(`"elu_cpu" not implemented for 'Long'`);
    expect(() => F.softmax(torch.tensor([1, 2]), 0)).toThrow(`"softmax_lastdim_kernel_impl" not implemented for 'Long'`);
    expect(() => F.celu(x, 0)).toThrow("alpha cannot be 0 for CELU");
    expect(() => new nn.Hardtanh(2, 1)).toThrow("max_val must be greater than min_val");
    expect(() => new nn.Softmax2d()(x)).toThrow("Softmax2d: expected input to be 3D or 4D, got 1D instead");
    expect(() => F.relu([1, 2] as any)).toThrow("relu(): argument 'input' must be Tensor, not Array");
  });
});

describe("module reprs", () => {
  let expected: string[];
  const modules = (): torch.nn.Module[] => [
    new nn.ReLU(), new nn.ReLU(true), new nn.ReLU6(), new nn.ReLU6(true), new nn.LeakyReLU(), new nn.LeakyReLU(0.2, true),
    new nn.Hardtanh(), new nn.Hardtanh(-2, 0.5, true), new nn.ELU(), new nn.ELU(0.5, true), new nn.CELU(2), new nn.SELU(),
    new nn.SELU(true), new nn.GELU(), new nn.GELU("tanh"), new nn.SiLU(), new nn.SiLU(true), new nn.Mish(),
    new nn.Softplus(2, 10), new nn.Threshold(0.1, 20), new nn.Threshold(0.5, -1.5, true), new nn.Softshrink(),
    new nn.Softshrink(1.5), new nn.Hardshrink(0.25), new nn.Hardsigmoid(), new nn.Hardswish(), new nn.Sigmoid(),
    new nn.Tanh(), new nn.Softsign(), new nn.Tanhshrink(), new nn.LogSigmoid(), new nn.Softmax(1), new nn.Softmax(),
    new nn.LogSoftmax(-1), new nn.Softmin(0), new nn.Softmax2d(), new nn.GLU(), new nn.GLU(1), new nn.PReLU(),
    new nn.PReLU(3, 0.1), new nn.RReLU(), new nn.RReLU(0.1, 0.3, true), new nn.Flatten(0, 2), new nn.Identity(),
    new nn.Linear(3, 4), new nn.Linear(3, 4, false), new nn.Bilinear(2, 3, 4, false), new nn.LeakyReLU(1e-5),
  ];
  const PY = `[nn.ReLU(), nn.ReLU(inplace=True), nn.ReLU6(), nn.ReLU6(True), nn.LeakyReLU(), nn.LeakyReLU(0.2, True),
    nn.Hardtanh(), nn.Hardtanh(-2.0, 0.5, True), nn.ELU(), nn.ELU(0.5, True), nn.CELU(2.0), nn.SELU(),
    nn.SELU(True), nn.GELU(), nn.GELU(approximate="tanh"), nn.SiLU(), nn.SiLU(True), nn.Mish(),
    nn.Softplus(2.0, 10.0), nn.Threshold(0.1, 20), nn.Threshold(0.5, -1.5, True), nn.Softshrink(),
    nn.Softshrink(1.5), nn.Hardshrink(0.25), nn.Hardsigmoid(), nn.Hardswish(), nn.Sigmoid(),
    nn.Tanh(), nn.Softsign(), nn.Tanhshrink(), nn.LogSigmoid(), nn.Softmax(dim=1), nn.Softmax(),
    nn.LogSoftmax(dim=-1), nn.Softmin(0), nn.Softmax2d(), nn.GLU(), nn.GLU(1), nn.PReLU(),
    nn.PReLU(3, 0.1), nn.RReLU(), nn.RReLU(0.1, 0.3, True), nn.Flatten(0, 2), nn.Identity(),
    nn.Linear(3, 4), nn.Linear(3, 4, bias=False), nn.Bilinear(2, 3, 4, bias=False), nn.LeakyReLU(1e-5)]`;

  beforeAll(() => {
    const out = execFileSync(PYTHON, ["-c", `import json, torch.nn as nn\nprint(json.dumps([str(m) for m in ${PY}]))`], { encoding: "utf8" });
    expected = JSON.parse(out);
  }, 60_000);

  it("print exactly as PyTorch's", () => {
    expect(modules().map(String)).toEqual(expected);
  });

  it("Softplus prints its float defaults as PyTorch 2.x (1.13 printed beta=1, threshold=20)", () => {
    expect(String(new nn.Softplus())).toBe("Softplus(beta=1.0, threshold=20.0)");
    expect(String(new nn.Swish())).toBe("Swish(num_parameters=1)");
  });
});
