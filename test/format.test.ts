import { spawnSync } from "node:child_process";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import type { DType, SetPrintOptions, Tensor } from "../src/index.js";
import { INSTALL_HINT, PYTHON } from "./oracle/client.js";
import { Rng } from "./oracle/rng.js";

/**
 * One printing case, built identically in torch-ts and in PyTorch: `values` (row-major; "nan", "inf",
 * "-inf" and "-0" spelled out so they survive JSON) reshaped to `shape`, optionally viewed through
 * `strided` (as_strided over the same storage), then `requiresGrad` / an op that leaves a grad_fn.
 */
interface Case {
  name: string;
  dtype: DType;
  values: Array<number | string>;
  shape: number[];
  strided?: { shape: number[]; strides: number[]; offset: number };
  requiresGrad?: boolean;
  op?: "mul2" | "sum";
  opts?: SetPrintOptions;
}

const enc = (v: number): number | string =>
  Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0" : v;
const dec = (v: number | string): number => (typeof v === "number" ? v : Number(v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v));
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function mk(name: string, dtype: DType, values: number[], shape?: number[], extra: Partial<Case> = {}): Case {
  return { name, dtype, values: values.map(enc), shape: shape ?? [values.length], ...extra };
}
const range = (n: number, f: (i: number) => number = (i) => i): number[] => Array.from({ length: n }, (_, i) => f(i));

function build(c: Case): Tensor {
  const flat = c.values.map(dec);
  let x = torch.tensor(flat, { dtype: c.dtype }).reshape(c.shape);
  if (c.strided) x = new torch.Tensor(x.buf, x.dtype, c.strided.shape, c.strided.strides, c.strided.offset);
  if (c.requiresGrad) x.requiresGrad_(true);
  if (c.op === "mul2") x = x.mul(2);
  if (c.op === "sum") x = x.sum();
  return x;
}

function render(c: Case): string {
  if (c.opts) torch.setPrintoptions(c.opts);
  try {
    return String(build(c));
  } finally {
    torch.setPrintoptions({ profile: "default" });
  }
}

const PY = String.raw`
import json, sys, torch
cases = json.load(sys.stdin)
out = []
conv = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "-0": -0.0}
for c in cases:
    dt = getattr(torch, c["dtype"])
    vals = [conv[v] if isinstance(v, str) else v for v in c["values"]]
    x = torch.tensor(vals, dtype=dt).reshape(c["shape"])
    if c.get("strided"):
        s = c["strided"]
        x = x.as_strided(s["shape"], s["strides"], s["offset"])
    if c.get("requiresGrad"):
        x.requires_grad_()
    if c.get("op") == "mul2":
        x = x.mul(2)
    elif c.get("op") == "sum":
        x = x.sum()
    o = c.get("opts") or {}
    torch.set_printoptions(precision=o.get("precision"), threshold=o.get("threshold"),
                           edgeitems=o.get("edgeitems"), linewidth=o.get("linewidth"),
                           profile=o.get("profile"), sci_mode=o.get("sciMode"))
    out.append(repr(x))
    torch.set_printoptions(profile="default")
json.dump(out, sys.stdout)
`;

