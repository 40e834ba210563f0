/**
 * Tensor printing, character for character as PyTorch 1.13's `repr(tensor)` (torch/_tensor_str.py):
 * one formatter per tensor decides fixed / integer / scientific notation and a common width, rows wrap at
 * `linewidth`, tensors over `threshold` elements are summarized with `...`.
 */
import type { Tensor } from "./tensor.js";
import type { DType } from "./dtype.js";
import { isFloating } from "./dtype.js";

/** The settings `setPrintoptions` changes (PyTorch's `PRINT_OPTS`). */
export interface PrintOptions {
  /** Digits after the decimal point (fixed) or in the mantissa (scientific). Default 4. */
  precision: number;
  /** Tensors with more elements than this are summarized. Default 1000. */
  threshold: number;
  /** Items kept at each end of a summarized dimension. Default 3. */
  edgeitems: number;
  /** Characters per line before a row wraps. Default 80. */
  linewidth: number;
  /** Force (true) or forbid (false) scientific notation; null lets each tensor's values decide. */
  sciMode: boolean | null;
}

const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };
const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
} as const;

const OPTS: PrintOptions = { ...DEFAULTS };

/** Arguments of `setPrintoptions`: any subset of the options, plus a `profile` applied first. */
export interface SetPrintOptions extends Partial<PrintOptions> {
  /** "default", "short" (precision 2, edgeitems 2) or "full" (never summarize). */
  profile?: keyof typeof PROFILES;
}

function checkCount(name: string, v: unknown, min: number, allowInfinity = false): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || (!Number.isInteger(v) && !(allowInfinity && v === Infinity))) {
    throw new RangeError(`setPrintoptions: expected ${name} to be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Sets how tensors print, as `torch.set_printoptions(precision=…, threshold=…, edgeitems=…, linewidth=…,
 * profile=…, sci_mode=…)`. Options not given keep their value, except `sciMode`, which (as in PyTorch)
 * goes back to automatic (null) unless it is passed.
 *
 * @example
 * torch.setPrintoptions({ precision: 2 });
 * String(torch.tensor([1.12345])); // "tensor([1.12])"
 * torch.setPrintoptions({ profile: "default" });
 */
export function setPrintoptions(opts: SetPrintOptions = {}): void {
  const known = ["precision", "threshold", "edgeitems", "linewidth", "sciMode", "profile"];
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) {
      throw new TypeError(`setPrintoptions: unknown option "${k}" (expected one of ${known.join(", ")})`);
    }
  }
  const next: PrintOptions = { ...OPTS };
  if (opts.profile !== undefined) {
    if (!Object.hasOwn(PROFILES, opts.profile)) {
      throw new RangeError(`setPrintoptions: unknown profile ${JSON.stringify(opts.profile)} (expected default, short or full)`);
    }
    Object.assign(next, PROFILES[opts.profile]);
  }
  if (opts.precision !== undefined) next.precision = checkCount("precision", opts.precision, 0);
  if (opts.threshold !== undefined) next.threshold = checkCount("threshold", opts.threshold, 0, true);
  if (opts.edgeitems !== undefined) next.edgeitems = checkCount("edgeitems", opts.edgeitems, 0);
  if (opts.linewidth !== undefined) next.linewidth = checkCount("linewidth", opts.linewidth, 1);
  const sci = opts.sciMode ?? null;
  if (sci !== null && typeof sci !== "boolean") {
    throw new TypeError(`setPrintoptions: expected sciMode to be a boolean or null, got ${String(sci)}`);
  }
  next.sciMode = sci;
  Object.assign(OPTS, next);
}

/** The current print options (a copy). */
export function getPrintoptions(): PrintOptions {
  return { ...OPTS };
}

// Python's "{:.Nf}" and "{:.Ne}" round the double's exact binary value half-to-even. JS's toFixed rounds ties away from zero and switches to exponents at 1e21, so both are
// done here on the exact decimal expansion (a double m·2^e is m·5^-e / 10^-e when e < 0).

const dv = new DataView(new ArrayBuffer(8));
const pow10Cache: bigint[] = [1n];
function pow10(k: number): bigint {
  while (pow10Cache.length <= k) pow10Cache.push(pow10Cache[pow10Cache.length - 1] * 10n);
  return pow10Cache[k];
}

/** |x| = digits / 10^scale exactly, for finite x. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) {
    e = -1074;
  } else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  if (m === 0n) return { digits: 0n, scale: 0 };
  if (e >= 0) return { digits: m << BigInt(e), scale: 0 };
  return { digits: m * 5n ** BigInt(-e), scale: -e };
}

/** n / d rounded half to even (n ≥ 0, d > 0). */
function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? "-" : "");

/** Python's `"{:.{p}f}".format(x)`. */
function formatFixed(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const { digits, scale } = exactDecimal(x);
  const q = scale > p ? divRoundHalfEven(digits, pow10(scale - p)) : digits * pow10(p - scale);
  let s = q.toString();
  if (p > 0) {
    s = s.padStart(p + 1, "0");
    s = `${s.slice(0, -p)}.${s.slice(-p)}`;
  }
  return signOf(x) + s;
}

/** Python's `"{:.{p}e}".format(x)`: mantissa with p decimals, exponent signed and at least two digits. */
function formatScientific(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const { digits, scale } = exactDecimal(x);
  let q: bigint;
  let exp: number;
  if (digits === 0n) {
    q = 0n;
    exp = 0;
  } else {
    const len = digits.toString().length;
    exp = len - 1 - scale;
    if (len > p + 1) {
      q = divRoundHalfEven(digits, pow10(len - p - 1));
      if (q === pow10(p + 1)) {
        // 9.99995 → 10.0000: renormalize to 1.0000e+01.
        q = pow10(p);
        exp++;
      }
    } else {
      q = digits * pow10(p + 1 - len);
    }
  }
  const m = q.toString().padStart(p + 1, "0");
  const mantissa = p > 0 ? `${m[0]}.${m.slice(1)}` : m;
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${signOf(x)}${mantissa}e${e}`;
}

/** Python's `str()` of one element as `tolist()` returns it. */
function pyStr(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "True" : "False";
  return String(v); // integers; String(-0) is "0", as Python's int
}

/** torch/_tensor_str.py `_Formatter`: one notation and one width for all printed elements. */
class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(
    values: readonly number[],
    private readonly dtype: DType,
    private readonly opts: PrintOptions,
  ) {
    this.floating = isFloating(dtype);
    if (!this.floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, pyStr(v, dtype).length);
      return;
    }
    const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
    // PyTorch returns here before applying sci_mode: all-zero / non-finite tensors never print in sci mode.
    if (nz.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    this.intMode = nz.every((v) => v === Math.ceil(v));
    const p = opts.precision;
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatScientific(v, p).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatScientific(v, p).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, p).length);
    }
    if (opts.sciMode !== null) this.sciMode = opts.sciMode;
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) {
      s = pyStr(v, this.dtype);
    } else if (this.sciMode) {
      s = formatScientific(v, this.opts.precision);
    } else if (this.intMode) {
      s = formatFixed(v, 0);
      if (Number.isFinite(v)) s += ".";
    } else {
      s = formatFixed(v, this.opts.precision);
    }
    return s.padStart(this.maxWidth, " ");
  }
}

