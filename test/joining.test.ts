import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const f64 = (data: torch.NestedData): Tensor => torch.tensor(data, { dtype: "float64", requiresGrad: true });
const f32 = (data: torch.NestedData): Tensor => torch.tensor(data, { dtype: "float32" });
const gc = (fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]): void => {
  expect(torch.autograd.gradcheck(fn, inputs)).toBe(true);
};
const gradgradcheck = (fn: (x: Tensor) => Tensor, x: Tensor): void => {
  const out = fn(x);
  const v = torch.tensor(Array.from({ length: out.numel() }, (_, i) => ((i * 7) % 5) - 2), { dtype: "float64" }).reshape(out.shape);
  gc(
    (y) =>
      torch.enableGrad(() => {
        const z = y.requiresGrad ? y : y.detach().requiresGrad_(true);
        return torch.autograd.grad([fn(z).mul(fn(z))], [z], [v], { createGraph: true })[0]!;
      }),
    [x],
  );
};

describe("documented examples", () => {
  it("give the results their JSDoc states", () => {
    const l = (ts: Tensor[]): unknown[] => ts.map((t) => t.tolist());
    expect(torch.cat([torch.tensor([[1, 2]]), torch.tensor([[3, 4]])], 0).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], 1).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(l(torch.split(torch.tensor([0, 1, 2, 3, 4]), 2))).toEqual([[0, 1], [2, 3], [4]]);
    expect(l(torch.split(torch.tensor([0, 1, 2, 3, 4]), [1, 4]))).toEqual([[0], [1, 2, 3, 4]]);
    expect(l(torch.chunk(torch.tensor([0, 1, 2, 3, 4, 5]), 4))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(l(torch.unbind(torch.tensor([[1, 2], [3, 4]]), 1))).toEqual([[1, 3], [2, 4]]);
  });
});

