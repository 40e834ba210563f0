/**
 * Argument normalization and the shape checks of `aten/src/ATen/native/Pool.h`, shared by every pooling
 * op. Messages start with the torch-ts op name followed by PyTorch's wording.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { formatShape, poolOutputSize } from "../layout.js";
import type { PoolWindow } from "../backend/interface/pool.js";
import type { View } from "../tensor.js";

/** An int, or one int per spatial dim (PyTorch's `_single` / `_pair` / `_triple` arguments). */
export type IntOrTuple = number | readonly number[];

const COUNT = ["no ints", "one int", "two ints", "three ints"];

/** PyTorch's scalar type names, as its dispatch errors print them. */
export const TORCH_TYPE_NAME: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  uint8: "Byte",
  bool: "Bool",
};

/** Expands an int or a tuple of `n` ints (a 1-tuple broadcasts, as ATen's pooling accepts). */
export function tupleArg(v: IntOrTuple, n: number, op: string, name: string): number[] {
  const list = typeof v === "number" ? [v] : Array.isArray(v) ? v : null;
  if (list === null || (list.length !== 1 && list.length !== n)) {
    throw new TypeError(`${op}: ${name} must either be a single int, or a tuple of ${COUNT[n]} (got ${JSON.stringify(v)})`);
  }
  for (const x of list) {
    if (typeof x !== "number" || !Number.isInteger(x)) {
      throw new TypeError(`${op}: ${name} must contain integers, but got ${JSON.stringify(v)}`);
    }
  }
  return list.length === 1 ? new Array<number>(n).fill(list[0]) : list.slice();
}

/** `stride`: omitted (undefined, null or `[]`) means the kernel size, as in PyTorch. */
export function strideArg(v: IntOrTuple | null | undefined, kernel: number[], op: string): number[] {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return kernel.slice();
  return tupleArg(v, kernel.length, op, "stride");
}

/** Rejects tensors of dtypes PyTorch's kernel does not dispatch, with its wording. */
export function checkDtype(x: Tensor, op: string, kernelName: string, allowIntegral: boolean): void {
  const ok = x.dtype === "float32" || x.dtype === "float64" || (allowIntegral && x.dtype !== "bool");
  if (!ok) throw new TypeError(`${op}: "${kernelName}" not implemented for '${TORCH_TYPE_NAME[x.dtype]}'`);
}

/**
 * Checks the rank (`nd + 1` unbatched or `nd + 2` batched) and that only the batch dim may be empty;
 * returns whether the input is batched.
 */
export function checkPoolRank(x: Tensor, nd: number, op: string): boolean {
  const r = x.dim();
  const batched = r === nd + 2;
  const nonEmpty = x.shape.every((s, i) => s !== 0 || (batched && i === 0));
  if ((r !== nd + 1 && !batched) || !nonEmpty) {
    throw new RangeError(
      `${op}: Expected ${nd + 1}D or ${nd + 2}D (batch mode) tensor with optional 0 dim batch size for input, ` +
        `but got:${formatShape(x.shape)}`,
    );
  }
  return batched;
}

/**
 * Output length along one dim with `pooling_output_shape`'s checks. The padding limit is PyTorch 2.x's:
 * half the *effective* (dilated) kernel. PyTorch 1.13 compared against half the plain kernel and so refused
 * e.g. `maxPool2d(x, 3, {padding: 2, dilation: 2})`, which 2.x and torch-ts accept.
 */
