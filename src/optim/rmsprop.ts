import { Tensor } from "../tensor.js";
import { zeros } from "../ops/creation.js";
import { type ParamGroup, type Params, Optimizer, check, incrementStep, zeroStep } from "./optimizer.js";
import { kernel, scalar, updateFlat } from "./kernels.js";
import { pyNumber } from "./py-format.js";

/** RMSprop's options (defaults in brackets). */
export interface RMSpropOptions {
  /** Learning rate [1e-2]. */
  lr?: number;
  /** Smoothing constant α of the running average of g² [0.99]. */
  alpha?: number;
  /** Term added to the denominator for stability [1e-8]. */
  eps?: number;
  /** L2 penalty λ [0]. */
  weightDecay?: number;
  /** Momentum factor μ [0]. */
  momentum?: number;
  /** Normalize by the estimated variance (subtract the squared running mean of g) [false]. */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it [false]. */
  maximize?: boolean;
}

export type RMSpropGroupOptions = Required<RMSpropOptions>;

/** RMSprop's per-parameter state (`step` a 0-dim float32 tensor, as PyTorch 2.x). */
export interface RMSpropState {
  step: Tensor | number;
  squareAvg: Tensor;
  momentumBuffer?: Tensor;
  gradAvg?: Tensor;
}

/**
 * RMSprop, as `torch.optim.RMSprop` (Hinton's lecture 6e; centered version from Graves, 2013):
 *
 *     g ← ±∇ + λθ;  v ← αv + (1 − α)g²;  centered: ḡ ← αḡ + (1 − α)g, d ← √(v − ḡ²) + ε, else d ← √v + ε
 *     μ > 0: b ← μb + g/d, θ ← θ − lr·b;  otherwise θ ← θ − lr·g/d
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false, maximize false.
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 0.01, momentum: 0.9 });
 */
export class RMSprop extends Optimizer<RMSpropGroupOptions, RMSpropState> {
  constructor(params: Params, opts: RMSpropOptions = {}) {
    const d: RMSpropGroupOptions = {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    };
    check(d.lr >= 0, "RMSprop", `Invalid learning rate: ${pyNumber(d.lr)}`);
    check(d.eps >= 0, "RMSprop", `Invalid epsilon value: ${pyNumber(d.eps)}`);
    check(d.momentum >= 0, "RMSprop", `Invalid momentum value: ${pyNumber(d.momentum)}`);
    check(d.weightDecay >= 0, "RMSprop", `Invalid weight_decay value: ${pyNumber(d.weightDecay)}`);
    check(d.alpha >= 0, "RMSprop", `Invalid alpha value: ${pyNumber(d.alpha)}`);
    super(params, d);
  }

  protected updateGroup(group: ParamGroup & RMSpropGroupOptions): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const dt = p.dtype;
      const state = this.stateOf(p, () => {
        const s: RMSpropState = { step: zeroStep(), squareAvg: zeros(p.shape, { dtype: dt }) };
        if (momentum > 0) s.momentumBuffer = zeros(p.shape, { dtype: dt });
        if (centered) s.gradAvg = zeros(p.shape, { dtype: dt });
        return s;
      });
      if ((momentum > 0 && !state.momentumBuffer) || (centered && !state.gradAvg)) {
        throw new Error("RMSprop: momentum or centered was turned on after the first step; the state lacks its buffer");
      }
      incrementStep(state);
      const useMomentum = momentum > 0;
      const fn = kernel(
        `rmsprop:${maximize}:${weightDecay !== 0}:${centered}:${useMomentum}`,
        dt,
        "n, p, g, sq, ga, b, wd, alpha, oma, eps, mom, negLr",
        (R) => `
          for (let i = 0; i < n; i++) {
            let gi = ${maximize ? "-" : ""}${R("g[i]")};
            ${weightDecay !== 0 ? `gi = ${R("gi + wd * p[i]")};` : ""}
            let s = ${R("sq[i] * alpha")};
            s = ${R(`s + ${R("oma * gi")} * gi`)};
            sq[i] = s;
            let avg;
            ${
              centered
                ? `let a = ${R("ga[i] * alpha")}; a = ${R("a + oma * gi")}; ga[i] = a;
                   avg = ${R(`Math.sqrt(${R("s - a * a")})`)};`
                : `avg = ${R("Math.sqrt(s)")};`
            }
            avg = ${R("avg + eps")};
            ${
              useMomentum
                ? `let bi = ${R("b[i] * mom")}; bi = ${R(`bi + ${R("gi / avg")}`)}; b[i] = bi;
                   p[i] = ${R("p[i] + negLr * bi")};`
                : `p[i] = ${R(`p[i] + ${R(`${R("negLr * gi")} / avg`)}`)};`
            }
          }`,
      );
      const bufs = [state.squareAvg];
      if (centered) bufs.push(state.gradAvg!);
      if (useMomentum) bufs.push(state.momentumBuffer!);
      updateFlat("RMSprop", p, grad, bufs, (pf, gf, [sq, x, y]) => {
        const ga = centered ? x : undefined;
        const b = useMomentum ? (centered ? y : x) : undefined;
        fn(pf.length, pf, gf, sq, ga, b, scalar(weightDecay, dt), scalar(alpha, dt), scalar(1 - alpha, dt), scalar(eps, dt), scalar(momentum, dt), scalar(-lr, dt));
      });
    }
  }
}
