/**
 * Dropout in its element, channel ("feature") and alpha forms, as ATen's `_dropout_impl`
 * (`aten/src/ATen/native/Dropout.cpp`): a noise tensor filled by `bernoulli_(1 − p)` on the default
 * generator, scaled, then multiplied in (so the gradient is `MulBackward0`, the same mask). The noise has
 * the input's memory layout (as `empty_like`), and `bernoulli_` draws in memory order, so after the same
 * `manualSeed` the masks equal PyTorch's CPU masks.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { mul } from "../../ops/elementwise.js";
import { applyInplace } from "../../ops/inplace.js";
import { bernoulli_ } from "../../ops/random.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { scalarTensor, checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";

/** `p`, `training` and `inplace` positionally (`dropout(x, 0.2, true)`) or as one options object. */
export interface DropoutOptions {
  /** Probability of zeroing an element (or channel). Default 0.5. */
  p?: number;
  /** Apply dropout (else return the input). Default true (false for the alpha forms, as PyTorch). */
  training?: boolean;
  /** Write into the input. Default false. */
  inplace?: boolean;
}

type DropoutArgs = [p?: number | DropoutOptions, training?: boolean, inplace?: boolean];

function parse(op: string, args: DropoutArgs, trainingDefault: boolean): { p: number; training: boolean; inplace: boolean } {
  const [a, b, c] = args;
  const o: DropoutOptions = typeof a === "object" && a !== null ? a : { p: a, training: b, inplace: c };
  const p = o.p ?? 0.5;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${op}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
  }
  return { p, training: o.training ?? trainingDefault, inplace: o.inplace ?? false };
}

/** `[N, C, 1, …]` noise: one draw per (sample, channel), as `make_feature_noise`. */
function featureNoise(op: string, x: Tensor): Tensor {
  if (x.dim() < 2) throw new Error(`${op}: Feature dropout requires at least 2 dimensions in the input`);
  return Tensor.empty([x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], x.dtype);
}

// SELU's α·λ: alpha dropout sets dropped units to SELU's negative saturation value −α·λ.
const ALPHA = 1.7580993408473766;

function dropoutImpl(op: string, input: Tensor, p: number, train: boolean, inplace: boolean, feature: boolean, alpha: boolean): Tensor {
  checkTensor(input, op);
  if (p === 0 || !train || input.numel() === 0) return input;
  if (p === 1) {
    const zero = scalarTensor(0, input.dtype);
    return inplace ? input.mul_(zero) : mul(input, zero);
  }
  if (!isFloating(input.dtype)) {
    throw new TypeError(`${op}: result type Float can't be cast to the desired output type ${torchTypeName(input.dtype)}`);
  }
  // Contiguous whatever the input's layout (`empty_like(input, LEGACY_CONTIGUOUS_MEMORY_FORMAT)`).
  const noise = feature ? featureNoise(op, input) : Tensor.empty(input.shape, input.dtype);
  const b = noGrad(() => {
    bernoulli_(noise, 1 - p);
    if (!alpha) {
      noise.div_(1 - p);
      return null;
    }
    const a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
    const shift = noise.add(-1).mul_(ALPHA * a).add_(ALPHA * a * p);
    noise.mul_(a);
    return shift;
  });
  const out = inplace ? input.mul_(noise) : mul(input, noise);
  if (b === null) return out;
  // As PyTorch, the shift is added in place to the product (out of place it is a fresh tensor).
  return out.add_(b);
}

/**
 * Zeroes each element with probability `p` and scales the rest by `1/(1 − p)`, as
 * `F.dropout(input, p=0.5, training=True, inplace=False)`. Identity when not training or `p = 0`.
 *
 * Shape: any; output like input.
 *
 * @example
 * torch.manualSeed(0);
 * F.dropout(torch.ones([4]), 0.5) // tensor([0., 0., 2., 0.]), as PyTorch after torch.manual_seed(0)
 */
export function dropout(input: Tensor, ...args: DropoutArgs): Tensor {
  const { p, training, inplace } = parse("dropout", args, true);
  return dropoutImpl("dropout", input, p, training, inplace, false, false);
}

