/**
 * `torch.norm`: vector p-norms over some dims (and the Frobenius norm, their p = 2 case).
 */
import { Tensor } from "../tensor.js";
import { isFloating } from "../dtype.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { reshape } from "./view.js";
import { to } from "./cast.js";
import { abs, div, eq, isnan, logicalAnd, logicalOr, mul, pow, sign, where } from "./elementwise.js";
import { zeros } from "./creation.js";
import { sum } from "./reduce.js";
import { type DimArg, finishReduce, keepShape, reduceDims, torchTypeName } from "./reduce-util.js";
import type { ReduceDtypeOptions } from "./reduce.js";

type Attrs = { dims: number[]; keepdim: boolean; p: number };

const normOp = defineUnaryOutputOp<Attrs>({
  name: "Norm",
  forward(ctx, [x], { dims, keepdim, p }) {
    const out = Tensor.empty(keepShape(x.shape, dims), x.dtype);
    backend().norm(x, dims, p, out);
    const res = finishReduce(out, x.shape, dims, keepdim);
    if (ctx.needsInputGrad[0]) ctx.save(x, res);
    return res;
  },
  backward(ctx, [g], { dims, p }) {
    const [x, res] = ctx.saved;
    const ks = keepShape(x.shape, dims);
    return [normBackward(reshape(g, ks), x, reshape(res, ks), dims, p)];
  },
});

/** PyTorch's norm_backward (FunctionsManual.cpp), case by case; a zero norm gives a zero gradient. */
function normBackward(g: Tensor, x: Tensor, norm: Tensor, dims: number[], p: number): Tensor {
  if (p === 0) return zeros(x.shape, { dtype: x.dtype });
  if (p === 1) return mul(sign(x), g);
  if (p === 2) return mul(x, where(eq(norm, 0), 0, div(g, norm)));
  if (p === Infinity || p === -Infinity) {
    // Ties at the extreme |x| share the gradient evenly, as amax's.
    const hit = logicalOr(eq(abs(x), norm), logicalAnd(isnan(x), isnan(norm)));
    return mul(mul(sign(x), hit), div(g, sum(hit, dims, true)));
  }
  if (p < 1) {
    const scaled = mul(sign(x), where(eq(x, 0), 0, pow(abs(x), p - 1)));
    return mul(mul(scaled, g), pow(norm, 1 - p));
  }
  const scaled = p < 2 ? mul(sign(x), pow(abs(x), p - 1)) : mul(x, pow(abs(x), p - 2));
  return mul(scaled, where(eq(norm, 0), 0, div(g, pow(norm, p - 1))));
}

/**
 * The p-norm over `dim` (every dim when omitted), as `torch.norm(input, p, dim, keepdim)`:
 * (Σ|x|^p)^(1/p); p = ∞ / −∞ give max / min |x|, p = 0 counts non-zeros; "fro" (the default) is p = 2
 * over at most two dims. Floating inputs only; `dtype` converts the input first. The nuclear norm needs
 * an SVD and is not provided.
 *
 * Shape: the input's without the reduced dims (kept as size 1 with `keepdim`).
 *
 * @example
 * torch.norm(torch.tensor([3, 4], { dtype: "float32" }))    // tensor(5)
 * torch.norm(torch.tensor([[1, -2]], { dtype: "float32" }), 1, 1) // tensor([3])
 */
export function norm(
  x: Tensor,
  p: number | "fro" | "nuc" | null = "fro",
  dim?: DimArg,
  keepdim = false,
  opts: ReduceDtypeOptions = {},
): Tensor {
  checkTensor(x, "norm");
  let order: number;
  if (p === null || p === "fro") {
    if (opts.dtype !== undefined) throw new TypeError("norm(): dtype argument is not supported in frobenius norm");
    const n = typeof dim === "number" ? 1 : Array.isArray(dim) ? dim.length : 0;
    if (n > 2) throw new RangeError(`norm(): Expected at most 2 dimensions, but got ${n} dimensions instead.`);
    order = 2;
  } else if (p === "nuc") {
    throw new Error("norm(): the nuclear norm (p='nuc') needs a singular value decomposition, which torch-ts lacks");
  } else if (typeof p === "number") {
    order = p;
  } else {
    throw new TypeError(`norm(): only valid string values are 'fro' and 'nuc', found ${String(p)}`);
  }
  const src = opts.dtype !== undefined ? to(x, opts.dtype) : x;
  if (!isFloating(src.dtype)) {
    throw new TypeError(
      `norm(): input dtype should be either floating point or complex. Got ${torchTypeName(src.dtype)} instead.`,
    );
  }
  const dims = reduceDims(dim, x.dim(), "norm");
  return normOp([src], { dims, keepdim, p: order });
}
