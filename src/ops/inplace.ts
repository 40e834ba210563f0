import { Tensor } from "../tensor.js";
import { isFloating, isIntegral } from "../dtype.js";
import { formatShape, shapeEquals } from "../layout.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { backend } from "../backend/backend.js";
import { clone, expand } from "./view.js";
import { to } from "./cast.js";
import { defineUnaryOutputOp } from "./define.js";
import { zeros } from "./creation.js";

/**
 * `fill_`/`zero_`/`copy_` of a constant onto a tensor with history: the old values no longer matter, so the
 * gradient to them is zero, and the result still requires grad (PyTorch's FillBackward0).
 */
const overwrite = defineUnaryOutputOp<undefined>({
  name: "Fill",
  forward(_ctx, [, value]) {
    const out = Tensor.empty(value.shape, value.dtype);
    backend().copy(value, out);
    return out;
  },
  backward(_ctx, [g]) {
    return [zeros(g.shape, { dtype: g.dtype }), null];
  },
});

/**
 * Runs an in-place op (`add_`, `mul_`, …): the result is computed out of place, from a snapshot of `self`
 * when autograd records (so tensors saved for backward are not the storage being overwritten), then written
 * into `self`'s storage, whose version is bumped. When recording, `self` takes over the result's history,
 * as PyTorch rebases an in-place op's output.
 *
 * `allowCast`: `copy_` converts any dtype; arithmetic refuses float results into integer tensors.
 */
export function applyInplace(self: Tensor, op: string, compute: (x: Tensor) => Tensor, allowCast = false): Tensor {
  self._checkInplace(op);
  const recording = isGradEnabled();
  const src = recording ? clone(self) : self;
  let r = compute(src);
  if (recording && self.requiresGrad && !r.requiresGrad) r = overwrite([src, r], undefined);
  if (!shapeEquals(r.shape, self.shape)) {
    // PyTorch's wording: the result may broadcast up to self's shape, never beyond it.
    try {
      r = expand(r, self.shape);
    } catch {
      throw new Error(
        `${op}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(r.shape)}`,
      );
    }
  }
  if (r.dtype !== self.dtype) {
    if (!allowCast && isFloating(r.dtype) && (isIntegral(self.dtype) || self.dtype === "bool")) {
      throw new TypeError(`${op}: result type ${r.dtype} can't be cast to the desired output type ${self.dtype}`);
    }
    r = to(r, self.dtype);
  }
  noGrad(() => backend().copy(r, self));
  self._bumpVersion();
  if (recording && r.requiresGrad) {
    self.gradFn = r.gradFn;
    self._outputNr = r._outputNr;
    self._requiresGrad = true;
  }
  return self;
}
