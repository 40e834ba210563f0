import { Tensor } from "../tensor.js";
import { zeros } from "../ops/creation.js";
import { type ParamGroup, type Params, Optimizer, check, incrementStep, zeroStep } from "./optimizer.js";
import { kernel, scalar, updateFlat } from "./kernels.js";
import { pyNumber } from "./py-format.js";

/** Adam's and AdamW's options (defaults in brackets). */
export interface AdamOptions {
  /** Learning rate [1e-3]. */
  lr?: number;
  /** Coefficients (β₁, β₂) of the running averages of the gradient and its square [(0.9, 0.999)]. */
  betas?: [number, number];
  /** Term added to the denominator for stability [1e-8]. */
  eps?: number;
  /** Weight decay λ [0 for Adam (L2 penalty added to the gradient), 1e-2 for AdamW (decoupled)]. */
  weightDecay?: number;
  /** Use the AMSGrad variant: divide by the running maximum of the second moment [false]. */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it [false]. */
  maximize?: boolean;
}

export type AdamGroupOptions = Required<AdamOptions>;

/** Adam's per-parameter state. `step` is a 0-dim float32 tensor, as in PyTorch. */
export interface AdamState {
  step: Tensor | number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

function resolve(cls: string, opts: AdamOptions, weightDecay: number): AdamGroupOptions {
  const d: AdamGroupOptions = {
    lr: opts.lr ?? 1e-3,
    betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? weightDecay,
    amsgrad: opts.amsgrad ?? false,
    maximize: opts.maximize ?? false,
  };
  check(d.lr >= 0, cls, `Invalid learning rate: ${pyNumber(d.lr)}`);
  check(d.eps >= 0, cls, `Invalid epsilon value: ${pyNumber(d.eps)}`);
  check(d.betas[0] >= 0 && d.betas[0] < 1, cls, `Invalid beta parameter at index 0: ${pyNumber(d.betas[0])}`);
  check(d.betas[1] >= 0 && d.betas[1] < 1, cls, `Invalid beta parameter at index 1: ${pyNumber(d.betas[1])}`);
  check(d.weightDecay >= 0, cls, `Invalid weight_decay value: ${pyNumber(d.weightDecay)}`);
  return d;
}

/**
 * One Adam/AdamW step over a group (PyTorch's `_single_tensor_adam` / `_single_tensor_adamw`, op for op):
 *
 *     g ← ±∇;  Adam: g ← g + λθ  |  AdamW: θ ← θ(1 − lr·λ)
 *     m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  (AMSGrad: v̂ ← max(v̂, v), used for v below)
 *     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 */
function adamGroup(opt: Optimizer<AdamGroupOptions, AdamState>, group: ParamGroup & AdamGroupOptions, decoupled: boolean): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  const cls = decoupled ? "AdamW" : "Adam";
  for (const p of group.params) {
    const grad = p.grad;
    if (grad === null) continue;
    const dt = p.dtype;
    let state = opt.state.get(p);
    if (state === undefined || Object.keys(state).length === 0) {
      state = { step: zeroStep(), expAvg: zeros(p.shape, { dtype: dt }), expAvgSq: zeros(p.shape, { dtype: dt }) };
      if (amsgrad) state.maxExpAvgSq = zeros(p.shape, { dtype: dt });
      opt.state.set(p, state);
    }
    if (amsgrad && state.maxExpAvgSq === undefined) {
      throw new Error(`${cls}: amsgrad was turned on after the first step; the state has no max_exp_avg_sq`);
    }
    const step = incrementStep(state);
    const bc1 = 1 - beta1 ** step;
    const bc2 = 1 - beta2 ** step;
    const stepSize = lr / bc1;
    const bc2Sqrt = Math.sqrt(bc2);
    const fn = kernel(
      `adam:${decoupled}:${maximize}:${weightDecay !== 0}:${amsgrad}`,
      dt,
      "n, p, g, m, v, mx, wd, decay, b1, omb1, b2, omb2, bc2s, eps, negStep",
      (R) => `
        for (let i = 0; i < n; i++) {
          let gi = ${maximize ? "-" : ""}${R("g[i]")};
          ${decoupled ? `p[i] = ${R("p[i] * decay")};` : weightDecay !== 0 ? `gi = ${R("gi + wd * p[i]")};` : ""}
          let mi = ${R("m[i] * b1")};
          mi = ${R("mi + omb1 * gi")};
          m[i] = mi;
          let vi = ${R("v[i] * b2")};
          vi = ${R(`vi + ${R("omb2 * gi")} * gi`)};
          v[i] = vi;
          ${amsgrad ? "vi = Math.max(mx[i], vi); mx[i] = vi;" : ""}
          const denom = ${R(`${R(`${R("Math.sqrt(vi)")} / bc2s`)} + eps`)};
          p[i] = ${R(`p[i] + ${R(`${R("negStep * mi")} / denom`)}`)};
        }`,
    );
    const bufs = amsgrad ? [state.expAvg, state.expAvgSq, state.maxExpAvgSq!] : [state.expAvg, state.expAvgSq];
    updateFlat(cls, p, grad, bufs, (pf, gf, [m, v, mx]) =>
      fn(
        pf.length,
        pf,
        gf,
        m,
        v,
        mx,
        scalar(weightDecay, dt),
        scalar(1 - lr * weightDecay, dt),
        scalar(beta1, dt),
        scalar(1 - beta1, dt),
        scalar(beta2, dt),
        scalar(1 - beta2, dt),
        scalar(bc2Sqrt, dt),
        scalar(eps, dt),
        scalar(-stepSize, dt),
      ),
    );
  }
}

/**
 * Adam, as `torch.optim.Adam` (Kingma & Ba, 2014), with the L2 penalty added to the gradient:
 *
 *     m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − lr·m̂ / (√v̂ + ε)
 *
 * with bias-corrected m̂ = m / (1 − β₁ᵗ), √v̂ = √v / √(1 − β₂ᵗ). Defaults: lr 1e-3, betas (0.9, 0.999),
 * eps 1e-8, weightDecay 0, amsgrad false, maximize false.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamGroupOptions, AdamState> {
  constructor(params: Params, opts: AdamOptions = {}) {
    super(params, resolve("Adam", opts, 0));
  }

  protected updateGroup(group: ParamGroup & AdamGroupOptions): void {
    adamGroup(this, group, false);
  }
}

/**
 * AdamW, as `torch.optim.AdamW` (Loshchilov & Hutter, 2017): Adam with decoupled weight decay,
 * θ ← θ(1 − lr·λ) before the Adam update instead of an L2 term in the gradient. Defaults as Adam's but
 * weightDecay 1e-2.
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamGroupOptions, AdamState> {
  constructor(params: Params, opts: AdamOptions = {}) {
    super(params, resolve("AdamW", opts, 1e-2));
  }

  protected updateGroup(group: ParamGroup & AdamGroupOptions): void {
    adamGroup(this, group, true);
  }
}
