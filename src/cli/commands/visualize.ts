/**
 * `torch-ts visualize`: the seeds' experiment. A batch of real test images goes through Conv2d, ReLU,
 * Sigmoid, MaxPool2d, AvgPool2d and MaxPool2d → MaxUnpool2d (and the first convolution of a trained
 * checkpoint), and every input and output is written as an image grid to TensorBoard (`add_images`, as the
 * seeds do) and to PNG files.
 */
import "../../index.js";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { noGrad } from "../../autograd/grad-mode.js";
import { DataLoader } from "../../data/dataloader.js";
import { convOutputSize, poolOutputSize } from "../../layout.js";
import type { Module } from "../../nn/module.js";
import { AvgPool2d, Conv2d, MaxPool2d, MaxUnpool2d, ReLU, Sigmoid } from "../../nn/modules/index.js";
import { manualSeed } from "../../random/generator.js";
import { reshape } from "../../ops/view.js";
import { SummaryWriter, defaultLogDir } from "../../tensorboard/writer.js";
import type { Tensor } from "../../tensor.js";
import { ToTensor } from "../../vision/transforms/to-tensor.js";
import { Compose } from "../../vision/transforms/compose.js";
import { Normalize } from "../../vision/transforms/normalize.js";
import { saveImage } from "../../vision/utils.js";
import { MODEL_NAMES } from "../../models/index.js";
import { CliError, type CommandContext, defineCommand, UsageError } from "../command.js";
import { modelFromCheckpoint, readCheckpoint } from "../checkpoint.js";
import { datasetSpec, DATASET_NAMES, defaultDataRoot, openSplit, sampleRoot } from "../data.js";
import { displayPath } from "./train.js";

export interface VisualizeOptions {
  dataset: string;
  data?: string;
  preferSample?: boolean;
  batchSize: number;
  /** Batches to run (each is one TensorBoard step, as the seeds' loop). */
  batches: number;
  seed: number;
  logdir?: string;
  /** Directory of the PNG files (default `<logdir>/images`). */
  out?: string;
  /** A `train` checkpoint whose first convolution is shown too. */
  checkpoint?: string;
  /** The built-in model the checkpoint holds, for state dicts saved without torch-ts metadata (by PyTorch, say). */
  model?: string;
}

/** One experiment: a tag, the layer as PyTorch prints it, and what it does to a batch. */
interface Experiment {
  tag: string;
  layer: string;
  /** How the output size follows from the input size (the seeds' formulas), for H×W inputs. */
  formula: (h: number) => string;
  run(x: Tensor): Tensor;
}

/** Feature maps as images: seed 004's `torch.reshape(output, (-1, 3, H, W))`; one channel per image when C is not a multiple of 3. */
export function featureMapsAsImages(y: Tensor): Tensor {
  const [, c, h, w] = y.shape;
  return reshape(y, [-1, c % 3 === 0 ? 3 : 1, h, w]);
}

const convFormula = (k: number, s = 1, p = 0, d = 1) => (h: number): string =>
  `H_out = ⌊(${h} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s} + 1⌋ = ${convOutputSize(h, k, s, p, d)}`;
const poolFormula = (k: number, s: number) => (h: number): string => `H_out = ⌊(${h} − ${k}) / ${s} + 1⌋ = ${poolOutputSize(h, k, s)}`;