describe("cat / stack", () => {
  it("joins along a dim with type promotion", () => {
    expect(torch.cat([torch.tensor([[1, 2]]), torch.tensor([[3, 4]])], 0).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.cat([torch.tensor([[1, 2]]), torch.tensor([[3]])], -1).tolist()).toEqual([[1, 2, 3]]);
    const mixed = torch.cat([torch.tensor([1, 2], { dtype: "int32" }), torch.tensor([true]), f32([0.5])]);
    expect(mixed.dtype).toBe("float32");
    expect(mixed.tolist()).toEqual([1, 2, 1, 0.5]);
    expect(torch.cat([torch.tensor([1], { dtype: "int32" }), torch.tensor([true])]).dtype).toBe("int32");
    expect(torch.cat([torch.zeros(2, 3), torch.zeros(0)], 1).shape).toEqual([2, 3]);
    expect(torch.cat([torch.zeros(0), torch.zeros(0)]).shape).toEqual([0]);
    expect(torch.concat([torch.zeros(1, 2), torch.ones(1, 2)]).shape).toEqual([2, 2]);
    expect(torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], 1).tolist()).toEqual([[1, 3], [2, 4]]);
    expect(torch.stack([torch.tensor(1), torch.tensor(2)]).tolist()).toEqual([1, 2]);
    expect(torch.stack([torch.zeros(3), torch.zeros(3)], -1).shape).toEqual([3, 2]);
  });

  it("reads non-contiguous inputs", () => {
    const a = f32([[1, 2, 3], [4, 5, 6]]).t();
    const b = f32([[7, 8, 9, 10, 11, 12]]).reshape(3, 2);
    expect(torch.cat([a, b], 1).tolist()).toEqual([[1, 4, 7, 8], [2, 5, 9, 10], [3, 6, 11, 12]]);
  });

  it("splits the gradient back (CatBackward0), casting to each input's dtype", () => {
    const a = torch.tensor([[1, 2]], { dtype: "float32", requiresGrad: true });
    const b = torch.tensor([[3], [4]], { dtype: "float64", requiresGrad: true }).t();
    const y = torch.cat([a, b]);
    expect(y.gradFn!.name).toBe("CatBackward0");
    expect(y.dtype).toBe("float64");
    y.mul(torch.tensor([[1, 2], [3, 4]])).sum().backward();
    expect(a.grad!.dtype).toBe("float32");
    expect(a.grad!.tolist()).toEqual([[1, 2]]);
    gc((p, q, r) => torch.cat([p, q.exp(), r], 1), [f64([[1], [2]]), f64([[3, 4], [5, 6]]), f64([[7], [8]])]);
    gc((p, q) => torch.stack([p, q.sin()], 1), [f64([1, 2, 3]), f64([4, 5, 6])]);
    gradgradcheck((p) => torch.cat([p, p.index(":", ":1")], 1), f64([[1, 2], [3, 4]]));
  });

  it("raises PyTorch's errors", () => {
    const x = torch.zeros(3, 4);
    expect(() => torch.cat([x, torch.zeros(4, 4)], 1)).toThrow(
      "Sizes of tensors must match except in dimension 1. Expected size 3 but got size 4 for tensor number 1 in the list.",
    );
    expect(() => torch.cat([x, torch.zeros(3, 4, 1)], 1)).toThrow("Tensors must have same number of dimensions: got 2 and 3");
    expect(() => torch.cat([], 0)).toThrow("expected a non-empty list of Tensors");
    expect(() => torch.cat([x, x], 2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => torch.cat([torch.tensor(1), x])).toThrow("zero-dimensional tensor (at position 0) cannot be concatenated");
    expect(() => torch.stack([])).toThrow("stack expects a non-empty TensorList");
    expect(() => torch.stack([x, torch.zeros(3, 5)])).toThrow(
      "stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [3, 5] at entry 1",
    );
    expect(() => torch.stack([x, x], 3)).toThrow("Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  });
});

describe("split / chunk / unbind", () => {
  const seq = torch.tensor([0, 1, 2, 3, 4]);
  const lists = (ts: Tensor[]): unknown[] => ts.map((t) => t.tolist());

  it("split by size or by sections, as views", () => {
    expect(lists(torch.split(seq, 2))).toEqual([[0, 1], [2, 3], [4]]);
    expect(lists(torch.split(seq, 7))).toEqual([[0, 1, 2, 3, 4]]);
    expect(lists(torch.split(seq, [1, 4]))).toEqual([[0], [1, 2, 3, 4]]);
    expect(lists(torch.split(seq, [1, 4, 0]))).toEqual([[0], [1, 2, 3, 4], []]);
    expect(torch.split(torch.zeros(0), 0).length).toBe(1);
    const parts = torch.split(torch.zeros(2, 6), 4, 1);
    expect(parts.map((p) => p.shape)).toEqual([[2, 4], [2, 2]]);
    expect(parts[1].buf).toBe(parts[0].buf);
  });

  it("chunk follows PyTorch's sizes rule (ceil(size / chunks), maybe fewer chunks)", () => {
    expect(lists(torch.chunk(seq, 3))).toEqual([[0, 1], [2, 3], [4]]);
    expect(lists(torch.chunk(torch.tensor([0, 1, 2, 3, 4, 5]), 4))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(torch.chunk(torch.zeros(0), 4).length).toBe(4);
    expect(torch.chunk(torch.zeros(2, 5), 2, -1).map((p) => p.shape)).toEqual([[2, 3], [2, 2]]);
  });

  it("unbind removes the dim", () => {
    expect(lists(torch.unbind(torch.tensor([[1, 2], [3, 4]]), 1))).toEqual([[1, 3], [2, 4]]);
    expect(torch.unbind(torch.zeros(0, 3)).length).toBe(0);
  });

  it("have PyTorch's node names and pass gradcheck (unused pieces get zeros)", () => {
    const x = torch.zeros([4, 2], { requiresGrad: true });
    expect(torch.split(x, 3)[0].gradFn!.name).toBe("SplitBackward0");
    expect(torch.split(x, [1, 3])[0].gradFn!.name).toBe("SplitWithSizesBackward0");
    expect(torch.chunk(x, 2)[1].gradFn!.name).toBe("SplitBackward0");
    expect(torch.unbind(x)[1].gradFn!.name).toBe("UnbindBackward0");
    const a = f64([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 3, 5]]);
    gc((t) => torch.split(t, 3)[1].exp(), [a]);
    gc((t) => { const [p, , q] = torch.split(t, [1, 2, 0], 1); return torch.cat([p.mul(2), q], 1); }, [a]);
    gc((t) => torch.chunk(t, 3, 1)[2].mul(torch.chunk(t, 4)[3].index(":", ":1")), [a]);
    gc((t) => { const [p, q] = torch.unbind(t, 1); return p.mul(q); }, [a]);
  });

  it("raise PyTorch's errors", () => {
    const x = torch.zeros(3, 4);
    expect(() => torch.split(x, 0)).toThrow("split_size can only be 0 if dimension size is 0, but got dimension size of 3");
    expect(() => torch.split(x, -1)).toThrow("split expects split_size be non-negative, but got split_size=-1");
    expect(() => torch.split(x, [1, 1])).toThrow(
      "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 0), but got split_sizes=[1, 1]",
    );
    expect(() => torch.split(torch.tensor(1), 1)).toThrow("split expects at least a 1-dimensional tensor");
    expect(() => torch.chunk(x, 0)).toThrow("chunk expects `chunks` to be greater than 0, got: 0");
    expect(() => torch.chunk(torch.tensor(1), 2)).toThrow("chunk expects at least a 1-dimensional tensor");
    expect(() => torch.unbind(torch.tensor(1))).toThrow("Dimension specified as 0 but tensor has no dimensions");
  });
});

describe("pad", () => {
  const row = f32([[0, 1, 2, 3]]);

  it("pads each mode as PyTorch (values checked against torch 1.13)", () => {
    expect(torch.pad(torch.tensor([[1, 2, 3]]), [1, 2]).tolist()).toEqual([[0, 1, 2, 3, 0, 0]]);
    expect(torch.pad(torch.tensor([[1, 2, 3]], { dtype: "float32" }), [2, 1], "reflect").tolist()).toEqual([[3, 2, 1, 2, 3, 2]]);
    expect(torch.pad(row, [1, 1], { value: 2.5 }).tolist()).toEqual([[2.5, 0, 1, 2, 3, 2.5]]);
    expect(torch.pad(row.long(), [1, 1], "constant", 2.5).tolist()).toEqual([[2, 0, 1, 2, 3, 2]]);
    expect(torch.pad(row, [-1, 3], "reflect").tolist()).toEqual([[1, 2, 3, 2, 1, 0]]);
    expect(torch.pad(row, [-1, 3], "replicate").tolist()).toEqual([[1, 2, 3, 3, 3, 3]]);
    expect(torch.pad(row.unsqueeze(0), [3, 2], "circular").tolist()).toEqual([[[1, 2, 3, 0, 1, 2, 3, 0, 1]]]);
    // Circular wraps around the cropped input: [0, 1, 2] here.
    expect(torch.pad(row.unsqueeze(0), [2, -1], "circular").tolist()).toEqual([[[1, 2, 0, 1, 2]]]);
    expect(torch.pad(row.unsqueeze(0), [-1, 2], "circular").tolist()).toEqual([[[1, 2, 3, 1, 2]]]);
    expect(torch.pad(row, [-3, -1]).shape).toEqual([1, 0]);
    expect(torch.pad(torch.zeros(2, 0), [1, 1]).shape).toEqual([2, 2]);
    const img = f32([[[1, 2], [3, 4]]]);
    expect(torch.pad(img, [1, 1, 1, 0], "replicate").tolist()).toEqual([[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4]]]);
    expect(torch.pad(img, [1, 0, 0, 1], "reflect").tolist()).toEqual([[[2, 1, 2], [4, 3, 4], [2, 1, 2]]]);
    expect(torch.pad(torch.zeros(1, 1, 2, 3), [1, 1, 1, 1, 0, 0], "replicate").shape).toEqual([1, 1, 4, 5]);
  });

  it("has PyTorch's node names and passes gradcheck in every mode, also second order", () => {
    const x = f64([[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]]);
    expect(torch.pad(x, [1, 1]).gradFn!.name).toBe("ConstantPadNdBackward0");
    expect(torch.pad(x, [1, 1], "reflect").gradFn!.name).toBe("ReflectionPad1DBackward0");
    expect(torch.pad(x, [1, 1, 1, 1], "replicate").gradFn!.name).toBe("ReplicationPad2DBackward0");
    gc((t) => torch.pad(t, [1, -2, 0, 2], "constant", 3).mul(2), [x]);
    gc((t) => torch.pad(t, [3, 2], "reflect"), [x]);
    gc((t) => torch.pad(t, [2, 0, 1, 2], "reflect"), [x]);
    gc((t) => torch.pad(t, [2, 5, -1, 3], "replicate"), [x]);
    gc((t) => torch.pad(t, [4, 1, 2, -1], "circular"), [x]);
    gradgradcheck((t) => torch.pad(t, [2, 1], "reflect"), x);
    gradgradcheck((t) => torch.pad(t, [-1, 2, 1, 0]), x);
  });

  it("raises PyTorch's errors (2.x wording)", () => {
    const x = f32([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(() => torch.pad(x, [1, 2, 3])).toThrow("Padding length must be divisible by 2");
    expect(() => torch.pad(x, [1, 1, 1, 1, 1, 1])).toThrow(
      "Padding length should be less than or equal to two times the input dimension but got padding length 6 and input of dimension 2",
    );
    expect(() => torch.pad(x, [-5, 0])).toThrow(
      "The input size 4, plus negative padding -5 and 0 resulted in a negative output size, which is invalid. Check dimension 1 of your input.",
    );
    expect(() => torch.pad(x, [4, 0], "reflect")).toThrow(
      "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 1 of input [3, 4]",
    );
    expect(() => torch.pad(x.unsqueeze(0), [5, 0], "circular")).toThrow("Padding value causes wrapping around more than once.");
    expect(() => torch.pad(x, [1, 1], "foo" as torch.PadMode)).toThrow("Unrecognised padding mode foo");
    expect(() => torch.pad(x, [1, 1], "reflect", 2)).toThrow('Padding mode "reflect" doesn\'t take in value argument');
    expect(() => torch.pad(torch.zeros(4), [1, 1], "replicate")).toThrow("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
    expect(() => torch.pad(x, [-2, -2], "replicate")).toThrow("input (W: 4) is too small. Calculated output W: 0");
    expect(() => torch.pad(x, [-4, 0, 1, 0])).toThrow("The input size 4, plus negative padding -4 and 0 resulted in a negative output size");
    expect(() => torch.pad(x, [-5, 3])).toThrow("negative padding -5 and 3 crops 5 elements from dimension 1 of size 4");
    expect(() => torch.pad(torch.zeros(2, 0), [1, 1], "reflect")).toThrow(
      "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: [2, 0]",
    );
  });
});
