/**
 * LeNet-5 as in the benchmark's W6 and d2l.ai: sigmoid activations and average pooling, as LeCun et al. (1998)
 * drew it, with the first convolution padded so 28×28 inputs keep the paper's 32×32 geometry.
 */
import { convOutputSize, poolOutputSize } from "../layout.js";
import { AvgPool2d, Conv2d, Flatten, Linear, Sequential, Sigmoid } from "../nn/modules/index.js";

/** Input geometry and class count of a built-in model. */
export interface ImageModelOptions {
  /** Channels of the input images (1 for Fashion-MNIST, 3 for CIFAR-10); default 1 for LeNet, 3 for the CNN. */
  inChannels?: number;
  /** Height = width of the input images; default 28 for LeNet, 32 for the CNN. */
  imageSize?: number;
  /** Number of output logits; default 10. */
  numClasses?: number;
}

/** Checks the geometry options of `model` and fills in its defaults. */
export function resolveImageOptions(model: string, opts: ImageModelOptions, defaults: Required<ImageModelOptions>): Required<ImageModelOptions> {
  const out = { ...defaults, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<ImageModelOptions>;
  for (const key of ["inChannels", "imageSize", "numClasses"] as const) {
    const v = out[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${model}: ${key} must be a positive integer, got ${v}`);
  }
  return out;
}

/**
 * LeNet-5, an `nn.Sequential` (state-dict keys `0.weight`, `3.weight`, `7.weight`, …, as the same
 * `nn.Sequential` in PyTorch):
 *
 *     Conv2d(C, 6, 5, padding=2) Sigmoid AvgPool2d(2) Conv2d(6, 16, 5) Sigmoid AvgPool2d(2) Flatten
 *     Linear(16·s·s, 120) Sigmoid Linear(120, 84) Sigmoid Linear(84, numClasses)
 *
 * where `s` is the spatial size after the second pooling (5 for 28×28 inputs, 6 for 32×32).
 *
 * Shape: `(N, C, H, H)` → `(N, numClasses)`. Parameters for 1×28×28 inputs: 61,706.
 *
 * @example
 * const model = new LeNet(); // Fashion-MNIST geometry: [N, 1, 28, 28] → [N, 10]
 * const cifar = new LeNet({ inChannels: 3, imageSize: 32 });
 */
export class LeNet extends Sequential {
  readonly options: Required<ImageModelOptions>;

  constructor(opts: ImageModelOptions = {}) {
    const o = resolveImageOptions("LeNet", opts, { inChannels: 1, imageSize: 28, numClasses: 10 });
    const s1 = poolOutputSize(convOutputSize(o.imageSize, 5, 1, 2), 2, 2);
    const s2 = poolOutputSize(convOutputSize(s1, 5), 2, 2);
    if (s2 < 1) throw new RangeError(`LeNet: images of ${o.imageSize}×${o.imageSize} are too small (at least 12×12)`);
    super(
      new Conv2d(o.inChannels, 6, 5, { padding: 2 }),
      new Sigmoid(),
      new AvgPool2d(2),
      new Conv2d(6, 16, 5),
      new Sigmoid(),
      new AvgPool2d(2),
      new Flatten(),
      new Linear(16 * s2 * s2, 120),
      new Sigmoid(),
      new Linear(120, 84),
      new Sigmoid(),
      new Linear(84, o.numClasses),
    );
    this.options = o;
  }
}
