/**
 * Base for objects that are called like functions, as PyTorch modules and transforms are: `model(x)` runs
 * `model.forward(x)`. The constructor returns a function whose prototype is the subclass's, so class fields,
 * methods and `instanceof` work as usual.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Callable<A extends unknown[] = any[], R = any> {
  constructor() {
    const fn = function (...args: A): R {
      return (fn as unknown as Callable<A, R>).forward(...args);
    };
    // A function's own `name` and `length` are read-only; drop them so subclasses may use those names.
    delete (fn as { name?: string }).name;
    delete (fn as { length?: number }).length;
    Object.setPrototypeOf(fn, new.target.prototype);
    return fn as unknown as Callable<A, R>;
  }

  abstract forward(...args: A): R;
}

// Declaration merging gives instances the call signature the constructor's returned function has.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Callable<A extends unknown[] = any[], R = any> {
  (...args: A): R;
}
