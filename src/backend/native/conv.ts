import type { View } from "../../tensor.js";
import type { ConvGeometry, ConvKernels } from "../interface/conv.js";
import { cpuBackend } from "../cpu/index.js";
import type { NativeAddon } from "./addon.js";
import type { Attempt } from "./attempt.js";
import { type Copy, dense32 as denseWith, hasNegativeStride } from "./dense.js";

/**
 * The problem as the addon reads it (native/src/conv.cc `Problem::read`): `[nsp, N, Cin, Cout, groups,
 * S×3, K×3, O×3, stride×3, padding×3, dilation×3]`, spatial values beyond `nsp` set to 1 (0 for padding).
 * One array, reused: calls are synchronous.
 */
const dims = new Int32Array(23);

function fillDims(input: readonly number[], weight: readonly number[], output: readonly number[], g: ConvGeometry): Int32Array {
  const nsp = weight.length - 2;
  dims[0] = nsp;
  dims[1] = input[0];
  dims[2] = input[1];
  dims[3] = weight[0];
  dims[4] = g.groups;
  for (let i = 0; i < 3; i++) {
    const on = i < nsp;
    dims[5 + i] = on ? input[2 + i] : 1;
    dims[8 + i] = on ? weight[2 + i] : 1;
    dims[11 + i] = on ? output[2 + i] : 1;
    dims[14 + i] = on ? g.stride[i] : 1;
    dims[17 + i] = on ? g.padding[i] : 0;
    dims[20 + i] = on ? g.dilation[i] : 1;
  }
  return dims;
}

function describe(x: readonly number[], w: readonly number[], y: readonly number[], g: ConvGeometry): string {
  return (
    `input [${x.join(", ")}], weight [${w.join(", ")}], output [${y.join(", ")}], stride [${g.stride.join(", ")}], ` +
    `padding [${g.padding.join(", ")}], dilation [${g.dilation.join(", ")}], groups ${g.groups}`
  );
}

/**
 * oneDNN requires `padding_r + stride > 0` per spatial dim: the input may extend past the last window's
 * reach by less than one stride. A transposed convolution whose output padding is at least its stride
 * (allowed when below the dilation) goes further; those trailing input positions are never read, so the
 * problem is solved on the input cropped to the reach. Returns the cropped spatial extents, or null when
 * no dim needs it.
 */
function cropped(input: readonly number[], weight: readonly number[], output: readonly number[], g: ConvGeometry): number[] | null {
  const nsp = weight.length - 2;
  let crop = false;
  const S = input.slice(2);
  for (let i = 0; i < nsp; i++) {
    const reach = (output[2 + i] - 1) * g.stride[i] + (weight[2 + i] - 1) * g.dilation[i] + 1 - g.padding[i];
    if (S[i] >= reach + g.stride[i]) {
      S[i] = reach;
      crop = true;
    }
  }
  return crop ? S : null;
}

/** Whether every window lies in the padding along some dim (no input position is read at all). */
function readsNothing(input: readonly number[], weight: readonly number[], output: readonly number[], g: ConvGeometry): boolean {
  for (let i = 0; i < weight.length - 2; i++) {
    if ((output[2 + i] - 1) * g.stride[i] + (weight[2 + i] - 1) * g.dilation[i] + 1 - g.padding[i] < 1) return true;
  }
  return false;
}

/** The view restricted to its first `spatial` positions in each spatial dim (same storage). */
function narrow(v: View, spatial: readonly number[]): View {
  return { ...v, shape: [v.shape[0], v.shape[1], ...spatial] };
}

/**
 * Empty extents, float64 and negative strides run on the js backend (oneDNN has no f64 convolution), as do
 * problems whose windows all lie in the padding (`readsNothing`: the result is the bias alone).
 */
function native(...views: Array<View | null>): boolean {
  for (const v of views) {
    if (v === null) continue;
    if (v.dtype !== "float32" || hasNegativeStride(v)) return false;
    for (const s of v.shape) if (s === 0) return false;
  }
  return true;
}

