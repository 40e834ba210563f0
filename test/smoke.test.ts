import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

describe("smoke", () => {
  it("computes and differentiates", () => {
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: "float32", requiresGrad: true });
    const y = x.mul(x).add(torch.tensor([1, 1])).sum();
    y.backward();
    expect(y.item()).toBe(34);
    expect(x.grad!.tolist()).toEqual([[2, 4], [6, 8]]);
    expect(y.gradFn!.name).toBe("SumBackward0");
  });
  it("broadcast grads", () => {
    const a = torch.tensor([[1, 2, 3]], { dtype: "float64", requiresGrad: true });
    const b = torch.tensor([[1], [2]], { dtype: "float64", requiresGrad: true });
    torch.autograd.gradcheck((p, q) => p.mul(q).sigmoid().div(q.add(3)), [a, b]);
  });
});
