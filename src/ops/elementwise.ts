import { Tensor } from "../tensor.js";
import { type DType, isFloating, resultType } from "../dtype.js";
import { broadcastShapes } from "../layout.js";
import { backend } from "../backend/backend.js";
import type { ElementwiseDescriptor } from "../backend/interface/core.js";
import { defineUnaryOutputOp } from "./define.js";
import { broadcastView, checkTensor, scalarTensor, type TensorLike } from "./util.js";
import { sumToShape } from "./reduce.js";

/**
 * The elementwise table: one row per op with its scalar expression (compiled into a loop by the backend)
 * and its gradient, written with public ops. `x`/`a`,`b` are the inputs, `y` the output, `g` the incoming
 * gradient.
 */
type OutKind = "promote" | "float" | "bool";

interface UnaryRow {
  name: string;
  expr: string;
  /** "float": integer inputs give float32 (torch.exp(int) is float); "promote": keeps the input dtype. */
  out: OutKind;
  grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null;
}

interface BinaryRow {
  name: string;
  expr: string;
  out: OutKind;
  grad: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) | null;
}

// Stable forms: exp never sees a large positive argument (sigmoid and softplus at ±400 stay finite).
const SIGMOID = "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))";

/** Unary rows. `out: "promote"` rows keep integer dtypes; "float" rows compute in float. */
const UNARY: Record<string, UnaryRow> = {
  neg: { name: "Neg", expr: "-a", out: "promote", grad: (g) => neg(g) },
  abs: { name: "Abs", expr: "Math.abs(a)", out: "promote", grad: (g, x) => mul(g, sign(x)) },
  sign: { name: "Sign", expr: "(a > 0 ? 1 : a < 0 ? -1 : 0)", out: "promote", grad: (g) => zerosLikeGrad(g) },
  exp: { name: "Exp", expr: "Math.exp(a)", out: "float", grad: (g, _x, y) => mul(g, y) },
  exp2: { name: "Exp2", expr: "Math.pow(2, a)", out: "float", grad: (g, _x, y) => mul(g, mul(y, Math.LN2)) },
  expm1: { name: "Expm1", expr: "Math.expm1(a)", out: "float", grad: (g, _x, y) => mul(g, add(y, 1)) },
  log: { name: "Log", expr: "Math.log(a)", out: "float", grad: (g, x) => div(g, x) },
  log2: { name: "Log2", expr: "Math.log2(a)", out: "float", grad: (g, x) => div(g, mul(x, Math.LN2)) },
  log10: { name: "Log10", expr: "Math.log10(a)", out: "float", grad: (g, x) => div(g, mul(x, Math.LN10)) },
  log1p: { name: "Log1p", expr: "Math.log1p(a)", out: "float", grad: (g, x) => div(g, add(x, 1)) },
  sqrt: { name: "Sqrt", expr: "Math.sqrt(a)", out: "float", grad: (g, _x, y) => div(g, mul(y, 2)) },
  rsqrt: { name: "Rsqrt", expr: "1 / Math.sqrt(a)", out: "float", grad: (g, _x, y) => mul(g, mul(pow(y, 3), -0.5)) },
  square: { name: "Square", expr: "a * a", out: "promote", grad: (g, x) => mul(g, mul(x, 2)) },
  reciprocal: { name: "Reciprocal", expr: "1 / a", out: "float", grad: (g, _x, y) => mul(g, neg(mul(y, y))) },
  sin: { name: "Sin", expr: "Math.sin(a)", out: "float", grad: (g, x) => mul(g, cos(x)) },
  cos: { name: "Cos", expr: "Math.cos(a)", out: "float", grad: (g, x) => mul(g, neg(sin(x))) },
  tan: { name: "Tan", expr: "Math.tan(a)", out: "float", grad: (g, _x, y) => mul(g, add(mul(y, y), 1)) },
  asin: { name: "Asin", expr: "Math.asin(a)", out: "float", grad: (g, x) => div(g, sqrt(rsub(mul(x, x), 1))) },
  acos: { name: "Acos", expr: "Math.acos(a)", out: "float", grad: (g, x) => neg(div(g, sqrt(rsub(mul(x, x), 1)))) },
  atan: { name: "Atan", expr: "Math.atan(a)", out: "float", grad: (g, x) => div(g, add(mul(x, x), 1)) },
  sinh: { name: "Sinh", expr: "Math.sinh(a)", out: "float", grad: (g, x) => mul(g, cosh(x)) },
  cosh: { name: "Cosh", expr: "Math.cosh(a)", out: "float", grad: (g, x) => mul(g, sinh(x)) },
  tanh: { name: "Tanh", expr: "Math.tanh(a)", out: "float", grad: (g, _x, y) => tanhBackward(g, y) },
  sigmoid: { name: "Sigmoid", expr: SIGMOID, out: "float", grad: (g, _x, y) => sigmoidBackward(g, y) },
  relu: { name: "Relu", expr: "(a > 0 ? a : a !== a ? a : 0)", out: "promote", grad: (g, _x, y) => mul(g, gt(y, 0)) },
  erf: { name: "Erf", expr: "erf(a)", out: "float", grad: (g, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))) },
  floor: { name: "Floor", expr: "Math.floor(a)", out: "promote", grad: (g) => zerosLikeGrad(g) },
  ceil: { name: "Ceil", expr: "Math.ceil(a)", out: "promote", grad: (g) => zerosLikeGrad(g) },
  trunc: { name: "Trunc", expr: "Math.trunc(a)", out: "promote", grad: (g) => zerosLikeGrad(g) },
  // Round half to even, as PyTorch (std::nearbyint), not Math.round's half-up.
  round: { name: "Round", expr: "(a - Math.floor(a) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a))", out: "promote", grad: (g) => zerosLikeGrad(g) },
  frac: { name: "Frac", expr: "a - Math.trunc(a)", out: "promote", grad: (g) => g },
  logical_not: { name: "LogicalNot", expr: "a === 0 ? 1 : 0", out: "bool", grad: null },
  isnan: { name: "Isnan", expr: "a !== a ? 1 : 0", out: "bool", grad: null },
  isinf: { name: "Isinf", expr: "(a === Infinity || a === -Infinity) ? 1 : 0", out: "bool", grad: null },
  isfinite: { name: "Isfinite", expr: "Number.isFinite(a) ? 1 : 0", out: "bool", grad: null },
};

