import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const rng = new Rng(20261122);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];

/** Unary ops with the input domain where both libraries are defined and differentiable. */
const UNARY: Array<[string, Partial<InputSpec>, string?]> = [
  ["neg", {}],
  ["abs", { values: "normal" }],
  ["exp", {}],
  ["expm1", {}],
  ["exp2", {}],
  ["log", { values: "positive" }],
  ["log2", { values: "positive" }],
  ["log10", { values: "positive" }],
  ["log1p", { values: "positive" }],
  ["sqrt", { values: "positive" }],
  ["rsqrt", { values: "positive" }],
  ["square", {}],
  ["reciprocal", { values: "positive" }],
  ["sin", {}],
  ["cos", {}],
  ["tan", { values: "uniform", low: -1.2, high: 1.2 }],
  ["asin", { values: "uniform", low: -0.9, high: 0.9 }],
  ["acos", { values: "uniform", low: -0.9, high: 0.9 }],
  ["atan", {}],
  ["sinh", {}],
  ["cosh", {}],
  ["tanh", {}],
  ["sigmoid", { values: "uniform", low: -8, high: 8 }],
  ["relu", {}],
  ["erf", { values: "uniform", low: -4, high: 4 }],
  ["floor", {}],
  ["ceil", {}],
  ["trunc", {}],
  ["round", { values: [0.5, 1.5, 2.5, -0.5, -1.5, 0.49, 2.51, -2.5] }],
  ["frac", {}],
  ["sign", {}],
];

const BINARY: Array<[string, string, Partial<InputSpec>, Partial<InputSpec>]> = [
  ["add", "torch.add(x0, x1)", {}, {}],
  ["sub", "torch.sub(x0, x1)", {}, {}],
  ["mul", "torch.mul(x0, x1)", {}, {}],
  ["div", "torch.div(x0, x1)", {}, { values: "positive" }],
  ["pow", "torch.pow(x0, x1)", { values: "positive" }, { values: "uniform", low: -2, high: 2 }],
  ["maximum", "torch.maximum(x0, x1)", { values: "ties" }, { values: "ties" }],
  ["minimum", "torch.minimum(x0, x1)", { values: "ties" }, { values: "ties" }],
  ["atan2", "torch.atan2(x0, x1)", {}, {}],
  ["remainder", "torch.remainder(x0, x1)", { values: "uniform", low: -5, high: 5 }, { values: "positive", low: 0.7 }],
  ["fmod", "torch.fmod(x0, x1)", { values: "uniform", low: -5, high: 5 }, { values: "positive", low: 0.7 }],
];

const COMPARE = ["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"];
const PY: Record<string, string> = { logicalAnd: "logical_and", logicalOr: "logical_or", logicalXor: "logical_xor" };

/** Two shapes that broadcast together (sometimes equal, sometimes with 1s and missing leading dims). */
function broadcastPair(): [number[], number[]] {
  const nd = rng.int(0, 4);
  const a = rng.shape(nd, 1, 4);
  const b = a.map((s) => (rng.bool(0.3) ? 1 : s));
  const drop = rng.int(0, nd);
  const bb = b.slice(drop);
  return rng.bool() ? [a, bb] : [bb, a];
}

function unaryCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const [name, spec] of UNARY) {
    const fixed = Array.isArray(spec.values);
    for (let k = 0; k < (fixed ? 1 : 8); k++) {
      const dtype: DType = rng.pick(["float32", "float32", "float64"]);
      const shape = fixed ? [(spec.values as number[]).length] : rng.shape(rng.int(0, 3), 0, 5);
      const layout = rng.pick(LAYOUTS);
      cases.push({
        name: `${name} ${dtype} ${JSON.stringify(shape)} ${layout}`,
        inputs: [{ ...spec, shape, dtype, layout }],
        ts: (x) => (torch as any)[name](x),
        py: `torch.${name}(x0)`,
      });
    }
  }
  // Integer inputs: float-valued ops promote to float32, the others keep the dtype.
  for (const name of ["neg", "abs", "exp", "sqrt", "sigmoid", "relu", "sign", "floor", "square"]) {
    const dtype: DType = rng.pick(["int32", "int64", "uint8"]);
    cases.push({
      name: `${name} ${dtype}`,
      inputs: [{ shape: [2, 3], dtype, values: "int", low: 0, high: 9 }],
      ts: (x) => (torch as any)[name](x),
      py: `torch.${name}(x0)`,
    });
  }
  return cases;
}

function binaryCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const [name, py, sa, sb] of BINARY) {
    for (let k = 0; k < 14; k++) {
      const [shA, shB] = broadcastPair();
      const da: DType = rng.pick(["float32", "float32", "float64"]);
      const db: DType = rng.pick(["float32", "float64", da]);
      cases.push({
        name: `${name} ${da}${JSON.stringify(shA)} ${db}${JSON.stringify(shB)}`,
        inputs: [
          { ...sa, shape: shA, dtype: da, layout: rng.pick(LAYOUTS) },
          { ...sb, shape: shB, dtype: db, layout: rng.pick(LAYOUTS) },
        ],
        ts: (a, b) => (torch as any)[name](a, b),
        py,
      });
    }
    // A Python scalar operand keeps the tensor's dtype. (PyTorch's maximum/minimum/atan2 take tensors only.)
    if (["maximum", "minimum", "atan2"].includes(name)) continue;
    const s = name === "pow" ? 1.5 : name === "remainder" || name === "fmod" || name === "div" ? 1.75 : -0.75;
    cases.push({
      name: `${name} tensor-scalar`,
      inputs: [{ ...sa, shape: [3, 2] }],
      ts: (a) => (torch as any)[name](a, s),
      py: py.replace("x1", String(s)),
    });
  }
  // Integer arithmetic and mixed promotion.
  const pairs: Array<[DType, DType]> = [["int32", "int64"], ["uint8", "int32"], ["int64", "float32"], ["bool", "int32"], ["uint8", "float64"], ["int32", "int32"]];
  for (const [da, db] of pairs) {
    for (const name of ["add", "sub", "mul", "div", "maximum"]) {
      const boolSub = name === "sub" && (da === "bool" || db === "bool");
      cases.push({
        expectError: boolSub ? /Subtraction, the `-` operator, with a bool tensor is not supported/ : undefined,
        name: `${name} ${da} ${db}`,
        inputs: [
          { shape: [2, 3], dtype: da, values: da === "bool" ? "bool" : "int", low: 1, high: 9 },
          { shape: [3], dtype: db, values: db === "bool" ? "bool" : "int", low: 1, high: 9 },
        ],
        ts: (a, b) => (torch as any)[name](a, b),
        py: `torch.${name}(x0, x1)`,
      });
    }
  }
  for (const name of COMPARE) {
    for (let k = 0; k < 8; k++) {
      const [shA, shB] = broadcastPair();
      const dtype: DType = rng.pick(["float32", "int64", "bool"]);
      cases.push({
        name: `${name} ${dtype} ${JSON.stringify(shA)} ${JSON.stringify(shB)}`,
        inputs: [
          { shape: shA, dtype, values: dtype === "bool" ? "bool" : "ties", requiresGrad: false },
          { shape: shB, dtype, values: dtype === "bool" ? "bool" : "ties", requiresGrad: false },
        ],
        ts: (a, b) => (torch as any)[name](a, b),
        py: `torch.${PY[name] ?? name}(x0, x1)`,
      });
    }
  }
  return cases;
}

function miscCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 30; k++) {
    const [shA, shB] = broadcastPair();
    cases.push({
      name: `where ${JSON.stringify(shA)} ${JSON.stringify(shB)}`,
      inputs: [
        { shape: shA, dtype: "bool", values: "bool" },
        { shape: shA, layout: rng.pick(LAYOUTS) },
        { shape: shB, dtype: rng.pick(["float32", "float64"]) },
      ],
      ts: (c, a, b) => torch.where(c, a, b),
      py: "torch.where(x0, x1, x2)",
    });
  }
  for (let k = 0; k < 30; k++) {
    const lo = rng.bool(0.8) ? rng.uniform(-1, 0) : null;
    const hi = lo === null || rng.bool(0.8) ? rng.uniform(0, 1) : null;
    const shape = rng.shape(rng.int(1, 3));
    cases.push({
      name: `clamp ${lo} ${hi} ${JSON.stringify(shape)}`,
      inputs: [{ shape, layout: rng.pick(LAYOUTS) }],
      ts: (x) => torch.clamp(x, lo, hi),
      py: `torch.clamp(x0, ${lo ?? "None"}, ${hi ?? "None"})`,
    });
  }
  // NaN and infinities flow through forward ops as in PyTorch.
  for (const name of ["exp", "tanh", "sigmoid", "relu", "abs", "floor", "sign", "isnan", "isinf", "isfinite"]) {
    cases.push({
      name: `${name} special values`,
      inputs: [{ shape: [40], values: "special", requiresGrad: false }],
      ts: (x) => (torch as any)[name](x),
      py: `torch.${name}(x0)`,
    });
  }
  for (const name of ["maximum", "minimum", "add", "mul"]) {
    cases.push({
      name: `${name} special values`,
      inputs: [{ shape: [40], values: "special", requiresGrad: false }, { shape: [40], values: "special", requiresGrad: false }],
      ts: (a, b) => (torch as any)[name](a, b),
      py: `torch.${name}(x0, x1)`,
    });
  }
  // Stable extremes: sigmoid and exp-based ops at ±400 stay finite where PyTorch's do.
  cases.push({
    name: "sigmoid extremes",
    inputs: [{ shape: [6], values: [-400, -100, -20, 20, 100, 400] }],
    ts: (x) => torch.sigmoid(x),
    py: "torch.sigmoid(x0)",
  });
  // Shape errors raise in both libraries.
  cases.push({
    name: "add broadcast error",
    inputs: [{ shape: [2, 3] }, { shape: [4] }],
    ts: (a, b) => torch.add(a, b),
    py: "torch.add(x0, x1)",
    expectError: /The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/,
  });
  return cases;
}

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every unary op as a tensor method and as its in-place `_` form on a tensor with history; binary methods. */
function methodCases(): DiffCase[] {
  const r = new Rng(20261207);
  const cases: DiffCase[] = [];
  const call = (t: torch.Tensor, name: string, ...args: unknown[]): torch.Tensor =>
    (t as unknown as Record<string, (...a: unknown[]) => torch.Tensor>)[name](...args);
  for (const [name, spec] of UNARY) {
    for (const inplace of [false, true]) {
      const shape = r.shape(r.int(1, 3), 1, 4);
      const dtype: DType = r.pick(["float32", "float64"]);
      const py = snake(name);
      cases.push({
        name: `${name}${inplace ? "_" : ""} method ${JSON.stringify(shape)} ${dtype}`,
        inputs: [{ ...spec, shape: Array.isArray(spec.values) ? [spec.values.length] : shape, dtype, layout: r.pick(LAYOUTS) } as InputSpec],
        ts: inplace ? (x) => call(x.mul(1), `${name}_`).mul(2) : (x) => call(x, name),
        py: inplace ? `out = x0.mul(1)\nout.${py}_()\nout = out.mul(2)` : `x0.${py}()`,
      });
    }
  }
  for (const name of ["isinf", "isfinite", "isnan", "logicalNot"]) {
    cases.push({
      name: `${name} method on special values`,
      inputs: [{ shape: [6], values: "special" }],
      ts: (x) => call(x, name),
      py: `x0.${snake(name)}()`,
    });
  }
  cases.push({
    name: "logicalNot_ keeps a float tensor's dtype",
    inputs: [{ shape: [5], values: [0, 2, -0, 1.5, 0] }],
    ts: (x) => call(x.mul(1), "logicalNot_"),
    py: "out = x0.mul(1)\nout.logical_not_()",
  });
  const binaries: Array<[string, Partial<InputSpec>, Partial<InputSpec>, boolean]> = [
    ["atan2", {}, {}, true],
    ["fmod", { values: "uniform", low: -5, high: 5 }, { values: "positive", low: 0.7 }, true],
    ["remainder", { values: "uniform", low: -5, high: 5 }, { values: "positive", low: 0.7 }, true],
    // PyTorch has no derivative for floor_divide: compared without gradients.
    ["floorDivide", { values: "uniform", low: -5, high: 5, requiresGrad: false }, { values: "positive", low: 0.7, requiresGrad: false }, true],
    ["logicalXor", { values: "bool" }, { values: "bool" }, false],
  ];
  for (const [name, sa, sb, hasInplace] of binaries) {
    for (const inplace of hasInplace ? [false, true] : [false]) {
      const shape = r.shape(r.int(1, 3), 1, 4);
      const other = shape.map((d) => (r.bool(0.3) ? 1 : d));
      const dtype: DType = name === "logicalXor" ? "bool" : r.pick(["float32", "float64"]);
      const py = snake(name);
      cases.push({
        name: `${name}${inplace ? "_" : ""} method ${JSON.stringify(shape)} ${JSON.stringify(other)} ${dtype}`,
        inputs: [{ ...sa, shape, dtype, layout: r.pick(LAYOUTS) } as InputSpec, { ...sb, shape: other, dtype } as InputSpec],
        ts: inplace ? (x, y) => call(x.mul(1), `${name}_`, y) : (x, y) => call(x, name, y),
        py: inplace ? `out = x0.mul(1)\nout.${py}_(x1)` : `x0.${py}(x1)`,
      });
    }
  }
  return cases;
}

