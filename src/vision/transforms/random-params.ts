/**
 * The random draws torchvision's transforms make, one helper per call site, with the same tensor ops on the
 * same stream: after `torch.manualSeed(s)` a transform here picks what torchvision picks after
 * `torch.manual_seed(s)`. Each takes an optional generator (torchvision always uses the global one).
 */
import { Tensor } from "../../tensor.js";
import { Generator } from "../../random/generator.js";
import { rand, randint, randperm, uniform_ } from "../../ops/random.js";

/** Options of every random transform. */
export interface RandomOptions {
  /** Draw from this generator instead of the global one (`torch.manualSeed`). */
  generator?: Generator;
}

function gen(op: string, g: Generator | undefined): { generator?: Generator } {
  if (g !== undefined && !(g instanceof Generator)) throw new TypeError(`${op}: generator must be a torch.Generator, got ${typeof g}`);
  return g ? { generator: g } : {};
}

/** `torch.rand(1).item()`: a float32 uniform in [0, 1). */
export function randUnit(op: string, g?: Generator): number {
  return rand(1, gen(op, g)).item();
}

/** `torch.randint(low, high, size=(1,)).item()`. */
export function randInt(op: string, low: number, high: number, g?: Generator): number {
  return randint(low, high, [1], gen(op, g)).item();
}

/** `torch.empty(1).uniform_(from, to).item()`: a float32 uniform in [from, to). */
export function uniformFloat(op: string, from: number, to: number, g?: Generator): number {
  return uniform_(Tensor.empty([1], "float32"), from, to, gen(op, g)).item();
}

/** `torch.randperm(n).tolist()`. */
export function randPerm(op: string, n: number, g?: Generator): number[] {
  return Array.from(randperm(n, gen(op, g)).toTypedArray());
}
