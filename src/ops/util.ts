import { Tensor } from "../tensor.js";
import { type DType, castScalar } from "../dtype.js";
import { broadcastStrides } from "../layout.js";

/** A number, boolean or tensor where PyTorch accepts "Tensor or Scalar". */
export type TensorLike = Tensor | number | boolean;

/** A 0-dim tensor holding a scalar in `dtype` (never requires grad). */
export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const t = Tensor.empty([], dtype);
  t.buf[0] = castScalar(typeof v === "boolean" ? Number(v) : v, dtype);
  return t;
}

/** `x` viewed as `shape` by broadcasting (stride 0 on expanded dims); no copy, no autograd. */
export function broadcastView(x: Tensor, shape: readonly number[]): Tensor {
  return x._viewAs(shape, broadcastStrides(x.shape, x.strides, shape), x.offset);
}

export function checkTensor(x: unknown, op: string, arg = "input"): Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? "null" : Array.isArray(x) ? "Array" : typeof x;
    throw new TypeError(`${op}(): argument '${arg}' must be Tensor, not ${got}`);
  }
  return x;
}
