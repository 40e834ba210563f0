import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Tensor } from "../../tensor.js";
import { Dataset } from "../../data/dataset.js";
import { Image } from "../image.js";
import { parseIdx } from "../idx.js";
import type { TransformLike } from "../transforms/transform.js";
import { downloadFile, type ResourceFile } from "./download.js";

export interface VisionDatasetOptions {
  /** The training split (default) or the test split. */
  train?: boolean;
  transform?: TransformLike | null;
  targetTransform?: TransformLike | null;
  /** Fetch the official archives when the files are missing (needs network access). */
  download?: boolean;
}

function readIdx(dir: string[], base: string): { data: Uint8Array; shape: number[]; path: string } {
  for (const d of dir) {
    for (const name of [base, `${base}.gz`]) {
      const path = join(d, name);
      if (!existsSync(path)) continue;
      let bytes: Uint8Array = readFileSync(path);
      if (name.endsWith(".gz")) {
        try {
          bytes = gunzipSync(bytes);
        } catch (e) {
          throw new Error(`${path}: corrupted gzip data (${(e as Error).message})`);
        }
      }
      const arr = parseIdx(bytes, path);
      if (arr.dtype !== "uint8") throw new Error(`${path}: expected unsigned bytes, the file holds ${arr.dtype}`);
      return { data: arr.data as Uint8Array, shape: arr.shape, path };
    }
  }
  throw new Error(`missing ${base}(.gz) in ${dir.join(" or ")}`);
}

/**
 * MNIST-format digits, as `torchvision.datasets.MNIST(root, train, transform, targetTransform, download)`.
 * Samples are `[image, label]`: a grayscale `Image` (or whatever `transform` makes of it) and an integer.
 *
 * Files are looked up in `root/<ClassName>/raw/` (torchvision's layout) and in `root/` itself (e.g. Debian's
 * `/usr/share/datasets/fashion-mnist`), plain or gzipped.
 */
export class MNIST extends Dataset<[any, any]> {
  /** Images as a uint8 tensor [N, 28, 28]. */
  readonly data: Tensor;
  /** Labels as an int64 tensor [N]. */
  readonly targets: Tensor;
  readonly train: boolean;
  readonly transform: TransformLike | null;
  readonly targetTransform: TransformLike | null;
  static readonly classes: string[] = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];
  private readonly pixels: Uint8Array;
  private readonly labels: Uint8Array;
  private readonly rows: number;
  private readonly cols: number;

  constructor(readonly root: string, opts: VisionDatasetOptions = {}) {
    super();
    this.train = opts.train ?? true;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    const name = (this.constructor as typeof MNIST).folderName();
    const dirs = [join(root, name, "raw"), root];
    const split = this.train ? "train" : "t10k";
    const present = (d: string): boolean =>
      existsSync(join(d, `${split}-images-idx3-ubyte.gz`)) || existsSync(join(d, `${split}-images-idx3-ubyte`));
    if (opts.download && !dirs.some(present)) {
      // A constructor cannot wait for the network; the asynchronous factory downloads first.
      throw new Error(
        `${name}: the files are missing and a constructor cannot download; use \`await ${name}.create(root, { download: true })\`, ` +
          `or put ${split}-images-idx3-ubyte.gz and ${split}-labels-idx1-ubyte.gz in ${join(root, name, "raw")}`,
      );
    }
    if (!dirs.some((d) => existsSync(d))) {
      throw new Error(`${name}: dataset not found: ${root} does not exist. Use download: true or put the IDX files in ${join(root, name, "raw")}`);
    }
    let images;
    let labels;
    try {
      images = readIdx(dirs, `${split}-images-idx3-ubyte`);
      labels = readIdx(dirs, `${split}-labels-idx1-ubyte`);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}. Dataset not found or corrupted; use download: true or put the IDX files in ${join(root, name, "raw")}`);
    }
    if (images.shape.length !== 3) throw new Error(`${images.path}: expected 3 dims [N, rows, cols], got ${images.shape.length}`);
    if (labels.shape.length !== 1) throw new Error(`${labels.path}: expected 1 dim [N], got ${labels.shape.length}`);
    if (images.shape[0] !== labels.shape[0]) {
      throw new Error(`${name}: ${images.path} has ${images.shape[0]} images but ${labels.path} has ${labels.shape[0]} labels`);
    }
    [, this.rows, this.cols] = images.shape;
    this.pixels = images.data;
    this.labels = labels.data;
    this.data = new Tensor(images.data, "uint8", images.shape);
    this.targets = new Tensor(Float64Array.from(labels.data), "int64", labels.shape);
  }

  /** torchvision's mirrors for this dataset, tried in order. */
  static mirrors: string[] = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"];
  /** torchvision's file list with md5 sums. */
  static resources: ResourceFile[] = [
    { name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
    { name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432" },
    { name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3" },
    { name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c" },
  ];

  /**
   * Downloads the files when missing and `download` is set (md5-checked, written atomically), then loads,
   * as torchvision's constructor does with `download=True`.
   */
  static async create<T extends typeof MNIST>(this: T, root: string, opts: VisionDatasetOptions & { mirrors?: string[] } = {}): Promise<InstanceType<T>> {
    if (opts.download) {
      const raw = join(root, this.folderName(), "raw");
      const split = (opts.train ?? true) ? "train" : "t10k";
      const have = (base: string): boolean => [raw, root].some((d) => existsSync(join(d, base)) || existsSync(join(d, `${base}.gz`)));
      for (const f of this.resources) {
        if (!f.name.startsWith(split) || have(f.name.replace(/\.gz$/, ""))) continue;
        await downloadFile(opts.mirrors ?? this.mirrors, f, raw, this.folderName());
      }
    }
    return new this(root, { ...opts, download: false }) as InstanceType<T>;
  }

  /** The subfolder under `root` torchvision uses for this dataset. */
  static folderName(): string {
    return this.name;
  }

  get length(): number {
    return this.labels.length;
  }

  get classes(): string[] {
    return (this.constructor as typeof MNIST).classes;
  }

  /** Class name → label, as torchvision's `class_to_idx`. */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  getItem(index: number): [any, any] {
    const i = this.checkIndex(index);
    const n = this.rows * this.cols;
    const img = new Image(this.cols, this.rows, "L", this.pixels.slice(i * n, (i + 1) * n));
    const target = this.labels[i];
    return [this.transform ? this.transform(img) : img, this.targetTransform ? this.targetTransform(target) : target];
  }
}

/** Zalando's Fashion-MNIST, same format as MNIST, as `torchvision.datasets.FashionMNIST`. */
export class FashionMNIST extends MNIST {
  static override readonly classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
  static override mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"];
  static override resources: ResourceFile[] = [
    { name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d" },
    { name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe" },
    { name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79" },
    { name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310" },
  ];
}

/** Kuzushiji-MNIST, as `torchvision.datasets.KMNIST`. */
export class KMNIST extends MNIST {
  static override readonly classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"];
  static override mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"];
  static override resources: ResourceFile[] = [
    { name: "train-images-idx3-ubyte.gz", md5: "bdb82020997e1d708af4cf47b453dcf7" },
    { name: "train-labels-idx1-ubyte.gz", md5: "e144d726b3acfaa3e44228e80efcd344" },
    { name: "t10k-images-idx3-ubyte.gz", md5: "5c965bf0a639b31b8f53240b1b52f4d7" },
    { name: "t10k-labels-idx1-ubyte.gz", md5: "7320c461ea6c1c855c0b718fb2a4b134" },
  ];
}
