import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "../../tensor.js";
import { Dataset } from "../../data/dataset.js";
import { type PyValue, latin1String } from "../../serialization/pickle.js";
import { Image } from "../image.js";
import type { TransformLike } from "../transforms/transform.js";
import type { VisionDatasetOptions } from "./mnist.js";
import { downloadFile, type ResourceFile } from "./download.js";
import { extractArchive } from "./archive.js";
import { isNumpyArray, unpickleNumpy } from "./numpy-pickle.js";

export interface CIFAROptions extends VisionDatasetOptions {
  /**
   * Which official layout to read: "python" (pickled batches, what torchvision reads and downloads) or
   * "binary" (fixed-size records). Default: whichever folder exists under `root`, python first; for
   * `create(…, { download: true })`, python.
   */
  format?: "python" | "binary";
}

/** Where one official layout keeps its files (names as in the archives from https://www.cs.toronto.edu/~kriz/cifar.html). */
export interface CIFARLayout {
  folder: string;
  archive: ResourceFile;
  train: string[];
  test: string[];
  /** Python: the meta pickle; binary: the label-names text file. */
  meta: string;
  /** Python: the meta key of the class names. */
  metaKey: string;
  /** CIFAR-100 only: the coarse label names (meta key, or text file). */
  coarseMeta?: string;
}

const IMAGE_BYTES = 3 * 32 * 32;
const PLANE = 32 * 32;

interface Loaded {
  pixels: Uint8Array;
  targets: number[];
  coarse: number[] | null;
  classes: string[];
  coarseClasses: string[] | null;
}

/** A pickled dict's value for `key`, whether the keys are str (Python 3 pickles) or bytes (Python 2 str). */
function entry(dict: Map<PyValue, PyValue>, key: string): PyValue | undefined {
  for (const [k, v] of dict) if (k === key || (k instanceof Uint8Array && latin1String(k) === key)) return v;
  return undefined;
}

function stringList(v: PyValue | undefined, what: string, path: string): string[] {
  if (!Array.isArray(v)) throw new Error(`${path}: ${what} is missing or not a list`);
  return v.map((s) => {
    if (typeof s === "string") return s;
    if (s instanceof Uint8Array) return latin1String(s);
    throw new Error(`${path}: ${what} holds a ${typeof s}, expected strings`);
  });
}

function intList(v: PyValue | undefined, what: string, n: number, path: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new Error(`${path}: ${what} is missing or not a list of integers`);
  if (v.length !== n) throw new Error(`${path}: ${n} images but ${v.length} ${what}`);
  return v as number[];
}

function readPickle(path: string): Map<PyValue, PyValue> {
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  const obj = unpickleNumpy(readFileSync(path), path, "bytes");
  if (!(obj instanceof Map)) throw new Error(`${path}: expected a pickled dict`);
  return obj;
}

function loadPython(dir: string, files: string[], layout: CIFARLayout): Loaded {
  const parts: Uint8Array[] = [];
  const targets: number[] = [];
  const coarse: number[] = [];
  let hasCoarse = true;
  for (const f of files) {
    const path = join(dir, f);
    const d = readPickle(path);
    const data = entry(d, "data");
    if (!isNumpyArray(data) || data.dtype !== "uint8" || data.shape.length < 1 || data.data.length !== data.shape[0] * IMAGE_BYTES) {
      const got = isNumpyArray(data) ? `a ${data.dtype} array of shape [${data.shape.join(", ")}]` : "no array";
      throw new Error(`${path}: expected 'data' to be a uint8 array of shape [N, 3072], got ${got}`);
    }
    const n = data.shape[0];
    parts.push(data.data as Uint8Array);
    // torchvision: entry["labels"] if present, else entry["fine_labels"].
    const labels = entry(d, "labels") ?? entry(d, "fine_labels");
    targets.push(...intList(labels, "labels", n, path));
    const c = entry(d, "coarse_labels");
    if (c === undefined) hasCoarse = false;
    else coarse.push(...intList(c, "coarse_labels", n, path));
  }
  const metaPath = join(dir, layout.meta);
  const meta = readPickle(metaPath);
  return {
    pixels: concat(parts),
    targets,
    coarse: hasCoarse ? coarse : null,
    classes: stringList(entry(meta, layout.metaKey), layout.metaKey, metaPath),
    coarseClasses: layout.coarseMeta ? stringList(entry(meta, layout.coarseMeta), layout.coarseMeta, metaPath) : null,
  };
}

