/**
 * `torch.nn.functional` activations. Primitives with PyTorch's own gradient conventions at kinks
 * (`x <= 0` takes the negative branch, boundaries of hardtanh get zero gradient, …) are fused kernels from
 * `pointwise`; the rest are compositions whose autograd already gives PyTorch's gradients.
 */
import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import * as ew from "../../ops/elementwise.js";
import { applyInplace } from "../../ops/inplace.js";
import { reshape } from "../../ops/view.js";
import { chunk } from "../../ops/joining.js";
import { checkTensor } from "../../ops/util.js";
import { normalizeDim } from "../../layout.js";
import { pointwise } from "./pointwise.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { sumToShape } from "../../ops/reduce.js";

export * from "./softmax.js";
export * from "./rrelu.js";
export * from "./maxout.js";

/** `inplace` may be given positionally (`relu(x, true)`) or as `{ inplace: true }`. */
export type InplaceArg = boolean | { inplace?: boolean };

export function isInplace(v: InplaceArg | undefined): boolean {
  return typeof v === "object" && v !== null ? (v.inplace ?? false) : (v ?? false);
}

/** Runs `op` out of place, or writes its result into `x` (PyTorch's `op_`), by `inplace`. */
function maybeInplace(x: Tensor, inplace: InplaceArg | undefined, name: string, op: (t: Tensor) => Tensor): Tensor {
  if (!isInplace(inplace)) return op(x);
  checkTensor(x, name);
  return applyInplace(x, `${name}_`, op);
}

// PyTorch's SELU constants (Klambauer et al. 2017), as in aten/src/ATen/native/Activation.cpp.
export const SELU_ALPHA = 1.6732632423543772; // 1.6732632423543772848170429916717
export const SELU_SCALE = 1.0507009873554805; // 1.0507009873554804934193349852946
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π), GELU's tanh approximation
const GELU_KAPPA = 0.044715;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π), the normal pdf's constant

const sig = (x: Tensor): Tensor => ew.sigmoid(x);

const leakyReluOp = pointwise({
  name: "LeakyRelu",
  kernel: "leaky_relu_cpu",
  forward: "(a > 0 ? a : a * p0)",
  derivative: "(b > 0 ? a : a * p0)",
});

const hardtanhOp = pointwise({
  name: "Hardtanh",
  kernel: "hardtanh_cpu",
  forward: "(a !== a ? a : Math.min(Math.max(a, p0), p1))",
  derivative: "((b <= p0 || b >= p1) ? 0 : a)",
  integers: true,
});

// elu(x; α·scale = p0, scale = p1), input scale 1 (ELU, SELU).
const eluOp = pointwise({
  name: "Elu",
  kernel: "elu_cpu",
  forward: "(a <= 0 ? Math.expm1(a) * p0 : a * p1)",
  derivative: "(b <= 0 ? a * p0 * Math.exp(b) : a * p1)",
  second: (x, p) => ew.where(ew.le(x, 0), ew.mul(ew.exp(x), p[0]), 0),
});

// CELU is PyTorch's elu with input scale 1/α (its node is EluBackward0 too). p1 is the backward's input
// scale: PyTorch's derivatives.yaml computes it as `1.0 / alpha.toFloat()`, from α rounded to float.
const celuOp = pointwise({
  name: "Elu",
  kernel: "elu_cpu",
  forward: "(a <= 0 ? Math.expm1(a * (1 / p0)) * p0 : a)",
  derivative: "(b <= 0 ? a * p1 * p0 * Math.exp(b * p1) : a)",
  second: (x, p) => ew.where(ew.le(x, 0), ew.mul(ew.exp(ew.mul(x, p[1])), p[0] * p[1] * p[1]), 0),
});

const geluOp = pointwise({
  name: "Gelu",
  kernel: "GeluKernelImpl",
  forward: "(a * 0.5 * (1 + erf(a * Math.SQRT1_2)))",
  derivative: `(a * (0.5 * (1 + erf(b * Math.SQRT1_2)) + b * Math.exp(-0.5 * b * b) * ${INV_SQRT_2PI}))`,
  // d²/dx² [x Φ(x)] = φ(x)·(2 − x²)
  second: (x) => ew.mul(ew.mul(ew.exp(ew.mul(ew.mul(x, x), -0.5)), INV_SQRT_2PI), ew.rsub(ew.mul(x, x), 2)),
});

