/**
 * Tensor methods for the core ops. Each group of ops installs its methods on `Tensor.prototype` and
 * declares them here, so `x.add(y).relu().sum()` reads as in PyTorch while the ops stay plain functions.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import * as ew from "../ops/elementwise.js";
import * as v from "../ops/view.js";
import { to } from "../ops/cast.js";
import { applyInplace } from "../ops/inplace.js";
import { full } from "../ops/creation.js";
import { backward, type BackwardOptions } from "../autograd/engine.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import type { TensorLike } from "../ops/util.js";

type Shape = Array<number | readonly number[]>;

declare module "../tensor.js" {
  interface Tensor {
    add(other: TensorLike, opts?: { alpha?: number }): Tensor;
    sub(other: TensorLike, opts?: { alpha?: number }): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike, opts?: { roundingMode?: "trunc" | "floor" | null }): Tensor;
    pow(exponent: TensorLike): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log2(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    trunc(): Tensor;
    clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    exp2(): Tensor;
    expm1(): Tensor;
    log10(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    erf(): Tensor;
    frac(): Tensor;
    atan2(other: TensorLike): Tensor;
    fmod(other: TensorLike): Tensor;
    floorDivide(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    where(condition: Tensor, other: TensorLike): Tensor;

    view(...shape: Shape): Tensor;
    reshape(...shape: Shape): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    expand(...shape: Shape): Tensor;
    expandAs(other: Tensor): Tensor;
    permute(...dims: Shape): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** Matrix transpose (reverse all dims), as `tensor.T`. */
    readonly T: Tensor;
    squeeze(dim?: number | number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;

    to(dtype: DType | { dtype?: DType; copy?: boolean }): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;

    /** Computes gradients of this tensor w.r.t. graph leaves, as `tensor.backward()`. */
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;

    add_(other: TensorLike, opts?: { alpha?: number }): Tensor;
    sub_(other: TensorLike, opts?: { alpha?: number }): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    pow_(exponent: TensorLike): Tensor;
    clamp_(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    neg_(): Tensor;
    relu_(): Tensor;
    sigmoid_(): Tensor;
    tanh_(): Tensor;
    exp_(): Tensor;
    sqrt_(): Tensor;
    abs_(): Tensor;
    sign_(): Tensor;
    log_(): Tensor;
    log2_(): Tensor;
    log10_(): Tensor;
    log1p_(): Tensor;
    exp2_(): Tensor;
    expm1_(): Tensor;
    rsqrt_(): Tensor;
    square_(): Tensor;
    reciprocal_(): Tensor;
    sin_(): Tensor;
    cos_(): Tensor;
    tan_(): Tensor;
    asin_(): Tensor;
    acos_(): Tensor;
    atan_(): Tensor;
    sinh_(): Tensor;
    cosh_(): Tensor;
    erf_(): Tensor;
    floor_(): Tensor;
    ceil_(): Tensor;
    round_(): Tensor;
    trunc_(): Tensor;
    frac_(): Tensor;
    logicalNot_(): Tensor;
    remainder_(other: TensorLike): Tensor;
    fmod_(other: TensorLike): Tensor;
    atan2_(other: TensorLike): Tensor;
    floorDivide_(other: TensorLike): Tensor;
    fill_(value: number | boolean | Tensor): Tensor;
    zero_(): Tensor;
    copy_(src: Tensor): Tensor;
  }
}

const P = Tensor.prototype as any;

P.add = function (this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
  return ew.add(this, o, opts);
};
P.sub = function (this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
  return ew.sub(this, o, opts);
};
P.div = function (this: Tensor, o: TensorLike, opts?: { roundingMode?: "trunc" | "floor" | null }) {
  return ew.div(this, o, opts);
};
P.where = function (this: Tensor, c: Tensor, o: TensorLike) {
  return ew.where(c, this, o);
};
P.clamp = function (this: Tensor, min?: number | Tensor | null, max?: number | Tensor | null) {
  return ew.clamp(this, min, max);
};
const binaries = ["mul", "pow", "maximum", "minimum", "remainder", "fmod", "atan2", "floorDivide", "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"] as const;
for (const name of binaries) {
  const fn = ew[name] as (a: TensorLike, b: TensorLike) => Tensor;
  P[name] = function (this: Tensor, o: TensorLike) {
    return fn(this, o);
  };
}
const unaries = [
  "neg", "abs", "sign", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "reciprocal",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf", "floor", "ceil", "round",
  "trunc", "frac", "logicalNot", "isnan", "isinf", "isfinite",
] as const;
for (const name of unaries) {
  const fn = ew[name] as (a: Tensor) => Tensor;
  P[name] = function (this: Tensor) {
    return fn(this);
  };
}