/** The seeds' layers, built for `channels`-channel images (weights drawn from the current seed). */
export function seedExperiments(channels: number): Experiment[] {
  const conv = new Conv2d(channels, 6, 3, { stride: 1, padding: 0 });
  const relu = new ReLU();
  const sigmoid = new Sigmoid();
  const maxpool = new MaxPool2d(3, { ceilMode: false });
  const avgpool = new AvgPool2d([2, 2], { stride: [2, 2] });
  const pool2 = new MaxPool2d([2, 2], { stride: [2, 2], returnIndices: true });
  const unpool = new MaxUnpool2d([2, 2], { stride: [2, 2] });
  return [
    { tag: "conv", layer: String(conv), formula: convFormula(3), run: (x) => featureMapsAsImages(conv(x)) },
    { tag: "conv_relu", layer: `${relu} ∘ ${conv}`, formula: convFormula(3), run: (x) => featureMapsAsImages(relu(conv(x))) },
    { tag: "sigmoid", layer: String(sigmoid), formula: (h) => `H_out = H_in = ${h}`, run: (x) => sigmoid(x) },
    { tag: "maxpool", layer: String(maxpool), formula: poolFormula(3, 3), run: (x) => maxpool(x) },
    { tag: "avgpool", layer: String(avgpool), formula: poolFormula(2, 2), run: (x) => avgpool(x) },
    {
      tag: "maxunpool",
      layer: `${unpool} ∘ ${pool2}`,
      formula: (h) => `H_out = (${poolOutputSize(h, 2, 2)} − 1)·2 + 2 = ${(poolOutputSize(h, 2, 2) - 1) * 2 + 2}`,
      run: (x) => {
        const [y, indices] = pool2.call(x);
        return unpool.call(y, indices);
      },
    },
  ];
}

/** The first `Conv2d` of a model and the name it has in the model. */
function firstConv(model: Module): [string, Conv2d] | null {
  for (const [name, m] of model.namedModules()) if (m instanceof Conv2d) return [name, m];
  return null;
}

export interface VisualizeResult {
  logdir: string;
  imageDir: string;
  /** Every PNG written. */
  files: string[];
  /** Tag → output shape of the last batch. */
  shapes: Record<string, number[]>;
}

/** Runs the experiment; see the command's description. */
export async function runVisualize(o: VisualizeOptions, ctx: CommandContext): Promise<VisualizeResult> {
  const out = (s: string): void => void ctx.stdout.write(`${s}\n`);
  const spec = datasetSpec(o.dataset);
  const root = resolve(o.data ?? defaultDataRoot(spec, o.preferSample));
  // As the seeds: the test split, `ToTensor()` only (pixels in [0, 1]), batches of 64 in order.
  const test = openSplit(spec, root, false, new Compose([new ToTensor()]), o.batchSize * o.batches);
  manualSeed(o.seed);
  const experiments = seedExperiments(spec.inChannels);
  if (o.checkpoint !== undefined) {
    const ckpt = readCheckpoint(o.checkpoint);
    const model = modelFromCheckpoint(o.checkpoint, ckpt, { model: o.model, dataset: spec.name, inChannels: spec.inChannels, imageSize: spec.imageSize });
    const found = firstConv(model);
    if (!found) throw new CliError(`--checkpoint: the model in '${o.checkpoint}' has no Conv2d layer`);
    const [name, conv] = found;
    const [k] = conv.kernelSize;
    const p = Array.isArray(conv.padding) ? conv.padding[0] : 0;
    // The model saw normalized images in training; its filters are shown on the same inputs.
    const normalize = new Normalize(ckpt.info?.mean ?? spec.mean, ckpt.info?.std ?? spec.std);
    experiments.push({
      tag: "trained_conv",
      layer: `${conv} (layer ${name} of ${displayPath(resolve(o.checkpoint))}, on normalized images)`,
      formula: convFormula(k, conv.stride[0], p),
      run: (x) => featureMapsAsImages(conv(normalize(x))),
    });
  }
  const logdir = resolve(o.logdir ?? defaultLogDir("_visualize"));
  const imageDir = resolve(o.out ?? join(logdir, "images"));
  let writer: SummaryWriter;
  try {
    mkdirSync(imageDir, { recursive: true });
  } catch (e) {
    throw new CliError(`--out: cannot write images to '${imageDir}': ${(e as Error).message}`);
  }
  try {
    writer = new SummaryWriter(logdir);
  } catch (e) {
    throw new CliError(`--logdir: cannot write TensorBoard logs to '${logdir}': ${(e as Error).message}`);
  }
  const source = root === resolve(sampleRoot()) ? "the shipped sample" : displayPath(root);
  out(`visualizing ${spec.name} test images from ${source} (batches of ${o.batchSize}, ${spec.inChannels}×${spec.imageSize}×${spec.imageSize}):`);
  const files: string[] = [];
  const shapes: Record<string, number[]> = {};
  const write = (tag: string, images: Tensor, step: number): void => {
    writer.addImages(tag, images, step);
    const file = join(imageDir, `${tag}_${step}.png`);
    saveImage(images, file);
    files.push(file);
  };
  try {
    let step = 0;
    for (const [imgs] of new DataLoader(test.dataset, { batchSize: o.batchSize }) as Iterable<[Tensor, Tensor]>) {
      write("input", imgs, step);
      shapes.input = imgs.shape;
      for (const e of experiments) {
        const y = noGrad(() => e.run(imgs));
        write(e.tag, y, step);
        shapes[e.tag] = y.shape;
        if (step === 0) out(`  ${e.tag.padEnd(12)} ${e.layer}\n  ${"".padEnd(12)} [${imgs.shape.join(", ")}] → [${y.shape.join(", ")}]   ${e.formula(imgs.shape[2])}`);
      }
      step++;
      await new Promise((r) => setImmediate(r));
      if (ctx.signal.aborted) break;
    }
  } finally {
    writer.close();
  }
  out(`images: ${displayPath(imageDir)} (${files.length} PNG files)`);
  out(`TensorBoard: ${displayPath(logdir)}`);
  return { logdir, imageDir, files, shapes };
}