/** PyTorch's repr of every case, from one /usr/bin/python3 run. */
function pytorchReprs(cases: Case[]): string[] {
  const opts = cases.map((c) => (c.opts?.threshold === Infinity ? { ...c, opts: { ...c.opts, threshold: 1e300 } } : c));
  const r = spawnSync(PYTHON, ["-c", PY], { input: JSON.stringify(opts), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) {
    throw new Error(`format.test: ${PYTHON} failed (${r.error?.message ?? r.stderr.slice(-2000)}); ${INSTALL_HINT}`);
  }
  return JSON.parse(r.stdout) as string[];
}

const f32 = (xs: number[]): number[] => xs.map(Math.fround);

/** Named cases, at least one per rule of torch/_tensor_str.py. */
const NAMED: Case[] = [
  mk("float matrix", "float32", [1, 2, 3, 4], [2, 2]),
  mk("int64 vector", "int64", [1, 2, 3]),
  mk("fractional floats", "float32", [1.5, 2.25, -3.125]),
  mk("precision 4 rounding", "float32", [1.23456789, 2.5, -0.333333]),
  mk("float64 suffix", "float64", [1.5, 2]),
  mk("int32 suffix", "int32", [1, -2, 300]),
  mk("uint8 suffix", "uint8", [0, 255, 7]),
  mk("bool vector", "bool", [1, 0, 1]),
  mk("bool matrix", "bool", [1, 0, 0, 1], [2, 2]),
  mk("0-dim float integer", "float32", [3], []),
  mk("0-dim float fraction", "float32", [3.5], []),
  mk("0-dim int64", "int64", [7], []),
  mk("0-dim bool", "bool", [1], []),
  mk("0-dim float64", "float64", [-2.5], []),
  mk("0-dim tiny float (sci)", "float32", [1e-8], []),
  mk("0-dim nan", "float32", [NaN], []),
  mk("empty 1-d", "float32", [], [0]),
  mk("empty 0x3", "float32", [], [0, 3]),
  mk("empty int64 (dtype shown)", "int64", [], [0]),
  mk("empty bool 2x0x3", "bool", [], [2, 0, 3]),
  mk("empty float64", "float64", [], [0]),
  mk("nan inf -inf int mode", "float32", [NaN, Infinity, -Infinity, 1]),
  mk("all nan", "float32", [NaN, NaN]),
  mk("nan with fractions", "float32", [NaN, 1.5, -2.25]),
  mk("nan with sci", "float32", [NaN, 1e-5, 1]),
  mk("inf only", "float64", [Infinity, -Infinity]),
  mk("all zeros", "float32", [0, 0, 0]),
  mk("zeros ignore sciMode (early return)", "float32", [0, 0], [2], { opts: { sciMode: true } }),
  mk("negative zero fraction", "float32", [-0, 1.5]),
  mk("negative zero int mode", "float32", [-0, 2]),
  mk("int mode ratio > 1000 -> sci", "float32", [1, 10000]),
  mk("int mode ratio = 1000 stays", "float32", [1, 1000]),
  mk("int mode > 1e8 -> sci", "float32", [1e9, 1]),
  mk("int mode huge, sciMode false", "float64", [1e22, 1], [2], { opts: { sciMode: false } }),
  mk("fixed huge, sciMode false", "float64", [1e30, 1.5], [2], { opts: { sciMode: false } }),
  mk("min < 1e-4 -> sci", "float32", [1e-5, 1.5]),
  mk("ratio > 1000 fraction -> sci", "float32", [0.5, 1000.5]),
  mk("max > 1e8 fraction -> sci", "float64", [123456789.5, 1.5]),
  mk("1e-4 boundary float64 (fixed)", "float64", [0.0001, 0.5]),
  mk("1e-4 boundary float32 (rounds below)", "float32", [0.0001, 0.5]),
  mk("fixed ties round half even", "float32", [0.03125, 0.09375, 0.15625, 0.21875]),
  mk("sci ties round half even", "float64", [1.03125, 1.09375, 1e-5]),
  mk("sci rounds up to next power", "float64", [9.99996, 1e-6]),
  mk("precision 0 fixed ties", "float64", [0.5, 1.5, 2.5, 3.25], [4], { opts: { precision: 0 } }),
  mk("precision 0 sci", "float64", [12345.678, 1e-7], [2], { opts: { precision: 0 } }),
  mk("profile short", "float32", [Math.PI, Math.E, -1.41421356], [3], { opts: { profile: "short" } }),
  mk("precision 8 float64", "float64", [Math.PI, Math.E, -Math.SQRT2], [3], { opts: { precision: 8 } }),
  mk("precision 2 keeps threshold", "float32", range(12, (i) => i / 7), [12], { opts: { precision: 2, threshold: 5 } }),
  mk("float32 artifacts 0.1 0.2 0.3", "float32", [0.1, 0.2, 0.3]),
  mk("float64 0.1 0.2 0.3", "float64", [0.1, 0.2, 0.30000000000000004]),
  mk("linewidth 40 wrap", "float32", range(20, (i) => i * 1.25 - 7), [20], { opts: { linewidth: 40 } }),
  mk("long float vector wraps at 80", "float32", range(50, (i) => Math.sin(i) * 10)),
  mk("long int vector wraps", "int64", range(100, (i) => i * i - 50)),
  mk("matrix rows wrap", "float32", range(90, (i) => i / 3), [3, 30]),
  mk("3-d blank lines", "float32", range(24), [2, 3, 4]),
  mk("4-d", "int64", range(16), [2, 2, 2, 2]),
  mk("5-d", "float32", range(32, (i) => i / 2), [2, 2, 2, 2, 2]),
  mk("summarize 1-d 2000", "int64", range(2000)),
  mk("summarize 2-d 100x100", "float32", range(10000, (i) => Math.fround(Math.cos(i) * 3))),
  mk("summarize 3-d 20x20x20", "float32", range(8000, (i) => i % 17), [20, 20, 20]),
  mk("summarize small first dim", "float32", range(2 * 600, (i) => i), [2, 600]),
  mk("threshold 5 on arange 10", "int64", range(10), [10], { opts: { threshold: 5 } }),
  mk("edgeitems 2", "float32", range(40, (i) => i / 4), [5, 8], { opts: { threshold: 10, edgeitems: 2 } }),
  mk("edgeitems 0 on a vector", "int64", range(10), [10], { opts: { threshold: 5, edgeitems: 0 } }),
  mk("edgeitems 5", "int64", range(30), [30], { opts: { threshold: 5, edgeitems: 5 } }),
  mk("profile full never summarizes", "int64", range(1200, (i) => i % 10), [1200], { opts: { profile: "full" } }),
  mk("summary hides the outlier from the formatter", "float32", range(2000, (i) => (i === 1000 ? 1e10 : i % 5))),
  mk("sciMode true", "float32", [1.5, 2, 300]),
  mk("sciMode true forced", "float32", [1.5, 2, 300], [3], { opts: { sciMode: true } }),
  mk("sciMode false forced", "float32", [1e-6, 2.5], [2], { opts: { sciMode: false } }),
  mk("sciMode true int mode", "float32", [1, 2, 3], [3], { opts: { sciMode: true } }),
  mk("requires_grad leaf", "float32", [1, 2], [2], { requiresGrad: true }),
  mk("requires_grad float64 leaf", "float64", [1.5, 2], [2], { requiresGrad: true }),
  mk("grad_fn MulBackward0", "float32", [1, 2, 3], [3], { requiresGrad: true, op: "mul2" }),
  mk("grad_fn SumBackward0 0-dim", "float32", [1, 2, 3], [3], { requiresGrad: true, op: "sum" }),
  mk("suffixes wrap past linewidth", "float64", range(9, (i) => i + 0.5), [9], { requiresGrad: true, op: "mul2" }),
  mk("suffixes wrap on a matrix", "float64", range(20, (i) => i * 1.125), [2, 10], { requiresGrad: true }),
  mk("suffix wraps at linewidth 30", "int32", range(6), [6], { opts: { linewidth: 30 } }),
  mk("transposed view", "float32", range(6, (i) => i + 0.5), [2, 3], { strided: { shape: [3, 2], strides: [1, 3], offset: 0 } }),
  mk("broadcast view (stride 0)", "int64", [1, 2, 3], [3], { strided: { shape: [4, 3], strides: [0, 1], offset: 0 } }),
  mk("offset, stepped view", "float32", range(24, (i) => i * 0.25), [24], { strided: { shape: [3, 4], strides: [7, 2], offset: 1 } }),
  mk("negative ints width", "int64", [-1000, 5, 42, -7], [2, 2]),
  mk("int64 at 2^53", "int64", [2 ** 53, -(2 ** 53), 0]),
  mk("uint8 matrix", "uint8", range(12, (i) => (i * 37) % 256), [3, 4]),
  mk("int32 summarized", "int32", range(3000, (i) => (i * 7919) % 10007 - 5000), [30, 100]),
  mk("bool summarized", "bool", range(1500, (i) => i % 3 === 0 ? 1 : 0), [1500]),
  mk("float64 extremes", "float64", [1e300, 1e-300, -5e-324]),
  mk("float32 max", "float32", [3.4028234663852886e38, 1]),
  mk("single element vector", "float32", [0.5]),
  mk("1x1x1", "float32", [7], [1, 1, 1]),
  mk("linewidth 10 (one per line)", "float32", [1.5, 2.5, 3.5], [3], { opts: { linewidth: 10 } }),
  mk("precision 6 sci", "float32", f32([1e-7, 123.456, 5]), [3], { opts: { precision: 6 } }),
];

describe("tensor printing matches PyTorch 1.13 repr", () => {
  afterEach(() => torch.setPrintoptions({ profile: "default" }));

  it("has a case for every rule", () => {
    expect(NAMED.length).toBeGreaterThanOrEqual(60);
  });

  it("prints the named cases exactly", () => {
    const expected = pytorchReprs(NAMED);
    const mismatches = NAMED.map((c, i) => ({ name: c.name, got: render(c), want: expected[i] })).filter(
      (m) => m.got !== m.want,
    );
    expect(mismatches).toEqual([]);
  });

  it("prints random tensors exactly (values, dtypes, shapes, layouts, options)", () => {
    const rng = new Rng(1313);
    const cases: Case[] = [];
    const dtypes: DType[] = ["float32", "float32", "float64", "int64", "int32", "uint8", "bool"];
    for (let k = 0; k < 250; k++) {
      const dtype = rng.pick(dtypes);
      const shape = rng.shape(rng.int(0, 4), rng.bool(0.05) ? 0 : 1, rng.pick([3, 6, 12]));
      const n = prod(shape);
      const mag = 10 ** rng.int(-9, 11);
      const style = rng.int(0, 5);
      const values = range(n, () => {
        if (dtype === "bool") return rng.int(0, 1);
        if (dtype === "uint8") return rng.int(0, 255);
        if (dtype === "int32") return rng.int(-(2 ** 31), 2 ** 31 - 1) % (rng.bool() ? 100 : 2 ** 31);
        if (dtype === "int64") return Math.round(rng.normal() * mag);
        if (style === 0 && rng.bool(0.15)) return rng.pick([NaN, Infinity, -Infinity, 0, -0]);
        if (style === 1) return Math.round(rng.normal() * mag);
        if (style === 2) return rng.int(-64, 64) / 32;
        if (style === 3) return rng.bool(0.3) ? 0 : rng.normal() * 10 ** rng.int(-6, 6);
        return rng.normal() * mag;
      });
      const c = mk(`random ${k}`, dtype, dtype === "float32" ? f32(values) : values, shape);
      if (rng.bool(0.3)) {
        c.opts = {};
        if (rng.bool()) c.opts.precision = rng.int(0, 8);
        if (rng.bool()) c.opts.linewidth = rng.int(20, 120);
        if (rng.bool()) c.opts.threshold = rng.int(5, 100);
        if (rng.bool()) c.opts.edgeitems = rng.int(1, 4);
        if (rng.bool(0.3)) c.opts.sciMode = rng.bool();
      }
      if (shape.length >= 2 && n > 0 && rng.bool(0.3)) {
        // Reverse the dims over the same storage: a non-contiguous view.
        const strides = shape.map((_, i) => prod(shape.slice(i + 1)));
        c.strided = { shape: shape.slice().reverse(), strides: strides.slice().reverse(), offset: 0 };
      }
      if ((dtype === "float32" || dtype === "float64") && rng.bool(0.2)) {
        c.requiresGrad = true;
        if (rng.bool()) c.op = "mul2";
      }
      cases.push(c);
    }
    const expected = pytorchReprs(cases);
    const mismatches = cases.map((c, i) => ({ name: c.name, got: render(c), want: expected[i] })).filter(
      (m) => m.got !== m.want,
    );
    expect(mismatches).toEqual([]);
  });
});

describe("tensor printing (hand-checked)", () => {
  afterEach(() => torch.setPrintoptions({ profile: "default" }));

  it("prints the documented examples", () => {
    expect(String(torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }))).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(String(torch.tensor([1, 2, 3]))).toBe("tensor([1, 2, 3])");
    expect(String(torch.tensor(3, { dtype: "float32" }))).toBe("tensor(3.)");
    expect(String(torch.zeros(0, 3))).toBe("tensor([], size=(0, 3))");
    expect(String(torch.tensor([1, 2], { dtype: "float64" }))).toBe("tensor([1., 2.], dtype=torch.float64)");
    expect(String(torch.tensor([true, false]))).toBe("tensor([ True, False])");
    expect(String(torch.tensor([NaN, 1.5]))).toBe("tensor([   nan, 1.5000])");
    expect(String(torch.tensor([1e-5, 1]))).toBe("tensor([1.0000e-05, 1.0000e+00])");
    const x = torch.tensor([1, 2], { dtype: "float32", requiresGrad: true });
    expect(String(x)).toBe("tensor([1., 2.], requires_grad=True)");
    expect(String(x.mul(x))).toBe("tensor([1., 4.], grad_fn=<MulBackward0>)");
  });

  it("summarizes above the threshold with edgeitems at each end", () => {
    const big = torch.tensor(range(1001), { dtype: "int64" });
    expect(String(big)).toBe("tensor([   0,    1,    2,  ...,  998,  999, 1000])");
    expect(String(torch.tensor(range(1000)))).toContain("999])");
  });

  it("is what console.log and util.inspect show", () => {
    const t = torch.tensor([[1.5, 2], [3, 4]], { dtype: "float32" });
    expect(inspect(t)).toBe(String(t));
    expect(`${t}`).toBe("tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])");
  });

  it("runs the setPrintoptions example and keeps unchanged options", () => {
    torch.setPrintoptions({ precision: 2 });
    expect(String(torch.tensor([1.12345]))).toBe("tensor([1.12])");
    expect(torch.getPrintoptions()).toEqual({ precision: 2, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
    torch.setPrintoptions({ threshold: 5 });
    expect(String(torch.tensor(range(10)))).toBe("tensor([0, 1, 2,  ..., 7, 8, 9])");
    expect(torch.getPrintoptions().precision).toBe(2);
    torch.setPrintoptions({ profile: "default" });
    expect(String(torch.tensor([1.12345]))).toBe("tensor([1.1235])");
  });

  it("resets sciMode unless it is passed, as PyTorch does", () => {
    torch.setPrintoptions({ sciMode: true });
    expect(String(torch.tensor([1.5]))).toBe("tensor([1.5000e+00])");
    torch.setPrintoptions({ precision: 4 });
    expect(torch.getPrintoptions().sciMode).toBeNull();
    expect(String(torch.tensor([1.5]))).toBe("tensor([1.5000])");
  });

  it("rejects bad options with the option named", () => {
    expect(() => torch.setPrintoptions({ precision: -1 })).toThrow(/setPrintoptions: expected precision to be an integer >= 0, got -1/);
    expect(() => torch.setPrintoptions({ linewidth: 2.5 })).toThrow(/expected linewidth to be an integer >= 1, got 2.5/);
    expect(() => torch.setPrintoptions({ profile: "long" as any })).toThrow(/unknown profile "long" \(expected default, short or full\)/);
    expect(() => torch.setPrintoptions({ sci_mode: true } as any)).toThrow(/unknown option "sci_mode"/);
    expect(() => torch.setPrintoptions({ sciMode: 1 as any })).toThrow(/expected sciMode to be a boolean or null/);
    expect(torch.getPrintoptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
  });

  it("accepts threshold Infinity (profile full)", () => {
    torch.setPrintoptions({ threshold: Infinity });
    expect(String(torch.tensor(range(1001)))).not.toContain("...");
  });
});

beforeAll(() => torch.setPrintoptions({ profile: "default" }));
