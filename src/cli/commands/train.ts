/**
 * `torch-ts train`: trains a built-in CNN on Fashion-MNIST or CIFAR-10 with a progress bar, per-epoch test
 * accuracy, TensorBoard logs (scalars, sample images, weight histograms, hparams) and a safetensors
 * checkpoint written after every epoch and on Ctrl-C.
 */
// The core entry installs the Tensor methods (`x.view`, `x.argmax`, …) that the ops below rely on.
import "../../index.js";
import { accessSync, constants, mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { noGrad } from "../../autograd/grad-mode.js";
import { DataLoader } from "../../data/dataloader.js";
import { createModel, MODEL_NAMES, MODELS } from "../../models/index.js";
import type { Module } from "../../nn/module.js";
import { crossEntropy } from "../../nn/functional/index.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { SGD } from "../../optim/sgd.js";
import { Generator, manualSeed } from "../../random/generator.js";
import { SummaryWriter, defaultLogDir } from "../../tensorboard/writer.js";
import type { Tensor } from "../../tensor.js";
import { CliError, type CommandContext, defineCommand, ExitCode, UsageError } from "../command.js";
import { type CheckpointInfo, geometry, modelFromCheckpoint, optimizerStatePath, readCheckpoint, readOptimizerState, writeCheckpoint } from "../checkpoint.js";
import { datasetSpec, DATASET_NAMES, defaultDataRoot, denormalize, modelTransform, openSplit, sampleRoot, type DatasetSpec } from "../data.js";
import { formatDuration, ProgressBar, type ProgressStream } from "../progress.js";

export const OPTIMIZER_NAMES = ["adam", "sgd"] as const;
/** Learning rate when `--lr` is not given: PyTorch's Adam default; for SGD with momentum 0.9, the usual 0.01. */
export const DEFAULT_LR: Record<(typeof OPTIMIZER_NAMES)[number], number> = { adam: 0.001, sgd: 0.01 };

/** Everything a training run needs; the `train` and `start` commands fill it from their flags. */
export interface TrainOptions {
  model?: string;
  dataset?: string;
  /** Dataset directory; default: see `defaultDataRoot`. */
  data?: string;
  /** Prefer the shipped Fashion-MNIST sample over the full set when `data` is not given. */
  preferSample?: boolean;
  /** Total epochs (a resumed run continues up to this many). */
  epochs: number;
  /** Default: the checkpoint's when resuming, else 64 (as `lr`, `optimizer`, `momentum` and `seed`). */
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  seed?: number;
  logdir?: string;
  out?: string;
  resume?: string;
  trainSamples?: number;
  testSamples?: number;
}

/** What a finished (or interrupted) run produced. */
export interface TrainResult {
  info: CheckpointInfo;
  checkpoint: string;
  logdir: string;
  dataRoot: string;
  trainImages: number;
  testImages: number;
  /** Test accuracy after each epoch run by this invocation. */
  accuracies: number[];
  interrupted: boolean;
  /** The trained model, in eval mode. */
  model: Module;
}

function choice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag}: unknown value '${value}'; valid choices: ${choices.join(", ")}`);
  return value as T;
}

/** Makes `dir` (and parents) and checks it is writable, before any time is spent training. */
function ensureWritableDir(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new CliError(`${flag}: cannot write to '${dir}': ${(e as Error).message}`);
  }
}

function makeOptimizer(name: string, model: Module, lr: number, momentum: number): Optimizer<any, any> {
  return name === "sgd" ? new SGD(model.parameters(), { lr, momentum }) : new Adam(model.parameters(), { lr });
}

/** Lets pending signals (Ctrl-C) be delivered: a training loop is synchronous between batches. */
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Fraction of `loader`'s images that `model` classifies right, and the mean loss; null when aborted. */
export async function evaluate(model: Module, loader: DataLoader, signal?: AbortSignal): Promise<{ accuracy: number; loss: number; correct: number; total: number } | null> {
  model.eval();
  let correct = 0;
  let total = 0;
  let lossSum = 0;
  for (const [x, y] of loader as Iterable<[Tensor, Tensor]>) {
    noGrad(() => {
      const out = model(x) as Tensor;
      lossSum += crossEntropy(out, y, { reduction: "sum" }).item();
      correct += out.argmax(1).eq(y).sum().item();
    });
    total += y.shape[0];
    await yieldToEvents();
    if (signal?.aborted) return null;
  }
  return { accuracy: correct / total, loss: lossSum / total, correct, total };
}

const pct = (a: number): string => `${(a * 100).toFixed(1)}%`;

/** Relative to the working directory when inside it (shorter to read and to paste). */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
}

/**
 * Runs a training: builds (or resumes) the model, trains `epochs` epochs with a progress bar, evaluates
 * on the test split after each, logs to TensorBoard and writes the checkpoint after each epoch. On abort
 * (Ctrl-C) it saves a checkpoint marked `interrupted` and returns with `interrupted: true`.
 */
export async function runTraining(o: TrainOptions, ctx: CommandContext): Promise<TrainResult> {
  const out = (s: string): void => void ctx.stdout.write(`${s}\n`);
  if (o.model !== undefined) choice("--model", o.model, MODEL_NAMES);
  if (o.dataset !== undefined) choice("--dataset", o.dataset, DATASET_NAMES);
  if (o.optimizer !== undefined) choice("--optimizer", o.optimizer, OPTIMIZER_NAMES);

  // What to build: the checkpoint decides when resuming; flags may only agree with it.
  const resumed = o.resume !== undefined ? readCheckpoint(o.resume, "--resume") : null;
  const prev = resumed?.info ?? null;
  const spec: DatasetSpec = datasetSpec(o.dataset ?? prev?.dataset ?? "fashion-mnist");
  const modelName = o.model ?? prev?.model ?? "lenet";
  const optimizerName = o.optimizer ?? prev?.optimizer ?? "adam";
  // A checkpoint's learning rate and momentum belong to its optimizer: a different --optimizer starts from defaults.
  const sameOptimizer = o.optimizer === undefined || o.optimizer === prev?.optimizer;
  const lr = o.lr ?? (sameOptimizer ? prev?.lr : undefined) ?? DEFAULT_LR[optimizerName as "adam" | "sgd"];
  if (!(lr > 0)) throw new UsageError(`--lr must be positive, got ${lr}`);
  const momentum = o.momentum ?? (sameOptimizer ? prev?.momentum : undefined) ?? 0.9;
  const batchSize = o.batchSize ?? prev?.batchSize ?? 64;
  const seed = o.seed ?? prev?.seed ?? 0;
  const dataRoot = resolve(o.data ?? defaultDataRoot(spec, o.preferSample));

  const transform = modelTransform(spec);
  const train = openSplit(spec, dataRoot, true, transform, o.trainSamples);
  const test = openSplit(spec, dataRoot, false, transform, o.testSamples);
  const numClasses = train.classes.length;

  manualSeed(seed);
  let model: Module;
  if (resumed) {
    model = modelFromCheckpoint(o.resume!, resumed, { model: modelName, dataset: spec.name, inChannels: spec.inChannels, imageSize: spec.imageSize, numClasses }, "--resume");
  } else {
    model = createModel(modelName, { inChannels: spec.inChannels, imageSize: spec.imageSize, numClasses });
  }
  const startEpoch = prev?.epoch ?? 0;
  if (resumed && startEpoch >= o.epochs) {
    throw new UsageError(`--resume: '${o.resume}' has already trained ${startEpoch} epoch(s); pass --epochs greater than ${startEpoch} to train more`);
  }
  const logdir = resolve(o.logdir ?? prev?.logdir ?? defaultLogDir(`_${modelName}_${spec.name}`));
  const checkpoint = resolve(o.out ?? o.resume ?? join(logdir, "checkpoint.safetensors"));
  ensureWritableDir(logdir, "--logdir");
  ensureWritableDir(dirname(checkpoint), "--out");

  const optimizer = makeOptimizer(optimizerName, model, lr, momentum);
  let globalStep = prev?.globalStep ?? 0;
  if (resumed) {
    const saved = readOptimizerState(o.resume!, optimizer.constructor.name);
    if (saved && saved.globalStep === globalStep) {
      try {
        optimizer.loadStateDict(saved.state);
      } catch (e) {
        throw new CliError(`--resume: the optimizer state in '${optimizerStatePath(o.resume!)}' does not fit: ${(e as Error).message}`);
      }
      // The saved groups carry the old learning rate; an explicit --lr wins.
      if (o.lr !== undefined) for (const g of optimizer.paramGroups) g.lr = o.lr;
    } else {
      out(`note: no matching ${optimizerName} state beside '${displayPath(o.resume!)}'; the optimizer starts fresh`);
    }
  }

  let writer: SummaryWriter;
  try {
    // On resume, TensorBoard hides the events an interrupted run logged after the checkpoint's step.
    writer = new SummaryWriter(logdir, { purgeStep: resumed ? globalStep : null });
  } catch (e) {
    throw new CliError(`--logdir: cannot write TensorBoard logs to '${logdir}': ${(e as Error).message}`);
  }

  const info: CheckpointInfo = {
    model: modelName,
    dataset: spec.name,
    inChannels: spec.inChannels,
    imageSize: spec.imageSize,
    numClasses,
    classes: train.classes,
    mean: spec.mean,
    std: spec.std,
    epoch: startEpoch,
    globalStep,
    interrupted: false,
    optimizer: optimizerName,
    lr,
    momentum,
    batchSize,
    seed,
    testAccuracy: prev?.testAccuracy ?? null,
    logdir,
  };
  const nParams = model.parameters().reduce((a, p) => a + p.numel(), 0);
  const source = dataRoot === resolve(sampleRoot()) ? "the shipped sample" : displayPath(dataRoot);
  out(
    `${resumed ? `resuming ${displayPath(o.resume!)} at epoch ${startEpoch + 1}: ` : ""}training ${modelName} (${nParams.toLocaleString("en-US")} parameters) ` +
      `on ${spec.name} from ${source}: ${train.dataset.length} training / ${test.dataset.length} test images (${geometry(spec)}), ` +
      `${optimizerName} lr=${lr}${optimizerName === "sgd" ? ` momentum=${momentum}` : ""}, batch ${batchSize}, seed ${seed}`,
  );

  const testLoader = new DataLoader(test.dataset, { batchSize: 256 });
  const accuracies: number[] = [];
  const result = (interrupted: boolean): TrainResult => ({
    info,
    checkpoint,
    logdir,
    dataRoot,
    trainImages: train.dataset.length,
    testImages: test.dataset.length,
    accuracies,
    interrupted,
    model: model.eval(),
  });
  const startStep = globalStep;
  const saveInterrupted = (): TrainResult => {
    writer.close();
    if (globalStep === startStep) {
      out(`\ninterrupted before the first step: no checkpoint written`);
      return result(true);
    }
    info.interrupted = true;
    info.globalStep = globalStep;
    writeCheckpoint(checkpoint, model, info, optimizer);
    out(`\ninterrupted: checkpoint saved to ${displayPath(checkpoint)} (${info.epoch} epoch(s) complete, step ${globalStep})`);
    out(`resume with: torch-ts train --resume ${displayPath(checkpoint)} --epochs ${o.epochs}`);
    return result(true);
  };

  try {
    for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
      if (ctx.signal.aborted) return saveInterrupted();
      // One generator per epoch, seeded from --seed and the epoch: a resumed run sees the same order.
      const generator = new Generator().manualSeed(seed * 1000 + epoch);
      const loader = new DataLoader(train.dataset, { batchSize, shuffle: true, generator });
      const bar = new ProgressBar({ total: loader.length, label: `epoch ${epoch}/${o.epochs}`, stream: ctx.stdout as ProgressStream });
      model.train();
      let first = epoch === startEpoch + 1;
      for (const [x, y] of loader as Iterable<[Tensor, Tensor]>) {
        if (first) {
          writer.addImages("train/samples", denormalize(x.narrow(0, 0, Math.min(32, x.shape[0])), spec).clamp(0, 1), globalStep);
          first = false;
        }
        const logits = model(x) as Tensor;
        const loss = crossEntropy(logits, y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        globalStep++;
        const lossValue = loss.item();
        const correct = noGrad(() => logits.argmax(1).eq(y).sum().item());
        bar.step({ loss: lossValue, correct, images: y.shape[0] });
        writer.addScalar("train/loss", lossValue, globalStep);
        await yieldToEvents();
        if (ctx.signal.aborted) {
          bar.finish("  (interrupted)");
          return saveInterrupted();
        }
      }
      const t = bar.totals();
      const ev = await evaluate(model, testLoader, ctx.signal);
      if (ev === null) {
        bar.finish("  (interrupted)");
        return saveInterrupted();
      }
      bar.finish(`  test acc ${pct(ev.accuracy)}`);
      accuracies.push(ev.accuracy);
      writer.addScalar("epoch/train_loss", t.loss, epoch);
      writer.addScalar("epoch/train_accuracy", t.accuracy, epoch);
      writer.addScalar("epoch/test_loss", ev.loss, epoch);
      writer.addScalar("epoch/test_accuracy", ev.accuracy, epoch);
      writer.addScalar("epoch/images_per_second", t.imagesPerSecond, epoch);
      for (const [name, p] of model.namedParameters()) {
        writer.addHistogram(`weights/${name}`, p, epoch);
        if (p.grad) writer.addHistogram(`grads/${name}`, p.grad, epoch);
      }
      info.epoch = epoch;
      info.globalStep = globalStep;
      info.testAccuracy = ev.accuracy;
      writeCheckpoint(checkpoint, model, info, optimizer);
      writer.flush();
    }
    writer.addHparams(
      { model: modelName, dataset: spec.name, optimizer: optimizerName, lr, batch_size: batchSize, epochs: o.epochs, seed },
      { "hparam/test_accuracy": info.testAccuracy ?? NaN },
      { runName: "hparams" },
    );
  } finally {
    writer.close();
  }
  return result(false);
}

/** The closing lines of a run: accuracy, where things are, how to look at them. */
export function reportRun(r: TrainResult, ctx: CommandContext): void {
  const out = (s: string): void => void ctx.stdout.write(`${s}\n`);
  const acc = r.info.testAccuracy;
  if (acc !== null) out(`test accuracy: ${pct(acc)} on ${r.testImages} test images after ${r.info.epoch} epoch(s)`);
  out(`checkpoint:  ${displayPath(r.checkpoint)} (optimizer state: ${displayPath(optimizerStatePath(r.checkpoint))})`);
  out(`TensorBoard: ${displayPath(r.logdir)}`);
}

export const train = defineCommand({
  name: "train",
  summary: "train LeNet or the tutorial's CIFAR-10 CNN on Fashion-MNIST or CIFAR-10, with TensorBoard logs and checkpoints",
  description: [
    "Models (--model):",
    ...MODEL_NAMES.map((n) => `  ${n.padEnd(6)} ${MODELS[n].description}`),
    "Datasets (--dataset): fashion-mnist (default; read from --data, else /usr/share/datasets/fashion-mnist when",
    "installed, else the 6,000/1,000-image sample in data/fashion-mnist-sample) and cifar10 (--data DIR holding",
    "cifar-10-batches-py/ or cifar-10-batches-bin/). Images are normalized with the training set's mean and std.",
    "",
    "Each epoch shows a progress bar (running loss, accuracy, images/s, ETA), then the test accuracy. The",
    "TensorBoard run (--logdir) gets the training loss per step, loss/accuracy per epoch, a grid of training",
    "images, histograms of every weight and gradient, and the hyperparameters. The checkpoint (--out, default",
    "<logdir>/checkpoint.safetensors) is written after every epoch, atomically; the optimizer state goes beside",
    "it in <name>.optim.safetensors. Ctrl-C saves a checkpoint and exits with status 130; --resume continues",
    "from it (the model, dataset and optimizer default to the checkpoint's; --epochs counts from the start).",
  ].join("\n"),
  flags: {
    model: { type: "string", valueName: MODEL_NAMES.join("|"), description: "model to train (default: lenet, or the checkpoint's)" },
    dataset: { type: "string", valueName: DATASET_NAMES.join("|"), description: "dataset (default: fashion-mnist, or the checkpoint's)" },
    data: { type: "string", valueName: "dir", description: "dataset directory" },
    epochs: { type: "number", description: "total number of epochs", default: 3, integer: true, min: 1 },
    batchSize: { type: "number", description: "images per training batch (default: 64, or the checkpoint's)", integer: true, min: 1 },
    lr: { type: "number", description: `learning rate (default: ${DEFAULT_LR.adam} for adam, ${DEFAULT_LR.sgd} for sgd, or the checkpoint's)` },
    optimizer: { type: "string", valueName: OPTIMIZER_NAMES.join("|"), description: "optimizer (default: adam, or the checkpoint's)" },
    momentum: { type: "number", description: "SGD momentum (default: 0.9, or the checkpoint's)", min: 0 },
    seed: { type: "number", description: "seed of the weight initialization and the shuffling (default: 0, or the checkpoint's)", integer: true, min: 0 },
    logdir: { type: "string", valueName: "dir", description: "TensorBoard run directory (default: runs/<date>_<host>_<model>_<dataset>)" },
    out: { type: "string", valueName: "file", description: "checkpoint path (default: <logdir>/checkpoint.safetensors)" },
    resume: { type: "string", valueName: "file", description: "continue training from this checkpoint" },
    trainSamples: { type: "number", valueName: "n", description: "use only the first n training images", integer: true, min: 1 },
    testSamples: { type: "number", valueName: "n", description: "use only the first n test images", integer: true, min: 1 },
  },
  examples: [
    "torch-ts train",
    "torch-ts train --model cnn --epochs 5 --optimizer sgd --lr 0.01",
    "torch-ts train --dataset cifar10 --data ./dataset --model cnn",
    "torch-ts train --resume runs/exp/checkpoint.safetensors --epochs 6",
  ],
  async run({ flags }, ctx) {
    const started = performance.now();
    const r = await runTraining(flags, ctx);
    if (r.interrupted) return 130;
    reportRun(r, ctx);
    ctx.stdout.write(`open the board with: npx torch-ts board --logdir ${displayPath(dirname(r.logdir))}  (${formatDuration((performance.now() - started) / 1000)} in all)\n`);
    return ExitCode.OK;
  },
});
