/**
 * The activation layers of seed 001 §4 (激活函数层), line by line: nn.Sigmoid, nn.Tanh, nn.ReLU and the
 * ReLU variants the seed lists with their arguments — nn.LeakyReLU(negative_slope), nn.PReLU(init, a
 * learnable slope) and nn.RReLU(lower, upper) (random slopes in training, their mean in eval). Each layer
 * runs on the same inputs; the outputs and the gradients (the seed's 梯度公式) are printed.
 *
 * Run: npx vite-node examples/activation-layers.ts
 */
import * as torch from "torch-ts";
import { nn } from "torch-ts";

torch.manualSeed(1); // the tutorial series' set_seed(1): RReLU's random slopes are PyTorch's

const layers: Array<[string, nn.Module]> = [
  ["nn.Sigmoid", new nn.Sigmoid()], // y = 1 / (1 + e^-x),  y' = y(1 - y)
  ["nn.Tanh", new nn.Tanh()], // y = (e^x - e^-x) / (e^x + e^-x),  y' = 1 - y^2
  ["nn.ReLU", new nn.ReLU()], // y = max(0, x),  y' = 1 for x > 0, 0 for x < 0
  ["nn.LeakyReLU", new nn.LeakyReLU(0.1)], // negative_slope: the slope for x < 0 (default 0.01)
  ["nn.PReLU", new nn.PReLU(1, 0.25)], // init: the learnable slope's starting value
  ["nn.RReLU", new nn.RReLU(0.1, 0.3)], // lower, upper: the slope for x < 0 ~ U(lower, upper)
];

for (const [name, layer] of layers) {
  const x = torch.linspace(-3, 3, 7, { requiresGrad: true });
  const y = layer(x);
  y.sum().backward();
  console.log(`${name}: ${layer}`);
  console.log(`  output: ${y}`);
  console.log(`  grad:   ${x.grad}`);
}

const prelu = layers[4][1] as nn.PReLU;
console.log(`PReLU weight and its gradient: ${prelu.weight.data} ${prelu.weight.grad}`);
const rrelu = layers[5][1];
rrelu.eval(); // in eval the slope is (lower + upper) / 2
console.log(`RReLU in eval: ${rrelu(torch.linspace(-3, 3, 7))}`);
