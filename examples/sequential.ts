/**
 * The Sequential model, from seed 002 (卷积层、池化层、全连接层) line by line, on real Fashion-MNIST images:
 *  - its `nn.Sequential(nn.Conv2d(1,20,5), nn.ReLU(), nn.Conv2d(20,64,5), nn.ReLU())`;
 *  - the LeNet its layers describe (Conv2d, Sigmoid, AvgPool2d, Flatten, Linear in one nn.Sequential),
 *    printing each layer's output shape;
 *  - the tutorial series' CIFAR-10 model written with nn.Sequential (the benchmark's W5), on
 *    `torch.ones((64, 3, 32, 32))`.
 *
 * Run: npx vite-node examples/sequential.ts
 */
import { fileURLToPath } from "node:url";
import * as torch from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { nn } from "torch-ts";

const { DataLoader } = torch.utils.data;
torch.manualSeed(1);

const root = fileURLToPath(new URL("../data/fashion-mnist-sample", import.meta.url));
const test_data = new torchvision.datasets.FashionMNIST(root, { train: false, transform: new torchvision.transforms.ToTensor() });
const [imgs, targets] = new DataLoader(test_data, { batchSize: 64 })[Symbol.iterator]().next().value!;
console.log("images:", imgs.shape, "targets:", targets.shape);

const model = new nn.Sequential(new nn.Conv2d(1, 20, 5), new nn.ReLU(), new nn.Conv2d(20, 64, 5), new nn.ReLU());
console.log(model);
console.log("output:", model(imgs).shape);

// The LeNet of the seed's layers.
const net = new nn.Sequential(
  new nn.Conv2d(1, 6, 5, { padding: 2 }),
  new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }),
  new nn.Conv2d(6, 16, 5),
  new nn.Sigmoid(),
  new nn.AvgPool2d(2, { stride: 2 }),
  new nn.Flatten(),
  new nn.Linear(16 * 5 * 5, 120),
  new nn.Sigmoid(),
  new nn.Linear(120, 84),
  new nn.Sigmoid(),
  new nn.Linear(84, 10),
);
let X = torch.rand([1, 1, 28, 28], { dtype: torch.float32 });
for (const layer of net) {
  X = layer(X);
  console.log(layer.constructor.name, "output shape: \t", X.shape);
}
console.log("logits of the first image:", net(imgs.narrow(0, 0, 1)));

// nn.Flatten keeps the batch dimension; torch.flatten does not.
console.log("Flatten:", new nn.Flatten()(torch.ones([64, 3, 32, 32])).shape, "torch.flatten:", torch.flatten(torch.ones([64, 3, 32, 32])).shape);

class Tudui extends nn.Module {
  model1 = new nn.Sequential(
    new nn.Conv2d(3, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1024, 64),
    new nn.Linear(64, 10),
  );

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.model1(x);
    return x;
  }
}

const tudui = new Tudui();
console.log(tudui);
const input = torch.ones([64, 3, 32, 32]);
const output = tudui(input);
console.log(output.shape);
