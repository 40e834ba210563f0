import { Tensor } from "../../tensor.js";
import { isFloating } from "../../dtype.js";
import { scalarTensor } from "../../ops/util.js";

/**
 * A Python float operand next to `ref`: JavaScript cannot tell `2.0` from `2`, and an integer-valued number
 * is an int scalar here, which would keep a uint8 image in uint8. A 0-dim tensor of `ref`'s float dtype
 * (float32 for integer images) computes what PyTorch computes with a Python float.
 */
export function pyFloat(v: number, ref: Tensor): Tensor {
  return scalarTensor(v, isFloating(ref.dtype) ? ref.dtype : "float32");
}