/** Binary rows; inputs are promoted with `torch.result_type`. */
const BINARY: Record<string, BinaryRow> = {
  add: { name: "Add", expr: "a + b", out: "promote", grad: (g) => [g, g] },
  sub: { name: "Sub", expr: "a - b", out: "promote", grad: (g) => [g, neg(g)] },
  mul: { name: "Mul", expr: "a * b", out: "promote", grad: (g, a, b) => [mul(g, b), mul(g, a)] },
  div: { name: "Div", expr: "a / b", out: "float", grad: (g, a, b) => [div(g, b), neg(div(mul(g, a), mul(b, b)))] },
  pow: {
    name: "Pow",
    expr: "Math.pow(a, b)",
    out: "promote",
    // PyTorch masks: d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0 (pow_backward_exponent).
    grad: (g, a, b, y) => [
      where(eq(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))),
      where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(y, log(a)))),
    ],
  },
  // NaN-propagating, as torch.maximum; ties split the gradient in half (PyTorch's max_backward rule).
  maximum: {
    name: "Maximum",
    expr: "(a !== a || b !== b ? NaN : a > b ? a : b)",
    out: "promote",
    grad: (g, a, b) => tieSplit(g, gt(a, b), eq(a, b), lt(a, b)),
  },
  minimum: {
    name: "Minimum",
    expr: "(a !== a || b !== b ? NaN : a < b ? a : b)",
    out: "promote",
    grad: (g, a, b) => tieSplit(g, lt(a, b), eq(a, b), gt(a, b)),
  },
  atan2: {
    name: "Atan2",
    expr: "Math.atan2(a, b)",
    out: "float",
    grad: (g, a, b) => {
      const r = add(mul(a, a), mul(b, b));
      return [mul(g, div(b, r)), mul(g, div(neg(a), r))];
    },
  },
  // Python-style modulo (sign of the divisor), as torch.remainder.
  remainder: {
    name: "Remainder",
    expr: "(b === 0 && a === Math.trunc(a) && b === Math.trunc(b) ? NaN : a - Math.floor(a / b) * b)",
    out: "promote",
    grad: (g, a, b) => [g, mul(g, neg(floor(div(a, b))))],
  },
  fmod: { name: "Fmod", expr: "a % b", out: "promote", grad: (g, a, b) => [g, mul(g, neg(trunc(div(a, b))))] },
  floor_divide: { name: "FloorDivide", expr: "Math.floor(a / b)", out: "promote", grad: (g) => [zerosLikeGrad(g), zerosLikeGrad(g)] },
  eq: { name: "Eq", expr: "a === b ? 1 : 0", out: "bool", grad: null },
  ne: { name: "Ne", expr: "a !== b ? 1 : 0", out: "bool", grad: null },
  lt: { name: "Lt", expr: "a < b ? 1 : 0", out: "bool", grad: null },
  le: { name: "Le", expr: "a <= b ? 1 : 0", out: "bool", grad: null },
  gt: { name: "Gt", expr: "a > b ? 1 : 0", out: "bool", grad: null },
  ge: { name: "Ge", expr: "a >= b ? 1 : 0", out: "bool", grad: null },
  logical_and: { name: "LogicalAnd", expr: "(a !== 0 && b !== 0) ? 1 : 0", out: "bool", grad: null },
  logical_or: { name: "LogicalOr", expr: "(a !== 0 || b !== 0) ? 1 : 0", out: "bool", grad: null },
  logical_xor: { name: "LogicalXor", expr: "((a !== 0) !== (b !== 0)) ? 1 : 0", out: "bool", grad: null },
  // The gradients of sigmoid and tanh from their output y, fused into one pass (one temporary instead of
  // three), as PyTorch's sigmoid_backward / tanh_backward; their own gradients give double backward.
  sigmoid_backward: {
    name: "SigmoidBackward",
    expr: "a * (1 - b) * b",
    out: "float",
    grad: (gg, g, y) => [sigmoidBackward(gg, y), mul(gg, mul(g, rsub(mul(y, 2), 1)))],
  },
  tanh_backward: {
    name: "TanhBackward",
    expr: "a * (1 - b * b)",
    out: "float",
    grad: (gg, g, y) => [tanhBackward(gg, y), mul(gg, mul(g, mul(y, -2)))],
  },
};

