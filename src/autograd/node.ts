import type { Tensor } from "../tensor.js";

/** An edge to the node that produced one input of an op: the node and which of its outputs. */
export interface Edge {
  node: Node;
  outputNr: number;
}

/**
 * A backward function in the graph (`grad_fn`). `apply` receives one gradient per output of the forward op
 * and returns one gradient (or null) per edge in `next`.
 */
export abstract class Node {
  abstract readonly name: string;
  /** Edges to the producers of this op's inputs; null for inputs that do not require grad. */
  next: Array<Edge | null> = [];
  /** Non-leaf tensors whose `.grad` is kept (`retain_grad`), by output number. */
  retained: Map<number, Tensor> | null = null;
  abstract apply(grads: Tensor[]): Array<Tensor | null>;
  /** Frees saved tensors after a backward pass without `retainGraph`. */
  release(): void {}
  /** Output metadata, so missing output gradients can be materialized as zeros. */
  outputMeta: Array<{ shape: number[]; dtype: import("../dtype.js").DType }> = [];

  toString(): string {
    return `<${this.name} object>`;
  }
}

/** The node at a leaf that requires grad: adds the incoming gradient into `tensor.grad`. */
export class AccumulateGrad extends Node {
  readonly name = "AccumulateGrad";
  constructor(readonly variable: Tensor) {
    super();
    this.outputMeta = [{ shape: variable.shape.slice(), dtype: variable.dtype }];
  }
  apply(): Array<Tensor | null> {
    // The engine handles accumulation itself (it needs to know whether to build a graph).
    return [];
  }
}