const TANH_INNER = (v: string): string => `Math.tanh(${SQRT_2_OVER_PI} * (${v} + ${GELU_KAPPA} * ${v} * ${v} * ${v}))`;
const geluTanhOp = pointwise({
  name: "Gelu",
  kernel: "GeluKernelImpl",
  forward: `(0.5 * a * (1 + ${TANH_INNER("a")}))`,
  derivative:
    `(a * (0.5 * (1 + ${TANH_INNER("b")}) + 0.5 * b * (1 - ${TANH_INNER("b")} * ${TANH_INNER("b")}) * ` +
    `${SQRT_2_OVER_PI} * (1 + ${3 * GELU_KAPPA} * b * b)))`,
  // f = x(1+t)/2, t = tanh(u), u = k(x + κx³): f'' = (1−t²)(u' + x(u'' − 2t·u'²)/2)
  second: (x) => {
    const x2 = ew.mul(x, x);
    const t = ew.tanh(ew.mul(ew.add(x, ew.mul(ew.mul(x2, x), GELU_KAPPA)), SQRT_2_OVER_PI));
    const du = ew.mul(ew.add(ew.mul(x2, 3 * GELU_KAPPA), 1), SQRT_2_OVER_PI);
    const d2u = ew.mul(x, 6 * GELU_KAPPA * SQRT_2_OVER_PI);
    const inner = ew.add(du, ew.mul(ew.mul(x, 0.5), ew.sub(d2u, ew.mul(ew.mul(t, 2), ew.mul(du, du)))));
    return ew.mul(ew.rsub(ew.mul(t, t), 1), inner);
  },
});

const SIG = (v: string): string => `(1 / (1 + Math.exp(-${v})))`;
const siluOp = pointwise({
  name: "Silu",
  kernel: "silu_cpu",
  forward: "(a / (1 + Math.exp(-a)))",
  derivative: `(a * ${SIG("b")} * (1 + b * (1 - ${SIG("b")})))`,
  // σ(1−σ)(2 + x(1−2σ))
  second: (x) => {
    const s = sig(x);
    return ew.mul(ew.mul(s, ew.rsub(s, 1)), ew.add(ew.mul(x, ew.rsub(ew.mul(s, 2), 1)), 2));
  },
});

const TSP = (v: string): string => `Math.tanh(Math.log1p(Math.exp(${v})))`;
const mishOp = pointwise({
  name: "Mish",
  kernel: "mish_cpu",
  forward: `(a * ${TSP("a")})`,
  derivative: `(a * (${TSP("b")} + b * ${SIG("b")} * (1 - ${TSP("b")} * ${TSP("b")})))`,
  // T = tanh(softplus x), s = σ(x): f'' = (1−T²)s(2 + x((1−s) − 2Ts))
  second: (x) => {
    const s = sig(x);
    const T = ew.tanh(ew.log1p(ew.exp(x)));
    const a = ew.mul(ew.rsub(ew.mul(T, T), 1), s);
    const b = ew.sub(ew.rsub(s, 1), ew.mul(ew.mul(T, s), 2));
    return ew.mul(a, ew.add(ew.mul(x, b), 2));
  },
});

const softplusOp = pointwise({
  name: "Softplus",
  kernel: "softplus_cpu",
  forward: "(a * p0 > p1 ? a : Math.log1p(Math.exp(a * p0)) / p0)",
  derivative: "(b * p0 > p1 ? a : a * Math.exp(b * p0) / (Math.exp(b * p0) + 1))",
  second: (x, [beta, threshold]) => {
    const bx = ew.mul(x, beta);
    const s = sig(bx);
    return ew.where(ew.gt(bx, threshold), 0, ew.mul(ew.mul(s, ew.rsub(s, 1)), beta));
  },
});

