import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/tensor.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type Values, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const { nn } = torch;
const rng = new Rng(31337);

/** Parameters whose `.grad` are the given tensors (a null entry: a parameter without gradient). */
function withGrads(grads: Array<Tensor | null>): Tensor[] {
  return grads.map((g, i) => {
    const p = torch.zeros(g ? g.shape : [i + 1], { dtype: g ? g.dtype : "float32" }).requiresGrad_(true);
    p.grad = g ? g.clone() : null;
    return p;
  });
}

const pyNorm = (p: number): string => (p === Infinity ? "float('inf')" : String(p));

function clipNormCase(): DiffCase {
  const n = rng.int(1, 3);
  const dtype: DType = rng.bool(0.25) ? "float64" : "float32";
  const values: Values = rng.pick<Values>(["normal", "normal", "uniform", "special"]);
  const shapes = Array.from({ length: n }, () => rng.shape(rng.int(1, 3), 1, 5));
  const normType = rng.pick([2, 2, 1, Infinity, 3, 0.5, 0]);
  // Some clip (max below the norm), some leave the gradients alone (max above it).
  const maxNorm = rng.pick([0.1, 0.5, 1, 2.5, 100]);
  const noGradParam = rng.bool(0.3);
  return {
    name: `clipGradNorm_ ${JSON.stringify(shapes)} max ${maxNorm} p ${normType} ${values} ${dtype}${noGradParam ? " +param without grad" : ""}`,
    inputs: shapes.map((shape) => ({ shape, dtype, values, requiresGrad: false })),
    ts: (...gs) => {
      const ps = withGrads(noGradParam ? [...gs, null] : gs);
      const total = nn.utils.clipGradNorm_(ps, maxNorm, normType);
      return [total, ...ps.filter((p) => p.grad).map((p) => p.grad!)];
    },
    py: `
gs = [${shapes.map((_, i) => `x${i}`).join(", ")}]
ps = [torch.zeros_like(g).requires_grad_(True) for g in gs]
for p, g in zip(ps, gs):
    p.grad = g.clone()
${noGradParam ? "ps.append(torch.zeros(3, requires_grad=True))" : ""}
total = torch.nn.utils.clip_grad_norm_(ps, ${maxNorm}, ${pyNorm(normType)})
out = [total] + [p.grad for p in ps if p.grad is not None]
`,
  };
}

function clipValueCase(): DiffCase {
  const shapes = [rng.shape(2, 1, 5), rng.shape(1, 1, 6)];
  const c = rng.pick([0.1, 0.5, 1, 3]);
  const values: Values = rng.pick<Values>(["normal", "special", "ties"]);
  return {
    name: `clipGradValue_ ${JSON.stringify(shapes)} ${c} ${values}`,
    inputs: shapes.map((shape) => ({ shape, values, requiresGrad: false })),
    ts: (a, b) => {
      const ps = withGrads([a, b]);
      nn.utils.clipGradValue_(ps, c);
      return ps.map((p) => p.grad!);
    },
    py: `
ps = [torch.zeros_like(x).requires_grad_(True) for x in (x0, x1)]
for p, x in zip(ps, (x0, x1)):
    p.grad = x.clone()
torch.nn.utils.clip_grad_value_(ps, ${c})
out = [p.grad for p in ps]
`,
  };
}

function vectorCase(): DiffCase {
  const shapes = [rng.shape(2, 1, 4), rng.shape(1, 1, 5), rng.shape(3, 1, 3)];
  return {
    name: `parametersToVector ${JSON.stringify(shapes)}`,
    inputs: shapes.map((shape) => ({ shape })),
    ts: (a, b, c) => nn.utils.parametersToVector([a, b, c]).mul(2),
    py: "torch.nn.utils.parameters_to_vector([x0, x1, x2]) * 2",
  };
}