function readNames(path: string): string[] {
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  return readFileSync(path, "latin1")
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Binary records: `labelBytes` label bytes (CIFAR-100: coarse, fine) then 3072 pixel bytes, R, G and B planes. */
function loadBinary(dir: string, files: string[], layout: CIFARLayout, labelBytes: number): Loaded {
  const record = labelBytes + IMAGE_BYTES;
  const blobs = files.map((f) => {
    const path = join(dir, f);
    if (!existsSync(path)) throw new Error(`missing ${path}`);
    const bytes = readFileSync(path);
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw new Error(`${path}: ${bytes.length} bytes is not a whole number of ${record}-byte records`);
    }
    return bytes;
  });
  const n = blobs.reduce((a, b) => a + b.length / record, 0);
  const pixels = new Uint8Array(n * IMAGE_BYTES);
  const targets = new Array<number>(n);
  const coarse = labelBytes === 2 ? new Array<number>(n) : null;
  let i = 0;
  for (const b of blobs) {
    for (let p = 0; p < b.length; p += record, i++) {
      targets[i] = b[p + labelBytes - 1];
      if (coarse) coarse[i] = b[p];
      pixels.set(b.subarray(p + labelBytes, p + record), i * IMAGE_BYTES);
    }
  }
  return {
    pixels,
    targets,
    coarse,
    classes: readNames(join(dir, layout.meta)),
    coarseClasses: layout.coarseMeta ? readNames(join(dir, layout.coarseMeta)) : null,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * The CIFAR-10 dataset, as `torchvision.datasets.CIFAR10(root, train, transform, targetTransform, download)`.
 * Samples are `[image, target]`: a 32×32 RGB `Image` (or what `transform` makes of it) and the class index.
 *
 * Reads `root/cifar-10-batches-py` (the pickled batches torchvision reads; `data_batch_1`…`5`, `test_batch`,
 * `batches.meta`) or `root/cifar-10-batches-bin` (`data_batch_1.bin`…, `test_batch.bin`, `batches.meta.txt`: one
 * label byte and 3072 pixel bytes, channel planes R, G, B, per record). Files are checked for shape, not md5;
 * the md5 of a downloaded archive is checked.
 *
 * @example
 * const train = await CIFAR10.create("data", { download: true, transform: new transforms.ToTensor() });
 * const [img, label] = train.getItem(0); // img: float32 [3, 32, 32]
 */
export class CIFAR10 extends Dataset<[any, any]> {
  static mirrors = ["https://www.cs.toronto.edu/~kriz/"];
  /** The official python layout (torchvision's `base_folder`, `filename`, `tgz_md5`, `meta`). */
  static python: CIFARLayout = {
    folder: "cifar-10-batches-py",
    archive: { name: "cifar-10-python.tar.gz", md5: "c58f30108f718f92721af3b95e74349a" },
    train: ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"],
    test: ["test_batch"],
    meta: "batches.meta",
    metaKey: "label_names",
  };
  /** The official binary layout ("CIFAR-10 binary version (suitable for C programs)"). */
  static binary: CIFARLayout = {
    folder: "cifar-10-batches-bin",
    archive: { name: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530" },
    train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
    test: ["test_batch.bin"],
    meta: "batches.meta.txt",
    metaKey: "label_names",
  };
  /** Label bytes per binary record. */
  protected static labelBytes = 1;

  readonly train: boolean;
  readonly format: "python" | "binary";
  readonly transform: TransformLike | null;
  readonly targetTransform: TransformLike | null;
  /** Class index per image, as torchvision's `targets` list. */
  readonly targets: number[];
  /** Class names from the meta file, as torchvision's `classes`. */
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** CHW records, 3072 bytes per image, as in the files. */
  protected readonly pixels: Uint8Array;
  protected readonly loaded: Loaded;
  private hwc: Tensor | null = null;

  constructor(
    readonly root: string,
    opts: CIFAROptions = {},
  ) {
    super();
    const cls = this.constructor as typeof CIFAR10;
    this.train = opts.train ?? true;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    const has = (f: "python" | "binary"): boolean => existsSync(join(root, cls[f].folder));
    const format = opts.format ?? (has("python") || !has("binary") ? "python" : "binary");
    if (format !== "python" && format !== "binary") throw new Error(`${cls.name}: format must be "python" or "binary", got ${JSON.stringify(format)}`);
    this.format = format;
    const layout = cls[format];
    const dir = join(root, layout.folder);
    if (opts.download && !cls.complete(root, format)) {
      throw new Error(`${cls.name}: the files are missing and a constructor cannot download; use \`await ${cls.name}.create(root, { download: true })\``);
    }
    if (!existsSync(dir)) {
      throw new Error(`${cls.name}: Dataset not found or corrupted: ${dir} does not exist. Use \`await ${cls.name}.create(root, { download: true })\` to download it`);
    }
    const files = this.train ? layout.train : layout.test;
    try {
      this.loaded = format === "python" ? loadPython(dir, files, layout) : loadBinary(dir, files, layout, cls.labelBytes);
    } catch (e) {
      throw new Error(`${cls.name}: ${(e as Error).message}`);
    }
    this.pixels = this.loaded.pixels;
    this.targets = this.loaded.targets;
    this.classes = this.loaded.classes;
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  /** True when every file of `format` (both splits and the meta file) is under `root`. */
  static complete(root: string, format: "python" | "binary"): boolean {
    const l = this[format];
    return [...l.train, ...l.test, l.meta].every((f) => existsSync(join(root, l.folder, f)));
  }

  /**
   * Downloads and extracts the official archive (md5-checked) into `root` when `download` is set and files
   * are missing, then loads, as torchvision's constructor does with `download=True`.
   */
  static async create<T extends typeof CIFAR10>(this: T, root: string, opts: CIFAROptions & { mirrors?: string[] } = {}): Promise<InstanceType<T>> {
    const format = opts.format ?? "python";
    if (opts.download && !this.complete(root, format)) {
      const archive = await downloadFile(opts.mirrors ?? this.mirrors, this[format].archive, root, this.name);
      extractArchive(archive, root);
    }
    return new this(root, { ...opts, format: opts.download ? format : opts.format, download: false }) as InstanceType<T>;
  }

  get length(): number {
    return this.targets.length;
  }

  /** All images as a uint8 tensor [N, 32, 32, 3] (HWC), as torchvision's `data` array. Built on first use. */
  get data(): Tensor {
    if (!this.hwc) {
      const n = this.length;
      const out = new Uint8Array(n * IMAGE_BYTES);
      for (let i = 0; i < n; i++) toHWC(this.pixels, i * IMAGE_BYTES, out, i * IMAGE_BYTES);
      this.hwc = new Tensor(out, "uint8", [n, 32, 32, 3]);
    }
    return this.hwc;
  }

  getItem(index: number): [any, any] {
    const i = this.checkIndex(index);
    const hwc = new Uint8Array(IMAGE_BYTES);
    toHWC(this.pixels, i * IMAGE_BYTES, hwc, 0);
    const img = new Image(32, 32, "RGB", hwc);
    const target = this.targets[i];
    return [this.transform ? this.transform(img) : img, this.targetTransform ? this.targetTransform(target) : target];
  }

  override toString(): string {
    return `Dataset ${this.constructor.name}\n    Number of datapoints: ${this.length}\n    Root location: ${this.root}\n    Split: ${this.train ? "Train" : "Test"}`;
  }
}

/** One record's R, G, B planes (CHW) → interleaved pixels (HWC). */
function toHWC(src: Uint8Array, s: number, dst: Uint8Array, d: number): void {
  for (let p = 0; p < PLANE; p++, d += 3) {
    dst[d] = src[s + p];
    dst[d + 1] = src[s + PLANE + p];
    dst[d + 2] = src[s + 2 * PLANE + p];
  }
}

/**
 * The CIFAR-100 dataset, as `torchvision.datasets.CIFAR100`: targets are the 100 fine labels; the 20
 * superclasses are in `coarseTargets` / `coarseClasses`. Python layout `cifar-100-python/{train,test,meta}`;
 * binary layout `cifar-100-binary/{train,test}.bin` (records: coarse byte, fine byte, 3072 pixel bytes) with
 * `fine_label_names.txt` and `coarse_label_names.txt`.
 */
export class CIFAR100 extends CIFAR10 {
  static override python: CIFARLayout = {
    folder: "cifar-100-python",
    archive: { name: "cifar-100-python.tar.gz", md5: "eb9058c3a382ffc7106e4002c42a8d85" },
    train: ["train"],
    test: ["test"],
    meta: "meta",
    metaKey: "fine_label_names",
    coarseMeta: "coarse_label_names",
  };
  static override binary: CIFARLayout = {
    folder: "cifar-100-binary",
    archive: { name: "cifar-100-binary.tar.gz", md5: "03b5dce01913d631647c71ecec9e9cb8" },
    train: ["train.bin"],
    test: ["test.bin"],
    meta: "fine_label_names.txt",
    metaKey: "fine_label_names",
    coarseMeta: "coarse_label_names.txt",
  };
  protected static override labelBytes = 2;

  /** The superclass index per image. */
  get coarseTargets(): number[] {
    if (!this.loaded.coarse) throw new Error(`${this.constructor.name}: the files hold no coarse labels`);
    return this.loaded.coarse;
  }

  /** The 20 superclass names. */
  get coarseClasses(): string[] {
    return this.loaded.coarseClasses ?? [];
  }
}
