/**
 * Normalization functions of `torch.nn.functional`: batch, instance, layer and group norm on the fused
 * primitive of `norm-op.ts`, and local response norm composed from pooling as PyTorch composes it.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { formatShape, numel, shapeEquals } from "../../layout.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { add, div, mul, pow } from "../../ops/elementwise.js";
import { mean } from "../../ops/reduce.js";
import { clone, reshape, squeeze, unsqueeze, view } from "../../ops/view.js";
import { to } from "../../ops/cast.js";
import { pad } from "../../ops/pad.js";
import { avgPool2d, avgPool3d } from "../../ops/avg-pool.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";
import { torchSize } from "../repr.js";
import { type NormGrouping, nativeBatchNorm, nativeGroupNorm, nativeLayerNorm, normStats, rstdOf } from "./norm-op.js";

/** Options of `batchNorm` (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Per-channel scale γ `[C]`. Default none (1). */
  weight?: Tensor | null;
  /** Per-channel shift β `[C]`. Default none (0). */
  bias?: Tensor | null;
  /** Normalize with the batch's statistics (and update the running ones). Default false. */
  training?: boolean;
  /** Weight of the new batch in the running averages. Default 0.1. */
  momentum?: number;
  /** Added to the variance under the square root. Default 1e-5. */
  eps?: number;
}

/** `x` as `[N, C, S]`. */
function ncs(x: Tensor): [number, number, number] {
  return [x.shape[0], x.shape[1], numel(x.shape.slice(2))];
}

function checkFloating(op: string, kernel: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new TypeError(`${op}: "${kernel}" not implemented for '${torchTypeName(x.dtype)}'`);
}

function checkParamDtype(op: string, x: Tensor, ts: Array<Tensor | null>): void {
  for (const t of ts) {
    if (t && t.dtype !== x.dtype) {
      throw new TypeError(`${op}: mixed dtype (CPU): expect parameter to have scalar type of ${torchTypeName(x.dtype)}`);
    }
  }
}

/** `running ← (1 − m)·running + m·batch`, computed in float64 as PyTorch's accumulators, written in place. */
function updateRunning(running: Tensor, batch: Tensor, momentum: number): void {
  noGrad(() => {
    const next = add(mul(batch, momentum), mul(to(running, "float64"), 1 - momentum));
    running.copy_(reshape(next, running.shape));
  });
}

function checkFeatures(op: string, name: string, C: number, t: Tensor | null): void {
  if (t && t.numel() !== C) throw new Error(`${op}: ${name} should contain ${C} elements not ${t.numel()}`);
}

/** PyTorch's `_verify_batch_size`. */
function verifyBatchSize(op: string, shape: readonly number[], shown: string): void {
  let n = shape[0];
  for (let i = 2; i < shape.length; i++) n *= shape[i];
  if (n === 1) throw new Error(`${op}: Expected more than 1 value per channel when training, got input size ${shown}`);
}

/**
 * Batch normalization per channel, as `F.batch_norm(input, running_mean, running_var, weight=None,
 * bias=None, training=False, momentum=0.1, eps=1e-05)`: `y = (x − μ)/√(σ² + eps)·γ + β` with μ, σ² over
 * the batch and spatial dims. Training uses the batch's biased variance and updates the running buffers
 * in place (the running variance gets the unbiased one); evaluation uses the running buffers.
 *
 * Shape: input `(N, C, *)`; running stats, weight and bias `(C)`; output like input.
 *
 * @example
 * F.batchNorm(torch.tensor([[1, 2], [3, 6]], { dtype: "float32" }), null, null, { training: true }) // ≈ tensor([[-1, -1], [1, 1]])
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  checkTensor(input, op);
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  if (training) verifyBatchSize(op, input.shape, torchSize(input.shape));
  const C = input.dim() > 1 ? input.shape[1] : 0;
  if (input.numel() === 0) {
    // As PyTorch: a copy (not a view), scaled by the first weight and shifted by the first bias.
    let out = clone(input);
    if (weight) out = mul(out, reshape(weight, [-1]).narrow(0, 0, 1).reshape([]));
    if (bias) out = add(out, reshape(bias, [-1]).narrow(0, 0, 1).reshape([]));
    return out;
  }
  if (runningMean) checkFeatures(op, "running_mean", C, runningMean);
  else if (!training) throw new Error(`${op}: running_mean must be defined in evaluation mode`);
  if (runningVar) checkFeatures(op, "running_var", C, runningVar);
  else if (!training) throw new Error(`${op}: running_var must be defined in evaluation mode`);
  checkFeatures(op, "weight", C, weight);
  checkFeatures(op, "bias", C, bias);
  checkFloating(op, "batch_norm", input);
  checkParamDtype(op, input, [weight, bias, runningMean, runningVar]);
  const dims = ncs(input);
  return normalize(input, dims, { kind: "channel" }, weight, bias, eps, training, runningMean, runningVar, momentum, nativeBatchNorm);
}

/**
 * The shared path: statistics (batch or running), the running-average update, then the primitive.
 * `reduceRunning` folds per-(n, c) statistics into per-channel ones (instance norm's running averages).
 */
