import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

describe("torch.tensor", () => {
  it("infers dtypes as PyTorch does", () => {
    expect(torch.tensor([1, 2]).dtype).toBe("int64");
    expect(torch.tensor([1, 2.5]).dtype).toBe("float32");
    expect(torch.tensor([true, false]).dtype).toBe("bool");
    expect(torch.tensor(3).shape).toEqual([]);
    expect(torch.tensor([]).shape).toEqual([0]);
    expect(torch.tensor([]).dtype).toBe("float32");
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(torch.tensor([[1, 2], [3, 4]], { dtype: "uint8" }).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.tensor([NaN, Infinity]).dtype).toBe("float32");
  });

  it("rejects ragged and non-numeric data with PyTorch's wording", () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow("expected sequence of length 2 at dim 1 (got 1)");
    expect(() => torch.tensor(["a"] as any)).toThrow("could not infer dtype of string");
    expect(() => torch.tensor([1], { dtype: "float16" as any })).toThrow('unknown dtype "float16"');
    expect(() => torch.tensor([NaN], { dtype: "int64" })).toThrow("cannot convert a non-finite value to integer dtype int64");
  });

  it("casts values into the storage type", () => {
    expect(torch.tensor([1.7, -1.7], { dtype: "int32" }).tolist()).toEqual([1, -1]);
    expect(torch.tensor([300, -1], { dtype: "uint8" }).tolist()).toEqual([44, 255]);
    expect(torch.tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(torch.tensor([2, 0]).to("bool").tolist()).toEqual([true, false]);
  });

  it("creation helpers take sizes as varargs or a list", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.ones([2, 3], { dtype: "float64" }).dtype).toBe("float64");
    expect(torch.full([2], 7).dtype).toBe("int64");
    expect(torch.full([2], 0.5).tolist()).toEqual([0.5, 0.5]);
    expect(torch.zerosLike(torch.ones(3, { dtype: "int32" })).dtype).toBe("int32");
    expect(() => torch.zeros(-1)).toThrow("negative or non-integer dimension");
  });

  it("item() only for one element", () => {
    expect(() => torch.ones(2).item()).toThrow("a Tensor with 2 elements cannot be converted to Scalar");
    expect(torch.ones(1, 1).item()).toBe(1);
  });

  it("size(), stride(), dim() with negative dims", () => {
    const x = torch.zeros(2, 3, 4);
    expect(x.size(-1)).toBe(4);
    expect(x.stride()).toEqual([12, 4, 1]);
    expect(x.dim()).toBe(3);
    expect(() => x.size(3)).toThrow("Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  });

  it("toTypedArray gives the storage for a contiguous tensor and a copy otherwise", () => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: "float32" });
    expect(x.toTypedArray()).toBe(x.buf);
    expect(Array.from(x.t().toTypedArray())).toEqual([1, 3, 2, 4]);
  });
});

describe("type promotion", () => {
  const cases: Array<[torch.Tensor, torch.Tensor | number | boolean, torch.DType]> = [
    [torch.tensor([1, 2], { dtype: "int32" }), torch.tensor([1, 2], { dtype: "int64" }), "int64"],
    [torch.tensor([1, 2], { dtype: "int32" }), 2.5, "float32"],
    [torch.tensor([1, 2], { dtype: "int32" }), 2, "int32"],
    [torch.tensor([1, 2], { dtype: "uint8" }), torch.tensor(5, { dtype: "int64" }), "uint8"],
    [torch.tensor([1, 2], { dtype: "float32" }), torch.tensor(5, { dtype: "float64" }), "float32"],
    [torch.tensor([1, 2], { dtype: "int64" }), torch.tensor(5.5, { dtype: "float64" }), "float64"],
    [torch.tensor([true]), torch.tensor([1], { dtype: "uint8" }), "uint8"],
    [torch.tensor([true]), true, "bool"],
    [torch.tensor([true]), 3, "int64"],
  ];
  it.each(cases.map((c, i) => [i, ...c] as const))("case %i", (_i, a, b, want) => {
    expect(torch.add(a, b).dtype).toBe(want);
  });
  it("true division of integers gives float32; comparisons give bool", () => {
    expect(torch.div(torch.tensor([1, 2]), 2).tolist()).toEqual([0.5, 1]);
    expect(torch.lt(torch.tensor([1, 2]), 1.5).dtype).toBe("bool");
    expect(torch.div(torch.tensor([7, -7]), 2, { roundingMode: "floor" }).tolist()).toEqual([3, -4]);
    expect(torch.div(torch.tensor([7, -7]), 2, { roundingMode: "trunc" }).tolist()).toEqual([3, -3]);
  });
  it("integer division by zero is an error, float division is not", () => {
    expect(() => torch.floorDivide(torch.tensor([1]), 0)).toThrow("ZeroDivisionError");
    expect(torch.div(torch.tensor([1.5]), 0).item()).toBe(Infinity);
  });
});

describe("int64 storage", () => {
  it("never holds -0 or fractions", () => {
    const z = torch.tensor([0, 3]).neg();
    expect(Object.is(z.tolist()[0], 0)).toBe(true);
    expect(Object.is(torch.tensor([-0.5]).to("int64").item(), 0)).toBe(true);
    expect(Object.is(torch.tensor([-0.5], { dtype: "int64" }).item(), 0)).toBe(true);
    expect(torch.tensor([7]).mul(-1).mul(0).tolist().map((v: number) => Object.is(v, 0))).toEqual([true]);
  });
});
