import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

const f64 = (v: any, rg = true) => torch.tensor(v, { dtype: "float64", requiresGrad: rg });

describe("autograd", () => {
  it("accumulates .grad across backward calls and through shared uses", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x).add(x).sum(); // d/dx = 2x + 1
    y.backward();
    expect(x.grad!.tolist()).toEqual([3, 5, 7]);
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([5, 7, 9]);
  });

  it("backward with an explicit gradient on a non-scalar", () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    y.backward(torch.tensor([1, 10], { dtype: "float64" }));
    expect(x.grad!.tolist()).toEqual([3, 30]);
  });

  it("refuses implicit backward on non-scalars and on tensors without grad", () => {
    const x = f64([1, 2]);
    expect(() => x.mul(2).backward()).toThrow("grad can be implicitly created only for scalar outputs");
    expect(() => torch.tensor([1.5]).sum().backward()).toThrow(
      "element 0 of tensors does not require grad and does not have a grad_fn",
    );
  });

  it("frees the graph unless retainGraph, with PyTorch's message", () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward({ retainGraph: true } as any === undefined ? undefined : null, { retainGraph: true });
    y.backward();
    expect(x.grad!.tolist().map((v: number) => +v.toFixed(6))).toEqual([2 * Math.E, 2 * Math.exp(2)].map((v) => +v.toFixed(6)));
    expect(() => y.backward()).toThrow("Trying to backward through the graph a second time");
  });

  it("detects in-place modification of a saved tensor", () => {
    const x = f64([1, 2]);
    const e = x.exp();
    const y = e.mul(e).sum();
    torch.noGrad(() => e.add_(1));
    expect(() => y.backward()).toThrow(/modified by an inplace operation.*version 1; expected version 0/);
  });

  it("refuses in-place ops on leaves that require grad, except under noGrad", () => {
    const w = f64([1, 2]);
    expect(() => w.add_(1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    torch.noGrad(() => w.add_(1));
    expect(w.tolist()).toEqual([2, 3]);
    expect(w.version).toBe(1);
  });

  it("in-place ops on non-leaves keep the history", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    const z = x.mul(1);
    y.mul_(z); // y = 2x·x → dy/dx = 4x
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
    expect(y.gradFn!.name).toBe("MulBackward0");
    // As in PyTorch, y.mul_(y) overwrites a tensor its own backward needs.
    const w = x.mul(2);
    w.mul_(w);
    expect(() => w.sum().backward()).toThrow("modified by an inplace operation");
  });

  it("in-place writes through views reach the base's history (CopySlices)", () => {
    const x = f64([1, 2, 3, 4]);
    const y = x.mul(1);
    const v = y.narrow(0, 1, 2);
    v.mul_(3);
    expect(y.tolist()).toEqual([1, 6, 9, 4]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 3, 3, 1]);
    // A base without history gets one: building a tensor by writing into its slices.
    const a = f64([5]);
    const out = torch.zeros([2, 2], { dtype: "float64" });
    out.select(0, 1).copy_(a.expand(2));
    expect(out.requiresGrad).toBe(true);
    out.mul(out).sum().backward();
    expect(a.grad!.tolist()).toEqual([20]);
    // Views of a leaf that requires grad are refused, as the leaf itself is; noGrad and detach() allow it.
    const w = f64([1, 2]);
    expect(() => w.narrow(0, 0, 1).add_(1)).toThrow("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    torch.noGrad(() => w.narrow(0, 0, 1).add_(1));
    w.detach().narrow(0, 1, 1).add_(1);
    expect(w.tolist()).toEqual([2, 3]);
    expect(w.isLeaf).toBe(true);
    // A Parameter made from a view is its own leaf.
    const p = new torch.nn.Parameter(torch.zeros(4).narrow(0, 0, 2));
    expect(() => p.narrow(0, 0, 1).zero_()).toThrow("a view of a leaf Variable");
  });

  it("noGrad and enableGrad nest", () => {
    const x = f64([1]);
    const y = torch.noGrad(() => {
      const a = x.mul(2);
      const b = torch.enableGrad(() => x.mul(3));
      return [a, b];
    });
    expect(y[0].requiresGrad).toBe(false);
    expect(y[1].requiresGrad).toBe(true);
    expect(torch.isGradEnabled()).toBe(true);
  });

  it("retainGrad keeps non-leaf gradients", () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    h.retainGrad();
    h.pow(2).sum().backward();
    expect(h.grad!.tolist()).toEqual([6, 12]);
    expect(x.grad!.tolist()).toEqual([18, 36]);
    expect(h.retainsGrad).toBe(true);
  });

  it("autograd.grad returns gradients without touching .grad, and supports createGraph", () => {
    const x = f64([1, 2]);
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, null, { createGraph: true });
    expect(g!.tolist()).toEqual([3, 12]);
    expect(x.grad).toBe(null);
    // second derivative: d/dx sum(3x^2) = 6x
    const [gg] = torch.autograd.grad(g!.sum(), x);
    expect(gg!.tolist()).toEqual([6, 12]);
  });

  it("autograd.grad reports unused inputs unless allowUnused", () => {
    const x = f64([1]);
    const z = f64([2]);
    const y = x.mul(2).sum();
    expect(() => torch.autograd.grad(y, [x, z], null, { retainGraph: true })).toThrow(
      "One of the differentiated Tensors (index 1) appears to not have been used in the graph",
    );
    const [gx, gz] = torch.autograd.grad(y, [x, z], null, { allowUnused: true });
    expect(gx!.tolist()).toEqual([2]);
    expect(gz).toBe(null);
  });

  it("detach and .data share storage but not history", () => {
    const x = f64([1, 2]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    torch.noGrad(() => d.fill_(5));
    expect(x.tolist()).toEqual([5, 5]);
    const w = torch.tensor([[0.1, 0.2]], { requiresGrad: true });
    w.data = torch.tensor([[1, 2, 3]], { dtype: "float32" });
    expect(w.shape).toEqual([1, 3]);
    expect(w.requiresGrad).toBe(true);
    w.sum().backward();
    expect(w.grad!.tolist()).toEqual([[1, 1, 1]]);
  });

  it("gradFn names follow PyTorch's", () => {
    const x = f64([[1, 2]]);
    expect(x.add(1).gradFn!.name).toBe("AddBackward0");
    expect(x.exp().gradFn!.name).toBe("ExpBackward0");
    expect(x.view(2).gradFn!.name).toBe("ViewBackward0");
    expect(x.permute(1, 0).gradFn!.name).toBe("PermuteBackward0");
    expect(x.isLeaf).toBe(true);
    expect(x.add(1).isLeaf).toBe(false);
  });

  it("requiresGrad only on floating tensors and leaves", () => {
    expect(() => torch.tensor([1, 2]).requiresGrad_()).toThrow("only Tensors of floating point dtype can require gradients");
    const x = f64([1]);
    expect(() => x.mul(2).requiresGrad_(false)).toThrow("you can only change requires_grad flags of leaf variables");
  });

  it("gradcheck catches a wrong gradient", () => {
    const bad = torch.autograd.gradcheck((a) => a.mul(2), [f64([1, 2])], { raiseException: false });
    expect(bad).toBe(true);
    const x = f64([0.5, 1.5]);
    // floor has a zero gradient; pretending d/dx = 1 by writing x - floor(x) detached must fail the check
    const wrong = (a: torch.Tensor) => a.sub(a.floor()).add(a.detach().mul(0)).add(a.floor().detach()).mul(a.detach());
    expect(torch.autograd.gradcheck(wrong, [x], { raiseException: false })).toBe(false);
  });
});

