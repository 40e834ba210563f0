import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";

const { gradcheck } = torch.autograd;

/** Deterministic float64 values (no RNG dependency): a small irregular pattern. */
function f64(shape: number[], seed = 1, requiresGrad = true): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(seed * 12.9898 + i * 78.233) * 1.7;
  const t = torch.fromTypedArray(data, shape, "float64");
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Naive reference product over nested arrays (row-major [n, m] @ [m, p]). */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

describe("matmul family: values", () => {
  it("mm, mv, dot, outer by hand", () => {
    const a = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
    const b = torch.tensor([[7, 8], [9, 10], [11, 12]], { dtype: "float32" });
    expect(torch.mm(a, b).tolist()).toEqual([[58, 64], [139, 154]]);
    expect(torch.mv(a, torch.tensor([1, 0, -1], { dtype: "float32" })).tolist()).toEqual([-2, -2]);
    const d = torch.dot(torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.dtype).toBe("int64");
    expect(d.item()).toBe(32);
    expect(torch.outer(torch.tensor([1, 2]), torch.tensor([3, 4, 5])).tolist()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(torch.ger(torch.tensor([1, 2]), torch.tensor([3.5])).tolist()).toEqual([[3.5], [7]]);
  });

  it("matmul shapes for every rank combination", () => {
    const cases: Array<[number[], number[], number[]]> = [
      [[3], [3], []],
      [[2, 3], [3], [2]],
      [[3], [3, 4], [4]],
      [[2, 3], [3, 4], [2, 4]],
      [[5, 2, 3], [3], [5, 2]],
      [[5, 2, 3], [3, 4], [5, 2, 4]],
      [[3], [5, 3, 4], [5, 4]],
      [[2, 3], [5, 3, 4], [5, 2, 4]],
      [[5, 2, 3], [5, 3, 4], [5, 2, 4]],
      [[1, 2, 3], [5, 3, 4], [5, 2, 4]],
      [[7, 1, 2, 3], [5, 3, 4], [7, 5, 2, 4]],
      [[2, 1, 4, 2, 3], [3, 1, 3, 1], [2, 3, 4, 2, 1]],
      [[0, 2, 3], [3, 4], [0, 2, 4]],
      [[2, 0], [0, 3], [2, 3]],
    ];
    for (const [sa, sb, so] of cases) {
      const r = torch.matmul(torch.ones(sa), torch.ones(sb));
      expect(r.shape, `${sa} @ ${sb}`).toEqual(so);
      const k = sa[sa.length - 1];
      expect(Array.from(r.toTypedArray()).every((v) => v === k)).toBe(true);
    }
  });

  it("batched broadcast matches per-matrix products", () => {
    const a = f64([2, 1, 3, 4], 3, false);
    const b = f64([5, 4, 2], 4, false);
    const r = torch.matmul(a, b);
    expect(r.shape).toEqual([2, 5, 3, 2]);
    const A = a.tolist() as number[][][][];
    const B = b.tolist() as number[][][];
    const R = r.tolist() as number[][][][];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 5; j++) {
        const want = naive(A[i][0], B[j]);
        want.forEach((row, x) => row.forEach((v, y) => expect(R[i][j][x][y]).toBeCloseTo(v, 12)));
      }
    }
  });

  it("blocked kernel: large, transposed, strided and offset operands agree with a naive product", () => {
    // Sizes straddle the micro-tile (4) and block sizes so edge strips and multiple K blocks are exercised.
    for (const [n, k, m] of [[37, 300, 45], [64, 129, 67], [5, 7, 130]]) {
      const a = f64([k, n], 7, false).t(); // transposed: [n, k] with strides [1, n]
      const big = f64([m + 3, 2 * k], 8, false);
      const b = torch.narrow(torch.narrow(big.t(), 0, 1, k), 1, 2, m); // [k, m] strided view at an offset
      const r = torch.mm(a, b);
      const want = naive(a.tolist(), b.tolist());
      const got = r.tolist() as number[][];
      let maxErr = 0;
      want.forEach((row, i) => row.forEach((v, j) => (maxErr = Math.max(maxErr, Math.abs(v - got[i][j])))));
      expect(maxErr).toBeLessThan(1e-10);
    }
  });

  it("float32 results are the float64 product rounded (accumulation in double)", () => {
    const a = f64([70, 90], 11, false);
    const b = f64([90, 40], 12, false);
    const r32 = torch.mm(a.float(), b.float()).toTypedArray();
    const r64 = torch.mm(a.float().double(), b.float().double()).toTypedArray();
    let maxRel = 0;
    for (let i = 0; i < r32.length; i++) maxRel = Math.max(maxRel, Math.abs(r32[i] - r64[i]) / (Math.abs(r64[i]) + 1e-3));
    expect(maxRel).toBeLessThan(1e-6);
  });

  it("integer dtypes multiply exactly and keep their dtype", () => {
    for (const dtype of ["int64", "int32", "uint8"] as DType[]) {
      const a = torch.tensor([[1, 2], [3, 4]], { dtype });
      const r = torch.matmul(a, a);
      expect(r.dtype).toBe(dtype);
      expect(r.tolist()).toEqual([[7, 10], [15, 22]]);
    }
    // uint8 wraps modulo 256 as in C.
    const u = torch.tensor([[200, 100]], { dtype: "uint8" });
    expect(torch.mm(u, torch.tensor([[2], [1]], { dtype: "uint8" })).tolist()).toEqual([[(400 + 100) % 256]]);
  });

  it("addmm with beta/alpha, broadcasting input and beta = 0 ignoring NaN", () => {
    const r = torch.addmm(torch.ones(2, 2), torch.ones(2, 3), torch.ones(3, 2), { beta: 0.5, alpha: 2 });
    expect(r.tolist()).toEqual([[6.5, 6.5], [6.5, 6.5]]);
    const r2 = torch.addmm(torch.tensor([NaN, 1]), torch.ones(1, 1), torch.ones(1, 2), { beta: 0 });
    expect(r2.tolist()).toEqual([[1, 1]]);
    const r3 = torch.addmm(torch.tensor([10, 20]), torch.tensor([[1, 2]]), torch.tensor([[1, 0], [0, 1]]));
    expect(r3.tolist()).toEqual([[11, 22]]);
    expect(torch.ones(2).addmm(torch.ones(1, 3), torch.ones(3, 2)).gradFn).toBeNull();
  });

  it("Tensor methods", () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: "float32" });
    expect(a.matmul(a).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(a.mm(a).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(a.unsqueeze(0).bmm(a.unsqueeze(0)).tolist()).toEqual([[[7, 10], [15, 22]]]);
    expect(a.mv(torch.tensor([1, 1], { dtype: "float32" })).tolist()).toEqual([3, 7]);
    expect(torch.tensor([1, 2]).dot(torch.tensor([3, 4])).item()).toBe(11);
    expect(torch.tensor([1, 2]).outer(torch.tensor([3])).tolist()).toEqual([[3], [6]]);
  });
});

