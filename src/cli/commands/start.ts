/**
 * `torch-ts start` (what `npm start` runs): one short training epoch of LeNet on Fashion-MNIST, then the
 * seeds' visualization with the trained model's first convolution, then where everything is.
 */
import "../../index.js";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultLogDir } from "../../tensorboard/writer.js";
import { defineCommand, ExitCode } from "../command.js";
import { FULL_FASHION_MNIST, sampleRoot } from "../data.js";
import { formatDuration } from "../progress.js";
import { displayPath, runTraining } from "./train.js";
import { runVisualize } from "./visualize.js";

/**
 * The quick start's recipe, chosen by measurement: one epoch of the 6,000-image sample costs about 12 s of
 * CPU here at any batch size, and among batch sizes 16–64 and Adam learning rates 0.002–0.01, batches of 16
 * at 0.005 take a sigmoid LeNet furthest in one epoch (PyTorch 1.13: 64–70% test accuracy over seeds 0–4;
 * 0.01 sometimes stalls at chance). test/start.test.ts checks the accuracy against PyTorch's for this recipe.
 */
export const QUICKSTART = { model: "lenet", epochs: 1, batchSize: 16, lr: 0.005, optimizer: "adam", seed: 0 } as const;

export const start = defineCommand({
  name: "start",
  summary: "the quick start (npm start): train LeNet for one epoch on Fashion-MNIST, then visualize the seeds' layers",
  description: [
    "Trains LeNet-5 for one epoch on the Fashion-MNIST sample shipped in data/fashion-mnist-sample (6,000",
    "training and 1,000 test images), or on --data (e.g. the full set in /usr/share/datasets/fashion-mnist,",
    "which takes about ten times longer), with a progress bar, TensorBoard logs and a checkpoint; then runs",
    "`visualize` on the test images with the trained first convolution. Ends with the test accuracy and",
    "where the logs, images and checkpoint are. Ctrl-C saves the checkpoint and stops.",
  ].join("\n"),
  flags: {
    data: { type: "string", valueName: "dir", description: "Fashion-MNIST directory (default: the shipped sample)" },
    epochs: { type: "number", description: "training epochs", default: QUICKSTART.epochs, integer: true, min: 1 },
    batchSize: { type: "number", description: "images per training batch", default: QUICKSTART.batchSize, integer: true, min: 1 },
    lr: { type: "number", description: "Adam learning rate", default: QUICKSTART.lr, min: 0 },
    seed: { type: "number", description: "seed of the initialization and the shuffling", default: QUICKSTART.seed, integer: true, min: 0 },
    logdir: { type: "string", valueName: "dir", description: "run directory, with train/ and visualize/ inside (default: runs/<date>_<host>_quickstart)" },
  },
  examples: ["npm start", "npm start -- --data /usr/share/datasets/fashion-mnist", "npx torch-ts start --epochs 3"],
  async run({ flags }, ctx) {
    const started = performance.now();
    const out = (s: string): void => void ctx.stdout.write(`${s}\n`);
    const base = resolve(flags.logdir ?? defaultLogDir("_quickstart"));
    out(`torch-ts quick start: LeNet-5 on Fashion-MNIST, then the seeds' layers on real images\n`);
    const r = await runTraining(
      {
        model: QUICKSTART.model,
        dataset: "fashion-mnist",
        data: flags.data,
        preferSample: true,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        lr: flags.lr,
        optimizer: QUICKSTART.optimizer,
        seed: flags.seed,
        logdir: join(base, "train"),
      },
      ctx,
    );
    if (r.interrupted) return 130;
    out("");
    const v = await runVisualize(
      { dataset: "fashion-mnist", data: r.dataRoot, batchSize: 64, batches: 1, seed: flags.seed, logdir: join(base, "visualize"), checkpoint: r.checkpoint },
      ctx,
    );
    if (ctx.signal.aborted) return 130;
    const acc = r.info.testAccuracy ?? NaN;
    const onSample = r.dataRoot === resolve(sampleRoot());
    out("");
    out(`done in ${formatDuration((performance.now() - started) / 1000)}.`);
    out(
      `test accuracy: ${(acc * 100).toFixed(1)}% (${Math.round(acc * r.testImages)}/${r.testImages} test images) after ${r.info.epoch} epoch(s) ` +
        `on ${r.trainImages.toLocaleString("en-US")} training images (chance: 10%)`,
    );
    out(`TensorBoard logs: ${displayPath(base)}/ (train/: loss, accuracy, sample images, weight histograms; visualize/: layer outputs)`);
    out(`images (PNG):     ${displayPath(v.imageDir)}/ (${v.files.length} files: input, conv, conv_relu, sigmoid, maxpool, avgpool, maxunpool, trained_conv)`);
    out(`checkpoint:       ${displayPath(r.checkpoint)} (safetensors; reload with torch-ts summary --checkpoint ${displayPath(r.checkpoint)})`);
    out(`open the board:   npx torch-ts board --logdir ${displayPath(base)}   then browse http://127.0.0.1:6006`);
    if (onSample && existsSync(FULL_FASHION_MNIST)) {
      out(`full dataset:     npm start -- --data ${FULL_FASHION_MNIST} (60,000 training images, about ten times longer)`);
    }
    return ExitCode.OK;
  },
});
