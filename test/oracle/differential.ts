import { Tensor } from "../../src/tensor.js";
import { type DType, allocate, castScalar, isFloating } from "../../src/dtype.js";
import { contiguousStrides, numel } from "../../src/layout.js";
import { grad } from "../../src/autograd/engine.js";
import { oracle, type OracleCase, type WireTensor } from "./client.js";
import { Rng } from "./rng.js";

/** How an input's values are drawn. */
export type Values =
  | "normal"
  | "uniform"
  | "positive"
  | "int"
  | "bool"
  /** few distinct values, so ties are common */
  | "ties"
  /** normal with some NaN and ±inf */
  | "special"
  | number[];

/** Memory layout of the torch-ts input (PyTorch always gets the same values contiguous). */
export type Layout = "contiguous" | "transposed" | "strided" | "offset";

export interface InputSpec {
  shape: number[];
  dtype?: DType;
  /** Defaults to true for floating dtypes. */
  requiresGrad?: boolean;
  values?: Values;
  low?: number;
  high?: number;
  layout?: Layout;
}

export interface DiffCase {
  /** Shown on mismatch: the op and its configuration. */
  name: string;
  inputs: InputSpec[];
  /** torch-ts side: returns one tensor, several, or an iterable such as `{values, indices}`. */
  ts: (...xs: Tensor[]) => Tensor | Iterable<Tensor> | Tensor[];
  /** PyTorch side: a Python expression over x0, x1, … (torch, F, nn in scope), or statements assigning `out`. */
  py: string;
  rtol?: number;
  atol?: number;
  /** Gradient tolerances (default: the forward ones). */
  gradRtol?: number;
  gradAtol?: number;
  /** Both libraries must raise; when a RegExp, torch-ts's message must match it. */
  expectError?: true | RegExp;
  /** Skip the gradient comparison (e.g. non-differentiable points by construction). */
  noGrad?: boolean;
}

/** float32: rtol 1e-4 / atol 1e-5 (the project's stated tolerance); float64 far tighter. */
export const TOL: Record<"float32" | "float64", { rtol: number; atol: number }> = {
  float32: { rtol: 1e-4, atol: 1e-5 },
  float64: { rtol: 1e-9, atol: 1e-11 },
};

function drawValues(spec: InputSpec, rng: Rng): number[] {
  const n = numel(spec.shape);
  const dtype = spec.dtype ?? "float32";
  const v = spec.values ?? (dtype === "bool" ? "bool" : isFloating(dtype) ? "normal" : "int");
  if (Array.isArray(v)) {
    if (v.length !== n) throw new Error(`differential: ${v.length} values given for shape ${JSON.stringify(spec.shape)}`);
    return v.map((x) => castScalar(x, dtype));
  }
  const lo = spec.low ?? (v === "int" ? -5 : -1);
  const hi = spec.high ?? (v === "int" ? 5 : 1);
  // Values are stored exactly as the dtype holds them, so both libraries start from the same numbers.
  return Array.from({ length: n }, () => castScalar(draw(), dtype));
  function draw(): number {
    switch (v) {
      case "normal":
        return rng.normal();
      case "uniform":
        return rng.uniform(lo, hi);
      case "positive":
        return rng.uniform(spec.low ?? 0.1, spec.high ?? 3);
      case "int":
        return rng.int(lo, hi);
      case "bool":
        return rng.bool() ? 1 : 0;
      case "ties":
        return rng.int(-2, 2) * 0.5;
      case "special": {
        const r = rng.next();
        return r < 0.08 ? NaN : r < 0.14 ? Infinity : r < 0.2 ? -Infinity : rng.normal();
      }
      default:
        throw new Error(`differential: unknown values kind ${String(v)}`);
    }
  }
}