interface Walk {
  t: Tensor;
  summarize: boolean;
  opts: PrintOptions;
}

/** Indices printed along a dimension of `size`, with -1 standing for the `...` marker. */
function shownIndices(size: number, w: Walk, vector: boolean): number[] {
  const e = w.opts.edgeitems;
  if (!w.summarize || size <= 2 * e) return Array.from({ length: size }, (_, i) => i);
  // Python's `self[-0:]` is the whole vector, so edgeitems=0 shows every element after the marker.
  const tailStart = vector && e === 0 ? 0 : size - e;
  const idx: number[] = [];
  for (let i = 0; i < e; i++) idx.push(i);
  idx.push(-1);
  for (let i = tailStart; i < size; i++) idx.push(i);
  return idx;
}

/** The values the formatter sees (`get_summarized_data`): every element, or only those a summary shows. */
function collect(w: Walk, level: number, offset: number, out: number[]): void {
  const { shape, strides, buf } = w.t;
  if (level === shape.length) {
    out.push(buf[offset]);
    return;
  }
  for (const i of shownIndices(shape[level], w, level === shape.length - 1)) {
    if (i >= 0) collect(w, level + 1, offset + i * strides[level], out);
  }
}

function tensorStr(w: Walk, fmt: Formatter, level: number, offset: number, indent: number): string {
  const { shape, strides, buf } = w.t;
  const nd = shape.length - level;
  if (nd === 0) return fmt.format(buf[offset]);
  const stride = strides[level];
  const idx = shownIndices(shape[level], w, nd === 1);
  if (nd === 1) {
    const perLine = Math.max(1, Math.floor((w.opts.linewidth - indent) / (fmt.maxWidth + 2)));
    const data = idx.map((i) => (i < 0 ? " ..." : fmt.format(buf[offset + i * stride])));
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
    return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
  }
  const slices = idx.map((i) => (i < 0 ? "..." : tensorStr(w, fmt, level + 1, offset + i * stride, indent + 1)));
  return `[${slices.join(`,${"\n".repeat(nd - 1)}${" ".repeat(indent + 1)}`)}]`;
}

const pyTuple = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`);

function addSuffixes(body: string, suffixes: string[], indent: number, linewidth: number): string {
  const parts = [body];
  // Python's `len(s) - s.rfind("\n") + 1` (rfind gives -1 when there is no newline): kept as is.
  let lastLineLen = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > linewidth) {
      parts.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/**
 * The text `tensor.toString()` returns, exactly PyTorch's `repr(tensor)`:
 * `tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64, requires_grad=True)`.
 * The dtype is named unless it is float32, int64 or bool (always named for an empty tensor that is not
 * float32); then `grad_fn=<…>` for a non-leaf or `requires_grad=True` for a leaf that requires grad.
 */
export function formatTensor(t: Tensor): string {
  const opts = getPrintoptions();
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    if (t.dim() !== 1) suffixes.push(`size=${pyTuple(t.shape)}`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (t.dtype !== "float32" && t.dtype !== "int64" && t.dtype !== "bool") suffixes.push(`dtype=torch.${t.dtype}`);
    const w: Walk = { t, summarize: t.numel() > opts.threshold, opts };
    const values: number[] = [];
    collect(w, 0, t.offset, values);
    body = tensorStr(w, new Formatter(values, t.dtype, opts), 0, t.offset, indent);
  }
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent, opts.linewidth);
}
