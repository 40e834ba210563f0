/**
 * Dropout modules (`torch/nn/modules/dropout.py`): active in training mode, the identity after `eval()`.
 */
import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/dropout.js";
import { pyBool, pyNumber } from "../repr.js";

/** `p` and `inplace` positionally (`new Dropout(0.2)`) or as options. */
export type DropoutModuleArgs = [p?: number | { p?: number; inplace?: boolean }, inplace?: boolean];

/** `_DropoutNd`: holds `p` (checked to lie in [0, 1]) and `inplace`. */
export class DropoutNd extends Module {
  p: number;
  inplace: boolean;
  constructor(...args: DropoutModuleArgs) {
    super();
    const [a, b] = args;
    const o = typeof a === "object" && a !== null ? a : { p: a, inplace: b };
    const p = o.p ?? 0.5;
    if (typeof p !== "number" || p < 0 || p > 1 || Number.isNaN(p)) {
      throw new RangeError(`${new.target.name}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
    }
    this.p = p;
    this.inplace = o.inplace ?? false;
  }
  override extraRepr(): string {
    return `p=${pyNumber(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes each element with probability `p` during training and scales the kept ones by `1/(1 − p)`, as
 * `torch.nn.Dropout(p=0.5, inplace=False)`; masks come from the default generator (PyTorch's after the
 * same `manualSeed`).
 *
 * Shape: any; output like input.
 *
 * @example
 * const drop = new nn.Dropout(0.2);
 * drop(torch.ones([2, 5])); // about a fifth zeros, the rest 1.25
 * drop.eval()(torch.ones([2, 5])); // unchanged
 */
export class Dropout extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }
}

/**
 * Zeroes whole channels, as `torch.nn.Dropout1d(p=0.5, inplace=False)`.
 *
 * Shape: `(N, C, L)` or `(C, L)`; output like input.
 */
export class Dropout1d extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.dropout1d(input, this.p, this.training, this.inplace);
  }
}

/**
 * Zeroes whole channels, as `torch.nn.Dropout2d(p=0.5, inplace=False)`.
 *
 * Shape: `(N, C, H, W)`; output like input.
 */
export class Dropout2d extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.dropout2d(input, this.p, this.training, this.inplace);
  }
}

/**
 * Zeroes whole channels, as `torch.nn.Dropout3d(p=0.5, inplace=False)`.
 *
 * Shape: `(N, C, D, H, W)` or `(C, D, H, W)`; output like input.
 */
export class Dropout3d extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.dropout3d(input, this.p, this.training, this.inplace);
  }
}

/**
 * Alpha dropout (keeps SELU's self-normalization), as `torch.nn.AlphaDropout(p=0.5, inplace=False)`.
 *
 * Shape: any; output like input.
 */
export class AlphaDropout extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.alphaDropout(input, this.p, this.training);
  }
}

/**
 * Channel-wise alpha dropout, as `torch.nn.FeatureAlphaDropout(p=0.5, inplace=False)`.
 *
 * Shape: `(N, C, *)`; output like input.
 */
export class FeatureAlphaDropout extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return F.featureAlphaDropout(input, this.p, this.training);
  }
}