function normalize(
  input: Tensor,
  dims: [number, number, number],
  grouping: NormGrouping,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
  batchStats: boolean,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  momentum: number,
  prim: typeof nativeBatchNorm,
  reduceRunning?: (t: Tensor) => Tensor,
): Tensor {
  let m: Tensor;
  let rstd: Tensor;
  if (batchStats) {
    const s = normStats(input, dims, grouping);
    m = s.mean;
    rstd = rstdOf(s.variance, eps);
    const count = grouping.kind === "channel" ? dims[0] * dims[2] : (dims[1] / grouping.groups) * dims[2];
    const fold = reduceRunning ?? ((t: Tensor) => t);
    if (runningMean) updateRunning(runningMean, noGrad(() => fold(s.mean)), momentum);
    if (runningVar) updateRunning(runningVar, noGrad(() => fold(mul(s.variance, count / (count - 1)))), momentum);
  } else {
    m = noGrad(() => to(reshape(runningMean!, [-1]), "float64"));
    rstd = noGrad(() => rstdOf(reshape(runningVar!, [-1]), eps));
  }
  const inputs = [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return prim(inputs, { grouping, dims, eps, mean: m, rstd, batchStats, hasWeight: weight !== null, hasBias: bias !== null });
}

/** Options of `instanceNorm`. */
export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize with each instance's own statistics (else the running ones). Default true. */
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalization: each (sample, channel) plane normalized by its own statistics, as
 * `F.instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
 * use_input_stats=True, momentum=0.1, eps=1e-05)`. Running buffers, when given, are updated with the
 * batch average of the per-instance statistics (as PyTorch's `instance_norm` does through batch norm).
 *
 * Shape: input `(N, C, *)`; output like input.
 */
export function instanceNorm(input: Tensor, opts: InstanceNormOptions = {}): Tensor {
  const op = "instanceNorm";
  checkTensor(input, op);
  const useInputStats = opts.useInputStats ?? true;
  const runningMean = opts.runningMean ?? null;
  const runningVar = opts.runningVar ?? null;
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  if (useInputStats) {
    let n = 1;
    for (let i = 2; i < input.dim(); i++) n *= input.shape[i];
    if (n === 1) throw new Error(`${op}: Expected more than 1 spatial element when training, got input size ${torchSize(input.shape)}`);
  }
  if (!useInputStats && !(runningMean && runningVar)) {
    throw new Error(`${op}: Expected running_mean and running_var to be defined when use_input_stats is false`);
  }
  if (input.dim() < 2) throw new Error(`${op}: Expected input of at least 2 dimensions, got ${input.dim()}`);
  const C = input.shape[1];
  for (const [name, t] of [["running_mean", runningMean], ["running_var", runningVar], ["weight", weight], ["bias", bias]] as const) {
    checkFeatures(op, name, C, t);
  }
  checkFloating(op, "batch_norm", input);
  checkParamDtype(op, input, [weight, bias, runningMean, runningVar]);
  const dims = ncs(input);
  if (!useInputStats) {
    return normalize(input, dims, { kind: "channel" }, weight, bias, opts.eps ?? 1e-5, false, runningMean, runningVar, 0, nativeBatchNorm);
  }
  const [N] = dims;
  // Per-(n, c) statistics are groups of one channel; the running buffers take their mean over the batch.
  const fold = (t: Tensor): Tensor => mean(view(t, [N, C]), 0);
  return normalize(input, dims, { kind: "group", groups: C }, weight, bias, opts.eps ?? 1e-5, true, runningMean, runningVar, opts.momentum ?? 0.1, nativeBatchNorm, fold);
}

/** Options of `layerNorm`. */
export interface LayerNormOptions {
  /** Elementwise scale of `normalizedShape`. Default none. */
  weight?: Tensor | null;
  /** Elementwise shift of `normalizedShape`. Default none. */
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Layer normalization over the last dims, as `F.layer_norm(input, normalized_shape, weight=None,
 * bias=None, eps=1e-05)`: each sample's trailing `normalizedShape` block is normalized by its own mean
 * and biased variance, then scaled and shifted elementwise.
 *
 * Shape: input `(*, ...normalizedShape)`; weight and bias `normalizedShape`; output like input.
 *
 * @example
 * F.layerNorm(torch.tensor([[1, 3]], { dtype: "float32" }), [2]) // ≈ tensor([[-1, 1]])
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  const op = "layerNorm";
  checkTensor(input, op);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  const ns = formatShape(shape);
  if (shape.length < 1) {
    throw new Error(
      `${op}: Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${ns}`,
    );
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && !shapeEquals(t.shape, shape)) {
      throw new Error(`${op}: Expected ${name} to be of same shape as normalized_shape, but got ${name} of shape ${formatShape(t.shape)} and normalized_shape = ${ns}`);
    }
  }
  const k = shape.length;
  if (input.dim() < k || !shapeEquals(input.shape.slice(input.dim() - k), shape)) {
    throw new Error(`${op}: Given normalized_shape=${ns}, expected input with shape [*, ${shape.join(", ")}], but got input of size${formatShape(input.shape)}`);
  }
  checkFloating(op, "LayerNormKernelImpl", input);
  checkParamDtype(op, input, [weight, bias]);
  const K = numel(shape);
  const M = numel(input.shape.slice(0, input.dim() - k));
  return normalize(input, [M, K, 1], { kind: "group", groups: 1 }, weight, bias, opts.eps ?? 1e-5, true, null, null, 0, nativeLayerNorm);
}

/** Options of `groupNorm`. */
export interface GroupNormOptions {
  /** Per-channel scale `[C]`. Default none. */
  weight?: Tensor | null;
  /** Per-channel shift `[C]`. Default none. */
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Group normalization, as `F.group_norm(input, num_groups, weight=None, bias=None, eps=1e-05)`: the
 * channels of each sample split into `numGroups` groups, each normalized by its own mean and biased
 * variance; then a per-channel scale and shift.
 *
 * Shape: input `(N, C, *)` with C divisible by `numGroups`; output like input.
 */
export function groupNorm(input: Tensor, numGroups: number, opts: GroupNormOptions = {}): Tensor {
  const op = "groupNorm";
  checkTensor(input, op);
  if (!Number.isInteger(numGroups) || numGroups <= 0) throw new RangeError(`${op}: numGroups must be a positive integer, got ${numGroups}`);
  if (input.dim() < 2) throw new RangeError(`${op}: Dimension out of range (expected to be in range of [-1, 0], but got 1)`);
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  const [N, C] = input.shape;
  const shown = [Math.floor((N * C) / numGroups), numGroups, ...input.shape.slice(2)];
  verifyBatchSize(op, shown, `[${shown.join(", ")}]`);
  if (C % numGroups !== 0) {
    throw new Error(`${op}: Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(input.shape)} and num_groups=${numGroups}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && (t.dim() !== 1 || t.numel() !== C)) {
      throw new Error(
        `${op}: Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${formatShape(t.shape)} and input of shape ${formatShape(input.shape)}`,
      );
    }
  }
  checkFloating(op, "GroupNormKernelImpl", input);
  checkParamDtype(op, input, [weight, bias]);
  return normalize(input, ncs(input), { kind: "group", groups: numGroups }, weight, bias, opts.eps ?? 1e-5, true, null, null, 0, nativeGroupNorm);
}

/** Options of `localResponseNorm`. */
export interface LocalResponseNormOptions {
  /** Default 1e-4. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1. */
  k?: number;
}

/**
 * Local response normalization across channels, as `F.local_response_norm(input, size, alpha=1e-4,
 * beta=0.75, k=1.0)`: `bᶜ = aᶜ·(k + α/n·Σ_{c'} (aᶜ')²)^−β` over the `size` neighbouring channels (zero
 * padded), computed with average pooling as PyTorch does.
 *
 * Shape: input `(N, C, *)` with at least 3 dims; output like input.
 */
export function localResponseNorm(input: Tensor, size: number, opts: LocalResponseNormOptions = {}): Tensor {
  const op = "localResponseNorm";
  checkTensor(input, op);
  const alpha = opts.alpha ?? 1e-4;
  const beta = opts.beta ?? 0.75;
  const k = opts.k ?? 1;
  const nd = input.dim();
  if (nd < 3) throw new Error(`${op}: Expected 3D or higher dimensionality input (got ${nd} dimensions)`);
  if (input.numel() === 0) return input;
  let d = unsqueeze(mul(input, input), 1);
  const lo = Math.floor(size / 2);
  const hi = Math.floor((size - 1) / 2);
  if (nd === 3) {
    d = pad(d, [0, 0, lo, hi]);
    d = squeeze(avgPool2d(d, [size, 1], { stride: 1 }), 1);
  } else {
    const s = input.shape;
    d = view(d, [s[0], 1, s[1], s[2], -1]);
    d = pad(d, [0, 0, 0, 0, lo, hi]);
    d = squeeze(avgPool3d(d, [size, 1, 1], { stride: 1 }), 1);
    d = view(d, s);
  }
  return div(input, pow(add(mul(d, alpha), k), beta));
}
