import { Tensor } from "../tensor.js";
import { isFloating, isIntegral } from "../dtype.js";
import { formatShape, isContiguous, shapeEquals } from "../layout.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { backend } from "../backend/backend.js";
import { clone, expand } from "./view.js";
import { to } from "./cast.js";
import { defineUnaryOutputOp } from "./define.js";
import { zeros } from "./creation.js";
import { asStrided, type Geometry, stridedScatterOp } from "./strided.js";

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
 * as PyTorch rebases an in-place op's output. When `self` is a view of a base tensor and either has history,
 * the base takes the write over as well (PyTorch's CopySlices): gradients then reach the base's history
 * through the view, as in `y = x.mul(1); y.narrow(0, 0, 2).mul_(3); y.sum().backward()`.
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
  if (recording && rebaseView(self, r)) return self;
  if (recording && r.requiresGrad) adoptHistory(self, r);
  return self;
}

function adoptHistory(self: Tensor, from: Tensor): void {
  self.gradFn = from.gradFn;
  self._outputNr = from._outputNr;
  self._requiresGrad = true;
}

/**
 * After `r` was written into the view `self`: the base becomes `as_strided_scatter(base, r)` and `self` the
 * matching region of it, so both carry the write's history. False (nothing done) when `self` is no view,
 * neither side has history, or the base's layout is not contiguous (the region could not be named then).
 */
function rebaseView(self: Tensor, r: Tensor): boolean {
  const base = self._base;
  if (base === null || base.buf !== self.buf || !(base.requiresGrad || r.requiresGrad)) return false;
  if (!isContiguous(base.shape, base.strides)) return false;
  const geom: Geometry = { shape: self.shape.slice(), strides: self.strides.slice(), offset: self.offset - base.offset };
  const updated = stridedScatterOp([base, r], { geom });
  adoptHistory(base, updated);
  adoptHistory(self, asStrided(updated, geom));
  return true;
}
