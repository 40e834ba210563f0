/**
 * End to end: train LeNet-5 on Fashion-MNIST for one epoch, save the weights as safetensors, load them into
 * a fresh model and predict with it: the reloaded model must give the same answers.
 *
 * Run: npx vite-node examples/train-save-predict.ts [data-dir]
 * (default data: the 6,000/1,000-image sample in data/fashion-mnist-sample; about 15 s on 2 cores)
 */
import { fileURLToPath } from "node:url";
import * as torch from "torch-ts";
import { nn, optim } from "torch-ts";
import * as torchvision from "torch-ts/vision";
import { load, save } from "torch-ts/node";

const { transforms, datasets } = torchvision;
const { DataLoader } = torch.utils.data;

const root = process.argv[2] ?? fileURLToPath(new URL("../data/fashion-mnist-sample", import.meta.url));
const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.286], [0.353])]);
const trainSet = new datasets.FashionMNIST(root, { train: true, transform });
const testSet = new datasets.FashionMNIST(root, { train: false, transform });

function lenet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.Sigmoid(),
    new nn.AvgPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.Sigmoid(),
    new nn.Linear(120, 84),
    new nn.Sigmoid(),
    new nn.Linear(84, 10),
  );
}

torch.manualSeed(0);
const model = lenet();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.003 });
const lossFn = new nn.CrossEntropyLoss();
const generator = new torch.Generator().manualSeed(1);
const trainLoader = new DataLoader(trainSet, { batchSize: 16, shuffle: true, generator });

model.train();
let step = 0;
for (const [x, y] of trainLoader) {
  const loss = lossFn(model(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  step++;
  if (step % 75 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}

function predict(m: nn.Module, images: torch.Tensor): torch.Tensor {
  m.eval();
  return torch.noGrad(() => m(images).argmax(1));
}

const testLoader = new DataLoader(testSet, { batchSize: 1000 });
const [testImages, testLabels] = testLoader[Symbol.iterator]().next().value!;
const predicted = predict(model, testImages);
const accuracy = predicted.eq(testLabels).float().mean().item();
console.log(`test accuracy: ${(accuracy * 100).toFixed(1)}% on ${testLabels.shape[0]} images`);

save(model.stateDict(), "lenet.safetensors");
const reloaded = lenet();
reloaded.loadStateDict(load("lenet.safetensors"));
const again = predict(reloaded, testImages);
const same = Boolean(again.eq(predicted).all().item());
console.log(`saved lenet.safetensors; the reloaded model predicts the same: ${same}`);

const classes = datasets.FashionMNIST.classes;
const [p, t] = [again.toTypedArray(), testLabels.toTypedArray()];
const shown = Array.from({ length: 8 }, (_, i) => `${classes[Number(p[i])]} (true: ${classes[Number(t[i])]})`);
console.log(`first predictions: ${shown.join(", ")}`);
