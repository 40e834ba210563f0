import { Transform, type TransformLike } from "./transform.js";

/** Applies transforms in order, as `transforms.Compose([...])`. */
export class Compose extends Transform {
  constructor(readonly transforms: TransformLike[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError("Compose: expected an array of transforms");
    transforms.forEach((t, i) => {
      if (typeof t !== "function") throw new TypeError(`Compose: transform ${i} is not callable (got ${typeof t})`);
    });
  }

  forward(x: unknown): unknown {
    for (const t of this.transforms) x = t(x);
    return x;
  }

  override toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join("\n")}\n)`;
  }
}
