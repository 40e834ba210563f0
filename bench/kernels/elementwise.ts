/**
 * Time per element of the compiled elementwise kernels (compile-map.ts) on the sizes LeNet (W6) produces,
 * contiguous float32, by process CPU time (median of repeated runs).
 *   bash bench/kernels/run.sh elementwise
 */
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const n = 64 * 6 * 28 * 28;
const x = torch.randn([n]);
const y = torch.randn([n]);
const g = torch.randn([n]);
const cases: Array<[string, () => Tensor]> = [
  ["sigmoid", () => torch.sigmoid(x)],
  ["exp", () => torch.exp(x)],
  ["mul", () => torch.mul(x, y)],
  ["add", () => torch.add(x, y)],
  ["rsub(y, 1)", () => torch.rsub(y, 1)],
  ["sigmoid bwd (3 ops)", () => torch.mul(g, torch.mul(y, torch.rsub(y, 1)))],
  ["sum", () => torch.sum(x)],
  ["x.mul(2) on [64,6,28,28] view", () => x.view([64, 6, 28, 28]).permute([0, 1, 3, 2]).mul(2)],
];
for (const [name, f] of cases) {
  for (let i = 0; i < 5; i++) f();
  const t: number[] = [];
  for (let r = 0; r < 31; r++) {
    const c0 = process.cpuUsage();
    f();
    const d = process.cpuUsage(c0);
    t.push((d.user + d.system) / 1000);
  }
  t.sort((a, b) => a - b);
  const med = t[15];
  console.log(`${name.padEnd(32)} ${med.toFixed(3).padStart(8)} ms  ${((med * 1e6) / n).toFixed(2).padStart(6)} ns/element`);
}