const logsigmoidOp = pointwise({
  name: "LogSigmoid",
  kernel: "log_sigmoid_cpu",
  forward: "(Math.min(a, 0) - Math.log1p(Math.exp(-Math.abs(a))))",
  derivative:
    "(b < 0 ? a * (1 - Math.exp(-Math.abs(b)) / (1 + Math.exp(-Math.abs(b)))) : " +
    "a * (Math.exp(-Math.abs(b)) / (1 + Math.exp(-Math.abs(b)))))",
  second: (x) => {
    const s = sig(x);
    return ew.neg(ew.mul(s, ew.rsub(s, 1)));
  },
});

const hardsigmoidOp = pointwise({
  name: "Hardsigmoid",
  kernel: "hardsigmoid_cpu",
  forward: "(Math.min(Math.max(a + 3, 0), 6) / 6)",
  // PyTorch's kernel multiplies by the float constant 1.0f/6.0f, for double inputs too.
  derivative: `((b > -3 && b < 3) ? a * ${Math.fround(1 / 6)} : 0)`,
});

const hardswishOp = pointwise({
  name: "Hardswish",
  kernel: "hardswish_cpu",
  forward: "(a * Math.min(Math.max(a + 3, 0), 6) / 6)",
  derivative: "(b < -3 ? 0 : b <= 3 ? a * (b / 3 + 0.5) : a)",
  second: (x) => ew.where(ew.logicalAnd(ew.gt(x, -3), ew.lt(x, 3)), 1 / 3, 0),
});

const softshrinkOp = pointwise({
  name: "Softshrink",
  kernel: "softshrink_cpu",
  // NaN falls through to 0, as the 1.13 oracle gives.
  forward: "(a > p0 ? a - p0 : a < -p0 ? a + p0 : 0)",
  derivative: "((b >= -p0 && b <= p0) ? 0 : a)",
});

const hardshrinkOp = pointwise({
  name: "Hardshrink",
  kernel: "hardshrink_cpu",
  forward: "((a >= -p0 && a <= p0) ? 0 : a)",
  derivative: "((b >= -p0 && b <= p0) ? 0 : a)",
});

const thresholdOp = pointwise({
  name: "Threshold",
  kernel: "threshold_cpu",
  forward: "(a <= p0 ? p1 : a)",
  derivative: "(b <= p0 ? 0 : a)",
  integers: true,
});

/**
 * `max(0, x)`, as `F.relu(input, inplace=False)`.
 *
 * @example
 * F.relu(torch.tensor([-1, 2])) // tensor([0, 2])
 */
export function relu(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "relu", ew.relu);
}

/** In-place `relu`, as `F.relu_`. */
export function relu_(input: Tensor): Tensor {
  return relu(input, true);
}

/** `min(max(0, x), 6)`, as `F.relu6` (PyTorch computes it as `hardtanh(x, 0, 6)`). */
export function relu6(input: Tensor, inplace: InplaceArg = false): Tensor {
  return hardtanh(input, 0, 6, inplace);
}

/**
 * `x` for `x > 0`, else `negativeSlope·x`, as `F.leaky_relu(input, negative_slope=0.01, inplace=False)`.
 *
 * @example
 * F.leakyRelu(torch.tensor([-2, 3], { dtype: "float32" }), 0.1) // tensor([-0.2000,  3.0000])
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "leaky_relu", (x) => leakyReluOp(x, negativeSlope));
}

/** In-place `leakyRelu`, as `F.leaky_relu_`. */
export function leakyRelu_(input: Tensor, negativeSlope = 0.01): Tensor {
  return leakyRelu(input, negativeSlope, true);
}

/**
 * `clamp(x, minVal, maxVal)` with zero gradient at and beyond the bounds, as
 * `F.hardtanh(input, min_val=-1., max_val=1., inplace=False)`.
 */
export function hardtanh(input: Tensor, minVal = -1, maxVal = 1, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "hardtanh", (x) => hardtanhOp(x, minVal, maxVal));
}

/** In-place `hardtanh`, as `F.hardtanh_`. */
export function hardtanh_(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  return hardtanh(input, minVal, maxVal, true);
}

/**
 * `x` for `x > 0`, else `α(eˣ − 1)`, as `F.elu(input, alpha=1.0, inplace=False)`.
 *
 * @example
 * F.elu(torch.tensor([-1, 1], { dtype: "float32" })) // tensor([-0.6321,  1.0000])
 */