function tieSplit(g: Tensor, win: Tensor, tie: Tensor, lose: Tensor): [Tensor, Tensor] {
  const half = mul(g, 0.5);
  return [where(win, g, where(tie, half, 0)), where(lose, g, where(tie, half, 0))];
}

function zerosLikeGrad(g: Tensor): Tensor {
  return mul(g, 0);
}

function outDtype(kind: OutKind, promoted: DType): DType {
  if (kind === "bool") return "bool";
  if (kind === "float" && !isFloating(promoted)) return "float32";
  return promoted;
}

const descriptors = new Map<string, ElementwiseDescriptor>();
function descriptor(key: string, arity: 1 | 2 | 3, expr: string): ElementwiseDescriptor {
  let d = descriptors.get(key);
  if (!d) descriptors.set(key, (d = { name: key, arity, expr }));
  return d;
}

/** Integer division and remainder by zero are errors in PyTorch, not Infinity or NaN. */
function checkIntegerDivisor(op: string, b: Tensor, dtype: DType): void {
  if (isFloating(dtype) || (op !== "floor_divide" && op !== "remainder" && op !== "fmod")) return;
  for (const v of b.toTypedArray()) {
    if (v === 0) throw new RangeError(`${op}: ZeroDivisionError (integer division by zero)`);
  }
}

function makeUnary(key: string): (x: Tensor) => Tensor {
  const row = UNARY[key];
  const op = defineUnaryOutputOp<undefined>({
    name: row.name,
    forward(ctx, [x]) {
      const out = Tensor.forOutput(x.shape, outDtype(row.out, x.dtype === "bool" && row.out === "promote" ? "int64" : x.dtype));
      backend().map(descriptor(key, 1, row.expr), [x], out);
      // Save only what the gradient reads (its arity says which), as PyTorch does: saving the output of an
      // op whose gradient ignores it would make a later in-place write to that output fail for no reason.
      if (ctx.needsInputGrad[0] && row.grad) ctx.save(x, ...(row.grad.length >= 3 ? [out] : []));
      return out;
    },
    backward(ctx, [g]) {
      const [x, y] = ctx.saved;
      return [row.grad ? row.grad(g, x, y) : null];
    },
  });
  return (x: Tensor) => op([checkTensor(x, key)], undefined);
}

