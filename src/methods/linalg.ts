/** Tensor methods of the matmul family (`x.matmul(w)`, `x.mm(w)`, …); the ops live in ops/linalg.ts. */
import { Tensor } from "../tensor.js";
import * as la from "../ops/linalg.js";

declare module "../tensor.js" {
  interface Tensor {
    /** Matrix product with PyTorch's rank rules, as `tensor.matmul` / `@`. */
    matmul(other: Tensor): Tensor;
    /** 2-d matrix product, as `tensor.mm`. */
    mm(mat2: Tensor): Tensor;
    /** Batched 3-d matrix product, as `tensor.bmm`. */
    bmm(mat2: Tensor): Tensor;
    /** Matrix-vector product, as `tensor.mv`. */
    mv(vec: Tensor): Tensor;
    /** Inner product of 1-d tensors, as `tensor.dot`. */
    dot(other: Tensor): Tensor;
    /** Outer product of 1-d tensors, as `tensor.outer`. */
    outer(vec2: Tensor): Tensor;
    /** Outer product (old name), as `tensor.ger`. */
    ger(vec2: Tensor): Tensor;
    /** `beta · this + alpha · (mat1 @ mat2)`, as `tensor.addmm`. */
    addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  }
}

const P = Tensor.prototype as any;

for (const name of ["matmul", "mm", "bmm", "mv", "dot", "outer", "ger"] as const) {
  const fn = la[name];
  P[name] = function (this: Tensor, other: Tensor) {
    return fn(this, other);
  };
}
P.addmm = function (this: Tensor, mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }) {
  return la.addmm(this, mat1, mat2, opts);
};
