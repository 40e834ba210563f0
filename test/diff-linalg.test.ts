import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const rng = new Rng(20261125);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

function spec(shape: number[], dtype: DType, requiresGrad?: boolean): InputSpec {
  const floating = dtype === "float32" || dtype === "float64";
  return {
    shape,
    dtype,
    layout: rng.pick(LAYOUTS),
    ...(floating ? { requiresGrad: requiresGrad ?? true } : { values: "int" as const, low: -4, high: 4 }),
  };
}

/**
 * A matrix dim: mostly small, sometimes 0; in "big" cases mostly 20-70, so the product takes the packed,
 * blocked kernel path (over 32³ multiply-adds) with partial edge strips.
 */
function dimSize(big: boolean): number {
  const r = rng.next();
  if (r < 0.04) return 0;
  if (big && r < 0.8) return rng.int(20, 70);
  return rng.int(1, 6);
}

function dtypeChoice(big: boolean): DType {
  // Large float32 products differ from PyTorch's float32 accumulation by more than the default tolerance
  // (the error grows with K); they run in float64, where both sides are exact to ~1e-15.
  if (big) return rng.pick<DType>(["float64", "float64", "int64"]);
  return rng.pick<DType>(["float32", "float32", "float64", "float64", "int64", "int32"]);
}

function matmulCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 240; k++) {
    const big = rng.bool(0.3);
    const d1 = rng.int(1, 4);
    const d2 = rng.int(1, 4);
    const [n, m, p] = [dimSize(big), dimSize(big), dimSize(big)];
    const batch = rng.shape(Math.max(d1, d2) - 2 > 0 ? rng.int(0, 2) : 0, 1, 3);
    // Each operand takes a suffix of the output batch, with some dims squeezed to 1 (broadcast).
    const batchOf = (nd: number): number[] => {
      const need = Math.max(nd - 2, 0);
      const full = [...Array.from({ length: Math.max(need - batch.length, 0) }, () => rng.int(1, 3)), ...batch];
      return full.slice(full.length - need).map((s) => (rng.bool(0.3) ? 1 : s));
    };
    const sa = d1 === 1 ? [m] : [...batchOf(d1), n, m];
    let sb = d2 === 1 ? [m] : [...batchOf(d2), m, p];
    const mismatch = rng.bool(0.05);
    if (mismatch) sb = d2 === 1 ? [m + 1] : [...sb.slice(0, -2), m + 1, p];
    const dtype = dtypeChoice(big);
    const ga = rng.bool(0.8);
    const gb = rng.bool(0.8) || !ga;
    cases.push({
      name: `matmul ${dtype} ${JSON.stringify(sa)} @ ${JSON.stringify(sb)} grads=${ga},${gb}`,
      inputs: [spec(sa, dtype, ga), spec(sb, dtype, gb)],
      ts: (a, b) => torch.matmul(a, b),
      py: "torch.matmul(x0, x1)",
      ...(mismatch ? { expectError: true as const } : {}),
    });
  }
  // Batch dims that cannot broadcast, and mixed dtypes, fail in both.
  cases.push({
    name: "matmul batch mismatch",
    inputs: [spec([2, 3, 4], "float32"), spec([3, 4, 5], "float32")],
    ts: (a, b) => torch.matmul(a, b),
    py: "torch.matmul(x0, x1)",
    expectError: /The size of tensor a \(2\) must match the size of tensor b \(3\)/,
  });
  cases.push({
    name: "matmul float32 @ float64",
    inputs: [spec([2, 3], "float32"), spec([3, 4], "float64")],
    ts: (a, b) => torch.matmul(a, b),
    py: "torch.matmul(x0, x1)",
    expectError: /expected scalar type Float but found Double/,
  });
  // A few large float32 products: rounding differs by the accumulation order only.
  for (const [n, m, p] of [[33, 65, 17], [64, 128, 64], [5, 300, 9]]) {
    cases.push({
      name: `matmul float32 large ${n}x${m} @ ${m}x${p}`,
      inputs: [spec([n, m], "float32"), spec([m, p], "float32")],
      ts: (a, b) => torch.matmul(a, b),
      py: "torch.matmul(x0, x1)",
      // PyTorch sums K products in float32, torch-ts in float64: |error| ≲ K·2^-24·Σ|a||b| ≈ 2e-5·√K here.
      atol: 2e-5 * Math.sqrt(m),
      rtol: 1e-4,
    });
  }
  return cases;
}

function familyCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 30; k++) {
    const big = rng.bool(0.3);
    const [n, m, p] = [dimSize(big), dimSize(big), dimSize(big)];
    const dtype = dtypeChoice(big);
    cases.push({
      name: `mm ${dtype} [${n},${m}] @ [${m},${p}]`,
      inputs: [spec([n, m], dtype), spec([m, p], dtype)],
      ts: (a, b) => torch.mm(a, b),
      py: "torch.mm(x0, x1)",
    });
    const bs = rng.int(0, 3);
    cases.push({
      name: `bmm ${dtype} [${bs},${n},${m}] @ [${bs},${m},${p}]`,
      inputs: [spec([bs, n, m], dtype), spec([bs, m, p], dtype)],
      ts: (a, b) => torch.bmm(a, b),
      py: "torch.bmm(x0, x1)",
    });
    cases.push({
      name: `mv ${dtype} [${n},${m}] @ [${m}]`,
      inputs: [spec([n, m], dtype), spec([m], dtype)],
      ts: (a, b) => torch.mv(a, b),
      py: "torch.mv(x0, x1)",
    });
    cases.push({
      name: `dot ${dtype} [${m}]`,
      inputs: [spec([m], dtype), spec([m], dtype)],
      ts: (a, b) => torch.dot(a, b),
      py: "torch.dot(x0, x1)",
    });
    const dt2 = rng.pick<DType>(["float32", "float64", "int64"]);
    cases.push({
      name: `outer ${dtype}×${dt2} [${n}] [${p}]`,
      inputs: [spec([n], dtype), spec([p], dt2)],
      ts: (a, b) => torch.outer(a, b),
      py: "torch.outer(x0, x1)",
    });
    const floatDt: DType = rng.pick(["float32", "float64"]);
    const inShape = rng.pick([[n, p], [p], [1, p], [n, 1], []]);
    const beta = rng.pick([1, 0.5, 0, -2]);
    const alpha = rng.pick([1, 2, -0.3]);
    cases.push({
      name: `addmm ${floatDt} input${JSON.stringify(inShape)} [${n},${m}]@[${m},${p}] beta=${beta} alpha=${alpha}`,
      inputs: [spec(inShape, floatDt), spec([n, m], floatDt), spec([m, p], floatDt)],
      ts: (i, a, b) => torch.addmm(i, a, b, { beta, alpha }),
      py: `torch.addmm(x0, x1, x2, beta=${beta}, alpha=${alpha})`,
      ...(big && floatDt === "float32" ? { atol: 2e-5 * Math.sqrt(m + 1) } : {}),
    });
  }
  // Errors PyTorch raises for the primitives, same inputs on both sides.
  const errors: Array<[string, number[], number[], string, RegExp]> = [
    ["mm", [2, 3], [4, 5], "torch.mm(x0, x1)", /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/],
    ["bmm", [2, 3], [2, 3, 4], "torch.bmm(x0, x1)", /batch1 must be a 3D tensor/],
    ["bmm", [2, 3, 4], [3, 4, 5], "torch.bmm(x0, x1)", /Expected size for first two dimensions of batch2 tensor/],
    ["mv", [2, 3], [4], "torch.mv(x0, x1)", /size mismatch, got 2, 2x3,4/],
    ["dot", [3], [4], "torch.dot(x0, x1)", /inconsistent tensor size/],
    ["outer", [2, 3], [3], "torch.outer(x0, x1)", /Expected 1-D argument self, but got 2-D/],
  ];
  for (const [op, sa, sb, py, re] of errors) {
    cases.push({
      name: `${op} error ${JSON.stringify(sa)} ${JSON.stringify(sb)}`,
      inputs: [spec(sa, "float32"), spec(sb, "float32")],
      ts: (a, b) => (torch as any)[op](a, b),
      py,
      expectError: re,
    });
  }
  return cases;
}

describe("matmul family vs PyTorch", () => {
  it("matmul: every rank combination, batch broadcasting, layouts, dtypes", async () => {
    expectClean(await runDifferential("matmul", matmulCases()), 240);
  });
  it("mm, bmm, mv, dot, outer, addmm", async () => {
    expectClean(await runDifferential("matmul-family", familyCases()), 180);
  });
});
