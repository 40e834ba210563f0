import { describe, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType } from "../src/dtype.js";
import { type DiffCase, type InputSpec, type Layout, type Values, Rng, expectClean, runDifferential } from "./oracle/differential.js";

const rng = new Rng(20261123);
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided", "offset"];
const INT_DTYPES: DType[] = ["int32", "int64", "uint8"];

/** A dim argument as both libraries spell it: omitted, one (maybe negative) dim, or a list. */
interface DimChoice {
  ts: number | number[] | undefined;
  py: string | null;
  /** The normalized dims reduced (every dim when omitted). */
  dims: number[];
}

function dimChoice(ndim: number, allowList: boolean, allowNone = true): DimChoice {
  const all = Array.from({ length: ndim }, (_, i) => i);
  const r = rng.next();
  if ((allowNone && r < 0.2) || ndim === 0) {
    if (ndim === 0 && !(allowNone && r < 0.5)) {
      const d = rng.pick([0, -1]);
      return { ts: d, py: String(d), dims: [] };
    }
    return { ts: undefined, py: null, dims: all };
  }
  const spell = (d: number): number => (rng.bool(0.4) ? d - ndim : d);
  if (!allowList || r < 0.55) {
    const d = rng.int(0, ndim - 1);
    const spelled = spell(d);
    return { ts: spelled, py: String(spelled), dims: [d] };
  }
  const picked = all.filter(() => rng.bool(0.5));
  if (picked.length === 0) picked.push(rng.int(0, ndim - 1));
  // Shuffled order: the result must not depend on it.
  for (let i = picked.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  const list = picked.map(spell);
  return { ts: list, py: `(${list.join(", ")},)`, dims: picked };
}

function randomShape(maxNd = 4, allowEmpty = true): number[] {
  const nd = rng.int(0, maxNd);
  return Array.from({ length: nd }, () => (allowEmpty && rng.bool(0.06) ? 0 : rng.int(1, 4)));
}

function floatSpec(shape: number[], values: Values = "normal"): InputSpec {
  return { shape, dtype: rng.pick<DType>(["float32", "float32", "float64"]), layout: rng.pick(LAYOUTS), values };
}

const kw = (name: string, v: boolean): string => `${name}=${v ? "True" : "False"}`;
const reducedEmpty = (shape: number[], dims: number[]): boolean => dims.some((d) => shape[d] === 0) || (dims.length === shape.length && shape.includes(0));

/** sum, mean, prod, logsumexp, amax, amin: the simple `(x, dim, keepdim)` reductions. */
function simpleCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const ops: Array<{ name: string; list: boolean; none: boolean; values: Values[]; ints: boolean; empty: "ok" | "error" }> = [
    { name: "sum", list: true, none: true, values: ["normal", "special"], ints: true, empty: "ok" },
    { name: "mean", list: true, none: true, values: ["normal", "special"], ints: false, empty: "ok" },
    // PyTorch 1.13's prod takes one int dim. "ties" draws many zeros: the gradient's hard case.
    { name: "prod", list: false, none: true, values: ["ties", "normal"], ints: true, empty: "ok" },
    { name: "logsumexp", list: true, none: false, values: ["normal", "special"], ints: true, empty: "ok" },
    { name: "amax", list: true, none: true, values: ["ties", "normal", "special"], ints: true, empty: "error" },
    { name: "amin", list: true, none: true, values: ["ties", "normal", "special"], ints: true, empty: "error" },
  ];
  for (const op of ops) {
    for (let k = 0; k < 40; k++) {
      const shape = randomShape();
      const dim = dimChoice(shape.length, op.list, op.none);
      // PyTorch 1.13's prod has no (input, keepdim) form to compare a full keepdim reduction with.
      const keepdim = op.name === "prod" && dim.py === null ? false : rng.bool();
      const useInt = op.ints && rng.bool(0.2);
      const values = rng.pick(op.values);
      const spec: InputSpec = useInt
        ? { shape, dtype: rng.pick(INT_DTYPES), values: "int", low: 0, high: 4, layout: rng.pick(LAYOUTS) }
        : floatSpec(shape, values);
      const empty = reducedEmpty(shape, dim.dims) && shape.length > 0;
      const ts = (x: torch.Tensor): torch.Tensor => (torch as any)[op.name](x, dim.ts, keepdim);
      const py = dim.py === null && !keepdim ? `torch.${op.name}(x0)` : `torch.${op.name}(x0, ${dim.py ?? "()"}, ${kw("keepdim", keepdim)})`;
      cases.push({
        name: `${op.name} ${spec.dtype}${JSON.stringify(shape)} dim=${JSON.stringify(dim.ts)} keepdim=${keepdim} ${values} ${spec.layout}`,
        inputs: [spec],
        ts,
        py,
        expectError: empty && op.empty === "error" ? /Expected reduction dim/ : undefined,
      });
    }
  }
  return cases;
}

