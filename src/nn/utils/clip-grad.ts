/**
 * `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`: rescale or clamp gradients in place before an
 * optimizer step.
 */
import { Tensor } from "../../tensor.js";
import { castScalar } from "../../dtype.js";
import { backend } from "../../backend/backend.js";
import { noGrad } from "../../autograd/grad-mode.js";
import type { ElementwiseDescriptor } from "../../backend/interface/core.js";
import { norm } from "../../ops/norm.js";
import { stack } from "../../ops/joining.js";
import { zeros } from "../../ops/creation.js";

const SCALE: ElementwiseDescriptor = { name: "clip_grad_norm_", arity: 1, expr: "a * p0" };
// NaN stays NaN, as torch.clamp.
const CLAMP: ElementwiseDescriptor = { name: "clip_grad_value_", arity: 1, expr: "(a < p0 ? p0 : a > p1 ? p1 : a)" };

function gradsOf(parameters: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  if (parameters instanceof Tensor) parameters = [parameters];
  if (parameters === null || parameters === undefined || typeof (parameters as any)[Symbol.iterator] !== "function") {
    throw new TypeError(`${op}: parameters must be a Tensor or an iterable of Tensors`);
  }
  const grads: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters must be Tensors, got ${typeof p}`);
    if (p.grad !== null) grads.push(p.grad);
  }
  return grads;
}

/** Python's `f"{float(x)}"`: `2.0`, `inf`, `0.5`. */
function pyFloat(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/**
 * Rescales the gradients of `parameters` in place so that their total norm (all gradients as one
 * vector) is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_`; returns the total norm before
 * clipping (a 0-dim tensor; `tensor(0.)` when no parameter has a gradient).
 *
 *     total = ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p;  g ← g · min(1, maxNorm / (total + 1e-6))
 *
 * `normType` may be `Infinity` (or "inf"): the largest |g|. Parameters without `.grad` are skipped.
 * With `errorIfNonfinite`, a NaN or infinite total throws instead of scaling by it.
 * Defaults: normType 2, errorIfNonfinite false.
 *
 * @example
 * loss.backward();
 * nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType: number | "inf" = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): Tensor {
  const grads = gradsOf(parameters, "clipGradNorm_");
  const p = normType === "inf" ? Infinity : Number(normType);
  if (Number.isNaN(p)) throw new TypeError(`clipGradNorm_: normType must be a number or "inf", got ${String(normType)}`);
  if (grads.length === 0) return zeros([]);
  return noGrad(() => {
    const norms = grads.map((g) => norm(g.detach(), p));
    const total = norm(stack(norms), p);
    const t = total.item();
    if (opts.errorIfNonfinite && !Number.isFinite(t)) {
      throw new Error(
        `clipGradNorm_: The total norm of order ${pyFloat(p)} for gradients from \`parameters\` is non-finite, so it ` +
          "cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set " +
          "`error_if_nonfinite=False`",
      );
    }
    // PyTorch's `max_norm / (total_norm + 1e-6)` on a tensor is `reciprocal() * max_norm`, each rounded to
    // the norm's dtype; then clamp(max=1), NaN kept.
    const r = (x: number): number => castScalar(x, total.dtype);
    const coef = r(r(1 / r(t + r(1e-6))) * r(maxNorm));
    const clamped = coef > 1 ? 1 : coef;
    for (const g of grads) {
      backend().map(SCALE, [g], g, [castScalar(clamped, g.dtype)]);
      g._bumpVersion();
    }
    return total;
  });
}

/**
 * Clamps the gradients of `parameters` in place to [−clipValue, clipValue], as
 * `torch.nn.utils.clip_grad_value_`. Parameters without `.grad` are skipped; NaN gradients stay NaN.
 *
 * @example
 * nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const c = Number(clipValue);
  for (const g of gradsOf(parameters, "clipGradValue_")) {
    backend().map(CLAMP, [g], g, [castScalar(-c, g.dtype), castScalar(c, g.dtype)]);
    g._bumpVersion();
  }
}