/**
 * Alpha dropout for SELU networks, as `F.alpha_dropout(input, p=0.5, training=False, inplace=False)`:
 * dropped units take SELU's saturation value −αλ and an affine map keeps mean 0 and variance 1.
 */
export function alphaDropout(input: Tensor, ...args: DropoutArgs): Tensor {
  const { p, training, inplace } = parse("alphaDropout", args, false);
  return dropoutImpl("alphaDropout", input, p, training, inplace, false, true);
}

/** Channel-wise alpha dropout, as `F.feature_alpha_dropout(input, p=0.5, training=False, inplace=False)`. */
export function featureAlphaDropout(input: Tensor, ...args: DropoutArgs): Tensor {
  const { p, training, inplace } = parse("featureAlphaDropout", args, false);
  return dropoutImpl("featureAlphaDropout", input, p, training, inplace, true, true);
}

const warned = new Set<string>();
function warnOnce(key: string, msg: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(msg);
}

/** Runs channel dropout on `input`, adding a batch dim for unbatched inputs when `batched` is false. */
function featureDropout(op: string, input: Tensor, p: number, training: boolean, inplace: boolean, batched: boolean): Tensor {
  if (batched) return dropoutImpl(op, input, p, training, inplace, true, false);
  if (!training || p === 0) return input;
  const run = (x: Tensor): Tensor => squeeze(dropoutImpl(op, unsqueeze(x, 0), p, training, false, true, false), 0);
  return inplace ? applyInplace(input, `${op}_`, run) : run(input);
}

/**
 * Zeroes whole channels (1-d feature maps) with probability `p`, as `F.dropout1d(input, p=0.5,
 * training=True, inplace=False)`.
 *
 * Shape: `(N, C, L)` or `(C, L)`; output like input.
 */
export function dropout1d(input: Tensor, ...args: DropoutArgs): Tensor {
  const op = "dropout1d";
  const { p, training, inplace } = parse(op, args, true);
  checkTensor(input, op);
  const nd = input.dim();
  if (nd !== 2 && nd !== 3) {
    throw new Error(
      `${op}: Expected 2D or 3D input, but received a ${nd}D input. Note that dropout1d exists to provide channel-wise ` +
        "dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
    );
  }
  return featureDropout(op, input, p, training, inplace, nd === 3);
}

/**
 * Zeroes whole channels (2-d feature maps) with probability `p`, as `F.dropout2d(input, p=0.5,
 * training=True, inplace=False)`. As PyTorch 1.13, a 3-d input is taken as `(N, C, L)` (with a warning).
 *
 * Shape: `(N, C, H, W)`; output like input.
 */
export function dropout2d(input: Tensor, ...args: DropoutArgs): Tensor {
  const op = "dropout2d";
  const { p, training, inplace } = parse(op, args, true);
  checkTensor(input, op);
  const nd = input.dim();
  if (nd !== 3 && nd !== 4) {
    warnOnce(
      `${op}:rank`,
      `${op}: Received a ${nd}-D input to dropout2d, which is deprecated and will result in an error in a future release. ` +
        "To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide " +
        "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension " +
        "(i.e. 3D or 4D inputs).",
    );
  }
  if (nd === 3) {
    warnOnce(
      `${op}:3d`,
      `${op}: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is ` +
        "interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to " +
        "interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise " +
        "dropout behavior, please switch to using dropout1d instead.",
    );
  }
  return featureDropout(op, input, p, training, inplace, true);
}

/**
 * Zeroes whole channels (3-d feature maps) with probability `p`, as `F.dropout3d(input, p=0.5,
 * training=True, inplace=False)`.
 *
 * Shape: `(N, C, D, H, W)` or `(C, D, H, W)`; output like input.
 */
export function dropout3d(input: Tensor, ...args: DropoutArgs): Tensor {
  const op = "dropout3d";
  const { p, training, inplace } = parse(op, args, true);
  checkTensor(input, op);
  const nd = input.dim();
  if (nd !== 4 && nd !== 5) {
    warnOnce(
      `${op}:rank`,
      `${op}: Received a ${nd}-D input to dropout3d, which is deprecated and will result in an error in a future release. ` +
        "To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide " +
        "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension " +
        "(i.e. 4D or 5D inputs).",
    );
  }
  return featureDropout(op, input, p, training, inplace, nd === 5);
}
