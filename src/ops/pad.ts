import { Tensor } from "../tensor.js";
import { castScalar } from "../dtype.js";
import { formatShape } from "../layout.js";
import { backend } from "../backend/backend.js";
import type { PadMode } from "../backend/interface/indexing.js";
import { defineUnaryOutputOp } from "./define.js";
import type { PrimitiveOp } from "./index-util.js";
import { checkTensor } from "./util.js";

export type { PadMode };

const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/** PyTorch's pad list (last dim first, `[left, right, top, bottom, …]`) as per-dim `[before, after]` pairs. */
function perDimPads(pads: readonly number[], ndim: number): number[] {
  const full = new Array<number>(2 * ndim).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    const d = ndim - 1 - i;
    full[2 * d] = pads[2 * i];
    full[2 * d + 1] = pads[2 * i + 1];
  }
  return full;
}

function paddedShape(shape: readonly number[], full: readonly number[]): number[] {
  return shape.map((s, d) => s + full[2 * d] + full[2 * d + 1]);
}

const constantPadOp: PrimitiveOp<{ full: number[]; value: number }> = defineUnaryOutputOp<{ full: number[]; value: number }>({
  name: "ConstantPadNd",
  forward(_ctx, [x], { full, value }) {
    const out = Tensor.empty(paddedShape(x.shape, full), x.dtype);
    backend().pad(x, full, "constant", out, castScalar(value, x.dtype));
    return out;
  },
  backward(_ctx, [g], { full }) {
    // Padding and cropping are each other's adjoint: the gradient is the input region, with zeros where
    // the forward cropped.
    return [constantPadOp([g], { full: full.map((p) => -p), value: 0 })];
  },
});

type ModeAttrs = { full: number[]; mode: PadMode; inShape: number[] };

const modeOps = new Map<string, { pad: (x: Tensor, a: ModeAttrs) => Tensor; unpad: (g: Tensor, a: ModeAttrs) => Tensor }>();

/**
 * The reflect/replicate/circular primitive and its adjoint (which accumulates the gradient of every output
 * element into its source), named as PyTorch's nodes: ReflectionPad2DBackward0 and, for double backward,
 * ReflectionPad2DBackwardBackward0.
 */
function modeOp(mode: PadMode, k: number): { pad: (x: Tensor, a: ModeAttrs) => Tensor; unpad: (g: Tensor, a: ModeAttrs) => Tensor } {
  const name = `${{ reflect: "Reflection", replicate: "Replication", circular: "Circular", constant: "Constant" }[mode]}Pad${k}D`;
  let ops = modeOps.get(name);
  if (ops) return ops;
  const padOp: PrimitiveOp<ModeAttrs> = defineUnaryOutputOp<ModeAttrs>({
    name,
    forward(_ctx, [x], a) {
      const out = Tensor.empty(paddedShape(x.shape, a.full), x.dtype);
      backend().pad(x, a.full, a.mode, out, 0);
      return out;
    },
    backward(_ctx, [g], a) {
      return [unpadOp([g], a)];
    },
  });
  const unpadOp: PrimitiveOp<ModeAttrs> = defineUnaryOutputOp<ModeAttrs>({
    name: `${name}Backward`,
    forward(_ctx, [g], a) {
      const out = Tensor.empty(a.inShape, g.dtype);
      backend().padBackward(g, a.full, a.mode, out);
      return out;
    },
    backward(_ctx, [gg], a) {
      return [padOp([gg], a)];
    },
  });
  ops = { pad: (x, a) => padOp([x], a), unpad: (g, a) => unpadOp([g], a) };
  modeOps.set(name, ops);
  return ops;
}

const DIM_LETTERS = ["D", "H", "W"];

/** The checks of reflection_pad / replication_pad / _pad_circular in aten (PyTorch 2.x wording). */
function checkModePads(x: Tensor, full: readonly number[], mode: PadMode, k: number): void {
  const nd = x.dim();
  const batchless = nd === k + 1;
  if (mode !== "circular") {
    const nonBatch = x.shape.slice(batchless ? 0 : 1);
    if (nonBatch.some((s, i) => s === 0 && !(batchless && i === 0))) {
      throw new Error(
        `pad: Expected ${k + 1}D or ${k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero ` +
          `dimensions for input, but got: ${formatShape(x.shape)}`,
      );
    }
  }
  for (let d = nd - k; d < nd; d++) {
    const L = x.shape[d];
    const before = full[2 * d];
    const after = full[2 * d + 1];
    const outLen = L + before + after;
    if (mode === "reflect" && (before >= L || after >= L)) {
      throw new Error(
        `pad: Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ` +
          `(${before}, ${after}) at dimension ${d} of input ${formatShape(x.shape)}`,
      );
    }
    if (mode === "circular") {
      if (before > L || after > L) throw new Error("pad: Padding value causes wrapping around more than once.");
      if (outLen < 0) throw new Error("pad: Negative padding value is resulting in an empty dimension");
      // PyTorch would copy uninitialized memory here; nothing is left to wrap around.
      if (outLen > 0 && L - Math.max(-before, 0) - Math.max(-after, 0) <= 0) {
        throw new Error(`pad: circular padding needs a non-empty input after cropping, but dimension ${d} of input ${formatShape(x.shape)} is cropped away`);
      }
    } else if (outLen < 1) {
      const letter = DIM_LETTERS[3 - (nd - d)];
      throw new Error(`pad: input (${letter}: ${L}) is too small. Calculated output ${letter}: ${outLen}`);
    }
  }
}

