import { Tensor } from "../tensor.js";
import { formatTensor } from "../format.js";

/**
 * A tensor that is a module's learnable parameter, as `torch.nn.Parameter(data, requires_grad=True)`.
 *
 * It shares `data`'s storage (no copy) but is always a fresh leaf: a tensor with history becomes the start
 * of a new graph, as PyTorch's `Parameter(t)` does. Assigning a Parameter to a module attribute registers it.
 *
 * @example
 * const w = new nn.Parameter(torch.zeros([2, 3])); // w.requiresGrad === true, w.isLeaf === true
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requiresGrad = true) {
    const src = data ?? Tensor.empty([0]);
    if (!(src instanceof Tensor)) {
      throw new TypeError(`Parameter: expected a Tensor as data, got ${src === null ? "null" : typeof src}`);
    }
    // A fresh leaf, not a view: in-place writes through views of the parameter must stop at it.
    super(src.buf, src.dtype, src.shape, src.strides, src.offset, src._version);
    if (requiresGrad) this.requiresGrad_(true);
  }

  /** PyTorch's repr: `Parameter containing:\ntensor([...], requires_grad=True)`. */
  override toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** True when `x` is an `nn.Parameter`. */
export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