/** var, std, var_mean, std_mean with correction / unbiased spellings. */
function momentCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const names: Array<[string, string]> = [["var", "var"], ["std", "std"], ["varMean", "var_mean"], ["stdMean", "std_mean"]];
  for (const [ts, py] of names) {
    for (let k = 0; k < 30; k++) {
      const shape = randomShape(3);
      const dim = dimChoice(shape.length, true);
      const keepdim = rng.bool();
      const form = rng.int(0, 2);
      const correction = rng.pick([0, 1, 1, 2]);
      const unbiased = rng.bool();
      const count = dim.dims.reduce((a, d) => a * shape[d], 1);
      const values: Values = rng.bool(0.15) ? "special" : rng.bool(0.2) ? "ties" : "normal";
      const spec = floatSpec(shape, values);
      const pyDim = dim.py ?? "None";
      let tsCall: (x: torch.Tensor) => any;
      let pyCall: string;
      if (form === 0) {
        tsCall = (x) => (torch as any)[ts](x, dim.ts ?? null, { correction, keepdim });
        pyCall = `torch.${py}(x0, ${pyDim}, correction=${correction}, ${kw("keepdim", keepdim)})`;
      } else if (form === 1) {
        tsCall = (x) => (torch as any)[ts](x, dim.ts ?? null, unbiased, keepdim);
        pyCall = `torch.${py}(x0, ${pyDim}, ${unbiased ? "True" : "False"}, ${keepdim ? "True" : "False"})`;
      } else {
        tsCall = (x) => (torch as any)[ts](x, { dim: dim.ts, unbiased, keepdim });
        pyCall = `torch.${py}(x0, ${pyDim}, unbiased=${unbiased ? "True" : "False"}, ${kw("keepdim", keepdim)})`;
      }
      const corr = form === 0 ? correction : unbiased ? 1 : 0;
      cases.push({
        name: `${ts} ${spec.dtype}${JSON.stringify(shape)} dim=${JSON.stringify(dim.ts)} form=${form} correction=${corr} keepdim=${keepdim} ${values}`,
        inputs: [spec],
        ts: tsCall,
        py: pyCall,
        // N ≤ correction divides by zero; PyTorch's full-reduction backward then fails outright, and its
        // other branches turn ±∞·0 into NaN in an order we do not copy. Forward values are still compared.
        noGrad: count <= corr || values === "special",
      });
    }
  }
  return cases;
}