export const visualize = defineCommand({
  name: "visualize",
  summary: "pass real images through Conv2d, ReLU, Sigmoid, MaxPool2d, AvgPool2d, MaxUnpool2d and save the results as images",
  description: [
    "The seeds' experiment: batches of test images (ToTensor only, pixels in [0, 1]) go through",
    "  conv       Conv2d(C, 6, 3, 1, 0), output reshaped to (-1, 3, H-2, W-2) as seed 004 does",
    "  conv_relu  ReLU of that convolution",
    "  sigmoid    Sigmoid of the images",
    "  maxpool    MaxPool2d(kernel_size=3, ceil_mode=False)",
    "  avgpool    AvgPool2d((2, 2), stride=(2, 2))",
    "  maxunpool  MaxUnpool2d((2, 2), stride=(2, 2)) of MaxPool2d((2, 2), stride=(2, 2), return_indices=True)",
    "and, with --checkpoint, the first Conv2d of a trained model. Each input and output batch is written",
    "with add_images to a TensorBoard run (--logdir; one step per batch) and as a PNG grid to --out.",
    "TensorBoard shows float images clipped to [0, 1]; the PNG files show the same pixels.",
  ].join("\n"),
  flags: {
    dataset: { type: "string", valueName: DATASET_NAMES.join("|"), description: "dataset", default: "fashion-mnist" },
    data: { type: "string", valueName: "dir", description: "dataset directory (default as for train)" },
    batchSize: { type: "number", description: "images per batch", default: 64, integer: true, min: 1 },
    batches: { type: "number", description: "batches to run (one TensorBoard step each)", default: 2, integer: true, min: 1 },
    seed: { type: "number", description: "seed of the layers' random weights", default: 0, integer: true, min: 0 },
    logdir: { type: "string", valueName: "dir", description: "TensorBoard run directory (default: runs/<date>_<host>_visualize)" },
    out: { type: "string", valueName: "dir", description: "directory of the PNG files (default: <logdir>/images)" },
    checkpoint: { type: "string", valueName: "file", description: "also show the first convolution of this trained checkpoint" },
    model: { type: "string", valueName: MODEL_NAMES.join("|"), description: "the model in --checkpoint, when the file does not say (a state dict saved by PyTorch)" },
  },
  examples: ["torch-ts visualize", "torch-ts visualize --dataset cifar10 --data ./dataset --batches 10", "torch-ts visualize --checkpoint runs/exp/checkpoint.safetensors"],
  async run({ flags }, ctx) {
    if (flags.model !== undefined) {
      if (!MODEL_NAMES.includes(flags.model)) throw new UsageError(`--model: unknown value '${flags.model}'; valid choices: ${MODEL_NAMES.join(", ")}`);
      if (flags.checkpoint === undefined) throw new UsageError("--model names the model in --checkpoint; pass --checkpoint too");
    }
    const r = await runVisualize(flags, ctx);
    ctx.stdout.write(`open the board with: npx torch-ts board --logdir ${displayPath(resolve(r.logdir, ".."))}\n`);
  },
});
