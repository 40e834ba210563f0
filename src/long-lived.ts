import { Tensor } from "./tensor.js";
import type { DType } from "./dtype.js";
import { numel } from "./layout.js";
import { backend, type LongLivedUse } from "./backend/backend.js";

/**
 * @internal A zero-filled tensor that lives long and is read by many kernel calls: a Conv or Linear
 * layer's weight or bias (`"weight"`), or a tensor made from values by torch.tensor, rand or randn
 * (`"input"`). It lies in the kernels' memory when the current backend keeps float32 tensors there (the
 * wasm backend then reads it in place instead of copying it in on every call), else in ordinary storage.
 */
export function longLivedTensor(shape: readonly number[], dtype: DType, use: LongLivedUse): Tensor {
  const buf = dtype === "float32" ? (backend().allocateLongLived?.(numel(shape), use) ?? null) : null;
  return buf === null ? Tensor.empty(shape, dtype) : new Tensor(buf, dtype, shape);
}