export function pooledLength(L: number, k: number, pad: number, s: number, d: number, ceil: boolean, op: string): number {
  if (s === 0) throw new RangeError(`${op}: stride should not be zero`);
  if (pad < 0) throw new RangeError(`${op}: pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.trunc(((k - 1) * d + 1) / 2)) {
    throw new RangeError(
      `${op}: pad should be at most half of effective kernel size, but got pad=${pad}, kernel_size=${k} and dilation=${d}`,
    );
  }
  return poolOutputSize(L, k, s, pad, d, ceil);
}

/** The normalized arguments of a sliding-window pooling over `nd` spatial dims. */
export interface PoolGeometry {
  nd: number;
  batched: boolean;
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  /** Spatial output lengths. */
  out: number[];
}

const DIM_NAMES: Record<number, string[]> = { 2: ["H", "W"], 3: ["T", "H", "W"] };

/**
 * `pool2d_shape_check` / `pool3d_shape_check` after the output lengths: positive kernel, stride and
 * dilation, the 3-d plain-kernel padding limit (kept in PyTorch 2.x), and a non-empty output.
 */
export function checkPoolGeometry(x: Tensor, g: PoolGeometry, op: string, opts: { inputAtLeastKernel?: boolean } = {}): void {
  const names = DIM_NAMES[g.nd];
  const list = (label: string, v: number[], sep = " "): string => names.map((n, i) => `${label}${n}: ${v[i]}`).join(sep);
  if (g.kernel.some((k) => k <= 0)) {
    throw new RangeError(`${op}: kernel size should be greater than zero, but got ${list("k", g.kernel)}`);
  }
  if (g.stride.some((s) => s <= 0)) {
    throw new RangeError(`${op}: stride should be greater than zero, but got ${list("d", g.stride)}`);
  }
  if (g.dilation.some((d) => d <= 0)) {
    throw new RangeError(`${op}: dilation should be greater than zero, but got ${list("dilation", g.dilation)}`);
  }
  const spatial = x.shape.slice(-g.nd);
  if (opts.inputAtLeastKernel && spatial.some((L, i) => L < g.kernel[i])) {
    throw new RangeError(
      `${op}: input image (${names.map((n, i) => `${n}: ${spatial[i]}`).join(" ")}) smaller than kernel size ` +
        `(${names.map((n, i) => `k${n}: ${g.kernel[i]}`).join(" ")})`,
    );
  }
  if (g.nd === 3 && g.padding.some((p, i) => p > Math.trunc(g.kernel[i] / 2))) {
    const eff = g.kernel.map((k, i) => (k - 1) * g.dilation[i] + 1);
    throw new RangeError(
      `${op}: pad should be smaller than or equal to half of effective kernel size, but got padT: ${g.padding[0]} ` +
        `padW: ${g.padding[2]} padH: ${g.padding[1]} effectiveKT: ${eff[0]} effectiveKW: ${eff[2]} effectiveKH: ${eff[1]}`,
    );
  }
  if (g.out.some((o) => o < 1)) {
    const planes = x.shape[x.dim() - g.nd - 1];
    throw new RangeError(
      `${op}: Given input size: (${[planes, ...spatial].join("x")}). ` +
        `Calculated output size: (${[planes, ...g.out].join("x")}). Output size is too small`,
    );
  }
}

/** Normalizes and checks the window arguments of max/avg pooling over `nd` (2 or 3) spatial dims. */
export function poolGeometry(
  x: Tensor,
  nd: number,
  args: { kernelSize: IntOrTuple; stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceilMode?: boolean },
  op: string,
  opts: { inputAtLeastKernel?: boolean } = {},
): PoolGeometry {
  const kernel = tupleArg(args.kernelSize, nd, op, "kernelSize");
  const stride = strideArg(args.stride, kernel, op);
  const padding = tupleArg(args.padding ?? 0, nd, op, "padding");
  const dilation = tupleArg(args.dilation ?? 1, nd, op, "dilation");
  const batched = checkPoolRank(x, nd, op);
  const spatial = x.shape.slice(-nd);
  const out = spatial.map((L, i) => pooledLength(L, kernel[i], padding[i], stride[i], dilation[i], args.ceilMode ?? false, op));
  const g = { nd, batched, kernel, stride, padding, dilation, out };
  checkPoolGeometry(x, g, op, opts);
  return g;
}

/** Pads a per-dim list on the left to the kernels' three spatial dims (D, H, W). */
export function to3(v: readonly number[], fill: number): [number, number, number] {
  const o = [fill, fill, fill, ...v].slice(-3);
  return [o[0], o[1], o[2]];
}

/** The backend's window for a geometry. */
export function windowOf(g: PoolGeometry): PoolWindow {
  return { kernel: to3(g.kernel, 1), stride: to3(g.stride, 1), padding: to3(g.padding, 0), dilation: to3(g.dilation, 1) };
}

/**
 * `t` (rank `nd + 1` or `nd + 2`) seen by the kernels as `[N, C, D, H, W]`: missing leading dims get size 1
 * (their stride never matters). No copy, no autograd.
 */
export function view5(t: View, nd: number): View {
  const r = t.shape.length;
  const lead = r - nd; // 1 (C) or 2 (N, C)
  const shape = [...(lead === 1 ? [1] : []), ...t.shape.slice(0, lead), ...new Array<number>(3 - nd).fill(1), ...t.shape.slice(lead)];
  const strides = [...(lead === 1 ? [0] : []), ...t.strides.slice(0, lead), ...new Array<number>(3 - nd).fill(0), ...t.strides.slice(lead)];
  return { buf: t.buf, dtype: t.dtype, shape, strides, offset: t.offset };
}

/** A contiguous tensor of rank `nd + 1` or `nd + 2` seen as `[N, C, L]`: one flat plane per (n, c). */
export function planeView(t: Tensor, nd: number): View {
  const r = t.dim();
  const L = t.shape.slice(r - nd).reduce((a, b) => a * b, 1);
  const C = t.shape[r - nd - 1];
  const N = r === nd + 2 ? t.shape[0] : 1;
  return { buf: t.buf, dtype: t.dtype, shape: [N, C, L], strides: [C * L, L, 1], offset: t.offset };
}
