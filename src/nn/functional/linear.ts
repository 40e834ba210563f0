import type { Tensor } from "../../tensor.js";
import { formatShape } from "../../layout.js";
import { add, mul } from "../../ops/elementwise.js";
import { addmm, matmul } from "../../ops/linalg.js";
import { sum } from "../../ops/reduce.js";
import { permute, reshape, t, unsqueeze, view } from "../../ops/view.js";
import { checkTensor } from "../../ops/util.js";

/**
 * `y = x Wᵀ + b` over any leading dims, as `F.linear(input, weight, bias=None)`.
 *
 * Shape: input `(*, in)`, weight `(out, in)`, bias `(out)` → `(*, out)`.
 *
 * @example
 * F.linear(torch.ones([2, 3]), torch.ones([4, 3]), torch.zeros([4])).shape // [2, 4]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(input, "linear", "input");
  checkTensor(weight, "linear", "weight");
  if (bias !== null && bias !== undefined) checkTensor(bias, "linear", "bias");
  const wt = weight.dim() === 2 ? t(weight) : weight;
  if (bias && weight.dim() === 2 && input.dim() >= 2) {
    // PyTorch's fused path (addmm); leading dims are folded into rows (its `_flatten_nd_linear`).
    if (input.dim() === 2) return addmm(bias, input, wt);
    const inF = input.shape[input.dim() - 1];
    const flat = reshape(input, [-1, inF]);
    const y = addmm(bias, flat, wt);
    return view(y, [...input.shape.slice(0, -1), y.shape[1]]);
  }
  const y = matmul(input, wt);
  return bias ? add(y, bias) : y;
}

/**
 * `yₖ = x₁ᵀ Aₖ x₂ + bₖ`, as `F.bilinear(input1, input2, weight, bias=None)`.
 *
 * Shape: input1 `(*, in1)`, input2 `(*, in2)`, weight `(out, in1, in2)`, bias `(out)` → `(*, out)`.
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(input1, "bilinear", "input1");
  checkTensor(input2, "bilinear", "input2");
  checkTensor(weight, "bilinear", "weight");
  if (input1.dim() !== input2.dim()) {
    throw new Error(`bilinear(): input dimensions do not match: got ${input1.dim()} and ${input2.dim()}`);
  }
  for (let i = 0; i < input1.dim() - 1; i++) {
    if (input1.shape[i] !== input2.shape[i]) {
      throw new Error(`bilinear(): input batch dimensions do not match: got ${formatShape(input1.shape)} and ${formatShape(input2.shape)}`);
    }
  }
  if (weight.dim() !== 3) throw new Error(`bilinear(): weight must be 3-D, got ${weight.dim()}-D`);
  const [out, in1, in2] = weight.shape;
  const last1 = input1.shape[input1.dim() - 1];
  const last2 = input2.shape[input2.dim() - 1];
  if (last1 !== in1) throw new Error(`bilinear(): input1 size does not match weight size: got ${last1} but expected ${in1}`);
  if (last2 !== in2) throw new Error(`bilinear(): input2 size does not match weight size: got ${last2} but expected ${in2}`);
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== out)) {
    throw new Error(`bilinear(): bias size does not match weight size: got ${bias.shape[bias.dim() - 1]} but expected ${out}`);
  }
  const lead = input1.shape.slice(0, -1);
  const x1 = reshape(input1, [-1, in1]);
  const x2 = reshape(input2, [-1, in2]);
  // x₁ · A viewed as [in1, out·in2], then contracted with x₂ per output: one GEMM and one reduction.
  const a = reshape(permute(weight, [1, 0, 2]), [in1, out * in2]);
  const tmp = reshape(matmul(x1, a), [-1, out, in2]);
  let y = sum(mul(tmp, unsqueeze(x2, 1)), -1);
  if (bias) y = add(y, bias);
  return reshape(y, [...lead, out]);
}