function makeBinary(key: string): (a: TensorLike, b: TensorLike) => Tensor {
  const row = BINARY[key];
  const op = defineUnaryOutputOp<undefined>({
    name: row.name,
    forward(ctx, [a, b]) {
      const shape = broadcastShapes(a.shape, b.shape);
      const promoted = resultType([a, b]);
      const out = Tensor.forOutput(shape, outDtype(row.out, promoted));
      // Inputs are read as JS numbers; promotion only matters for the stored result, except integer overflow
      // paths, which truncate on store exactly like C arithmetic in the promoted type.
      checkIntegerDivisor(key, b, promoted);
      backend().map(descriptor(key, 2, row.expr), [broadcastView(a, shape), broadcastView(b, shape)], out);
      if (ctx.needsInputGrad.some(Boolean) && row.grad) {
        const n = row.grad.length;
        ctx.save(...(n >= 2 ? [a, b] : []), ...(n >= 4 ? [out] : []));
        ctx.shapes = [a.shape, b.shape];
      }
      return out;
    },
    backward(ctx, [g]) {
      const [a, b, y] = ctx.saved;
      const [sa, sb] = ctx.shapes as number[][];
      if (!row.grad) return [null, null];
      const [ga, gb] = row.grad(g, a, b, y);
      return [
        ga && ctx.needsInputGrad[0] ? sumToShape(ga, sa) : null,
        gb && ctx.needsInputGrad[1] ? sumToShape(gb, sb) : null,
      ];
    },
  });
  return (a: TensorLike, b: TensorLike) => {
    const [ta, tb] = operands(key, a, b);
    return op([ta, tb], undefined);
  };
}

/** Turns scalar operands into 0-dim tensors of the promoted dtype so one kernel path serves every call. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new TypeError(`${op}(): expected at least one Tensor argument, got ${typeof a} and ${typeof b}`);
  }
  for (const [v, n] of [[a, "input"], [b, "other"]] as const) {
    if (!(v instanceof Tensor) && typeof v !== "number" && typeof v !== "boolean") {
      throw new TypeError(`${op}(): argument '${n}' must be Tensor or Number, not ${v === null ? "null" : typeof v}`);
    }
  }
  const dt = resultType([a, b]);
  return [a instanceof Tensor ? a : scalarTensor(a, dt), b instanceof Tensor ? b : scalarTensor(b, dt)];
}

const neg1 = makeUnary("neg");
/** `−x`, as `torch.neg`; refuses bool tensors as PyTorch does. */
export function neg(x: Tensor): Tensor {
  if (x instanceof Tensor && x.dtype === "bool") {
    throw new TypeError(
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.",
    );
  }
  return neg1(x);
}
export const abs = makeUnary("abs");
export const sign = makeUnary("sign");
export const exp = makeUnary("exp");
export const exp2 = makeUnary("exp2");
export const expm1 = makeUnary("expm1");
export const log = makeUnary("log");
export const log2 = makeUnary("log2");
export const log10 = makeUnary("log10");
export const log1p = makeUnary("log1p");
export const sqrt = makeUnary("sqrt");
export const rsqrt = makeUnary("rsqrt");
export const square = makeUnary("square");
export const reciprocal = makeUnary("reciprocal");
export const sin = makeUnary("sin");
export const cos = makeUnary("cos");
export const tan = makeUnary("tan");
export const asin = makeUnary("asin");
export const acos = makeUnary("acos");
export const atan = makeUnary("atan");
export const sinh = makeUnary("sinh");
export const cosh = makeUnary("cosh");
export const tanh = makeUnary("tanh");
export const sigmoid = makeUnary("sigmoid");
export const relu = makeUnary("relu");
export const erf = makeUnary("erf");
export const floor = makeUnary("floor");
export const ceil = makeUnary("ceil");
export const trunc = makeUnary("trunc");
export const round = makeUnary("round");
export const frac = makeUnary("frac");
export const logicalNot = makeUnary("logical_not");
export const isnan = makeUnary("isnan");
export const isinf = makeUnary("isinf");
export const isfinite = makeUnary("isfinite");

const add2 = makeBinary("add");
const sub2 = makeBinary("sub");
function scaled(b: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return b;
  return b instanceof Tensor ? mul(b, alpha) : Number(b) * alpha;
}

