/**
 * var, std, varMean, stdMean: the second moment over some dims with Bessel-style `correction`.
 */
import { Tensor } from "../tensor.js";
import { isFloating } from "../dtype.js";
import { backend } from "../backend/backend.js";
import { defineOp } from "./define.js";
import { checkTensor } from "./util.js";
import { expand, reshape } from "./view.js";
import { add, div, eq, mul, sub, where } from "./elementwise.js";
import { mean } from "./reduce.js";
import { type DimArg, finishReduce, keepShape, reduceDims, reducedCount } from "./reduce-util.js";

/** Keyword arguments of `torch.var` and friends. */
export interface VarOptions {
  dim?: DimArg;
  /** The divisor is max(0, N − correction). Default 1 (Bessel's correction; 0 is the population variance). */
  correction?: number;
  /** PyTorch's older spelling: true is correction 1, false is correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

/**
 * The positional forms PyTorch accepts: `(x)`, `(x, unbiased)`, `(x, dim, unbiased?, keepdim?)`,
 * `(x, dim, {correction, keepdim})`, and `(x, {dim, correction, unbiased, keepdim})`.
 */
export type VarArgs = [dimOrOpts?: DimArg | boolean | VarOptions, unbiasedOrOpts?: boolean | VarOptions, keepdim?: boolean];

function isOptions(v: unknown): v is VarOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseArgs(op: string, x: Tensor, args: VarArgs): { dims: number[]; correction: number; keepdim: boolean } {
  const [a, b, c] = args;
  let dim: DimArg;
  let opts: VarOptions;
  if (typeof a === "boolean") {
    if (b !== undefined || c !== undefined) throw new TypeError(`${op}(): expected (input, unbiased) when unbiased is passed first`);
    dim = undefined;
    opts = { unbiased: a };
  } else if (isOptions(a)) {
    if (b !== undefined || c !== undefined) throw new TypeError(`${op}(): options must be the last argument`);
    dim = a.dim;
    opts = a;
  } else {
    dim = a;
    if (isOptions(b)) {
      if (c !== undefined) throw new TypeError(`${op}(): options must be the last argument`);
      if (b.dim !== undefined) throw new TypeError(`${op}(): dim given both positionally and in the options`);
      opts = b;
    } else {
      opts = { unbiased: b, keepdim: c };
    }
  }
  if (opts.unbiased !== undefined && opts.correction !== undefined) {
    throw new TypeError(`${op}(): pass either 'unbiased' or 'correction', not both`);
  }
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  if (typeof correction !== "number" || !Number.isFinite(correction)) {
    throw new TypeError(`${op}(): correction must be a finite number, got ${String(correction)}`);
  }
  if (!isFloating(x.dtype)) {
    const what = op === "var" || op === "std" ? "std and var" : op === "varMean" ? "var_mean" : "std_mean";
    throw new TypeError(`${op}(): ${what} only support floating point and complex dtypes`);
  }
  return { dims: reduceDims(dim, x.dim(), op), correction, keepdim: opts.keepdim ?? false };
}

type Attrs = { dims: number[]; correction: number; keepdim: boolean };

/** PyTorch's var_backward: 2/(N − correction) · g · (x − mean), N − correction taken as is (as PyTorch). */
function varBackward(gk: Tensor, x: Tensor, { dims, correction }: Attrs): Tensor {
  const dof = reducedCount(x.shape, dims) - correction;
  return mul(mul(gk, 2 / dof), sub(x, mean(x, dims, true)));
}

/** std_backward: the variance's gradient through √, 0 where the deviation is 0 (not 0/0). */
function stdBackward(gk: Tensor, stdKeep: Tensor, x: Tensor, attrs: Attrs): Tensor {
  return varBackward(where(eq(stdKeep, 0), 0, div(gk, mul(stdKeep, 2))), x, attrs);
}

function meanBackward(gk: Tensor, x: Tensor, dims: number[]): Tensor {
  return div(expand(gk, x.shape), reducedCount(x.shape, dims));
}

function makeMoment(name: "Var" | "Std", withMean: boolean) {
  const isStd = name === "Std";
  return defineOp<Attrs>({
    name: withMean ? `${name}Mean` : name,
    forward(ctx, [x], attrs) {
      const { dims, correction, keepdim } = attrs;
      const ks = keepShape(x.shape, dims);
      const out = Tensor.empty(ks, x.dtype);
      const meanOut = withMean ? Tensor.empty(ks, x.dtype) : null;
      backend().moments(x, dims, correction, isStd, out, meanOut);
      const res = finishReduce(out, x.shape, dims, keepdim);
      if (ctx.needsInputGrad[0]) ctx.save(x, res);
      return meanOut ? [res, finishReduce(meanOut, x.shape, dims, keepdim)] : [res];
    },
    backward(ctx, [g, gMean], attrs) {
      const [x, res] = ctx.saved;
      const ks = keepShape(x.shape, attrs.dims);
      const gk = reshape(g, ks);
      let gx = isStd ? stdBackward(gk, reshape(res, ks), x, attrs) : varBackward(gk, x, attrs);
      if (withMean) gx = add(gx, meanBackward(reshape(gMean, ks), x, attrs.dims));
      return [gx];
    },
  });
}

const varOp = makeMoment("Var", false);
const stdOp = makeMoment("Std", false);
const varMeanOp = makeMoment("Var", true);
const stdMeanOp = makeMoment("Std", true);

/**
 * Variance over `dim` (every dim when omitted), as `torch.var`: Σ(x − mean)² / max(0, N − correction),
 * correction 1 by default (`unbiased: false` ≡ correction 0). Two passes in float64. Floating inputs only.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.var(torch.tensor([1, 2, 4], { dtype: "float32" })) // tensor(2.3333)
 * torch.var(x, 1, false, true)                              // population variance per row, keepdim
 * torch.var(x, 1, { correction: 0 })                        // the same without keepdim
 */
function variance(x: Tensor, ...args: VarArgs): Tensor {
  checkTensor(x, "var");
  const a = parseArgs("var", x, args);
  return varOp([x], a)[0];
}
export { variance as var };

/**
 * Standard deviation over `dim`, as `torch.std`: the square root of `var` with the same arguments. The
 * gradient is 0 where the deviation is 0.
 *
 * @example
 * torch.std(torch.tensor([1, 2, 4], { dtype: "float32" }), 0, { correction: 0 }) // tensor(1.2472)
 */
export function std(x: Tensor, ...args: VarArgs): Tensor {
  checkTensor(x, "std");
  return stdOp([x], parseArgs("std", x, args))[0];
}

/**
 * `[var, mean]` over `dim` in one pass over the data, as `torch.var_mean`.
 *
 * @example
 * const [v, m] = torch.varMean(torch.tensor([1, 2, 3], { dtype: "float32" })) // tensor(1), tensor(2)
 */
export function varMean(x: Tensor, ...args: VarArgs): [Tensor, Tensor] {
  checkTensor(x, "varMean");
  const [v, m] = varMeanOp([x], parseArgs("varMean", x, args));
  return [v, m];
}

/**
 * `[std, mean]` over `dim`, as `torch.std_mean`.
 *
 * @example
 * const [s, m] = torch.stdMean(torch.tensor([1, 2, 3], { dtype: "float32" })) // tensor(1), tensor(2)
 */
export function stdMean(x: Tensor, ...args: VarArgs): [Tensor, Tensor] {
  checkTensor(x, "stdMean");
  const [s, m] = stdMeanOp([x], parseArgs("stdMean", x, args));
  return [s, m];
}
