/**
 * Convolution, from two seeds, line by line:
 *  - seed 001 §1.2.2 / §1.3.2: `nn.Conv2d(3, 1, 3)` and `nn.ConvTranspose2d(3, 1, 3, stride=2)` with
 *    Xavier-normal weights on one image, printing the sizes the seed's formulas give;
 *  - seed 004 §3 (卷积): `nn.Conv2d(3, 6, 3, 1, 0)` over the CIFAR-10 test set, the 6-channel outputs
 *    reshaped to 3-channel images with `torch.reshape(output, (-1, 3, 30, 30))` and logged to TensorBoard.
 *
 * Run: npx vite-node examples/conv.ts   (then: npx torch-ts board --logdir logs)
 */
import * as torch from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { nn } from "torch-ts";
import { SummaryWriter } from "torch-ts/tensorboard";
import { cifar10Root } from "./cifar10-data.js";

const { DataLoader } = torch.utils.data;
torch.manualSeed(1); // the tutorial series' set_seed(1)

const dataset = new torchvision.datasets.CIFAR10(cifar10Root(), { train: false, transform: new torchvision.transforms.ToTensor() });

// Seed 001: one image, [1, 3, 32, 32].
const img_tensor = dataset.getItem(0)[0].unsqueeze(0);
let conv_layer: nn.ConvNd = new nn.Conv2d(3, 1, 3); // input:(i, o, size) weights:(o, i , h, w)
nn.init.xavierNormal_(conv_layer.weight.data);
let img_conv = conv_layer(img_tensor);
console.log("卷积前尺寸:", img_tensor.shape, "\n卷积后尺寸:", img_conv.shape);
console.log("mean of the convolution:", img_conv.mean().item().toFixed(4));

conv_layer = new nn.ConvTranspose2d(3, 1, 3, { stride: 2 }); // input:(i, o, size)
nn.init.xavierNormal_(conv_layer.weight.data);
img_conv = conv_layer(img_tensor);
console.log("转置卷积前尺寸:", img_tensor.shape, "\n转置卷积后尺寸:", img_conv.shape);
console.log("mean of the transposed convolution:", img_conv.mean().item().toFixed(4));

// Seed 004 §3.
const dataloader = new DataLoader(dataset, { batchSize: 64 });

class customize_model extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 3, { stride: 1, padding: 0 });

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.conv1(x);
    return x;
  }
}

const model = new customize_model();
const writer = new SummaryWriter("./logs");
let step = 0;
for (const data of dataloader) {
  const [imgs, _targets] = data;
  let output = model(imgs);
  writer.addImages("input", imgs, step);
  output = torch.reshape(output, [-1, 3, 30, 30]);
  writer.addImages("output", output, step);
  step = step + 1;
}
writer.close();
console.log(`logged ${step} steps of input and output images to ${writer.getLogdir()}`);
