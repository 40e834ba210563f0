/**
 * Pooling kernels on the shapes of W2, W3, W5 and W6 (float32), forward and forward+backward through the
 * public ops, by process CPU time (median of repeated runs).
 *   bash bench/kernels/run.sh pool
 */
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const F = torch.nn.functional;
const cases: Array<[string, number[], (x: Tensor) => Tensor]> = [
  ["W5 maxPool2d(2)", [64, 32, 32, 32], (x) => F.maxPool2d(x, 2)],
  ["W2 maxPool2d(3)", [64, 3, 32, 32], (x) => F.maxPool2d(x, 3)],
  ["W3 avgPool2d(2, 2)", [64, 3, 32, 32], (x) => F.avgPool2d(x, 2, { stride: 2 })],
  ["W6 avgPool2d(2)", [64, 6, 28, 28], (x) => F.avgPool2d(x, 2)],
];
function time(f: () => void): number {
  for (let i = 0; i < 5; i++) f();
  const t: number[] = [];
  for (let r = 0; r < 31; r++) {
    const c0 = process.cpuUsage();
    f();
    const d = process.cpuUsage(c0);
    t.push((d.user + d.system) / 1000);
  }
  return t.sort((a, b) => a - b)[15];
}
for (const [name, shape, op] of cases) {
  const x = torch.randn(shape, { requiresGrad: true });
  const fwd = time(() => torch.noGrad(() => op(x)));
  const bwd = time(() => {
    x.grad = null;
    op(x).sum().backward();
  });
  console.log(`${name.padEnd(22)} fwd ${fwd.toFixed(3).padStart(7)} ms   fwd+bwd ${bwd.toFixed(3).padStart(7)} ms`);
}
