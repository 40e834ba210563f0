import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import { legacySoftmaxDim, logSoftmax, softmax, softmin } from "../functional/softmax.js";

abstract class DimActivation extends Module {
  dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}

/**
 * `exp(xᵢ)/Σⱼ exp(xⱼ)` along `dim`, as `torch.nn.Softmax(dim=None)` (null uses PyTorch's legacy choice,
 * with a warning).
 *
 * Shape: input `(*)`, output the same, summing to 1 along `dim`.
 *
 * @example
 * new nn.Softmax(1)(torch.randn([2, 5])).sum(1) // ≈ tensor([1., 1.])
 */
export class Softmax extends DimActivation {
  override forward(input: Tensor): Tensor {
    return softmax(input, this.dim ?? legacySoftmaxDim("softmax", input.dim()));
  }
}

/** `log softmax(x)` along `dim`, stable for large logits, as `torch.nn.LogSoftmax(dim=None)`. */
export class LogSoftmax extends DimActivation {
  override forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim ?? legacySoftmaxDim("log_softmax", input.dim()));
  }
}

/** `softmax(−x)` along `dim`, as `torch.nn.Softmin(dim=None)`. */
export class Softmin extends DimActivation {
  override forward(input: Tensor): Tensor {
    return softmin(input, this.dim ?? legacySoftmaxDim("softmin", input.dim()));
  }
}

/**
 * Softmax over the channels at every spatial location, as `torch.nn.Softmax2d()`.
 *
 * Shape: `(N, C, H, W)` or `(C, H, W)`, output the same.
 */
export class Softmax2d extends Module {
  override forward(input: Tensor): Tensor {
    if (input.dim() !== 3 && input.dim() !== 4) {
      throw new Error(`Softmax2d: expected input to be 3D or 4D, got ${input.dim()}D instead`);
    }
    return softmax(input, -3);
  }
}
