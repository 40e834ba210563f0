import { Tensor } from "../tensor.js";
import { zeros } from "../ops/creation.js";
import { type ParamGroup, type Params, Optimizer, check } from "./optimizer.js";
import { kernel, scalar, updateFlat } from "./kernels.js";
import { pyNumber } from "./py-format.js";

/** SGD's options (defaults in brackets). */
export interface SGDOptions {
  /** Learning rate [1e-3, as PyTorch 2.x; PyTorch 1.13 required it]. */
  lr?: number;
  /** Momentum factor μ [0]. */
  momentum?: number;
  /** Dampening τ for momentum [0]. */
  dampening?: number;
  /** L2 penalty λ [0]. */
  weightDecay?: number;
  /** Nesterov momentum [false]; needs momentum > 0 and zero dampening. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it [false]. */
  maximize?: boolean;
}

export type SGDGroupOptions = Required<SGDOptions>;

/** SGD's per-parameter state: the momentum buffer (only with momentum). */
export interface SGDState {
  momentumBuffer?: Tensor | null;
}

/**
 * Stochastic gradient descent, optionally with momentum, as `torch.optim.SGD` (PyTorch's single-tensor
 * update, in its op order):
 *
 *     g ← ∇ (−∇ when maximize);  g ← g + λθ;
 *     b ← g on the first step, else μb + (1 − τ)g;  g ← nesterov ? g + μb : b;
 *     θ ← θ − lr·g
 *
 * Defaults: lr 1e-3 (PyTorch 2.x; 1.13 had no default), momentum 0, dampening 0, weightDecay 0,
 * nesterov false, maximize false.
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDGroupOptions, SGDState> {
  constructor(params: Params, opts: SGDOptions = {}) {
    const d: SGDGroupOptions = {
      lr: opts.lr ?? 1e-3,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    };
    check(d.lr >= 0, "SGD", `Invalid learning rate: ${pyNumber(d.lr)}`);
    check(d.momentum >= 0, "SGD", `Invalid momentum value: ${pyNumber(d.momentum)}`);
    check(d.weightDecay >= 0, "SGD", `Invalid weight_decay value: ${pyNumber(d.weightDecay)}`);
    check(!d.nesterov || (d.momentum > 0 && d.dampening === 0), "SGD", "Nesterov momentum requires a momentum and zero dampening");
    super(params, d);
  }

  protected updateGroup(group: ParamGroup & SGDGroupOptions): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null) continue;
      const dt = p.dtype;
      // As PyTorch 2.x, plain SGD keeps no state (1.13 stored `momentum_buffer: None` per parameter).
      let bufs: Tensor[] = [];
      let first = false;
      if (momentum !== 0) {
        const state = this.state.get(p) ?? {};
        this.state.set(p, state);
        first = state.momentumBuffer == null;
        if (first) state.momentumBuffer = zeros(p.shape, { dtype: dt });
        bufs = [state.momentumBuffer!];
      }
      const fn = kernel(
        `sgd:${maximize}:${weightDecay !== 0}:${momentum !== 0}:${first}:${nesterov}`,
        dt,
        "n, p, g, b, wd, mom, damp1, negLr",
        (R) => `
          for (let i = 0; i < n; i++) {
            let d = ${maximize ? "-" : ""}${R("g[i]")};
            ${weightDecay !== 0 ? `d = ${R("d + wd * p[i]")};` : ""}
            ${momentum === 0 ? "" : first ? "b[i] = d;" : `let bi = ${R("b[i] * mom")}; b[i] = ${R("bi + damp1 * d")};`}
            ${momentum === 0 ? "" : nesterov ? `d = ${R("d + mom * b[i]")};` : "d = b[i];"}
            p[i] = ${R("p[i] + negLr * d")};
          }`,
      );
      updateFlat("SGD", p, grad, bufs, (pf, gf, [bf]) =>
        fn(pf.length, pf, gf, bf, scalar(weightDecay, dt), scalar(momentum, dt), scalar(1 - dampening, dt), scalar(-lr, dt)),
      );
    }
  }
}