describe("matmul family: autograd", () => {
  it("grad_fn names follow PyTorch", () => {
    const g = (sa: number[], sb: number[]): string => torch.matmul(f64(sa, 1), f64(sb, 2)).gradFn!.name;
    expect(g([3], [3])).toBe("DotBackward0");
    expect(g([2, 3], [3])).toBe("MvBackward0");
    expect(g([2, 3], [3, 4])).toBe("MmBackward0");
    expect(torch.bmm(f64([2, 2, 3], 1), f64([2, 3, 4], 2)).gradFn!.name).toBe("BmmBackward0");
    expect(torch.addmm(f64([4], 0), f64([2, 3], 1), f64([3, 4], 2)).gradFn!.name).toBe("AddmmBackward0");
    expect(torch.outer(f64([2], 0), f64([3], 1)).gradFn!.name).toBe("MulBackward0");
  });

  const shapes: Array<[number[], number[]]> = [
    [[3], [3]],
    [[2, 3], [3]],
    [[3], [3, 4]],
    [[2, 3], [3, 4]],
    [[4, 2, 3], [3]],
    [[4, 2, 3], [3, 2]],
    [[3], [4, 3, 2]],
    [[2, 3], [4, 3, 2]],
    [[4, 2, 3], [4, 3, 2]],
    [[1, 2, 3], [4, 3, 2]],
    [[4, 2, 3], [1, 3, 2]],
    [[2, 1, 2, 3], [3, 3, 2]],
    [[3, 1, 2, 3], [1, 2, 3, 2]],
    [[2, 2, 3], [3]],
    [[3], [2, 1, 3, 2]],
  ];
  for (const [sa, sb] of shapes) {
    for (const which of ["both", "first", "second"] as const) {
      it(`gradcheck matmul ${JSON.stringify(sa)} @ ${JSON.stringify(sb)} (${which} requires grad)`, () => {
        const a = f64(sa, 1, which !== "second");
        const b = f64(sb, 2, which !== "first");
        expect(gradcheck((x, y) => torch.matmul(x, y), [a, b])).toBe(true);
      });
    }
  }

  it("gradcheck on transposed and strided operands", () => {
    const a = f64([3, 2], 5).t();
    const b = torch.narrow(torch.narrow(f64([5, 6], 6).t(), 0, 1, 3), 1, 1, 4);
    expect(gradcheck((x, y) => torch.matmul(x, y), [a, b])).toBe(true);
    const c = f64([3, 4, 2], 7).transpose(1, 2);
    expect(gradcheck((x, y) => torch.matmul(x, y), [c, f64([4, 3], 8)])).toBe(true);
    // Batch-major with transposed matrices: PyTorch keeps it on bmm rather than fold (and copy).
    const e = f64([3, 4, 2], 9).transpose(1, 2);
    const producer = (r: torch.Tensor): string => r.gradFn!.next[0]!.node.name;
    expect(producer(torch.matmul(e, f64([4, 3], 8)))).toBe("BmmBackward0");
    expect(producer(torch.matmul(f64([3, 2, 4], 9), f64([4, 3], 8)))).toBe("MmBackward0");
    expect(gradcheck((x, y) => torch.matmul(x, y), [e, f64([4, 3], 8)])).toBe(true);
    expect(gradcheck((x, y) => torch.matmul(x, y), [f64([3, 4], 8), f64([2, 3, 4], 9).transpose(1, 2)])).toBe(true);
  });

  it("gradcheck mm, bmm, mv, dot, outer, addmm", () => {
    expect(gradcheck(torch.mm, [f64([2, 3], 1), f64([3, 4], 2)])).toBe(true);
    expect(gradcheck(torch.bmm, [f64([2, 2, 3], 1), f64([2, 3, 4], 2)])).toBe(true);
    expect(gradcheck(torch.mv, [f64([2, 3], 1), f64([3], 2)])).toBe(true);
    expect(gradcheck(torch.dot, [f64([5], 1), f64([5], 2)])).toBe(true);
    expect(gradcheck(torch.outer, [f64([3], 1), f64([2], 2)])).toBe(true);
    for (const inShape of [[2, 4], [4], [1, 4], [2, 1], []]) {
      expect(
        gradcheck((i, a, b) => torch.addmm(i, a, b, { beta: 0.7, alpha: -1.3 }), [f64(inShape, 0), f64([2, 3], 1), f64([3, 4], 2)]),
      ).toBe(true);
    }
    expect(gradcheck((i, a, b) => torch.addmm(i, a, b), [f64([2, 4], 0), f64([2, 3], 1), f64([3, 4], 2)])).toBe(true);
  });

  it("double backward through mm matches finite differences", () => {
    // s(x, y) = sum(d/dx sum((x @ y)^2)) = 2 · sum((x @ y) @ yᵀ); differentiate s w.r.t. y through the graph.
    const x = f64([2, 3], 1);
    const y = f64([3, 2], 2);
    const [gx] = torch.autograd.grad([torch.mm(x, y).pow(2).sum()], [x], undefined, { createGraph: true });
    const [gy] = torch.autograd.grad([gx!.sum()], [y]);
    const s = (yy: torch.Tensor): number => torch.mm(torch.mm(x.detach(), yy), yy.t()).sum().item() * 2;
    const yv = y.detach().clone();
    const eps = 1e-6;
    const got = gy!.toTypedArray();
    for (let i = 0; i < 6; i++) {
      const orig = yv.buf[i];
      yv.buf[i] = orig + eps;
      const plus = s(yv);
      yv.buf[i] = orig - eps;
      const minus = s(yv);
      yv.buf[i] = orig;
      expect(got[i]).toBeCloseTo((plus - minus) / (2 * eps), 5);
    }
  });

  it("batch-broadcast gradient is summed back to the operand's shape", () => {
    const a = torch.ones([1, 2, 3], { requiresGrad: true });
    const b = torch.ones([4, 3, 2], { requiresGrad: true });
    torch.matmul(a, b).sum().backward();
    expect(a.grad!.shape).toEqual([1, 2, 3]);
    expect(a.grad!.tolist()).toEqual([[[8, 8, 8], [8, 8, 8]]]);
    expect(b.grad!.shape).toEqual([4, 3, 2]);
  });

  it("saved operands are version-checked only when their gradient needs them", () => {
    const w = torch.ones([3, 2], { requiresGrad: true });
    const x = torch.ones([2, 3]);
    const y = torch.mm(x, w);
    x.mul_(2); // x is saved for w's gradient
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
    const x2 = torch.ones([2, 3], { requiresGrad: true });
    const w2 = torch.ones([3, 2]);
    const y2 = torch.mm(x2, w2);
    x2.data.mul_(2); // x2 itself is not needed for x2's gradient
    y2.sum().backward();
    expect(x2.grad!.tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
  });
});

describe("matmul family: errors with PyTorch's wording", () => {
  const t = (...s: number[]): torch.Tensor => torch.ones(s);
  it("shape errors", () => {
    expect(() => torch.matmul(t(64, 3072), t(1024, 10))).toThrow("mat1 and mat2 shapes cannot be multiplied (64x3072 and 1024x10)");
    expect(() => torch.mm(t(3), t(3, 10))).toThrow("mm: self must be a matrix");
    expect(() => torch.mm(t(3, 3), t(3))).toThrow("mm: mat2 must be a matrix");
    expect(() => torch.matmul(t(3), t(4))).toThrow(
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively",
    );
    expect(() => torch.dot(t(3, 1), t(3))).toThrow("1D tensors expected, but got 2D and 1D tensors");
    expect(() => torch.matmul(t(3, 4), t(3))).toThrow("size mismatch, got 3, 3x4,3");
    expect(() => torch.matmul(t(3), t(4, 5))).toThrow("mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)");
    expect(() => torch.matmul(t(2, 3, 4), t(3))).toThrow("size mismatch, got 6, 6x4,3");
    expect(() => torch.matmul(t(3), t(2, 4, 5))).toThrow("size mismatch, got 10, 10x4,3");
    expect(() => torch.matmul(t(2, 3, 4), t(3, 5, 6))).toThrow(
      "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    );
    expect(() => torch.matmul(t(2, 3, 4), t(2, 5, 6))).toThrow(
      "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
    );
    expect(() => torch.matmul(t(2, 3, 4), t(5, 6))).toThrow("mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)");
    expect(() => torch.matmul(torch.tensor(1), t(5, 6))).toThrow(
      "both arguments to matmul need to be at least 1D, but they are 0D and 2D",
    );
    expect(() => torch.bmm(t(2, 3), t(2, 3, 4))).toThrow("batch1 must be a 3D tensor");
    expect(() => torch.bmm(t(2, 3, 4), t(2, 3))).toThrow("batch2 must be a 3D tensor");
    expect(() => torch.bmm(t(2, 3, 4), t(3, 4, 5))).toThrow(
      "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].",
    );
    expect(() => torch.mv(t(2), t(3))).toThrow("vector + matrix @ vector expected, got 1, 1, 1");
    expect(() => torch.outer(t(2, 3), t(3))).toThrow("outer: Expected 1-D argument self, but got 2-D");
    expect(() => torch.addmm(t(3), t(2, 3), t(4, 3))).toThrow("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)");
    expect(() => torch.addmm(t(2, 2), t(2, 3, 1), t(3, 2))).toThrow("mat1 must be a matrix, got 3-D tensor");
    expect(() => torch.addmm(t(4), t(2, 3), t(3, 3))).toThrow("The expanded size of the tensor (3) must match the existing size (4)");
  });

  it("dtype errors", () => {
    const f = torch.ones([3, 3]);
    const d = torch.ones([3, 3], { dtype: "float64" });
    expect(() => torch.mm(f, d)).toThrow("mm: expected scalar type Float but found Double");
    expect(() => torch.matmul(d, f)).toThrow("expected scalar type Double but found Float");
    expect(() => torch.matmul(torch.ones(3), torch.ones([3], { dtype: "float64" }))).toThrow(
      "dot: expected both vectors to have same dtype, but found Float and Double",
    );
    expect(() => torch.bmm(torch.ones(1, 2, 3), torch.ones([1, 3, 2], { dtype: "int64" }))).toThrow(
      "expected scalar type Float but found Long",
    );
    expect(() => torch.mv(torch.ones([2, 3], { dtype: "int64" }), torch.ones(3))).toThrow("expected scalar type Long but found Float");
    const b = torch.ones([2, 2], { dtype: "bool" });
    expect(() => torch.matmul(b, b)).toThrow(`"addmm_impl_cpu_" not implemented for 'Bool'`);
    expect(() => torch.bmm(b.unsqueeze(0), b.unsqueeze(0))).toThrow(`"bmm" not implemented for 'Bool'`);
    expect(() => torch.addmm(torch.ones([2, 2], { dtype: "float64" }), torch.ones(2, 3), torch.ones(3, 2))).toThrow(
      "self and mat2 must have the same dtype",
    );
    expect(() => torch.addmm(torch.ones(2, 2), torch.ones([2, 3], { dtype: "float64" }), torch.ones(3, 2))).toThrow(
      "mat1 and mat2 must have the same dtype",
    );
    expect(() => torch.mm(f, [[1]] as any)).toThrow("mm(): argument 'mat2' must be Tensor, not Array");
  });
});