/** max/min in their three forms, argmax/argmin. */
function extremaCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const name of ["max", "min"]) {
    for (let k = 0; k < 25; k++) {
      const shape = randomShape(3);
      const useInt = rng.bool(0.2);
      const values: Values = rng.pick(["ties", "normal", "special"]);
      const spec: InputSpec = useInt ? { shape, dtype: rng.pick(INT_DTYPES), values: "int", layout: rng.pick(LAYOUTS) } : floatSpec(shape, values);
      if (rng.bool(0.3)) {
        cases.push({
          name: `${name}() ${spec.dtype}${JSON.stringify(shape)} ${values}`,
          inputs: [spec],
          ts: (x) => (torch as any)[name](x),
          py: `torch.${name}(x0)`,
          expectError: shape.includes(0) ? /Expected reduction dim to be specified/ : undefined,
        });
        continue;
      }
      const nd = shape.length;
      const d = nd === 0 ? rng.pick([0, -1]) : rng.int(-nd, nd - 1);
      const keepdim = rng.bool();
      const empty = nd > 0 && shape[d < 0 ? d + nd : d] === 0;
      cases.push({
        name: `${name}(dim) ${spec.dtype}${JSON.stringify(shape)} dim=${d} keepdim=${keepdim} ${values} ${spec.layout}`,
        inputs: [spec],
        ts: (x) => (torch as any)[name](x, d, keepdim),
        py: `torch.${name}(x0, ${d}, ${kw("keepdim", keepdim)})`,
        expectError: empty ? new RegExp(`${name}\\(\\): Expected reduction dim \\d to have non-zero size`) : undefined,
      });
    }
    cases.push({
      name: `${name}(x, other)`,
      inputs: [{ shape: [3, 4], values: "ties" }, { shape: [4], values: "ties" }],
      ts: (a, b) => (torch as any)[name](a, b),
      py: `torch.${name}(x0, x1)`,
    });
  }
  for (const name of ["argmax", "argmin"]) {
    for (let k = 0; k < 20; k++) {
      const shape = randomShape(3);
      const useInt = rng.bool(0.25);
      const values: Values = rng.pick(["ties", "normal", "special"]);
      const spec: InputSpec = useInt
        ? { shape, dtype: rng.pick(INT_DTYPES), values: "int", layout: rng.pick(LAYOUTS), requiresGrad: false }
        : { ...floatSpec(shape, values), requiresGrad: false };
      const nd = shape.length;
      const withDim = rng.bool(0.7);
      const d = nd === 0 ? 0 : rng.int(-nd, nd - 1);
      const keepdim = rng.bool();
      const emptyErr = withDim ? nd > 0 && shape[d < 0 ? d + nd : d] === 0 : shape.includes(0);
      cases.push({
        name: `${name} ${spec.dtype}${JSON.stringify(shape)} dim=${withDim ? d : "None"} keepdim=${keepdim} ${values}`,
        inputs: [spec],
        ts: (x) => (torch as any)[name](x, withDim ? d : null, keepdim),
        py: `torch.${name}(x0, ${withDim ? d : "None"}, ${kw("keepdim", keepdim)})`,
        expectError: emptyErr ? /Expected reduction dim/ : undefined,
      });
    }
  }
  return cases;
}

function logicalCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const name of ["all", "any"]) {
    for (let k = 0; k < 15; k++) {
      const shape = randomShape(3);
      const dtype = rng.pick<DType>(["bool", "bool", "float32", "int64", "uint8"]);
      const nd = shape.length;
      const withDim = rng.bool(0.7);
      const d = nd === 0 ? 0 : rng.int(-nd, nd - 1);
      const keepdim = rng.bool();
      const values: Values = dtype === "bool" ? "bool" : dtype === "float32" ? rng.pick<Values>(["ties", "special"]) : "int";
      cases.push({
        name: `${name} ${dtype}${JSON.stringify(shape)} dim=${withDim ? d : "None"} keepdim=${keepdim}`,
        inputs: [{ shape, dtype, values, low: 0, high: 2, requiresGrad: false, layout: rng.pick(LAYOUTS) }],
        ts: (x) => (withDim ? (torch as any)[name](x, d, keepdim) : (torch as any)[name](x)),
        py: withDim ? `torch.${name}(x0, ${d}, ${kw("keepdim", keepdim)})` : `torch.${name}(x0)`,
      });
    }
  }
  return cases;
}

function normCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  const orders: Array<number | "fro"> = [2, 1, 3, 1.5, 0.5, 0, Infinity, -Infinity, "fro", -1];
  for (const p of orders) {
    for (let k = 0; k < 6; k++) {
      const shape = randomShape(3);
      let dim = dimChoice(shape.length, true);
      if (p === "fro" && dim.dims.length > 2 && dim.ts !== undefined) dim = { ts: undefined, py: null, dims: [] };
      const keepdim = rng.bool();
      // ±∞ orders tie often on "ties" values; p < 1 is singular at 0 (both libraries give ±∞ gradients there).
      const values: Values = p === Infinity || p === -Infinity ? "ties" : typeof p === "number" && p < 1 && p !== 0 ? "positive" : "normal";
      const spec = floatSpec(shape, values);
      const pyP = p === "fro" ? "'fro'" : p === Infinity ? "float('inf')" : p === -Infinity ? "float('-inf')" : String(p);
      cases.push({
        name: `norm p=${p} ${spec.dtype}${JSON.stringify(shape)} dim=${JSON.stringify(dim.ts)} keepdim=${keepdim} ${spec.layout}`,
        inputs: [spec],
        ts: (x) => torch.norm(x, p, dim.ts ?? null, keepdim),
        py: `torch.norm(x0, ${pyP}, ${dim.py ?? "None"}, ${kw("keepdim", keepdim)})`,
        // −∞ over an empty extent: PyTorch's gradient path is not reached (output is 0 and has no ties).
        noGrad: p === -Infinity && shape.includes(0),
      });
    }
  }
  return cases;
}

