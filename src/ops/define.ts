import { Tensor } from "../tensor.js";
import { Node, type Edge } from "../autograd/node.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";

/**
 * What an op's forward hands its backward: tensors saved with `save` (checked against in-place
 * modification when read back) plus any plain values the op stores on `ctx` itself.
 */
export class Context {
  private savedTensors: Tensor[] | null = [];
  private savedVersions: number[] = [];
  /** Which inputs need a gradient (same order as the op's tensor inputs). */
  needsInputGrad: boolean[] = [];
  [key: string]: unknown;

  constructor(readonly opName: string) {}

  save(...tensors: Tensor[]): void {
    this.savedTensors = tensors;
    this.savedVersions = tensors.map((t) => t.version);
  }

  get saved(): Tensor[] {
    if (this.savedTensors === null) {
      throw new Error(
        `${this.opName}: Trying to backward through the graph a second time (or directly access saved tensors ` +
          "after they have already been freed). Saved intermediate values of the graph are freed when you call " +
          ".backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph " +
          "a second time or if you need to access saved tensors after calling backward.",
      );
    }
    this.savedTensors.forEach((t, i) => {
      if (t.version !== this.savedVersions[i]) {
        throw new Error(
          `${this.opName}: one of the variables needed for gradient computation has been modified by an inplace ` +
            `operation: [${t.dtype} ${JSON.stringify(t.shape)}] is at version ${t.version}; expected version ` +
            `${this.savedVersions[i]} instead.`,
        );
      }
    });
    return this.savedTensors;
  }

  /** @internal */
  release(): void {
    this.savedTensors = null;
  }
}

/**
 * A primitive op: a forward computed with the backend and a vector-Jacobian product written with public
 * ops (so backward can itself be differentiated). `backward` returns one gradient (or null) per tensor
 * input; outputs that are not floating point (indices, masks) never carry gradients.
 */
export interface OpDefinition<A> {
  /** PyTorch's name; the graph node is `${name}Backward0`. */
  name: string;
  forward(ctx: Context, inputs: Tensor[], attrs: A): Tensor | Tensor[];
  backward(ctx: Context, grads: Tensor[], attrs: A): Array<Tensor | null>;
}

class OpNode<A> extends Node {
  readonly name: string;
  constructor(
    private readonly def: OpDefinition<A>,
    private readonly ctx: Context,
    private readonly attrs: A,
    next: Array<Edge | null>,
  ) {
    super();
    this.name = `${def.name}Backward0`;
    this.next = next;
  }
  apply(grads: Tensor[]): Array<Tensor | null> {
    return this.def.backward(this.ctx, grads, this.attrs);
  }
  override release(): void {
    this.ctx.release();
  }
}

/** Makes a callable primitive from its definition. The caller passes tensor inputs and attributes. */
export function defineOp<A = undefined>(def: OpDefinition<A>): (inputs: Tensor[], attrs: A) => Tensor[] {
  return (inputs: Tensor[], attrs: A): Tensor[] => {
    const ctx = new Context(def.name);
    const enabled = isGradEnabled();
    let record = false;
    if (enabled) for (const t of inputs) if (t.requiresGrad) record = true;
    const needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) needs[i] = record && inputs[i].requiresGrad;
    ctx.needsInputGrad = needs;
    // Under noGrad already (inference), the forward runs as it is: no second mode switch and closure per op.
    const raw = enabled ? noGrad(() => def.forward(ctx, inputs, attrs)) : def.forward(ctx, inputs, attrs);
    // An output must be a fresh Tensor object: attaching a gradFn to an input would rewrite its history.
    const outs = Array.isArray(raw) ? raw.slice() : [raw];
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i];
      if (inputs.includes(o)) outs[i] = o._viewAs(o.shape, o.strides, o.offset);
    }
    if (record) {
      const node = new OpNode(def, ctx, attrs, inputs.map((t) => t._edge()));
      node.outputMeta = outs.map((o) => ({ shape: o.shape.slice(), dtype: o.dtype }));
      outs.forEach((o, i) => {
        if (!isFloating(o.dtype)) return;
        o.gradFn = node;
        o._outputNr = i;
        o._requiresGrad = true;
      });
    }
    return outs;
  };
}

/** `defineOp` for the common single-output case. */
export function defineUnaryOutputOp<A = undefined>(def: OpDefinition<A>): (inputs: Tensor[], attrs: A) => Tensor {
  const op = defineOp(def);
  return (inputs, attrs) => op(inputs, attrs)[0];
}
