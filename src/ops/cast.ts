import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { isFloating } from "../dtype.js";
import { backend } from "../backend/backend.js";
import { defineUnaryOutputOp } from "./define.js";
import { checkTensor } from "./util.js";
import { checkDtype } from "./creation.js";

const castOp = defineUnaryOutputOp<{ dtype: DType }>({
  name: "ToCopy",
  forward(ctx, [x], { dtype }) {
    const out = Tensor.empty(x.shape, dtype);
    backend().copy(x, out);
    ctx.from = x.dtype;
    return out;
  },
  backward(ctx, [g]) {
    const from = ctx.from as DType;
    return [isFloating(from) ? to(g, from) : null];
  },
});

/** Converts to `dtype` (returns `x` itself when already of that dtype), as `tensor.to(dtype)`. */
export function to(x: Tensor, dtype: DType | { dtype?: DType; copy?: boolean }): Tensor {
  checkTensor(x, "to");
  const opts = typeof dtype === "string" ? { dtype } : dtype;
  const target = checkDtype(opts.dtype ?? x.dtype, "to");
  if (target === x.dtype && !opts.copy) return x;
  return castOp([x], { dtype: target });
}
