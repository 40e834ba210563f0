/**
 * The datasets the CLI trains and visualizes on: where they are looked for, their geometry, and the
 * normalization the models see. Errors name the path and say what was expected there.
 */
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Subset, type Dataset } from "../data/dataset.js";
import type { Tensor } from "../tensor.js";
import { add, mul } from "../ops/elementwise.js";
import { tensor } from "../ops/creation.js";
import { CIFAR10 } from "../vision/datasets/cifar.js";
import { FashionMNIST } from "../vision/datasets/mnist.js";
import { Compose } from "../vision/transforms/compose.js";
import { Normalize } from "../vision/transforms/normalize.js";
import { ToTensor } from "../vision/transforms/to-tensor.js";
import { CliError, UsageError } from "./command.js";

/** A dataset the CLI knows. */
export interface DatasetSpec {
  name: string;
  /** The class the files are read with, for messages. */
  title: string;
  inChannels: number;
  imageSize: number;
  /**
   * Per-channel mean and std of the training images (scaled to [0, 1]): what `Normalize` subtracts and
   * divides by, computed over the full training sets (Fashion-MNIST 60,000 images; CIFAR-10 50,000).
   */
  mean: number[];
  std: number[];
  /** What the directory must hold, for error messages. */
  expects: string;
  open(root: string, train: boolean, transform: Compose): Dataset<[Tensor, number]> & { classes: string[] };
}

export const DATASETS: Readonly<Record<string, DatasetSpec>> = {
  "fashion-mnist": {
    name: "fashion-mnist",
    title: "FashionMNIST",
    inChannels: 1,
    imageSize: 28,
    mean: [0.286],
    std: [0.353],
    expects: "train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)",
    open: (root, train, transform) => new FashionMNIST(root, { train, transform }),
  },
  cifar10: {
    name: "cifar10",
    title: "CIFAR10",
    inChannels: 3,
    imageSize: 32,
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
    expects: "cifar-10-batches-py/ (the python version) or cifar-10-batches-bin/ (the binary version)",
    open: (root, train, transform) => new CIFAR10(root, { train, transform }),
  },
};

export const DATASET_NAMES: readonly string[] = Object.keys(DATASETS);

/** Where Debian's `dataset-fashion-mnist` package puts the full set. */
export const FULL_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/** The Fashion-MNIST sample shipped in the repository (6,000 training and 1,000 test images). */
export function sampleRoot(): string {
  // This file is src/cli/data.ts or dist/cli/data.js: the repository root is two levels up either way.
  return fileURLToPath(new URL("../../data/fashion-mnist-sample", import.meta.url));
}

/** The spec of dataset `name`, or a usage error listing the valid names. */
export function datasetSpec(name: string, flag = "--dataset"): DatasetSpec {
  if (!Object.hasOwn(DATASETS, name)) throw new UsageError(`${flag}: unknown value '${name}'; valid choices: ${DATASET_NAMES.join(", ")}`);
  return DATASETS[name];
}

/**
 * The directory to read `spec` from: `--data` when given; otherwise for Fashion-MNIST the full set when
 * installed, else the shipped sample. CIFAR-10 has no default: it is not shipped.
 */
export function defaultDataRoot(spec: DatasetSpec, preferSample = false): string {
  if (spec.name !== "fashion-mnist") {
    throw new UsageError(`--dataset ${spec.name} needs --data DIR: a directory holding ${spec.expects}`);
  }
  if (!preferSample && existsSync(FULL_FASHION_MNIST)) return FULL_FASHION_MNIST;
  return sampleRoot();
}

/** `ToTensor` then `Normalize` with the dataset's statistics: what the models are trained on. */
export function modelTransform(spec: DatasetSpec): Compose {
  return new Compose([new ToTensor(), new Normalize(spec.mean, spec.std)]);
}

/** Undoes `modelTransform`'s normalization (`x·std + mean`), back to [0, 1] pixels for images. */
export function denormalize(x: Tensor, spec: DatasetSpec): Tensor {
  const shape = [spec.mean.length, 1, 1];
  return add(mul(x, tensor(spec.std).view(shape)), tensor(spec.mean).view(shape));
}

export interface OpenedSplit {
  dataset: Dataset<[Tensor, number]>;
  classes: string[];
  /** Images in the whole split (before `limit`). */
  available: number;
}

/**
 * Opens one split of a dataset, keeping its first `limit` samples when given. A missing directory or
 * unreadable files become a `CliError` that names the path and the files expected.
 */
export function openSplit(spec: DatasetSpec, root: string, train: boolean, transform: Compose, limit?: number): OpenedSplit {
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new CliError(`--data: '${root}' does not exist; expected a directory holding ${spec.expects}`);
  }
  if (!isDir) throw new CliError(`--data: '${root}' is not a directory; expected a directory holding ${spec.expects}`);
  let ds: Dataset<[Tensor, number]> & { classes: string[] };
  try {
    ds = spec.open(root, train, transform);
  } catch (e) {
    // The dataset classes end with library advice (`download: true`, `CIFAR10.create`) that a CLI user cannot act on.
    const why = (e as Error).message.replace(/[.;]\s*(?:use|Use) [^;]*download: true[^;]*$/, "");
    throw new CliError(`cannot read ${spec.title} (${train ? "training" : "test"} split) from '${root}': ${why}. --data must be a directory holding ${spec.expects}`);
  }
  if (ds.length === 0) throw new CliError(`${spec.title} in '${root}' has no ${train ? "training" : "test"} images`);
  const available = ds.length;
  const n = limit === undefined ? available : Math.min(limit, available);
  const dataset = n < available ? new Subset(ds, Array.from({ length: n }, (_, i) => i)) : ds;
  return { dataset, classes: ds.classes, available };
}