/**
 * Pads (or, with negative amounts, crops) the last `pad.length / 2` dims, as `torch.nn.functional.pad`.
 * `pad` lists `[left, right]` of the last dim first, then of the one before (`[left, right, top, bottom]`).
 * Modes: "constant" (fills `value`, default 0), "reflect" (mirror without repeating the edge), "replicate"
 * (repeat the edge), "circular" (wrap around). The non-constant modes pad the last 1, 2 or 3 dims of a
 * (batched) 2D-5D input.
 *
 * Shape: each padded dim grows by `left + right`.
 *
 * @example
 * torch.pad(torch.tensor([[1, 2, 3]]), [1, 2]) // tensor([[0, 1, 2, 3, 0, 0]])
 * torch.pad(torch.tensor([[1, 2, 3]], { dtype: "float32" }), [2, 1], "reflect") // tensor([[3, 2, 1, 2, 3, 2]])
 */
export function pad(
  x: Tensor,
  pad: readonly number[],
  mode: PadMode | { mode?: PadMode; value?: number | null } = "constant",
  value?: number | null,
): Tensor {
  checkTensor(x, "pad");
  const opts = typeof mode === "string" ? { mode, value } : { mode: mode.mode ?? "constant", value: mode.value ?? value };
  const m = opts.mode;
  if (!Array.isArray(pad) || pad.some((p) => !Number.isInteger(p))) {
    throw new TypeError(`pad: expected a list of integers for pad, got ${JSON.stringify(pad)}`);
  }
  if (pad.length % 2 !== 0) throw new Error("pad: Padding length must be divisible by 2");
  if (pad.length > 2 * x.dim()) {
    throw new Error(
      `pad: Padding length should be less than or equal to two times the input dimension but got padding length ` +
        `${pad.length} and input of dimension ${x.dim()}`,
    );
  }
  if (!MODES.includes(m)) throw new Error(`pad: Unrecognised padding mode ${String(m)}`);
  const full = perDimPads(pad, x.dim());
  if (m === "constant") {
    x.shape.forEach((s, d) => {
      // PyTorch crops before it pads, so each crop must fit the input even when the other side grows.
      const crop = Math.max(-full[2 * d], 0) + Math.max(-full[2 * d + 1], 0);
      if (crop > s && s + full[2 * d] + full[2 * d + 1] >= 0) {
        throw new Error(
          `pad: negative padding ${full[2 * d]} and ${full[2 * d + 1]} crops ${crop} elements from dimension ${d} of ` +
            `size ${s}`,
        );
      }
    });
    // As constant_pad_nd: with any positive pad, every padded dim must come out non-empty; pure cropping
    // may empty a dim.
    const growing = pad.some((p) => p > 0);
    paddedShape(x.shape, full).forEach((s, d) => {
      if (s < 0 || (growing && s === 0 && d >= x.dim() - pad.length / 2)) {
        throw new Error(
          `pad: The input size ${x.shape[d]}, plus negative padding ${full[2 * d]} and ${full[2 * d + 1]} resulted ` +
            `in a negative output size, which is invalid. Check dimension ${d} of your input.`,
        );
      }
    });
    return constantPadOp([x], { full, value: opts.value ?? 0 });
  }
  if (opts.value !== undefined && opts.value !== null && opts.value !== 0) {
    throw new Error(`pad: Padding mode "${m}" doesn't take in value argument`);
  }
  const k = pad.length / 2;
  if (!(k >= 1 && k <= 3 && (x.dim() === k + 1 || x.dim() === k + 2))) {
    throw new Error("pad: Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  }
  checkModePads(x, full, m, k);
  return modeOp(m, k).pad(x, { full, mode: m, inShape: x.shape.slice() });
}
