/**
 * Stochastic pooling (Zeiler & Fergus, "Stochastic Pooling for Regularization of Deep Convolutional
 * Neural Networks", ICLR 2013). Not in PyTorch; the seeds describe it: each window picks one activation
 * with probability proportional to its value in training, and uses the probability-weighted average in
 * evaluation.
 */
import { Tensor } from "../tensor.js";
import { formatShape, isContiguous } from "../layout.js";
import { backend } from "../backend/backend.js";
import type { Generator } from "../random/generator.js";
import { defineOp } from "./define.js";
import { checkTensor } from "./util.js";
import { div, gt, relu, square, where } from "./elementwise.js";
import { poolScatterAdd } from "./pool-index.js";
import { avgPool2d } from "./avg-pool.js";
import { maxPool2d } from "./max-pool.js";
import { type IntOrTuple, type PoolGeometry, checkDtype, planeView, poolGeometry, view5, windowOf } from "./pool-args.js";
import { uniformTensor } from "./pool-random.js";

/** Options of `stochasticPool2d`. */
export interface StochasticPoolOptions {
  /** Window step; default (undefined, null or `[]`): `kernelSize`. */
  stride?: IntOrTuple | null;
  /** Sample (true, default) or take the probability-weighted average (false, evaluation). */
  training?: boolean;
  /** Also return the chosen flat plane indices (training only). Default false. */
  returnIndices?: boolean;
  /** Seeded source of the draws (default: the global generator). */
  generator?: Generator | null;
  /** One uniform number in [0, 1) per output element, instead of drawing from `generator`. */
  _randomSamples?: Tensor | null;
}

const stochasticOp = defineOp<{ g: PoolGeometry }>({
  name: "StochasticPool2D",
  forward(ctx, [x, u], { g }) {
    const shape = [...x.shape.slice(0, x.dim() - 2), ...g.out];
    const indices = Tensor.empty(shape, "int64");
    backend().stochasticPoolIndices(view5(x, 2), windowOf(g), view5(u, 2), view5(indices, 2));
    const out = Tensor.empty(shape, x.dtype);
    let plane = x;
    if (!isContiguous(x.shape, x.strides)) {
      plane = Tensor.empty(x.shape, x.dtype);
      backend().copy(x, plane);
    }
    backend().poolGather(planeView(plane, 2), view5(indices, 2), view5(out, 2));
    ctx.save(indices);
    ctx.inShape = x.shape.slice();
    return [out, indices];
  },
  backward(ctx, [grad]) {
    const [indices] = ctx.saved;
    return [poolScatterAdd(grad, indices, ctx.inShape as number[], 2), null];
  },
});

type StochasticResult<O> = O extends { returnIndices: true } ? [Tensor, Tensor] : Tensor;

/**
 * 2-d stochastic pooling of `(N, C, H, W)` or `(C, H, W)` (Zeiler & Fergus 2013), for non-negative
 * activations (e.g. after ReLU).
 *
 * In a window with activations `a_i`, let `p_i = max(a_i, 0) / Σ_j max(a_j, 0)`.
 * - training: output `a_k` with `k ~ p` (the first tap whose cumulative probability exceeds the uniform
 *   draw u); the gradient flows to `a_k` only, as in max pooling.
 * - evaluation: output `Σ_i p_i·a_i = Σ relu(a)² / Σ relu(a)` (the expectation of training's output).
 * A window without any positive activation behaves as max pooling in both modes.
 *
 * Shape: as `maxPool2d` without padding (`H_out = floor((H − k)/stride) + 1`). Defaults: stride =
 * kernelSize, training true.
 *
 * @example
 * // window [1, 3]: p = [0.25, 0.75]; u = 0.2 picks 1, u = 0.3 picks 3; evaluation gives (1 + 9)/4 = 2.5
 * const x = torch.tensor([[[[1, 3]]]], { dtype: "float32" });
 * F.stochasticPool2d(x, [1, 2], { _randomSamples: torch.tensor([[[[0.3]]]]) }) // tensor([[[[3]]]])
 * F.stochasticPool2d(x, [1, 2], { training: false }) // tensor([[[[2.5]]]])
 */
export function stochasticPool2d<O extends StochasticPoolOptions>(input: Tensor, kernelSize: IntOrTuple, opts?: O): StochasticResult<O>;
export function stochasticPool2d(input: Tensor, kernelSize: IntOrTuple, opts: StochasticPoolOptions = {}): Tensor | [Tensor, Tensor] {
  const op = "stochasticPool2d";
  checkTensor(input, op);
  checkDtype(input, op, "stochastic_pool2d", false);
  const g = poolGeometry(input, 2, { kernelSize, stride: opts.stride }, op);
  if (opts.training === false) {
    if (opts.returnIndices) throw new Error(`${op}: returnIndices needs training mode (evaluation averages, it picks no index)`);
    const r = relu(input);
    const s1 = avgPool2d(r, g.kernel, { stride: g.stride });
    const s2 = avgPool2d(square(r), g.kernel, { stride: g.stride });
    const positive = gt(s1, 0);
    // The untaken branch must stay finite, or its zero gradient would become 0/0 = NaN.
    return where(positive, div(s2, where(positive, s1, 1)), maxPool2d(input, g.kernel, { stride: g.stride }));
  }
  const shape = [...input.shape.slice(0, input.dim() - 2), ...g.out];
  let u = opts._randomSamples ?? null;
  if (u === null) u = uniformTensor(shape, input.dtype, opts.generator);
  else {
    checkTensor(u, op, "_randomSamples");
    if (formatShape(u.shape) !== formatShape(shape)) {
      throw new RangeError(`${op}: expected _randomSamples of the output's shape ${formatShape(shape)}, but got ${formatShape(u.shape)}`);
    }
  }
  const [out, indices] = stochasticOp([input, u], { g });
  return opts.returnIndices ? [out, indices] : out;
}
