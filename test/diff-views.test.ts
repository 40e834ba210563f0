import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { type DiffCase, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const rng = new Rng(7);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];
const js = (v: unknown): string => JSON.stringify(v);
const py = (v: number[]): string => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;

function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function viewCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 40; k++) {
    const shape = rng.shape(rng.int(1, 4), 1, 4);
    const layout = rng.pick(LAYOUTS);
    const perm = shuffled(shape.length);
    cases.push({
      name: `permute ${js(shape)} ${js(perm)} ${layout}`,
      inputs: [{ shape, layout }],
      ts: (x) => x.permute(perm).mul(2),
      py: `x0.permute(${perm.join(", ")}).mul(2)`,
    });
    const a = rng.int(-shape.length, shape.length - 1);
    const b = rng.int(-shape.length, shape.length - 1);
    cases.push({
      name: `transpose ${js(shape)} ${a} ${b} ${layout}`,
      inputs: [{ shape, layout }],
      ts: (x) => x.transpose(a, b).exp(),
      py: `x0.transpose(${a}, ${b}).exp()`,
    });
    const n = shape.reduce((p, s) => p * s, 1);
    const target = rng.bool() ? [n] : [-1, shape[shape.length - 1]];
    cases.push({
      name: `reshape ${js(shape)} → ${js(target)} ${layout}`,
      inputs: [{ shape, layout }],
      ts: (x) => x.reshape(target).sin(),
      py: `x0.reshape(${py(target)}).sin()`,
    });
    const s = rng.int(0, shape.length - 1);
    const e = rng.int(s, shape.length - 1);
    cases.push({
      name: `flatten ${js(shape)} ${s} ${e} ${layout}`,
      inputs: [{ shape, layout }],
      ts: (x) => x.flatten(s, e).square(),
      py: `x0.flatten(${s}, ${e}).square()`,
    });
    const ud = rng.int(-shape.length - 1, shape.length);
    cases.push({
      name: `unsqueeze ${js(shape)} ${ud}`,
      inputs: [{ shape, layout }],
      ts: (x) => x.unsqueeze(ud).mul(x.unsqueeze(ud)),
      py: `x0.unsqueeze(${ud}) * x0.unsqueeze(${ud})`,
    });
    const withOnes = shape.map((v) => (rng.bool(0.4) ? 1 : v));
    const sd = rng.int(-withOnes.length, withOnes.length - 1);
    cases.push({
      name: `squeeze ${js(withOnes)} ${sd}`,
      inputs: [{ shape: withOnes, layout }],
      ts: (x) => [x.squeeze().cos(), x.squeeze(sd).exp()],
      py: `(x0.squeeze().cos(), x0.squeeze(${sd}).exp())`,
    });
    const ones = shape.map((v) => (rng.bool(0.5) ? 1 : v));
    const big = [rng.int(1, 3), ...shape];
    cases.push({
      name: `expand ${js(ones)} → ${js(big)}`,
      inputs: [{ shape: ones, layout }],
      ts: (x) => x.expand(big).mul(2),
      py: `x0.expand(${py(big)}).mul(2)`,
    });
  }
  for (let k = 0; k < 20; k++) {
    const shape = rng.shape(2, 1, 5);
    cases.push({
      name: `t/contiguous/clone ${js(shape)}`,
      inputs: [{ shape, layout: rng.pick(LAYOUTS) }],
      ts: (x) => [x.t().contiguous().mul(3), x.clone().exp(), x.T.sin()],
      py: "(x0.t().contiguous().mul(3), x0.clone().exp(), x0.T.sin())",
    });
    const n = shape[0] * shape[1];
    cases.push({
      name: `unflatten ${n}`,
      inputs: [{ shape: [n, 2] }],
      ts: (x) => x.unflatten(0, [shape[0], -1]).tanh(),
      py: `x0.unflatten(0, (${shape[0]}, -1)).tanh()`,
    });
  }
  cases.push({
    name: "view across non-contiguous dims is refused",
    inputs: [{ shape: [3, 4], layout: "transposed" }],
    ts: (x) => x.view(12),
    py: "x0.t().contiguous().t().view(12)",
    expectError: /view size is not compatible with input tensor's size and stride/,
  });
  cases.push({
    name: "reshape with a bad size",
    inputs: [{ shape: [3, 4] }],
    ts: (x) => x.reshape(5, -1),
    py: "x0.reshape(5, -1)",
    expectError: /shape '\[5, -1\]' is invalid for input of size 12/,
  });
  return cases;
}

function inplaceCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const ops: Array<[string, (y: torch.Tensor, o: torch.Tensor) => void, string]> = [
    ["add_", (y, o) => y.add_(o, { alpha: 0.5 }), "out.add_(x1, alpha=0.5)"],
    ["sub_", (y, o) => y.sub_(o), "out.sub_(x1)"],
    ["mul_", (y, o) => y.mul_(o), "out.mul_(x1)"],
    ["div_", (y, o) => y.div_(o.abs().add(1)), "out.div_(x1.abs() + 1)"],
    ["copy_", (y, o) => y.copy_(o), "out.copy_(x1)"],
    ["clamp_", (y) => y.clamp_(-0.5, 0.5), "out.clamp_(-0.5, 0.5)"],
    ["fill_", (y) => y.fill_(2), "out.fill_(2)"],
    ["zero_", (y) => y.zero_(), "out.zero_()"],
  ];
  for (const [name, f, pys] of ops) {
    for (let k = 0; k < 8; k++) {
      const shape = rng.shape(rng.int(1, 3), 1, 4);
      const other = shape.slice(rng.int(0, shape.length - 1)).map((v) => (rng.bool(0.3) ? 1 : v));
      cases.push({
        name: `${name} ${js(shape)} ${js(other)}`,
        inputs: [{ shape, layout: rng.pick(LAYOUTS) }, { shape: other }],
        ts: (x, o) => {
          const y = x.mul(1.5);
          f(y, o);
          return y.mul(y);
        },
        py: `out = x0 * 1.5\n${pys}\nout = out * out`,
      });
    }
  }
  return cases;
}

/**
 * In-place writes through a view of a tensor with history (PyTorch's CopySlices): the base's gradient must
 * see the write, and the view keeps working as part of the graph.
 */
function inplaceViewCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const views: Array<[string, (y: torch.Tensor) => torch.Tensor, string]> = [
    ["narrow", (y) => y.narrow(0, 1, 2), "out.narrow(0, 1, 2)"],
    ["select", (y) => y.select(1, 2), "out.select(1, 2)"],
    ["index", (y) => y.index(new torch.Slice(null, null, 2), -1), "out[::2, -1]"],
    ["transpose", (y) => y.transpose(0, 1), "out.transpose(0, 1)"],
    ["view", (y) => y.view(-1), "out.view(-1)"],
    ["view of view", (y) => y.narrow(1, 1, 3).select(0, 0), "out.narrow(1, 1, 3).select(0, 0)"],
  ];
  const ops: Array<[string, (v: torch.Tensor, o: torch.Tensor) => void, string]> = [
    ["mul_", (v, o) => v.mul_(o.narrow(0, 0, 1).reshape([])), "v.mul_(x1.narrow(0, 0, 1).reshape(()))"],
    ["add_", (v) => v.add_(1), "v.add_(1)"],
    ["copy_", (v, o) => v.copy_(o.narrow(0, 0, 1).reshape([]).expand(v.shape)), "v.copy_(x1.narrow(0, 0, 1).reshape(()).expand(v.shape))"],
    ["fill_", (v) => v.fill_(2), "v.fill_(2)"],
    ["clamp_", (v) => v.clamp_(-0.3, 0.3), "v.clamp_(-0.3, 0.3)"],
    ["exp_", (v) => v.exp_(), "v.exp_()"],
  ];
  for (const [vn, view, pyView] of views) {
    for (const [on, op, pyOp] of ops) {
      const layout = rng.pick(LAYOUTS);
      cases.push({
        name: `${on} through ${vn} of a tensor with history (${layout})`,
        inputs: [{ shape: [3, 4], layout }, { shape: [2] }],
        ts: (x, o) => {
          const y = x.mul(1.5);
          const v = view(y);
          op(v, o);
          return [y.mul(y), v.mul(3)];
        },
        py: `out = x0 * 1.5\nv = ${pyView}\n${pyOp}\nout = [out * out, v * 3]`,
      });
    }
  }
  // A base without history that receives one through its view (building a tensor by slice assignment).
  for (const [vn, view, pyView] of views) {
    cases.push({
      name: `copy_ into ${vn} of zeros`,
      inputs: [{ shape: [2] }],
      ts: (o) => {
        const y = torch.zeros(3, 4);
        view(y).copy_(o.sum().expand(view(torch.zeros(3, 4)).shape));
        return y.mul(y);
      },
      py: `out = torch.zeros(3, 4)\nv = ${pyView}\nv.copy_(x0.sum().expand(v.shape))\nout = out * out`,
    });
  }
  cases.push({
    name: "in-place write through a view of a leaf that requires grad",
    inputs: [{ shape: [3, 4] }],
    ts: (x) => x.narrow(0, 0, 1).add_(1),
    py: "x0.narrow(0, 0, 1).add_(1)",
    expectError: /a view of a leaf Variable that requires grad is being used in an in-place operation/,
  });
  return cases;
}

describe("views and in-place ops match PyTorch", () => {
  it("views", async () => {
    expectClean(await runDifferential("views", viewCases()), 300);
  });
  it("in-place ops", async () => {
    expectClean(await runDifferential("inplace", inplaceCases()), 60);
  });
  it("in-place ops through views of tensors with history", async () => {
    expectClean(await runDifferential("inplace-views", inplaceViewCases()), 43);
  });
  it("views share storage with their base", () => {
    const x = torch.zeros(2, 3);
    const v = x.view(3, 2);
    const p = x.permute(1, 0);
    torch.noGrad(() => v.fill_(1));
    expect(p.tolist()).toEqual([[1, 1], [1, 1], [1, 1]]);
    expect(p.isContiguous()).toBe(false);
    expect(p.contiguous().isContiguous()).toBe(true);
    expect(x.version).toBe(1);
  });
});