export function elu(input: Tensor, alpha = 1, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "elu", (x) => eluOp(x, alpha, 1));
}

/** In-place `elu`, as `F.elu_`. */
export function elu_(input: Tensor, alpha = 1): Tensor {
  return elu(input, alpha, true);
}

/**
 * `λ·elu(x, α)` with PyTorch's fixed α ≈ 1.6733 and λ ≈ 1.0507, as `F.selu(input, inplace=False)`.
 */
export function selu(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "selu", (x) => eluOp(x, SELU_ALPHA * SELU_SCALE, SELU_SCALE));
}

/** In-place `selu`, as `F.selu_`. */
export function selu_(input: Tensor): Tensor {
  return selu(input, true);
}

/** `max(0, x) + min(0, α(e^{x/α} − 1))`, as `F.celu(input, alpha=1.0, inplace=False)`. */
export function celu(input: Tensor, alpha = 1, inplace: InplaceArg = false): Tensor {
  if (alpha === 0) throw new RangeError("ZeroDivisionError: alpha cannot be 0 for CELU");
  return maybeInplace(input, inplace, "celu", (x) => celuOp(x, alpha, 1 / Math.fround(alpha)));
}

/** In-place `celu`, as `F.celu_`. */
export function celu_(input: Tensor, alpha = 1): Tensor {
  return celu(input, alpha, true);
}

/**
 * `x·Φ(x)` (Φ the standard normal CDF), or with `approximate: "tanh"`
 * `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`, as `F.gelu(input, approximate='none')`.
 *
 * @example
 * F.gelu(torch.tensor([1], { dtype: "float32" })) // tensor([0.8413])
 */
export function gelu(input: Tensor, opts: { approximate?: "none" | "tanh" } | "none" | "tanh" = {}): Tensor {
  const approximate = typeof opts === "string" ? opts : (opts.approximate ?? "none");
  if (approximate === "none") return geluOp(input);
  if (approximate === "tanh") return geluTanhOp(input);
  throw new Error("approximate argument must be either none or tanh.");
}

/** `x·σ(x)`, as `F.silu(input, inplace=False)` (also called swish with β = 1). */
export function silu(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "silu", siluOp);
}

/** `x·tanh(softplus(x))`, as `F.mish(input, inplace=False)`. */
export function mish(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "mish", mishOp);
}

/**
 * `x·σ(βx)` with a fixed or learnable `beta` (a number or a tensor broadcasting against `input`): the Swish
 * of Ramachandran et al. (2017); `beta = 1` is `silu`. Not in PyTorch (see `nn.Swish`).
 */
export function swish(input: Tensor, beta: Tensor | number = 1): Tensor {
  checkTensor(input, "swish");
  return ew.mul(input, ew.sigmoid(ew.mul(input, beta)));
}

/**
 * `log(1 + e^{βx})/β`, linear (`x`) where `βx > threshold`, as `F.softplus(input, beta=1, threshold=20)`.
 */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  return softplusOp(input, beta, threshold);
}

/** `log σ(x)` computed stably as `min(x, 0) − log1p(e^{−|x|})`, as `F.logsigmoid`. */
export function logsigmoid(input: Tensor): Tensor {
  return logsigmoidOp(input);
}

/** `relu6(x + 3)/6`, as `F.hardsigmoid(input, inplace=False)`. */
export function hardsigmoid(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "hardsigmoid", hardsigmoidOp);
}

/** `x·relu6(x + 3)/6`, as `F.hardswish(input, inplace=False)`. */
export function hardswish(input: Tensor, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "hardswish", hardswishOp);
}

