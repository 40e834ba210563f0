import { Tensor } from "../tensor.js";
import { full } from "../ops/creation.js";
import { type ParamGroup, type ParamGroupInput, type Params, Optimizer, check, incrementStep, zeroStep } from "./optimizer.js";
import { kernel, scalar, updateFlat } from "./kernels.js";
import { pyNumber } from "./py-format.js";

/** Adagrad's options (defaults in brackets). */
export interface AdagradOptions {
  /** Learning rate [1e-2]. */
  lr?: number;
  /** Learning-rate decay: the step t uses lr / (1 + (t − 1)·lrDecay) [0]. */
  lrDecay?: number;
  /** L2 penalty λ [0]. */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients [0]. */
  initialAccumulatorValue?: number;
  /** Term added to the denominator for stability [1e-10]. */
  eps?: number;
  /** Maximize the objective instead of minimizing it [false]. */
  maximize?: boolean;
}

export type AdagradGroupOptions = Required<AdagradOptions>;

/** Adagrad's per-parameter state, created for every parameter at construction (as PyTorch). */
export interface AdagradState {
  step: Tensor | number;
  sum: Tensor;
}

/**
 * Adagrad, as `torch.optim.Adagrad` (Duchi et al., 2011):
 *
 *     g ← ±∇ + λθ;  clr ← lr / (1 + (t − 1)·lrDecay);  s ← s + g²;  θ ← θ − clr·g / (√s + ε)
 *
 * Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10, maximize false.
 *
 * @example
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradGroupOptions, AdagradState> {
  constructor(params: Params, opts: AdagradOptions = {}) {
    const d: AdagradGroupOptions = {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    };
    check(d.lr >= 0, "Adagrad", `Invalid learning rate: ${pyNumber(d.lr)}`);
    check(d.lrDecay >= 0, "Adagrad", `Invalid lr_decay value: ${pyNumber(d.lrDecay)}`);
    check(d.weightDecay >= 0, "Adagrad", `Invalid weight_decay value: ${pyNumber(d.weightDecay)}`);
    check(
      d.initialAccumulatorValue >= 0,
      "Adagrad",
      `Invalid initial_accumulator_value value: ${pyNumber(d.initialAccumulatorValue)}`,
    );
    check(d.eps >= 0, "Adagrad", `Invalid epsilon value: ${pyNumber(d.eps)}`);
    super(params, d);
  }

  private initState(p: Tensor, initial: number): AdagradState {
    const s: AdagradState = { step: zeroStep(), sum: full(p.shape, initial, { dtype: p.dtype }) };
    this.state.set(p, s);
    return s;
  }

  /**
   * Creates the state of the group's parameters, as PyTorch's constructor does (it runs for the
   * constructor's groups too; PyTorch forgets groups added later, whose first step then fails).
   */
  override addParamGroup(group: ParamGroupInput): void {
    super.addParamGroup(group);
    const g = this.paramGroups[this.paramGroups.length - 1];
    for (const p of g.params) if (!this.state.has(p)) this.initState(p, g.initialAccumulatorValue);
  }

  protected updateGroup(group: ParamGroup & AdagradGroupOptions): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const dt = p.dtype;
      const state = this.state.get(p) ?? this.initState(p, group.initialAccumulatorValue);
      const step = incrementStep(state);
      const clr = lr / (1 + (step - 1) * lrDecay);
      const fn = kernel(
        `adagrad:${maximize}:${weightDecay !== 0}`,
        dt,
        "n, p, g, s, wd, eps, negClr",
        (R) => `
          for (let i = 0; i < n; i++) {
            let gi = ${maximize ? "-" : ""}${R("g[i]")};
            ${weightDecay !== 0 ? `gi = ${R("gi + wd * p[i]")};` : ""}
            const si = ${R("s[i] + gi * gi")};
            s[i] = si;
            const std = ${R(`${R("Math.sqrt(si)")} + eps`)};
            p[i] = ${R(`p[i] + ${R(`${R("negClr * gi")} / std`)}`)};
          }`,
      );
      updateFlat("Adagrad", p, grad, [state.sum], (pf, gf, [s]) =>
        fn(pf.length, pf, gf, s, scalar(weightDecay, dt), scalar(eps, dt), scalar(-clr, dt)),
      );
    }
  }
}
