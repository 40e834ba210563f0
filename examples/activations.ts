/**
 * Seeds 003 and 004 §1 (非线性激活 / 激活函数), line by line: a module holding ReLU and Sigmoid, whose forward
 * applies Sigmoid, run over the CIFAR-10 test set with every input and output batch logged to TensorBoard.
 *
 * Run: npx vite-node examples/activations.ts   (then: npx torch-ts board --logdir logs)
 */
import * as torch from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { nn } from "torch-ts";
import { SummaryWriter } from "torch-ts/tensorboard";
import { cifar10Root } from "./cifar10-data.js";

const { ReLU, Sigmoid } = nn;
const { DataLoader } = torch.utils.data;

// dataset = torchvision.datasets.CIFAR10("./dataset", train=False, transform=torchvision.transforms.ToTensor(), download=True)
const dataset = new torchvision.datasets.CIFAR10(cifar10Root(), { train: false, transform: new torchvision.transforms.ToTensor() });
const dataloader = new DataLoader(dataset, { batchSize: 64 });

class Tudui extends nn.Module {
  relu1 = new ReLU();
  sigmoid1 = new Sigmoid();

  override forward(input: torch.Tensor): torch.Tensor {
    const output = this.sigmoid1(input);
    return output;
  }
}

const tudui = new Tudui();
const writer = new SummaryWriter("logs");
let step = 0;

for (const data of dataloader) {
  const [imgs, _targets] = data;
  writer.addImages("input", imgs, step);
  const output = tudui(imgs);
  writer.addImages("output", output, step);
  step = step + 1;
}

writer.close();
console.log(`logged ${step} steps of input and output images to ${writer.getLogdir()}`);
