/**
 * Printing: `String(t)`, `${t}` and `console.log(t)` show what PyTorch's `print(t)` shows.
 */
import { Tensor } from "../tensor.js";
import { formatTensor } from "../format.js";

declare module "../tensor.js" {
  interface Tensor {
    /** PyTorch's `repr(tensor)`, e.g. `tensor([1., 2.], requires_grad=True)`; see `setPrintoptions`. */
    toString(): string;
  }
}

const P = Tensor.prototype as any;

P.toString = function (this: Tensor): string {
  return formatTensor(this);
};

// Node's util.inspect (console.log) looks this symbol up; using Symbol.for keeps `node:util` out of the
// browser-safe core.
P[Symbol.for("nodejs.util.inspect.custom")] = function (this: Tensor): string {
  return formatTensor(this);
};
