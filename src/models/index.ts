/**
 * The built-in models the CLI trains, summarizes and reloads, by name. A checkpoint records the name and the
 * input geometry in its metadata so it can be rebuilt without the code that trained it.
 */
import type { Module } from "../nn/module.js";
import { CifarCNN } from "./cifar-cnn.js";
import { type ImageModelOptions, LeNet } from "./lenet.js";

export { LeNet, resolveImageOptions } from "./lenet.js";
export type { ImageModelOptions } from "./lenet.js";
export { CifarCNN } from "./cifar-cnn.js";

/** A built-in model: what `--model <name>` builds. */
export interface ModelEntry {
  name: string;
  /** One line for `--help` and error messages. */
  description: string;
  create(opts: ImageModelOptions): Module;
}

/** Every built-in model by its CLI name. */
export const MODELS: Readonly<Record<string, ModelEntry>> = {
  lenet: {
    name: "lenet",
    description: "LeNet-5 (sigmoid, average pooling; 61,706 parameters on 28×28 gray images)",
    create: (opts) => new LeNet(opts),
  },
  cnn: {
    name: "cnn",
    description: "the tutorial's CIFAR-10 CNN (3 conv + max-pool, 2 linear; 145,578 parameters on 32×32 RGB images)",
    create: (opts) => new CifarCNN(opts),
  },
};

/** The names `createModel` accepts. */
export const MODEL_NAMES: readonly string[] = Object.keys(MODELS);

/**
 * Builds a built-in model by name for the given input geometry.
 *
 * @example
 * createModel("lenet", { inChannels: 1, imageSize: 28 }); // LeNet for Fashion-MNIST
 */
export function createModel(name: string, opts: ImageModelOptions = {}): Module {
  const entry = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!entry) throw new Error(`createModel: unknown model '${name}'; valid choices: ${MODEL_NAMES.join(", ")}`);
  return entry.create(opts);
}
