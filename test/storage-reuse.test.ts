import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import { heldBytes } from "../src/storage-reuse.js";

/**
 * The engine recycles the storage of gradients only it can reach (src/storage-reuse.ts). These cases fail
 * when a buffer is recycled while something still reads it: a later allocation of the same size takes the
 * buffer and overwrites it.
 */

const randn = (shape: number[], requiresGrad = false) => torch.randn(shape, { requiresGrad });

/**
 * Allocates and overwrites many tensors of `shape`: takes every recycled buffer of that size. (Copies to
 * compare against are plain arrays: a tensor copy would itself take a wrongly recycled buffer.)
 */
function scribble(shape: number[]): void {
  for (let i = 0; i < 8; i++) torch.mul(torch.ones(shape), Number.NaN);
}

function expectClose(actual: torch.Tensor, expected: torch.Tensor): void {
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) - 1e-5 * Math.abs(e[i]));
  expect(worst).toBeLessThanOrEqual(1e-6);
}

/** sigmoid'(z) as a plain tensor (no graph). */
function sigmoidGrad(z: torch.Tensor): torch.Tensor {
  const s = torch.sigmoid(z);
  return s.mul(s.neg().add(1));
}

describe("gradient storage reuse", () => {
  it("recycles consumed gradients, and a second pass over recycled buffers gives the same gradients", () => {
    torch.manualSeed(1);
    const x = randn([16, 1, 28, 28]);
    const conv = new torch.nn.Conv2d(1, 6, 5, { padding: 2 });
    const net = new torch.nn.Sequential(conv, new torch.nn.Sigmoid(), new torch.nn.AvgPool2d(2), new torch.nn.Sigmoid());
    const grads = () => {
      net.zeroGrad();
      net(x).sum().backward();
      return [conv.weight.grad!.clone(), conv.bias!.grad!.clone()];
    };
    const first = grads();
    expect(heldBytes()).toBeGreaterThan(0);
    const second = grads();
    expect(second[0].toTypedArray()).toEqual(first[0].toTypedArray());
    expect(second[1].toTypedArray()).toEqual(first[1].toTypedArray());
  });

  it("keeps a gradient that a node passes on as a view (reshape before a matmul)", () => {
    torch.manualSeed(2);
    // The reshape's backward returns a view of the sigmoid's gradient; the matmul's backward reads that
    // view while it allocates dA, which has the same byte length.
    const a = randn([64, 128], true);
    const b = randn([128, 128], true);
    const z = a.matmul(b);
    z.reshape([-1]).sigmoid().sum().backward();
    const g = torch.noGrad(() => sigmoidGrad(a.detach().matmul(b.detach())));
    const ga = g.matmul(b.detach().t());
    const gb = a.detach().t().matmul(g);
    expectClose(a.grad!, ga);
    expectClose(b.grad!, gb);
  });

  it("keeps a gradient delivered to two nodes, and one taken by a leaf as its .grad", () => {
    torch.manualSeed(3);
    const x = randn([64, 64], true);
    const y = x.mul(2); // y's gradient goes to both uses below, then to x as its .grad
    const loss = y.sigmoid().add(y.tanh()).sum();
    loss.backward();
    const expected = torch.noGrad(() => {
      const yd = x.detach().mul(2);
      const t = torch.tanh(yd);
      return sigmoidGrad(yd).add(t.mul(t).neg().add(1)).mul(2);
    });
    const kept = Array.from(x.grad!.toTypedArray());
    scribble([64, 64]);
    expectClose(x.grad!, expected);
    expect(Array.from(x.grad!.toTypedArray())).toEqual(kept);
  });

  it("keeps a gradient that a node passes on to two others (add's backward), whichever runs first", () => {
    for (const matmulFirst of [true, false]) {
      torch.manualSeed(6);
      const x = randn([128, 128], true);
      const p = randn([128, 128], true);
      const q = randn([128, 128], true);
      // The sum's gradient reaches both addends' nodes; the matmul's backward reads it while it allocates
      // dP and dQ, which have its byte length.
      const m = p.matmul(q);
      const s = x.sigmoid();
      (matmulFirst ? s.add(m) : m.add(s)).tanh().sum().backward();
      const g = torch.noGrad(() => {
        const t = torch.tanh(torch.sigmoid(x.detach()).add(p.detach().matmul(q.detach())));
        return t.mul(t).neg().add(1);
      });
      expectClose(p.grad!, g.matmul(q.detach().t()));
      expectClose(q.grad!, p.detach().t().matmul(g));
      expectClose(x.grad!, g.mul(sigmoidGrad(x.detach())));
    }
  });

  it("keeps retained gradients, autograd.grad results and the caller's gradient", () => {
    torch.manualSeed(4);
    const x = randn([64, 64], true);
    const h = x.sigmoid();
    h.retainGrad();
    const out = h.tanh();
    const seed = torch.randn([64, 64]);
    const seedCopy = Array.from(seed.toTypedArray());
    out.backward(seed);
    const retained = Array.from(h.grad!.toTypedArray());
    // A non-leaf input: its gradient is captured, then consumed by the sigmoid's node on the way to x.
    const h2 = x.sigmoid();
    const [gh] = torch.autograd.grad([h2.tanh().sum()], [h2]);
    const ghCopy = Array.from(gh!.toTypedArray());
    scribble([64, 64]);
    expect(Array.from(h.grad!.toTypedArray())).toEqual(retained);
    expect(Array.from(gh!.toTypedArray())).toEqual(ghCopy);
    expect(Array.from(seed.toTypedArray())).toEqual(seedCopy);
  });

  it("builds no reuse into a graph-building pass (create_graph): double backward is unchanged", () => {
    torch.manualSeed(5);
    const x = randn([64, 64], true);
    const [g] = torch.autograd.grad([x.sigmoid().sum()], [x], undefined, { createGraph: true });
    scribble([64, 64]);
    g!.sum().backward();
    // d/dx sum(s'(x)) = s''(x) = s'(x)(1 - 2 s(x))
    const expected = torch.noGrad(() => sigmoidGrad(x.detach()).mul(torch.sigmoid(x.detach()).mul(-2).add(1)));
    expectClose(x.grad!, expected);
  });
});
