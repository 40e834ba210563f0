/**
 * The linear layer, from two seeds, line by line:
 *  - seed 001 §3.2.2: `nn.Linear(3, 4)` with hand-set weights and bias, y = xWᵀ + b;
 *  - seed 004 §2 (线性层): CIFAR-10 batches flattened two ways into `nn.Linear(6144*32, 10)`.
 *
 * Run: npx vite-node examples/linear.ts
 */
import * as torch from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { nn } from "torch-ts";
import { SummaryWriter } from "torch-ts/tensorboard";
import { cifar10Root } from "./cifar10-data.js";

const { DataLoader } = torch.utils.data;

// Seed 001. Python's `1.` is a float; in TypeScript every number is, so the dtype is said explicitly
// (torch.tensor([[1, 2, 3]]) alone would be int64, as torch.tensor([[1, 2, 3]]) is in PyTorch).
const inputs = torch.tensor([[1, 2, 3]], { dtype: "float32" });
const linear_layer = new nn.Linear(3, 4);
linear_layer.weight.data = torch.tensor(
  [
    [1, 1, 1],
    [2, 2, 2],
    [3, 3, 3],
    [4, 4, 4],
  ],
  { dtype: "float32" },
);
linear_layer.bias!.data.fill_(0.5);
const output = linear_layer(inputs);
console.log(inputs, inputs.shape);
console.log(linear_layer.weight.data, linear_layer.weight.data.shape);
console.log(output, output.shape);

// Seed 004 §2.
const dataset = new torchvision.datasets.CIFAR10(cifar10Root(), { train: false, transform: new torchvision.transforms.ToTensor() });
// The seed's loop breaks on the last, smaller batch (its 16·3·32·32 values do not fit Linear(196608, 10),
// in PyTorch as here); the tutorial it comes from drops that batch.
const dataloader = new DataLoader(dataset, { batchSize: 64, dropLast: true });

class customize_model extends nn.Module {
  Linear1 = new nn.Linear(6144 * 32, 10);

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.Linear1(x);
    return x;
  }
}

const model = new customize_model();
const writer = new SummaryWriter("./logs");
let step = 0;
for (const data of dataloader) {
  const [imgs, _targets] = data;
  console.log("原图shape:", imgs.shape);
  writer.addImages("input", imgs, step);
  // 法1°
  let output1 = torch.reshape(imgs, [1, 1, 1, -1]);
  // 法2°
  let output2 = torch.flatten(imgs);
  output1 = model(output1);
  output2 = model(output2);
  console.log("(法1°)线性层shape:", output1.shape);
  console.log("(法2°)线性层shape:", output2.shape);
  console.log("*".repeat(50));
  step = step + 1;
}
writer.close();
