import { Tensor } from "../tensor.js";
import { zeros } from "../ops/creation.js";
import { type ParamGroup, type Params, Optimizer, check, incrementStep, zeroStep } from "./optimizer.js";
import { kernel, scalar, updateFlat } from "./kernels.js";
import { pyNumber } from "./py-format.js";

/** Adadelta's options (defaults in brackets). */
export interface AdadeltaOptions {
  /** Coefficient scaling the delta before it is applied [1.0]. */
  lr?: number;
  /** Coefficient ρ of the running averages of g² and of the squared updates [0.9]. */
  rho?: number;
  /** Term added inside the square roots for stability [1e-6]. */
  eps?: number;
  /** L2 penalty λ [0]. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it [false]. */
  maximize?: boolean;
}

export type AdadeltaGroupOptions = Required<AdadeltaOptions>;

/** Adadelta's per-parameter state (`step` a 0-dim float32 tensor, as PyTorch 2.x). */
export interface AdadeltaState {
  step: Tensor | number;
  squareAvg: Tensor;
  accDelta: Tensor;
}

/**
 * Adadelta, as `torch.optim.Adadelta` (Zeiler, 2012):
 *
 *     g ← ±∇ + λθ;  v ← ρv + (1 − ρ)g²;  Δ ← √(u + ε) / √(v + ε) · g;  u ← ρu + (1 − ρ)Δ²;  θ ← θ − lr·Δ
 *
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0, maximize false.
 *
 * @example
 * const opt = new optim.Adadelta(model.parameters());
 */
export class Adadelta extends Optimizer<AdadeltaGroupOptions, AdadeltaState> {
  constructor(params: Params, opts: AdadeltaOptions = {}) {
    const d: AdadeltaGroupOptions = {
      lr: opts.lr ?? 1.0,
      rho: opts.rho ?? 0.9,
      eps: opts.eps ?? 1e-6,
      weightDecay: opts.weightDecay ?? 0,
      maximize: opts.maximize ?? false,
    };
    check(d.lr >= 0, "Adadelta", `Invalid learning rate: ${pyNumber(d.lr)}`);
    check(d.rho >= 0 && d.rho <= 1, "Adadelta", `Invalid rho value: ${pyNumber(d.rho)}`);
    check(d.eps >= 0, "Adadelta", `Invalid epsilon value: ${pyNumber(d.eps)}`);
    check(d.weightDecay >= 0, "Adadelta", `Invalid weight_decay value: ${pyNumber(d.weightDecay)}`);
    super(params, d);
  }

  protected updateGroup(group: ParamGroup & AdadeltaGroupOptions): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const dt = p.dtype;
      const state = this.stateOf(p, () => ({
        step: zeroStep(),
        squareAvg: zeros(p.shape, { dtype: dt }),
        accDelta: zeros(p.shape, { dtype: dt }),
      }));
      incrementStep(state);
      const fn = kernel(
        `adadelta:${maximize}:${weightDecay !== 0}`,
        dt,
        "n, p, g, sq, acc, wd, rho, omr, eps, negLr",
        (R) => `
          for (let i = 0; i < n; i++) {
            let gi = ${maximize ? "-" : ""}${R("g[i]")};
            ${weightDecay !== 0 ? `gi = ${R("gi + wd * p[i]")};` : ""}
            let s = ${R("sq[i] * rho")};
            s = ${R(`s + ${R("omr * gi")} * gi`)};
            sq[i] = s;
            const std = ${R(`Math.sqrt(${R("s + eps")})`)};
            let delta = ${R(`Math.sqrt(${R("acc[i] + eps")})`)};
            delta = ${R("delta / std")};
            delta = ${R("delta * gi")};
            let u = ${R("acc[i] * rho")};
            u = ${R(`u + ${R("omr * delta")} * delta`)};
            acc[i] = u;
            p[i] = ${R("p[i] + negLr * delta")};
          }`,
      );
      updateFlat("Adadelta", p, grad, [state.squareAvg, state.accDelta], (pf, gf, [sq, acc]) =>
        fn(pf.length, pf, gf, sq, acc, scalar(weightDecay, dt), scalar(rho, dt), scalar(1 - rho, dt), scalar(eps, dt), scalar(-lr, dt)),
      );
    }
  }
}