/** Builds a torch-ts leaf with `values` (row-major) in the requested memory layout. */
export function makeInput(values: number[], shape: number[], dtype: DType, layout: Layout): Tensor {
  const nd = shape.length;
  let strides = contiguousStrides(shape);
  let offset = 0;
  let size = numel(shape);
  if (layout === "transposed" && nd >= 2) {
    // Memory order is the reverse of the logical order: strides of the reversed shape.
    const rev = shape.slice().reverse();
    strides = contiguousStrides(rev).reverse();
  } else if (layout === "strided") {
    strides = strides.map((s) => s * 2);
    size = size * 2;
  } else if (layout === "offset") {
    offset = 3;
    size += 3;
  }
  const buf = allocate(dtype, Math.max(size, 1) + (layout === "strided" ? 1 : 0));
  buf.fill(dtype === "bool" || dtype === "uint8" ? 1 : 7); // junk the view must never read
  const t = new Tensor(buf, dtype, shape, strides, offset);
  let i = 0;
  const rec = (d: number, p: number): void => {
    if (d === nd) {
      buf[p] = values[i++];
      return;
    }
    for (let k = 0; k < shape[d]; k++) rec(d + 1, p + k * strides[d]);
  };
  if (numel(shape) > 0) rec(0, offset);
  return t;
}

function wire(t: Tensor): WireTensor {
  return { dtype: t.dtype, shape: t.shape.slice(), data: t.toTypedArray() };
}

function asList(r: Tensor | Iterable<Tensor> | Tensor[]): Tensor[] {
  if (r instanceof Tensor) return [r];
  return Array.from(r as Iterable<Tensor>);
}

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Describes the first difference between a torch-ts tensor and PyTorch's, or null when they agree. */
export function compareTensor(
  what: string,
  ours: { dtype: DType; shape: readonly number[]; data: ArrayLike<number> },
  theirs: WireTensor,
  rtol: number,
  atol: number,
): string | null {
  if (JSON.stringify(ours.shape) !== JSON.stringify(theirs.shape)) {
    return `${what}: shape ${JSON.stringify(ours.shape)} vs PyTorch ${JSON.stringify(theirs.shape)}`;
  }
  if (ours.dtype !== theirs.dtype) return `${what}: dtype ${ours.dtype} vs PyTorch ${theirs.dtype}`;
  const exact = !isFloating(ours.dtype);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < theirs.data.length; i++) {
    const a = ours.data[i];
    const b = theirs.data[i];
    const ok = exact ? a === b : close(a, b, rtol, atol);
    if (!ok) {
      const err = Math.abs(a - b);
      if (worst < 0 || !(err <= worstErr)) {
        worst = i;
        worstErr = err;
      }
    }
  }
  if (worst >= 0) {
    return `${what}: element ${worst} is ${ours.data[worst]} vs PyTorch ${theirs.data[worst]} (rtol ${rtol}, atol ${atol})`;
  }
  return null;
}

export interface DiffReport {
  suite: string;
  cases: number;
  failures: string[];
}

/**
 * Runs every case in torch-ts and in PyTorch (batched through the persistent oracle) and compares forward
 * outputs and the gradient of every input, with random cotangents shared by both sides.
 */
export async function runDifferential(suite: string, cases: DiffCase[], seed = 1234): Promise<DiffReport> {
  const rng = new Rng(seed);
  const failures: string[] = [];
  const BATCH = 64;
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH);
    const prepared = batch.map((c) => prepare(c, rng));
    const results = await oracle().run(prepared.map((p) => p.wire));
    prepared.forEach((p, i) => {
      const f = check(batch[i], p, results[i]);
      if (f) failures.push(`[${suite}] ${batch[i].name}: ${f}`);
    });
  }
  return { suite, cases: cases.length, failures };
}

interface Prepared {
  wire: OracleCase;
  inputs: Tensor[];
  outs: Tensor[] | null;
  grads: Array<Tensor | null> | null;
  error: Error | null;
}