describe("clip_grad vs PyTorch", () => {
  it("clipGradNorm_: total norm and clipped gradients for every norm type", async () => {
    const cases = Array.from({ length: 60 }, clipNormCase);
    cases.push({
      name: "clipGradNorm_ errorIfNonfinite",
      inputs: [{ shape: [3], values: [1, Infinity, 2], requiresGrad: false }],
      ts: (g) => nn.utils.clipGradNorm_(withGrads([g]), 1, 2, { errorIfNonfinite: true }),
      py: "p = torch.zeros(3, requires_grad=True)\np.grad = x0.clone()\nout = torch.nn.utils.clip_grad_norm_([p], 1, 2, error_if_nonfinite=True)",
      expectError: /clipGradNorm_: The total norm of order 2.0 for gradients from `parameters` is non-finite/,
    });
    expectClean(await runDifferential("clip-grad-norm", cases), 61);
  }, 60_000);

  it("clipGradValue_ and parametersToVector", async () => {
    const cases = [...Array.from({ length: 20 }, clipValueCase), ...Array.from({ length: 10 }, vectorCase)];
    expectClean(await runDifferential("clip-grad-value", cases), 30);
  }, 60_000);
});

describe("clip_grad by hand", () => {
  it("scales by maxNorm / (norm + 1e-6) only when the norm exceeds maxNorm", () => {
    const [p, q] = withGrads([torch.tensor([3, 0], { dtype: "float32" }), torch.tensor([4], { dtype: "float32" })]);
    const total = nn.utils.clipGradNorm_([p, q], 1);
    expect(total.item()).toBe(5);
    expect(p.grad!.tolist()[0]).toBeCloseTo(0.6, 6);
    expect(q.grad!.tolist()[0]).toBeCloseTo(0.8, 6);
    const r = withGrads([torch.tensor([0.3, 0.4], { dtype: "float32" })])[0];
    nn.utils.clipGradNorm_(r, 1); // a single tensor is accepted
    expect(r.grad!.tolist()).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it("returns tensor(0.) when no parameter has a gradient; skips parameters without one", () => {
    const t = nn.utils.clipGradNorm_([torch.zeros([2]).requiresGrad_(true)], 1);
    expect(t.dtype).toBe("float32");
    expect(t.shape).toEqual([]);
    expect(t.item()).toBe(0);
  });

  it("the inf norm is the largest |g|; normType 'inf' is accepted", () => {
    const ps = withGrads([torch.tensor([1, -7], { dtype: "float32" }), torch.tensor([3], { dtype: "float32" })]);
    expect(nn.utils.clipGradNorm_(ps, 100, "inf").item()).toBe(7);
  });

  it("clipGradValue_ clamps in place and bumps the gradient's version", () => {
    const [p] = withGrads([torch.tensor([-2, 0.5, 2], { dtype: "float32" })]);
    const g = p.grad!;
    const v = g.version;
    nn.utils.clipGradValue_([p], 1);
    expect(p.grad).toBe(g);
    expect(g.tolist()).toEqual([-1, 0.5, 1]);
    expect(g.version).toBe(v + 1);
  });
});

describe("vectorToParameters", () => {
  it("makes the parameters views of the vector, in order", () => {
    const a = torch.zeros([2, 2]).requiresGrad_(true);
    const b = torch.zeros([3]).requiresGrad_(true);
    const vec = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8], { dtype: "float32" });
    nn.utils.vectorToParameters(vec, [a, b]);
    expect(a.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(b.tolist()).toEqual([5, 6, 7]);
    expect(a.requiresGrad).toBe(true);
    vec.buf[4] = 50; // shared storage, as PyTorch's `param.data = vec[...]`
    expect(b.tolist()).toEqual([50, 6, 7]);
    const back = nn.utils.parametersToVector([a, b]);
    expect(back.tolist()).toEqual([1, 2, 3, 4, 50, 6, 7]);
  });

  it("errors", () => {
    const a = torch.zeros([4]).requiresGrad_(true);
    expect(() => nn.utils.vectorToParameters([1, 2] as any, [a])).toThrow("vectorToParameters: expected torch.Tensor, but got: list");
    expect(() => nn.utils.vectorToParameters(torch.zeros([3]), [a])).toThrow(
      "vectorToParameters: the parameters have 4 elements but vec has only 3",
    );
    expect(() => nn.utils.clipGradNorm_(3 as any, 1)).toThrow("clipGradNorm_: parameters must be a Tensor or an iterable of Tensors");
  });
});