P.view = function (this: Tensor, ...s: Shape) {
  return v.view(this, ...s);
};
P.reshape = function (this: Tensor, ...s: Shape) {
  return v.reshape(this, ...s);
};
P.viewAs = function (this: Tensor, o: Tensor) {
  return v.view(this, o.shape);
};
P.reshapeAs = function (this: Tensor, o: Tensor) {
  return v.reshape(this, o.shape);
};
P.expand = function (this: Tensor, ...s: Shape) {
  return v.expand(this, ...s);
};
P.expandAs = function (this: Tensor, o: Tensor) {
  return v.expand(this, o.shape);
};
P.permute = function (this: Tensor, ...d: Shape) {
  return v.permute(this, ...d);
};
P.transpose = function (this: Tensor, a: number, b: number) {
  return v.transpose(this, a, b);
};
P.t = function (this: Tensor) {
  return v.t(this);
};
Object.defineProperty(P, "T", {
  get(this: Tensor) {
    return v.permute(this, this.shape.map((_, i) => this.dim() - 1 - i));
  },
});
P.squeeze = function (this: Tensor, d?: number | number[]) {
  return v.squeeze(this, d);
};
P.unsqueeze = function (this: Tensor, d: number) {
  return v.unsqueeze(this, d);
};
P.flatten = function (this: Tensor, s?: number, e?: number) {
  return v.flatten(this, s, e);
};
P.unflatten = function (this: Tensor, d: number, sizes: readonly number[]) {
  return v.unflatten(this, d, sizes);
};
P.contiguous = function (this: Tensor) {
  return v.contiguous(this);
};
P.clone = function (this: Tensor) {
  return v.clone(this);
};
P.to = function (this: Tensor, d: DType | { dtype?: DType; copy?: boolean }) {
  return to(this, d);
};
for (const [name, dt] of [["float", "float32"], ["double", "float64"], ["long", "int64"], ["int", "int32"], ["bool", "bool"]] as const) {
  P[name] = function (this: Tensor) {
    return to(this, dt);
  };
}
P.backward = function (this: Tensor, gradient?: Tensor | null, opts?: BackwardOptions) {
  backward(this, gradient ?? null, opts);
};

P.add_ = function (this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
  return applyInplace(this, "add_", (x) => ew.add(x, o, opts));
};
P.sub_ = function (this: Tensor, o: TensorLike, opts?: { alpha?: number }) {
  return applyInplace(this, "sub_", (x) => ew.sub(x, o, opts));
};
P.mul_ = function (this: Tensor, o: TensorLike) {
  return applyInplace(this, "mul_", (x) => ew.mul(x, o));
};
P.div_ = function (this: Tensor, o: TensorLike) {
  return applyInplace(this, "div_", (x) => ew.div(x, o));
};
P.pow_ = function (this: Tensor, o: TensorLike) {
  return applyInplace(this, "pow_", (x) => ew.pow(x, o));
};
P.clamp_ = function (this: Tensor, min?: number | Tensor | null, max?: number | Tensor | null) {
  return applyInplace(this, "clamp_", (x) => ew.clamp(x, min, max));
};
const inplaceUnaries = [
  "neg", "relu", "sigmoid", "tanh", "exp", "sqrt", "abs", "sign", "log", "log2", "log10", "log1p", "exp2", "expm1", "rsqrt",
  "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "erf", "floor", "ceil", "round",
  "trunc", "frac", "logicalNot",
] as const;
for (const name of inplaceUnaries) {
  const fn = ew[name] as (a: Tensor) => Tensor;
  // logical_not_ keeps self's dtype (0/1 in it), as PyTorch's does.
  const cast = name === "logicalNot";
  P[`${name}_`] = function (this: Tensor) {
    return applyInplace(this, `${name}_`, fn, cast);
  };
}
for (const name of ["remainder", "fmod", "atan2", "floorDivide"] as const) {
  const fn = ew[name] as (a: TensorLike, b: TensorLike) => Tensor;
  P[`${name}_`] = function (this: Tensor, o: TensorLike) {
    return applyInplace(this, `${name}_`, (x) => fn(x, o));
  };
}
P.fill_ = function (this: Tensor, value: number | boolean | Tensor) {
  if (value instanceof Tensor) {
    if (value.dim() !== 0) {
      throw new Error(`fill_ only supports 0-dimension value tensor but got tensor with ${value.dim()} dimensions.`);
    }
    return applyInplace(this, "fill_", () => v.expand(value, this.shape), true);
  }
  return applyInplace(this, "fill_", () => full(this.shape, value, { dtype: this.dtype }), true);
};
P.zero_ = function (this: Tensor) {
  return applyInplace(this, "zero_", () => full(this.shape, 0, { dtype: this.dtype }), true);
};
P.copy_ = function (this: Tensor, src: Tensor) {
  if (!(src instanceof Tensor)) throw new TypeError(`copy_(): argument 'src' must be Tensor, not ${typeof src}`);
  // A leaf source must not hand its (absent) history to self: route it through a recorded clone.
  return applyInplace(this, "copy_", () => (isGradEnabled() && src.requiresGrad ? v.clone(src) : src), true);
};