/** `torch.clamp` with tensor bounds: broadcasting, promotion, min > max, and gradients of x, min and max. */
function clampTensorCases(): DiffCase[] {
  const r = new Rng(20261208);
  const cases: DiffCase[] = [];
  const kinds = ["both", "min", "max", "min number", "max number"] as const;
  for (let k = 0; k < 40; k++) {
    const kind = kinds[k % kinds.length];
    const shape = r.shape(r.int(0, 3), 1, 4);
    const bshape = shape.slice(r.int(0, shape.length)).map((d) => (r.bool(0.3) ? 1 : d));
    const dtype: DType = r.pick(["float32", "float64"]);
    const bdtype: DType = r.pick(["float32", "float64", "int64"]);
    const layout = r.pick(LAYOUTS);
    const bound = (): InputSpec =>
      bdtype === "int64" ? { shape: bshape, dtype: "int64", values: "int", low: -1, high: 1 } : { shape: bshape, dtype: bdtype, values: "uniform", low: -1, high: 1, layout };
    const x: InputSpec = { shape, dtype, values: "uniform", low: -2, high: 2, layout };
    const method = k % 2 === 0;
    if (kind === "both") {
      cases.push({
        name: `clamp(x, min, max) ${JSON.stringify(shape)} ${JSON.stringify(bshape)} ${dtype}/${bdtype}`,
        inputs: [x, bound(), bound()],
        ts: method ? (a, lo, hi) => a.clamp(lo, hi) : (a, lo, hi) => torch.clamp(a, lo, hi),
        py: "torch.clamp(x0, x1, x2)",
      });
    } else if (kind === "min" || kind === "max") {
      cases.push({
        name: `clamp(x, ${kind}=t) ${JSON.stringify(shape)} ${JSON.stringify(bshape)} ${dtype}/${bdtype}`,
        inputs: [x, bound()],
        ts: kind === "min" ? (a, b) => torch.clamp(a, b) : (a, b) => torch.clamp(a, null, b),
        py: `torch.clamp(x0, ${kind}=x1)`,
      });
    } else {
      const v = r.int(-4, 4) / 4;
      cases.push({
        name: `clamp(x, ${kind === "min number" ? `${v}, t` : `t, ${v}`}) ${JSON.stringify(shape)} ${JSON.stringify(bshape)} ${dtype}/${bdtype}`,
        inputs: [x, bound()],
        ts: kind === "min number" ? (a, b) => torch.clamp(a, v, b) : (a, b) => torch.clamp(a, b, v),
        py: kind === "min number" ? `torch.clamp(x0, torch.tensor(${v}), x1)` : `torch.clamp(x0, x1, torch.tensor(${v}))`,
      });
    }
  }
  cases.push({
    name: "clamp with min > max gives max",
    inputs: [{ shape: [4] }, { shape: [4], values: [1, 1, 1, 1] }, { shape: [4], values: [0, 0, 2, 2] }],
    ts: (a, lo, hi) => torch.clamp(a, lo, hi),
    py: "torch.clamp(x0, x1, x2)",
  });
  cases.push({
    name: "clamp with NaN in x or the bounds",
    inputs: [{ shape: [6], values: "special" }, { shape: [6], values: [0, NaN, -1, -1, -1, 0] }, { shape: [6], values: [1, 1, NaN, 1, 1, 1] }],
    ts: (a, lo, hi) => torch.clamp(a, lo, hi),
    py: "torch.clamp(x0, x1, x2)",
  });
  cases.push({
    name: "clamp_ with tensor bounds on a tensor with history",
    inputs: [{ shape: [3, 4] }, { shape: [4], values: "uniform", low: -1, high: 0 }, { shape: [3, 1], values: "uniform", low: 0, high: 1 }],
    ts: (a, lo, hi) => a.mul(2).clamp_(lo, hi).mul(3),
    py: "out = x0.mul(2)\nout.clamp_(x1, x2)\nout = out.mul(3)",
  });
  cases.push({
    name: "clamp_ cannot broadcast beyond self",
    inputs: [{ shape: [4] }, { shape: [3, 4] }],
    ts: (a, lo) => a.mul(1).clamp_(lo),
    py: "x0.mul(1).clamp_(x1)",
    expectError: /doesn't match the broadcast shape/,
  });
  return cases;
}

describe("elementwise ops match PyTorch", () => {
  it("unary", async () => {
    expectClean(await runDifferential("elementwise-unary", unaryCases()), 200);
  });
  it("binary and comparison", async () => {
    expectClean(await runDifferential("elementwise-binary", binaryCases()), 200);
  });
  it("tensor methods and their in-place forms", async () => {
    expectClean(await runDifferential("elementwise-methods", methodCases()), 70);
  });
  it("clamp with tensor bounds", async () => {
    expectClean(await runDifferential("clamp-tensor", clampTensorCases()), 44);
  });
  it("where, clamp, special values", async () => {
    expectClean(await runDifferential("elementwise-misc", miscCases()), 60);
  });
});
