import { Tensor } from "../tensor.js";
import { grad } from "./engine.js";
import { noGrad } from "./grad-mode.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw with the mismatching entry (default) or return false. */
  raiseException?: boolean;
}

/**
 * Compares the analytical Jacobian (autograd, one backward per output element) with central finite
 * differences, as `torch.autograd.gradcheck`. Inputs should be float64 with `requiresGrad`; the perturbed
 * element is written in place through the storage, outside autograd.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raiseException ?? true;
  const diff = inputs.filter((t) => t.requiresGrad);
  for (const t of diff) {
    if (t.dtype !== "float64") {
      console.warn(`gradcheck: input of dtype ${t.dtype} is not double precision; the check may fail spuriously`);
    }
  }
  const first = fn(...inputs);
  const all = Array.isArray(first) ? first : [first];
  // Outputs without requiresGrad (e.g. indices) are skipped, as PyTorch does.
  const picked = all.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const outs = picked.map((i) => all[i]);
  const evalOuts = (): Float64Array[] =>
    noGrad(() => {
      const r = fn(...inputs.map((x) => x.detach()));
      const list = Array.isArray(r) ? r : [r];
      return picked.map((i) => Float64Array.from(list[i].toTypedArray()));
    });
  for (let oi = 0; oi < outs.length; oi++) {
    const out = outs[oi];
    const n = out.numel();
    for (let k = 0; k < n; k++) {
      const seed = Tensor.empty(out.shape, out.dtype);
      seed.buf[k] = 1;
      const analytical = grad([out], diff, [seed], { retainGraph: true, allowUnused: true });
      for (let ii = 0; ii < diff.length; ii++) {
        const x = diff[ii];
        const a = analytical[ii];
        const aVals = a ? a.toTypedArray() : null;
        // Walk the elements of x in row-major order and their storage offsets.
        const offsets: number[] = [];
        let failure: string | undefined;
        const rec = (d: number, p: number): void => {
          if (d === x.dim()) {
            offsets.push(p);
            return;
          }
          for (let i = 0; i < x.shape[d]; i++) rec(d + 1, p + i * x.strides[d]);
        };
        rec(0, x.offset);
        offsets.forEach((p, j) => {
          const orig = x.buf[p];
          x.buf[p] = orig + eps;
          const plus = evalOuts()[oi][k];
          x.buf[p] = orig - eps;
          const minus = evalOuts()[oi][k];
          x.buf[p] = orig;
          const numerical = (plus - minus) / (2 * eps);
          const got = aVals ? aVals[j] : 0;
          if (!(Math.abs(got - numerical) <= atol + rtol * Math.abs(numerical))) {
            failure ??=
              `gradcheck: Jacobian mismatch for output ${oi} with respect to input ${ii}, ` +
              `element ${j} of the input and ${k} of the output: numerical ${numerical}, analytical ${got}`;
          }
        });
        if (failure) {
          if (raise) throw new Error(failure);
          return false;
        }
      }
    }
  }
  return true;
}