/** `x − λ` above λ, `x + λ` below −λ, else 0, as `F.softshrink(input, lambd=0.5)`. */
export function softshrink(input: Tensor, lambd = 0.5): Tensor {
  if (!(lambd >= 0)) throw new RangeError(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  return softshrinkOp(input, lambd);
}

/** `x` where `|x| > λ`, else 0, as `F.hardshrink(input, lambd=0.5)`. */
export function hardshrink(input: Tensor, lambd = 0.5): Tensor {
  return hardshrinkOp(input, lambd);
}

/** `value` where `x <= threshold`, else `x`, as `F.threshold(input, threshold, value, inplace=False)`. */
export function threshold(input: Tensor, thresholdValue: number, value: number, inplace: InplaceArg = false): Tensor {
  return maybeInplace(input, inplace, "threshold", (x) => thresholdOp(x, thresholdValue, value));
}

/** In-place `threshold`, as `F.threshold_`. */
export function threshold_(input: Tensor, thresholdValue: number, value: number): Tensor {
  return threshold(input, thresholdValue, value, true);
}

/** `x − tanh(x)`, as `F.tanhshrink`. */
export function tanhshrink(input: Tensor): Tensor {
  checkTensor(input, "tanhshrink");
  return ew.sub(input, ew.tanh(input));
}

/** `x/(1 + |x|)`, as `F.softsign`. */
export function softsign(input: Tensor): Tensor {
  checkTensor(input, "softsign");
  return ew.div(input, ew.add(ew.abs(input), 1));
}

/** `σ(x) = 1/(1 + e^{−x})`, as `F.sigmoid`. */
export function sigmoid(input: Tensor): Tensor {
  return ew.sigmoid(input);
}

/** `tanh(x)`, as `F.tanh`. */
export function tanh(input: Tensor): Tensor {
  return ew.tanh(input);
}

/** PReLU as one primitive (graph node `PreluBackward0`, as PyTorch's); `w` already broadcasts with `x`. */
const preluOp = defineUnaryOutputOp<undefined>({
  name: "Prelu",
  forward(ctx, [x, w]) {
    ctx.save(x, w);
    return ew.where(ew.gt(x, 0), x, ew.mul(w, x));
  },
  backward(ctx, [g]) {
    const [x, w] = ctx.saved;
    const pos = ew.gt(x, 0);
    return [
      ctx.needsInputGrad[0] ? ew.where(pos, g, ew.mul(g, w)) : null,
      ctx.needsInputGrad[1] ? sumToShape(ew.where(pos, 0, ew.mul(g, x)), w.shape) : null,
    ];
  },
});

/**
 * Parametric ReLU: `x` for `x > 0`, else `w·x`, with `weight` of 1 element or one per channel (dim 1), as
 * `F.prelu(input, weight)`. Gradients: `∂/∂x = 1` or `w`; `∂/∂w = x` where `x ≤ 0`, summed per channel.
 *
 * @example
 * F.prelu(torch.tensor([-2, 3], { dtype: "float32" }), torch.tensor([0.25])) // tensor([-0.5000,  3.0000])
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  checkTensor(input, "prelu");
  checkTensor(weight, "prelu", "weight");
  const n = weight.numel();
  let w: Tensor;
  if (n === 1) {
    w = reshape(weight, []);
  } else {
    if (input.dim() === 0) throw new Error("Not allow zero-dim input tensor.");
    const channels = input.dim() >= 2 ? input.shape[1] : 1;
    if (n !== channels) {
      throw new Error(
        `Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${channels}.`,
      );
    }
    w = reshape(weight, [1, channels, ...new Array<number>(input.dim() - 2).fill(1)]);
  }
  return preluOp([input, w], undefined);
}

/**
 * Gated linear unit: splits `input` in halves `a`, `b` along `dim` and returns `a·σ(b)`, as
 * `F.glu(input, dim=-1)`.
 *
 * Shape: `(*, 2N, *) → (*, N, *)`.
 */
export function glu(input: Tensor, dim = -1): Tensor {
  checkTensor(input, "glu");
  if (input.dim() === 0) throw new Error("glu does not support scalars because halving size must be even");
  const d = normalizeDim(dim, input.dim(), "glu");
  if (input.shape[d] % 2 !== 0) {
    throw new Error(`Halving dimension must be even, but dimension ${d} is size ${input.shape[d]}`);
  }
  if (!isFloating(input.dtype)) throw new TypeError(`"glu_cpu" not implemented for '${input.dtype}'`);
  const [a, b] = chunk(input, 2, d);
  return ew.mul(a, ew.sigmoid(b));
}
