/**
 * Pooling, from two seeds, line by line:
 *  - seed 001 §2.2.2 / §2.3.2: `nn.MaxPool2d((2, 2), stride=(2, 2))` and `nn.AvgPool2d((2, 2), stride=(2, 2))`
 *    on one image, and `AvgPool2d` with `divisor_override=3` on a 4×4 tensor of ones;
 *  - seed 004 §4 (池化): `MaxPool2d(kernel_size=3, ceil_mode=False)` over the CIFAR-10 test set, input and
 *    output batches logged to TensorBoard.
 *
 * Run: npx vite-node examples/pooling.ts   (then: npx torch-ts board --logdir dataloader)
 */
import * as torch from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { nn } from "torch-ts";
import { SummaryWriter } from "torch-ts/tensorboard";
import { cifar10Root } from "./cifar10-data.js";

const { MaxPool2d } = nn;
const { DataLoader } = torch.utils.data;

const test_data = new torchvision.datasets.CIFAR10(cifar10Root(), { train: false, transform: new torchvision.transforms.ToTensor() });

// Seed 001: one image.
let img_tensor = test_data.getItem(0)[0].unsqueeze(0);
const maxpool_layer = new nn.MaxPool2d([2, 2], { stride: [2, 2] }); // input:(i, o, size) weights:(o, i , h, w)
let img_pool = maxpool_layer(img_tensor);
console.log("池化前尺寸:", img_tensor.shape, "\n池化后尺寸:", img_pool.shape);
const avgpoollayer = new nn.AvgPool2d([2, 2], { stride: [2, 2] }); // input:(i, o, size) weights:(o, i , h, w)
img_pool = avgpoollayer(img_tensor);
console.log("池化前尺寸:", img_tensor.shape, "\n池化后尺寸:", img_pool.shape);

// AvgPool2d divisor_override: each 2×2 window of ones sums to 4, divided by 3.
img_tensor = torch.ones([1, 1, 4, 4]);
const avgpool_layer = new nn.AvgPool2d([2, 2], { stride: [2, 2], divisorOverride: 3 });
img_pool = avgpool_layer(img_tensor);
console.log("raw_img:\n", img_tensor, "\npooling_img:\n", img_pool);

// Seed 004 §4.
const test_loader = new DataLoader(test_data, { batchSize: 64 });

class customize_model extends nn.Module {
  maxpool1 = new MaxPool2d(3, { ceilMode: false });

  override forward(input: torch.Tensor): torch.Tensor {
    const output = this.maxpool1(input);
    return output;
  }
}

const model = new customize_model();
const writer = new SummaryWriter("dataloader");
let step = 0;
for (const data of test_loader) {
  const [imgs, _targets] = data;
  writer.addImages("input", imgs, step);
  const output = model(imgs);
  writer.addImages("output", output, step);
  step = step + 1;
}
writer.close();
console.log(`logged ${step} steps of input and output images to ${writer.getLogdir()}`);
