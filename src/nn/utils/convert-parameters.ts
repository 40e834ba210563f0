/** `torch.nn.utils.parameters_to_vector` / `vector_to_parameters`: a model's parameters as one flat vector. */
import { Tensor } from "../../tensor.js";
import { contiguousStrides } from "../../layout.js";
import { cat } from "../../ops/joining.js";
import { view } from "../../ops/view.js";

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/**
 * All parameters flattened and concatenated into one vector, as `torch.nn.utils.parameters_to_vector`
 * (`cat([p.view(-1), …])`: differentiable with respect to the parameters; each must be viewable as 1-D).
 *
 * Shape: [Σ numel(p)].
 *
 * @example
 * const v = nn.utils.parametersToVector(model.parameters()); // e.g. [weights..., biases...]
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const parts: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`parametersToVector: expected torch.Tensor, but got: ${typeName(p)}`);
    parts.push(view(p, -1));
  }
  return cat(parts);
}

/**
 * Makes each parameter a view of the next `numel(p)` elements of `vec`, as
 * `torch.nn.utils.vector_to_parameters` (which assigns `param.data`): the parameters then share `vec`'s
 * storage and keep their identity, shape and `requiresGrad`.
 *
 * @example
 * nn.utils.vectorToParameters(v.mul(0.5), model.parameters());
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`vectorToParameters: expected torch.Tensor, but got: ${typeName(vec)}`);
  if (vec.dim() !== 1) throw new Error(`vectorToParameters: expected a 1-D vector, got shape [${vec.shape.join(", ")}]`);
  const params = Array.from(parameters);
  const need = params.reduce((n, p) => n + p.numel(), 0);
  if (need > vec.numel()) {
    throw new Error(`vectorToParameters: the parameters have ${need} elements but vec has only ${vec.numel()}`);
  }
  const s = vec.strides[0];
  let pointer = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new TypeError(`vectorToParameters: expected torch.Tensor, but got: ${typeName(p)}`);
    const strides = contiguousStrides(p.shape).map((x) => x * s);
    p.data = vec.detach()._viewAs(p.shape, strides, vec.offset + pointer * s);
    pointer += p.numel();
  }
}