/** `a + alpha·b` with broadcasting and type promotion, as `torch.add(a, b, alpha=…)`. */
export function add(a: TensorLike, b: TensorLike, opts: { alpha?: number } = {}): Tensor {
  return add2(a, scaled(b, opts.alpha));
}
/** `a − alpha·b`, as `torch.sub`; refuses bool operands as PyTorch does. */
export function sub(a: TensorLike, b: TensorLike, opts: { alpha?: number } = {}): Tensor {
  checkSubOperands(a, b);
  return sub2(a, scaled(b, opts.alpha));
}
/** `b − a` (PyTorch's `rsub`), handy for `1 − x`. */
export function rsub(a: TensorLike, b: TensorLike): Tensor {
  checkSubOperands(a, b);
  return sub2(b, a);
}

function checkSubOperands(a: TensorLike, b: TensorLike): void {
  const isBool = (v: TensorLike): boolean => (v instanceof Tensor ? v.dtype === "bool" : typeof v === "boolean");
  if (isBool(a) || isBool(b)) {
    throw new TypeError(
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.",
    );
  }
}
export const mul = makeBinary("mul");
const div2 = makeBinary("div");
/** True division (integers give float32), or `roundingMode: "trunc" | "floor"`, as `torch.div`. */
export function div(a: TensorLike, b: TensorLike, opts: { roundingMode?: "trunc" | "floor" | null } = {}): Tensor {
  const m = opts.roundingMode ?? null;
  if (m === null) return div2(a, b);
  if (m === "floor") return floorDivide(a, b);
  if (m === "trunc") {
    const q = div2(a, b);
    const [ta, tb] = operands("div", a, b);
    const r = trunc(q);
    const dt = resultType([ta, tb]);
    return dt === r.dtype ? r : r.to(dt);
  }
  throw new Error(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(m)}'`);
}
export const pow = makeBinary("pow");
export const maximum = makeBinary("maximum");
export const minimum = makeBinary("minimum");
export const atan2 = makeBinary("atan2");
export const remainder = makeBinary("remainder");
export const fmod = makeBinary("fmod");
export const floorDivide = makeBinary("floor_divide");
export const eq = makeBinary("eq");
export const ne = makeBinary("ne");
export const lt = makeBinary("lt");
export const le = makeBinary("le");
export const gt = makeBinary("gt");
export const ge = makeBinary("ge");
export const logicalAnd = makeBinary("logical_and");
export const logicalOr = makeBinary("logical_or");
export const logicalXor = makeBinary("logical_xor");
/** The fused gradients of sigmoid and tanh (not public API: PyTorch keeps them under torch.ops.aten). */
const sigmoidBackward = makeBinary("sigmoid_backward");
const tanhBackward = makeBinary("tanh_backward");

const whereOp = defineUnaryOutputOp<undefined>({
  name: "Where",
  forward(ctx, [c, a, b]) {
    const shape = broadcastShapes(c.shape, a.shape, b.shape);
    const out = Tensor.empty(shape, resultType([a, b]));
    backend().map(
      descriptor("where", 3, "a !== 0 ? b : c"),
      [broadcastView(c, shape), broadcastView(a, shape), broadcastView(b, shape)],
      out,
    );
    ctx.save(c);
    ctx.shapes = [a.shape, b.shape];
    return out;
  },
  backward(ctx, [g]) {
    const [c] = ctx.saved;
    const [sa, sb] = ctx.shapes as number[][];
    return [
      null,
      ctx.needsInputGrad[1] ? sumToShape(where(c, g, 0), sa) : null,
      ctx.needsInputGrad[2] ? sumToShape(where(c, 0, g), sb) : null,
    ];
  },
});

