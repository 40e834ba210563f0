import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

/** Expected values printed by PyTorch 1.13 (`tensor.tolist()`), bit for bit. */
describe("arange", () => {
  it("infers int64 from integer arguments and float32 otherwise", () => {
    const a = torch.arange(5);
    expect(a.dtype).toBe("int64");
    expect(a.tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(1, 4).tolist()).toEqual([1, 2, 3]);
    expect(torch.arange(5, 0, -1).tolist()).toEqual([5, 4, 3, 2, 1]);
    const f = torch.arange(0, 5, 1.5);
    expect(f.dtype).toBe("float32");
    expect(f.tolist()).toEqual([0, 1.5, 3, 4.5]);
    expect(torch.arange(3, { dtype: "float64" }).dtype).toBe("float64");
  });

  it("matches PyTorch's values to the last bit (vectorized blocks, fused multiply-add)", () => {
    expect(torch.arange(-3.7, 2.1, 0.3).tolist()).toEqual([
      -3.700000047683716, -3.4000000953674316, -3.1000001430511475, -2.799999952316284, -2.5, -2.200000047683716,
      -1.9000000953674316, -1.600000023841858, -1.2999999523162842, -0.9999999403953552, -0.6999999284744263,
      -0.3999999463558197, -0.09999994933605194, 0.20000004768371582, 0.5000000596046448, 0.8000000715255737,
      1.100000023841858, 1.399999976158142, 1.7000000476837158, 2.0,
    ]);
    expect(torch.arange(-3, 2, 0.3, { dtype: "float64" }).tolist()).toEqual([
      -3.0, -2.7, -2.4, -2.1, -1.8, -1.5, -1.2000000000000002, -0.9000000000000001, -0.6000000000000001,
      -0.3000000000000001, -1.1102230246251565e-16, 0.2999999999999999, 0.5999999999999999, 0.8999999999999999,
      1.1999999999999997, 1.4999999999999998, 1.7999999999999998,
    ]);
    expect(torch.arange(0, 1, 0.1).tolist()).toEqual([
      0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5, 0.6000000238418579,
      0.699999988079071, 0.800000011920929, 0.8999999761581421,
    ]);
  });

  it("integer dtypes truncate their arguments and wrap", () => {
    expect(torch.arange(0.5, 5, 1, { dtype: "int64" }).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(0, 5, 1.5, { dtype: "int64" }).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(250, 260, { dtype: "uint8" }).tolist()).toEqual([250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
  });

  it("requiresGrad and errors", () => {
    expect(torch.arange(0, 1, 0.5, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => torch.arange(5, { requiresGrad: true })).toThrow("only Tensors of floating point dtype can require gradients");
    expect(() => torch.arange(0, 5, 0)).toThrow("step must be nonzero");
    expect(() => torch.arange(0, 5, 0.5, { dtype: "int64" })).toThrow("step must be nonzero");
    expect(() => torch.arange(5, 0)).toThrow("upper bound and larger bound inconsistent with step sign");
    expect(() => torch.arange(0, Infinity)).toThrow("unsupported range: 0 -> inf");
    expect(() => torch.arange(1, 4, { dtype: "bool" })).toThrow(`"arange_cpu" not implemented for 'Bool'`);
  });
});

describe("linspace", () => {
  it("defaults to float32 and includes both ends", () => {
    const t = torch.linspace(0, 1, 5);
    expect(t.dtype).toBe("float32");
    expect(t.tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.linspace(3, 1, 1).tolist()).toEqual([3]);
    expect(torch.linspace(3, 1, 0).shape).toEqual([0]);
  });

  it("matches PyTorch's values to the last bit", () => {
    expect(torch.linspace(-1.3, 2.9, 23).tolist()).toEqual([
      -1.2999999523162842, -1.109090805053711, -0.9181817770004272, -0.7272726893424988, -0.5363636016845703,
      -0.34545451402664185, -0.15454542636871338, 0.03636360168457031, 0.22727274894714355, 0.418181836605072,
      0.6090909242630005, 0.800000011920929, 0.9909090995788574, 1.1818182468414307, 1.3727272748947144,
      1.563636302947998, 1.7545455694198608, 1.9454545974731445, 2.1363637447357178, 2.327272891998291,
      2.518181800842285, 2.7090909481048584, 2.9000000953674316,
    ]);
    expect(torch.linspace(-1.3, 2.9, 23, { dtype: "float64" }).tolist()).toEqual([
      -1.3, -1.1090909090909091, -0.9181818181818182, -0.7272727272727273, -0.5363636363636364, -0.34545454545454546,
      -0.15454545454545454, 0.036363636363636376, 0.2272727272727273, 0.4181818181818182, 0.6090909090909091, 0.8,
      0.9909090909090907, 1.1818181818181817, 1.3727272727272726, 1.5636363636363635, 1.7545454545454544,
      1.9454545454545453, 2.1363636363636362, 2.327272727272727, 2.518181818181818, 2.709090909090909, 2.9,
    ]);
    expect(torch.linspace(0, 10, 4, { dtype: "int64" }).tolist()).toEqual([0, 3, 6, 10]);
    expect(torch.linspace(-7, 3, 17, { dtype: "int64" }).tolist()).toEqual([-7, -6, -5, -5, -4, -3, -2, -2, -2, -1, 0, 0, 0, 0, 1, 1, 3]);
  });

  it("errors", () => {
    expect(() => torch.linspace(0, 1, -1)).toThrow("number of steps must be non-negative");
    expect(() => torch.linspace(0, 5, 6, { dtype: "bool" })).toThrow(`"linspace_cpu" not implemented for 'Bool'`);
  });
});

describe("eye", () => {
  it("square, rectangular, dtypes", () => {
    expect(torch.eye(3).tolist()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(torch.eye(3).dtype).toBe("float32");
    const r = torch.eye(2, 3, { dtype: "int64" });
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(torch.eye(3, 2).tolist()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(torch.eye(2, { dtype: "bool" }).tolist()).toEqual([[true, false], [false, true]]);
    expect(torch.eye(0).shape).toEqual([0, 0]);
    expect(torch.eye(2, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("errors", () => {
    expect(() => torch.eye(-1)).toThrow("n must be greater or equal to 0, got -1");
    expect(() => torch.eye(2, -1)).toThrow("m must be greater or equal to 0, got -1");
  });
});
