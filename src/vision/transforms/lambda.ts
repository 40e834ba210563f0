import { Transform } from "./transform.js";

/** Wraps a function as a transform, as `transforms.Lambda(fn)`. */
export class Lambda<I = any, O = any> extends Transform<I, O> {
  constructor(readonly fn: (x: I) => O) {
    super();
    if (typeof fn !== "function") throw new TypeError(`Lambda: argument should be callable, got ${typeof fn}`);
  }
  forward(x: I): O {
    return this.fn(x);
  }
}