describe("in-place writes after use", () => {
  it("do not break ops whose gradient never read the overwritten tensor", () => {
    const x = torch.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const h = x.mul(3);
    const z = h.add(1); // AddBackward needs no saved values, as in PyTorch
    h.add_(5);
    z.sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });
});

describe("leaf gradients are taken over without a copy only when nothing else can see them", () => {
  /** Runs `f` with the backend's strided copy counted. */
  function copies(f: () => void): number {
    const b = torch.backend();
    let n = 0;
    torch.setBackend({ ...b, copy: (src, dst) => (n++, b.copy(src, dst)) });
    try {
      f();
    } finally {
      torch.setBackend(b);
    }
    return n;
  }

  it("a fresh gradient reaching one leaf becomes its .grad as is", () => {
    const x = f64([1, 2, 3]);
    expect(copies(() => x.mul(3).sum().backward())).toBe(0);
    expect(x.grad!.tolist()).toEqual([3, 3, 3]);
  });

  it("the caller's gradient is copied, so changing it later leaves .grad alone", () => {
    const x = f64([1, 2, 3]);
    const g = f64([1, 1, 1], false);
    x.backward(g);
    g.fill_(7);
    expect(x.grad!.tolist()).toEqual([1, 1, 1]);
    const y = f64([1, 2], false).requiresGrad_();
    const gy = f64([4, 5], false);
    y.add(1).backward(gy); // add's backward passes the caller's gradient through unchanged
    gy.fill_(0);
    expect(y.grad!.tolist()).toEqual([4, 5]);
  });

  it("one gradient delivered to two leaves gives each its own storage", () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    a.add(b).mul(2).sum().backward(); // add's backward hands the same tensor to a and b
    expect(a.grad!.buf).not.toBe(b.grad!.buf);
    torch.noGrad(() => a.grad!.mul_(10));
    expect(b.grad!.tolist()).toEqual([2, 2]);
  });

  it("a view (an expanded or transposed gradient) is copied", () => {
    const w = f64([[1, 2, 3], [4, 5, 6]]);
    w.sum().backward(); // sum's backward is ones expanded: stride 0
    expect(w.grad!.strides).toEqual([3, 1]);
    torch.noGrad(() => w.grad!.add_(1));
    expect(w.grad!.tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
  });
});