function prepare(c: DiffCase, rng: Rng): Prepared {
  const inputs: Tensor[] = [];
  const wires: WireTensor[] = [];
  for (const spec of c.inputs) {
    const dtype = spec.dtype ?? "float32";
    const values = drawValues(spec, rng);
    const t = makeInput(values, spec.shape, dtype, spec.layout ?? "contiguous");
    const rg = spec.requiresGrad ?? isFloating(dtype);
    if (rg) t.requiresGrad_(true);
    inputs.push(t);
    wires.push({ dtype, shape: spec.shape.slice(), data: values, requiresGrad: rg });
  }
  let outs: Tensor[] | null = null;
  let grads: Array<Tensor | null> | null = null;
  let error: Error | null = null;
  const cotangents: WireTensor[] = [];
  try {
    outs = asList(c.ts(...inputs));
    const diffOuts = outs.filter((o) => o.requiresGrad);
    const want = inputs.filter((t) => t.requiresGrad);
    if (!c.noGrad && !c.expectError && diffOuts.length && want.length) {
      const cots = diffOuts.map((o) => {
        const g = makeInput(drawValues({ shape: o.shape, dtype: o.dtype }, rng), o.shape, o.dtype, "contiguous");
        cotangents.push(wire(g));
        return g;
      });
      grads = grad(diffOuts, want, cots, { allowUnused: true });
    }
  } catch (e) {
    error = e as Error;
  }
  return { wire: { expr: c.py, inputs: wires, cotangents }, inputs, outs, grads, error };
}

function check(c: DiffCase, p: Prepared, r: { outputs?: WireTensor[]; grads?: Array<WireTensor | null>; error?: string }): string | null {
  if (c.expectError) {
    if (!p.error) return "torch-ts did not throw, but an error was expected";
    if (c.expectError instanceof RegExp && !c.expectError.test(p.error.message)) {
      return `torch-ts threw "${p.error.message}", expected to match ${c.expectError}`;
    }
    if (r.error === undefined) return `torch-ts threw "${p.error.message}" but PyTorch succeeded`;
    return null;
  }
  if (p.error) {
    return r.error !== undefined
      ? `both threw (torch-ts: ${p.error.message} | PyTorch: ${r.error.split("\n")[0]})`
      : `torch-ts threw: ${p.error.stack ?? p.error.message}`;
  }
  if (r.error !== undefined) return `PyTorch threw: ${r.error.slice(0, 500)}`;
  const outs = p.outs!;
  const theirs = r.outputs!;
  // float64 tolerances only when every floating tensor involved is float64: mixed cases compute in float32.
  const floats = [...p.inputs, ...outs].filter((t) => isFloating(t.dtype));
  const base = TOL[floats.length && floats.every((t) => t.dtype === "float64") ? "float64" : "float32"];
  if (outs.length !== theirs.length) return `${outs.length} outputs vs PyTorch ${theirs.length}`;
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i];
    const m = compareTensor(`output ${i}`, { dtype: o.dtype, shape: o.shape, data: o.toTypedArray() }, theirs[i], c.rtol ?? base.rtol, c.atol ?? base.atol);
    if (m) return m;
  }
  if (!p.grads) return null;
  const want = p.inputs.filter((t) => t.requiresGrad);
  const tg = r.grads ?? [];
  for (let i = 0; i < want.length; i++) {
    const x = want[i];
    const ours = p.grads[i];
    const zero = (): WireTensor => ({ dtype: x.dtype, shape: x.shape.slice(), data: new Float64Array(x.numel()) });
    const a = ours ? { dtype: ours.dtype, shape: ours.shape, data: ours.toTypedArray() } : zero();
    const b = tg[i] ?? zero();
    const m = compareTensor(`grad of input ${p.inputs.indexOf(x)}`, a, b, c.gradRtol ?? c.rtol ?? base.rtol, c.gradAtol ?? c.atol ?? base.atol);
    if (m) return m;
  }
  return null;
}

/** Asserts a report has no mismatch and prints its count (the closing note sums these lines). */
export function expectClean(report: DiffReport, minCases: number): void {
  console.log(`[differential] ${report.suite}: ${report.cases} cases, ${report.failures.length} mismatches`);
  if (report.cases < minCases) throw new Error(`${report.suite}: only ${report.cases} cases (want >= ${minCases})`);
  if (report.failures.length) {
    throw new Error(`${report.failures.length} of ${report.cases} cases differ from PyTorch:\n${report.failures.slice(0, 15).join("\n")}`);
  }
}

export { Rng };
