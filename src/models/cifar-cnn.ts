/**
 * The CIFAR-10 model of the tutorial series the seeds come from (the benchmark's W5), adapted to the input's
 * channels and size so the same network also trains on Fashion-MNIST.
 */
import { convOutputSize, poolOutputSize } from "../layout.js";
import { Conv2d, Flatten, Linear, MaxPool2d, Sequential } from "../nn/modules/index.js";
import { type ImageModelOptions, resolveImageOptions } from "./lenet.js";

/**
 * The tutorial's CIFAR-10 classifier, an `nn.Sequential`:
 *
 *     Conv2d(C, 32, 5, padding=2) MaxPool2d(2) Conv2d(32, 32, 5, padding=2) MaxPool2d(2)
 *     Conv2d(32, 64, 5, padding=2) MaxPool2d(2) Flatten Linear(64·s·s, 64) Linear(64, numClasses)
 *
 * The padded 5×5 convolutions keep the size and each pooling halves it (rounding down), so `s` is 4 for
 * 32×32 inputs (W5's `Linear(1024, 64)`) and 3 for 28×28. As in the tutorial there is no activation
 * between layers: max pooling is the only non-linearity.
 *
 * Shape: `(N, C, H, H)` → `(N, numClasses)`. Parameters: 145,578 for 3×32×32 inputs, 115,306 for 1×28×28.
 *
 * @example
 * const w5 = new CifarCNN(); // [N, 3, 32, 32] → [N, 10]
 * const fashion = new CifarCNN({ inChannels: 1, imageSize: 28 });
 */
export class CifarCNN extends Sequential {
  readonly options: Required<ImageModelOptions>;

  constructor(opts: ImageModelOptions = {}) {
    const o = resolveImageOptions("CifarCNN", opts, { inChannels: 3, imageSize: 32, numClasses: 10 });
    let s = o.imageSize;
    for (let i = 0; i < 3; i++) s = poolOutputSize(convOutputSize(s, 5, 1, 2), 2, 2);
    if (s < 1) throw new RangeError(`CifarCNN: images of ${o.imageSize}×${o.imageSize} are too small (at least 8×8)`);
    super(
      new Conv2d(o.inChannels, 32, 5, { padding: 2 }),
      new MaxPool2d(2),
      new Conv2d(32, 32, 5, { padding: 2 }),
      new MaxPool2d(2),
      new Conv2d(32, 64, 5, { padding: 2 }),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(64 * s * s, 64),
      new Linear(64, o.numClasses),
    );
    this.options = o;
  }
}