function cumsumCases(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (let k = 0; k < 30; k++) {
    const shape = randomShape(3);
    const nd = shape.length;
    const d = nd === 0 ? rng.pick([0, -1]) : rng.int(-nd, nd - 1);
    const useInt = rng.bool(0.25);
    const spec: InputSpec = useInt
      ? { shape, dtype: rng.pick<DType>([...INT_DTYPES, "bool"]), values: "int", low: 0, high: 4, layout: rng.pick(LAYOUTS) }
      : floatSpec(shape);
    if (spec.dtype === "bool") spec.values = "bool";
    const toF64 = rng.bool(0.15);
    cases.push({
      name: `cumsum ${spec.dtype}${JSON.stringify(shape)} dim=${d}${toF64 ? " dtype=float64" : ""} ${spec.layout}`,
      inputs: [spec],
      ts: (x) => torch.cumsum(x, d, toF64 ? { dtype: "float64" } : {}),
      py: `torch.cumsum(x0, ${d}${toF64 ? ", dtype=torch.float64" : ""})`,
    });
  }
  return cases;
}

/** Errors both libraries raise, with our wording checked against PyTorch's. */
function errorCases(): DiffCase[] {
  const f: InputSpec = { shape: [2, 3] };
  const i: InputSpec = { shape: [2, 3], dtype: "int64", values: "int" };
  const e: InputSpec = { shape: [0, 3] };
  const mk = (name: string, input: InputSpec, ts: (x: torch.Tensor) => unknown, py: string, msg: RegExp): DiffCase => ({
    name,
    inputs: [input],
    ts: ts as DiffCase["ts"],
    py,
    expectError: msg,
  });
  return [
    mk("mean int", i, (x) => torch.mean(x), "torch.mean(x0)", /^mean\(\): could not infer output dtype\. Input dtype must be either a floating point or complex dtype\. Got: Long$/),
    mk("var int", i, (x) => torch.var(x, 1), "torch.var(x0, 1)", /std and var only support floating point and complex dtypes/),
    mk("norm int", i, (x) => torch.norm(x), "torch.norm(x0)", /norm\(\): input dtype should be either floating point or complex\. Got Long instead\./),
    mk("max empty dim", e, (x) => torch.max(x, 0), "torch.max(x0, 0)", /^max\(\): Expected reduction dim 0 to have non-zero size\.$/),
    mk("min empty", e, (x) => torch.min(x), "torch.min(x0)", /^min\(\): Expected reduction dim to be specified for input\.numel\(\) == 0\./),
    mk("argmax empty", e, (x) => torch.argmax(x), "torch.argmax(x0)", /^argmax\(\): Expected reduction dim to be specified for input\.numel\(\) == 0\.$/),
    mk("amin empty dim", e, (x) => torch.amin(x, [1, 0]), "torch.amin(x0, (1, 0))", /^amin\(\): Expected reduction dim 0 to have non-zero size\.$/),
    mk("sum dim range", f, (x) => torch.sum(x, 2), "torch.sum(x0, 2)", /Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/),
    mk("mean repeated dim", f, (x) => torch.mean(x, [1, -1]), "torch.mean(x0, (1, -1))", /dim 1 appears multiple times in the list of dims/),
    mk("cumsum dim range", f, (x) => torch.cumsum(x, -3), "torch.cumsum(x0, -3)", /Dimension out of range \(expected to be in range of \[-2, 1\], but got -3\)/),
    mk("argmax bool", { shape: [3], dtype: "bool", values: "bool" }, (x) => torch.argmax(x), "torch.argmax(x0)", /"argmax_cpu" not implemented for 'Bool'/),
  ];
}

describe("reductions match PyTorch", () => {
  it("sum, mean, prod, logsumexp, amax, amin", async () => {
    expectClean(await runDifferential("reduce-simple", simpleCases()), 200);
  });
  it("var, std, var_mean, std_mean", async () => {
    expectClean(await runDifferential("reduce-moments", momentCases()), 100);
  });
  it("max, min, argmax, argmin", async () => {
    expectClean(await runDifferential("reduce-extrema", extremaCases()), 80);
  });
  it("all, any, norm, cumsum", async () => {
    expectClean(await runDifferential("reduce-misc", [...logicalCases(), ...normCases(), ...cumsumCases()]), 100);
  });
  it("errors", async () => {
    expectClean(await runDifferential("reduce-errors", errorCases()), 10);
  });
});
