import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { backend } from "../../backend/backend.js";
import type { ElementwiseDescriptor } from "../../backend/interface/core.js";
import { defineUnaryOutputOp } from "../../ops/define.js";
import { mul } from "../../ops/elementwise.js";
import { checkTensor } from "../../ops/util.js";
import { torchTypeName } from "../../ops/reduce-util.js";

/**
 * An activation primitive: a fused forward kernel and a fused `g·f'(x)` kernel (PyTorch's `*_backward`),
 * whose own gradient uses `f''` written with public ops, so double backward works.
 */
export interface PointwiseDef {
  /** PyTorch's name: the node is `${name}Backward0`, the derivative's `${name}BackwardBackward0`. */
  name: string;
  /** PyTorch's CPU kernel name, for the "not implemented for 'Long'" error. */
  kernel: string;
  /** `f(x)` as an expression of `a` (= x) and the parameters `p0`, `p1`. */
  forward: string;
  /** `g·f'(x)` as an expression of `a` (= g) and `b` (= x), with `p0`, `p1`. */
  derivative: string;
  /** `f''(x)` with public ops; omitted where it is zero almost everywhere (piecewise-linear functions). */
  second?: (x: Tensor, p: readonly number[]) => Tensor;
  /** Integer inputs allowed (PyTorch's hardtanh and threshold accept them). */
  integers?: boolean;
}

/** The compiled-kernel descriptor of an expression. */
export function desc(name: string, arity: 1 | 2 | 3, expr: string): ElementwiseDescriptor {
  return { name, arity, expr };
}

/** Makes `(x, p0?, p1?) => f(x)` from a definition. */
export function pointwise(def: PointwiseDef): (x: Tensor, p0?: number, p1?: number) => Tensor {
  const fwd = desc(def.name, 1, def.forward);
  const bwd = desc(`${def.name}Backward`, 2, def.derivative);

  const derivative: (inputs: Tensor[], attrs: { p: number[] }) => Tensor = defineUnaryOutputOp<{ p: number[] }>({
    name: `${def.name}Backward`,
    forward(ctx, [g, x], { p }) {
      const out = Tensor.empty(g.shape, g.dtype);
      backend().map(bwd, [g, x], out, p);
      if (ctx.needsInputGrad.some(Boolean)) ctx.save(g, x);
      return out;
    },
    backward(ctx, [gg], { p }): Array<Tensor | null> {
      const [g, x] = ctx.saved;
      // Linear in g; in x it is gg·g·f''(x).
      const dg = ctx.needsInputGrad[0] ? derivative([gg, x], { p }) : null;
      let dx: Tensor | null = null;
      if (ctx.needsInputGrad[1]) dx = def.second ? mul(mul(gg, g), def.second(x, p)) : mul(gg, 0);
      return [dg, dx];
    },
  });

  const op = defineUnaryOutputOp<{ p: number[] }>({
    name: def.name,
    forward(ctx, [x], { p }) {
      const out = Tensor.empty(x.shape, x.dtype);
      backend().map(fwd, [x], out, p);
      if (ctx.needsInputGrad[0]) ctx.save(x);
      return out;
    },
    backward(ctx, [g], { p }) {
      const [x] = ctx.saved;
      return [derivative([g, x], { p })];
    },
  });

  return (x: Tensor, p0 = 0, p1 = 0): Tensor => {
    checkTensor(x, def.kernel.replace(/_cpu$/, ""));
    if (!isFloating(x.dtype) && !(def.integers && x.dtype !== "bool")) {
      throw new TypeError(`"${def.kernel}" not implemented for '${torchTypeName(x.dtype)}'`);
    }
    return op([x], { p: [p0, p1] });
  };
}