/** `condition ? input : other` elementwise with broadcasting, as `torch.where`. */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  checkTensor(condition, "where", "condition");
  if (condition.dtype !== "bool" && condition.dtype !== "uint8") {
    throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`);
  }
  const [a, b] = input instanceof Tensor || other instanceof Tensor ? operands("where", input, other) : [
    scalarTensor(input as number, resultType([input, other])),
    scalarTensor(other as number, resultType([input, other])),
  ];
  return whereOp([condition, a, b], undefined);
}

const clampOp = defineUnaryOutputOp<{ min: number; max: number }>({
  name: "Clamp",
  forward(ctx, [x], { min, max }) {
    const out = Tensor.empty(x.shape, x.dtype);
    // NaN input stays NaN. PyTorch applies max then min, so min > max gives max everywhere.
    backend().map(descriptor("clamp", 1, "(a !== a ? a : Math.min(Math.max(a, p0), p1))"), [x], out, [min, max]);
    if (ctx.needsInputGrad[0]) ctx.save(x);
    return out;
  },
  backward(ctx, [g], { min, max }) {
    const [x] = ctx.saved;
    return [where(logicalAnd(ge(x, min), le(x, max)), g, 0)];
  },
});

/**
 * `clamp` with tensor bounds (PyTorch's `clamp.Tensor`): broadcasts `x` with the bounds and promotes their
 * dtypes; NaN anywhere gives NaN. Gradients follow `clamp_backward` / `clamp_backward_min_max` in PyTorch's
 * FunctionsManual.cpp: x where min ≤ x ≤ max, min where x < min (and min < max), max where x > max (or
 * max < min, where max wins).
 */
const clampTensorOp = defineUnaryOutputOp<{ hasMin: boolean; hasMax: boolean }>({
  name: "Clamp",
  forward(ctx, inputs, { hasMin, hasMax }) {
    const [x, lo, hi] = [inputs[0], hasMin ? inputs[1] : null, hasMax ? inputs[inputs.length - 1] : null];
    let out = x;
    if (lo) out = maximum(out, lo);
    if (hi) out = minimum(out, hi);
    ctx.save(...inputs);
    return out;
  },
  backward(ctx, [g], { hasMin, hasMax }) {
    const saved = ctx.saved;
    const [x, lo, hi] = [saved[0], hasMin ? saved[1] : null, hasMax ? saved[saved.length - 1] : null];
    const keep = lo && hi ? logicalAnd(ge(x, lo), le(x, hi)) : lo ? ge(x, lo) : le(x, hi as Tensor);
    const grads: Array<Tensor | null> = [ctx.needsInputGrad[0] ? sumToShape(where(keep, g, 0), x.shape) : null];
    if (lo) {
      const toMin = hi ? logicalAnd(lt(x, lo), lt(lo, hi)) : lt(x, lo);
      grads.push(ctx.needsInputGrad[1] ? sumToShape(where(toMin, g, 0), lo.shape) : null);
    }
    if (hi) {
      const toMax = lo ? logicalOr(gt(x, hi), lt(hi, lo)) : gt(x, hi);
      grads.push(ctx.needsInputGrad[grads.length] ? sumToShape(where(toMax, g, 0), hi.shape) : null);
    }
    return grads;
  },
});

type Bound = number | Tensor | null | undefined;

/**
 * Clamps into [min, max] (either may be omitted), as `torch.clamp`; the bounds are numbers or tensors that
 * broadcast with `x`. Gradient passes where min ≤ x ≤ max.
 *
 * @example
 * torch.clamp(torch.tensor([-2, 0.5, 3]), -1, 1)                       // tensor([-1.0000,  0.5000,  1.0000])
 * torch.clamp(torch.tensor([-2, 0.5, 3]), torch.tensor([0, 1, 2]))     // tensor([0., 1., 3.])
 */
export function clamp(x: Tensor, min?: Bound, max?: Bound): Tensor {
  checkTensor(x, "clamp");
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new Error("clamp: At least one of 'min' or 'max' must not be None");
  }
  if (min instanceof Tensor || max instanceof Tensor) {
    const given = [min, max].filter((b) => b !== undefined && b !== null) as Array<number | Tensor>;
    for (const b of given) {
      if (!(b instanceof Tensor) && typeof b !== "number") {
        throw new TypeError(`clamp(): argument 'min' and 'max' must be Tensor or Number, not ${typeof b}`);
      }
    }
    const dt = resultType([x, ...given]);
    const bounds = given.map((b) => (b instanceof Tensor ? b : scalarTensor(b, dt)));
    return clampTensorOp([x, ...bounds], { hasMin: min !== undefined && min !== null, hasMax: max !== undefined && max !== null });
  }
  for (const v of [min, max]) {
    if (v !== undefined && v !== null && typeof v !== "number") {
      throw new TypeError(`clamp(): argument 'min' and 'max' must be Tensor or Number, not ${typeof v}`);
    }
  }
  for (const [v, n] of [[min, "min"], [max, "max"]] as const) {
    if (typeof v === "number" && Number.isNaN(v)) throw new RangeError(`clamp: '${n}' must not be NaN`);
  }
  return clampOp([x], { min: (min as number | null | undefined) ?? -Infinity, max: (max as number | null | undefined) ?? Infinity });
}

export { UNARY as unaryTable, BINARY as binaryTable };