export function nativeConvKernels(addon: NativeAddon, attempt: Attempt, copy: Copy): ConvKernels {
  const dense32 = (v: View): { buf: Float32Array; off: number } => denseWith(v, copy);
  return {
    convForward(x, w, bias, y, geom) {
      if (!native(x, w, bias, y) || readsNothing(x.shape, w.shape, y.shape, geom)) return cpuBackend.convForward(x, w, bias, y, geom);
      attempt(
        "convForward",
        () => describe(x.shape, w.shape, y.shape, geom),
        () => {
          const crop = cropped(x.shape, w.shape, y.shape, geom);
          const xs = crop === null ? x : narrow(x, crop);
          const xd = dense32(xs);
          const wd = dense32(w);
          const bd = bias === null ? null : dense32(bias);
          const yd = dense32(y);
          addon.convForward(xd.buf, xd.off, wd.buf, wd.off, bd?.buf ?? null, bd?.off ?? 0, yd.buf, yd.off, fillDims(xs.shape, w.shape, y.shape, geom));
          if (yd.buf !== y.buf) copy({ ...y, buf: yd.buf, offset: yd.off, strides: contiguous(y.shape) }, y);
        },
        () => cpuBackend.convForward(x, w, bias, y, geom),
      );
    },

    convBackwardInput(gy, w, bias, gx, geom) {
      if (!native(gy, w, bias, gx) || readsNothing(gx.shape, w.shape, gy.shape, geom)) {
        return cpuBackend.convBackwardInput(gy, w, bias, gx, geom);
      }
      attempt(
        "convBackwardInput",
        () => describe(gx.shape, w.shape, gy.shape, geom),
        () => {
          const gyd = dense32(gy);
          const wd = dense32(w);
          const bd = bias === null ? null : dense32(bias);
          const crop = cropped(gx.shape, w.shape, gy.shape, geom);
          // Cropped: the unread input positions get only the bias; the rest is solved on its own array.
          const target = crop === null ? gx : narrow(gx, crop);
          const gxd = crop === null ? dense32(gx) : { buf: new Float32Array(numel(target.shape)), off: 0 };
          if (crop !== null) fillChannels(gx, bias);
          addon.convBackwardData(gyd.buf, gyd.off, wd.buf, wd.off, bd?.buf ?? null, bd?.off ?? 0, gxd.buf, gxd.off, fillDims(target.shape, w.shape, gy.shape, geom));
          if (gxd.buf !== gx.buf) copy({ ...target, buf: gxd.buf, offset: gxd.off, strides: contiguous(target.shape) }, target);
        },
        () => cpuBackend.convBackwardInput(gy, w, bias, gx, geom),
      );
    },

    convBackwardWeight(x, gy, gw, geom) {
      if (!native(x, gy, gw) || readsNothing(x.shape, gw.shape, gy.shape, geom)) return cpuBackend.convBackwardWeight(x, gy, gw, geom);
      attempt(
        "convBackwardWeight",
        () => describe(x.shape, gw.shape, gy.shape, geom),
        () => {
          const crop = cropped(x.shape, gw.shape, gy.shape, geom);
          const xs = crop === null ? x : narrow(x, crop);
          const xd = dense32(xs);
          const gyd = dense32(gy);
          const gwd = dense32(gw);
          addon.convBackwardWeights(xd.buf, xd.off, gyd.buf, gyd.off, null, 0, gwd.buf, gwd.off, fillDims(xs.shape, gw.shape, gy.shape, geom));
          if (gwd.buf !== gw.buf) copy({ ...gw, buf: gwd.buf, offset: gwd.off, strides: contiguous(gw.shape) }, gw);
        },
        () => cpuBackend.convBackwardWeight(x, gy, gw, geom),
      );
    },
  };
}

/** Sets every element of channel c of `v` to `bias[c]` (or 0). */
function fillChannels(v: View, bias: View | null): void {
  const C = v.shape[1];
  for (let c = 0; c < C; c++) {
    const value = bias === null ? 0 : bias.buf[bias.offset + c * bias.strides[0]];
    cpuBackend.fill({ ...v, shape: [v.shape[0], 1, ...v.shape.slice(2)], offset: v.offset + c * v.strides[1] }, value);
  }
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}
