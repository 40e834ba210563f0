import { Callable } from "../../callable.js";

/** A transform: called like a function (`t(img)`), as torchvision's transforms are. */
export abstract class Transform<I = any, O = any> extends Callable<[I], O> {
  abstract override forward(input: I): O;

  /** The class name and its non-default arguments, as torchvision's `__repr__`. */
  override toString(): string {
    return `${this.constructor.name}(${this.extraRepr()})`;
  }

  extraRepr(): string {
    return "";
  }
}

/** Anything a dataset accepts as a transform: a Transform or a plain function. */
export type TransformLike<I = any, O = any> = Transform<I, O> | ((input: I) => O);
